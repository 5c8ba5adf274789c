//! The map (districts, streets, communities) and the service catalog.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
    Name,
    Lat,
    Lng,
    Demo,
}

#[derive(DeriveIden)]
enum Streets {
    Table,
    Id,
    DistrictId,
    Name,
    Lat,
    Lng,
    Demo,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
    StreetId,
    Name,
    Lat,
    Lng,
    Demo,
}

#[derive(DeriveIden)]
enum CatalogItems {
    Table,
    Id,
    Code,
    Name,
    Category,
    Description,
    Mode,
    DurationMinutes,
    PriceFen,
    Demo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Districts::Table)
                .col(integer(Districts::Id).primary_key())
                .col(string(Districts::Name))
                .col(double(Districts::Lat))
                .col(double(Districts::Lng))
                .col(boolean(Districts::Demo).default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Streets::Table)
                .col(integer(Streets::Id).primary_key())
                .col(integer(Streets::DistrictId))
                .col(string(Streets::Name))
                .col(double(Streets::Lat))
                .col(double(Streets::Lng))
                .col(boolean(Streets::Demo).default(false))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_streets_district")
                        .from(Streets::Table, Streets::DistrictId)
                        .to(Districts::Table, Districts::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_streets_district").table(Streets::Table).col(Streets::DistrictId).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Communities::Table)
                .col(integer(Communities::Id).primary_key())
                .col(integer(Communities::StreetId))
                .col(string(Communities::Name))
                .col(double(Communities::Lat))
                .col(double(Communities::Lng))
                .col(boolean(Communities::Demo).default(false))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_communities_street")
                        .from(Communities::Table, Communities::StreetId)
                        .to(Streets::Table, Streets::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_communities_street")
                .table(Communities::Table)
                .col(Communities::StreetId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CatalogItems::Table)
                .col(integer(CatalogItems::Id).primary_key())
                .col(string_uniq(CatalogItems::Code))
                .col(string(CatalogItems::Name))
                .col(string(CatalogItems::Category))
                .col(string(CatalogItems::Description))
                .col(string(CatalogItems::Mode))
                .col(integer(CatalogItems::DurationMinutes))
                .col(big_integer(CatalogItems::PriceFen))
                .col(boolean(CatalogItems::Demo).default(false))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_catalog_items_category")
                .table(CatalogItems::Table)
                .col(CatalogItems::Category)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CatalogItems::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Communities::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Streets::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Districts::Table).to_owned()).await
    }
}
