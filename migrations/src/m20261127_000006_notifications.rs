//! Notifications: each account's inbox, reminders due at a time, deliveries to the outside (webhooks, SMS) with
//! their retries and dead letters, organizations' webhook endpoints, and the record of each scheduled job's runs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InboxMessages {
    Table,
    Id,
    AccountId,
    Topic,
    Title,
    Body,
    OrderId,
    SourceKey,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Id,
    Kind,
    AccountId,
    OrderId,
    DueAt,
    State,
    Text,
    SourceKey,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    Channel,
    ProviderId,
    AccountId,
    EventType,
    Body,
    State,
    Attempts,
    NextAttemptAt,
    LastError,
    SourceKey,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    ProviderId,
    Url,
    Secret,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobRuns {
    Table,
    Job,
    LastSlot,
    LastStartedAt,
    LastFinishedAt,
    LastDurationMs,
    LastCount,
    LastError,
    Runs,
    Failures,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    ClaimedUntil,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // While one jobs process fans an outbox row out, the others leave it alone until this passes.
        m.alter_table(
            Table::alter()
                .table(Outbox::Table)
                .add_column(timestamp_with_time_zone_null(Outbox::ClaimedUntil))
                .to_owned(),
        )
        .await?;
        // Events from before notifications existed are history, not news: nobody is told of them now.
        m.get_connection()
            .execute_unprepared("UPDATE outbox SET delivered_at = created_at WHERE delivered_at IS NULL")
            .await?;
        m.create_table(
            Table::create()
                .table(InboxMessages::Table)
                .col(uuid(InboxMessages::Id).primary_key())
                .col(uuid(InboxMessages::AccountId))
                .col(string(InboxMessages::Topic))
                .col(string(InboxMessages::Title))
                .col(text(InboxMessages::Body))
                .col(uuid_null(InboxMessages::OrderId))
                .col(string(InboxMessages::SourceKey).unique_key())
                .col(timestamp_with_time_zone(InboxMessages::CreatedAt))
                .col(timestamp_with_time_zone_null(InboxMessages::ReadAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_inbox_messages_account")
                        .from(InboxMessages::Table, InboxMessages::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_inbox_messages_account_created")
                .table(InboxMessages::Table)
                .col(InboxMessages::AccountId)
                .col(InboxMessages::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Reminders::Table)
                .col(uuid(Reminders::Id).primary_key())
                .col(string(Reminders::Kind))
                .col(uuid(Reminders::AccountId))
                .col(uuid_null(Reminders::OrderId))
                .col(timestamp_with_time_zone(Reminders::DueAt))
                .col(string(Reminders::State))
                .col(text(Reminders::Text))
                .col(string(Reminders::SourceKey).unique_key())
                .col(timestamp_with_time_zone(Reminders::CreatedAt))
                .col(timestamp_with_time_zone_null(Reminders::SentAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_reminders_account")
                        .from(Reminders::Table, Reminders::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_reminders_state_due")
                .table(Reminders::Table)
                .col(Reminders::State)
                .col(Reminders::DueAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_reminders_order").table(Reminders::Table).col(Reminders::OrderId).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Deliveries::Table)
                .col(uuid(Deliveries::Id).primary_key())
                .col(string(Deliveries::Channel))
                .col(uuid_null(Deliveries::ProviderId))
                .col(uuid_null(Deliveries::AccountId))
                .col(string(Deliveries::EventType))
                .col(text(Deliveries::Body))
                .col(string(Deliveries::State))
                .col(integer(Deliveries::Attempts).default(0))
                .col(timestamp_with_time_zone(Deliveries::NextAttemptAt))
                .col(text_null(Deliveries::LastError))
                .col(string(Deliveries::SourceKey).unique_key())
                .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                .col(timestamp_with_time_zone_null(Deliveries::DeliveredAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_deliveries_state_next")
                .table(Deliveries::Table)
                .col(Deliveries::State)
                .col(Deliveries::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(uuid(WebhookEndpoints::ProviderId).primary_key())
                .col(string(WebhookEndpoints::Url))
                .col(string(WebhookEndpoints::Secret))
                .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_endpoints_provider")
                        .from(WebhookEndpoints::Table, WebhookEndpoints::ProviderId)
                        .to(Providers::Table, Providers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JobRuns::Table)
                .col(string(JobRuns::Job).primary_key())
                .col(timestamp_with_time_zone_null(JobRuns::LastSlot))
                .col(timestamp_with_time_zone_null(JobRuns::LastStartedAt))
                .col(timestamp_with_time_zone_null(JobRuns::LastFinishedAt))
                .col(big_integer(JobRuns::LastDurationMs).default(0))
                .col(big_integer(JobRuns::LastCount).default(0))
                .col(text_null(JobRuns::LastError))
                .col(big_integer(JobRuns::Runs).default(0))
                .col(big_integer(JobRuns::Failures).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            JobRuns::Table.into_iden(),
            WebhookEndpoints::Table.into_iden(),
            Deliveries::Table.into_iden(),
            Reminders::Table.into_iden(),
            InboxMessages::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.alter_table(Table::alter().table(Outbox::Table).drop_column(Outbox::ClaimedUntil).to_owned()).await
    }
}
