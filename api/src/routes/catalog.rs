//! The catalog: public, since residents browse before they log in.

use chrono::{NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use linli_domain::catalog::questions::{Question, QuestionKind};
use linli_domain::catalog::{CatalogItem, Category, ItemId};
use linli_domain::geo::CommunityId;
use linli_domain::paging::Page;
use linli_domain::time::shanghai;

use super::choices::{CategoryName, QuestionKindName};
use super::{ApiTags, page_size};
use super::{PageLimit, limit_of};
use crate::problem::problems;
use crate::problem::{ApiError, OpenTime};
use crate::state::AppState;

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
    /// What `GET /search` can answer besides its success.
    SearchProblems: BadRequest, Unprocessable
);
problems!(
    /// What `GET /items/:id` can answer besides its success.
    ItemProblems: BadRequest, NotFound
);
problems!(
    /// What `GET /items/:id/open-times` can answer besides its success.
    OpenTimesProblems: BadRequest, NotFound, Unprocessable
);

#[OpenApi(prefix_path = "/api/v1/catalog", tag = "ApiTags::Catalog")]
impl CatalogApi {
    /// The categories items fall into.
    #[oai(path = "/categories", method = "get")]
    async fn categories(&self) -> Json<Vec<CategoryView>> {
        Json(Category::ALL.into_iter().map(CategoryView::from).collect())
    }

