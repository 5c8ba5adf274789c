//! Events: a community worker creates a one-off event or a recurring series such as the monthly Dedication Day
//! (共产党员社区奉献日) with a plan of shifts; each date can then be moved or called off, and each shift changed,
//! on its own.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::geo::CommunityId;
use linli_domain::notifications::shanghai;
use linli_domain::volunteering::events::{MAX_CAPACITY, ShiftPlan};
use linli_domain::volunteering::recurrence::{Nth, Recurrence};
use linli_domain::volunteering::{EventId, OccurrenceId, ShiftId};
use linli_infra::store::{EventError, EventRecord, NewEvent, OccurrenceChange, OccurrenceRecord, ShiftChange};

use super::{ShiftView, organizer_of, parse_skills, text_field};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::{ApiError, ApiResult};
use crate::routes::{ApiTags, page_size};
use crate::state::AppState;

pub struct EventsApi;

/// When an event happens.
#[derive(Object, Deserialize, Clone)]
struct RecurrenceBody {
    /// `once`; `monthly_day` (the same day each month, the last day in a shorter month); or `monthly_weekday`
    /// (e.g. the second Saturday).
    kind: String,
    /// For `monthly_day`: 1 to 31.
    day: Option<u32>,
    /// For `monthly_weekday`: 1 to 4, or -1 for the last.
    nth: Option<i32>,
    /// For `monthly_weekday`: 1 (Monday) to 7 (Sunday).
    weekday: Option<u32>,
}

impl RecurrenceBody {
    fn from_rule(r: Recurrence) -> Self {
        let none = Self { kind: "once".into(), day: None, nth: None, weekday: None };
        match r {
            Recurrence::Once => none,
            Recurrence::MonthlyOnDay(d) => Self { kind: "monthly_day".into(), day: Some(u32::from(d)), ..none },
            Recurrence::MonthlyOnWeekday { nth, weekday } => Self {
                kind: "monthly_weekday".into(),
                nth: Some(match nth {
                    Nth::Ordinal(n) => i32::from(n),
                    Nth::Last => -1,
                }),
                weekday: Some(weekday.number_from_monday()),
                ..none
            },
        }
    }

    fn parse(&self) -> ApiResult<Recurrence> {
        let bad = |field: &str, e: &dyn ToString| ApiError::invalid(field, "invalid_recurrence", e.to_string());
        match self.kind.as_str() {
            "once" => Ok(Recurrence::Once),
            "monthly_day" => {
                let day = self.day.ok_or_else(|| bad("recurrence.day", &"a monthly_day rule needs its day"))?;
                Recurrence::monthly_on_day(day).map_err(|e| bad("recurrence.day", &e))
            }
            "monthly_weekday" => {
                let nth = self.nth.ok_or_else(|| bad("recurrence.nth", &"a monthly_weekday rule needs nth"))?;
                let weekday = self
                    .weekday
                    .ok_or_else(|| bad("recurrence.weekday", &"a monthly_weekday rule needs its weekday"))?;
                Recurrence::monthly_on_weekday(nth, weekday).map_err(|e| match e {
                    linli_domain::volunteering::recurrence::RecurrenceError::Nth => bad("recurrence.nth", &e),
                    _ => bad("recurrence.weekday", &e),
                })
            }
            _ => Err(bad("recurrence.kind", &"kind is once, monthly_day or monthly_weekday")),
        }
    }
}

/// One shift of each date.
#[derive(Object, Deserialize, Clone)]
struct ShiftPlanBody {
    title: String,
    /// Shanghai time of day, HH:MM.
    start: String,
    /// Shanghai time of day, HH:MM, after `start`.
    end: String,
    place: String,
    /// 1 to 1,000 places.
    capacity: u32,
    /// Skills hoped for.
    #[serde(default)]
    skills: Vec<String>,
    /// Only registered Party members may sign up (the default); false opens the shift to every resident.
    #[serde(default = "yes")]
    #[oai(default = "yes")]
    members_only: bool,
}

