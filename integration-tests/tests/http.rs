//! The order flow over HTTP, on the embedded default and on PostgreSQL + Redis: every test runs on both.
//!
//! Longer than our usual 400 lines on purpose: every file here is a test binary that links the whole stack,
//! which is minutes on the build machine; each test is short and names one behaviour.

use std::time::Duration;

use linli_integration_tests::{Backend, Reply, TestApp, cleaning_order, on_both_backends, scalar};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DISPATCH: Duration = Duration::from_secs(15);

fn id_of(r: &Reply) -> String {
    r.body["id"].as_str().unwrap_or_else(|| panic!("an id in {:?}", r.body)).to_owned()
}

async fn a_resident_follows_an_order_from_placed_to_completed(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let placed = api.place_order(&resident, cleaning_order(), None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    assert_eq!(placed.body["state"], "submitted");
    let id = id_of(&placed);
    assert_eq!(placed.location.as_deref(), Some(format!("/api/v1/orders/{id}").as_str()));

    let offered = api.wait_for_state(&resident, &id, "offered", DISPATCH).await;
    let note = offered.body["events"][1]["note"].as_str().unwrap().to_owned();
    assert_eq!(note, "派给社区内的 3 家服务方（第 1 轮）", "broadcast to the best three");
    let staff = api.offered_staff(&id).await.remove(0);
    let offers = api.offers(&staff).await;
    let mine = offers.body["offers"].as_array().unwrap().iter().find(|o| o["order"]["id"] == id.as_str()).unwrap();
    // Why this provider, in plain words: Chinese unless the reader asks for English.
    assert!(mine["explanation"].as_str().unwrap().starts_with("距您约"), "{mine}");
    let english = [("Accept-Language", "en-US,en;q=0.9")];
    let in_english = api.send(reqwest::Method::GET, "/api/v1/offers", Some(&staff), None, &english).await.body;
    let mine = in_english["offers"].as_array().unwrap().iter().find(|o| o["order"]["id"] == id.as_str()).unwrap();
    assert!(mine["explanation"].as_str().unwrap().starts_with("about "), "{mine}");
    // The order's history reads in the reader's language too.
    let history =
        api.send(reqwest::Method::GET, &format!("/api/v1/orders/{id}"), Some(&resident), None, &english).await;
    assert_eq!(history.body["events"][1]["note"], "offered to 3 provider(s) in the community, round 1");
    assert!(
        offers.body["offers"].as_array().unwrap().iter().any(|o| o["order"]["id"] == id.as_str()),
        "{:?}",
        offers.body
    );

    let accepted = api.act(&staff, &id, "accept").await;
    assert_eq!((accepted.status, accepted.body["state"].clone()), (StatusCode::OK, json!("accepted")));
    assert_eq!(api.order(&resident, &id).await.body["state"], "accepted");
    assert_eq!(api.act(&staff, &id, "start").await.body["state"], "in_service");
    assert_eq!(api.order(&resident, &id).await.body["state"], "in_service");
    assert_eq!(api.act(&staff, &id, "complete").await.body["state"], "completed");

    let seen = api.order(&resident, &id).await;
    let why = seen.body["why_provider"].as_str().unwrap_or_default();
    assert!(why.starts_with("距您约") && why.contains("评分"), "the resident sees why this provider: {why:?}");
    let states: Vec<&str> =
        seen.body["events"].as_array().unwrap().iter().map(|e| e["to_state"].as_str().unwrap()).collect();
    assert_eq!(states, ["submitted", "offered", "accepted", "in_service", "completed"]);
    assert_eq!(seen.body["provider_id"], accepted.body["provider_id"]);
    let mine = api.get("/api/v1/orders", Some(&resident)).await;
    assert_eq!(mine.body["orders"][0]["id"], id.as_str());
}
on_both_backends!(a_resident_follows_an_order_from_placed_to_completed);

async fn every_response_carries_the_security_headers_and_the_docs_and_the_web_app_their_own_policies(app: TestApp) {
    let api = &app.api;
    let base = &api.base;
    for path in ["/healthz", "/api/v1/orders", "/api/v1/nowhere", "/openapi.json", "/docs", "/", "/assets/none.js"] {
        let resp = api.http.get(format!("{base}{path}")).send().await.unwrap();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        let policy = match path {
            "/docs" => linli_api::security::DOCS_POLICY,
            "/" | "/assets/none.js" => linli_api::security::APP_POLICY,
            _ => linli_api::security::API_POLICY,
        };
        assert_eq!(header("content-security-policy"), policy, "{path} answered {}", resp.status());
    }
}
on_both_backends!(every_response_carries_the_security_headers_and_the_docs_and_the_web_app_their_own_policies);

async fn a_token_stops_working_at_once_when_its_holder_logs_out(app: TestApp) {
    let api = &app.api;
    let token = api.login_demo("resident").await;
    assert_eq!(api.get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);
    let out = api.post("/api/v1/auth/logout", Some(&token), json!({})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = api.get("/api/v1/me", Some(&token)).await;
    assert_eq!((after.status, after.code()), (StatusCode::UNAUTHORIZED, "unauthorized"));
}
on_both_backends!(a_token_stops_working_at_once_when_its_holder_logs_out);

async fn the_same_idempotency_key_returns_the_same_order(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let first = api.place_order(&resident, cleaning_order(), Some("retry-me-1")).await;
    let again = api.place_order(&resident, cleaning_order(), Some("retry-me-1")).await;
    assert_eq!((first.status, again.status), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(id_of(&first), id_of(&again));
    let mut changed = cleaning_order();
    changed["item_id"] = json!(16);
    let reused = api.place_order(&resident, changed, Some("retry-me-1")).await;
    assert_eq!(
        (reused.status.as_u16(), reused.code(), reused.field()),
        (422, "idempotency_key_reused", "Idempotency-Key")
    );
    let other = api.place_order(&resident, cleaning_order(), Some("retry-me-2")).await;
    assert_ne!(id_of(&other), id_of(&first));
    // Another resident's identical key is theirs alone.
    let neighbour = api.login_demo("resident2").await;
    let theirs = api.place_order(&neighbour, cleaning_order(), Some("retry-me-1")).await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(id_of(&theirs), id_of(&first));
}
on_both_backends!(the_same_idempotency_key_returns_the_same_order);

async fn a_resident_can_cancel_before_service_starts_but_not_after(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let early = id_of(&api.place_order(&resident, cleaning_order(), None).await);
    let cancelled = api.act(&resident, &early, "cancel").await;
    assert_eq!((cancelled.status, cancelled.body["state"].clone()), (StatusCode::OK, json!("cancelled")));

    let late = id_of(&api.place_order(&resident, cleaning_order(), None).await);
    api.wait_for_state(&resident, &late, "offered", DISPATCH).await;
    let staff = api.offered_staff(&late).await.remove(0);
    assert_eq!(api.act(&staff, &late, "accept").await.status, StatusCode::OK);
    assert_eq!(api.act(&staff, &late, "start").await.status, StatusCode::OK);
    let refused = api.act(&resident, &late, "cancel").await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.content_type, "application/problem+json");
    assert_eq!((refused.code(), refused.body["current_state"].clone()), ("invalid_transition", json!("in_service")));
    assert_eq!(api.order(&resident, &late).await.body["state"], "in_service");
}
on_both_backends!(a_resident_can_cancel_before_service_starts_but_not_after);

async fn each_party_sees_only_what_is_theirs_to_see(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let neighbour = api.login_demo("resident2").await;
    let id = id_of(&api.place_order(&resident, cleaning_order(), None).await);
    api.wait_for_state(&resident, &id, "offered", DISPATCH).await;

    assert_eq!(api.order(&neighbour, &id).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.act(&neighbour, &id, "cancel").await.status, StatusCode::NOT_FOUND);
    let staff = api.offered_staff(&id).await.remove(0);
    let offered = api.order(&staff, &id).await;
    assert_eq!((offered.body["detail"].clone(), offered.body["address"].clone()), (json!("partial"), Value::Null));
    assert_eq!(api.act(&staff, &id, "accept").await.status, StatusCode::OK);
    let accepted = api.order(&staff, &id).await;
    assert_eq!(
        (accepted.body["detail"].clone(), accepted.body["address"].clone()),
        (json!("full"), json!("文安路12号3单元502"))
    );
    assert_eq!(offered.body["events"], Value::Null, "no history before accepting");
    assert!(accepted.body["events"].as_array().is_some_and(|e| !e.is_empty()));

    // A provider that was never offered an order cannot learn it exists by acting on it.
    let outsider = api.login_demo("admin").await;
    let outsider_org = api
        .create_provider(
            &outsider,
            json!({
        "name": "局外家政", "credit_code": credit_code(99), "community_id": 900, "lat": 41.8, "lng": 123.4,
        "capacity": 2, "item_ids": [15, 15], "coverage_community_ids": [900]}),
        )
        .await;
    assert_eq!(outsider_org.status, StatusCode::CREATED, "{:?}", outsider_org.body);
    assert_eq!(outsider_org.body["item_ids"], json!([15]), "a repeated id counts once");
    let account = json!({"username": "outsider", "password": "outsider-pass", "display_name": "局外人",
        "role": "provider_staff", "provider_id": outsider_org.body["id"]});
    assert_eq!(api.create_account(&outsider, account).await.status, StatusCode::CREATED);
    let stranger = api.login("outsider", "outsider-pass").await;
    for action in ["accept", "decline", "start", "complete"] {
        assert_eq!(api.act(&stranger, &id, action).await.status, StatusCode::NOT_FOUND, "{action}");
    }

    // Roles: residents do not accept, staff do not place orders.
    let other = id_of(&api.place_order(&resident, cleaning_order(), None).await);
    assert_eq!(api.act(&resident, &other, "accept").await.status, StatusCode::FORBIDDEN);
    assert_eq!(api.place_order(&staff, cleaning_order(), None).await.status, StatusCode::FORBIDDEN);
    let anonymous = api.get("/api/v1/orders", None).await;
    assert_eq!(
        (anonymous.status, anonymous.content_type.as_str()),
        (StatusCode::UNAUTHORIZED, "application/problem+json")
    );
    assert_eq!(api.get("/api/v1/orders", Some("not-a-token")).await.status, StatusCode::UNAUTHORIZED);
}
on_both_backends!(each_party_sees_only_what_is_theirs_to_see);

async fn when_every_provider_declines_the_order_is_escalated(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    // Volunteer work (志愿陪伴聊天, item 100) goes only to Party members; register two in 文安路社区.
    let mut members = Vec::new();
    for n in 0..2 {
        let body = json!({"kind": "party_member", "name": format!("党员{n}"), "community_id": 1, "lat": 41.781,
            "lng": 123.402, "capacity": 1, "item_ids": [100], "coverage_community_ids": [1]});
        let member = api.create_provider(&admin, body).await;
        assert_eq!(member.status, StatusCode::CREATED, "{:?}", member.body);
        let account = json!({"username": format!("member{n}"), "password": "member-password", "display_name": "党员",
            "role": "provider_staff", "provider_id": member.body["id"]});
        assert_eq!(api.create_account(&admin, account).await.status, StatusCode::CREATED);
        members.push(api.login(&format!("member{n}"), "member-password").await);
    }
    let resident = api.login_demo("resident").await;
    let order =
        json!({"item_id": 100, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40, "asap": true});
    let id = id_of(&api.place_order(&resident, order, None).await);
    let offered = api.wait_for_state(&resident, &id, "offered", DISPATCH).await;
    assert_eq!(offered.body["events"][1]["note"], "派给社区内的 2 家服务方（第 1 轮）");
    for (n, token) in members.iter().enumerate() {
        // The second declines as an organization's own system may, with no body and so no reason.
        let r = match n {
            0 => api.act(token, &id, "decline").await,
            _ => api.send(reqwest::Method::POST, &format!("/api/v1/orders/{id}/decline"), Some(token), None, &[]).await,
        };
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["returned_to_dispatch"], n == 1);
        assert_eq!(api.act(token, &id, "decline").await.status, StatusCode::CONFLICT, "declining twice");
    }
    // Nobody is left in the community, the street or the district: the workers get it.
    let escalated = api.wait_for_state(&resident, &id, "escalated", DISPATCH).await;
    let notes: Vec<&str> =
        escalated.body["events"].as_array().unwrap().iter().map(|e| e["note"].as_str().unwrap()).collect();
    assert_eq!(notes.last(), Some(&"没有其他可以接单的服务方"), "{notes:?}");
    assert!(api.offers(&members[0]).await.body["offers"].as_array().unwrap().is_empty());
}
on_both_backends!(when_every_provider_declines_the_order_is_escalated);

async fn an_order_nobody_covers_is_escalated_at_once(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    // Volunteer items go to Party members, and none are registered in the demo data yet.
    let order =
        json!({"item_id": 100, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40, "asap": true});
    let id = id_of(&api.place_order(&resident, order, None).await);
    let escalated = api.wait_for_state(&resident, &id, "escalated", DISPATCH).await;
    assert_eq!(escalated.body["events"][1]["note"], "没有可以接单的服务方");
}
on_both_backends!(an_order_nobody_covers_is_escalated_at_once);

async fn bad_input_gets_a_problem_naming_the_field_and_writes_nothing(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let with = |patch: Value| {
        let mut body = cleaning_order();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let past = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
    let soon = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let later = (chrono::Utc::now() + chrono::Duration::hours(4)).to_rfc3339();
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (with(json!({"item_id": "fifteen"})), 400, "invalid_field", "item_id"),
        (with(json!({"address": null})), 400, "missing_field", "address"),
        (with(json!({"lat": "north"})), 400, "invalid_field", "lat"),
        (with(json!({"item_id": 99999})), 422, "unknown_item", "item_id"),
        (with(json!({"community_id": 99999})), 422, "unknown_community", "community_id"),
        (with(json!({"address": "   "})), 422, "invalid_address", "address"),
        (with(json!({"lat": 123.4})), 422, "invalid_location", "lat"),
        (with(json!({"asap": false, "window_start": past, "window_end": soon})), 422, "window_in_past", "window_start"),
        (
            with(json!({"asap": false, "window_start": later, "window_end": soon})),
            422,
            "window_end_not_after_start",
            "window_end",
        ),
        (with(json!({"asap": false})), 422, "missing_window", "window_start"),
        (with(json!({"window_start": soon, "window_end": later})), 422, "conflicting_schedule", "asap"),
        (with(json!({"notes": "长".repeat(501)})), 422, "notes_too_long", "notes"),
        (with(json!({"window_start": "tomorrow"})), 400, "invalid_field", "window_start"),
    ];
    for (body, status, code, field) in cases {
        let r = api.place_order(&resident, body.clone(), None).await;
        assert_eq!((r.status.as_u16(), r.code(), r.field()), (status, code, field), "{body}: {:?}", r.body);
        assert_eq!(r.content_type, "application/problem+json");
    }

    let url = format!("{}/api/v1/orders", api.base);
    let broken = api
        .raw(
            api.http
                .post(&url)
                .bearer_auth(&resident)
                .header("content-type", "application/json")
                .body("{\"item_id\": 15,"),
        )
        .await;
    assert_eq!((broken.status.as_u16(), broken.code(), broken.field()), (400, "malformed_json", "body"));
    let huge = json!({"item_id": 15, "padding": "x".repeat(200_000)});
    let too_big = api.raw(api.http.post(&url).bearer_auth(&resident).json(&huge)).await;
    assert_eq!((too_big.status.as_u16(), too_big.code()), (413, "payload_too_large"));
    let not_json =
        api.raw(api.http.post(&url).bearer_auth(&resident).header("content-type", "text/plain").body("hello")).await;
    assert_eq!((not_json.status.as_u16(), not_json.code()), (415, "unsupported_media_type"));
    let bad_key = api.place_order(&resident, cleaning_order(), Some("has space")).await;
    assert_eq!((bad_key.status.as_u16(), bad_key.field()), (400, "Idempotency-Key"));
    let bad_cursor = api.get("/api/v1/orders?cursor=nonsense", Some(&resident)).await;
    assert_eq!((bad_cursor.status.as_u16(), bad_cursor.field()), (400, "cursor"));
    let bad_path = api.get("/api/v1/orders/not-a-uuid", Some(&resident)).await;
    assert_eq!((bad_path.status.as_u16(), bad_path.field()), (400, "id"));

    let mine = api.get("/api/v1/orders", Some(&resident)).await;
    assert_eq!(mine.body["orders"], json!([]), "nothing was written by a refused request");
}
on_both_backends!(bad_input_gets_a_problem_naming_the_field_and_writes_nothing);

const RACERS: usize = 100;

async fn a_hundred_providers_racing_for_one_broadcast_order_yield_one_winner(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    // A community far from the demo staff, with 100 organizations of its own offering cleaning there.
    let community = 500;
    let mut staff = Vec::new();
    for n in 0..RACERS {
        let body = json!({
            "name": format!("竞速测试家政{n:03}"),
            "credit_code": credit_code(n),
            "community_id": community,
            "lat": 41.8, "lng": 123.4, "capacity": 5,
            "item_ids": [15], "coverage_community_ids": [community],
        });
        let org = api.create_provider(&admin, body).await;
        assert_eq!(org.status, StatusCode::CREATED, "{:?}", org.body);
        let account = json!({
            "username": format!("racer{n:03}"), "password": "racing-password", "display_name": format!("racer {n}"),
            "role": "provider_staff", "provider_id": org.body["id"],
        });
        assert_eq!(api.create_account(&admin, account).await.status, StatusCode::CREATED);
    }
    for n in 0..RACERS {
        staff.push(api.login(&format!("racer{n:03}"), "racing-password").await);
    }
    // Broadcast this item to everyone eligible at once, so that all of them race.
    let policy = api
        .send(
            reqwest::Method::PATCH,
            "/api/v1/admin/catalog/items/15",
            Some(&admin),
            Some(json!({"mode": "broadcast", "broadcast_k": 200})),
            &[],
        )
        .await;
    assert_eq!((policy.status, policy.body["broadcast_k"].clone()), (StatusCode::OK, json!(200)));
    let resident = api.login_demo("resident").await;
    let order = json!({"item_id": 15, "community_id": community, "address": "测试路1号", "lat": 41.8, "lng": 123.4, "asap": true});
    let id = id_of(&api.place_order(&resident, order, None).await);
    api.wait_for_state(&resident, &id, "offered", DISPATCH).await;

    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(staff.len()));
    let racers = staff.iter().cloned().map(|token| {
        let (api, id, barrier) = (api.clone(), id.clone(), barrier.clone());
        tokio::spawn(async move {
            barrier.wait().await;
            api.act(&token, &id, "accept").await
        })
    });
    // Spawn them all before awaiting any: they meet at the barrier.
    let racers: Vec<_> = racers.collect();
    let mut replies = Vec::new();
    for r in racers {
        replies.push(r.await.unwrap());
    }
    let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(replies.iter().filter(|r| r.status != StatusCode::OK).all(|r| r.status == StatusCode::CONFLICT));
    let winner = winners[0].body["provider_id"].clone();

    assert_eq!(api.order(&resident, &id).await.body["provider_id"], winner);
    let mut holders = 0;
    for token in &staff {
        let seen = api.order(token, &id).await;
        if seen.status == StatusCode::OK {
            holders += 1;
            assert_eq!(seen.body["provider_id"], winner);
        }
    }
    assert_eq!(holders, 1, "only the winner can still see the order");
    let late = replies.iter().position(|r| r.status == StatusCode::CONFLICT).expect("a loser");
    assert_eq!(api.act(&staff[late], &id, "accept").await.code(), "already_taken");
    let winner_token = &staff[replies.iter().position(|r| r.status == StatusCode::OK).unwrap()];
    assert_eq!(api.act(winner_token, &id, "accept").await.status, StatusCode::OK, "accepting again is harmless");
    assert_eq!(api.act(winner_token, &id, "start").await.status, StatusCode::OK);
    assert_eq!(api.act(&staff[late], &id, "accept").await.code(), "already_taken", "also once service started");
    assert_eq!(api.act(&staff[late], &id, "start").await.code(), "already_taken");
    assert_eq!(stored_providers(&app, &id).await, vec![winner.as_str().unwrap().to_owned()]);
}
on_both_backends!(a_hundred_providers_racing_for_one_broadcast_order_yield_one_winner);

