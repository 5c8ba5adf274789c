//! Who may place, see, cancel, accept, work and assign orders, and what dispatch does with an order nobody can
//! take: each test runs one use case of [`OrderDesk`] against the in-memory fakes with a fixed clock.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use futures_util::FutureExt;
use uuid::Uuid;

use super::testing::{FakeOrders, FakeQueue};
use super::*;
use crate::accounts::{AccountId, Actor, Role};
use crate::catalog::questions::{QuestionInput, RawAnswers};
use crate::catalog::{Answers, CatalogItem, Category, ItemId, Questions};
use crate::clock::FixedClock;
use crate::geo::{CommunityId, GeoPoint};
use crate::paging::PageRequest;
use crate::providers::ProviderId;

const HOME: CommunityId = CommunityId(1);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
}

fn desk() -> (OrderDesk<FakeOrders, FakeQueue, FixedClock>, FakeOrders) {
    let fake = FakeOrders::default();
    (OrderDesk::new(fake.clone(), FakeQueue, FixedClock(now()), Duration::from_secs(120)), fake)
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fakes never wait")
}

fn someone(role: Role) -> Actor {
    Actor { account: AccountId(Uuid::now_v7()), role, provider: None, community: None, street: None }
}

fn staff_of(provider: ProviderId) -> Actor {
    Actor { provider: Some(provider), ..someone(Role::ProviderStaff) }
}

fn worker_of(community: CommunityId) -> Actor {
    Actor { community: Some(community), ..someone(Role::CommunityWorker) }
}

fn item(id: i32, category: Category) -> CatalogItem {
    CatalogItem::sample(id, "服务", category)
}

fn new_order(resident: AccountId, item: i32, high_risk: bool) -> NewOrder {
    NewOrder {
        resident,
        placed_by: resident,
        item: ItemId(item),
        community: HOME,
        address: Address::parse("文安路12号").unwrap(),
        location: GeoPoint::parse(41.78, 123.40).unwrap(),
        schedule: Schedule::Asap,
        notes: Notes::parse("").unwrap(),
        idempotency_key: None,
        accept_by: None,
        high_risk,
        answers: Answers::default(),
        asked: Questions::default(),
        slot: None,
        plan: None,
        preferred: None,
    }
}

fn no_answers() -> RawAnswers {
    RawAnswers::new()
}

#[test]
fn a_resident_places_an_order_only_for_themselves() {
    let (desk, fake) = desk();
    let resident = someone(Role::Resident);
    let for_another = run(desk.place(&resident, new_order(AccountId(Uuid::now_v7()), 15, false), &no_answers()));
    assert!(matches!(for_another, Err(PlaceError::NotAResident)), "{for_another:?}");
    for role in [Role::ProviderStaff, Role::PartyMember, Role::Admin] {
        let refused = run(desk.place(&someone(role), new_order(resident.account, 15, false), &no_answers()));
        assert!(matches!(refused, Err(PlaceError::NotAResident)), "{role:?}: {refused:?}");
    }
    assert!(fake.held().orders.is_empty());
}

#[test]
fn a_worker_files_an_order_for_a_resident_of_another_community_and_follows_it() {
    let (desk, fake) = desk();
    fake.held().items.push(item(15, Category::Cleaning));
    let resident = someone(Role::Resident);
    fake.held().residents.push(resident.account);
    let worker = worker_of(CommunityId(2));
    let order = NewOrder { placed_by: worker.account, ..new_order(resident.account, 15, false) };
    let (placed, _) = run(desk.place(&worker, order, &no_answers())).unwrap();
    assert_eq!((placed.order().resident, placed.order().placed_by), (resident.account, worker.account));
    let seen = run(desk.view(&worker, placed.order().id)).unwrap();
    assert_eq!(seen.seen, Visibility::Full, "the filer follows it although it is another community's");
    let stranger = run(desk.view(&worker_of(CommunityId(2)), placed.order().id));
    assert!(matches!(stranger, Err(ViewError::NotFound)), "another worker of the filer's community does not");
    run(desk.cancel(&worker, placed.order().id)).unwrap();
}

