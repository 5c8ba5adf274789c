//! Faults a deployment lives through: Redis stopped for a while, and processes stopped by SIGTERM (a rollout,
//! a node drained) in the middle of work. The real binary, on PostgreSQL and Redis; Redis is "stopped" for one
//! deployment by cutting the proxy its processes reach it through, so that it keeps its data (it is stopped, not
//! flushed) and the other tests sharing the server go on.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use linli_integration_tests::{Api, Backend, Fresh, LinliProcess, Proxy};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn serve(env: Vec<(String, String)>) -> LinliProcess {
    tokio::task::spawn_blocking(move || LinliProcess::serve(&env)).await.unwrap()
}

/// The Redis server the tests share, as a socket address.
fn redis_addr() -> SocketAddr {
    let url = linli_infra::testing::redis_url();
    let rest = url.split("://").nth(1).expect("a redis:// URL");
    let host_port = rest.split('/').next().unwrap().rsplit('@').next().unwrap();
    let host_port = if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:6379") };
    host_port.to_socket_addrs().expect("Redis's address").next().unwrap()
}

/// `env` with one variable replaced or added.
fn with(env: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = env.iter().filter(|(k, _)| k != key).cloned().collect();
    out.push((key.to_owned(), value.to_owned()));
    out
}

fn order_at(k: usize) -> Value {
    json!({"item_id": 15, "community_id": 1, "address": format!("文安路{k}号"), "lat": 41.78, "lng": 123.40, "asap": true})
}

