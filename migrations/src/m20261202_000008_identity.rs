//! Identity: accounts that managers run, admins can disable and their owners can erase, login sessions grouped into refresh-token
//! families, refresh tokens (single use; a second use ends the family), the codes texted for signing up and
//! resetting a password (stored as digests), and invitations of staff to their organization.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Manager,
    DisabledAt,
    ErasedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    FamilyId,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    TokenHash,
    FamilyId,
    AccountId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum VerificationCodes {
    Table,
    Id,
    Phone,
    Purpose,
    /// Null when no code went out (a reset for a number without an account): the row only holds the number
    /// to the resend interval.
    Digest,
    SentAt,
    ExpiresAt,
    WrongTries,
    Spent,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    TokenHash,
    AccountId,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
}

async fn add(m: &SchemaManager<'_>, table: impl IntoIden, column: ColumnDef) -> Result<(), DbErr> {
    // One column per statement: SQLite adds only one at a time.
    m.alter_table(Table::alter().table(table).add_column(column).to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(m, Accounts::Table, boolean(Accounts::Manager).default(false).to_owned()).await?;
        add(m, Accounts::Table, timestamp_with_time_zone_null(Accounts::DisabledAt).to_owned()).await?;
        add(m, Accounts::Table, timestamp_with_time_zone_null(Accounts::ErasedAt).to_owned()).await?;
        add(m, Sessions::Table, uuid_null(Sessions::FamilyId).to_owned()).await?;
        m.create_index(
            Index::create().name("ix_sessions_family").table(Sessions::Table).col(Sessions::FamilyId).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(string(RefreshTokens::TokenHash).primary_key())
                .col(uuid(RefreshTokens::FamilyId))
                .col(uuid(RefreshTokens::AccountId))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_refresh_tokens_account")
                        .from(RefreshTokens::Table, RefreshTokens::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refresh_tokens_family")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::FamilyId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_refresh_tokens_account")
                .table(RefreshTokens::Table)
                .col(RefreshTokens::AccountId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(VerificationCodes::Table)
                .col(uuid(VerificationCodes::Id).primary_key())
                .col(string(VerificationCodes::Phone))
                .col(string(VerificationCodes::Purpose))
                .col(string_null(VerificationCodes::Digest))
                .col(timestamp_with_time_zone(VerificationCodes::SentAt))
                .col(timestamp_with_time_zone(VerificationCodes::ExpiresAt))
                .col(integer(VerificationCodes::WrongTries).default(0))
                .col(boolean(VerificationCodes::Spent).default(false))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_verification_codes_phone_purpose")
                .table(VerificationCodes::Table)
                .col(VerificationCodes::Phone)
                .col(VerificationCodes::Purpose)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(string(Invitations::TokenHash).primary_key())
                .col(uuid(Invitations::AccountId))
                .col(uuid(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_invitations_account")
                        .from(Invitations::Table, Invitations::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in
            [Invitations::Table.into_iden(), VerificationCodes::Table.into_iden(), RefreshTokens::Table.into_iden()]
        {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.drop_index(Index::drop().name("ix_sessions_family").table(Sessions::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Sessions::Table).drop_column(Sessions::FamilyId).to_owned()).await?;
        m.alter_table(Table::alter().table(Accounts::Table).drop_column(Accounts::ErasedAt).to_owned()).await?;
        m.alter_table(Table::alter().table(Accounts::Table).drop_column(Accounts::DisabledAt).to_owned()).await?;
        m.alter_table(Table::alter().table(Accounts::Table).drop_column(Accounts::Manager).to_owned()).await
    }
}
