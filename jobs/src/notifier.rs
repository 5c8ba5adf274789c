//! The notification steps: fanning order events out of the outbox, sending reminders that are due, delivering
//! webhooks and SMS with retries, and the morning digest to community workers. Each is one step a schedule calls
//! and a test calls directly with a clock of its choosing.

use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};

use linli_domain::clock::Clock;
use linli_domain::error::Unexpected;
use linli_domain::notifications::{
    ClaimedDelivery, DeliveryTarget, LivePublisher, NotificationStore, RetryPolicy, SendError, SmsGateway,
    WebhookSender, daily_slot, live_notices, plan_notices,
};
use linli_domain::words::Message;

/// When the morning digest goes out, Shanghai time.
pub const DIGEST_AT: NaiveTime = match NaiveTime::from_hms_opt(8, 0, 0) {
    Some(t) => t,
    None => panic!("08:00 is a time"),
};

#[derive(Clone, Debug)]
pub struct NotifierConfig {
    /// Outbox rows and reminders taken per step.
    pub batch: u64,
    /// Deliveries taken per step. Each may take up to the senders' timeout (10 s), and all of them must fit in
    /// the lease, or another process would take them over while they are still being sent.
    pub delivery_batch: u64,
    /// How long a claimed outbox row or delivery is left to the process that claimed it.
    pub lease: Duration,
    pub retry: RetryPolicy,
}

impl Default for NotifierConfig {
    fn default() -> Self {
        Self { batch: 200, delivery_batch: 20, lease: Duration::from_secs(300), retry: RetryPolicy::default() }
    }
}

/// The notification steps over a store, the two senders and a clock. Without an SMS gateway no SMS is queued.
#[derive(Clone)]
pub struct Notifier<S, W, M, C, L> {
    pub store: S,
    pub webhooks: W,
    pub sms: Option<M>,
    pub clock: C,
    /// Where open pages hear what changed.
    pub live: L,
    pub config: NotifierConfig,
}

impl<S: NotificationStore, W: WebhookSender, M: SmsGateway, C: Clock, L: LivePublisher> Notifier<S, W, M, C, L> {
    fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(1))
    }

    /// Fans order events out of the outbox into inbox messages, deliveries and reminders, and tells the open
    /// pages of everyone concerned once those are written. Returns how many events were handled.
    pub async fn deliver_outbox(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let events = self.store.claim_outbox(now, self.lease_until(now), self.config.batch).await?;
        for event in &events {
            let context = match event.order {
                Some(order) => self.store.event_context(order, event.at).await?,
                None => Default::default(),
            };
            let notices = plan_notices(event.event_id, event.happened, event.at, now, &context);
            let live = live_notices(event.happened, &context, &notices);
            self.store.record_notices(event, notices, self.sms.is_some(), now).await?;
            for notice in &live {
                self.live.publish(notice).await;
            }
        }
        Ok(events.len())
    }

    /// Sends every reminder that is due. Returns how many.
    pub async fn send_due_reminders(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let mut sent = 0;
        loop {
            let batch = self.store.send_due_reminders(now, self.config.batch, self.sms.is_some()).await?;
            sent += batch;
            if batch == 0 {
                return Ok(sent);
            }
        }
    }

    /// Attempts the deliveries that are due: webhooks and SMS. A failure is tried again later, with backoff,
    /// until the retry policy gives up and the delivery is dead. Returns how many landed.
    pub async fn deliver_pending(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let claimed = self.store.claim_deliveries(now, self.lease_until(now), self.config.delivery_batch).await?;
        let mut landed = 0;
        for delivery in claimed {
            match self.attempt(&delivery).await {
                Ok(()) => {
                    self.store.delivery_succeeded(delivery.id, self.clock.now()).await?;
                    landed += 1;
                }
                Err(SendError::Failed(why)) => {
                    let tries = delivery.attempts + 1;
                    let retry_at = self
                        .config
                        .retry
                        .next_delay(tries, rand::random::<f64>())
                        .and_then(|d| chrono::Duration::from_std(d).ok())
                        .map(|d| self.clock.now() + d);
                    if retry_at.is_none() {
                        tracing::warn!(delivery = %delivery.id, tries, error = %why, "delivery given up: dead letter");
                    }
                    self.store.delivery_failed(delivery.id, &why, retry_at).await?;
                }
            }
        }
        Ok(landed)
    }

    async fn attempt(&self, d: &ClaimedDelivery) -> Result<(), SendError> {
        match &d.target {
            DeliveryTarget::Webhook { url, secret } => {
                self.webhooks.send(url, secret, d.id, &d.event_type, &d.body).await
            }
            DeliveryTarget::Sms { phone } => match &self.sms {
                Some(gateway) => gateway.send(phone, &d.body).await,
                None => Err(SendError::Failed("no SMS gateway is configured".into())),
            },
            DeliveryTarget::Gone => Err(SendError::Failed("the endpoint or phone number is gone".into())),
        }
    }

    /// At 08:00 Shanghai time, tells each community worker how many escalated orders wait in their community.
    /// Runs once per day across every process; a process that was down at 08:00 sends it once when it is back,
    /// and a run that failed halfway is finished at the next tick.
    /// Returns how many workers were told (0 when the day's digest went out already).
    pub async fn morning_digest(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let slot = daily_slot(now, DIGEST_AT);
        // The slot is recorded only once the work is done, so a failed run is tried again at the next tick;
        // two processes doing it at once tell nobody twice, as each message is keyed by slot and worker.
        if self.store.slot_done("morning_digest", slot).await? {
            return Ok(0);
        }
        let waiting = self.store.open_escalations_by_worker().await?;
        for (worker, count) in &waiting {
            let key = format!("digest:{}:{}", slot.to_rfc3339(), worker.0);
            self.store.tell(*worker, &Message::EscalationDigest { count: *count }, &key, now).await?;
        }
        self.store.claim_slot("morning_digest", slot).await?;
        Ok(waiting.len())
    }
}
