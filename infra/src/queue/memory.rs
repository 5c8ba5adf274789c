//! The in-process queue of the embedded default: the same contract as Redis, held in one process's memory.
//! It is lost with the process, like a Redis without persistence, and rebuilt the same way (the dispatcher's
//! sweep for stranded orders).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use linli_domain::dispatch::{ClaimOutcome, Delivery, DispatchQueue};
use linli_domain::error::Unexpected;
use linli_domain::orders::OrderId;
use linli_domain::providers::ProviderId;

use super::CLAIM_TTL;

#[derive(Clone, Default)]
pub struct MemoryQueue {
    /// A std mutex: every critical section is short and never awaits.
    inner: Arc<Mutex<Inner>>,
    arrivals: Arc<Notify>,
}

#[derive(Default)]
struct Inner {
    next_entry: u64,
    ready: VecDeque<(String, OrderId)>,
    pending: HashMap<String, Pending>,
    offered: HashMap<OrderId, HashSet<ProviderId>>,
    claims: HashMap<OrderId, (ProviderId, Instant)>,
    deadlines: HashMap<OrderId, DateTime<Utc>>,
    /// Set once the owner has been told the queue started empty.
    announced: bool,
}

struct Pending {
    order: OrderId,
    since: Instant,
    consumer: String,
}

impl MemoryQueue {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that matters more than
        // losing the queue, which the stranded-order sweep repairs; so carry on with the data.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take(&self, consumer: &str, max: usize, reclaim_after: Duration) -> Vec<Delivery> {
        let mut inner = self.lock();
        let now = Instant::now();
        let mut out: Vec<Delivery> = inner
            .pending
            .iter_mut()
            .filter(|(_, p)| now.duration_since(p.since) >= reclaim_after)
            .take(max)
            .map(|(entry, p)| {
                p.since = now;
                consumer.clone_into(&mut p.consumer);
                Delivery { entry: entry.clone(), order: p.order }
            })
            .collect();
        while out.len() < max {
            let Some((entry, order)) = inner.ready.pop_front() else {
                break;
            };
            inner.pending.insert(entry.clone(), Pending { order, since: now, consumer: consumer.to_owned() });
            out.push(Delivery { entry, order });
        }
        out
    }
}

impl DispatchQueue for MemoryQueue {
    async fn enqueue(&self, order: OrderId) -> Result<(), Unexpected> {
        {
            let mut inner = self.lock();
            inner.next_entry += 1;
            let entry = format!("mem-{}", inner.next_entry);
            inner.ready.push_back((entry, order));
        }
        self.arrivals.notify_one();
        Ok(())
    }

    async fn receive(
        &self,
        consumer: &str,
        max: usize,
        wait: Duration,
        reclaim_after: Duration,
    ) -> Result<Vec<Delivery>, Unexpected> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.arrivals.notified();
            let got = self.take(consumer, max, reclaim_after);
            if !got.is_empty() {
                return Ok(got);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), Unexpected> {
        self.lock().pending.remove(&delivery.entry);
        Ok(())
    }

    async fn release_pending(&self, consumer: &str) -> Result<usize, Unexpected> {
        let handed = {
            let mut inner = self.lock();
            let mut held: Vec<(String, OrderId)> = inner
                .pending
                .iter()
                .filter(|(_, p)| p.consumer == consumer)
                .map(|(entry, p)| (entry.clone(), p.order))
                .collect();
            // As on Redis, they go in again as new entries, behind those already waiting, in their first order.
            held.sort_by_key(|(entry, _)| entry.trim_start_matches("mem-").parse::<u64>().unwrap_or(u64::MAX));
            for (entry, order) in &held {
                inner.pending.remove(entry);
                inner.next_entry += 1;
                let again = format!("mem-{}", inner.next_entry);
                inner.ready.push_back((again, *order));
            }
            held.len()
        };
        if handed > 0 {
            self.arrivals.notify_one();
        }
        Ok(handed)
    }

    async fn publish_offers(
        &self,
        order: OrderId,
        providers: &[ProviderId],
        deadline: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        let mut inner = self.lock();
        inner.offered.entry(order).or_default().extend(providers.iter().copied());
        inner.deadlines.insert(order, deadline);
        Ok(())
    }

    async fn due_offers(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OrderId>, Unexpected> {
        let inner = self.lock();
        let mut due: Vec<(DateTime<Utc>, OrderId)> =
            inner.deadlines.iter().filter(|(_, at)| **at <= now).map(|(order, at)| (*at, *order)).collect();
        due.sort();
        Ok(due.into_iter().take(limit).map(|(_, order)| order).collect())
    }

    async fn claim(&self, order: OrderId, provider: ProviderId) -> Result<ClaimOutcome, Unexpected> {
        let mut inner = self.lock();
        if !inner.offered.get(&order).is_some_and(|s| s.contains(&provider)) {
            return Ok(ClaimOutcome::Unknown);
        }
        let now = Instant::now();
        match inner.claims.get(&order) {
            Some((holder, at)) if now.duration_since(*at) < CLAIM_TTL && *holder != provider => Ok(ClaimOutcome::Taken),
            Some((holder, at)) if now.duration_since(*at) < CLAIM_TTL && *holder == provider => Ok(ClaimOutcome::Won),
            _ => {
                inner.claims.insert(order, (provider, now));
                Ok(ClaimOutcome::Won)
            }
        }
    }

    async fn release_claim(&self, order: OrderId, provider: ProviderId) -> Result<(), Unexpected> {
        let mut inner = self.lock();
        if inner.claims.get(&order).is_some_and(|(holder, _)| *holder == provider) {
            inner.claims.remove(&order);
        }
        Ok(())
    }

    async fn withdraw_offer(&self, order: OrderId, provider: ProviderId) -> Result<(), Unexpected> {
        if let Some(set) = self.lock().offered.get_mut(&order) {
            set.remove(&provider);
        }
        Ok(())
    }

    async fn forget_deadline(&self, order: OrderId, due_by: DateTime<Utc>) -> Result<(), Unexpected> {
        let mut inner = self.lock();
        if inner.deadlines.get(&order).is_some_and(|at| *at <= due_by) {
            inner.deadlines.remove(&order);
        }
        Ok(())
    }

    async fn clear_offers(&self, order: OrderId) -> Result<(), Unexpected> {
        let mut inner = self.lock();
        inner.offered.remove(&order);
        inner.claims.remove(&order);
        inner.deadlines.remove(&order);
        Ok(())
    }

    async fn lost_state(&self) -> Result<bool, Unexpected> {
        // In memory, state is lost only with the process; a new queue says so once.
        let mut inner = self.lock();
        Ok(!std::mem::replace(&mut inner.announced, true))
    }

    async fn mark_lost(&self) -> Result<(), Unexpected> {
        self.lock().announced = false;
        Ok(())
    }

    async fn ping(&self) -> Result<(), Unexpected> {
        Ok(())
    }
}
