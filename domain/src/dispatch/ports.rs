//! The queue port. Redis in production, an in-process queue in the embedded default; one contract suite holds
//! both to the same behaviour. The queue carries work and answers claims fast, but the order store decides:
//! anything here can be lost and rebuilt from it.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::Unexpected;
use crate::orders::OrderId;
use crate::providers::ProviderId;

/// One order handed to a dispatcher; it stays pending until acknowledged, and is handed out again if its
/// consumer goes quiet for too long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The queue's own id for the entry, needed to acknowledge it.
    pub entry: String,
    pub order: OrderId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// This provider holds the claim (now or already); the store makes it final.
    Won,
    /// Another provider claimed first.
    Taken,
    /// The queue knows no open offer of this order to this provider (it may have been lost); let the store decide.
    Unknown,
}

pub trait DispatchQueue: Clone + Send + Sync + 'static {
    /// Puts an order (new, or returned to dispatch) on the queue.
    fn enqueue(&self, order: OrderId) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Up to `max` deliveries for `consumer`, first taking over entries that another consumer left
    /// unacknowledged for longer than `reclaim_after`, then new ones, waiting up to `wait` when there are none.
    fn receive(
        &self,
        consumer: &str,
        max: usize,
        wait: Duration,
        reclaim_after: Duration,
    ) -> impl Future<Output = Result<Vec<Delivery>, Unexpected>> + Send;

    fn ack(&self, delivery: &Delivery) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Puts back the entries `consumer` received and has not acknowledged, for the next receive of any consumer
    /// to take at once rather than after the reclaim time: a dispatcher that stops releases what it holds.
    /// Returns how many it released.
    fn release_pending(&self, consumer: &str) -> impl Future<Output = Result<usize, Unexpected>> + Send;

    /// Makes the offers claimable until a while past `deadline`, and files the order under that deadline for
    /// [`due_offers`](Self::due_offers).
    fn publish_offers(
        &self,
        order: OrderId,
        providers: &[ProviderId],
        deadline: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// The first provider to claim an offered order wins it; later claims by others are `Taken` until the claim
    /// is released or forgotten.
    fn claim(
        &self,
        order: OrderId,
        provider: ProviderId,
    ) -> impl Future<Output = Result<ClaimOutcome, Unexpected>> + Send;

    /// Gives up `provider`'s claim (its award failed), so that the next provider can claim.
    fn release_claim(
        &self,
        order: OrderId,
        provider: ProviderId,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Takes one provider's offer away (they declined).
    fn withdraw_offer(
        &self,
        order: OrderId,
        provider: ProviderId,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Orders whose offers' deadline has passed by `now`, earliest deadline first, up to `limit`. An order stays
    /// filed until its offers are cleared.
    fn due_offers(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<OrderId>, Unexpected>> + Send;

    /// Forgets the order's deadline if it is at or before `due_by`; a later one (a newer round's) stays.
    fn forget_deadline(
        &self,
        order: OrderId,
        due_by: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Forgets an order's offers, claim and deadline (it was accepted, returned to dispatch, or cancelled).
    fn clear_offers(&self, order: OrderId) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// True when the queue has lost what it held since this was last asked (Redis flushed or restarted without
    /// persistence, or a fresh process): the caller rebuilds it from the store. A new queue reports true once.
    fn lost_state(&self) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Makes the next [`lost_state`](Self::lost_state) report true again: a rebuild that failed part-way (the
    /// store unreachable) is then tried again rather than never.
    fn mark_lost(&self) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Whether the queue answers; for readiness checks.
    fn ping(&self) -> impl Future<Output = Result<(), Unexpected>> + Send;
}
