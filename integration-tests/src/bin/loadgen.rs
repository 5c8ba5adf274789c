//! Load generator: against a real `linli serve` + `linli jobs` on PostgreSQL and Redis, measures how many
//! orders per second 32 clients can place (closed loop), then places orders at a fixed open-loop rate and
//! reports placement latency and how long orders wait between being placed and being offered. Two baselines are measured in the same run, on the same machine: the raw rate of
//! an equivalent PostgreSQL transaction through a pool of the same size, and the raw Redis XADD rate.
//!
//! Run: `cargo run --release -p linli-integration-tests --bin loadgen -- [RATE] [SECONDS]` (defaults 1000 and
//! 10). It starts its own processes on a fresh database and Redis prefix (`LINLI_TEST_POSTGRES`,
//! `LINLI_TEST_REDIS`), using the `linli` binary beside it (`LINLI_BIN` overrides).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use linli_integration_tests::{Api, Backend, Fresh, LinliProcess, scalar};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use tokio::sync::{Mutex, Semaphore};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rate: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    if std::env::var("LINLI_BIN").is_err() {
        let beside = std::env::current_exe().unwrap().with_file_name("linli");
        // SAFETY: set before any other thread reads the environment.
        unsafe { std::env::set_var("LINLI_BIN", beside) };
    }
    let fresh = Fresh::new(Backend::Production).await;
    let mut env = fresh.env();
    // One resident places every order: the per-account limit on placing orders would measure itself, so the
    // limits are off, or (LOADGEN_RATE_LIMIT_SCALE=10000, the most allowed) counted with budgets too large to
    // refuse anything, which measures what checking them costs.
    let scale = std::env::var("LOADGEN_RATE_LIMIT_SCALE").unwrap_or_else(|_| "0".to_owned());
    eprintln!("rate limits: {}", if scale == "0" { "off".to_owned() } else { format!("counted, budgets x{scale}") });
    env.retain(|(k, _)| k != "LINLI_RATE_LIMIT_SCALE");
    env.push(("LINLI_RATE_LIMIT_SCALE".to_owned(), scale));
    let seeded = LinliProcess::run(&["seed"], &env);
    assert!(seeded.status.success(), "seeding failed: {}", String::from_utf8_lossy(&seeded.stderr));
    let url = fresh.database_url.clone().unwrap();

    let pg = baseline_postgres(&url, seconds.min(5)).await;
    let xadd = baseline_xadd(fresh.redis_prefix.as_deref().unwrap(), seconds.min(5)).await;

    let serve = tokio::task::spawn_blocking({
        let env = env.clone();
        move || LinliProcess::serve(&env)
    })
    .await
    .unwrap();
    let jobs = LinliProcess::jobs(&env);
    let api = serve.api().clone();
    let token = api.login_demo("resident").await;
    // Let the dispatcher start (its first look at Redis rebuilds the queue) before it is paused.
    wait_for_dispatch(&url).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Placement capacity, with the dispatcher paused so that it measures placing alone: as many placements as
    // 32 clients in a closed loop can make, beside the raw rate with as many in flight.
    signal(&jobs, "-STOP");
    eprintln!("placing orders as fast as 32 clients can for {} s, dispatcher paused…", seconds.min(5));
    let (capacity, backlog) = closed_loop(&api, &token, seconds.min(5)).await;
    // Dispatch capacity: how fast the dispatcher clears that backlog once it resumes.
    let resumed = Instant::now();
    signal(&jobs, "-CONT");
    wait_for_dispatch(&url).await;
    let dispatch_rate = backlog as f64 / resumed.elapsed().as_secs_f64();
    // The open loop starts from a settled database rather than in the middle of autovacuum's clean-up after the
    // burst above.
    let db = wait_for_dispatch(&url).await;
    db.execute_unprepared("VACUUM ANALYZE").await.unwrap();
    drop(db);

    eprintln!("placing {} orders at {rate}/s for {seconds} s…", rate * seconds);
    let latency = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap()));
    let failures = Arc::new(AtomicU64::new(0));
    let in_flight = Arc::new(Semaphore::new(1024));
    let start = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut tasks = Vec::new();
    for i in 0..rate * seconds {
        let scheduled = start + interval * i as u32;
        tokio::time::sleep_until(scheduled.into()).await;
        let permit = in_flight.clone().acquire_owned().await.unwrap();
        let (api, token, latency, failures) = (api.clone(), token.clone(), latency.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            let placed = place(&api, &token, OPEN_LOOP, i).await;
            // Measured from when the request was due, so a stalled server cannot hide its queueing.
            let micros = scheduled.elapsed().as_micros() as u64;
            latency.lock().await.record(micros.max(1)).unwrap();
            if !placed {
                failures.fetch_add(1, Ordering::Relaxed);
            }
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let placed = rate * seconds;
    let throughput = placed as f64 / elapsed;

    // Placed → offered, from the order's own history once dispatch has caught up.
    let db = wait_for_dispatch(&url).await;
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT (EXTRACT(EPOCH FROM (MIN(e.at) - o.placed_at)) * 1000000)::bigint AS micros \
                 FROM orders o JOIN order_events e ON e.order_id = o.id AND e.to_state IN ('offered', 'escalated') \
                 WHERE o.address LIKE '{OPEN_LOOP}%' GROUP BY o.id, o.placed_at"
            ),
        ))
        .await
        .unwrap();
    let mut offered = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3).unwrap();
    for r in &rows {
        let micros: i64 = r.try_get("", "micros").unwrap();
        offered.record(micros.max(1) as u64).unwrap();
    }
    let latency = latency.lock().await;
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!("| measure | figure |");
    println!("| --- | --- |");
    println!("| baseline: raw PostgreSQL transactions (3 inserts, pool of 16, 32 in flight) | {pg:.0}/s |");
    println!("| baseline: raw Redis XADD (32 in flight) | {xadd:.0}/s |");
    println!(
        "| placement capacity (32 clients, closed loop, dispatcher paused) | {capacity:.0}/s ({:.2} × the raw \
         transaction rate) |",
        capacity / pg
    );
    println!("| dispatch capacity (clearing the {backlog} orders placed meanwhile) | {dispatch_rate:.0}/s |");
    println!("| open-loop rate | {rate}/s for {seconds} s |");
    println!("| open-loop placement throughput | {throughput:.0}/s |");
    println!("| failed placements | {} |", failures.load(Ordering::Relaxed));
    println!(
        "| placement latency p50 / p99 / max | {:.1} / {:.1} / {:.1} ms |",
        ms(&latency, 0.5),
        ms(&latency, 0.99),
        latency.max() as f64 / 1000.0
    );
    println!(
        "| placed → offered p50 / p99 / max ({} of {placed} orders dispatched) | {:.1} / {:.1} / {:.1} ms |",
        rows.len(),
        ms(&offered, 0.5),
        ms(&offered, 0.99),
        offered.max() as f64 / 1000.0
    );
}

