//! The records the volunteering ports hand back, and the inputs they take: registrations, branches and
//! problems, events with their dates and shifts, places on shifts, service-hour figures and calendar entries.

use chrono::{DateTime, NaiveDate, Utc};

use super::booking::SignupState;
use super::events::ShiftPlan;
use super::hours::{Period, QuotaProgress};
use super::pairing::ProblemState;
use super::recurrence::Recurrence;
use super::registration::{RegistrationState, Skills};
use super::{BranchId, EventId, OccurrenceId, ProblemId, RegistrationId, ShiftId, SignupId};
use crate::accounts::AccountId;
use crate::geo::CommunityId;
use crate::time::TimeWindow;

/// A registration as the member and the community worker see it.
#[derive(Clone, Debug)]
pub struct RegistrationRecord {
    pub id: RegistrationId,
    pub account: AccountId,
    pub display_name: String,
    pub community: CommunityId,
    pub branch: Option<BranchId>,
    pub skills: Skills,
    pub state: RegistrationState,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

#[derive(Clone, Debug)]
pub struct BranchRecord {
    pub id: BranchId,
    pub name: String,
    /// The organ (机关) the branch belongs to.
    pub organization: String,
    pub communities: Vec<CommunityId>,
    /// Problems the branch took and is working.
    pub problems_taken: u64,
    pub problems_solved: u64,
}

#[derive(Clone, Debug)]
pub struct ProblemRecord {
    pub id: ProblemId,
    pub community: CommunityId,
    pub title: String,
    pub details: String,
    pub state: ProblemState,
    pub posted_at: DateTime<Utc>,
    pub branch: Option<BranchId>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
}

/// Whose problems a list shows.
#[derive(Clone, Copy, Debug)]
pub enum ProblemsOf {
    /// Everything posted in the community.
    Community(CommunityId),
    /// The open problems of the branch's paired communities, and those the branch took.
    Branch(BranchId),
    /// What a member of a paired branch sees of one community: its open problems, and those the branch took.
    BranchIn(BranchId, CommunityId),
}

/// An event as the organizer describes it.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub community: CommunityId,
    pub title: String,
    pub description: String,
    pub recurrence: Recurrence,
    pub first_date: NaiveDate,
    pub until: Option<NaiveDate>,
    /// A Party Member Community Dedication Day (共产党员社区奉献日), announced to the community's members monthly.
    pub dedication_day: bool,
    pub plan: Vec<ShiftPlan>,
    pub created_by: AccountId,
}

#[derive(Clone, Debug)]
pub struct EventRecord {
    pub id: EventId,
    pub community: CommunityId,
    pub title: String,
    pub description: String,
    pub recurrence: Recurrence,
    pub first_date: NaiveDate,
    pub until: Option<NaiveDate>,
    pub dedication_day: bool,
    pub plan: Vec<ShiftPlan>,
    /// Dated occurrences written out so far, in date order (with their shifts when asked for one event).
    pub occurrences: Vec<OccurrenceRecord>,
}

#[derive(Clone, Debug)]
pub struct OccurrenceRecord {
    pub id: OccurrenceId,
    pub event: EventId,
    /// The date the rule gave.
    pub rule_date: NaiveDate,
    /// The date it happens, which differs once it was moved.
    pub date: NaiveDate,
    pub cancelled: bool,
    pub note: String,
    pub shifts: Vec<ShiftRecord>,
}

#[derive(Clone, Debug)]
pub struct ShiftRecord {
    pub id: ShiftId,
    pub event: EventId,
    pub event_title: String,
    pub dedication_day: bool,
    pub occurrence: OccurrenceId,
    pub community: CommunityId,
    pub title: String,
    pub place: String,
    pub window: TimeWindow,
    pub capacity: u32,
    pub skills: Skills,
    pub members_only: bool,
    pub confirmed: u32,
    pub wait_listed: u32,
    /// Its occurrence was called off.
    pub called_off: bool,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A change to one occurrence; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct OccurrenceChange {
    pub date: Option<NaiveDate>,
    pub cancelled: Option<bool>,
    pub note: Option<String>,
}

/// A change to one shift; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct ShiftChange {
    pub title: Option<String>,
    pub place: Option<String>,
    pub capacity: Option<u32>,
}

/// One person's place on a shift as the roster shows it.
#[derive(Clone, Debug)]
pub struct SignupRecord {
    pub id: SignupId,
    pub shift: ShiftId,
    pub account: AccountId,
    pub display_name: String,
    pub state: SignupState,
    /// 1 for the first on the wait-list; none for a confirmed or cancelled place.
    pub wait_list_position: Option<u32>,
    pub signed_up_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub promoted_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub late_cancel: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Checked out by the closing job at the shift's end, not by anyone at the shift.
    pub auto_closed: bool,
    pub no_show: bool,
    pub minutes: u32,
}

/// A shift with everyone on it: confirmed and wait-listed in arrival order, then the cancelled.
#[derive(Clone, Debug)]
pub struct Roster {
    pub shift: ShiftRecord,
    pub check_code: String,
    pub confirmed: Vec<SignupRecord>,
    pub wait_list: Vec<SignupRecord>,
    pub cancelled: Vec<SignupRecord>,
}

/// Who records an attendance: the person with the code the organizer shows, or the organizer.
#[derive(Clone, Copy, Debug)]
pub enum Witness<'a> {
    Code(&'a str),
    Organizer(AccountId),
}

/// A member's year: the total against the quota, month by month, and their record of turning up.
#[derive(Clone, Debug)]
pub struct MemberHours {
    pub year: i32,
    pub progress: QuotaProgress,
    /// Minutes per month, January first; months without service are left out.
    pub months: Vec<(u32, u64)>,
    pub shifts_attended: u64,
    pub orders_completed: u64,
    pub no_shows: u64,
    pub late_cancellations: u64,
}

/// Whose figures: a branch's members, or the service done in a community.
#[derive(Clone, Copy, Debug)]
pub enum HoursScope {
    Branch(BranchId),
    Community(CommunityId),
}

#[derive(Clone, Debug)]
pub struct MemberMinutes {
    pub account: AccountId,
    pub display_name: String,
    pub minutes: u64,
    /// Whether the member has met the year's quota with all their service (not only this scope's).
    pub quota_met: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct GroupHours {
    pub period: Period,
    pub minutes: u64,
    pub quota_minutes: Option<u64>,
    /// By minutes, most first.
    pub members: Vec<MemberMinutes>,
    pub no_shows: u64,
}

/// Whose calendar a token opens.
#[derive(Clone, Debug)]
pub struct FeedOwner {
    pub account: AccountId,
    pub display_name: String,
}

/// One event in a calendar feed.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarEntry {
    /// Stable across fetches, so a calendar application updates the event instead of adding another.
    pub uid: String,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The date was called off: shown as cancelled rather than dropped, so the calendar removes it.
    pub cancelled: bool,
}
