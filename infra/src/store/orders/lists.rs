//! The lists port: the orders a resident, a provider or a worker follows, newest first, a page at a time.

use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::accounts::{AccountId, Role};
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::orders::{Order, OrderId, OrderLists, ProviderContact, ResidentContact};
use linli_domain::providers::ProviderId;

use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{account, order, provider};
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

    async fn provider_contact(
        &self,
        provider: ProviderId,
        staff: Option<AccountId>,
    ) -> Result<Option<ProviderContact>, Unexpected> {
        let what = "reading who is coming";
        let Some(org) = provider::Entity::find_by_id(provider.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        let person = match staff {
            Some(s) => account::Entity::find_by_id(s.0).one(&self.db).await.context(what)?,
            None => None,
        };
        let (staff_name, phone) = person.map(|p| (Some(p.display_name), p.phone)).unwrap_or_default();
        let rating_count = u32::try_from(org.rating_count).unwrap_or(0);
        Ok(Some(ProviderContact { organization: org.name, staff_name, phone, rating: org.rating, rating_count }))
    }

    async fn provider_staff(&self, provider: ProviderId) -> Result<Vec<(AccountId, String)>, Unexpected> {
        let rows = account::Entity::find()
            .filter(account::Column::ProviderId.eq(provider.0))
            .filter(account::Column::Role.eq(Role::ProviderStaff.as_str()))
            .filter(account::Column::DisabledAt.is_null())
            .order_by_asc(account::Column::DisplayName)
            .all(&self.db)
            .await
            .context("listing a provider's staff")?;
        Ok(rows.into_iter().map(|a| (AccountId(a.id), a.display_name)).collect())
    }

    async fn is_staff_of(&self, account: AccountId, provider: ProviderId) -> Result<bool, Unexpected> {
        let row = account::Entity::find_by_id(account.0).one(&self.db).await.context("reading a colleague")?;
        Ok(row.is_some_and(|a| {
            a.provider_id == Some(provider.0) && a.role == Role::ProviderStaff.as_str() && a.disabled_at.is_none()
        }))
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
