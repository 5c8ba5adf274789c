//! The lists port: the orders a resident, a provider or a worker follows, newest first, a page at a time.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::accounts::{AccountId, Role};
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::orders::{
    AreaFilter, ListedOrder, Order, OrderId, OrderLists, ProviderContact, Reach, ResidentContact,
};
use linli_domain::providers::ProviderId;

use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{account, catalog_item, community, order, provider};
use crate::store::{Store, convert};

impl OrderLists for Store {
    async fn area_orders(
        &self,
        reach: &Reach,
        filter: &AreaFilter,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<ListedOrder>, Unexpected> {
        let mut owner = Condition::all();
        if let Reach::Communities { communities, filer } = reach {
            let ids: Vec<i32> = communities.iter().map(|c| c.0).collect();
            owner = owner.add(
                Condition::any().add(order::Column::CommunityId.is_in(ids)).add(order::Column::PlacedBy.eq(filer.0)),
            );
        }
        let f = filter;
        let optional = [
            f.state.map(|s| order::Column::State.eq(StoredOrderState::from(s))),
            f.item.map(|i| order::Column::ItemId.eq(i.0)),
            f.provider.map(|p| order::Column::ProviderId.eq(p.0)),
            f.placed_from.map(|t| order::Column::PlacedAt.gte(t)),
            f.placed_before.map(|t| order::Column::PlacedAt.lt(t)),
            f.filed_by.map(|a| order::Column::PlacedBy.eq(a.0)),
            f.routing.map(|r| {
                let items = Query::select()
                    .column(catalog_item::Column::Id)
                    .from(catalog_item::Entity)
                    .and_where(catalog_item::Column::Routing.eq(r.as_str()))
                    .to_owned();
                order::Column::ItemId.in_subquery(items)
            }),
        ];
        let owner = optional.into_iter().flatten().fold(owner, Condition::add);
        let orders = self.newest_orders(owner, before, limit).await?;
        self.named(orders).await
    }

    async fn orders_of_resident(
        &self,
        resident: AccountId,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.newest_orders(order::Column::ResidentId.eq(resident.0), before, limit).await
    }

    /// Escalated orders, newest first: of some communities, or all of them.
    async fn escalated_orders(
        &self,
        communities: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let mut filter = Condition::all().add(order::Column::State.eq(StoredOrderState::Escalated));
        if let Some(c) = communities {
            filter = filter.add(order::Column::CommunityId.is_in(c.iter().map(|c| c.0)));
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
    /// The orders with the names a person reads them by: five reads, however many orders.
    async fn named(&self, orders: Vec<Order>) -> Result<Vec<ListedOrder>, Unexpected> {
        let set =
            |ids: Vec<Uuid>| ids.into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>();
        let people = set(orders.iter().flat_map(|o| [o.resident.0, o.placed_by.0]).collect());
        let providers = set(orders.iter().filter_map(|o| o.provider.map(|p| p.0)).collect());
        let items: Vec<i32> = orders.iter().map(|o| o.item.0).collect();
        let communities: Vec<i32> = orders.iter().map(|o| o.community.0).collect();
        let people =
            self.names::<account::Entity, _>(account::Column::Id, account::Column::DisplayName, people).await?;
        let providers =
            self.names::<provider::Entity, _>(provider::Column::Id, provider::Column::Name, providers).await?;
        let items =
            self.names::<catalog_item::Entity, _>(catalog_item::Column::Id, catalog_item::Column::Name, items).await?;
        let communities =
            self.names::<community::Entity, _>(community::Column::Id, community::Column::Name, communities).await?;
        let name = |m: &HashMap<Uuid, String>, id: Uuid| m.get(&id).cloned().unwrap_or_default();
        Ok(orders
            .into_iter()
            .map(|order| ListedOrder {
                item_name: items.get(&order.item.0).cloned().unwrap_or_default(),
                community_name: communities.get(&order.community.0).cloned().unwrap_or_default(),
                resident_name: name(&people, order.resident.0),
                filed_by_name: name(&people, order.placed_by.0),
                provider_name: order.provider.map(|p| name(&providers, p.0)),
                order,
            })
            .collect())
    }

    /// The `name` of each row of `E` whose `id` is among `ids`, by id.
    async fn names<E, K>(&self, id: E::Column, name: E::Column, ids: Vec<K>) -> Result<HashMap<K, String>, Unexpected>
    where
        E: EntityTrait,
        K: Eq + std::hash::Hash + sea_orm::TryGetable + Into<sea_orm::Value> + Send,
    {
        let rows: Vec<(K, String)> = E::find()
            .select_only()
            .columns([id, name])
            .filter(id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await
            .context("naming listed orders")?;
        Ok(rows.into_iter().collect())
    }

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