/// The provider ids the database holds for the order: its own, and every offer marked won.
async fn stored_providers(app: &TestApp, id: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let url = match &app.fresh.database_url {
        Some(url) => url.clone(),
        None => linli_infra::db::sqlite_url(&app.fresh.data_dir),
    };
    let db = linli_infra::db::connect(&url, 1).await.unwrap();
    let backend = db.get_database_backend();
    let uuid = uuid::Uuid::parse_str(id).unwrap();
    let mut found = Vec::new();
    for sql in [
        "SELECT provider_id FROM orders WHERE id = $1 AND provider_id IS NOT NULL",
        "SELECT provider_id FROM order_offers WHERE order_id = $1 AND status = 'won'",
    ] {
        let sql = if backend == sea_orm::DbBackend::Sqlite { sql.replace("$1", "?") } else { sql.to_owned() };
        for row in db.query_all_raw(Statement::from_sql_and_values(backend, sql, [uuid.into()])).await.unwrap() {
            let p: uuid::Uuid = row.try_get("", "provider_id").unwrap();
            found.push(p.to_string());
        }
    }
    found.dedup();
    found
}

/// A valid unified social credit code for test organization `n`.
fn credit_code(n: usize) -> String {
    let code = linli_domain::providers::CreditCode::with_check_character(&format!("92210102MA{:07}", 9_000_000 + n));
    code.expect("a code in the alphabet").as_ref().to_owned()
}