async fn placed(api: &Api, resident: &str, k: usize) -> String {
    let reply = api.place_order(resident, order_at(k), None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

/// Waits until every order has left `submitted`; panics naming those still waiting after `within`.
async fn all_dispatched_within(api: &Api, resident: &str, ids: &[String], within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let mut waiting = Vec::new();
        for id in ids {
            let state = api.order(resident, id).await.body["state"].as_str().unwrap_or_default().to_owned();
            if state == "submitted" {
                waiting.push(id.clone());
            }
        }
        if waiting.is_empty() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} orders still wait for dispatch: {waiting:?}",
            waiting.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_stopped_orders_are_taken_and_once_it_is_back_every_one_is_offered() {
    let fresh = Fresh::new(Backend::Production).await;
    let redis = Proxy::start(redis_addr()).await;
    let env = with(&fresh.env(), "REDIS_URL", &format!("redis://{}", redis.addr));
    assert!(LinliProcess::run(&["seed"], &env).status.success());
    let a = serve(env.clone()).await;
    let _jobs = LinliProcess::jobs(&env);
    let api = a.api();
    let resident = api.login_demo("resident").await;
    let warm = placed(api, &resident, 0).await;
    api.wait_for_state(&resident, &warm, "offered", Duration::from_secs(20)).await;

    redis.cut();
    let mut ids = Vec::new();
    for k in 1..=20 {
        ids.push(placed(api, &resident, k).await);
    }
    let ready = api.get("/readyz", None).await;
    assert_eq!((ready.status, ready.body["status"].as_str()), (StatusCode::OK, Some("degraded")), "{:?}", ready.body);
    assert_eq!(
        (ready.body["checks"][0]["name"].as_str(), ready.body["checks"][0]["ok"].as_bool()),
        (Some("database"), Some(true))
    );
    assert_eq!(
        (ready.body["checks"][1]["name"].as_str(), ready.body["checks"][1]["ok"].as_bool()),
        (Some("Redis"), Some(false))
    );
    // A process started while Redis is down starts, answers and takes orders too.
    let b = serve(env.clone()).await;
    let other = b.api().login_demo("resident").await;
    ids.push(placed(b.api(), &other, 21).await);
    for id in &ids {
        assert_eq!(api.order(&resident, id).await.body["state"], "submitted", "nothing is dispatched without Redis");
    }

    redis.restore();
    all_dispatched_within(api, &resident, &ids, Duration::from_secs(5)).await;
    for id in &ids {
        assert_eq!(api.order(&resident, id).await.body["state"], "offered");
    }
    let ready = api.get("/readyz", None).await;
    assert_eq!((ready.status, ready.body["status"].as_str()), (StatusCode::OK, Some("ready")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatcher_stopped_by_sigterm_releases_what_it_holds_and_another_takes_it_at_once() {
    let fresh = Fresh::new(Backend::Production).await;
    // Held entries are not reclaimed for five minutes: only releasing them can explain a prompt dispatch.
    let env = with(&fresh.env(), "LINLI_RECLAIM_AFTER_SECONDS", "300");
    assert!(LinliProcess::run(&["seed"], &env).status.success());
    let linli = serve(env.clone()).await;
    let api = linli.api();
    let resident = api.login_demo("resident").await;

    // The stopping dispatcher reaches PostgreSQL through a proxy the test cuts, so that it reads entries and
    // cannot dispatch them: it holds them.
    let url = fresh.database_url.clone().unwrap();
    let server = url.split('@').nth(1).and_then(|rest| rest.split('/').next()).expect("postgres://user@host:port/db");
    let postgres = Proxy::start(server.to_socket_addrs().unwrap().next().unwrap()).await;
    let url = url.replacen(server, &postgres.addr.to_string(), 1);
    assert!(url.contains(&postgres.addr.to_string()), "the stopping dispatcher goes through the proxy: {url}");
    let stopping_env = with(&with(&env, "DATABASE_URL", &url), "LINLI_SHUTDOWN_GRACE_SECONDS", "10");
    let stopping = LinliProcess::jobs(&stopping_env);
    let _other = LinliProcess::jobs(&env);
    let client = redis::Client::open(linli_infra::testing::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let prefix = fresh.redis_prefix.clone().unwrap();
    // Each process fills the queue from the database at its first tick: wait until both have, so that no
    // later refill can stand in for the release.
    let warm = placed(api, &resident, 0).await;
    api.wait_for_state(&resident, &warm, "offered", Duration::from_secs(20)).await;
    let started = tokio::time::Instant::now() + Duration::from_secs(20);
    while !redis::cmd("EXISTS")
        .arg(format!("{prefix}:{{dispatch}}:alive"))
        .query_async::<bool>(&mut conn)
        .await
        .unwrap()
    {
        assert!(tokio::time::Instant::now() < started, "no jobs process ever ticked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;

    postgres.cut();
    let mut ids = Vec::new();
    for k in 1..=10 {
        ids.push(placed(api, &resident, k).await);
    }
    let stream = format!("{prefix}:{{dispatch}}:orders");
    let consumer = format!("-{}-", stopping.child.id());
    let held_by = tokio::time::Instant::now() + Duration::from_secs(20);
    while pending(&mut conn, &stream).await.iter().all(|holder| !holder.contains(&consumer)) {
        assert!(tokio::time::Instant::now() < held_by, "the cut-off dispatcher never read the new orders");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    stopped_within(stopping, Duration::from_secs(15)).await;
    all_dispatched_within(api, &resident, &ids, Duration::from_secs(5)).await;
    assert_eq!(pending(&mut conn, &stream).await, Vec::<String>::new(), "every entry was acknowledged");
}

/// Sends SIGTERM and waits for the process to exit, successfully, within `within`.
async fn stopped_within(mut process: LinliProcess, within: Duration) {
    process.terminate();
    let status = tokio::task::spawn_blocking(move || process.exited_within(within))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("the process did not exit within {within:?} of SIGTERM"));
    assert!(status.success(), "a stop is not a failure: {status}");
}

/// The consumer holding each entry of the stream read and not acknowledged.
async fn pending(conn: &mut redis::aio::MultiplexedConnection, stream: &str) -> Vec<String> {
    let entries: Vec<(String, String, i64, i64)> = redis::cmd("XPENDING")
        .arg(stream)
        .arg("dispatchers")
        .arg("-")
        .arg("+")
        .arg(1000)
        .query_async(conn)
        .await
        .unwrap();
    entries.into_iter().map(|(_, consumer, _, _)| consumer).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stopped_by_sigterm_under_load_answers_every_request_it_took_and_loses_no_order() {
    let fresh = Fresh::new(Backend::Production).await;
    let env = fresh.env();
    assert!(LinliProcess::run(&["seed"], &env).status.success());
    let stopping = serve(env.clone()).await;
    let staying = serve(env.clone()).await;
    let _jobs = LinliProcess::jobs(&env);
    let api = stopping.api().clone();
    let resident = api.login_demo("resident").await;

    // Eight clients place orders one after another on the stopping server until it no longer takes them, each
    // with its own Idempotency-Key, so that a request that got no answer can be asked about afterwards.
    let refused = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (api, resident, refused) = (api.clone(), resident.clone(), refused.clone());
            tokio::spawn(async move {
                let (mut ids, mut failures, mut unanswered) = (Vec::new(), Vec::new(), Vec::new());
                for k in 0.. {
                    let key = format!("stop-{c}-{k}");
                    let request = api.http.post(format!("{}/api/v1/orders", api.base)).bearer_auth(&resident);
                    match request.header("Idempotency-Key", &key).json(&order_at(c * 10_000 + k)).send().await {
                        Ok(reply) if reply.status() == StatusCode::CREATED => {
                            let body: Value = reply.json().await.unwrap();
                            ids.push(body["id"].as_str().unwrap().to_owned());
                        }
                        Ok(reply) => {
                            failures.push(format!("{} {}", reply.status(), reply.text().await.unwrap_or_default()))
                        }
                        // No answer: refused before it was taken, unless the server recorded it (asked below).
                        Err(_) => {
                            refused.store(true, Ordering::SeqCst);
                            unanswered.push((key, order_at(c * 10_000 + k)));
                            break;
                        }
                    }
                }
                (ids, failures, unanswered)
            })
        })
        .collect();
    // A page open on its live stream does not hold the stop to its 20 s grace period.
    let (live, _stream) = api.stream("/api/v1/live", Some(&resident)).await;
    assert_eq!(live, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Its requests answered, it exits well within its grace period.
    stopped_within(stopping, Duration::from_secs(10)).await;

    let (mut ids, mut failures, mut unanswered) = (Vec::new(), Vec::new(), Vec::new());
    for client in clients {
        let (i, f, u) = client.await.unwrap();
        ids.extend(i);
        failures.extend(f);
        unanswered.extend(u);
    }
    assert!(refused.load(Ordering::SeqCst), "the clients ran until the server stopped");
    assert!(failures.is_empty(), "every request the server took was answered 201: {failures:?}");
    assert!(ids.len() >= 8, "the server was under load: {} orders", ids.len());
    // A request without an answer was not taken: sent again to the other server it places a new order (201),
    // where one the stopping server had recorded would be found by its key (200).
    let api = staying.api();
    let resident = api.login_demo("resident").await;
    for (key, order) in unanswered {
        let again = api.place_order(&resident, order, Some(&key)).await;
        assert_eq!(again.status, StatusCode::CREATED, "the stopping server recorded {key} without answering");
    }
    // Every order it confirmed is there, and is dispatched, as the other server shows.
    all_dispatched_within(api, &resident, &ids, Duration::from_secs(30)).await;
}
