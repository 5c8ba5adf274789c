//! Building the application from settings: connect the database and queue, migrate and seed when asked, and
//! serve HTTP on a bound port (port 0 picks a free one, which tests use).

use std::future::Future;
use std::time::Duration;

use anyhow::Context;
use poem::http::Method;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::middleware::{CatchPanic, Compression, Cors, RequestId, ReuseId};
use poem::{EndpointExt, Route, Server};
use poem_openapi::OpenApiService;

use linli_domain::dispatch::SlotRules;
use linli_domain::health::HealthDesk;
use linli_domain::notifications::NotificationDesk;
use linli_domain::orders::OrderDesk;
use linli_infra::SystemClock;
use linli_infra::auth::{SessionPolicy, Sessions};
use linli_infra::broadcast::Broadcast;
use linli_infra::limits::Limiter;
use linli_infra::live::LiveHub;
use linli_infra::outbound::{AnySms, DevSms, HttpSms, HttpWebhooks};
use linli_infra::queue::{AnyQueue, MemoryQueue, RedisQueue};
use linli_infra::seed::{SeedReport, seed_demo};
use linli_infra::store::Store;
use linli_jobs::{Dispatcher, DispatcherConfig, Notifier, NotifierConfig, Volunteering};

use crate::config::Settings;
use crate::limits::Limits;
use crate::metrics::{MetricsAccess, Observed};
use crate::problem::{ApiError, render_error};
use crate::routes::{
    AccountsApi, AdminApi, AftercareApi, AuditApi, AvailabilityApi, CalendarApi, CarePlansApi, CatalogApi,
    EscalationsApi, EventsApi, GeoApi, HealthApi, HoursApi, IdentityApi, IntakeApi, LiveApi, MapUpkeepApi, MembersApi,
    NotificationsApi, OrdersApi, OrganizationApi, PairingApi, ProviderApi, ReportsApi, ShiftsApi, VisitsApi,
};
use crate::state::{AppState, Desk};

/// The adapters every subcommand needs.
#[derive(Clone)]
pub struct Backends {
    pub store: Store,
    pub queue: AnyQueue,
    /// Messages every process hears (ended sessions): through Redis when configured.
    pub broadcast: Broadcast,
    pub desk: Desk,
    /// The one clock of this process's use cases and jobs.
    pub clock: SystemClock,
    reclaim_after: std::time::Duration,
    shutdown_grace: Duration,
    sms: Option<(String, String)>,
    retry: linli_domain::notifications::RetryPolicy,
    webhook_allow_internal: bool,
}

