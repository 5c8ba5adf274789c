//! The audit log over HTTP: admins' and workers' changes are recorded with who, what, when and before/after,
//! only when the change happened, and admins list them filtered, a page at a time, or as CSV.

use linli_integration_tests::{TestApp, on_both_backends};
use serde_json::json;

async fn an_admins_changes_are_audited_with_before_and_after(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let admin_id = api.get("/api/v1/me", Some(&admin)).await.body["id"].as_str().unwrap().to_owned();
    let made = api
        .create_account(
            &admin,
            json!({"username": "li.worker", "password": "long-enough", "display_name": "李社工",
            "role": "community_worker", "community_id": 1}),
        )
        .await;
    let account = made.body["id"].as_str().unwrap().to_owned();
    let disable = format!("/api/v1/admin/accounts/{account}/disable");
    assert_eq!(api.post(&disable, Some(&admin), json!({})).await.status.as_u16(), 204);
    let unknown = "/api/v1/admin/accounts/00000000-0000-7000-8000-000000000000/disable";
    assert_eq!(api.post(unknown, Some(&admin), json!({})).await.status.as_u16(), 404);
    let policy = api.patch("/api/v1/admin/catalog/items/15", &admin, json!({"broadcast_k": 5})).await;
    assert_eq!(policy.status.as_u16(), 200, "{:?}", policy.body);

    let log = api.get("/api/v1/admin/audit", Some(&admin)).await;
    assert_eq!(log.status.as_u16(), 200, "{:?}", log.body);
    let entries = log.body["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["catalog.item_changed", "account.disabled", "account.created"],
        "newest first, and the refused disable left nothing"
    );
    assert!(entries.iter().all(|e| e["actor_id"] == admin_id.as_str()));
    let (policy, disabled, created) = (&entries[0], &entries[1], &entries[2]);
    assert_eq!(policy["object"], "catalog_item:15");
    assert_eq!((policy["before"]["broadcast_k"].as_u64(), policy["after"]["broadcast_k"].as_u64()), (Some(3), Some(5)));
    assert_eq!(disabled["object"], format!("account:{account}"));
    assert_eq!((&disabled["before"]["disabled"], &disabled["after"]["disabled"]), (&json!(false), &json!(true)));
    assert_eq!(created["after"]["username"], "li.worker");
    assert!(created.get("before").is_none(), "nothing was there before");
}
on_both_backends!(an_admins_changes_are_audited_with_before_and_after);

async fn the_audit_log_is_filtered_paged_and_exported_for_admins_only(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    for year in [2027, 2028, 2029] {
        let set = api
            .send(
                reqwest::Method::PUT,
                &format!("/api/v1/admin/hours-quota/{year}"),
                Some(&admin),
                Some(json!({"hours": 40})),
                &[],
            )
            .await;
        assert_eq!(set.status.as_u16(), 200, "{:?}", set.body);
    }
    let first = api.get("/api/v1/admin/audit?action=quota.set&limit=2", Some(&admin)).await;
    assert_eq!(first.body["entries"].as_array().unwrap().len(), 2);
    let cursor = first.body["next_cursor"].as_str().expect("another page").to_owned();
    let second = api.get(&format!("/api/v1/admin/audit?action=quota.set&limit=2&cursor={cursor}"), Some(&admin)).await;
    assert_eq!(second.body["entries"][0]["object"], "quota:2027");
    assert!(second.body.get("next_cursor").is_none());
    let one = api.get("/api/v1/admin/audit?object=quota:2028", Some(&admin)).await;
    assert_eq!(one.body["entries"].as_array().unwrap().len(), 1);
    let bad = api.get("/api/v1/admin/audit?action=everything", Some(&admin)).await;
    assert_eq!((bad.status.as_u16(), bad.field()), (422, "action"));

    let (status, content_type, csv) = api.text("/api/v1/admin/audit.csv?object=quota", Some(&admin)).await;
    assert_eq!(status.as_u16(), 200);
    assert!(content_type.starts_with("text/csv"));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "at,actor_id,actor_name,action,object,before,after");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].contains("quota.set") && lines[1].contains("quota:2029"), "{}", lines[1]);

    for who in ["worker", "resident", "org001"] {
        let token = api.login_demo(who).await;
        assert_eq!(api.get("/api/v1/admin/audit", Some(&token)).await.status.as_u16(), 403, "{who}");
    }
}
on_both_backends!(the_audit_log_is_filtered_paged_and_exported_for_admins_only);

async fn a_workers_handling_of_escalations_is_audited(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let worker = api.login_demo("worker").await;
    let admin = api.login_demo("admin").await;
    // Volunteer work with no Party member registered yet is escalated at once.
    let volunteer =
        json!({"item_id": 100, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40, "asap": true});
    let first = api.place_order(&resident, volunteer.clone(), None).await.body["id"].as_str().unwrap().to_owned();
    let second = api.place_order(&resident, volunteer, None).await.body["id"].as_str().unwrap().to_owned();
    for id in [&first, &second] {
        api.wait_for_state(&resident, id, "escalated", std::time::Duration::from_secs(10)).await;
    }
    let member = api
        .create_provider(
            &admin,
            json!({"kind": "party_member", "name": "党员王", "community_id": 1, "lat": 41.78,
            "lng": 123.40, "capacity": 1, "item_ids": [100], "coverage_community_ids": [1]}),
        )
        .await;
    let assign = json!({"provider_id": member.body["id"], "reason": "王师傅就住楼下"});
    assert_eq!(api.post(&format!("/api/v1/orders/{first}/assign"), Some(&worker), assign).await.status.as_u16(), 200);
    let close = json!({"reason": "居民已自行解决"});
    assert_eq!(
        api.post(&format!("/api/v1/orders/{second}/close"), Some(&worker), close.clone()).await.status.as_u16(),
        200
    );
    assert_eq!(api.post(&format!("/api/v1/orders/{second}/close"), Some(&worker), close).await.status.as_u16(), 409);

    let worker_id = api.get("/api/v1/me", Some(&worker)).await.body["id"].as_str().unwrap().to_owned();
    let log = api.get(&format!("/api/v1/admin/audit?actor={worker_id}"), Some(&admin)).await;
    let entries = log.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "the refused second close is not recorded: {entries:?}");
    assert_eq!(
        (entries[0]["action"].as_str(), entries[0]["object"].as_str()),
        (Some("order.closed"), Some(format!("order:{second}").as_str()))
    );
    assert_eq!(entries[0]["before"]["state"], "escalated");
    assert_eq!(entries[0]["after"]["state"], "cancelled");
    assert_eq!(entries[1]["action"], "order.assigned");
    assert_eq!(entries[1]["after"]["provider_id"], member.body["id"]);
    assert_eq!(entries[1]["actor_name"].as_str().map(|n| !n.is_empty()), Some(true));
}
on_both_backends!(a_workers_handling_of_escalations_is_audited);
