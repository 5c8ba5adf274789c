//! The community workers' queue: orders nobody took, to assign by hand or close.

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use linli_domain::orders::{OrderId, Visibility};
use linli_domain::paging::PageRequest;
use linli_domain::providers::ProviderId;

use super::order_page;
use super::views::{AssignRequest, CloseRequest, OrderPage, OrderView};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::problem::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::routes::{PageLimit, limit_of};
use crate::state::AppState;

pub struct EscalationsApi;

problems!(
    /// What `GET /escalations` can answer besides its success.
    ListProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `POST /orders/:id/assign` can answer besides its success.
    AssignProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /orders/:id/close` can answer besides its success.
    CloseProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Escalations")]
impl EscalationsApi {
    /// Escalated orders of your community (an admin sees every community's), newest first.
    #[oai(path = "/escalations", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<OrderPage>, ListProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        Ok(Json(order_page(state.orders.escalations(&auth.0.actor(), page).await?)))
    }

    /// Give an escalated order to a provider by hand, with a reason.
    #[oai(path = "/orders/:id/assign", method = "post")]
    async fn assign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<AssignRequest>,
    ) -> Result<Json<OrderView>, AssignProblems> {
        let reason = reason(&body.reason)?;
        let order = state.orders.assign(&auth.0.actor(), OrderId(id.0), ProviderId(body.provider_id), reason).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Close an escalated order that cannot be served, with a reason.
    #[oai(path = "/orders/:id/close", method = "post")]
    async fn close(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CloseRequest>,
    ) -> Result<Json<OrderView>, CloseProblems> {
        let reason = reason(&body.reason)?;
        let order = state.orders.close(&auth.0.actor(), OrderId(id.0), reason).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }
}

fn reason(raw: &str) -> ApiResult<&str> {
    let r = raw.trim();
    if r.is_empty() || r.chars().count() > 200 {
        return Err(ApiError::invalid("reason", "invalid_reason", "a reason has 1 to 200 characters"));
    }
    Ok(r)
}