    /// Items, optionally of one category, a page at a time; retired items only when asked.
    #[oai(path = "/items", method = "get")]
    async fn items(
        &self,
        state: Data<&AppState>,
        /// A category code from `/catalog/categories`, e.g. `meals`.
        category: Query<Option<CategoryName>>,
        /// Include retired items, which take no new orders (default false).
        retired: Query<Option<bool>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<CatalogPage>, ItemsProblems> {
        let after = match cursor.0.as_deref() {
            None | Some("") => None,
            Some(c) => {
                Some(ItemId(c.parse().map_err(|_| ApiError::malformed("cursor", "not a cursor from this list"))?))
            }
        };
        let size = page_size(limit_of(limit.0))?;
        let rows = state
            .catalog
            .items(category.0.map(CategoryName::as_str), after, size + 1, retired.0.unwrap_or(false))
            .await?;
        let page = Page::of(rows, size);
        let next_cursor = page.next_cursor(|i| i.id.0.to_string());
        Ok(Json(CatalogPage { items: page.rows.into_iter().map(CatalogItemView::from).collect(), next_cursor }))
    }

    /// Items matching `q`, best first (at most 20): words of their name or description in Chinese, or their
    /// name's pinyin typed in full (`baojie`), by initials (`bj`) or mixed (`baoj`).
    #[oai(path = "/search", method = "get")]
    async fn search(
        &self,
        state: Data<&AppState>,
        /// 1 to 20 characters: 保洁, baojie or bj.
        q: Query<Option<String>>,
    ) -> Result<Json<CatalogSearch>, SearchProblems> {
        let found = state.catalog.search(q.0.as_deref().unwrap_or("")).await?;
        Ok(Json(CatalogSearch { items: found.into_iter().map(CatalogItemView::from).collect() }))
    }

    /// One item.
    #[oai(path = "/items/:id", method = "get")]
    async fn item(&self, state: Data<&AppState>, id: Path<i32>) -> Result<ItemOutcome, ItemProblems> {
        Ok(ItemOutcome::Ok(Json(state.catalog.item(ItemId(id.0)).await?.into())))
    }

    /// The times the item can be booked at in a community (可预约时段), each with the places left: counted from
    /// the providers who would be offered it (their working hours, capacity, the jobs they hold with the
    /// travel between, and the bookings nobody holds yet), from two hours ahead, on the half hour.
    #[oai(path = "/items/:id/open-times", method = "get")]
    async fn open_times(
        &self,
        state: Data<&AppState>,
        id: Path<i32>,
        /// Where the service is wanted.
        community_id: Query<i32>,
        /// The first day, in Shanghai (default today).
        from: Query<Option<NaiveDate>>,
        /// How many days, 1 to 14 (default 7).
        days: Query<Option<u32>>,
    ) -> Result<Json<OpenTimesView>, OpenTimesProblems> {
        let from = from.0.unwrap_or_else(|| Utc::now().with_timezone(&shanghai()).date_naive());
        let times =
            state.orders.open_times(ItemId(id.0), CommunityId(community_id.0), from, days.0.unwrap_or(7)).await?;
        Ok(Json(OpenTimesView {
            item_id: times.item.0,
            community_id: times.community.0,
            minutes: times.minutes,
            times: times.slots.into_iter().map(OpenTime::from).collect(),
        }))
    }
}

/// An item's open times in a community.
#[derive(Object)]
pub struct OpenTimesView {
    pub item_id: i32,
    pub community_id: i32,
    /// How long each time is: the item's service length.
    pub minutes: i32,
    /// Earliest first; a time with no place left is not listed.
    pub times: Vec<OpenTime>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CategoryView {
    /// e.g. `meals`
    pub code: String,
    /// e.g. 助餐
    pub label: String,
}

impl From<Category> for CategoryView {
    fn from(c: Category) -> Self {
        Self { code: c.as_str().to_owned(), label: c.label_zh().to_owned() }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CatalogItemView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub category: String,
    pub category_label: String,
    pub description: String,
    /// `dispatch` (派单: one provider at a time) or `broadcast` (抢单: first claim wins).
    pub mode: String,
    pub duration_minutes: i32,
    /// Price in fen (分); 0 for free public services.
    pub price_fen: i64,
    /// The price as shown to residents, e.g. ¥15.00.
    pub price: String,
    /// `standard`, `volunteer` (Party members only), `neighbour_dispute` (the community's mediation point) or
    /// `property_dispute` (the street's property-dispute mediation sub-center).
    pub routing: String,
    /// Seconds a provider has to answer an offer; absent for the configured default.
    pub offer_ttl_seconds: Option<u32>,
    /// Providers offered at once in broadcast mode.
    pub broadcast_k: u32,
    /// Rounds of offers in the community, then the street, then the district, before escalation.
    pub max_rounds: u32,
    /// What ordering the item asks, in order; answer them in the order's `answers`, by `code`.
    pub questions: Vec<QuestionView>,
    /// Since when it takes no new orders; absent while it does.
    pub retired_at: Option<chrono::DateTime<Utc>>,
}

/// One of an item's questions.
#[derive(Object, Clone, Debug)]
#[oai(skip_serializing_if_is_none)]
pub struct QuestionView {
    /// The key of its answer in an order's `answers`.
    pub code: String,
    pub label: String,
    /// A line of help under the question; may be empty.
    pub help: String,
    pub kind: QuestionKindName,
    /// Whether an order must answer it.
    pub required: bool,
    /// `text`: at most this many characters.
    pub max_chars: Option<u32>,
    /// `number`: the least answer.
    pub min: Option<f64>,
    /// `number`: the greatest answer.
    pub max: Option<f64>,
    /// `single` and `multiple`: the answers to choose from.
    pub choices: Vec<String>,
}

impl From<&Question> for QuestionView {
    fn from(q: &Question) -> Self {
        let (kind, max_chars, range, choices) = match &q.kind {
            QuestionKind::Text { max_chars } => (QuestionKindName::Text, Some(*max_chars), None, Vec::new()),
            QuestionKind::Number { min, max } => (QuestionKindName::Number, None, Some((*min, *max)), Vec::new()),
            QuestionKind::Single { choices } => (QuestionKindName::Single, None, None, choices.clone()),
            QuestionKind::Multiple { choices } => (QuestionKindName::Multiple, None, None, choices.clone()),
            QuestionKind::YesNo => (QuestionKindName::YesNo, None, None, Vec::new()),
            QuestionKind::Date => (QuestionKindName::Date, None, None, Vec::new()),
        };
        Self {
            code: q.code.clone(),
            label: q.label.clone(),
            help: q.help.clone(),
            kind,
            required: q.required,
            max_chars,
            min: range.map(|r| r.0),
            max: range.map(|r| r.1),
            choices,
        }
    }
}

impl From<CatalogItem> for CatalogItemView {
    fn from(i: CatalogItem) -> Self {
        Self {
            id: i.id.0,
            code: i.code,
            name: i.name,
            category: i.category.as_str().to_owned(),
            category_label: i.category.label_zh().to_owned(),
            description: i.description,
            mode: i.mode.as_str().to_owned(),
            duration_minutes: i.duration_minutes,
            price_fen: i.price.0,
            price: i.price.to_string(),
            routing: i.routing.as_str().to_owned(),
            offer_ttl_seconds: i.offer_ttl_seconds,
            broadcast_k: i.broadcast_k,
            max_rounds: i.max_rounds,
            questions: i.questions.as_slice().iter().map(QuestionView::from).collect(),
            retired_at: i.retired_at,
        }
    }
}

/// Items found by a search, best first.
#[derive(Object)]
pub struct CatalogSearch {
    pub items: Vec<CatalogItemView>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CatalogPage {
    pub items: Vec<CatalogItemView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
