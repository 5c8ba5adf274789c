//! Administration: registering organizations and creating accounts.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use linli_domain::accounts::{NewPassword, PhoneNumber, Role, Username};
use linli_domain::catalog::{DispatchMode, ItemId};
use linli_domain::dispatch::WorkingHours;
use linli_domain::geo::{CommunityId, StreetId};
use linli_domain::providers::{CreditCode, ProviderId, ProviderKind};
use linli_infra::auth::hash_password_off_thread;
use linli_infra::store::{CreateAccountError, CreateProviderError, NewAccount, NewProvider};

use super::{ApiTags, parse_point};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::{ApiError, ApiResult};
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
    ) -> ApiResult<ProviderCreated> {
        auth.0.require(&[Role::Admin])?;
        let new = parse_provider(body.0)?;
        let base = new.community;
        let id = state.store.create_provider(new).await.map_err(|e| match e {
            CreateProviderError::DuplicateCreditCode => {
                ApiError::new(poem::http::StatusCode::CONFLICT, "duplicate_credit_code", e.to_string())
                    .field("credit_code")
            }
            CreateProviderError::UnknownItem(_) => ApiError::invalid("item_ids", "unknown_item", e),
            CreateProviderError::UnknownCommunity(c) if c == base => {
                ApiError::invalid("community_id", "unknown_community", e)
            }
            CreateProviderError::UnknownCommunity(_) => {
                ApiError::invalid("coverage_community_ids", "unknown_community", e)
            }
            CreateProviderError::UnknownStreet(_) => ApiError::invalid("coverage_street_ids", "unknown_street", e),
            CreateProviderError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        let record = state.store.provider(id).await?.ok_or_else(|| ApiError::not_found("provider"))?;
        Ok(ProviderCreated::Created(Json(record.into()), format!("/api/v1/providers/{}", id.0)))
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
    ) -> ApiResult<Json<CatalogItemView>> {
        auth.0.require(&[Role::Admin])?;
        let p = body.0;
        let mode = p
            .mode
            .as_deref()
            .map(|m| {
                DispatchMode::parse(m)
                    .ok_or_else(|| ApiError::invalid("mode", "invalid_mode", "mode is dispatch or broadcast"))
            })
            .transpose()?;
        let within = |field: &str, value: Option<u32>, lo: u32, hi: u32| match value {
            Some(v) if !(lo..=hi).contains(&v) => {
                Err(ApiError::invalid(field, "out_of_range", format!("{field} is between {lo} and {hi}")))
            }
            _ => Ok(value),
        };
        let k = within("broadcast_k", p.broadcast_k, 1, 1000)?;
        let rounds = within("max_rounds", p.max_rounds, 1, 20)?;
        let ttl = within("offer_ttl_seconds", p.offer_ttl_seconds, 10, 86_400)?;
        let item = state
            .store
            .update_dispatch_policy(ItemId(id.0), mode, k, rounds, ttl)
            .await?
            .ok_or_else(|| ApiError::not_found("catalog item"))?;
        Ok(Json(item.into()))
    }

    /// A provider: any admin, or that provider's own staff.
    #[oai(path = "/providers/:id", method = "get")]
    async fn provider(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<Json<ProviderView>> {
        let actor = auth.0.actor();
        let own = actor.provider == Some(ProviderId(id.0));
        if actor.role != Role::Admin && !own {
            return Err(ApiError::not_found("provider"));
        }
        let record = state.store.provider(ProviderId(id.0)).await?.ok_or_else(|| ApiError::not_found("provider"))?;
        Ok(Json(record.into()))
    }

    /// Create an account of any role.
    #[oai(path = "/admin/accounts", method = "post")]
    async fn create_account(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CreateAccountRequest>,
    ) -> ApiResult<AccountCreated> {
        auth.0.require(&[Role::Admin])?;
        let (new, password) = parse_account(body.0)?;
        if let Some(p) = new.provider
            && state.store.provider(p).await?.is_none()
        {
            return Err(ApiError::invalid("provider_id", "unknown_provider", "no provider has that id"));
        }
        if let Some(c) = new.community
            && state.store.community(c).await?.is_none()
        {
            return Err(ApiError::invalid("community_id", "unknown_community", "no community has that id"));
        }
        let taken = |field: &str| {
            ApiError::new(poem::http::StatusCode::CONFLICT, "account_taken", format!("that {field} is taken"))
                .field(field)
        };
        if state.store.account_by_login(new.username.as_ref()).await?.is_some() {
            return Err(taken("username"));
        }
        if let Some(phone) = &new.phone
            && state.store.account_by_login(phone.as_ref()).await?.is_some()
        {
            return Err(taken("phone"));
        }
        let new = NewAccount { password_hash: hash_password_off_thread(password).await?, ..new };
        let id = state.store.create_account(new).await.map_err(|e| match e {
            // Someone took the name or number between the check and the insert.
            CreateAccountError::Taken => taken("username"),
            CreateAccountError::UnknownReference => ApiError::invalid("provider_id", "unknown_reference", e),
            CreateAccountError::Unexpected(u) => ApiError::unexpected(u),
        })?;
        let record = state.store.account(id).await?.ok_or_else(|| ApiError::not_found("account"))?;
        Ok(AccountCreated::Created(Json(AccountView::from(&record))))
    }
}

fn parse_provider(req: CreateProviderRequest) -> ApiResult<NewProvider> {
    let kind = match req.kind.as_deref() {
        None => ProviderKind::Organization,
        Some(k) => ProviderKind::parse(k).ok_or_else(|| {
            ApiError::invalid("kind", "invalid_kind", "kind is organization, party_member or community_point")
        })?,
    };
    let name = req.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::invalid("name", "invalid_name", "a name has 1 to 100 characters"));
    }
    let credit_code = match (kind, req.credit_code.as_deref()) {
        (_, Some(code)) => {
            Some(CreditCode::parse(code).map_err(|e| ApiError::invalid("credit_code", "invalid_credit_code", e))?)
        }
        (ProviderKind::Organization, None) => {
            return Err(ApiError::invalid(
                "credit_code",
                "missing_credit_code",
                "an organization needs its credit code",
            ));
        }
        (_, None) => None,
    };
    let location = parse_point(req.lat, req.lng)?;
    if !(1..=1000).contains(&req.capacity) || (kind == ProviderKind::PartyMember && req.capacity != 1) {
        let rule = "capacity is between 1 and 1000 concurrent jobs, and 1 for a Party member";
        return Err(ApiError::invalid("capacity", "invalid_capacity", rule));
    }
    if req.item_ids.is_empty() {
        return Err(ApiError::invalid("item_ids", "missing_items", "a provider offers at least one item"));
    }
    if req.coverage_community_ids.is_empty() && req.coverage_street_ids.is_empty() && req.radius_m.is_none() {
        let rule = "a provider serves at least one community or street, or a radius";
        return Err(ApiError::invalid("coverage_community_ids", "missing_coverage", rule));
    }
    let radius_m = match req.radius_m {
        Some(r) if !(r.is_finite() && (10.0..=100_000.0).contains(&r)) => {
            return Err(ApiError::invalid("radius_m", "invalid_radius", "a radius is 10 to 100,000 metres"));
        }
        r => r,
    };
    let hours = match req.working_hours.as_deref() {
        None => WorkingHours::always(),
        Some(h) => {
            WorkingHours::parse(h).map_err(|e| ApiError::invalid("working_hours", "invalid_working_hours", e))?
        }
    };
    let target_share = req.target_share.unwrap_or(1.0);
    if !(target_share.is_finite() && (0.1..=10.0).contains(&target_share)) {
        return Err(ApiError::invalid("target_share", "invalid_target_share", "a target share is 0.1 to 10"));
    }
    Ok(NewProvider {
        kind,
        name,
        credit_code,
        community: CommunityId(req.community_id),
        location,
        capacity: req.capacity,
        items: distinct(req.item_ids).into_iter().map(ItemId).collect(),
        coverage: distinct(req.coverage_community_ids).into_iter().map(CommunityId).collect(),
        streets: distinct(req.coverage_street_ids).into_iter().map(StreetId).collect(),
        radius_m,
        hours,
        target_share,
    })
}

