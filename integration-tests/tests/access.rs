//! The authorization matrix, generated from the route table (`linli_api::access::RULES`): every operation of
//! `/openapi.json` is called as nobody and as each demo role, with a body built from its own schema, and
//! must answer as its rule says: 401 to nobody unless anyone may call it, 403 (or 404, for what is hidden
//! rather than refused) to a role it does not admit, and never 401 or 403 to a role it admits (a 403 is
//! allowed only where the rule names a scope the caller falls outside). An operation without a rule, or a
//! rule without an operation, fails. Then every outsider a rule's scope refuses (resident A on B's order,
//! provider X on an order held by Y, a worker of one community on another's registrations, events and
//! shifts, a member of one branch on another's problems) is played against a real object of someone else's:
//! each must be refused (403, or 404 for what is hidden rather than refused).

use std::collections::HashMap;
use std::time::Duration;

use linli_api::access::{Outsider, RULES, Who, rule_of};
use linli_domain::accounts::Role;
use linli_integration_tests::{Api, Backend, Reply, TestApp, cleaning_order};
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
            // A stream that opens stays open: only its status is read.
            let (status, reply) = if op["responses"]["200"]["content"]["text/event-stream"].is_object() {
                (api.stream(&url, token.as_deref()).await.0.as_u16(), None)
            } else {
                let method = Method::from_bytes(method.as_bytes()).unwrap();
                let reply = api.send(method, &url, token.as_deref(), body.clone(), &[]).await;
                (reply.status.as_u16(), Some(reply))
            };
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
                let (code, field) = reply.as_ref().map_or(("", ""), |r| (r.code(), r.field()));
                wrong.push(format!("{method} {path} as {who}: {status} {code} {field} ({:?})", rule.who));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers break their rule:\n{}", wrong.len(), wrong.join("\n"));
    assert!(operations.len() >= 92, "{} operations", operations.len());
}

fn id_of(reply: &Reply) -> String {
    assert!(reply.status.is_success(), "{} {:?}", reply.status, reply.body);
    reply.body["id"].as_str().expect("an id").to_owned()
}

/// An account of `role` made by the demo admin (with `extra` fields such as its community), logged in.
async fn account(api: &Api, admin: &str, name: &str, role: &str, extra: Value) -> String {
    let mut body = json!({"username": name, "password": "outsider-pass", "display_name": name, "role": role});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    id_of(&api.create_account(admin, body).await);
    api.login(name, "outsider-pass").await
}

/// A Party member registered (with `branch`) in `community` and confirmed by that community's `worker`.
async fn member(api: &Api, admin: &str, worker: &str, name: &str, community: i32, branch: &str) -> String {
    let token = account(api, admin, name, "party_member", json!({})).await;
    let registered = api.register(&token, json!({"community_id": community, "branch_id": branch})).await;
    let confirmed = api.confirm_registration(worker, &id_of(&registered)).await;
    assert_eq!(confirmed.body["state"], "confirmed", "{:?}", confirmed.body);
    token
}

async fn branch_paired_with(api: &Api, admin: &str, name: &str, community: &str) -> String {
    let branch = id_of(&api.create_branch(admin, json!({"name": name, "organization": "沈阳市民政局"})).await);
    assert!(api.pair_branch(admin, &branch, community).await.status.is_success());
    branch
}

