//! Admins keeping the service over HTTP, and organizations' managers keeping their own: an item added is
//! ordered at once and a retired one takes no orders while its old orders keep it; a provider deactivated, or
//! an organization that stops offering an item, is offered nothing more; a manager disables their own staff
//! and nobody else's; accounts and the map are corrected with every change in the audit log, before and after.
//! The item is 日常保洁 (15) in 文安路社区, cleaned by the five demo organizations, whose one member of staff
//! each (org001…org005) manages it.

use std::time::Duration;

use linli_integration_tests::{Api, TestApp, cleaning_order, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Places a cleaning order as `resident` and waits until dispatch has offered it or escalated it.
async fn dispatched(api: &Api, resident: &str, order: Value) -> String {
    let placed = api.place_order(resident, order, None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    let id = placed.body["id"].as_str().unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while api.order(resident, &id).await.body["state"] == "submitted" {
        assert!(tokio::time::Instant::now() < deadline, "order {id} was never dispatched");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    id
}

async fn offered_to(api: &Api, staff: &str, order: &str) -> bool {
    let offers = api.offers(staff).await.body;
    offers["offers"].as_array().unwrap().iter().any(|o| o["order"]["id"] == order)
}

async fn last_audit(api: &Api, admin: &str, action: &str) -> Value {
    let log = api.get(&format!("/api/v1/admin/audit?action={action}"), Some(admin)).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    log.body["entries"][0].clone()
}

async fn an_item_added_is_ordered_at_once_and_once_retired_takes_no_orders_while_its_orders_keep_it(app: TestApp) {
    let api = &app.api;
    let (admin, resident) = (api.login_demo("admin").await, api.login_demo("resident").await);
    let new = json!({"code": "CLEAN-099", "name": "擦玻璃（高层）", "category": "cleaning", "price_fen": 6000,
        "duration_minutes": 90});
    let created = api.post("/api/v1/admin/catalog/items", Some(&admin), new.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let item = created.body["id"].as_i64().unwrap();
    assert_eq!((created.body["price"].as_str(), created.body["mode"].as_str()), (Some("¥60.00"), Some("dispatch")));
    let again = api.post("/api/v1/admin/catalog/items", Some(&admin), new).await;
    assert_eq!((again.status, again.code(), again.field()), (StatusCode::CONFLICT, "duplicate_item_code", "code"));

    let order = json!({"item_id": item, "community_id": 1, "address": "文安路12号", "lat": 41.781, "lng": 123.402,
        "asap": true});
    let before = dispatched(api, &resident, order.clone()).await;
    let retired = api.post(&format!("/api/v1/admin/catalog/items/{item}/retire"), Some(&admin), json!({})).await;
    assert!(retired.body["retired_at"].is_string(), "{:?}", retired.body);
    let refused = api.place_order(&resident, order.clone(), None).await;
    assert_eq!(
        (refused.status, refused.code(), refused.field()),
        (StatusCode::UNPROCESSABLE_ENTITY, "item_retired", "item_id")
    );
    let times = api.get(&format!("/api/v1/catalog/items/{item}/open-times?community_id=1"), None).await;
    assert_eq!((times.status, times.code()), (StatusCode::UNPROCESSABLE_ENTITY, "item_retired"), "{:?}", times.body);
    let listed = api.get("/api/v1/catalog/items?category=cleaning&limit=100", None).await.body;
    assert!(listed["items"].as_array().unwrap().iter().all(|i| i["id"] != item), "a retired item is not listed");
    let all = api.get("/api/v1/catalog/items?category=cleaning&limit=100&retired=true", None).await.body;
    assert!(all["items"].as_array().unwrap().iter().any(|i| i["id"] == item));
    assert_eq!(api.order(&resident, &before).await.body["item_id"], item, "the order from before keeps its item");

    let restored = api.post(&format!("/api/v1/admin/catalog/items/{item}/restore"), Some(&admin), json!({})).await;
    assert!(restored.body.get("retired_at").is_none(), "{:?}", restored.body);
    assert_eq!(api.place_order(&resident, order, None).await.status, StatusCode::CREATED);
    let audit = last_audit(api, &admin, "catalog.item_retired").await;
    assert_eq!((audit["before"]["retired_at"].is_null(), audit["after"]["retired_at"].is_string()), (true, true));
}
on_both_backends!(an_item_added_is_ordered_at_once_and_once_retired_takes_no_orders_while_its_orders_keep_it);

async fn an_item_edited_shows_its_new_words_and_price_and_a_bad_value_is_refused_naming_it(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let was = api.get("/api/v1/catalog/items/15", None).await.body["price_fen"].as_i64();
    let change = json!({"name": "日常保洁（两小时）", "price_fen": 9000, "duration_minutes": 120, "max_rounds": 4});
    let changed = api.patch("/api/v1/admin/catalog/items/15", &admin, change).await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    let seen = api.get("/api/v1/catalog/items/15", None).await.body;
    assert_eq!(
        (seen["name"].as_str(), seen["price"].as_str(), seen["max_rounds"].as_u64()),
        (Some("日常保洁（两小时）"), Some("¥90.00"), Some(4))
    );
    let audit = last_audit(api, &admin, "catalog.item_changed").await;
    assert_eq!((audit["before"]["price_fen"].as_i64(), audit["after"]["price_fen"].as_i64()), (was, Some(9000)));
    for (body, field) in [
        (json!({"price_fen": -1}), "price_fen"),
        (json!({"duration_minutes": 2}), "duration_minutes"),
        (json!({"name": " "}), "name"),
    ] {
        let refused = api.patch("/api/v1/admin/catalog/items/15", &admin, body).await;
        assert_eq!((refused.status, refused.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{:?}", refused.body);
    }
}
on_both_backends!(an_item_edited_shows_its_new_words_and_price_and_a_bad_value_is_refused_naming_it);

async fn a_deactivated_provider_and_an_organization_that_stops_offering_an_item_are_offered_nothing(app: TestApp) {
    let api = &app.api;
    let (admin, resident) = (api.login_demo("admin").await, api.login_demo("resident").await);
    let (first, second) = (api.login_demo("org001").await, api.login_demo("org002").await);
    let provider = api.get("/api/v1/me", Some(&first)).await.body["provider_id"].as_str().unwrap().to_owned();
    let off = api.patch(&format!("/api/v1/admin/providers/{provider}"), &admin, json!({"active": false})).await;
    assert_eq!((off.status, off.body["active"].as_bool()), (StatusCode::OK, Some(false)), "{:?}", off.body);
    // The second organization stops offering cleaning: its manager's own change.
    let profile = api.get("/api/v1/provider/profile", Some(&second)).await.body;
    let items: Vec<i64> =
        profile["item_ids"].as_array().unwrap().iter().filter_map(Value::as_i64).filter(|i| *i != 15).collect();
    let narrowed = api.patch("/api/v1/provider/profile", &second, json!({"item_ids": items})).await;
    assert_eq!(narrowed.status, StatusCode::OK, "{:?}", narrowed.body);
    for _ in 0..3 {
        let id = dispatched(api, &resident, cleaning_order()).await;
        assert!(!offered_to(api, &first, &id).await, "a deactivated provider was offered {id}");
        assert!(
            !offered_to(api, &second, &id).await,
            "an organization that stopped offering cleaning was offered {id}"
        );
    }
    // An organization offers at least one item.
    let refused = api.patch("/api/v1/provider/profile", &second, json!({"item_ids": []})).await;
    assert_eq!((refused.status, refused.field()), (StatusCode::UNPROCESSABLE_ENTITY, "item_ids"));
    let audit = last_audit(api, &admin, "provider.deactivated").await;
    assert_eq!((&audit["before"]["active"], &audit["after"]["active"]), (&json!(true), &json!(false)));
    let changed = last_audit(api, &admin, "provider.changed").await;
    assert!(changed["before"]["item_ids"].as_array().unwrap().contains(&json!(15)));
    assert!(!changed["after"]["item_ids"].as_array().unwrap().contains(&json!(15)));
}
on_both_backends!(a_deactivated_provider_and_an_organization_that_stops_offering_an_item_are_offered_nothing);

async fn a_manager_disables_their_own_staff_whose_sessions_end_and_cannot_touch_anyone_elses(app: TestApp) {
    let api = &app.api;
    let (admin, manager) = (api.login_demo("admin").await, api.login_demo("org001").await);
    let provider = api.get("/api/v1/me", Some(&manager)).await.body["provider_id"].as_str().unwrap().to_owned();
    let helper = api
        .create_account(
            &admin,
            json!({"username": "xiao.li", "password": "a long password", "display_name": "小李",
            "role": "provider_staff", "provider_id": provider}),
        )
        .await;
    let helper_id = helper.body["id"].as_str().unwrap().to_owned();
    let helper_token = api.login("xiao.li", "a long password").await;
    let team = api.get("/api/v1/provider/team", Some(&manager)).await.body;
    let names: Vec<&str> = team.as_array().unwrap().iter().filter_map(|a| a["display_name"].as_str()).collect();
    assert_eq!(names.len(), 2, "{team:?}");
    assert_eq!(team[0]["manager"], true, "managers first");
    // Staff who do not manage see no team and disable nobody.
    assert_eq!(api.get("/api/v1/provider/team", Some(&helper_token)).await.status, StatusCode::FORBIDDEN);

    let disable = format!("/api/v1/provider/team/{helper_id}/disable");
    assert_eq!(api.post(&disable, Some(&manager), json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/api/v1/me", Some(&helper_token)).await.status, StatusCode::UNAUTHORIZED);
    let team = api.get("/api/v1/provider/team", Some(&manager)).await.body;
    assert!(team.as_array().unwrap().iter().any(|a| a["id"] == helper_id.as_str() && a["disabled"] == true));
    // Another organization's manager finds no such member of staff.
    let other = api.login_demo("org002").await;
    assert_eq!(
        api.post(&format!("/api/v1/provider/team/{helper_id}/enable"), Some(&other), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.post(&format!("/api/v1/provider/team/{helper_id}/enable"), Some(&manager), json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    // Enabled again, the helper signs in (the login asserts it).
    api.login("xiao.li", "a long password").await;
}
on_both_backends!(a_manager_disables_their_own_staff_whose_sessions_end_and_cannot_touch_anyone_elses);

async fn an_admin_corrects_an_account_and_a_number_another_account_holds_is_refused_naming_it(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let find = api.get("/api/v1/admin/accounts?q=resident2", Some(&admin)).await.body;
    let other_phone = find["accounts"][0]["phone"].as_str().unwrap().to_owned();
    let me = api.get("/api/v1/admin/accounts?q=worker&role=community_worker", Some(&admin)).await.body;
    let worker = me["accounts"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/admin/accounts/{worker}");
    let taken = api.patch(&path, &admin, json!({"phone": other_phone})).await;
    assert_eq!((taken.status, taken.code(), taken.field()), (StatusCode::CONFLICT, "account_taken", "phone"));
    let both = api.patch(&path, &admin, json!({"community_id": 2, "street_id": 1})).await;
    assert_eq!((both.status, both.field()), (StatusCode::UNPROCESSABLE_ENTITY, "street_id"));
    let moved = api.patch(&path, &admin, json!({"display_name": "赵社工", "community_id": 2})).await;
    assert_eq!((moved.status, moved.body["community_id"].as_i64()), (StatusCode::OK, Some(2)), "{:?}", moved.body);
    let audit = last_audit(api, &admin, "account.changed").await;
    assert_eq!(
        (audit["before"]["community_id"].as_i64(), audit["after"]["display_name"].as_str()),
        (Some(1), Some("赵社工"))
    );
    let unknown = api.patch("/api/v1/admin/accounts/00000000-0000-7000-8000-000000000000", &admin, json!({})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
on_both_backends!(an_admin_corrects_an_account_and_a_number_another_account_holds_is_refused_naming_it);

async fn an_admin_adds_a_community_and_moves_its_centre_and_orders_there_are_dispatched(app: TestApp) {
    let api = &app.api;
    let (admin, resident) = (api.login_demo("admin").await, api.login_demo("resident").await);
    let new = json!({"name": "文安路新社区", "lat": 41.782, "lng": 123.404, "parent_id": 1});
    let added = api.post("/api/v1/admin/communities", Some(&admin), new).await;
    assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    let community = added.body["id"].as_i64().unwrap();
    let street = api.get("/api/v1/geo/streets/1/communities", None).await.body;
    assert!(street.as_array().unwrap().iter().any(|c| c["id"] == community));
    let moved = api
        .patch(&format!("/api/v1/admin/communities/{community}"), &admin, json!({"lat": 41.783, "lng": 123.405}))
        .await;
    assert_eq!((moved.status, moved.body["lat"].as_f64()), (StatusCode::OK, Some(41.783)));
    let half = api.patch(&format!("/api/v1/admin/communities/{community}"), &admin, json!({"lat": 41.7})).await;
    assert_eq!((half.status, half.field()), (StatusCode::UNPROCESSABLE_ENTITY, "lng"));
    let nowhere = api
        .post(
            "/api/v1/admin/streets",
            Some(&admin),
            json!({"name": "新街道", "lat": 41.8, "lng": 123.4, "parent_id": 99}),
        )
        .await;
    assert_eq!((nowhere.status, nowhere.field()), (StatusCode::UNPROCESSABLE_ENTITY, "parent_id"));
    let audit = last_audit(api, &admin, "map.community_changed").await;
    assert_eq!((audit["before"]["lat"].as_f64(), audit["after"]["lat"].as_f64()), (Some(41.782), Some(41.783)));
    // Its orders are dispatched like any: offered to whoever serves it, or given to the workers.
    let order = json!({"item_id": 15, "community_id": community, "address": "新社区1号", "lat": 41.783, "lng": 123.405,
        "asap": true});
    let id = dispatched(api, &resident, order).await;
    assert!(matches!(api.order(&resident, &id).await.body["state"].as_str(), Some("offered" | "escalated")));
}
on_both_backends!(an_admin_adds_a_community_and_moves_its_centre_and_orders_there_are_dispatched);
