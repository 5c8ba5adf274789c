//! The order's event log and its outbox: every transition appends both in its own transaction, and the
//! notifier announces the outbox rows later.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::orders::{OrderId, OrderState};

use crate::db::DbContext;
use crate::entities::{order_event, outbox};

/// One event of an order: which, from and to what state, who moved it, why, and when.
pub(super) type EventRow<'a> = (OrderId, Option<OrderState>, OrderState, Option<AccountId>, &'a str, DateTime<Utc>);

/// Appends the order's event and the outbox row that will announce it, in the caller's transaction.
pub(super) async fn record(
    txn: &DatabaseTransaction,
    id: OrderId,
    from: Option<OrderState>,
    to: OrderState,
    actor: Option<AccountId>,
    note: &str,
    at: DateTime<Utc>,
) -> Result<(), Unexpected> {
    record_all(txn, &[(id, from, to, actor, note, at)]).await
}

/// Appends each order's event and the outbox row that will announce it, two statements for any number.
pub(super) async fn record_all(txn: &DatabaseTransaction, events: &[EventRow<'_>]) -> Result<(), Unexpected> {
    record_as(txn, events, None).await
}

/// Like [`record_all`], the outbox rows under `topic` when given (news that is not a move to a state: a
/// rescheduling, what was said of a visit) instead of `order.<state>`.
pub(super) async fn record_as(
    txn: &DatabaseTransaction,
    events: &[EventRow<'_>],
    topic: Option<&str>,
) -> Result<(), Unexpected> {
    if events.is_empty() {
        return Ok(());
    }
    let what = "recording an order event";
    let (rows, mut announcements): (Vec<_>, Vec<_>) = event_rows(events).into_iter().unzip();
    if let Some(topic) = topic {
        for a in &mut announcements {
            a.topic = Set(topic.to_owned());
        }
    }
    order_event::Entity::insert_many(rows).exec_without_returning(txn).await.context(what)?;
    outbox::Entity::insert_many(announcements).exec_without_returning(txn).await.context(what)?;
    Ok(())
}

/// Each event's row, and the outbox row that will announce it.
pub(super) fn event_rows(events: &[EventRow<'_>]) -> Vec<(order_event::ActiveModel, outbox::ActiveModel)> {
    events
        .iter()
        .map(|&(id, from, to, actor, note, at)| {
            let event_id = Uuid::now_v7();
            let payload = serde_json::json!({
                "event_id": event_id,
                "order_id": id.0,
                "from": from.map(OrderState::as_str),
                "to": to.as_str(),
                "actor": actor.map(|a| a.0),
                "note": note,
                "at": at,
            });
            let event = order_event::ActiveModel {
                id: Set(event_id),
                order_id: Set(id.0),
                at: Set(at),
                from_state: Set(from.map(Into::into)),
                to_state: Set(to.into()),
                actor_id: Set(actor.map(|a| a.0)),
                note: Set(note.to_owned()),
            };
            let announcement = outbox::ActiveModel {
                id: Set(Uuid::now_v7()),
                topic: Set(format!("order.{}", to.as_str())),
                payload: Set(payload.to_string()),
                created_at: Set(at),
                delivered_at: Set(None),
                claimed_until: Set(None),
            };
            (event, announcement)
        })
        .collect()
}
