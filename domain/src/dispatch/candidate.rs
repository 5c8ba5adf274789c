//! What dispatch knows of a provider and of an order at the moment it decides: a snapshot, so that the rules
//! and the ranking are pure functions of it.

use chrono::{DateTime, NaiveDate, Utc};

use super::hours::WorkingHours;
use crate::catalog::{Category, ItemId};
use crate::geo::{CommunityId, DistrictId, GeoPoint, StreetId};
use crate::providers::{ProviderId, ProviderKind};
use crate::time::TimeWindow;

/// A provider as dispatch sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: ProviderId,
    pub kind: ProviderKind,
    pub active: bool,
    /// Its managers paused new offers (a holiday): it is offered nothing until they resume.
    pub paused: bool,
    /// The Shanghai dates it does not work at all, whatever its weekly hours say.
    pub closed: Vec<NaiveDate>,
    pub location: GeoPoint,
    pub items: Vec<ItemId>,
    /// Communities served by name.
    pub communities: Vec<CommunityId>,
    /// Streets served whole, and the streets of the communities served.
    pub streets: Vec<StreetId>,
    /// Districts the provider serves any part of.
    pub districts: Vec<DistrictId>,
    /// Serves anywhere within this many metres of its base, when set.
    pub radius_m: Option<f64>,
    /// Jobs it can hold at once (1 for a Party member).
    pub capacity: u32,
    pub hours: WorkingHours,
    /// 0 to 5.
    pub rating: f64,
    /// The windows of the jobs it holds now (accepted or in service).
    pub jobs: Vec<TimeWindow>,
    /// Fairness: offers received in the current period, when the last one came, and the provider's weight.
    pub offers_this_period: u32,
    pub last_offered_at: Option<DateTime<Utc>>,
    /// Relative share of offers the provider should get among equals (1.0 by default).
    pub target_share: f64,
    /// When the provider joined; one that joined mid-period is owed offers only for the time it was there.
    pub active_since: DateTime<Utc>,
}

/// How far dispatch looks: the order's community first, then its street, then its district.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Community,
    Street,
    District,
}

impl Scope {
    /// The next wider scope, if any.
    pub fn widen(self) -> Option<Scope> {
        match self {
            Scope::Community => Some(Scope::Street),
            Scope::Street => Some(Scope::District),
            Scope::District => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Community => "community",
            Scope::Street => "street",
            Scope::District => "district",
        }
    }
}

/// An order as dispatch sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub item: ItemId,
    pub category: Category,
    pub community: CommunityId,
    pub street: StreetId,
    pub district: DistrictId,
    pub location: GeoPoint,
    /// When the job happens; "as soon as possible" is now until now plus the item's duration.
    pub window: TimeWindow,
    pub scope: Scope,
    pub now: DateTime<Utc>,
}
