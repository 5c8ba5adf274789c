//! The lists port: the orders a resident, a provider or a worker follows, newest first, a page at a time.

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::orders::{Order, OrderId, OrderLists, ResidentContact};
use linli_domain::providers::ProviderId;

use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{account, order};
use crate::store::{Store, convert};

impl OrderLists for Store {
    async fn orders_of_resident(
        &self,
        resident: AccountId,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.newest_orders(order::Column::ResidentId.eq(resident.0), before, limit).await
    }

    /// Escalated orders, newest first: of one community, or all of them.
    async fn escalated_orders(
        &self,
        community: Option<CommunityId>,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let mut filter = Condition::all().add(order::Column::State.eq(StoredOrderState::Escalated));
        if let Some(c) = community {
            filter = filter.add(order::Column::CommunityId.eq(c.0));
        }
        self.newest_orders(filter, before, limit).await
    }

    async fn orders_of_provider(
        &self,
        provider: ProviderId,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.newest_orders(order::Column::ProviderId.eq(provider.0), before, limit).await
    }

    async fn resident_contact(&self, resident: AccountId) -> Result<Option<ResidentContact>, Unexpected> {
        let row =
            account::Entity::find_by_id(resident.0).one(&self.db).await.context("reading a resident's contact")?;
        Ok(row.map(|a| ResidentContact { name: a.display_name, phone: a.phone }))
    }
}

impl Store {
    pub(super) async fn newest_orders(
        &self,
        owner: impl sea_orm::sea_query::IntoCondition,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let mut query = order::Entity::find().filter(owner);
        if let Some(before) = before {
            query = query.filter(order::Column::Id.lt(before.0));
        }
        query
            .order_by_desc(order::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing orders")?
            .into_iter()
            .map(convert::order)
            .collect()
    }
}
