//! What provider staff do: see their offers, accept or decline, start and complete the job (the visit's record),
//! hand it to a colleague.

use poem::Request;
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::geo::{GeoPoint, parse_point};
use linli_domain::orders::{DeclineOutcome, JobReason, OrderId, Visibility, VisitText};
use linli_domain::paging::PageRequest;

use super::views::{
    ColleagueList, ColleagueView, CompleteRequest, DeclineView, HandOverRequest, OfferList, OfferView, OrderView,
    ReasonRequest, StartRequest,
};
use crate::auth::BearerAuth;
use crate::body::{JsonBody, OptionalJsonBody};
use crate::problem::problems;
use crate::problem::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::routes::choices::JobReasonName;
use crate::routes::{PageLimit, lang_of, limit_of};
use crate::state::AppState;

pub struct ProviderApi;

problems!(
    /// What `GET /offers` can answer besides its success.
    OffersProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `POST /orders/:id/accept` can answer besides its success.
    AcceptProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict
);
problems!(
    /// What `POST /orders/:id/hand-back` can answer besides its success.
    HandBackProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /orders/:id/decline` can answer besides its success.
    DeclineProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /orders/:id/start` can answer besides its success.
    StartProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);
problems!(
    /// What `POST /orders/:id/complete` can answer besides its success.
    CompleteProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);

problems!(
    /// What `POST /orders/:id/assignee` can answer besides its success.
    HandOverProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);
problems!(
    /// What `GET /provider/staff` can answer besides its success.
    ColleaguesProblems: Unauthorized, Forbidden
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Provider")]
impl ProviderApi {
    /// Open offers to your provider, oldest first. The street address shows once you accept.
    #[oai(path = "/offers", method = "get")]
    async fn offers(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<OfferList>, OffersProblems> {
        let rows = state.orders.open_offers(&auth.0.actor(), PageRequest::new(limit_of(limit.0), None)).await?;
        let lang = lang_of(req, &auth.0);
        Ok(Json(OfferList {
            offers: rows.into_iter().map(|(offer, order)| OfferView::new(offer, order, lang)).collect(),
        }))
    }

    /// Accept an offered order. The first provider to accept wins; later ones get 409 `already_taken`.
    #[oai(path = "/orders/:id/accept", method = "post")]
    async fn accept(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<OrderView>, AcceptProblems> {
        let order = state.orders.accept(&auth.0.actor(), OrderId(id.0)).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Decline an offer, with a reason from the list (the body may be left out by a system that has none); the
    /// order is never offered to your provider again, and your provider's reasons are counted for admins.
    #[oai(path = "/orders/:id/decline", method = "post")]
    async fn decline(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: OptionalJsonBody<ReasonRequest>,
    ) -> Result<Json<DeclineView>, DeclineProblems> {
        let reason = body.0.map(|b| job_reason(b.reason)).transpose()?;
        let outcome = state.orders.decline(&auth.0.actor(), OrderId(id.0), reason).await?;
        let returned_to_dispatch = matches!(outcome, DeclineOutcome::Declined { returned_to_dispatch: true });
        Ok(Json(DeclineView { returned_to_dispatch }))
    }

    /// Give back an order your organization accepted, before the visit starts, with a reason from the list:
    /// it is dispatched again to others (never to your organization), the resident is told, and it counts in
    /// your organization's figures.
    #[oai(path = "/orders/:id/hand-back", method = "post")]
    async fn hand_back(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<ReasonRequest>,
    ) -> Result<Json<OrderView>, HandBackProblems> {
        let reason = job_reason(body.reason)?;
        let order = state.orders.hand_back(&auth.0.actor(), OrderId(id.0), reason).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Start the service of an accepted order. The body is optional: give `lat` and `lng` when the device
    /// knows where it is, and the visit's record shows how far that was from the address.
    #[oai(path = "/orders/:id/start", method = "post")]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: OptionalJsonBody<StartRequest>,
    ) -> Result<Json<OrderView>, StartProblems> {
        let at = body.0.unwrap_or_default();
        let location = device_location(at.lat, at.lng)?;
        let order = state.orders.start(&auth.0.actor(), OrderId(id.0), location).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Your organization's active staff, by name: whom a job can be handed to.
    #[oai(path = "/provider/staff", method = "get")]
    async fn colleagues(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<ColleagueList>, ColleaguesProblems> {
        let staff = state.orders.colleagues(&auth.0.actor()).await?;
        let staff = staff.into_iter().map(|(id, name)| ColleagueView { account_id: id.0, name }).collect();
        Ok(Json(ColleagueList { staff }))
    }

    /// Name the colleague who will come to an accepted job (before it is completed); the resident sees them.
    #[oai(path = "/orders/:id/assignee", method = "post")]
    async fn hand_over(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<HandOverRequest>,
    ) -> Result<Json<OrderView>, HandOverProblems> {
        let order = state.orders.hand_over(&auth.0.actor(), OrderId(id.0), AccountId(body.0.account_id)).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Complete the service with a note of what was done (and the device's location, as for starting). The
    /// resident then confirms or disputes the visit.
    #[oai(path = "/orders/:id/complete", method = "post")]
    async fn complete(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CompleteRequest>,
    ) -> Result<Json<OrderView>, CompleteProblems> {
        let note = VisitText::parse(&body.note, "note")?;
        let location = device_location(body.lat, body.lng)?;
        let order = state.orders.complete(&auth.0.actor(), OrderId(id.0), note, location).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }
}

/// The device's location from `lat` and `lng`: both or neither.
fn device_location(lat: Option<f64>, lng: Option<f64>) -> ApiResult<Option<GeoPoint>> {
    match (lat, lng) {
        (Some(lat), Some(lng)) => Ok(Some(parse_point(lat, lng)?)),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::invalid("lng", "incomplete_location", "give lng with lat, or neither")),
        (None, Some(_)) => Err(ApiError::invalid("lat", "incomplete_location", "give lat with lng, or neither")),
    }
}

/// The domain's reason for the one chosen from the list.
fn job_reason(chosen: JobReasonName) -> Result<JobReason, ApiError> {
    JobReason::parse(chosen.as_str())
        .ok_or_else(|| ApiError::invalid("reason", "invalid_reason", "not a reason from the list"))
}