async fn the_catalog_and_the_map_are_browsable_without_logging_in(app: TestApp) {
    let api = &app.api;
    let categories = api.get("/api/v1/catalog/categories", None).await;
    assert_eq!(categories.body.as_array().unwrap().len(), 9);
    let meals = api.get("/api/v1/catalog/items?category=meals&limit=100", None).await;
    let meals = meals.body["items"].as_array().unwrap();
    assert!(!meals.is_empty() && meals.iter().all(|i| i["category"] == "meals"));

    let mut all = 0;
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/catalog/items?limit=40&cursor={c}"),
            None => "/api/v1/catalog/items?limit=40".to_owned(),
        };
        let page = api.get(&path, None).await;
        all += page.body["items"].as_array().unwrap().len();
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(all, 115);
    let item = api.get("/api/v1/catalog/items/15", None).await;
    assert_eq!((item.body["name"].clone(), item.body["mode"].clone()), (json!("日常保洁"), json!("broadcast")));
    assert_eq!(api.get("/api/v1/catalog/items/9999", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/api/v1/catalog/items?category=nonsense", None).await.field(), "category");
    assert_eq!(api.get("/api/v1/catalog/items?limit=0", None).await.field(), "limit");

    let districts = api.get("/api/v1/geo/districts", None).await;
    let districts = districts.body.as_array().unwrap();
    assert_eq!(districts.len(), 13);
    assert_eq!(districts[0]["name"], "和平区");
    let (mut streets, mut communities) = (0, 0);
    for d in districts {
        let s = api.get(&format!("/api/v1/geo/districts/{}/streets", d["id"]), None).await;
        for street in s.body.as_array().unwrap() {
            streets += 1;
            let c = api.get(&format!("/api/v1/geo/streets/{}/communities", street["id"]), None).await;
            communities += c.body.as_array().unwrap().len();
        }
    }
    assert_eq!((streets, communities), (110, 955));
    let home = api.get("/api/v1/geo/communities/1", None).await;
    assert_eq!(home.body["name"], "文安路社区");
    assert_eq!(api.get("/api/v1/geo/districts/99/streets", None).await.status, StatusCode::NOT_FOUND);
}
on_both_backends!(the_catalog_and_the_map_are_browsable_without_logging_in);

async fn a_polling_client_gets_304_until_the_order_changes(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let id = id_of(&api.place_order(&resident, cleaning_order(), None).await);
    let offered = api.wait_for_state(&resident, &id, "offered", DISPATCH).await;
    let tag = offered.etag.clone().expect("an ETag");
    let path = format!("/api/v1/orders/{id}");
    let unchanged = api.send(reqwest::Method::GET, &path, Some(&resident), None, &[("If-None-Match", &tag)]).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    api.act(&resident, &id, "cancel").await;
    let changed = api.send(reqwest::Method::GET, &path, Some(&resident), None, &[("If-None-Match", &tag)]).await;
    assert_eq!((changed.status, changed.body["state"].clone()), (StatusCode::OK, json!("cancelled")));
}
on_both_backends!(a_polling_client_gets_304_until_the_order_changes);

async fn the_spec_docs_and_health_endpoints_answer(app: TestApp) {
    let api = &app.api;
    let spec = api.get("/openapi.json", None).await;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(spec.body["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/orders", "/api/v1/orders/{id}/accept", "/api/v1/auth/login", "/healthz", "/readyz"] {
        assert!(spec.body["paths"].get(path).is_some(), "{path} is documented");
    }
    let docs = api.raw(api.http.get(format!("{}/docs", api.base))).await;
    assert_eq!(docs.status, StatusCode::OK);
    assert_eq!(api.get("/healthz", None).await.body["status"], "ok");
    let ready = api.get("/readyz", None).await;
    assert_eq!((ready.status, ready.body["status"].clone()), (StatusCode::OK, json!("ready")));
    let unknown = api.get("/api/v1/nowhere", None).await;
    assert_eq!((unknown.status, unknown.content_type.as_str()), (StatusCode::NOT_FOUND, "application/problem+json"));
}
on_both_backends!(the_spec_docs_and_health_endpoints_answer);

/// Each operation documents the statuses it can answer and no others: 401 where a token is needed, 400 where
/// a parameter or body can be malformed, 413 and 415 exactly where there is a JSON body, 403 only where the
/// caller is known. (That no handler answers a status it does not declare is checked by every other test: it
/// fails a debug build.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_documents_the_statuses_it_can_answer_and_only_those() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let spec = app.api.get("/openapi.json", None).await.body;
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let name = format!("{} {path}", method.to_uppercase());
            let statuses: Vec<&str> = op["responses"].as_object().unwrap().keys().map(String::as_str).collect();
            let needs = |status: &str, why: bool, rule: &str| {
                assert_eq!(statuses.contains(&status), why, "{name}: {rule} ({statuses:?})");
            };
            let secured = op.get("security").is_some_and(|s| !s.as_array().unwrap().is_empty());
            let has_params = op.get("parameters").is_some_and(|p| !p.as_array().unwrap().is_empty());
            let has_body = op.get("requestBody").is_some();
            let checks_a_credential = ["/api/v1/auth/login", "/api/v1/auth/refresh"].contains(&path.as_str());
            needs("401", secured || checks_a_credential, "401 exactly where a token is needed or checked");
            if has_params || has_body {
                needs("400", true, "a parameter or body that does not parse is a 400");
            }
            needs("413", has_body, "413 exactly where there is a body");
            needs("415", has_body, "415 exactly where there is a body");
            if !secured && path != "/api/v1/auth/login" {
                // Signing in is refused (403) to a disabled account, once its password is shown.
                needs("403", false, "nobody is refused an operation that asks nobody who they are");
            }
        }
    }
    assert!(operations >= 79, "every operation is described ({operations})");
}