fn yes() -> bool {
    true
}

#[derive(Object, Deserialize)]
struct NewEventBody {
    /// 1 to 50 characters.
    title: String,
    #[serde(default)]
    #[oai(default)]
    description: String,
    /// A Party Member Community Dedication Day: its dates go into the monthly notice to the community's members.
    #[serde(default)]
    #[oai(default)]
    dedication_day: bool,
    recurrence: RecurrenceBody,
    /// The first date (the only one for a one-off event), today or later.
    first_date: NaiveDate,
    /// The last date a recurring event may fall on; none for open-ended.
    until: Option<NaiveDate>,
    /// 1 to 20 shifts each date gets.
    shifts: Vec<ShiftPlanBody>,
}

#[derive(Object, Deserialize, Default)]
struct OccurrencePatch {
    /// Move this date only: its shifts move with it and everyone on them is told. Refused when a shift would
    /// then start in the past, or someone on it holds another shift at the new time.
    date: Option<NaiveDate>,
    /// Call this date off (true) or take it back (false); everyone on its shifts is told.
    cancelled: Option<bool>,
    /// A note shown with the date, up to 500 characters.
    note: Option<String>,
}

#[derive(Object, Deserialize, Default)]
struct ShiftPatch {
    title: Option<String>,
    place: Option<String>,
    /// A larger capacity moves the wait-list up at once; a smaller one takes no place away.
    capacity: Option<u32>,
}

#[derive(Object)]
struct OccurrenceView {
    id: Uuid,
    event_id: Uuid,
    /// The date the rule gave.
    rule_date: NaiveDate,
    /// The date it happens.
    date: NaiveDate,
    cancelled: bool,
    note: String,
    shifts: Vec<ShiftView>,
}

impl From<OccurrenceRecord> for OccurrenceView {
    fn from(o: OccurrenceRecord) -> Self {
        Self {
            id: o.id.0,
            event_id: o.event.0,
            rule_date: o.rule_date,
            date: o.date,
            cancelled: o.cancelled,
            note: o.note,
            shifts: o.shifts.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object)]
struct EventSeriesView {
    id: Uuid,
    community_id: i32,
    title: String,
    description: String,
    dedication_day: bool,
    recurrence: RecurrenceBody,
    first_date: NaiveDate,
    until: Option<NaiveDate>,
    shifts: Vec<ShiftPlanView>,
    /// Dates written out so far (a recurring event a year ahead), with their shifts.
    occurrences: Vec<OccurrenceView>,
}

#[derive(Object)]
struct ShiftPlanView {
    title: String,
    start: String,
    end: String,
    place: String,
    capacity: u32,
    skills: Vec<String>,
    members_only: bool,
}

impl From<EventRecord> for EventSeriesView {
    fn from(e: EventRecord) -> Self {
        Self {
            id: e.id.0,
            community_id: e.community.0,
            title: e.title,
            description: e.description,
            dedication_day: e.dedication_day,
            recurrence: RecurrenceBody::from_rule(e.recurrence),
            first_date: e.first_date,
            until: e.until,
            shifts: e
                .plan
                .into_iter()
                .map(|p| ShiftPlanView {
                    start: p.start.format("%H:%M").to_string(),
                    end: p.end.format("%H:%M").to_string(),
                    skills: linli_domain::volunteering::registration::Skills::from_stored(&p.skills)
                        .as_slice()
                        .to_vec(),
                    title: p.title,
                    place: p.place,
                    capacity: p.capacity,
                    members_only: p.members_only,
                })
                .collect(),
            occurrences: e.occurrences.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Object)]
struct EventSeriesList {
    events: Vec<EventSeriesView>,
}

#[derive(Object)]
struct ShiftList {
    shifts: Vec<ShiftView>,
}

#[derive(ApiResponse)]
enum EventCreated {
    #[oai(status = 201)]
    Created(Json<EventSeriesView>, #[oai(header = "Location")] String),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl EventsApi {
    /// Create an event in your community: one-off, or recurring monthly like the Dedication Day, with the shifts
    /// each of its dates gets. A recurring event is written out a year ahead, and kept so.
    #[oai(path = "/communities/:id/events", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        body: JsonBody<NewEventBody>,
    ) -> ApiResult<EventCreated> {
        let actor = auth.0.actor();
        let community = CommunityId(id.0);
        organizer_of(&actor, community)?;
        let now = Utc::now();
        let new = parse_event(community, body.0, actor.account, now)?;
        let event = state.store.create_event(new, now).await.map_err(event_error)?;
        let location = format!("/api/v1/events/{}", event.id.0);
        Ok(EventCreated::Created(Json(event.into()), location))
    }

