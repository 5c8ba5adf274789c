//! Events (活动) and the shifts each of their dates gets. An event's shift plan gives times of day in Shanghai;
//! every occurrence lays the plan out on its own date, so moving an occurrence moves its shifts with it.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::registration::Skills;
use super::short_text;
use crate::time::TimeWindow;
use crate::time::shanghai;

/// The most places one shift can have.
pub const MAX_CAPACITY: u32 = 1000;

/// One shift of the plan: a time of day, a place, a number of places, the skills wanted, and who may come.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftPlan {
    pub title: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub place: String,
    pub capacity: u32,
    /// Stored as in [`Skills::stored`].
    pub skills: String,
    /// Only registered Party members may sign up.
    pub members_only: bool,
}

/// Which part of a shift plan is wrong, for an error that names the field.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ShiftPlanError {
    #[error("a shift title has 1 to 50 characters")]
    Title,
    #[error("a place has 1 to 100 characters")]
    Place,
    #[error("a time of day is HH:MM, 00:00 to 23:59")]
    Start,
    #[error("a time of day is HH:MM, 00:00 to 23:59")]
    End,
    #[error("a shift ends after it starts, on the same day")]
    EndsBeforeStart,
    #[error("a shift has 1 to 1000 places")]
    Capacity,
}

impl ShiftPlanError {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Place => "place",
            Self::Start => "start",
            Self::End | Self::EndsBeforeStart => "end",
            Self::Capacity => "capacity",
        }
    }
}

impl ShiftPlan {
    pub fn parse(
        title: &str,
        start: &str,
        end: &str,
        place: &str,
        capacity: u32,
        skills: Skills,
        members_only: bool,
    ) -> Result<Self, ShiftPlanError> {
        let title = short_text(title, 50).ok_or(ShiftPlanError::Title)?;
        let place = short_text(place, 100).ok_or(ShiftPlanError::Place)?;
        let start = parse_time_of_day(start).ok_or(ShiftPlanError::Start)?;
        let end = parse_time_of_day(end).ok_or(ShiftPlanError::End)?;
        if end <= start {
            return Err(ShiftPlanError::EndsBeforeStart);
        }
        if !(1..=MAX_CAPACITY).contains(&capacity) {
            return Err(ShiftPlanError::Capacity);
        }
        Ok(Self { title, start, end, place, capacity, skills: skills.stored(), members_only })
    }

    /// When the shift runs on `date` in Shanghai.
    pub fn window_on(&self, date: NaiveDate) -> TimeWindow {
        TimeWindow::from_stored(at_shanghai(date, self.start), at_shanghai(date, self.end))
    }
}

/// `date` at `time` on Shanghai's clock, in UTC.
pub fn at_shanghai(date: NaiveDate, time: NaiveTime) -> chrono::DateTime<Utc> {
    shanghai().from_local_datetime(&date.and_time(time)).single().expect("UTC+8 has no gaps").with_timezone(&Utc)
}

/// `HH:MM` on a 24-hour clock.
pub fn parse_time_of_day(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn plan(start: &str, end: &str) -> Result<ShiftPlan, ShiftPlanError> {
        ShiftPlan::parse("清扫楼道", start, end, "文安路社区党群服务中心", 10, Skills::default(), true)
    }

    #[test]
    fn a_plan_lays_its_shanghai_times_out_on_a_date_in_utc() {
        let window = plan("09:00", "11:30").unwrap().window_on(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        assert_eq!((window.start().hour(), window.start().minute()), (1, 0));
        assert_eq!(window.end() - window.start(), chrono::TimeDelta::minutes(150));
    }

    #[test]
    fn a_plan_names_the_field_it_cannot_use() {
        assert_eq!(plan("9点", "11:00").unwrap_err().field(), "start");
        assert_eq!(plan("09:00", "25:00").unwrap_err().field(), "end");
        assert_eq!(plan("11:00", "09:00"), Err(ShiftPlanError::EndsBeforeStart));
        let no_places = ShiftPlan::parse("清扫", "09:00", "10:00", "楼道", 0, Skills::default(), true);
        assert_eq!(no_places, Err(ShiftPlanError::Capacity));
        let no_place = ShiftPlan::parse("清扫", "09:00", "10:00", " ", 5, Skills::default(), true);
        assert_eq!(no_place.unwrap_err().field(), "place");
    }
}
