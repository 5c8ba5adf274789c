//! The `problems` table: a community's problem (疑难问题) and the branch working it.

use sea_orm::entity::prelude::*;

use super::states::StoredProblemState;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "problems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: i32,
    pub title: String,
    pub details: String,
    pub state: StoredProblemState,
    pub posted_by: Uuid,
    pub posted_at: DateTimeUtc,
    pub branch_id: Option<Uuid>,
    pub taken_by: Option<Uuid>,
    pub taken_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
