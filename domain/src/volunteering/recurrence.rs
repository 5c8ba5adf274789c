//! When an event happens: once, or every month by a rule (the Dedication Day is commonly a fixed day of the
//! month, or something like "the second Saturday"). A series is expanded into dated occurrences a year ahead;
//! each occurrence can then be moved or called off on its own without touching the rule.

use chrono::{Datelike, Months, NaiveDate, Weekday};

/// Which of a month's weekdays of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nth {
    /// 1 to 4: the first to the fourth.
    Ordinal(u8),
    Last,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    /// One date only.
    Once,
    /// The same day each month; in a month too short for it, that month's last day.
    MonthlyOnDay(u8),
    /// The n-th (or last) weekday of each month, e.g. the second Saturday.
    MonthlyOnWeekday { nth: Nth, weekday: Weekday },
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("a monthly day is between 1 and 31")]
    Day,
    #[error("nth is 1 to 4, or -1 for the last")]
    Nth,
    #[error("weekday is 1 (Monday) to 7 (Sunday)")]
    Weekday,
    #[error("not a recurrence this version knows: {0}")]
    Unknown(String),
}

/// How far ahead a recurring series is written out as occurrences people can sign up for.
pub const HORIZON_MONTHS: u32 = 12;

impl Recurrence {
    pub fn monthly_on_day(day: u32) -> Result<Self, RecurrenceError> {
        match u8::try_from(day) {
            Ok(d @ 1..=31) => Ok(Self::MonthlyOnDay(d)),
            _ => Err(RecurrenceError::Day),
        }
    }

    /// `nth` 1 to 4, or -1 for the last; `weekday` 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them.
    pub fn monthly_on_weekday(nth: i32, weekday: u32) -> Result<Self, RecurrenceError> {
        let nth = match nth {
            -1 => Nth::Last,
            n @ 1..=4 => Nth::Ordinal(n as u8),
            _ => return Err(RecurrenceError::Nth),
        };
        let weekday = match weekday {
            1..=7 => Weekday::try_from((weekday - 1) as u8).map_err(|_| RecurrenceError::Weekday)?,
            _ => return Err(RecurrenceError::Weekday),
        };
        Ok(Self::MonthlyOnWeekday { nth, weekday })
    }

    /// One column: `once`, `monthly_day:5`, `monthly_weekday:2:6` (the second Saturday), `monthly_weekday:-1:7`.
    pub fn stored(self) -> String {
        match self {
            Self::Once => "once".to_owned(),
            Self::MonthlyOnDay(d) => format!("monthly_day:{d}"),
            Self::MonthlyOnWeekday { nth, weekday } => {
                let n = match nth {
                    Nth::Ordinal(n) => i32::from(n),
                    Nth::Last => -1,
                };
                format!("monthly_weekday:{n}:{}", weekday.number_from_monday())
            }
        }
    }

    pub fn parse_stored(raw: &str) -> Result<Self, RecurrenceError> {
        let unknown = || RecurrenceError::Unknown(raw.to_owned());
        let mut parts = raw.split(':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("once"), None, None) => Ok(Self::Once),
            (Some("monthly_day"), Some(d), None) => Self::monthly_on_day(d.parse().map_err(|_| unknown())?),
            (Some("monthly_weekday"), Some(n), Some(w)) => {
                Self::monthly_on_weekday(n.parse().map_err(|_| unknown())?, w.parse().map_err(|_| unknown())?)
            }
            _ => Err(unknown()),
        }
    }

    /// The rule's dates from `first` through `through`, in order. `first` is the series' first date, and for a
    /// one-off event its only one; a monthly rule counts from `first`'s month, skipping dates before `first`.
    pub fn dates(self, first: NaiveDate, through: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        if first > through {
            return out;
        }
        let rule_date = |month_start: NaiveDate| match self {
            Self::Once => None,
            Self::MonthlyOnDay(d) => {
                let last = last_day_of_month(month_start);
                Some(month_start.with_day(u32::from(d).min(last.day())).unwrap_or(last))
            }
            Self::MonthlyOnWeekday { nth, weekday } => Some(nth_weekday(month_start, nth, weekday)),
        };
        if self == Self::Once {
            out.push(first);
            return out;
        }
        let mut month = first.with_day(1).expect("every month has a first day");
        while month <= through {
            if let Some(date) = rule_date(month)
                && date >= first
                && date <= through
            {
                out.push(date);
            }
            month = month + Months::new(1);
        }
        out
    }
}

fn last_day_of_month(month_start: NaiveDate) -> NaiveDate {
    (month_start + Months::new(1)).pred_opt().expect("a month has a last day")
}

