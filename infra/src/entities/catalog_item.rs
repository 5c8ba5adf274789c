//! The `catalog_items` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "catalog_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub code: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub mode: String,
    pub duration_minutes: i32,
    pub price_fen: i64,
    /// Seconds a provider has to answer an offer of this item; the configured default when unset.
    pub offer_ttl_seconds: Option<i32>,
    /// How many providers a broadcast offers to at once.
    pub broadcast_k: i32,
    /// Rounds of offers at one scope before dispatch widens it.
    pub max_rounds: i32,
    /// `standard`, `volunteer`, `neighbour_dispute` or `property_dispute`.
    pub routing: String,
    pub demo: bool,
    /// The item's questions as JSON (`linli_domain::catalog::Questions`).
    pub questions: String,
    /// When an admin retired it: no new orders since.
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
