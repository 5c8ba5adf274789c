//! Administration: registering and listing organizations; creating, listing and correcting accounts; and the
//! catalog's items — added, edited (words, price, routing, dispatch), asked questions, retired and restored.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{AccountEdit, AccountId, AccountInput};
use linli_domain::catalog::questions::QuestionInput;
use linli_domain::catalog::{CreateItemError, ItemId, ItemInput, ItemWords, PolicyInput};
use linli_domain::geo::{CommunityId, StreetId};
use linli_domain::paging::PageRequest;
use linli_domain::providers::{CreateProviderError, ProviderId, ProviderInput, ProviderSummary};

use super::accounts::{AccountView, account_problem};
use super::catalog::CatalogItemView;
use super::choices::{CategoryName, DispatchModeName, ProviderKindName, QuestionKindName, RoleName, RoutingName};
use super::{ApiTags, PageLimit, limit_of};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::ApiError;
use crate::problem::problems;
use crate::state::AppState;

pub struct AdminApi;

#[derive(ApiResponse)]
enum ProviderCreated {
    #[oai(status = 201)]
    Created(Json<ProviderView>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum ItemCreated {
    #[oai(status = 201)]
    Created(Json<CatalogItemView>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum AccountCreated {
    #[oai(status = 201)]
    Created(Json<AccountView>),
}

problems!(
    /// What `POST /admin/providers` can answer besides its success.
    CreateProviderProblems: BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /admin/catalog/items` can answer besides its success.
    CreateItemProblems: BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `PATCH /admin/catalog/items/:id` can answer besides its success.
    ChangeItemProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /admin/catalog/items/:id/retire` and `…/restore` can answer besides their success.
    RetireProblems: BadRequest, Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `PATCH /admin/accounts/:id` can answer besides its success.
    ChangeAccountProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `PUT /admin/catalog/items/:id/questions` can answer besides its success.
    SetQuestionsProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /providers/:id` can answer besides its success.
    ProviderProblems: BadRequest, Unauthorized, NotFound
);
problems!(
    /// What `GET /providers` and `GET /admin/accounts` can answer besides their success.
    ListProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `POST /admin/accounts` can answer besides its success.
    CreateAccountProblems: BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Admin")]
impl AdminApi {
    /// Register a provider: a functional service organization, a Party member, or a community point, with the
    /// items it offers and the communities it serves.
    #[oai(path = "/admin/providers", method = "post")]
    async fn create_provider(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CreateProviderRequest>,
    ) -> Result<ProviderCreated, CreateProviderProblems> {
        let record = state.providers.create_provider(&auth.0.actor(), body.0.into()).await.map_err(|e| match e {
            CreateProviderError::DuplicateCreditCode => {
                ApiError::new(poem::http::StatusCode::CONFLICT, "duplicate_credit_code", e.to_string())
                    .field("credit_code")
            }
            CreateProviderError::UnknownItem(_) => ApiError::invalid("item_ids", "unknown_item", e),
            CreateProviderError::UnknownCommunity(_) => ApiError::invalid("community_id", "unknown_community", e),
            CreateProviderError::UnknownStreet(_) => ApiError::invalid("coverage_street_ids", "unknown_street", e),
            CreateProviderError::Denied(d) => d.into(),
            CreateProviderError::Invalid(i) => i.into(),
            CreateProviderError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        let location = format!("/api/v1/providers/{}", record.id.0);
        Ok(ProviderCreated::Created(Json(record.into()), location))
    }

    /// Add an item to the catalog: it can be ordered at once, asking nothing until its questions are set.
    #[oai(path = "/admin/catalog/items", method = "post")]
    async fn create_item(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CreateItemRequest>,
    ) -> Result<ItemCreated, CreateItemProblems> {
        let b = body.0;
        let input = ItemInput {
            code: b.code,
            words: ItemWords {
                name: Some(b.name),
                category: Some(b.category.as_str().to_owned()),
                description: b.description,
                duration_minutes: b.duration_minutes,
                price_fen: b.price_fen,
                routing: b.routing.map(|r| r.as_str().to_owned()),
            },
            mode: b.mode.map(|m| m.as_str().to_owned()),
        };
        let item = state.catalog.create_item(&auth.0.actor(), input).await.map_err(|e| match e {
            CreateItemError::DuplicateCode => {
                ApiError::new(poem::http::StatusCode::CONFLICT, "duplicate_item_code", e.to_string()).field("code")
            }
            CreateItemError::Denied(d) => d.into(),
            CreateItemError::Invalid(i) => i.into(),
            CreateItemError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        let location = format!("/api/v1/catalog/items/{}", item.id.0);
        Ok(ItemCreated::Created(Json(item.into()), location))
    }

    /// Edit an item: its words, price and routing, and how its orders are dispatched — one provider at a time
    /// (`dispatch`) or several at once (`broadcast`, to `broadcast_k`), how many rounds per scope, how long an
    /// offer stays open. What is left out stays as it is; orders placed before keep theirs.
    #[oai(path = "/admin/catalog/items/:id", method = "patch")]
    async fn change_item(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        body: JsonBody<ChangeItemRequest>,
    ) -> Result<Json<CatalogItemView>, ChangeItemProblems> {
        let p = body.0;
        let words = ItemWords {
            name: p.name,
            category: p.category.map(|c| c.as_str().to_owned()),
            description: p.description,
            duration_minutes: p.duration_minutes,
            price_fen: p.price_fen,
            routing: p.routing.map(|r| r.as_str().to_owned()),
        };
        let policy = PolicyInput {
            mode: p.mode.map(|m| m.as_str().to_owned()),
            broadcast_k: p.broadcast_k,
            max_rounds: p.max_rounds,
            offer_ttl_seconds: p.offer_ttl_seconds,
        };
        let item = state.catalog.change_item(&auth.0.actor(), ItemId(id.0), words, &policy).await?;
        Ok(Json(item.into()))
    }

    /// Retire an item: it takes no new orders (nor care-plan visits) and leaves the lists and search; the
    /// orders placed before keep it.
    #[oai(path = "/admin/catalog/items/:id/retire", method = "post")]
    async fn retire_item(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
    ) -> Result<Json<CatalogItemView>, RetireProblems> {
        Ok(Json(state.catalog.retire(&auth.0.actor(), ItemId(id.0), true).await?.into()))
    }

    /// Bring a retired item back: it takes orders again.
    #[oai(path = "/admin/catalog/items/:id/restore", method = "post")]
    async fn restore_item(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
    ) -> Result<Json<CatalogItemView>, RetireProblems> {
        Ok(Json(state.catalog.retire(&auth.0.actor(), ItemId(id.0), false).await?.into()))
    }

    /// Replace what ordering an item asks, in the order given (at most 20 questions). Orders placed before keep
    /// their answers. A question that breaks a rule is refused naming it, e.g. `questions[1].choices`.
    #[oai(path = "/admin/catalog/items/:id/questions", method = "put")]
    async fn set_questions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        body: JsonBody<SetQuestionsRequest>,
    ) -> Result<Json<CatalogItemView>, SetQuestionsProblems> {
        let inputs = body.0.questions.into_iter().map(QuestionInput::from).collect();
        let item = state.catalog.set_questions(&auth.0.actor(), ItemId(id.0), inputs).await?;
        Ok(Json(item.into()))
    }

    /// A provider: any admin, or that provider's own staff.
    #[oai(path = "/providers/:id", method = "get")]
    async fn provider(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<ProviderView>, ProviderProblems> {
        Ok(Json(state.providers.provider(&auth.0.actor(), ProviderId(id.0)).await?.into()))
    }

    /// Providers in the order they were registered, a page at a time: with `item_id`, those offering it;
    /// with `q`, those whose name contains it; Party members only with `members=true`. Admins, and community
    /// workers choosing whom to assign to.
    #[oai(path = "/providers", method = "get")]
    #[allow(clippy::too_many_arguments)] // each query parameter is an argument of the handler
    async fn providers(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        item_id: Query<Option<i32>>,
        /// Include Party members (default false).
        members: Query<Option<bool>>,
        /// Part of a name, at most 50 characters.
        q: Query<Option<String>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<ProviderPage>, ListProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let item = item_id.0.map(ItemId);
        let (actor, members) = (auth.0.actor(), members.0.unwrap_or(false));
        let found = state.providers.providers(&actor, item, members, q.0.as_deref(), page).await?;
        Ok(Json(ProviderPage {
            next_cursor: found.next_cursor(|p| p.id.0.to_string()),
            providers: found.rows.into_iter().map(ProviderListView::from).collect(),
        }))
    }

    /// Accounts in the order they were made, a page at a time: of one `role`, or whose username, name or
    /// phone contains `q`. Admins.
    #[oai(path = "/admin/accounts", method = "get")]
    async fn accounts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        role: Query<Option<RoleName>>,
        /// Part of a username, name or phone number, at most 50 characters.
        q: Query<Option<String>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<AccountPage>, ListProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let role = role.0.map(RoleName::as_str);
        let found = state.accounts.accounts(&auth.0.actor(), role, q.0.as_deref(), page).await?;
        Ok(Json(AccountPage {
            next_cursor: found.next_cursor(|a| a.id.0.to_string()),
            accounts: found.rows.iter().map(AccountView::from).collect(),
        }))
    }

    /// Correct an account: its name, mobile number (empty to remove it), community or street (a worker looks
    /// after one or the other), and whether a member of staff manages. What is left out stays as it is.
    #[oai(path = "/admin/accounts/:id", method = "patch")]
    async fn change_account(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<ChangeAccountRequest>,
    ) -> Result<Json<AccountView>, ChangeAccountProblems> {
        let b = body.0;
        let edit = AccountEdit {
            display_name: b.display_name,
            phone: b.phone,
            community_id: b.community_id.map(CommunityId),
            street_id: b.street_id.map(StreetId),
            manager: b.manager,
        };
        let record =
            state.accounts.change_account(&auth.0.actor(), AccountId(id.0), edit).await.map_err(|e| match e {
                linli_domain::accounts::CreateAccountError::UnknownReference => ApiError::not_found("account"),
                other => account_problem(other),
            })?;
        Ok(Json(AccountView::from(&record)))
    }

    /// Create an account of any role.
    #[oai(path = "/admin/accounts", method = "post")]
    async fn create_account(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CreateAccountRequest>,
    ) -> Result<AccountCreated, CreateAccountProblems> {
        let record = state.accounts.create_account(&auth.0.actor(), body.0.into()).await.map_err(account_problem)?;
        Ok(AccountCreated::Created(Json(AccountView::from(&record))))
    }
}

impl From<CreateProviderRequest> for ProviderInput {
    fn from(r: CreateProviderRequest) -> Self {
        Self {
            kind: r.kind.map(|k| k.as_str().to_owned()),
            name: r.name,
            credit_code: r.credit_code,
            community_id: r.community_id,
            lat: r.lat,
            lng: r.lng,
            capacity: r.capacity,
            item_ids: r.item_ids,
            coverage_community_ids: r.coverage_community_ids,
            coverage_street_ids: r.coverage_street_ids,
            radius_m: r.radius_m,
            working_hours: r.working_hours,
            target_share: r.target_share,
        }
    }
}

impl From<CreateAccountRequest> for AccountInput {
    fn from(r: CreateAccountRequest) -> Self {
        Self {
            username: r.username,
            password: r.password,
            display_name: r.display_name,
            role: r.role.as_str().to_owned(),
            phone: r.phone,
            provider_id: r.provider_id.map(ProviderId),
            community_id: r.community_id.map(CommunityId),
            street_id: r.street_id.map(StreetId),
            manager: r.manager,
        }
    }
}

#[derive(Object, Deserialize)]
pub struct SetQuestionsRequest {
    pub questions: Vec<QuestionBody>,
}

/// One question, as an admin writes it.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct QuestionBody {
    /// 1 to 32 lowercase letters, digits or `_`, starting with a letter; unique within the item.
    pub code: String,
    /// 1 to 50 characters.
    pub label: String,
    /// Up to 200 characters.
    pub help: Option<String>,
    pub kind: QuestionKindName,
    #[serde(default)]
    #[oai(default)]
    pub required: bool,
    /// `text`: 1 to 500 (default 200).
    pub max_chars: Option<u32>,
    /// `number`: the least answer (default 0).
    pub min: Option<f64>,
    /// `number`: the greatest answer (default 1,000,000).
    pub max: Option<f64>,
    /// `single` and `multiple`: 1 to 20 distinct answers of 1 to 30 characters.
    #[serde(default)]
    #[oai(default)]
    pub choices: Vec<String>,
}

impl From<QuestionBody> for QuestionInput {
    fn from(q: QuestionBody) -> Self {
        Self {
            code: q.code,
            label: q.label,
            help: q.help,
            kind: q.kind.as_str().to_owned(),
            required: q.required,
            max_chars: q.max_chars,
            min: q.min,
            max: q.max,
            choices: q.choices,
        }
    }
}

/// A new catalog item.
#[derive(Object, Deserialize)]
pub struct CreateItemRequest {
    /// 2 to 32 capital letters, digits or `-`, starting with a letter, e.g. `MEAL-031`; unique.
    pub code: String,
    /// 1 to 50 characters.
    pub name: String,
    pub category: CategoryName,
    /// Up to 500 characters.
    pub description: Option<String>,
    /// 5 to 1440 (default 60).
    pub duration_minutes: Option<i32>,
    /// 0 to 10,000,000 fen (default 0, free).
    pub price_fen: Option<i64>,
    /// Default `standard`.
    pub routing: Option<RoutingName>,
    /// Default `dispatch`.
    pub mode: Option<DispatchModeName>,
}

/// A change of an item: each part left out stays as it is.
#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct ChangeItemRequest {
    /// 1 to 50 characters.
    pub name: Option<String>,
    pub category: Option<CategoryName>,
    /// Up to 500 characters.
    pub description: Option<String>,
    /// 5 to 1440.
    pub duration_minutes: Option<i32>,
    /// 0 to 10,000,000 fen.
    pub price_fen: Option<i64>,
    pub routing: Option<RoutingName>,
    pub mode: Option<DispatchModeName>,
    /// 1 to 1000.
    pub broadcast_k: Option<u32>,
    /// 1 to 20.
    pub max_rounds: Option<u32>,
    /// 10 to 86400.
    pub offer_ttl_seconds: Option<u32>,
}

/// A correction of an account: each part left out stays as it is.
#[derive(Object, Deserialize)]
pub struct ChangeAccountRequest {
    /// 1 to 50 characters.
    pub display_name: Option<String>,
    /// A mainland mobile number; empty to remove it.
    pub phone: Option<String>,
    /// A resident's home community, or the community a worker looks after.
    pub community_id: Option<i32>,
    /// The street a worker looks after (instead of a community).
    pub street_id: Option<i32>,
    /// For provider staff: whether they manage the organization.
    pub manager: Option<bool>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateProviderRequest {
    /// `organization` when absent.
    pub kind: Option<ProviderKindName>,
    pub name: String,
    /// The 18-character unified social credit code (统一社会信用代码); required for organizations.
    pub credit_code: Option<String>,
    /// The community the provider is based in.
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    /// Jobs it can hold at once; always 1 for a Party member.
    pub capacity: i32,
    /// Catalog items it offers.
    pub item_ids: Vec<i32>,
    /// Communities it serves (a red station may serve none: its reach is its 15-minute circle).
    pub coverage_community_ids: Vec<i32>,
    /// Streets it serves whole.
    #[serde(default)]
    #[oai(default)]
    pub coverage_street_ids: Vec<i32>,
    /// Serves anywhere within this many metres of its base, besides its communities and streets.
    pub radius_m: Option<f64>,
    /// Working hours by weekday, Monday first, Shanghai time: seven comma-separated `HH:MM-HH:MM` or `-` for
    /// closed, e.g. `08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,-,-`. Absent: always.
    pub working_hours: Option<String>,
    /// Relative share of offers among equally placed providers (default 1).
    pub target_share: Option<f64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProviderView {
    pub id: Uuid,
    /// organization, party_member, community_point or red_station.
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    /// Smoothed toward 4.0 so that a provider with few ratings does not stand at 5.0.
    pub rating: f64,
    /// How many residents' ratings it rests on.
    pub rating_count: u32,
    pub capacity: i32,
    pub active: bool,
    /// Part of the demo data.
    pub demo: bool,
    pub item_ids: Vec<i32>,
    pub coverage_community_ids: Vec<i32>,
    /// What became of the offers made to it in the last 30 days.
    pub figures: OfferFiguresView,
}

/// Offers made to a provider in the last 30 days, each counted once by where it ended up.
#[derive(Object)]
pub struct OfferFiguresView {
    pub offered: u32,
    /// Accepted (or given by hand), and kept.
    pub accepted: u32,
    pub declined: u32,
    /// Left unanswered until the offer lapsed.
    pub expired: u32,
    /// Accepted, then given back before the visit.
    pub handed_back: u32,
    /// The declines by the reason chosen, most first.
    pub declined_because: Vec<ReasonCount>,
}

/// How many declines gave one reason.
#[derive(Object)]
pub struct ReasonCount {
    /// `staff_unavailable`, `cannot_arrive_in_time`, `beyond_our_skills` or `other`.
    pub reason: String,
    pub count: u32,
}

impl From<linli_domain::providers::OfferFigures> for OfferFiguresView {
    fn from(f: linli_domain::providers::OfferFigures) -> Self {
        Self {
            offered: f.offered,
            accepted: f.accepted,
            declined: f.declined,
            expired: f.expired,
            handed_back: f.handed_back,
            declined_because: f
                .declined_because
                .into_iter()
                .map(|(r, count)| ReasonCount { reason: r.as_str().to_owned(), count })
                .collect(),
        }
    }
}

impl From<linli_domain::providers::ProviderRecord> for ProviderView {
    fn from(p: linli_domain::providers::ProviderRecord) -> Self {
        Self {
            id: p.id.0,
            kind: p.kind.as_str().to_owned(),
            name: p.name,
            credit_code: p.credit_code,
            community_id: p.community.0,
            lat: p.location.lat(),
            lng: p.location.lng(),
            rating: p.rating,
            rating_count: p.rating_count,
            capacity: p.capacity,
            active: p.active,
            demo: p.demo,
            item_ids: p.items.into_iter().map(|i| i.0).collect(),
            coverage_community_ids: p.coverage.into_iter().map(|c| c.0).collect(),
            figures: p.figures.into(),
        }
    }
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
pub struct CreateAccountRequest {
    /// 3 to 32 characters of a-z, 0-9, '.', '_' or '-'.
    #[oai(validator(pattern = r"^[a-z0-9._-]{3,32}$"))]
    pub username: String,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
    /// 1 to 50 characters.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub display_name: String,
    pub role: RoleName,
    /// A mainland mobile number.
    #[oai(validator(pattern = r"^(\+86)?1[3-9][0-9]{9}$"))]
    pub phone: Option<String>,
    /// Required for provider_staff: the provider they work for.
    pub provider_id: Option<Uuid>,
    /// Required for community_worker (or `street_id` instead); a resident's home community.
    pub community_id: Option<i32>,
    /// For a street worker (a community_worker of a whole street), instead of `community_id`: the street whose
    /// communities they look after.
    pub street_id: Option<i32>,
    /// For provider_staff: whether they manage the organization (invite its staff).
    #[serde(default)]
    #[oai(default)]
    pub manager: bool,
}

/// A provider as a list shows it.
#[derive(Object)]
pub struct ProviderListView {
    pub id: Uuid,
    /// organization, party_member, community_point or red_station.
    pub kind: String,
    pub name: String,
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    pub capacity: i32,
    pub active: bool,
    /// Smoothed toward 4.0, with how many ratings it rests on.
    pub rating: f64,
    pub rating_count: u32,
}

impl From<ProviderSummary> for ProviderListView {
    fn from(p: ProviderSummary) -> Self {
        Self {
            id: p.id.0,
            kind: p.kind.as_str().to_owned(),
            name: p.name,
            community_id: p.community.0,
            lat: p.location.lat(),
            lng: p.location.lng(),
            capacity: p.capacity,
            active: p.active,
            rating: p.rating,
            rating_count: p.rating_count,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProviderPage {
    pub providers: Vec<ProviderListView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AccountPage {
    pub accounts: Vec<AccountView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}
