//! Events: a community worker creates a one-off event or a recurring series such as the monthly Dedication Day
//! (共产党员社区奉献日) with a plan of shifts; each date can then be moved or called off, and each shift changed,
//! on its own.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::geo::CommunityId;
use linli_domain::volunteering::desk::{EventInput, OccurrenceInput, RecurrenceInput, ShiftInput, ShiftPlanInput};
use linli_domain::volunteering::model::{EventRecord, OccurrenceRecord};
use linli_domain::volunteering::recurrence::{Nth, Recurrence};
use linli_domain::volunteering::{EventId, OccurrenceId, ShiftId};

use super::ShiftView;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::routes::choices::RecurrenceKind;
use crate::routes::{ApiTags, PageLimit, limit_of, page_size};
use crate::state::AppState;

pub struct EventsApi;

/// When an event happens.
#[derive(Object, Deserialize, Clone)]
#[oai(skip_serializing_if_is_none)]
struct RecurrenceBody {
    /// `once`; `monthly_day` (the same day each month, the last day in a shorter month); or `monthly_weekday`
    /// (e.g. the second Saturday).
    kind: RecurrenceKind,
    /// For `monthly_day`: 1 to 31.
    day: Option<u32>,
    /// For `monthly_weekday`: 1 to 4, or -1 for the last.
    nth: Option<i32>,
    /// For `monthly_weekday`: 1 (Monday) to 7 (Sunday).
    weekday: Option<u32>,
}

impl RecurrenceBody {
    fn from_rule(r: Recurrence) -> Self {
        let none = Self { kind: RecurrenceKind::Once, day: None, nth: None, weekday: None };
        match r {
            Recurrence::Once => none,
            Recurrence::MonthlyOnDay(d) => Self { kind: RecurrenceKind::MonthlyDay, day: Some(u32::from(d)), ..none },
            Recurrence::MonthlyOnWeekday { nth, weekday } => Self {
                kind: RecurrenceKind::MonthlyWeekday,
                nth: Some(match nth {
                    Nth::Ordinal(n) => i32::from(n),
                    Nth::Last => -1,
                }),
                weekday: Some(weekday.number_from_monday()),
                ..none
            },
        }
    }

    fn input(&self) -> RecurrenceInput {
        RecurrenceInput { kind: self.kind.as_str().to_owned(), day: self.day, nth: self.nth, weekday: self.weekday }
    }
}

/// One shift of each date.
#[derive(Object, Deserialize, Clone)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
struct ShiftPatch {
    title: Option<String>,
    place: Option<String>,
    /// A larger capacity moves the wait-list up at once; a smaller one takes no place away.
    capacity: Option<u32>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
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
#[oai(skip_serializing_if_is_none)]
struct EventSeriesList {
    events: Vec<EventSeriesView>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ShiftList {
    shifts: Vec<ShiftView>,
}

#[derive(ApiResponse)]
enum EventCreated {
    #[oai(status = 201)]
    Created(Json<EventSeriesView>, #[oai(header = "Location")] String),
}

problems!(
    /// What `POST /communities/:id/events` can answer besides its success.
    CreateProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /communities/:id/events` can answer besides its success.
    ListProblems: BadRequest, Unauthorized
);
problems!(
    /// What `GET /events/:id` can answer besides its success.
    EventProblems: BadRequest, Unauthorized, NotFound
);
problems!(
    /// What `PATCH /occurrences/:id` can answer besides its success.
    ChangeOccurrenceProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `PATCH /shifts/:id` can answer besides its success.
    ChangeShiftProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /shifts/:id` can answer besides its success.
    ShiftProblems: BadRequest, Unauthorized, NotFound
);
problems!(
    /// What `GET /communities/:id/shifts` can answer besides its success.
    ShiftsProblems: BadRequest, Unauthorized
);

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
    ) -> Result<EventCreated, CreateProblems> {
        let event = state.volunteering.create_event(&auth.0.actor(), CommunityId(id.0), body.0.into()).await?;
        let location = format!("/api/v1/events/{}", event.id.0);
        Ok(EventCreated::Created(Json(event.into()), location))
    }

    /// A community's events, newest first (without their dates; open one for those).
    #[oai(path = "/communities/:id/events", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<i32>,
    ) -> Result<Json<EventSeriesList>, ListProblems> {
        let rows = state.volunteering.events_of(CommunityId(id.0)).await?;
        Ok(Json(EventSeriesList { events: rows.into_iter().map(Into::into).collect() }))
    }

    /// An event with its dates and their shifts.
    #[oai(path = "/events/:id", method = "get")]
    async fn event(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<EventSeriesView>, EventProblems> {
        Ok(Json(state.volunteering.event(EventId(id.0)).await?.into()))
    }

    /// Move one date of an event, call it off or take it back, or note something on it.
    #[oai(path = "/occurrences/:id", method = "patch")]
    async fn change_occurrence(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<OccurrencePatch>,
    ) -> Result<Json<OccurrenceView>, ChangeOccurrenceProblems> {
        let change = OccurrenceInput { date: body.date, cancelled: body.cancelled, note: body.0.note };
        let record = state.volunteering.change_occurrence(&auth.0.actor(), OccurrenceId(id.0), change).await?;
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
    ) -> Result<Json<ShiftView>, ChangeShiftProblems> {
        let change = ShiftInput { title: body.0.title, place: body.0.place, capacity: body.0.capacity };
        let record = state.volunteering.change_shift(&auth.0.actor(), ShiftId(id.0), change).await?;
        Ok(Json(record.into()))
    }

    /// A shift.
    #[oai(path = "/shifts/:id", method = "get")]
    async fn shift(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<ShiftView>, ShiftProblems> {
        Ok(Json(state.volunteering.shift(ShiftId(id.0)).await?.into()))
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
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<ShiftList>, ShiftsProblems> {
        let rows = state.volunteering.shifts_in(CommunityId(id.0), from.0, to.0, page_size(limit_of(limit.0))?).await?;
        Ok(Json(ShiftList { shifts: rows.into_iter().map(Into::into).collect() }))
    }
}

impl From<NewEventBody> for EventInput {
    fn from(body: NewEventBody) -> Self {
        Self {
            title: body.title,
            description: body.description,
            dedication_day: body.dedication_day,
            recurrence: body.recurrence.input(),
            first_date: body.first_date,
            until: body.until,
            shifts: body
                .shifts
                .into_iter()
                .map(|s| ShiftPlanInput {
                    title: s.title,
                    start: s.start,
                    end: s.end,
                    place: s.place,
                    capacity: s.capacity,
                    skills: s.skills,
                    members_only: s.members_only,
                })
                .collect(),
        }
    }
}
