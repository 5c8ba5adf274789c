//! Notifications end to end: webhooks to a real local HTTP server (signed, retried, dead-lettered and
//! replayed), SMS reminders sent exactly once by three `linli jobs` processes, and an order whose announcement
//! survives the process that placed it being killed.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use linli_api::config::ConfigArgs;
use linli_integration_tests::{Backend, Fresh, LinliProcess, Receiver, TestApp, cleaning_order, scalar, steps_done};
use reqwest::StatusCode;
use serde_json::json;
use sha2::Sha256;

/// Embedded Linli whose deliveries are retried after about a second, at most `attempts` times.
async fn app_retrying_quickly(attempts: u32) -> TestApp {
    let fresh = Fresh::new(Backend::Embedded).await;
    let args = ConfigArgs {
        delivery_retry_seconds: Some(1),
        delivery_max_attempts: Some(attempts),
        // The receiver is on this host.
        webhook_allow_internal: Some(true),
        ..fresh.args()
    };
    TestApp::spawn_with_args(fresh, args).await
}

/// Places a cleaning order, lets the first offered organization point its webhook at `url`, and has it accept.
/// Returns the webhook secret.
async fn accepted_with_webhook(app: &TestApp, url: &str) -> String {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let id = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(20)).await;
    let staff = api.offered_staff(&id).await.remove(0);
    let set = api.set_webhook(&staff, url).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let secret = set.body["secret"].as_str().expect("the secret is shown when it is made").to_owned();
    assert_eq!(api.act(&staff, &id, "accept").await.status, StatusCode::OK);
    secret
}

fn accepted_calls(receiver: &Receiver) -> Vec<linli_integration_tests::Received> {
    receiver.received().into_iter().filter(|r| r.header("linli-event-type") == Some("order.accepted")).collect()
}

