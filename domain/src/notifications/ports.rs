//! The ports notifications need: a store that fans events out and hands out due work exactly once across
//! processes, the two ways out of the building (webhooks and SMS), and what people and admins read and change:
//! inboxes, webhook endpoints, the delivery log and the jobs' record.

use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::plan::{EventContext, Happened, Notice};
use super::records::{
    DeliveryRecord, DeliveryState, InboxRecord, JobRunRecord, NotificationBacklog, WebhookRecord, WebhookUrl,
};
use crate::accounts::{AccountId, PhoneNumber};
use crate::audit::AuditEntry;
use crate::error::Unexpected;
use crate::orders::OrderId;
use crate::providers::ProviderId;
use crate::words::Message;

/// An order event waiting in the outbox to be fanned out.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEvent {
    /// The outbox row.
    pub id: Uuid,
    /// The order event it announces.
    pub event_id: Uuid,
    pub order: Option<OrderId>,
    pub happened: Happened,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Webhook,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Channel::Webhook, Channel::Sms].into_iter().find(|c| c.as_str() == raw)
    }
}

/// Where a delivery goes, as known when it is attempted.
#[derive(Clone, Debug, PartialEq)]
pub enum DeliveryTarget {
    Webhook {
        url: String,
        secret: String,
    },
    Sms {
        phone: PhoneNumber,
    },
    /// The endpoint was removed or the account has no phone any more: nothing to send to.
    Gone,
}

/// A delivery leased to one process for one attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedDelivery {
    pub id: Uuid,
    pub channel: Channel,
    pub event_type: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: u32,
    pub target: DeliveryTarget,
}

/// Why a send did not land.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The receiver could not be reached or answered with an error; worth trying again.
    #[error("{0}")]
    Failed(String),
}

