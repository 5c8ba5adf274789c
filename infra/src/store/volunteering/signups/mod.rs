//! Sign-ups under the booking rules. Every change to a shift's places runs in one transaction that locks the
//! shift row (a sign-up or cancellation first locks the person's account row, so their overlap check cannot
//! race), and decides with the domain's rules on what it read under those locks.
//!
//! The account lock is `FOR NO KEY UPDATE`: it keeps two bookings of one person apart, yet lets other
//! transactions insert rows that refer to the account (an inbox message to a promoted member, service hours),
//! whose foreign-key check takes `FOR KEY SHARE`. A plain `FOR UPDATE` would let a promotion and that member's
//! own cancellation wait on each other.

mod attendance;
mod waitlist;

pub(super) use attendance::close_ended_shifts;
use waitlist::remind;
pub(super) use waitlist::{notify_holders, promote, renew_reminders};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::time::TimeWindow;
use linli_domain::volunteering::booking::{self, Placement, ShiftFacts, SignupState};
use linli_domain::volunteering::errors::{AttendanceFailure, BookingError};
use linli_domain::volunteering::model::{Roster, ShiftRecord, SignupRecord, Witness};
use linli_domain::volunteering::ports::Signups;
use linli_domain::volunteering::{ShiftId, SignupId};

use crate::db::DbContext;
use crate::entities::states::{StoredReminderState, StoredSignupState};
use crate::entities::{account, occurrence, reminder, shift, signup};
use crate::store::Store;
use crate::store::volunteering::current_registration;
use crate::store::volunteering::members::gone;
use crate::store::volunteering::rows::shift_records;

impl Signups for Store {
    /// Signs `account` up for the shift: a place while there is one, the wait-list after. Signing up again
    /// returns the place already held (`false`: nothing new was made).
    async fn sign_up(
        &self,
        id: ShiftId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<(SignupRecord, bool), BookingError> {
        let what = "signing up for a shift";
        let txn = self.begin(what).await?;
        lock_person(&txn, account).await?;
        let Some(row) = shift::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Err(BookingError::NotFound);
        };
        let existing = signup_of(&txn, id, account).await?;
        if let Some(held) = existing.as_ref().filter(|s| s.state != StoredSignupState::Cancelled) {
            let record = self.signup_record(&txn, held.clone()).await?;
            txn.commit().await.context(what)?;
            return Ok((record, false));
        }
        let called_off = called_off(&txn, &row).await?;
        let is_member = current_registration(&txn, account.0).await.context(what)?.is_some();
        let facts = ShiftFacts {
            window: window(&row),
            capacity: u32::try_from(row.capacity).unwrap_or(0),
            members_only: row.members_only,
            cancelled: called_off,
            confirmed: count(&txn, id, SignupState::Confirmed).await?,
        };
        let placement = booking::place(&facts, is_member, &held_elsewhere(&txn, account, &[id]).await?, now)?;
        let arrival = row.arrivals + 1;
        shift::Entity::update_many()
            .col_expr(shift::Column::Arrivals, Expr::value(arrival))
            .filter(shift::Column::Id.eq(id.0))
            .exec(&txn)
            .await
            .context(what)?;
        let state = match placement {
            Placement::Confirmed => SignupState::Confirmed,
            Placement::WaitListed => SignupState::WaitListed,
        };
        let confirmed_at = (state == SignupState::Confirmed).then_some(now);
        let signup_id = match existing {
            // Back after cancelling: the same row, at the back of the line, keeping any late cancellation.
            Some(old) => {
                signup::Entity::update_many()
                    .col_expr(signup::Column::State, Expr::value(StoredSignupState::from(state)))
                    .col_expr(signup::Column::Arrival, Expr::value(arrival))
                    .col_expr(signup::Column::SignedUpAt, Expr::value(now))
                    .col_expr(signup::Column::ConfirmedAt, Expr::value(confirmed_at))
                    .col_expr(signup::Column::PromotedAt, Expr::value(Option::<DateTime<Utc>>::None))
                    .col_expr(signup::Column::CancelledAt, Expr::value(Option::<DateTime<Utc>>::None))
                    .col_expr(signup::Column::CheckedInAt, Expr::value(Option::<DateTime<Utc>>::None))
                    .col_expr(signup::Column::CheckedOutAt, Expr::value(Option::<DateTime<Utc>>::None))
                    .col_expr(signup::Column::CheckedBy, Expr::value(Option::<uuid::Uuid>::None))
                    .col_expr(signup::Column::Minutes, Expr::value(0))
                    .filter(signup::Column::Id.eq(old.id))
                    .exec(&txn)
                    .await
                    .context(what)?;
                old.id
            }
            None => {
                let new_id = Uuid::now_v7();
                signup::Entity::insert(signup::ActiveModel {
                    id: Set(new_id),
                    shift_id: Set(id.0),
                    account_id: Set(account.0),
                    state: Set(state.into()),
                    arrival: Set(arrival),
                    signed_up_at: Set(now),
                    confirmed_at: Set(confirmed_at),
                    promoted_at: Set(None),
                    cancelled_at: Set(None),
                    late_cancel: Set(false),
                    checked_in_at: Set(None),
                    checked_out_at: Set(None),
                    checked_by: Set(None),
                    auto_closed: Set(false),
                    no_show: Set(false),
                    minutes: Set(0),
                    code_failures: Set(0),
                })
                .exec_without_returning(&txn)
                .await
                .context(what)?;
                new_id
            }
        };
        if state == SignupState::Confirmed {
            remind(&txn, &row, account, signup_id, arrival, now).await?;
        }
        let saved =
            signup::Entity::find_by_id(signup_id).one(&txn).await.context(what)?.ok_or_else(|| gone("a sign-up"))?;
        let record = self.signup_record(&txn, saved).await?;
        txn.commit().await.context(what)?;
        Ok((record, true))
    }

