//! The `communities` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "communities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub street_id: i32,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    pub demo: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::street::Entity", from = "Column::StreetId", to = "super::street::Column::Id")]
    Street,
}

impl Related<super::street::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Street.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
