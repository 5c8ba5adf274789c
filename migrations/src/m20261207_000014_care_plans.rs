//! Care plans (助餐计划 / 周期服务): a resident's recurring order, with its rules (how it repeats, the time, start
//! and end, paused and skipped dates, time changes) as one JSON column, its revision for compare-and-set
//! changes, and how far its visits are placed. Each visit is an ordinary order that names its plan, and the
//! provider dispatch offers it to first.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CarePlans {
    Table,
    Id,
    ResidentId,
    FiledBy,
    ItemId,
    CommunityId,
    Address,
    Lat,
    Lng,
    Notes,
    Answers,
    Rules,
    Revision,
    PlacedThrough,
    EndsOn,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    PlanId,
    PreferredProviderId,
    WindowStart,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CatalogItems {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Communities {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CarePlans::Table)
                .col(uuid(CarePlans::Id).primary_key())
                .col(uuid(CarePlans::ResidentId))
                .col(uuid(CarePlans::FiledBy))
                .col(integer(CarePlans::ItemId))
                .col(integer(CarePlans::CommunityId))
                .col(text(CarePlans::Address))
                .col(double(CarePlans::Lat))
                .col(double(CarePlans::Lng))
                .col(text(CarePlans::Notes))
                .col(text(CarePlans::Answers))
                .col(text(CarePlans::Rules))
                .col(integer(CarePlans::Revision).default(0))
                .col(date_null(CarePlans::PlacedThrough))
                // The rules' end, beside them, so that the extending step finds the plans still running.
                .col(date_null(CarePlans::EndsOn))
                .col(timestamp_with_time_zone(CarePlans::CreatedAt))
                .col(timestamp_with_time_zone(CarePlans::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_care_plans_resident")
                        .from(CarePlans::Table, CarePlans::ResidentId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_care_plans_item")
                        .from(CarePlans::Table, CarePlans::ItemId)
                        .to(CatalogItems::Table, CatalogItems::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_care_plans_community")
                        .from(CarePlans::Table, CarePlans::CommunityId)
                        .to(Communities::Table, Communities::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_care_plans_resident")
                .table(CarePlans::Table)
                .col(CarePlans::ResidentId)
                .col(CarePlans::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_care_plans_community")
                .table(CarePlans::Table)
                .col(CarePlans::CommunityId)
                .col(CarePlans::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_care_plans_placed")
                .table(CarePlans::Table)
                .col(CarePlans::PlacedThrough)
                .to_owned(),
        )
        .await?;
        // One column per statement: SQLite alters a table one change at a time. No foreign keys here: SQLite
        // adds a column with one only by rebuilding the table; the plan's rows are never deleted.
        m.alter_table(Table::alter().table(Orders::Table).add_column(uuid_null(Orders::PlanId)).to_owned()).await?;
        m.alter_table(
            Table::alter().table(Orders::Table).add_column(uuid_null(Orders::PreferredProviderId)).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_orders_plan")
                .table(Orders::Table)
                .col(Orders::PlanId)
                .col(Orders::WindowStart)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_orders_plan").table(Orders::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Orders::Table).drop_column(Orders::PreferredProviderId).to_owned()).await?;
        m.alter_table(Table::alter().table(Orders::Table).drop_column(Orders::PlanId).to_owned()).await?;
        m.drop_table(Table::drop().table(CarePlans::Table).to_owned()).await
    }
}
