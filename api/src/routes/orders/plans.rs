//! Care plans (助餐计划 / 周期服务) over HTTP: a resident, or a community worker for a resident of their
//! community, sets one up; each change (pause, skip a date, a new time from a date, cancel the rest) is one
//! call that answers the plan as it now stands, with its dates of the next four weeks.

use chrono::{DateTime, NaiveDate, Utc};
use poem::http::StatusCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{AccountId, Role};
use linli_domain::catalog::ItemId;
use linli_domain::catalog::questions::RawAnswers;
use linli_domain::geo::CommunityId;
use linli_domain::orders::plans::{
    CarePlan, CarePlanId, NewPlan, PlanDetail, PlanError, PlanRules, PlannedDay, Repeat, RepeatInput, parse_time,
};
use linli_domain::orders::{Address, Notes};
use linli_domain::paging::{Page, PageRequest};
use linli_domain::volunteering::recurrence::{Nth, Recurrence};

use super::views::AnswerView;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::{ApiError, ApiResult, FullDate, OpenTime, problems};
use crate::routes::choices::RepeatKind;
use crate::routes::{ApiTags, PageLimit, limit_of, parse_point};
use crate::state::AppState;

pub struct CarePlansApi;

/// How a plan repeats.
#[derive(Object, Deserialize, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct RepeatBody {
    /// `weekly` (on `weekdays`), `monthly_day` (the same day each month, the last day in a shorter month) or
    /// `monthly_weekday` (e.g. the second Saturday).
    pub kind: RepeatKind,
    /// For `weekly`: the days, 1 (Monday) to 7 (Sunday).
    #[serde(default)]
    #[oai(default)]
    pub weekdays: Vec<u32>,
    /// For `monthly_day`: 1 to 31.
    pub day: Option<u32>,
    /// For `monthly_weekday`: 1 to 4, or -1 for the last.
    pub nth: Option<i32>,
    /// For `monthly_weekday`: 1 (Monday) to 7 (Sunday).
    pub weekday: Option<u32>,
}

impl From<Repeat> for RepeatBody {
    fn from(r: Repeat) -> Self {
        let none = Self { kind: RepeatKind::Weekly, weekdays: Vec::new(), day: None, nth: None, weekday: None };
        match r {
            Repeat::Weekly(days) => Self { weekdays: days.numbers(), ..none },
            Repeat::Monthly(Recurrence::MonthlyOnDay(d)) => {
                Self { kind: RepeatKind::MonthlyDay, day: Some(u32::from(d)), ..none }
            }
            Repeat::Monthly(Recurrence::MonthlyOnWeekday { nth, weekday }) => Self {
                kind: RepeatKind::MonthlyWeekday,
                nth: Some(match nth {
                    Nth::Ordinal(n) => i32::from(n),
                    Nth::Last => -1,
                }),
                weekday: Some(weekday.number_from_monday()),
                ..none
            },
            // A plan's monthly rule is never a one-off: `Repeat` refuses it when parsed.
            Repeat::Monthly(Recurrence::Once) => none,
        }
    }
}

/// A new care plan.
#[derive(Object, Deserialize, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct NewPlanRequest {
    /// For a community worker setting up a plan for a resident of any community (全科受理): the resident's
    /// account (see `GET /residents`). A resident leaves it out.
    pub resident_id: Option<Uuid>,
    pub item_id: i32,
    pub community_id: i32,
    /// Building, unit, landmark: 1 to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub address: String,
    #[oai(validator(minimum(value = "-90"), maximum(value = "90")))]
    pub lat: f64,
    #[oai(validator(minimum(value = "-180"), maximum(value = "180")))]
    pub lng: f64,
    /// Up to 500 characters for the provider, on every visit.
    #[oai(validator(max_length = 500))]
    pub notes: Option<String>,
    pub repeat: RepeatBody,
    /// When each visit starts, `HH:MM` in Shanghai.
    pub time: String,
    /// The first day, today or later (within 90 days).
    pub start_date: NaiveDate,
    /// The last day, if the plan has one (within a year of the start).
    pub end_date: Option<NaiveDate>,
    /// Days of the rule to leave out from the start, e.g. those refused as full.
    #[serde(default)]
    #[oai(default)]
    pub skip_dates: Vec<NaiveDate>,
    /// Answers to the item's questions, by `code`, as for an order; every visit carries them.
    #[serde(default)]
    #[oai(default)]
    pub answers: RawAnswers,
}

