//! Configuration: defaults, then an optional TOML file, then `LINLI_…` environment variables and flags (clap
//! reads both; a flag wins over its variable). Secrets (`DATABASE_URL`, `REDIS_URL`, the SMS and metrics
//! tokens) come only from the environment or flags, never from the file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use linli_infra::queue::RedisQueueConfig;
use serde::Deserialize;

/// Settings every subcommand shares.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConfigArgs {
    /// A TOML file with any of the settings below except the secrets.
    #[arg(long, env = "LINLI_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "LINLI_BIND", global = true)]
    pub bind: Option<String>,
    /// Folder for the embedded default's database file [default: ./data].
    #[arg(long, env = "LINLI_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…). Unset: the embedded SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Redis URL (redis://…). Unset: the in-process queue.
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Prefix of every Redis key [default: linli].
    #[arg(long, env = "LINLI_REDIS_PREFIX", global = true)]
    pub redis_prefix: Option<String>,
    /// Largest PostgreSQL pool [default: 16].
    #[arg(long, env = "LINLI_DB_MAX_CONNECTIONS", global = true)]
    pub db_max_connections: Option<u32>,
    /// Write demo data at start-up [default: true for the embedded default, false on PostgreSQL].
    #[arg(long, env = "LINLI_SEED_DEMO", global = true)]
    pub seed_demo: Option<bool>,
    /// Apply migrations at start-up [default: true for the embedded default, false on PostgreSQL, where
    /// `linli migrate` runs once per release].
    #[arg(long, env = "LINLI_AUTO_MIGRATE", global = true)]
    pub auto_migrate: Option<bool>,
    /// Run the dispatcher inside `serve` [default: true with the in-process queue, false with Redis, where
    /// `linli jobs` runs it].
    #[arg(long, env = "LINLI_RUN_JOBS", global = true)]
    pub run_jobs: Option<bool>,
    /// Seconds a provider has to answer an offer [default: 120].
    #[arg(long, env = "LINLI_OFFER_TTL_SECONDS", global = true)]
    pub offer_ttl_seconds: Option<u64>,
    /// Hours a resident has to confirm or dispute a completed visit before it is confirmed for them
    /// [default: 72].
    #[arg(long, env = "LINLI_VISIT_CONFIRM_HOURS", global = true)]
    pub visit_confirm_hours: Option<u64>,
    /// Minutes between booking and the earliest open time offered, so that someone can plan the visit
    /// [default: 120].
    #[arg(long, env = "LINLI_BOOKING_NOTICE_MINUTES", global = true)]
    pub booking_notice_minutes: Option<i64>,
    /// Days ahead that care plans' visits are placed as orders (offered to providers) [default: 7].
    #[arg(long, env = "LINLI_CARE_PLAN_DAYS", global = true)]
    pub care_plan_days: Option<u32>,
    /// Seconds a dispatcher may hold a queue entry unacknowledged before another takes it over (a dispatcher
    /// that died) [default: 30].
    #[arg(long, env = "LINLI_RECLAIM_AFTER_SECONDS", global = true)]
    pub reclaim_after_seconds: Option<u64>,
    /// Hours one stays signed in without using the app: a refresh token's life [default: 72].
    #[arg(long, env = "LINLI_SESSION_TTL_HOURS", global = true)]
    pub session_ttl_hours: Option<i64>,
    /// Minutes an access token works before the app must refresh it [default: 15].
    #[arg(long, env = "LINLI_ACCESS_TTL_MINUTES", global = true)]
    pub access_ttl_minutes: Option<i64>,
    /// A separate address for `/metrics` (e.g. 0.0.0.0:9090) [default: unset, `/metrics` on the main address
    /// for a bearer `LINLI_METRICS_TOKEN` only].
    #[arg(long, env = "LINLI_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,
    /// The bearer credential `/metrics` asks for on the main address (environment or flag only) [default:
    /// unset, `/metrics` answers 404 there].
    #[arg(long, env = "LINLI_METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Origins allowed to call the API from a browser, comma-separated (e.g. https://app.example.cn)
    /// [default: none; the web app is served from the same origin and needs none].
    #[arg(long, env = "LINLI_CORS_ORIGINS", global = true)]
    pub cors_origins: Option<String>,
    /// Multiplies every rate limit's budget (2 doubles them); 0 turns rate limits off [default: 1].
    #[arg(long, env = "LINLI_RATE_LIMIT_SCALE", global = true)]
    pub rate_limit_scale: Option<f64>,
    /// Seconds a request may take before it is answered 503 [default: 30].
    #[arg(long, env = "LINLI_REQUEST_TIMEOUT_SECONDS", global = true)]
    pub request_timeout_seconds: Option<u64>,
    /// Seconds a stopping process (SIGTERM or Ctrl-C) has to finish its requests, its dispatch batch and its
    /// running steps before it exits anyway [default: 20]. Keep it below the pod's termination grace period.
    #[arg(long, env = "LINLI_SHUTDOWN_GRACE_SECONDS", global = true)]
    pub shutdown_grace_seconds: Option<u64>,
    /// Log filter, e.g. `info` or `linli=debug,info` [default: info].
    #[arg(long, env = "LINLI_LOG", global = true)]
    pub log: Option<String>,
    /// The SMS gateway's URL; it takes `POST {"to", "text"}`. Unset: no SMS is sent.
    #[arg(long, env = "LINLI_SMS_URL", global = true)]
    pub sms_url: Option<String>,
    /// The SMS gateway's bearer credential (environment or flag only, never the file).
    #[arg(long, env = "LINLI_SMS_TOKEN", global = true, hide_env_values = true)]
    pub sms_token: Option<String>,
    /// Attempts at a webhook or SMS before it becomes a dead letter [default: 8].
    #[arg(long, env = "LINLI_DELIVERY_MAX_ATTEMPTS", global = true)]
    pub delivery_max_attempts: Option<u32>,
    /// The first retry's delay in seconds; each later one doubles, up to an hour [default: 10].
    #[arg(long, env = "LINLI_DELIVERY_RETRY_SECONDS", global = true)]
    pub delivery_retry_seconds: Option<u64>,
    /// Let webhooks reach internal addresses (private networks, this host) [default: false].
    #[arg(long, env = "LINLI_WEBHOOK_ALLOW_INTERNAL", global = true)]
    pub webhook_allow_internal: Option<bool>,
}

