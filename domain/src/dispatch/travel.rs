//! Travel time, and the 15-minute service circle (15分钟服务圈): how long a provider needs to reach an order,
//! estimated from straight-line distance at a speed that depends on the kind of service.

use crate::catalog::Category;
use crate::geo::GeoPoint;

/// Speeds per category and the size of the service circle; configurable, with defaults for a city like Shenyang.
#[derive(Clone, Debug, PartialEq)]
pub struct TravelModel {
    /// km/h for each category, in the order of [`Category::ALL`].
    speeds_kmh: [f64; 9],
    /// Roads are not straight lines: distance is stretched by this factor.
    detour: f64,
    /// Minutes of travel that still count as "within the circle".
    pub circle_minutes: f64,
    /// km/h of a resident walking to a red station, which the circle residents know is measured by.
    walking_kmh: f64,
}

impl Default for TravelModel {
    fn default() -> Self {
        // meals and repairs by e-bike, escort by car, mediation and volunteers on foot.
        Self {
            speeds_kmh: [15.0, 12.0, 12.0, 20.0, 15.0, 12.0, 5.0, 12.0, 4.5],
            detour: 1.3,
            circle_minutes: 15.0,
            walking_kmh: 4.5,
        }
    }
}

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("a speed must be a positive number of km/h")]
pub struct SpeedError;

impl TravelModel {
    /// Sets the speed of one category.
    pub fn with_speed(mut self, category: Category, kmh: f64) -> Result<Self, SpeedError> {
        if !kmh.is_finite() || kmh <= 0.0 {
            return Err(SpeedError);
        }
        self.speeds_kmh[Self::slot(category)] = kmh;
        Ok(self)
    }

    pub fn speed_kmh(&self, category: Category) -> f64 {
        self.speeds_kmh[Self::slot(category)]
    }

    /// Estimated minutes from `from` to `to` for a service of `category`.
    pub fn minutes(&self, category: Category, from: &GeoPoint, to: &GeoPoint) -> f64 {
        let metres = from.distance_m(to) * self.detour;
        metres / (self.speed_kmh(category) * 1000.0 / 60.0)
    }

    /// The straight-line radius, in metres, that the circle reaches for `category`: what a spatial index
    /// searches before the exact check.
    pub fn circle_radius_m(&self, category: Category) -> f64 {
        self.circle_minutes * self.speed_kmh(category) * 1000.0 / 60.0 / self.detour
    }

    /// Minutes a resident walks from `from` to `to`: how the 15-minute circle around a red station is drawn.
    pub fn walking_minutes(&self, from: &GeoPoint, to: &GeoPoint) -> f64 {
        from.distance_m(to) * self.detour / (self.walking_kmh * 1000.0 / 60.0)
    }

    /// The straight-line radius, in metres, of a red station's circle on foot.
    pub fn walking_radius_m(&self) -> f64 {
        self.circle_minutes * self.walking_kmh * 1000.0 / 60.0 / self.detour
    }

    fn slot(category: Category) -> usize {
        Category::ALL.iter().position(|c| *c == category).expect("ALL lists every category")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kilometre_on_foot_is_about_seventeen_minutes() {
        let model = TravelModel::default();
        let a = GeoPoint::parse(41.800, 123.40).unwrap();
        let b = GeoPoint::parse(41.809, 123.40).unwrap(); // ~1 km north
        let minutes = model.minutes(Category::Volunteer, &a, &b);
        assert!((16.0..18.5).contains(&minutes), "{minutes}");
    }

    #[test]
    fn the_circle_radius_is_where_travel_reaches_the_circle() {
        let model = TravelModel::default();
        for c in Category::ALL {
            let a = GeoPoint::parse(41.8, 123.4).unwrap();
            let north = model.circle_radius_m(c) / 111_195.0;
            let b = GeoPoint::parse(41.8 + north, 123.4).unwrap();
            assert!((model.minutes(c, &a, &b) - 15.0).abs() < 0.1, "{c:?}");
        }
    }

    #[test]
    fn a_speed_that_is_not_positive_is_refused() {
        assert_eq!(TravelModel::default().with_speed(Category::Meals, 0.0), Err(SpeedError));
        assert_eq!(TravelModel::default().with_speed(Category::Meals, f64::NAN), Err(SpeedError));
        assert_eq!(TravelModel::default().with_speed(Category::Meals, 30.0).unwrap().speed_kmh(Category::Meals), 30.0);
    }
}