async fn an_admin_gets_a_problem_for_a_bad_phone_or_credit_code(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let account = json!({"username": "newbie", "password": "long-enough", "display_name": "新人", "role": "resident", "phone": "12345"});
    let r = api.create_account(&admin, account).await;
    assert_eq!((r.status.as_u16(), r.code(), r.field()), (422, "invalid_phone", "phone"));
    let phone_taken = json!({"username": "newbie", "password": "long-enough", "display_name": "新人", "role": "resident", "phone": "13800000001"});
    let r = api.create_account(&admin, phone_taken).await;
    assert_eq!((r.status.as_u16(), r.code(), r.field()), (409, "account_taken", "phone"));
    let name_taken =
        json!({"username": "resident", "password": "long-enough", "display_name": "重名", "role": "resident"});
    assert_eq!(api.create_account(&admin, name_taken).await.field(), "username");
    let no_place = json!({"username": "lost", "password": "long-enough", "display_name": "无处", "role": "community_worker", "community_id": 99999});
    assert_eq!(api.create_account(&admin, no_place).await.field(), "community_id");
    let org = json!({"name": "坏代码", "credit_code": "91350100M000100Y44", "community_id": 1, "lat": 41.8, "lng": 123.4,
        "capacity": 1, "item_ids": [15], "coverage_community_ids": [1]});
    let r = api.create_provider(&admin, org).await;
    assert_eq!((r.status.as_u16(), r.code(), r.field()), (422, "invalid_credit_code", "credit_code"));
    let resident = api.login_demo("resident").await;
    let r = api.create_account(&resident, json!({})).await;
    assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::BAD_REQUEST, "{:?}", r.status);
}
on_both_backends!(an_admin_gets_a_problem_for_a_bad_phone_or_credit_code);

