//! The map, coarse to fine: district (区/县(市)) → street (街道) → community (社区), and points on it.

mod desk;
mod upkeep;

pub use desk::{GeoDesk, Geography};
pub use upkeep::{MapUpkeep, PlaceInput};

use serde::{Deserialize, Serialize};

/// A district, county or county-level city (区、县(市)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DistrictId(pub i32);

/// A street office (街道).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreetId(pub i32);

/// A community (社区), the unit every order and provider coverage is expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CommunityId(pub i32);

/// A WGS-84 coordinate, valid by construction.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    lat: f64,
    lng: f64,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum GeoPointError {
    #[error("latitude must be a number between -90 and 90")]
    Latitude,
    #[error("longitude must be a number between -180 and 180")]
    Longitude,
}

impl GeoPoint {
    pub fn parse(lat: f64, lng: f64) -> Result<Self, GeoPointError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(GeoPointError::Latitude);
        }
        if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
            return Err(GeoPointError::Longitude);
        }
        Ok(Self { lat, lng })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lng(&self) -> f64 {
        self.lng
    }

    /// Great-circle distance in metres (haversine); plenty for a city-sized map.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_008.8;
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_phi = (other.lat - self.lat).to_radians();
        let d_lambda = (other.lng - self.lng).to_radians();
        let a = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().asin()
    }
}

impl GeoPointError {
    /// The request field at fault, when a location comes as `lat` and `lng`.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Latitude => "lat",
            Self::Longitude => "lng",
        }
    }
}

/// A location from `lat` and `lng` fields, naming the one out of range.
pub fn parse_point(lat: f64, lng: f64) -> Result<GeoPoint, crate::error::Invalid> {
    GeoPoint::parse(lat, lng).map_err(|e| crate::error::Invalid::new(e.field(), "invalid_location", e))
}

/// A district as listed on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct District {
    pub id: DistrictId,
    pub name: String,
    pub center: GeoPoint,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Street {
    pub id: StreetId,
    pub district: DistrictId,
    pub name: String,
    pub center: GeoPoint,
}

/// Where a community lies: its street and district, and its centre (where a community's open times are
/// measured from before a resident gives an address).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub street: StreetId,
    pub district: DistrictId,
    pub centre: GeoPoint,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Community {
    pub id: CommunityId,
    pub street: StreetId,
    pub name: String,
    pub center: GeoPoint,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_outside_the_globe_is_rejected_naming_the_axis() {
        assert_eq!(GeoPoint::parse(91.0, 123.4), Err(GeoPointError::Latitude));
        assert_eq!(GeoPoint::parse(41.8, 180.5), Err(GeoPointError::Longitude));
        assert_eq!(GeoPoint::parse(f64::NAN, 123.4), Err(GeoPointError::Latitude));
    }

    #[test]
    fn one_hundredth_of_a_degree_of_latitude_is_about_1_1_km() {
        let a = GeoPoint::parse(41.80, 123.40).unwrap();
        let b = GeoPoint::parse(41.81, 123.40).unwrap();
        let d = a.distance_m(&b);
        assert!((1100.0..1125.0).contains(&d), "{d}");
    }

    #[test]
    fn distance_is_symmetric_and_zero_to_itself() {
        let a = GeoPoint::parse(41.79, 123.43).unwrap();
        let b = GeoPoint::parse(41.85, 123.30).unwrap();
        assert_eq!(a.distance_m(&a), 0.0);
        assert!((a.distance_m(&b) - b.distance_m(&a)).abs() < 1e-6);
    }
}