#[test]
fn a_worker_files_only_for_a_resident_and_only_as_themselves() {
    let (desk, fake) = desk();
    fake.held().items.push(item(15, Category::Cleaning));
    let worker = worker_of(HOME);
    let not_a_resident = AccountId(Uuid::now_v7());
    let order = NewOrder { placed_by: worker.account, ..new_order(not_a_resident, 15, false) };
    let refused = run(desk.place(&worker, order, &no_answers()));
    assert!(matches!(refused, Err(PlaceError::UnknownResident)), "{refused:?}");
    let resident = someone(Role::Resident);
    fake.held().residents.push(resident.account);
    let as_someone_else = run(desk.place(&worker, new_order(resident.account, 15, false), &no_answers()));
    assert!(matches!(as_someone_else, Err(PlaceError::NotAResident)), "{as_someone_else:?}");
    assert!(fake.held().orders.is_empty());
}

#[test]
fn an_order_wanted_as_soon_as_possible_must_be_taken_within_the_hour() {
    let (desk, fake) = desk();
    fake.held().items.push(item(15, Category::Cleaning));
    let resident = someone(Role::Resident);
    let (placed, _) = run(desk.place(&resident, new_order(resident.account, 15, false), &no_answers())).unwrap();
    assert_eq!(placed.order().accept_by, Some(now() + chrono::TimeDelta::hours(1)));
}

fn window(from_now: chrono::TimeDelta) -> TimeWindow {
    TimeWindow::parse(now() + from_now, now() + from_now + chrono::TimeDelta::hours(2)).unwrap()
}

#[test]
fn a_window_that_began_by_the_desks_clock_cannot_be_booked() {
    let (desk, fake) = desk();
    let resident = someone(Role::Resident);
    let order = NewOrder {
        schedule: Schedule::Window(window(-chrono::TimeDelta::hours(1))),
        ..new_order(resident.account, 15, false)
    };
    let refused = run(desk.place(&resident, order, &no_answers()));
    assert!(matches!(refused, Err(PlaceError::Window(WindowError::InPast))), "{refused:?}");
    assert!(fake.held().orders.is_empty());
}

#[test]
fn a_booking_moves_only_to_a_window_within_ninety_days() {
    let (desk, fake) = desk();
    let owner = someone(Role::Resident);
    let id = fake.order(owner.account, HOME, OrderState::Submitted, None);
    let refused = run(desk.reschedule(&owner, id, window(chrono::TimeDelta::days(91))));
    assert!(matches!(refused, Err(RescheduleError::Window(WindowError::TooFarAhead))), "{refused:?}");
}

/// A meal with a required number of portions and an optional diet.
fn meal() -> CatalogItem {
    let input = |code: &str, kind: &str| QuestionInput {
        code: code.into(),
        label: code.into(),
        kind: kind.into(),
        ..Default::default()
    };
    let questions = Questions::parse(vec![
        QuestionInput { required: true, min: Some(1.0), max: Some(5.0), ..input("portions", "number") },
        QuestionInput { choices: vec!["低盐".into(), "软食".into()], ..input("diet", "multiple") },
    ])
    .unwrap();
    CatalogItem { questions, ..item(2, Category::Meals) }
}

#[test]
fn an_order_keeps_the_checked_answers_to_its_items_questions() {
    let (desk, fake) = desk();
    fake.held().items.push(meal());
    let resident = someone(Role::Resident);
    let raw: RawAnswers = serde_json::from_value(serde_json::json!({"diet": ["软食"], "portions": 2})).unwrap();
    let (placed, _) = run(desk.place(&resident, new_order(resident.account, 2, false), &raw)).unwrap();
    let codes: Vec<_> = placed.order().answers.0.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["portions", "diet"], "in the questions' order");
}

#[test]
fn an_order_missing_a_required_answer_is_refused_naming_it_and_nothing_is_stored() {
    let (desk, fake) = desk();
    fake.held().items.push(meal());
    let resident = someone(Role::Resident);
    let refused = run(desk.place(&resident, new_order(resident.account, 2, false), &no_answers()));
    assert!(matches!(&refused, Err(PlaceError::Answers(i)) if i.field == "answers.portions"), "{refused:?}");
    assert!(fake.held().orders.is_empty());
}

#[test]
fn answers_checked_against_an_out_of_date_copy_of_the_catalog_are_checked_again_against_the_item_as_it_is() {
    let (desk, fake) = desk();
    // This process still holds the meal as it was before it asked anything.
    fake.held().stale_items = Some(vec![item(2, Category::Meals)]);
    fake.held().items.push(meal());
    let resident = someone(Role::Resident);
    let refused = run(desk.place(&resident, new_order(resident.account, 2, false), &no_answers()));
    assert!(matches!(&refused, Err(PlaceError::Answers(i)) if i.field == "answers.portions"), "{refused:?}");
    assert!(fake.held().orders.is_empty());
}

