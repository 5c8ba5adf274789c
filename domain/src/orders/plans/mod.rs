//! Care plans (助餐计划 / 周期服务): a recurring order, such as weekday lunches, that Linli places as ordinary
//! orders a rolling horizon ahead. This module owns the plan itself and the pure rule that turns it into dated
//! occurrences: which days it repeats on, at what time from which date, and the dates paused or skipped. The
//! use cases that create and change plans are in `desk`, their port in `ports`.

mod desk;
mod ports;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use desk::{NewPlan, PlanDetail, PlanError, PlanRefusal, PlannedDay, PlannedDayState};
pub use ports::{CarePlans, PlanWrite};

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::AccountId;
use crate::catalog::{Answers, ItemId};
use crate::error::Invalid;
use crate::geo::{CommunityId, GeoPoint};
use crate::providers::ProviderId;
use crate::time::{TimeWindow, shanghai};
use crate::volunteering::recurrence::Recurrence;

/// A UUID v7, so plans sort by when they were made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CarePlanId(pub Uuid);

/// How many days ahead a plan's occurrences are placed as orders, unless configured otherwise: a week, so that
/// providers see the week's visits and the resident can change one before it is offered.
pub const DEFAULT_HORIZON_DAYS: u32 = 7;

/// The longest a plan may run, in days from its start. (How far ahead it may start is the booking horizon,
/// [`TimeWindow::MAX_LEAD_DAYS`].)
pub const MAX_PLAN_DAYS: u64 = 366;

/// The days of the week a plan repeats on (Monday first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weekdays(u8);

impl Weekdays {
    /// ISO 8601 day numbers, 1 (Monday) to 7 (Sunday), at least one.
    pub fn parse(days: &[u32], field: &str) -> Result<Self, Invalid> {
        let mut bits = 0u8;
        for day in days {
            match day {
                1..=7 => bits |= 1 << (day - 1),
                _ => return Err(Invalid::new(field, "invalid_weekday", "weekdays are 1 (Monday) to 7 (Sunday)")),
            }
        }
        if bits == 0 {
            return Err(Invalid::new(field, "no_weekday", "name at least one day of the week"));
        }
        Ok(Self(bits))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// The ISO numbers of the days, Monday first.
    pub fn numbers(self) -> Vec<u32> {
        (1..=7).filter(|d| self.0 & (1 << (d - 1)) != 0).collect()
    }
}

/// How a plan repeats: on days of the week, or monthly by a rule (the same day, or the n-th weekday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Repeat {
    Weekly(Weekdays),
    Monthly(Recurrence),
}

impl Repeat {
    /// Whether the rule falls on `date`, for a plan that starts on `start`.
    fn falls_on(self, date: NaiveDate, start: NaiveDate) -> bool {
        match self {
            Repeat::Weekly(days) => days.contains(date.weekday()),
            Repeat::Monthly(rule) => rule.dates(start, date).last() == Some(&date),
        }
    }
}

impl From<Repeat> for String {
    /// One column: `weekly:1,2,3,4,5`, or a monthly rule as volunteering stores it (`monthly_day:5`).
    fn from(repeat: Repeat) -> String {
        match repeat {
            Repeat::Weekly(days) => {
                let days: Vec<String> = days.numbers().iter().map(u32::to_string).collect();
                format!("weekly:{}", days.join(","))
            }
            Repeat::Monthly(rule) => rule.stored(),
        }
    }
}

impl TryFrom<String> for Repeat {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        if let Some(days) = raw.strip_prefix("weekly:") {
            let days: Result<Vec<u32>, _> = days.split(',').map(str::parse).collect();
            let days = days.map_err(|_| format!("unreadable weekdays: {raw}"))?;
            return Weekdays::parse(&days, "repeat").map(Repeat::Weekly).map_err(|e| e.detail);
        }
        match Recurrence::parse_stored(&raw) {
            Ok(Recurrence::Once) | Err(_) => Err(format!("not a repeat rule: {raw}")),
            Ok(rule) => Ok(Repeat::Monthly(rule)),
        }
    }
}

/// Dates a plan does not happen on, from `from` through `until`: a hospital stay, a trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// A new time of day from a date on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeChange {
    pub from: NaiveDate,
    pub time: NaiveTime,
}

/// Everything that decides when a plan's visits are: kept together, and stored as one value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanRules {
    pub repeat: Repeat,
    /// The time of day (Shanghai) the visits start, until a change says otherwise.
    pub time: NaiveTime,
    pub start: NaiveDate,
    /// The last day, when the plan has one; cancelling the rest sets it.
    pub end: Option<NaiveDate>,
    #[serde(default)]
    pub pauses: Vec<Pause>,
    #[serde(default)]
    pub skips: Vec<NaiveDate>,
    /// In the order they were made; a later change wins over an earlier one from the same date on.
    #[serde(default)]
    pub changes: Vec<TimeChange>,
}

/// One dated visit of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub time: NaiveTime,
    /// How many time changes apply to this date (0 for the plan's own time): part of the occurrence's key, so
    /// that a visit moved to another time is a new order while the one it replaces stays cancelled.
    pub version: usize,
}

/// Why a date of the rule has no visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Off {
    Paused,
    Skipped,
}

