//! Booking a time: a full time is refused with the nearest open ones, the last place goes to one booking, a
//! time nobody could ever serve still reaches a person, and an escalated booking moved to an open time is
//! dispatched again.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

use super::testing::{FakeOrders, desk_at, run, someone};
use super::*;
use crate::accounts::Role;
use crate::catalog::questions::RawAnswers;
use crate::catalog::{Answers, CatalogItem, Category, ItemId, Questions};
use crate::dispatch::rules::tests::candidate;
use crate::dispatch::{Candidate, WorkingHours};
use crate::geo::{CommunityId, GeoPoint};

const HOME: CommunityId = CommunityId(1);

/// 2026-12-01 08:00 in Shanghai.
fn now() -> DateTime<Utc> {
    shanghai(1, 8, 0)
}

fn shanghai(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2026, 12, day, h, m, 0).unwrap().with_timezone(&Utc)
}

fn window(day: u32, h: u32) -> TimeWindow {
    TimeWindow::from_stored(shanghai(day, h, 0), shanghai(day, h + 1, 0))
}

fn cleaning() -> CatalogItem {
    CatalogItem::sample(15, "日常保洁", Category::Cleaning)
}

/// One organization with one team, working 09:00–17:00.
fn one_team() -> FakeOrders {
    let fake = FakeOrders::default();
    let provider = Candidate { capacity: 1, hours: WorkingHours::daily(9 * 60, 17 * 60).unwrap(), ..candidate(1) };
    fake.held().items.push(cleaning());
    fake.held().candidates.push(provider);
    fake
}

fn booking(resident: &crate::accounts::Actor, at: TimeWindow) -> NewOrder {
    NewOrder {
        resident: resident.account,
        placed_by: resident.account,
        item: ItemId(15),
        community: HOME,
        address: Address::parse("文安路12号").unwrap(),
        location: GeoPoint::parse(41.80, 123.40).unwrap(),
        schedule: Schedule::Window(at),
        notes: Notes::parse("").unwrap(),
        idempotency_key: None,
        accept_by: None,
        high_risk: false,
        answers: Answers::default(),
        asked: Questions::default(),
        slot: None,
        plan: None,
        preferred: None,
    }
}

fn place(fake: &FakeOrders, at: TimeWindow) -> Result<Placed, PlaceError> {
    let resident = someone(Role::Resident);
    run(desk_at(now(), fake).place(&resident, booking(&resident, at), &RawAnswers::new())).map(|(placed, _)| placed)
}

#[test]
fn the_last_place_at_a_time_goes_to_one_booking_and_the_next_is_offered_the_nearest_open_times() {
    let fake = one_team();
    assert!(matches!(place(&fake, window(2, 10)), Ok(Placed::New(_))));
    let Err(PlaceError::SlotFull { alternatives }) = place(&fake, window(2, 10)) else {
        panic!("the team's one place at 10:00 is taken");
    };
    let starts: Vec<_> = alternatives.iter().map(|s| s.window.start()).collect();
    // The first booking takes 10:00–11:00; every hour overlapping it is full, the hours either side are not.
    let expected = [(9, 0), (11, 0), (11, 30), (12, 0), (12, 30)].map(|(h, m)| shanghai(2, h, m));
    assert_eq!(starts, expected);
}

#[test]
fn a_time_nobody_could_ever_serve_goes_on_to_dispatch_and_so_to_a_person() {
    let fake = one_team();
    fake.held().candidates.clear();
    assert!(matches!(place(&fake, window(2, 10)), Ok(Placed::New(_))));
}

#[test]
fn a_time_outside_working_hours_is_refused_with_times_inside_them() {
    let fake = one_team();
    let Err(PlaceError::SlotFull { alternatives }) = place(&fake, window(2, 20)) else {
        panic!("nobody works at 20:00");
    };
    assert!(alternatives.iter().all(|s| s.window.start() >= shanghai(2, 9, 0)), "{alternatives:?}");
    assert_eq!(alternatives.last().map(|s| s.window.end()), Some(shanghai(2, 17, 0)));
}

#[test]
fn open_times_count_the_places_bookings_have_taken() {
    let fake = one_team();
    place(&fake, window(2, 10)).unwrap();
    let times = run(desk_at(now(), &fake).open_times(ItemId(15), HOME, date(2), 1)).unwrap();
    let starts: Vec<_> = times.slots.iter().map(|s| s.window.start()).collect();
    assert_eq!(times.minutes, 60);
    assert!(starts.contains(&shanghai(2, 9, 0)) && !starts.contains(&shanghai(2, 9, 30)));
    assert!(!starts.contains(&shanghai(2, 10, 30)) && starts.contains(&shanghai(2, 11, 0)));
    assert!(times.slots.iter().all(|s| s.free == 1));
}

#[test]
fn open_times_are_listed_for_one_to_fourteen_days_of_a_known_item() {
    let fake = one_team();
    let desk = desk_at(now(), &fake);
    let refused = run(desk.open_times(ItemId(15), HOME, date(2), 15)).unwrap_err();
    assert!(matches!(refused, SlotsError::Invalid(ref i) if i.field == "days"), "{refused:?}");
    let unknown = run(desk.open_times(ItemId(99), HOME, date(2), 1)).unwrap_err();
    assert!(matches!(unknown, SlotsError::UnknownItem));
    let week = run(desk.open_times(ItemId(15), HOME, date(2), 7)).unwrap();
    assert_eq!(week.slots.len(), 7 * 15, "09:00 to 16:00 on the half hour, every day");
}

#[test]
fn an_escalated_booking_offers_open_times_and_moving_it_to_one_dispatches_it_again() {
    let fake = one_team();
    let Ok(Placed::New(order)) = place(&fake, window(2, 10)) else { panic!("placed") };
    fake.held().orders.iter_mut().for_each(|o| o.state = OrderState::Escalated);
    let desk = desk_at(now(), &fake);
    let resident = crate::accounts::Actor { account: order.resident, ..someone(Role::Resident) };
    let detail = run(desk.view(&resident, order.id)).unwrap();
    assert_eq!(detail.alternatives.len(), ALTERNATIVES);
    let chosen = detail.alternatives[0].window;
    let moved = run(desk.reschedule(&resident, order.id, chosen)).unwrap();
    assert_eq!(moved.state, OrderState::Submitted);
    assert_eq!(moved.accept_by, Some(chosen.start()));
    assert_eq!(moved.schedule, Schedule::Window(chosen));
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
}