async fn wait_for_accepted_calls(receiver: &Receiver, n: usize) -> Vec<linli_integration_tests::Received> {
    let until = std::time::Instant::now() + Duration::from_secs(30);
    while accepted_calls(receiver).len() < n && std::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    accepted_calls(receiver)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_signed_with_the_secret_and_retried_until_it_lands_once() {
    let receiver = Receiver::start_for("order.accepted", &[500, 503]).await;
    let app = app_retrying_quickly(8).await;
    let secret = accepted_with_webhook(&app, &receiver.url).await;
    let calls = wait_for_accepted_calls(&receiver, 3).await;
    assert_eq!(calls.len(), 3, "two failures, then the one that landed");
    // A day later, long past any retry or lease, the delivery step finds nothing left to send.
    app.clock.advance(chrono::TimeDelta::days(1));
    let attempted = app.backends.notifier().deliver_pending().await.unwrap();
    assert_eq!((attempted, accepted_calls(&receiver).len()), (0, 3), "nothing more once it landed");
    let delivery = calls[0].header("linli-delivery").unwrap().to_owned();
    assert!(calls.iter().all(|c| c.header("linli-delivery") == Some(delivery.as_str())), "one delivery, retried");

    // The receiver's side of the signature: HMAC-SHA256 over "<t>.<body>" with the secret.
    let last = calls.last().unwrap();
    let signature = last.header("linli-signature").unwrap();
    let (t, v1) = signature.split_once(',').unwrap();
    let (t, v1) = (t.strip_prefix("t=").unwrap(), v1.strip_prefix("v1=").unwrap());
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", last.body).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(v1, expected, "the signature verifies with the secret");
    let body: serde_json::Value = serde_json::from_str(&last.body).unwrap();
    assert_eq!(body["type"], "order.accepted");
    assert!(body["event_id"].as_str().is_some());

    let admin = app.api.login_demo("admin").await;
    let delivered = app.api.deliveries(&admin, "delivered").await;
    let ours = delivered.body["deliveries"].as_array().unwrap().iter().find(|d| d["id"] == delivery.as_str()).cloned();
    assert_eq!(ours.expect("listed as delivered")["attempts"], 3);
}

const METRICS_TOKEN: &str = "metrics-token-for-the-test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_each_jobs_runs_and_the_dead_letters() {
    let receiver = Receiver::start_for("order.accepted", &[500]).await;
    let fresh = Fresh::new(Backend::Embedded).await;
    let args = ConfigArgs {
        delivery_retry_seconds: Some(1),
        delivery_max_attempts: Some(1),
        webhook_allow_internal: Some(true),
        metrics_token: Some(METRICS_TOKEN.to_owned()),
        ..fresh.args()
    };
    let app = TestApp::spawn_with_args(fresh, args).await;
    accepted_with_webhook(&app, &receiver.url).await;
    assert_eq!(wait_for_accepted_calls(&receiver, 1).await.len(), 1);
    let url = format!("{}/metrics", app.api.base);
    let mut text = String::new();
    for _ in 0..50 {
        let reply = app.api.http.get(&url).bearer_auth(METRICS_TOKEN).send().await.unwrap();
        assert!(reply.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        text = reply.text().await.unwrap();
        if text.contains("linli_deliveries{state=\"dead\"} 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text.contains("linli_deliveries{state=\"dead\"} 1"), "{text}");
    assert!(text.contains("# TYPE linli_job_runs_total counter"), "{text}");
    assert!(text.contains("linli_job_runs_total{job=\"deliver_outbox\"}"), "{text}");
    assert!(text.contains("linli_job_failures_total{job=\"deliver_pending\"} 0"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_not_public() {
    let fresh = Fresh::new(Backend::Embedded).await;
    let args = ConfigArgs { metrics_token: Some(METRICS_TOKEN.to_owned()), ..fresh.args() };
    let app = TestApp::spawn_with_args(fresh, args).await;
    let url = format!("{}/metrics", app.api.base);
    let anonymous = app.api.http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let resident = app.api.login_demo("resident").await;
    let with_a_session = app.api.http.get(&url).bearer_auth(&resident).send().await.unwrap();
    assert_eq!(with_a_session.status().as_u16(), 401, "a user's token is not the metrics token");
    let spec = app.api.get("/openapi.json", None).await.body;
    assert!(spec["paths"].get("/metrics").is_none(), "metrics are not part of the public API");

    let unset = TestApp::spawn(Backend::Embedded).await;
    let none = unset.api.http.get(format!("{}/metrics", unset.api.base)).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 404, "without a token the main address has no /metrics at all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_on_their_own_address_when_one_is_set() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let fresh = Fresh::new(Backend::Embedded).await;
    let args = ConfigArgs { metrics_bind: Some(format!("127.0.0.1:{port}")), ..fresh.args() };
    let app = TestApp::spawn_with_args(fresh, args).await;
    let separate = app.api.http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(separate.status().as_u16(), 200);
    assert!(separate.text().await.unwrap().contains("# TYPE linli_job_runs_total counter"));
    let main = app.api.http.get(format!("{}/metrics", app.api.base)).send().await.unwrap();
    assert_eq!(main.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_that_keeps_failing_becomes_a_dead_letter_and_a_replay_delivers_it() {
    let receiver = Receiver::start_for("order.accepted", &[500, 500, 500]).await;
    let app = app_retrying_quickly(3).await;
    accepted_with_webhook(&app, &receiver.url).await;
    assert_eq!(wait_for_accepted_calls(&receiver, 3).await.len(), 3);
    let admin = app.api.login_demo("admin").await;
    let mut dead = serde_json::Value::Null;
    for _ in 0..50 {
        let listed = app.api.deliveries(&admin, "dead").await;
        let accepted = listed.body["deliveries"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["event_type"] == "order.accepted").cloned());
        if let Some(found) = accepted {
            dead = found;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(dead["attempts"], 3, "given up after three attempts: {dead}");
    assert!(dead["last_error"].as_str().unwrap().contains("500"), "{dead}");

    let id = dead["id"].as_str().unwrap();
    let replayed = app.api.post(&format!("/api/v1/admin/deliveries/{id}/replay"), Some(&admin), json!({})).await;
    assert_eq!((replayed.status, replayed.body["state"].as_str()), (StatusCode::OK, Some("pending")));
    assert_eq!(wait_for_accepted_calls(&receiver, 4).await.len(), 4, "the replay reached the receiver");
    let again = app.api.post(&format!("/api/v1/admin/deliveries/{id}/replay"), Some(&admin), json!({})).await;
    let delivered = app.api.deliveries(&admin, "delivered").await;
    assert!(delivered.body["deliveries"].as_array().unwrap().iter().any(|d| d["id"] == id));
    assert_eq!(again.status, StatusCode::NOT_FOUND, "only a dead delivery can be replayed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_manages_its_webhook_and_rotates_its_secret() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let staff = api.login_demo("org001").await;
    assert_eq!(api.webhook(&staff).await.status, StatusCode::NOT_FOUND);
    let bad = api
        .send(reqwest::Method::PUT, "/api/v1/provider/webhook", Some(&staff), Some(json!({"url": "ftp://x"})), &[])
        .await;
    assert_eq!((bad.status, bad.field()), (StatusCode::BAD_REQUEST, "url"));
    let url = "https://org001.example/linli";
    let first = api.set_webhook(&staff, url).await;
    let secret = first.body["secret"].as_str().unwrap().to_owned();
    let moved = api
        .send(
            reqwest::Method::PUT,
            "/api/v1/provider/webhook",
            Some(&staff),
            Some(json!({"url": format!("{url}/v2")})),
            &[],
        )
        .await;
    assert!(moved.body["secret"].is_null(), "changing the URL keeps the secret and does not show it again");
    let rotated = api.post("/api/v1/provider/webhook/rotate-secret", Some(&staff), json!({})).await;
    let new_secret = rotated.body["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(api.webhook(&staff).await.body["url"], format!("{url}/v2"));
    let resident = api.login_demo("resident").await;
    assert_eq!(api.webhook(&resident).await.status, StatusCode::FORBIDDEN);
    let removed = api.send(reqwest::Method::DELETE, "/api/v1/provider/webhook", Some(&staff), None, &[]).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_reads_their_inbox_and_marks_it_read() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let id = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    let mut unread = 0;
    for _ in 0..100 {
        unread = api.get("/api/v1/inbox/unread-count", Some(&resident)).await.body["unread"].as_u64().unwrap();
        if unread > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(unread, 1);
    let inbox = api.get("/api/v1/inbox?unread=true", Some(&resident)).await;
    let message = &inbox.body["messages"][0];
    assert_eq!((message["title"].as_str(), message["order_id"].as_str()), (Some("订单已提交"), Some(id.as_str())));
    let read =
        api.post(&format!("/api/v1/inbox/{}/read", message["id"].as_str().unwrap()), Some(&resident), json!({})).await;
    assert_eq!(read.body["unread"], 0);
    let other = api.login_demo("resident2").await;
    let theirs =
        api.post(&format!("/api/v1/inbox/{}/read", message["id"].as_str().unwrap()), Some(&other), json!({})).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "nobody else's message");
}

/// The demo resident's first inbox message, once the order they placed has been announced.
async fn first_message(api: &linli_integration_tests::Api, token: &str, headers: &[(&str, &str)]) -> serde_json::Value {
    for _ in 0..100 {
        let inbox = api.send(reqwest::Method::GET, "/api/v1/inbox", Some(token), None, headers).await;
        if let Some(first) = inbox.body["messages"].get(0) {
            return first.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the order was never announced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbox_message_read_with_accept_language_en_is_english() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    api.place_order(&resident, cleaning_order(), None).await;
    let chinese = first_message(api, &resident, &[]).await;
    assert_eq!(chinese["title"], "订单已提交");
    let english = first_message(api, &resident, &[("accept-language", "en-US,en;q=0.9")]).await;
    assert_eq!(english["id"], chinese["id"], "the same message, worded for the reader");
    assert_eq!(english["title"], "Order placed");
    assert!(english["body"].as_str().unwrap().starts_with("Your order for "), "{english}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_that_chose_english_reads_english_unless_a_request_asks_for_chinese() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    api.place_order(&resident, cleaning_order(), None).await;
    let chose = api
        .send(reqwest::Method::PUT, "/api/v1/me/language", Some(&resident), Some(json!({"language": "en"})), &[])
        .await;
    assert_eq!(chose.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/api/v1/me", Some(&resident)).await.body["language"], "en");
    assert_eq!(first_message(api, &resident, &[]).await["title"], "Order placed");
    assert_eq!(first_message(api, &resident, &[("accept-language", "zh-CN")]).await["title"], "订单已提交");
    let refused = api
        .send(reqwest::Method::PUT, "/api/v1/me/language", Some(&resident), Some(json!({"language": "fr"})), &[])
        .await;
    assert_eq!((refused.status, refused.body["title"].as_str()), (StatusCode::BAD_REQUEST, Some("Bad Request")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_reads_in_chinese_by_default_and_in_its_own_english_when_asked() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let bad = json!({"language": "fr"});
    let put = |headers: &'static [(&'static str, &'static str)]| {
        api.send(reqwest::Method::PUT, "/api/v1/me/language", Some(&resident), Some(bad.clone()), headers)
    };
    let chinese = put(&[]).await;
    assert_eq!(chinese.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (chinese.body["code"].as_str(), chinese.body["field"].as_str()),
        (Some("invalid_field"), Some("language"))
    );
    assert_eq!(chinese.body["detail"], "「语言」的格式不正确。");
    assert_eq!(chinese.body["title"], "请求有误");
    let english = put(&[("accept-language", "en")]).await;
    assert_eq!(
        (english.body["code"].as_str(), english.body["field"].as_str()),
        (Some("invalid_field"), Some("language"))
    );
    assert_eq!(english.body["title"], "Bad Request");
    assert!(!english.body["detail"].as_str().unwrap().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_is_texted_in_the_language_its_account_chose() {
    let gateway = Receiver::start(&[]).await;
    let (fresh, db, with_sms) = with_due_reminders(0, &gateway).await;
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE accounts SET language = 'en' WHERE username = 'resident'; \
         INSERT INTO reminders (id, kind, account_id, order_id, due_at, state, text, message, source_key, created_at) \
         SELECT gen_random_uuid(), 'appointment_1h', id, NULL, now() - interval '1 minute', 'pending', \
         '「日常保洁」服务将于12月03日 10:00开始。', \
         '{\"key\":\"appointment_soon\",\"item\":\"日常保洁\",\"start\":\"2026-12-03T02:00:00Z\",\"hours\":1}', \
         'test:en', now() FROM accounts WHERE username = 'resident'",
    )
    .await
    .unwrap();
    let log = fresh.data_dir.join("jobs.log");
    let _jobs = LinliProcess::jobs_logging_to(&with_sms, &log);
    let sent = gateway.wait_for(1, Duration::from_secs(30)).await;
    let text = serde_json::from_str::<serde_json::Value>(&sent[0].body).unwrap()["text"].as_str().unwrap().to_owned();
    assert_eq!(text, "【邻里】The 日常保洁 service starts on 3 Dec at 10:00.");
    let kept =
        "SELECT COUNT(*) FROM inbox_messages WHERE source_key LIKE 'reminder:%' AND message LIKE '%appointment_soon%'";
    assert_eq!(scalar(&db, kept).await, 1, "the inbox keeps what the reminder says, to word it when read");
}

/// A migrated and seeded PostgreSQL database with `n` reminders to the demo resident already due, and the
/// environment of a `linli jobs` process on it that texts through `gateway`.
async fn with_due_reminders(n: u32, gateway: &Receiver) -> (Fresh, sea_orm::DatabaseConnection, Vec<(String, String)>) {
    let fresh = Fresh::new(Backend::Production).await;
    let mut env = fresh.env();
    for step in ["migrate", "seed"] {
        assert!(LinliProcess::run(&[step], &env).status.success(), "linli {step}");
    }
    let db = linli_infra::db::connect(fresh.database_url.as_deref().unwrap(), 2).await.unwrap();
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(&format!(
        "INSERT INTO reminders (id, kind, account_id, order_id, due_at, state, text, source_key, created_at) \
         SELECT gen_random_uuid(), 'appointment_1h', (SELECT id FROM accounts WHERE username = 'resident'), NULL, \
         now() - interval '1 minute', 'pending', '提醒 #' || g, 'test:' || g, now() FROM generate_series(1, {n}) g"
    ))
    .await
    .unwrap();
    env.push(("LINLI_SMS_URL".into(), gateway.url.clone()));
    env.push(("LINLI_SMS_TOKEN".into(), "sms-credential".into()));
    (fresh, db, env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_jobs_processes_send_each_of_a_thousand_due_reminders_exactly_once() {
    let gateway = Receiver::start(&[]).await;
    let (fresh, db, with_sms) = with_due_reminders(1000, &gateway).await;
    let logs: Vec<std::path::PathBuf> = (0..3).map(|n| fresh.data_dir.join(format!("jobs-{n}.log"))).collect();
    let mut jobs: Vec<LinliProcess> = logs.iter().map(|log| LinliProcess::jobs_logging_to(&with_sms, log)).collect();

    gateway.wait_for(1000, Duration::from_secs(90)).await;
    // Every delivery is marked delivered only after its call returned, so once all are, no call is in flight.
    let settled_by = std::time::Instant::now() + Duration::from_secs(30);
    while scalar(&db, "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms' AND state = 'delivered'").await < 1000 {
        assert!(std::time::Instant::now() < settled_by, "the SMS deliveries never all settled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sent = gateway.received();
    assert_eq!(sent.len(), 1000, "each reminder reached the gateway once");
    let texts: std::collections::HashSet<String> = sent
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 1000, "no reminder twice");
    assert!(sent.iter().all(|r| r.header("authorization") == Some("Bearer sms-credential")));
    assert!(sent.iter().all(|r| r.body.contains("13800000001")));
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM reminders WHERE state = 'sent'").await, 1000);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM inbox_messages WHERE source_key LIKE 'reminder:%'").await, 1000);
    // Three processes did the work between them, each a share of it, and all three are still running.
    let claimed: Vec<u64> = logs.iter().map(|log| steps_done(log, "send_due_reminders")).collect();
    assert_eq!(claimed.iter().sum::<u64>(), 1000, "every reminder was claimed once: {claimed:?}");
    let texted: Vec<u64> = logs.iter().map(|log| steps_done(log, "deliver_pending")).collect();
    assert_eq!(texted.iter().sum::<u64>(), 1000, "every text was sent once: {texted:?}");
    assert!(texted.iter().all(|&n| n > 0), "each process sent a share of the texts: {texted:?}");
    assert!(jobs.iter_mut().all(LinliProcess::is_alive), "no jobs process died on the way");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_placed_just_before_its_process_is_killed_is_still_announced() {
    let fresh = Fresh::new(Backend::Production).await;
    let env = fresh.env();
    for step in ["migrate", "seed"] {
        assert!(LinliProcess::run(&[step], &env).status.success(), "linli {step}");
    }
    // `serve` on Redis leaves the outbox to `linli jobs`, none of which runs yet.
    let mut first = tokio::task::spawn_blocking({
        let env = env.clone();
        move || LinliProcess::serve(&env)
    })
    .await
    .unwrap();
    let resident = first.api().login_demo("resident").await;
    let placed = first.api().place_order(&resident, cleaning_order(), None).await;
    assert_eq!(placed.status, StatusCode::CREATED);
    first.kill();

    let _jobs = LinliProcess::jobs(&env);
    let again = tokio::task::spawn_blocking(move || LinliProcess::serve(&env)).await.unwrap();
    let resident = again.api().login_demo("resident").await;
    let mut titles = Vec::new();
    for _ in 0..100 {
        let inbox = again.api().inbox(&resident).await;
        titles = inbox.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["title"].as_str().unwrap().to_owned())
            .collect();
        if titles.contains(&"订单已提交".to_owned()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(titles.contains(&"订单已提交".to_owned()), "announced after the crash: {titles:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_whose_sender_is_killed_mid_call_is_sent_by_another_jobs_process_once_the_lease_runs_out() {
    let gateway = Receiver::start_holding(1).await;
    let (fresh, db, with_sms) = with_due_reminders(1, &gateway).await;
    let logs: Vec<std::path::PathBuf> = (0..2).map(|n| fresh.data_dir.join(format!("jobs-{n}.log"))).collect();
    let mut first = LinliProcess::jobs_logging_to(&with_sms, &logs[0]);
    assert_eq!(gateway.wait_for(1, Duration::from_secs(30)).await.len(), 1, "the first process called the gateway");
    // It is inside the call, which the gateway never answers, holding the delivery's five-minute lease.
    let leased = "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms' AND state = 'pending' \
                  AND next_attempt_at > now() + interval '4 minutes'";
    assert_eq!(scalar(&db, leased).await, 1, "the first process holds the lease");
    first.kill();

    // The second process's clock runs six minutes ahead: for it, the dead process's lease has run out.
    let mut ahead = with_sms.clone();
    ahead.push(("LINLI_TEST_CLOCK_OFFSET_SECONDS".into(), "360".into()));
    let mut second = LinliProcess::jobs_logging_to(&ahead, &logs[1]);
    let calls = gateway.wait_for(2, Duration::from_secs(30)).await;
    assert_eq!(calls.len(), 2, "the second process sent the text again");
    assert_eq!(calls[0].body, calls[1].body, "the same text");
    let delivered = "SELECT COUNT(*) FROM deliveries WHERE channel = 'sms' AND state = 'delivered'";
    let settled_by = std::time::Instant::now() + Duration::from_secs(30);
    while scalar(&db, delivered).await < 1 {
        assert!(std::time::Instant::now() < settled_by, "the delivery was never marked delivered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(steps_done(&logs[0], "deliver_pending"), 0, "the killed process never finished its call");
    assert_eq!(steps_done(&logs[1], "deliver_pending"), 1, "the process that took over delivered it");
    assert!(second.is_alive());
}
