//! The rules of a shift's places: never more confirmed than its capacity, a wait-list in arrival order that moves
//! up when a place frees, no two overlapping shifts held by one person, and what an attended shift is worth in
//! service hours. The store applies these inside one transaction per shift, so they hold however many people
//! sign up at once.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::ShiftId;
use crate::time::TimeWindow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignupState {
    /// Holds a place.
    Confirmed,
    /// 候补: waits for a place, in arrival order.
    WaitListed,
    Cancelled,
}

impl SignupState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "confirmed",
            Self::WaitListed => "wait_listed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Confirmed, Self::WaitListed, Self::Cancelled].into_iter().find(|s| s.as_str() == raw)
    }
}

/// What the booking rules need to know of a shift at the moment someone signs up.
#[derive(Clone, Debug)]
pub struct ShiftFacts {
    pub window: TimeWindow,
    pub capacity: u32,
    /// Only registered Party members may sign up; otherwise anyone with an account may.
    pub members_only: bool,
    /// Its occurrence was called off.
    pub cancelled: bool,
    /// Confirmed places taken now.
    pub confirmed: u32,
}

/// Why someone cannot sign up for a shift.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignupRefusal {
    #[error("this shift is for registered Party members")]
    MembersOnly,
    #[error("the shift has started or is over")]
    Started,
    #[error("this date of the event was called off")]
    CalledOff,
    #[error("you already hold a shift at that time")]
    Overlaps(ShiftId),
}

/// Where a new sign-up goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    Confirmed,
    WaitListed,
}

/// Decides a new sign-up. `held` are the windows of the other shifts the person holds a place or a wait-list
/// place on: holding both ends of an overlap would leave one of them short on the day.
pub fn place(
    shift: &ShiftFacts,
    is_member: bool,
    held: &[(ShiftId, TimeWindow)],
    now: DateTime<Utc>,
) -> Result<Placement, SignupRefusal> {
    if shift.cancelled {
        return Err(SignupRefusal::CalledOff);
    }
    if now >= shift.window.start() {
        return Err(SignupRefusal::Started);
    }
    if shift.members_only && !is_member {
        return Err(SignupRefusal::MembersOnly);
    }
    if let Some((other, _)) = held.iter().find(|(_, w)| w.overlaps(&shift.window)) {
        return Err(SignupRefusal::Overlaps(*other));
    }
    Ok(if shift.confirmed < shift.capacity { Placement::Confirmed } else { Placement::WaitListed })
}

/// How many of the wait-list move up now: as many as there are free places, never more than are waiting. A
/// capacity lowered below the confirmed count frees nothing and bumps nobody.
pub fn promotions(capacity: u32, confirmed: u32, waiting: usize) -> usize {
    (capacity.saturating_sub(confirmed) as usize).min(waiting)
}

/// Who moves up: the first `n` to arrive among `waiting`, each given with its number in the order of arrival.
pub fn next_in_line<T: Copy>(waiting: &[(T, i64)], capacity: u32, confirmed: u32) -> Vec<T> {
    let mut line: Vec<(T, i64)> = waiting.to_vec();
    line.sort_by_key(|(_, arrival)| *arrival);
    line.into_iter().take(promotions(capacity, confirmed, waiting.len())).map(|(who, _)| who).collect()
}

/// Cancelling a confirmed place less than this before the start is recorded as late: the organizer has little
/// time to fill it.
pub const LATE_CANCEL_NOTICE: TimeDelta = TimeDelta::hours(24);

pub fn is_late_cancel(state: SignupState, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    state == SignupState::Confirmed && start - now < LATE_CANCEL_NOTICE
}

/// Wrong codes one person may try on a shift before only the organizer can record their attendance: six
/// digits are a million codes, and this keeps guessing hopeless.
pub const MAX_CODE_FAILURES: i32 = 5;

