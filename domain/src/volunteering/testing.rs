//! An in-memory stand-in for every volunteering port, for unit tests of the use cases. It holds what a test
//! puts in, answers reads from it, and records each write it was asked to make, so a test can show both what a
//! use case returned and that a refused one wrote nothing. The booking and attendance rules themselves belong
//! to the real adapters and are covered by their contract and HTTP tests.
//!
//! Longer than our usual 400 lines on purpose: one fake serves all six ports, because they share rows (a
//! shift's places are read by events, sign-ups and hours alike), and separate fakes could disagree about them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::booking::SignupState;
use super::desk::ActorCache;
use super::errors::{AttendanceFailure, BookingError, DecideError, EventError, ProblemError, RegisterError};
use super::hours::{Period, QuotaProgress};
use super::model::{
    BranchRecord, CalendarEntry, EventRecord, FeedOwner, GroupHours, HoursScope, MemberHours, NewEvent,
    OccurrenceChange, OccurrenceRecord, ProblemRecord, ProblemsOf, RegistrationRecord, Roster, ShiftChange,
    ShiftRecord, SignupRecord, Witness,
};
use super::pairing::{ProblemAction, ProblemState};
use super::ports::{CalendarFeeds, Events, Pairings, Registrations, ServiceHours, Signups};
use super::recurrence::Recurrence;
use super::registration::{Decision, RegistrationState, Skills};
use super::{BranchId, EventId, OccurrenceId, ProblemId, RegistrationId, ShiftId, SignupId};
use crate::accounts::AccountId;
use crate::audit::AuditEntry;
use crate::error::Unexpected;
use crate::geo::CommunityId;
use crate::notifications::{LiveNotice, LivePublisher};
use crate::time::TimeWindow;

/// What the fake holds.
#[derive(Default)]
pub struct Held {
    pub registrations: Vec<RegistrationRecord>,
    pub pairings: Vec<(BranchId, CommunityId)>,
    pub problems: Vec<ProblemRecord>,
    pub events: Vec<EventRecord>,
    pub shifts: Vec<ShiftRecord>,
    pub quota: HashMap<i32, u64>,
    /// Every write asked of the fake, by port method, in order.
    pub writes: Vec<&'static str>,
    /// Which scope each group-hours or problem list asked for.
    pub lists: Vec<String>,
    /// Accounts whose cached sessions were forgotten.
    pub forgotten: Vec<AccountId>,
    /// Places taken (and given up) through the fake, as its rosters list them.
    pub signups: Vec<SignupRecord>,
    /// Live notices published.
    pub live: Vec<LiveNotice>,
}

/// The fake repository (and account cache, and live publisher); clones share what they hold.
#[derive(Clone, Default)]
pub struct FakeVolunteering(Arc<Mutex<Held>>);