#[test]
fn an_order_for_an_item_that_does_not_exist_is_refused_before_anything_is_stored() {
    let (desk, fake) = desk();
    let resident = someone(Role::Resident);
    let refused = run(desk.place(&resident, new_order(resident.account, 999, false), &no_answers()));
    assert!(matches!(refused, Err(PlaceError::UnknownItem)), "{refused:?}");
    assert!(fake.held().orders.is_empty());
}

#[test]
fn only_a_mediation_intake_can_be_marked_high_risk() {
    let (desk, fake) = desk();
    fake.held().items.push(item(15, Category::Cleaning));
    let resident = someone(Role::Resident);
    let refused = run(desk.place(&resident, new_order(resident.account, 15, true), &no_answers()));
    assert!(matches!(refused, Err(PlaceError::HighRiskNotMediation)), "{refused:?}");
}

#[test]
fn another_resident_and_an_unrelated_provider_cannot_tell_an_order_exists() {
    let (desk, fake) = desk();
    let owner = someone(Role::Resident);
    let id = fake.order(owner.account, HOME, OrderState::Offered, None);
    for stranger in [someone(Role::Resident), staff_of(ProviderId(Uuid::now_v7())), worker_of(CommunityId(2))] {
        assert!(matches!(run(desk.view(&stranger, id)), Err(ViewError::NotFound)), "{:?}", stranger.role);
        assert!(matches!(run(desk.cancel(&stranger, id)), Err(MoveError::NotFound)), "{:?}", stranger.role);
    }
    assert_eq!(run(desk.view(&owner, id)).unwrap().seen, Visibility::Full);
}

#[test]
fn a_provider_weighing_an_offer_sees_part_of_the_order_and_cannot_cancel_it() {
    let (desk, fake) = desk();
    let provider = ProviderId(Uuid::now_v7());
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    fake.offer(id, provider);
    assert_eq!(run(desk.view(&staff_of(provider), id)).unwrap().seen, Visibility::Partial);
    assert!(matches!(run(desk.cancel(&staff_of(provider), id)), Err(MoveError::NotYours(_))));
    assert!(fake.transitions().is_empty());
}

#[test]
fn only_the_provider_holding_an_order_and_the_communitys_workers_get_the_residents_contact() {
    let (desk, fake) = desk();
    let provider = ProviderId(Uuid::now_v7());
    let offered = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    fake.offer(offered, provider);
    assert_eq!(run(desk.view(&staff_of(provider), offered)).unwrap().contact, None, "not while weighing the offer");
    let held = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Accepted, Some(provider));
    let contact = run(desk.view(&staff_of(provider), held)).unwrap().contact.expect("the holder reaches the resident");
    assert_eq!(contact.phone.as_deref(), Some("13912345678"));
    assert!(run(desk.view(&worker_of(HOME), held)).unwrap().contact.is_some());
}

#[test]
fn the_resident_sees_who_is_coming_only_once_a_provider_accepted() {
    let (desk, fake) = desk();
    let owner = someone(Role::Resident);
    let provider = ProviderId(Uuid::now_v7());
    let offered = fake.order(owner.account, HOME, OrderState::Offered, None);
    fake.offer(offered, provider);
    assert_eq!(run(desk.view(&owner, offered)).unwrap().coming, None, "nobody is coming yet");
    let held = fake.order(owner.account, HOME, OrderState::Accepted, Some(provider));
    let coming = run(desk.view(&owner, held)).unwrap().coming.expect("the resident sees who is coming");
    assert_eq!(coming.organization, "文安路家政服务社");
    assert!(run(desk.view(&worker_of(HOME), held)).unwrap().coming.is_some());
    assert_eq!(run(desk.view(&staff_of(provider), held)).unwrap().coming, None, "the provider knows itself");
}

