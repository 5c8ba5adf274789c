//! `/healthz` (the process answers) and `/readyz` (its database and queue answer).

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use linli_domain::dispatch::DispatchQueue;

use super::ApiTags;
use crate::state::AppState;
use crate::views::{Health, HealthCheck};

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
        let db = state.store.ping().await;
        let queue = state.queue.ping().await;
        let checks = vec![
            HealthCheck { name: "database".into(), ok: db.is_ok(), detail: db.err().map(|e| e.to_string()) },
            HealthCheck {
                name: state.queue.describe().into(),
                ok: queue.is_ok(),
                detail: queue.err().map(|e| e.to_string()),
            },
        ];
        if checks.iter().all(|c| c.ok) {
            ReadyResponse::Ready(Json(Health { status: "ready".into(), checks }))
        } else {
            ReadyResponse::NotReady(Json(Health { status: "not ready".into(), checks }))
        }
    }
}
