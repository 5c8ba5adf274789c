//! The demo's community points: a resident mediation point (居民评理说事点) in every community, a
//! property-dispute mediation sub-center (物业纠纷调解分中心) in every street, as the source report describes,
//! and the city's property-dispute mediation centre (物业纠纷调解中心) above the sub-centers, which serves every
//! street and is asked when a street's own sub-center cannot take a case; and a red station (红色驿站) at the
//! heart of every street, anchoring the 15-minute service circle: it takes employment and legal-aid requests
//! from within its circle, and has no communities of its own.

use uuid::Uuid;

use super::catalog::DemoItem;
use super::city::DemoCity;
use linli_domain::catalog::{Category, Routing};
use linli_domain::providers::ProviderKind;

pub struct DemoPoint {
    pub id: Uuid,
    /// A mediation point or sub-center (`CommunityPoint`), or a red station.
    pub kind: ProviderKind,
    pub name: String,
    pub community: i32,
    pub lat: f64,
    pub lng: f64,
    pub capacity: i32,
    pub items: Vec<i32>,
    pub coverage: Vec<i32>,
}

/// Everyday disputes a community's own point hears besides neighbour disputes.
const POINT_ITEMS: [&str; 4] = ["家庭矛盾调解", "噪音扰民调解", "停车纠纷调解", "宠物纠纷调解"];
/// What a red station takes besides employment services: the legal help people walk in for.
const STATION_ITEMS: [&str; 2] = ["法律咨询", "法律援助申请代办"];
/// What a street's sub-center takes besides property disputes.
const SUB_CENTER_ITEMS: [&str; 2] = ["漏水纠纷调解", "租赁纠纷调解"];

pub fn build(city: &DemoCity, items: &[DemoItem]) -> Vec<DemoPoint> {
    let ids_of = |routing: Routing, extra: &[&str]| -> Vec<i32> {
        items
            .iter()
            .filter(|i| i.category == Category::Mediation && (i.routing == routing || extra.contains(&i.name)))
            .map(|i| i.id)
            .collect()
    };
    let point_items = ids_of(Routing::NeighbourDispute, &POINT_ITEMS);
    let sub_center_items = ids_of(Routing::PropertyDispute, &SUB_CENTER_ITEMS);
    let mut points: Vec<DemoPoint> = city
        .communities
        .iter()
        .map(|c| DemoPoint {
            id: Uuid::from_u128(0x6c69_6e6c_6900_4000_8000_0005_0000_0000 | c.id as u128),
            kind: ProviderKind::CommunityPoint,
            name: format!("{}居民评理说事点", c.name),
            community: c.id,
            lat: c.lat,
            lng: c.lng,
            capacity: 2,
            items: point_items.clone(),
            coverage: vec![c.id],
        })
        .collect();
    points.extend(city.streets.iter().map(|s| {
        let communities: Vec<i32> = city.communities.iter().filter(|c| c.street == s.id).map(|c| c.id).collect();
        DemoPoint {
            id: Uuid::from_u128(0x6c69_6e6c_6900_4000_8000_0006_0000_0000 | s.id as u128),
            kind: ProviderKind::CommunityPoint,
            name: format!("{}物业纠纷调解分中心", s.name),
            community: communities[0],
            lat: s.lat,
            lng: s.lng,
            capacity: 5,
            items: sub_center_items.clone(),
            coverage: communities,
        }
    }));
    // The centre sits in the community nearest the city hall square (市府广场).
    let (hall_lat, hall_lng) = (41.8057, 123.4315);
    let distance = |c: &&super::city::DemoCommunity| (c.lat - hall_lat).powi(2) + (c.lng - hall_lng).powi(2);
    let home =
        city.communities.iter().min_by(|a, b| distance(a).total_cmp(&distance(b))).expect("the city has communities");
    points.push(DemoPoint {
        id: Uuid::from_u128(0x6c69_6e6c_6900_4000_8000_0007_0000_0000 | 1),
        kind: ProviderKind::CommunityPoint,
        name: "沈阳市物业纠纷调解中心".to_owned(),
        community: home.id,
        lat: home.lat,
        lng: home.lng,
        capacity: 10,
        // Property disputes only: the other disputes a sub-center hears stay in their street.
        items: ids_of(Routing::PropertyDispute, &[]),
        coverage: city.communities.iter().map(|c| c.id).collect(),
    });
    let station_items: Vec<i32> = items
        .iter()
        .filter(|i| i.category == Category::Employment || STATION_ITEMS.contains(&i.name))
        .map(|i| i.id)
        .collect();
    points.extend(city.streets.iter().map(|s| {
        let home = city.communities.iter().filter(|c| c.street == s.id).min_by(|a, b| {
            let d = |c: &super::city::DemoCommunity| (c.lat - s.lat).powi(2) + (c.lng - s.lng).powi(2);
            d(a).total_cmp(&d(b))
        });
        DemoPoint {
            id: Uuid::from_u128(0x6c69_6e6c_6900_4000_8000_0008_0000_0000 | s.id as u128),
            kind: ProviderKind::RedStation,
            name: format!("{}红色驿站", s.name),
            community: home.expect("every street has communities").id,
            lat: s.lat,
            lng: s.lng,
            capacity: 3,
            items: station_items.clone(),
            // Its reach is its circle.
            coverage: Vec::new(),
        }
    }));
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{catalog, city, rng::Rng};

    #[test]
    fn every_community_has_a_mediation_point_and_every_street_a_sub_center() {
        let city = city::build(&mut Rng::new(1));
        let points = build(&city, &catalog::build());
        assert_eq!(points.len(), 955 + 110 + 1 + 110);
        assert!(points[0].name.ends_with("居民评理说事点") && points[0].items.len() == 5);
        assert!(points[955].name.ends_with("物业纠纷调解分中心") && points[955].items.len() == 3);
        assert!(points[955].coverage.len() >= 8);
        let centre = &points[955 + 110];
        assert_eq!((centre.name.as_str(), centre.coverage.len()), ("沈阳市物业纠纷调解中心", 955));
        let station = points.last().unwrap();
        assert!(station.name.ends_with("红色驿站") && station.coverage.is_empty() && station.items.len() == 12);
    }
}