impl FakeVolunteering {
    pub fn held(&self) -> MutexGuard<'_, Held> {
        self.0.lock().expect("a test panicked while holding the fake")
    }

    pub fn writes(&self) -> Vec<&'static str> {
        self.held().writes.clone()
    }

    fn wrote(&self, what: &'static str) {
        self.held().writes.push(what);
    }

    /// A confirmed registration of `account` with `community`, acting for `branch`.
    pub fn confirmed_member(&self, account: AccountId, community: CommunityId, branch: Option<BranchId>) {
        let record = registration(account, community, branch, RegistrationState::Confirmed);
        self.held().registrations.push(record);
    }

    /// A pending registration with `community`; returns its id.
    pub fn pending_registration(&self, account: AccountId, community: CommunityId) -> RegistrationId {
        let record = registration(account, community, None, RegistrationState::Pending);
        let id = record.id;
        self.held().registrations.push(record);
        id
    }

    /// A shift of `community` on an event of one date; returns the shift's and the date's ids.
    pub fn shift_in(&self, community: CommunityId, window: TimeWindow) -> (ShiftId, OccurrenceId) {
        let event = EventId(Uuid::now_v7());
        let occurrence = OccurrenceId(Uuid::now_v7());
        let shift = ShiftRecord {
            id: ShiftId(Uuid::now_v7()),
            event,
            event_title: "共产党员社区奉献日".into(),
            dedication_day: true,
            occurrence,
            community,
            title: "义务清扫".into(),
            place: "党群服务中心".into(),
            window,
            capacity: 10,
            skills: Skills::default(),
            members_only: true,
            confirmed: 0,
            wait_listed: 0,
            called_off: false,
            closed_at: None,
        };
        let id = shift.id;
        let date = window.start().date_naive();
        let mut held = self.held();
        held.events.push(EventRecord {
            id: event,
            community,
            title: shift.event_title.clone(),
            description: String::new(),
            recurrence: Recurrence::Once,
            first_date: date,
            until: None,
            dedication_day: true,
            plan: Vec::new(),
            occurrences: vec![OccurrenceRecord {
                shifts: vec![shift.clone()],
                ..occurrence_record(occurrence, event, date)
            }],
        });
        held.shifts.push(shift);
        (id, occurrence)
    }

    fn shift_record(&self, id: ShiftId) -> Option<ShiftRecord> {
        self.held().shifts.iter().find(|s| s.id == id).cloned()
    }
}

fn registration(
    account: AccountId,
    community: CommunityId,
    branch: Option<BranchId>,
    state: RegistrationState,
) -> RegistrationRecord {
    RegistrationRecord {
        id: RegistrationId(Uuid::now_v7()),
        account,
        display_name: "王秀兰".into(),
        community,
        branch,
        skills: Skills::default(),
        state,
        submitted_at: DateTime::UNIX_EPOCH,
        decided_at: None,
        ended_at: None,
        note: None,
    }
}

fn occurrence_record(id: OccurrenceId, event: EventId, date: NaiveDate) -> OccurrenceRecord {
    OccurrenceRecord { id, event, rule_date: date, date, cancelled: false, note: String::new(), shifts: Vec::new() }
}

fn signup(shift: ShiftId, account: AccountId, now: DateTime<Utc>) -> SignupRecord {
    SignupRecord {
        id: SignupId(Uuid::now_v7()),
        shift,
        account,
        display_name: "王秀兰".into(),
        state: SignupState::Confirmed,
        wait_list_position: None,
        signed_up_at: now,
        confirmed_at: Some(now),
        promoted_at: None,
        cancelled_at: None,
        late_cancel: false,
        checked_in_at: None,
        checked_out_at: None,
        auto_closed: false,
        no_show: false,
        minutes: 0,
    }
}

impl ActorCache for FakeVolunteering {
    fn forget(&self, account: AccountId) {
        self.held().forgotten.push(account);
    }
}

impl LivePublisher for FakeVolunteering {
    async fn publish(&self, notice: &LiveNotice) {
        self.held().live.push(notice.clone());
    }
}

impl Registrations for FakeVolunteering {
    async fn register(
        &self,
        account: AccountId,
        community: CommunityId,
        branch: Option<BranchId>,
        skills: &Skills,
        now: DateTime<Utc>,
    ) -> Result<RegistrationRecord, RegisterError> {
        self.wrote("register");
        let mut record = registration(account, community, branch, RegistrationState::Pending);
        record.skills = skills.clone();
        record.submitted_at = now;
        self.held().registrations.push(record.clone());
        Ok(record)
    }

    async fn decide_registration(
        &self,
        id: RegistrationId,
        decision: Decision,
        note: Option<String>,
        audit: AuditEntry,
    ) -> Result<RegistrationRecord, DecideError> {
        let now = audit.at;
        self.wrote("decide_registration");
        let mut held = self.held();
        let reg = held.registrations.iter_mut().find(|r| r.id == id).ok_or(DecideError::NotFound)?;
        if reg.state != RegistrationState::Pending {
            return Err(DecideError::NotPending(reg.state));
        }
        reg.state = match decision {
            Decision::Confirm => RegistrationState::Confirmed,
            Decision::Reject => RegistrationState::Rejected,
        };
        reg.decided_at = Some(now);
        reg.note = note;
        Ok(reg.clone())
    }