/// The outbox's fan-out: events leased to one process at a time, what their notices need to know, and the
/// notices written with the row marked done in one transaction.
pub trait Outbox: Clone + Send + Sync + 'static {
    /// Outbox rows not fanned out yet, leased to the caller until `lease_until`, oldest first.
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<OutboxEvent>, Unexpected>> + Send;

    /// What the fan-out of an event about `order` at `at` needs to know; the offered providers are those the
    /// event itself made offers to, whatever became of the offers since.
    fn event_context(
        &self,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<EventContext, Unexpected>> + Send;

    /// Writes the event's notices (inbox messages, deliveries, reminders; cancelling reminders) and marks the
    /// outbox row done, in one transaction. Webhooks for providers without an endpoint, and SMS to accounts
    /// without a phone number or when no gateway is configured (`sms`), are left out.
    fn record_notices(
        &self,
        event: &OutboxEvent,
        notices: Vec<Notice>,
        sms: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// Reminders waiting in the database for their time.
pub trait Reminders: Clone + Send + Sync + 'static {
    /// Marks up to `limit` reminders due by `now` sent and writes each one's inbox message (and SMS delivery,
    /// with `sms`), in one transaction. A reminder whose order is no longer held for that time (cancelled or
    /// moved, with the news not fanned out yet) is called off instead. Returns how many were sent.
    fn send_due_reminders(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        sms: bool,
    ) -> impl Future<Output = Result<usize, Unexpected>> + Send;
}

/// Messages to the outside (webhook calls, SMS), each leased to one process per attempt.
pub trait Deliveries: Clone + Send + Sync + 'static {
    /// Deliveries due for an attempt, leased to the caller until `lease_until`.
    fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<ClaimedDelivery>, Unexpected>> + Send;

    fn delivery_succeeded(&self, id: Uuid, now: DateTime<Utc>) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Records a failed attempt: tried again at `retry_at`, or dead when `None`.
    fn delivery_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// The record of scheduled jobs: which slot of each ran, claimed once across processes, and how each run went.
pub trait JobRecord: Clone + Send + Sync + 'static {
    /// Whether the run of `job` for `slot` (or a later one) is done.
    fn slot_done(&self, job: &str, slot: DateTime<Utc>) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Records the run of `job` for `slot` as done, unless that slot or a later one was recorded already: true
    /// for exactly one caller per slot, across processes.
    fn claim_slot(&self, job: &str, slot: DateTime<Utc>) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Records how a run of `job` went, for the admin's view of the jobs.
    fn record_run(
        &self,
        job: &str,
        started: DateTime<Utc>,
        finished: DateTime<Utc>,
        count: usize,
        error: Option<&str>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// Telling one person something once, and what the workers' morning digest counts.
pub trait Notices: Clone + Send + Sync + 'static {
    /// Each community worker with the number of escalated orders waiting in their community, and each street
    /// worker with those of their street's communities (only those with at least one).
    fn open_escalations_by_worker(&self) -> impl Future<Output = Result<Vec<(AccountId, u64)>, Unexpected>> + Send;

    /// An inbox message, unless one with `source_key` exists.
    fn tell(
        &self,
        account: AccountId,
        message: &Message,
        source_key: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// Storage of notifications. Every claim is exclusive across processes (row locks skipped by the others on
/// PostgreSQL; a single writer on SQLite), and every write of a notice is keyed by what caused it, so doing a
/// step twice tells nobody twice.
pub trait NotificationStore: Outbox + Reminders + Deliveries + JobRecord + Notices {}

impl<S: Outbox + Reminders + Deliveries + JobRecord + Notices> NotificationStore for S {}

/// Calls an organization's own system.
pub trait WebhookSender: Clone + Send + Sync + 'static {
    /// POSTs `body` to `url`, signed with `secret`.
    fn send(
        &self,
        url: &str,
        secret: &str,
        delivery: Uuid,
        event_type: &str,
        body: &str,
    ) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// Sends text messages.
pub trait SmsGateway: Clone + Send + Sync + 'static {
    fn send(&self, to: &PhoneNumber, text: &str) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// 站内信: each account's messages.
pub trait Inbox: Clone + Send + Sync + 'static {
    /// An account's messages, newest first, older than `before` when given.
    fn inbox(
        &self,
        account: AccountId,
        unread_only: bool,
        before: Option<Uuid>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<InboxRecord>, Unexpected>> + Send;

    fn unread_count(&self, account: AccountId) -> impl Future<Output = Result<u64, Unexpected>> + Send;

    /// Marks one of the account's messages read; false when the account has no such message.
    fn mark_read(
        &self,
        account: AccountId,
        id: Uuid,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Marks all the account's messages read; returns how many were unread.
    fn mark_all_read(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, Unexpected>> + Send;
}

/// Organizations' webhook endpoints and their signing secrets.
pub trait WebhookEndpoints: Clone + Send + Sync + 'static {
    fn webhook(&self, provider: ProviderId) -> impl Future<Output = Result<Option<WebhookRecord>, Unexpected>> + Send;

    /// Sets the provider's webhook URL. The first time, a signing secret is made and returned; later changes
    /// keep the secret.
    fn set_webhook(
        &self,
        provider: ProviderId,
        url: &WebhookUrl,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<WebhookRecord, Unexpected>> + Send;

    /// Replaces the provider's signing secret; `None` when it has no endpoint.
    fn rotate_webhook_secret(
        &self,
        provider: ProviderId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<WebhookRecord>, Unexpected>> + Send;

    /// Removes the provider's endpoint; false when it had none.
    fn remove_webhook(&self, provider: ProviderId) -> impl Future<Output = Result<bool, Unexpected>> + Send;
}

/// Deliveries to the outside, as admins see them, and the record of the scheduled jobs.
pub trait DeliveryLog: Clone + Send + Sync + 'static {
    /// Deliveries in `state` (all when `None`), newest first.
    fn deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<DeliveryRecord>, Unexpected>> + Send;

    /// Gives a dead delivery a fresh set of attempts, starting now. Returns it after, or `None` when no dead
    /// delivery has that id.
    /// The audit entry is written with it, when there was one to replay.
    fn replay_delivery(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<Option<DeliveryRecord>, Unexpected>> + Send;

    /// How much notification work waits: undelivered outbox rows, pending reminders, and deliveries by state.
    fn notification_backlog(&self) -> impl Future<Output = Result<NotificationBacklog, Unexpected>> + Send;

    /// How each scheduled job's runs went, by name.
    fn job_runs(&self) -> impl Future<Output = Result<Vec<JobRunRecord>, Unexpected>> + Send;
}
