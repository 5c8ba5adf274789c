//! An in-memory stand-in for the inbox, webhook and delivery-log ports, for unit tests of the notification use
//! cases: it holds what a test puts in and records each write it was asked to make.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ports::{DeliveryLog, Inbox, WebhookEndpoints};
use super::records::{
    DeliveryRecord, DeliveryState, InboxRecord, JobRunRecord, NotificationBacklog, WebhookRecord, WebhookUrl,
};
use crate::accounts::AccountId;
use crate::audit::AuditEntry;
use crate::error::Unexpected;
use crate::providers::ProviderId;

#[derive(Default)]
pub struct Held {
    pub messages: Vec<InboxRecord>,
    pub webhooks: Vec<(ProviderId, WebhookRecord)>,
    pub deliveries: Vec<DeliveryRecord>,
    pub jobs: Vec<JobRunRecord>,
    /// Every write asked of the fake, by port method, in order.
    pub writes: Vec<&'static str>,
}

/// The fake repository; clones share what they hold.
#[derive(Clone, Default)]
pub struct FakeNotifications(Arc<Mutex<Held>>);

impl FakeNotifications {
    pub fn held(&self) -> MutexGuard<'_, Held> {
        self.0.lock().expect("a test panicked while holding the fake")
    }

    pub fn writes(&self) -> Vec<&'static str> {
        self.held().writes.clone()
    }

    fn wrote(&self, what: &'static str) {
        self.held().writes.push(what);
    }

    /// An unread message to `account`; returns its id.
    pub fn message_to(&self, account: AccountId) -> Uuid {
        let id = Uuid::now_v7();
        self.held().messages.push(InboxRecord {
            id,
            account_id: account.0,
            topic: "order.accepted".into(),
            title: "订单已接单".into(),
            body: String::new(),
            message: None,
            order_id: None,
            source_key: id.to_string(),
            created_at: DateTime::UNIX_EPOCH,
            read_at: None,
        });
        id
    }

    /// A dead webhook delivery; returns its id.
    pub fn dead_delivery(&self) -> Uuid {
        let id = Uuid::now_v7();
        self.held().deliveries.push(DeliveryRecord {
            id,
            channel: "webhook".into(),
            provider_id: None,
            account_id: None,
            event_type: "order.accepted".into(),
            body: "{}".into(),
            state: DeliveryState::Dead.as_str().into(),
            attempts: 8,
            next_attempt_at: DateTime::UNIX_EPOCH,
            last_error: Some("503".into()),
            source_key: id.to_string(),
            created_at: DateTime::UNIX_EPOCH,
            delivered_at: None,
        });
        id
    }
}

impl Inbox for FakeNotifications {
    async fn inbox(
        &self,
        account: AccountId,
        unread_only: bool,
        _before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<InboxRecord>, Unexpected> {
        let held = self.held();
        let mine = held.messages.iter().filter(|m| m.account_id == account.0 && (!unread_only || m.read_at.is_none()));
        Ok(mine.take(limit as usize).cloned().collect())
    }

    async fn unread_count(&self, account: AccountId) -> Result<u64, Unexpected> {
        Ok(self.held().messages.iter().filter(|m| m.account_id == account.0 && m.read_at.is_none()).count() as u64)
    }

    async fn mark_read(&self, account: AccountId, id: Uuid, now: DateTime<Utc>) -> Result<bool, Unexpected> {
        self.wrote("mark_read");
        let mut held = self.held();
        let Some(message) = held.messages.iter_mut().find(|m| m.id == id && m.account_id == account.0) else {
            return Ok(false);
        };
        message.read_at.get_or_insert(now);
        Ok(true)
    }

    async fn mark_all_read(&self, account: AccountId, now: DateTime<Utc>) -> Result<u64, Unexpected> {
        self.wrote("mark_all_read");
        let mut held = self.held();
        let unread = held.messages.iter_mut().filter(|m| m.account_id == account.0 && m.read_at.is_none());
        Ok(unread.map(|m| m.read_at = Some(now)).count() as u64)
    }
}

impl WebhookEndpoints for FakeNotifications {
    async fn webhook(&self, provider: ProviderId) -> Result<Option<WebhookRecord>, Unexpected> {
        Ok(self.held().webhooks.iter().find(|(p, _)| *p == provider).map(|(_, w)| w.clone()))
    }

    async fn set_webhook(
        &self,
        provider: ProviderId,
        url: &WebhookUrl,
        now: DateTime<Utc>,
    ) -> Result<WebhookRecord, Unexpected> {
        self.wrote("set_webhook");
        let record = WebhookRecord { url: url.as_ref().to_owned(), updated_at: now, new_secret: Some("s".into()) };
        let mut held = self.held();
        held.webhooks.retain(|(p, _)| *p != provider);
        held.webhooks.push((provider, record.clone()));
        Ok(record)
    }

    async fn rotate_webhook_secret(
        &self,
        provider: ProviderId,
        now: DateTime<Utc>,
    ) -> Result<Option<WebhookRecord>, Unexpected> {
        self.wrote("rotate_webhook_secret");
        let mut held = self.held();
        let found = held.webhooks.iter_mut().find(|(p, _)| *p == provider);
        Ok(found.map(|(_, w)| {
            w.updated_at = now;
            WebhookRecord { new_secret: Some("rotated".into()), ..w.clone() }
        }))
    }

    async fn remove_webhook(&self, provider: ProviderId) -> Result<bool, Unexpected> {
        self.wrote("remove_webhook");
        let mut held = self.held();
        let before = held.webhooks.len();
        held.webhooks.retain(|(p, _)| *p != provider);
        Ok(held.webhooks.len() < before)
    }
}

impl DeliveryLog for FakeNotifications {
    async fn deliveries(&self, state: Option<DeliveryState>, limit: u64) -> Result<Vec<DeliveryRecord>, Unexpected> {
        let held = self.held();
        let wanted = held.deliveries.iter().filter(|d| state.is_none_or(|s| d.state == s.as_str()));
        Ok(wanted.take(limit as usize).cloned().collect())
    }

    async fn replay_delivery(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        _audit: AuditEntry,
    ) -> Result<Option<DeliveryRecord>, Unexpected> {
        self.wrote("replay_delivery");
        let mut held = self.held();
        let dead = held.deliveries.iter_mut().find(|d| d.id == id && d.state == DeliveryState::Dead.as_str());
        Ok(dead.map(|d| {
            d.state = DeliveryState::Pending.as_str().into();
            d.attempts = 0;
            d.next_attempt_at = now;
            d.clone()
        }))
    }

    async fn notification_backlog(&self) -> Result<NotificationBacklog, Unexpected> {
        Ok(NotificationBacklog::default())
    }

    async fn job_runs(&self) -> Result<Vec<JobRunRecord>, Unexpected> {
        Ok(self.held().jobs.clone())
    }
}
