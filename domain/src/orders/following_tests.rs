//! After the service: who follows an order up and how often, complaints with their deadline, the provider's
//! answer, and escalation; each test runs the use cases against the in-memory fakes.

use chrono::TimeDelta;
use uuid::Uuid;

use super::testing::{FakeOrders, desk_at, run, someone, test_now as now};
use super::*;
use crate::accounts::{AccountId, Actor, Role};
use crate::geo::CommunityId;
use crate::paging::PageRequest;
use crate::providers::ProviderId;

const HOME: CommunityId = CommunityId(1);

fn worker(community: CommunityId) -> Actor {
    Actor { community: Some(community), ..someone(Role::CommunityWorker) }
}

fn text(s: &str) -> VisitText {
    VisitText::parse(s, "text").unwrap()
}

fn page() -> PageRequest<'static> {
    PageRequest::new(None, None)
}

#[test]
fn a_completed_order_is_followed_up_once_by_a_worker_of_its_community() {
    let fake = FakeOrders::default();
    let desk = desk_at(now(), &fake);
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Completed, Some(ProviderId(Uuid::now_v7())));
    fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Accepted, None);
    let mine = worker(HOME);
    assert_eq!(run(desk.follow_ups_due(&mine, page())).unwrap().rows.len(), 1, "only the completed one");
    assert!(run(desk.follow_ups_due(&worker(CommunityId(2)), page())).unwrap().rows.is_empty());
    let other = run(desk.follow_up(&worker(CommunityId(2)), id, FollowUpOutcome::Satisfied, None));
    assert!(matches!(other, Err(AftercareError::Move(MoveError::NotFound))));
    run(desk.follow_up(&mine, id, FollowUpOutcome::IssueFound, Some(text("老人说地没拖干净")))).unwrap();
    assert!(run(desk.follow_ups_due(&mine, page())).unwrap().rows.is_empty(), "followed up, off the list");
    let again = run(desk.follow_up(&mine, id, FollowUpOutcome::Satisfied, None));
    assert!(matches!(again, Err(AftercareError::AlreadyFollowedUp)));
}

#[test]
fn a_complaint_goes_to_the_provider_alone_which_answers_it_once() {
    let fake = FakeOrders::default();
    let desk = desk_at(now(), &fake);
    let provider = ProviderId(Uuid::now_v7());
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Completed, Some(provider));
    let within = AnswerWithin::hours(Some(24)).unwrap();
    let complaint = run(desk.open_complaint(&worker(HOME), id, text("上门迟到两小时"), within)).unwrap();
    assert_eq!(complaint.due_at, now() + TimeDelta::hours(24));
    let twice = run(desk.open_complaint(&worker(HOME), id, text("再投诉"), within));
    assert!(matches!(twice, Err(AftercareError::ComplaintExists)));
    let staff = Actor { provider: Some(provider), ..someone(Role::ProviderStaff) };
    let rival = Actor { provider: Some(ProviderId(Uuid::now_v7())), ..someone(Role::ProviderStaff) };
    assert_eq!(run(desk.complaints(&staff, &[], page())).unwrap().rows.len(), 1);
    assert!(run(desk.complaints(&rival, &[], page())).unwrap().rows.is_empty());
    let by_rival = run(desk.answer_complaint(&rival, complaint.id, text("不是我们")));
    assert!(matches!(by_rival, Err(AftercareError::UnknownComplaint)));
    let answered = run(desk.answer_complaint(&staff, complaint.id, text("已致歉并调整排班"))).unwrap();
    assert_eq!(answered.state, ComplaintState::Answered);
    let again = run(desk.answer_complaint(&staff, complaint.id, text("再次答复")));
    assert!(matches!(again, Err(AftercareError::AlreadyAnswered)));
}

#[test]
fn a_complaint_unanswered_past_its_deadline_is_escalated_and_may_still_be_answered() {
    let fake = FakeOrders::default();
    let provider = ProviderId(Uuid::now_v7());
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Completed, Some(provider));
    let within = AnswerWithin::hours(Some(2)).unwrap();
    let c = run(desk_at(now(), &fake).open_complaint(&worker(HOME), id, text("服务态度差"), within)).unwrap();
    assert_eq!(run(desk_at(now() + TimeDelta::minutes(119), &fake).escalate_overdue_complaints()).unwrap(), 0);
    let late = desk_at(now() + TimeDelta::hours(2), &fake);
    assert_eq!(run(late.escalate_overdue_complaints()).unwrap(), 1);
    assert_eq!(run(late.escalate_overdue_complaints()).unwrap(), 0, "once");
    let staff = Actor { provider: Some(provider), ..someone(Role::ProviderStaff) };
    assert_eq!(run(late.answer_complaint(&staff, c.id, text("已整改"))).unwrap().state, ComplaintState::Answered);
}
