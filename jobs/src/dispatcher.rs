//! The dispatcher: one consumer of the dispatch queue. Any number run at once (one per `linli jobs` process);
//! the queue's consumer group hands each entry to one of them, and the store's conditional updates make a
//! repeated delivery harmless. It also runs the order desk's timed sweeps: lapsed offers, stranded and stale
//! orders, visits nobody answered, and complaints nobody answered.

use std::future::Future;
use std::time::Duration;

use linli_domain::clock::Clock;
use linli_domain::dispatch::{Delivery, DispatchQueue};
use linli_domain::error::Unexpected;
use linli_domain::orders::{DispatchOutcome, OrderDesk, OrderId, OrderStore};

#[derive(Clone, Debug)]
pub struct DispatcherConfig {
    /// This consumer's name in the queue's group; unique per process.
    pub consumer: String,
    /// Entries taken per read, and dispatched together.
    pub batch: usize,
    /// How long one read waits for new entries.
    pub wait: Duration,
    /// Entries another consumer left unacknowledged this long are taken over.
    pub reclaim_after: Duration,
    /// Orders still waiting for dispatch this long are queued again by the sweep.
    pub stranded_after: Duration,
    /// How long a batch under way when the dispatcher is stopped may take to finish before it is given up and
    /// released (the database may be what it waits for); at most half the process's grace period.
    pub finish_within: Duration,
}

impl DispatcherConfig {
    pub fn new(consumer: impl Into<String>) -> Self {
        Self {
            consumer: consumer.into(),
            // Larger batches write statements bigger than a socket's first send buffer (16 KiB), and a statement
            // sent in two pieces waits out the database's delayed acknowledgement, about 40 ms, because the
            // driver leaves Nagle's algorithm on. Sixteen orders keep every statement in one piece.
            batch: 16,
            wait: Duration::from_millis(500),
            reclaim_after: Duration::from_secs(30),
            stranded_after: Duration::from_secs(60),
            finish_within: Duration::from_secs(5),
        }
    }
}

