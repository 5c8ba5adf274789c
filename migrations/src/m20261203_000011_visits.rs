//! The visit of each job (服务记录): when it started and ended, where the staff member's device said they were
//! and how far that was from the address, the service note, and the resident's verdict (pending until
//! `confirm_by`, confirmed, or disputed until a worker resolves it). Jobs done before have no row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrderVisits {
    Table,
    OrderId,
    StartedAt,
    StartLat,
    StartLng,
    StartDistanceM,
    CompletedAt,
    EndLat,
    EndLng,
    EndDistanceM,
    Note,
    Verdict,
    ConfirmBy,
    AnsweredAt,
    AnsweredBy,
    DisputeReason,
    ResolvedAt,
    ResolvedBy,
    Resolution,
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
                .table(OrderVisits::Table)
                .col(uuid(OrderVisits::OrderId).primary_key())
                .col(timestamp_with_time_zone_null(OrderVisits::StartedAt))
                .col(double_null(OrderVisits::StartLat))
                .col(double_null(OrderVisits::StartLng))
                .col(integer_null(OrderVisits::StartDistanceM))
                .col(timestamp_with_time_zone_null(OrderVisits::CompletedAt))
                .col(double_null(OrderVisits::EndLat))
                .col(double_null(OrderVisits::EndLng))
                .col(integer_null(OrderVisits::EndDistanceM))
                .col(text_null(OrderVisits::Note))
                .col(string_null(OrderVisits::Verdict))
                .col(timestamp_with_time_zone_null(OrderVisits::ConfirmBy))
                .col(timestamp_with_time_zone_null(OrderVisits::AnsweredAt))
                .col(uuid_null(OrderVisits::AnsweredBy))
                .col(text_null(OrderVisits::DisputeReason))
                .col(timestamp_with_time_zone_null(OrderVisits::ResolvedAt))
                .col(uuid_null(OrderVisits::ResolvedBy))
                .col(text_null(OrderVisits::Resolution))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_visits_order")
                        .from(OrderVisits::Table, OrderVisits::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The sweep confirming unanswered visits reads pending ones by due time.
        m.create_index(
            Index::create()
                .name("ix_order_visits_verdict_due")
                .table(OrderVisits::Table)
                .col(OrderVisits::Verdict)
                .col(OrderVisits::ConfirmBy)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(OrderVisits::Table).to_owned()).await
    }
}
