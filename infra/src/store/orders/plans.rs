//! The care-plan port. A plan's rules are one JSON column, changed by compare-and-set on its revision; its
//! visits are orders that carry its id, so they are read back by plan and window through `ix_orders_plan`.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, NullOrdering};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::accounts::{AccountId, Role};
use linli_domain::catalog::ItemId;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::orders::plans::{CarePlan, CarePlanId, CarePlans, Continuity, PlanRules, PlanWrite};
use linli_domain::orders::{Order, Reach};
use linli_domain::providers::ProviderId;

use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{account, care_plan, order};
use crate::store::{Store, convert};

fn rules_json(rules: &PlanRules) -> Result<String, Unexpected> {
    serde_json::to_string(rules).map_err(|e| Unexpected::new("writing a care plan's rules", e))
}

fn plan(row: care_plan::Model) -> Result<CarePlan, Unexpected> {
    let what = "reading a care plan";
    Ok(CarePlan {
        id: CarePlanId(row.id),
        resident: AccountId(row.resident_id),
        filed_by: AccountId(row.filed_by),
        item: ItemId(row.item_id),
        community: CommunityId(row.community_id),
        location: convert::point(row.id, row.lat, row.lng)?,
        address: row.address,
        notes: row.notes,
        answers: serde_json::from_str(&row.answers).map_err(|e| Unexpected::new(what, e))?,
        rules: serde_json::from_str(&row.rules).map_err(|e| Unexpected::new(what, e))?,
        revision: u32::try_from(row.revision).unwrap_or(0),
        placed_through: row.placed_through,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

impl CarePlans for Store {
    async fn insert_plan(&self, p: &CarePlan) -> Result<(), Unexpected> {
        let row = care_plan::ActiveModel {
            id: Set(p.id.0),
            resident_id: Set(p.resident.0),
            filed_by: Set(p.filed_by.0),
            item_id: Set(p.item.0),
            community_id: Set(p.community.0),
            address: Set(p.address.clone()),
            lat: Set(p.location.lat()),
            lng: Set(p.location.lng()),
            notes: Set(p.notes.clone()),
            answers: Set(serde_json::to_string(&p.answers).map_err(|e| Unexpected::new("writing a care plan", e))?),
            rules: Set(rules_json(&p.rules)?),
            revision: Set(i32::try_from(p.revision).unwrap_or(i32::MAX)),
            placed_through: Set(p.placed_through),
            ends_on: Set(p.rules.end),
            created_at: Set(p.created_at),
            updated_at: Set(p.updated_at),
        };
        care_plan::Entity::insert(row).exec_without_returning(&self.db).await.context("saving a care plan")?;
        Ok(())
    }

    async fn plan(&self, id: CarePlanId) -> Result<Option<CarePlan>, Unexpected> {
        let row = care_plan::Entity::find_by_id(id.0).one(&self.db).await.context("reading a care plan")?;
        row.map(plan).transpose()
    }

    async fn plans(
        &self,
        resident: Option<AccountId>,
        reach: &Reach,
        before: Option<CarePlanId>,
        limit: u64,
    ) -> Result<Vec<CarePlan>, Unexpected> {
        let mut filter = Condition::all();
        if let Some(r) = resident {
            filter = filter.add(care_plan::Column::ResidentId.eq(r.0));
        }
        if let Reach::Communities { communities, filer } = reach {
            let ids: Vec<i32> = communities.iter().map(|c| c.0).collect();
            filter = filter.add(
                Condition::any()
                    .add(care_plan::Column::CommunityId.is_in(ids))
                    .add(care_plan::Column::FiledBy.eq(filer.0)),
            );
        }
        if let Some(b) = before {
            filter = filter.add(care_plan::Column::Id.lt(b.0));
        }
        let rows = care_plan::Entity::find()
            .filter(filter)
            .order_by_desc(care_plan::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing care plans")?;
        rows.into_iter().map(plan).collect()
    }

    async fn change_plan(&self, change: &PlanWrite) -> Result<bool, Unexpected> {
        let revision = i32::try_from(change.revision).unwrap_or(i32::MAX);
        let done = care_plan::Entity::update_many()
            .col_expr(care_plan::Column::Rules, Expr::value(rules_json(&change.rules)?))
            .col_expr(care_plan::Column::EndsOn, Expr::value(change.rules.end))
            .col_expr(care_plan::Column::PlacedThrough, Expr::value(change.placed_through))
            .col_expr(care_plan::Column::Revision, Expr::value(revision.saturating_add(1)))
            .col_expr(care_plan::Column::UpdatedAt, Expr::value(change.at))
            .filter(care_plan::Column::Id.eq(change.plan.0))
            .filter(care_plan::Column::Revision.eq(revision))
            .exec(&self.db)
            .await
            .context("changing a care plan")?;
        Ok(done.rows_affected == 1)
    }

    async fn plans_to_extend(
        &self,
        today: NaiveDate,
        through: NaiveDate,
        limit: u64,
    ) -> Result<Vec<CarePlan>, Unexpected> {
        let running =
            Condition::any().add(care_plan::Column::EndsOn.is_null()).add(care_plan::Column::EndsOn.gte(today));
        let short = Condition::any()
            .add(care_plan::Column::PlacedThrough.is_null())
            .add(care_plan::Column::PlacedThrough.lt(through));
        let rows = care_plan::Entity::find()
            .filter(running)
            .filter(short)
            // Plans never placed first, on both backends (SQLite sorts NULL first, PostgreSQL last by default).
            .order_by_with_nulls(care_plan::Column::PlacedThrough, sea_orm::Order::Asc, NullOrdering::First)
            .order_by_asc(care_plan::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("finding care plans to extend")?;
        rows.into_iter().map(plan).collect()
    }

    async fn placed_through(&self, id: CarePlanId, through: NaiveDate) -> Result<(), Unexpected> {
        // Only forward: a process that read the plan earlier must not move it back.
        let behind = Condition::any()
            .add(care_plan::Column::PlacedThrough.is_null())
            .add(care_plan::Column::PlacedThrough.lt(through));
        care_plan::Entity::update_many()
            .col_expr(care_plan::Column::PlacedThrough, Expr::value(through))
            .filter(care_plan::Column::Id.eq(id.0))
            .filter(behind)
            .exec(&self.db)
            .await
            .context("recording a care plan's placed visits")?;
        Ok(())
    }

    async fn plan_orders(
        &self,
        id: CarePlanId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Order>, Unexpected> {
        let rows = order::Entity::find()
            .filter(order::Column::PlanId.eq(id.0))
            .filter(order::Column::WindowStart.gte(from))
            .filter(order::Column::WindowStart.lt(until))
            .order_by_asc(order::Column::WindowStart)
            .order_by_asc(order::Column::Id)
            .all(&self.db)
            .await
            .context("reading a care plan's visits")?;
        rows.into_iter().map(convert::order).collect()
    }

    async fn last_provider(&self, id: CarePlanId) -> Result<Continuity, Unexpected> {
        let took = [StoredOrderState::Accepted, StoredOrderState::InService, StoredOrderState::Completed];
        let latest: Option<Option<uuid::Uuid>> = order::Entity::find()
            .select_only()
            .column(order::Column::ProviderId)
            .filter(order::Column::PlanId.eq(id.0))
            .filter(order::Column::State.is_in(took))
            .filter(order::Column::ProviderId.is_not_null())
            .order_by_desc(order::Column::WindowStart)
            .into_tuple()
            .one(&self.db)
            .await
            .context("finding who took a care plan's latest visit")?;
        Ok(latest.flatten().map(ProviderId))
    }

    async fn is_resident(&self, id: AccountId) -> Result<bool, Unexpected> {
        let row = account::Entity::find_by_id(id.0).one(&self.db).await.context("looking up a resident")?;
        Ok(row.is_some_and(|a| a.role == Role::Resident.as_str() && a.disabled_at.is_none()))
    }
}
