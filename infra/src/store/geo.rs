//! Reading the map: districts, their streets, and the streets' communities.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use linli_domain::error::Unexpected;
use linli_domain::geo::{Community, CommunityId, District, DistrictId, Geography, Street, StreetId};

use super::{Store, convert};
use crate::db::DbContext;
use crate::entities::{community, district, street};

impl Geography for Store {
    async fn districts(&self) -> Result<Vec<District>, Unexpected> {
        let rows = district::Entity::find()
            .order_by_asc(district::Column::Id)
            .all(&self.db)
            .await
            .context("listing districts")?;
        rows.into_iter().map(to_district).collect()
    }

    async fn district(&self, id: DistrictId) -> Result<Option<District>, Unexpected> {
        let row = district::Entity::find_by_id(id.0).one(&self.db).await.context("reading a district")?;
        row.map(to_district).transpose()
    }

    async fn streets_of(&self, id: DistrictId) -> Result<Vec<Street>, Unexpected> {
        let rows = street::Entity::find()
            .filter(street::Column::DistrictId.eq(id.0))
            .order_by_asc(street::Column::Id)
            .all(&self.db)
            .await
            .context("listing streets")?;
        rows.into_iter().map(to_street).collect()
    }

    async fn street(&self, id: StreetId) -> Result<Option<Street>, Unexpected> {
        let row = street::Entity::find_by_id(id.0).one(&self.db).await.context("reading a street")?;
        row.map(to_street).transpose()
    }

    async fn communities_of(&self, id: StreetId) -> Result<Vec<Community>, Unexpected> {
        let rows = community::Entity::find()
            .filter(community::Column::StreetId.eq(id.0))
            .order_by_asc(community::Column::Id)
            .all(&self.db)
            .await
            .context("listing communities")?;
        rows.into_iter().map(to_community).collect()
    }

    async fn community(&self, id: CommunityId) -> Result<Option<Community>, Unexpected> {
        let row = community::Entity::find_by_id(id.0).one(&self.db).await.context("reading a community")?;
        row.map(to_community).transpose()
    }
}

fn to_district(d: district::Model) -> Result<District, Unexpected> {
    Ok(District { id: DistrictId(d.id), center: convert::point(d.id, d.lat, d.lng)?, name: d.name })
}

fn to_street(s: street::Model) -> Result<Street, Unexpected> {
    Ok(Street {
        id: StreetId(s.id),
        district: DistrictId(s.district_id),
        center: convert::point(s.id, s.lat, s.lng)?,
        name: s.name,
    })
}

fn to_community(c: community::Model) -> Result<Community, Unexpected> {
    Ok(Community {
        id: CommunityId(c.id),
        street: StreetId(c.street_id),
        center: convert::point(c.id, c.lat, c.lng)?,
        name: c.name,
    })
}
