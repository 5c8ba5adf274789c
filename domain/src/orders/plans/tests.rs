//! Care plans: the dates a rule gives (weekdays, monthly, paused, skipped, moved), and the use cases over the
//! fakes: a plan places its coming week with a place held for each visit, is refused naming every full date,
//! is paused, skipped, moved and cancelled with its placed visits following, is extended as days pass, and
//! keeps the provider who took its latest visit.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};

use super::*;
use crate::accounts::{Actor, Role};
use crate::catalog::questions::RawAnswers;
use crate::catalog::{CatalogItem, Category, Questions};
use crate::dispatch::rules::tests::candidate;
use crate::dispatch::{Candidate, WorkingHours};
use crate::orders::testing::{FakeOrders, desk_at, run, someone};
use crate::orders::{Address, DispatchOutcome, NewOrder, Notes, Order, OrderState, Schedule};
use crate::paging::PageRequest;
use crate::volunteering::recurrence::Recurrence;

const HOME: CommunityId = CommunityId(1);

fn day(month: u32, d: u32) -> NaiveDate {
    let year = if month == 12 { 2026 } else { 2027 };
    NaiveDate::from_ymd_opt(year, month, d).unwrap()
}

fn at(month: u32, d: u32, h: u32) -> DateTime<Utc> {
    let year = if month == 12 { 2026 } else { 2027 };
    FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(year, month, d, h, 0, 0).unwrap().with_timezone(&Utc)
}

/// Monday 2026-12-07, 08:00 in Shanghai.
fn now() -> DateTime<Utc> {
    at(12, 7, 8)
}

fn eleven() -> NaiveTime {
    NaiveTime::from_hms_opt(11, 0, 0).unwrap()
}

/// Weekday lunches at 11:00 for four weeks from Tuesday 2026-12-08.
fn weekday_lunches() -> PlanRules {
    PlanRules {
        repeat: Repeat::Weekly(Weekdays::parse(&[1, 2, 3, 4, 5], "weekdays").unwrap()),
        time: eleven(),
        start: day(12, 8),
        end: Some(day(1, 4)),
        pauses: Vec::new(),
        skips: Vec::new(),
        changes: Vec::new(),
    }
}

fn dates(rules: &PlanRules, from: NaiveDate, through: NaiveDate) -> Vec<NaiveDate> {
    rules.occurrences(from, through).iter().map(|o| o.date).collect()
}

#[test]
fn a_weekday_plan_falls_on_each_weekday_between_its_start_and_end() {
    let rules = weekday_lunches();
    let all = dates(&rules, day(12, 1), day(1, 31));
    assert_eq!(all.len(), 20, "four weeks of five weekdays: {all:?}");
    assert_eq!((all[0], all[19]), (day(12, 8), day(1, 4)));
    assert!(all.iter().all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)));
}

#[test]
fn a_monthly_plan_falls_on_its_day_and_on_the_last_day_of_a_shorter_month() {
    let rules = PlanRules {
        repeat: Repeat::Monthly(Recurrence::monthly_on_day(31).unwrap()),
        end: None,
        start: day(12, 8),
        ..weekday_lunches()
    };
    assert_eq!(dates(&rules, day(12, 1), day(2, 28)), vec![day(12, 31), day(1, 31), day(2, 28)]);
}

#[test]
fn paused_and_skipped_dates_have_no_visit_and_a_new_time_applies_from_its_date_on() {
    let mut rules = weekday_lunches();
    rules.pauses.push(Pause { from: day(12, 14), until: day(12, 18) });
    rules.skips.push(day(12, 22));
    rules.changes.push(TimeChange { from: day(12, 29), time: NaiveTime::from_hms_opt(12, 0, 0).unwrap() });
    let visits = rules.occurrences(day(12, 8), day(1, 4));
    assert_eq!(visits.len(), 20 - 5 - 1);
    assert!(visits.iter().all(|o| !(day(12, 14)..=day(12, 18)).contains(&o.date) && o.date != day(12, 22)));
    let moved: Vec<_> = visits.iter().filter(|o| o.date >= day(12, 29)).collect();
    assert!(moved.iter().all(|o| o.time.format("%H:%M").to_string() == "12:00" && o.version == 1));
    assert!(visits.iter().filter(|o| o.date < day(12, 29)).all(|o| o.time == eleven() && o.version == 0));
    assert_eq!(rules.off(day(12, 15)), Some(Off::Paused));
    assert_eq!(rules.off(day(12, 22)), Some(Off::Skipped));
}

