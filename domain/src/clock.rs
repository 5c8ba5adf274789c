//! The clock port: the domain never reads the system time itself, so tests can move time instead of waiting.

use chrono::{DateTime, Utc};

/// Where "now" comes from.
pub trait Clock: Clone + Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// A clock that stands still until told to move; for tests of time-dependent rules.
#[derive(Clone, Debug)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
