//! The catalog: public, since residents browse before they log in.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use linli_domain::catalog::{Category, ItemId};

use super::{ApiTags, page_size, split_page};
use crate::problem::ApiError;
use crate::problem::problems;
use crate::state::AppState;
use crate::views::{CatalogItemView, CatalogPage, CategoryView};

pub struct CatalogApi;

#[derive(ApiResponse)]
enum ItemOutcome {
    #[oai(status = 200)]
    Ok(Json<CatalogItemView>),
}

problems!(
    /// What `GET /items` can answer besides its success.
    ItemsProblems: BadRequest
);
problems!(
    /// What `GET /items/:id` can answer besides its success.
    ItemProblems: BadRequest, NotFound
);

#[OpenApi(prefix_path = "/api/v1/catalog", tag = "ApiTags::Catalog")]
impl CatalogApi {
    /// The categories items fall into.
    #[oai(path = "/categories", method = "get")]
    async fn categories(&self) -> Json<Vec<CategoryView>> {
        Json(Category::ALL.into_iter().map(CategoryView::from).collect())
    }

    /// Items, optionally of one category, a page at a time.
    #[oai(path = "/items", method = "get")]
    async fn items(
        &self,
        state: Data<&AppState>,
        /// A category code from `/catalog/categories`, e.g. `meals`.
        category: Query<Option<String>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<u32>>,
    ) -> Result<Json<CatalogPage>, ItemsProblems> {
        let after = match cursor.0.as_deref() {
            None | Some("") => None,
            Some(c) => {
                Some(ItemId(c.parse().map_err(|_| ApiError::malformed("cursor", "not a cursor from this list"))?))
            }
        };
        let size = page_size(limit.0)?;
        let rows = state.catalog.items(category.0.as_deref(), after, size + 1).await?;
        let (rows, next_cursor) = split_page(rows, size, |i| i.id.0.to_string());
        Ok(Json(CatalogPage { items: rows.into_iter().map(CatalogItemView::from).collect(), next_cursor }))
    }

    /// One item.
    #[oai(path = "/items/:id", method = "get")]
    async fn item(&self, state: Data<&AppState>, id: Path<i32>) -> Result<ItemOutcome, ItemProblems> {
        Ok(ItemOutcome::Ok(Json(state.catalog.item(ItemId(id.0)).await?.into())))
    }
}
