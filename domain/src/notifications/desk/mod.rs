//! The notification use cases people and admins call: everyone reads and clears their own inbox; an
//! organization's staff keep its webhook endpoint; admins read the delivery log, replay dead letters and watch
//! the scheduled jobs. Who may do which is decided here.

use uuid::Uuid;

use super::ports::{DeliveryLog, Inbox, WebhookEndpoints};
use super::records::{
    DeliveryRecord, DeliveryState, InboxRecord, JobRunRecord, NotificationBacklog, WebhookRecord, WebhookUrl,
};
use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid};
use crate::paging::PageRequest;
use crate::providers::ProviderId;

/// The notification use cases over the repository `R` and a clock.
#[derive(Clone)]
pub struct NotificationDesk<R, C> {
    pub repo: R,
    pub clock: C,
}

impl<R, C> NotificationDesk<R, C> {
    pub fn new(repo: R, clock: C) -> Self {
        Self { repo, clock }
    }
}

/// The provider whose webhook the actor keeps: staff of an organization or point.
fn organization_of(actor: &Actor) -> Result<ProviderId, Denied> {
    if actor.role != Role::ProviderStaff {
        return Err(Denied("only an organization's staff keep its webhook endpoint"));
    }
    actor.provider.ok_or(Denied("this account belongs to no provider"))
}

fn admin(actor: &Actor) -> Result<(), Denied> {
    if actor.role == Role::Admin { Ok(()) } else { Err(Denied("only admins see deliveries and jobs")) }
}

impl<R: Inbox, C: Clock> NotificationDesk<R, C> {
    /// The actor's messages, newest first; `limit` at most, older than `before`.
    pub async fn inbox(
        &self,
        actor: &Actor,
        unread_only: bool,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<InboxRecord>, DeskError> {
        Ok(self.repo.inbox(actor.account, unread_only, before, limit).await?)
    }

    pub async fn unread_count(&self, actor: &Actor) -> Result<u64, DeskError> {
        Ok(self.repo.unread_count(actor.account).await?)
    }

    /// Marks one of the actor's own messages read; returns how many stay unread.
    pub async fn mark_read(&self, actor: &Actor, id: Uuid) -> Result<u64, DeskError> {
        if !self.repo.mark_read(actor.account, id, self.clock.now()).await? {
            return Err(DeskError::NotFound("message"));
        }
        Ok(self.repo.unread_count(actor.account).await?)
    }

    /// Marks all the actor's messages read; returns how many were unread.
    pub async fn mark_all_read(&self, actor: &Actor) -> Result<u64, DeskError> {
        Ok(self.repo.mark_all_read(actor.account, self.clock.now()).await?)
    }
}

impl<R: WebhookEndpoints, C: Clock> NotificationDesk<R, C> {
    pub async fn webhook(&self, actor: &Actor) -> Result<WebhookRecord, DeskError> {
        let provider = organization_of(actor)?;
        self.repo.webhook(provider).await?.ok_or(DeskError::NotFound("webhook endpoint"))
    }

    /// Sets where the actor's organization receives its events; the first time, with a new signing secret.
    pub async fn set_webhook(&self, actor: &Actor, url: &str) -> Result<WebhookRecord, DeskError> {
        let provider = organization_of(actor)?;
        let url = WebhookUrl::parse(url).map_err(|e| Invalid::malformed("url", e))?;
        Ok(self.repo.set_webhook(provider, &url, self.clock.now()).await?)
    }

    /// A new signing secret for the actor's organization; the old one stops working at once.
    pub async fn rotate_webhook_secret(&self, actor: &Actor) -> Result<WebhookRecord, DeskError> {
        let provider = organization_of(actor)?;
        let rotated = self.repo.rotate_webhook_secret(provider, self.clock.now()).await?;
        rotated.ok_or(DeskError::NotFound("webhook endpoint"))
    }

    pub async fn remove_webhook(&self, actor: &Actor) -> Result<(), DeskError> {
        let provider = organization_of(actor)?;
        if self.repo.remove_webhook(provider).await? { Ok(()) } else { Err(DeskError::NotFound("webhook endpoint")) }
    }
}

impl<R: DeliveryLog, C: Clock> NotificationDesk<R, C> {
    /// Webhook calls and SMS, newest first, in `state` (`pending`, `delivered` or `dead`; all when absent).
    pub async fn deliveries(
        &self,
        actor: &Actor,
        state: Option<&str>,
        page: PageRequest<'_>,
    ) -> Result<Vec<DeliveryRecord>, DeskError> {
        admin(actor)?;
        let state = state
            .map(|s| {
                DeliveryState::parse(s)
                    .ok_or_else(|| Invalid::malformed("state", "state must be pending, delivered or dead"))
            })
            .transpose()?;
        Ok(self.repo.deliveries(state, page.size()?).await?)
    }

    /// An admin gives a dead letter a fresh set of attempts.
    pub async fn replay_delivery(&self, actor: &Actor, id: Uuid) -> Result<DeliveryRecord, DeskError> {
        admin(actor)?;
        let now = self.clock.now();
        let audit = AuditEntry::new(actor, now, "delivery.replayed", format!("delivery:{id}"))
            .before(serde_json::json!({ "state": "dead" }))
            .after(serde_json::json!({ "state": "pending", "attempts": 0 }));
        self.repo.replay_delivery(id, now, audit).await?.ok_or(DeskError::NotFound("dead delivery"))
    }

    /// How each scheduled job is running, for admins.
    pub async fn job_runs(&self, actor: &Actor) -> Result<Vec<JobRunRecord>, DeskError> {
        admin(actor)?;
        Ok(self.repo.job_runs().await?)
    }

    /// The jobs' record and the backlog, for the metrics scrape.
    pub async fn metrics(&self) -> Result<(Vec<JobRunRecord>, NotificationBacklog), DeskError> {
        Ok((self.repo.job_runs().await?, self.repo.notification_backlog().await?))
    }
}

#[cfg(test)]
mod tests;