#[test]
fn a_visit_moved_to_another_time_has_another_key_than_the_one_it_replaces() {
    let plan = CarePlanId(uuid::Uuid::nil());
    let before = Occurrence { date: day(12, 29), time: eleven(), version: 0 };
    let after = Occurrence { version: 1, ..before };
    assert_ne!(before.key(plan), after.key(plan));
    assert!(crate::orders::IdempotencyKey::parse(&before.key(plan)).is_ok(), "an order takes it as its key");
}

#[test]
fn repeat_rules_read_back_what_they_wrote() {
    for raw in ["weekly:1,3,5", "monthly_day:5", "monthly_weekday:2:6", "monthly_weekday:-1:7"] {
        let repeat = Repeat::try_from(raw.to_owned()).unwrap();
        assert_eq!(String::from(repeat), raw);
    }
    assert!(Repeat::try_from("once".to_owned()).is_err());
    assert!(Repeat::try_from("weekly:8".to_owned()).is_err());
    assert!(Weekdays::parse(&[], "weekdays").is_err_and(|e| e.field == "weekdays"));
}

#[test]
fn a_repeat_rule_as_typed_is_refused_naming_the_part_at_fault() {
    let typed = |kind: &str| RepeatInput { kind: kind.into(), ..RepeatInput::default() };
    assert_eq!(typed("weekly").parse().unwrap_err().field, "repeat.weekdays");
    assert_eq!(typed("monthly_day").parse().unwrap_err().field, "repeat.day");
    assert_eq!(
        RepeatInput { nth: Some(5), weekday: Some(6), ..typed("monthly_weekday") }.parse().unwrap_err().field,
        "repeat.nth"
    );
    assert_eq!(typed("daily").parse().unwrap_err().field, "repeat.kind");
    let lunches = RepeatInput { weekdays: vec![1, 2, 3, 4, 5], ..typed("weekly") }.parse().unwrap();
    assert_eq!(String::from(lunches), "weekly:1,2,3,4,5");
    assert_eq!(parse_time("11:30", "time").unwrap(), NaiveTime::from_hms_opt(11, 30, 0).unwrap());
    assert_eq!(parse_time("25:00", "time").unwrap_err().field, "time");
}

fn lunches_item() -> CatalogItem {
    CatalogItem::sample(15, "老年助餐", Category::Meals)
}

/// A kitchen near the community and one a little further, each with one team working 09:00–17:00.
fn two_kitchens() -> FakeOrders {
    let fake = FakeOrders::default();
    let hours = WorkingHours::daily(9 * 60, 17 * 60).unwrap();
    fake.held().items.push(lunches_item());
    fake.held().candidates.push(Candidate { capacity: 1, hours: hours.clone(), ..candidate(1) });
    let further = crate::geo::GeoPoint::parse(41.83, 123.40).unwrap();
    fake.held().candidates.push(Candidate { capacity: 1, hours, location: further, ..candidate(2) });
    fake
}

fn resident() -> Actor {
    someone(Role::Resident)
}

fn new_plan(resident: &Actor, rules: PlanRules) -> NewPlan {
    NewPlan {
        resident: resident.account,
        item: ItemId(15),
        community: HOME,
        address: Address::parse("文安路12号3单元502").unwrap(),
        location: crate::geo::GeoPoint::parse(41.80, 123.40).unwrap(),
        notes: Notes::parse("少盐").unwrap(),
        rules,
    }
}

