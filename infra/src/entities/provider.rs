//! The `providers` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "providers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    /// The smoothed rating ranking reads, kept with the tally it comes from.
    pub rating: f64,
    pub rating_count: i32,
    pub rating_sum: i32,
    pub capacity: i32,
    pub active: bool,
    pub radius_m: Option<f64>,
    /// Per weekday `HH:MM-HH:MM` or `-`, Monday first, separated by commas; empty for always.
    pub working_hours: String,
    pub target_share: f64,
    pub demo: bool,
    pub created_at: DateTimeUtc,
    /// Since when its managers have paused new offers; none while it takes them.
    pub paused_since: Option<DateTimeUtc>,
    /// Closed dates, `YYYY-MM-DD` separated by commas, in order; empty for none.
    pub closed_dates: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
