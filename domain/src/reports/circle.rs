//! The 15-minute service circle (15分钟服务圈) as residents know it: a community is inside when its centre lies
//! within 15 minutes' walk of a red station (红色驿站). The map draws each station with its circle and tells,
//! for every community, how far the nearest station is on foot; the count inside is the area's reach.

use super::{AreaMap, MapProvider};
use crate::dispatch::TravelModel;

/// A red station on the map with the radius its circle reaches on foot.
#[derive(Clone, Debug, PartialEq)]
pub struct MapStation {
    pub station: MapProvider,
    pub radius_m: f64,
}

/// `map` with each community's walk to its nearest station among `stations` (every active station of the
/// city: the nearest may lie in the next street), and the stations that matter to the area: those based in it
/// and those nearest to one of its communities.
pub fn with_circles(mut map: AreaMap, stations: &[MapProvider], travel: &TravelModel) -> AreaMap {
    let mut shown: Vec<MapProvider> =
        map.providers.iter().filter(|p| stations.iter().any(|s| s.id == p.id)).cloned().collect();
    for community in &mut map.communities {
        let nearest = stations
            .iter()
            .map(|s| (s, travel.walking_minutes(&community.center, &s.location)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        community.station_minutes = nearest.map(|(_, minutes)| minutes);
        if let Some((station, _)) = nearest
            && !shown.iter().any(|s| s.id == station.id)
        {
            shown.push(station.clone());
        }
    }
    let radius_m = travel.walking_radius_m();
    map.stations = shown.into_iter().map(|station| MapStation { station, radius_m }).collect();
    map.within_circle =
        map.communities.iter().filter(|c| c.station_minutes.is_some_and(|m| m <= travel.circle_minutes)).count();
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::{CommunityId, GeoPoint};
    use crate::providers::{ProviderId, ProviderKind};
    use crate::reports::MapCommunity;
    use uuid::Uuid;

    fn community(id: i32, lat: f64) -> MapCommunity {
        MapCommunity {
            id: CommunityId(id),
            name: format!("社区{id}"),
            center: GeoPoint::parse(lat, 123.4).unwrap(),
            station_minutes: None,
        }
    }

    fn station(n: u128, lat: f64) -> MapProvider {
        MapProvider {
            id: ProviderId(Uuid::from_u128(n)),
            name: format!("红色驿站{n}"),
            kind: ProviderKind::RedStation,
            location: GeoPoint::parse(lat, 123.4).unwrap(),
        }
    }

    #[test]
    fn a_community_a_short_walk_from_a_station_is_inside_its_circle_and_a_far_one_is_not() {
        // 0.005° of latitude is about 560 m, 0.02° about 2.2 km.
        let map = AreaMap {
            communities: vec![community(1, 41.805), community(2, 41.82)],
            providers: vec![],
            stations: vec![],
            within_circle: 0,
        };
        let travel = TravelModel::default();
        let drawn = with_circles(map, &[station(1, 41.80)], &travel);
        let minutes: Vec<f64> = drawn.communities.iter().map(|c| c.station_minutes.unwrap()).collect();
        assert!(minutes[0] < 15.0 && minutes[1] > 15.0, "{minutes:?}");
        assert_eq!(drawn.within_circle, 1);
        assert_eq!(drawn.stations.len(), 1);
        assert!((drawn.stations[0].radius_m - travel.walking_radius_m()).abs() < 1e-9);
    }

    #[test]
    fn each_community_is_measured_from_its_nearest_station_even_in_the_next_street() {
        let map =
            AreaMap { communities: vec![community(1, 41.80)], providers: vec![], stations: vec![], within_circle: 0 };
        let drawn = with_circles(map, &[station(1, 41.90), station(2, 41.801)], &TravelModel::default());
        assert_eq!(drawn.stations.iter().map(|s| s.station.id).collect::<Vec<_>>(), vec![station(2, 0.0).id]);
        assert!(drawn.communities[0].station_minutes.unwrap() < 2.0);
    }

    #[test]
    fn without_stations_no_community_is_inside() {
        let map =
            AreaMap { communities: vec![community(1, 41.80)], providers: vec![], stations: vec![], within_circle: 0 };
        let drawn = with_circles(map, &[], &TravelModel::default());
        assert_eq!((drawn.communities[0].station_minutes, drawn.within_circle), (None, 0));
    }
}
