//! Who may do what in volunteering, and the rules the use cases apply before any port is called: each test
//! runs one use case against the in-memory fake with a fixed clock.
//!
//! Longer than our usual 400 lines on purpose: the six areas' tests share their fixtures (a community, its
//! worker, a member with a registration, an event with shifts), and are kept in the order of the desk's
//! modules rather than repeat those fixtures in six files.

use crate::paging::PageRequest;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use futures_util::FutureExt;
use uuid::Uuid;

use super::*;
use crate::accounts::AccountId;
use crate::clock::FixedClock;
use crate::notifications::LiveKind;
use crate::time::TimeWindow;
use crate::volunteering::errors::{
    AttendanceFailure, BookingError, DecideError, DeskError, EventError, ProblemError, RegisterError,
};
use crate::volunteering::pairing::ProblemAction;
use crate::volunteering::registration::Decision;
use crate::volunteering::testing::FakeVolunteering;
use crate::volunteering::{ProblemId, ShiftId};

type Desk = VolunteerDesk<FakeVolunteering, FakeVolunteering, FixedClock, FakeVolunteering>;

/// 2026-12-01 10:00 in Shanghai.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
}

fn desk() -> (Desk, FakeVolunteering) {
    let fake = FakeVolunteering::default();
    (VolunteerDesk::new(fake.clone(), fake.clone(), FixedClock(now()), fake.clone()), fake)
}

/// The fake answers at once; nothing here waits.
fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fake never waits")
}

const HOME: CommunityId = CommunityId(1);
const ELSEWHERE: CommunityId = CommunityId(2);

fn actor(role: Role, community: Option<CommunityId>) -> Actor {
    Actor { account: AccountId(Uuid::now_v7()), role, provider: None, community, street: None }
}

fn worker() -> Actor {
    actor(Role::CommunityWorker, Some(HOME))
}

fn worker_elsewhere() -> Actor {
    actor(Role::CommunityWorker, Some(ELSEWHERE))
}

fn admin() -> Actor {
    actor(Role::Admin, None)
}

fn member() -> Actor {
    actor(Role::PartyMember, Some(HOME))
}

fn resident() -> Actor {
    actor(Role::Resident, Some(HOME))
}

fn tomorrow_morning() -> TimeWindow {
    TimeWindow::from_stored(now() + TimeDelta::hours(24), now() + TimeDelta::hours(26))
}

fn one_shift_event(first_date: NaiveDate) -> EventInput {
    EventInput {
        title: "共产党员社区奉献日".into(),
        description: String::new(),
        dedication_day: true,
        recurrence: RecurrenceInput { kind: "monthly_day".into(), day: Some(5), ..Default::default() },
        first_date,
        until: None,
        shifts: vec![ShiftPlanInput {
            title: "义务清扫".into(),
            start: "09:00".into(),
            end: "11:00".into(),
            place: "党群服务中心".into(),
            capacity: 20,
            skills: Vec::new(),
            members_only: true,
        }],
    }
}

fn denied<T: std::fmt::Debug, E: std::fmt::Debug>(r: Result<T, E>) -> String {
    format!("{:?}", r.expect_err("the use case should refuse"))
}

// Registration (报到)

#[test]
fn only_a_party_member_registers_with_a_community() {
    let (desk, fake) = desk();
    let refused = run(desk.register(&resident(), HOME, None, &[]));
    assert!(matches!(refused, Err(RegisterError::Denied(_))), "{refused:?}");
    assert!(fake.writes().is_empty());
    assert!(run(desk.register(&member(), HOME, None, &["理发".into()])).is_ok());
}

#[test]
fn a_registration_with_a_blank_skill_names_the_skills_field() {
    let (desk, fake) = desk();
    let refused = run(desk.register(&member(), HOME, None, &["  ".into()]));
    assert!(matches!(&refused, Err(RegisterError::Invalid(i)) if i.field == "skills"), "{refused:?}");
    assert!(fake.writes().is_empty());
}