/// A pause: no visit from `from` through `until`.
#[derive(Object, Deserialize, Debug)]
pub struct PauseRequest {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// One date to leave out.
#[derive(Object, Deserialize, Debug)]
pub struct SkipRequest {
    pub date: NaiveDate,
}

/// A new time of day from a date on.
#[derive(Object, Deserialize, Debug)]
pub struct TimeRequest {
    pub from: NaiveDate,
    /// `HH:MM` in Shanghai.
    pub time: String,
}

/// The first date to cancel; today when left out.
#[derive(Object, Deserialize, Debug, Default)]
#[oai(skip_serializing_if_is_none)]
pub struct CancelPlanRequest {
    pub from: Option<NaiveDate>,
}

/// A pause of a plan.
#[derive(Object, Clone, Debug)]
pub struct PauseView {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// A time change of a plan.
#[derive(Object, Clone, Debug)]
pub struct TimeChangeView {
    pub from: NaiveDate,
    /// `HH:MM`.
    pub time: String,
}

/// One date the plan's rule falls on.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct PlanDayView {
    pub date: NaiveDate,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// `placed` (an order exists), `upcoming` (placed once within the horizon), `paused` or `skipped`.
    pub state: String,
    /// The order placed for the date.
    pub order_id: Option<Uuid>,
    /// That order's state.
    pub order_state: Option<String>,
}

impl From<PlannedDay> for PlanDayView {
    fn from(d: PlannedDay) -> Self {
        Self {
            date: d.date,
            window_start: d.window.start(),
            window_end: d.window.end(),
            state: d.state.as_str().to_owned(),
            order_id: d.order.map(|(id, _)| id.0),
            order_state: d.order.map(|(_, s)| s.as_str().to_owned()),
        }
    }
}

/// A care plan.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct PlanView {
    pub id: Uuid,
    pub resident_id: Uuid,
    /// Who set it up: the resident, or a community worker for them.
    pub filed_by: Uuid,
    pub item_id: i32,
    pub community_id: i32,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
    pub notes: String,
    pub repeat: RepeatBody,
    /// The time of day first set, `HH:MM`; see `time_changes` for later ones.
    pub time: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub pauses: Vec<PauseView>,
    pub skip_dates: Vec<NaiveDate>,
    pub time_changes: Vec<TimeChangeView>,
    pub answers: Vec<AnswerView>,
    /// True once the plan has no visit left.
    pub ended: bool,
    pub created_at: DateTime<Utc>,
    /// The plan's dates of the next four weeks (in its detail; left out of lists).
    pub days: Option<Vec<PlanDayView>>,
}

impl PlanView {
    fn new(plan: CarePlan, ended: bool) -> Self {
        let PlanRules { repeat, time, start, end, pauses, skips, changes } = plan.rules;
        Self {
            id: plan.id.0,
            resident_id: plan.resident.0,
            filed_by: plan.filed_by.0,
            item_id: plan.item.0,
            community_id: plan.community.0,
            address: plan.address,
            lat: plan.location.lat(),
            lng: plan.location.lng(),
            notes: plan.notes,
            repeat: repeat.into(),
            time: time.format("%H:%M").to_string(),
            start_date: start,
            end_date: end,
            pauses: pauses.into_iter().map(|p| PauseView { from: p.from, until: p.until }).collect(),
            skip_dates: skips,
            time_changes: changes
                .into_iter()
                .map(|c| TimeChangeView { from: c.from, time: c.time.format("%H:%M").to_string() })
                .collect(),
            answers: plan.answers.0.into_iter().map(AnswerView::from).collect(),
            ended,
            created_at: plan.created_at,
            days: None,
        }
    }

