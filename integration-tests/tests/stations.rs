//! Red stations (红色驿站) over HTTP: the street's map shows its station with its 15-minute circle and each
//! community's walk to the nearest, and a station an admin sets up takes the requests within a 15-minute walk and
//! none beyond, with no communities of its own.

use std::time::Duration;

use linli_integration_tests::{Api, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn a_streets_map_shows_its_red_station_with_its_circle_and_each_communitys_walk_to_the_nearest(app: TestApp) {
    let api = &app.api;
    let street = api.login_demo("street").await;
    let map = api.get("/api/v1/streets/1/map", Some(&street)).await;
    assert_eq!(map.status, StatusCode::OK, "{:?}", map.body);
    let stations = map.body["stations"].as_array().unwrap();
    let own = stations.iter().find(|s| s["name"].as_str().unwrap().ends_with("红色驿站")).expect("a station is drawn");
    // Fifteen minutes at 4.5 km/h, over roads 1.3 times the straight line.
    let radius = own["radius_m"].as_f64().unwrap();
    assert!((radius - 15.0 * 4500.0 / 60.0 / 1.3).abs() < 1.0, "{radius}");
    let communities = map.body["communities"].as_array().unwrap();
    let inside = communities.iter().filter(|c| c["station_minutes"].as_f64().unwrap() <= 15.0).count();
    assert_eq!(map.body["within_circle"].as_u64(), Some(inside as u64));
    assert!(inside >= 1, "the street's own station reaches at least the community it stands in");
    let kinds: Vec<&str> =
        map.body["providers"].as_array().unwrap().iter().filter_map(|p| p["kind"].as_str()).collect();
    assert!(kinds.contains(&"red_station"), "{kinds:?}");
}
on_both_backends!(a_streets_map_shows_its_red_station_with_its_circle_and_each_communitys_walk_to_the_nearest);

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

async fn a_red_station_takes_the_requests_within_its_circle_and_none_beyond(app: TestApp) {
    let api = &app.api;
    let (admin, resident) = (api.login_demo("admin").await, api.login_demo("resident").await);
    // An item nobody else offers, so that only the station can be offered it.
    let item = api
        .post(
            "/api/v1/admin/catalog/items",
            Some(&admin),
            json!({"code": "JOB-099", "name": "驿站就业咨询", "category": "employment"}),
        )
        .await;
    let item = item.body["id"].as_i64().unwrap();
    let station = json!({"kind": "red_station", "name": "文安路红色驿站", "community_id": 1, "lat": 41.781,
        "lng": 123.402, "capacity": 3, "item_ids": [item], "coverage_community_ids": []});
    let station = api.create_provider(&admin, station).await;
    assert_eq!(station.status, StatusCode::CREATED, "{:?}", station.body);
    let station = station.body["id"].as_str().unwrap().to_owned();

    let near = json!({"item_id": item, "community_id": 1, "address": "文安路14号", "lat": 41.783, "lng": 123.404,
        "asap": true});
    let near = dispatched(api, &resident, near).await;
    assert_eq!(api.order(&resident, &near).await.body["state"], "offered");
    // About 1.5 km north: a 15-minute ride at the item's speed, but not a 15-minute walk from the station.
    let far = json!({"item_id": item, "community_id": 1, "address": "文安路16号", "lat": 41.7945, "lng": 123.402,
        "asap": true});
    let far = dispatched(api, &resident, far).await;
    assert_eq!(api.order(&resident, &far).await.body["state"], "escalated");
    let figures = api.get(&format!("/api/v1/providers/{station}"), Some(&admin)).await.body["figures"].clone();
    assert_eq!(figures["offered"], 1, "{figures:?}");
}
on_both_backends!(a_red_station_takes_the_requests_within_its_circle_and_none_beyond);