fn create(fake: &FakeOrders, who: &Actor, plan: NewPlan) -> Result<PlanDetail, PlanError> {
    run(desk_at(now(), fake).create_plan(who, plan, &RawAnswers::new()))
}

fn orders_of(fake: &FakeOrders, plan: CarePlanId) -> Vec<Order> {
    let mut orders: Vec<Order> = fake.held().orders.iter().filter(|o| o.plan == Some(plan)).cloned().collect();
    orders.sort_by_key(start_of);
    orders
}

fn start_of(order: &Order) -> DateTime<Utc> {
    match order.schedule {
        Schedule::Window(w) => w.start(),
        Schedule::Asap => order.placed_at,
    }
}

fn live(orders: &[Order]) -> Vec<DateTime<Utc>> {
    orders.iter().filter(|o| o.state != OrderState::Cancelled).map(start_of).collect()
}

#[test]
fn a_new_plan_places_its_coming_week_of_visits_as_orders_of_the_plan() {
    let fake = two_kitchens();
    let me = resident();
    let detail = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap();
    let orders = orders_of(&fake, detail.plan.id);
    let expected: Vec<_> = [(12, 8), (12, 9), (12, 10), (12, 11), (12, 14)].map(|(m, d)| at(m, d, 11)).to_vec();
    assert_eq!(live(&orders), expected);
    assert!(orders.iter().all(|o| o.resident == me.account && o.state == OrderState::Submitted));
    assert!(orders.iter().all(|o| o.notes == "少盐" && o.address == "文安路12号3单元502"), "each visit carries them");
    assert_eq!(detail.plan.placed_through, Some(day(12, 14)));
    assert_eq!(detail.days.len(), 19, "four weeks from today show every visit but the last, on 4 January");
    assert_eq!(detail.days.iter().filter(|d| d.state == PlannedDayState::Placed).count(), 5);
    assert_eq!(detail.days[5].state, PlannedDayState::Upcoming);
}

#[test]
fn a_plan_is_refused_naming_every_date_of_its_first_days_whose_time_is_full() {
    let fake = two_kitchens();
    let neighbour = resident();
    // Both kitchens are taken at 11:00 on Thursday and Friday.
    for d in [10, 11] {
        for _ in 0..2 {
            let window = crate::time::TimeWindow::from_stored(at(12, d, 11), at(12, d, 12));
            let other = NewOrder { schedule: Schedule::Window(window), ..booking(&neighbour) };
            run(desk_at(now(), &fake).place(&neighbour, other, &RawAnswers::new())).unwrap();
        }
    }
    let me = resident();
    let Err(PlanError::SlotsFull(full)) = create(&fake, &me, new_plan(&me, weekday_lunches())) else {
        panic!("Thursday and Friday are full");
    };
    assert_eq!(full.iter().map(|f| f.date).collect::<Vec<_>>(), vec![day(12, 10), day(12, 11)]);
    assert!(full.iter().all(|f| !f.alternatives.is_empty()));
    assert!(fake.held().plans.is_empty(), "nothing is kept of a refused plan");
    let skipping = PlanRules { skips: vec![day(12, 10), day(12, 11)], ..weekday_lunches() };
    assert!(create(&fake, &me, new_plan(&me, skipping)).is_ok(), "skipping the full days, it goes in");
}

fn booking(who: &Actor) -> NewOrder {
    let plan = new_plan(who, weekday_lunches());
    NewOrder {
        resident: who.account,
        placed_by: who.account,
        item: plan.item,
        community: plan.community,
        address: plan.address,
        location: plan.location,
        schedule: Schedule::Asap,
        notes: plan.notes,
        idempotency_key: None,
        accept_by: None,
        high_risk: false,
        answers: Default::default(),
        asked: Questions::default(),
        slot: None,
        plan: None,
        preferred: None,
    }
}