/// The file's keys: the same settings, secrets excluded.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    redis_prefix: Option<String>,
    db_max_connections: Option<u32>,
    seed_demo: Option<bool>,
    auto_migrate: Option<bool>,
    run_jobs: Option<bool>,
    offer_ttl_seconds: Option<u64>,
    visit_confirm_hours: Option<u64>,
    booking_notice_minutes: Option<i64>,
    care_plan_days: Option<u32>,
    reclaim_after_seconds: Option<u64>,
    session_ttl_hours: Option<i64>,
    access_ttl_minutes: Option<i64>,
    metrics_bind: Option<String>,
    cors_origins: Option<String>,
    rate_limit_scale: Option<f64>,
    request_timeout_seconds: Option<u64>,
    shutdown_grace_seconds: Option<u64>,
    log: Option<String>,
    sms_url: Option<String>,
    delivery_max_attempts: Option<u32>,
    delivery_retry_seconds: Option<u64>,
    webhook_allow_internal: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DatabaseChoice {
    /// The embedded default's file.
    Sqlite(PathBuf),
    /// A database URL given explicitly (PostgreSQL, or a SQLite URL).
    Url(String),
}

/// Settings resolved from every source.
#[derive(Clone, Debug)]
pub struct Settings {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database: DatabaseChoice,
    pub redis: Option<RedisQueueConfig>,
    pub db_max_connections: u32,
    pub seed_demo: bool,
    pub auto_migrate: bool,
    pub run_jobs: bool,
    pub offer_ttl: Duration,
    /// How long a resident has to answer a completed visit.
    pub visit_confirm: Duration,
    /// The least time between booking and the earliest open time.
    pub booking_notice: chrono::Duration,
    /// How many days ahead care plans' visits are placed.
    pub care_plan_days: u32,
    pub reclaim_after: Duration,
    pub session_ttl: chrono::Duration,
    pub access_ttl: chrono::Duration,
    pub metrics_bind: Option<String>,
    pub metrics_token: Option<String>,
    pub cors_origins: Vec<String>,
    pub rate_limit_scale: f64,
    pub request_timeout: Duration,
    /// How long a stop may take; see [`ConfigArgs::shutdown_grace_seconds`].
    pub shutdown_grace: Duration,
    pub log: String,
    /// How far this process's clock runs ahead of the system's: zero, except in a test build told otherwise.
    pub clock_offset: chrono::TimeDelta,
    /// The SMS gateway's URL and credential, when SMS is on.
    pub sms: Option<(String, String)>,
    pub retry: linli_domain::notifications::RetryPolicy,
    pub webhook_allow_internal: bool,
}

