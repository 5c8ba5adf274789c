//! The `order_offers` table.

use sea_orm::entity::prelude::*;

use super::states::StoredOfferStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "order_offers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: Uuid,
    pub status: StoredOfferStatus,
    pub offered_at: DateTimeUtc,
    pub deadline: DateTimeUtc,
    /// Why this provider was offered the order (its rank factors).
    pub explanation: String,
    /// Why the provider declined, from the list (`JobReason`); none before reasons were asked.
    pub decline_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::order::Entity", from = "Column::OrderId", to = "super::order::Column::Id")]
    Order,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
