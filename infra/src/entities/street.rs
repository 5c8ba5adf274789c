//! The `streets` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "streets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub district_id: i32,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    pub demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::community::Entity")]
    Communities,
}

impl Related<super::community::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Communities.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
