//! What an organization offers and where, and its staff. Its managers keep its items and coverage and
//! disable or enable its staff (`/provider/…`, their own organization); admins keep every provider whole,
//! name, base, share of offers and whether it is active included (`/admin/providers/{id}`).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{AccountId, Actor, Role};
use linli_domain::providers::{Profile, ProfileInput, ProviderId};

use super::ApiTags;
use super::accounts::AccountView;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub struct OrganizationApi;

#[derive(ApiResponse)]
enum Done {
    /// Done.
    #[oai(status = 204)]
    Done,
}

problems!(
    /// What reading a provider's profile or staff can answer besides its success.
    ViewProblems: BadRequest, Unauthorized, Forbidden, NotFound
);
problems!(
    /// What changing a provider's profile can answer besides its success.
    ChangeProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /provider/team/:id/disable` and `…/enable` can answer besides their success.
    StaffProblems: BadRequest, Unauthorized, Forbidden, NotFound
);

/// The staff member and the organization they work for.
fn staff(auth: &BearerAuth) -> ApiResult<(Actor, ProviderId)> {
    let actor = auth.0.require(&[Role::ProviderStaff])?;
    let provider = actor.provider.ok_or_else(|| ApiError::not_found("provider"))?;
    Ok((actor, provider))
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Provider")]
impl OrganizationApi {
    /// What your organization offers and where. Its staff.
    #[oai(path = "/provider/profile", method = "get")]
    async fn own_profile(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<ProfileView>, ViewProblems> {
        let (actor, provider) = staff(&auth)?;
        Ok(Json(state.providers.profile(&actor, provider).await?.into()))
    }

    /// Change what your organization offers (`item_ids`) and where it serves (communities, streets, a radius);
    /// what is left out stays as it is. Dispatch offers by the change from the next order. Its managers.
    #[oai(path = "/provider/profile", method = "patch")]
    async fn change_own_profile(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<OfferingRequest>,
    ) -> Result<Json<ProfileView>, ChangeProblems> {
        let (actor, provider) = staff(&auth)?;
        let input = body.0.into_input(ProfileInput::default());
        Ok(Json(state.providers.change_profile(&actor, provider, input).await?.into()))
    }

    /// Your organization's staff, managers first, each with whether they manage and whether their account is
    /// disabled. Its managers.
    #[oai(path = "/provider/team", method = "get")]
    async fn own_staff(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> Result<Json<Vec<AccountView>>, ViewProblems> {
        let (actor, provider) = staff(&auth)?;
        Ok(Json(state.accounts.staff(&actor, provider).await?.iter().map(AccountView::from).collect()))
    }

    /// Disable a member of your staff: they cannot sign in, and their sessions end at once. Its managers; not
    /// their own account.
    #[oai(path = "/provider/team/:id/disable", method = "post")]
    async fn disable_staff(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Done, StaffProblems> {
        let (actor, provider) = staff(&auth)?;
        state.accounts.set_staff_disabled(&actor, provider, AccountId(id.0), true).await?;
        Ok(Done::Done)
    }

    /// Enable a member of your staff again. Its managers.
    #[oai(path = "/provider/team/:id/enable", method = "post")]
    async fn enable_staff(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Done, StaffProblems> {
        let (actor, provider) = staff(&auth)?;
        state.accounts.set_staff_disabled(&actor, provider, AccountId(id.0), false).await?;
        Ok(Done::Done)
    }

    /// A provider's profile: what it offers, where, its base, share of offers and whether it is active.
    #[oai(path = "/admin/providers/:id", method = "get")]
    async fn profile(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<ProfileView>, ViewProblems> {
        Ok(Json(state.providers.profile_for_admin(&auth.0.actor(), ProviderId(id.0)).await?.into()))
    }

    /// Change a provider: its name, base, share of offers, what it offers and where; deactivate it
    /// (`active: false`: it is offered nothing more, its jobs and history stay) or bring it back. What is left
    /// out stays as it is; every change is audited with before and after.
    #[oai(path = "/admin/providers/:id", method = "patch")]
    async fn change_profile(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<ProfileRequest>,
    ) -> Result<Json<ProfileView>, ChangeProblems> {
        let p = body.0;
        let identity = ProfileInput {
            name: p.name,
            community_id: p.community_id,
            lat: p.lat,
            lng: p.lng,
            target_share: p.target_share,
            active: p.active,
            ..Default::default()
        };
        let input = p.offering.into_input(identity);
        Ok(Json(state.providers.change_for_admin(&auth.0.actor(), ProviderId(id.0), input).await?.into()))
    }
}

/// What an organization offers and where: each part left out stays as it is.
#[derive(Object, Deserialize)]
pub struct OfferingRequest {
    /// Catalog items it offers; at least one.
    pub item_ids: Option<Vec<i32>>,
    /// Communities it serves.
    pub coverage_community_ids: Option<Vec<i32>>,
    /// Streets it serves whole.
    pub coverage_street_ids: Option<Vec<i32>>,
    /// Metres around its base it serves besides, 10 to 100,000; 0 for none.
    pub radius_m: Option<f64>,
}

impl OfferingRequest {
    fn into_input(self, rest: ProfileInput) -> ProfileInput {
        ProfileInput {
            item_ids: self.item_ids,
            coverage_community_ids: self.coverage_community_ids,
            coverage_street_ids: self.coverage_street_ids,
            radius_m: self.radius_m,
            ..rest
        }
    }
}

/// An admin's change of a provider: each part left out stays as it is.
#[derive(Object, Deserialize)]
pub struct ProfileRequest {
    /// 1 to 100 characters.
    pub name: Option<String>,
    /// The community it is based in.
    pub community_id: Option<i32>,
    /// With `lng`: where its base is.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Relative share of offers among equally placed providers, 0.1 to 10.
    pub target_share: Option<f64>,
    /// False: it is offered nothing more (deactivated); true: it is again.
    pub active: Option<bool>,
    #[oai(flatten)]
    #[serde(flatten)]
    pub offering: OfferingRequest,
}

/// What a provider offers and where, and who it is.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProfileView {
    pub provider_id: Uuid,
    /// organization, party_member, community_point or red_station.
    pub kind: String,
    pub name: String,
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    pub item_ids: Vec<i32>,
    pub coverage_community_ids: Vec<i32>,
    pub coverage_street_ids: Vec<i32>,
    pub radius_m: Option<f64>,
    pub target_share: f64,
    /// Whether dispatch offers it anything.
    pub active: bool,
}

impl From<Profile> for ProfileView {
    fn from(p: Profile) -> Self {
        Self {
            provider_id: p.provider.0,
            kind: p.kind.as_str().to_owned(),
            name: p.name,
            community_id: p.community.0,
            lat: p.location.lat(),
            lng: p.location.lng(),
            item_ids: p.items.into_iter().map(|i| i.0).collect(),
            coverage_community_ids: p.coverage.into_iter().map(|c| c.0).collect(),
            coverage_street_ids: p.streets.into_iter().map(|s| s.0).collect(),
            radius_m: p.radius_m,
            target_share: p.target_share,
            active: p.active,
        }
    }
}
