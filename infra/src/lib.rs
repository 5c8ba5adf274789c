//! Adapters for Linli's ports: the sea-orm store (PostgreSQL or SQLite), the dispatch queues (Redis or
//! in-process), password hashing and sessions, the system clock, and the demo data seed.

pub mod auth;
pub mod db;
mod entities;
pub mod outbound;
pub mod queue;
pub mod seed;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use chrono::{DateTime, Utc};
use linli_domain::clock::Clock;

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}