    /// A community's events, newest first (without their dates; open one for those).
    #[oai(path = "/communities/:id/events", method = "get")]
    async fn list(&self, state: Data<&AppState>, _auth: BearerAuth, id: Path<i32>) -> ApiResult<Json<EventSeriesList>> {
        let rows = state.store.events_of(CommunityId(id.0)).await?;
        Ok(Json(EventSeriesList { events: rows.into_iter().map(Into::into).collect() }))
    }

    /// An event with its dates and their shifts.
    #[oai(path = "/events/:id", method = "get")]
    async fn event(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<EventSeriesView>> {
        let event = state.store.event(EventId(id.0)).await?.ok_or_else(|| ApiError::not_found("event"))?;
        Ok(Json(event.into()))
    }

    /// Move one date of an event, call it off or take it back, or note something on it.
    #[oai(path = "/occurrences/:id", method = "patch")]
    async fn change_occurrence(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<OccurrencePatch>,
    ) -> ApiResult<Json<OccurrenceView>> {
        let occurrence = OccurrenceId(id.0);
        let event = state.store.occurrence_event(occurrence).await?.ok_or_else(|| ApiError::not_found("occurrence"))?;
        organizer_of(&auth.0.actor(), event.community)?;
        let note = body.note.as_deref().map(|n| n.trim().to_owned());
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            return Err(ApiError::invalid("note", "invalid_text", "a note has at most 500 characters"));
        }
        let latest = Utc::now().with_timezone(&shanghai()).date_naive() + chrono::Days::new(MAX_DAYS_AHEAD);
        if body.date.is_some_and(|d| d > latest) {
            return Err(ApiError::invalid("date", "date_too_far", "a date moves at most two years ahead"));
        }
        let change = OccurrenceChange { date: body.date, cancelled: body.cancelled, note };
        let (_, record) = state.store.change_occurrence(occurrence, change, Utc::now()).await.map_err(event_error)?;
        Ok(Json(record.into()))
    }

    /// Change one shift's title, place or capacity.
    #[oai(path = "/shifts/:id", method = "patch")]
    async fn change_shift(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<ShiftPatch>,
    ) -> ApiResult<Json<ShiftView>> {
        let shift = state.store.shift(ShiftId(id.0)).await?.ok_or_else(|| ApiError::not_found("shift"))?;
        organizer_of(&auth.0.actor(), shift.community)?;
        if body.capacity.is_some_and(|c| !(1..=MAX_CAPACITY).contains(&c)) {
            return Err(ApiError::invalid("capacity", "invalid_capacity", "a shift has 1 to 1000 places"));
        }
        let change = ShiftChange {
            title: body.title.as_deref().map(|t| text_field("title", t, 50)).transpose()?,
            place: body.place.as_deref().map(|p| text_field("place", p, 100)).transpose()?,
            capacity: body.capacity,
        };
        let record = state.store.change_shift(ShiftId(id.0), change, Utc::now()).await.map_err(event_error)?;
        Ok(Json(record.into()))
    }

    /// A shift.
    #[oai(path = "/shifts/:id", method = "get")]
    async fn shift(&self, state: Data<&AppState>, _auth: BearerAuth, id: Path<Uuid>) -> ApiResult<Json<ShiftView>> {
        let shift = state.store.shift(ShiftId(id.0)).await?.ok_or_else(|| ApiError::not_found("shift"))?;
        Ok(Json(shift.into()))
    }