    /// Gives up a place or a wait-list place. A freed place goes to the first on the wait-list, who is told.
    /// Cancelling within a day of the start is recorded as late. Cancelling twice changes nothing.
    async fn cancel_signup(
        &self,
        id: ShiftId,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> Result<SignupRecord, BookingError> {
        let what = "cancelling a sign-up";
        let txn = self.begin(what).await?;
        lock_person(&txn, account).await?;
        let Some(row) = shift::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Err(BookingError::NotFound);
        };
        let Some(mine) = signup_of(&txn, id, account).await? else {
            return Err(BookingError::NotFound);
        };
        let state = SignupState::from(mine.state);
        if state != SignupState::Cancelled {
            if now >= row.starts_at {
                return Err(BookingError::Started);
            }
            let late = booking::is_late_cancel(state, row.starts_at, now);
            signup::Entity::update_many()
                .col_expr(signup::Column::State, Expr::value(StoredSignupState::Cancelled))
                .col_expr(signup::Column::CancelledAt, Expr::value(now))
                .col_expr(signup::Column::LateCancel, Expr::value(mine.late_cancel || late))
                .filter(signup::Column::Id.eq(mine.id))
                .exec(&txn)
                .await
                .context(what)?;
            reminder::Entity::update_many()
                .col_expr(reminder::Column::State, Expr::value(StoredReminderState::Cancelled))
                .filter(reminder::Column::SignupId.eq(mine.id))
                .filter(reminder::Column::State.eq(StoredReminderState::Pending))
                .exec(&txn)
                .await
                .context(what)?;
            if state == SignupState::Confirmed {
                promote(&txn, &row, now).await?;
            }
        }
        let saved =
            signup::Entity::find_by_id(mine.id).one(&txn).await.context(what)?.ok_or_else(|| gone("a sign-up"))?;
        let record = self.signup_record(&txn, saved).await?;
        txn.commit().await.context(what)?;
        Ok(record)
    }

    /// Records arrival. Checking in twice keeps the first time.
    async fn check_in(
        &self,
        id: ShiftId,
        account: AccountId,
        witness: Witness<'_>,
        now: DateTime<Utc>,
    ) -> Result<SignupRecord, AttendanceFailure> {
        self.attend(id, account, witness, now, true).await
    }

    /// Records departure and credits the time inside the shift. Checking out twice keeps the first time.
    async fn check_out(
        &self,
        id: ShiftId,
        account: AccountId,
        witness: Witness<'_>,
        now: DateTime<Utc>,
    ) -> Result<SignupRecord, AttendanceFailure> {
        self.attend(id, account, witness, now, false).await
    }

    async fn roster(&self, id: ShiftId) -> Result<Option<Roster>, Unexpected> {
        let what = "reading a roster";
        let Some(row) = shift::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        let check_code = row.check_code.clone();
        let shift = shift_records(&self.db, vec![row]).await?.pop().ok_or_else(|| gone("a shift"))?;
        let rows = signup::Entity::find()
            .filter(signup::Column::ShiftId.eq(id.0))
            .order_by_asc(signup::Column::Arrival)
            .all(&self.db)
            .await
            .context(what)?;
        let names = Self::display_names(&self.db, rows.iter().map(|s| s.account_id).collect()).await.context(what)?;
        let mut roster =
            Roster { shift, check_code, confirmed: Vec::new(), wait_list: Vec::new(), cancelled: Vec::new() };
        for s in rows {
            let mut r = record(s, &names);
            match r.state {
                SignupState::Confirmed => roster.confirmed.push(r),
                SignupState::WaitListed => {
                    r.wait_list_position = Some(roster.wait_list.len() as u32 + 1);
                    roster.wait_list.push(r);
                }
                SignupState::Cancelled => roster.cancelled.push(r),
            }
        }
        Ok(Some(roster))
    }

