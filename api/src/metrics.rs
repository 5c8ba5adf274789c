//! `/metrics` in Prometheus' text format: the scheduled jobs (runs, failures, last duration and count, across
//! every jobs process) and the notification backlog (outbox, reminders, deliveries by state, dead letters
//! included). Not public, and not part of the API spec: on the main address it answers only a bearer
//! `LINLI_METRICS_TOKEN` (and is not there at all without one); `LINLI_METRICS_BIND` serves it on an
//! address of its own, for a scraper inside the cluster, with `/healthz` and `/readyz` beside it: the only
//! address `linli jobs` listens on, for its probes.

use poem::web::Data;
use poem::{EndpointExt, IntoResponse, Request, Response, Route, handler};

use linli_domain::health::HealthDesk;
use linli_domain::notifications::NotificationDesk;
use linli_domain::notifications::records::JobRunRecord;
use linli_infra::SystemClock;
use linli_infra::queue::AnyQueue;
use linli_infra::store::Store;

use crate::problem::ApiError;

/// What `/metrics` and the probes read.
#[derive(Clone)]
pub struct Observed {
    pub notifications: NotificationDesk<Store, SystemClock>,
    pub health: HealthDesk<Store, AnyQueue>,
}

/// The metrics address: `/metrics`, `/healthz` and `/readyz`, to anyone who can reach it.
pub fn side_routes(observed: Observed) -> impl poem::Endpoint {
    Route::new()
        .at("/metrics", metrics)
        .at("/healthz", crate::routes::alive)
        .at("/readyz", crate::routes::ready)
        .data(observed)
        .data(MetricsAccess::Open)
        .around(crate::security::harden)
}

/// Who may read `/metrics` on the address it is mounted at.
#[derive(Clone)]
pub enum MetricsAccess {
    /// The separate metrics address: anyone who can reach it.
    Open,
    /// The main address: a bearer token, or nobody.
    Token(Option<String>),
}

#[handler]
pub async fn metrics(state: Data<&Observed>, access: Data<&MetricsAccess>, req: &Request) -> Response {
    if let MetricsAccess::Token(expected) = *access {
        let Some(expected) = expected else {
            return ApiError::not_found("page").into_response();
        };
        let sent =
            req.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if !sent.is_some_and(|sent| same(sent.as_bytes(), expected.as_bytes())) {
            return ApiError::unauthorized("/metrics needs the bearer LINLI_METRICS_TOKEN").into_response();
        }
    }
    match render(&state).await {
        Ok(text) => text.with_content_type("text/plain; version=0.0.4").into_response(),
        Err(e) => e.into_response(),
    }
}

/// Compares in time that does not depend on where the bytes first differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn render(state: &Observed) -> Result<String, ApiError> {
    let (jobs, backlog) = state.notifications.metrics().await?;
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, i64)>| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
        for (labels, value) in samples {
            out.push_str(&format!("{name}{labels} {value}\n"));
        }
    };
    let per_job =
        |value: fn(&JobRunRecord) -> i64| jobs.iter().map(|j| (format!("{{job=\"{}\"}}", j.job), value(j))).collect();
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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn a_token_matches_only_itself() {
        assert!(same(b"0123456789abcdef", b"0123456789abcdef"));
        assert!(!same(b"0123456789abcdef", b"0123456789abcdeg"));
        assert!(!same(b"0123456789abcdef", b"0123456789abcde"));
    }
}
