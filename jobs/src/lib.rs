//! Linli's background work. For now, the dispatcher: it reads new and returned orders from the queue and turns
//! each into offers (or an escalation), expires offers nobody answered in time, and sweeps the store for orders
//! whose queue entry was lost.
//!
//! Each job is a single step (`dispatch_batch`, `expire_offers`, `requeue_stranded`) that the loop calls on a schedule and tests
//! call directly.

mod dispatcher;

pub use dispatcher::{Dispatcher, DispatcherConfig};