#[test]
fn a_worker_of_another_community_cannot_decide_a_registration() {
    let (desk, fake) = desk();
    let id = fake.pending_registration(AccountId(Uuid::now_v7()), HOME);
    let refused = run(desk.decide_registration(&worker_elsewhere(), id, Decision::Confirm, None));
    assert!(matches!(refused, Err(DecideError::Denied(_))), "{refused:?}");
    assert!(fake.writes().is_empty());
}

#[test]
fn confirming_a_registration_forgets_the_members_cached_account() {
    let (desk, fake) = desk();
    let person = AccountId(Uuid::now_v7());
    let id = fake.pending_registration(person, HOME);
    let decided = run(desk.decide_registration(&worker(), id, Decision::Confirm, None)).unwrap();
    assert_eq!(decided.account, person);
    assert_eq!(fake.held().forgotten, vec![person]);
}

#[test]
fn a_rejection_note_over_500_characters_is_refused_before_anything_is_read() {
    let (desk, fake) = desk();
    let id = fake.pending_registration(AccountId(Uuid::now_v7()), HOME);
    let long = "很".repeat(501);
    let refused = run(desk.decide_registration(&worker(), id, Decision::Reject, Some(&long)));
    assert!(matches!(&refused, Err(DecideError::Invalid(i)) if i.field == "note"), "{refused:?}");
}

#[test]
fn only_the_communitys_organizers_list_its_registrations() {
    let (desk, _) = desk();
    for outsider in [worker_elsewhere(), member(), resident()] {
        let refused = run(desk.community_registrations(&outsider, HOME, None, PageRequest::default()));
        assert!(matches!(refused, Err(DeskError::Denied(_))), "{:?}: {refused:?}", outsider.role);
    }
    assert!(run(desk.community_registrations(&worker(), HOME, Some("pending"), PageRequest::default())).is_ok());
    assert!(run(desk.community_registrations(&admin(), HOME, None, PageRequest::default())).is_ok());
}

#[test]
fn an_unknown_registration_state_is_a_malformed_parameter() {
    let (desk, _) = desk();
    let refused = run(desk.community_registrations(&worker(), HOME, Some("waiting"), PageRequest::default()));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "state" && i.code == "invalid_field"));
}

#[test]
fn only_party_members_have_registrations_of_their_own() {
    let (desk, _) = desk();
    denied(run(desk.my_registrations(&resident())));
    assert!(run(desk.my_registrations(&member())).is_ok());
}

// Branches and problems (三联)

#[test]
fn only_admins_add_branches_and_pair_them() {
    let (desk, fake) = desk();
    let branch = BranchId(Uuid::now_v7());
    for someone in [worker(), member(), resident()] {
        denied(run(desk.create_branch(&someone, "市民政局机关党支部", "沈阳市民政局")));
        denied(run(desk.pair(&someone, branch, HOME)));
        denied(run(desk.unpair(&someone, branch, HOME)));
    }
    assert!(fake.writes().is_empty());
    run(desk.pair(&admin(), branch, HOME)).unwrap();
    run(desk.unpair(&admin(), branch, HOME)).unwrap();
    assert_eq!(fake.writes(), ["pair", "unpair"]);
}

#[test]
fn unpairing_what_was_never_paired_is_not_found() {
    let (desk, _) = desk();
    let refused = run(desk.unpair(&admin(), BranchId(Uuid::now_v7()), HOME));
    assert!(matches!(refused, Err(DeskError::NotFound("pairing"))), "{refused:?}");
}

#[test]
fn only_the_communitys_organizers_post_its_problems() {
    let (desk, fake) = desk();
    let refused = run(desk.post_problem(&worker_elsewhere(), HOME, "楼道堆物", "三号楼楼道长期堆放杂物"));
    assert!(matches!(refused, Err(ProblemError::Denied(_))), "{refused:?}");
    assert!(fake.writes().is_empty());
    assert!(run(desk.post_problem(&worker(), HOME, "楼道堆物", "三号楼楼道长期堆放杂物")).is_ok());
}

