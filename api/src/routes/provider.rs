//! What provider staff do: see their offers, accept or decline, start and complete the job.

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use linli_domain::orders::{DeclineOutcome, OrderId, Visibility};

use super::{ApiTags, page_size};
use crate::auth::BearerAuth;
use crate::problem::ApiResult;
use crate::state::AppState;
use crate::views::{DeclineView, OfferList, OfferView, OrderView};

pub struct ProviderApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Provider")]
impl ProviderApi {
    /// Open offers to your provider, oldest first. The street address shows once you accept.
    #[oai(path = "/offers", method = "get")]
    async fn offers(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        limit: Query<Option<u32>>,
    ) -> ApiResult<Json<OfferList>> {
        let rows = state.orders.open_offers(&auth.0.actor(), page_size(limit.0)?).await?;
        Ok(Json(OfferList { offers: rows.into_iter().map(|(offer, order)| OfferView::new(offer, order)).collect() }))
    }

    /// Accept an offered order. The first provider to accept wins; later ones get 409 `already_taken`.
    #[oai(path = "/orders/:id/accept", method = "post")]
    async fn accept(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<OrderView>> {
        let order = state.orders.accept(&auth.0.actor(), OrderId(id.0)).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Decline an offer; the order is never offered to your provider again.
    #[oai(path = "/orders/:id/decline", method = "post")]
    async fn decline(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<DeclineView>> {
        let outcome = state.orders.decline(&auth.0.actor(), OrderId(id.0)).await?;
        let returned_to_dispatch = matches!(outcome, DeclineOutcome::Declined { returned_to_dispatch: true });
        Ok(Json(DeclineView { returned_to_dispatch }))
    }

    /// Start the service of an accepted order.
    #[oai(path = "/orders/:id/start", method = "post")]
    async fn start(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<OrderView>> {
        let order = state.orders.start(&auth.0.actor(), OrderId(id.0)).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Complete the service.
    #[oai(path = "/orders/:id/complete", method = "post")]
    async fn complete(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<OrderView>> {
        let order = state.orders.complete(&auth.0.actor(), OrderId(id.0)).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }
}
