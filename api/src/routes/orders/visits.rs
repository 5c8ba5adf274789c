//! The visit over HTTP: the resident confirms or disputes a completed job and rates its provider, and the
//! community's workers see the disputed visits of their community and resolve them.

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use linli_domain::orders::{Answer, OrderId, Stars, Visibility, VisitText};
use linli_domain::paging::PageRequest;

use super::views::{
    DisputePage, DisputeRequest, DisputeView, OrderView, RateRequest, RatingView, ResolveRequest, VisitView,
};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::routes::ApiTags;
use crate::routes::{PageLimit, limit_of};
use crate::state::AppState;

pub struct VisitsApi;

problems!(
    /// What `POST /orders/:id/confirm` can answer besides its success.
    ConfirmProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict
);
problems!(
    /// What `POST /orders/:id/dispute` and `POST /orders/:id/dispute/resolve` can answer besides their success.
    DisputeProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);
problems!(
    /// What `PUT /orders/:id/rating` can answer besides its success.
    RateProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);
problems!(
    /// What `GET /disputes` can answer besides its success.
    DisputesProblems: BadRequest, Unauthorized, Forbidden
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Orders")]
impl VisitsApi {
    /// Confirm that the service was done, once; without an answer it is confirmed for you after a while
    /// (`visit.confirm_by` on the order).
    #[oai(path = "/orders/:id/confirm", method = "post")]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<VisitView>, ConfirmProblems> {
        let visit = state.orders.answer_visit(&auth.0.actor(), OrderId(id.0), Answer::Confirm).await?;
        Ok(Json(visit.into()))
    }

    /// Dispute the service, saying what was wrong, instead of confirming it: the community's workers take it up.
    #[oai(path = "/orders/:id/dispute", method = "post")]
    async fn dispute(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<DisputeRequest>,
    ) -> Result<Json<VisitView>, DisputeProblems> {
        let reason = VisitText::parse(&body.reason, "reason")?;
        let visit = state.orders.answer_visit(&auth.0.actor(), OrderId(id.0), Answer::Dispute(reason)).await?;
        Ok(Json(visit.into()))
    }

    /// Rate the provider of your settled visit (confirmed, or its dispute resolved) from 1 to 5 stars, with an
    /// optional comment; the same call changes it within a day of first giving it (409 `edit_window_closed`
    /// after). The provider's smoothed rating moves with it and feeds dispatch's ranking.
    #[oai(path = "/orders/:id/rating", method = "put")]
    async fn rate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<RateRequest>,
    ) -> Result<Json<RatingView>, RateProblems> {
        let stars = Stars::parse(body.stars)?;
        let comment = match body.comment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(VisitText::parse(text, "comment")?),
        };
        let rating = state.orders.rate(&auth.0.actor(), OrderId(id.0), stars, comment).await?;
        Ok(Json(rating.into()))
    }

    /// Disputed visits of your community not yet resolved (an admin sees every community's), newest first.
    #[oai(path = "/disputes", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<DisputePage>, DisputesProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let page = state.orders.disputes(&auth.0.actor(), page).await?;
        let next_cursor = page.next_cursor(|(o, _)| o.id.0.to_string());
        let disputes = page
            .rows
            .into_iter()
            .map(|(order, visit)| DisputeView { order: OrderView::new(order, Visibility::Full), visit: visit.into() })
            .collect();
        Ok(Json(DisputePage { disputes, next_cursor }))
    }

    /// Close a dispute of your community, saying how it was settled; the resident and the provider are told.
    #[oai(path = "/orders/:id/dispute/resolve", method = "post")]
    async fn resolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<ResolveRequest>,
    ) -> Result<Json<VisitView>, DisputeProblems> {
        let note = VisitText::parse(&body.note, "note")?;
        let visit = state.orders.resolve_dispute(&auth.0.actor(), OrderId(id.0), note).await?;
        Ok(Json(visit.into()))
    }
}
