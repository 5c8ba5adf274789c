//! The JSON shapes of orders, shared by the resident's, the provider's and the workers' operations. Request
//! bodies derive both `Object` (for the spec) and `Deserialize` (read by [`crate::body::JsonBody`], which names
//! the field at fault); responses derive `Object`.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use serde::Deserialize;
use uuid::Uuid;

use crate::problem::OpenTime;

use linli_domain::catalog::questions::{Answer, RawAnswers};
use linli_domain::dispatch::explain;
use linli_domain::orders::{
    Complaint, FollowUp, FollowUpOutcome, Mark, Offer, Order, OrderEvent, Rating, Schedule, Verdict, Visibility, Visit,
};
use linli_domain::words::{Lang, Note};

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct PlaceOrderRequest {
    /// The catalog item ordered.
    pub item_id: i32,
    /// The community the service happens in.
    pub community_id: i32,
    /// Building, unit, landmark: 1 to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub address: String,
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: f64,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: f64,
    /// True for "as soon as possible"; otherwise give `window_start` and `window_end`.
    #[serde(default)]
    #[oai(default)]
    pub asap: bool,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    /// Up to 500 characters for the provider.
    #[oai(validator(max_length = 500))]
    pub notes: Option<String>,
    /// For a community worker filing for a resident (全科受理), of any community: the resident's account
    /// (see `GET /residents`). A resident leaves it out.
    pub resident_id: Option<Uuid>,
    /// For a mediation intake judged high risk: it goes straight to people instead of being offered.
    #[serde(default)]
    #[oai(default)]
    pub high_risk: bool,
    /// Answers to the item's questions (its `questions`), by each question's `code`: text, a number, one
    /// choice, a list of choices, true or false, or a `YYYY-MM-DD` date. A wrong or missing one is refused
    /// naming `answers.<code>`.
    #[serde(default)]
    #[oai(default)]
    pub answers: RawAnswers,
}

/// The new time window of a booking.
#[derive(Object, Deserialize, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct RescheduleRequest {
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub from_state: Option<String>,
    pub to_state: String,
    /// The account that acted; absent when Linli itself did (dispatch).
    pub actor_id: Option<Uuid>,
    pub note: String,
}

impl EventView {
    /// The step with its note worded in `lang`.
    fn worded(e: OrderEvent, lang: Lang) -> Self {
        Self {
            at: e.at,
            from_state: e.from.map(|s| s.as_str().to_owned()),
            to_state: e.to.as_str().to_owned(),
            actor_id: e.actor.map(|a| a.0),
            note: Note::read(&e.note, lang),
        }
    }
}

/// Why an offer is declined or a job given back.
#[derive(Object, Deserialize)]
pub struct ReasonRequest {
    pub reason: crate::routes::choices::JobReasonName,
}

/// The colleague a job is handed to.
#[derive(Object, Deserialize)]
pub struct HandOverRequest {
    /// An active staff account of your organization.
    pub account_id: Uuid,
}

#[derive(Object)]
pub struct ColleagueView {
    pub account_id: Uuid,
    pub name: String,
}

#[derive(Object)]
pub struct ColleagueList {
    pub staff: Vec<ColleagueView>,
}

/// Who is coming, once a provider accepted.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ComingView {
    /// The organization's name.
    pub organization: String,
    /// The staff member named for the job.
    pub staff_name: Option<String>,
    /// Their number, when they have one.
    pub phone: Option<String>,
    /// The organization's rating (smoothed toward 4.0, so that few ratings do not make a 5.0) and how many
    /// ratings it rests on.
    pub rating: f64,
    pub rating_count: u32,
}

/// One answer to the item's questions, with the question as it was asked.
#[derive(Object, Clone, Debug)]
pub struct AnswerView {
    pub code: String,
    pub label: String,
    /// The answer as a person reads it, e.g. 低盐、软烂易嚼.
    pub text: String,
    /// The answer as it was given.
    pub value: serde_json::Value,
}

impl From<Answer> for AnswerView {
    fn from(a: Answer) -> Self {
        Self { text: a.value.text(), value: a.value.json(), code: a.code, label: a.label }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq)]
