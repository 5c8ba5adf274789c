//! The audit log: admins' and workers' actions with who, what, when, and the before and after of what
//! changed, as JSON text (both databases read it back the same way).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    Action,
    Object,
    Before,
    After,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(uuid(AuditLog::Id).primary_key())
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(uuid(AuditLog::ActorId))
                .col(string(AuditLog::Action))
                .col(string(AuditLog::Object))
                .col(text_null(AuditLog::Before))
                .col(text_null(AuditLog::After))
                .to_owned(),
        )
        .await?;
        for (name, column) in [
            ("ix_audit_log_actor", AuditLog::ActorId),
            ("ix_audit_log_action", AuditLog::Action),
            ("ix_audit_log_object", AuditLog::Object),
        ] {
            m.create_index(Index::create().name(name).table(AuditLog::Table).col(column).col(AuditLog::Id).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await
    }
}
