//! A catalog item an admin retired: it takes no new orders and is no longer listed, while the orders placed
//! before keep pointing at it. Items in service have none.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogItems {
    Table,
    RetiredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(CatalogItems::Table)
                .add_column(timestamp_with_time_zone_null(CatalogItems::RetiredAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(CatalogItems::Table).drop_column(CatalogItems::RetiredAt).to_owned()).await
    }
}
