//! 全科受理 (intake on behalf): a community worker keeps a record (档案) of a resident who has no app of their
//! own: where they live, the door, and a landline when that is how they are reached. The person is an account
//! without a password, so orders, texts and a later sign-in (by resetting the password with their mobile)
//! all work as for anyone. Orders are listed by community and by who filed them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ResidentRecords {
    Table,
    AccountId,
    CommunityId,
    Address,
    Landline,
    FiledBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    CommunityId,
    PlacedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ResidentRecords::Table)
                .col(uuid(ResidentRecords::AccountId).primary_key())
                .col(integer(ResidentRecords::CommunityId))
                .col(text_null(ResidentRecords::Address))
                // Digits only, so that a number typed with or without its dash finds the record.
                .col(string_null(ResidentRecords::Landline))
                .col(uuid(ResidentRecords::FiledBy))
                .col(timestamp_with_time_zone(ResidentRecords::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_resident_records_account")
                        .from(ResidentRecords::Table, ResidentRecords::AccountId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_resident_records_community")
                        .from(ResidentRecords::Table, ResidentRecords::CommunityId)
                        .to(Communities::Table, Communities::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_resident_records_landline")
                .table(ResidentRecords::Table)
                .col(ResidentRecords::Landline)
                .to_owned(),
        )
        .await?;
        // A worker's list of their area's orders, newest first, and of the orders they filed anywhere.
        m.create_index(
            Index::create()
                .name("ix_orders_community")
                .table(Orders::Table)
                .col(Orders::CommunityId)
                .col(Orders::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_orders_placed_by")
                .table(Orders::Table)
                .col(Orders::PlacedBy)
                .col(Orders::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_orders_placed_by").table(Orders::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_orders_community").table(Orders::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ResidentRecords::Table).to_owned()).await
    }
}