#[test]
fn a_problem_title_over_100_characters_names_the_title() {
    let (desk, _) = desk();
    let refused = run(desk.post_problem(&worker(), HOME, &"长".repeat(101), "细节"));
    assert!(matches!(&refused, Err(ProblemError::Invalid(i)) if i.field == "title"), "{refused:?}");
}

#[test]
fn a_communitys_worker_sees_all_its_problems_and_a_paired_member_sees_their_branchs_view() {
    let (desk, fake) = desk();
    let branch = BranchId(Uuid::now_v7());
    let paired = member();
    fake.confirmed_member(paired.account, HOME, Some(branch));
    fake.held().pairings.push((branch, HOME));
    run(desk.community_problems(&worker(), HOME, PageRequest::default())).unwrap();
    run(desk.community_problems(&paired, HOME, PageRequest::default())).unwrap();
    let lists = fake.held().lists.clone();
    assert_eq!(lists, [format!("Community({HOME:?})"), format!("BranchIn({branch:?}, {HOME:?})")]);
}

#[test]
fn a_member_of_an_unpaired_branch_and_a_resident_see_no_problems_of_the_community() {
    let (desk, fake) = desk();
    let unpaired = member();
    fake.confirmed_member(unpaired.account, HOME, Some(BranchId(Uuid::now_v7())));
    denied(run(desk.community_problems(&unpaired, HOME, PageRequest::default())));
    denied(run(desk.community_problems(&resident(), HOME, PageRequest::default())));
    denied(run(desk.community_problems(&worker_elsewhere(), HOME, PageRequest::default())));
}

#[test]
fn only_a_branchs_own_members_and_admins_see_its_problems() {
    let (desk, fake) = desk();
    let branch = BranchId(Uuid::now_v7());
    let own = member();
    fake.confirmed_member(own.account, HOME, Some(branch));
    assert!(run(desk.branch_problems(&own, branch, PageRequest::default())).is_ok());
    assert!(run(desk.branch_problems(&admin(), branch, PageRequest::default())).is_ok());
    denied(run(desk.branch_problems(&member(), branch, PageRequest::default())));
    denied(run(desk.branch_problems(&worker(), branch, PageRequest::default())));
}

#[test]
fn a_member_acts_on_a_problem_for_the_branch_of_their_confirmed_registration() {
    let (desk, fake) = desk();
    let branch = BranchId(Uuid::now_v7());
    let own = member();
    fake.confirmed_member(own.account, HOME, Some(branch));
    let problem = run(desk.post_problem(&worker(), HOME, "楼道堆物", "三号楼")).unwrap();
    let taken = run(desk.act_on_problem(&own, problem.id, ProblemAction::Take, None)).unwrap();
    assert_eq!(taken.branch, Some(branch));
}

#[test]
fn a_member_without_a_branch_and_a_worker_cannot_act_on_a_problem() {
    let (desk, fake) = desk();
    let branchless = member();
    fake.confirmed_member(branchless.account, HOME, None);
    let id = ProblemId(Uuid::now_v7());
    let refused = run(desk.act_on_problem(&branchless, id, ProblemAction::Take, None));
    assert!(matches!(refused, Err(ProblemError::Denied(_))), "{refused:?}");
    let refused = run(desk.act_on_problem(&worker(), id, ProblemAction::Take, None));
    assert!(matches!(refused, Err(ProblemError::Denied(_))), "{refused:?}");
    assert!(fake.writes().is_empty());
}

// Events and shifts

#[test]
fn only_the_communitys_organizers_create_its_events() {
    let (desk, fake) = desk();
    let first = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    for outsider in [worker_elsewhere(), member(), resident()] {
        let refused = run(desk.create_event(&outsider, HOME, one_shift_event(first)));
        assert!(matches!(refused, Err(EventError::Denied(_))), "{:?}: {refused:?}", outsider.role);
    }
    assert!(fake.writes().is_empty());
    assert!(run(desk.create_event(&worker(), HOME, one_shift_event(first))).is_ok());
    assert!(run(desk.create_event(&admin(), HOME, one_shift_event(first))).is_ok());
}