#[test]
fn a_new_plans_dates_are_checked_naming_the_field_at_fault() {
    let fake = two_kitchens();
    let me = resident();
    let field = |rules: PlanRules| match create(&fake, &me, new_plan(&me, rules)) {
        Err(PlanError::Invalid(i)) => i.field,
        other => panic!("refused, not {other:?}"),
    };
    assert_eq!(field(PlanRules { start: day(12, 6), ..weekday_lunches() }), "start_date");
    assert_eq!(field(PlanRules { end: Some(day(12, 7)), ..weekday_lunches() }), "end_date");
    assert_eq!(field(PlanRules { skips: vec![day(1, 20)], ..weekday_lunches() }), "skip_dates[0]");
    let weekend = Repeat::Weekly(Weekdays::parse(&[6], "weekdays").unwrap());
    assert_eq!(field(PlanRules { repeat: weekend, end: Some(day(12, 11)), ..weekday_lunches() }), "repeat");
}

#[test]
fn a_worker_sets_up_a_plan_for_a_resident_of_any_community_and_follows_it() {
    let fake = two_kitchens();
    let aunt = resident();
    fake.held().residents.push(aunt.account);
    let worker = Actor { community: Some(HOME), ..someone(Role::CommunityWorker) };
    let filed = create(&fake, &worker, new_plan(&aunt, weekday_lunches())).unwrap();
    assert_eq!((filed.plan.resident, filed.plan.filed_by), (aunt.account, worker.account));
    assert!(orders_of(&fake, filed.plan.id).iter().all(|o| o.placed_by == worker.account));
    let elsewhere = Actor { community: Some(CommunityId(2)), ..someone(Role::CommunityWorker) };
    let theirs = create(&fake, &elsewhere, new_plan(&aunt, weekday_lunches())).unwrap().plan.id;
    let desk = desk_at(now(), &fake);
    assert!(run(desk.care_plan(&elsewhere, theirs)).is_ok(), "the worker who set it up follows it");
    let listed = run(desk.care_plans(&elsewhere, PageRequest::default())).unwrap();
    assert_eq!(listed.rows.iter().map(|p| p.plan.id).collect::<Vec<_>>(), vec![theirs]);
    let colleague = Actor { community: Some(CommunityId(2)), ..someone(Role::CommunityWorker) };
    assert!(matches!(run(desk.care_plan(&colleague, theirs)), Err(PlanError::NotFound)));
    let not_a_resident = create(&fake, &worker, new_plan(&worker, weekday_lunches()));
    assert!(matches!(not_a_resident, Err(PlanError::NotAResident)));
    let neighbour = resident();
    assert!(matches!(create(&fake, &neighbour, new_plan(&aunt, weekday_lunches())), Err(PlanError::NotYours(_))));
}

#[test]
fn pausing_cancels_the_visits_placed_for_those_days_and_none_is_placed_there_later() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let paused = run(desk_at(now(), &fake).pause_plan(&me, plan, day(12, 10), day(12, 16))).unwrap();
    let on = |d: u32| paused.days.iter().find(|x| x.date == day(12, d)).unwrap().state;
    assert_eq!(
        (on(9), on(10), on(14), on(16), on(17)),
        (
            PlannedDayState::Placed,
            PlannedDayState::Paused,
            PlannedDayState::Paused,
            PlannedDayState::Paused,
            PlannedDayState::Upcoming
        )
    );
    assert_eq!(live(&orders_of(&fake, plan)), vec![at(12, 8, 11), at(12, 9, 11)]);
    // A week later the horizon reaches to the 21st: the 17th, 18th and 21st are placed, the paused days not.
    assert_eq!(run(desk_at(at(12, 14, 8), &fake).extend_plans()).unwrap(), 3);
    let later = live(&orders_of(&fake, plan));
    assert_eq!(later[2..], [at(12, 17, 11), at(12, 18, 11), at(12, 21, 11)]);
}

