//! The outbox's fan-out: claiming events, reading what their notices need, and writing the notices with the
//! row marked done.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::notifications::{Channel, EventContext, Happened, Notice, Outbox, OutboxEvent, VisitNews};
use linli_domain::orders::{OrderId, OrderState};
use linli_domain::providers::ProviderId;
use linli_domain::words::Lang;

use super::{RESCHEDULED_TOPIC, claimable, insert_once, new_delivery, new_inbox};
use crate::db::DbContext;
use crate::entities::states::StoredReminderState;
use crate::entities::{
    account, catalog_item, community, delivery, inbox_message, order, order_offer, outbox, reminder, webhook_endpoint,
};
use crate::store::Store;

impl Outbox for Store {
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<OutboxEvent>, Unexpected> {
        let what = "claiming outbox rows";
        let free =
            Expr::col(outbox::Column::ClaimedUntil).is_null().or(Expr::col(outbox::Column::ClaimedUntil).lt(now));
        let choose = claimable(
            Query::select()
                .column(outbox::Column::Id)
                .from(outbox::Entity)
                .and_where(Expr::col(outbox::Column::DeliveredAt).is_null())
                .and_where(free)
                .order_by(outbox::Column::CreatedAt, sea_orm::Order::Asc)
                .limit(limit)
                .to_owned(),
        );
        let rows = outbox::Entity::update_many()
            .col_expr(outbox::Column::ClaimedUntil, Expr::value(lease_until))
            .filter(outbox::Column::Id.in_subquery(choose))
            .exec_with_returning(&self.db)
            .await
            .context(what)?;
        let mut events: Vec<OutboxEvent> = rows.into_iter().filter_map(parse_outbox).collect();
        events.sort_by_key(|ev| ev.at);
        Ok(events)
    }

    async fn event_context(&self, id: OrderId, at: DateTime<Utc>) -> Result<EventContext, Unexpected> {
        let what = "reading who an order event concerns";
        let Some(o) = order::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(EventContext { order: Some(id), ..EventContext::default() });
        };
        let item_name = catalog_item::Entity::find_by_id(o.item_id).one(&self.db).await.context(what)?.map(|i| i.name);
        // The offers this event made, and those made before it, whose holders may see them end now.
        let (open, before): (Vec<_>, Vec<_>) = order_offer::Entity::find()
            .filter(order_offer::Column::OrderId.eq(id.0))
            .filter(order_offer::Column::OfferedAt.lte(at))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .partition(|offer| offer.offered_at == at);
        let open: Vec<Uuid> = open.into_iter().map(|offer| offer.provider_id).collect();
        let before: Vec<Uuid> = before.into_iter().map(|offer| offer.provider_id).collect();
        let mut concerned = open.clone();
        concerned.extend(&before);
        concerned.extend(o.provider_id);
        let staff = self.staff_of(concerned).await.context(what)?;
        let workers = self.workers(account::Column::CommunityId.eq(o.community_id)).await.context(what)?;
        // A high-risk intake goes to the street at once: its workers are told too.
        let street_workers = match o.high_risk {
            true => {
                let street = Query::select()
                    .column(community::Column::StreetId)
                    .from(community::Entity)
                    .and_where(community::Column::Id.eq(o.community_id))
                    .to_owned();
                self.workers(account::Column::StreetId.in_subquery(street)).await.context(what)?
            }
            false => Vec::new(),
        };
        Ok(EventContext {
            order: Some(id),
            item_name: item_name.unwrap_or_default(),
            resident: Some(AccountId(o.resident_id)),
            provider: o.provider_id.map(ProviderId),
            provider_staff: o.provider_id.and_then(|p| staff.get(&p).cloned()).unwrap_or_default(),
            offered: open.iter().map(|p| (ProviderId(*p), staff.get(p).cloned().unwrap_or_default())).collect(),
            offered_before: before.iter().flat_map(|p| staff.get(p).cloned().unwrap_or_default()).collect(),
            workers,
            high_risk: o.high_risk,
            street_workers,
            window_start: o.window_start,
        })
    }

    async fn record_notices(
        &self,
        event: &OutboxEvent,
        notices: Vec<Notice>,
        sms: bool,
        now: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        let what = "recording notifications";
        let txn = self.begin(what).await?;
        write_notices(&txn, event, notices, sms, now).await.context(what)?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::DeliveredAt, Expr::value(now))
            .filter(outbox::Column::Id.eq(event.id))
            .exec(&txn)
            .await
            .context(what)?;
        txn.commit().await.context(what)
    }
}

