//! Administration: registering organizations and creating accounts.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use linli_domain::accounts::{AccountInput, CreateAccountError};
use linli_domain::catalog::{ItemId, PolicyInput};
use linli_domain::geo::CommunityId;
use linli_domain::providers::{CreateProviderError, ProviderId, ProviderInput};

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::ApiError;
use crate::problem::problems;
use crate::state::AppState;
use crate::views::{
    AccountView, CatalogItemView, CreateAccountRequest, CreateProviderRequest, ProviderView, UpdateDispatchPolicy,
};

pub struct AdminApi;

#[derive(ApiResponse)]
enum ProviderCreated {
    #[oai(status = 201)]
    Created(Json<ProviderView>, #[oai(header = "Location")] String),
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
    /// What `PATCH /admin/catalog/items/:id` can answer besides its success.
    UpdateDispatchPolicyProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /providers/:id` can answer besides its success.
    ProviderProblems: BadRequest, Unauthorized, NotFound
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

    /// Set how an item's orders are dispatched: one provider at a time (`dispatch`) or several at once
    /// (`broadcast`, to `broadcast_k`), how many rounds per scope, and how long an offer stays open.
    #[oai(path = "/admin/catalog/items/:id", method = "patch")]
    async fn update_dispatch_policy(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        body: JsonBody<UpdateDispatchPolicy>,
    ) -> Result<Json<CatalogItemView>, UpdateDispatchPolicyProblems> {
        let p = body.0;
        let policy = PolicyInput {
            mode: p.mode,
            broadcast_k: p.broadcast_k,
            max_rounds: p.max_rounds,
            offer_ttl_seconds: p.offer_ttl_seconds,
        };
        let item = state.catalog.update_dispatch_policy(&auth.0.actor(), ItemId(id.0), &policy).await?;
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

    /// Create an account of any role.
    #[oai(path = "/admin/accounts", method = "post")]
    async fn create_account(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CreateAccountRequest>,
    ) -> Result<AccountCreated, CreateAccountProblems> {
        let record = state.accounts.create_account(&auth.0.actor(), body.0.into()).await.map_err(|e| match e {
            CreateAccountError::Taken(field) => {
                ApiError::new(poem::http::StatusCode::CONFLICT, "account_taken", format!("that {field} is taken"))
                    .field(field)
            }
            CreateAccountError::UnknownReference => ApiError::invalid("provider_id", "unknown_reference", e),
            CreateAccountError::Denied(d) => d.into(),
            CreateAccountError::Invalid(i) => i.into(),
            CreateAccountError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        Ok(AccountCreated::Created(Json(AccountView::from(&record))))
    }
}

impl From<CreateProviderRequest> for ProviderInput {
    fn from(r: CreateProviderRequest) -> Self {
        Self {
            kind: r.kind,
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
            role: r.role,
            phone: r.phone,
            provider_id: r.provider_id.map(ProviderId),
            community_id: r.community_id.map(CommunityId),
        }
    }
}
