//! The real `linli` binary, started as a newcomer or a deployment would start it.

use std::time::Duration;

use linli_integration_tests::{Backend, Fresh, LinliProcess, cleaning_order};
use reqwest::StatusCode;

const DISPATCH: Duration = Duration::from_secs(20);

async fn serve(env: Vec<(String, String)>) -> LinliProcess {
    tokio::task::spawn_blocking(move || LinliProcess::serve(&env)).await.expect("starting linli serve")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nothing_configured_linli_runs_embedded_prints_demo_accounts_and_dispatches() {
    let fresh = Fresh::new(Backend::Embedded).await;
    let linli = serve(fresh.env()).await;
    let banner = linli.banner.join("\n");
    for expected in ["Embedded mode", "DEMO DATA", "linli-demo", "resident", "org001", "worker", "admin", "/docs"] {
        assert!(banner.contains(expected), "the start-up banner mentions {expected}:\n{banner}");
    }
    let api = linli.api();
    let resident = api.login_demo("resident").await;
    let placed = api.place_order(&resident, cleaning_order(), None).await;
    assert_eq!(placed.status, StatusCode::CREATED);
    let id = placed.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", DISPATCH).await;
    drop(linli);

    // A second start on the same data folder keeps the order and seeds nothing twice.
    let again = serve(fresh.env()).await;
    let resident = again.api().login_demo("resident").await;
    assert_eq!(again.api().order(&resident, &id).await.body["state"], "offered");
    let districts = again.api().get("/api/v1/geo/districts", None).await;
    assert_eq!(districts.body.as_array().unwrap().len(), 13);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_and_redis_serve_and_jobs_run_as_separate_processes() {
    let fresh = Fresh::new(Backend::Production).await;
    let env = fresh.env();
    let too_early = LinliProcess::run(&["jobs"], &env);
    assert!(!too_early.status.success(), "jobs refuses an unmigrated database");
    assert!(String::from_utf8_lossy(&too_early.stderr).contains("run `linli migrate` first"), "{too_early:?}");
    let migrated = LinliProcess::run(&["migrate"], &env);
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    let seeded = LinliProcess::run(&["seed"], &env);
    assert!(String::from_utf8_lossy(&seeded.stdout).contains("955 communities"), "{seeded:?}");
    let reseeded = LinliProcess::run(&["seed"], &env);
    assert!(String::from_utf8_lossy(&reseeded.stdout).contains("0 new accounts"), "{reseeded:?}");

    let linli = serve(env.clone()).await;
    let api = linli.api();
    let resident = api.login_demo("resident").await;
    let id = api.place_order(&resident, cleaning_order(), None).await.body["id"].as_str().unwrap().to_owned();
    // `serve` on Redis leaves dispatching to `linli jobs`: the order waits in the stream, read by no consumer,
    // until one runs.
    let stream = format!("{}:{{dispatch}}:orders", fresh.redis_prefix.as_deref().unwrap());
    let mut redis = redis::Client::open(linli_infra::testing::redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let entries: Vec<redis::streams::StreamId> = redis::cmd("XRANGE")
        .arg(&stream)
        .arg("-")
        .arg("+")
        .query_async::<redis::streams::StreamRangeReply>(&mut redis)
        .await
        .unwrap()
        .ids;
    assert!(entries.iter().any(|e| e.get::<String>("order").as_deref() == Some(id.as_str())), "{entries:?}");
    let groups: Vec<redis::streams::StreamInfoGroup> = redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(&stream)
        .query_async::<redis::streams::StreamInfoGroupsReply>(&mut redis)
        .await
        .unwrap()
        .groups;
    assert!(groups.iter().all(|g| g.consumers == 0 && g.pending == 0), "nobody reads the stream yet: {groups:?}");
    assert_eq!(api.order(&resident, &id).await.body["state"], "submitted");

    let _jobs = LinliProcess::jobs(&env);
    api.wait_for_state(&resident, &id, "offered", DISPATCH).await;
    let staff = api.offered_staff(&id).await.remove(0);
    assert_eq!(api.act(&staff, &id, "accept").await.body["state"], "accepted");
    let ready = api.get("/readyz", None).await;
    assert_eq!(ready.body["checks"][1]["name"], "Redis");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_on_one_replica_is_honoured_by_another_within_the_session_cache_time() {
    let fresh = Fresh::new(Backend::Production).await;
    let env = fresh.env();
    for step in ["migrate", "seed"] {
        assert!(LinliProcess::run(&[step], &env).status.success(), "linli {step}");
    }
    let (a, b) = (serve(env.clone()).await, serve(env.clone()).await);
    let token = a.api().login_demo("resident").await;
    // Replica B resolves the token once, and keeps it for a few seconds.
    assert_eq!(b.api().get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);
    let out = a.api().post("/api/v1/auth/logout", Some(&token), serde_json::json!({})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(a.api().get("/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED, "at once where it was");
    let limit = std::time::Instant::now() + linli_infra::auth::SESSION_CACHE_TTL + Duration::from_secs(2);
    loop {
        let status = b.api().get("/api/v1/me", Some(&token)).await.status;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(std::time::Instant::now() < limit, "replica B still accepts the token");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jobs_process_answers_its_probes_and_metrics_on_its_metrics_address() {
    let fresh = Fresh::new(Backend::Production).await;
    let mut env = fresh.env();
    assert!(LinliProcess::run(&["migrate"], &env).status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    env.push(("LINLI_METRICS_BIND".to_owned(), format!("127.0.0.1:{port}")));
    let _jobs = LinliProcess::jobs(&env);
    let base = format!("http://127.0.0.1:{port}");
    let http = linli_infra::outbound::client_builder().build().unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let alive = loop {
        if let Ok(reply) = http.get(format!("{base}/healthz")).send().await {
            break reply;
        }
        assert!(tokio::time::Instant::now() < deadline, "linli jobs never listened on its metrics address");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(alive.status(), StatusCode::OK);
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ready", "{ready}");
    // The first runs of the steps are recorded within seconds.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let metrics = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
        if metrics.contains("linli_job_runs_total{job=\"expire_offers\"}") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no job run in the metrics:\n{metrics}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jobs_process_logs_its_own_steps_and_not_the_schedulers_start_up_chatter() {
    let fresh = Fresh::new(Backend::Production).await;
    let env = fresh.env();
    assert!(LinliProcess::run(&["migrate"], &env).status.success());
    let log = fresh.data_dir.join("jobs.log");
    let _jobs = LinliProcess::jobs_logging_to(&env, &log);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("scheduled steps started") {
            break text;
        }
        assert!(tokio::time::Instant::now() < deadline, "linli jobs never started its steps:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for chatter in ["Job creator", "Uninited"] {
        assert!(!text.contains(chatter), "the scheduler's {chatter:?} is not in the info log:\n{text}");
    }
}
