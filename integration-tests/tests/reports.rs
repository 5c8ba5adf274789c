//! The area dashboard, its CSV and map, and the provider and account lists, over HTTP on both backends: the
//! figures are counted from what really happened to the orders (accepted, withdrawn, escalated), a street's
//! are its communities' summed, and bad periods are refused naming their field. Each provider's share of the
//! offers, acceptance, time to accept and declines are counted from the offers really made.

use std::time::Duration;

use linli_integration_tests::{TestApp, cleaning_order, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Today in Shanghai, as the dashboard dates its days.
fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y-%m-%d").to_string()
}

fn day<'a>(board: &'a Value, date: &str) -> &'a Value {
    board["days"].as_array().unwrap().iter().find(|d| d["date"] == date).expect("today is among the days")
}

async fn the_dashboard_counts_what_happened_to_the_areas_orders(app: TestApp) {
    let api = &app.api;
    let (resident, worker, admin) =
        (api.login_demo("resident").await, api.login_demo("worker").await, api.login_demo("admin").await);
    let wait = Duration::from_secs(15);

    let taken = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &taken, "offered", wait).await;
    let holder = api.offered_staff(&taken).await.into_iter().next().expect("someone is offered the cleaning");
    assert_eq!(api.act(&holder, &taken, "accept").await.status, StatusCode::OK);
    let withdrawn = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(api.act(&resident, &withdrawn, "cancel").await.status, StatusCode::OK);
    // Volunteer work with no Party member registered yet is escalated at once.
    let volunteer =
        json!({"item_id": 100, "community_id": 1, "address": "文安路8号", "lat": 41.78, "lng": 123.40, "asap": true});
    let escalated = api.place_order(&resident, volunteer, None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &escalated, "escalated", wait).await;

    let board = api.get("/api/v1/communities/1/dashboard", Some(&worker)).await;
    assert_eq!(board.status, StatusCode::OK, "{:?}", board.body);
    assert_eq!(board.body["days"].as_array().unwrap().len(), 14, "two weeks by default");
    let now = day(&board.body, &today());
    assert_eq!((now["orders"].as_u64(), now["filled"].as_u64()), (Some(3), Some(1)));
    assert_eq!((now["withdrawn"].as_u64(), now["escalated"].as_u64()), (Some(1), Some(1)));
    assert_eq!(now["fill_rate"].as_f64(), Some(0.5), "one of the two that could be filled was");
    assert!(now["median_accept_seconds"].as_i64().is_some());
    assert_eq!(board.body["open_escalations"], 1);

    let (status, kind, csv) = api.text("/api/v1/communities/1/dashboard.csv", Some(&worker)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let line = csv.lines().find(|l| l.starts_with(&today())).expect("today's line");
    assert!(line.starts_with(&format!("{},3,1,1,0.5000,", today())), "{line}");

    // Community 1's street holds at least its figures.
    let street = api.get("/api/v1/geo/communities/1", None).await.body["parent_id"].as_i64().unwrap();
    let street_board = api.get(&format!("/api/v1/streets/{street}/dashboard"), Some(&admin)).await;
    assert!(day(&street_board.body, &today())["orders"].as_u64() >= Some(3));
    let refused = api.get(&format!("/api/v1/streets/{street}/dashboard"), Some(&worker)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let map = api.get("/api/v1/communities/1/map", Some(&worker)).await;
    let communities = map.body["communities"].as_array().unwrap();
    assert!(communities.iter().any(|c| c["name"] == "文安路社区" && c["lat"].as_f64().is_some()));
    assert!(map.body["providers"].as_array().unwrap().iter().all(|p| p["kind"] != "party_member"));
}
on_both_backends!(the_dashboard_counts_what_happened_to_the_areas_orders);

async fn a_dashboard_period_out_of_bounds_is_refused_naming_its_field(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    for (query, status, field) in [
        ("from=2026-12-05&to=2026-12-01", StatusCode::UNPROCESSABLE_ENTITY, "from"),
        ("from=2026-01-01&to=2026-12-01", StatusCode::UNPROCESSABLE_ENTITY, "from"),
        ("to=2999-01-01", StatusCode::UNPROCESSABLE_ENTITY, "to"),
        ("from=yesterday", StatusCode::BAD_REQUEST, "from"),
    ] {
        let r = api.get(&format!("/api/v1/communities/1/dashboard?{query}"), Some(&worker)).await;
        assert_eq!(r.status, status, "{query}: {:?}", r.body);
        assert_eq!(r.body["field"], field, "{query}");
    }
    let missing = api.get("/api/v1/communities/99999/dashboard", Some(&api.login_demo("admin").await)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
on_both_backends!(a_dashboard_period_out_of_bounds_is_refused_naming_its_field);

async fn providers_and_accounts_are_listed_a_page_at_a_time_and_filtered(app: TestApp) {
    let api = &app.api;
    let (worker, admin) = (api.login_demo("worker").await, api.login_demo("admin").await);
    let first = api.get("/api/v1/providers?item_id=15&limit=2", Some(&worker)).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let cursor = first.body["next_cursor"].as_str().expect("more than two offer cleaning").to_owned();
    let rest = api.get(&format!("/api/v1/providers?item_id=15&limit=100&cursor={cursor}"), Some(&worker)).await;
    let ids: Vec<&Value> = first.body["providers"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
    assert!(rest.body["providers"].as_array().unwrap().iter().all(|p| !ids.contains(&&p["id"])));
    let everyone =
        api.get("/api/v1/providers?limit=100", Some(&admin)).await.body["providers"].as_array().unwrap().len();
    let cleaners = 2 + rest.body["providers"].as_array().unwrap().len();
    assert!(everyone > cleaners, "the item filter keeps only those offering it");

    let workers = api.get("/api/v1/admin/accounts?role=community_worker", Some(&admin)).await;
    let accounts = workers.body["accounts"].as_array().unwrap();
    assert!(!accounts.is_empty() && accounts.iter().all(|a| a["role"] == "community_worker"));
    let found = api.get("/api/v1/admin/accounts?q=WORKER", Some(&admin)).await;
    assert!(found.body["accounts"].as_array().unwrap().iter().any(|a| a["username"] == "worker"));
    let bad = api.get("/api/v1/admin/accounts?role=mayor", Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.get("/api/v1/admin/accounts", Some(&worker)).await.status, StatusCode::FORBIDDEN);
}
on_both_backends!(providers_and_accounts_are_listed_a_page_at_a_time_and_filtered);

async fn service_levels_count_each_providers_offers_against_its_share(app: TestApp) {
    let api = &app.api;
    let (resident, worker, admin) =
        (api.login_demo("resident").await, api.login_demo("worker").await, api.login_demo("admin").await);
    let wait = Duration::from_secs(15);
    let taken = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &taken, "offered", wait).await;
    let offered = api.offered_staff(&taken).await;
    assert!(offered.len() >= 2, "cleaning is offered to three at once");
    assert_eq!(api.act(&offered[1], &taken, "decline").await.status, StatusCode::OK);
    assert_eq!(api.act(&offered[0], &taken, "accept").await.status, StatusCode::OK);
    let (taker, decliner) = (
        api.get("/api/v1/me", Some(&offered[0])).await.body["provider_id"].clone(),
        api.get("/api/v1/me", Some(&offered[1])).await.body["provider_id"].clone(),
    );

    let levels = api.get("/api/v1/service-levels?community_id=1&item_id=15", Some(&worker)).await;
    assert_eq!(levels.status, StatusCode::OK, "{:?}", levels.body);
    let lines = levels.body["providers"].as_array().unwrap();
    let line = |id: &Value| lines.iter().find(|l| &l["provider_id"] == id).unwrap_or_else(|| panic!("{lines:?}"));
    let offers: u64 = lines.iter().map(|l| l["offered"].as_u64().unwrap()).sum();
    assert_eq!(levels.body["offered"].as_u64(), Some(offers));
    assert!(offers >= 2, "{lines:?}");
    let shares: f64 = lines.iter().map(|l| l["share"].as_f64().unwrap()).sum();
    assert!((shares - 1.0).abs() < 1e-9, "the shares add up to the whole: {shares}");
    let took = line(&taker);
    assert_eq!((took["accepted"].as_u64(), took["acceptance_rate"].as_f64()), (Some(1), Some(1.0)), "{took:?}");
    assert!(took["median_accept_seconds"].as_i64().is_some_and(|s| s >= 0), "{took:?}");
    let turned_down = line(&decliner);
    assert_eq!((turned_down["declined"].as_u64(), turned_down["acceptance_rate"].as_f64()), (Some(1), Some(0.0)));

    let street = api.login_demo("street").await;
    let own = api.get("/api/v1/service-levels?item_id=15", Some(&street)).await;
    assert_eq!((own.body["area_kind"].as_str(), own.body["offered"].as_u64()), (Some("street"), Some(offers)));
    let other_day = api.get("/api/v1/service-levels?community_id=1&item_id=16", Some(&admin)).await;
    assert_eq!(other_day.body["offered"], 0, "another item's offers are not counted");
    // An admin who names no area reads the whole city's table, which holds the street's.
    let city = api.get("/api/v1/service-levels?item_id=15", Some(&admin)).await;
    assert_eq!((city.body["area_kind"].as_str(), city.body.get("area_id")), (Some("city"), None), "{:?}", city.body);
    assert!(city.body["offered"].as_u64().unwrap() >= offers);
    let city_lines = city.body["providers"].as_array().unwrap();
    assert!(city_lines.iter().any(|l| l["provider_id"] == taker && l["accepted"] == 1), "{city_lines:?}");
    for (path, token, status, field) in [
        ("/api/v1/service-levels?community_id=1&street_id=1", &admin, StatusCode::UNPROCESSABLE_ENTITY, "street_id"),
        ("/api/v1/service-levels?street_id=2", &worker, StatusCode::FORBIDDEN, ""),
        ("/api/v1/service-levels?community_id=1", &resident, StatusCode::FORBIDDEN, ""),
    ] {
        let refused = api.get(path, Some(token)).await;
        assert_eq!((refused.status, refused.field()), (status, field), "{path}: {:?}", refused.body);
    }
}
on_both_backends!(service_levels_count_each_providers_offers_against_its_share);
