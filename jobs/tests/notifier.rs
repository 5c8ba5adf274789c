//! The notification steps, called directly on a seeded SQLite store with a clock the test sets.

use chrono::{DateTime, TimeZone, Utc};
use linli_domain::accounts::AccountId;
use linli_domain::accounts::Accounts;
use linli_domain::catalog::ItemId;
use linli_domain::dispatch::Scope;
use linli_domain::geo::{CommunityId, GeoPoint};
use linli_domain::notifications::{DeliveryLog, Inbox};
use linli_domain::orders::{
    Address, NewOrder, Notes, OrderAction, OrderId, OrderState, Orders, Schedule, TimeWindow, Transition,
    TransitionEffect,
};
use linli_domain::providers::ProviderId;
use linli_infra::seed::organization_id;
use linli_infra::store::Store;

mod support;

use support::{notifier, store};

async fn account(store: &Store, login: &str) -> AccountId {
    store.account_by_login(login).await.unwrap().unwrap().id
}

fn org(n: usize) -> ProviderId {
    ProviderId(organization_id(n))
}

/// A cleaning in 文安路社区 for the resident.
fn cleaning(resident: AccountId, schedule: Schedule) -> NewOrder {
    NewOrder {
        resident,
        placed_by: resident,
        item: ItemId(15),
        community: CommunityId(1),
        address: Address::parse("文安路1号").unwrap(),
        location: GeoPoint::parse(41.78, 123.40).unwrap(),
        schedule,
        notes: Notes::default(),
        idempotency_key: None,
        accept_by: None,
        high_risk: false,
        answers: Default::default(),
        asked: linli_infra::seed::demo_questions(15),
        slot: None,
        plan: None,
        preferred: None,
    }
}

/// A cleaning booked for `start` (two hours long), placed, offered to the first demo organization and accepted
/// by it, all at `at`.
async fn accepted_booking(store: &Store, at: DateTime<Utc>, start: DateTime<Utc>) -> OrderId {
    let resident = account(store, "resident").await;
    let window = Schedule::Window(TimeWindow::from_stored(start, start + chrono::Duration::hours(2)));
    let id = store.insert_order(cleaning(resident, window), at).await.unwrap().order().id;
    let step = |action, from, effect| Transition {
        order: id,
        action,
        from,
        to: OrderState::apply(from, action).unwrap(),
        holder: None,
        actor: None,
        note: String::new(),
        at,
        effect,
        audit: None,
    };
    let offers = vec![(org(1), "test".to_owned())];
    let deadline = at + chrono::Duration::minutes(2);
    let offer = TransitionEffect::OpenOffers { offers, deadline, scope: Scope::Community, round: 1 };
    store.transition(step(OrderAction::Offer, OrderState::Submitted, offer)).await.unwrap().unwrap();
    let award = TransitionEffect::AwardTo(org(1));
    store.transition(step(OrderAction::Accept, OrderState::Offered, award)).await.unwrap().unwrap();
    id
}

/// The resident cancels an accepted order at `at`.
fn cancelled(id: OrderId, at: DateTime<Utc>) -> Transition {
    Transition {
        order: id,
        action: OrderAction::Cancel,
        from: OrderState::Accepted,
        to: OrderState::Cancelled,
        holder: None,
        actor: None,
        note: "cancelled".into(),
        at,
        effect: TransitionEffect::None,
        audit: None,
    }
}

fn inbox_titles(messages: &[linli_domain::notifications::records::InboxRecord]) -> Vec<String> {
    messages.iter().map(|m| m.title.clone()).collect()
}

#[tokio::test]
async fn an_accepted_booking_reminds_resident_and_provider_a_day_before_once() {
    let store = store().await;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap();
    let start = now + chrono::Duration::days(2);
    accepted_booking(&store, now, start).await;
    assert_eq!(notifier(&store, now).deliver_outbox().await.unwrap(), 3, "placed, offered, accepted");
    assert_eq!(notifier(&store, now).deliver_outbox().await.unwrap(), 0, "each event is fanned out once");
    let resident = account(&store, "resident").await;
    let staff = account(&store, "org001").await;
    assert!(inbox_titles(&store.inbox(resident, false, None, 10).await.unwrap()).contains(&"订单已被接单".to_owned()));
    assert!(inbox_titles(&store.inbox(staff, false, None, 10).await.unwrap()).contains(&"新的派单".to_owned()));

    assert_eq!(notifier(&store, start - chrono::Duration::hours(25)).send_due_reminders().await.unwrap(), 0);
    let day_before = start - chrono::Duration::hours(23);
    assert_eq!(notifier(&store, day_before).send_due_reminders().await.unwrap(), 2, "resident and provider");
    assert_eq!(notifier(&store, day_before).send_due_reminders().await.unwrap(), 0, "never twice");
    let told = store.inbox(resident, true, None, 10).await.unwrap();
    let reminder = told.iter().find(|m| m.title == "预约提醒：明天有服务").expect("the day-before reminder");
    assert!(reminder.body.contains("12月03日 10:00"), "shown in Shanghai time: {}", reminder.body);
    assert_eq!(notifier(&store, start).send_due_reminders().await.unwrap(), 2, "the hour-before ones");
}