    /// The account's places on shifts ending after `since`, with the shifts, in time order.
    async fn signups_of(
        &self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(SignupRecord, ShiftRecord)>, Unexpected> {
        let what = "listing a person's shifts";
        let mine =
            signup::Entity::find().filter(signup::Column::AccountId.eq(account.0)).all(&self.db).await.context(what)?;
        let shifts = shift::Entity::find()
            .filter(shift::Column::Id.is_in(mine.iter().map(|s| s.shift_id)))
            .filter(shift::Column::EndsAt.gt(since))
            .order_by_asc(shift::Column::StartsAt)
            .all(&self.db)
            .await
            .context(what)?;
        let shifts = shift_records(&self.db, shifts).await?;
        let mut out = Vec::new();
        for s in shifts {
            if let Some(row) = mine.iter().find(|m| m.shift_id == s.id.0) {
                out.push((self.signup_record(&self.db, row.clone()).await?, s));
            }
        }
        Ok(out)
    }
}

impl Store {
    async fn signup_record<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        s: signup::Model,
    ) -> Result<SignupRecord, Unexpected> {
        let what = "reading a sign-up";
        let names = Self::display_names(db, vec![s.account_id]).await.context(what)?;
        let ahead = if s.state == StoredSignupState::WaitListed {
            let n = signup::Entity::find()
                .filter(signup::Column::ShiftId.eq(s.shift_id))
                .filter(signup::Column::State.eq(StoredSignupState::WaitListed))
                .filter(signup::Column::Arrival.lt(s.arrival))
                .count(db)
                .await
                .context(what)?;
            Some(n as u32 + 1)
        } else {
            None
        };
        let mut r = record(s, &names);
        r.wait_list_position = ahead;
        Ok(r)
    }
}

/// Windows of the shifts other than `except` that the account holds a place or a wait-list place on, leaving
/// out dates that were called off.
pub(super) async fn held_elsewhere(
    txn: &DatabaseTransaction,
    account: AccountId,
    except: &[ShiftId],
) -> Result<Vec<(ShiftId, TimeWindow)>, Unexpected> {
    let what = "reading a person's shifts";
    let held = signup::Entity::find()
        .filter(signup::Column::AccountId.eq(account.0))
        .filter(signup::Column::ShiftId.is_not_in(except.iter().map(|s| s.0)))
        .filter(signup::Column::State.ne(StoredSignupState::Cancelled))
        .all(txn)
        .await
        .context(what)?;
    let shifts = shift::Entity::find()
        .filter(shift::Column::Id.is_in(held.iter().map(|s| s.shift_id)))
        .filter(shift::Column::OccurrenceId.not_in_subquery(called_off_dates()))
        .all(txn)
        .await
        .context(what)?;
    Ok(shifts.iter().map(|s| (ShiftId(s.id), window(s))).collect())
}

async fn count(txn: &DatabaseTransaction, shift: ShiftId, state: SignupState) -> Result<u32, Unexpected> {
    let n = signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(shift.0))
        .filter(signup::Column::State.eq(StoredSignupState::from(state)))
        .count(txn)
        .await
        .context("counting a shift's places")?;
    Ok(n as u32)
}

/// Locks the person's account row against their other bookings (see the module header for the lock's kind).
async fn lock_person(txn: &DatabaseTransaction, account: AccountId) -> Result<(), Unexpected> {
    account::Entity::find_by_id(account.0)
        .lock(LockType::NoKeyUpdate)
        .one(txn)
        .await
        .map(|_| ())
        .context("locking a person's bookings")
}

/// The account's row on the shift, whatever its state.
async fn signup_of(
    txn: &DatabaseTransaction,
    shift: ShiftId,
    account: AccountId,
) -> Result<Option<signup::Model>, Unexpected> {
    signup::Entity::find()
        .filter(signup::Column::ShiftId.eq(shift.0))
        .filter(signup::Column::AccountId.eq(account.0))
        .one(txn)
        .await
        .context("reading a sign-up")
}

/// Whether the shift's date was called off.
async fn called_off(txn: &DatabaseTransaction, row: &shift::Model) -> Result<bool, Unexpected> {
    let occ = occurrence::Entity::find_by_id(row.occurrence_id).one(txn).await.context("reading a date")?;
    Ok(occ.is_some_and(|o| o.cancelled))
}

/// The occurrences that were called off.
pub(super) fn called_off_dates() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(occurrence::Column::Id)
        .from(occurrence::Entity)
        .and_where(sea_orm::ExprTrait::eq(sea_orm::sea_query::Expr::col(occurrence::Column::Cancelled), true))
        .to_owned()
}

fn window(s: &shift::Model) -> TimeWindow {
    TimeWindow::from_stored(s.starts_at, s.ends_at)
}

fn record(s: signup::Model, names: &std::collections::HashMap<Uuid, String>) -> SignupRecord {
    SignupRecord {
        id: SignupId(s.id),
        shift: ShiftId(s.shift_id),
        account: AccountId(s.account_id),
        display_name: names.get(&s.account_id).cloned().unwrap_or_default(),
        state: s.state.into(),
        wait_list_position: None,
        signed_up_at: s.signed_up_at,
        confirmed_at: s.confirmed_at,
        promoted_at: s.promoted_at,
        cancelled_at: s.cancelled_at,
        late_cancel: s.late_cancel,
        checked_in_at: s.checked_in_at,
        checked_out_at: s.checked_out_at,
        auto_closed: s.auto_closed,
        no_show: s.no_show,
        minutes: u32::try_from(s.minutes).unwrap_or(0),
    }
}
