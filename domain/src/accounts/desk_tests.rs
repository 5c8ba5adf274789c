//! Who may create accounts and register providers, and the rules applied before anything is written: each
//! test runs one use case against the in-memory fakes with a fixed clock.

use chrono::{TimeZone, Utc};
use futures_util::FutureExt;
use uuid::Uuid;

use super::testing::{FakeDirectory, FakeSessions, FakeTexts};
use super::*;
use crate::clock::FixedClock;
use crate::geo::CommunityId;
use crate::providers::{CreateProviderError, ProviderDesk, ProviderId, ProviderInput};

const HOME: CommunityId = CommunityId(1);

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fakes never wait")
}

fn accounts() -> (AccountDesk<FakeDirectory, FakeSessions, FixedClock, FakeTexts>, FakeDirectory) {
    let fake = FakeDirectory::default().with_community(HOME);
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap());
    (AccountDesk::new(fake.clone(), FakeSessions::default(), clock, FakeTexts::default()), fake)
}

fn actor(role: Role) -> Actor {
    Actor { account: AccountId(Uuid::now_v7()), role, provider: None, community: None, street: None }
}

fn worker_input(username: &str) -> AccountInput {
    AccountInput {
        username: username.into(),
        password: "long-enough".into(),
        display_name: "李社工".into(),
        role: "community_worker".into(),
        phone: Some("13800241234".into()),
        provider_id: None,
        community_id: Some(HOME),
        street_id: None,
        manager: false,
    }
}

#[test]
fn only_admins_create_accounts() {
    let (desk, fake) = accounts();
    for someone in [Role::Resident, Role::CommunityWorker, Role::ProviderStaff, Role::PartyMember] {
        let refused = run(desk.create_account(&actor(someone), worker_input("li.worker")));
        assert!(matches!(refused, Err(CreateAccountError::Denied(_))), "{someone:?}: {refused:?}");
    }
    assert!(fake.writes().is_empty());
    let made = run(desk.create_account(&actor(Role::Admin), worker_input("li.worker"))).unwrap();
    assert_eq!((made.role, made.community), (Role::CommunityWorker, Some(HOME)));
    assert_eq!(made.password_hash, "hashed:11", "the password is stored hashed, never as typed");
}

#[test]
fn an_admin_makes_a_street_worker_who_looks_after_every_community_of_the_street() {
    let (desk, _) = accounts();
    let admin = actor(Role::Admin);
    let street = crate::geo::StreetId(1);
    let input = AccountInput { community_id: None, street_id: Some(street), ..worker_input("wang.street") };
    let made = run(desk.create_account(&admin, input)).unwrap();
    let worker = made.actor();
    assert_eq!((worker.community, worker.street.map(|s| s.street)), (None, Some(street)));
    assert!(made.actor().looks_after(HOME) && made.actor().area() == vec![HOME]);
    let both = AccountInput { street_id: Some(street), ..worker_input("zhao.both") };
    let refused = run(desk.create_account(&admin, both));
    assert!(matches!(refused, Err(CreateAccountError::Invalid(i)) if i.field == "street_id"));
    let unknown =
        AccountInput { community_id: None, street_id: Some(crate::geo::StreetId(9)), ..worker_input("x.street") };
    let refused = run(desk.create_account(&admin, unknown));
    assert!(matches!(refused, Err(CreateAccountError::Invalid(i)) if i.code == "unknown_street"));
}

#[test]
fn a_person_chooses_their_own_language_and_nobody_elses() {
    let (desk, fake) = accounts();
    let made = run(desk.create_account(&actor(Role::Admin), worker_input("li.worker"))).unwrap();
    assert_eq!(made.language, None, "a new account reads Chinese until it chooses");
    let li = made.actor();
    run(desk.set_language(&li, crate::words::Lang::En)).unwrap();
    let stored = fake.held().accounts.iter().find(|a| a.id == made.id).cloned().unwrap();
    assert_eq!(stored.language, Some(crate::words::Lang::En));
    assert_eq!(fake.held().accounts.iter().filter(|a| a.language.is_some()).count(), 1);
    assert_eq!(desk.sessions.held().changed, vec![made.id], "the sessions remembered read the account again");
}

#[test]
fn a_taken_username_or_phone_is_named_by_its_field() {
    let (desk, _) = accounts();
    let admin = actor(Role::Admin);
    run(desk.create_account(&admin, worker_input("li.worker"))).unwrap();
    let again = run(desk.create_account(&admin, worker_input("li.worker")));
    assert!(matches!(again, Err(CreateAccountError::Taken("username"))), "{again:?}");
    let same_phone = run(desk.create_account(&admin, worker_input("wang.worker")));
    assert!(matches!(same_phone, Err(CreateAccountError::Taken("phone"))), "{same_phone:?}");
}