/// Check-in opens this long before the start.
pub const CHECK_IN_OPENS: TimeDelta = TimeDelta::hours(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error("check-in opens an hour before the shift starts")]
    TooEarly,
    #[error("the shift is over and closed")]
    Closed,
    #[error("only a confirmed place can be checked in")]
    NotConfirmed,
    #[error("check in before checking out")]
    NotCheckedIn,
    #[error("check out once the shift has started; time before it does not count")]
    NotStarted,
    #[error("this date of the event was called off")]
    CalledOff,
    #[error("the check-in code is wrong")]
    WrongCode,
    #[error("too many wrong codes: ask the organizer to check you in or out")]
    TooManyWrongCodes,
}

/// Whether a confirmed person may check in now.
pub fn may_check_in(window: &TimeWindow, closed: bool, now: DateTime<Utc>) -> Result<(), AttendanceError> {
    if closed {
        return Err(AttendanceError::Closed);
    }
    if now < window.start() - CHECK_IN_OPENS {
        return Err(AttendanceError::TooEarly);
    }
    Ok(())
}

/// The minutes an attendance earns: the time between check-in and check-out that lies inside the shift. Coming
/// early or staying late is welcome but earns nothing extra, so hours compare fairly across members.
pub fn credited_minutes(window: &TimeWindow, checked_in: DateTime<Utc>, checked_out: DateTime<Utc>) -> u32 {
    let from = checked_in.max(window.start());
    let to = checked_out.min(window.end());
    u32::try_from((to - from).num_minutes()).unwrap_or(0)
}

/// How a shift's places end up once the shift is over: a confirmed person who never checked in is a no-show;
/// one who checked in but not out is checked out at the shift's end, flagged so the organizer can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closing {
    /// Checked out: nothing to do.
    Attended,
    /// Checked out at the shift's end by the closing job.
    ClosedAtEnd {
        minutes: u32,
    },
    NoShow,
}

