//! The map: districts, their streets, and the streets' communities, read by anyone and kept by admins.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;
use linli_domain::geo::{Community, CommunityId, District, DistrictId, Geography, MapUpkeep, Street, StreetId};

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

impl MapUpkeep for Store {
    async fn add_street(&self, s: &Street, audit: AuditEntry) -> Result<StreetId, Unexpected> {
        let row = |id| street::ActiveModel {
            id: Set(id),
            district_id: Set(s.district.0),
            name: Set(s.name.clone()),
            lat: Set(s.center.lat()),
            lng: Set(s.center.lng()),
            demo: Set(false),
        };
        self.add_numbered("adding a street", street::Column::Id, "street", row, audit).await.map(StreetId)
    }

    async fn save_street(&self, s: &Street, audit: AuditEntry) -> Result<(), Unexpected> {
        let what = "changing a street";
        let txn = self.begin(what).await?;
        street::Entity::update_many()
            .col_expr(street::Column::DistrictId, Expr::value(s.district.0))
            .col_expr(street::Column::Name, Expr::value(s.name.clone()))
            .col_expr(street::Column::Lat, Expr::value(s.center.lat()))
            .col_expr(street::Column::Lng, Expr::value(s.center.lng()))
            .filter(street::Column::Id.eq(s.id.0))
            .exec(&txn)
            .await
            .context(what)?;
        // Each community's area names its district.
        Self::bump_dispatch_counter(&txn).await?;
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)
    }

    async fn add_community(&self, c: &Community, audit: AuditEntry) -> Result<CommunityId, Unexpected> {
        let row = |id| community::ActiveModel {
            id: Set(id),
            street_id: Set(c.street.0),
            name: Set(c.name.clone()),
            lat: Set(c.center.lat()),
            lng: Set(c.center.lng()),
            demo: Set(false),
        };
        let added = self.add_numbered("adding a community", community::Column::Id, "community", row, audit).await;
        added.map(CommunityId)
    }

    async fn save_community(&self, c: &Community, audit: AuditEntry) -> Result<(), Unexpected> {
        let what = "changing a community";
        let txn = self.begin(what).await?;
        community::Entity::update_many()
            .col_expr(community::Column::StreetId, Expr::value(c.street.0))
            .col_expr(community::Column::Name, Expr::value(c.name.clone()))
            .col_expr(community::Column::Lat, Expr::value(c.center.lat()))
            .col_expr(community::Column::Lng, Expr::value(c.center.lng()))
            .filter(community::Column::Id.eq(c.id.0))
            .exec(&txn)
            .await
            .context(what)?;
        // Dispatch and open times read a community's street and centre from the snapshot.
        Self::bump_dispatch_counter(&txn).await?;
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)
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
