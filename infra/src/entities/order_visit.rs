//! The `order_visits` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "order_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: Uuid,
    pub started_at: Option<DateTimeUtc>,
    pub start_lat: Option<f64>,
    pub start_lng: Option<f64>,
    pub start_distance_m: Option<i32>,
    pub completed_at: Option<DateTimeUtc>,
    pub end_lat: Option<f64>,
    pub end_lng: Option<f64>,
    pub end_distance_m: Option<i32>,
    pub note: Option<String>,
    /// `pending`, `confirmed` or `disputed`, once the job is completed.
    pub verdict: Option<String>,
    pub confirm_by: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    /// Who answered; none when Linli confirmed at the due time.
    pub answered_by: Option<Uuid>,
    pub dispute_reason: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<Uuid>,
    pub resolution: Option<String>,
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
