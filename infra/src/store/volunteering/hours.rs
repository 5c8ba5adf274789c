//! The ledger of service hours and the figures read from it: one row per attended shift or completed volunteer
//! order, keyed by what earned it so that crediting twice adds nothing, attributed to the member's branch at the
//! time and to the community served.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;
use linli_domain::volunteering::hours::{Period, QuotaProgress, credited_on};
use linli_domain::volunteering::model::{GroupHours, HoursScope, MemberHours, MemberMinutes};
use linli_domain::volunteering::ports::ServiceHours;

use super::current_registration;
use crate::db::{DbContext, db_err};
use crate::entities::states::StoredOrderState;
use crate::entities::{catalog_item, hours_quota, service_hour, shift, signup};
use crate::store::Store;

/// Credits `minutes` to the member, once per `source` and `source_id`.
pub(crate) async fn credit<C: ConnectionTrait>(
    db: &C,
    account: AccountId,
    community: i32,
    source: &str,
    source_id: Uuid,
    started_at: DateTime<Utc>,
    minutes: u32,
) -> Result<(), Unexpected> {
    let what = "crediting service hours";
    let branch = current_registration(db, account.0).await.context(what)?.and_then(|r| r.branch_id);
    let (year, month) = credited_on(started_at);
    let row = service_hour::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.0),
        branch_id: Set(branch),
        community_id: Set(community),
        source: Set(source.to_owned()),
        source_id: Set(source_id),
        started_at: Set(started_at),
        minutes: Set(i32::try_from(minutes).unwrap_or(i32::MAX)),
        year: Set(year),
        month: Set(month as i32),
    };
    let keys = [service_hour::Column::Source, service_hour::Column::SourceId, service_hour::Column::AccountId];
    match service_hour::Entity::insert(row)
        .on_conflict(OnConflict::columns(keys).do_nothing().to_owned())
        .exec_without_returning(db)
        .await
    {
        Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => Ok(()),
        Err(err) => Err(db_err(what)(err)),
    }
}

/// Credits a Party member's completed volunteer order, in its community: the time since it went into service,
/// but no more than the booked window or, for an order wanted as soon as possible, the item's usual duration, so
/// an order left open overnight does not count as a night's work.
pub(crate) async fn credit_order(
    txn: &DatabaseTransaction,
    account: AccountId,
    order: Uuid,
    at: DateTime<Utc>,
) -> Result<(), Unexpected> {
    use crate::entities::{order as order_entity, order_event};
    let what = "crediting a volunteer order";
    let row = order_entity::Entity::find_by_id(order).one(txn).await.context(what)?;
    let Some(row) = row else { return Ok(()) };
    let started = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(order))
        .filter(order_event::Column::ToState.eq(StoredOrderState::InService))
        .order_by_desc(order_event::Column::At)
        .one(txn)
        .await
        .context(what)?
        .map_or(at, |ev| ev.at);
    let allowed = match (row.window_start, row.window_end) {
        (Some(from), Some(to)) => (to - from).num_minutes(),
        _ => catalog_item::Entity::find_by_id(row.item_id)
            .one(txn)
            .await
            .context(what)?
            .map_or(0, |i| i64::from(i.duration_minutes)),
    };
    let minutes = u32::try_from(Ord::min((at - started).num_minutes(), allowed)).unwrap_or(0);
    credit(txn, account, row.community_id, "order", order, started, minutes).await
}

impl ServiceHours for Store {
    async fn member_hours(&self, account: AccountId, year: i32) -> Result<MemberHours, Unexpected> {
        let what = "reading a member's hours";
        let rows = service_hour::Entity::find()
            .filter(service_hour::Column::AccountId.eq(account.0))
            .filter(service_hour::Column::Year.eq(year))
            .all(&self.db)
            .await
            .context(what)?;
        let mut months: HashMap<u32, u64> = HashMap::new();
        for r in &rows {
            *months.entry(r.month as u32).or_default() += r.minutes as u64;
        }
        let mut months: Vec<(u32, u64)> = months.into_iter().collect();
        months.sort_unstable();
        let (from, to) = year_bounds(year);
        let shifts_of_year = sea_orm::sea_query::Query::select()
            .column(shift::Column::Id)
            .from(shift::Entity)
            .and_where(Expr::col(shift::Column::StartsAt).gte(from))
            .and_where(Expr::col(shift::Column::StartsAt).lt(to))
            .to_owned();
        let mine = || {
            signup::Entity::find()
                .filter(signup::Column::AccountId.eq(account.0))
                .filter(signup::Column::ShiftId.in_subquery(shifts_of_year.clone()))
        };
        Ok(MemberHours {
            year,
            progress: QuotaProgress {
                minutes: rows.iter().map(|r| r.minutes as u64).sum(),
                quota_minutes: self.quota(year).await?,
            },
            months,
            shifts_attended: rows.iter().filter(|r| r.source == "shift").count() as u64,
            orders_completed: rows.iter().filter(|r| r.source == "order").count() as u64,
            no_shows: mine().filter(signup::Column::NoShow.eq(true)).count(&self.db).await.context(what)?,
            late_cancellations: mine()
                .filter(signup::Column::LateCancel.eq(true))
                .count(&self.db)
                .await
                .context(what)?,
        })
    }

