//! Reading the catalog, and an admin's changes to an item's dispatch policy and questions.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::audit::AuditEntry;
use linli_domain::catalog::{CatalogItem, CatalogItems, Category, ItemId, PolicyChange, Questions};
use linli_domain::error::Unexpected;

use super::{Store, convert};
use crate::db::DbContext;
use crate::entities::catalog_item;

impl CatalogItems for Store {
    /// Items in id order, after `after` when given, of one category when given.
    async fn catalog_items(
        &self,
        category: Option<Category>,
        after: Option<ItemId>,
        limit: u64,
    ) -> Result<Vec<CatalogItem>, Unexpected> {
        let mut query = catalog_item::Entity::find();
        if let Some(c) = category {
            query = query.filter(catalog_item::Column::Category.eq(c.as_str()));
        }
        if let Some(after) = after {
            query = query.filter(catalog_item::Column::Id.gt(after.0));
        }
        query
            .order_by_asc(catalog_item::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing the catalog")?
            .into_iter()
            .map(convert::item)
            .collect()
    }

    /// Changes how an item's orders are dispatched; `None` leaves a setting as it is. Returns the item after.
    async fn update_dispatch_policy(
        &self,
        id: ItemId,
        policy: PolicyChange,
        audit: AuditEntry,
    ) -> Result<Option<CatalogItem>, Unexpected> {
        let PolicyChange { mode, broadcast_k, max_rounds, offer_ttl_seconds } = policy;
        let to_i32 = |n: u32| Expr::value(i32::try_from(n).unwrap_or(i32::MAX));
        let mut update = catalog_item::Entity::update_many().filter(catalog_item::Column::Id.eq(id.0));
        if let Some(m) = mode {
            update = update.col_expr(catalog_item::Column::Mode, Expr::value(m.as_str()));
        }
        if let Some(k) = broadcast_k {
            update = update.col_expr(catalog_item::Column::BroadcastK, to_i32(k));
        }
        if let Some(r) = max_rounds {
            update = update.col_expr(catalog_item::Column::MaxRounds, to_i32(r));
        }
        if let Some(t) = offer_ttl_seconds {
            update = update.col_expr(catalog_item::Column::OfferTtlSeconds, to_i32(t));
        }
        let what = "changing an item's dispatch policy";
        let txn = self.begin(what).await?;
        if mode.is_some() || broadcast_k.is_some() || max_rounds.is_some() || offer_ttl_seconds.is_some() {
            update.exec(&txn).await.context(what)?;
            Self::bump_dispatch_counter(&txn).await?;
        }
        let row = catalog_item::Entity::find_by_id(id.0).one(&txn).await.context(what)?;
        let Some(after) = row.map(convert::item).transpose()? else {
            return Ok(None);
        };
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)?;
        Ok(Some(after))
    }

    /// Replaces the item's questions; returns the item after.
    async fn set_questions(
        &self,
        id: ItemId,
        questions: Questions,
        audit: AuditEntry,
    ) -> Result<Option<CatalogItem>, Unexpected> {
        let what = "changing an item's questions";
        let json = serde_json::to_string(&questions).map_err(|e| Unexpected::new(what, e))?;
        let txn = self.begin(what).await?;
        let changed = catalog_item::Entity::update_many()
            .col_expr(catalog_item::Column::Questions, Expr::value(json))
            .filter(catalog_item::Column::Id.eq(id.0))
            .exec(&txn)
            .await
            .context(what)?;
        if changed.rows_affected == 0 {
            return Ok(None);
        }
        // The snapshot caches the catalog, questions included.
        Self::bump_dispatch_counter(&txn).await?;
        let row = catalog_item::Entity::find_by_id(id.0).one(&txn).await.context(what)?;
        let after = row.map(convert::item).transpose()?;
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)?;
        Ok(after)
    }

    async fn catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        let row = catalog_item::Entity::find_by_id(id.0).one(&self.db).await.context("reading a catalog item")?;
        row.map(convert::item).transpose()
    }
}
