//! Notifications in the database: the outbox fan-out, reminders, deliveries with their retries, webhook
//! endpoints, inboxes, and the record of scheduled jobs.
//!
//! Work is handed out with a conditional update of rows chosen by a subquery that locks them and skips rows
//! another transaction holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer and no such
//! clause). Every notice is keyed by what caused it, so a repeated step writes nothing twice.

mod deliveries;
mod fan_out;
mod jobs;
mod notices;
mod reminders;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{LockBehavior, LockType, OnConflict, SelectStatement};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use linli_domain::accounts::{AccountId, Role};
use linli_domain::notifications::Channel;
use linli_domain::orders::OrderId;
use linli_domain::providers::ProviderId;
use linli_domain::words::{Lang, Message};

use crate::entities::states::StoredDeliveryState;
use crate::entities::{account, delivery, inbox_message};
use crate::store::Store;

/// The outbox topic of a change of an order's appointment window.
pub(super) const RESCHEDULED_TOPIC: &str = "order.rescheduled";

/// A subquery choosing the rows to claim: locked, skipping rows others hold, where the database can.
fn claimable(mut select: SelectStatement) -> SelectStatement {
    select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    select
}

/// Inserts a row unless one with the same unique key exists.
pub(super) async fn insert_once<A, C>(db: &C, row: A, key: impl sea_orm::sea_query::IntoIden) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait,
    C: ConnectionTrait,
{
    let inserted = <A::Entity as EntityTrait>::insert(row)
        .on_conflict(OnConflict::column(key).do_nothing().to_owned())
        .exec_without_returning(db)
        .await;
    match inserted {
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
        Err(e) => Err(e),
    }
}

/// An inbox message saying `message`, kept as its catalog key and facts beside its Chinese wording.
pub(super) fn new_inbox(
    account: AccountId,
    message: &Message,
    order: Option<OrderId>,
    key: String,
    now: DateTime<Utc>,
) -> inbox_message::ActiveModel {
    let stored = serde_json::to_string(message).ok();
    inbox_row(account, &message.title(Lang::ZhCn), &message.body(Lang::ZhCn), stored, order, key, now)
}

/// An inbox message as written, with what it says when that is known.
pub(super) fn inbox_row(
    account: AccountId,
    title: &str,
    body: &str,
    message: Option<String>,
    order: Option<OrderId>,
    key: String,
    now: DateTime<Utc>,
) -> inbox_message::ActiveModel {
    inbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.0),
        topic: Set(title.to_owned()),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        message: Set(message),
        order_id: Set(order.map(|o| o.0)),
        source_key: Set(key),
        created_at: Set(now),
        read_at: Set(None),
    }
}

fn new_delivery(
    channel: Channel,
    provider: Option<ProviderId>,
    account: Option<AccountId>,
    event_type: &str,
    body: String,
    key: String,
    now: DateTime<Utc>,
) -> delivery::ActiveModel {
    delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        channel: Set(channel.as_str().to_owned()),
        provider_id: Set(provider.map(|p| p.0)),
        account_id: Set(account.map(|a| a.0)),
        event_type: Set(event_type.to_owned()),
        body: Set(body),
        state: Set(StoredDeliveryState::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        source_key: Set(key),
        created_at: Set(now),
        delivered_at: Set(None),
    }
}

impl Store {
    /// Accounts among `ids` with a phone number.
    async fn phones<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>, DbErr> {
        Ok(Self::with_phones(db, ids).await?.into_iter().filter_map(|a| a.phone.map(|p| (a.id, p))).collect())
    }

    /// Which of `ids` can be texted, each with the language its person reads.
    async fn textable<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, Lang>, DbErr> {
        let accounts = Self::with_phones(db, ids).await?;
        Ok(accounts
            .into_iter()
            .map(|a| (a.id, a.language.as_deref().and_then(Lang::parse).unwrap_or_default()))
            .collect())
    }

    async fn with_phones<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<Vec<account::Model>, DbErr> {
        account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .filter(account::Column::Phone.is_not_null())
            .all(db)
            .await
    }

    /// Staff accounts of each provider among `ids`.
    async fn staff_of(&self, ids: Vec<Uuid>) -> Result<HashMap<Uuid, Vec<AccountId>>, DbErr> {
        let mut staff: HashMap<Uuid, Vec<AccountId>> = HashMap::new();
        for a in account::Entity::find().filter(account::Column::ProviderId.is_in(ids)).all(&self.db).await? {
            if let Some(p) = a.provider_id {
                staff.entry(p).or_default().push(AccountId(a.id));
            }
        }
        Ok(staff)
    }

    /// The community workers' accounts that meet `which` (of a community, or of a street).
    async fn workers(&self, which: sea_orm::sea_query::SimpleExpr) -> Result<Vec<AccountId>, DbErr> {
        let rows = account::Entity::find()
            .filter(account::Column::Role.eq(Role::CommunityWorker.as_str()))
            .filter(which)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|a| AccountId(a.id)).collect())
    }
}
