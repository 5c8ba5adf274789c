//! Readiness: whether the services Linli stands on answer. The database must: without it nothing works. The
//! queue is reported but does not decide: without Redis, orders are still recorded (and queued when it is back)
//! and everything else answers, so a readiness probe must not take every replica out of service for it.

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

/// How the process stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Every service answers.
    Ready,
    /// The database answers, the queue does not: requests are served, dispatch waits for the queue.
    Degraded,
    /// The database does not answer.
    NotReady,
}

impl Readiness {
    /// Whether the process should receive traffic.
    pub fn serves(self) -> bool {
        self != Readiness::NotReady
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Ready => "ready",
            Readiness::Degraded => "degraded",
            Readiness::NotReady => "not ready",
        }
    }
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

    /// Each service's answer, the database first.
    pub async fn readiness(&self) -> (Readiness, Vec<Check>) {
        let (database, queue) = (check(&self.database).await, check(&self.queue).await);
        let readiness = match (database.ok, queue.ok) {
            (false, _) => Readiness::NotReady,
            (true, false) => Readiness::Degraded,
            (true, true) => Readiness::Ready,
        };
        (readiness, vec![database, queue])
    }
}

async fn check(service: &impl Reachable) -> Check {
    let answer = service.reach().await;
    Check { name: service.name(), ok: answer.is_ok(), detail: answer.err().map(|e| e.to_string()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Unavailable;

    #[derive(Clone)]
    struct Service(&'static str, bool);

    impl Reachable for Service {
        fn name(&self) -> &'static str {
            self.0
        }

        async fn reach(&self) -> Result<(), Unexpected> {
            if self.1 { Ok(()) } else { Err(Unexpected::new("pinging", Unavailable(self.0))) }
        }
    }

    fn readiness(database: bool, queue: bool) -> (Readiness, Vec<Check>) {
        use futures_util::FutureExt;
        let desk = HealthDesk::new(Service("database", database), Service("Redis", queue));
        desk.readiness().now_or_never().expect("the fakes never wait")
    }

    #[test]
    fn a_process_whose_services_all_answer_is_ready() {
        assert_eq!(readiness(true, true).0, Readiness::Ready);
    }

    #[test]
    fn a_process_without_its_queue_is_degraded_and_still_serves() {
        let (readiness, checks) = readiness(true, false);
        assert_eq!(readiness, Readiness::Degraded);
        assert!(readiness.serves());
        assert_eq!((checks[1].name, checks[1].ok), ("Redis", false));
        assert!(checks[1].detail.as_deref().is_some_and(|d| d.contains("Redis")), "{checks:?}");
    }

    #[test]
    fn a_process_without_its_database_is_not_ready_whatever_the_queue() {
        for queue in [true, false] {
            let (readiness, _) = readiness(false, queue);
            assert_eq!(readiness, Readiness::NotReady);
            assert!(!readiness.serves());
        }
    }
}
