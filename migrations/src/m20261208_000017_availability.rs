//! A provider's own say over how it takes orders: a pause of all new offers (since when), and the dates it is
//! closed, beside the weekly hours and capacity it already has.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Providers {
    Table,
    PausedSince,
    ClosedDates,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        m.alter_table(
            Table::alter()
                .table(Providers::Table)
                .add_column(timestamp_with_time_zone_null(Providers::PausedSince))
                .to_owned(),
        )
        .await?;
        // `YYYY-MM-DD` dates separated by commas, in order; empty for none.
        m.alter_table(
            Table::alter().table(Providers::Table).add_column(text(Providers::ClosedDates).default("")).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Providers::Table).drop_column(Providers::ClosedDates).to_owned()).await?;
        m.alter_table(Table::alter().table(Providers::Table).drop_column(Providers::PausedSince).to_owned()).await
    }
}