    async fn group_hours(&self, scope: HoursScope, period: Period) -> Result<GroupHours, Unexpected> {
        let what = "reading service hours";
        let mut q = service_hour::Entity::find().filter(service_hour::Column::Year.eq(period.year()));
        if let Some(m) = period.month() {
            q = q.filter(service_hour::Column::Month.eq(m as i32));
        }
        q = match scope {
            HoursScope::Branch(b) => q.filter(service_hour::Column::BranchId.eq(b.0)),
            HoursScope::Community(c) => q.filter(service_hour::Column::CommunityId.eq(c.0)),
        };
        let rows = q.all(&self.db).await.context(what)?;
        let mut by: HashMap<Uuid, u64> = HashMap::new();
        for r in &rows {
            *by.entry(r.account_id).or_default() += r.minutes as u64;
        }
        let quota = self.quota(period.year()).await?;
        let yearly = self.yearly_minutes(by.keys().copied().collect(), period.year()).await?;
        let names = Self::display_names(&self.db, by.keys().copied().collect()).await.context(what)?;
        let mut members: Vec<MemberMinutes> = by
            .into_iter()
            .map(|(a, minutes)| MemberMinutes {
                account: AccountId(a),
                display_name: names.get(&a).cloned().unwrap_or_default(),
                minutes,
                quota_met: QuotaProgress { minutes: yearly.get(&a).copied().unwrap_or(0), quota_minutes: quota }.met(),
            })
            .collect();
        members.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.display_name.cmp(&b.display_name)));
        let no_shows = match scope {
            HoursScope::Community(c) => {
                let (from, to) = period_bounds(period);
                let shifts = sea_orm::sea_query::Query::select()
                    .column(shift::Column::Id)
                    .from(shift::Entity)
                    .and_where(Expr::col(shift::Column::CommunityId).eq(c.0))
                    .and_where(Expr::col(shift::Column::StartsAt).gte(from))
                    .and_where(Expr::col(shift::Column::StartsAt).lt(to))
                    .to_owned();
                signup::Entity::find()
                    .filter(signup::Column::ShiftId.in_subquery(shifts))
                    .filter(signup::Column::NoShow.eq(true))
                    .count(&self.db)
                    .await
                    .context(what)?
            }
            HoursScope::Branch(_) => 0,
        };
        Ok(GroupHours {
            period,
            minutes: members.iter().map(|m| m.minutes).sum(),
            quota_minutes: quota,
            members,
            no_shows,
        })
    }

    /// The city's quota for `year` in minutes, if set.
    async fn quota(&self, year: i32) -> Result<Option<u64>, Unexpected> {
        let row = hours_quota::Entity::find_by_id(year).one(&self.db).await.context("reading a quota")?;
        Ok(row.map(|q| q.minutes as u64))
    }

    async fn set_quota(&self, year: i32, minutes: u32, audit: AuditEntry) -> Result<(), Unexpected> {
        let what = "setting a quota";
        let txn = self.begin(what).await?;
        let row = hours_quota::ActiveModel {
            year: Set(year),
            minutes: Set(i32::try_from(minutes).unwrap_or(i32::MAX)),
            updated_at: Set(audit.at),
        };
        hours_quota::Entity::insert(row)
            .on_conflict(
                OnConflict::column(hours_quota::Column::Year)
                    .update_columns([hours_quota::Column::Minutes, hours_quota::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .context(what)?;
        crate::store::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)
    }
}

impl Store {
    async fn yearly_minutes(&self, accounts: Vec<Uuid>, year: i32) -> Result<HashMap<Uuid, u64>, Unexpected> {
        let mut by = HashMap::new();
        for r in service_hour::Entity::find()
            .filter(service_hour::Column::AccountId.is_in(accounts))
            .filter(service_hour::Column::Year.eq(year))
            .all(&self.db)
            .await
            .context("reading yearly hours")?
        {
            *by.entry(r.account_id).or_default() += r.minutes as u64;
        }
        Ok(by)
    }
}

/// The UTC instants a Shanghai year starts and ends.
fn year_bounds(year: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    period_bounds(Period::Year(year))
}

fn period_bounds(period: Period) -> (DateTime<Utc>, DateTime<Utc>) {
    use chrono::{Months, NaiveDate, NaiveTime};
    use linli_domain::volunteering::events::at_shanghai;
    let (first, months) = match period {
        Period::Year(y) => (NaiveDate::from_ymd_opt(y, 1, 1), 12),
        Period::Month(y, m) => (NaiveDate::from_ymd_opt(y, m, 1), 1),
    };
    let first = first.expect("a parsed period is a real date");
    (at_shanghai(first, NaiveTime::MIN), at_shanghai(first + Months::new(months), NaiveTime::MIN))
}