#[test]
fn a_staff_member_hands_an_accepted_job_to_a_colleague_of_their_own_provider_only() {
    let (desk, fake) = desk();
    let provider = ProviderId(Uuid::now_v7());
    let (me, colleague, stranger) = (staff_of(provider), staff_of(provider), staff_of(ProviderId(Uuid::now_v7())));
    fake.held().staff.push((colleague.account, provider));
    let held = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Accepted, Some(provider));
    let refused = run(desk.hand_over(&me, held, stranger.account));
    assert!(matches!(refused, Err(HandOverError::NotAColleague)), "{refused:?}");
    let by_outsider = run(desk.hand_over(&stranger, held, colleague.account));
    assert!(matches!(by_outsider, Err(HandOverError::Move(MoveError::NotFound))), "{by_outsider:?}");
    assert_eq!(run(desk.hand_over(&me, held, colleague.account)).unwrap().assignee, Some(colleague.account));
    let done = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Completed, Some(provider));
    let late = run(desk.hand_over(&me, done, colleague.account));
    assert!(matches!(late, Err(HandOverError::Move(MoveError::Conflict { .. }))), "{late:?}");
}

#[test]
fn the_resident_and_a_worker_of_the_orders_community_cancel_it() {
    let (desk, fake) = desk();
    let owner = someone(Role::Resident);
    let mine = fake.order(owner.account, HOME, OrderState::Submitted, None);
    assert_eq!(run(desk.cancel(&owner, mine)).unwrap().state, OrderState::Cancelled);
    let theirs = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    assert_eq!(run(desk.cancel(&worker_of(HOME), theirs)).unwrap().state, OrderState::Cancelled);
}

#[test]
fn an_order_in_service_cannot_be_cancelled_and_the_conflict_names_its_state() {
    let (desk, fake) = desk();
    let owner = someone(Role::Resident);
    let id = fake.order(owner.account, HOME, OrderState::InService, Some(ProviderId(Uuid::now_v7())));
    let refused = run(desk.cancel(&owner, id));
    assert!(matches!(refused, Err(MoveError::Conflict { current: OrderState::InService })), "{refused:?}");
}

#[test]
fn a_provider_holding_as_many_jobs_as_it_can_cannot_accept_another() {
    let (desk, fake) = desk();
    let provider = ProviderId(Uuid::now_v7());
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    fake.offer(id, provider);
    fake.held().full.push(provider);
    let refused = run(desk.accept(&staff_of(provider), id));
    assert!(matches!(refused, Err(AcceptError::AtCapacity)), "{refused:?}");
    assert!(fake.transitions().is_empty());
}

#[test]
fn a_provider_declines_its_open_offer_once_with_a_reason_and_the_last_decline_returns_the_order_to_dispatch() {
    let (desk, fake) = desk();
    let (first, second) = (ProviderId(Uuid::now_v7()), ProviderId(Uuid::now_v7()));
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    fake.offer(id, first);
    fake.offer(id, second);
    let declined = run(desk.decline(&staff_of(first), id, Some(JobReason::StaffUnavailable))).unwrap();
    assert_eq!(declined, DeclineOutcome::Declined { returned_to_dispatch: false });
    let again = run(desk.decline(&staff_of(first), id, None));
    assert!(matches!(again, Err(JobError::NoOpenOffer)), "{again:?}");
    let last = run(desk.decline(&staff_of(second), id, Some(JobReason::CannotArriveInTime))).unwrap();
    assert_eq!(last, DeclineOutcome::Declined { returned_to_dispatch: true });
    let reasons = fake.held().decline_reasons.clone();
    assert_eq!(reasons[0], (id, first, Some(JobReason::StaffUnavailable)), "the reason is kept with the decline");
    assert_eq!(reasons[2], (id, second, Some(JobReason::CannotArriveInTime)));
}

#[test]
fn a_provider_holding_an_open_offer_accepts_and_one_never_offered_gets_not_found() {
    let (desk, fake) = desk();
    let (offered, stranger) = (ProviderId(Uuid::now_v7()), ProviderId(Uuid::now_v7()));
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    fake.offer(id, offered);
    assert!(matches!(
        run(desk.accept(&staff_of(stranger), id)),
        Err(AcceptError::Job(JobError::Move(MoveError::NotFound)))
    ));
    let accepted = run(desk.accept(&staff_of(offered), id)).unwrap();
    assert_eq!((accepted.state, accepted.provider), (OrderState::Accepted, Some(offered)));
}

