//! Time values every context shares: the Asia/Shanghai offset Linli shows times in, and a window of time
//! (`[start, end)`) that an order or a shift occupies.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

use crate::error::Invalid;

/// Asia/Shanghai: UTC+8, with no daylight saving time.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The instant a Shanghai date begins.
pub fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(shanghai()).single())
        .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

/// The Shanghai date at an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&shanghai()).date_naive()
}

/// When the service should happen: `[start, end)`, at most a day long. Whether it can still be booked depends on
/// the time of booking, which the use case checks against its clock ([`TimeWindow::bookable_at`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
pub enum WindowError {
    #[error("the window must end after it starts")]
    EndNotAfterStart,
    #[error("the window starts in the past")]
    InPast,
    #[error("the window starts more than {} days ahead", TimeWindow::MAX_LEAD_DAYS)]
    TooFarAhead,
    #[error("the window is longer than {} hours", TimeWindow::MAX_LENGTH_HOURS)]
    TooLong,
}

impl WindowError {
    /// The failure as the request field at fault and a stable code.
    pub fn invalid(self) -> Invalid {
        let (field, code) = match self {
            WindowError::EndNotAfterStart => ("window_end", "window_end_not_after_start"),
            WindowError::InPast => ("window_start", "window_in_past"),
            WindowError::TooFarAhead => ("window_start", "window_too_far_ahead"),
            WindowError::TooLong => ("window_end", "window_too_long"),
        };
        Invalid::new(field, code, self)
    }
}

impl TimeWindow {
    pub const MAX_LEAD_DAYS: i64 = 90;
    pub const MAX_LENGTH_HOURS: i64 = 24;
    /// A window may start a little before "now": the resident's clock and ours are not the same clock.
    const GRACE: Duration = Duration::minutes(5);

    /// A window from its two ends, in order and at most a day apart.
    pub fn parse(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, WindowError> {
        if end <= start {
            return Err(WindowError::EndNotAfterStart);
        }
        if end - start > Duration::hours(Self::MAX_LENGTH_HOURS) {
            return Err(WindowError::TooLong);
        }
        Ok(Self { start, end })
    }

    /// Whether a booking made at `now` may take this window: not already begun, nor too far ahead.
    pub fn bookable_at(&self, now: DateTime<Utc>) -> Result<(), WindowError> {
        if self.start < now - Self::GRACE {
            return Err(WindowError::InPast);
        }
        if self.start > now + Duration::days(Self::MAX_LEAD_DAYS) {
            return Err(WindowError::TooFarAhead);
        }
        Ok(())
    }

    /// Rebuilds a window read back from storage, where it was valid when written.
    pub fn from_stored(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self { start, end }
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn overlaps(&self, other: &TimeWindow) -> bool {
        self.start < other.end && other.start < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap()
    }

    #[test]
    fn a_window_tomorrow_morning_is_accepted() {
        let start = now() + Duration::hours(22);
        let w = TimeWindow::parse(start, start + Duration::hours(2)).unwrap();
        assert_eq!(w.end() - w.start(), Duration::hours(2));
        assert_eq!(w.bookable_at(now()), Ok(()));
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_rejected() {
        let start = now() + Duration::hours(1);
        assert_eq!(TimeWindow::parse(start, start), Err(WindowError::EndNotAfterStart));
    }

    #[test]
    fn a_window_in_the_past_is_rejected_but_a_few_minutes_of_skew_is_forgiven() {
        let an_hour_ago = now() - Duration::hours(1);
        let past = TimeWindow::parse(an_hour_ago, now() + Duration::hours(1)).unwrap();
        assert_eq!(past.bookable_at(now()), Err(WindowError::InPast));
        let skewed = TimeWindow::parse(now() - Duration::minutes(2), now() + Duration::hours(1)).unwrap();
        assert_eq!(skewed.bookable_at(now()), Ok(()));
    }

    #[test]
    fn a_window_too_long_or_too_far_ahead_is_rejected() {
        let start = now() + Duration::hours(1);
        assert_eq!(TimeWindow::parse(start, start + Duration::hours(25)), Err(WindowError::TooLong));
        let far = now() + Duration::days(91);
        let far = TimeWindow::parse(far, far + Duration::hours(1)).unwrap();
        assert_eq!(far.bookable_at(now()), Err(WindowError::TooFarAhead));
    }

    #[test]
    fn windows_that_only_touch_do_not_overlap() {
        let a = TimeWindow::from_stored(now(), now() + Duration::hours(1));
        let b = TimeWindow::from_stored(now() + Duration::hours(1), now() + Duration::hours(2));
        let c = TimeWindow::from_stored(now() + Duration::minutes(30), now() + Duration::minutes(90));
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c) && c.overlaps(&b));
    }
}
