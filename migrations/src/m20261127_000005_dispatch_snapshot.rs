//! What keeps dispatch's reads cheap however many orders there have been:
//! - a change counter that every write to providers or the catalog bumps, so dispatch can keep a snapshot of
//!   them in memory and know when it is out of date;
//! - offers counted per provider per day as they are made, so the fairness count of the last 30 days reads at
//!   most 31 rows per provider instead of every offer;
//! - an index for the jobs a provider holds now.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChangeCounters {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum ProviderOfferDays {
    Table,
    ProviderId,
    Day,
    Offers,
    LastOfferedAt,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    ProviderId,
    State,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ChangeCounters::Table)
                .col(string(ChangeCounters::Name).primary_key())
                .col(big_integer(ChangeCounters::Value).default(0))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(ChangeCounters::Table)
                .columns([ChangeCounters::Name, ChangeCounters::Value])
                .values_panic(["dispatch".into(), 0i64.into()])
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ProviderOfferDays::Table)
                .col(uuid(ProviderOfferDays::ProviderId))
                .col(date(ProviderOfferDays::Day))
                .col(big_integer(ProviderOfferDays::Offers))
                .col(timestamp_with_time_zone(ProviderOfferDays::LastOfferedAt))
                .primary_key(Index::create().col(ProviderOfferDays::ProviderId).col(ProviderOfferDays::Day))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_provider_offer_days_provider")
                        .from(ProviderOfferDays::Table, ProviderOfferDays::ProviderId)
                        .to(Providers::Table, Providers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Offers made before this migration, counted by their UTC day.
        let day = match m.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "(offered_at AT TIME ZONE 'UTC')::date",
            _ => "date(offered_at)",
        };
        m.get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO provider_offer_days (provider_id, day, offers, last_offered_at) \
                 SELECT provider_id, {day}, COUNT(*), MAX(offered_at) FROM order_offers GROUP BY provider_id, {day}"
            ))
            .await?;
        m.create_index(
            Index::create()
                .name("ix_orders_provider_state")
                .table(Orders::Table)
                .col(Orders::ProviderId)
                .col(Orders::State)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_orders_provider_state").table(Orders::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ProviderOfferDays::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ChangeCounters::Table).to_owned()).await
    }
}
