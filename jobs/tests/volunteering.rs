//! The volunteering steps — closing ended shifts, keeping series a year ahead, the monthly Dedication Day notice
//! and shift reminders — called directly on a seeded SQLite store with clocks the test sets.

mod support;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use linli_domain::accounts::{AccountId, Actor, Role, Username};
use linli_domain::accounts::{Accounts, NewAccount};
use linli_domain::audit::AuditEntry;
use linli_domain::clock::FixedClock;
use linli_domain::geo::CommunityId;
use linli_domain::notifications::Inbox;
use linli_domain::volunteering::ShiftId;
use linli_domain::volunteering::booking::AttendanceError;
use linli_domain::volunteering::errors::{AttendanceFailure, EventError};
use linli_domain::volunteering::events::ShiftPlan;
use linli_domain::volunteering::model::{EventRecord, NewEvent, OccurrenceChange, ShiftChange, Witness};
use linli_domain::volunteering::ports::{Events, Registrations, ServiceHours, Signups};
use linli_domain::volunteering::recurrence::Recurrence;
use linli_domain::volunteering::registration::{Decision, Skills};
use linli_infra::store::Store;
use linli_jobs::Volunteering;

use support::{notifier, store};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Before everything these tests do: 27 November 2026.
fn setup_time() -> DateTime<Utc> {
    at(2026, 11, 27, 2, 0)
}

fn steps(store: &Store, now: DateTime<Utc>) -> Volunteering<Store, FixedClock> {
    Volunteering { store: store.clone(), clock: FixedClock(now) }
}

/// A Party member confirmed in 文安路社区 by its demo worker.
async fn member(store: &Store, name: &str) -> AccountId {
    let account = store
        .create_account(
            NewAccount {
                username: Username::parse(name).unwrap(),
                phone: None,
                display_name: name.to_owned(),
                password_hash: "not-used".into(),
                role: Role::PartyMember,
                provider: None,
                community: None,
                street: None,
                manager: false,
                demo: false,
            },
            None,
        )
        .await
        .unwrap();
    let reg = store.register(account, CommunityId(1), None, &Skills::default(), setup_time()).await.unwrap();
    let worker = store.account_by_login("worker").await.unwrap().unwrap().id;
    let worker = Actor {
        account: worker,
        role: Role::CommunityWorker,
        provider: None,
        community: Some(CommunityId(1)),
        street: None,
    };
    let audit = AuditEntry::new(&worker, setup_time(), "registration.confirmed", format!("registration:{}", reg.id.0));
    store.decide_registration(reg.id, Decision::Confirm, None, audit).await.unwrap();
    account
}

/// An event in 文安路社区 with one shift, 09:00 to 11:00 Shanghai time on each date.
async fn event(store: &Store, recurrence: Recurrence, first: NaiveDate, dedication_day: bool) -> EventRecord {
    let worker = store.account_by_login("worker").await.unwrap().unwrap().id;
    let plan =
        ShiftPlan::parse("清扫楼道", "09:00", "11:00", "文安路社区党群服务中心", 10, Skills::default(), true).unwrap();
    let new = NewEvent {
        community: CommunityId(1),
        title: "共产党员社区奉献日".into(),
        description: String::new(),
        recurrence,
        first_date: first,
        until: None,
        dedication_day,
        plan: vec![plan],
        created_by: worker,
    };
    store.create_event(new, setup_time()).await.unwrap()
}

fn first_shift(e: &EventRecord) -> ShiftId {
    e.occurrences[0].shifts[0].id
}

fn titled(messages: Vec<linli_domain::notifications::records::InboxRecord>, title: &str) -> Vec<String> {
    messages.into_iter().filter(|m| m.title == title).map(|m| m.body).collect()
}

#[tokio::test]
async fn members_hear_their_communitys_dedication_days_once_a_month_even_after_a_missed_first() {
    let store = store().await;
    let wang = member(&store, "wang-dy").await;
    event(&store, Recurrence::monthly_on_day(5).unwrap(), date(2026, 12, 5), true).await;
    // 1 December, 09:00 in Shanghai.
    let first = at(2026, 12, 1, 1, 0);
    assert_eq!(steps(&store, first).dedication_day_notice().await.unwrap(), 1);
    assert_eq!(steps(&store, first + TimeDelta::days(3)).dedication_day_notice().await.unwrap(), 0);
    let told = titled(store.inbox(wang, false, None, 10).await.unwrap(), "共产党员社区奉献日");
    assert_eq!(told.len(), 1);
    assert!(told[0].contains("2026年12月") && told[0].contains("12月05日"), "{told:?}");
    // Down over the first of January and February: back on 10 February, one notice, for February.
    let back = at(2027, 2, 10, 2, 0);
    assert_eq!(steps(&store, back).dedication_day_notice().await.unwrap(), 1);
    assert_eq!(steps(&store, back).dedication_day_notice().await.unwrap(), 0);
    let told = titled(store.inbox(wang, false, None, 10).await.unwrap(), "共产党员社区奉献日");
    assert_eq!(told.len(), 2);
    assert!(told.iter().any(|b| b.contains("02月05日")), "{told:?}");
}

