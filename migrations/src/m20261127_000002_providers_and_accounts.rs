//! Providers with their items and coverage; accounts and their login sessions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
    Kind,
    Name,
    CreditCode,
    CommunityId,
    Lat,
    Lng,
    Rating,
    Capacity,
    Active,
    Demo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProviderItems {
    Table,
    ProviderId,
    ItemId,
}

#[derive(DeriveIden)]
enum ProviderCoverage {
    Table,
    ProviderId,
    CommunityId,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Username,
    Phone,
    DisplayName,
    PasswordHash,
    Role,
    ProviderId,
    CommunityId,
    Demo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    AccountId,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CatalogItems {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Providers::Table)
                .col(uuid(Providers::Id).primary_key())
                .col(string(Providers::Kind))
                .col(string(Providers::Name))
                .col(string_null(Providers::CreditCode).unique_key())
                .col(integer(Providers::CommunityId))
                .col(double(Providers::Lat))
                .col(double(Providers::Lng))
                .col(double(Providers::Rating))
                .col(integer(Providers::Capacity))
                .col(boolean(Providers::Active))
                .col(boolean(Providers::Demo).default(false))
                .col(timestamp_with_time_zone(Providers::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_providers_community")
                        .from(Providers::Table, Providers::CommunityId)
                        .to(Communities::Table, Communities::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ProviderItems::Table)
                .col(uuid(ProviderItems::ProviderId))
                .col(integer(ProviderItems::ItemId))
                .primary_key(Index::create().col(ProviderItems::ProviderId).col(ProviderItems::ItemId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_provider_items_provider")
                        .from(ProviderItems::Table, ProviderItems::ProviderId)
                        .to(Providers::Table, Providers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_provider_items_item")
                        .from(ProviderItems::Table, ProviderItems::ItemId)
                        .to(CatalogItems::Table, CatalogItems::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_provider_items_item")
                .table(ProviderItems::Table)
                .col(ProviderItems::ItemId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ProviderCoverage::Table)
                .col(uuid(ProviderCoverage::ProviderId))
                .col(integer(ProviderCoverage::CommunityId))
                .primary_key(Index::create().col(ProviderCoverage::ProviderId).col(ProviderCoverage::CommunityId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_provider_coverage_provider")
                        .from(ProviderCoverage::Table, ProviderCoverage::ProviderId)
                        .to(Providers::Table, Providers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_provider_coverage_community")
                        .from(ProviderCoverage::Table, ProviderCoverage::CommunityId)
                        .to(Communities::Table, Communities::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_provider_coverage_community")
                .table(ProviderCoverage::Table)
                .col(ProviderCoverage::CommunityId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(uuid(Accounts::Id).primary_key())
                .col(string_uniq(Accounts::Username))
                .col(string_null(Accounts::Phone).unique_key())
                .col(string(Accounts::DisplayName))
                .col(string(Accounts::PasswordHash))
                .col(string(Accounts::Role))
                .col(uuid_null(Accounts::ProviderId))
                .col(integer_null(Accounts::CommunityId))
                .col(boolean(Accounts::Demo).default(false))
                .col(timestamp_with_time_zone(Accounts::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_accounts_provider")
                        .from(Accounts::Table, Accounts::ProviderId)
                        .to(Providers::Table, Providers::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_accounts_community")
                        .from(Accounts::Table, Accounts::CommunityId)
                        .to(Communities::Table, Communities::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::TokenHash).primary_key())
                .col(uuid(Sessions::AccountId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_sessions_account")
                        .from(Sessions::Table, Sessions::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Sessions::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Accounts::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ProviderCoverage::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ProviderItems::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Providers::Table).to_owned()).await
    }
}
