//! The authorization matrix, generated from the route table (`linli_api::access::RULES`): every operation of
//! `/openapi.json` is called as nobody and as each demo role, with a body built from its own schema, and
//! must answer as its rule says: 401 to nobody unless anyone may call it, 403 (or 404, for what is hidden
//! rather than refused) to a role it does not admit, and never 401 or 403 to a role it admits (a 403 is
//! allowed only where the rule names a scope the caller falls outside). An operation without a rule, or a
//! rule without an operation, fails. Owners and scopes (resident A on B's order, provider X on an order
//! offered to Y, a worker of one community on another's) are held to their rules by the tests of each context.

use linli_api::access::{RULES, Who, rule_of};
use linli_domain::accounts::Role;
use linli_integration_tests::{Backend, TestApp};
use reqwest::Method;
use serde_json::{Map, Value, json};

/// The demo account of each role. `member` is a Party member not yet registered anywhere.
const CALLERS: [(Role, &str); 5] = [
    (Role::Resident, "resident"),
    (Role::ProviderStaff, "org001"),
    (Role::CommunityWorker, "worker"),
    (Role::PartyMember, "member"),
    (Role::Admin, "admin"),
];

/// Operations that end the caller's own session: called last, so the matrix keeps its tokens.
const ENDS_THE_SESSION: [&str; 2] = ["/api/v1/auth/logout", "/api/v1/auth/logout-all"];

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        return resolve(spec, &spec["components"]["schemas"][name]);
    }
    for combined in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[combined].as_array().and_then(|all| all.first()) {
            return resolve(spec, first);
        }
    }
    schema
}

/// A value its schema accepts: every required property, each the simplest value of its type and constraints.
fn example(spec: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    match schema["type"].as_str() {
        Some("object") => {
            let required: Vec<&str> =
                schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let mut out = Map::new();
            for name in required {
                out.insert(name.to_owned(), example(spec, &schema["properties"][name]));
            }
            Value::Object(out)
        }
        Some("array") => json!([]),
        Some("boolean") => json!(false),
        Some("integer") => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        Some("number") => json!(schema["minimum"].as_f64().map_or(1.0, |m| m.max(1.0))),
        Some("string") if schema["enum"].is_array() => schema["enum"][0].clone(),
        Some("string") => match schema["format"].as_str() {
            Some("date-time") => json!((chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339()),
            Some("date" | "naive-date") => {
                json!((chrono::Utc::now() + chrono::Duration::days(2)).date_naive().to_string())
            }
            Some("uuid") => json!(uuid::Uuid::now_v7()),
            _ if schema["pattern"].as_str() == Some("^[0-9]{6}$") => json!("123456"),
            _ => json!("x".repeat(schema["minLength"].as_u64().unwrap_or(1).max(1) as usize)),
        },
        _ => json!({}),
    }
}

/// The path with each parameter filled: numbers are community 1 and the like, ids are ids of nothing.
fn filled(path: &str, op: &Value) -> String {
    let mut out = path.to_owned();
    for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path") {
        let name = p["name"].as_str().unwrap();
        let value = match (name, p["schema"]["type"].as_str(), p["schema"]["format"].as_str()) {
            ("year", _, _) => "2027".to_owned(),
            _ if p["schema"]["pattern"] == "^[0-9]+$" => "1".to_owned(),
            (_, Some("integer"), _) => "1".to_owned(),
            (_, _, Some("uuid")) => uuid::Uuid::now_v7().to_string(),
            _ => "not-a-token".to_owned(),
        };
        out = out.replace(&format!("{{{name}}}"), &value);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_every_role_and_nobody_as_its_rule_says() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let spec = api.get("/openapi.json", None).await.body;
    let mut operations = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                rule_of(method, path).is_some(),
                "{} {path} has no rule in linli_api::access::RULES",
                method.to_uppercase()
            );
            operations.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    for rule in RULES {
        let listed = operations.iter().any(|(m, p, _)| m == rule.method && p == rule.path);
        assert!(listed, "the rule for {} {} names no operation", rule.method, rule.path);
    }

    // `logout-all` ends every session of the caller, the matrix's too: it comes last.
    operations.sort_by_key(|(_, path, _)| path == "/api/v1/auth/logout-all");

    let mut tokens = Vec::new();
    for (role, login) in CALLERS {
        tokens.push((Some(role), Some(api.login_demo(login).await)));
    }
    tokens.push((None, None));
    let mut wrong = Vec::new();
    for (method, path, op) in &operations {
        let rule = rule_of(method, path).unwrap();
        let body = op["requestBody"]["content"]["application/json"]["schema"]
            .as_object()
            .map(|_| example(&spec, &op["requestBody"]["content"]["application/json"]["schema"]));
        for (role, token) in &tokens {
            // Ending a session ends the matrix's token; those operations get a session of their own.
            let own = match (ENDS_THE_SESSION.contains(&path.as_str()), role) {
                (true, Some(r)) => Some(api.login_demo(CALLERS.iter().find(|(c, _)| c == r).unwrap().1).await),
                _ => token.clone(),
            };
            let token = &own;
            let url = filled(path, op);
            let reply = api
                .send(Method::from_bytes(method.as_bytes()).unwrap(), &url, token.as_deref(), body.clone(), &[])
                .await;
            let status = reply.status.as_u16();
            let who = role.map_or("nobody", |r| r.as_str());
            let fits = if rule.who == Who::Holder {
                // A made-up credential is refused as one, never as a caller who may not.
                status != 403
            } else if rule.who.admits(*role) {
                status != 401 && (status != 403 || !rule.scope.is_empty())
            } else if role.is_none() {
                status == 401
            } else {
                matches!(status, 403 | 404)
            };
            if !fits {
                wrong.push(format!(
                    "{method} {path} as {who}: {status} {} {} ({:?})",
                    reply.code(),
                    reply.field(),
                    rule.who
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers break their rule:\n{}", wrong.len(), wrong.join("\n"));
    assert!(operations.len() >= 92, "{} operations", operations.len());
}
