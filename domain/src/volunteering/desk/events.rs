//! Events: a community's organizer creates a one-off event or a recurring series such as the monthly
//! Dedication Day (共产党员社区奉献日) with a plan of shifts; each date can then be moved or called off, and each
//! shift changed, on its own. Anyone signed in may look.

use chrono::{DateTime, NaiveDate, TimeDelta};

use super::{MAX_DAYS_AHEAD, VolunteerDesk, organizer_of, text, within_reason};
use crate::accounts::Actor;
use crate::clock::Clock;
use crate::error::Invalid;
use crate::geo::CommunityId;
use crate::notifications::LivePublisher;
use crate::time::shanghai;
use crate::volunteering::errors::{DeskError, EventError};
use crate::volunteering::events::{MAX_CAPACITY, ShiftPlan};
use crate::volunteering::model::{EventRecord, NewEvent, OccurrenceChange, OccurrenceRecord, ShiftChange, ShiftRecord};
use crate::volunteering::ports::{Events, Signups};
use crate::volunteering::recurrence::{Recurrence, RecurrenceError};
use crate::volunteering::registration::Skills;
use crate::volunteering::{EventId, OccurrenceId, ShiftId};

/// When an event happens, as the organizer gave it: `once`, `monthly_day` with `day`, or `monthly_weekday`
/// with `nth` (1 to 4, or -1 for the last) and `weekday` (1 for Monday to 7).
#[derive(Clone, Debug, Default)]
pub struct RecurrenceInput {
    pub kind: String,
    pub day: Option<u32>,
    pub nth: Option<i32>,
    pub weekday: Option<u32>,
}

impl RecurrenceInput {
    pub fn parse(&self) -> Result<Recurrence, Invalid> {
        let bad = |field: &str, e: &dyn ToString| Invalid::new(field, "invalid_recurrence", e.to_string());
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
                    RecurrenceError::Nth => bad("recurrence.nth", &e),
                    _ => bad("recurrence.weekday", &e),
                })
            }
            _ => Err(bad("recurrence.kind", &"kind is once, monthly_day or monthly_weekday")),
        }
    }
}

/// One shift of each date, as typed.
#[derive(Clone, Debug)]
pub struct ShiftPlanInput {
    pub title: String,
    /// Shanghai time of day, HH:MM.
    pub start: String,
    pub end: String,
    pub place: String,
    pub capacity: u32,
    pub skills: Vec<String>,
    pub members_only: bool,
}

/// A new event, as typed.
#[derive(Clone, Debug)]
pub struct EventInput {
    pub title: String,
    pub description: String,
    pub dedication_day: bool,
    pub recurrence: RecurrenceInput,
    pub first_date: NaiveDate,
    pub until: Option<NaiveDate>,
    pub shifts: Vec<ShiftPlanInput>,
}

/// A change to one date; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct OccurrenceInput {
    pub date: Option<NaiveDate>,
    pub cancelled: Option<bool>,
    pub note: Option<String>,
}

/// A change to one shift; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct ShiftInput {
    pub title: Option<String>,
    pub place: Option<String>,
    pub capacity: Option<u32>,
}

/// How many shifts one date of an event may have.
const MAX_SHIFTS: usize = 20;

impl<R: Events + Signups, A, C: Clock, L: LivePublisher> VolunteerDesk<R, A, C, L> {
    /// An organizer of `community` creates an event; a recurring one is written out a year ahead.
    pub async fn create_event(
        &self,
        actor: &Actor,
        community: CommunityId,
        input: EventInput,
    ) -> Result<EventRecord, EventError> {
        organizer_of(actor, community)?;
        let now = self.clock.now();
        let today = now.with_timezone(&shanghai()).date_naive();
        let new = new_event(community, input, actor, today)?;
        self.repo.create_event(new, now).await
    }

    /// A community's events, newest first (without their dates).
    pub async fn events_of(&self, community: CommunityId) -> Result<Vec<EventRecord>, DeskError> {
        Ok(self.repo.events_of(community).await?)
    }

    /// An event with its dates and their shifts.
    pub async fn event(&self, id: EventId) -> Result<EventRecord, DeskError> {
        self.repo.event(id).await?.ok_or(DeskError::NotFound("event"))
    }

