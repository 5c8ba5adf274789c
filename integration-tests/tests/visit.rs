//! The visit, over HTTP on both backends: starting and completing record when and where (flagged when far from
//! the address), completing needs a note, the resident confirms or disputes once, a dispute reaches the
//! community's workers who resolve it, a visit nobody answered is confirmed when its time is up, and a settled
//! visit is rated once, changed within a day, moving the provider's rating.

use std::time::Duration;

use linli_integration_tests::{Api, Reply, TestApp, cleaning_order, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The demo resident's cleaning, accepted by the staff of the organization offered it first: (resident, staff,
/// order).
async fn accepted_cleaning(api: &Api) -> (String, String, String) {
    let resident = api.login_demo("resident").await;
    let id = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    let staff = api.offered_staff(&id).await.remove(0);
    assert_eq!(api.act(&staff, &id, "accept").await.status, StatusCode::OK);
    (resident, staff, id)
}

async fn post(api: &Api, token: &str, path: &str, body: Value) -> Reply {
    api.post(path, Some(token), body).await
}

/// The same cleaning, started and completed with a note.
async fn completed_cleaning(api: &Api) -> (String, String, String) {
    let (resident, staff, id) = accepted_cleaning(api).await;
    assert_eq!(api.act(&staff, &id, "start").await.status, StatusCode::OK);
    let done = post(api, &staff, &format!("/api/v1/orders/{id}/complete"), json!({"note": "厨房和卫生间已清洁"})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
    (resident, staff, id)
}

async fn starting_and_completing_record_when_and_where_and_completing_needs_a_note(app: TestApp) {
    let api = &app.api;
    let (resident, staff, id) = accepted_cleaning(api).await;
    // About 2 km north of the address (41.781, 123.402).
    let far = post(api, &staff, &format!("/api/v1/orders/{id}/start"), json!({"lat": 41.80, "lng": 123.402})).await;
    assert_eq!(far.body["state"], "in_service", "{:?}", far.body);
    let complete = format!("/api/v1/orders/{id}/complete");
    let missing = post(api, &staff, &complete, json!({})).await;
    assert_eq!((missing.status, missing.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("note")));
    let short = post(api, &staff, &complete, json!({"note": " 好 "})).await;
    assert_eq!((short.status, short.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("note")));
    let half = post(api, &staff, &complete, json!({"note": "已清洁", "lat": 41.781})).await;
    assert_eq!((half.status, half.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("lng")));
    let near = json!({"note": "厨房和卫生间已清洁", "lat": 41.7812, "lng": 123.4021});
    assert_eq!(post(api, &staff, &complete, near).await.body["state"], "completed");

    for token in [&resident, &staff, &api.login_demo("worker").await] {
        let visit = api.order(token, &id).await.body["visit"].clone();
        assert_eq!(visit["start_far"], true, "{visit:?}");
        assert!(visit["start_distance_m"].as_u64().is_some_and(|m| m > 2000), "{visit:?}");
        assert_eq!(
            (visit["end_far"].as_bool(), visit["end_distance_m"].as_u64().map(|m| m < 100)),
            (Some(false), Some(true))
        );
        assert_eq!(visit["note"], "厨房和卫生间已清洁");
        assert_eq!(visit["verdict"], "pending");
        assert!(visit["confirm_by"].as_str().is_some(), "{visit:?}");
    }
}
on_both_backends!(starting_and_completing_record_when_and_where_and_completing_needs_a_note);

async fn the_resident_confirms_a_visit_once_and_the_provider_is_told(app: TestApp) {
    let api = &app.api;
    let (resident, staff, id) = completed_cleaning(api).await;
    let confirm = format!("/api/v1/orders/{id}/confirm");
    let by_staff = api.send(reqwest::Method::POST, &confirm, Some(&staff), None, &[]).await;
    assert_eq!(by_staff.status, StatusCode::FORBIDDEN);
    let confirmed = api.send(reqwest::Method::POST, &confirm, Some(&resident), None, &[]).await;
    assert_eq!((confirmed.status, confirmed.body["verdict"].as_str()), (StatusCode::OK, Some("confirmed")));
    assert_eq!(confirmed.body["confirmed_automatically"], false);
    let again = api.send(reqwest::Method::POST, &confirm, Some(&resident), None, &[]).await;
    assert_eq!((again.status, again.body["code"].as_str()), (StatusCode::CONFLICT, Some("already_answered")));
    let late =
        post(api, &resident, &format!("/api/v1/orders/{id}/dispute"), json!({"reason": "其实没有打扫干净"})).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "a confirmed visit is not disputed after");
    assert!(api.inbox_has(&staff, "服务已确认").await);
}
on_both_backends!(the_resident_confirms_a_visit_once_and_the_provider_is_told);

async fn a_dispute_reaches_the_communitys_workers_alone_and_a_worker_resolves_it(app: TestApp) {
    let api = &app.api;
    let (resident, _staff, id) = completed_cleaning(api).await;
    let dispute = format!("/api/v1/orders/{id}/dispute");
    let blank = post(api, &resident, &dispute, json!({"reason": ""})).await;
    assert_eq!((blank.status, blank.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let raised = post(api, &resident, &dispute, json!({"reason": "只打扫了厨房，卫生间没做"})).await;
    assert_eq!(
        (raised.status, raised.body["verdict"].as_str()),
        (StatusCode::OK, Some("disputed")),
        "{:?}",
        raised.body
    );

    let worker = api.login_demo("worker").await;
    assert!(api.inbox_has(&worker, "居民对服务有异议").await);
    let listed = api.get("/api/v1/disputes", Some(&worker)).await.body;
    assert_eq!(listed["disputes"][0]["order"]["id"], id.as_str(), "{listed:?}");
    assert_eq!(listed["disputes"][0]["visit"]["dispute_reason"], "只打扫了厨房，卫生间没做");
    let admin = api.login_demo("admin").await;
    let elsewhere = json!({"username": "worker-2", "password": "worker-pass-2", "display_name": "二社区",
                           "role": "community_worker", "community_id": 2});
    assert_eq!(api.create_account(&admin, elsewhere).await.status, StatusCode::CREATED);
    let other = api.login("worker-2", "worker-pass-2").await;
    assert_eq!(api.get("/api/v1/disputes", Some(&other)).await.body["disputes"], json!([]));
    let resolve = format!("/api/v1/orders/{id}/dispute/resolve");
    let outsider = post(api, &other, &resolve, json!({"note": "已处理"})).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND, "another community's worker does not see it");

    let resolved = post(api, &worker, &resolve, json!({"note": "已联系机构上门补做卫生间"})).await;
    assert_eq!(resolved.body["resolution"], "已联系机构上门补做卫生间", "{:?}", resolved.body);
    let twice = post(api, &worker, &resolve, json!({"note": "再次处理"})).await;
    assert_eq!((twice.status, twice.body["code"].as_str()), (StatusCode::CONFLICT, Some("no_open_dispute")));
    assert_eq!(api.get("/api/v1/disputes", Some(&worker)).await.body["disputes"], json!([]));
    assert!(api.inbox_has(&resident, "异议已处理").await);
}
on_both_backends!(a_dispute_reaches_the_communitys_workers_alone_and_a_worker_resolves_it);

async fn a_visit_nobody_answered_is_confirmed_once_its_time_is_up(app: TestApp) {
    let api = &app.api;
    let (resident, _staff, id) = completed_cleaning(api).await;
    let sweep = app.backends.dispatcher();
    assert_eq!(sweep.confirm_unanswered_visits().await.unwrap(), 0, "the resident still has time");
    app.clock.advance(chrono::TimeDelta::hours(73));
    // The scheduled run of the same step may get there first; between them, the visit is confirmed once.
    assert!(sweep.confirm_unanswered_visits().await.unwrap() <= 1);
    assert_eq!(sweep.confirm_unanswered_visits().await.unwrap(), 0);
    let seen = api.order(&resident, &id).await.body;
    let visit = &seen["visit"];
    assert_eq!(
        (visit["verdict"].as_str(), visit["confirmed_automatically"].as_bool()),
        (Some("confirmed"), Some(true))
    );
    let automatic = seen["events"].as_array().unwrap().iter();
    let automatic = automatic.filter(|e| e["note"].as_str().is_some_and(|n| n.contains("自动确认")));
    assert_eq!(automatic.count(), 1, "{:?}", seen["events"]);
}
on_both_backends!(a_visit_nobody_answered_is_confirmed_once_its_time_is_up);

async fn a_settled_visit_is_rated_once_changed_within_a_day_and_moves_the_providers_rating(app: TestApp) {
    let api = &app.api;
    let (resident, _staff, id) = completed_cleaning(api).await;
    let rating = format!("/api/v1/orders/{id}/rating");
    let put = |body: Value| api.send(reqwest::Method::PUT, &rating, Some(&resident), Some(body), &[]);
    let early = put(json!({"stars": 5})).await;
    assert_eq!((early.status, early.body["code"].as_str()), (StatusCode::CONFLICT, Some("not_settled")));
    let confirm = format!("/api/v1/orders/{id}/confirm");
    assert_eq!(api.send(reqwest::Method::POST, &confirm, Some(&resident), None, &[]).await.status, StatusCode::OK);
    let before = api.order(&resident, &id).await.body["coming"].clone();

    let zero = put(json!({"stars": 0})).await;
    assert_eq!((zero.status, zero.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("stars")));
    let rated = put(json!({"stars": 1, "comment": "迟到了一个小时"})).await;
    assert_eq!((rated.status, rated.body["stars"].as_u64()), (StatusCode::OK, Some(1)), "{:?}", rated.body);
    let after = api.order(&resident, &id).await.body;
    assert_eq!(after["rating"]["comment"], "迟到了一个小时");
    assert_eq!(after["coming"]["rating_count"], before["rating_count"].as_u64().unwrap() + 1);
    assert!(after["coming"]["rating"].as_f64() < before["rating"].as_f64(), "{before:?} → {:?}", after["coming"]);

    let changed = put(json!({"stars": 4})).await;
    assert_eq!(changed.body["stars"], 4);
    assert_eq!(
        api.order(&resident, &id).await.body["coming"]["rating_count"],
        after["coming"]["rating_count"],
        "a change, not a second rating"
    );
    app.clock.advance(chrono::TimeDelta::hours(25));
    let late = put(json!({"stars": 5})).await;
    assert_eq!((late.status, late.body["code"].as_str()), (StatusCode::CONFLICT, Some("edit_window_closed")));
}
on_both_backends!(a_settled_visit_is_rated_once_changed_within_a_day_and_moves_the_providers_rating);