#[test]
fn an_event_starting_yesterday_in_shanghai_is_refused_naming_first_date() {
    let (desk, _) = desk();
    let yesterday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let refused = run(desk.create_event(&worker(), HOME, one_shift_event(yesterday)));
    assert!(matches!(&refused, Err(EventError::Invalid(i)) if i.field == "first_date" && i.code == "date_in_past"));
}

#[test]
fn an_event_starting_more_than_two_years_ahead_is_refused() {
    let (desk, _) = desk();
    let far = NaiveDate::from_ymd_opt(2028, 12, 2).unwrap();
    let refused = run(desk.create_event(&worker(), HOME, one_shift_event(far)));
    assert!(matches!(&refused, Err(EventError::Invalid(i)) if i.code == "date_too_far"), "{refused:?}");
}

#[test]
fn a_bad_shift_in_the_plan_is_named_by_its_position_and_field() {
    let (desk, _) = desk();
    let mut input = one_shift_event(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
    input.shifts[0].end = "08:00".into();
    let refused = run(desk.create_event(&worker(), HOME, input));
    assert!(matches!(&refused, Err(EventError::Invalid(i)) if i.field == "shifts[0].end"), "{refused:?}");
}

#[test]
fn a_monthly_rule_without_its_day_names_recurrence_day() {
    let (desk, _) = desk();
    let mut input = one_shift_event(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
    input.recurrence.day = None;
    let refused = run(desk.create_event(&worker(), HOME, input));
    assert!(matches!(&refused, Err(EventError::Invalid(i)) if i.field == "recurrence.day"), "{refused:?}");
}

#[test]
fn only_the_events_organizers_move_or_call_off_its_dates() {
    let (desk, fake) = desk();
    let (_, occurrence) = fake.shift_in(HOME, tomorrow_morning());
    let call_off = || OccurrenceInput { cancelled: Some(true), ..Default::default() };
    let refused = run(desk.change_occurrence(&worker_elsewhere(), occurrence, call_off()));
    assert!(matches!(refused, Err(EventError::Denied(_))), "{refused:?}");
    assert!(fake.writes().is_empty());
    assert!(run(desk.change_occurrence(&worker(), occurrence, call_off())).unwrap().cancelled);
}

#[test]
fn a_date_moved_more_than_two_years_ahead_names_the_date() {
    let (desk, fake) = desk();
    let (_, occurrence) = fake.shift_in(HOME, tomorrow_morning());
    let far = OccurrenceInput { date: NaiveDate::from_ymd_opt(2029, 1, 1), ..Default::default() };
    let refused = run(desk.change_occurrence(&worker(), occurrence, far));
    assert!(matches!(&refused, Err(EventError::Invalid(i)) if i.field == "date"), "{refused:?}");
}

#[test]
fn only_the_shifts_organizers_change_it_and_capacity_stays_within_1_to_1000() {
    let (desk, fake) = desk();
    let (shift, _) = fake.shift_in(HOME, tomorrow_morning());
    let bigger = || ShiftInput { capacity: Some(30), ..Default::default() };
    denied(run(desk.change_shift(&worker_elsewhere(), shift, bigger())));
    let refused = run(desk.change_shift(&worker(), shift, ShiftInput { capacity: Some(0), ..Default::default() }));
    assert!(matches!(&refused, Err(EventError::Invalid(i)) if i.field == "capacity"), "{refused:?}");
    assert!(fake.writes().is_empty());
    assert_eq!(run(desk.change_shift(&worker(), shift, bigger())).unwrap().capacity, 30);
}

#[test]
fn a_shift_list_runs_sixty_days_from_the_clocks_now_by_default() {
    let (desk, fake) = desk();
    run(desk.shifts_in(HOME, None, None, 10)).unwrap();
    assert_eq!(fake.held().lists, [format!("shifts {} to {}", now(), now() + TimeDelta::days(60))]);
}

#[test]
fn a_shift_list_that_ends_before_it_starts_is_a_malformed_to() {
    let (desk, _) = desk();
    let refused = run(desk.shifts_in(HOME, Some(now()), Some(now() - TimeDelta::hours(1)), 10));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "to" && i.code == "invalid_field"));
}

