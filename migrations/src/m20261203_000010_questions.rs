//! Each catalog item's own questions, and each order's answers to them, as JSON text (both databases read it
//! back the same way); and the provider's staff member named to come. Items and orders that came before have
//! no questions, answers or staff member named.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogItems {
    Table,
    Questions,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Answers,
    AssigneeId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        m.alter_table(
            Table::alter()
                .table(CatalogItems::Table)
                .add_column(text(CatalogItems::Questions).default("[]"))
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Orders::Table).add_column(text(Orders::Answers).default("[]")).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Orders::Table).add_column(uuid_null(Orders::AssigneeId)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Orders::Table).drop_column(Orders::AssigneeId).to_owned()).await?;
        m.alter_table(Table::alter().table(Orders::Table).drop_column(Orders::Answers).to_owned()).await?;
        m.alter_table(Table::alter().table(CatalogItems::Table).drop_column(CatalogItems::Questions).to_owned()).await
    }
}
