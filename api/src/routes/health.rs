//! `/healthz` (the process answers) and `/readyz` (its database and queue answer).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
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

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
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
#[oai(skip_serializing_if_is_none)]
pub struct Health {
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