// Sign-ups and attendance

#[test]
fn party_members_and_residents_sign_up_for_shifts_and_workers_do_not() {
    let (desk, fake) = desk();
    let (shift, _) = fake.shift_in(HOME, tomorrow_morning());
    assert!(run(desk.sign_up(&member(), shift)).is_ok());
    assert!(run(desk.sign_up(&resident(), shift)).is_ok());
    let refused = run(desk.sign_up(&worker(), shift));
    assert!(matches!(refused, Err(BookingError::Denied(_))), "{refused:?}");
    assert_eq!(fake.writes(), ["sign_up", "sign_up"]);
}

#[test]
fn a_sign_up_and_a_cancellation_are_told_live_to_everyone_on_the_shift_and_its_community() {
    let (desk, fake) = desk();
    let (shift, _) = fake.shift_in(HOME, tomorrow_morning());
    let (first, second) = (member(), member());
    run(desk.sign_up(&first, shift)).unwrap();
    run(desk.sign_up(&second, shift)).unwrap();
    run(desk.cancel_signup(&first, shift)).unwrap();
    let live = fake.held().live.clone();
    assert_eq!(live.len(), 3, "one notice per change");
    let last = &live[2];
    assert_eq!((last.kind, last.shift, last.community), (LiveKind::Roster, Some(shift), Some(HOME)));
    let mut both = vec![first.account, second.account];
    both.sort_by_key(|a| a.0);
    assert_eq!(last.accounts, both, "the one who left hears it too");
    assert!(last.is_for(&worker()) && !last.is_for(&worker_elsewhere()));
}

#[test]
fn a_refused_sign_up_tells_nobody() {
    let (desk, fake) = desk();
    let (shift, _) = fake.shift_in(HOME, tomorrow_morning());
    assert!(run(desk.sign_up(&worker(), shift)).is_err());
    assert!(fake.held().live.is_empty());
}

#[test]
fn moving_a_date_tells_the_roster_of_each_of_its_shifts() {
    let (desk, fake) = desk();
    let (shift, occurrence) = fake.shift_in(HOME, tomorrow_morning());
    let moved = OccurrenceInput { date: Some(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap()), ..Default::default() };
    run(desk.change_occurrence(&worker(), occurrence, moved)).unwrap();
    let shifts: Vec<_> = fake.held().live.iter().map(|n| n.shift).collect();
    assert_eq!(shifts, vec![Some(shift)]);
}

#[test]
fn only_an_organizer_records_someone_elses_attendance() {
    let (desk, fake) = desk();
    let (shift, _) = fake.shift_in(HOME, tomorrow_morning());
    let someone = Attendance::ByOrganizer(AccountId(Uuid::now_v7()));
    for outsider in [worker_elsewhere(), member()] {
        let refused = run(desk.attend(&outsider, shift, someone, AttendanceWay::In));
        assert!(matches!(refused, Err(AttendanceFailure::Denied(_))), "{refused:?}");
    }
    assert!(fake.writes().is_empty());
    assert!(run(desk.attend(&worker(), shift, someone, AttendanceWay::Out)).is_ok());
    assert_eq!(fake.writes(), ["check_out"]);
}

#[test]
fn anyone_on_the_shift_records_their_own_attendance_with_the_code() {
    let (desk, fake) = desk();
    let (shift, _) = fake.shift_in(HOME, tomorrow_morning());
    let me = member();
    let done = run(desk.attend(&me, shift, Attendance::OwnCode("123456"), AttendanceWay::In)).unwrap();
    assert_eq!(done.account, me.account);
    assert_eq!(done.checked_in_at, Some(now()));
}

