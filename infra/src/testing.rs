//! Test support (feature `testing`): a fresh database per test, so tests run in parallel without seeing each
//! other's rows. PostgreSQL comes from `LINLI_TEST_POSTGRES` (default postgres://postgres@127.0.0.1:5432/postgres,
//! used only to create the test databases); Redis from `LINLI_TEST_REDIS` (default redis://127.0.0.1:6379). Also the
//! audit entry a test's own set-up writes.

use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

/// The name every test database starts with, so a test run can clean up the last run's.
pub const TEST_DATABASE_PREFIX: &str = "linli_test_";

pub fn postgres_admin_url() -> String {
    std::env::var("LINLI_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub fn redis_url() -> String {
    std::env::var("LINLI_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A Redis key prefix no other test uses.
pub fn fresh_redis_prefix() -> String {
    format!("linli-test-{}", Uuid::new_v4().simple())
}

/// Creates an empty PostgreSQL database and returns its URL. Panics with a clear message when PostgreSQL
/// cannot be reached: these tests need the real thing.
pub async fn fresh_postgres_database() -> String {
    let admin_url = postgres_admin_url();
    let admin = Database::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {admin_url} (set LINLI_TEST_POSTGRES): {e}"));
    let name = format!("{TEST_DATABASE_PREFIX}{}", Uuid::new_v4().simple());
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("creating a test database");
    admin.close().await.ok();
    match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("LINLI_TEST_POSTGRES must end with a database name"),
    }
}

/// A SQLite file in a fresh temporary folder; the folder is returned so the caller can keep it alive.
pub fn fresh_sqlite_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("linli-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("creating a temporary folder");
    dir
}

/// The audit entry of a test's own set-up (a provider registered, a policy changed), made by an admin who is
/// nobody in particular.
pub fn set_up_by_hand() -> linli_domain::audit::AuditEntry {
    let admin = linli_domain::accounts::Actor {
        account: linli_domain::accounts::AccountId(Uuid::nil()),
        role: linli_domain::accounts::Role::Admin,
        provider: None,
        community: None,
        street: None,
    };
    linli_domain::audit::AuditEntry::new(&admin, chrono::Utc::now(), "provider.created", String::new())
}
