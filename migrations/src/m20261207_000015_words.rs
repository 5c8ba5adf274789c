//! Words in the reader's language: each inbox message and reminder keeps what it says (a catalog key with its
//! facts, as JSON) beside the Chinese it was written in, so it is worded when read; an account keeps the
//! language its person chose (none: Chinese).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InboxMessages {
    Table,
    Message,
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Message,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Language,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        m.alter_table(
            Table::alter().table(InboxMessages::Table).add_column(text_null(InboxMessages::Message)).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table(Reminders::Table).add_column(text_null(Reminders::Message)).to_owned())
            .await?;
        m.alter_table(Table::alter().table(Accounts::Table).add_column(string_null(Accounts::Language)).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Accounts::Table).drop_column(Accounts::Language).to_owned()).await?;
        m.alter_table(Table::alter().table(Reminders::Table).drop_column(Reminders::Message).to_owned()).await?;
        m.alter_table(Table::alter().table(InboxMessages::Table).drop_column(InboxMessages::Message).to_owned()).await
    }
}
