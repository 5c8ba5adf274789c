//! The demo's 125 functional service organizations. Each is based in a street, covers that street's
//! communities and its neighbour's, and offers every item of one or two categories. The first five sit in
//! 和平区南湖街道 and all offer cleaning, so the demo resident's first order reaches the demo staff accounts.

use linli_domain::catalog::Category;
use linli_domain::providers::{CreditCode, RatingTally};
use uuid::Uuid;

use super::city::DemoCity;
use super::rng::Rng;

pub const ORGANIZATION_COUNT: usize = 125;

pub struct DemoOrganization {
    pub id: Uuid,
    pub name: String,
    pub credit_code: String,
    pub community: i32,
    pub lat: f64,
    pub lng: f64,
    /// The ratings the demo pretends it has received: a mean drawn between 4.0 and 5.0 over 8 to 40 of them.
    pub ratings: RatingTally,
    pub capacity: i32,
    pub categories: Vec<Category>,
    pub coverage: Vec<i32>,
}

const STEMS: [&str; 32] = [
    "康乐",
    "福寿",
    "邻里",
    "安心",
    "红枫",
    "惠民",
    "暖阳",
    "乐龄",
    "善邻",
    "和美",
    "同心",
    "佳和",
    "锦程",
    "益家",
    "慈航",
    "瑞祥",
    "颐康",
    "万家",
    "金秋",
    "爱心",
    "夕阳红",
    "融和",
    "润泽",
    "德馨",
    "仁和",
    "常青",
    "百福",
    "家和",
    "晨曦",
    "馨悦",
    "恒信",
    "众诚",
];

fn suffix(c: Category) -> &'static str {
    match c {
        Category::Meals => "助餐服务中心",
        Category::Cleaning => "家政服务有限公司",
        Category::Bathing => "助浴服务站",
        Category::MedicalEscort => "医护陪诊服务中心",
        Category::Repairs => "便民维修服务部",
        Category::LegalAid => "法律服务所",
        Category::Mediation => "人民调解工作室",
        Category::Employment => "就业服务站",
        Category::Volunteer => "志愿服务队",
    }
}

/// Deterministic ids, so that seeding twice finds the same rows.
pub fn organization_id(n: usize) -> Uuid {
    Uuid::from_u128(0x6c69_6e6c_6900_4000_8000_0000_0000_0000 | n as u128)
}

pub fn build(city: &DemoCity, rng: &mut Rng) -> Vec<DemoOrganization> {
    // Organizations specialise in every category but volunteer work, which is Party members'.
    let specialities: Vec<Category> = Category::ALL.into_iter().filter(|c| *c != Category::Volunteer).collect();
    (0..ORGANIZATION_COUNT)
        .map(|n| {
            // The first five share the demo street; the rest spread evenly over the city.
            let street_index = if n < 5 { 0 } else { (n - 5) * city.streets.len() / (ORGANIZATION_COUNT - 5) };
            let street = &city.streets[street_index];
            let district = &city.districts[street.district as usize - 1];
            let primary = if n < 5 { Category::Cleaning } else { specialities[n % specialities.len()] };
            let secondary = specialities[(n * 3 + 1) % specialities.len()];
            let mut categories = vec![primary];
            if secondary != primary && rng.below(2) == 0 {
                categories.push(secondary);
            }
            let neighbour = city.streets.get(street_index + 1).filter(|s| s.district == street.district);
            let coverage: Vec<i32> = city
                .communities
                .iter()
                .filter(|c| c.street == street.id || neighbour.is_some_and(|s| s.id == c.street))
                .map(|c| c.id)
                .collect();
            let base = city.communities.iter().find(|c| c.street == street.id).expect("every street has communities");
            let body = format!("91{}MA{:07}", 210102 + street.district - 1, n + 1);
            let credit_code = CreditCode::with_check_character(&body).expect("demo codes use the code alphabet");
            DemoOrganization {
                id: organization_id(n + 1),
                name: format!(
                    "{}{}{}",
                    district.name.trim_end_matches(['区', '县', '市']),
                    STEMS[n % STEMS.len()],
                    suffix(primary)
                ),
                credit_code: credit_code.as_ref().to_owned(),
                community: base.id,
                lat: base.lat + rng.range(-0.004, 0.004),
                lng: base.lng + rng.range(-0.005, 0.005),
                ratings: {
                    // The count comes from the organization's number, not the generator, so that every later draw
                    // (capacity, coverage) stays what it was.
                    let mean = (rng.range(4.0, 5.0) * 10.0).round() / 10.0;
                    let count = 8 + (n as u32 * 7) % 33;
                    RatingTally { count, sum: (mean * f64::from(count)).round() as u32 }
                },
                capacity: 3 + rng.below(8) as i32,
                categories,
                coverage,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::city;

    #[test]
    fn there_are_125_organizations_with_valid_unique_credit_codes() {
        let mut rng = Rng::new(1);
        let city = city::build(&mut rng);
        let orgs = build(&city, &mut rng);
        assert_eq!(orgs.len(), 125);
        for o in &orgs {
            assert!(CreditCode::parse(&o.credit_code).is_ok(), "{}", o.credit_code);
            assert!(!o.coverage.is_empty());
        }
        let mut codes: Vec<_> = orgs.iter().map(|o| &o.credit_code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 125);
    }

    #[test]
    fn the_first_five_cover_the_demo_community_and_offer_cleaning() {
        let mut rng = Rng::new(1);
        let city = city::build(&mut rng);
        let orgs = build(&city, &mut rng);
        for o in &orgs[..5] {
            assert!(o.coverage.contains(&1) && o.categories.contains(&Category::Cleaning), "{}", o.name);
        }
    }
}