    /// An organizer of the event's community moves one date, calls it off or takes it back, or notes on it.
    pub async fn change_occurrence(
        &self,
        actor: &Actor,
        id: OccurrenceId,
        input: OccurrenceInput,
    ) -> Result<OccurrenceRecord, EventError> {
        let event = self.repo.occurrence_event(id).await?.ok_or(EventError::NotFound)?;
        organizer_of(actor, event.community)?;
        let note = input.note.as_deref().map(|n| n.trim().to_owned());
        if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            return Err(Invalid::new("note", "invalid_text", "a note has at most 500 characters").into());
        }
        let now = self.clock.now();
        let latest = now.with_timezone(&shanghai()).date_naive() + chrono::Days::new(MAX_DAYS_AHEAD);
        if input.date.is_some_and(|d| d > latest) {
            return Err(Invalid::new("date", "date_too_far", "a date moves at most two years ahead").into());
        }
        let change = OccurrenceChange { date: input.date, cancelled: input.cancelled, note };
        let (_, record) = self.repo.change_occurrence(id, change, now).await?;
        for shift in &record.shifts {
            self.tell_roster(shift.id).await;
        }
        Ok(record)
    }

    /// An organizer of the shift's community changes its title, place or capacity.
    pub async fn change_shift(&self, actor: &Actor, id: ShiftId, input: ShiftInput) -> Result<ShiftRecord, EventError> {
        let shift = self.repo.shift(id).await?.ok_or(EventError::NotFound)?;
        organizer_of(actor, shift.community)?;
        if input.capacity.is_some_and(|c| !(1..=MAX_CAPACITY).contains(&c)) {
            return Err(Invalid::new("capacity", "invalid_capacity", "a shift has 1 to 1000 places").into());
        }
        let change = ShiftChange {
            title: input.title.as_deref().map(|t| text("title", t, 50)).transpose()?,
            place: input.place.as_deref().map(|p| text("place", p, 100)).transpose()?,
            capacity: input.capacity,
        };
        let changed = self.repo.change_shift(id, change, self.clock.now()).await?;
        self.tell_roster(id).await;
        Ok(changed)
    }

    pub async fn shift(&self, id: ShiftId) -> Result<ShiftRecord, DeskError> {
        self.repo.shift(id).await?.ok_or(DeskError::NotFound("shift"))
    }

    /// A community's shifts starting from `from` (now when absent) until `to` (60 days later when absent).
    pub async fn shifts_in(
        &self,
        community: CommunityId,
        from: Option<DateTime<chrono::Utc>>,
        to: Option<DateTime<chrono::Utc>>,
        limit: u64,
    ) -> Result<Vec<ShiftRecord>, DeskError> {
        let from = within_reason("from", from.unwrap_or_else(|| self.clock.now()))?;
        let to = match to {
            Some(t) => within_reason("to", t)?,
            None => from + TimeDelta::days(60),
        };
        if to <= from {
            return Err(Invalid::malformed("to", "to is after from").into());
        }
        Ok(self.repo.shifts_in(community, from, to, limit).await?)
    }
}

/// The event the organizer described, naming the field of the first value that breaks a rule.
fn new_event(community: CommunityId, input: EventInput, by: &Actor, today: NaiveDate) -> Result<NewEvent, Invalid> {
    let title = text("title", &input.title, 50)?;
    let description = input.description.trim().to_owned();
    if description.chars().count() > 2000 {
        return Err(Invalid::new("description", "invalid_text", "a description has at most 2,000 characters"));
    }
    let recurrence = input.recurrence.parse()?;
    if input.first_date < today {
        return Err(Invalid::new("first_date", "date_in_past", "the first date is today or later"));
    }
    if input.first_date > today + chrono::Days::new(MAX_DAYS_AHEAD) {
        return Err(Invalid::new("first_date", "date_too_far", "the first date is at most two years ahead"));
    }
    if input.until.is_some_and(|u| u < input.first_date) {
        return Err(Invalid::new("until", "invalid_until", "until is on or after the first date"));
    }
    if input.shifts.is_empty() || input.shifts.len() > MAX_SHIFTS {
        return Err(Invalid::new("shifts", "invalid_shifts", "an event has 1 to 20 shifts a date"));
    }
    let plan = input
        .shifts
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let skills = Skills::parse(&s.skills)
                .map_err(|e| Invalid::new(format!("shifts[{n}].skills"), "invalid_skills", e))?;
            ShiftPlan::parse(&s.title, &s.start, &s.end, &s.place, s.capacity, skills, s.members_only)
                .map_err(|e| Invalid::new(format!("shifts[{n}].{}", e.field()), "invalid_shift", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewEvent {
        community,
        title,
        description,
        recurrence,
        first_date: input.first_date,
        until: input.until,
        dedication_day: input.dedication_day,
        plan,
        created_by: by.account,
    })
}
