//! The audit log: what admins and community workers did, who did it and when, with the before and after of
//! what changed. Each entry is written by the adapter in the same transaction as the change it records, so
//! the log never tells of a change that did not happen, nor misses one that did. Admins read it a page at a
//! time, filtered, or whole as CSV.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::accounts::{AccountId, Actor, Role};
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::paging::{Page, PageRequest};

/// One action to record, made by the use case that decided it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: AccountId,
    /// What was done, e.g. `account.disabled`.
    pub action: &'static str,
    /// What it was done to, as `kind:id`, e.g. `account:0192…`.
    pub object: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl AuditEntry {
    pub fn new(actor: &Actor, at: DateTime<Utc>, action: &'static str, object: String) -> Self {
        Self { at, actor: actor.account, action, object, before: None, after: None }
    }

    pub fn before(self, before: Value) -> Self {
        Self { before: Some(before), ..self }
    }

    pub fn after(self, after: Value) -> Self {
        Self { after: Some(after), ..self }
    }
}

/// Every action the log records.
pub const ACTIONS: [&str; 31] = [
    "account.created",
    "account.changed",
    "account.disabled",
    "account.enabled",
    "staff.invited",
    "resident.filed",
    "provider.created",
    "provider.changed",
    "provider.deactivated",
    "provider.reactivated",
    "provider.availability_changed",
    "provider.paused",
    "provider.resumed",
    "catalog.item_created",
    "catalog.item_changed",
    "catalog.item_retired",
    "catalog.item_restored",
    // What an item's dispatch changes were recorded as before they became `catalog.item_changed`.
    "catalog.policy_changed",
    "catalog.questions_changed",
    "map.street_added",
    "map.street_changed",
    "map.community_added",
    "map.community_changed",
    "order.assigned",
    "order.closed",
    "registration.confirmed",
    "registration.rejected",
    "pairing.added",
    "pairing.removed",
    "quota.set",
    "delivery.replayed",
];

/// An entry as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRecord {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: AccountId,
    /// The actor's display name when they acted.
    pub actor_name: String,
    pub action: String,
    pub object: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Which entries to list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditFilter {
    pub actor: Option<AccountId>,
    pub action: Option<String>,
    /// An object (`account:…`) or every object of a kind (`account`).
    pub object: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The log as stored; entries are written by the other ports, inside their transactions.
pub trait AuditLog: Clone + Send + Sync + 'static {
    /// Entries matching `filter`, newest first, older than the entry `before` when given; up to `limit` + 1.
    fn audit_entries(
        &self,
        filter: &AuditFilter,
        before: Option<Uuid>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, Unexpected>> + Send;
}

/// The most entries one CSV export holds; a larger log is exported a period at a time.
pub const MAX_EXPORT: u64 = 10_000;

/// Reading the audit log.
#[derive(Clone)]
pub struct AuditDesk<R> {
    pub repo: R,
}

impl<R: AuditLog> AuditDesk<R> {
    pub fn new(repo: R) -> Self {
        Self { repo }
    }

    fn admins_only(actor: &Actor) -> Result<(), Denied> {
        if actor.role == Role::Admin { Ok(()) } else { Err(Denied("only admins read the audit log")) }
    }

    fn checked(filter: &AuditFilter) -> Result<(), Invalid> {
        if let Some(action) = &filter.action
            && !ACTIONS.contains(&action.as_str())
        {
            return Err(Invalid::new("action", "unknown_action", format!("action is one of {}", ACTIONS.join(", "))));
        }
        if let (Some(from), Some(until)) = (filter.from, filter.until)
            && until < from
        {
            return Err(Invalid::new("until", "invalid_range", "until is on or after from"));
        }
        Ok(())
    }

    /// A page of entries, newest first. Admins.
    pub async fn entries(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest<'_>,
    ) -> Result<Page<AuditRecord>, DeskError> {
        Self::admins_only(actor)?;
        Self::checked(filter)?;
        let size = page.size()?;
        let rows = self.repo.audit_entries(filter, page.cursor()?, size).await?;
        Ok(Page::of(rows, size))
    }

    /// Every matching entry, newest first, for a CSV file: at most [`MAX_EXPORT`], and `more` when there were
    /// more. Admins.
    pub async fn export(&self, actor: &Actor, filter: &AuditFilter) -> Result<Page<AuditRecord>, DeskError> {
        Self::admins_only(actor)?;
        Self::checked(filter)?;
        let rows = self.repo.audit_entries(filter, None, MAX_EXPORT).await?;
        Ok(Page::of(rows, MAX_EXPORT))
    }
}
