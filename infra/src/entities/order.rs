//! The `orders` table.

use sea_orm::entity::prelude::*;

use super::states::{StoredOrderState, StoredScope};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resident_id: Uuid,
    pub placed_by: Uuid,
    pub item_id: i32,
    pub community_id: i32,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
    pub window_start: Option<DateTimeUtc>,
    pub window_end: Option<DateTimeUtc>,
    pub notes: String,
    pub state: StoredOrderState,
    pub provider_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
    /// SHA-256 of the request an idempotency key first came with.
    pub request_fingerprint: Option<String>,
    /// When the stranded-order sweep last queued the order again.
    pub requeued_at: Option<DateTimeUtc>,
    /// How far dispatch looks now: `community`, `street` or `district`.
    pub scope: StoredScope,
    /// Rounds of offers made at the current scope.
    pub round: i32,
    /// When the order must have been accepted; escalated after.
    pub accept_by: Option<DateTimeUtc>,
    pub high_risk: bool,
    /// The staff member of the provider who will come.
    pub assignee_id: Option<Uuid>,
    /// The resident's answers as JSON (`linli_domain::catalog::Answers`).
    pub answers: String,
    /// The care plan this order is a visit of.
    pub plan_id: Option<Uuid>,
    /// The provider dispatch offers it to first when eligible.
    pub preferred_provider_id: Option<Uuid>,
    pub placed_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::order_offer::Entity")]
    Offers,
    #[sea_orm(has_many = "super::order_event::Entity")]
    Events,
}

impl Related<super::order_offer::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Offers.def()
    }
}

impl Related<super::order_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Events.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
