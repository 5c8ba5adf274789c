//! Notifications in the database: the outbox fan-out, reminders, deliveries with their retries, webhook
//! endpoints, inboxes, and the record of scheduled jobs.
//!
//! Work is handed out with a conditional update of rows chosen by a subquery that locks them and skips rows
//! another transaction holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer and no such
//! clause). Every notice is keyed by what caused it, so a repeated step writes nothing twice.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, ExprTrait, LoaderTrait,
    QueryFilter, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use linli_domain::accounts::{AccountId, PhoneNumber, Role};
use linli_domain::error::Unexpected;
use linli_domain::notifications::{
    Channel, ClaimedDelivery, DeliveryTarget, EventContext, Happened, Notice, NotificationStore, OutboxEvent,
    ReminderKind,
};
use linli_domain::orders::{OrderId, OrderState};
use linli_domain::providers::ProviderId;
use linli_domain::volunteering::booking::SignupState;

use super::Store;
use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{
    account, catalog_item, delivery, inbox_message, job_run, occurrence, order, order_offer, outbox, reminder, shift,
    signup, webhook_endpoint,
};

const PENDING: &str = "pending";

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

pub(super) fn new_inbox(
    account: AccountId,
    title: &str,
    body: &str,
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
        state: Set(PENDING.to_owned()),
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
        Ok(account::Entity::find()
            .filter(account::Column::Id.is_in(ids))
            .filter(account::Column::Phone.is_not_null())
            .all(db)
            .await?
            .into_iter()
            .filter_map(|a| a.phone.map(|p| (a.id, p)))
            .collect())
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
}

