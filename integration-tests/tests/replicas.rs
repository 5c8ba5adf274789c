//! Several `linli` processes on one PostgreSQL and one Redis: two `serve` and two `jobs`, thousands of orders
//! placed at once, Party members accepting as offers arrive, and halfway through Redis loses every key and a
//! `jobs` process is killed. Every order must end accepted or escalated exactly once, and nobody may hold more
//! jobs than their capacity.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use linli_integration_tests::{Api, Backend, Fresh, LinliProcess, scalar};
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
    let mut doomed = LinliProcess::jobs(&env);
    let _jobs = LinliProcess::jobs(&env);
    let apis = [a.api().clone(), b.api().clone()];

    // Thirty Party members of 文安路社区 who do volunteer work (capacity 1 each).
    let admin = apis[0].login_demo("admin").await;
    let mut members = Vec::new();
    for n in 0..MEMBERS {
        let member = apis[0]
            .post(
                "/api/v1/admin/providers",
                Some(&admin),
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

    // Residents place the orders at once through both servers.
    let residents = [apis[0].login_demo("resident").await, apis[1].login_demo("resident2").await];
    let placed = Arc::new(AtomicUsize::new(0));
    let total = orders();
    let place = |from: usize, to: usize| {
        (0..16)
            .map(|w| {
                let (apis, residents, placed) = (apis.clone(), residents.clone(), placed.clone());
                tokio::spawn(async move {
                    let mut k = from + w;
                    while k < to {
                        let api: &Api = &apis[k % 2];
                        let body = json!({"item_id": 100, "community_id": 1, "address": format!("文安路{k}号"),
                        "lat": 41.78, "lng": 123.40, "asap": true});
                        let r = api.place_order(&residents[k % 2], body, Some(&format!("replica-{k}"))).await;
                        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
                        placed.fetch_add(1, Ordering::Relaxed);
                        k += 16;
                    }
                })
            })
            .collect::<Vec<_>>()
    };
    for p in place(0, total / 2) {
        p.await.unwrap();
    }
    // Halfway: Redis loses every key of this deployment, and a dispatcher dies without warning.
    let prefix = fresh.redis_prefix.clone().unwrap();
    let client = redis::Client::open(linli_infra::testing::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.unwrap();
    let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.unwrap();
    doomed.kill();
    let _replacement = LinliProcess::jobs(&env);
    for p in place(total / 2, total) {
        p.await.unwrap();
    }
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
}

/// A dispatcher that dies holding queue entries: a `linli jobs` killed with SIGKILL, and entries read by a
/// consumer that never acknowledges them. Another dispatcher takes them over; no order is left waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_dispatchers_pending_orders_are_taken_over() {
    let fresh = Fresh::new(Backend::Production).await;
    let mut env = fresh.env();
    env.push(("LINLI_RECLAIM_AFTER_SECONDS".to_owned(), "2".to_owned()));
    assert!(LinliProcess::run(&["seed"], &env).status.success());
    let linli = serve(env.clone()).await;
    let api = linli.api();
    let resident = api.login_demo("resident").await;

    // A real dispatcher, killed without warning while orders arrive.
    let mut doomed = LinliProcess::jobs(&env);
    let mut ids = Vec::new();
    for k in 0..40 {
        let body = json!({"item_id": 15, "community_id": 1, "address": format!("文安路{k}号"), "lat": 41.78, "lng": 123.40, "asap": true});
        ids.push(api.place_order(&resident, body, None).await.body["id"].as_str().unwrap().to_owned());
        if k == 20 {
            doomed.kill();
        }
    }
    // And a consumer that reads entries and dies before acknowledging them.
    let prefix = fresh.redis_prefix.clone().unwrap();
    let client = redis::Client::open(linli_infra::testing::redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let stream = format!("{prefix}:{{dispatch}}:orders");
    let grabbed: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("dispatchers")
        .arg("ghost")
        .arg("COUNT")
        .arg(100)
        .arg("STREAMS")
        .arg(&stream)
        .arg(">")
        .query_async(&mut conn)
        .await
        .unwrap();
    let pending: (i64, redis::Value, redis::Value, redis::Value) =
        redis::cmd("XPENDING").arg(&stream).arg("dispatchers").query_async(&mut conn).await.unwrap();
    assert!(pending.0 > 0, "entries are held by dead consumers: {grabbed:?}");

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
}
