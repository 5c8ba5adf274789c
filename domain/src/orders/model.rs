//! What an order is once placed, its history, and the offers made for it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::plans::CarePlanId;
use super::request::TimeWindow;
use super::state::OrderState;
use crate::accounts::AccountId;
use crate::catalog::{Answers, ItemId};
use crate::dispatch::Scope;
use crate::geo::{CommunityId, GeoPoint};
use crate::providers::ProviderId;

/// A UUID v7, so ids sort by the time they were made and serve as pagination cursors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderId(pub Uuid);

/// When the resident wants the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// As soon as someone can come.
    Asap,
    Window(TimeWindow),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: OrderId,
    /// Whom the service is for.
    pub resident: AccountId,
    /// Who filed it: the resident, or a community worker on their behalf.
    pub placed_by: AccountId,
    pub item: ItemId,
    pub community: CommunityId,
    pub address: String,
    pub location: GeoPoint,
    pub schedule: Schedule,
    pub notes: String,
    pub state: OrderState,
    pub provider: Option<ProviderId>,
    /// How far dispatch looks now, and how many rounds of offers it has made there.
    pub scope: Scope,
    pub round: u32,
    /// When the order must have been accepted; it is escalated after.
    pub accept_by: Option<DateTime<Utc>>,
    /// A mediation intake marked high risk: it goes to the street at once.
    pub high_risk: bool,
    /// The provider's staff member who will come: whoever accepted, or the colleague they handed it to.
    pub assignee: Option<AccountId>,
    /// The resident's answers to the item's questions, with the questions' words as they were asked.
    pub answers: Answers,
    /// The care plan this order is a visit of.
    pub plan: Option<CarePlanId>,
    /// Who dispatch offers it to first when they can take it: for a care plan's visit, whoever took the plan's
    /// latest visit (continuity of care).
    pub preferred: Option<ProviderId>,
    pub placed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How to reach the resident an order is for: shown to the provider only once it has accepted the order.
#[derive(Clone, Debug, PartialEq)]
pub struct ResidentContact {
    pub name: String,
    pub phone: Option<String>,
}

/// Who is coming, shown to the resident once a provider has accepted: the organization, and the staff member
/// named for the job with their number when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderContact {
    pub organization: String,
    pub staff_name: Option<String>,
    pub phone: Option<String>,
    /// The provider's smoothed rating and how many ratings it rests on.
    pub rating: f64,
    pub rating_count: u32,
}

/// One line of an order's history; every state change writes one.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderEvent {
    pub at: DateTime<Utc>,
    /// `None` for the event that placed the order.
    pub from: Option<OrderState>,
    pub to: OrderState,
    /// `None` when Linli itself acted (the dispatcher).
    pub actor: Option<AccountId>,
    pub note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OfferStatus {
    /// Waiting for the provider's answer.
    Open,
    Declined,
    /// This provider claimed the order.
    Won,
    /// Another provider claimed it first, or the order left dispatch.
    Withdrawn,
    /// The provider accepted, then gave the job back.
    Released,
    /// The deadline passed without an answer.
    Expired,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Open => "open",
            OfferStatus::Declined => "declined",
            OfferStatus::Won => "won",
            OfferStatus::Withdrawn => "withdrawn",
            OfferStatus::Released => "released",
            OfferStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Declined, Self::Won, Self::Withdrawn, Self::Released, Self::Expired]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// An order offered to one provider.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    pub order: OrderId,
    pub provider: ProviderId,
    pub status: OfferStatus,
    pub offered_at: DateTime<Utc>,
    /// Until when the provider may accept.
    pub deadline: DateTime<Utc>,
    /// Why this provider was chosen (rank factors), or why it was assigned by hand.
    pub explanation: String,
}
