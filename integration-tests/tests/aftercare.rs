//! After the service, over HTTP on both backends: a community worker's follow-up list holds their community's
//! completed orders until each is followed up, once; a complaint reaches the provider's staff alone, which
//! answer it once; a complaint left unanswered past its deadline is escalated and the worker is told.

use std::time::Duration;

use linli_integration_tests::{Api, Reply, TestApp, cleaning_order, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The demo resident's cleaning, done by the organization offered it first: (staff, order).
async fn completed_cleaning(api: &Api) -> (String, String) {
    let resident = api.login_demo("resident").await;
    let id = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    let staff = api.offered_staff(&id).await.remove(0);
    for action in ["accept", "start", "complete"] {
        assert_eq!(api.act(&staff, &id, action).await.status, StatusCode::OK, "{action}");
    }
    (staff, id)
}

async fn post(api: &Api, token: &str, path: &str, body: Value) -> Reply {
    api.post(path, Some(token), body).await
}

fn ids(page: &Value, list: &str) -> Vec<String> {
    page[list].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

async fn a_completed_order_waits_on_the_follow_up_list_until_a_worker_follows_it_up_once(app: TestApp) {
    let api = &app.api;
    let (_staff, id) = completed_cleaning(api).await;
    let worker = api.login_demo("worker").await;
    assert!(ids(&api.get("/api/v1/follow-ups", Some(&worker)).await.body, "orders").contains(&id));
    let path = format!("/api/v1/orders/{id}/follow-up");
    let bad = post(api, &worker, &path, json!({"outcome": "fine"})).await;
    assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("outcome")));
    let done = post(api, &worker, &path, json!({"outcome": "issue_found", "note": "老人说卫生间没打扫"})).await;
    assert_eq!((done.status, done.body["outcome"].as_str()), (StatusCode::OK, Some("issue_found")), "{:?}", done.body);
    assert!(!ids(&api.get("/api/v1/follow-ups", Some(&worker)).await.body, "orders").contains(&id));
    let again = post(api, &worker, &path, json!({"outcome": "satisfied"})).await;
    assert_eq!((again.status, again.body["code"].as_str()), (StatusCode::CONFLICT, Some("already_followed_up")));
    assert_eq!(api.order(&worker, &id).await.body["follow_up"]["note"], "老人说卫生间没打扫");
    let resident = api.login_demo("resident").await;
    assert!(api.order(&resident, &id).await.body.get("follow_up").is_none(), "the worker's record, not the resident's");
}
on_both_backends!(a_completed_order_waits_on_the_follow_up_list_until_a_worker_follows_it_up_once);

async fn a_complaint_reaches_the_providers_staff_alone_who_answer_it_once(app: TestApp) {
    let api = &app.api;
    let (staff, id) = completed_cleaning(api).await;
    let worker = api.login_demo("worker").await;
    let path = format!("/api/v1/orders/{id}/complaint");
    let too_long = post(api, &worker, &path, json!({"text": "迟到了", "answer_within_hours": 200})).await;
    assert_eq!(too_long.body["field"], "answer_within_hours");
    let opened =
        post(api, &worker, &path, json!({"text": "上门迟到两小时，也没有提前联系", "answer_within_hours": 24})).await;
    assert_eq!((opened.status, opened.body["state"].as_str()), (StatusCode::OK, Some("open")), "{:?}", opened.body);
    let complaint = opened.body["id"].as_str().unwrap().to_owned();
    let twice = post(api, &worker, &path, json!({"text": "再投诉一次"})).await;
    assert_eq!(twice.body["code"], "complaint_exists");
    assert!(api.inbox_has(&staff, "收到投诉").await);
    assert_eq!(ids(&api.get("/api/v1/complaints", Some(&staff)).await.body, "complaints"), vec![complaint.clone()]);
    let rival = ["org001", "org002", "org003", "org004", "org005"];
    let mut others = 0;
    for login in rival {
        let token = api.login_demo(login).await;
        if ids(&api.get("/api/v1/complaints", Some(&token)).await.body, "complaints").is_empty() {
            others += 1;
            let refused =
                post(api, &token, &format!("/api/v1/complaints/{complaint}/answer"), json!({"answer": "不是我们"}))
                    .await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND);
        }
    }
    assert_eq!(others, 4, "the four other organizations see none");
    let answer = format!("/api/v1/complaints/{complaint}/answer");
    let answered = post(api, &staff, &answer, json!({"answer": "已向居民致歉，调整了排班"})).await;
    assert_eq!(answered.body["state"], "answered", "{:?}", answered.body);
    let again = post(api, &staff, &answer, json!({"answer": "再次答复"})).await;
    assert_eq!((again.status, again.body["code"].as_str()), (StatusCode::CONFLICT, Some("already_answered")));
    assert!(api.inbox_has(&worker, "投诉已答复").await);
    assert_eq!(api.order(&worker, &id).await.body["complaint"]["answer"], "已向居民致歉，调整了排班");
}
on_both_backends!(a_complaint_reaches_the_providers_staff_alone_who_answer_it_once);

async fn a_complaint_unanswered_past_its_deadline_is_escalated_and_the_worker_told(app: TestApp) {
    let api = &app.api;
    let (_staff, id) = completed_cleaning(api).await;
    let worker = api.login_demo("worker").await;
    let opened = post(
        api,
        &worker,
        &format!("/api/v1/orders/{id}/complaint"),
        json!({"text": "服务态度差", "answer_within_hours": 2}),
    )
    .await;
    let complaint = opened.body["id"].as_str().unwrap().to_owned();
    let sweep = app.backends.dispatcher();
    assert_eq!(sweep.escalate_overdue_complaints().await.unwrap(), 0, "still in time");
    app.clock.advance(chrono::TimeDelta::hours(3));
    // The scheduled run of the same step may get there first; between them, it is escalated once.
    assert!(sweep.escalate_overdue_complaints().await.unwrap() <= 1);
    let escalated = api.get("/api/v1/complaints?state=escalated", Some(&worker)).await.body;
    assert_eq!(ids(&escalated, "complaints"), vec![complaint]);
    assert!(api.inbox_has(&worker, "投诉超期未答复").await);
    let events = api.order(&worker, &id).await.body["events"].clone();
    let escalations = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["note"].as_str().is_some_and(|n| n.starts_with("投诉超期未答复")));
    assert_eq!(escalations.count(), 1);
}
on_both_backends!(a_complaint_unanswered_past_its_deadline_is_escalated_and_the_worker_told);
