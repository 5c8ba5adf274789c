//! What the API reads and changes of notifications: inboxes, organizations' webhook endpoints, deliveries
//! (dead letters and their replay) and the record of scheduled jobs.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;
use linli_domain::notifications::records::{
    DeliveryRecord, DeliveryState, InboxRecord, JobRunRecord, NotificationBacklog, WebhookRecord, WebhookUrl,
};
use linli_domain::notifications::{DeliveryLog, Inbox, WebhookEndpoints};
use linli_domain::providers::ProviderId;

use super::Store;
use crate::db::DbContext;
use crate::entities::states::{StoredDeliveryState, StoredReminderState};
use crate::entities::{delivery, inbox_message, job_run, webhook_endpoint};

impl From<inbox_message::Model> for InboxRecord {
    fn from(m: inbox_message::Model) -> Self {
        Self {
            id: m.id,
            account_id: m.account_id,
            topic: m.topic,
            title: m.title,
            body: m.body,
            // A message this version cannot read (from a later one) reads as written.
            message: m.message.as_deref().and_then(|j| serde_json::from_str(j).ok()),
            order_id: m.order_id,
            source_key: m.source_key,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

impl From<delivery::Model> for DeliveryRecord {
    fn from(d: delivery::Model) -> Self {
        Self {
            id: d.id,
            channel: d.channel,
            provider_id: d.provider_id,
            account_id: d.account_id,
            event_type: d.event_type,
            body: d.body,
            state: DeliveryState::from(d.state).as_str().to_owned(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            source_key: d.source_key,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
        }
    }
}

impl From<job_run::Model> for JobRunRecord {
    fn from(j: job_run::Model) -> Self {
        Self {
            job: j.job,
            last_slot: j.last_slot,
            last_started_at: j.last_started_at,
            last_finished_at: j.last_finished_at,
            last_duration_ms: j.last_duration_ms,
            last_count: j.last_count,
            last_error: j.last_error,
            runs: j.runs,
            failures: j.failures,
        }
    }
}

impl Inbox for Store {
    /// An account's messages, newest first, older than `before` when given.
    async fn inbox(
        &self,
        account: AccountId,
        unread_only: bool,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<InboxRecord>, Unexpected> {
        let mut query = inbox_message::Entity::find().filter(inbox_message::Column::AccountId.eq(account.0));
        if unread_only {
            query = query.filter(inbox_message::Column::ReadAt.is_null());
        }
        if let Some(before) = before {
            query = query.filter(inbox_message::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(inbox_message::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("reading an inbox")?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn unread_count(&self, account: AccountId) -> Result<u64, Unexpected> {
        inbox_message::Entity::find()
            .filter(inbox_message::Column::AccountId.eq(account.0))
            .filter(inbox_message::Column::ReadAt.is_null())
            .count(&self.db)
            .await
            .context("counting unread messages")
    }

    /// Marks one of the account's messages read; false when the account has no such message.
    async fn mark_read(&self, account: AccountId, id: Uuid, now: DateTime<Utc>) -> Result<bool, Unexpected> {
        let found = inbox_message::Entity::find_by_id(id)
            .filter(inbox_message::Column::AccountId.eq(account.0))
            .one(&self.db)
            .await
            .context("reading a message")?;
        if found.as_ref().is_some_and(|m| m.read_at.is_none()) {
            inbox_message::Entity::update_many()
                .col_expr(inbox_message::Column::ReadAt, Expr::value(now))
                .filter(inbox_message::Column::Id.eq(id))
                .exec(&self.db)
                .await
                .context("marking a message read")?;
        }
        Ok(found.is_some())
    }

    /// Marks all the account's messages read; returns how many were unread.
    async fn mark_all_read(&self, account: AccountId, now: DateTime<Utc>) -> Result<u64, Unexpected> {
        let done = inbox_message::Entity::update_many()
            .col_expr(inbox_message::Column::ReadAt, Expr::value(now))
            .filter(inbox_message::Column::AccountId.eq(account.0))
            .filter(inbox_message::Column::ReadAt.is_null())
            .exec(&self.db)
            .await
            .context("marking messages read")?;
        Ok(done.rows_affected)
    }
}

impl WebhookEndpoints for Store {
    async fn webhook(&self, provider: ProviderId) -> Result<Option<WebhookRecord>, Unexpected> {
        let found = webhook_endpoint::Entity::find_by_id(provider.0)
            .one(&self.db)
            .await
            .context("reading a webhook endpoint")?;
        Ok(found.map(|w| WebhookRecord { url: w.url, updated_at: w.updated_at, new_secret: None }))
    }

    /// Sets the provider's webhook URL. The first time, a signing secret is made and returned; later changes
    /// keep the secret.
    async fn set_webhook(
        &self,
        provider: ProviderId,
        url: &WebhookUrl,
        now: DateTime<Utc>,
    ) -> Result<WebhookRecord, Unexpected> {
        let url = url.as_ref();
        let what = "setting a webhook endpoint";
        let existing = webhook_endpoint::Entity::find_by_id(provider.0).one(&self.db).await.context(what)?;
        if existing.is_some() {
            webhook_endpoint::Entity::update_many()
                .col_expr(webhook_endpoint::Column::Url, Expr::value(url))
                .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
                .filter(webhook_endpoint::Column::ProviderId.eq(provider.0))
                .exec(&self.db)
                .await
                .context(what)?;
            return Ok(WebhookRecord { url: url.to_owned(), updated_at: now, new_secret: None });
        }
        let secret = crate::auth::new_token()?;
        let row = webhook_endpoint::ActiveModel {
            provider_id: Set(provider.0),
            url: Set(url.to_owned()),
            secret: Set(secret.clone()),
            updated_at: Set(now),
        };
        webhook_endpoint::Entity::insert(row).exec_without_returning(&self.db).await.context(what)?;
        Ok(WebhookRecord { url: url.to_owned(), updated_at: now, new_secret: Some(secret) })
    }

    /// Replaces the provider's signing secret; `None` when it has no endpoint.
    async fn rotate_webhook_secret(
        &self,
        provider: ProviderId,
        now: DateTime<Utc>,
    ) -> Result<Option<WebhookRecord>, Unexpected> {
        let secret = crate::auth::new_token()?;
        let rows = webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::Secret, Expr::value(secret.clone()))
            .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
            .filter(webhook_endpoint::Column::ProviderId.eq(provider.0))
            .exec_with_returning(&self.db)
            .await
            .context("rotating a webhook secret")?;
        Ok(rows.into_iter().next().map(|w| WebhookRecord { url: w.url, updated_at: now, new_secret: Some(secret) }))
    }

    /// Removes the provider's endpoint; false when it had none.
    async fn remove_webhook(&self, provider: ProviderId) -> Result<bool, Unexpected> {
        let done = webhook_endpoint::Entity::delete_by_id(provider.0)
            .exec(&self.db)
            .await
            .context("removing a webhook endpoint")?;
        Ok(done.rows_affected == 1)
    }
}

impl DeliveryLog for Store {
    /// Deliveries in `state` (all when `None`), newest first.
    async fn deliveries(&self, state: Option<DeliveryState>, limit: u64) -> Result<Vec<DeliveryRecord>, Unexpected> {
        let mut query = delivery::Entity::find();
        if let Some(state) = state {
            query = query.filter(delivery::Column::State.eq(StoredDeliveryState::from(state)));
        }
        let rows =
            query.order_by_desc(delivery::Column::Id).limit(limit).all(&self.db).await.context("listing deliveries")?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Gives a dead delivery a fresh set of attempts, starting now. Returns it after, or `None` when no dead
    /// delivery has that id.
    async fn replay_delivery(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<Option<DeliveryRecord>, Unexpected> {
        let txn = self.begin("replaying a delivery").await?;
        let rows = delivery::Entity::update_many()
            .col_expr(delivery::Column::State, Expr::value(StoredDeliveryState::Pending))
            .col_expr(delivery::Column::Attempts, Expr::value(0))
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(now))
            .filter(delivery::Column::Id.eq(id))
            .filter(delivery::Column::State.eq(StoredDeliveryState::Dead))
            .exec_with_returning(&txn)
            .await
            .context("replaying a delivery")?;
        let Some(replayed) = rows.into_iter().next() else {
            return Ok(None);
        };
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context("replaying a delivery")?;
        Ok(Some(replayed.into()))
    }

    /// How much notification work waits: undelivered outbox rows, pending reminders, and deliveries by state.
    async fn notification_backlog(&self) -> Result<NotificationBacklog, Unexpected> {
        use crate::entities::{outbox, reminder};
        use sea_orm::ExprTrait;
        let what = "measuring the notification backlog";
        let outbox =
            outbox::Entity::find().filter(outbox::Column::DeliveredAt.is_null()).count(&self.db).await.context(what)?;
        let reminders = reminder::Entity::find()
            .filter(reminder::Column::State.eq(StoredReminderState::Pending))
            .count(&self.db)
            .await
            .context(what)?;
        let deliveries = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::State)
            .column_as(Expr::col(delivery::Column::Id).count(), "n")
            .group_by(delivery::Column::State)
            .into_tuple::<(StoredDeliveryState, i64)>()
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|(state, n)| (DeliveryState::from(state).as_str().to_owned(), n))
            .collect();
        Ok(NotificationBacklog { outbox, reminders, deliveries })
    }

    /// How each scheduled job's runs went, by name.
    async fn job_runs(&self) -> Result<Vec<JobRunRecord>, Unexpected> {
        let rows = job_run::Entity::find()
            .order_by_asc(job_run::Column::Job)
            .all(&self.db)
            .await
            .context("reading the jobs' runs")?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
