//! Adapters for Linli's ports: the sea-orm store (PostgreSQL or SQLite), the dispatch queues (Redis or
//! in-process), password hashing and sessions, the system clock, and the demo data seed.

pub mod auth;
pub mod broadcast;
pub mod db;
mod entities;
pub mod limits;
pub mod live;
pub mod outbound;
pub mod queue;
pub mod seed;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};
use linli_domain::clock::Clock;

/// The real clock, which the code that built it can move forward: `now()` is the system time plus an offset
/// that starts at zero. Clones share the offset, so every use case and job of one process sees one time. The
/// `linli` binary never moves it; the test harness does, so that tests move time instead of waiting.
#[derive(Clone, Debug, Default)]
pub struct SystemClock {
    offset_ms: Arc<AtomicI64>,
}

impl SystemClock {
    /// Moves this clock, and every clone of it, `by` ahead.
    pub fn advance(&self, by: chrono::TimeDelta) {
        self.offset_ms.fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::TimeDelta::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }
}
