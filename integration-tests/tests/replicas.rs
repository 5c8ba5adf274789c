//! Several `linli` processes on one PostgreSQL and one Redis: two `serve` and two `jobs`, thousands of orders
//! placed 64 at a time, Party members accepting as offers arrive, and halfway through, with placements and
//! acceptances in flight, Redis loses every key and a `jobs` process is killed. Every order must end accepted or escalated exactly once, and nobody may hold more
//! jobs than their capacity.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use linli_integration_tests::{Api, Backend, Fresh, LinliProcess, orders_dispatched, scalar};
use reqwest::StatusCode;
use serde_json::json;

const MEMBERS: usize = 30;

fn orders() -> usize {
    std::env::var("LINLI_REPLICA_ORDERS").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000)
}

async fn serve(env: Vec<(String, String)>) -> LinliProcess {
    tokio::task::spawn_blocking(move || LinliProcess::serve(&env)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_and_two_jobs_processes_settle_every_order_exactly_once_without_overbooking() {
    let fresh = Fresh::new(Backend::Production).await;
    let env = fresh.env();
    assert!(LinliProcess::run(&["seed"], &env).status.success());
    let (a, b) = (serve(env.clone()).await, serve(env.clone()).await);
    let log = |name: &str| fresh.data_dir.join(format!("{name}.log"));
    let (doomed_log, steady_log, replacement_log) = (log("doomed"), log("steady"), log("replacement"));
    let mut doomed = LinliProcess::jobs_logging_to(&env, &doomed_log);
    let mut steady = LinliProcess::jobs_logging_to(&env, &steady_log);
    let apis = [a.api().clone(), b.api().clone()];

    // Thirty Party members of 文安路社区 who do volunteer work (capacity 1 each).
    let admin = apis[0].login_demo("admin").await;
    let mut members = Vec::new();
    for n in 0..MEMBERS {
        let member = apis[0]
            .create_provider(
                &admin,
                json!({"kind": "party_member", "name": format!("党员{n}"),
                "community_id": 1, "lat": 41.781, "lng": 123.402, "capacity": 1, "item_ids": [100],
                "coverage_community_ids": [1]}),
            )
            .await;
        assert_eq!(member.status, StatusCode::CREATED);
        let account = json!({"username": format!("member{n}"), "password": "member-password", "display_name": "党员",
            "role": "provider_staff", "provider_id": member.body["id"]});
        assert_eq!(apis[0].post("/api/v1/admin/accounts", Some(&admin), account).await.status, StatusCode::CREATED);
        members.push(apis[n % 2].login(&format!("member{n}"), "member-password").await);
    }

    // Members accept whatever they are offered, on either server, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicUsize::new(0));
    let bots: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(n, token)| {
            let (api, token, stop, accepted) = (apis[n % 2].clone(), token.clone(), stop.clone(), accepted.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let offers = api.offers(&token).await;
                    for offer in offers.body["offers"].as_array().cloned().unwrap_or_default() {
                        let id = offer["order"]["id"].as_str().unwrap_or_default().to_owned();
                        if api.act(&token, &id, "accept").await.status == StatusCode::OK {
                            accepted.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();

    // Residents place the orders 64 at a time through both servers. Halfway, while placements and acceptances
    // are in flight, Redis loses every key of this deployment and a dispatcher dies without warning.
    let residents = [apis[0].login_demo("resident").await, apis[1].login_demo("resident2").await];
    let placed = Arc::new(AtomicUsize::new(0));
    let total = orders();
    const IN_FLIGHT: usize = 64;
    let placing: Vec<_> = (0..IN_FLIGHT)
        .map(|w| {
            let (apis, residents, placed) = (apis.clone(), residents.clone(), placed.clone());
            tokio::spawn(async move {
                let mut k = w;
                while k < total {
                    let api: &Api = &apis[k % 2];
                    let body = json!({"item_id": 100, "community_id": 1, "address": format!("文安路{k}号"),
                    "lat": 41.78, "lng": 123.40, "asap": true});
                    let r = api.place_order(&residents[k % 2], body, Some(&format!("replica-{k}"))).await;
                    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
                    placed.fetch_add(1, Ordering::Relaxed);
                    k += IN_FLIGHT;
                }
            })
        })
        .collect();
    let fault = {
        let (placed, prefix, env, replacement_log) =
            (placed.clone(), fresh.redis_prefix.clone().unwrap(), env.clone(), replacement_log.clone());
        tokio::spawn(async move {
            while placed.load(Ordering::Relaxed) < total / 2 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let client = redis::Client::open(linli_infra::testing::redis_url()).unwrap();
            let mut conn = client.get_multiplexed_async_connection().await.unwrap();
            let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.unwrap();
            let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.unwrap();
            doomed.kill();
            let in_flight = total - placed.load(Ordering::Relaxed);
            (LinliProcess::jobs_logging_to(&env, &replacement_log), in_flight)
        })
    };
    for p in placing {
        p.await.unwrap();
    }
    let (mut replacement, still_to_place) = fault.await.unwrap();
    assert!(still_to_place > 0, "the faults came while orders were still being placed");
    assert_eq!(placed.load(Ordering::Relaxed), total);

    let url = fresh.database_url.clone().unwrap();
    let db = linli_infra::db::connect(&url, 2).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    loop {
        let settled = scalar(&db, "SELECT COUNT(*) FROM orders WHERE state IN ('accepted', 'escalated')").await;
        if settled == total as i64 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "only {settled} of {total} orders settled");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for b in bots {
        b.await.unwrap();
    }

    let accepted_orders = scalar(&db, "SELECT COUNT(*) FROM orders WHERE state = 'accepted'").await;
    assert_eq!(accepted.load(Ordering::Relaxed) as i64, accepted_orders, "one 200 per accepted order");
    assert!(accepted_orders >= 1 && accepted_orders <= MEMBERS as i64, "{accepted_orders}");
    let settled_twice = scalar(
        &db,
        "SELECT COUNT(*) FROM (SELECT order_id FROM order_events WHERE to_state IN ('accepted', 'escalated') \
         GROUP BY order_id HAVING COUNT(*) <> 1) twice",
    )
    .await;
    assert_eq!(settled_twice, 0, "every order settled exactly once");
    let overbooked = scalar(
        &db,
        "SELECT COUNT(*) FROM (SELECT provider_id FROM orders WHERE state IN ('accepted', 'in_service') \
         GROUP BY provider_id HAVING COUNT(*) > 1) over",
    )
    .await;
    assert_eq!(overbooked, 0, "no Party member holds two jobs at once");
    let won = scalar(&db, "SELECT COUNT(*) FROM order_offers WHERE status = 'won'").await;
    assert_eq!(won, accepted_orders);
    // Each dispatcher did a share, the killed one before it died, and the two left are still running.
    let shares: Vec<usize> = [&doomed_log, &steady_log, &replacement_log].map(|l| orders_dispatched(l)).to_vec();
    assert!(shares.iter().all(|&n| n > 0), "each jobs process dispatched orders: {shares:?}");
    assert!(steady.is_alive() && replacement.is_alive(), "the surviving jobs processes are still running");
}

/// A dispatcher that dies holding queue entries it read itself: a `linli jobs` whose database is cut off
/// reads orders from the stream but cannot dispatch them, so they stay pending under its own consumer name;
/// then it is killed with SIGKILL. Another dispatcher claims exactly those entries; no order is left waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_dispatchers_pending_orders_are_taken_over() {
    let fresh = Fresh::new(Backend::Production).await;
    let mut env = fresh.env();
    env.push(("LINLI_RECLAIM_AFTER_SECONDS".to_owned(), "2".to_owned()));
    assert!(LinliProcess::run(&["seed"], &env).status.success());
    let linli = serve(env.clone()).await;
    let api = linli.api();
    let resident = api.login_demo("resident").await;

    // The doomed dispatcher reaches PostgreSQL through a proxy the test cuts once it has started.
    let proxy = linli_integration_tests::Proxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let url = fresh.database_url.clone().unwrap();
    let through_proxy = url.replacen("127.0.0.1:5432", &proxy.addr.to_string(), 1);
    let doomed_env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| if k == "DATABASE_URL" { (k.clone(), through_proxy.clone()) } else { (k.clone(), v.clone()) })
        .collect();
    let mut doomed = LinliProcess::jobs(&doomed_env);
    let warm = api.place_order(&resident, cleaning_order_at(0), None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &warm, "offered", Duration::from_secs(20)).await;
    proxy.cut();

    let mut ids = Vec::new();
    for k in 1..=40 {
        ids.push(api.place_order(&resident, cleaning_order_at(k), None).await.body["id"].as_str().unwrap().to_owned());
    }
    let prefix = fresh.redis_prefix.clone().unwrap();
    let client = redis::Client::open(linli_infra::testing::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let stream = format!("{prefix}:{{dispatch}}:orders");
    let own_name = format!("-{}-", doomed.child.id());
    let held_by = tokio::time::Instant::now() + Duration::from_secs(20);
    let held = loop {
        let pending = pending_entries(&mut conn, &stream).await;
        if !pending.is_empty() {
            break pending;
        }
        assert!(tokio::time::Instant::now() < held_by, "the cut-off dispatcher never read the new orders");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(held.iter().all(|(_, consumer, _, _)| consumer.contains(&own_name)), "held by the doomed one: {held:?}");
    doomed.kill();

    let _survivor = LinliProcess::jobs(&env);
    // Well inside the 60 s after which the stranded-order sweep would step in.
    for id in &ids {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let state = api.order(&resident, id).await.body["state"].as_str().unwrap_or_default().to_owned();
            if state != "submitted" {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "order {id} was never dispatched");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // Each claimed entry is acknowledged once its order is dispatched.
    let acked_by = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let still = pending_entries(&mut conn, &stream).await;
        if still.iter().all(|(_, consumer, _, _)| !consumer.contains(&own_name)) {
            break;
        }
        assert!(tokio::time::Instant::now() < acked_by, "entries the doomed one held were never claimed: {still:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The stream's entries read but not acknowledged: (entry id, consumer, idle ms, deliveries).
async fn pending_entries(
    conn: &mut redis::aio::MultiplexedConnection,
    stream: &str,
) -> Vec<(String, String, i64, i64)> {
    redis::cmd("XPENDING").arg(stream).arg("dispatchers").arg("-").arg("+").arg(1000).query_async(conn).await.unwrap()
}

fn cleaning_order_at(k: usize) -> serde_json::Value {
    json!({"item_id": 15, "community_id": 1, "address": format!("文安路{k}号"), "lat": 41.78, "lng": 123.40, "asap": true})
}
