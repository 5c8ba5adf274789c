//! The live stream (`GET /api/v1/live`, server-sent events) over HTTP: each account hears what changed for it
//! (its order moved, an offer came or went, a message arrived, a shift it is on or organizes changed) and
//! nothing of anyone else's, on the embedded
//! default and across `serve` replicas with a separate `jobs` process. The pages built on it are tested in a
//! real browser in `web.rs`.

use std::time::Duration;

use linli_integration_tests::{Api, Backend, Replicas, TestApp, cleaning_order, next_event, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

const WITHIN: Duration = Duration::from_secs(15);

/// An open stream and what was read past its last event.
struct Live {
    resp: reqwest::Response,
    pending: String,
}

impl Live {
    async fn open(api: &Api, token: &str) -> Self {
        let (status, resp) = api.stream("/api/v1/live", Some(token)).await;
        assert_eq!(status, StatusCode::OK);
        let resp = resp.unwrap();
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        assert!(resp.headers().get("content-encoding").is_none(), "a live stream is never compressed");
        Self { resp, pending: String::new() }
    }

    /// Reads events until one of `kind` says `order` is now in `state`; panics if none does within the wait.
    async fn until(&mut self, kind: &str, order: &str, state: &str) {
        let what = format!("{kind} event for {order} in {state}");
        self.until_heard(&what, |e| e["kind"] == kind && e["order_id"] == order && e["state"] == state).await;
    }

    /// Reads events until one says the roster of `shift` changed.
    async fn until_roster(&mut self, shift: &str) {
        self.until_heard(&format!("roster event for {shift}"), |e| e["kind"] == "roster" && e["shift_id"] == shift)
            .await;
    }

    async fn until_heard(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) {
        loop {
            let event = next_event(&mut self.resp, &mut self.pending, WITHIN)
                .await
                .unwrap_or_else(|| panic!("no {what} within {WITHIN:?}"));
            if wanted(&event) {
                return;
            }
        }
    }

    /// Everything heard within a short wait.
    async fn drain(&mut self) -> Vec<Value> {
        let mut heard = Vec::new();
        while let Some(e) = next_event(&mut self.resp, &mut self.pending, Duration::from_millis(1500)).await {
            heard.push(e);
        }
        heard
    }
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn an_order_is_followed_live_by_its_resident_and_the_providers_offered_it(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let neighbour = api.login_demo("resident2").await;
    let mut boards = Vec::new();
    for n in 1..=5 {
        let staff = api.login_demo(&format!("org{n:03}")).await;
        boards.push((Live::open(api, &staff).await, staff));
    }
    let mut mine = Live::open(api, &resident).await;
    let mut theirs = Live::open(api, &neighbour).await;

    let id = id_of(&api.place_order(&resident, cleaning_order(), None).await.body);
    mine.until("order", &id, "offered").await;
    // The providers offered it hear of the offer; the first to accept takes it, and the others hear it go.
    let mut hearing = Vec::new();
    for (live, staff) in &mut boards {
        let offers = api.offers(staff).await.body;
        if offers["offers"].as_array().unwrap().iter().any(|o| o["order"]["id"] == id.as_str()) {
            live.until("offer", &id, "offered").await;
            hearing.push((live, staff.clone()));
        }
    }
    assert!(hearing.len() >= 2, "a broadcast item is offered to several of the demo organizations");
    let (first, taker) = hearing.remove(0);
    assert_eq!(api.act(&taker, &id, "accept").await.status, StatusCode::OK);
    mine.until("order", &id, "accepted").await;
    first.until("order", &id, "accepted").await;
    for (other, _) in hearing {
        // The offer is gone from the others' boards.
        other.until("offer", &id, "accepted").await;
    }
    let heard = theirs.drain().await;
    assert!(heard.iter().all(|e| e["kind"] == "resync"), "another resident hears nothing of it: {heard:?}");
}
on_both_backends!(an_order_is_followed_live_by_its_resident_and_the_providers_offered_it);

/// A one-place shift a week ahead in 文安路社区, open to residents, made by the demo worker; its id.
async fn one_place_shift(api: &Api, worker: &str) -> String {
    let week = (chrono::Utc::now() + chrono::Duration::days(7)).format("%Y-%m-%d").to_string();
    let body = serde_json::json!({
        "title": "共产党员社区奉献日", "dedication_day": true, "recurrence": {"kind": "once"}, "first_date": week,
        "shifts": [{"title": "清扫楼道", "start": "09:00", "end": "11:00", "place": "文安路社区党群服务中心",
                    "capacity": 1, "members_only": false}]
    });
    let made = api.create_event(worker, 1, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    made.body["occurrences"][0]["shifts"][0]["id"].as_str().unwrap().to_owned()
}

async fn a_roster_change_is_heard_by_the_people_on_the_shift_and_its_organizers_and_nobody_else(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let (first, second) = (api.login_demo("resident").await, api.login_demo("resident2").await);
    let shift = one_place_shift(api, &worker).await;
    let mut organizer = Live::open(api, &worker).await;
    let mut waiting = Live::open(api, &second).await;
    let mut stranger = Live::open(api, &api.login_demo("org001").await).await;

    assert_eq!(api.sign_up(&first, &shift).await.body["state"], "confirmed");
    organizer.until_roster(&shift).await;
    assert_eq!(api.sign_up(&second, &shift).await.body["state"], "wait_listed");
    organizer.until_roster(&shift).await;
    waiting.until_roster(&shift).await;
    // The first gives the place up: the organizer, and the second who moved up into it, hear it at once.
    assert_eq!(api.cancel_sign_up(&first, &shift).await.status, StatusCode::OK);
    organizer.until_roster(&shift).await;
    waiting.until_roster(&shift).await;
    let roster = api.roster(&worker, &shift).await.body;
    assert_eq!(roster["confirmed"].as_array().unwrap().len(), 1, "the wait-list moved up: {roster:?}");
    let heard = stranger.drain().await;
    assert!(heard.iter().all(|e| e["kind"] == "resync"), "a provider's staff hears nothing of it: {heard:?}");
}
on_both_backends!(a_roster_change_is_heard_by_the_people_on_the_shift_and_its_organizers_and_nobody_else);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_on_one_replica_is_heard_by_the_organizer_on_another() {
    let Replicas { fresh: _fresh, a, b, jobs: _jobs } = Replicas::start().await;
    let worker = a.api().login_demo("worker").await;
    let shift = one_place_shift(a.api(), &worker).await;
    let mut organizer = Live::open(b.api(), &worker).await;
    let resident = a.api().login_demo("resident").await;
    assert_eq!(a.api().sign_up(&resident, &shift).await.body["state"], "confirmed");
    organizer.until_roster(&shift).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_on_one_replica_hears_what_a_separate_jobs_process_and_another_replica_did() {
    let Replicas { fresh: _fresh, a, b, jobs: _jobs } = Replicas::start().await;
    let resident = a.api().login_demo("resident").await;
    let mut live = Live::open(b.api(), &resident).await;
    // Placed on replica A, dispatched by the jobs process, heard on replica B.
    let id = id_of(&a.api().place_order(&resident, cleaning_order(), None).await.body);
    live.until("order", &id, "offered").await;
    let staff = a.api().offered_staff(&id).await.remove(0);
    assert_eq!(a.api().act(&staff, &id, "accept").await.status, StatusCode::OK);
    live.until("order", &id, "accepted").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_opens_a_stream_without_signing_in() {
    let app = TestApp::spawn(Backend::Embedded).await;
    assert_eq!(app.api.stream("/api/v1/live", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.api.stream("/api/v1/live", Some("not-a-token")).await.0, StatusCode::UNAUTHORIZED);
}
