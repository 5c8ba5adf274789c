//! After the service over HTTP: the community workers' follow-up list (回访) and follow-ups, complaints (投诉)
//! they open against a provider, the provider's answer, and the lists of complaints each side follows.

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use linli_domain::orders::{AnswerWithin, ComplaintId, ComplaintState, OrderId, VisitText};
use linli_domain::paging::PageRequest;

use super::order_page;
use super::views::{
    AnswerComplaintRequest, ComplaintPage, ComplaintRequest, ComplaintView, FollowUpRequest, FollowUpView, OrderPage,
};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::{ApiError, problems};
use crate::routes::ApiTags;
use crate::routes::{PageLimit, limit_of};
use crate::state::AppState;

pub struct AftercareApi;

problems!(
    /// What `GET /follow-ups` and `GET /complaints` can answer besides their success.
    ListProblems: BadRequest, Unauthorized, Forbidden, Unprocessable
);
problems!(
    /// What recording a follow-up, opening a complaint or answering one can answer besides its success.
    WriteProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Escalations")]
impl AftercareApi {
    /// Completed orders of your community not followed up yet (an admin sees every community's), newest first.
    #[oai(path = "/follow-ups", method = "get")]
    async fn due(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<OrderPage>, ListProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        Ok(Json(order_page(state.orders.follow_ups_due(&auth.0.actor(), page).await?)))
    }

    /// Record the follow-up call (回访) of a completed order of your community: `satisfied` or `issue_found`,
    /// with a note. Once per order (409 `already_followed_up`).
    #[oai(path = "/orders/:id/follow-up", method = "post")]
    async fn follow_up(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<FollowUpRequest>,
    ) -> Result<Json<FollowUpView>, WriteProblems> {
        let note = optional_text(body.note.as_deref(), "note")?;
        let done = state.orders.follow_up(&auth.0.actor(), OrderId(id.0), body.outcome.into(), note).await?;
        Ok(Json(done.into()))
    }

    /// Open a complaint (投诉) against the provider of a completed order of your community; it must answer
    /// within `answer_within_hours` (default 48) or the complaint is escalated. One per order.
    #[oai(path = "/orders/:id/complaint", method = "post")]
    async fn open(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<ComplaintRequest>,
    ) -> Result<Json<ComplaintView>, WriteProblems> {
        let text = VisitText::parse(&body.text, "text")?;
        let within = AnswerWithin::hours(body.answer_within_hours)?;
        let complaint = state.orders.open_complaint(&auth.0.actor(), OrderId(id.0), text, within).await?;
        Ok(Json(complaint.into()))
    }

    /// Complaints newest first: your community's, your organization's, or (admins) every one; `state` keeps
    /// those `open`, `answered` or `escalated`.
    #[oai(path = "/complaints", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// open, answered or escalated; any when left out.
        #[oai(name = "state")]
        wanted: Query<Option<String>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<ComplaintPage>, ListProblems> {
        let states = match wanted.0.as_deref() {
            None => Vec::new(),
            Some(raw) => vec![
                ComplaintState::parse(raw)
                    .ok_or_else(|| ApiError::invalid("state", "invalid_state", "state: open, answered or escalated"))?,
            ],
        };
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let page = state.orders.complaints(&auth.0.actor(), &states, page).await?;
        let next_cursor = page.next_cursor(|c| c.id.0.to_string());
        Ok(Json(ComplaintPage { complaints: page.rows.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// Answer a complaint against your organization, once; an escalated one may still be answered.
    #[oai(path = "/complaints/:id/answer", method = "post")]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<AnswerComplaintRequest>,
    ) -> Result<Json<ComplaintView>, WriteProblems> {
        let answer = VisitText::parse(&body.answer, "answer")?;
        let complaint = state.orders.answer_complaint(&auth.0.actor(), ComplaintId(id.0), answer).await?;
        Ok(Json(complaint.into()))
    }
}

/// An optional text: left out or blank is none; otherwise 2 to 500 characters.
fn optional_text(raw: Option<&str>, field: &str) -> Result<Option<VisitText>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Ok(Some(VisitText::parse(text, field)?)),
    }
}
