//! The visit: what starting and completing record, who may confirm or dispute it and how often, who resolves a
//! dispute, and the automatic confirmation; each test runs the use cases against the in-memory fakes.

use uuid::Uuid;

use super::testing::{FakeOrders, desk_at, run, someone, test_now as now};
use super::*;
use crate::accounts::{AccountId, Actor, Role};
use crate::geo::{CommunityId, GeoPoint};
use crate::paging::PageRequest;
use crate::providers::ProviderId;

const HOME: CommunityId = CommunityId(1);

fn text(s: &str) -> VisitText {
    VisitText::parse(s, "note").unwrap()
}

/// A job of `resident`'s that `provider` started and completed now, with the note given.
fn completed_job(fake: &FakeOrders, resident: &Actor, provider: ProviderId) -> OrderId {
    let desk = desk_at(now(), fake);
    let staff = Actor { provider: Some(provider), ..someone(Role::ProviderStaff) };
    let id = fake.order(resident.account, HOME, OrderState::Accepted, Some(provider));
    run(desk.start(&staff, id, None)).unwrap();
    run(desk.complete(&staff, id, text("已助浴，老人状态良好"), None)).unwrap();
    id
}

#[test]
fn starting_far_from_the_address_is_recorded_with_the_distance_and_flagged() {
    let fake = FakeOrders::default();
    let desk = desk_at(now(), &fake);
    let provider = ProviderId(Uuid::now_v7());
    let staff = Actor { provider: Some(provider), ..someone(Role::ProviderStaff) };
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Accepted, Some(provider));
    // The fake's orders are at 41.78, 123.40; this is about 2.2 km north.
    run(desk.start(&staff, id, Some(GeoPoint::parse(41.80, 123.40).unwrap()))).unwrap();
    let started = fake.held().visits[0].started.unwrap();
    assert_eq!(started.at, now());
    assert!(started.far() && started.distance_m.unwrap() > 2000, "{started:?}");
}

#[test]
fn completing_records_the_note_and_when_the_resident_must_answer_by() {
    let fake = FakeOrders::default();
    let resident = someone(Role::Resident);
    let id = completed_job(&fake, &resident, ProviderId(Uuid::now_v7()));
    let visit = fake.held().visits.iter().find(|v| v.order == id).cloned().unwrap();
    assert_eq!(visit.note.as_deref(), Some("已助浴，老人状态良好"));
    assert_eq!(visit.verdict, Some(Verdict::Pending { due: now() + chrono::TimeDelta::hours(72) }));
}

#[test]
fn the_resident_confirms_once_and_a_second_answer_is_refused() {
    let fake = FakeOrders::default();
    let resident = someone(Role::Resident);
    let id = completed_job(&fake, &resident, ProviderId(Uuid::now_v7()));
    let desk = desk_at(now(), &fake);
    let visit = run(desk.answer_visit(&resident, id, Answer::Confirm)).unwrap();
    assert_eq!(visit.verdict, Some(Verdict::Confirmed { at: now(), by: Some(resident.account) }));
    let again = run(desk.answer_visit(&resident, id, Answer::Dispute(text("没来"))));
    assert!(matches!(again, Err(VisitError::AlreadyAnswered)));
}

#[test]
fn nobody_but_the_resident_confirms_and_not_before_the_job_is_completed() {
    let fake = FakeOrders::default();
    let resident = someone(Role::Resident);
    let desk = desk_at(now(), &fake);
    let id = completed_job(&fake, &resident, ProviderId(Uuid::now_v7()));
    let neighbour = someone(Role::Resident);
    assert!(matches!(
        run(desk.answer_visit(&neighbour, id, Answer::Confirm)),
        Err(VisitError::Move(MoveError::NotFound))
    ));
    let worker = Actor { community: Some(HOME), ..someone(Role::CommunityWorker) };
    assert!(matches!(
        run(desk.answer_visit(&worker, id, Answer::Confirm)),
        Err(VisitError::Move(MoveError::NotYours(_)))
    ));
    let pending = fake.order(resident.account, HOME, OrderState::Accepted, Some(ProviderId(Uuid::now_v7())));
    let early = run(desk.answer_visit(&resident, pending, Answer::Confirm));
    assert!(matches!(early, Err(VisitError::Move(MoveError::Conflict { current: OrderState::Accepted }))));
}