#[test]
fn skipping_a_date_cancels_its_visit_and_a_day_the_plan_does_not_visit_is_refused() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let desk = desk_at(now(), &fake);
    run(desk.skip_plan_date(&me, plan, day(12, 9))).unwrap();
    assert!(!live(&orders_of(&fake, plan)).contains(&at(12, 9, 11)));
    let saturday = run(desk.skip_plan_date(&me, plan, day(12, 12))).unwrap_err();
    assert!(matches!(saturday, PlanError::Invalid(ref i) if i.field == "date"), "{saturday:?}");
    let past = run(desk.skip_plan_date(&me, plan, day(12, 4))).unwrap_err();
    assert!(matches!(past, PlanError::Invalid(ref i) if i.code == "in_past"), "{past:?}");
}

#[test]
fn a_new_time_from_a_date_on_moves_the_visits_placed_from_that_date_but_not_one_begun() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    // The 10th's visit is under way already (a kitchen came early): it stays, and no second one is placed.
    let begun = orders_of(&fake, plan)[2].id;
    fake.held().orders.iter_mut().filter(|o| o.id == begun).for_each(|o| o.state = OrderState::InService);
    let bad = run(desk_at(now(), &fake).change_plan_time(&me, plan, day(12, 10), "noon")).unwrap_err();
    assert!(matches!(bad, PlanError::Invalid(ref i) if i.field == "time"), "{bad:?}");
    run(desk_at(now(), &fake).change_plan_time(&me, plan, day(12, 10), "12:00")).unwrap();
    let expected = vec![at(12, 8, 11), at(12, 9, 11), at(12, 10, 11), at(12, 11, 12), at(12, 14, 12)];
    assert_eq!(live(&orders_of(&fake, plan)), expected);
    let cancelled = orders_of(&fake, plan).iter().filter(|o| o.state == OrderState::Cancelled).count();
    assert_eq!(cancelled, 2, "the two visits at 11:00 not begun from the 10th on");
    // The same time again changes nothing.
    let again = run(desk_at(now(), &fake).change_plan_time(&me, plan, day(12, 10), "12:00")).unwrap();
    assert_eq!((again.plan.revision, again.plan.rules.changes.len()), (1, 1));
    assert_eq!(orders_of(&fake, plan).len(), 7);
}

#[test]
fn a_new_time_that_is_full_on_some_day_is_refused_naming_it() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let neighbour = resident();
    for _ in 0..2 {
        let window = crate::time::TimeWindow::from_stored(at(12, 11, 14), at(12, 11, 15));
        let other = NewOrder { schedule: Schedule::Window(window), ..booking(&neighbour) };
        run(desk_at(now(), &fake).place(&neighbour, other, &RawAnswers::new())).unwrap();
    }
    let Err(PlanError::SlotsFull(full)) = run(desk_at(now(), &fake).change_plan_time(&me, plan, day(12, 10), "14:00"))
    else {
        panic!("both kitchens are taken at 14:00 on the 11th");
    };
    assert_eq!(full.iter().map(|f| f.date).collect::<Vec<_>>(), vec![day(12, 11)]);
    assert!(fake.held().plans[0].rules.changes.is_empty(), "nothing was changed");
    assert_eq!(live(&orders_of(&fake, plan)).len(), 5);
}

#[test]
fn a_job_that_read_the_plan_before_a_pause_leaves_no_visit_on_the_paused_days() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let monday = at(12, 14, 8);
    // The job reads the plan; the resident pauses the next week before it places anything.
    let stale = fake.held().plans[0].clone();
    run(desk_at(monday, &fake).pause_plan(&me, plan, day(12, 15), day(12, 18))).unwrap();
    let item = lunches_item();
    run(desk_at(monday, &fake).extend_plan(&stale, &item, monday)).unwrap();
    let placed = live(&orders_of(&fake, plan));
    assert!(!placed.iter().any(|t| (at(12, 15, 0)..at(12, 19, 0)).contains(t)), "{placed:?}");
    assert!(placed.contains(&at(12, 21, 11)), "the day after the pause is placed");
}

