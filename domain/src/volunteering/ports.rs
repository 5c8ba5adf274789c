//! The volunteering ports, one per kind of record: registrations, branches and problems, events, places on
//! shifts, the ledger of service hours, calendar feeds, and what the scheduled steps need. Each write that an
//! invariant ties to one transaction (a sign-up that locks its shift, counts and inserts) is one method; the
//! adapter applies the rules of [`booking`](super::booking) to what it read under the lock.
//!
//! The use cases in [`desk`](super::desk) decide who may call these; a port trusts its caller.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use super::errors::{AttendanceFailure, BookingError, DecideError, EventError, ProblemError, RegisterError};
use super::hours::Period;
use super::model::{
    BranchRecord, CalendarEntry, EventRecord, FeedOwner, GroupHours, HoursScope, MemberHours, NewEvent,
    OccurrenceChange, OccurrenceRecord, ProblemRecord, ProblemsOf, RegistrationRecord, Roster, ShiftChange,
    ShiftRecord, SignupRecord, Witness,
};
use super::pairing::{ProblemAction, ProblemState};
use super::registration::{Decision, RegistrationState, Skills};
use super::{BranchId, EventId, OccurrenceId, ProblemId, RegistrationId, ShiftId};
use crate::accounts::AccountId;
use crate::audit::AuditEntry;
use crate::error::Unexpected;
use crate::geo::CommunityId;

