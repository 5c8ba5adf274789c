//! The `inbox_messages` table: what each account is told in the app, read or not.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub topic: String,
    pub title: String,
    pub body: String,
    /// What the message says as a catalog key with its facts (JSON), worded when read.
    pub message: Option<String>,
    pub order_id: Option<Uuid>,
    /// What caused the message (an event or reminder and the recipient), unique, so nothing is told twice.
    #[sea_orm(unique)]
    pub source_key: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