#[test]
fn staff_who_work_for_no_provider_and_residents_cannot_accept() {
    let (desk, fake) = desk();
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    assert!(matches!(
        run(desk.accept(&someone(Role::ProviderStaff), id)),
        Err(AcceptError::Job(JobError::Move(MoveError::NotYours(_))))
    ));
    assert!(matches!(
        run(desk.accept(&someone(Role::Resident), id)),
        Err(AcceptError::Job(JobError::Move(MoveError::NotYours(_))))
    ));
}

#[test]
fn a_provider_accepting_after_another_won_is_told_it_was_taken() {
    let (desk, fake) = desk();
    let (winner, loser) = (ProviderId(Uuid::now_v7()), ProviderId(Uuid::now_v7()));
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    fake.offer(id, winner);
    fake.offer(id, loser);
    run(desk.accept(&staff_of(winner), id)).unwrap();
    assert!(matches!(run(desk.accept(&staff_of(loser), id)), Err(AcceptError::Job(JobError::TakenByAnother))));
}

#[test]
fn only_the_provider_holding_an_order_starts_and_completes_it() {
    let (desk, fake) = desk();
    let (holder, other) = (ProviderId(Uuid::now_v7()), ProviderId(Uuid::now_v7()));
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Accepted, Some(holder));
    fake.offer(id, other);
    assert!(matches!(run(desk.start(&staff_of(other), id, None)), Err(JobError::TakenByAnother)));
    assert_eq!(run(desk.start(&staff_of(holder), id, None)).unwrap().state, OrderState::InService);
    let note = VisitText::parse("已打扫完毕", "note").unwrap();
    assert_eq!(run(desk.complete(&staff_of(holder), id, note, None)).unwrap().state, OrderState::Completed);
}

#[test]
fn only_a_worker_of_the_orders_community_or_an_admin_closes_an_escalated_order() {
    let (desk, fake) = desk();
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Escalated, None);
    let owner_view = worker_of(CommunityId(2));
    assert!(matches!(run(desk.close(&owner_view, id, "无人承接")), Err(MoveError::NotFound)));
    assert!(fake.transitions().is_empty());
    assert_eq!(run(desk.close(&someone(Role::Admin), id, "无人承接")).unwrap().state, OrderState::Cancelled);
    let another = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Escalated, None);
    assert_eq!(run(desk.close(&worker_of(HOME), another, "无人承接")).unwrap().state, OrderState::Cancelled);
}

#[test]
fn an_order_is_assigned_by_hand_only_to_a_provider_that_can_take_it() {
    let (desk, fake) = desk();
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Escalated, None);
    let refused = run(desk.assign(&worker_of(HOME), id, ProviderId(Uuid::now_v7()), "电话联系"));
    assert!(matches!(refused, Err(AssignError::ProviderCannotTake)), "{refused:?}");
    assert!(fake.transitions().is_empty());
}

#[test]
fn the_order_lists_are_each_for_the_roles_they_serve() {
    let (desk, fake) = desk();
    let provider = ProviderId(Uuid::now_v7());
    let resident = someone(Role::Resident);
    fake.order(resident.account, HOME, OrderState::Accepted, Some(provider));
    fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Escalated, None);
    fake.order(AccountId(Uuid::now_v7()), CommunityId(2), OrderState::Escalated, None);
    assert_eq!(run(desk.my_orders(&resident, PageRequest::default())).unwrap().rows.len(), 1);
    assert_eq!(run(desk.my_orders(&staff_of(provider), PageRequest::default())).unwrap().rows.len(), 1);
    assert!(run(desk.my_orders(&someone(Role::ProviderStaff), PageRequest::default())).unwrap().rows.is_empty());
    assert!(matches!(run(desk.my_orders(&worker_of(HOME), PageRequest::default())), Err(ListError::Denied(_))));
    assert_eq!(run(desk.escalations(&worker_of(HOME), PageRequest::default())).unwrap().rows.len(), 1);
    assert_eq!(run(desk.escalations(&someone(Role::Admin), PageRequest::default())).unwrap().rows.len(), 2);
    assert!(matches!(run(desk.escalations(&resident, PageRequest::default())), Err(ListError::Denied(_))));
    assert!(matches!(run(desk.open_offers(&resident, PageRequest::default())), Err(ListError::Denied(_))));
}

