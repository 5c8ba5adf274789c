//! Readiness: whether the services Linli stands on answer. The database must; the queue is reported, so that
//! an operator sees which one is down.

use std::future::Future;

use crate::error::Unexpected;

/// A backing service that can be asked whether it answers.
pub trait Reachable: Clone + Send + Sync + 'static {
    /// What it is, as a readiness check names it (`database`, `Redis`, `in-process queue`).
    fn name(&self) -> &'static str;

    fn reach(&self) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// One service's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// Why not, when it did not answer.
    pub detail: Option<String>,
}

/// The readiness use case over the database `D` and the queue `Q`.
#[derive(Clone)]
pub struct HealthDesk<D, Q> {
    pub database: D,
    pub queue: Q,
}

impl<D: Reachable, Q: Reachable> HealthDesk<D, Q> {
    pub fn new(database: D, queue: Q) -> Self {
        Self { database, queue }
    }

    /// Each service's answer, the database first; ready when all answered.
    pub async fn readiness(&self) -> (bool, Vec<Check>) {
        let checks = vec![check(&self.database).await, check(&self.queue).await];
        (checks.iter().all(|c| c.ok), checks)
    }
}

async fn check(service: &impl Reachable) -> Check {
    let answer = service.reach().await;
    Check { name: service.name(), ok: answer.is_ok(), detail: answer.err().map(|e| e.to_string()) }
}