#[tokio::test]
async fn a_shift_not_checked_out_is_closed_at_its_end_with_a_flag_and_a_no_show_is_counted() {
    let store = store().await;
    let (came, stayed_home) = (member(&store, "came").await, member(&store, "stayed-home").await);
    let e = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    let shift = first_shift(&e);
    let worker = store.account_by_login("worker").await.unwrap().unwrap().id;
    for m in [came, stayed_home] {
        store.sign_up(shift, m, setup_time()).await.unwrap();
    }
    // 09:10 Shanghai: checked in by the organizer; nobody checks out.
    store.check_in(shift, came, Witness::Organizer(worker), at(2026, 12, 5, 1, 10)).await.unwrap();
    assert_eq!(steps(&store, at(2026, 12, 5, 2, 59)).close_ended_shifts().await.unwrap(), 0, "still running");
    assert_eq!(steps(&store, at(2026, 12, 5, 3, 1)).close_ended_shifts().await.unwrap(), 1);
    assert_eq!(steps(&store, at(2026, 12, 5, 3, 2)).close_ended_shifts().await.unwrap(), 0, "closed once");

    let roster = store.roster(shift).await.unwrap().unwrap();
    let place = |who: AccountId| roster.confirmed.iter().find(|s| s.account == who).unwrap().clone();
    assert!(place(came).auto_closed);
    assert_eq!(place(came).minutes, 110);
    assert!(!place(came).no_show);
    assert!(place(stayed_home).no_show);
    assert_eq!(store.member_hours(came, 2026).await.unwrap().progress.minutes, 110);
    assert_eq!(store.member_hours(stayed_home, 2026).await.unwrap().no_shows, 1);
    let late = store.check_out(shift, came, Witness::Organizer(worker), at(2026, 12, 5, 3, 5)).await;
    assert!(late.is_err(), "a closed shift takes no more attendance");
}

#[tokio::test]
async fn a_shift_reminder_goes_out_a_day_before_to_those_still_holding_a_place() {
    let store = store().await;
    let (keeps, leaves) = (member(&store, "keeps").await, member(&store, "leaves").await);
    let e = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    let shift = first_shift(&e);
    for m in [keeps, leaves] {
        store.sign_up(shift, m, setup_time()).await.unwrap();
    }
    store.cancel_signup(shift, leaves, setup_time()).await.unwrap();
    // The shift starts at 01:00 UTC on the 5th; the reminder is due at 01:00 UTC on the 4th.
    assert_eq!(notifier(&store, at(2026, 12, 4, 0, 59)).send_due_reminders().await.unwrap(), 0);
    assert_eq!(notifier(&store, at(2026, 12, 4, 1, 0)).send_due_reminders().await.unwrap(), 1);
    assert_eq!(titled(store.inbox(keeps, false, None, 10).await.unwrap(), "班次提醒：明天有志愿服务").len(), 1);
    assert!(titled(store.inbox(leaves, false, None, 10).await.unwrap(), "班次提醒：明天有志愿服务").is_empty());
}

#[tokio::test]
async fn moving_a_date_moves_its_shifts_and_their_reminders_and_tells_everyone_on_them() {
    let store = store().await;
    let wang = member(&store, "wang-dy").await;
    let e = event(&store, Recurrence::monthly_on_day(5).unwrap(), date(2026, 12, 5), true).await;
    let shift = first_shift(&e);
    store.sign_up(shift, wang, setup_time()).await.unwrap();
    let change = OccurrenceChange { date: Some(date(2026, 12, 6)), ..Default::default() };
    let (_, moved) = store.change_occurrence(e.occurrences[0].id, change, setup_time()).await.unwrap();
    assert_eq!(moved.date, date(2026, 12, 6));
    assert_eq!(moved.shifts[0].window.start(), at(2026, 12, 6, 1, 0));
    assert_eq!(e.occurrences[1].date, date(2027, 1, 5), "the other dates stay");
    assert_eq!(titled(store.inbox(wang, false, None, 10).await.unwrap(), "活动改期").len(), 1);
    assert_eq!(notifier(&store, at(2026, 12, 4, 1, 0)).send_due_reminders().await.unwrap(), 0);
    assert_eq!(notifier(&store, at(2026, 12, 5, 1, 0)).send_due_reminders().await.unwrap(), 1);
}

