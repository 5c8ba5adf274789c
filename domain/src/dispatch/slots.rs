//! Open times (可预约时段): when an item can actually be served in a community. Each candidate time is put to
//! the eligibility rules dispatch itself uses ([`room`]), provider by provider and at every scope dispatch
//! would widen to, so a time shown open is one dispatch can fill; bookings nobody holds yet take their share.

use chrono::{DateTime, Duration, DurationRound, Utc};

use super::candidate::{Candidate, Request};
use super::rules::{Ineligible, room};
use super::travel::TravelModel;
use crate::providers::ProviderId;
use crate::time::TimeWindow;

/// How open times are laid out: where they may start, and how far ahead of now the first may be.
#[derive(Clone, Debug, PartialEq)]
pub struct SlotRules {
    /// Times start on multiples of this (UTC+8 is a whole number of hours, so local half hours too).
    pub step: Duration,
    /// The least time between booking and the service, so that someone can plan the visit.
    pub notice: Duration,
}

impl Default for SlotRules {
    fn default() -> Self {
        Self { step: Duration::minutes(30), notice: Duration::hours(2) }
    }
}

/// An open time and how many more bookings it can take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slot {
    pub window: TimeWindow,
    pub free: u32,
}

/// How many more jobs the providers could take at the request's window: the room of every provider eligible
/// at the request's scope or a wider one (the scopes dispatch widens to), except those in `excluded`.
pub fn room_at(request: &Request, candidates: &[Candidate], excluded: &[ProviderId], travel: &TravelModel) -> u32 {
    candidates.iter().filter(|c| !excluded.contains(&c.id)).filter_map(|c| widest_room(request, c, travel)).sum()
}

fn widest_room(request: &Request, candidate: &Candidate, travel: &TravelModel) -> Option<u32> {
    let mut scope = Some(request.scope);
    while let Some(at) = scope {
        match room(&Request { scope: at, ..request.clone() }, candidate, travel) {
            Ok((_, free)) => return Some(free),
            Err(Ineligible::OutOfArea) => scope = at.widen(),
            Err(_) => return None,
        }
    }
    None
}

/// What the open times are computed from: the request (its window is replaced by each candidate time), the
/// length of the service, the providers offering the item, the windows of the bookings of the item in the
/// community that no provider holds yet, and the providers to leave out.
pub struct SlotSearch<'a> {
    pub request: &'a Request,
    pub length: Duration,
    pub candidates: &'a [Candidate],
    pub pending: &'a [TimeWindow],
    pub excluded: &'a [ProviderId],
}

