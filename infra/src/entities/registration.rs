//! The `registrations` table: a Party member's registration (报到) with a residence community.

use sea_orm::entity::prelude::*;

use super::states::StoredRegistrationState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub community_id: i32,
    pub branch_id: Option<Uuid>,
    pub skills: String,
    pub state: StoredRegistrationState,
    /// The account while this is its confirmed registration; unique, so a member belongs to one community.
    #[sea_orm(unique)]
    pub current_account_id: Option<Uuid>,
    pub submitted_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    pub ended_at: Option<DateTimeUtc>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