pub fn closing(window: &TimeWindow, checked_in: Option<DateTime<Utc>>, checked_out: Option<DateTime<Utc>>) -> Closing {
    match (checked_in, checked_out) {
        (Some(_), Some(_)) => Closing::Attended,
        (Some(inn), None) => Closing::ClosedAtEnd { minutes: credited_minutes(window, inn, window.end()) },
        (None, _) => Closing::NoShow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 5, h, m, 0).unwrap()
    }

    fn window(from: u32, to: u32) -> TimeWindow {
        TimeWindow::from_stored(at(from, 0), at(to, 0))
    }

    fn shift(capacity: u32, confirmed: u32) -> ShiftFacts {
        ShiftFacts { window: window(9, 11), capacity, members_only: true, cancelled: false, confirmed }
    }

    fn before() -> DateTime<Utc> {
        at(1, 0)
    }

    #[test]
    fn a_shift_with_room_confirms_and_a_full_one_wait_lists() {
        assert_eq!(place(&shift(10, 9), true, &[], before()), Ok(Placement::Confirmed));
        assert_eq!(place(&shift(10, 10), true, &[], before()), Ok(Placement::WaitListed));
        assert_eq!(place(&shift(10, 12), true, &[], before()), Ok(Placement::WaitListed));
    }

    #[test]
    fn a_member_cannot_hold_two_overlapping_shifts_but_back_to_back_is_fine() {
        let other = ShiftId(Uuid::now_v7());
        let overlapping = [(other, window(10, 12))];
        assert_eq!(place(&shift(10, 0), true, &overlapping, before()), Err(SignupRefusal::Overlaps(other)));
        let back_to_back = [(other, window(11, 13))];
        assert_eq!(place(&shift(10, 0), true, &back_to_back, before()), Ok(Placement::Confirmed));
    }

    #[test]
    fn a_members_only_shift_refuses_others_and_an_open_one_takes_them() {
        assert_eq!(place(&shift(10, 0), false, &[], before()), Err(SignupRefusal::MembersOnly));
        let open = ShiftFacts { members_only: false, ..shift(10, 0) };
        assert_eq!(place(&open, false, &[], before()), Ok(Placement::Confirmed));
    }

    #[test]
    fn a_started_or_called_off_shift_takes_nobody() {
        assert_eq!(place(&shift(10, 0), true, &[], at(9, 0)), Err(SignupRefusal::Started));
        let off = ShiftFacts { cancelled: true, ..shift(10, 0) };
        assert_eq!(place(&off, true, &[], before()), Err(SignupRefusal::CalledOff));
    }

    #[test]
    fn promotions_fill_free_places_from_the_wait_list_and_never_bump_anyone() {
        assert_eq!(promotions(10, 5, 90), 5);
        assert_eq!(promotions(10, 8, 1), 1);
        assert_eq!(promotions(10, 10, 90), 0);
        assert_eq!(promotions(5, 8, 90), 0, "a lowered capacity frees nothing");
    }

    #[test]
    fn the_wait_list_moves_up_in_order_of_arrival_whatever_order_it_is_read_in() {
        let waiting = [("third", 12), ("first", 3), ("second", 7), ("fourth", 20)];
        assert_eq!(next_in_line(&waiting, 10, 8), ["first", "second"]);
        assert_eq!(next_in_line(&waiting, 10, 10), Vec::<&str>::new());
        assert_eq!(next_in_line(&waiting, 100, 0), ["first", "second", "third", "fourth"]);
    }

    #[test]
    fn cancelling_a_confirmed_place_within_a_day_of_the_start_is_late() {
        let start = at(9, 0);
        assert!(is_late_cancel(SignupState::Confirmed, start, start - TimeDelta::hours(23)));
        assert!(!is_late_cancel(SignupState::Confirmed, start, start - TimeDelta::hours(25)));
        assert!(!is_late_cancel(SignupState::WaitListed, start, start - TimeDelta::hours(1)));
    }

    #[test]
    fn check_in_opens_an_hour_before_and_ends_when_the_shift_is_closed() {
        let w = window(9, 11);
        assert_eq!(may_check_in(&w, false, at(7, 59)), Err(AttendanceError::TooEarly));
        assert_eq!(may_check_in(&w, false, at(8, 0)), Ok(()));
        assert_eq!(may_check_in(&w, true, at(10, 0)), Err(AttendanceError::Closed));
    }

    #[test]
    fn only_time_inside_the_shift_is_credited() {
        let w = window(9, 11);
        assert_eq!(credited_minutes(&w, at(8, 30), at(11, 45)), 120);
        assert_eq!(credited_minutes(&w, at(9, 15), at(10, 0)), 45);
        assert_eq!(credited_minutes(&w, at(11, 30), at(12, 0)), 0);
    }

    #[test]
    fn closing_checks_out_at_the_end_and_counts_a_no_show() {
        let w = window(9, 11);
        assert_eq!(closing(&w, Some(at(9, 30)), None), Closing::ClosedAtEnd { minutes: 90 });
        assert_eq!(closing(&w, None, None), Closing::NoShow);
        assert_eq!(closing(&w, Some(at(9, 0)), Some(at(10, 0))), Closing::Attended);
    }

    proptest! {
        #[test]
        fn signing_up_in_any_order_never_confirms_more_than_the_capacity(capacity in 1..50u32, people in 0..200u32) {
            let mut facts = shift(capacity, 0);
            let mut waiting = 0u32;
            for _ in 0..people {
                match place(&facts, true, &[], before()).unwrap() {
                    Placement::Confirmed => facts.confirmed += 1,
                    Placement::WaitListed => waiting += 1,
                }
            }
            prop_assert_eq!(facts.confirmed, people.min(capacity));
            prop_assert_eq!(waiting, people.saturating_sub(capacity));
        }

        #[test]
        fn overlap_is_symmetric(a in 0..20u32, al in 1..5u32, b in 0..20u32, bl in 1..5u32) {
            let x = window(a, a + al);
            let y = window(b, b + bl);
            prop_assert_eq!(x.overlaps(&y), y.overlaps(&x));
        }
    }
}
