//! Working hours by weekday, in Shanghai time (UTC+8 all year: China keeps no daylight saving time).

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

use crate::time::TimeWindow;

/// For each weekday (Monday first) the minutes of the day a provider works, `[open, close)`, or none.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkingHours([Option<(u16, u16)>; 7]);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("working hours run from an opening to a later closing minute within one day (0 to 1440)")]
pub struct HoursError;

impl WorkingHours {
    /// Every day, all day.
    pub fn always() -> Self {
        Self([Some((0, 1440)); 7])
    }

    /// The same hours every day.
    pub fn daily(open: u16, close: u16) -> Result<Self, HoursError> {
        Self::weekly([Some((open, close)); 7])
    }

    pub fn weekly(days: [Option<(u16, u16)>; 7]) -> Result<Self, HoursError> {
        if days.iter().flatten().any(|(open, close)| open >= close || *close > 1440) {
            return Err(HoursError);
        }
        Ok(Self(days))
    }

    /// Reads the stored form: empty for always, else seven comma-separated days (Monday first), each
    /// `HH:MM-HH:MM` or `-` for closed; `24:00` closes at midnight.
    pub fn parse(s: &str) -> Result<Self, HoursError> {
        if s.trim().is_empty() {
            return Ok(Self::always());
        }
        let days: Vec<&str> = s.split(',').map(str::trim).collect();
        if days.len() != 7 {
            return Err(HoursError);
        }
        let mut out = [None; 7];
        for (slot, day) in out.iter_mut().zip(days) {
            if day == "-" {
                continue;
            }
            let (open, close) = day.split_once('-').ok_or(HoursError)?;
            *slot = Some((minute_of_day(open)?, minute_of_day(close)?));
        }
        Self::weekly(out)
    }

    /// The stored form [`WorkingHours::parse`] reads.
    pub fn format(&self) -> String {
        if *self == Self::always() {
            return String::new();
        }
        let day = |d: &Option<(u16, u16)>| match d {
            Some((o, c)) => format!("{:02}:{:02}-{:02}:{:02}", o / 60, o % 60, c / 60, c % 60),
            None => "-".to_owned(),
        };
        self.0.iter().map(day).collect::<Vec<_>>().join(",")
    }

    /// Whether the whole window lies in one working span. A window that crosses midnight needs both days open
    /// to the day's end and from its start.
    pub fn covers(&self, window: &TimeWindow) -> bool {
        let (start, end) = (local(window.start()), local(window.end()));
        let day = |t: &DateTime<FixedOffset>| self.0[t.weekday().num_days_from_monday() as usize];
        let minute = |t: &DateTime<FixedOffset>| (t.hour() * 60 + t.minute()) as u16;
        if start.date_naive() == end.date_naive() {
            return day(&start).is_some_and(|(open, close)| open <= minute(&start) && minute(&end) <= close);
        }
        if end.date_naive() != start.date_naive().succ_opt().unwrap_or(start.date_naive()) {
            return false;
        }
        let tonight = day(&start).is_some_and(|(open, close)| open <= minute(&start) && close == 1440);
        let morning = day(&end).is_some_and(|(open, close)| open == 0 && minute(&end) <= close);
        tonight && morning
    }
}

fn minute_of_day(s: &str) -> Result<u16, HoursError> {
    let (h, m) = s.split_once(':').ok_or(HoursError)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| HoursError)?, m.parse().map_err(|_| HoursError)?);
    if m >= 60 || h * 60 + m > 1440 {
        return Err(HoursError);
    }
    Ok(h * 60 + m)
}

fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A window given in Shanghai wall-clock time.
    fn window(day: u32, from: (u32, u32), to_day: u32, to: (u32, u32)) -> TimeWindow {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        let start = tz.with_ymd_and_hms(2026, 11, day, from.0, from.1, 0).unwrap().with_timezone(&Utc);
        let end = tz.with_ymd_and_hms(2026, 11, to_day, to.0, to.1, 0).unwrap().with_timezone(&Utc);
        TimeWindow::from_stored(start, end)
    }

    #[test]
    fn a_morning_window_fits_office_hours_and_an_evening_one_does_not() {
        let office = WorkingHours::daily(8 * 60, 18 * 60).unwrap();
        assert!(office.covers(&window(27, (9, 0), 27, (11, 0))));
        assert!(!office.covers(&window(27, (17, 0), 27, (19, 0))));
        assert!(!office.covers(&window(27, (7, 30), 27, (9, 0))));
    }

    #[test]
    fn hours_are_read_in_shanghai_time_not_utc() {
        // 09:00-10:00 in Shanghai is 01:00-02:00 UTC; office hours must still cover it.
        let office = WorkingHours::daily(8 * 60, 18 * 60).unwrap();
        assert!(office.covers(&window(27, (9, 0), 27, (10, 0))));
    }

    #[test]
    fn a_closed_weekday_covers_nothing() {
        // 2026-11-29 is a Sunday.
        let weekdays = WorkingHours::weekly([
            Some((0, 1440)),
            Some((0, 1440)),
            Some((0, 1440)),
            Some((0, 1440)),
            Some((0, 1440)),
            None,
            None,
        ])
        .unwrap();
        assert!(!weekdays.covers(&window(29, (10, 0), 29, (11, 0))));
        assert!(weekdays.covers(&window(27, (10, 0), 27, (11, 0))));
    }

    #[test]
    fn a_night_window_needs_both_days_open_across_midnight() {
        assert!(WorkingHours::always().covers(&window(27, (23, 0), 28, (1, 0))));
        assert!(!WorkingHours::daily(8 * 60, 22 * 60).unwrap().covers(&window(27, (23, 0), 28, (1, 0))));
    }

    #[test]
    fn the_stored_form_round_trips() {
        let office = WorkingHours::weekly([
            Some((480, 1080)),
            Some((480, 1080)),
            None,
            Some((0, 1440)),
            None,
            None,
            Some((540, 600)),
        ])
        .unwrap();
        assert_eq!(office.format(), "08:00-18:00,08:00-18:00,-,00:00-24:00,-,-,09:00-10:00");
        assert_eq!(WorkingHours::parse(&office.format()), Ok(office));
        assert_eq!(WorkingHours::parse(""), Ok(WorkingHours::always()));
        assert_eq!(WorkingHours::parse("08:00-18:00"), Err(HoursError));
        assert_eq!(WorkingHours::parse("x,-,-,-,-,-,-"), Err(HoursError));
    }

    #[test]
    fn hours_that_close_before_they_open_are_refused() {
        assert_eq!(WorkingHours::daily(600, 500), Err(HoursError));
        assert_eq!(WorkingHours::daily(0, 1441), Err(HoursError));
    }
}
