//! After the service: each completed order's follow-up by a community worker (回访), at most one, and each
//! complaint (投诉) against the provider that served it, at most one per order, with its deadline, its answer and
//! when it was escalated.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrderFollowUps {
    Table,
    OrderId,
    WorkerId,
    Outcome,
    Note,
    At,
}

#[derive(DeriveIden)]
enum Complaints {
    Table,
    Id,
    OrderId,
    ProviderId,
    CommunityId,
    OpenedBy,
    Text,
    OpenedAt,
    DueAt,
    State,
    Answer,
    AnsweredAt,
    AnsweredBy,
    EscalatedAt,
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
                .table(OrderFollowUps::Table)
                .col(uuid(OrderFollowUps::OrderId).primary_key())
                .col(uuid(OrderFollowUps::WorkerId))
                .col(string(OrderFollowUps::Outcome))
                .col(text_null(OrderFollowUps::Note))
                .col(timestamp_with_time_zone(OrderFollowUps::At))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_follow_ups_order")
                        .from(OrderFollowUps::Table, OrderFollowUps::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Complaints::Table)
                .col(uuid(Complaints::Id).primary_key())
                .col(uuid_uniq(Complaints::OrderId))
                .col(uuid(Complaints::ProviderId))
                .col(integer(Complaints::CommunityId))
                .col(uuid(Complaints::OpenedBy))
                .col(text(Complaints::Text))
                .col(timestamp_with_time_zone(Complaints::OpenedAt))
                .col(timestamp_with_time_zone(Complaints::DueAt))
                .col(string(Complaints::State))
                .col(text_null(Complaints::Answer))
                .col(timestamp_with_time_zone_null(Complaints::AnsweredAt))
                .col(uuid_null(Complaints::AnsweredBy))
                .col(timestamp_with_time_zone_null(Complaints::EscalatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_complaints_order")
                        .from(Complaints::Table, Complaints::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The escalation sweep reads open complaints by deadline.
        m.create_index(
            Index::create()
                .name("ix_complaints_state_due")
                .table(Complaints::Table)
                .col(Complaints::State)
                .col(Complaints::DueAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Complaints::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(OrderFollowUps::Table).to_owned()).await
    }
}
