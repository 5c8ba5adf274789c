//! The map, coarse to fine: public, since a resident picks their community before ordering; admins keep it
//! (`MapUpkeepApi`).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use linli_domain::geo::{Community, CommunityId, District, DistrictId, PlaceInput, Street, StreetId};

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::state::AppState;

pub struct GeoApi;

/// Admins' upkeep of the map.
pub struct MapUpkeepApi;

#[derive(ApiResponse)]
enum PlaceAdded {
    #[oai(status = 201)]
    Created(Json<PlaceView>, #[oai(header = "Location")] String),
}

problems!(
    /// What `POST /admin/streets` and `POST /admin/communities` can answer besides their success.
    AddPlaceProblems: BadRequest, Unauthorized, Forbidden, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `PATCH /admin/streets/:id` and `PATCH /admin/communities/:id` can answer besides their success.
    ChangePlaceProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);

problems!(
    /// What `GET /districts` can answer besides its success.
    DistrictsProblems:
);
problems!(
    /// What `GET /districts/:id/streets` can answer besides its success.
    StreetsProblems: BadRequest, NotFound
);
problems!(
    /// What `GET /streets/:id/communities` can answer besides its success.
    CommunitiesProblems: BadRequest, NotFound
);
problems!(
    /// What `GET /communities/:id` can answer besides its success.
    CommunityProblems: BadRequest, NotFound
);

#[OpenApi(prefix_path = "/api/v1/geo", tag = "ApiTags::Geography")]
impl GeoApi {
    /// The 13 districts, counties and county-level cities.
    #[oai(path = "/districts", method = "get")]
    async fn districts(&self, state: Data<&AppState>) -> Result<Json<Vec<PlaceView>>, DistrictsProblems> {
        Ok(Json(state.geo.districts().await?.into_iter().map(PlaceView::from).collect()))
    }

    /// The streets of a district.
    #[oai(path = "/districts/:id/streets", method = "get")]
    async fn streets(&self, state: Data<&AppState>, id: Path<i32>) -> Result<Json<Vec<PlaceView>>, StreetsProblems> {
        Ok(Json(state.geo.streets_of(DistrictId(id.0)).await?.into_iter().map(PlaceView::from).collect()))
    }

    /// The communities of a street.
    #[oai(path = "/streets/:id/communities", method = "get")]
    async fn communities(
        &self,
        state: Data<&AppState>,
        id: Path<i32>,
    ) -> Result<Json<Vec<PlaceView>>, CommunitiesProblems> {
        Ok(Json(state.geo.communities_of(StreetId(id.0)).await?.into_iter().map(PlaceView::from).collect()))
    }

    /// One community.
    #[oai(path = "/communities/:id", method = "get")]
    async fn community(&self, state: Data<&AppState>, id: Path<i32>) -> Result<Json<PlaceView>, CommunityProblems> {
        Ok(Json(state.geo.community(CommunityId(id.0)).await?.into()))
    }
}

#[OpenApi(prefix_path = "/api/v1/admin", tag = "ApiTags::Admin")]
impl MapUpkeepApi {
    /// Add a street to a district (`parent_id`), with its name and centre.
    #[oai(path = "/streets", method = "post")]
    async fn add_street(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewPlaceRequest>,
    ) -> Result<PlaceAdded, AddPlaceProblems> {
        let street = state.geo.add_street(&auth.0.actor(), body.0.into()).await?;
        let location = format!("/api/v1/geo/districts/{}/streets", street.district.0);
        Ok(PlaceAdded::Created(Json(street.into()), location))
    }

    /// Correct a street's name or centre, or move it to another district (`parent_id`); what is left out
    /// stays as it is.
    #[oai(path = "/streets/:id", method = "patch")]
    async fn change_street(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        body: JsonBody<PlaceChangeRequest>,
    ) -> Result<Json<PlaceView>, ChangePlaceProblems> {
        Ok(Json(state.geo.change_street(&auth.0.actor(), StreetId(id.0), body.0.into()).await?.into()))
    }

    /// Add a community to a street (`parent_id`), with its name and centre.
    #[oai(path = "/communities", method = "post")]
    async fn add_community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewPlaceRequest>,
    ) -> Result<PlaceAdded, AddPlaceProblems> {
        let community = state.geo.add_community(&auth.0.actor(), body.0.into()).await?;
        let location = format!("/api/v1/geo/communities/{}", community.id.0);
        Ok(PlaceAdded::Created(Json(community.into()), location))
    }

    /// Correct a community's name or centre, or move it to another street (`parent_id`); what is left out
    /// stays as it is. Dispatch, open times and the street's workers follow at once.
    #[oai(path = "/communities/:id", method = "patch")]
    async fn change_community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        body: JsonBody<PlaceChangeRequest>,
    ) -> Result<Json<PlaceView>, ChangePlaceProblems> {
        Ok(Json(state.geo.change_community(&auth.0.actor(), CommunityId(id.0), body.0.into()).await?.into()))
    }
}

/// A new street or community.
#[derive(Object, Deserialize)]
pub struct NewPlaceRequest {
    /// 1 to 50 characters.
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    /// The district of a street, or the street of a community.
    pub parent_id: i32,
}

impl From<NewPlaceRequest> for PlaceInput {
    fn from(r: NewPlaceRequest) -> Self {
        Self { name: Some(r.name), lat: Some(r.lat), lng: Some(r.lng), parent_id: Some(r.parent_id) }
    }
}

/// A correction of a street or community: each part left out stays as it is.
#[derive(Object, Deserialize)]
pub struct PlaceChangeRequest {
    /// 1 to 50 characters.
    pub name: Option<String>,
    /// With `lng`: a new centre.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Another district for a street, or another street for a community.
    pub parent_id: Option<i32>,
}

impl From<PlaceChangeRequest> for PlaceInput {
    fn from(r: PlaceChangeRequest) -> Self {
        Self { name: r.name, lat: r.lat, lng: r.lng, parent_id: r.parent_id }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PlaceView {
    pub id: i32,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    /// The district a street lies in, or the street a community lies in.
    pub parent_id: Option<i32>,
}

impl From<District> for PlaceView {
    fn from(d: District) -> Self {
        Self { id: d.id.0, name: d.name, lat: d.center.lat(), lng: d.center.lng(), parent_id: None }
    }
}

impl From<Street> for PlaceView {
    fn from(s: Street) -> Self {
        Self { id: s.id.0, name: s.name, lat: s.center.lat(), lng: s.center.lng(), parent_id: Some(s.district.0) }
    }
}

impl From<Community> for PlaceView {
    fn from(c: Community) -> Self {
        Self { id: c.id.0, name: c.name, lat: c.center.lat(), lng: c.center.lng(), parent_id: Some(c.street.0) }
    }
}
