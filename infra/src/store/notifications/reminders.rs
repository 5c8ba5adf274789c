//! Reminders sent when due, each checked against its order or shift as they are now.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, ExprTrait, LoaderTrait, QueryFilter};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::notifications::{Channel, ReminderKind, Reminders};
use linli_domain::orders::OrderId;
use linli_domain::words::Message;

use super::{claimable, inbox_row, insert_once, new_delivery, new_inbox};
use crate::db::DbContext;
use crate::entities::states::{StoredReminderState, StoredSignupState};
use crate::entities::{delivery, inbox_message, occurrence, order, reminder, shift, signup};
use crate::store::Store;

impl Reminders for Store {
    async fn send_due_reminders(&self, now: DateTime<Utc>, limit: u64, sms: bool) -> Result<usize, Unexpected> {
        let what = "sending due reminders";
        let txn = self.begin(what).await?;
        let choose = claimable(
            Query::select()
                .column(reminder::Column::Id)
                .from(reminder::Entity)
                .and_where(Expr::col(reminder::Column::State).eq(StoredReminderState::Pending))
                .and_where(Expr::col(reminder::Column::DueAt).lte(now))
                .order_by(reminder::Column::DueAt, sea_orm::Order::Asc)
                .limit(limit)
                .to_owned(),
        );
        let due = reminder::Entity::update_many()
            .col_expr(reminder::Column::State, Expr::value(StoredReminderState::Sent))
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
                .col_expr(reminder::Column::State, Expr::value(StoredReminderState::Cancelled))
                .filter(reminder::Column::Id.is_in(stale.iter().map(|r| r.id)))
                .exec(&txn)
                .await
                .context(what)?;
        }
        let texts = if sms {
            Self::textable(&txn, due.iter().map(|r| r.account_id).collect()).await.context(what)?
        } else {
            HashMap::new()
        };
        for r in &due {
            let account = AccountId(r.account_id);
            let (order, key) = (r.order_id.map(OrderId), format!("reminder:{}", r.id));
            // A reminder made before messages were kept by key reads as it was written.
            let message: Option<Message> = r.message.as_deref().and_then(|m| serde_json::from_str(m).ok());
            let inbox = match &message {
                Some(m) => new_inbox(account, m, order, key, now),
                None => {
                    let title = if r.signup_id.is_some() { "班次提醒" } else { "预约提醒" };
                    inbox_row(account, title, &r.text, None, order, key, now)
                }
            };
            insert_once(&txn, inbox, inbox_message::Column::SourceKey).await.context(what)?;
            if let Some(lang) = texts.get(&r.account_id) {
                let text = message.as_ref().map_or_else(|| format!("【邻里】{}", r.text), |m| m.sms(*lang));
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
            let confirmed = s.state == StoredSignupState::Confirmed;
            (s.id, (confirmed, occurrence.is_some_and(|o| o.cancelled), shift.starts_at))
        })
        .collect())
}