async fn a_community_worker_assigns_an_escalated_order_by_hand_or_closes_it(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let worker = api.login_demo("worker").await;
    let admin = api.login_demo("admin").await;
    // Volunteer work with no Party member registered yet: escalated at once.
    let volunteer =
        json!({"item_id": 100, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40, "asap": true});
    let first = id_of(&api.place_order(&resident, volunteer.clone(), None).await);
    let second = id_of(&api.place_order(&resident, volunteer, None).await);
    api.wait_for_state(&resident, &first, "escalated", DISPATCH).await;
    api.wait_for_state(&resident, &second, "escalated", DISPATCH).await;

    let queue = api.get("/api/v1/escalations", Some(&worker)).await;
    let ids: Vec<&str> = queue.body["orders"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()], "newest first");
    assert_eq!(api.get("/api/v1/escalations", Some(&resident)).await.status, StatusCode::FORBIDDEN);

    let cleaner = api.create_provider(&admin, json!({"name": "保洁公司", "credit_code": credit_code(77),
        "community_id": 1, "lat": 41.78, "lng": 123.40, "capacity": 1, "item_ids": [15], "coverage_community_ids": [1]})).await;
    let path = format!("/api/v1/orders/{first}/assign");
    let wrong = api.post(&path, Some(&worker), json!({"provider_id": cleaner.body["id"], "reason": "就近"})).await;
    assert_eq!((wrong.status.as_u16(), wrong.code(), wrong.field()), (422, "provider_cannot_take", "provider_id"));
    let member = api
        .create_provider(
            &admin,
            json!({"kind": "party_member", "name": "党员王", "community_id": 1,
        "lat": 41.78, "lng": 123.40, "capacity": 1, "item_ids": [100], "coverage_community_ids": [1]}),
        )
        .await;
    let no_reason = api.post(&path, Some(&worker), json!({"provider_id": member.body["id"], "reason": " "})).await;
    assert_eq!((no_reason.status.as_u16(), no_reason.field()), (422, "reason"));
    let assigned =
        api.post(&path, Some(&worker), json!({"provider_id": member.body["id"], "reason": "王师傅就住楼下"})).await;
    assert_eq!((assigned.status, assigned.body["state"].clone()), (StatusCode::OK, json!("accepted")));
    assert_eq!(assigned.body["provider_id"], member.body["id"]);
    let seen = api.order(&resident, &first).await;
    assert_eq!(seen.body["why_provider"], "人工指派：王师傅就住楼下");

    let closed =
        api.post(&format!("/api/v1/orders/{second}/close"), Some(&worker), json!({"reason": "居民已自行解决"})).await;
    assert_eq!(closed.body["state"], "cancelled");
    let again = api.post(&format!("/api/v1/orders/{second}/close"), Some(&worker), json!({"reason": "again"})).await;
    assert_eq!((again.status.as_u16(), again.code()), (409, "invalid_transition"));
    assert!(api.get("/api/v1/escalations", Some(&worker)).await.body["orders"].as_array().unwrap().is_empty());
}
on_both_backends!(a_community_worker_assigns_an_escalated_order_by_hand_or_closes_it);