impl Settings {
    pub fn resolve(args: &ConfigArgs) -> anyhow::Result<Self> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let database = match &args.database_url {
            Some(url)
                if url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:") =>
            {
                DatabaseChoice::Url(url.clone())
            }
            Some(_) => bail!("DATABASE_URL must start with postgres://, postgresql:// or sqlite:"),
            None => DatabaseChoice::Sqlite(
                args.data_dir.clone().or(file.data_dir.clone()).unwrap_or_else(|| PathBuf::from("data")),
            ),
        };
        let redis = match &args.redis_url {
            Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => Some(RedisQueueConfig {
                url: url.clone(),
                prefix: args.redis_prefix.clone().or(file.redis_prefix).unwrap_or_else(|| "linli".to_owned()),
            }),
            Some(_) => bail!("REDIS_URL must start with redis:// or rediss://"),
            None => None,
        };
        let embedded = matches!(database, DatabaseChoice::Sqlite(_));
        let bind = args.bind.clone().or(file.bind).unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        if bind.parse::<std::net::SocketAddr>().is_err() {
            bail!("LINLI_BIND must be an address and port such as 127.0.0.1:8080, not {bind:?}");
        }
        let offer_ttl = args.offer_ttl_seconds.or(file.offer_ttl_seconds).unwrap_or(120);
        if offer_ttl == 0 {
            bail!("LINLI_OFFER_TTL_SECONDS must be at least 1");
        }
        let visit_confirm_hours = args.visit_confirm_hours.or(file.visit_confirm_hours).unwrap_or(72);
        if !(1..=24 * 30).contains(&visit_confirm_hours) {
            bail!("LINLI_VISIT_CONFIRM_HOURS must be between 1 and 720");
        }
        let notice_minutes = args.booking_notice_minutes.or(file.booking_notice_minutes).unwrap_or(120);
        if !(0..=7 * 24 * 60).contains(&notice_minutes) {
            bail!("LINLI_BOOKING_NOTICE_MINUTES must be between 0 and 10080 (a week)");
        }
        let care_plan_days = args.care_plan_days.or(file.care_plan_days).unwrap_or(7);
        if !(1..=28).contains(&care_plan_days) {
            bail!("LINLI_CARE_PLAN_DAYS must be between 1 and 28");
        }
        let session_hours = args.session_ttl_hours.or(file.session_ttl_hours).unwrap_or(72);
        if !(1..=24 * 90).contains(&session_hours) {
            bail!("LINLI_SESSION_TTL_HOURS must be between 1 and 2160");
        }
        let access_minutes = args.access_ttl_minutes.or(file.access_ttl_minutes).unwrap_or(15);
        if !(1..=24 * 60).contains(&access_minutes) || access_minutes > session_hours * 60 {
            bail!("LINLI_ACCESS_TTL_MINUTES must be between 1 and 1440, and no longer than LINLI_SESSION_TTL_HOURS");
        }
        let metrics_bind = args.metrics_bind.clone().or(file.metrics_bind);
        if let Some(addr) = &metrics_bind
            && addr.parse::<std::net::SocketAddr>().is_err()
        {
            bail!("LINLI_METRICS_BIND must be an address and port such as 0.0.0.0:9090, not {addr:?}");
        }
        let metrics_token = args.metrics_token.clone().filter(|t| !t.is_empty());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            bail!("LINLI_METRICS_TOKEN must have at least 16 characters");
        }
        let cors_origins: Vec<String> = args
            .cors_origins
            .clone()
            .or(file.cors_origins)
            .map(|list| {
                list.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect()
            })
            .unwrap_or_default();
        if let Some(bad) = cors_origins.iter().find(|o| !(o.starts_with("http://") || o.starts_with("https://"))) {
            bail!("LINLI_CORS_ORIGINS lists origins such as https://app.example.cn, not {bad:?}");
        }
        let rate_limit_scale = args.rate_limit_scale.or(file.rate_limit_scale).unwrap_or(1.0);
        if !(0.0..=10_000.0).contains(&rate_limit_scale) {
            bail!("LINLI_RATE_LIMIT_SCALE must be between 0 (no limits) and 10000");
        }
        let timeout = args.request_timeout_seconds.or(file.request_timeout_seconds).unwrap_or(30);
        if !(1..=600).contains(&timeout) {
            bail!("LINLI_REQUEST_TIMEOUT_SECONDS must be between 1 and 600");
        }
        let grace = args.shutdown_grace_seconds.or(file.shutdown_grace_seconds).unwrap_or(20);
        if !(1..=600).contains(&grace) {
            bail!("LINLI_SHUTDOWN_GRACE_SECONDS must be between 1 and 600");
        }
        let sms = match (args.sms_url.clone().or(file.sms_url), args.sms_token.clone()) {
            (Some(url), _) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                bail!("LINLI_SMS_URL must start with http:// or https://")
            }
            (Some(url), Some(token)) => Some((url, token)),
            (Some(_), None) => bail!("LINLI_SMS_URL is set but LINLI_SMS_TOKEN is not"),
            (None, _) => None,
        };
        let max_attempts = args.delivery_max_attempts.or(file.delivery_max_attempts).unwrap_or(8);
        if !(1..=30).contains(&max_attempts) {
            bail!("LINLI_DELIVERY_MAX_ATTEMPTS must be between 1 and 30");
        }
        let retry_seconds = args.delivery_retry_seconds.or(file.delivery_retry_seconds).unwrap_or(10);
        if retry_seconds == 0 {
            bail!("LINLI_DELIVERY_RETRY_SECONDS must be at least 1");
        }
        let retry = linli_domain::notifications::RetryPolicy {
            base: Duration::from_secs(retry_seconds),
            cap: Duration::from_secs(3600).max(Duration::from_secs(retry_seconds)),
            max_attempts,
        };
        Ok(Self {
            clock_offset: clock_offset(std::env::var(TEST_CLOCK_OFFSET).ok().as_deref())?,
            webhook_allow_internal: args.webhook_allow_internal.or(file.webhook_allow_internal).unwrap_or(false),
            sms,
            retry,
            bind,
            data_dir: args.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("data")),
            seed_demo: args.seed_demo.or(file.seed_demo).unwrap_or(embedded),
            auto_migrate: args.auto_migrate.or(file.auto_migrate).unwrap_or(embedded),
            run_jobs: args.run_jobs.or(file.run_jobs).unwrap_or(redis.is_none()),
            redis,
            database,
            db_max_connections: args.db_max_connections.or(file.db_max_connections).unwrap_or(16).max(1),
            offer_ttl: Duration::from_secs(offer_ttl),
            visit_confirm: Duration::from_secs(visit_confirm_hours * 3600),
            booking_notice: chrono::Duration::minutes(notice_minutes),
            care_plan_days,
            reclaim_after: Duration::from_secs(
                args.reclaim_after_seconds.or(file.reclaim_after_seconds).unwrap_or(30).max(1),
            ),
            session_ttl: chrono::Duration::hours(session_hours),
            access_ttl: chrono::Duration::minutes(access_minutes),
            metrics_bind,
            metrics_token,
            cors_origins,
            rate_limit_scale,
            request_timeout: Duration::from_secs(timeout),
            shutdown_grace: Duration::from_secs(grace),
            log: args.log.clone().or(file.log).unwrap_or_else(|| "info".to_owned()),
        })
    }

    /// The database URL to connect to; creates the data folder for the embedded default.
    pub fn database_url(&self) -> anyhow::Result<String> {
        match &self.database {
            DatabaseChoice::Url(url) => Ok(url.clone()),
            DatabaseChoice::Sqlite(dir) => {
                std::fs::create_dir_all(dir).with_context(|| format!("creating the data folder {}", dir.display()))?;
                Ok(linli_infra::db::sqlite_url(dir))
            }
        }
    }

    pub fn is_embedded(&self) -> bool {
        matches!(self.database, DatabaseChoice::Sqlite(_))
    }
}

