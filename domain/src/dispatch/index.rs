//! A grid spatial index over provider locations, so that ranking among many thousands of Party members only
//! looks at those near the order. Cells are square in latitude; a query returns a superset (whole cells),
//! which the eligibility rules then check exactly.

use std::collections::HashMap;

use crate::geo::GeoPoint;

const METRES_PER_DEGREE_LAT: f64 = 111_195.0;

#[derive(Clone, Debug)]
pub struct GridIndex {
    cell_deg: f64,
    cells: HashMap<(i32, i32), Vec<u32>>,
}

impl GridIndex {
    /// Indexes `points` by position in the iterator, in cells of about `cell_m` metres.
    pub fn build<'a>(points: impl IntoIterator<Item = &'a GeoPoint>, cell_m: f64) -> Self {
        let cell_deg = cell_m.max(1.0) / METRES_PER_DEGREE_LAT;
        let mut cells: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
        for (i, p) in points.into_iter().enumerate() {
            cells.entry(Self::cell(cell_deg, p.lat(), p.lng())).or_default().push(i as u32);
        }
        Self { cell_deg, cells }
    }

    fn cell(cell_deg: f64, lat: f64, lng: f64) -> (i32, i32) {
        ((lat / cell_deg).floor() as i32, (lng / cell_deg).floor() as i32)
    }

    /// The positions of every point within `radius_m` of `center`, and possibly some a little further.
    pub fn near(&self, center: &GeoPoint, radius_m: f64) -> Vec<u32> {
        let d_lat = radius_m / METRES_PER_DEGREE_LAT;
        let d_lng = radius_m / (METRES_PER_DEGREE_LAT * center.lat().to_radians().cos().max(0.01));
        let (lat0, lng0) = Self::cell(self.cell_deg, center.lat() - d_lat, center.lng() - d_lng);
        let (lat1, lng1) = Self::cell(self.cell_deg, center.lat() + d_lat, center.lng() + d_lng);
        let mut out = Vec::new();
        for a in lat0..=lat1 {
            for b in lng0..=lng1 {
                if let Some(ids) = self.cells.get(&(a, b)) {
                    out.extend_from_slice(ids);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_point_within_the_radius_is_found(
            points in proptest::collection::vec((41.6f64..42.0, 123.2f64..123.6), 1..300),
            center in (41.6f64..42.0, 123.2f64..123.6),
            radius in 100.0f64..5_000.0,
        ) {
            let pts: Vec<GeoPoint> = points.iter().map(|(a, b)| GeoPoint::parse(*a, *b).unwrap()).collect();
            let c = GeoPoint::parse(center.0, center.1).unwrap();
            let index = GridIndex::build(&pts, 500.0);
            let found = index.near(&c, radius);
            for (i, p) in pts.iter().enumerate() {
                if p.distance_m(&c) <= radius {
                    prop_assert!(found.contains(&(i as u32)), "point {} at {} m missed", i, p.distance_m(&c));
                }
            }
        }
    }

    #[test]
    fn a_query_far_from_every_point_finds_nothing() {
        let pts = [GeoPoint::parse(41.8, 123.4).unwrap()];
        let index = GridIndex::build(&pts, 500.0);
        assert!(index.near(&GeoPoint::parse(42.5, 123.4).unwrap(), 1_000.0).is_empty());
    }
}