#[tokio::test]
async fn a_called_off_date_sends_no_reminder() {
    let store = store().await;
    let wang = member(&store, "wang-dy").await;
    let e = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    store.sign_up(first_shift(&e), wang, setup_time()).await.unwrap();
    let change = OccurrenceChange { cancelled: Some(true), ..Default::default() };
    store.change_occurrence(e.occurrences[0].id, change, setup_time()).await.unwrap();
    assert_eq!(notifier(&store, at(2026, 12, 4, 1, 0)).send_due_reminders().await.unwrap(), 0);
    assert_eq!(titled(store.inbox(wang, false, None, 10).await.unwrap(), "活动取消").len(), 1);
    assert_eq!(steps(&store, at(2026, 12, 5, 4, 0)).close_ended_shifts().await.unwrap(), 1);
    assert_eq!(store.member_hours(wang, 2026).await.unwrap().no_shows, 0, "nobody was expected on a called-off date");
}

#[tokio::test]
async fn checking_out_with_the_code_credits_only_the_time_inside_the_shift() {
    let store = store().await;
    let wang = member(&store, "wang-dy").await;
    let e = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    let shift = first_shift(&e);
    store.sign_up(shift, wang, setup_time()).await.unwrap();
    let code = store.roster(shift).await.unwrap().unwrap().check_code;
    // In at 08:30 Shanghai (before the 09:00 start), out at 11:45 (after the 11:00 end): two hours count.
    store.check_in(shift, wang, Witness::Code(&code), at(2026, 12, 5, 0, 30)).await.unwrap();
    let early = store.check_out(shift, wang, Witness::Code(&code), at(2026, 12, 5, 0, 50)).await;
    assert!(early.is_err(), "checking out before the start is refused");
    let out = store.check_out(shift, wang, Witness::Code(&code), at(2026, 12, 5, 3, 45)).await.unwrap();
    assert_eq!(out.minutes, 120);
    let again = store.check_out(shift, wang, Witness::Code(&code), at(2026, 12, 5, 3, 50)).await.unwrap();
    assert_eq!(again.checked_out_at, out.checked_out_at, "the first check-out stands");
    let hours = store.member_hours(wang, 2026).await.unwrap();
    assert_eq!((hours.progress.minutes, hours.shifts_attended, hours.months.clone()), (120, 1, vec![(12, 120)]));
}

#[tokio::test]
async fn a_date_is_not_moved_onto_another_shift_someone_on_it_holds() {
    let store = store().await;
    let wang = member(&store, "wang-dy").await;
    let monthly = event(&store, Recurrence::monthly_on_day(5).unwrap(), date(2026, 12, 5), true).await;
    let one_off = event(&store, Recurrence::Once, date(2026, 12, 6), false).await;
    store.sign_up(first_shift(&monthly), wang, setup_time()).await.unwrap();
    store.sign_up(first_shift(&one_off), wang, setup_time()).await.unwrap();
    let onto_the_other = OccurrenceChange { date: Some(date(2026, 12, 6)), ..Default::default() };
    let refused = store.change_occurrence(monthly.occurrences[0].id, onto_the_other, setup_time()).await;
    assert!(matches!(refused, Err(EventError::HolderBusy)), "{refused:?}");
    let into_the_past = OccurrenceChange { date: Some(date(2026, 11, 26)), ..Default::default() };
    let refused = store.change_occurrence(monthly.occurrences[0].id, into_the_past, setup_time()).await;
    assert!(matches!(refused, Err(EventError::PastDate)), "{refused:?}");
}

#[tokio::test]
async fn a_monthly_series_is_kept_a_year_ahead_and_extending_twice_adds_nothing() {
    let store = store().await;
    let e = event(&store, Recurrence::monthly_on_day(5).unwrap(), date(2026, 12, 5), true).await;
    assert_eq!(e.occurrences.len(), 12, "December 2026 through November 2027");
    let later = at(2027, 2, 1, 2, 0);
    assert_eq!(steps(&store, later).extend_series().await.unwrap(), 2, "December 2027 and January 2028");
    assert_eq!(steps(&store, later).extend_series().await.unwrap(), 0);
    let e = store.event(e.id).await.unwrap().unwrap();
    assert_eq!(e.occurrences.last().unwrap().date, date(2028, 1, 5));
    assert_eq!(e.occurrences.last().unwrap().shifts.len(), 1);
}

