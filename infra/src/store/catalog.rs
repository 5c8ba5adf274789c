//! Reading the catalog, and an admin's changes to it: new items, an item's words, dispatch policy, questions
//! and retirement.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};

use linli_domain::audit::AuditEntry;
use linli_domain::catalog::{CatalogItem, CatalogItems, Category, CreateItemError, ItemId, Questions};
use linli_domain::error::Unexpected;

use super::{Store, convert};
use crate::db::{DbContext, db_err};
use crate::entities::catalog_item;

impl CatalogItems for Store {
    /// Items in id order, after `after` when given, of one category when given, retired ones when asked.
    async fn catalog_items(
        &self,
        category: Option<Category>,
        after: Option<ItemId>,
        limit: u64,
        retired: bool,
    ) -> Result<Vec<CatalogItem>, Unexpected> {
        let mut query = catalog_item::Entity::find();
        if !retired {
            query = query.filter(catalog_item::Column::RetiredAt.is_null());
        }
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

    async fn save_item(&self, item: &CatalogItem, audit: AuditEntry) -> Result<bool, Unexpected> {
        let what = "changing a catalog item";
        let to_i32 = |n: u32| Expr::value(i32::try_from(n).unwrap_or(i32::MAX));
        let txn = self.begin(what).await?;
        let changed = catalog_item::Entity::update_many()
            .col_expr(catalog_item::Column::Name, Expr::value(item.name.clone()))
            .col_expr(catalog_item::Column::Category, Expr::value(item.category.as_str()))
            .col_expr(catalog_item::Column::Description, Expr::value(item.description.clone()))
            .col_expr(catalog_item::Column::DurationMinutes, Expr::value(item.duration_minutes))
            .col_expr(catalog_item::Column::PriceFen, Expr::value(item.price.0))
            .col_expr(catalog_item::Column::Routing, Expr::value(item.routing.as_str()))
            .col_expr(catalog_item::Column::Mode, Expr::value(item.mode.as_str()))
            .col_expr(catalog_item::Column::BroadcastK, to_i32(item.broadcast_k))
            .col_expr(catalog_item::Column::MaxRounds, to_i32(item.max_rounds))
            .col_expr(catalog_item::Column::OfferTtlSeconds, Expr::value(item.offer_ttl_seconds.map(|t| t as i32)))
            .col_expr(catalog_item::Column::RetiredAt, Expr::value(item.retired_at))
            .filter(catalog_item::Column::Id.eq(item.id.0))
            .exec(&txn)
            .await
            .context(what)?;
        if changed.rows_affected == 0 {
            return Ok(false);
        }
        // The snapshot caches the catalog on every replica.
        Self::bump_dispatch_counter(&txn).await?;
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)?;
        Ok(true)
    }

    async fn create_item(&self, item: &CatalogItem, audit: AuditEntry) -> Result<ItemId, CreateItemError> {
        let what = "adding a catalog item";
        let classify = |err: sea_orm::DbErr| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => CreateItemError::DuplicateCode,
            _ => CreateItemError::Unexpected(db_err(what)(err)),
        };
        let txn = self.begin(what).await?;
        // Items are numbered by hand (the demo's ids are fixed); admins add one now and then, and two at the
        // same moment collide on the key and are told to try again.
        let last: Option<i32> = catalog_item::Entity::find()
            .select_only()
            .column_as(catalog_item::Column::Id.max(), "last")
            .into_tuple()
            .one(&txn)
            .await
            .map_err(classify)?
            .flatten();
        let id = last.unwrap_or(0) + 1;
        let questions = serde_json::to_string(&item.questions).map_err(|e| Unexpected::new(what, e))?;
        catalog_item::Entity::insert(catalog_item::ActiveModel {
            id: Set(id),
            code: Set(item.code.clone()),
            name: Set(item.name.clone()),
            category: Set(item.category.as_str().to_owned()),
            description: Set(item.description.clone()),
            mode: Set(item.mode.as_str().to_owned()),
            duration_minutes: Set(item.duration_minutes),
            price_fen: Set(item.price.0),
            offer_ttl_seconds: Set(item.offer_ttl_seconds.map(|t| t as i32)),
            broadcast_k: Set(i32::try_from(item.broadcast_k).unwrap_or(i32::MAX)),
            max_rounds: Set(i32::try_from(item.max_rounds).unwrap_or(i32::MAX)),
            routing: Set(item.routing.as_str().to_owned()),
            demo: Set(false),
            questions: Set(questions),
            retired_at: Set(None),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(classify)?;
        Self::bump_dispatch_counter(&txn).await?;
        super::audit::append(&txn, &AuditEntry { object: format!("catalog_item:{id}"), ..audit }).await?;
        txn.commit().await.map_err(classify)?;
        Ok(ItemId(id))
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