/// Redis keeps nothing on disk here: losing every key of this deployment mid-flow must lose no order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_redis_loses_its_data_no_order_is_lost() {
    let app = TestApp::spawn(Backend::Production).await;
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let offered = id_of(&api.place_order(&resident, cleaning_order(), None).await);
    api.wait_for_state(&resident, &offered, "offered", DISPATCH).await;

    let prefix = app.fresh.redis_prefix.clone().unwrap();
    let client = redis::Client::open(linli_infra::testing::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.unwrap();
    assert!(!keys.is_empty());
    let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.unwrap();

    // The rebuilt queue knows the surviving offers again: who holds one, and when it lapses, as the database says.
    let db = linli_infra::db::connect(app.fresh.database_url.as_deref().unwrap(), 1).await.unwrap();
    let open = format!("FROM order_offers WHERE order_id = '{offered}' AND status = 'open'");
    let holders = scalar(&db, &format!("SELECT COUNT(*) {open}")).await;
    let deadline =
        scalar(&db, &format!("SELECT CAST(FLOOR(EXTRACT(EPOCH FROM MAX(deadline)) * 1000) AS BIGINT) {open}")).await;
    let offered_key = format!("{prefix}:order:{{{offered}}}:offered");
    let rebuilt_by = tokio::time::Instant::now() + DISPATCH;
    let (members, score) = loop {
        let members: Vec<String> = redis::cmd("SMEMBERS").arg(&offered_key).query_async(&mut conn).await.unwrap();
        let score: Option<i64> = redis::cmd("ZSCORE")
            .arg(format!("{prefix}:{{dispatch}}:deadlines"))
            .arg(&offered)
            .query_async(&mut conn)
            .await
            .unwrap();
        if !members.is_empty() && score.is_some() {
            break (members, score);
        }
        assert!(tokio::time::Instant::now() < rebuilt_by, "the offers of {offered} were never rebuilt");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(members.len() as i64, holders, "every open offer is back in the queue, and nothing else");
    assert_eq!(score, Some(deadline), "with the deadline the database holds");

    // An order placed after the loss is dispatched; the one offered before can still be accepted.
    let after = id_of(&api.place_order(&resident, cleaning_order(), None).await);
    api.wait_for_state(&resident, &after, "offered", DISPATCH).await;
    let staff = api.offered_staff(&offered).await.remove(0);
    assert_eq!(api.act(&staff, &offered, "accept").await.body["state"], "accepted");
}

async fn disputes_go_to_their_mediators_and_a_high_risk_intake_to_people_at_once(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let dispute = |item: i32, high_risk: bool| {
        json!({"item_id": item, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40, "asap": true,
            "high_risk": high_risk})
    };
    // 邻里纠纷调解 (82) to the community's own mediation point; 物业纠纷调解 (83) to the street's sub-center.
    for (item, who) in [(82, "居民评理说事点"), (83, "物业纠纷调解分中心")] {
        let id = id_of(&api.place_order(&resident, dispute(item, false), None).await);
        let offered = api.wait_for_state(&resident, &id, "offered", DISPATCH).await;
        assert_eq!(offered.body["events"][1]["note"], "派给社区内的 1 家服务方（第 1 轮）", "{who}");
    }
    let urgent = id_of(&api.place_order(&resident, dispute(82, true), None).await);
    let escalated = api.wait_for_state(&resident, &urgent, "escalated", DISPATCH).await;
    assert_eq!(escalated.body["events"][1]["note"], "高风险：立即转街道处理");
    let wrong = api
        .place_order(
            &resident,
            json!({"item_id": 15, "community_id": 1, "address": "文安路8号", "lat": 41.78,
        "lng": 123.40, "asap": true, "high_risk": true}),
            None,
        )
        .await;
    assert_eq!((wrong.status.as_u16(), wrong.code(), wrong.field()), (422, "high_risk_not_mediation", "high_risk"));
}
on_both_backends!(disputes_go_to_their_mediators_and_a_high_risk_intake_to_people_at_once);

/// PostgreSQL unreachable: requests fail with 503 (never 500), and work again once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_postgres_is_unreachable_requests_get_503_and_then_recover() {
    let mut fresh = linli_integration_tests::Fresh::new(Backend::Production).await;
    let url = fresh.database_url.clone().unwrap();
    let proxy = linli_integration_tests::Proxy::start("127.0.0.1:5432".parse().unwrap()).await;
    fresh.database_url = Some(url.replacen("127.0.0.1:5432", &proxy.addr.to_string(), 1));
    let app = TestApp::spawn_with(fresh).await;
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    assert_eq!(api.get("/api/v1/orders", Some(&resident)).await.status, StatusCode::OK);

    proxy.cut();
    let down = api.get("/api/v1/orders", Some(&resident)).await;
    assert_eq!((down.status, down.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{:?}", down.body);
    let ready = api.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    let placing = api.place_order(&resident, cleaning_order(), None).await;
    assert_eq!(placing.status, StatusCode::SERVICE_UNAVAILABLE);

    proxy.restore();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let r = api.get("/api/v1/orders", Some(&resident)).await;
        if r.status == StatusCode::OK {
            break;
        }
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", r.body);
        assert!(tokio::time::Instant::now() < deadline, "never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let placed = api.place_order(&resident, cleaning_order(), None).await;
    assert_eq!(placed.status, StatusCode::CREATED);
}

async fn providers_are_offered_only_within_their_hours_and_reach(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let member = |name: &str, extra: Value| {
        let mut body = json!({"kind": "party_member", "name": name, "community_id": 1, "lat": 41.781, "lng": 123.402,
            "capacity": 1, "item_ids": [100], "coverage_community_ids": []});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let bad = api.create_provider(&admin, member("坏时间", json!({"radius_m": 3000.0, "working_hours": "9-5"}))).await;
    assert_eq!((bad.status.as_u16(), bad.field()), (422, "working_hours"));
    let closed = "-,-,-,-,-,-,-";
    let r = api.create_provider(&admin, member("休息", json!({"radius_m": 3000.0, "working_hours": closed}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let resident = api.login_demo("resident").await;
    let order =
        json!({"item_id": 100, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40, "asap": true});
    let first = id_of(&api.place_order(&resident, order.clone(), None).await);
    api.wait_for_state(&resident, &first, "escalated", DISPATCH).await;

    let r = api.create_provider(&admin, member("在岗", json!({"radius_m": 3000.0}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let second = id_of(&api.place_order(&resident, order, None).await);
    let offered = api.wait_for_state(&resident, &second, "offered", DISPATCH).await;
    assert_eq!(offered.body["events"][1]["note"], "派给社区内的 1 家服务方（第 1 轮）");
}
on_both_backends!(providers_are_offered_only_within_their_hours_and_reach);

async fn a_resident_moves_a_booking_and_only_before_the_service_starts(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    let mut booking = cleaning_order();
    booking["asap"] = json!(false);
    booking["window_start"] = json!(start);
    booking["window_end"] = json!(start + chrono::Duration::hours(2));
    let id = api.place_order(&resident, booking, None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(20)).await;
    let staff = api.offered_staff(&id).await.remove(0);
    assert_eq!(api.act(&staff, &id, "accept").await.status, StatusCode::OK);

    let later = start + chrono::Duration::days(1);
    let to = json!({"window_start": later, "window_end": later + chrono::Duration::hours(2)});
    let moved = api.post(&format!("/api/v1/orders/{id}/reschedule"), Some(&resident), to.clone()).await;
    assert_eq!((moved.status, moved.body["state"].as_str()), (StatusCode::OK, Some("accepted")), "{:?}", moved.body);
    let shown: chrono::DateTime<chrono::Utc> = serde_json::from_value(moved.body["window_start"].clone()).unwrap();
    assert_eq!(shown.timestamp(), later.timestamp());
    let backwards = json!({"window_start": later, "window_end": later - chrono::Duration::hours(1)});
    let refused = api.post(&format!("/api/v1/orders/{id}/reschedule"), Some(&resident), backwards).await;
    assert_eq!((refused.status, refused.field()), (StatusCode::UNPROCESSABLE_ENTITY, "window_end"));
    let other = api.login_demo("resident2").await;
    let theirs = api.post(&format!("/api/v1/orders/{id}/reschedule"), Some(&other), to.clone()).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "not theirs to see");
    assert_eq!(api.act(&staff, &id, "start").await.status, StatusCode::OK);
    let too_late = api.post(&format!("/api/v1/orders/{id}/reschedule"), Some(&resident), to).await;
    assert_eq!((too_late.status, too_late.code()), (StatusCode::CONFLICT, "invalid_transition"));
}
on_both_backends!(a_resident_moves_a_booking_and_only_before_the_service_starts);