pub struct Dispatcher<S, Q, C> {
    desk: OrderDesk<S, Q, C>,
    config: DispatcherConfig,
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> Dispatcher<S, Q, C> {
    pub fn new(desk: OrderDesk<S, Q, C>, config: DispatcherConfig) -> Self {
        Self { desk, config }
    }

    /// The use cases this dispatcher runs, to run them under another configuration.
    pub fn into_desk(self) -> OrderDesk<S, Q, C> {
        self.desk
    }

    /// Reads one batch of queue entries and dispatches their orders together. When the batch as a whole
    /// fails, each order is tried alone, so that one order that cannot be dispatched holds up no other; an order
    /// whose dispatch fails stays unacknowledged and is delivered again after `reclaim_after`. Returns how many
    /// orders were handled.
    pub async fn dispatch_batch(&self) -> Result<usize, Unexpected> {
        let c = &self.config;
        let deliveries = self.desk.queue.receive(&c.consumer, c.batch, c.wait, c.reclaim_after).await?;
        self.dispatch_deliveries(deliveries).await
    }

    async fn dispatch_deliveries(&self, deliveries: Vec<Delivery>) -> Result<usize, Unexpected> {
        if deliveries.is_empty() {
            return Ok(0);
        }
        let ids: Vec<OrderId> = deliveries.iter().map(|d| d.order).collect();
        let outcomes = match self.desk.dispatch_many(&ids).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                tracing::warn!(orders = ids.len(), error = %e, "dispatching a batch failed; trying its orders alone");
                let mut alone = Vec::with_capacity(ids.len());
                for id in &ids {
                    match self.desk.dispatch(*id).await {
                        Ok(outcome) => alone.push((*id, outcome)),
                        Err(e) => tracing::warn!(order = %id.0, error = %e, "dispatch failed; it will be retried"),
                    }
                }
                alone
            }
        };
        for (id, outcome) in &outcomes {
            match outcome {
                DispatchOutcome::Offered(to) => tracing::debug!(order = %id.0, providers = to.len(), "offered"),
                DispatchOutcome::Escalated => tracing::info!(order = %id.0, "escalated"),
                DispatchOutcome::NothingToDo => {}
            }
        }
        let done: Vec<&Delivery> =
            deliveries.iter().filter(|d| outcomes.iter().any(|(id, _)| *id == d.order)).collect();
        let acks = futures_util::future::join_all(done.iter().map(|d| self.desk.queue.ack(d))).await;
        acks.into_iter().collect::<Result<Vec<()>, Unexpected>>()?;
        Ok(done.len())
    }

    /// Queues again every order that has waited for dispatch longer than `stranded_after`: its queue entry was
    /// lost (a failed write after commit, or Redis losing its data). The store hands each such order to one
    /// sweep per period, so replicas do not flood the queue with copies. Returns how many were queued.
    pub async fn requeue_stranded(&self) -> Result<usize, Unexpected> {
        let now = self.desk.clock.now();
        let cutoff =
            now - chrono::Duration::from_std(self.config.stranded_after).unwrap_or(chrono::Duration::minutes(1));
        let stranded = self.desk.store.take_stranded_orders(cutoff, now, 1_000).await?;
        for id in &stranded {
            match self.desk.queue.enqueue(*id).await {
                // Held by the queue until Redis answers: queued then, like the rest.
                Err(e) if e.is_unavailable() => {}
                answer => answer?,
            }
        }
        if !stranded.is_empty() {
            tracing::info!(count = stranded.len(), "re-queued orders stranded in dispatch");
        }
        Ok(stranded.len())
    }

    /// Rebuilds the queue from the store when it has lost its state (Redis flushed or restarted). Returns
    /// whether it did.
    pub async fn rebuild_if_lost(&self) -> Result<bool, Unexpected> {
        match self.desk.rebuild_queue_if_lost().await? {
            Some((orders, offers)) => {
                // Also at every first start, when the queue has not yet been filled from the database.
                tracing::info!(orders, offers, "queue rebuilt from the database (first start, or Redis lost its data)");
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Expires offers past their deadline, as the queue reports them; their orders go back to dispatch. Returns
    /// how many orders did.
    pub async fn expire_offers(&self) -> Result<usize, Unexpected> {
        let returned = self.desk.expire_offers().await?;
        if returned > 0 {
            tracing::info!(count = returned, "offers lapsed; orders back to dispatch");
        }
        Ok(returned)
    }

    /// Expires offers past their deadline that the queue did not report, from the store alone. Returns how many
    /// orders went back to dispatch.
    pub async fn expire_overlooked_offers(&self) -> Result<usize, Unexpected> {
        let returned = self.desk.expire_overlooked_offers().await?;
        if returned > 0 {
            tracing::info!(count = returned, "lapsed offers the queue had lost; orders back to dispatch");
        }
        Ok(returned)
    }

    /// Escalates orders whose own acceptance deadline has passed while they still wait for a taker. Returns
    /// how many.
    pub async fn escalate_stale_orders(&self) -> Result<usize, Unexpected> {
        let escalated = self.desk.escalate_overdue().await?;
        if escalated > 0 {
            tracing::info!(count = escalated, "orders past their acceptance deadline escalated");
        }
        Ok(escalated)
    }

    /// Confirms the completed visits whose resident did not confirm or dispute them in time. Returns how many.
    pub async fn confirm_unanswered_visits(&self) -> Result<usize, Unexpected> {
        let confirmed = self.desk.confirm_due_visits().await?;
        if confirmed > 0 {
            tracing::info!(count = confirmed, "visits nobody answered confirmed");
        }
        Ok(confirmed)
    }

    /// Escalates the complaints their providers did not answer by the deadline. Returns how many.
    pub async fn escalate_overdue_complaints(&self) -> Result<usize, Unexpected> {
        let escalated = self.desk.escalate_overdue_complaints().await?;
        if escalated > 0 {
            tracing::info!(count = escalated, "complaints past their deadline escalated");
        }
        Ok(escalated)
    }

    /// Places the care plans' visits that came within the horizon. Returns how many orders it placed.
    pub async fn extend_care_plans(&self) -> Result<usize, Unexpected> {
        let placed = self.desk.extend_plans().await?;
        if placed > 0 {
            tracing::info!(count = placed, "care plans' visits placed");
        }
        Ok(placed)
    }

    /// Dispatches batch after batch until `shutdown` resolves. A failing read is logged and retried after a
    /// pause; it never ends the loop. The other steps run on the schedule (see [`crate::clockwork`]).
    ///
    /// A stop lets the batch under way finish (a read waits at most [`DispatcherConfig::wait`]; a read dropped
    /// half-way could leave entries with a consumer that is gone), for up to
    /// [`DispatcherConfig::finish_within`]; the store's conditional updates make a batch given up half-way
    /// harmless. Then whatever this consumer still holds, such as an order whose dispatch failed, is released
    /// so that another dispatcher takes it at once rather than after the reclaim time.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let signal = async move {
            shutdown.await;
            let _ = stop.send(true);
        };
        // The loop ends only once the signal has come, so both end.
        tokio::join!(signal, self.run_until(stopped));
    }

    async fn run_until(&self, stopped: tokio::sync::watch::Receiver<bool>) {
        tracing::info!(consumer = %self.config.consumer, "dispatcher started");
        let asked = || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }
        };
        while !*stopped.borrow() {
            let batch = self.dispatch_batch();
            let given_up = async {
                asked().await;
                tokio::time::sleep(self.config.finish_within).await;
            };
            let failure = tokio::select! {
                done = batch => done.err(),
                () = given_up => {
                    tracing::warn!("the batch under way did not finish in time: releasing it");
                    break;
                }
            };
            if let Some(e) = failure {
                tracing::warn!(error = %e, "reading the dispatch queue failed; retrying in 1 s");
                tokio::select! {
                    () = asked() => break,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
        match self.desk.queue.release_pending(&self.config.consumer).await {
            Ok(0) => {}
            Ok(entries) => tracing::info!(entries, "released what this dispatcher held, for the others to take"),
            Err(e) => {
                tracing::warn!(error = %e, "could not release what this dispatcher held: others take it after the reclaim time")
            }
        }
        tracing::info!(consumer = %self.config.consumer, "dispatcher stopped");
    }
}