/// The account to create (its hash still empty) and the password to hash.
fn parse_account(req: CreateAccountRequest) -> ApiResult<(NewAccount, NewPassword)> {
    let username = Username::parse(&req.username).map_err(|e| ApiError::invalid("username", "invalid_username", e))?;
    let password =
        NewPassword::parse(req.password).map_err(|e| ApiError::invalid("password", "invalid_password", e))?;
    let role = Role::parse(&req.role).ok_or_else(|| {
        ApiError::invalid(
            "role",
            "invalid_role",
            "role is resident, provider_staff, community_worker, party_member or admin",
        )
    })?;
    let phone = req
        .phone
        .as_deref()
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("phone", "invalid_phone", e))?;
    let display_name = req.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return Err(ApiError::invalid("display_name", "invalid_display_name", "a display name has 1 to 50 characters"));
    }
    if role == Role::ProviderStaff && req.provider_id.is_none() {
        return Err(ApiError::invalid(
            "provider_id",
            "missing_provider",
            "provider staff need the provider they work for",
        ));
    }
    if role == Role::CommunityWorker && req.community_id.is_none() {
        return Err(ApiError::invalid("community_id", "missing_community", "a community worker needs their community"));
    }
    let account = NewAccount {
        username,
        phone,
        display_name,
        password_hash: String::new(),
        role,
        provider: req.provider_id.map(ProviderId),
        community: req.community_id.map(CommunityId),
        demo: false,
    };
    Ok((account, password))
}

/// The ids once each, in order: a repeated id in a list is not an error worth a 4xx.
fn distinct(mut ids: Vec<i32>) -> Vec<i32> {
    ids.sort_unstable();
    ids.dedup();
    ids
}
