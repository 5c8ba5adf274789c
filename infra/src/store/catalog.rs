//! Reading the catalog, and an admin's changes to it: new items, an item's words, dispatch policy, questions
//! and retirement.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::audit::AuditEntry;
use linli_domain::catalog::{CatalogItem, CatalogItems, Category, CreateItemError, ItemId, Questions};
use linli_domain::error::Unexpected;

use super::{Store, convert};
use crate::db::DbContext;
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

    async fn save_item(&self, before: &CatalogItem, item: &CatalogItem, audit: AuditEntry) -> Result<bool, Unexpected> {
        let what = "changing a catalog item";
        let to_i32 = |n: u32| Expr::value(i32::try_from(n).unwrap_or(i32::MAX));
        use catalog_item::Column as C;
        // Only what this change changed: a concurrent change of another part is kept.
        let ttl = item.offer_ttl_seconds.map(|t| i32::try_from(t).unwrap_or(i32::MAX));
        let changes = [
            (item.name != before.name, C::Name, Expr::value(item.name.clone())),
            (item.category != before.category, C::Category, Expr::value(item.category.as_str())),
            (item.description != before.description, C::Description, Expr::value(item.description.clone())),
            (item.duration_minutes != before.duration_minutes, C::DurationMinutes, Expr::value(item.duration_minutes)),
            (item.price != before.price, C::PriceFen, Expr::value(item.price.0)),
            (item.routing != before.routing, C::Routing, Expr::value(item.routing.as_str())),
            (item.mode != before.mode, C::Mode, Expr::value(item.mode.as_str())),
            (item.broadcast_k != before.broadcast_k, C::BroadcastK, to_i32(item.broadcast_k)),
            (item.max_rounds != before.max_rounds, C::MaxRounds, to_i32(item.max_rounds)),
            (item.offer_ttl_seconds != before.offer_ttl_seconds, C::OfferTtlSeconds, Expr::value(ttl)),
            (item.retired_at != before.retired_at, C::RetiredAt, Expr::value(item.retired_at)),
        ];
        // With nothing changed the id is written as it is, which still tells whether the item exists.
        let update = changes.into_iter().filter(|(changed, _, _)| *changed).fold(
            catalog_item::Entity::update_many().filter(C::Id.eq(item.id.0)).col_expr(C::Id, Expr::col(C::Id)),
            |update, (_, column, value)| update.col_expr(column, value),
        );
        let txn = self.begin(what).await?;
        let changed = update.exec(&txn).await.context(what)?;
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
        let questions = serde_json::to_string(&item.questions).map_err(|e| Unexpected::new(what, e))?;
        let code_taken = || async {
            let taken = catalog_item::Entity::find().filter(catalog_item::Column::Code.eq(&item.code)).one(&self.db);
            taken.await.context(what).map(|row| row.is_some())
        };
        if code_taken().await? {
            return Err(CreateItemError::DuplicateCode);
        }
        let row = |id| catalog_item::ActiveModel {
            id: Set(id),
            code: Set(item.code.clone()),
            name: Set(item.name.clone()),
            category: Set(item.category.as_str().to_owned()),
            description: Set(item.description.clone()),
            mode: Set(item.mode.as_str().to_owned()),
            duration_minutes: Set(item.duration_minutes),
            price_fen: Set(item.price.0),
            offer_ttl_seconds: Set(item.offer_ttl_seconds.map(|t| i32::try_from(t).unwrap_or(i32::MAX))),
            broadcast_k: Set(i32::try_from(item.broadcast_k).unwrap_or(i32::MAX)),
            max_rounds: Set(i32::try_from(item.max_rounds).unwrap_or(i32::MAX)),
            routing: Set(item.routing.as_str().to_owned()),
            demo: Set(false),
            questions: Set(questions.clone()),
            retired_at: Set(None),
        };
        match self.add_numbered(what, catalog_item::Column::Id, "catalog_item", row, audit).await {
            Ok(id) => Ok(ItemId(id)),
            // An add of the same code at the same moment breaks the code's key on every try.
            Err(_) if code_taken().await? => Err(CreateItemError::DuplicateCode),
            Err(e) => Err(e.into()),
        }
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