#[test]
fn an_account_in_a_community_or_provider_that_does_not_exist_names_the_field() {
    let (desk, fake) = accounts();
    let admin = actor(Role::Admin);
    let nowhere = AccountInput { community_id: Some(CommunityId(99_999)), ..worker_input("li.worker") };
    let refused = run(desk.create_account(&admin, nowhere));
    assert!(matches!(&refused, Err(CreateAccountError::Invalid(i)) if i.field == "community_id"), "{refused:?}");
    let staff = AccountInput {
        role: "provider_staff".into(),
        provider_id: Some(ProviderId(Uuid::now_v7())),
        ..worker_input("org.staff")
    };
    let refused = run(desk.create_account(&admin, staff));
    assert!(matches!(&refused, Err(CreateAccountError::Invalid(i)) if i.field == "provider_id"), "{refused:?}");
    assert!(fake.writes().is_empty());
}

#[test]
fn a_community_worker_without_a_community_is_refused_naming_it() {
    let bad = AccountInput { community_id: None, ..worker_input("li.worker") }.parse().unwrap_err();
    assert_eq!((bad.field.as_str(), bad.code), ("community_id", "missing_community"));
    let bad = AccountInput { role: "mayor".into(), ..worker_input("li.worker") }.parse().unwrap_err();
    assert_eq!(bad.field, "role");
}

fn providers() -> (ProviderDesk<FakeDirectory, FixedClock>, FakeDirectory) {
    let fake = FakeDirectory::default().with_community(HOME);
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap());
    (ProviderDesk::new(fake.clone(), clock), fake)
}

fn point_input() -> ProviderInput {
    ProviderInput {
        kind: Some("community_point".into()),
        name: "文安路社区居民评理说事点".into(),
        community_id: HOME.0,
        lat: 41.78,
        lng: 123.40,
        capacity: 2,
        item_ids: vec![82],
        coverage_community_ids: vec![HOME.0],
        ..Default::default()
    }
}

#[test]
fn only_admins_register_providers() {
    let (desk, fake) = providers();
    let refused = run(desk.create_provider(&actor(Role::CommunityWorker), point_input()));
    assert!(matches!(refused, Err(CreateProviderError::Denied(_))), "{refused:?}");
    assert!(fake.writes().is_empty());
    let made = run(desk.create_provider(&actor(Role::Admin), point_input())).unwrap();
    assert_eq!(made.coverage, [HOME]);
}

#[test]
fn an_unknown_covered_community_is_named_apart_from_the_base_community() {
    let (desk, _) = providers();
    let admin = actor(Role::Admin);
    let wider = ProviderInput { coverage_community_ids: vec![HOME.0, 77], ..point_input() };
    let refused = run(desk.create_provider(&admin, wider));
    assert!(matches!(&refused, Err(CreateProviderError::Invalid(i)) if i.field == "coverage_community_ids"));
    let based_nowhere = ProviderInput { community_id: 77, coverage_community_ids: vec![77], ..point_input() };
    let refused = run(desk.create_provider(&admin, based_nowhere));
    assert!(matches!(&refused, Err(CreateProviderError::Invalid(i)) if i.field == "community_id"), "{refused:?}");
}

#[test]
fn an_organization_needs_its_credit_code_and_a_party_member_one_place() {
    let org = ProviderInput { kind: None, ..point_input() }.parse().unwrap_err();
    assert_eq!((org.field.as_str(), org.code), ("credit_code", "missing_credit_code"));
    let member = ProviderInput { kind: Some("party_member".into()), ..point_input() }.parse().unwrap_err();
    assert_eq!(member.field, "capacity");
    let far = ProviderInput { lat: 95.0, ..point_input() }.parse().unwrap_err();
    assert_eq!((far.field.as_str(), far.code), ("lat", "invalid_location"));
}

#[test]
fn a_provider_is_seen_by_its_own_staff_and_admins_and_does_not_exist_for_anyone_else() {
    let (desk, _) = providers();
    let made = run(desk.create_provider(&actor(Role::Admin), point_input())).unwrap();
    let staff = Actor { provider: Some(made.id), ..actor(Role::ProviderStaff) };
    assert!(run(desk.provider(&staff, made.id)).is_ok());
    assert!(run(desk.provider(&actor(Role::Admin), made.id)).is_ok());
    let other = Actor { provider: Some(ProviderId(Uuid::now_v7())), ..actor(Role::ProviderStaff) };
    assert!(matches!(run(desk.provider(&other, made.id)), Err(crate::error::DeskError::NotFound("provider"))));
}
