//! The `shifts` table: a shift (班次) of an occurrence.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shifts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub occurrence_id: Uuid,
    pub community_id: i32,
    pub title: String,
    pub place: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub capacity: i32,
    pub skills: String,
    pub members_only: bool,
    pub check_code: String,
    /// Sign-ups so far: each takes the next number as its place in the order of arrival.
    pub arrivals: i32,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::event::Entity", from = "Column::EventId", to = "super::event::Column::Id")]
    Event,
    #[sea_orm(
        belongs_to = "super::occurrence::Entity",
        from = "Column::OccurrenceId",
        to = "super::occurrence::Column::Id"
    )]
    Occurrence,
    #[sea_orm(has_many = "super::signup::Entity")]
    Signups,
}

impl Related<super::event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl Related<super::occurrence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Occurrence.def()
    }
}

impl Related<super::signup::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Signups.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
