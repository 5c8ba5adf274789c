//! How an organization takes orders, kept by its managers over HTTP: a paused organization is offered nothing
//! and resuming brings the offers back; a closed date takes its places out of that day's open times, and an
//! order for that day passes the organization over; a job handed back before the visit is dispatched again to
//! others only, the resident is told, and the organization's figures count it. The item is 日常保洁 (15) in
//! 文安路社区, cleaned by the five demo organizations, whose one member of staff each (org001…org005) manages it.

use std::time::Duration;

use chrono::{Days, Utc};
use linli_integration_tests::{Api, Reply, TestApp, cleaning_order, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn managers(api: &Api) -> Vec<String> {
    let mut tokens = Vec::new();
    for n in 1..=5 {
        tokens.push(api.login_demo(&format!("org{n:03}")).await);
    }
    tokens
}

async fn set(api: &Api, manager: &str, action: &str) -> Value {
    let reply = api.post(&format!("/api/v1/provider/{action}"), Some(manager), json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{action}: {:?}", reply.body);
    reply.body
}

/// Places a cleaning order as the demo resident and waits until dispatch has offered it to someone or, finding
/// nobody, given it to the community's workers.
async fn dispatched(api: &Api, resident: &str) -> String {
    let placed = api.place_order(resident, cleaning_order(), None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    let id = placed.body["id"].as_str().unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while api.order(resident, &id).await.body["state"] == "submitted" {
        assert!(tokio::time::Instant::now() < deadline, "order {id} was never dispatched");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    id
}

/// A manager sets their organization's closed dates.
async fn close_on(api: &Api, manager: &str, dates: Value) -> Reply {
    let body = json!({ "closed_dates": dates });
    api.send(reqwest::Method::PUT, "/api/v1/provider/availability", Some(manager), Some(body), &[]).await
}

async fn offered_to(api: &Api, staff: &str, order: &str) -> bool {
    let offers = api.offers(staff).await.body;
    offers["offers"].as_array().unwrap().iter().any(|o| o["order"]["id"] == order)
}

async fn a_paused_organization_is_offered_nothing_and_resuming_brings_offers_back(app: TestApp) {
    let api = &app.api;
    let orgs = managers(api).await;
    let resident = api.login_demo("resident").await;
    let paused = set(api, &orgs[0], "pause").await;
    assert_eq!((paused["taking_offers"].as_bool(), paused["paused_since"].is_string()), (Some(false), true));
    for _ in 0..3 {
        let id = dispatched(api, &resident).await;
        assert!(!offered_to(api, &orgs[0], &id).await, "a paused organization was offered {id}");
    }
    // Resumed, and with every other organization paused, it is the one offered the next order.
    assert_eq!(set(api, &orgs[0], "resume").await["taking_offers"], true);
    for other in &orgs[1..] {
        set(api, other, "pause").await;
    }
    let id = dispatched(api, &resident).await;
    assert!(offered_to(api, &orgs[0], &id).await, "the resumed organization was not offered {id}");
    let seen = api.get("/api/v1/provider/availability", Some(&orgs[0])).await;
    assert_eq!(seen.body["taking_offers"], true, "{:?}", seen.body);
}
on_both_backends!(a_paused_organization_is_offered_nothing_and_resuming_brings_offers_back);

async fn a_closed_date_takes_the_organizations_places_from_the_open_times_and_an_order_that_day_passes_it_over(
    app: TestApp,
) {
    let api = &app.api;
    let orgs = managers(api).await;
    let resident = api.login_demo("resident").await;
    for other in &orgs[1..] {
        set(api, other, "pause").await;
    }
    let today = Utc::now().with_timezone(&linli_domain::time::shanghai()).date_naive();
    let later = today.checked_add_days(Days::new(3)).unwrap();
    // The places open that day: organizations further away reach the community too, so the closed day keeps
    // theirs and loses this organization's.
    let places = || {
        let path = format!("/api/v1/catalog/items/15/open-times?community_id=1&from={later}&days=1");
        async move {
            let times = api.get(&path, None).await.body["times"].as_array().unwrap().clone();
            times.iter().map(|t| t["free"].as_u64().unwrap()).sum::<u64>()
        }
    };
    let open = places().await;
    let manager = orgs[0].as_str();
    let changed = close_on(api, manager, json!([today, later])).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(changed.body["closed_dates"], json!([today, later]));
    let closed = places().await;
    assert!(closed < open, "closing that day takes its places away: {closed} of {open} left");
    assert_eq!(close_on(api, manager, json!([today])).await.status, StatusCode::OK);
    assert_eq!(places().await, open, "opening it again brings them back");

    // Today it is closed too: an order for as soon as possible passes it over.
    let id = dispatched(api, &resident).await;
    assert!(!offered_to(api, &orgs[0], &id).await, "an organization closed today was offered {id}");

    let refused = close_on(api, manager, json!([today.checked_add_days(Days::new(400)).unwrap()])).await;
    assert_eq!((refused.status, refused.field()), (StatusCode::UNPROCESSABLE_ENTITY, "closed_dates[0]"));
}
on_both_backends!(
    a_closed_date_takes_the_organizations_places_from_the_open_times_and_an_order_that_day_passes_it_over
);

/// The demo organizations (1 to 5) holding an open offer of the order.
async fn offered_orgs(api: &Api, orgs: &[String], order: &str) -> Vec<usize> {
    let mut holders = Vec::new();
    for (n, token) in orgs.iter().enumerate() {
        if offered_to(api, token, order).await {
            holders.push(n + 1);
        }
    }
    holders
}

async fn a_job_handed_back_is_dispatched_again_to_others_the_resident_told_and_the_hand_back_counted(app: TestApp) {
    let api = &app.api;
    let orgs = managers(api).await;
    let resident = api.login_demo("resident").await;
    let id = dispatched(api, &resident).await;
    let first = offered_orgs(api, &orgs, &id).await;
    let holder = first[0];
    let manager = &orgs[holder - 1];
    assert_eq!(api.act(manager, &id, "accept").await.status, StatusCode::OK);

    let body = json!({"reason": "staff_unavailable"});
    let back = api.post(&format!("/api/v1/orders/{id}/hand-back"), Some(manager), body.clone()).await;
    assert_eq!(back.status, StatusCode::OK, "{:?}", back.body);
    let again = api.post(&format!("/api/v1/orders/{id}/hand-back"), Some(manager), body).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "it no longer holds the order: {:?}", again.body);
    let offered = api.wait_for_state(&resident, &id, "offered", Duration::from_secs(10)).await;
    let now_offered = offered_orgs(api, &orgs, &id).await;
    assert!(!now_offered.contains(&holder), "offered again to {now_offered:?}, the one that gave it back among them");
    let history = offered.body["events"].as_array().unwrap();
    assert!(history.iter().any(|e| e["note"] == "服务方退单（人手不足），重新派单"), "{history:?}");

    // The resident is told, and the organization's figures count the hand-back.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !api.inbox_has(&resident, "正在为您另找服务方").await {
        assert!(tokio::time::Instant::now() < deadline, "the resident was never told");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let provider = api.get("/api/v1/me", Some(manager)).await.body["provider_id"].as_str().unwrap().to_owned();
    let admin = api.login_demo("admin").await;
    let figures = api.get(&format!("/api/v1/providers/{provider}"), Some(&admin)).await.body["figures"].clone();
    assert_eq!((figures["handed_back"].as_u64(), figures["accepted"].as_u64()), (Some(1), Some(0)), "{figures:?}");
}
on_both_backends!(a_job_handed_back_is_dispatched_again_to_others_the_resident_told_and_the_hand_back_counted);
