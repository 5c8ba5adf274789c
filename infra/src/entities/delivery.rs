//! The `deliveries` table: one message to the outside (a webhook call or an SMS) with its attempts.

use sea_orm::entity::prelude::*;

use super::states::StoredDeliveryState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub channel: String,
    pub provider_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub event_type: String,
    pub body: String,
    pub state: StoredDeliveryState,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    #[sea_orm(unique)]
    pub source_key: String,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The endpoint of the provider a webhook delivery is for.
    #[sea_orm(
        belongs_to = "super::webhook_endpoint::Entity",
        from = "Column::ProviderId",
        to = "super::webhook_endpoint::Column::ProviderId"
    )]
    Endpoint,
}

impl Related<super::webhook_endpoint::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Endpoint.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