/// Each outsider's token, and the objects of someone else's they are played against, by the path's first
/// segment after `/api/v1/` (and, for problems, the action: one takes an open problem, closes a taken one).
struct Outsiders {
    callers: HashMap<Outsider, String>,
    objects: HashMap<(Outsider, &'static str), String>,
}

impl Outsiders {
    async fn set_up(api: &Api) -> Self {
        let admin = api.login_demo("admin").await;
        let worker = api.login_demo("worker").await;
        let (resident, neighbour) = (api.login_demo("resident").await, api.login_demo("resident2").await);
        let mut objects = HashMap::new();

        // Volunteer work with no Party member registered yet is escalated at once: the community's own.
        let volunteer = json!({"item_id": 100, "community_id": 1, "address": "文安路8号", "lat": 41.78,
            "lng": 123.40, "asap": true});
        let escalated = id_of(&api.place_order(&resident, volunteer, None).await);
        api.wait_for_state(&resident, &escalated, "escalated", Duration::from_secs(10)).await;

        // The neighbour's order, and a message of theirs about it.
        let theirs = id_of(&api.place_order(&neighbour, cleaning_order(), None).await);
        api.wait_for_state(&neighbour, &theirs, "offered", Duration::from_secs(10)).await;
        let mut message = None;
        for _ in 0..100 {
            message = api.inbox(&neighbour).await.body["messages"][0]["id"].as_str().map(str::to_owned);
            if message.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        objects.insert((Outsider::Neighbour, "orders"), theirs);
        // The neighbour's care plan in community 1, for the resident and a worker of community 2.
        let tomorrow = (chrono::Utc::now() + chrono::Duration::hours(32)).date_naive();
        let plan = json!({"item_id": 15, "community_id": 1, "address": "文安路9号", "lat": 41.78, "lng": 123.40,
            "repeat": {"kind": "weekly", "weekdays": [1, 2, 3, 4, 5, 6, 7]}, "time": "10:00",
            "start_date": tomorrow, "end_date": tomorrow + chrono::Days::new(2)});
        let plan = id_of(&api.post("/api/v1/care-plans", Some(&neighbour), plan).await);
        objects.insert((Outsider::Neighbour, "care-plans"), plan.clone());
        objects.insert((Outsider::OtherCommunity, "care-plans"), plan);
        objects.insert((Outsider::Neighbour, "inbox"), message.expect("the neighbour has a message"));

        // An order held by one of the providers it was offered to, and staff of one never offered anything.
        let held = id_of(&api.place_order(&resident, cleaning_order(), None).await);
        api.wait_for_state(&resident, &held, "offered", Duration::from_secs(10)).await;
        let holder = api.offered_staff(&held).await.remove(0);
        assert_eq!(api.act(&holder, &held, "accept").await.body["state"], "accepted");
        let holder_me = api.get("/api/v1/me", Some(&holder)).await.body;
        let holders_provider = holder_me["provider_id"].clone();
        let code = linli_domain::providers::CreditCode::with_check_character("92210102MA9000099").unwrap();
        let elsewhere = json!({"name": "局外家政", "credit_code": code.as_ref(), "community_id": 900,
            "lat": 41.8, "lng": 123.4, "capacity": 2, "item_ids": [15], "coverage_community_ids": [900]});
        let elsewhere = id_of(&api.create_provider(&admin, elsewhere).await);
        // A manager, so that their scope, not their role, is what refuses them another organization's staff.
        let stranger =
            account(api, &admin, "stranger", "provider_staff", json!({"provider_id": elsewhere, "manager": true}))
                .await;
        // A second job of the holder's, done, with a complaint against it.
        let done = id_of(&api.place_order(&resident, cleaning_order(), None).await);
        api.wait_for_state(&resident, &done, "offered", Duration::from_secs(10)).await;
        let doer = api.offered_staff(&done).await.remove(0);
        for action in ["accept", "start", "complete"] {
            assert!(api.act(&doer, &done, action).await.status.is_success(), "{action}");
        }
        let complaint =
            api.post(&format!("/api/v1/orders/{done}/complaint"), Some(&worker), json!({"text": "迟到"})).await;
        objects.insert((Outsider::OtherProvider, "complaints"), id_of(&complaint));
        objects.insert((Outsider::OtherProvider, "orders"), held);
        objects.insert((Outsider::OtherProvider, "providers"), holders_provider.as_str().unwrap().to_owned());
        objects.insert((Outsider::OtherProvider, "provider"), holder_me["id"].as_str().unwrap().to_owned());

        // Community 1's registration, problems, event and shift; a worker of community 2.
        let worker2 = account(api, &admin, "worker2", "community_worker", json!({"community_id": 2})).await;
        let branch = branch_paired_with(api, &admin, "市民政局机关第十二党支部", "1").await;
        let taker = member(api, &admin, &worker, "taker", 1, &branch).await;
        let pending = account(api, &admin, "pending", "party_member", json!({})).await;
        let registration = id_of(&api.register(&pending, json!({"community_id": 1})).await);
        let problem = json!({"title": "楼道堆物", "details": "三单元楼道堆放杂物，存在消防隐患"});
        let (open, taken) = (
            id_of(&api.post_problem(&worker, 1, problem.clone()).await),
            id_of(&api.post_problem(&worker, 1, problem).await),
        );
        assert_eq!(api.take_problem(&taker, &taken).await.body["state"], "taken");
        let date = (chrono::Utc::now() + chrono::Duration::days(7)).date_naive();
        let event = json!({"title": "共产党员社区奉献日", "dedication_day": true, "recurrence": {"kind": "once"},
            "first_date": date, "shifts": [{"title": "清扫楼道", "start": "09:00", "end": "11:00",
            "place": "文安路社区党群服务中心", "capacity": 3}]});
        let event = api.create_event(&worker, 1, event).await;
        let occurrence = event.body["occurrences"][0]["id"].as_str().unwrap().to_owned();
        let shift = event.body["occurrences"][0]["shifts"][0]["id"].as_str().unwrap().to_owned();
        for (segment, id) in [("orders", escalated), ("registrations", registration), ("occurrences", occurrence)] {
            objects.insert((Outsider::OtherCommunity, segment), id);
        }
        objects.insert((Outsider::OtherCommunity, "shifts"), shift.clone());
        objects.insert((Outsider::OtherCommunity, "communities"), "1".to_owned());
        objects.insert((Outsider::OtherCommunity, "streets"), "1".to_owned());
        objects.insert((Outsider::Resident, "shifts"), shift);

        // A member of a branch paired with community 2 only, on branch 1 and community 1's problems.
        let branch2 = branch_paired_with(api, &admin, "市司法局机关第二十党支部", "2").await;
        let member2 = member(api, &admin, &worker2, "member2", 2, &branch2).await;
        objects.insert((Outsider::OtherBranch, "branches"), branch);
        objects.insert((Outsider::OtherBranch, "communities"), "1".to_owned());
        objects.insert((Outsider::OtherBranch, "problems/take"), open);
        objects.insert((Outsider::OtherBranch, "problems/close"), taken);

        let me = api.get("/api/v1/me", Some(&admin)).await.body["id"].as_str().unwrap().to_owned();
        objects.insert((Outsider::Themselves, "accounts"), me);

        let callers = HashMap::from([
            (Outsider::Neighbour, resident.clone()),
            (Outsider::OtherProvider, stranger),
            (Outsider::OtherCommunity, worker2),
            (Outsider::OtherBranch, member2),
            (Outsider::Resident, resident),
            (Outsider::Themselves, admin),
        ]);
        Self { callers, objects }
    }

    /// The object of someone else's that `outsider` is played against on `path`.
    fn object(&self, outsider: Outsider, path: &str) -> &str {
        let rest = path.trim_start_matches("/api/v1/").trim_start_matches("admin/");
        let segment = rest.split('/').next().unwrap();
        let key = if segment == "problems" { rest.replace("/{id}", "") } else { segment.to_owned() };
        let found = self.objects.iter().find(|((o, s), _)| *o == outsider && *s == key);
        found.map(|(_, id)| id.as_str()).unwrap_or_else(|| panic!("no object of {key} for {outsider:?}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_outsider_a_scope_leaves_out_is_refused_someone_elses_object() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let spec = api.get("/openapi.json", None).await.body;
    let outsiders = Outsiders::set_up(api).await;
    let mut wrong = Vec::new();
    for rule in RULES.iter().filter(|r| !r.refuses.is_empty()) {
        let op = &spec["paths"][rule.path][rule.method.to_lowercase()];
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        let body = schema.as_object().map(|_| example(&spec, schema));
        for &outsider in rule.refuses {
            let url = rule.path.replace("{id}", outsiders.object(outsider, rule.path));
            let token = &outsiders.callers[&outsider];
            let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
            let reply = api.send(method, &url, Some(token), body.clone(), &[]).await;
            if !matches!(reply.status.as_u16(), 403 | 404) {
                let (status, code) = (reply.status.as_u16(), reply.code());
                wrong.push(format!("{} {} as {outsider:?}: {status} {code} {}", rule.method, rule.path, reply.field()));
            }
        }
    }
    assert!(wrong.is_empty(), "{} outsiders were let in:\n{}", wrong.len(), wrong.join("\n"));
}