#[tokio::test]
async fn cancelling_a_booking_calls_off_its_reminders() {
    let store = store().await;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap();
    let start = now + chrono::Duration::days(2);
    let id = accepted_booking(&store, now, start).await;
    notifier(&store, now).deliver_outbox().await.unwrap();
    store.transition(cancelled(id, now)).await.unwrap().unwrap();
    assert_eq!(notifier(&store, now).deliver_outbox().await.unwrap(), 1);
    assert_eq!(notifier(&store, start).send_due_reminders().await.unwrap(), 0, "nothing left to remind of");
}

#[tokio::test]
async fn the_morning_digest_reaches_the_communitys_and_the_streets_workers_once_a_day_and_once_after_days_missed() {
    let store = store().await;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(); // 09:00 in Shanghai
    // An order nobody took, waiting for the community's worker.
    let resident = account(&store, "resident").await;
    let escalated = store.insert_order(cleaning(resident, Schedule::Asap), now).await.unwrap().order().id;
    let escalate = Transition {
        order: escalated,
        action: OrderAction::Escalate,
        from: OrderState::Submitted,
        to: OrderState::Escalated,
        holder: None,
        actor: None,
        note: String::new(),
        at: now,
        effect: TransitionEffect::None,
        audit: None,
    };
    store.transition(escalate).await.unwrap().unwrap();

    assert_eq!(notifier(&store, now).morning_digest().await.unwrap(), 2, "the community's worker and the street's");
    assert_eq!(notifier(&store, now + chrono::Duration::hours(3)).morning_digest().await.unwrap(), 0, "same day");
    let worker = account(&store, "worker").await;
    let digests = |all: Vec<linli_domain::notifications::records::InboxRecord>| {
        all.into_iter().filter(|m| m.title.starts_with("每日待办")).count()
    };
    assert_eq!(digests(store.inbox(worker, false, None, 50).await.unwrap()), 1);
    let street = account(&store, "street").await;
    assert_eq!(digests(store.inbox(street, false, None, 50).await.unwrap()), 1);
    // Down for three days: back at 10:00 on the 4th, one digest, not three.
    let back = Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap();
    assert_eq!(notifier(&store, back).morning_digest().await.unwrap(), 2);
    assert_eq!(notifier(&store, back).morning_digest().await.unwrap(), 0);
    assert_eq!(digests(store.inbox(worker, false, None, 50).await.unwrap()), 2);
}

#[tokio::test]
async fn a_step_that_fails_or_panics_is_recorded_and_the_next_run_goes_ahead() {
    let store = store().await;
    let last = std::sync::Mutex::new(None);
    let failing = async { Err(linli_domain::error::Unexpected::new("testing", std::io::Error::other("boom"))) };
    linli_jobs::clockwork::run_step("flaky", &store, &last, failing).await;
    linli_jobs::clockwork::run_step("flaky", &store, &last, async { panic!("a bug") }).await;
    linli_jobs::clockwork::run_step("flaky", &store, &last, async { Ok(7) }).await;
    let runs = store.job_runs().await.unwrap();
    let flaky = runs.iter().find(|r| r.job == "flaky").expect("recorded");
    assert_eq!((flaky.runs, flaky.failures, flaky.last_count), (3, 2, 7));
    assert!(flaky.last_error.as_deref().unwrap().contains("panicked"), "{flaky:?}");
}

#[tokio::test]
async fn a_rescheduled_booking_moves_its_reminders_and_tells_both_sides() {
    let store = store().await;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap();
    let start = now + chrono::Duration::days(2);
    let id = accepted_booking(&store, now, start).await;
    notifier(&store, now).deliver_outbox().await.unwrap();
    let later = start + chrono::Duration::days(3);
    let window = TimeWindow::from_stored(later, later + chrono::Duration::hours(2));
    let resident = account(&store, "resident").await;
    let change = linli_domain::orders::Reschedule {
        order: id,
        from: OrderState::Accepted,
        to: OrderState::Accepted,
        accept_by: None,
        window,
        actor: resident,
        at: now,
    };
    let moved = store.reschedule(change).await.unwrap();
    assert!(
        matches!(moved, linli_domain::orders::RescheduleOutcome::Moved(ref o) if o.schedule == Schedule::Window(window))
    );
    assert_eq!(notifier(&store, now).deliver_outbox().await.unwrap(), 1);
    assert_eq!(notifier(&store, start).send_due_reminders().await.unwrap(), 0, "the old time's reminders are gone");
    assert_eq!(notifier(&store, later - chrono::Duration::hours(23)).send_due_reminders().await.unwrap(), 2);
    let staff = account(&store, "org001").await;
    let told = inbox_titles(&store.inbox(staff, false, None, 20).await.unwrap());
    assert!(told.contains(&"预约时间已更改".to_owned()), "{told:?}");
}

#[tokio::test]
async fn a_reminder_whose_order_was_cancelled_before_the_news_went_out_is_called_off() {
    let store = store().await;
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap();
    let start = now + chrono::Duration::days(2);
    let id = accepted_booking(&store, now, start).await;
    notifier(&store, now).deliver_outbox().await.unwrap();
    store.transition(cancelled(id, now)).await.unwrap().unwrap();
    // The cancellation is not fanned out yet when the reminders come due.
    let day_before = start - chrono::Duration::hours(23);
    assert_eq!(notifier(&store, day_before).send_due_reminders().await.unwrap(), 0);
    let resident = account(&store, "resident").await;
    let told = inbox_titles(&store.inbox(resident, false, None, 20).await.unwrap());
    assert!(!told.iter().any(|t| t.starts_with("预约提醒")), "{told:?}");
}
