//! Who may change how a provider takes orders, and what a change keeps: each test runs one use case against
//! the in-memory fakes with a fixed clock.

use chrono::{NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::accounts::testing::FakeDirectory;
use crate::accounts::{AccountId, Actor, Role};
use crate::clock::FixedClock;
use crate::dispatch::WorkingHours;
use crate::error::DeskError;
use crate::providers::testing::{KITCHEN, run, staff};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The desk on 8 December 2026, with the kitchen taking orders and one member of staff of each kind.
fn desk() -> (ProviderDesk<FakeDirectory, FixedClock>, FakeDirectory) {
    let fake = FakeDirectory::default();
    fake.held().availabilities.push(Availability {
        provider: KITCHEN,
        kind: ProviderKind::Organization,
        name: "和平区邻里厨房".into(),
        hours: WorkingHours::always(),
        capacity: 5,
        closed: Vec::new(),
        paused_since: None,
    });
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 12, 8, 2, 0, 0).unwrap());
    (ProviderDesk::new(fake.clone(), clock), fake)
}

#[test]
fn a_manager_pauses_new_offers_and_resumes_them_each_audited() {
    let (desk, fake) = desk();
    let manager = staff(&fake, true);
    let paused = run(desk.pause(&manager, KITCHEN, true)).unwrap();
    assert!(paused.paused_since.is_some());
    let again = run(desk.pause(&manager, KITCHEN, true)).unwrap();
    assert_eq!(again.paused_since, paused.paused_since, "pausing a paused provider changes nothing");
    assert!(run(desk.pause(&manager, KITCHEN, false)).unwrap().paused_since.is_none());
    let actions: Vec<&str> = fake.held().audits.iter().map(|a| a.action).collect();
    assert_eq!(actions, ["provider.paused", "provider.resumed"]);
}

#[test]
fn only_the_providers_managers_and_admins_change_it_and_its_staff_see_it() {
    let (desk, fake) = desk();
    let colleague = staff(&fake, false);
    assert_eq!(run(desk.availability(&colleague, KITCHEN)).unwrap().capacity, 5);
    assert!(matches!(run(desk.pause(&colleague, KITCHEN, true)), Err(DeskError::Denied(_))));
    let elsewhere = Actor { provider: Some(ProviderId(Uuid::now_v7())), ..staff(&fake, true) };
    assert!(matches!(run(desk.pause(&elsewhere, KITCHEN, true)), Err(DeskError::NotFound(_))));
    assert!(matches!(run(desk.availability(&elsewhere, KITCHEN)), Err(DeskError::NotFound(_))));
    let admin =
        Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None };
    assert!(run(desk.pause(&admin, KITCHEN, true)).is_ok());
}

#[test]
fn a_change_keeps_future_closed_dates_in_order_and_names_a_bad_value() {
    let (desk, fake) = desk();
    let manager = staff(&fake, true);
    let change = AvailabilityInput {
        working_hours: Some("08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,-,-".into()),
        capacity: Some(3),
        closed_dates: Some(vec![day(12, 31), day(12, 1), day(12, 24), day(12, 31)]),
    };
    let changed = run(desk.change(&manager, KITCHEN, change)).unwrap();
    assert_eq!((changed.capacity, changed.closed), (3, vec![day(12, 24), day(12, 31)]), "past dates dropped");
    let field = |input: AvailabilityInput| match run(desk.change(&manager, KITCHEN, input)) {
        Err(DeskError::Invalid(e)) => e.field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(AvailabilityInput { capacity: Some(0), ..Default::default() }), "capacity");
    assert_eq!(field(AvailabilityInput { working_hours: Some("9-5".into()), ..Default::default() }), "working_hours");
    let far = AvailabilityInput {
        closed_dates: Some(vec![day(12, 24), NaiveDate::from_ymd_opt(2028, 1, 1).unwrap()]),
        ..Default::default()
    };
    assert_eq!(field(far), "closed_dates[1]");
}
