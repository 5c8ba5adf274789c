//! The wait-list moving up into freed places, and the notices and reminders of the people it moves.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::notifications::ReminderKind;
use linli_domain::volunteering::ShiftId;
use linli_domain::volunteering::booking::{self, SignupState};
use linli_domain::words::{Lang, Message};

use super::{called_off, count};
use crate::db::DbContext;
use crate::entities::states::{StoredReminderState, StoredSignupState};
use crate::entities::{reminder, shift, signup};
use crate::store::notifications::{insert_once, new_inbox};

/// Moves the wait-list up into the shift's free places, first come first served, and tells each person promoted.
/// The caller holds the shift's row lock. Returns who was promoted.
pub(in crate::store::volunteering) async fn promote(
    txn: &DatabaseTransaction,
    row: &shift::Model,
    now: DateTime<Utc>,
) -> Result<Vec<AccountId>, Unexpected> {
    let what = "moving up the wait-list";
    if row.starts_at <= now || called_off(txn, row).await? {
        return Ok(Vec::new());
    }
    let confirmed = count(txn, ShiftId(row.id), SignupState::Confirmed).await?;
    let waiting = signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(row.id))
        .filter(signup::Column::State.eq(StoredSignupState::WaitListed))
        .all(txn)
        .await
        .context(what)?;
    let line: Vec<(&signup::Model, i64)> = waiting.iter().map(|s| (s, i64::from(s.arrival))).collect();
    let mut promoted = Vec::new();
    for s in booking::next_in_line(&line, u32::try_from(row.capacity).unwrap_or(0), confirmed) {
        signup::Entity::update_many()
            .col_expr(signup::Column::State, Expr::value(StoredSignupState::Confirmed))
            .col_expr(signup::Column::ConfirmedAt, Expr::value(now))
            .col_expr(signup::Column::PromotedAt, Expr::value(now))
            .filter(signup::Column::Id.eq(s.id))
            .exec(txn)
            .await
            .context(what)?;
        let account = AccountId(s.account_id);
        let message = Message::PlaceGiven { title: row.title.clone(), place: row.place.clone(), start: row.starts_at };
        let key = format!("promoted:{}:{}", s.id, s.arrival);
        let inbox = new_inbox(account, &message, None, key, now);
        insert_once(txn, inbox, crate::entities::inbox_message::Column::SourceKey).await.context(what)?;
        remind(txn, row, account, s.id, s.arrival, now).await?;
        promoted.push(account);
    }
    Ok(promoted)
}

/// Tells everyone holding a place or a wait-list place on any of `shifts`.
pub(in crate::store::volunteering) async fn notify_holders(
    txn: &DatabaseTransaction,
    shifts: &[shift::Model],
    message: &Message,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), Unexpected> {
    let what = "telling the people on a shift";
    let holders = signup::Entity::find()
        .filter(signup::Column::ShiftId.is_in(shifts.iter().map(|s| s.id)))
        .filter(signup::Column::State.ne(StoredSignupState::Cancelled))
        .all(txn)
        .await
        .context(what)?;
    for h in holders {
        let row = new_inbox(AccountId(h.account_id), message, None, format!("{key}:{}", h.id), now);
        insert_once(txn, row, crate::entities::inbox_message::Column::SourceKey).await.context(what)?;
    }
    Ok(())
}

/// Replaces the pending reminders of `holders` with ones made from `shifts` as they are now (moved, renamed,
/// at another place). The old ones are deleted rather than called off, so that a shift moved back to where it
/// was gets its reminder again.
pub(in crate::store::volunteering) async fn renew_reminders(
    txn: &DatabaseTransaction,
    shifts: &[shift::Model],
    holders: &[signup::Model],
    now: DateTime<Utc>,
) -> Result<(), Unexpected> {
    reminder::Entity::delete_many()
        .filter(reminder::Column::SignupId.is_in(holders.iter().map(|h| h.id)))
        .filter(reminder::Column::State.eq(StoredReminderState::Pending))
        .exec(txn)
        .await
        .context("renewing shift reminders")?;
    for s in shifts {
        for h in holders.iter().filter(|h| h.shift_id == s.id && h.state == StoredSignupState::Confirmed) {
            remind(txn, s, AccountId(h.account_id), h.id, h.arrival, now).await?;
        }
    }
    Ok(())
}

/// The reminder a day before the shift, for a place confirmed while that is still ahead.
pub(super) async fn remind(
    txn: &DatabaseTransaction,
    row: &shift::Model,
    account: AccountId,
    signup: Uuid,
    arrival: i32,
    now: DateTime<Utc>,
) -> Result<(), Unexpected> {
    let kind = ReminderKind::ShiftDayBefore;
    let due = kind.due_for(row.starts_at);
    if due <= now {
        return Ok(());
    }
    let message = Message::ShiftTomorrow { title: row.title.clone(), place: row.place.clone(), start: row.starts_at };
    let reminder = reminder::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.as_str().to_owned()),
        account_id: Set(account.0),
        order_id: Set(None),
        signup_id: Set(Some(signup)),
        due_at: Set(due),
        state: Set(StoredReminderState::Pending),
        text: Set(message.body(Lang::ZhCn)),
        message: Set(serde_json::to_string(&message).ok()),
        // Keyed by the place and the start it is for: a place taken again, or a shift moved, gets a new one.
        source_key: Set(format!("shift:{signup}:{arrival}:{}", row.starts_at.timestamp())),
        created_at: Set(now),
        sent_at: Set(None),
    };
    insert_once(txn, reminder, reminder::Column::SourceKey).await.context("writing a shift reminder")
}
