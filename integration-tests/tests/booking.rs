//! Booking a time over HTTP: open times are public and count the places bookings take; a full time is refused
//! with the nearest open ones; fifty residents racing for the last place leave one booking holding it; an
//! escalated booking offers open times, and moving it to one dispatches it again.
//!
//! The item is 邻里纠纷调解 (82) in 文安路社区: only the community's own mediation point takes it, with two
//! places at a time, so a time's last place is easy to reach.

use std::time::Duration;

use chrono::{DateTime, Days, Utc};
use linli_integration_tests::{Api, Backend, Reply, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const MEDIATION: i32 = 82;

fn tomorrow() -> chrono::NaiveDate {
    let today = Utc::now().with_timezone(&linli_domain::time::shanghai()).date_naive();
    today.checked_add_days(Days::new(1)).unwrap()
}

/// The open times of the mediation item in community 1 on `date`.
async fn open_times(api: &Api, date: chrono::NaiveDate) -> Vec<Value> {
    let path = format!("/api/v1/catalog/items/{MEDIATION}/open-times?community_id=1&from={date}&days=1");
    let reply = api.get(&path, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["times"].as_array().unwrap().clone()
}

fn booking(time: &Value) -> Value {
    json!({
        "item_id": MEDIATION,
        "community_id": 1,
        "address": "文安路12号3单元502",
        "lat": 41.781,
        "lng": 123.402,
        "window_start": time["window_start"],
        "window_end": time["window_end"],
        "notes": "楼上漏水，想请调解员一起协商"
    })
}

fn starts(times: &[Value]) -> Vec<DateTime<Utc>> {
    times.iter().map(|t| t["window_start"].as_str().unwrap().parse().unwrap()).collect()
}

fn is_refused_with_alternatives(reply: &Reply, full: &Value) -> bool {
    let alternatives = reply.body["alternatives"].as_array().cloned().unwrap_or_default();
    reply.status == StatusCode::CONFLICT
        && reply.code() == "slot_full"
        && reply.field() == "window_start"
        && !alternatives.is_empty()
        && !alternatives.iter().any(|a| a["window_start"] == full["window_start"])
}

async fn a_booked_time_takes_a_place_and_a_full_one_is_refused_with_the_nearest_open_times(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let times = open_times(api, tomorrow()).await;
    let first = times[0].clone();
    assert_eq!(first["free"], 2, "the mediation point takes two at a time: {first:?}");
    let placed = api.place_order(&resident, booking(&first), None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    let after = open_times(api, tomorrow()).await;
    assert_eq!(after.iter().find(|t| t["window_start"] == first["window_start"]).unwrap()["free"], 1);

    assert_eq!(api.place_order(&resident, booking(&first), None).await.status, StatusCode::CREATED);
    let refused = api.place_order(&resident, booking(&first), None).await;
    assert!(is_refused_with_alternatives(&refused, &first), "{:?}", refused.body);
    let full: DateTime<Utc> = first["window_start"].as_str().unwrap().parse().unwrap();
    assert!(!starts(&open_times(api, tomorrow()).await).contains(&full), "a full time is not listed");
    let nearest = starts(refused.body["alternatives"].as_array().unwrap());
    let mut sorted = nearest.clone();
    sorted.sort();
    assert_eq!(nearest, sorted, "earliest first");
    let orders = api.get("/api/v1/orders", Some(&resident)).await.body;
    assert_eq!(orders["orders"].as_array().unwrap().len(), 2, "the refused booking left nothing behind");
}
on_both_backends!(a_booked_time_takes_a_place_and_a_full_one_is_refused_with_the_nearest_open_times);

async fn open_times_name_the_field_at_fault(app: TestApp) {
    let api = &app.api;
    let path = |q: &str| format!("/api/v1/catalog/items/{MEDIATION}/open-times?{q}");
    let too_long = api.get(&path("community_id=1&days=15"), None).await;
    assert_eq!((too_long.status, too_long.field()), (StatusCode::UNPROCESSABLE_ENTITY, "days"));
    let nowhere = api.get(&path("community_id=99999"), None).await;
    assert_eq!((nowhere.status, nowhere.field()), (StatusCode::UNPROCESSABLE_ENTITY, "community_id"));
    let missing = api.get(&path(""), None).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let unknown = api.get("/api/v1/catalog/items/99999/open-times?community_id=1", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
on_both_backends!(open_times_name_the_field_at_fault);

/// A resident account of the demo community, signed in.
async fn resident(api: &Api, admin: &str, n: usize) -> String {
    let name = format!("booker-{n:02}");
    let body = json!({"username": name, "password": "booking-pass", "display_name": name, "role": "resident",
                      "community_id": 1});
    let made = api.create_account(admin, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    api.login(&name, "booking-pass").await
}

/// Fifty residents book a time's last place at once, on PostgreSQL and Redis: one booking holds it, and the
/// forty-nine others are refused with open times instead; the time is then full.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_residents_racing_for_the_last_place_leave_one_booking_holding_it_and_the_rest_the_alternatives() {
    let app = TestApp::spawn(Backend::Production).await;
    let api = app.api.clone();
    let admin = api.login_demo("admin").await;
    let first = open_times(&api, tomorrow()).await[0].clone();
    let demo = api.login_demo("resident").await;
    assert_eq!(api.place_order(&demo, booking(&first), None).await.status, StatusCode::CREATED);

    let mut made = tokio::task::JoinSet::new();
    for n in 0..50 {
        let (api, admin) = (api.clone(), admin.clone());
        made.spawn(async move { resident(&api, &admin, n).await });
    }
    let racers = made.join_all().await;
    let mut racing = tokio::task::JoinSet::new();
    for token in racers {
        let (api, body) = (api.clone(), booking(&first));
        racing.spawn(async move { api.place_order(&token, body, None).await });
    }
    let replies = racing.join_all().await;
    let won = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let refused = replies.iter().filter(|r| is_refused_with_alternatives(r, &first)).count();
    let odd: Vec<_> = replies.iter().filter(|r| r.status != StatusCode::CREATED && r.code() != "slot_full").collect();
    assert!(odd.is_empty(), "{:?}", odd.iter().map(|r| &r.body).collect::<Vec<_>>());
    assert_eq!((won, refused), (1, 49));
    let listed = open_times(&api, tomorrow()).await;
    assert!(!listed.iter().any(|t| t["window_start"] == first["window_start"]), "the time is full now");
}

async fn an_escalated_booking_offers_open_times_and_moving_it_to_one_dispatches_it_again(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let first = open_times(api, tomorrow()).await[0].clone();
    let placed = api.place_order(&resident, booking(&first), None).await;
    let id = placed.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    // Nobody took it before its time began: the order's own deadline escalates it.
    let start: DateTime<Utc> = first["window_start"].as_str().unwrap().parse().unwrap();
    app.clock.advance(start - Utc::now() + chrono::TimeDelta::minutes(1));
    let sweep = app.backends.dispatcher();
    assert!(sweep.escalate_stale_orders().await.unwrap() <= 1, "the scheduled run may get there first");
    let seen = api.wait_for_state(&resident, &id, "escalated", Duration::from_secs(15)).await.body;
    let alternatives = seen["alternatives"].as_array().cloned().unwrap_or_default();
    assert!(alternatives.is_empty(), "the point was asked and let it lapse: it is not asked again");

    // A second mediation point for the street takes the same item from here on.
    let admin = api.login_demo("admin").await;
    let point = json!({"kind": "community_point", "name": "文安路第二调解室", "community_id": 1, "lat": 41.782,
                       "lng": 123.401, "capacity": 1, "item_ids": [MEDIATION], "coverage_community_ids": [1]});
    let made = api.create_provider(&admin, point).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let seen = api.order(&resident, &id).await.body;
    let alternatives = seen["alternatives"].as_array().cloned().unwrap_or_default();
    assert!(!alternatives.is_empty(), "{seen:?}");
    let chosen = &alternatives[0];
    let body = json!({"window_start": chosen["window_start"], "window_end": chosen["window_end"]});
    let moved = api.post(&format!("/api/v1/orders/{id}/reschedule"), Some(&resident), body).await;
    assert_eq!((moved.status, moved.body["state"].as_str()), (StatusCode::OK, Some("submitted")), "{:?}", moved.body);
    let offered = api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await.body;
    assert_eq!(offered["window_start"], chosen["window_start"]);
    let events = offered["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["from_state"] == "escalated" && e["to_state"] == "submitted"), "{events:?}");
}
on_both_backends!(an_escalated_booking_offers_open_times_and_moving_it_to_one_dispatches_it_again);
