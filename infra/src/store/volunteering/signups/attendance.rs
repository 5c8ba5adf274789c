//! Arrivals and departures at a shift, checked by the shift's code or a worker, and the closing of ended
//! shifts that credits the hours of everyone who came.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::volunteering::ShiftId;
use linli_domain::volunteering::booking::{self, AttendanceError, Closing};
use linli_domain::volunteering::errors::AttendanceFailure;
use linli_domain::volunteering::model::{SignupRecord, Witness};

use super::{called_off, signup_of, window};
use crate::db::DbContext;
use crate::entities::states::StoredSignupState;
use crate::entities::{shift, signup};
use crate::store::Store;
use crate::store::volunteering::hours::credit;
use crate::store::volunteering::members::gone;

impl Store {
    pub(super) async fn attend(
        &self,
        id: ShiftId,
        account: AccountId,
        witness: Witness<'_>,
        now: DateTime<Utc>,
        arriving: bool,
    ) -> Result<SignupRecord, AttendanceFailure> {
        let what = "recording attendance";
        let txn = self.begin(what).await?;
        let Some(row) = shift::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Err(AttendanceFailure::NotFound);
        };
        let Some(mine) = signup_of(&txn, id, account).await? else {
            return Err(AttendanceFailure::NotFound);
        };
        let by = match witness {
            Witness::Code(_) if mine.code_failures >= booking::MAX_CODE_FAILURES => {
                return Err(AttendanceError::TooManyWrongCodes.into());
            }
            Witness::Code(code) if code.trim() != row.check_code => {
                // The failure is kept even though the request fails, or guessing would cost nothing.
                signup::Entity::update_many()
                    .col_expr(
                        signup::Column::CodeFailures,
                        sea_orm::ExprTrait::add(Expr::col(signup::Column::CodeFailures), 1),
                    )
                    .filter(signup::Column::Id.eq(mine.id))
                    .exec(&txn)
                    .await
                    .context(what)?;
                txn.commit().await.context(what)?;
                return Err(AttendanceError::WrongCode.into());
            }
            Witness::Code(_) => account,
            Witness::Organizer(o) => o,
        };
        if mine.state != StoredSignupState::Confirmed {
            return Err(AttendanceError::NotConfirmed.into());
        }
        if called_off(&txn, &row).await? {
            return Err(AttendanceError::CalledOff.into());
        }
        let w = window(&row);
        booking::may_check_in(&w, row.closed_at.is_some(), now)?;
        let mut update = signup::Entity::update_many()
            .col_expr(signup::Column::CheckedBy, Expr::value(by.0))
            .filter(signup::Column::Id.eq(mine.id));
        match (arriving, mine.checked_in_at, mine.checked_out_at) {
            (true, None, _) => update = update.col_expr(signup::Column::CheckedInAt, Expr::value(now)),
            (false, None, _) => return Err(AttendanceError::NotCheckedIn.into()),
            (false, Some(_), None) if now < w.start() => return Err(AttendanceError::NotStarted.into()),
            (false, Some(inn), None) => {
                let minutes = booking::credited_minutes(&w, inn, now);
                update = update
                    .col_expr(signup::Column::CheckedOutAt, Expr::value(now))
                    .col_expr(signup::Column::Minutes, Expr::value(i32::try_from(minutes).unwrap_or(i32::MAX)));
                credit(&txn, account, row.community_id, "shift", mine.id, row.starts_at, minutes).await?;
            }
            // Already recorded: the first time stands.
            _ => {
                let record = self.signup_record(&txn, mine).await?;
                txn.commit().await.context(what)?;
                return Ok(record);
            }
        }
        update.exec(&txn).await.context(what)?;
        let saved =
            signup::Entity::find_by_id(mine.id).one(&txn).await.context(what)?.ok_or_else(|| gone("a sign-up"))?;
        let record = self.signup_record(&txn, saved).await?;
        txn.commit().await.context(what)?;
        Ok(record)
    }
}

/// Closes up to `limit` ended shifts, one transaction each with the shift locked, so a check-out arriving at
/// the same moment and the closing job do not both credit the same place.
pub(in crate::store::volunteering) async fn close_ended_shifts(
    store: &Store,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<usize, Unexpected> {
    let what = "closing ended shifts";
    let due = shift::Entity::find()
        .filter(shift::Column::ClosedAt.is_null())
        .filter(shift::Column::EndsAt.lte(now))
        .order_by_asc(shift::Column::EndsAt)
        .limit(limit)
        .all(&store.db)
        .await
        .context(what)?;
    let mut closed = 0;
    for candidate in due {
        let txn = store.begin(what).await?;
        let Some(row) = shift::Entity::find_by_id(candidate.id).lock_exclusive().one(&txn).await.context(what)? else {
            continue;
        };
        if row.closed_at.is_some() {
            continue;
        }
        let w = window(&row);
        // Nobody was expected on a called-off date: nobody is a no-show and nothing is credited.
        let places = if called_off(&txn, &row).await? {
            Vec::new()
        } else {
            signup::Entity::find()
                .filter(signup::Column::ShiftId.eq(row.id))
                .filter(signup::Column::State.eq(StoredSignupState::Confirmed))
                .all(&txn)
                .await
                .context(what)?
        };
        for p in places {
            let update = signup::Entity::update_many().filter(signup::Column::Id.eq(p.id));
            match booking::closing(&w, p.checked_in_at, p.checked_out_at) {
                Closing::Attended => continue,
                Closing::NoShow => update.col_expr(signup::Column::NoShow, Expr::value(true)),
                Closing::ClosedAtEnd { minutes } => {
                    credit(&txn, AccountId(p.account_id), row.community_id, "shift", p.id, row.starts_at, minutes)
                        .await?;
                    update
                        .col_expr(signup::Column::CheckedOutAt, Expr::value(row.ends_at))
                        .col_expr(signup::Column::AutoClosed, Expr::value(true))
                        .col_expr(signup::Column::Minutes, Expr::value(i32::try_from(minutes).unwrap_or(i32::MAX)))
                }
            }
            .exec(&txn)
            .await
            .context(what)?;
        }
        shift::Entity::update_many()
            .col_expr(shift::Column::ClosedAt, Expr::value(now))
            .filter(shift::Column::Id.eq(row.id))
            .exec(&txn)
            .await
            .context(what)?;
        txn.commit().await.context(what)?;
        closed += 1;
    }
    Ok(closed)
}
