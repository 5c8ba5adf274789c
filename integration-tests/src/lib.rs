//! The test harness: starts Linli on a fresh database (and Redis key prefix) per test, either in-process on
//! port 0 or as the real `linli` binary, and offers one helper per endpoint.

mod client;
mod process;
mod proxy;
mod receiver;

pub use client::{Api, DEMO_PASSWORD, Reply, cleaning_order, next_event, texted_code, texts_to, tokens};
pub use process::{LinliProcess, Replicas, linli_binary, orders_dispatched, steps_done};
pub use proxy::Proxy;
pub use receiver::{Received, Receiver};

use std::path::PathBuf;

use linli_api::{Application, Backends, ConfigArgs, Settings};
use linli_infra::SystemClock;
use linli_infra::testing::{fresh_postgres_database, fresh_redis_prefix, fresh_sqlite_dir, redis_url};

/// Tests log in and place orders from one address far faster than people do; they run with every rate limit
/// this many times larger. The limits' own tests set 1.
pub const TEST_RATE_LIMIT_SCALE: f64 = 100.0;

/// Where a test's Linli keeps its data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    /// SQLite and the in-process queue, as `cargo run` with nothing set.
    Embedded,
    /// PostgreSQL and Redis, as in production.
    Production,
}

/// A fresh database (and Redis prefix) for one test, as configuration for Linli.
#[derive(Clone, Debug)]
pub struct Fresh {
    pub backend: Backend,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub redis_prefix: Option<String>,
}

impl Fresh {
    pub async fn new(backend: Backend) -> Self {
        let data_dir = fresh_sqlite_dir();
        match backend {
            Backend::Embedded => Self { backend, data_dir, database_url: None, redis_prefix: None },
            Backend::Production => Self {
                backend,
                data_dir,
                database_url: Some(fresh_postgres_database().await),
                redis_prefix: Some(fresh_redis_prefix()),
            },
        }
    }

    /// Settings as the binary would resolve them from flags, with demo data and the dispatcher in-process.
    pub fn args(&self) -> ConfigArgs {
        ConfigArgs {
            bind: Some("127.0.0.1:0".to_owned()),
            data_dir: Some(self.data_dir.clone()),
            database_url: self.database_url.clone(),
            redis_url: self.redis_prefix.as_ref().map(|_| redis_url()),
            redis_prefix: self.redis_prefix.clone(),
            seed_demo: Some(true),
            auto_migrate: Some(true),
            run_jobs: Some(true),
            log: Some("warn".to_owned()),
            rate_limit_scale: Some(TEST_RATE_LIMIT_SCALE),
            ..ConfigArgs::default()
        }
    }

    /// The same settings as environment variables, for starting the real binary.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("LINLI_DATA_DIR".to_owned(), self.data_dir.display().to_string()),
            ("LINLI_RATE_LIMIT_SCALE".to_owned(), TEST_RATE_LIMIT_SCALE.to_string()),
        ];
        if let Some(url) = &self.database_url {
            env.push(("DATABASE_URL".to_owned(), url.clone()));
        }
        if let Some(prefix) = &self.redis_prefix {
            env.push(("REDIS_URL".to_owned(), redis_url()));
            env.push(("LINLI_REDIS_PREFIX".to_owned(), prefix.clone()));
        }
        env
    }
}

/// Linli running inside the test process on a free port; stops when dropped.
pub struct TestApp {
    pub api: Api,
    pub fresh: Fresh,
    /// The clock of every use case and job of this Linli: move it instead of waiting.
    pub clock: SystemClock,
    /// Its adapters, for calling a job's step directly after moving the clock.
    pub backends: Backends,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(Fresh::new(backend).await).await
    }

    /// Starts Linli on a database prepared by the caller (to route it through a [`Proxy`], say).
    pub async fn spawn_with(fresh: Fresh) -> Self {
        let args = fresh.args();
        Self::spawn_with_args(fresh, args).await
    }

    /// Starts Linli with settings of the caller's (an SMS gateway, quicker retries…).
    pub async fn spawn_with_args(fresh: Fresh, args: ConfigArgs) -> Self {
        let settings = Settings::resolve(&args).expect("test settings resolve");
        let app = Application::build(settings).await.expect("the application builds");
        let api = Api::new(format!("http://127.0.0.1:{}", app.port()));
        let backends = app.backends().clone();
        let clock = backends.clock.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self { api, fresh, clock, backends, _stop: stop }
    }
}

/// Makes `mod $name` with two tests that run the async fn `$name(app: TestApp)` on a fresh Linli: one embedded
/// (SQLite, in-process queue), one on PostgreSQL and Redis.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$name($crate::TestApp::spawn($crate::Backend::Embedded).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres_and_redis() {
                super::$name($crate::TestApp::spawn($crate::Backend::Production).await).await;
            }
        }
    };
}

/// The first column of the first row of `sql`, as a number; for checking what the database holds.
pub async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let statement = Statement::from_string(db.get_database_backend(), sql.to_owned());
    let row = db.query_one_raw(statement).await.expect("the query runs").expect("a row");
    row.try_get_by_index::<i64>(0).expect("a number")
}
