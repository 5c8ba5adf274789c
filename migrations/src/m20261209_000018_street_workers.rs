//! Street workers (街道工作者): a community worker's account may name a street instead of a community, and then
//! looks after every community of that street.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    StreetId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite cannot add a foreign key to an existing table; the account desk checks the street exists.
        m.alter_table(Table::alter().table(Accounts::Table).add_column(integer_null(Accounts::StreetId)).to_owned())
            .await?;
        // The morning digest and an escalation's fan-out look up a street's workers.
        m.create_index(
            Index::create().name("ix_accounts_street").table(Accounts::Table).col(Accounts::StreetId).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_accounts_street").table(Accounts::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Accounts::Table).drop_column(Accounts::StreetId).to_owned()).await
    }
}