impl Backends {
    /// Connects to the database and the queue the settings name.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let url = settings.database_url()?;
        let db =
            linli_infra::db::connect(&url, settings.db_max_connections).await.context("connecting to the database")?;
        let store = Store::new(db);
        let (queue, broadcast) = match &settings.redis {
            Some(redis) => (
                AnyQueue::Redis(RedisQueue::connect(redis.clone()).await.context("connecting to Redis")?),
                Broadcast::redis(&redis.url, &redis.prefix).await.context("subscribing to Redis broadcasts")?,
            ),
            None => (AnyQueue::Memory(MemoryQueue::new()), Broadcast::local()),
        };
        let clock = SystemClock::default();
        clock.advance(settings.clock_offset);
        let desk = OrderDesk {
            confirm_within: settings.visit_confirm,
            slots: SlotRules { notice: settings.booking_notice, ..SlotRules::default() },
            plan_horizon_days: settings.care_plan_days,
            ..OrderDesk::new(store.clone(), queue.clone(), clock.clone(), settings.offer_ttl)
        };
        Ok(Self {
            store,
            queue,
            broadcast,
            desk,
            clock,
            reclaim_after: settings.reclaim_after,
            shutdown_grace: settings.shutdown_grace,
            sms: settings.sms.clone(),
            retry: settings.retry,
            webhook_allow_internal: settings.webhook_allow_internal,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        linli_infra::db::migrate(self.store.connection()).await.context("applying migrations")
    }

    /// Migrates when allowed to; otherwise refuses to start on a schema that is behind, with what to do about
    /// it, rather than serving errors.
    pub async fn prepare_schema(&self, auto_migrate: bool) -> anyhow::Result<()> {
        if auto_migrate {
            return self.migrate().await;
        }
        let pending =
            linli_infra::db::pending_migrations(self.store.connection()).await.context("reading the schema version")?;
        if pending > 0 {
            anyhow::bail!(
                "the database schema is {pending} migration(s) behind: run `linli migrate` first \
                 (or set LINLI_AUTO_MIGRATE=true to migrate at start-up)"
            );
        }
        Ok(())
    }

    pub async fn seed(&self) -> anyhow::Result<SeedReport> {
        seed_demo(&self.store).await.context("seeding demo data")
    }

    /// The notification steps, sending through HTTP.
    pub fn notifier(&self) -> Notifier<Store, HttpWebhooks, HttpSms, SystemClock, LiveHub> {
        Notifier {
            store: self.store.clone(),
            webhooks: HttpWebhooks::new(self.webhook_allow_internal),
            sms: self.sms.clone().map(|(url, token)| HttpSms::new(url, token)),
            clock: self.clock.clone(),
            live: LiveHub::new(self.broadcast.clone()),
            config: NotifierConfig { retry: self.retry, ..NotifierConfig::default() },
        }
    }

    /// The dispatcher and every scheduled step until `signal` resolves, then a stop within the grace period
    /// (see [`Stop`]): for `linli jobs`. With `LINLI_METRICS_BIND`, `/metrics`, `/healthz` and `/readyz` are
    /// served there meanwhile, for the probes of its pod.
    pub async fn run_jobs_until_stopped(
        &self,
        signal: impl Future<Output = ()> + Send + 'static,
        settings: &Settings,
    ) -> anyhow::Result<()> {
        let side = match &settings.metrics_bind {
            Some(addr) => Some(bind(addr, "metrics").await?),
            None => None,
        };
        let stop = Stop::on(signal);
        let side = side.map(|acceptor| serve_side(acceptor, self.observed(), &stop));
        let jobs = async {
            let done = self.run_jobs(stop.requested()).await;
            if let Some(side) = side {
                let _ = side.await;
            }
            done
        };
        tokio::select! {
            done = jobs => done,
            () = stop.expired(settings.shutdown_grace) => Ok(()),
        }
    }

    /// What the metrics address reads.
    pub fn observed(&self) -> Observed {
        Observed {
            notifications: NotificationDesk::new(self.store.clone(), self.clock.clone()),
            health: HealthDesk::new(self.store.clone(), self.queue.clone()),
        }
    }

    /// The dispatcher and every scheduled step, until `shutdown` resolves.
    pub async fn run_jobs(&self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let volunteering = Volunteering { store: self.store.clone(), clock: self.clock.clone() };
        linli_jobs::clockwork::run(self.dispatcher(), self.notifier(), volunteering, shutdown)
            .await
            .context("running the jobs")
    }

    /// A dispatcher consuming this process's share of the queue.
    pub fn dispatcher(&self) -> Dispatcher<Store, AnyQueue, SystemClock> {
        let consumer =
            format!("{}-{}-{}", hostname(), std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..6]);
        Dispatcher::new(
            self.desk.clone(),
            DispatcherConfig {
                reclaim_after: self.reclaim_after,
                finish_within: Duration::from_secs(5).min(self.shutdown_grace / 2),
                ..DispatcherConfig::new(consumer)
            },
        )
    }
}

/// A stop of the whole process, as a container stop asks for one (SIGTERM, or Ctrl-C): every part hears it at
/// the same moment, finishes what it has under way, and the process exits when all have or when the grace
/// period since the signal is over, whichever is first.
#[derive(Clone)]
pub struct Stop(std::sync::Arc<tokio::sync::watch::Sender<Option<std::time::Instant>>>);

/// A stop nobody has asked for yet, and nothing will but [`Stop::ask`].
impl Default for Stop {
    fn default() -> Self {
        Self(std::sync::Arc::new(tokio::sync::watch::channel(None).0))
    }
}

impl Stop {
    /// Listens for `signal` from now on.
    pub fn on(signal: impl Future<Output = ()> + Send + 'static) -> Self {
        let stop = Self::default();
        let asked = stop.clone();
        tokio::spawn(async move {
            signal.await;
            tracing::info!("stopping: finishing the work under way");
            asked.ask();
        });
        stop
    }

    /// Asks for the stop now, unless it was asked for already.
    pub fn ask(&self) {
        self.0.send_if_modified(|at| at.is_none() && at.replace(std::time::Instant::now()).is_none());
    }

    /// Resolves when the stop is asked for.
    pub fn requested(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.0.subscribe();
        async move {
            let _ = rx.wait_for(Option::is_some).await;
        }
    }

    /// Resolves `grace` after the stop was asked for, saying that the work left is abandoned.
    pub async fn expired(&self, grace: Duration) {
        let mut rx = self.0.subscribe();
        let Ok(at) = rx.wait_for(Option::is_some).await.map(|at| at.expect("set")) else {
            return std::future::pending().await;
        };
        tokio::time::sleep_until((at + grace).into()).await;
        tracing::warn!(
            grace_seconds = grace.as_secs(),
            "the grace period is over: exiting with work unfinished (held dispatch entries are taken over after the reclaim time; steps run again at their next tick)"
        );
    }
}

