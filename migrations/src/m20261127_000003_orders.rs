//! Orders, their history, the offers made for them, and the outbox that order events are written to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    ResidentId,
    PlacedBy,
    ItemId,
    CommunityId,
    Address,
    Lat,
    Lng,
    WindowStart,
    WindowEnd,
    Notes,
    State,
    ProviderId,
    IdempotencyKey,
    RequestFingerprint,
    RequeuedAt,
    PlacedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderEvents {
    Table,
    Id,
    OrderId,
    At,
    FromState,
    ToState,
    ActorId,
    Note,
}

#[derive(DeriveIden)]
enum OrderOffers {
    Table,
    OrderId,
    ProviderId,
    Status,
    OfferedAt,
    Deadline,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Topic,
    Payload,
    CreatedAt,
    DeliveredAt,
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

#[derive(DeriveIden)]
enum Providers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Orders::Table)
                .col(uuid(Orders::Id).primary_key())
                .col(uuid(Orders::ResidentId))
                .col(uuid(Orders::PlacedBy))
                .col(integer(Orders::ItemId))
                .col(integer(Orders::CommunityId))
                .col(string(Orders::Address))
                .col(double(Orders::Lat))
                .col(double(Orders::Lng))
                .col(timestamp_with_time_zone_null(Orders::WindowStart))
                .col(timestamp_with_time_zone_null(Orders::WindowEnd))
                .col(string(Orders::Notes))
                .col(string(Orders::State))
                .col(uuid_null(Orders::ProviderId))
                .col(string_null(Orders::IdempotencyKey))
                .col(string_null(Orders::RequestFingerprint))
                .col(timestamp_with_time_zone_null(Orders::RequeuedAt))
                .col(timestamp_with_time_zone(Orders::PlacedAt))
                .col(timestamp_with_time_zone(Orders::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_resident")
                        .from(Orders::Table, Orders::ResidentId)
                        .to(Accounts::Table, Accounts::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_item")
                        .from(Orders::Table, Orders::ItemId)
                        .to(CatalogItems::Table, CatalogItems::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_community")
                        .from(Orders::Table, Orders::CommunityId)
                        .to(Communities::Table, Communities::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_orders_provider")
                        .from(Orders::Table, Orders::ProviderId)
                        .to(Providers::Table, Providers::Id),
                )
                .to_owned(),
        )
        .await?;
        // The same key from the same resident returns the same order; enforced here so that two racing
        // requests with one key cannot both insert.
        m.create_index(
            Index::create()
                .name("ux_orders_resident_idempotency_key")
                .table(Orders::Table)
                .col(Orders::ResidentId)
                .col(Orders::IdempotencyKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_orders_state_placed")
                .table(Orders::Table)
                .col(Orders::State)
                .col(Orders::PlacedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_orders_provider").table(Orders::Table).col(Orders::ProviderId).to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OrderEvents::Table)
                .col(uuid(OrderEvents::Id).primary_key())
                .col(uuid(OrderEvents::OrderId))
                .col(timestamp_with_time_zone(OrderEvents::At))
                .col(string_null(OrderEvents::FromState))
                .col(string(OrderEvents::ToState))
                .col(uuid_null(OrderEvents::ActorId))
                .col(string(OrderEvents::Note))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_events_order")
                        .from(OrderEvents::Table, OrderEvents::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_order_events_order")
                .table(OrderEvents::Table)
                .col(OrderEvents::OrderId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OrderOffers::Table)
                .col(uuid(OrderOffers::OrderId))
                .col(uuid(OrderOffers::ProviderId))
                .col(string(OrderOffers::Status))
                .col(timestamp_with_time_zone(OrderOffers::OfferedAt))
                .col(timestamp_with_time_zone(OrderOffers::Deadline))
                .primary_key(Index::create().col(OrderOffers::OrderId).col(OrderOffers::ProviderId))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_offers_order")
                        .from(OrderOffers::Table, OrderOffers::OrderId)
                        .to(Orders::Table, Orders::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_order_offers_provider")
                        .from(OrderOffers::Table, OrderOffers::ProviderId)
                        .to(Providers::Table, Providers::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_order_offers_provider_status")
                .table(OrderOffers::Table)
                .col(OrderOffers::ProviderId)
                .col(OrderOffers::Status)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(uuid(Outbox::Id).primary_key())
                .col(string(Outbox::Topic))
                .col(text(Outbox::Payload))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::DeliveredAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outbox_undelivered")
                .table(Outbox::Table)
                .col(Outbox::DeliveredAt)
                .col(Outbox::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Outbox::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(OrderOffers::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(OrderEvents::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Orders::Table).to_owned()).await
    }
}