impl PlanRules {
    /// The plan's visits from `from` through `through`, in order: the rule's dates within the plan's start and
    /// end, less those paused or skipped, each at the time in force on its date.
    pub fn occurrences(&self, from: NaiveDate, through: NaiveDate) -> Vec<Occurrence> {
        self.rule_dates(from, through)
            .into_iter()
            .filter(|d| self.off(*d).is_none())
            .map(|date| {
                let (time, version) = self.time_on(date);
                Occurrence { date, time, version }
            })
            .collect()
    }

    /// Every date the rule falls on from `from` through `through`, within the plan's start and end, paused and
    /// skipped ones included.
    pub fn rule_dates(&self, from: NaiveDate, through: NaiveDate) -> Vec<NaiveDate> {
        let first = from.max(self.start);
        let last = self.end.map_or(through, |end| end.min(through));
        first.iter_days().take_while(|d| *d <= last).filter(|d| self.repeat.falls_on(*d, self.start)).collect()
    }

    /// Whether `date` is paused or skipped.
    pub fn off(&self, date: NaiveDate) -> Option<Off> {
        if self.skips.contains(&date) {
            return Some(Off::Skipped);
        }
        self.pauses.iter().any(|p| p.from <= date && date <= p.until).then_some(Off::Paused)
    }

    /// The time of day in force on `date`, and how many changes apply to it.
    pub fn time_on(&self, date: NaiveDate) -> (NaiveTime, usize) {
        let applying: Vec<&TimeChange> = self.changes.iter().filter(|c| c.from <= date).collect();
        (applying.last().map_or(self.time, |c| c.time), applying.len())
    }

    /// Whether the plan has no visit left on or after `date`.
    pub fn ended_by(&self, date: NaiveDate) -> bool {
        self.end.is_some_and(|end| end < date)
    }
}

impl Occurrence {
    /// When it starts: its date and time in Shanghai.
    pub fn start(&self) -> DateTime<Utc> {
        self.date
            .and_time(self.time)
            .and_local_timezone(shanghai())
            .single()
            .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
    }

    /// Its window in time, for the item's length.
    pub fn window(&self, minutes: i32) -> TimeWindow {
        let start = self.start();
        TimeWindow::from_stored(start, start + chrono::Duration::minutes(i64::from(minutes.max(1))))
    }

    /// The idempotency key of the order placed for it: the same visit is placed once, however many processes
    /// extend the plan at once.
    pub fn key(&self, plan: CarePlanId) -> String {
        format!("plan-{}-{}-v{}", plan.0, self.date.format("%Y%m%d"), self.version)
    }
}

/// A care plan as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct CarePlan {
    pub id: CarePlanId,
    /// Whom the visits are for.
    pub resident: AccountId,
    /// Who set it up: the resident, or a community worker on their behalf.
    pub filed_by: AccountId,
    pub item: ItemId,
    pub community: CommunityId,
    pub address: String,
    pub location: GeoPoint,
    pub notes: String,
    /// The answers to the item's questions, checked when the plan was made; every visit carries them.
    pub answers: Answers,
    pub rules: PlanRules,
    /// Counts the changes to the rules, so that two changes at once cannot both be written over the same rules.
    pub revision: u32,
    /// The last date whose visit was placed as an order; `None` before the first.
    pub placed_through: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The provider a plan's next visit should go to first: whoever took its latest visit, when they still can.
pub type Continuity = Option<ProviderId>;

/// `date` plus `days`.
pub(crate) fn days_after(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX)
}

/// How a plan repeats, as a request gives it: `weekly` on `weekdays`, `monthly_day` on `day`, or
/// `monthly_weekday` on the `nth` `weekday`.
#[derive(Clone, Debug, Default)]
pub struct RepeatInput {
    pub kind: String,
    pub weekdays: Vec<u32>,
    pub day: Option<u32>,
    pub nth: Option<i32>,
    pub weekday: Option<u32>,
}

impl RepeatInput {
    /// The rule, naming the field at fault (`repeat.weekdays`, `repeat.day`…).
    pub fn parse(&self) -> Result<Repeat, Invalid> {
        let bad = |field: &str, why: &dyn ToString| Invalid::new(field, "invalid_repeat", why.to_string());
        match self.kind.as_str() {
            "weekly" => Weekdays::parse(&self.weekdays, "repeat.weekdays").map(Repeat::Weekly),
            "monthly_day" => {
                let day = self.day.ok_or_else(|| bad("repeat.day", &"a monthly_day rule needs its day"))?;
                Recurrence::monthly_on_day(day).map(Repeat::Monthly).map_err(|e| bad("repeat.day", &e))
            }
            "monthly_weekday" => {
                let nth = self.nth.ok_or_else(|| bad("repeat.nth", &"a monthly_weekday rule needs nth"))?;
                let weekday =
                    self.weekday.ok_or_else(|| bad("repeat.weekday", &"a monthly_weekday rule needs its weekday"))?;
                Recurrence::monthly_on_weekday(nth, weekday).map(Repeat::Monthly).map_err(|e| match e {
                    crate::volunteering::recurrence::RecurrenceError::Nth => bad("repeat.nth", &e),
                    _ => bad("repeat.weekday", &e),
                })
            }
            _ => Err(bad("repeat.kind", &"kind is weekly, monthly_day or monthly_weekday")),
        }
    }
}

/// A time of day as `HH:MM` (Shanghai).
pub fn parse_time(raw: &str, field: &str) -> Result<NaiveTime, Invalid> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| Invalid::new(field, "invalid_time", "a time of day is HH:MM, e.g. 11:30"))
}
