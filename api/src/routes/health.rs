//! `/healthz` (the process answers: for a liveness probe) and `/readyz` (its database answers: for a readiness
//! probe; the queue is reported, and Redis down makes the process degraded, not unready).

use poem::web::Data;
use poem::{IntoResponse, handler};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use linli_domain::health::{HealthDesk, Reachable};

use super::ApiTags;
use crate::metrics::Observed;
use crate::state::AppState;

pub struct HealthApi;

#[derive(ApiResponse)]
enum ReadyResponse {
    /// The database answers: `status` is `ready`, or `degraded` when the queue (Redis) does not answer, in
    /// which case orders are recorded and queued once it does.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// The database does not answer; the checks say so.
    #[oai(status = 503)]
    NotReady(Json<Health>),
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// The process is alive.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health::alive())
    }

    /// The database answers; the queue (Redis, when configured) is reported with it.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self, state: Data<&AppState>) -> ReadyResponse {
        readiness(&state.health).await
    }
}

async fn readiness(health: &HealthDesk<impl Reachable, impl Reachable>) -> ReadyResponse {
    let (readiness, answers) = health.readiness().await;
    let checks = answers
        .into_iter()
        .map(|c| HealthCheck { name: c.name.to_owned(), ok: c.ok, detail: c.detail })
        .collect::<Vec<_>>();
    let health = Json(Health { status: readiness.as_str().into(), checks });
    if readiness.serves() { ReadyResponse::Ready(health) } else { ReadyResponse::NotReady(health) }
}

/// `/healthz` on the metrics address.
#[handler]
pub async fn alive() -> poem::Response {
    Json(Health::alive()).into_response()
}

/// `/readyz` on the metrics address, as on the main one.
#[handler]
pub async fn ready(observed: Data<&Observed>) -> poem::Response {
    readiness(&observed.health).await.into_response()
}

impl Health {
    fn alive() -> Self {
        Health { status: "ok".into(), checks: Vec::new() }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Health {
    /// `ok` (alive), `ready`, `degraded` (serving without the queue) or `not ready`.
    pub status: String,
    /// Each dependency's state, on readiness checks.
    pub checks: Vec<HealthCheck>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HealthCheck {
    pub name: String,
    pub ok: bool,
    pub detail: Option<String>,
}