#[test]
fn a_dispute_is_a_case_for_the_communitys_workers_until_one_resolves_it() {
    let fake = FakeOrders::default();
    let resident = someone(Role::Resident);
    let id = completed_job(&fake, &resident, ProviderId(Uuid::now_v7()));
    let desk = desk_at(now(), &fake);
    run(desk.answer_visit(&resident, id, Answer::Dispute(text("只洗了一半就走了")))).unwrap();
    let worker = Actor { community: Some(HOME), ..someone(Role::CommunityWorker) };
    let elsewhere = Actor { community: Some(CommunityId(2)), ..someone(Role::CommunityWorker) };
    let page = || PageRequest::new(None, None);
    assert_eq!(run(desk.disputes(&worker, page())).unwrap().rows.len(), 1);
    assert!(run(desk.disputes(&elsewhere, page())).unwrap().rows.is_empty(), "not another community's");
    assert!(matches!(run(desk.disputes(&resident, page())), Err(ListError::Denied(_))));
    assert!(run(desk.resolve_dispute(&elsewhere, id, text("已回访"))).is_err());
    let visit = run(desk.resolve_dispute(&worker, id, text("已联系机构补做，居民满意"))).unwrap();
    assert!(matches!(visit.verdict, Some(Verdict::Disputed { resolution: Some(_), .. })));
    assert!(run(desk.disputes(&worker, page())).unwrap().rows.is_empty(), "a resolved case leaves the list");
    assert!(matches!(run(desk.resolve_dispute(&worker, id, text("再次处理"))), Err(VisitError::NoOpenDispute)));
}

#[test]
fn a_visit_nobody_answered_is_confirmed_once_its_time_is_up() {
    let fake = FakeOrders::default();
    let resident = someone(Role::Resident);
    let id = completed_job(&fake, &resident, ProviderId(Uuid::now_v7()));
    let almost = desk_at(now() + chrono::TimeDelta::hours(71), &fake);
    assert_eq!(run(almost.confirm_due_visits()).unwrap(), 0);
    let later = now() + chrono::TimeDelta::hours(72);
    assert_eq!(run(desk_at(later, &fake).confirm_due_visits()).unwrap(), 1);
    let visit = fake.held().visits.iter().find(|v| v.order == id).cloned().unwrap();
    assert_eq!(visit.verdict, Some(Verdict::Confirmed { at: later, by: None }));
}

fn stars(n: i64) -> Stars {
    Stars::parse(n).unwrap()
}

#[test]
fn a_visit_is_rated_once_it_is_settled_and_the_rating_changed_only_within_a_day() {
    let fake = FakeOrders::default();
    let resident = someone(Role::Resident);
    let id = completed_job(&fake, &resident, ProviderId(Uuid::now_v7()));
    let desk = desk_at(now(), &fake);
    let early = run(desk.rate(&resident, id, stars(5), None));
    assert!(matches!(early, Err(RateError::NotSettled)), "not before the resident confirms");
    run(desk.answer_visit(&resident, id, Answer::Confirm)).unwrap();
    assert_eq!(run(desk.rate(&resident, id, stars(3), None)).unwrap().stars, stars(3));
    let changed = run(desk_at(now() + chrono::TimeDelta::hours(23), &fake).rate(&resident, id, stars(4), None));
    assert_eq!(changed.unwrap().stars, stars(4));
    let late = run(desk_at(now() + chrono::TimeDelta::hours(25), &fake).rate(&resident, id, stars(1), None));
    assert!(matches!(late, Err(RateError::EditWindowClosed)));
    let neighbour = someone(Role::Resident);
    assert!(matches!(run(desk.rate(&neighbour, id, stars(1), None)), Err(RateError::Move(MoveError::NotFound))));
}