#[oai(rename_all = "snake_case")]
pub enum Detail {
    /// Everything.
    Full,
    /// An offer seen by a provider: no street address or exact location until they accept.
    Partial,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrderView {
    pub id: Uuid,
    /// submitted, offered, accepted, in_service, completed, escalated or cancelled.
    pub state: String,
    pub item_id: i32,
    pub community_id: i32,
    pub detail: Detail,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub asap: bool,
    /// A mediation intake marked high risk: it went to the street's workers at once, without an offer.
    pub high_risk: bool,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    /// The care plan this order is a visit of (for those who see it in full).
    pub care_plan_id: Option<Uuid>,
    pub notes: String,
    /// The resident's answers to the item's questions, in the order they were asked.
    pub answers: Vec<AnswerView>,
    pub provider_id: Option<Uuid>,
    /// The community worker who filed it for the resident (全科受理), for those who see it in full; absent when
    /// the resident placed it themselves.
    pub filed_by: Option<Uuid>,
    pub placed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The order's history, oldest first; on the detail endpoint, for those who see the order in full.
    pub events: Option<Vec<EventView>>,
    /// Why the provider was chosen ("rank 1 of 3: about 7 min away, …") or the reason it was assigned by hand;
    /// on the detail endpoint.
    pub why_provider: Option<String>,
    /// The resident's name, on the detail endpoint: for the provider once it has accepted, the community's
    /// workers and admins.
    pub resident_name: Option<String>,
    /// The resident's mobile number, to the same people, when the resident has one.
    pub resident_phone: Option<String>,
    /// The provider's staff member who will come: whoever accepted, or the colleague they handed it to.
    pub assignee_id: Option<Uuid>,
    /// Who is coming, on the detail endpoint: for the resident, the community's workers and admins, once a
    /// provider accepted.
    pub coming: Option<ComingView>,
    /// The visit's record once the job started, on the detail endpoint, for those who see the order in full.
    pub visit: Option<VisitView>,
    /// The resident's rating, once given, on the detail endpoint.
    pub rating: Option<RatingView>,
    /// The worker's follow-up, on the detail endpoint for the community's workers and admins.
    pub follow_up: Option<FollowUpView>,
    /// The complaint against the provider, on the detail endpoint for them and the provider holding it.
    pub complaint: Option<ComplaintView>,
    /// For an escalated booking, on the detail endpoint for the resident and the community's workers: the open
    /// times nearest its own that someone not yet asked could take. Rescheduling to one dispatches it again.
    pub alternatives: Option<Vec<OpenTime>>,
}

impl OrderView {
    pub fn new(o: Order, seen: Visibility) -> Self {
        let full = seen == Visibility::Full;
        let (asap, window_start, window_end) = match o.schedule {
            Schedule::Asap => (true, None, None),
            Schedule::Window(w) => (false, Some(w.start()), Some(w.end())),
        };
        Self {
            id: o.id.0,
            state: o.state.as_str().to_owned(),
            item_id: o.item.0,
            community_id: o.community.0,
            detail: if full { Detail::Full } else { Detail::Partial },
            address: full.then_some(o.address),
            lat: full.then_some(o.location.lat()),
            lng: full.then_some(o.location.lng()),
            asap,
            high_risk: o.high_risk,
            window_start,
            window_end,
            care_plan_id: if full { o.plan.map(|p| p.0) } else { None },
            notes: o.notes,
            answers: o.answers.0.into_iter().map(AnswerView::from).collect(),
            provider_id: o.provider.map(|p| p.0),
            filed_by: (full && o.placed_by != o.resident).then_some(o.placed_by.0),
            placed_at: o.placed_at,
            updated_at: o.updated_at,
            events: None,
            why_provider: None,
            resident_name: None,
            resident_phone: None,
            assignee_id: o.assignee.map(|a| a.0),
            coming: None,
            visit: None,
            rating: None,
            follow_up: None,
            complaint: None,
            alternatives: None,
        }
    }

