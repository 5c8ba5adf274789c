//! The sea-orm store: one adapter for PostgreSQL and SQLite, implementing the order port and the read models
//! the API lists from.

mod accounts;
mod audit;
mod candidates;
mod catalog;
mod convert;
mod geo;
mod identity;
mod inbox;
mod notifications;
mod orders;
mod personal;
mod providers;
mod reports;
mod residents;
mod snapshot;
mod volunteering;

pub use identity::{NewTokens, Rotation};

use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};

use crate::db::DbContext;
use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;

/// The system of record. Cheap to clone: the connection pool is shared.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    /// Shared by the clones of one store, so a write through any of them is seen by all.
    snapshot: std::sync::Arc<snapshot::Snapshot>,
}

impl Store {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, snapshot: Default::default() }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins the transaction one unit of work runs in (a port method that must write or decide atomically), with
    /// what it is for as the context of any failure. Every adapter opens its transactions here.
    pub(crate) async fn begin(&self, what: &'static str) -> Result<DatabaseTransaction, Unexpected> {
        self.db.begin().await.context(what)
    }

    /// Adds the row `row` makes for the next free number of `column`, in one transaction that also tells
    /// dispatch on every replica and writes the audit entry naming it `{kind}:{number}`; tried again when
    /// another add took the number first. Returns the number.
    pub(crate) async fn add_numbered<E, A>(
        &self,
        what: &'static str,
        column: E::Column,
        kind: &str,
        row: impl Fn(i32) -> A + Send + Sync,
        audit: AuditEntry,
    ) -> Result<i32, Unexpected>
    where
        E: sea_orm::EntityTrait,
        A: sea_orm::ActiveModelTrait<Entity = E> + Send,
    {
        for _ in 0..NUMBERING_TRIES {
            let txn = self.begin(what).await?;
            let number = next_number::<E, _>(&txn, column).await.context(what)?;
            match E::insert(row(number)).exec_without_returning(&txn).await {
                // Another add took the number first: again, with the next.
                Err(e) if broke_a_key(&e) => continue,
                other => other.context(what)?,
            };
            Self::bump_dispatch_counter(&txn).await?;
            audit::append(&txn, &AuditEntry { object: format!("{kind}:{number}"), ..audit }).await?;
            txn.commit().await.context(what)?;
            return Ok(number);
        }
        Err(Unexpected::new(what, std::io::Error::other("other adds kept taking the next number")))
    }
}

/// How many times adding a hand-numbered row (an item, a street, a community) is tried again when another add
/// took the same number first.
const NUMBERING_TRIES: usize = 5;

/// The next free number of a table numbered by hand (the demo's ids are fixed, so the tables have no sequence):
/// one past the highest. Two adds at the same moment may both read it; the second insert then breaks the key,
/// and its caller tries again.
async fn next_number<E, C>(db: &C, column: E::Column) -> Result<i32, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QuerySelect};
    let last: Option<Option<i32>> =
        E::find().select_only().column_as(column.max(), "last").into_tuple().one(db).await?;
    Ok(last.flatten().unwrap_or(0) + 1)
}

/// Whether a write broke a unique key.
fn broke_a_key(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

impl linli_domain::health::Reachable for Store {
    fn name(&self) -> &'static str {
        "database"
    }

    /// A round trip to the database.
    async fn reach(&self) -> Result<(), Unexpected> {
        self.db.execute_unprepared("SELECT 1").await.map(|_| ()).context("pinging the database")
    }
}
