//! Who may read and change which notifications: each test runs one use case against the in-memory fake with a
//! fixed clock.

use crate::paging::PageRequest;
use chrono::{DateTime, TimeZone, Utc};
use futures_util::FutureExt;
use uuid::Uuid;

use super::*;
use crate::accounts::AccountId;
use crate::clock::FixedClock;
use crate::notifications::testing::FakeNotifications;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
}

fn desk() -> (NotificationDesk<FakeNotifications, FixedClock>, FakeNotifications) {
    let fake = FakeNotifications::default();
    (NotificationDesk::new(fake.clone(), FixedClock(now())), fake)
}

/// The fake answers at once; nothing here waits.
fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fake never waits")
}

fn actor(role: Role, provider: Option<ProviderId>) -> Actor {
    Actor { account: AccountId(Uuid::now_v7()), role, provider, community: None, street: None }
}

fn staff() -> Actor {
    actor(Role::ProviderStaff, Some(ProviderId(Uuid::now_v7())))
}

#[test]
fn everyone_marks_only_their_own_messages_read() {
    let (desk, fake) = desk();
    let (me, someone) = (actor(Role::Resident, None), actor(Role::Resident, None));
    let mine = fake.message_to(me.account);
    let theirs = fake.message_to(someone.account);
    let refused = run(desk.mark_read(&me, theirs));
    assert!(matches!(refused, Err(DeskError::NotFound("message"))), "{refused:?}");
    assert_eq!(run(desk.mark_read(&me, mine)).unwrap(), 0, "nothing of mine stays unread");
    assert_eq!(run(desk.unread_count(&someone)).unwrap(), 1);
    assert_eq!(fake.held().messages.iter().find(|m| m.id == mine).unwrap().read_at, Some(now()));
}

#[test]
fn reading_all_marks_only_the_actors_messages() {
    let (desk, fake) = desk();
    let (me, someone) = (actor(Role::PartyMember, None), actor(Role::Resident, None));
    fake.message_to(me.account);
    fake.message_to(me.account);
    fake.message_to(someone.account);
    assert_eq!(run(desk.mark_all_read(&me)).unwrap(), 2);
    assert_eq!(run(desk.inbox(&someone, true, None, 10)).unwrap().len(), 1);
}

#[test]
fn only_an_organizations_staff_keep_its_webhook() {
    let (desk, fake) = desk();
    for someone in [actor(Role::Resident, None), actor(Role::Admin, None), actor(Role::PartyMember, None)] {
        let refused = run(desk.set_webhook(&someone, "https://org.example/hook"));
        assert!(matches!(refused, Err(DeskError::Denied(_))), "{:?}: {refused:?}", someone.role);
    }
    let staff_without_provider = actor(Role::ProviderStaff, None);
    assert!(matches!(run(desk.webhook(&staff_without_provider)), Err(DeskError::Denied(_))));
    assert!(fake.writes().is_empty());
    let set = run(desk.set_webhook(&staff(), "https://org.example/hook")).unwrap();
    assert_eq!((set.url.as_str(), set.updated_at), ("https://org.example/hook", now()));
}

#[test]
fn a_webhook_url_that_is_not_http_names_the_url_field() {
    let (desk, fake) = desk();
    let refused = run(desk.set_webhook(&staff(), "ftp://org.example"));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "url" && i.code == "invalid_field"));
    assert!(fake.writes().is_empty());
}

#[test]
fn an_organization_without_an_endpoint_has_nothing_to_rotate_or_remove() {
    let (desk, _) = desk();
    let me = staff();
    assert!(matches!(run(desk.webhook(&me)), Err(DeskError::NotFound("webhook endpoint"))));
    assert!(matches!(run(desk.rotate_webhook_secret(&me)), Err(DeskError::NotFound("webhook endpoint"))));
    assert!(matches!(run(desk.remove_webhook(&me)), Err(DeskError::NotFound("webhook endpoint"))));
}

#[test]
fn only_admins_see_deliveries_replay_dead_letters_and_watch_the_jobs() {
    let (desk, fake) = desk();
    let dead = fake.dead_delivery();
    for someone in [staff(), actor(Role::CommunityWorker, None), actor(Role::Resident, None)] {
        assert!(matches!(run(desk.deliveries(&someone, None, PageRequest::default())), Err(DeskError::Denied(_))));
        assert!(matches!(run(desk.replay_delivery(&someone, dead)), Err(DeskError::Denied(_))));
        assert!(matches!(run(desk.job_runs(&someone)), Err(DeskError::Denied(_))));
    }
    assert!(fake.writes().is_empty());
    let admin = actor(Role::Admin, None);
    assert_eq!(run(desk.deliveries(&admin, Some("dead"), PageRequest::default())).unwrap().len(), 1);
    let replayed = run(desk.replay_delivery(&admin, dead)).unwrap();
    assert_eq!((replayed.state.as_str(), replayed.attempts, replayed.next_attempt_at), ("pending", 0, now()));
}

#[test]
fn a_delivery_state_other_than_pending_delivered_or_dead_is_malformed() {
    let (desk, _) = desk();
    let refused = run(desk.deliveries(&actor(Role::Admin, None), Some("lost"), PageRequest::default()));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "state"), "{refused:?}");
}

#[test]
fn only_a_dead_delivery_is_replayed() {
    let (desk, _) = desk();
    let refused = run(desk.replay_delivery(&actor(Role::Admin, None), Uuid::now_v7()));
    assert!(matches!(refused, Err(DeskError::NotFound("dead delivery"))), "{refused:?}");
}
