//! The `signups` table: one person's place or wait-list place on a shift, and their attendance.

use sea_orm::entity::prelude::*;

use super::states::StoredSignupState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "signups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub shift_id: Uuid,
    pub account_id: Uuid,
    pub state: StoredSignupState,
    pub arrival: i32,
    pub signed_up_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub promoted_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub late_cancel: bool,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_out_at: Option<DateTimeUtc>,
    pub checked_by: Option<Uuid>,
    pub auto_closed: bool,
    pub no_show: bool,
    pub minutes: i32,
    /// Wrong check-in codes tried; past a few, only the organizer can record this person's attendance.
    pub code_failures: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::shift::Entity", from = "Column::ShiftId", to = "super::shift::Column::Id")]
    Shift,
}

impl Related<super::shift::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Shift.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
