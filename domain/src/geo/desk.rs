//! The map's use cases: public reads, since a resident picks their community before signing in (admins'
//! upkeep is in `upkeep`).

use std::future::Future;

use super::{Community, CommunityId, District, DistrictId, Street, StreetId};
use crate::error::{DeskError, Unexpected};

/// The map of districts, streets and communities.
pub trait Geography: Clone + Send + Sync + 'static {
    fn districts(&self) -> impl Future<Output = Result<Vec<District>, Unexpected>> + Send;
    fn district(&self, id: DistrictId) -> impl Future<Output = Result<Option<District>, Unexpected>> + Send;
    fn streets_of(&self, id: DistrictId) -> impl Future<Output = Result<Vec<Street>, Unexpected>> + Send;
    fn street(&self, id: StreetId) -> impl Future<Output = Result<Option<Street>, Unexpected>> + Send;
    fn communities_of(&self, id: StreetId) -> impl Future<Output = Result<Vec<Community>, Unexpected>> + Send;
    fn community(&self, id: CommunityId) -> impl Future<Output = Result<Option<Community>, Unexpected>> + Send;
}

/// The map's use cases over the repository `R` and a clock.
#[derive(Clone)]
pub struct GeoDesk<R, C> {
    pub repo: R,
    pub clock: C,
}

impl<R: Geography, C> GeoDesk<R, C> {
    pub fn new(repo: R, clock: C) -> Self {
        Self { repo, clock }
    }

    pub async fn districts(&self) -> Result<Vec<District>, DeskError> {
        Ok(self.repo.districts().await?)
    }

    /// The streets of a district that exists.
    pub async fn streets_of(&self, id: DistrictId) -> Result<Vec<Street>, DeskError> {
        self.repo.district(id).await?.ok_or(DeskError::NotFound("district"))?;
        Ok(self.repo.streets_of(id).await?)
    }

    /// The communities of a street that exists.
    pub async fn communities_of(&self, id: StreetId) -> Result<Vec<Community>, DeskError> {
        self.repo.street(id).await?.ok_or(DeskError::NotFound("street"))?;
        Ok(self.repo.communities_of(id).await?)
    }

    pub async fn community(&self, id: CommunityId) -> Result<Community, DeskError> {
        self.repo.community(id).await?.ok_or(DeskError::NotFound("community"))
    }
}
