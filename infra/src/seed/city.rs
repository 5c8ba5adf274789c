//! The demo map, shaped like Shenyang: its 13 real districts, 110 streets and 955 communities. Street and
//! community names are plausible inventions except the two the source report names (和平区南湖街道文安路社区,
//! 于洪区阳光100社区); coordinates scatter around each district's rough centre.

use super::rng::Rng;

pub struct DemoDistrict {
    pub id: i32,
    pub name: &'static str,
    pub lat: f64,
    pub lng: f64,
}

pub struct DemoStreet {
    pub id: i32,
    pub district: i32,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
}

pub struct DemoCommunity {
    pub id: i32,
    pub street: i32,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
}

pub struct DemoCity {
    pub districts: Vec<DemoDistrict>,
    pub streets: Vec<DemoStreet>,
    pub communities: Vec<DemoCommunity>,
}

/// Name, rough centre, and how many of the 110 streets each district gets (urban districts have more).
const DISTRICTS: [(&str, f64, f64, usize); 13] = [
    ("和平区", 41.789, 123.396, 12),
    ("沈河区", 41.796, 123.449, 12),
    ("大东区", 41.805, 123.470, 11),
    ("皇姑区", 41.824, 123.425, 11),
    ("铁西区", 41.802, 123.350, 12),
    ("苏家屯区", 41.665, 123.344, 6),
    ("浑南区", 41.715, 123.457, 10),
    ("沈北新区", 42.052, 123.521, 8),
    ("于洪区", 41.794, 123.308, 9),
    ("辽中区", 41.512, 122.724, 5),
    ("康平县", 42.741, 123.352, 4),
    ("法库县", 42.500, 123.416, 4),
    ("新民市", 41.997, 122.829, 6),
];

const STREET_STEMS: [&str; 40] = [
    "南湖",
    "北市",
    "太原",
    "集贤",
    "长白",
    "浑河",
    "新华",
    "光荣",
    "文化",
    "滨河",
    "万莲",
    "大西",
    "朱剪炉",
    "泉园",
    "小北",
    "津桥",
    "东站",
    "二台子",
    "辽河",
    "华山",
    "昆山",
    "黄河",
    "重工",
    "兴华",
    "保工",
    "启工",
    "艳粉",
    "笃工",
    "永安",
    "临湖",
    "桃仙",
    "五三",
    "新城子",
    "道义",
    "蒲河",
    "北陵",
    "陵东",
    "白塔",
    "大青",
    "茨榆坨",
];

const COMMUNITY_STEMS: [&str; 48] = [
    "文安路",
    "阳光100",
    "青年",
    "丽都",
    "锦绣",
    "华府",
    "百合",
    "翠湖",
    "和睦",
    "安居",
    "幸福里",
    "春晖",
    "碧桂",
    "枫林",
    "金桥",
    "绿岛",
    "景星",
    "育才",
    "民主",
    "南京街",
    "同泽",
    "北海",
    "公园",
    "怡景",
    "康宁",
    "紫荆",
    "桂花",
    "海棠",
    "长青",
    "兴隆",
    "宏伟",
    "振兴",
    "建设",
    "团结",
    "友谊",
    "新兴",
    "万科城",
    "河畔",
    "明珠",
    "柳岸",
    "欣园",
    "嘉禾",
    "清馨",
    "祥和",
    "雅居",
    "星河",
    "望湖",
    "东盛",
];

pub const COMMUNITY_COUNT: usize = 955;
pub const STREET_COUNT: usize = 110;

pub fn build(rng: &mut Rng) -> DemoCity {
    let districts: Vec<DemoDistrict> = DISTRICTS
        .iter()
        .enumerate()
        .map(|(i, (name, lat, lng, _))| DemoDistrict { id: i as i32 + 1, name, lat: *lat, lng: *lng })
        .collect();

    let mut streets = Vec::with_capacity(STREET_COUNT);
    for (d, (_, lat, lng, count)) in DISTRICTS.iter().enumerate() {
        for k in 0..*count {
            let id = streets.len() as i32 + 1;
            // Stems rotate per district so neighbouring districts do not repeat each other's first names.
            let stem = STREET_STEMS[(d * 7 + k) % STREET_STEMS.len()];
            let stem = if d == 0 && k == 0 { "南湖" } else { stem };
            streets.push(DemoStreet {
                id,
                district: d as i32 + 1,
                name: format!("{stem}街道"),
                lat: lat + rng.range(-0.03, 0.03),
                lng: lng + rng.range(-0.04, 0.04),
            });
        }
    }

    // 955 communities over 110 streets: every street gets 8, the first 75 one more.
    let mut communities = Vec::with_capacity(COMMUNITY_COUNT);
    for (s, street) in streets.iter().enumerate() {
        let count = if s < COMMUNITY_COUNT - 8 * STREET_COUNT { 9 } else { 8 };
        for k in 0..count {
            let id = communities.len() as i32 + 1;
            let stem = COMMUNITY_STEMS[(s * 5 + k) % COMMUNITY_STEMS.len()];
            let name = match (street.district, s, k) {
                (1, 0, 0) => "文安路社区".to_owned(),
                (9, _, 0) if streets[s - 1].district != 9 => "阳光100社区".to_owned(),
                _ if stem == "文安路" || stem == "阳光100" => {
                    format!("{}社区", COMMUNITY_STEMS[(s + k) % 46 + 2])
                }
                _ => format!("{stem}社区"),
            };
            communities.push(DemoCommunity {
                id,
                street: street.id,
                name,
                lat: street.lat + rng.range(-0.008, 0.008),
                lng: street.lng + rng.range(-0.01, 0.01),
            });
        }
    }
    DemoCity { districts, streets, communities }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_city_has_the_reported_counts() {
        let city = build(&mut Rng::new(1));
        assert_eq!(city.districts.len(), 13);
        assert_eq!(city.streets.len(), 110);
        assert_eq!(city.communities.len(), 955);
    }

    #[test]
    fn the_two_communities_the_report_names_are_there() {
        let city = build(&mut Rng::new(1));
        let first = &city.communities[0];
        assert_eq!(first.name, "文安路社区");
        assert_eq!(city.streets[0].name, "南湖街道");
        let yuhong = city.districts.iter().find(|d| d.name == "于洪区").unwrap().id;
        let sunshine = city.communities.iter().find(|c| c.name == "阳光100社区").unwrap();
        let street = city.streets.iter().find(|s| s.id == sunshine.street).unwrap();
        assert_eq!(street.district, yuhong);
        assert_eq!(city.communities.iter().filter(|c| c.name == "文安路社区" || c.name == "阳光100社区").count(), 2);
    }

    #[test]
    fn every_community_lies_near_shenyang() {
        let city = build(&mut Rng::new(1));
        for c in &city.communities {
            assert!((41.3..43.0).contains(&c.lat) && (122.5..123.8).contains(&c.lng), "{}", c.name);
        }
    }
}
