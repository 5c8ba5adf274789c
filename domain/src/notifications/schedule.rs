//! Time rules of the clock: retries that back off, and the daily slot a once-a-day job belongs to. People see
//! Asia/Shanghai time (UTC+8 all year); storage is UTC.

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};

use crate::time::shanghai;

/// The latest moment at or before `now` when the clock in Shanghai read `at`: the slot a daily job due then
/// belongs to. A job that records the slots it ran for runs once per slot, and a process that was down at the
/// time catches up once, with the latest slot, not once per missed day.
pub fn daily_slot(now: DateTime<Utc>, at: NaiveTime) -> DateTime<Utc> {
    let local = now.with_timezone(&shanghai());
    let today = local.date_naive().and_time(at).and_local_timezone(shanghai()).single().expect("UTC+8 is unambiguous");
    let slot = if today <= local { today } else { today - TimeDelta::days(1) };
    slot.with_timezone(&Utc)
}

/// The latest moment at or before `now` when it was `day` of a month at `at`, Shanghai time: the slot a monthly
/// job belongs to (`day` is clamped to 28 so that every month has it).
pub fn monthly_slot(now: DateTime<Utc>, day: u32, at: NaiveTime) -> DateTime<Utc> {
    let local = now.with_timezone(&shanghai()).date_naive();
    let day = day.clamp(1, 28);
    let in_month = |year: i32, month: u32| {
        chrono::NaiveDate::from_ymd_opt(year, month, day)
            .expect("days up to 28 exist in every month")
            .and_time(at)
            .and_local_timezone(shanghai())
            .single()
            .expect("UTC+8 is unambiguous")
            .with_timezone(&Utc)
    };
    let this_month = in_month(local.year(), local.month());
    if this_month <= now {
        return this_month;
    }
    let (year, month) = if local.month() == 1 { (local.year() - 1, 12) } else { (local.year(), local.month() - 1) };
    in_month(year, month)
}

/// How deliveries to the outside are retried: the delay doubles from `base` up to `cap`, varied by up to a quarter
/// either way so that many failures at once do not retry in step; after `max_attempts` the delivery is dead.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { base: Duration::from_secs(10), cap: Duration::from_secs(3600), max_attempts: 8 }
    }
}

impl RetryPolicy {
    /// The wait before the next try after `attempts` failed ones, or `None` when it should be given up. `jitter`
    /// is a number in [0, 1) the caller draws at random.
    pub fn next_delay(&self, attempts: u32, jitter: f64) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doubled = self.base.saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
        let capped = doubled.min(self.cap);
        let factor = 0.75 + 0.5 * jitter.clamp(0.0, 1.0);
        Some(capped.mul_f64(factor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn the_eight_oclock_slot_is_midnight_utc_of_the_same_shanghai_day() {
        let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        // 09:30 in Shanghai on 27 November: today's slot.
        assert_eq!(daily_slot(utc(2026, 11, 27, 1, 30), eight), utc(2026, 11, 27, 0, 0));
        // 07:59 in Shanghai: yesterday's.
        assert_eq!(daily_slot(utc(2026, 11, 26, 23, 59), eight), utc(2026, 11, 26, 0, 0));
        // Exactly 08:00 belongs to the new slot.
        assert_eq!(daily_slot(utc(2026, 11, 27, 0, 0), eight), utc(2026, 11, 27, 0, 0));
    }

    #[test]
    fn a_process_down_for_three_days_catches_up_with_one_slot() {
        let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        let back = utc(2026, 11, 30, 3, 0);
        assert_eq!(daily_slot(back, eight), utc(2026, 11, 30, 0, 0));
    }

    #[test]
    fn the_monthly_slot_is_the_latest_first_of_the_month_at_eight_in_shanghai() {
        let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        // 1 December, 07:30 in Shanghai: still November's slot.
        assert_eq!(monthly_slot(utc(2026, 11, 30, 23, 30), 1, eight), utc(2026, 11, 1, 0, 0));
        assert_eq!(monthly_slot(utc(2026, 12, 1, 0, 0), 1, eight), utc(2026, 12, 1, 0, 0));
        // January looks back to December of the year before.
        assert_eq!(monthly_slot(utc(2027, 1, 3, 0, 0), 5, eight), utc(2026, 12, 5, 0, 0));
    }

    #[test]
    fn retries_double_within_a_quarter_either_way_and_stop_at_the_limit() {
        let policy = RetryPolicy { base: Duration::from_secs(10), cap: Duration::from_secs(60), max_attempts: 5 };
        assert_eq!(policy.next_delay(1, 0.5), Some(Duration::from_secs(10)));
        assert_eq!(policy.next_delay(2, 0.5), Some(Duration::from_secs(20)));
        assert_eq!(policy.next_delay(3, 0.0), Some(Duration::from_secs(30)));
        assert_eq!(policy.next_delay(3, 0.999_999).map(|d| d.as_secs()), Some(49));
        assert_eq!(policy.next_delay(4, 0.5), Some(Duration::from_secs(60)), "capped");
        assert_eq!(policy.next_delay(5, 0.5), None, "dead after five attempts");
    }
}
