//! The `service_hours` table: the ledger of service hours, one row per attended shift or volunteer order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub community_id: i32,
    pub source: String,
    pub source_id: Uuid,
    pub started_at: DateTimeUtc,
    pub minutes: i32,
    pub year: i32,
    pub month: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