    /// A community's shifts starting from `from` (default now) until `to` (default 60 days later), in time order.
    #[oai(path = "/communities/:id/shifts", method = "get")]
    async fn shifts(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<i32>,
        from: Query<Option<DateTime<Utc>>>,
        to: Query<Option<DateTime<Utc>>>,
        limit: Query<Option<u32>>,
    ) -> ApiResult<Json<ShiftList>> {
        let from = within_reason("from", from.0.unwrap_or_else(Utc::now))?;
        let to = match to.0 {
            Some(t) => within_reason("to", t)?,
            None => from + TimeDelta::days(60),
        };
        if to <= from {
            return Err(ApiError::malformed("to", "to is after from"));
        }
        let rows = state.store.shifts_in(CommunityId(id.0), from, to, page_size(limit.0)?).await?;
        Ok(Json(ShiftList { shifts: rows.into_iter().map(Into::into).collect() }))
    }
}

fn parse_event(
    community: CommunityId,
    body: NewEventBody,
    by: linli_domain::accounts::AccountId,
    now: DateTime<Utc>,
) -> ApiResult<NewEvent> {
    let title = text_field("title", &body.title, 50)?;
    let description = body.description.trim().to_owned();
    if description.chars().count() > 2000 {
        return Err(ApiError::invalid("description", "invalid_text", "a description has at most 2,000 characters"));
    }
    let recurrence = body.recurrence.parse()?;
    let today = now.with_timezone(&shanghai()).date_naive();
    if body.first_date < today {
        return Err(ApiError::invalid("first_date", "date_in_past", "the first date is today or later"));
    }
    if body.first_date > today + chrono::Days::new(MAX_DAYS_AHEAD) {
        return Err(ApiError::invalid("first_date", "date_too_far", "the first date is at most two years ahead"));
    }
    if body.until.is_some_and(|u| u < body.first_date) {
        return Err(ApiError::invalid("until", "invalid_until", "until is on or after the first date"));
    }
    if body.shifts.is_empty() || body.shifts.len() > 20 {
        return Err(ApiError::invalid("shifts", "invalid_shifts", "an event has 1 to 20 shifts a date"));
    }
    let plan = body
        .shifts
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let skills = parse_skills(&format!("shifts[{n}].skills"), &s.skills)?;
            ShiftPlan::parse(&s.title, &s.start, &s.end, &s.place, s.capacity, skills, s.members_only)
                .map_err(|e| ApiError::invalid(&format!("shifts[{n}].{}", e.field()), "invalid_shift", e))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(NewEvent {
        community,
        title,
        description,
        recurrence,
        first_date: body.first_date,
        until: body.until,
        dedication_day: body.dedication_day,
        plan,
        created_by: by,
    })
}

/// How far ahead an event may start, or a date be moved to.
const MAX_DAYS_AHEAD: u64 = 730;

/// A time from a query, refused unless its year is 2000 to 2100: arithmetic on anything further out is not
/// worth risking.
fn within_reason(field: &str, t: DateTime<Utc>) -> ApiResult<DateTime<Utc>> {
    use chrono::Datelike;
    if (2000..=2100).contains(&t.year()) {
        Ok(t)
    } else {
        Err(ApiError::malformed(field, format!("{field} is a time between the years 2000 and 2100")))
    }
}

fn event_error(e: EventError) -> ApiError {
    use poem::http::StatusCode;
    match e {
        EventError::NotFound => ApiError::not_found("occurrence or shift"),
        EventError::UnknownCommunity => ApiError::not_found("community"),
        EventError::Started => ApiError::new(StatusCode::CONFLICT, "shift_started", e.to_string()),
        EventError::PastDate => ApiError::invalid("date", "date_in_past", e),
        EventError::HolderBusy => ApiError::new(StatusCode::CONFLICT, "holder_busy", e.to_string()).field("date"),
        EventError::Unexpected(u) => ApiError::unexpected(u),
    }
}