    fn detail(d: PlanDetail) -> Self {
        let days = d.days.into_iter().map(PlanDayView::from).collect();
        Self { days: Some(days), ..Self::new(d.plan, d.ended) }
    }
}

/// A page of care plans.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct PlanPage {
    pub plans: Vec<PlanView>,
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
enum CreateOutcome {
    /// The plan is set up; its visits of the coming days are placed and dispatched.
    #[oai(status = 201)]
    Created(Json<Box<PlanView>>, #[oai(header = "Location")] String),
}

problems!(
    /// What `POST /care-plans` can answer besides its success.
    CreateProblems: BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);
problems!(
    /// What `GET /care-plans` can answer besides its success.
    ListProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `GET /care-plans/:id` can answer besides its success.
    DetailProblems: BadRequest, Unauthorized, NotFound
);
problems!(
    /// What a change of a plan can answer besides its success.
    ChangeProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType,
        Unprocessable
);

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        use PlanError as E;
        match e {
            E::NotFound => ApiError::not_found("care plan"),
            E::NotYours(_) => ApiError::forbidden(e.to_string()),
            E::UnknownItem => ApiError::invalid("item_id", "unknown_item", e),
            E::ItemRetired => ApiError::invalid("item_id", "item_retired", e),
            E::UnknownCommunity => ApiError::invalid("community_id", "unknown_community", e),
            E::NotAResident => ApiError::invalid("resident_id", "not_a_resident", e),
            E::Invalid(invalid) | E::Answers(invalid) => invalid.into(),
            E::SlotsFull(ref full) => {
                let dates = full
                    .iter()
                    .map(|f| FullDate {
                        date: f.date,
                        alternatives: f.alternatives.iter().copied().map(OpenTime::from).collect(),
                    })
                    .collect();
                ApiError::new(StatusCode::CONFLICT, "slots_full", e.to_string())
                    .map_problem(|p| (p.field, p.full_dates) = (Some("time".into()), Some(dates)))
            }
            E::Ended => ApiError::new(StatusCode::CONFLICT, "plan_ended", e.to_string()),
            E::Changed => ApiError::new(StatusCode::CONFLICT, "plan_changed", e.to_string()),
            E::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

#[OpenApi(prefix_path = "/api/v1/care-plans", tag = "ApiTags::Orders")]
impl CarePlansApi {
    /// Set up a care plan (助餐计划 / 周期服务): an item on days of the week or a monthly rule, at a time, from a
    /// start date to an optional end. Its visits of the coming days (`LINLI_CARE_PLAN_DAYS`, 7) are placed as
    /// orders at once, each with a place held at its time, and later ones as the days pass. When a visit of those
    /// first days has no place at its time, the plan is refused with 409 `slots_full` naming every such date in
    /// `full_dates` with the open times nearest it: skip them (`skip_dates`) or choose another time. A community
    /// worker sets one up for a resident of any community with `resident_id`, and follows it after.
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewPlanRequest>,
    ) -> Result<CreateOutcome, CreateProblems> {
        // The role first, so that a caller who may not set up plans is told that whatever the body says; who the
        // plan may be for is the use case's to decide.
        let actor = auth.0.require(&[Role::Resident, Role::CommunityWorker])?;
        let mut request = body.0;
        let answers = std::mem::take(&mut request.answers);
        let resident = request.resident_id.map_or(actor.account, AccountId);
        let plan = parse_plan(request, resident)?;
        let created = state.orders.create_plan(&actor, plan, &answers).await?;
        let location = format!("/api/v1/care-plans/{}", created.plan.id.0);
        Ok(CreateOutcome::Created(Json(Box::new(PlanView::detail(created))), location))
    }

    /// Your care plans, newest first: a resident's own, a community worker's community's and those they set up,
    /// every one for an admin.
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<PlanPage>, ListProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let plans: Page<PlanDetail> = state.orders.care_plans(&auth.0.actor(), page).await?;
        let next_cursor = plans.next_cursor(|d| d.plan.id.0.to_string());
        let plans = plans.rows.into_iter().map(|d| PlanView::new(d.plan, d.ended)).collect();
        Ok(Json(PlanPage { plans, next_cursor }))
    }