/// Binds `addr` for the listener named `what`.
async fn bind(addr: &str, what: &str) -> anyhow::Result<TcpAcceptor> {
    TcpListener::bind(addr.to_owned()).into_acceptor().await.with_context(|| format!("listening for {what} on {addr}"))
}

/// Serves the metrics address until the stop.
fn serve_side(acceptor: TcpAcceptor, observed: Observed, stop: &Stop) -> tokio::task::JoinHandle<()> {
    let stopped = stop.requested();
    tokio::spawn(async move {
        let app = crate::metrics::side_routes(observed);
        if let Err(e) = Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(app, stopped, None).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    })
}

fn hostname() -> String {
    std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "linli".to_owned())
}

/// The HTTP server, bound and ready to run.
pub struct Application {
    acceptor: TcpAcceptor,
    /// `/metrics` on an address of its own, when `LINLI_METRICS_BIND` asks for one.
    metrics_acceptor: Option<TcpAcceptor>,
    port: u16,
    backends: Backends,
    settings: Settings,
    seeded: Option<SeedReport>,
}

impl Application {
    /// Connects, migrates and seeds as the settings say, and binds the listen address.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let backends = Backends::connect(&settings).await?;
        backends.prepare_schema(settings.auto_migrate).await?;
        let seeded = if settings.seed_demo { Some(backends.seed().await?) } else { None };
        let acceptor = TcpListener::bind(settings.bind.clone())
            .into_acceptor()
            .await
            .with_context(|| format!("listening on {}", settings.bind))?;
        let port = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().map(|s| s.port()))
            .context("reading the bound port")?;
        let metrics_acceptor = match &settings.metrics_bind {
            Some(addr) => Some(bind(addr, "metrics").await?),
            None => None,
        };
        Ok(Self { acceptor, metrics_acceptor, port, backends, settings, seeded })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Rate limits shared through Redis when the queue is there, else counted in this process.
    fn limits(&self) -> Limits {
        let budgets = crate::limits::budgets(self.settings.rate_limit_scale);
        let clock = self.backends.clock.clone();
        Limits(match &self.backends.queue {
            AnyQueue::Redis(redis) => Limiter::redis(redis.connection(), redis.prefix(), &budgets, clock),
            AnyQueue::Memory(_) => Limiter::memory(&budgets, clock),
        })
    }

    /// Where sign-up and reset codes go: the SMS gateway when one is configured, otherwise the log and the
    /// data directory's `sms.log`, so that Linli without a gateway still lets people sign up.
    fn texts(&self) -> AnySms {
        match &self.settings.sms {
            Some((url, token)) => AnySms::Http(HttpSms::new(url.clone(), token.clone())),
            None => {
                let dev = DevSms::new(&self.settings.data_dir);
                tracing::info!(file = %dev.file().display(), "no SMS gateway: texts (sign-up codes) go to the log and this file");
                AnySms::Dev(dev)
            }
        }
    }

    /// What seeding did at start-up, when it ran.
    pub fn seeded(&self) -> Option<&SeedReport> {
        self.seeded.as_ref()
    }

    pub fn backends(&self) -> &Backends {
        &self.backends
    }

    /// Serves until `signal` resolves, running the dispatcher alongside when the settings ask for it. Then stops
    /// as a container stop should: no new connection is taken, the requests under way are answered, the jobs
    /// finish their batch and their running steps, all within the grace period (see [`Stop`]).
    pub async fn run_until_stopped(self, signal: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let stop = Stop::on(signal);
        let grace = self.settings.shutdown_grace;
        let backends = &self.backends;
        let policy = SessionPolicy { access: self.settings.access_ttl, refresh: self.settings.session_ttl };
        let sessions = Sessions::new(backends.store.clone(), policy, backends.broadcast.clone())?;
        let state = AppState::new(
            backends.desk.clone(),
            backends.store.clone(),
            backends.queue.clone(),
            sessions,
            self.texts(),
            self.limits(),
            LiveHub::new(backends.broadcast.clone()),
        )
        .ending_streams_on(stop.clone());
        let jobs = self.settings.run_jobs.then(|| {
            let backends = self.backends.clone();
            let stopped = stop.requested();
            tokio::spawn(async move {
                if let Err(e) = backends.run_jobs(stopped).await {
                    tracing::error!(error = %format!("{e:#}"), "the jobs stopped");
                }
            })
        });
        let metrics = self.metrics_acceptor.map(|acceptor| serve_side(acceptor, backends.observed(), &stop));
        let observed = backends.observed();
        let edge = Edge {
            metrics: MetricsAccess::Token(self.settings.metrics_token.clone()),
            cors_origins: self.settings.cors_origins.clone(),
            timeout: self.settings.request_timeout,
        };
        let server = async {
            let served = Server::new_with_acceptor(self.acceptor)
                .run_with_graceful_shutdown(routes(state, observed, edge), stop.requested(), Some(grace))
                .await;
            // Should the server end on its own, the jobs end with it.
            stop.ask();
            served
        };
        let rest = async {
            for handle in [jobs, metrics].into_iter().flatten() {
                let _ = handle.await;
            }
        };
        let everything = async { tokio::join!(server, rest).0.context("serving HTTP") };
        tokio::select! {
            result = everything => result,
            () = stop.expired(grace) => Ok(()),
        }
    }
}

