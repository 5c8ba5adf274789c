//! What the dispatch engine needs: how each item is dispatched, where and when providers work, fairness
//! weights, whole-street coverage, and per order the scope and round of dispatch and each offer's explanation.
//! SQLite adds one column per ALTER TABLE, so each column is its own statement.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CatalogItems {
    Table,
    OfferTtlSeconds,
    BroadcastK,
    MaxRounds,
    Routing,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
    RadiusM,
    WorkingHours,
    TargetShare,
}

#[derive(DeriveIden)]
enum ProviderStreets {
    Table,
    ProviderId,
    StreetId,
}

#[derive(DeriveIden)]
enum Streets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Scope,
    Round,
    AcceptBy,
    HighRisk,
}

#[derive(DeriveIden)]
enum OrderOffers {
    Table,
    Explanation,
    Status,
    Deadline,
}

async fn add(m: &SchemaManager<'_>, table: impl IntoIden + 'static, column: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(Table::alter().table(table).add_column(column).to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(m, CatalogItems::Table, integer_null(CatalogItems::OfferTtlSeconds).to_owned()).await?;
        add(m, CatalogItems::Table, integer(CatalogItems::BroadcastK).default(3).to_owned()).await?;
        add(m, CatalogItems::Table, integer(CatalogItems::MaxRounds).default(3).to_owned()).await?;
        add(m, CatalogItems::Table, string(CatalogItems::Routing).default("standard").to_owned()).await?;
        add(m, Providers::Table, double_null(Providers::RadiusM).to_owned()).await?;
        add(m, Providers::Table, string(Providers::WorkingHours).default("").to_owned()).await?;
        add(m, Providers::Table, double(Providers::TargetShare).default(1.0).to_owned()).await?;
        add(m, Orders::Table, string(Orders::Scope).default("community").to_owned()).await?;
        add(m, Orders::Table, integer(Orders::Round).default(0).to_owned()).await?;
        add(m, Orders::Table, timestamp_with_time_zone_null(Orders::AcceptBy).to_owned()).await?;
        add(m, Orders::Table, boolean(Orders::HighRisk).default(false).to_owned()).await?;
        add(m, OrderOffers::Table, string(OrderOffers::Explanation).default("").to_owned()).await?;
        m.create_table(
            Table::create()
                .table(ProviderStreets::Table)
                .col(uuid(ProviderStreets::ProviderId))
                .col(integer(ProviderStreets::StreetId))
                .primary_key(Index::create().col(ProviderStreets::ProviderId).col(ProviderStreets::StreetId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_provider_streets_provider")
                        .from(ProviderStreets::Table, ProviderStreets::ProviderId)
                        .to(Providers::Table, Providers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_provider_streets_street")
                        .from(ProviderStreets::Table, ProviderStreets::StreetId)
                        .to(Streets::Table, Streets::Id),
                )
                .to_owned(),
        )
        .await?;
        // The expiry sweep looks for open offers past their deadline.
        m.create_index(
            Index::create()
                .name("ix_order_offers_status_deadline")
                .table(OrderOffers::Table)
                .col(OrderOffers::Status)
                .col(OrderOffers::Deadline)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_order_offers_status_deadline").table(OrderOffers::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ProviderStreets::Table).to_owned()).await?;
        let drops: [(DynIden, DynIden); 12] = [
            (OrderOffers::Table.into_iden(), OrderOffers::Explanation.into_iden()),
            (Orders::Table.into_iden(), Orders::HighRisk.into_iden()),
            (Orders::Table.into_iden(), Orders::AcceptBy.into_iden()),
            (Orders::Table.into_iden(), Orders::Round.into_iden()),
            (Orders::Table.into_iden(), Orders::Scope.into_iden()),
            (Providers::Table.into_iden(), Providers::TargetShare.into_iden()),
            (Providers::Table.into_iden(), Providers::WorkingHours.into_iden()),
            (Providers::Table.into_iden(), Providers::RadiusM.into_iden()),
            (CatalogItems::Table.into_iden(), CatalogItems::Routing.into_iden()),
            (CatalogItems::Table.into_iden(), CatalogItems::MaxRounds.into_iden()),
            (CatalogItems::Table.into_iden(), CatalogItems::BroadcastK.into_iden()),
            (CatalogItems::Table.into_iden(), CatalogItems::OfferTtlSeconds.into_iden()),
        ];
        for (table, column) in drops {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
