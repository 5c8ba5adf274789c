//! 全科受理 over HTTP: a community worker records a resident with no app who lives in another community,
//! files an order for them that is dispatched there and texted to the resident's mobile through a real SMS
//! receiver, and follows it in their list and its CSV file; a worker sees their community's orders and those
//! they filed, and no others; residents are found by number or name, and a bad record names its field. The
//! catalog is searched by Chinese words, pinyin or its initials, best first.

use std::time::Duration;

use linli_integration_tests::{Api, Backend, Fresh, Receiver, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A community of the demo street other than the demo worker's (文安路社区, 1): its cleaning is done by the
/// demo organizations.
const NEIGHBOURING: i32 = 2;

/// A cleaning order (日常保洁, broadcast) as soon as possible in `community`, for `resident`.
fn cleaning_for(resident: &str, community: i32) -> Value {
    json!({
        "resident_id": resident, "item_id": 15, "community_id": community, "address": "北陵大街3号2单元101",
        "lat": 41.781, "lng": 123.402, "asap": true
    })
}

/// A worker of `community`, made by the demo admin and logged in.
async fn worker_of(api: &Api, name: &str, community: i32) -> String {
    let admin = api.login_demo("admin").await;
    let body = json!({
        "username": name, "password": "worker-pass", "display_name": name, "role": "community_worker",
        "community_id": community
    });
    let made = api.create_account(&admin, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    api.login(name, "worker-pass").await
}

async fn file_aunt(api: &Api, worker: &str, phone: Option<&str>) -> String {
    let body = json!({
        "display_name": "贺兰淑芬", "phone": phone, "landline": "024-23456789", "community_id": NEIGHBOURING,
        "address": "北陵大街3号2单元101"
    });
    let filed = api.post("/api/v1/residents", Some(worker), body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{:?}", filed.body);
    assert_eq!(filed.body["signs_in"], false, "{:?}", filed.body);
    filed.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_files_for_a_resident_with_no_app_in_another_community_who_is_texted_as_it_goes() {
    let gateway = Receiver::start(&[]).await;
    let fresh = Fresh::new(Backend::Production).await;
    let mut args = fresh.args();
    (args.sms_url, args.sms_token) = (Some(gateway.url.clone()), Some("sms-credential".into()));
    let app = TestApp::spawn_with_args(fresh, args).await;
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let aunt = file_aunt(api, &worker, Some("13912345678")).await;

    let placed = api.place_order(&worker, cleaning_for(&aunt, NEIGHBOURING), Some("intake-1")).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    let id = placed.body["id"].as_str().unwrap().to_owned();
    let worker_id = api.get("/api/v1/me", Some(&worker)).await.body["id"].clone();
    assert_eq!(placed.body["filed_by"], worker_id, "the order records who filed it");
    let offered = api.wait_for_state(&worker, &id, "offered", Duration::from_secs(10)).await;
    assert_eq!(offered.body["community_id"], NEIGHBOURING, "dispatched where the resident lives");
    let staff = api.offered_staff(&id).await;
    assert!(!staff.is_empty(), "the organizations covering that community were offered it");
    assert_eq!(api.act(&staff[0], &id, "accept").await.status, StatusCode::OK);

    // The acceptance is texted to the resident's mobile, signed as every text is.
    let texts = gateway.wait_for(1, Duration::from_secs(30)).await;
    let to_aunt: Vec<Value> = texts
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap())
        .filter(|t| t["to"] == "13912345678")
        .collect();
    assert!(!to_aunt.is_empty(), "texts: {texts:?}");
    assert!(to_aunt[0]["text"].as_str().unwrap().starts_with("【邻里】"), "{to_aunt:?}");

    // The worker follows it to the end: in the order, in their list of those they filed, and in its CSV.
    assert_eq!(api.act(&staff[0], &id, "start").await.status, StatusCode::OK);
    assert_eq!(api.act(&staff[0], &id, "complete").await.status, StatusCode::OK);
    let done = api.order(&worker, &id).await;
    assert_eq!(
        (done.body["state"].as_str(), done.body["resident_name"].as_str()),
        (Some("completed"), Some("贺兰淑芬"))
    );
    let mine = api.get("/api/v1/area/orders?mine=true&state=completed", Some(&worker)).await;
    let listed = &mine.body["orders"][0];
    assert_eq!(listed["order"]["id"], id.as_str(), "{:?}", mine.body);
    assert_eq!((listed["resident_name"].as_str(), listed["item_name"].as_str()), (Some("贺兰淑芬"), Some("日常保洁")));
    let (status, content_type, csv) = api.text("/api/v1/area/orders.csv?mine=true", Some(&worker)).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    let row = csv.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{csv}"));
    for cell in ["日常保洁", "贺兰淑芬", "已完成", "张敏"] {
        assert!(row.split(',').any(|c| c == cell), "{cell} in {row}");
    }
}

async fn a_worker_sees_their_communitys_orders_and_those_they_filed_and_no_others(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let aunt = file_aunt(api, &worker, None).await;
    let filed = api.place_order(&worker, cleaning_for(&aunt, NEIGHBOURING), None).await;
    let filed = filed.body["id"].as_str().unwrap().to_owned();
    let resident = api.login_demo("resident").await;
    let own = api.place_order(&resident, linli_integration_tests::cleaning_order(), None).await;
    let own = own.body["id"].as_str().unwrap().to_owned();
    let ids = |reply: &Value| -> Vec<String> {
        let orders = reply["orders"].as_array().unwrap_or_else(|| panic!("{reply:?}"));
        orders.iter().map(|o| o["order"]["id"].as_str().unwrap().to_owned()).collect()
    };

    let mine = api.get("/api/v1/area/orders", Some(&worker)).await.body;
    assert_eq!(
        ids(&mine),
        vec![own.clone(), filed.clone()],
        "their community's, and the one filed elsewhere, newest first"
    );
    let there = worker_of(api, "neighbouring-worker", NEIGHBOURING).await;
    assert_eq!(ids(&api.get("/api/v1/area/orders", Some(&there)).await.body), vec![filed.clone()]);
    assert_eq!(api.order(&there, &filed).await.status, StatusCode::OK, "the order's own community follows it too");
    let stranger = worker_of(api, "far-worker", 500).await;
    assert!(ids(&api.get("/api/v1/area/orders", Some(&stranger)).await.body).is_empty());
    for id in [&filed, &own] {
        assert_eq!(api.order(&stranger, id).await.status, StatusCode::NOT_FOUND);
    }
    let refused = api.get("/api/v1/area/orders", Some(&resident)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let reversed = api.get("/api/v1/area/orders?placed_from=2026-12-09&placed_to=2026-12-08", Some(&worker)).await;
    assert_eq!((reversed.status, reversed.field()), (StatusCode::UNPROCESSABLE_ENTITY, "placed_to"));
}
on_both_backends!(a_worker_sees_their_communitys_orders_and_those_they_filed_and_no_others);

async fn a_resident_is_found_by_number_or_name_and_a_bad_record_names_its_field(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let aunt = file_aunt(api, &worker, Some("13912345678")).await;
    for q in ["139-1234-5678", "02423456789", "兰淑"] {
        let found = api.get(&format!("/api/v1/residents?q={q}"), Some(&worker)).await;
        let residents = found.body["residents"].as_array().unwrap_or_else(|| panic!("{q}: {:?}", found.body));
        assert_eq!(residents.len(), 1, "{q}: {residents:?}");
        assert_eq!(
            (residents[0]["id"].as_str(), residents[0]["phone"].as_str()),
            (Some(aunt.as_str()), Some("139****5678"))
        );
    }
    let again = json!({"display_name": "贺兰淑芬", "phone": "13912345678", "community_id": NEIGHBOURING});
    let taken = api.post("/api/v1/residents", Some(&worker), again).await;
    assert_eq!((taken.status, taken.field()), (StatusCode::CONFLICT, "phone"));
    for (body, field) in [
        (json!({"display_name": "甲", "landline": "024-12", "community_id": 1}), "landline"),
        (json!({"display_name": "甲", "phone": "12345", "community_id": 1}), "phone"),
        (json!({"display_name": "甲", "community_id": 99999}), "community_id"),
    ] {
        let refused = api.post("/api/v1/residents", Some(&worker), body).await;
        assert_eq!((refused.status, refused.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{:?}", refused.body);
    }
    let vague = api.get("/api/v1/residents?q=1380", Some(&worker)).await;
    assert_eq!((vague.status, vague.field()), (StatusCode::UNPROCESSABLE_ENTITY, "q"));
    let resident = api.login_demo("resident").await;
    assert_eq!(api.get("/api/v1/residents?q=兰淑", Some(&resident)).await.status, StatusCode::FORBIDDEN);
    let not_theirs = api.place_order(&resident, cleaning_for(&aunt, NEIGHBOURING), None).await;
    assert_eq!(not_theirs.status, StatusCode::FORBIDDEN, "a resident files only for themselves");
}
on_both_backends!(a_resident_is_found_by_number_or_name_and_a_bad_record_names_its_field);

async fn the_catalog_is_searched_by_chinese_words_pinyin_or_initials_best_first(app: TestApp) {
    let api = &app.api;
    let names = |reply: &Value| -> Vec<String> {
        let items = reply["items"].as_array().unwrap_or_else(|| panic!("{reply:?}"));
        items.iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
    };
    for q in ["bj", "baojie", "bao%20jie", "保洁"] {
        let found = api.get(&format!("/api/v1/catalog/search?q={q}"), None).await;
        assert_eq!(names(&found.body)[..3], ["日常保洁", "深度保洁", "开荒保洁"], "{q}");
    }
    let exact = api.get("/api/v1/catalog/search?q=上门助浴", None).await;
    assert_eq!(names(&exact.body)[0], "上门助浴", "the whole name first");
    let both_readings = api.get("/api/v1/catalog/search?q=diaojie", None).await;
    assert!(names(&both_readings.body).iter().all(|n| n.ends_with("调解")), "{:?}", both_readings.body);
    let empty = api.get("/api/v1/catalog/search?q=", None).await;
    assert_eq!((empty.status, empty.field()), (StatusCode::UNPROCESSABLE_ENTITY, "q"));
}
on_both_backends!(the_catalog_is_searched_by_chinese_words_pinyin_or_initials_best_first);
