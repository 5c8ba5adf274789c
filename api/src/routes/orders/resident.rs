//! Residents' orders: place, list, follow, cancel.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use linli_domain::accounts::{AccountId, Actor, Role};
use linli_domain::catalog::ItemId;
use linli_domain::dispatch::explain;
use linli_domain::geo::CommunityId;
use linli_domain::orders::{
    Address, IdempotencyKey, NewOrder, Notes, OrderId, Placed, Schedule, TimeWindow, Visibility, WindowError,
};
use linli_domain::paging::PageRequest;

use super::order_page;
use super::views::{ComingView, OrderPage, OrderView, PlaceOrderRequest, RescheduleRequest};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::limits::{Rule, client_of};
use crate::problem::problems;
use crate::problem::{ApiError, ApiResult, OpenTime};
use crate::routes::{ApiTags, PageLimit, lang_of, limit_of, parse_point};
use crate::state::AppState;

pub struct OrdersApi;

#[derive(ApiResponse)]
enum PlaceOutcome {
    /// The order was placed; dispatch starts at once.
    #[oai(status = 201)]
    Created(Json<OrderView>, #[oai(header = "Location")] String),
    /// This `Idempotency-Key` was used before: the order it placed.
    #[oai(status = 200)]
    Existing(Json<OrderView>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum DetailOutcome {
    /// The order with its history.
    #[oai(status = 200)]
    Ok(Json<Box<OrderView>>, #[oai(header = "ETag")] String),
    /// Unchanged since the `If-None-Match` tag.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
}

problems!(
    /// What `POST /` can answer besides its success.
    PlaceProblems: BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable, TooManyRequests
);
problems!(
    /// What `GET /` can answer besides its success.
    ListProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `GET /:id` can answer besides its success.
    DetailProblems: BadRequest, Unauthorized, NotFound
);
problems!(
    /// What `POST /:id/reschedule` can answer besides its success.
    RescheduleProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /:id/cancel` can answer besides its success.
    CancelProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict
);

#[OpenApi(prefix_path = "/api/v1/orders", tag = "ApiTags::Orders")]
impl OrdersApi {
    /// Place an order: a resident for themselves, or a community worker for a resident of any community
    /// (全科受理, with `resident_id`), who then follows it too. Send an `Idempotency-Key` to make retries safe:
    /// the same key returns the same order. A booked time (`window_start`/`window_end`) must have a place free (see
    /// `GET /catalog/items/{id}/open-times`): a full one is refused with 409 `slot_full` and the open times
    /// nearest it in `alternatives`. A time nobody could serve, with no other time open either, is taken and
    /// goes to the community's workers.
    #[oai(path = "/", method = "post")]
    async fn place(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        #[oai(name = "Idempotency-Key")] idempotency_key: Header<Option<String>>,
        body: JsonBody<PlaceOrderRequest>,
    ) -> Result<PlaceOutcome, PlaceProblems> {
        let actor = auth.0.require(&[Role::Resident, Role::CommunityWorker])?;
        state.limits.check(Rule::PlaceOrder, client_of(req), Some(&actor.account.0.to_string())).await?;
        let mut request = body.0;
        // Answers are checked by the use case, against the item's questions it reads.
        let answers = std::mem::take(&mut request.answers);
        let order = parse_order(request, &actor, idempotency_key.0.as_deref())?;
        let (placed, queue_failure) = state.orders.place(&actor, order, &answers).await?;
        if let Some(e) = queue_failure {
            tracing::warn!(order = %placed.order().id.0, error = %e, "order saved but not queued yet: it is queued once the queue answers");
        }
        let location = format!("/api/v1/orders/{}", placed.order().id.0);
        Ok(match placed {
            Placed::New(o) => PlaceOutcome::Created(Json(OrderView::new(o, Visibility::Full)), location),
            Placed::Existing(o) => PlaceOutcome::Existing(Json(OrderView::new(o, Visibility::Full)), location),
        })
    }

    /// Your orders, newest first: a resident's own, or the jobs of a staff member's provider.
    #[oai(path = "/", method = "get")]
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
        Ok(Json(order_page(state.orders.my_orders(&auth.0.actor(), page).await?)))
    }

    /// One order with its history. Poll with `If-None-Match` to get 304 while nothing changed.
    #[oai(path = "/:id", method = "get")]
    async fn detail(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> Result<DetailOutcome, DetailProblems> {
        let d = state.orders.view(&auth.0.actor(), OrderId(id.0)).await?;
        let full = d.seen == Visibility::Full;
        // A provider weighing an offer does not see the order's history (who did what) until it accepts.
        let mut view = OrderView::new(d.order, d.seen);
        if full {
            let lang = lang_of(req, &auth.0);
            view = view.with_events(d.events, lang);
            view.why_provider = d.why_provider.map(|why| explain(&why, lang));
        }
        if let Some(c) = d.coming {
            view.coming = Some(ComingView {
                organization: c.organization,
                staff_name: c.staff_name,
                phone: c.phone,
                rating: c.rating,
                rating_count: c.rating_count,
            });
        }
        view.visit = d.visit.map(Into::into);
        view.rating = d.rating.map(Into::into);
        view.follow_up = d.follow_up.map(Into::into);
        view.complaint = d.complaint.map(Into::into);
        if !d.alternatives.is_empty() {
            view.alternatives = Some(d.alternatives.into_iter().map(OpenTime::from).collect());
        }
        if let Some(contact) = d.contact {
            view.resident_name = Some(contact.name);
            view.resident_phone = contact.phone;
        }
        // The tag is a digest of the whole answer: a rating, a provider's new score or a visit's answer changes
        // it as surely as a new state does.
        let tag = entity_tag(&view);
        if if_none_match.0.as_deref() == Some(tag.as_str()) {
            return Ok(DetailOutcome::NotModified(tag));
        }
        Ok(DetailOutcome::Ok(Json(Box::new(view)), tag))
    }

    /// Move your booking to another time window, before the service starts. A provider that has accepted keeps
    /// the order if it has room at the new time (otherwise 409 `provider_busy_then`); reminders move with it.
    #[oai(path = "/:id/reschedule", method = "post")]
    async fn reschedule(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<RescheduleRequest>,
    ) -> Result<Json<OrderView>, RescheduleProblems> {
        let window = TimeWindow::parse(body.window_start, body.window_end).map_err(WindowError::invalid)?;
        let order = state.orders.reschedule(&auth.0.actor(), OrderId(id.0), window).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }

    /// Cancel an order before its service starts (the resident, a worker of its community, or an admin).
    #[oai(path = "/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<OrderView>, CancelProblems> {
        let order = state.orders.cancel(&auth.0.actor(), OrderId(id.0)).await?;
        Ok(Json(OrderView::new(order, Visibility::Full)))
    }
}

/// Turns the request into a domain order, naming the field of the first value that breaks a rule.
fn parse_order(req: PlaceOrderRequest, actor: &Actor, key: Option<&str>) -> ApiResult<NewOrder> {
    let address = Address::parse(&req.address).map_err(|e| ApiError::invalid("address", "invalid_address", e))?;
    let location = parse_point(req.lat, req.lng)?;
    let schedule = match (req.asap, req.window_start, req.window_end) {
        (true, None, None) => Schedule::Asap,
        (true, _, _) => {
            return Err(ApiError::invalid("asap", "conflicting_schedule", "give either asap or a window, not both"));
        }
        (false, Some(start), Some(end)) => {
            Schedule::Window(TimeWindow::parse(start, end).map_err(WindowError::invalid)?)
        }
        (false, None, _) => {
            return Err(ApiError::invalid(
                "window_start",
                "missing_window",
                "give window_start and window_end, or set asap to true",
            ));
        }
        (false, Some(_), None) => {
            return Err(ApiError::invalid("window_end", "missing_window", "give window_end with window_start"));
        }
    };
    let notes = Notes::parse(req.notes.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid("notes", "notes_too_long", e))?;
    let idempotency_key =
        key.map(IdempotencyKey::parse).transpose().map_err(|e| ApiError::malformed("Idempotency-Key", e))?;
    Ok(NewOrder {
        resident: req.resident_id.map_or(actor.account, AccountId),
        placed_by: actor.account,
        item: ItemId(req.item_id),
        community: CommunityId(req.community_id),
        address,
        location,
        schedule,
        notes,
        idempotency_key,
        accept_by: None,
        high_risk: req.high_risk,
        answers: Default::default(),
        asked: Default::default(),
        slot: None,
        plan: None,
        preferred: None,
    })
}

/// A strong entity tag for `view`: the first 16 bytes of the SHA-256 of its JSON, the same on every replica.
fn entity_tag(view: &OrderView) -> String {
    use poem_openapi::types::ToJSON;
    use sha2::{Digest, Sha256};
    let json = view.to_json().map(|v| v.to_string()).unwrap_or_default();
    let digest = Sha256::digest(json.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