#[test]
fn a_caller_who_may_not_see_a_list_is_told_so_whatever_the_page_parameters_say() {
    let (desk, _) = desk();
    let out_of_range = PageRequest::new(Some(500), Some("not-a-cursor"));
    assert!(matches!(run(desk.escalations(&someone(Role::Resident), out_of_range)), Err(ListError::Denied(_))));
    assert!(matches!(run(desk.open_offers(&someone(Role::Resident), out_of_range)), Err(ListError::Denied(_))));
    let refused = run(desk.escalations(&worker_of(HOME), out_of_range));
    assert!(matches!(&refused, Err(ListError::Invalid(i)) if i.field == "limit"), "{refused:?}");
}

#[test]
fn an_order_nobody_eligible_can_take_is_escalated() {
    let (desk, fake) = desk();
    fake.held().items.push(item(15, Category::Cleaning));
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Submitted, None);
    assert_eq!(run(desk.dispatch(id)).unwrap(), DispatchOutcome::Escalated);
    assert_eq!(fake.state_of(id), OrderState::Escalated);
}

#[test]
fn a_high_risk_intake_is_escalated_at_once_without_an_offer() {
    let (desk, fake) = desk();
    fake.held().items.push(item(82, Category::Mediation));
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Submitted, None);
    fake.held().orders.iter_mut().for_each(|o| {
        o.item = ItemId(82);
        o.high_risk = true;
    });
    assert_eq!(run(desk.dispatch(id)).unwrap(), DispatchOutcome::Escalated);
    assert_eq!(fake.transitions(), [OrderAction::Escalate]);
}

#[test]
fn a_repeated_dispatch_of_an_order_already_offered_does_nothing() {
    let (desk, fake) = desk();
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Offered, None);
    assert_eq!(run(desk.dispatch(id)).unwrap(), DispatchOutcome::NothingToDo);
    assert!(fake.transitions().is_empty());
}

#[test]
fn a_workers_list_holds_their_communitys_orders_and_those_they_filed_elsewhere() {
    let (desk, fake) = desk();
    fake.held().items.push(item(15, Category::Cleaning));
    let worker = worker_of(HOME);
    let (here, there) = (someone(Role::Resident), someone(Role::Resident));
    fake.held().residents.extend([here.account, there.account]);
    let own = run(desk.place(&here, new_order(here.account, 15, false), &no_answers())).unwrap().0;
    let filed =
        NewOrder { placed_by: worker.account, community: CommunityId(2), ..new_order(there.account, 15, false) };
    let filed = run(desk.place(&worker, filed, &no_answers())).unwrap().0;
    let stranger = NewOrder { community: CommunityId(2), ..new_order(there.account, 15, false) };
    run(desk.place(&there, stranger, &no_answers())).unwrap();
    let ids = |filter: AreaFilterInput| {
        let page = run(desk.area_orders(&worker, filter, PageRequest::default())).unwrap();
        page.rows.into_iter().map(|r| r.order.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(AreaFilterInput::default()), vec![filed.order().id, own.order().id]);
    assert_eq!(ids(AreaFilterInput { mine: true, ..Default::default() }), vec![filed.order().id]);
    let bad = run(desk.area_orders(
        &worker,
        AreaFilterInput { state: Some("lost".into()), ..Default::default() },
        PageRequest::default(),
    ));
    assert!(matches!(bad, Err(ListError::Invalid(e)) if e.field == "state"));
    let resident = run(desk.area_orders(&here, AreaFilterInput::default(), PageRequest::default()));
    assert!(matches!(resident, Err(ListError::Denied(_))));
}

#[test]
fn the_provider_holding_an_accepted_order_hands_it_back_to_dispatch_before_the_visit() {
    let (desk, fake) = desk();
    let (holder, other) = (ProviderId(Uuid::now_v7()), ProviderId(Uuid::now_v7()));
    let id = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::Accepted, Some(holder));
    let refused = run(desk.hand_back(&staff_of(other), id, JobReason::StaffUnavailable));
    assert!(refused.is_err(), "only the holder hands it back");
    let back = run(desk.hand_back(&staff_of(holder), id, JobReason::StaffUnavailable)).unwrap();
    assert_eq!((back.state, back.provider), (OrderState::Submitted, None));
    let started = fake.order(AccountId(Uuid::now_v7()), HOME, OrderState::InService, Some(holder));
    let too_late = run(desk.hand_back(&staff_of(holder), started, JobReason::Other));
    assert!(matches!(too_late, Err(JobError::Move(MoveError::Conflict { .. }))), "{too_late:?}");
}
