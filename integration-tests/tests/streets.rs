//! Street and city levels over HTTP: a street worker (街道工作者) sees every order, escalation and figure of
//! their street's communities and none of another street's; a high-risk mediation intake lands with the street
//! at once, marked, its workers are told, and it is among the sub-center's cases; a property dispute goes to the street's sub-center first and to
//! the city's mediation centre above it when the sub-center declines.

use std::time::Duration;

use linli_integration_tests::{Api, Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DISPATCH: Duration = Duration::from_secs(10);
/// 南湖街道, the demo street: 文安路社区 (1) and its eight neighbours (2…9).
const STREET: i32 = 1;
const SAME_STREET: i32 = 2;
/// A community of another street.
const OTHER_STREET: i32 = 500;
/// The demo's property-dispute sub-center of 南湖街道, and the city's mediation centre.
const SUB_CENTER: &str = "6c696e6c-6900-4000-8000-000600000001";
const CITY_CENTRE: &str = "6c696e6c-6900-4000-8000-000700000001";

/// An account made by the demo admin and logged in.
async fn made(api: &Api, name: &str, fields: Value) -> String {
    let admin = api.login_demo("admin").await;
    let mut body = json!({"username": name, "password": "long-enough", "display_name": name});
    body.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    let created = api.create_account(&admin, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    api.login(name, "long-enough").await
}

/// A worker of `community` files a cleaning order there for a new resident record; its id.
async fn filed_in(api: &Api, worker: &str, community: i32) -> String {
    let record = json!({"display_name": "贺兰淑芬", "community_id": community, "landline": "024-23456789"});
    let resident = api.post("/api/v1/residents", Some(worker), record).await;
    assert_eq!(resident.status, StatusCode::CREATED, "{:?}", resident.body);
    let order = json!({"resident_id": resident.body["id"], "item_id": 15, "community_id": community,
        "address": "北陵大街3号", "lat": 41.781, "lng": 123.402, "asap": true});
    let placed = api.place_order(worker, order, None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    placed.body["id"].as_str().unwrap().to_owned()
}

fn ids(reply: &Value) -> Vec<String> {
    let orders = reply["orders"].as_array().unwrap_or_else(|| panic!("{reply:?}"));
    orders.iter().map(|o| o["order"]["id"].as_str().unwrap().to_owned()).collect()
}

async fn a_street_worker_sees_every_order_and_figure_of_their_street_and_none_of_another_street(app: TestApp) {
    let api = &app.api;
    let street = api.login_demo("street").await;
    let me = api.get("/api/v1/me", Some(&street)).await.body;
    assert_eq!((me["street_id"].as_i64(), me["community_id"].as_i64()), (Some(STREET.into()), None), "{me:?}");
    assert_eq!(me["street_community_ids"].as_array().map(Vec::len), Some(9), "{me:?}");
    let resident = api.login_demo("resident").await;
    let own = api.place_order(&resident, linli_integration_tests::cleaning_order(), None).await;
    let own = own.body["id"].as_str().unwrap().to_owned();
    let neighbour = made(api, "worker-2", json!({"role": "community_worker", "community_id": SAME_STREET})).await;
    let next_door = filed_in(api, &neighbour, SAME_STREET).await;
    let far = made(api, "worker-500", json!({"role": "community_worker", "community_id": OTHER_STREET})).await;
    let elsewhere = filed_in(api, &far, OTHER_STREET).await;

    let listed = api.get("/api/v1/area/orders", Some(&street)).await;
    assert_eq!(ids(&listed.body), vec![next_door.clone(), own.clone()], "both communities of the street, newest first");
    assert_eq!(ids(&api.get("/api/v1/area/orders", Some(&neighbour)).await.body), vec![next_door.clone()]);
    for (id, status) in [(&own, StatusCode::OK), (&next_door, StatusCode::OK), (&elsewhere, StatusCode::NOT_FOUND)] {
        assert_eq!(api.order(&street, id).await.status, status, "{id}");
    }
    assert_eq!(api.act(&street, &next_door, "cancel").await.status, StatusCode::OK, "they act on it too");

    for (path, status) in [
        (format!("/api/v1/streets/{STREET}/dashboard"), StatusCode::OK),
        (format!("/api/v1/communities/{SAME_STREET}/dashboard"), StatusCode::OK),
        ("/api/v1/streets/2/dashboard".to_owned(), StatusCode::FORBIDDEN),
        (format!("/api/v1/communities/{OTHER_STREET}/dashboard"), StatusCode::FORBIDDEN),
    ] {
        assert_eq!(api.get(&path, Some(&street)).await.status, status, "{path}");
    }
    let figures = api.get(&format!("/api/v1/streets/{STREET}/dashboard"), Some(&street)).await.body;
    assert_eq!(figures["total"]["orders"], 2, "{figures:?}");
    let community_worker = api.login_demo("worker").await;
    let refused = api.get(&format!("/api/v1/streets/{STREET}/dashboard"), Some(&community_worker)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a community's worker is not the street's");

    let admin = api.login_demo("admin").await;
    let worker = |fields: Value| {
        let mut body =
            json!({"username": "wrong", "password": "long-enough", "display_name": "王", "role": "community_worker"});
        body.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        body
    };
    for body in [worker(json!({"street_id": 999})), worker(json!({"street_id": STREET, "community_id": 1}))] {
        let bad = api.create_account(&admin, body).await;
        assert_eq!((bad.status, bad.field()), (StatusCode::UNPROCESSABLE_ENTITY, "street_id"), "{:?}", bad.body);
    }
}
on_both_backends!(a_street_worker_sees_every_order_and_figure_of_their_street_and_none_of_another_street);

async fn a_high_risk_intake_lands_with_the_street_at_once_marked_and_its_workers_are_told(app: TestApp) {
    let api = &app.api;
    let street = api.login_demo("street").await;
    let neighbour = made(api, "worker-2", json!({"role": "community_worker", "community_id": SAME_STREET})).await;
    let resident = made(api, "resident-2", json!({"role": "resident", "community_id": SAME_STREET})).await;
    let intake = json!({"item_id": 83, "community_id": SAME_STREET, "address": "北陵大街3号", "lat": 41.781,
        "lng": 123.402, "asap": true, "high_risk": true});
    let urgent = api.place_order(&resident, intake, None).await.body["id"].as_str().unwrap().to_owned();
    let escalated = api.wait_for_state(&resident, &urgent, "escalated", DISPATCH).await;
    assert_eq!(escalated.body["high_risk"], true, "marked for everyone who sees it");

    let queue = api.get("/api/v1/escalations", Some(&street)).await;
    let waiting = queue.body["orders"].as_array().unwrap_or_else(|| panic!("{:?}", queue.body));
    assert!(waiting.iter().any(|o| o["id"] == urgent.as_str() && o["high_risk"] == true), "{waiting:?}");
    assert!(api.inbox_has(&street, "高风险调解转街道").await, "the street's workers are told at once");
    assert!(api.inbox_has(&neighbour, "订单待人工处理").await, "and the community's, as for any escalation");
    let cases = api.get("/api/v1/area/orders?routing=property_dispute", Some(&street)).await;
    assert_eq!(ids(&cases.body), vec![urgent.clone()], "the sub-center's cases of the street");
    let bad = api.get("/api/v1/area/orders?routing=somewhere", Some(&street)).await;
    assert_eq!((bad.status, bad.field()), (StatusCode::UNPROCESSABLE_ENTITY, "routing"));
    let demo_worker = api.login_demo("worker").await;
    let theirs = api.get("/api/v1/escalations", Some(&demo_worker)).await;
    assert!(ids_of_escalations(&theirs.body).iter().all(|id| id != &urgent), "not another community's worker");
}
on_both_backends!(a_high_risk_intake_lands_with_the_street_at_once_marked_and_its_workers_are_told);

fn ids_of_escalations(reply: &Value) -> Vec<String> {
    let orders = reply["orders"].as_array().unwrap_or_else(|| panic!("{reply:?}"));
    orders.iter().map(|o| o["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_property_dispute_goes_to_the_streets_sub_center_first_and_to_the_city_centre_when_it_declines() {
    let app = TestApp::spawn(Backend::Production).await;
    let api = &app.api;
    let sub_center = made(api, "sub-center", json!({"role": "provider_staff", "provider_id": SUB_CENTER})).await;
    let centre = made(api, "city-centre", json!({"role": "provider_staff", "provider_id": CITY_CENTRE})).await;
    let resident = api.login_demo("resident").await;
    let dispute = json!({"item_id": 83, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40,
        "asap": true});
    let id = api.place_order(&resident, dispute, None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", DISPATCH).await;
    let holds =
        |reply: &Value| reply["offers"].as_array().is_some_and(|o| o.iter().any(|o| o["order"]["id"] == id.as_str()));
    assert!(holds(&api.offers(&sub_center).await.body), "the street's own sub-center first");
    assert!(!holds(&api.offers(&centre).await.body), "the city centre is not asked yet");

    assert_eq!(api.act(&sub_center, &id, "decline").await.status, StatusCode::OK);
    let deadline = tokio::time::Instant::now() + DISPATCH;
    while !holds(&api.offers(&centre).await.body) {
        assert!(tokio::time::Instant::now() < deadline, "the city centre was never offered it");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(api.act(&centre, &id, "accept").await.body["state"], "accepted");
    let seen = api.order(&resident, &id).await.body;
    assert_eq!(seen["provider_id"], CITY_CENTRE, "{seen:?}");
}
