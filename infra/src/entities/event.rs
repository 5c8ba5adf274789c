//! The `events` table: an event, one-off or a recurring series such as the Dedication Day.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: i32,
    pub title: String,
    pub description: String,
    pub recurrence: String,
    pub first_date: Date,
    pub until_date: Option<Date>,
    pub dedication_day: bool,
    /// The shifts each occurrence gets, as JSON.
    pub shift_plan: String,
    pub generated_through: Date,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::shift::Entity")]
    Shifts,
}

impl Related<super::shift::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Shifts.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