fn nth_weekday(month_start: NaiveDate, nth: Nth, weekday: Weekday) -> NaiveDate {
    match nth {
        Nth::Ordinal(n) => {
            let ahead = (7 + weekday.num_days_from_monday() - month_start.weekday().num_days_from_monday()) % 7;
            month_start + chrono::Days::new(u64::from(ahead) + 7 * u64::from(n - 1))
        }
        Nth::Last => {
            let last = last_day_of_month(month_start);
            let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
            last - chrono::Days::new(u64::from(back))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_one_off_event_has_its_one_date() {
        assert_eq!(Recurrence::Once.dates(d(2026, 12, 5), d(2027, 12, 5)), [d(2026, 12, 5)]);
        assert!(Recurrence::Once.dates(d(2026, 12, 5), d(2026, 12, 4)).is_empty());
    }

    #[test]
    fn a_fixed_day_each_month_falls_back_to_the_last_day_of_a_short_month() {
        let rule = Recurrence::monthly_on_day(31).unwrap();
        let dates = rule.dates(d(2027, 1, 1), d(2027, 4, 30));
        assert_eq!(dates, [d(2027, 1, 31), d(2027, 2, 28), d(2027, 3, 31), d(2027, 4, 30)]);
    }

    #[test]
    fn a_monthly_rule_skips_its_date_in_the_first_month_when_that_has_passed() {
        let rule = Recurrence::monthly_on_day(5).unwrap();
        assert_eq!(rule.dates(d(2026, 11, 27), d(2027, 2, 5)), [d(2026, 12, 5), d(2027, 1, 5), d(2027, 2, 5)]);
    }

    #[test]
    fn the_second_saturday_and_the_last_sunday_land_on_the_right_dates() {
        let second_saturday = Recurrence::monthly_on_weekday(2, 6).unwrap();
        assert_eq!(
            second_saturday.dates(d(2026, 12, 1), d(2027, 2, 28)),
            [d(2026, 12, 12), d(2027, 1, 9), d(2027, 2, 13)]
        );
        let last_sunday = Recurrence::monthly_on_weekday(-1, 7).unwrap();
        assert_eq!(last_sunday.dates(d(2026, 11, 1), d(2026, 12, 31)), [d(2026, 11, 29), d(2026, 12, 27)]);
    }

    #[test]
    fn out_of_range_rules_are_refused() {
        assert_eq!(Recurrence::monthly_on_day(0), Err(RecurrenceError::Day));
        assert_eq!(Recurrence::monthly_on_day(32), Err(RecurrenceError::Day));
        assert_eq!(Recurrence::monthly_on_weekday(5, 1), Err(RecurrenceError::Nth));
        assert_eq!(Recurrence::monthly_on_weekday(1, 8), Err(RecurrenceError::Weekday));
        assert_eq!(Recurrence::monthly_on_weekday(1, 0), Err(RecurrenceError::Weekday));
    }

    #[test]
    fn every_rule_round_trips_through_its_stored_form() {
        for rule in [
            Recurrence::Once,
            Recurrence::monthly_on_day(5).unwrap(),
            Recurrence::monthly_on_weekday(2, 6).unwrap(),
            Recurrence::monthly_on_weekday(-1, 7).unwrap(),
        ] {
            assert_eq!(Recurrence::parse_stored(&rule.stored()), Ok(rule));
        }
        assert!(Recurrence::parse_stored("weekly:1").is_err());
    }

    proptest! {
        #[test]
        fn a_monthly_rule_gives_one_date_per_month_on_the_asked_weekday(
            nth in prop_oneof![Just(-1), 1..=4i32], weekday in 1..=7u32, month in 0..120u32,
        ) {
            let rule = Recurrence::monthly_on_weekday(nth, weekday).unwrap();
            let start = d(2020, 1, 1) + Months::new(month);
            let dates = rule.dates(start, last_day_of_month(start));
            prop_assert_eq!(dates.len(), 1);
            prop_assert_eq!(dates[0].weekday().number_from_monday(), weekday);
            prop_assert_eq!(dates[0].month(), start.month());
            let next_week = dates[0] + chrono::Days::new(7);
            if nth == -1 {
                prop_assert_ne!(next_week.month(), start.month());
            } else {
                prop_assert_eq!((dates[0].day() - 1) / 7 + 1, nth as u32);
            }
        }

        #[test]
        fn a_monthly_day_rule_never_leaves_a_month_out(day in 1..=31u32, months in 1..36u32) {
            let rule = Recurrence::monthly_on_day(day).unwrap();
            let first = d(2026, 1, 1);
            let through = last_day_of_month(first + Months::new(months - 1));
            prop_assert_eq!(rule.dates(first, through).len() as u32, months);
        }
    }
}