    async fn registration(&self, id: RegistrationId) -> Result<Option<RegistrationRecord>, Unexpected> {
        Ok(self.held().registrations.iter().find(|r| r.id == id).cloned())
    }

    async fn registrations_of(&self, account: AccountId) -> Result<Vec<RegistrationRecord>, Unexpected> {
        Ok(self.held().registrations.iter().filter(|r| r.account == account).cloned().collect())
    }

    async fn registrations_in(
        &self,
        community: CommunityId,
        state: Option<RegistrationState>,
        _after: Option<RegistrationId>,
        limit: u64,
    ) -> Result<Vec<RegistrationRecord>, Unexpected> {
        let held = self.held();
        let rows = held.registrations.iter().filter(|r| r.community == community && state.is_none_or(|s| r.state == s));
        Ok(rows.take(limit as usize).cloned().collect())
    }
}

impl Pairings for FakeVolunteering {
    async fn create_branch(
        &self,
        name: &str,
        organization: &str,
        _now: DateTime<Utc>,
    ) -> Result<BranchRecord, Unexpected> {
        self.wrote("create_branch");
        Ok(BranchRecord {
            id: BranchId(Uuid::now_v7()),
            name: name.to_owned(),
            organization: organization.to_owned(),
            communities: Vec::new(),
            problems_taken: 0,
            problems_solved: 0,
        })
    }

    async fn branch(&self, _id: BranchId) -> Result<Option<BranchRecord>, Unexpected> {
        Ok(None)
    }

    async fn branches(
        &self,
        _community: Option<CommunityId>,
        _after: Option<BranchId>,
        _limit: u64,
    ) -> Result<Vec<BranchRecord>, Unexpected> {
        Ok(Vec::new())
    }

    async fn pair(&self, b: BranchId, c: CommunityId, _audit: AuditEntry) -> Result<bool, Unexpected> {
        self.wrote("pair");
        self.held().pairings.push((b, c));
        Ok(true)
    }

    async fn unpair(&self, b: BranchId, c: CommunityId, _audit: AuditEntry) -> Result<bool, Unexpected> {
        self.wrote("unpair");
        let mut held = self.held();
        let before = held.pairings.len();
        held.pairings.retain(|p| *p != (b, c));
        Ok(held.pairings.len() < before)
    }

    async fn is_paired(&self, b: BranchId, c: CommunityId) -> Result<bool, Unexpected> {
        Ok(self.held().pairings.contains(&(b, c)))
    }

    async fn post_problem(
        &self,
        community: CommunityId,
        title: &str,
        details: &str,
        _by: AccountId,
        now: DateTime<Utc>,
    ) -> Result<ProblemRecord, ProblemError> {
        self.wrote("post_problem");
        let record = ProblemRecord {
            id: ProblemId(Uuid::now_v7()),
            community,
            title: title.to_owned(),
            details: details.to_owned(),
            state: ProblemState::Open,
            posted_at: now,
            branch: None,
            taken_at: None,
            closed_at: None,
            outcome: None,
        };
        self.held().problems.push(record.clone());
        Ok(record)
    }

    async fn problem(&self, id: ProblemId) -> Result<Option<ProblemRecord>, Unexpected> {
        Ok(self.held().problems.iter().find(|p| p.id == id).cloned())
    }

    async fn problems(
        &self,
        of: ProblemsOf,
        _before: Option<ProblemId>,
        _limit: u64,
    ) -> Result<Vec<ProblemRecord>, Unexpected> {
        self.held().lists.push(format!("{of:?}"));
        Ok(self.held().problems.clone())
    }

    async fn problem_counts(&self, _of: ProblemsOf) -> Result<HashMap<ProblemState, u64>, Unexpected> {
        Ok(HashMap::new())
    }

