//! The backlog port: orders overdue for acceptance, waiting for a taker, or stranded by a lost queue entry.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::error::Unexpected;
use linli_domain::orders::{Backlog, Order, OrderId};

use crate::db::DbContext;
use crate::entities::order;
use crate::entities::states::StoredOrderState;
use crate::store::{Store, convert};

impl Backlog for Store {
    async fn overdue_orders(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<Order>, Unexpected> {
        let waiting = [StoredOrderState::Submitted, StoredOrderState::Offered];
        let rows = order::Entity::find()
            .filter(order::Column::State.is_in(waiting))
            .filter(order::Column::AcceptBy.lte(now))
            .limit(limit)
            .all(&self.db)
            .await
            .context("finding overdue orders")?;
        rows.into_iter().map(convert::order).collect()
    }

    async fn waiting_orders(&self, limit: u64) -> Result<Vec<OrderId>, Unexpected> {
        let rows = order::Entity::find()
            .filter(order::Column::State.eq(StoredOrderState::Submitted))
            .order_by_asc(order::Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing orders waiting for dispatch")?;
        Ok(rows.into_iter().map(|r| OrderId(r.id)).collect())
    }

    async fn take_stranded_orders(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<OrderId>, Unexpected> {
        let what = "finding stranded orders";
        let not_recently_requeued =
            || Condition::any().add(order::Column::RequeuedAt.is_null()).add(order::Column::RequeuedAt.lt(cutoff));
        let candidates = order::Entity::find()
            .filter(order::Column::State.eq(StoredOrderState::Submitted))
            .filter(order::Column::UpdatedAt.lt(cutoff))
            .filter(not_recently_requeued())
            .order_by_asc(order::Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .context(what)?;
        let mut taken = Vec::with_capacity(candidates.len());
        for row in candidates {
            // Conditional, so that of several sweeps at once exactly one takes the order.
            let marked = order::Entity::update_many()
                .col_expr(order::Column::RequeuedAt, Expr::value(now))
                .filter(order::Column::Id.eq(row.id))
                .filter(order::Column::State.eq(StoredOrderState::Submitted))
                .filter(not_recently_requeued())
                .exec(&self.db)
                .await
                .context(what)?;
            if marked.rows_affected == 1 {
                taken.push(OrderId(row.id));
            }
        }
        Ok(taken)
    }
}