    /// The order's history, worded in `lang`.
    pub fn with_events(mut self, events: Vec<OrderEvent>, lang: Lang) -> Self {
        self.events = Some(events.into_iter().map(|e| EventView::worded(e, lang)).collect());
        self
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    pub next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OfferView {
    pub order: OrderView,
    pub offered_at: DateTime<Utc>,
    /// Accept before this time.
    pub deadline: DateTime<Utc>,
    /// Why your provider was offered this order, in the language `Accept-Language` asks for, else the one your
    /// account chose, else Chinese.
    pub explanation: String,
}

impl OfferView {
    pub fn new(offer: Offer, order: Order, lang: Lang) -> Self {
        Self {
            order: OrderView::new(order, Visibility::Partial),
            offered_at: offer.offered_at,
            deadline: offer.deadline,
            explanation: explain(&offer.explanation, lang),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct OfferList {
    pub offers: Vec<OfferView>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeclineView {
    /// True when every offer was declined and the order went back to dispatch.
    pub returned_to_dispatch: bool,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct AssignRequest {
    /// The provider to give the order to; it must offer the item.
    pub provider_id: Uuid,
    /// Why, for the record: 1 to 200 characters.
    pub reason: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct CloseRequest {
    /// Why the order cannot be served: 1 to 200 characters.
    pub reason: String,
}

/// Starting a job: the body may be left out, or give where the staff member's device says they are (both
/// `lat` and `lng`, or neither).
#[derive(Object, Deserialize, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct StartRequest {
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: Option<f64>,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: Option<f64>,
}

/// Completing a job, with the device's location as for starting it.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct CompleteRequest {
    /// What was done, for the resident and the record: 2 to 500 characters.
    #[oai(validator(min_length = 2, max_length = 500))]
    pub note: String,
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: Option<f64>,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: Option<f64>,
}

/// The resident disputing a visit.
#[derive(Object, Deserialize)]
pub struct DisputeRequest {
    /// What was wrong: 2 to 500 characters.
    #[oai(validator(min_length = 2, max_length = 500))]
    pub reason: String,
}

/// A worker closing a dispute.
#[derive(Object, Deserialize)]
pub struct ResolveRequest {
    /// How it was settled: 2 to 500 characters.
    #[oai(validator(min_length = 2, max_length = 500))]
    pub note: String,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq)]
#[oai(rename_all = "snake_case")]
pub enum VerdictKind {
    /// Waiting for the resident; confirmed automatically at `confirm_by`.
    Pending,
    Confirmed,
    Disputed,
}

/// The record of a visit (服务记录).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VisitView {
    pub started_at: Option<DateTime<Utc>>,
    /// Metres from the address where the device placed the staff member at the start, when it said.
    pub start_distance_m: Option<u32>,
    /// True when that was more than 500 m from the address.
    pub start_far: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub end_distance_m: Option<u32>,
    pub end_far: bool,
    /// The staff member's note on what was done.
    pub note: Option<String>,
    /// The resident's answer, once the job is completed.
    pub verdict: Option<VerdictKind>,
    /// While pending: when it is confirmed for the resident.
    pub confirm_by: Option<DateTime<Utc>>,
    /// When the resident confirmed or disputed, or when it was confirmed for them.
    pub answered_at: Option<DateTime<Utc>>,
    /// True when nobody answered in time and Linli confirmed it.
    pub confirmed_automatically: bool,
    pub dispute_reason: Option<String>,
    /// When a worker closed the dispute, and how.
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

impl From<Visit> for VisitView {
    fn from(v: Visit) -> Self {
        let at = |m: Option<Mark>| m.map(|m| m.at);
        let distance = |m: Option<Mark>| m.and_then(|m| m.distance_m);
        let far = |m: Option<Mark>| m.is_some_and(|m| m.far());
        let mut view = Self {
            started_at: at(v.started),
            start_distance_m: distance(v.started),
            start_far: far(v.started),
            completed_at: at(v.completed),
            end_distance_m: distance(v.completed),
            end_far: far(v.completed),
            note: v.note,
            verdict: None,
            confirm_by: None,
            answered_at: None,
            confirmed_automatically: false,
            dispute_reason: None,
            resolved_at: None,
            resolution: None,
        };
        match v.verdict {
            None => {}
            Some(Verdict::Pending { due }) => (view.verdict, view.confirm_by) = (Some(VerdictKind::Pending), Some(due)),
            Some(Verdict::Confirmed { at, by }) => {
                view.verdict = Some(VerdictKind::Confirmed);
                view.answered_at = Some(at);
                view.confirmed_automatically = by.is_none();
            }
            Some(Verdict::Disputed { at, reason, resolution, .. }) => {
                view.verdict = Some(VerdictKind::Disputed);
                view.answered_at = Some(at);
                view.dispute_reason = Some(reason);
                if let Some(r) = resolution {
                    (view.resolved_at, view.resolution) = (Some(r.at), Some(r.note));
                }
            }
        }
        view
    }
}

/// A disputed visit waiting for a worker.
#[derive(Object)]
pub struct DisputeView {
    pub order: OrderView,
    pub visit: VisitView,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DisputePage {
    pub disputes: Vec<DisputeView>,
    pub next_cursor: Option<String>,
}

/// A resident's rating of the provider that served them.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct RateRequest {
    /// 1 to 5.
    #[oai(validator(minimum(value = "1"), maximum(value = "5")))]
    pub stars: i64,
    /// What the resident would tell others: up to 500 characters.
    #[oai(validator(max_length = 500))]
    pub comment: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RatingView {
    pub stars: u8,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Until when the resident may change it.
    pub editable_until: DateTime<Utc>,
}

impl From<Rating> for RatingView {
    fn from(r: Rating) -> Self {
        Self {
            editable_until: r.editable_until(),
            stars: r.stars.get(),
            comment: r.comment,
            rated_at: r.rated_at,
            updated_at: r.updated_at,
        }
    }
}

/// What a follow-up call found.
#[derive(Enum, Deserialize, Clone, Copy, Debug, PartialEq)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Satisfied,
    IssueFound,
}

impl From<OutcomeKind> for FollowUpOutcome {
    fn from(o: OutcomeKind) -> Self {
        match o {
            OutcomeKind::Satisfied => FollowUpOutcome::Satisfied,
            OutcomeKind::IssueFound => FollowUpOutcome::IssueFound,
        }
    }
}

/// A worker's follow-up call.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct FollowUpRequest {
    pub outcome: OutcomeKind,
    /// What the resident said: up to 500 characters.
    #[oai(validator(max_length = 500))]
    pub note: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FollowUpView {
    pub order_id: Uuid,
    /// `satisfied` or `issue_found`.
    pub outcome: String,
    pub note: Option<String>,
    pub worker_id: Uuid,
    pub at: DateTime<Utc>,
}

impl From<FollowUp> for FollowUpView {
    fn from(f: FollowUp) -> Self {
        Self { order_id: f.order.0, outcome: f.outcome.as_str().to_owned(), note: f.note, worker_id: f.by.0, at: f.at }
    }
}

/// A complaint against the provider of an order.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct ComplaintRequest {
    /// What the provider must answer for: 2 to 500 characters.
    #[oai(validator(min_length = 2, max_length = 500))]
    pub text: String,
    /// Hours the provider has to answer, 1 to 168 (default 48).
    #[oai(validator(minimum(value = "1"), maximum(value = "168")))]
    pub answer_within_hours: Option<i64>,
}

/// The provider's answer to a complaint.
#[derive(Object, Deserialize)]
pub struct AnswerComplaintRequest {
    /// 2 to 500 characters.
    #[oai(validator(min_length = 2, max_length = 500))]
    pub answer: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ComplaintView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub provider_id: Uuid,
    pub community_id: i32,
    pub text: String,
    pub opened_at: DateTime<Utc>,
    /// The provider answers by then, or the complaint is escalated.
    pub due_at: DateTime<Utc>,
    /// open, answered or escalated.
    pub state: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
}

impl From<Complaint> for ComplaintView {
    fn from(c: Complaint) -> Self {
        Self {
            id: c.id.0,
            order_id: c.order.0,
            provider_id: c.provider.0,
            community_id: c.community.0,
            text: c.text,
            opened_at: c.opened_at,
            due_at: c.due_at,
            state: c.state.as_str().to_owned(),
            answer: c.answer,
            answered_at: c.answered_at,
            escalated_at: c.escalated_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ComplaintPage {
    pub complaints: Vec<ComplaintView>,
    pub next_cursor: Option<String>,
}
