//! Time values every context shares: the Asia/Shanghai offset Linli shows times in, and a window of time
//! (`[start, end)`) that an order or a shift occupies.

use chrono::{DateTime, Duration, FixedOffset, Utc};

/// Asia/Shanghai: UTC+8, with no daylight saving time.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// When the service should happen: `[start, end)`, in the future, at most a day long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, PartialEq, thiserror::Error)]
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

impl TimeWindow {
    pub const MAX_LEAD_DAYS: i64 = 90;
    pub const MAX_LENGTH_HOURS: i64 = 24;
    /// A window may start a little before "now": the resident's clock and ours are not the same clock.
    const GRACE: Duration = Duration::minutes(5);

    pub fn parse(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, WindowError> {
        if end <= start {
            return Err(WindowError::EndNotAfterStart);
        }
        if start < now - Self::GRACE {
            return Err(WindowError::InPast);
        }
        if start > now + Duration::days(Self::MAX_LEAD_DAYS) {
            return Err(WindowError::TooFarAhead);
        }
        if end - start > Duration::hours(Self::MAX_LENGTH_HOURS) {
            return Err(WindowError::TooLong);
        }
        Ok(Self { start, end })
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
        let w = TimeWindow::parse(start, start + Duration::hours(2), now()).unwrap();
        assert_eq!(w.end() - w.start(), Duration::hours(2));
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_rejected() {
        let start = now() + Duration::hours(1);
        assert_eq!(TimeWindow::parse(start, start, now()), Err(WindowError::EndNotAfterStart));
    }

    #[test]
    fn a_window_in_the_past_is_rejected_but_a_few_minutes_of_skew_is_forgiven() {
        let an_hour_ago = now() - Duration::hours(1);
        assert_eq!(TimeWindow::parse(an_hour_ago, now() + Duration::hours(1), now()), Err(WindowError::InPast));
        let skewed = now() - Duration::minutes(2);
        assert!(TimeWindow::parse(skewed, now() + Duration::hours(1), now()).is_ok());
    }

    #[test]
    fn a_window_too_long_or_too_far_ahead_is_rejected() {
        let start = now() + Duration::hours(1);
        assert_eq!(TimeWindow::parse(start, start + Duration::hours(25), now()), Err(WindowError::TooLong));
        let far = now() + Duration::days(91);
        assert_eq!(TimeWindow::parse(far, far + Duration::hours(1), now()), Err(WindowError::TooFarAhead));
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