    async fn act_on_problem(
        &self,
        id: ProblemId,
        branch: BranchId,
        action: ProblemAction,
        _by: AccountId,
        outcome: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ProblemRecord, ProblemError> {
        self.wrote("act_on_problem");
        let mut held = self.held();
        let problem = held.problems.iter_mut().find(|p| p.id == id).ok_or(ProblemError::NotFound)?;
        problem.state = action.apply(problem.state)?;
        problem.branch = Some(branch);
        problem.outcome = outcome.map(str::to_owned);
        problem.taken_at.get_or_insert(now);
        Ok(problem.clone())
    }
}

impl Events for FakeVolunteering {
    async fn create_event(&self, new: NewEvent, _now: DateTime<Utc>) -> Result<EventRecord, EventError> {
        self.wrote("create_event");
        let record = EventRecord {
            id: EventId(Uuid::now_v7()),
            community: new.community,
            title: new.title,
            description: new.description,
            recurrence: new.recurrence,
            first_date: new.first_date,
            until: new.until,
            dedication_day: new.dedication_day,
            plan: new.plan,
            occurrences: Vec::new(),
        };
        self.held().events.push(record.clone());
        Ok(record)
    }

    async fn event(&self, id: EventId) -> Result<Option<EventRecord>, Unexpected> {
        Ok(self.held().events.iter().find(|e| e.id == id).cloned())
    }

    async fn events_of(&self, community: CommunityId) -> Result<Vec<EventRecord>, Unexpected> {
        Ok(self.held().events.iter().filter(|e| e.community == community).cloned().collect())
    }

    async fn shift(&self, id: ShiftId) -> Result<Option<ShiftRecord>, Unexpected> {
        Ok(self.shift_record(id))
    }

    async fn shifts_in(
        &self,
        community: CommunityId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        _limit: u64,
    ) -> Result<Vec<ShiftRecord>, Unexpected> {
        self.held().lists.push(format!("shifts {from} to {to}"));
        let held = self.held();
        Ok(held.shifts.iter().filter(|s| s.community == community).cloned().collect())
    }

    async fn change_occurrence(
        &self,
        id: OccurrenceId,
        change: OccurrenceChange,
        _now: DateTime<Utc>,
    ) -> Result<(EventId, OccurrenceRecord), EventError> {
        self.wrote("change_occurrence");
        let mut held = self.held();
        let event =
            held.events.iter_mut().find(|e| e.occurrences.iter().any(|o| o.id == id)).ok_or(EventError::NotFound)?;
        let occurrence = event.occurrences.iter_mut().find(|o| o.id == id).ok_or(EventError::NotFound)?;
        occurrence.date = change.date.unwrap_or(occurrence.date);
        occurrence.cancelled = change.cancelled.unwrap_or(occurrence.cancelled);
        occurrence.note = change.note.unwrap_or_else(|| occurrence.note.clone());
        Ok((event.id, occurrence.clone()))
    }

    async fn change_shift(
        &self,
        id: ShiftId,
        change: ShiftChange,
        _now: DateTime<Utc>,
    ) -> Result<ShiftRecord, EventError> {
        self.wrote("change_shift");
        let mut held = self.held();
        let shift = held.shifts.iter_mut().find(|s| s.id == id).ok_or(EventError::NotFound)?;
        shift.title = change.title.unwrap_or_else(|| shift.title.clone());
        shift.place = change.place.unwrap_or_else(|| shift.place.clone());
        shift.capacity = change.capacity.unwrap_or(shift.capacity);
        Ok(shift.clone())
    }