/// An outbox row's announcement, if it is one of an order event.
fn parse_outbox(row: outbox::Model) -> Option<OutboxEvent> {
    let payload: serde_json::Value = serde_json::from_str(&row.payload).ok()?;
    let text = |field: &str| payload.get(field).and_then(|v| v.as_str()).map(str::to_owned);
    Some(OutboxEvent {
        id: row.id,
        event_id: text("event_id").and_then(|s| Uuid::parse_str(&s).ok())?,
        order: text("order_id").and_then(|s| Uuid::parse_str(&s).ok()).map(OrderId),
        happened: if row.topic == RESCHEDULED_TOPIC {
            Happened::Rescheduled
        } else if let Some(news) = VisitNews::parse(&row.topic) {
            Happened::Visit(news)
        } else {
            let to = text("to").and_then(|s| OrderState::parse(&s))?;
            // Only a provider giving an accepted order back moves it from accepted to submitted.
            match text("from").and_then(|s| OrderState::parse(&s)) {
                Some(OrderState::Accepted) if to == OrderState::Submitted => Happened::HandedBack,
                _ => Happened::Moved(to),
            }
        },
        at: row.created_at,
    })
}

/// Writes one event's notices in the caller's transaction.
async fn write_notices(
    txn: &DatabaseTransaction,
    event: &OutboxEvent,
    notices: Vec<Notice>,
    sms: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let ev = event.event_id;
    let providers: Vec<Uuid> = notices
        .iter()
        .filter_map(|n| if let Notice::Webhook { provider, .. } = n { Some(provider.0) } else { None })
        .collect();
    let with_endpoint: HashSet<Uuid> = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::ProviderId.is_in(providers))
        .all(txn)
        .await?
        .into_iter()
        .map(|w| w.provider_id)
        .collect();
    let texted: Vec<Uuid> = notices
        .iter()
        .filter_map(|n| if let Notice::Sms { account, .. } = n { Some(account.0) } else { None })
        .collect();
    let texts = if sms { Store::textable(txn, texted).await? } else { HashMap::new() };
    for notice in notices {
        match notice {
            Notice::Inbox { account, message } => {
                let row = new_inbox(account, &message, event.order, format!("{ev}:inbox:{}", account.0), now);
                insert_once(txn, row, inbox_message::Column::SourceKey).await?;
            }
            Notice::Webhook { provider, event_type, body } if with_endpoint.contains(&provider.0) => {
                let key = format!("{ev}:webhook:{}", provider.0);
                let row = new_delivery(Channel::Webhook, Some(provider), None, &event_type, body, key, now);
                insert_once(txn, row, delivery::Column::SourceKey).await?;
            }
            Notice::Sms { account, message } if texts.contains_key(&account.0) => {
                let key = format!("{ev}:sms:{}", account.0);
                let text = message.sms(texts[&account.0]);
                let row = new_delivery(Channel::Sms, None, Some(account), "order.sms", text, key, now);
                insert_once(txn, row, delivery::Column::SourceKey).await?;
            }
            Notice::Webhook { .. } | Notice::Sms { .. } => {}
            Notice::Remind { account, kind, due, message } => {
                let row = reminder::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    kind: Set(kind.as_str().to_owned()),
                    account_id: Set(account.0),
                    order_id: Set(event.order.map(|o| o.0)),
                    signup_id: Set(None),
                    due_at: Set(due),
                    state: Set(StoredReminderState::Pending),
                    text: Set(message.body(Lang::ZhCn)),
                    message: Set(serde_json::to_string(&message).ok()),
                    source_key: Set(format!("{ev}:{}:{}", kind.as_str(), account.0)),
                    created_at: Set(now),
                    sent_at: Set(None),
                };
                insert_once(txn, row, reminder::Column::SourceKey).await?;
            }
            Notice::CancelReminders => {
                if let Some(order) = event.order {
                    // Not those this very event made, should it be fanned out a second time.
                    reminder::Entity::update_many()
                        .col_expr(reminder::Column::State, Expr::value(StoredReminderState::Cancelled))
                        .filter(reminder::Column::OrderId.eq(order.0))
                        .filter(reminder::Column::State.eq(StoredReminderState::Pending))
                        .filter(reminder::Column::SourceKey.not_like(format!("{ev}:%")))
                        .exec(txn)
                        .await?;
                }
            }
        }
    }
    Ok(())
}