impl SlotSearch<'_> {
    /// The providers' room at `window`, before the pending bookings take theirs.
    pub fn room(&self, window: TimeWindow, travel: &TravelModel) -> u32 {
        room_at(&Request { window, ..self.request.clone() }, self.candidates, self.excluded, travel)
    }

    /// The room left at `window` once the pending bookings overlapping it have taken theirs.
    pub fn free_at(&self, window: TimeWindow, travel: &TravelModel) -> u32 {
        let taken = self.pending.iter().filter(|p| p.overlaps(&window)).count() as u32;
        self.room(window, travel).saturating_sub(taken)
    }

    /// The open times starting in `[from, until)`, earliest first, none sooner than the notice allows.
    pub fn open_slots(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        travel: &TravelModel,
        rules: &SlotRules,
    ) -> Vec<Slot> {
        let earliest = from.max(self.request.now + rules.notice);
        let step = rules.step.max(Duration::minutes(5));
        let Ok(floor) = earliest.duration_trunc(step) else {
            return Vec::new();
        };
        let mut start = if floor < earliest { floor + step } else { floor };
        let mut slots = Vec::new();
        while start < until {
            let window = TimeWindow::from_stored(start, start + self.length);
            let free = self.free_at(window, travel);
            if free > 0 {
                slots.push(Slot { window, free });
            }
            start += step;
        }
        slots
    }

    /// Up to `n` open times nearest to `wanted`'s start (the earlier first on a tie), in time order: what a
    /// resident is offered instead of a full time. They are looked for from three days before to four after.
    pub fn alternatives(&self, wanted: &TimeWindow, n: usize, travel: &TravelModel, rules: &SlotRules) -> Vec<Slot> {
        let at = wanted.start();
        let search = SlotSearch { length: wanted.end() - wanted.start(), ..*self };
        let mut open = search.open_slots(at - Duration::days(3), at + Duration::days(4), travel, rules);
        open.sort_by_key(|s| ((s.window.start() - at).abs(), s.window.start()));
        open.truncate(n);
        open.sort_by_key(|s| s.window.start());
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::WorkingHours;
    use crate::dispatch::rules::tests::{candidate, now, request};
    use crate::geo::GeoPoint;
    use chrono::{FixedOffset, TimeZone};

    /// A Shanghai wall-clock time on 2026-11-`day`.
    fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap().with_timezone(&Utc)
    }

    fn starts(slots: &[Slot]) -> Vec<DateTime<Utc>> {
        slots.iter().map(|s| s.window.start()).collect()
    }

    fn open(
        candidates: &[Candidate],
        pending: &[TimeWindow],
        length: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Slot> {
        let request = request();
        let search =
            SlotSearch { request: &request, length: Duration::minutes(length), candidates, pending, excluded: &[] };
        search.open_slots(from, to, &TravelModel::default(), &SlotRules::default())
    }

    fn office(open: u16, close: u16) -> Candidate {
        Candidate { hours: WorkingHours::daily(open, close).unwrap(), capacity: 1, ..candidate(1) }
    }

    #[test]
    fn open_times_follow_working_hours_and_the_service_must_end_before_closing() {
        // 09:00–12:00, an hour's service: 09:00 to 11:00 on the half hour, and nothing the day before 09:00.
        let slots = open(&[office(9 * 60, 12 * 60)], &[], 60, at(28, 0, 0), at(29, 0, 0));
        assert_eq!(starts(&slots), vec![at(28, 9, 0), at(28, 9, 30), at(28, 10, 0), at(28, 10, 30), at(28, 11, 0)]);
    }

    #[test]
    fn a_service_can_run_across_midnight_only_with_both_days_open() {
        let always = Candidate { capacity: 1, ..candidate(1) };
        let late = open(&[always], &[], 120, at(28, 23, 0), at(29, 0, 0));
        assert_eq!(starts(&late), vec![at(28, 23, 0), at(28, 23, 30)]);
        let evenings = office(18 * 60, 1440);
        assert!(open(&[evenings], &[], 120, at(28, 23, 0), at(29, 0, 0)).is_empty());
    }

    #[test]
    fn closed_weekdays_have_no_open_times() {
        // 2026-11-28 is a Saturday and 29 a Sunday.
        let weekdays = Candidate {
            hours: WorkingHours::weekly([
                Some((540, 1020)),
                Some((540, 1020)),
                Some((540, 1020)),
                Some((540, 1020)),
                Some((540, 1020)),
                None,
                None,
            ])
            .unwrap(),
            ..office(0, 1440)
        };
        assert!(open(std::slice::from_ref(&weekdays), &[], 60, at(28, 0, 0), at(30, 0, 0)).is_empty());
        assert_eq!(open(&[weekdays], &[], 60, at(30, 0, 0), at(30, 23, 0))[0].window.start(), at(30, 9, 0));
    }

    #[test]
    fn capacity_adds_up_across_providers_and_pending_bookings_take_their_share() {
        let two = [office(9 * 60, 10 * 60), Candidate { id: candidate(2).id, capacity: 2, ..office(9 * 60, 10 * 60) }];
        let slot = TimeWindow::from_stored(at(28, 9, 0), at(28, 10, 0));
        assert_eq!(open(&two, &[], 60, at(28, 0, 0), at(29, 0, 0)), vec![Slot { window: slot, free: 3 }]);
        assert_eq!(open(&two, &[slot, slot], 60, at(28, 0, 0), at(29, 0, 0))[0].free, 1);
        assert!(open(&two, &[slot, slot, slot], 60, at(28, 0, 0), at(29, 0, 0)).is_empty());
    }

    #[test]
    fn a_held_job_blocks_the_times_it_overlaps_with_the_travel_on_either_side() {
        // One job 10:00–11:00; the provider is about 7 minutes away, so 11:00 is too soon and 09:00 ends too late.
        let busy =
            Candidate { jobs: vec![TimeWindow::from_stored(at(28, 10, 0), at(28, 11, 0))], ..office(9 * 60, 13 * 60) };
        let slots = open(&[busy], &[], 60, at(28, 0, 0), at(29, 0, 0));
        assert_eq!(starts(&slots), vec![at(28, 11, 30), at(28, 12, 0)]);
    }

    #[test]
    fn a_service_longer_than_the_free_gap_between_jobs_does_not_fit_in_it() {
        let jobs = vec![
            TimeWindow::from_stored(at(28, 9, 0), at(28, 10, 0)),
            TimeWindow::from_stored(at(28, 11, 30), at(28, 12, 0)),
        ];
        let provider = Candidate { jobs, ..office(9 * 60, 12 * 60) };
        // 10:00–11:30 is free, but not for 90 minutes once the travel to and from it is allowed for.
        assert!(open(std::slice::from_ref(&provider), &[], 90, at(28, 0, 0), at(29, 0, 0)).is_empty());
        assert_eq!(starts(&open(&[provider], &[], 30, at(28, 0, 0), at(29, 0, 0))), vec![at(28, 10, 30)]);
    }

    #[test]
    fn nothing_opens_sooner_than_the_minimum_notice() {
        // now() is 10:00 on the 27th; two hours' notice makes 12:00 the first time.
        let slots = open(&[Candidate { capacity: 1, ..candidate(1) }], &[], 60, now(), at(27, 14, 0));
        assert_eq!(starts(&slots), vec![at(27, 12, 0), at(27, 12, 30), at(27, 13, 0), at(27, 13, 30)]);
    }

    #[test]
    fn a_provider_outside_every_scope_adds_no_room() {
        let far = Candidate {
            communities: vec![],
            streets: vec![],
            districts: vec![],
            location: GeoPoint::parse(41.95, 123.40).unwrap(),
            ..office(0, 1440)
        };
        assert!(open(&[far], &[], 60, at(28, 0, 0), at(29, 0, 0)).is_empty());
    }

    #[test]
    fn the_alternatives_are_the_open_times_nearest_the_wanted_one() {
        let provider =
            Candidate { jobs: vec![TimeWindow::from_stored(at(28, 9, 0), at(28, 12, 0))], ..office(8 * 60, 14 * 60) };
        let request = request();
        let search = SlotSearch {
            request: &request,
            length: Duration::minutes(60),
            candidates: &[provider],
            pending: &[],
            excluded: &[],
        };
        let wanted = TimeWindow::from_stored(at(28, 10, 0), at(28, 11, 0));
        let t = TravelModel::default();
        assert_eq!(search.free_at(wanted, &t), 0);
        let near = search.alternatives(&wanted, 2, &t, &SlotRules::default());
        // Nothing before the job leaves time to travel on to it; the first times after it are the nearest.
        assert_eq!(starts(&near), vec![at(28, 12, 30), at(28, 13, 0)]);
    }
}
