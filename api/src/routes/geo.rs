//! The map, coarse to fine: public, since a resident picks their community before ordering.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use linli_domain::geo::{Community, CommunityId, District, DistrictId, Street, StreetId};

use super::ApiTags;
use crate::problem::problems;
use crate::state::AppState;

pub struct GeoApi;

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
