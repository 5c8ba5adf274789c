//! Linli's schema: one migration set that runs on PostgreSQL and SQLite alike. Migrations use the schema
//! builder and never import entities, so an old migration stays what it was when an entity changes.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_map_and_catalog;
mod m20261127_000002_providers_and_accounts;
mod m20261127_000003_orders;
mod m20261127_000004_dispatch_engine;
mod m20261127_000005_dispatch_snapshot;
mod m20261127_000006_notifications;
mod m20261127_000007_volunteering;
mod m20261202_000008_identity;
mod m20261202_000009_audit;
mod m20261203_000010_questions;
mod m20261203_000011_visits;
mod m20261203_000012_ratings;
mod m20261203_000013_aftercare;
mod m20261207_000014_care_plans;
mod m20261207_000015_words;
mod m20261208_000016_intake;
mod m20261208_000017_availability;
mod m20261209_000018_street_workers;
mod m20261209_000019_decline_reasons;
mod m20261210_000020_retired_items;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_map_and_catalog::Migration),
            Box::new(m20261127_000002_providers_and_accounts::Migration),
            Box::new(m20261127_000003_orders::Migration),
            Box::new(m20261127_000004_dispatch_engine::Migration),
            Box::new(m20261127_000005_dispatch_snapshot::Migration),
            Box::new(m20261127_000006_notifications::Migration),
            Box::new(m20261127_000007_volunteering::Migration),
            Box::new(m20261202_000008_identity::Migration),
            Box::new(m20261202_000009_audit::Migration),
            Box::new(m20261203_000010_questions::Migration),
            Box::new(m20261203_000011_visits::Migration),
            Box::new(m20261203_000012_ratings::Migration),
            Box::new(m20261203_000013_aftercare::Migration),
            Box::new(m20261207_000014_care_plans::Migration),
            Box::new(m20261207_000015_words::Migration),
            Box::new(m20261208_000016_intake::Migration),
            Box::new(m20261208_000017_availability::Migration),
            Box::new(m20261209_000018_street_workers::Migration),
            Box::new(m20261209_000019_decline_reasons::Migration),
            Box::new(m20261210_000020_retired_items::Migration),
        ]
    }
}