/// What the edge of the main address is configured with.
struct Edge {
    metrics: MetricsAccess,
    cors_origins: Vec<String>,
    timeout: Duration,
}

/// A compressed stream reaches the client only when the compressor's buffer fills, which for a live stream of
/// small events is much too late: the live stream is never compressed.
async fn uncompressed_streams<E: poem::Endpoint>(
    next: std::sync::Arc<E>,
    mut req: poem::Request,
) -> poem::Result<poem::Response> {
    if req.uri().path() == LIVE_PATH {
        req.headers_mut().remove(poem::http::header::ACCEPT_ENCODING);
    }
    next.call(req).await.map(poem::IntoResponse::into_response)
}

/// Where the live stream is served.
const LIVE_PATH: &str = "/api/v1/live";

/// Every route: the API under `/api/v1`, the web app at `/`, health at the root, the spec at `/openapi.json`, docs at `/docs`,
/// and `/metrics` for its token. Every request is limited in time and body size (see [`crate::body`]); CORS is
/// closed unless origins are configured.
fn routes(state: AppState, observed: Observed, edge: Edge) -> impl poem::Endpoint {
    let api = OpenApiService::new(
        (
            (HealthApi, AccountsApi, CatalogApi, GeoApi, OrdersApi, ProviderApi, EscalationsApi, NotificationsApi),
            (AdminApi, AuditApi, IdentityApi, MembersApi, PairingApi, EventsApi, ShiftsApi, HoursApi, CalendarApi),
            (LiveApi, ReportsApi, VisitsApi, AftercareApi, CarePlansApi, IntakeApi, AvailabilityApi, MapUpkeepApi),
            OrganizationApi,
        ),
        "Linli (邻里)",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Community-service booking and dispatch. Sign in at `POST /api/v1/auth/login` (or sign up at `POST \
         /api/v1/auth/sign-up`), then send the access token as `Authorization: Bearer <token>` and renew it \
         at `POST /api/v1/auth/refresh`. Each operation's description says who may call it.",
    );
    // The spec served carries each operation's rule from the route table.
    let spec = crate::access::annotate(&api.spec());
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder().content_type("application/json; charset=utf-8").body(spec.clone())
    });
    let docs = api.swagger_ui();
    // The operations live under /api and at /healthz and /readyz; `/` is the web app's.
    let api = std::sync::Arc::new(poem::IntoEndpoint::into_endpoint(api));
    let timeout = edge.timeout;
    let cors = (!edge.cors_origins.is_empty()).then(|| {
        Cors::new()
            .allow_origins(edge.cors_origins.iter().map(String::as_str))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers(["authorization", "content-type", "idempotency-key"])
            .max_age(600)
    });
    // Refusals are worded in the caller's language, which may be their account's.
    let words = state.clone();
    Route::new()
        .nest_no_strip("/api", api.clone())
        .at("/healthz", api.clone())
        .at("/readyz", api)
        .at("/", crate::web::page)
        .nest_no_strip("/assets", crate::web::asset)
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .at("/metrics", crate::metrics::metrics.data(observed).data(edge.metrics))
        .data(state)
        .catch_all_error(render_error)
        .with(CatchPanic::new().with_handler(|_| {
            // The panic itself is already on stderr; the client gets the usual problem, not a dropped connection.
            tracing::error!("a request handler panicked");
            ApiError::new(poem::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side")
        }))
        .around(move |ep, req| crate::limits::within(ep, req, timeout))
        .around(crate::limits::retry_after)
        .around(move |ep, req| crate::wording::word_problems(ep, req, words.clone()))
        // One allocation per request keeps the type of the whole stack shallow enough for the compiler to lay
        // out the server's future in every crate that starts one (the binary, each integration test).
        .boxed()
        .with_if(cors.is_some(), cors.unwrap_or_default())
        .with(Compression::new())
        .around(uncompressed_streams)
        .around(crate::security::harden)
        .around(crate::telemetry::log_request)
        .with(RequestId::default().reuse_id(ReuseId::Use))
}
