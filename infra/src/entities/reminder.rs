//! The `reminders` table: a message due to one account at a time, sent once by whichever jobs process claims it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub account_id: Uuid,
    pub order_id: Option<Uuid>,
    /// The shift sign-up a shift reminder is for.
    pub signup_id: Option<Uuid>,
    pub due_at: DateTimeUtc,
    pub state: String,
    pub text: String,
    #[sea_orm(unique)]
    pub source_key: String,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
