//! Who may look residents up and file for them, and what a record made on the spot holds: each test runs one
//! use case against the in-memory fakes with a fixed clock.

use chrono::{TimeZone, Utc};
use futures_util::FutureExt;
use uuid::Uuid;

use super::testing::{FakeDirectory, FakeSessions, FakeTexts};
use super::*;
use crate::clock::FixedClock;
use crate::error::DeskError;
use crate::geo::CommunityId;

const ELSEWHERE: CommunityId = CommunityId(9);

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fakes never wait")
}

fn desk() -> (AccountDesk<FakeDirectory, FakeSessions, FixedClock, FakeTexts>, FakeDirectory) {
    let fake = FakeDirectory::default().with_community(CommunityId(1)).with_community(ELSEWHERE);
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 12, 8, 2, 0, 0).unwrap());
    (AccountDesk::new(fake.clone(), FakeSessions::default(), clock, FakeTexts::default()), fake)
}

fn worker() -> Actor {
    Actor {
        account: AccountId(Uuid::now_v7()),
        role: Role::CommunityWorker,
        provider: None,
        community: Some(CommunityId(1)),
        street: None,
    }
}

fn aunt_wang() -> ResidentInput {
    ResidentInput {
        name: " 王秀兰 ".into(),
        phone: None,
        landline: Some("024-23456789".into()),
        community: ELSEWHERE.0,
        address: Some("北陵大街3号2单元101".into()),
    }
}

#[test]
fn a_worker_files_a_resident_of_another_community_who_has_no_app() {
    let (desk, fake) = desk();
    let me = worker();
    let filed = run(desk.file_resident(&me, aunt_wang())).unwrap();
    assert_eq!((filed.name.as_str(), filed.community, filed.signs_in), ("王秀兰", Some(ELSEWHERE), false));
    assert_eq!(filed.landline.map(|l| l.masked()), Some("024****6789".into()));
    let held = fake.held();
    assert_eq!(held.records[0].1.filed_by, me.account);
    assert_eq!(held.audits[0].action, "resident.filed");
    assert!(held.accounts[0].password_hash.is_empty(), "nobody signs in until the resident sets a password");
}

#[test]
fn a_record_with_a_mobile_is_found_by_it_and_by_name() {
    let (desk, _) = desk();
    let me = worker();
    let filed = run(desk.file_resident(&me, ResidentInput { phone: Some("13912345678".into()), ..aunt_wang() }));
    let id = filed.unwrap().id;
    for q in ["139-1234-5678", "秀兰", "02423456789"] {
        let found = run(desk.find_residents(&me, q)).unwrap();
        assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id], "{q}");
    }
}

#[test]
fn a_mobile_already_in_use_is_refused_so_the_worker_looks_that_resident_up() {
    let (desk, _) = desk();
    let with_mobile = ResidentInput { phone: Some("13912345678".into()), ..aunt_wang() };
    run(desk.file_resident(&worker(), with_mobile.clone())).unwrap();
    let again = run(desk.file_resident(&worker(), with_mobile));
    assert!(matches!(again, Err(CreateAccountError::Taken("phone"))), "{again:?}");
}

#[test]
fn a_record_names_the_field_at_fault() {
    let (desk, _) = desk();
    let cases = [
        (ResidentInput { name: " ".into(), ..aunt_wang() }, "display_name"),
        (ResidentInput { phone: Some("12345".into()), ..aunt_wang() }, "phone"),
        (ResidentInput { landline: Some("024-12".into()), ..aunt_wang() }, "landline"),
        (ResidentInput { address: Some("号".repeat(201)), ..aunt_wang() }, "address"),
        (ResidentInput { community: 404, ..aunt_wang() }, "community_id"),
    ];
    for (input, field) in cases {
        match run(desk.file_resident(&worker(), input)) {
            Err(CreateAccountError::Invalid(e)) => assert_eq!(e.field, field),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn only_workers_and_admins_look_residents_up_or_file_for_them() {
    let (desk, fake) = desk();
    for role in [Role::Resident, Role::ProviderStaff, Role::PartyMember] {
        let someone = Actor { role, ..worker() };
        assert!(matches!(run(desk.find_residents(&someone, "王")), Err(DeskError::Denied(_))));
        assert!(matches!(run(desk.file_resident(&someone, aunt_wang())), Err(CreateAccountError::Denied(_))));
    }
    assert!(fake.writes().is_empty());
}
