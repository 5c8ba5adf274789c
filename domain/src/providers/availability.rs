//! How a provider takes orders, as its own managers keep it: its weekly hours, how many jobs it holds at
//! once, the dates it is closed (a holiday, a staff outing), and a pause of all new offers until it resumes.
//! Dispatch and the open times read the same values, so a paused provider is offered nothing and a closed day
//! shows no open time.

use std::future::Future;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;

use super::{ProviderDesk, ProviderId, ProviderKind};
use crate::accounts::{Accounts, Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::dispatch::WorkingHours;
use crate::error::{DeskError, Invalid, Unexpected};
use crate::time::local_date;

/// The most closed dates a provider keeps, and how far ahead one may lie.
pub const MAX_CLOSED_DATES: usize = 60;
pub const CLOSED_DATES_AHEAD_DAYS: u64 = 366;

/// How a provider takes orders now.
#[derive(Clone, Debug, PartialEq)]
pub struct Availability {
    pub provider: ProviderId,
    pub kind: ProviderKind,
    pub name: String,
    pub hours: WorkingHours,
    pub capacity: i32,
    /// Sorted, without repeats.
    pub closed: Vec<NaiveDate>,
    /// Since when it has taken no new offers; none while it takes them.
    pub paused_since: Option<DateTime<Utc>>,
}

/// A manager's change, as typed: each part left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct AvailabilityInput {
    /// Seven days, Monday first, each `HH:MM-HH:MM` or `-` (see [`WorkingHours::parse`]); empty for always.
    pub working_hours: Option<String>,
    pub capacity: Option<i32>,
    /// Every closed date from now on (dates before today are dropped as past).
    pub closed_dates: Option<Vec<NaiveDate>>,
}

/// Availability as the store keeps it; every write also tells dispatch on every replica to read providers
/// again.
pub trait Availabilities: Clone + Send + Sync + 'static {
    fn availability(&self, id: ProviderId) -> impl Future<Output = Result<Option<Availability>, Unexpected>> + Send;

    /// Writes the hours, capacity, closed dates and pause of `next`, with the audit entry, in one transaction.
    fn set_availability(
        &self,
        next: &Availability,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

impl AvailabilityInput {
    /// `current` with this change applied, naming the field of the first value that breaks a rule.
    fn applied_to(self, current: &Availability, today: NaiveDate) -> Result<Availability, Invalid> {
        let mut next = current.clone();
        if let Some(h) = self.working_hours {
            next.hours =
                WorkingHours::parse(&h).map_err(|e| Invalid::new("working_hours", "invalid_working_hours", e))?;
        }
        if let Some(c) = self.capacity {
            super::desk::check_capacity(current.kind, c)?;
            next.capacity = c;
        }
        if let Some(mut dates) = self.closed_dates {
            dates.retain(|d| *d >= today);
            dates.sort();
            dates.dedup();
            let last = today.checked_add_days(Days::new(CLOSED_DATES_AHEAD_DAYS)).unwrap_or(today);
            if let Some(n) = dates.iter().position(|d| *d > last) {
                let why = format!("a closed date lies within {CLOSED_DATES_AHEAD_DAYS} days");
                return Err(Invalid::new(format!("closed_dates[{n}]"), "too_far_ahead", why));
            }
            if dates.len() > MAX_CLOSED_DATES {
                let why = format!("at most {MAX_CLOSED_DATES} closed dates");
                return Err(Invalid::new("closed_dates", "too_many_dates", why));
            }
            next.closed = dates;
        }
        Ok(next)
    }
}

/// The values an audit entry records.
fn recorded(a: &Availability) -> serde_json::Value {
    json!({
        "working_hours": a.hours.format(),
        "capacity": a.capacity,
        "closed_dates": a.closed,
        "paused_since": a.paused_since,
    })
}

impl<R: Availabilities + Accounts, C: Clock> ProviderDesk<R, C> {
    /// The provider's staff and admins see how it takes orders.
    pub async fn availability(&self, actor: &Actor, id: ProviderId) -> Result<Availability, DeskError> {
        if actor.role != Role::Admin && actor.provider != Some(id) {
            return Err(DeskError::NotFound("provider"));
        }
        self.repo.availability(id).await?.ok_or(DeskError::NotFound("provider"))
    }

    /// The provider's managers (and admins) change its hours, capacity or closed dates.
    pub async fn change(
        &self,
        actor: &Actor,
        id: ProviderId,
        input: AvailabilityInput,
    ) -> Result<Availability, DeskError> {
        let current = self.managed(actor, id).await?;
        let next = input.applied_to(&current, local_date(self.clock.now()))?;
        self.write(actor, current, next, "provider.availability_changed").await
    }

    /// The provider's managers (and admins) stop all new offers to it (a holiday), or take them again. The
    /// offers already made stay open; doing what is already done changes nothing.
    pub async fn pause(&self, actor: &Actor, id: ProviderId, paused: bool) -> Result<Availability, DeskError> {
        let current = self.managed(actor, id).await?;
        if current.paused_since.is_some() == paused {
            return Ok(current);
        }
        let next = Availability { paused_since: paused.then(|| self.clock.now()), ..current.clone() };
        let action = if paused { "provider.paused" } else { "provider.resumed" };
        self.write(actor, current, next, action).await
    }

    async fn managed(&self, actor: &Actor, id: ProviderId) -> Result<Availability, DeskError> {
        if actor.role != Role::Admin {
            self.may_manage(actor, id).await?;
        }
        self.repo.availability(id).await?.ok_or(DeskError::NotFound("provider"))
    }

    async fn write(
        &self,
        actor: &Actor,
        before: Availability,
        next: Availability,
        action: &'static str,
    ) -> Result<Availability, DeskError> {
        let audit = AuditEntry::new(actor, self.clock.now(), action, format!("provider:{}", next.provider.0))
            .before(recorded(&before))
            .after(recorded(&next));
        self.repo.set_availability(&next, audit).await?;
        Ok(next)
    }
}
