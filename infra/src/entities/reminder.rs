//! The `reminders` table: a message due to one account at a time, sent once by whichever jobs process claims it.

use sea_orm::entity::prelude::*;

use super::states::StoredReminderState;

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
    pub state: StoredReminderState,
    pub text: String,
    /// What the reminder says as a catalog key with its facts (JSON), worded when sent.
    pub message: Option<String>,
    #[sea_orm(unique)]
    pub source_key: String,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::order::Entity", from = "Column::OrderId", to = "super::order::Column::Id")]
    Order,
    #[sea_orm(belongs_to = "super::signup::Entity", from = "Column::SignupId", to = "super::signup::Column::Id")]
    Signup,
}

impl Related<super::order::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Order.def()
    }
}

impl Related<super::signup::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Signup.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