#[test]
fn an_organizer_recording_attendance_on_an_unknown_shift_gets_not_found() {
    let (desk, _) = desk();
    let someone = Attendance::ByOrganizer(AccountId(Uuid::now_v7()));
    let refused = run(desk.attend(&worker(), ShiftId(Uuid::now_v7()), someone, AttendanceWay::In));
    assert!(matches!(refused, Err(AttendanceFailure::NotFound)), "{refused:?}");
}

#[test]
fn only_the_shifts_organizers_see_its_roster_and_code() {
    let (desk, fake) = desk();
    let (shift, _) = fake.shift_in(HOME, tomorrow_morning());
    denied(run(desk.roster(&member(), shift)));
    denied(run(desk.roster(&worker_elsewhere(), shift)));
    assert_eq!(run(desk.roster(&worker(), shift)).unwrap().check_code, "123456");
}

#[test]
fn my_shifts_reach_back_a_week_from_the_clocks_now() {
    let (desk, fake) = desk();
    run(desk.my_shifts(&member())).unwrap();
    assert_eq!(fake.held().lists, [format!("signups since {}", now() - TimeDelta::days(7))]);
}

// Service hours

#[test]
fn only_the_communitys_organizers_see_its_hours() {
    let (desk, _) = desk();
    denied(run(desk.community_hours(&member(), HOME, None)));
    denied(run(desk.community_hours(&worker_elsewhere(), HOME, None)));
    let figures = run(desk.community_hours(&worker(), HOME, None)).unwrap();
    assert_eq!(figures.period, crate::volunteering::hours::Period::Month(2026, 12));
}

#[test]
fn only_admins_and_the_branchs_members_see_its_hours() {
    let (desk, fake) = desk();
    let branch = BranchId(Uuid::now_v7());
    let own = member();
    fake.confirmed_member(own.account, HOME, Some(branch));
    assert!(run(desk.branch_hours(&own, branch, Some("2026"))).is_ok());
    assert!(run(desk.branch_hours(&admin(), branch, None)).is_ok());
    denied(run(desk.branch_hours(&member(), branch, None)));
    denied(run(desk.branch_hours(&worker(), branch, None)));
}

#[test]
fn a_period_that_is_neither_a_year_nor_a_month_is_malformed() {
    let (desk, _) = desk();
    let refused = run(desk.community_hours(&worker(), HOME, Some("last week")));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "period"), "{refused:?}");
}

#[test]
fn only_admins_set_the_quota_and_it_is_at_most_1000_hours() {
    let (desk, fake) = desk();
    denied(run(desk.set_quota(&worker(), 2026, 40)));
    let refused = run(desk.set_quota(&admin(), 2026, 1001));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "hours"), "{refused:?}");
    assert!(fake.writes().is_empty());
    assert_eq!(run(desk.set_quota(&admin(), 2026, 40)).unwrap(), (2026, 2400));
    assert_eq!(run(desk.quota(2026)).unwrap(), (2026, Some(2400)));
}

#[test]
fn my_hours_default_to_this_year_in_shanghai() {
    let (desk, _) = desk();
    assert_eq!(run(desk.my_hours(&member(), None)).unwrap().year, 2026);
    let refused = run(desk.my_hours(&member(), Some(1999)));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "year"), "{refused:?}");
}

// Calendar feeds

#[test]
fn removing_a_calendar_feed_that_does_not_exist_is_not_found() {
    let (desk, _) = desk();
    let refused = run(desk.remove_calendar_feed(&member()));
    assert!(matches!(refused, Err(DeskError::NotFound("calendar feed"))), "{refused:?}");
}

#[test]
fn an_unknown_calendar_token_opens_nothing() {
    let (desk, _) = desk();
    assert!(matches!(run(desk.calendar_feed("nope")), Err(DeskError::NotFound(_))));
}
