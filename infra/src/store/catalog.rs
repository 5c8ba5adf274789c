//! Reading the catalog.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::catalog::{CatalogItem, Category, ItemId};
use linli_domain::error::Unexpected;

use super::{Store, convert};
use crate::db::db_err;
use crate::entities::catalog_item;

impl Store {
    /// Items in id order, after `after` when given, of one category when given.
    pub async fn catalog_items(
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
            .map_err(db_err("listing the catalog"))?
            .into_iter()
            .map(convert::item)
            .collect()
    }

    pub async fn catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        let row =
            catalog_item::Entity::find_by_id(id.0).one(&self.db).await.map_err(db_err("reading a catalog item"))?;
        row.map(convert::item).transpose()
    }
}
