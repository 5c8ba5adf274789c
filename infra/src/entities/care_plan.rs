//! The `care_plans` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "care_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resident_id: Uuid,
    pub filed_by: Uuid,
    pub item_id: i32,
    pub community_id: i32,
    pub address: String,
    pub lat: f64,
    pub lng: f64,
    pub notes: String,
    /// The answers to the item's questions as JSON (`linli_domain::catalog::Answers`).
    pub answers: String,
    /// The plan's rules as JSON (`linli_domain::orders::plans::PlanRules`).
    pub rules: String,
    pub revision: i32,
    pub placed_through: Option<Date>,
    /// The rules' end, kept beside them for the extending step's query.
    pub ends_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
