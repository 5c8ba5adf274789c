//! Who is coming, over HTTP on both backends: before a provider accepts, neither the resident nor the providers
//! offered the order see the other's contact; after, the resident sees the organization, the staff member named
//! for the job and their number, and the provider the resident's name and phone. A staff member hands the job to
//! a colleague of their own organization, and to nobody else.

use std::time::Duration;

use linli_integration_tests::{Api, TestApp, cleaning_order, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn hand_over(api: &Api, token: &str, order: &str, to: &Value) -> linli_integration_tests::Reply {
    api.post(&format!("/api/v1/orders/{order}/assignee"), Some(token), json!({ "account_id": to })).await
}

async fn the_resident_sees_who_is_coming_and_the_provider_the_resident_only_once_it_accepted(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let id = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    let staff = api.offered_staff(&id).await.remove(0);
    assert!(api.order(&resident, &id).await.body.get("coming").is_none(), "nobody is coming yet");
    assert!(api.order(&staff, &id).await.body.get("resident_phone").is_none(), "not while weighing the offer");

    assert_eq!(api.act(&staff, &id, "accept").await.status, StatusCode::OK);
    let me = api.get("/api/v1/me", Some(&staff)).await.body;
    let seen = api.order(&resident, &id).await.body;
    assert_eq!(seen["assignee_id"], me["id"], "whoever accepted is coming");
    let coming = &seen["coming"];
    assert!(coming["organization"].as_str().is_some_and(|o| !o.is_empty()), "{seen:?}");
    assert_eq!(coming["staff_name"], me["display_name"]);
    assert!(coming["phone"].as_str().is_some_and(|p| p.starts_with("138000001")), "{coming:?}");
    let held = api.order(&staff, &id).await.body;
    assert_eq!((held["resident_phone"].as_str(), held.get("coming")), (Some("13800000001"), None));
}
on_both_backends!(the_resident_sees_who_is_coming_and_the_provider_the_resident_only_once_it_accepted);

async fn a_job_is_handed_to_a_colleague_of_the_same_organization_and_to_nobody_else(app: TestApp) {
    let api = &app.api;
    let (resident, admin) = (api.login_demo("resident").await, api.login_demo("admin").await);
    let id = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    let holders = api.offered_staff(&id).await;
    let (staff, rival) = (&holders[0], &holders[1]);
    let accepted = api.act(staff, &id, "accept").await.body;
    let colleague = json!({"username": "li-shifu", "password": "colleague-pass", "display_name": "李师傅",
                           "role": "provider_staff", "provider_id": accepted["provider_id"], "phone": "13900000077"});
    let made = api.create_account(&admin, colleague).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let colleague_id = made.body["id"].clone();
    let names: Vec<String> = api.get("/api/v1/provider/staff", Some(staff)).await.body["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"李师傅".to_owned()), "{names:?}");

    let rival_id = api.get("/api/v1/me", Some(rival)).await.body["id"].clone();
    let refused = hand_over(api, staff, &id, &rival_id).await;
    assert_eq!(
        (refused.status, refused.body["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("account_id"))
    );
    assert_eq!(hand_over(api, rival, &id, &colleague_id).await.status, StatusCode::NOT_FOUND);
    let handed = hand_over(api, staff, &id, &colleague_id).await;
    assert_eq!(handed.status, StatusCode::OK, "{:?}", handed.body);
    let coming = &api.order(&resident, &id).await.body["coming"];
    assert_eq!((coming["staff_name"].as_str(), coming["phone"].as_str()), (Some("李师傅"), Some("13900000077")));
}
on_both_backends!(a_job_is_handed_to_a_colleague_of_the_same_organization_and_to_nobody_else);
