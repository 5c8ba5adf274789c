//! The `complaints` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "complaints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub order_id: Uuid,
    pub provider_id: Uuid,
    pub community_id: i32,
    pub opened_by: Uuid,
    pub text: String,
    pub opened_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    /// `open`, `answered` or `escalated`.
    pub state: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_by: Option<Uuid>,
    pub escalated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