    async fn occurrence_event(&self, id: OccurrenceId) -> Result<Option<EventRecord>, Unexpected> {
        Ok(self.held().events.iter().find(|e| e.occurrences.iter().any(|o| o.id == id)).cloned())
    }
}

impl Signups for FakeVolunteering {
    async fn sign_up(
        &self,
        id: ShiftId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<(SignupRecord, bool), BookingError> {
        self.wrote("sign_up");
        self.shift_record(id).ok_or(BookingError::NotFound)?;
        let record = signup(id, account, now);
        self.held().signups.push(record.clone());
        Ok((record, true))
    }

    async fn cancel_signup(
        &self,
        id: ShiftId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<SignupRecord, BookingError> {
        self.wrote("cancel_signup");
        let mut record = signup(id, account, now);
        record.state = SignupState::Cancelled;
        let mut held = self.held();
        held.signups.retain(|s| (s.shift, s.account) != (id, account));
        held.signups.push(record.clone());
        Ok(record)
    }

    async fn check_in(
        &self,
        id: ShiftId,
        account: AccountId,
        _witness: Witness<'_>,
        now: DateTime<Utc>,
    ) -> Result<SignupRecord, AttendanceFailure> {
        self.wrote("check_in");
        let mut record = signup(id, account, now);
        record.checked_in_at = Some(now);
        Ok(record)
    }

    async fn check_out(
        &self,
        id: ShiftId,
        account: AccountId,
        _witness: Witness<'_>,
        now: DateTime<Utc>,
    ) -> Result<SignupRecord, AttendanceFailure> {
        self.wrote("check_out");
        let mut record = signup(id, account, now);
        record.checked_out_at = Some(now);
        Ok(record)
    }

    async fn roster(&self, id: ShiftId) -> Result<Option<Roster>, Unexpected> {
        let Some(shift) = self.shift_record(id) else { return Ok(None) };
        let on_it: Vec<SignupRecord> = self.held().signups.iter().filter(|s| s.shift == id).cloned().collect();
        let (cancelled, confirmed) = on_it.into_iter().partition(|s| s.state == SignupState::Cancelled);
        Ok(Some(Roster { shift, check_code: "123456".into(), confirmed, wait_list: Vec::new(), cancelled }))
    }

    async fn signups_of(
        &self,
        _account: AccountId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(SignupRecord, ShiftRecord)>, Unexpected> {
        self.held().lists.push(format!("signups since {since}"));
        Ok(Vec::new())
    }
}

impl ServiceHours for FakeVolunteering {
    async fn member_hours(&self, _account: AccountId, year: i32) -> Result<MemberHours, Unexpected> {
        Ok(MemberHours {
            year,
            progress: QuotaProgress { minutes: 0, quota_minutes: self.held().quota.get(&year).copied() },
            months: Vec::new(),
            shifts_attended: 0,
            orders_completed: 0,
            no_shows: 0,
            late_cancellations: 0,
        })
    }

    async fn group_hours(&self, scope: HoursScope, period: Period) -> Result<GroupHours, Unexpected> {
        self.held().lists.push(format!("{scope:?} {period:?}"));
        Ok(GroupHours { period, minutes: 0, quota_minutes: None, members: Vec::new(), no_shows: 0 })
    }

    async fn quota(&self, year: i32) -> Result<Option<u64>, Unexpected> {
        Ok(self.held().quota.get(&year).copied())
    }

    async fn set_quota(&self, year: i32, minutes: u32, _audit: AuditEntry) -> Result<(), Unexpected> {
        self.wrote("set_quota");
        self.held().quota.insert(year, u64::from(minutes));
        Ok(())
    }
}

impl CalendarFeeds for FakeVolunteering {
    async fn rotate_calendar_token(&self, _account: AccountId, _now: DateTime<Utc>) -> Result<String, Unexpected> {
        self.wrote("rotate_calendar_token");
        Ok("token".into())
    }

    async fn revoke_calendar_token(&self, _account: AccountId) -> Result<bool, Unexpected> {
        self.wrote("revoke_calendar_token");
        Ok(false)
    }

    async fn calendar_owner(&self, _token: &str) -> Result<Option<FeedOwner>, Unexpected> {
        Ok(None)
    }

    async fn calendar_entries(&self, _owner: AccountId, _now: DateTime<Utc>) -> Result<Vec<CalendarEntry>, Unexpected> {
        Ok(Vec::new())
    }
}
