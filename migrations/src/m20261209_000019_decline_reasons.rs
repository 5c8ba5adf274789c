//! Why a provider declined an offer, from the list its staff choose from, so that each provider's reasons can
//! be counted. Declines made before it have none.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrderOffers {
    Table,
    DeclineReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(OrderOffers::Table).add_column(text_null(OrderOffers::DeclineReason)).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(OrderOffers::Table).drop_column(OrderOffers::DeclineReason).to_owned()).await
    }
}