/// A test build's process may start with its clock moved ahead, so that tests of several processes can show
/// one taking over work whose lease another held, without waiting the lease out. Not a setting: a release
/// build refuses to start with it rather than run on a wrong clock.
const TEST_CLOCK_OFFSET: &str = "LINLI_TEST_CLOCK_OFFSET_SECONDS";

fn clock_offset(value: Option<&str>) -> anyhow::Result<chrono::TimeDelta> {
    let Some(value) = value else {
        return Ok(chrono::TimeDelta::zero());
    };
    if !cfg!(debug_assertions) {
        bail!("{TEST_CLOCK_OFFSET} is honoured only by test builds; unset it");
    }
    let seconds: i64 = value.parse().with_context(|| format!("{TEST_CLOCK_OFFSET} must be whole seconds"))?;
    chrono::TimeDelta::try_seconds(seconds).with_context(|| format!("{TEST_CLOCK_OFFSET} is out of range"))
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing the config file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_nothing_set_the_embedded_default_is_chosen() {
        let s = Settings::resolve(&ConfigArgs::default()).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.database, DatabaseChoice::Sqlite(PathBuf::from("data")));
        assert!(s.redis.is_none() && s.seed_demo && s.auto_migrate && s.run_jobs);
    }

    #[test]
    fn with_postgres_and_redis_the_jobs_run_elsewhere_and_nothing_is_seeded() {
        let args = ConfigArgs {
            database_url: Some("postgres://postgres@127.0.0.1/linli".into()),
            redis_url: Some("redis://127.0.0.1:6379".into()),
            ..ConfigArgs::default()
        };
        let s = Settings::resolve(&args).unwrap();
        assert!(!s.seed_demo && !s.auto_migrate && !s.run_jobs);
        assert_eq!(s.redis.unwrap().prefix, "linli");
    }

    #[test]
    fn a_file_fills_in_what_flags_and_environment_leave_open() {
        let dir = std::env::temp_dir().join(format!("linli-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("linli.toml");
        std::fs::write(&path, "bind = \"127.0.0.1:9000\"\noffer_ttl_seconds = 30\n").unwrap();
        let args = ConfigArgs { config: Some(path.clone()), offer_ttl_seconds: Some(45), ..ConfigArgs::default() };
        let s = Settings::resolve(&args).unwrap();
        assert_eq!(s.bind, "127.0.0.1:9000");
        assert_eq!(s.offer_ttl, Duration::from_secs(45));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_secret_in_the_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("linli-config-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("linli.toml");
        std::fs::write(&path, "database_url = \"postgres://u:p@h/db\"\n").unwrap();
        let err = Settings::resolve(&ConfigArgs { config: Some(path), ..ConfigArgs::default() }).unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_bind_address_without_a_port_is_refused() {
        let err =
            Settings::resolve(&ConfigArgs { bind: Some("localhost".into()), ..ConfigArgs::default() }).unwrap_err();
        assert!(err.to_string().contains("LINLI_BIND"));
    }

    #[test]
    fn a_test_build_runs_its_clock_ahead_only_when_told_to() {
        assert_eq!(clock_offset(None).unwrap(), chrono::TimeDelta::zero());
        assert_eq!(clock_offset(Some("301")).unwrap(), chrono::TimeDelta::seconds(301));
        assert!(clock_offset(Some("soon")).unwrap_err().to_string().contains(TEST_CLOCK_OFFSET));
    }
}
