//! The dispatch queue port's adapters: Redis Streams and sorted sets in production, an in-process queue for
//! the embedded default. [`AnyQueue`] lets the composition root pick one at start-up.

mod memory;
mod redis;

pub use memory::MemoryQueue;
pub use redis::{RedisQueue, RedisQueueConfig};

use std::time::Duration;

use chrono::{DateTime, Utc};
use linli_domain::dispatch::{ClaimOutcome, Delivery, DispatchQueue};
use linli_domain::error::Unexpected;
use linli_domain::orders::OrderId;
use linli_domain::providers::ProviderId;

/// How long a claim holds in the queue before the store must have settled it; a claimant that crashed between
/// the queue and the store does not block the order for longer than this.
pub const CLAIM_TTL: Duration = Duration::from_secs(60);

/// How long a readiness check waits for the queue to answer.
pub const READINESS_WAIT: Duration = Duration::from_millis(500);

/// The queue chosen by configuration.
#[derive(Clone)]
pub enum AnyQueue {
    Memory(MemoryQueue),
    Redis(RedisQueue),
}

impl AnyQueue {
    pub fn describe(&self) -> &'static str {
        match self {
            AnyQueue::Memory(_) => "in-process queue",
            AnyQueue::Redis(_) => "Redis",
        }
    }
}

impl linli_domain::health::Reachable for AnyQueue {
    fn name(&self) -> &'static str {
        self.describe()
    }

    /// Gives up after [`READINESS_WAIT`]: a Redis whose address does not answer at all would otherwise hold a
    /// readiness probe past its own timeout, and take the replica out of service for what is only degraded.
    async fn reach(&self) -> Result<(), Unexpected> {
        match tokio::time::timeout(READINESS_WAIT, DispatchQueue::ping(self)).await {
            Ok(answer) => answer,
            Err(_) => Err(Unexpected::new("pinging the queue", linli_domain::error::Unavailable("Redis"))),
        }
    }
}

macro_rules! delegate {
    ($self:ident, $q:ident => $call:expr) => {
        match $self {
            AnyQueue::Memory($q) => $call.await,
            AnyQueue::Redis($q) => $call.await,
        }
    };
}

impl DispatchQueue for AnyQueue {
    async fn enqueue(&self, order: OrderId) -> Result<(), Unexpected> {
        delegate!(self, q => q.enqueue(order))
    }

    async fn receive(
        &self,
        consumer: &str,
        max: usize,
        wait: Duration,
        reclaim_after: Duration,
    ) -> Result<Vec<Delivery>, Unexpected> {
        delegate!(self, q => q.receive(consumer, max, wait, reclaim_after))
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), Unexpected> {
        delegate!(self, q => q.ack(delivery))
    }

    async fn publish_offers(
        &self,
        order: OrderId,
        providers: &[ProviderId],
        deadline: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        delegate!(self, q => q.publish_offers(order, providers, deadline))
    }

    async fn claim(&self, order: OrderId, provider: ProviderId) -> Result<ClaimOutcome, Unexpected> {
        delegate!(self, q => q.claim(order, provider))
    }

    async fn release_claim(&self, order: OrderId, provider: ProviderId) -> Result<(), Unexpected> {
        delegate!(self, q => q.release_claim(order, provider))
    }

    async fn withdraw_offer(&self, order: OrderId, provider: ProviderId) -> Result<(), Unexpected> {
        delegate!(self, q => q.withdraw_offer(order, provider))
    }

    async fn due_offers(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OrderId>, Unexpected> {
        delegate!(self, q => q.due_offers(now, limit))
    }

    async fn forget_deadline(&self, order: OrderId, due_by: DateTime<Utc>) -> Result<(), Unexpected> {
        delegate!(self, q => q.forget_deadline(order, due_by))
    }

    async fn clear_offers(&self, order: OrderId) -> Result<(), Unexpected> {
        delegate!(self, q => q.clear_offers(order))
    }

    async fn lost_state(&self) -> Result<bool, Unexpected> {
        delegate!(self, q => q.lost_state())
    }

    async fn mark_lost(&self) -> Result<(), Unexpected> {
        delegate!(self, q => q.mark_lost())
    }

    async fn ping(&self) -> Result<(), Unexpected> {
        delegate!(self, q => q.ping())
    }

    async fn release_pending(&self, consumer: &str) -> Result<usize, Unexpected> {
        delegate!(self, q => q.release_pending(consumer))
    }
}
