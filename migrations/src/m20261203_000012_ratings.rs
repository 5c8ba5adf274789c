//! Residents' ratings of the providers that served them, one per order, and each provider's tally (how many
//! ratings, their stars added up) beside the smoothed `rating` ranking reads. A provider nobody has rated stands
//! at the prior, 4.0, rather than the 5.0 new providers were given before.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrderRatings {
    Table,
    OrderId,
    ProviderId,
    ResidentId,
    Stars,
    Comment,
    RatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Rating,
    RatingCount,
    RatingSum,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(OrderRatings::Table)
                .col(uuid(OrderRatings::OrderId).primary_key())
                .col(uuid(OrderRatings::ProviderId))
                .col(uuid(OrderRatings::ResidentId))
                .col(integer(OrderRatings::Stars))
                .col(text_null(OrderRatings::Comment))
                .col(timestamp_with_time_zone(OrderRatings::RatedAt))
                .col(timestamp_with_time_zone(OrderRatings::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_ratings_order")
                        .from(OrderRatings::Table, OrderRatings::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One column per statement: SQLite alters a table one change at a time.
        m.alter_table(
            Table::alter().table(Providers::Table).add_column(integer(Providers::RatingCount).default(0)).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Providers::Table).add_column(integer(Providers::RatingSum).default(0)).to_owned(),
        )
        .await?;
        let prior = Query::update()
            .table(Providers::Table)
            .value(Providers::Rating, 4.0)
            .and_where(Expr::col(Providers::RatingCount).eq(0))
            .to_owned();
        m.exec_stmt(prior).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Providers::Table).drop_column(Providers::RatingSum).to_owned()).await?;
        m.alter_table(Table::alter().table(Providers::Table).drop_column(Providers::RatingCount).to_owned()).await?;
        m.drop_table(Table::drop().table(OrderRatings::Table).to_owned()).await
    }
}