    /// A care plan with its dates of the next four weeks: each placed (with its order), upcoming, paused or
    /// skipped.
    #[oai(path = "/:id", method = "get")]
    async fn detail(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<Box<PlanView>>, DetailProblems> {
        let detail = state.orders.care_plan(&auth.0.actor(), CarePlanId(id.0)).await?;
        Ok(Json(Box::new(PlanView::detail(detail))))
    }

    /// Pause the plan from `from` through `until` (a hospital stay): the visits placed for those days are
    /// cancelled (their providers told, their reminders dropped) and none is placed there.
    #[oai(path = "/:id/pause", method = "post")]
    async fn pause(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<PauseRequest>,
    ) -> Result<Json<Box<PlanView>>, ChangeProblems> {
        let d = state.orders.pause_plan(&auth.0.actor(), CarePlanId(id.0), body.from, body.until).await?;
        Ok(Json(Box::new(PlanView::detail(d))))
    }

    /// Leave out one date of the plan; its visit, if placed, is cancelled.
    #[oai(path = "/:id/skip", method = "post")]
    async fn skip(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<SkipRequest>,
    ) -> Result<Json<Box<PlanView>>, ChangeProblems> {
        let d = state.orders.skip_plan_date(&auth.0.actor(), CarePlanId(id.0), body.date).await?;
        Ok(Json(Box::new(PlanView::detail(d))))
    }

    /// Change the time of the visits from `from` on: those placed already are cancelled and placed again at the
    /// new time (offered first to whoever took the latest visit).
    #[oai(path = "/:id/time", method = "post")]
    async fn change_time(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<TimeRequest>,
    ) -> Result<Json<Box<PlanView>>, ChangeProblems> {
        let d = state.orders.change_plan_time(&auth.0.actor(), CarePlanId(id.0), body.from, &body.time).await?;
        Ok(Json(Box::new(PlanView::detail(d))))
    }

    /// Cancel the rest of the plan from `from` (today when left out): it ends the day before, and every visit from
    /// that date on is cancelled.
    #[oai(path = "/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CancelPlanRequest>,
    ) -> Result<Json<Box<PlanView>>, ChangeProblems> {
        let d = state.orders.cancel_plan(&auth.0.actor(), CarePlanId(id.0), body.from).await?;
        Ok(Json(Box::new(PlanView::detail(d))))
    }
}

/// Turns the request into a new plan, naming the field of the first value that breaks a rule.
fn parse_plan(req: NewPlanRequest, resident: AccountId) -> ApiResult<NewPlan> {
    let address = Address::parse(&req.address).map_err(|e| ApiError::invalid("address", "invalid_address", e))?;
    let location = parse_point(req.lat, req.lng)?;
    let notes = Notes::parse(req.notes.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid("notes", "notes_too_long", e))?;
    let repeat = RepeatInput {
        kind: req.repeat.kind.as_str().to_owned(),
        weekdays: req.repeat.weekdays,
        day: req.repeat.day,
        nth: req.repeat.nth,
        weekday: req.repeat.weekday,
    }
    .parse()?;
    let rules = PlanRules {
        repeat,
        time: parse_time(&req.time, "time")?,
        start: req.start_date,
        end: req.end_date,
        pauses: Vec::new(),
        skips: req.skip_dates,
        changes: Vec::new(),
    };
    Ok(NewPlan {
        resident,
        item: ItemId(req.item_id),
        community: CommunityId(req.community_id),
        address,
        location,
        notes,
        rules,
    })
}