/// 报到: Party members' registrations with their residence communities.
pub trait Registrations: Clone + Send + Sync + 'static {
    /// Files a registration for `account`, pending until a worker of `community` decides. Fails with
    /// `AlreadyPending`, `AlreadyThere`, `UnknownCommunity` or `UnknownBranch`, never another refusal.
    fn register(
        &self,
        account: AccountId,
        community: CommunityId,
        branch: Option<BranchId>,
        skills: &Skills,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<RegistrationRecord, RegisterError>> + Send;

    /// Confirms or rejects a pending registration. Confirming ends the member's previous registration (they
    /// moved), makes them belong to the new community, and sets up or moves their provider so that volunteer
    /// orders of that community reach them. Fails with `NotFound` or `NotPending`.
    fn decide_registration(
        &self,
        id: RegistrationId,
        decision: Decision,
        note: Option<String>,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<RegistrationRecord, DecideError>> + Send;

    fn registration(
        &self,
        id: RegistrationId,
    ) -> impl Future<Output = Result<Option<RegistrationRecord>, Unexpected>> + Send;

    /// A member's registrations, newest first: where they live now and where they lived before.
    fn registrations_of(
        &self,
        account: AccountId,
    ) -> impl Future<Output = Result<Vec<RegistrationRecord>, Unexpected>> + Send;

    /// A community's registrations in `state` (all when `None`), oldest first: at most `limit`, after the
    /// registration `after`.
    fn registrations_in(
        &self,
        community: CommunityId,
        state: Option<RegistrationState>,
        after: Option<RegistrationId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<RegistrationRecord>, Unexpected>> + Send;
}

/// 三联: organ Party branches, their pairings with communities, and the problems posted to them.
pub trait Pairings: Clone + Send + Sync + 'static {
    fn create_branch(
        &self,
        name: &str,
        organization: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<BranchRecord, Unexpected>> + Send;

    fn branch(&self, id: BranchId) -> impl Future<Output = Result<Option<BranchRecord>, Unexpected>> + Send;

    /// Branches paired with `community`, or every branch when `None`, in the order they were added: at most
    /// `limit`, after the branch `after`.
    fn branches(
        &self,
        community: Option<CommunityId>,
        after: Option<BranchId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<BranchRecord>, Unexpected>> + Send;

    /// Pairs the branch with the community, with the audit entry; pairing twice changes nothing. False when
    /// either does not exist.
    fn pair(
        &self,
        b: BranchId,
        c: CommunityId,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Ends a pairing, with the audit entry; true when there was one.
    fn unpair(
        &self,
        b: BranchId,
        c: CommunityId,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    fn is_paired(&self, b: BranchId, c: CommunityId) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Posts a problem to the community's paired branches. Fails with `UnknownCommunity` or `NoPairedBranch`.
    fn post_problem(
        &self,
        community: CommunityId,
        title: &str,
        details: &str,
        by: AccountId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<ProblemRecord, ProblemError>> + Send;

    fn problem(&self, id: ProblemId) -> impl Future<Output = Result<Option<ProblemRecord>, Unexpected>> + Send;

    /// The problems `of` shows, newest first: at most `limit`, before the problem `before`.
    fn problems(
        &self,
        of: ProblemsOf,
        before: Option<ProblemId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<ProblemRecord>, Unexpected>> + Send;

    /// How many of those problems are in each state.
    fn problem_counts(
        &self,
        of: ProblemsOf,
    ) -> impl Future<Output = Result<HashMap<ProblemState, u64>, Unexpected>> + Send;

    /// A branch takes an open problem of a community it is paired with, or closes one it took: a conditional
    /// update on the state read, so two branches taking at once leave one winner and one `Conflict`. Fails
    /// with `NotFound`, `NotPaired`, `NotYourBranch` or `Conflict`.
    fn act_on_problem(
        &self,
        id: ProblemId,
        branch: BranchId,
        action: ProblemAction,
        by: AccountId,
        outcome: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<ProblemRecord, ProblemError>> + Send;
}

/// 活动: events, their dates (occurrences) and the shifts of each date.
pub trait Events: Clone + Send + Sync + 'static {
    /// Creates the event and writes out its dates a year ahead. Fails with `UnknownCommunity`.
    fn create_event(
        &self,
        new: NewEvent,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<EventRecord, EventError>> + Send;

    /// The event with every occurrence written out so far and their shifts.
    fn event(&self, id: EventId) -> impl Future<Output = Result<Option<EventRecord>, Unexpected>> + Send;

    /// A community's events, newest first, without their occurrences.
    fn events_of(&self, community: CommunityId) -> impl Future<Output = Result<Vec<EventRecord>, Unexpected>> + Send;

    fn shift(&self, id: ShiftId) -> impl Future<Output = Result<Option<ShiftRecord>, Unexpected>> + Send;

    /// A community's shifts starting between `from` and `to`, in time order.
    fn shifts_in(
        &self,
        community: CommunityId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<ShiftRecord>, Unexpected>> + Send;

    /// Moves an occurrence to another date (its shifts move along and their reminders are made anew), calls it
    /// off, or takes it back (the wait-list then moves up into places freed meanwhile); everyone holding a
    /// place or a wait-list place is told. Fails with `NotFound`, `Started`, `PastDate` or `HolderBusy`.
    fn change_occurrence(
        &self,
        id: OccurrenceId,
        change: OccurrenceChange,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(EventId, OccurrenceRecord), EventError>> + Send;

    /// Changes one shift. A larger capacity moves the wait-list up at once; a smaller one bumps nobody. A new
    /// title or place is written into the reminders, and a new place is told to everyone on the shift. Fails
    /// with `NotFound`.
    fn change_shift(
        &self,
        id: ShiftId,
        change: ShiftChange,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<ShiftRecord, EventError>> + Send;

    /// The event an occurrence belongs to.
    fn occurrence_event(
        &self,
        id: OccurrenceId,
    ) -> impl Future<Output = Result<Option<EventRecord>, Unexpected>> + Send;
}

/// 班次 places: sign-ups, the wait-list and attendance. Every change locks the shift's row.
pub trait Signups: Clone + Send + Sync + 'static {
    /// Signs `account` up for the shift: a place while there is one, the wait-list after. Signing up again
    /// returns the place already held (`false`: nothing new was made). Fails with `NotFound` or `Refused`.
    fn sign_up(
        &self,
        id: ShiftId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(SignupRecord, bool), BookingError>> + Send;

    /// Gives up a place or a wait-list place. A freed place goes to the first on the wait-list, who is told.
    /// Cancelling within a day of the start is recorded as late. Fails with `NotFound` or `Started`.
    fn cancel_signup(
        &self,
        id: ShiftId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<SignupRecord, BookingError>> + Send;

    /// Records arrival. Checking in twice keeps the first time. Fails with `NotFound` or `Rule`.
    fn check_in(
        &self,
        id: ShiftId,
        account: AccountId,
        witness: Witness<'_>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<SignupRecord, AttendanceFailure>> + Send;

    /// Records departure and credits the time inside the shift. Checking out twice keeps the first time.
    fn check_out(
        &self,
        id: ShiftId,
        account: AccountId,
        witness: Witness<'_>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<SignupRecord, AttendanceFailure>> + Send;

    fn roster(&self, id: ShiftId) -> impl Future<Output = Result<Option<Roster>, Unexpected>> + Send;

    /// The account's places on shifts ending after `since`, with the shifts, in time order.
    fn signups_of(
        &self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<(SignupRecord, ShiftRecord)>, Unexpected>> + Send;
}

/// The ledger of service hours and the city's yearly quota.
pub trait ServiceHours: Clone + Send + Sync + 'static {
    fn member_hours(
        &self,
        account: AccountId,
        year: i32,
    ) -> impl Future<Output = Result<MemberHours, Unexpected>> + Send;

    fn group_hours(
        &self,
        scope: HoursScope,
        period: Period,
    ) -> impl Future<Output = Result<GroupHours, Unexpected>> + Send;

    /// The city's quota for `year` in minutes, if set.
    fn quota(&self, year: i32) -> impl Future<Output = Result<Option<u64>, Unexpected>> + Send;

    /// Sets the quota, with the audit entry (its `before` is the quota it replaces).
    fn set_quota(
        &self,
        year: i32,
        minutes: u32,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// Private calendar feeds: a token per account, kept as its digest.
pub trait CalendarFeeds: Clone + Send + Sync + 'static {
    /// Makes a new feed token for the account, replacing any earlier one (which stops working).
    fn rotate_calendar_token(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<String, Unexpected>> + Send;

    /// Stops the account's feed; true when there was one.
    fn revoke_calendar_token(&self, account: AccountId) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    fn calendar_owner(&self, token: &str) -> impl Future<Output = Result<Option<FeedOwner>, Unexpected>> + Send;

    /// The account's confirmed shifts and its provider's appointments (accepted, in service or done) from 90
    /// days ago on.
    fn calendar_entries(
        &self,
        owner: AccountId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<CalendarEntry>, Unexpected>> + Send;
}

/// One confirmed Party member and the Dedication Days of their community in a month.
#[derive(Clone, Debug, PartialEq)]
pub struct DedicationNotice {
    pub account: AccountId,
    pub community: CommunityId,
    /// Each date with its event's title, in date order; empty when the community has none planned yet.
    pub dates: Vec<(NaiveDate, String)>,
}

pub trait VolunteerStore: Clone + Send + Sync + 'static {
    /// Closes up to `limit` shifts that ended by `now` and are still open: whoever checked in but not out is
    /// checked out at the end (flagged) and credited, confirmed people who never came are counted as no-shows.
    /// Returns how many shifts were closed.
    fn close_ended_shifts(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<usize, Unexpected>> + Send;

    /// Writes out the occurrences (with their shifts) of every recurring event through `through`. Returns how
    /// many occurrences were added.
    fn extend_series(
        &self,
        through: NaiveDate,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, Unexpected>> + Send;

    /// Every confirmed Party member with their community's Dedication Day dates from `from` through `through`.
    fn dedication_day_audience(
        &self,
        from: NaiveDate,
        through: NaiveDate,
    ) -> impl Future<Output = Result<Vec<DedicationNotice>, Unexpected>> + Send;
}