/// Marks the open-loop phase's orders in their address, to tell them from the capacity phase's.
const OPEN_LOOP: &str = "开环";

/// Places one order; true when it was created.
async fn place(api: &Api, token: &str, phase: &str, i: u64) -> bool {
    let body = json!({"item_id": 15, "community_id": 1, "address": format!("{phase}文安路{i}号"), "lat": 41.78,
        "lng": 123.40, "asap": true});
    api.place_order(token, body, None).await.status.as_u16() == 201
}

/// Placements per second by 32 clients each placing one order after another for `seconds`, and how many.
async fn closed_loop(api: &Api, token: &str, seconds: u64) -> (f64, u64) {
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let clients: Vec<_> = (0..32u64)
        .map(|c| {
            let (api, token, done) = (api.clone(), token.to_owned(), done.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while Instant::now() < until {
                    if place(&api, &token, "容量", c * 1_000_000 + i).await {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    i += 1;
                }
            })
        })
        .collect();
    for c in clients {
        c.await.unwrap();
    }
    let done = done.load(Ordering::Relaxed);
    (done as f64 / start.elapsed().as_secs_f64(), done)
}

/// Pauses (`-STOP`) or resumes (`-CONT`) a process.
fn signal(process: &LinliProcess, which: &str) {
    let sent = std::process::Command::new("kill").arg(which).arg(process.child.id().to_string()).status().unwrap();
    assert!(sent.success(), "kill {which} failed");
}

/// Waits (up to a minute) until no order is left waiting for dispatch; returns the connection it watched with.
async fn wait_for_dispatch(url: &str) -> sea_orm::DatabaseConnection {
    let db = linli_infra::db::connect(url, 2).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while scalar(&db, "SELECT COUNT(*) FROM orders WHERE state = 'submitted'").await > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    db
}

/// Transactions of three inserts (an order, its event, an outbox row) on scratch tables, 32 at a time through a
/// pool of 16, as placing an order does.
async fn baseline_postgres(url: &str, seconds: u64) -> f64 {
    let db = linli_infra::db::connect(url, 16).await.unwrap();
    for t in ["bench_orders", "bench_events", "bench_outbox"] {
        db.execute_unprepared(&format!("CREATE TABLE IF NOT EXISTS {t} (id uuid PRIMARY KEY, body text NOT NULL)"))
            .await
            .unwrap();
    }
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (db, done) = (db.clone(), done.clone());
            tokio::spawn(async move {
                use sea_orm::TransactionTrait;
                while Instant::now() < until {
                    let txn = db.begin().await.unwrap();
                    for t in ["bench_orders", "bench_events", "bench_outbox"] {
                        let id: sea_orm::Value = uuid::Uuid::now_v7().into();
                        let body: sea_orm::Value = "{\"item_id\":15,\"community_id\":1,\"address\":\"文安路\"}".into();
                        let sql = format!("INSERT INTO {t} (id, body) VALUES ($1, $2)");
                        txn.execute_raw(Statement::from_sql_and_values(txn.get_database_backend(), sql, [id, body]))
                            .await
                            .unwrap();
                    }
                    txn.commit().await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let start = Instant::now();
    for w in workers {
        w.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// XADDs of an order id to a scratch stream, 32 in flight on one multiplexed connection.
async fn baseline_xadd(prefix: &str, seconds: u64) -> f64 {
    let client = redis::Client::open(linli_infra::testing::redis_url()).unwrap();
    let conn = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("{prefix}:bench");
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (mut conn, key, done) = (conn.clone(), key.clone(), done.clone());
            tokio::spawn(async move {
                while Instant::now() < until {
                    let _: String = redis::cmd("XADD")
                        .arg(&key)
                        .arg("*")
                        .arg("order")
                        .arg(uuid::Uuid::now_v7().to_string())
                        .query_async(&mut conn)
                        .await
                        .unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let start = Instant::now();
    for w in workers {
        w.await.unwrap();
    }
    let _: () = redis::cmd("DEL").arg(&key).query_async(&mut conn.clone()).await.unwrap();
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}
