//! The service catalog (服务事项): what residents can order, how each item is dispatched, what it costs, and
//! what it asks the resident before it comes.

mod desk;
mod lifecycle;
pub mod questions;
mod search;

pub use desk::{CatalogDesk, CatalogItems, PolicyChange, PolicyInput};
pub use lifecycle::{CreateItemError, ItemInput, ItemWords};
pub use questions::{Answers, Questions};
pub use search::{SearchText, search};

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemId(pub i32);

/// The families the 115 items fall into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// 助餐
    Meals,
    /// 助洁
    Cleaning,
    /// 助浴
    Bathing,
    /// 助医
    MedicalEscort,
    /// 维修
    Repairs,
    /// 法律咨询
    LegalAid,
    /// 调解
    Mediation,
    /// 就业
    Employment,
    /// 志愿服务: done by registered Party members.
    Volunteer,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Meals,
        Category::Cleaning,
        Category::Bathing,
        Category::MedicalEscort,
        Category::Repairs,
        Category::LegalAid,
        Category::Mediation,
        Category::Employment,
        Category::Volunteer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Meals => "meals",
            Category::Cleaning => "cleaning",
            Category::Bathing => "bathing",
            Category::MedicalEscort => "medical_escort",
            Category::Repairs => "repairs",
            Category::LegalAid => "legal_aid",
            Category::Mediation => "mediation",
            Category::Employment => "employment",
            Category::Volunteer => "volunteer",
        }
    }

    /// The name residents see.
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Meals => "助餐",
            Category::Cleaning => "助洁",
            Category::Bathing => "助浴",
            Category::MedicalEscort => "助医",
            Category::Repairs => "维修",
            Category::LegalAid => "法律咨询",
            Category::Mediation => "调解",
            Category::Employment => "就业",
            Category::Volunteer => "志愿服务",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How an item's orders are offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DispatchMode {
    /// 派单: to the best candidate, one at a time.
    Dispatch,
    /// 抢单: to several at once; the first claim wins.
    Broadcast,
}

impl DispatchMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DispatchMode::Dispatch => "dispatch",
            DispatchMode::Broadcast => "broadcast",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DispatchMode::Dispatch, DispatchMode::Broadcast].into_iter().find(|m| m.as_str() == s)
    }
}

/// Where an item's orders may go, beyond who offers the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Routing {
    /// Organizations and community points that offer the item.
    Standard,
    /// Only Party members registered in or near the order's community.
    Volunteer,
    /// Only the community's own mediation point (居民评理说事点).
    NeighbourDispute,
    /// Only the street's property-dispute mediation sub-center (物业纠纷调解分中心).
    PropertyDispute,
}

impl Routing {
    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Standard => "standard",
            Routing::Volunteer => "volunteer",
            Routing::NeighbourDispute => "neighbour_dispute",
            Routing::PropertyDispute => "property_dispute",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Routing::Standard, Routing::Volunteer, Routing::NeighbourDispute, Routing::PropertyDispute]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Money in fen (分), the smallest unit of the yuan; never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Fen(pub i64);

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}¥{}.{:02}", abs / 100, abs % 100)
    }
}

/// One orderable service.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogItem {
    pub id: ItemId,
    /// A stable short code, e.g. `MEAL-003`.
    pub code: String,
    pub name: String,
    pub category: Category,
    pub description: String,
    pub mode: DispatchMode,
    /// How long the service usually takes, for the default time window.
    pub duration_minutes: i32,
    /// The resident's price; zero for free public services.
    pub price: Fen,
    pub routing: Routing,
    /// Seconds a provider has to answer an offer; the configured default when `None`.
    pub offer_ttl_seconds: Option<u32>,
    /// How many providers a broadcast offers to at once.
    pub broadcast_k: u32,
    /// Rounds of offers at one scope before dispatch looks wider.
    pub max_rounds: u32,
    /// What the item asks the resident when it is ordered.
    pub questions: Questions,
    /// Since when it takes no new orders; its orders from before stay as they are.
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg(test)]
impl CatalogItem {
    /// An item for tests: offered one provider at a time, an hour long, free, asking nothing.
    pub(crate) fn sample(id: i32, name: &str, category: Category) -> Self {
        Self {
            id: ItemId(id),
            code: format!("ITEM-{id}"),
            name: name.into(),
            category,
            description: String::new(),
            mode: DispatchMode::Dispatch,
            duration_minutes: 60,
            price: Fen(0),
            routing: Routing::Standard,
            offer_ttl_seconds: None,
            broadcast_k: 3,
            max_rounds: 2,
            questions: Questions::default(),
            retired_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_as_yuan_with_two_decimals() {
        assert_eq!(Fen(1250).to_string(), "¥12.50");
        assert_eq!(Fen(5).to_string(), "¥0.05");
        assert_eq!(Fen(-100).to_string(), "-¥1.00");
    }

    #[test]
    fn every_routing_round_trips_through_its_name() {
        for r in [Routing::Standard, Routing::Volunteer, Routing::NeighbourDispute, Routing::PropertyDispute] {
            assert_eq!(Routing::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn every_category_round_trips_through_its_name() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        assert_eq!(Category::parse("nonsense"), None);
    }
}