#[tokio::test]
async fn after_five_wrong_codes_only_the_organizer_can_check_that_person_in() {
    let store = store().await;
    let wang = member(&store, "wang-dy").await;
    let e = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    let shift = first_shift(&e);
    store.sign_up(shift, wang, setup_time()).await.unwrap();
    let code = store.roster(shift).await.unwrap().unwrap().check_code;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let during = at(2026, 12, 5, 1, 5);
    for _ in 0..5 {
        let r = store.check_in(shift, wang, Witness::Code(wrong), during).await;
        assert!(matches!(r, Err(AttendanceFailure::Rule(AttendanceError::WrongCode))), "{r:?}");
    }
    let locked = store.check_in(shift, wang, Witness::Code(&code), during).await;
    assert!(matches!(locked, Err(AttendanceFailure::Rule(AttendanceError::TooManyWrongCodes))), "{locked:?}");
    let worker = store.account_by_login("worker").await.unwrap().unwrap().id;
    let by_organizer = store.check_in(shift, wang, Witness::Organizer(worker), during).await.unwrap();
    assert!(by_organizer.checked_in_at.is_some());
}

#[tokio::test]
async fn taking_a_called_off_date_back_moves_the_wait_list_up_and_refuses_new_clashes() {
    let store = store().await;
    let (first, second, third) =
        (member(&store, "first").await, member(&store, "second").await, member(&store, "third").await);
    let e = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    let shift = first_shift(&e);
    let one_place = ShiftChange { capacity: Some(1), ..Default::default() };
    store.change_shift(shift, one_place, setup_time()).await.unwrap();
    for m in [first, second, third] {
        store.sign_up(shift, m, setup_time()).await.unwrap();
    }
    let off = OccurrenceChange { cancelled: Some(true), ..Default::default() };
    store.change_occurrence(e.occurrences[0].id, off, setup_time()).await.unwrap();
    store.cancel_signup(shift, first, setup_time()).await.unwrap();
    assert!(store.roster(shift).await.unwrap().unwrap().confirmed.is_empty(), "nobody moves up onto a called-off date");
    // While the date is off, the third holds another shift at the same time.
    let clash = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    store.sign_up(first_shift(&clash), third, setup_time()).await.unwrap();
    let back = OccurrenceChange { cancelled: Some(false), ..Default::default() };
    let refused = store.change_occurrence(e.occurrences[0].id, back.clone(), setup_time()).await;
    assert!(matches!(refused, Err(EventError::HolderBusy)), "{refused:?}");
    store.cancel_signup(first_shift(&clash), third, setup_time()).await.unwrap();
    store.change_occurrence(e.occurrences[0].id, back, setup_time()).await.unwrap();
    let roster = store.roster(shift).await.unwrap().unwrap();
    assert_eq!(roster.confirmed.iter().map(|s| s.account).collect::<Vec<_>>(), [second]);
    assert_eq!(titled(store.inbox(second, false, None, 10).await.unwrap(), "候补转正").len(), 1);
}

#[tokio::test]
async fn a_date_moved_away_and_back_still_gets_its_reminder_and_a_new_place_is_told() {
    let store = store().await;
    let wang = member(&store, "wang-dy").await;
    let e = event(&store, Recurrence::Once, date(2026, 12, 5), false).await;
    let (occurrence, shift) = (e.occurrences[0].id, first_shift(&e));
    store.sign_up(shift, wang, setup_time()).await.unwrap();
    for day in [6, 5] {
        let change = OccurrenceChange { date: Some(date(2026, 12, day)), ..Default::default() };
        store.change_occurrence(occurrence, change, setup_time()).await.unwrap();
    }
    assert_eq!(titled(store.inbox(wang, false, None, 10).await.unwrap(), "活动改期").len(), 2, "each move is told");
    let elsewhere = ShiftChange { place: Some("社区广场".into()), ..Default::default() };
    store.change_shift(shift, elsewhere, setup_time()).await.unwrap();
    assert_eq!(titled(store.inbox(wang, false, None, 10).await.unwrap(), "地点变更").len(), 1);
    assert_eq!(notifier(&store, at(2026, 12, 4, 1, 0)).send_due_reminders().await.unwrap(), 1);
    let reminded = titled(store.inbox(wang, false, None, 10).await.unwrap(), "班次提醒：明天有志愿服务");
    assert!(reminded[0].contains("社区广场"), "{reminded:?}");
}
