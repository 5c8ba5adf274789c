//! Connecting to the system of record and bringing its schema up to date.

use std::path::Path;
use std::time::Duration;

use linli_domain::error::{Unavailable, Unexpected};
use linli_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Opens PostgreSQL (`postgres://…`) or SQLite (`sqlite://…`).
///
/// SQLite gets one pooled connection: it allows one writer at a time anyway, and a single connection turns
/// every would-be "database is locked" into an orderly wait. WAL lets readers of other processes go on.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        opts.max_connections(1).min_connections(1).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    } else {
        opts.max_connections(max_connections).min_connections(1);
    }
    Database::connect(opts).await
}

/// The URL of the embedded default's database file inside `data_dir`.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("linli.sqlite").display())
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// How many migrations the database has not had yet.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, DbErr> {
    Ok(Migrator::get_pending_migrations_read_only(db).await?.len())
}

/// Wraps a database error with what was being attempted; a lost connection is marked unavailable so the edge
/// answers 503 instead of 500.
/// Says what was being attempted when a database call failed: `.context("signing up for a shift")?`. A lost
/// connection becomes "the database is unavailable" (a 503 at the edge); anything else keeps its cause.
pub(crate) trait DbContext<T> {
    fn context(self, what: &'static str) -> Result<T, Unexpected>;
}

impl<T> DbContext<T> for Result<T, DbErr> {
    fn context(self, what: &'static str) -> Result<T, Unexpected> {
        self.map_err(db_err(what))
    }
}

pub(crate) fn db_err(context: &'static str) -> impl FnOnce(DbErr) -> Unexpected {
    move |e| match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Unexpected::new(context, Unavailable("the database")),
        DbErr::Exec(ref inner) | DbErr::Query(ref inner) if is_io(inner) => {
            Unexpected::new(context, Unavailable("the database"))
        }
        other => Unexpected::new(context, other),
    }
}

fn is_io(e: &sea_orm::RuntimeErr) -> bool {
    match e {
        sea_orm::RuntimeErr::SqlxError(inner) => {
            matches!(
                inner.as_ref(),
                sea_orm::sqlx::Error::Io(_) | sea_orm::sqlx::Error::PoolTimedOut | sea_orm::sqlx::Error::PoolClosed
            )
        }
        _ => false,
    }
}