#[test]
fn cancelling_the_rest_ends_the_plan_and_cancels_its_later_visits() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let desk = desk_at(now(), &fake);
    let ended = run(desk.cancel_plan(&me, plan, Some(day(12, 10)))).unwrap();
    assert_eq!(ended.plan.rules.end, Some(day(12, 9)));
    assert_eq!(live(&orders_of(&fake, plan)), vec![at(12, 8, 11), at(12, 9, 11)]);
    assert_eq!(run(desk_at(at(12, 14, 8), &fake).extend_plans()).unwrap(), 0);
    let too_late = run(desk_at(at(12, 10, 8), &fake).skip_plan_date(&me, plan, day(12, 10))).unwrap_err();
    assert!(matches!(too_late, PlanError::Ended), "{too_late:?}");
}

#[test]
fn extending_again_places_no_visit_twice() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let desk = desk_at(at(12, 9, 8), &fake);
    assert_eq!(run(desk.extend_plans()).unwrap(), 2, "the 15th and 16th");
    // A second process extending the same plan from where it stood.
    fake.held().plans.iter_mut().for_each(|p| p.placed_through = Some(day(12, 14)));
    assert_eq!(run(desk.extend_plans()).unwrap(), 0);
    assert_eq!(orders_of(&fake, plan).len(), 7);
}

#[test]
fn a_later_visit_goes_first_to_whoever_took_the_latest_one_when_they_can() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let further = candidate(2).id;
    // The further kitchen took the first week's visits.
    for o in fake.held().orders.iter_mut().filter(|o| o.plan == Some(plan)) {
        (o.state, o.provider) = (OrderState::Accepted, Some(further));
    }
    let desk = desk_at(at(12, 14, 8), &fake);
    run(desk.extend_plans()).unwrap();
    let next = orders_of(&fake, plan).into_iter().find(|o| o.state == OrderState::Submitted).unwrap();
    assert_eq!(next.preferred, Some(further));
    assert_eq!(run(desk.dispatch(next.id)).unwrap(), DispatchOutcome::Offered(vec![further]));
    // Without that, the nearer kitchen ranks first.
    let fresh = two_kitchens();
    let other = resident();
    let first = create(&fresh, &other, new_plan(&other, weekday_lunches())).unwrap().plan.id;
    let id = orders_of(&fresh, first)[0].id;
    assert_eq!(run(desk_at(now(), &fresh).dispatch(id)).unwrap(), DispatchOutcome::Offered(vec![candidate(1).id]));
}

#[test]
fn nobody_but_the_resident_and_their_communitys_workers_sees_or_changes_a_plan() {
    let fake = two_kitchens();
    let me = resident();
    let plan = create(&fake, &me, new_plan(&me, weekday_lunches())).unwrap().plan.id;
    let desk = desk_at(now(), &fake);
    for stranger in [
        resident(),
        someone(Role::ProviderStaff),
        Actor { community: Some(CommunityId(2)), ..someone(Role::CommunityWorker) },
    ] {
        assert!(matches!(run(desk.care_plan(&stranger, plan)), Err(PlanError::NotFound)));
        assert!(matches!(run(desk.skip_plan_date(&stranger, plan, day(12, 9))), Err(PlanError::NotFound)));
    }
    let worker = Actor { community: Some(HOME), ..someone(Role::CommunityWorker) };
    assert!(run(desk.skip_plan_date(&worker, plan, day(12, 9))).is_ok());
    let admin = someone(Role::Admin);
    assert!(run(desk.care_plan(&admin, plan)).is_ok());
    assert!(matches!(run(desk.skip_plan_date(&admin, plan, day(12, 10))), Err(PlanError::NotYours(_))));
}
