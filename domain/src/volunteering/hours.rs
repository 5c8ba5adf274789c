//! Service hours: every attended shift and every volunteer order a Party member completes is credited in minutes
//! to the member, their branch and the community served, on the Shanghai calendar day it began; the city sets a
//! yearly quota that each member's total is measured against.

use chrono::{DateTime, Datelike, Utc};

use crate::time::shanghai;

/// A month or a whole year of the Shanghai calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Year(i32),
    Month(i32, u32),
}

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("a period is a year (2026) or a month (2026-11)")]
pub struct PeriodError;

impl Period {
    pub fn parse(raw: &str) -> Result<Self, PeriodError> {
        let year = |s: &str| s.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or(PeriodError);
        match raw.trim().split_once('-') {
            None => Ok(Self::Year(year(raw.trim())?)),
            Some((y, m)) => {
                let month = m.parse::<u32>().ok().filter(|m| (1..=12).contains(m)).ok_or(PeriodError)?;
                Ok(Self::Month(year(y)?, month))
            }
        }
    }

    /// The period holding `at`, month or year as asked.
    pub fn containing(at: DateTime<Utc>, monthly: bool) -> Self {
        let (year, month) = credited_on(at);
        if monthly { Self::Month(year, month) } else { Self::Year(year) }
    }

    pub fn year(self) -> i32 {
        match self {
            Self::Year(y) | Self::Month(y, _) => y,
        }
    }

    pub fn month(self) -> Option<u32> {
        match self {
            Self::Year(_) => None,
            Self::Month(_, m) => Some(m),
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::Year(y) => format!("{y}"),
            Self::Month(y, m) => format!("{y}-{m:02}"),
        }
    }
}

/// The Shanghai year and month that service beginning at `at` counts towards.
pub fn credited_on(at: DateTime<Utc>) -> (i32, u32) {
    let local = at.with_timezone(&shanghai());
    (local.year(), local.month())
}

/// A member's total against the year's quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaProgress {
    pub minutes: u64,
    pub quota_minutes: Option<u64>,
}

impl QuotaProgress {
    /// Minutes still to serve to meet the quota; zero once met, none when no quota is set.
    pub fn remaining(&self) -> Option<u64> {
        self.quota_minutes.map(|q| q.saturating_sub(self.minutes))
    }

    pub fn met(&self) -> Option<bool> {
        self.quota_minutes.map(|q| self.minutes >= q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_period_is_a_year_or_a_month() {
        assert_eq!(Period::parse("2026"), Ok(Period::Year(2026)));
        assert_eq!(Period::parse("2026-03"), Ok(Period::Month(2026, 3)));
        assert_eq!(Period::parse("2026-3").map(Period::label), Ok("2026-03".to_owned()));
        for bad in ["", "26", "2026-13", "2026-00", "x-01", "2026-"] {
            assert_eq!(Period::parse(bad), Err(PeriodError), "{bad}");
        }
    }

    #[test]
    fn service_late_on_new_years_eve_in_utc_counts_to_the_shanghai_new_year() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 17, 0, 0).unwrap();
        assert_eq!(credited_on(at), (2027, 1));
        assert_eq!(Period::containing(at, false), Period::Year(2027));
    }

    #[test]
    fn the_quota_is_met_once_the_minutes_reach_it() {
        let short = QuotaProgress { minutes: 300, quota_minutes: Some(480) };
        assert_eq!((short.remaining(), short.met()), (Some(180), Some(false)));
        let over = QuotaProgress { minutes: 600, quota_minutes: Some(480) };
        assert_eq!((over.remaining(), over.met()), (Some(0), Some(true)));
        let none = QuotaProgress { minutes: 600, quota_minutes: None };
        assert_eq!((none.remaining(), none.met()), (None, None));
    }
}