impl NotificationStore for Store {
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
        let open: Vec<Uuid> = order_offer::Entity::find()
            .filter(order_offer::Column::OrderId.eq(id.0))
            .filter(order_offer::Column::OfferedAt.eq(at))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|offer| offer.provider_id)
            .collect();
        let mut concerned = open.clone();
        concerned.extend(o.provider_id);
        let staff = self.staff_of(concerned).await.context(what)?;
        let workers = account::Entity::find()
            .filter(account::Column::Role.eq(Role::CommunityWorker.as_str()))
            .filter(account::Column::CommunityId.eq(o.community_id))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|a| AccountId(a.id))
            .collect();
        Ok(EventContext {
            order: Some(id),
            item_name: item_name.unwrap_or_default(),
            resident: Some(AccountId(o.resident_id)),
            provider: o.provider_id.map(ProviderId),
            provider_staff: o.provider_id.and_then(|p| staff.get(&p).cloned()).unwrap_or_default(),
            offered: open.iter().map(|p| (ProviderId(*p), staff.get(p).cloned().unwrap_or_default())).collect(),
            workers,
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
        let txn = self.db.begin().await.context(what)?;
        write_notices(&txn, event, notices, sms, now).await.context(what)?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::DeliveredAt, Expr::value(now))
            .filter(outbox::Column::Id.eq(event.id))
            .exec(&txn)
            .await
            .context(what)?;
        txn.commit().await.context(what)
    }

    async fn send_due_reminders(&self, now: DateTime<Utc>, limit: u64, sms: bool) -> Result<usize, Unexpected> {
        let what = "sending due reminders";
        let txn = self.db.begin().await.context(what)?;
        let choose = claimable(
            Query::select()
                .column(reminder::Column::Id)
                .from(reminder::Entity)
                .and_where(Expr::col(reminder::Column::State).eq(PENDING))
                .and_where(Expr::col(reminder::Column::DueAt).lte(now))
                .order_by(reminder::Column::DueAt, sea_orm::Order::Asc)
                .limit(limit)
                .to_owned(),
        );
        let due = reminder::Entity::update_many()
            .col_expr(reminder::Column::State, Expr::value("sent"))
            .col_expr(reminder::Column::SentAt, Expr::value(now))
            .filter(reminder::Column::Id.in_subquery(choose))
            .exec_with_returning(&txn)
            .await
            .context(what)?;
        // Events are fanned out independently, so a reminder may outlive its order's cancellation or move: each
        // is checked against the order as it is now, and called off when it no longer fits.
        let orders = due.load_one(order::Entity, &txn).await.context(what)?;
        let shifts =
            shift_reminder_facts(&txn, due.iter().filter_map(|r| r.signup_id).collect()).await.context(what)?;
        let fits = |r: &reminder::Model, order: Option<&order::Model>| match (
            r.order_id,
            order,
            r.signup_id,
            ReminderKind::parse(&r.kind),
        ) {
            (Some(_), order, _, Some(kind)) => {
                order.is_some_and(|o| kind.still_fits(r.due_at, o.state.into(), o.window_start))
            }
            (None, _, Some(id), Some(kind)) => shifts.get(&id).is_some_and(|&(confirmed, called_off, start)| {
                kind.still_fits_shift(r.due_at, confirmed, called_off, start)
            }),
            _ => true,
        };
        let (due, stale): (Vec<_>, Vec<_>) = due.into_iter().zip(orders).partition(|(r, o)| fits(r, o.as_ref()));
        let (due, stale): (Vec<reminder::Model>, Vec<reminder::Model>) =
            (due.into_iter().map(|(r, _)| r).collect(), stale.into_iter().map(|(r, _)| r).collect());
        if !stale.is_empty() {
            reminder::Entity::update_many()
                .col_expr(reminder::Column::State, Expr::value("cancelled"))
                .filter(reminder::Column::Id.is_in(stale.iter().map(|r| r.id)))
                .exec(&txn)
                .await
                .context(what)?;
        }
        let phones = if sms {
            Self::phones(&txn, due.iter().map(|r| r.account_id).collect()).await.context(what)?
        } else {
            HashMap::new()
        };
        for r in &due {
            let title = ReminderKind::parse(&r.kind).map_or("提醒", ReminderKind::title);
            let account = AccountId(r.account_id);
            let inbox = new_inbox(account, title, &r.text, r.order_id.map(OrderId), format!("reminder:{}", r.id), now);
            insert_once(&txn, inbox, inbox_message::Column::SourceKey).await.context(what)?;
            if phones.contains_key(&r.account_id) {
                let text = format!("【邻里】{}", r.text);
                let sms = new_delivery(
                    Channel::Sms,
                    None,
                    Some(account),
                    &r.kind,
                    text,
                    format!("reminder:{}:sms", r.id),
                    now,
                );
                insert_once(&txn, sms, delivery::Column::SourceKey).await.context(what)?;
            }
        }
        txn.commit().await.context(what)?;
        Ok(due.len())
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ClaimedDelivery>, Unexpected> {
        let what = "claiming deliveries";
        let choose = claimable(
            Query::select()
                .column(delivery::Column::Id)
                .from(delivery::Entity)
                .and_where(Expr::col(delivery::Column::State).eq(PENDING))
                .and_where(Expr::col(delivery::Column::NextAttemptAt).lte(now))
                .order_by(delivery::Column::NextAttemptAt, sea_orm::Order::Asc)
                .limit(limit)
                .to_owned(),
        );
        let rows = delivery::Entity::update_many()
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(lease_until))
            .filter(delivery::Column::Id.in_subquery(choose))
            .exec_with_returning(&self.db)
            .await
            .context(what)?;
        let endpoints = rows.load_one(webhook_endpoint::Entity, &self.db).await.context(what)?;
        let phones = Self::phones(&self.db, rows.iter().filter_map(|d| d.account_id).collect()).await.context(what)?;
        Ok(rows
            .into_iter()
            .zip(endpoints)
            .filter_map(|(d, endpoint)| {
                let channel = Channel::parse(&d.channel)?;
                let target = match channel {
                    Channel::Webhook => endpoint
                        .map_or(DeliveryTarget::Gone, |w| DeliveryTarget::Webhook { url: w.url, secret: w.secret }),
                    Channel::Sms => d
                        .account_id
                        .and_then(|a| phones.get(&a))
                        .and_then(|p| PhoneNumber::parse(p).ok())
                        .map_or(DeliveryTarget::Gone, |phone| DeliveryTarget::Sms { phone }),
                };
                Some(ClaimedDelivery {
                    id: d.id,
                    channel,
                    event_type: d.event_type,
                    body: d.body,
                    attempts: u32::try_from(d.attempts).unwrap_or(0),
                    target,
                })
            })
            .collect())
    }

    async fn delivery_succeeded(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), Unexpected> {
        delivery::Entity::update_many()
            .col_expr(delivery::Column::State, Expr::value("delivered"))
            .col_expr(delivery::Column::DeliveredAt, Expr::value(now))
            .col_expr(delivery::Column::Attempts, Expr::col(delivery::Column::Attempts).add(1))
            .col_expr(delivery::Column::LastError, Expr::value(Option::<String>::None))
            .filter(delivery::Column::Id.eq(id))
            .filter(delivery::Column::State.eq(PENDING))
            .exec(&self.db)
            .await
            .context("recording a delivery")?;
        Ok(())
    }

    async fn delivery_failed(&self, id: Uuid, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), Unexpected> {
        let mut update = delivery::Entity::update_many()
            .col_expr(delivery::Column::Attempts, Expr::col(delivery::Column::Attempts).add(1))
            .col_expr(delivery::Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
            .filter(delivery::Column::Id.eq(id))
            // A worker whose lease ran out must not undo what the one that took over recorded.
            .filter(delivery::Column::State.eq(PENDING));
        update = match retry_at {
            Some(at) => update.col_expr(delivery::Column::NextAttemptAt, Expr::value(at)),
            None => update.col_expr(delivery::Column::State, Expr::value("dead")),
        };
        update.exec(&self.db).await.context("recording a failed delivery")?;
        Ok(())
    }

    async fn slot_done(&self, job: &str, slot: DateTime<Utc>) -> Result<bool, Unexpected> {
        let run = job_run::Entity::find_by_id(job.to_owned()).one(&self.db).await.context("reading a job's slot")?;
        Ok(run.and_then(|r| r.last_slot).is_some_and(|done| done >= slot))
    }

    async fn claim_slot(&self, job: &str, slot: DateTime<Utc>) -> Result<bool, Unexpected> {
        let what = "claiming a job's slot";
        insert_once(&self.db, new_job_run(job), job_run::Column::Job).await.context(what)?;
        let taken = job_run::Entity::update_many()
            .col_expr(job_run::Column::LastSlot, Expr::value(slot))
            .filter(job_run::Column::Job.eq(job))
            .filter(job_run::Column::LastSlot.is_null().or(job_run::Column::LastSlot.lt(slot)))
            .exec(&self.db)
            .await
            .context(what)?;
        Ok(taken.rows_affected == 1)
    }

    async fn open_escalations_by_worker(&self) -> Result<Vec<(AccountId, u64)>, Unexpected> {
        let what = "counting open escalations";
        let counts: HashMap<i32, i64> = order::Entity::find()
            .select_only()
            .column(order::Column::CommunityId)
            .column_as(Expr::col(order::Column::Id).count(), "n")
            .filter(order::Column::State.eq(StoredOrderState::Escalated))
            .group_by(order::Column::CommunityId)
            .into_tuple::<(i32, i64)>()
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .collect();
        let communities: Vec<i32> = counts.keys().copied().collect();
        let workers = account::Entity::find()
            .filter(account::Column::Role.eq(Role::CommunityWorker.as_str()))
            .filter(account::Column::CommunityId.is_in(communities))
            .all(&self.db)
            .await
            .context(what)?;
        Ok(workers
            .into_iter()
            .filter_map(|w| {
                let n = counts.get(&w.community_id?)?;
                Some((AccountId(w.id), u64::try_from(*n).unwrap_or(0)))
            })
            .collect())
    }

    async fn tell(
        &self,
        account: AccountId,
        title: &str,
        body: &str,
        source_key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        let row = new_inbox(account, title, body, None, source_key.to_owned(), now);
        insert_once(&self.db, row, inbox_message::Column::SourceKey).await.context("writing to an inbox")
    }

    async fn record_run(
        &self,
        job: &str,
        started: DateTime<Utc>,
        finished: DateTime<Utc>,
        count: usize,
        error: Option<&str>,
    ) -> Result<(), Unexpected> {
        let what = "recording a job run";
        insert_once(&self.db, new_job_run(job), job_run::Column::Job).await.context(what)?;
        let duration = (finished - started).num_milliseconds();
        let mut update = job_run::Entity::update_many()
            .col_expr(job_run::Column::LastStartedAt, Expr::value(started))
            .col_expr(job_run::Column::LastFinishedAt, Expr::value(finished))
            .col_expr(job_run::Column::LastDurationMs, Expr::value(duration))
            .col_expr(job_run::Column::LastCount, Expr::value(i64::try_from(count).unwrap_or(i64::MAX)))
            .col_expr(job_run::Column::Runs, Expr::col(job_run::Column::Runs).add(1))
            .filter(job_run::Column::Job.eq(job));
        if let Some(error) = error {
            update = update
                .col_expr(job_run::Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
                .col_expr(job_run::Column::Failures, Expr::col(job_run::Column::Failures).add(1));
        }
        update.exec(&self.db).await.context(what)?;
        Ok(())
    }
}

fn new_job_run(job: &str) -> job_run::ActiveModel {
    job_run::ActiveModel {
        job: Set(job.to_owned()),
        last_slot: Set(None),
        last_started_at: Set(None),
        last_finished_at: Set(None),
        last_duration_ms: Set(0),
        last_count: Set(0),
        last_error: Set(None),
        runs: Set(0),
        failures: Set(0),
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
        } else {
            Happened::Moved(text("to").and_then(|s| OrderState::parse(&s))?)
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
    let phones = if sms { Store::phones(txn, texted).await? } else { HashMap::new() };
    for notice in notices {
        match notice {
            Notice::Inbox { account, title, body } => {
                let row = new_inbox(account, &title, &body, event.order, format!("{ev}:inbox:{}", account.0), now);
                insert_once(txn, row, inbox_message::Column::SourceKey).await?;
            }
            Notice::Webhook { provider, event_type, body } if with_endpoint.contains(&provider.0) => {
                let key = format!("{ev}:webhook:{}", provider.0);
                let row = new_delivery(Channel::Webhook, Some(provider), None, &event_type, body, key, now);
                insert_once(txn, row, delivery::Column::SourceKey).await?;
            }
            Notice::Sms { account, text } if phones.contains_key(&account.0) => {
                let key = format!("{ev}:sms:{}", account.0);
                let row = new_delivery(Channel::Sms, None, Some(account), "order.sms", text, key, now);
                insert_once(txn, row, delivery::Column::SourceKey).await?;
            }
            Notice::Webhook { .. } | Notice::Sms { .. } => {}
            Notice::Remind { account, kind, due, text } => {
                let row = reminder::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    kind: Set(kind.as_str().to_owned()),
                    account_id: Set(account.0),
                    order_id: Set(event.order.map(|o| o.0)),
                    signup_id: Set(None),
                    due_at: Set(due),
                    state: Set(PENDING.to_owned()),
                    text: Set(text),
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
                        .col_expr(reminder::Column::State, Expr::value("cancelled"))
                        .filter(reminder::Column::OrderId.eq(order.0))
                        .filter(reminder::Column::State.eq(PENDING))
                        .filter(reminder::Column::SourceKey.not_like(format!("{ev}:%")))
                        .exec(txn)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// For each sign-up among `ids`: whether its place is confirmed, whether its date was called off, and when its
/// shift starts now.
async fn shift_reminder_facts(
    txn: &DatabaseTransaction,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, (bool, bool, DateTime<Utc>)>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Each sign-up with its shift in one join, then each shift's occurrence.
    let rows: Vec<(signup::Model, shift::Model)> = signup::Entity::find()
        .filter(signup::Column::Id.is_in(ids))
        .find_also_related(shift::Entity)
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|(s, shift)| Some((s, shift?)))
        .collect();
    let shifts: Vec<shift::Model> = rows.iter().map(|(_, shift)| shift.clone()).collect();
    let occurrences = shifts.load_one(occurrence::Entity, txn).await?;
    Ok(rows
        .into_iter()
        .zip(occurrences)
        .map(|((s, shift), occurrence)| {
            let confirmed = s.state == SignupState::Confirmed.as_str();
            (s.id, (confirmed, occurrence.is_some_and(|o| o.cancelled), shift.starts_at))
        })
        .collect())
}
