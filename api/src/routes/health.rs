//! `/healthz` (the process answers), `/readyz` (its database and queue answer) and `/metrics` (Prometheus).

use poem::web::Data;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use linli_domain::notifications::records::JobRunRecord;

use super::ApiTags;
use crate::problem::problems;
use crate::state::AppState;

pub struct HealthApi;

#[derive(ApiResponse)]
enum ReadyResponse {
    /// Every dependency answers.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// A dependency does not answer; the checks say which.
    #[oai(status = 503)]
    NotReady(Json<Health>),
}

#[derive(ApiResponse)]
enum MetricsResponse {
    /// Prometheus text exposition.
    #[oai(status = 200, content_type = "text/plain; version=0.0.4")]
    Metrics(PlainText<String>),
}

problems!(
    /// What `GET /metrics` can answer besides its success.
    MetricsProblems:
);

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Prometheus metrics of the scheduled jobs (runs, failures, last duration and count, across every jobs
    /// process) and of the notification backlog (outbox, reminders, deliveries by state, dead letters included).
    #[oai(path = "/metrics", method = "get")]
    async fn metrics(&self, state: Data<&AppState>) -> Result<MetricsResponse, MetricsProblems> {
        let (jobs, backlog) = state.notifications.metrics().await?;
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, i64)>| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            for (labels, value) in samples {
                out.push_str(&format!("{name}{labels} {value}\n"));
            }
        };
        let per_job = |value: fn(&JobRunRecord) -> i64| {
            jobs.iter().map(|j| (format!("{{job=\"{}\"}}", j.job), value(j))).collect::<Vec<_>>()
        };
        family("linli_job_runs_total", "counter", "Recorded runs of each scheduled job.", per_job(|j| j.runs));
        family("linli_job_failures_total", "counter", "Runs that failed or panicked.", per_job(|j| j.failures));
        family(
            "linli_job_last_duration_ms",
            "gauge",
            "Duration of the last recorded run.",
            per_job(|j| j.last_duration_ms),
        );
        family("linli_job_last_count", "gauge", "What the last recorded run did.", per_job(|j| j.last_count));
        let waiting = vec![(String::new(), i64::try_from(backlog.outbox).unwrap_or(i64::MAX))];
        family("linli_outbox_pending", "gauge", "Order events not fanned out yet.", waiting);
        let reminders = vec![(String::new(), i64::try_from(backlog.reminders).unwrap_or(i64::MAX))];
        family("linli_reminders_pending", "gauge", "Reminders not yet due or not yet sent.", reminders);
        let deliveries = backlog.deliveries.into_iter().map(|(s, n)| (format!("{{state=\"{s}\"}}"), n)).collect();
        family("linli_deliveries", "gauge", "Webhook calls and SMS by state.", deliveries);
        Ok(MetricsResponse::Metrics(PlainText(out)))
    }

    /// The process is alive.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health { status: "ok".into(), checks: Vec::new() })
    }

    /// The database and the queue (Redis, when configured) answer.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        let (ready, answers) = state.health.readiness().await;
        let checks = answers
            .into_iter()
            .map(|c| HealthCheck { name: c.name.to_owned(), ok: c.ok, detail: c.detail })
            .collect::<Vec<_>>();
        if ready {
            ReadyResponse::Ready(Json(Health { status: "ready".into(), checks }))
        } else {
            ReadyResponse::NotReady(Json(Health { status: "not ready".into(), checks }))
        }
    }
}

#[derive(Object)]
pub struct Health {
    pub status: String,
    /// Each dependency's state, on readiness checks.
    pub checks: Vec<HealthCheck>,
}

#[derive(Object)]
pub struct HealthCheck {
    pub name: String,
    pub ok: bool,
    pub detail: Option<String>,
}
