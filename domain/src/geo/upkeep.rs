//! Keeping the map: admins add streets and communities and correct their names, centres, and which district
//! or street they belong to. Dispatch, open times and street workers' reach read the map as changed, on every
//! replica, from the next request.

use std::future::Future;

use serde_json::json;

use super::{Community, CommunityId, DistrictId, GeoPoint, Street, StreetId, parse_point};
use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};

use super::desk::{GeoDesk, Geography};

/// A street or community as an admin typed it: for a new one everything is needed; for a change, what is
/// left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct PlaceInput {
    pub name: Option<String>,
    /// Both or neither.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// The district a street lies in, or the street a community lies in.
    pub parent_id: Option<i32>,
}

/// The map as the store writes it; every write also tells dispatch on every replica to read the map again.
pub trait MapUpkeep: Clone + Send + Sync + 'static {
    /// Adds the street (its id ignored) under the next free id, with the audit entry naming it.
    fn add_street(
        &self,
        street: &Street,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<StreetId, Unexpected>> + Send;

    fn save_street(&self, street: &Street, audit: AuditEntry) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Adds the community (its id ignored) under the next free id, with the audit entry naming it.
    fn add_community(
        &self,
        community: &Community,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<CommunityId, Unexpected>> + Send;

    fn save_community(
        &self,
        community: &Community,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// The name and centre of `input` over `name` and `center`, naming the field of the first value that breaks
/// a rule.
fn name_and_center(input: &PlaceInput, name: &str, center: GeoPoint) -> Result<(String, GeoPoint), Invalid> {
    let name = match input.name.as_deref().map(str::trim) {
        Some(n) if n.is_empty() || n.chars().count() > 50 => {
            return Err(Invalid::new("name", "invalid_name", "a name has 1 to 50 characters"));
        }
        Some(n) => n.to_owned(),
        None => name.to_owned(),
    };
    let center = match (input.lat, input.lng) {
        (Some(lat), Some(lng)) => parse_point(lat, lng)?,
        (None, None) => center,
        (None, Some(_)) => return Err(Invalid::new("lat", "missing_lat", "a centre has lat and lng")),
        (Some(_), None) => return Err(Invalid::new("lng", "missing_lng", "a centre has lat and lng")),
    };
    Ok((name, center))
}

/// What a new place needs before anything else is read.
fn complete(input: &PlaceInput) -> Result<(), Invalid> {
    if input.name.is_none() {
        return Err(Invalid::new("name", "invalid_name", "a name has 1 to 50 characters"));
    }
    if input.lat.is_none() {
        return Err(Invalid::new("lat", "missing_lat", "a centre has lat and lng"));
    }
    if input.lng.is_none() {
        return Err(Invalid::new("lng", "missing_lng", "a centre has lat and lng"));
    }
    if input.parent_id.is_none() {
        return Err(Invalid::new("parent_id", "missing_parent", "a new place needs the district or street it lies in"));
    }
    Ok(())
}

fn street_record(s: &Street) -> serde_json::Value {
    json!({ "name": s.name, "district_id": s.district.0, "lat": s.center.lat(), "lng": s.center.lng() })
}

fn community_record(c: &Community) -> serde_json::Value {
    json!({ "name": c.name, "street_id": c.street.0, "lat": c.center.lat(), "lng": c.center.lng() })
}

impl<R: Geography + MapUpkeep, C: Clock> GeoDesk<R, C> {
    fn admin_only(actor: &Actor) -> Result<(), DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins keep the map").into());
        }
        Ok(())
    }

    async fn district_of(&self, input: &PlaceInput, current: DistrictId) -> Result<DistrictId, DeskError> {
        let Some(id) = input.parent_id.map(DistrictId) else { return Ok(current) };
        self.repo
            .district(id)
            .await?
            .ok_or_else(|| Invalid::new("parent_id", "unknown_district", "no such district"))?;
        Ok(id)
    }

    async fn street_of(&self, input: &PlaceInput, current: StreetId) -> Result<StreetId, DeskError> {
        let Some(id) = input.parent_id.map(StreetId) else { return Ok(current) };
        self.repo.street(id).await?.ok_or_else(|| Invalid::new("parent_id", "unknown_street", "no such street"))?;
        Ok(id)
    }

    /// An admin adds a street to a district.
    pub async fn add_street(&self, actor: &Actor, input: PlaceInput) -> Result<Street, DeskError> {
        Self::admin_only(actor)?;
        complete(&input)?;
        let (name, center) = name_and_center(&input, "", GeoPoint::parse(0.0, 0.0).expect("the origin is a point"))?;
        let district = self.district_of(&input, DistrictId(0)).await?;
        let mut street = Street { id: StreetId(0), district, name, center };
        let audit =
            AuditEntry::new(actor, self.clock.now(), "map.street_added", String::new()).after(street_record(&street));
        street.id = self.repo.add_street(&street, audit).await?;
        Ok(street)
    }

    /// An admin corrects a street's name or centre, or moves it to another district.
    pub async fn change_street(&self, actor: &Actor, id: StreetId, input: PlaceInput) -> Result<Street, DeskError> {
        Self::admin_only(actor)?;
        let before = self.repo.street(id).await?.ok_or(DeskError::NotFound("street"))?;
        let (name, center) = name_and_center(&input, &before.name, before.center)?;
        let district = self.district_of(&input, before.district).await?;
        let after = Street { id, district, name, center };
        if after != before {
            let audit = AuditEntry::new(actor, self.clock.now(), "map.street_changed", format!("street:{}", id.0))
                .before(street_record(&before))
                .after(street_record(&after));
            self.repo.save_street(&after, audit).await?;
        }
        Ok(after)
    }

    /// An admin adds a community to a street.
    pub async fn add_community(&self, actor: &Actor, input: PlaceInput) -> Result<Community, DeskError> {
        Self::admin_only(actor)?;
        complete(&input)?;
        let (name, center) = name_and_center(&input, "", GeoPoint::parse(0.0, 0.0).expect("the origin is a point"))?;
        let street = self.street_of(&input, StreetId(0)).await?;
        let mut community = Community { id: CommunityId(0), street, name, center };
        let audit = AuditEntry::new(actor, self.clock.now(), "map.community_added", String::new())
            .after(community_record(&community));
        community.id = self.repo.add_community(&community, audit).await?;
        Ok(community)
    }

    /// An admin corrects a community's name or centre, or moves it to another street (its orders keep their
    /// addresses; the new street's workers look after it from then on).
    pub async fn change_community(
        &self,
        actor: &Actor,
        id: CommunityId,
        input: PlaceInput,
    ) -> Result<Community, DeskError> {
        Self::admin_only(actor)?;
        let before = self.repo.community(id).await?.ok_or(DeskError::NotFound("community"))?;
        let (name, center) = name_and_center(&input, &before.name, before.center)?;
        let street = self.street_of(&input, before.street).await?;
        let after = Community { id, street, name, center };
        if after != before {
            let audit =
                AuditEntry::new(actor, self.clock.now(), "map.community_changed", format!("community:{}", id.0))
                    .before(community_record(&before))
                    .after(community_record(&after));
            self.repo.save_community(&after, audit).await?;
        }
        Ok(after)
    }
}

#[cfg(test)]
#[path = "upkeep_tests.rs"]
mod tests;
