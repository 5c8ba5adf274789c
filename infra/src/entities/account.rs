//! The `accounts` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub username: String,
    pub phone: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub provider_id: Option<Uuid>,
    pub community_id: Option<i32>,
    /// For a street worker: the street whose communities they look after.
    pub street_id: Option<i32>,
    pub demo: bool,
    pub created_at: DateTimeUtc,
    pub manager: bool,
    pub disabled_at: Option<DateTimeUtc>,
    /// The person deleted the account: its personal fields are gone, and it never works again.
    pub erased_at: Option<DateTimeUtc>,
    /// The language the person chose (`zh-CN` or `en`); none, Chinese.
    pub language: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
