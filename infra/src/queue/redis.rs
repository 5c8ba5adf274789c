//! The Redis queue. New and returned orders go on a Stream read by a consumer group, so entries a crashed
//! dispatcher left unacknowledged are taken over (XAUTOCLAIM). Offers are a set per order; a claim is one Lua
//! script, and so is releasing one. Keys carry a configurable prefix and hash tags
//! (`{…}`) so that the keys one script touches share a Redis Cluster slot.
//!
//! If Redis loses its data, the stream and group are recreated on the next read, claims fall back to the
//! store's decision, and the dispatcher's sweep re-queues every order still waiting.
//!
//! If Redis does not answer, the queue is made anyway and connects when it does. Orders that could not be
//! queued meanwhile are held in this process and queued, in the order they came, as soon as Redis answers
//! again; until then new ones join them without waiting on Redis. (A process that ends before Redis is back
//! loses only its list: the stranded-order sweep queues those orders from the database.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamClaimReply, StreamId, StreamPendingCountReply,
    StreamReadOptions, StreamReadReply,
};
use redis::{AsyncCommands, AsyncConnectionConfig, Client, RedisError, Script};
use tokio::sync::Mutex;
use uuid::Uuid;

use linli_domain::dispatch::{ClaimOutcome, Delivery, DispatchQueue};
use linli_domain::error::{Unavailable, Unexpected};
use linli_domain::orders::OrderId;
use linli_domain::providers::ProviderId;

use super::CLAIM_TTL;

const GROUP: &str = "dispatchers";

/// Returns 1 when the provider holds (or now takes) the claim, 0 when another provider holds it, and -1 when
/// this Redis knows no offer of the order to the provider.
const CLAIM_SCRIPT: &str = r#"
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return -1 end
local holder = redis.call('GET', KEYS[2])
if not holder then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then return 1 end
return 0
"#;

/// Deletes the claim only if `ARGV[1]` still holds it, so a late release cannot free someone else's claim.
const RELEASE_SCRIPT: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"#;

/// Removes the order `ARGV[1]` from the deadlines only if its deadline is at or before `ARGV[2]` (milliseconds),
/// so that a newer round's later deadline stays.
const FORGET_DEADLINE_SCRIPT: &str = r#"
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
"#;

#[derive(Clone, Debug)]
pub struct RedisQueueConfig {
    pub url: String,
    /// Prepended to every key, so several deployments (or test runs) can share one Redis.
    pub prefix: String,
}

#[derive(Clone)]
pub struct RedisQueue {
    client: Arc<Client>,
    /// Shared, self-reconnecting connection for every non-blocking command.
    conn: ConnectionManager,
    /// Blocking XREADGROUP gets its own connection without a response timeout; on the shared one it would stall
    /// every other command and trip the manager's timeout.
    blocking: Arc<Mutex<Option<MultiplexedConnection>>>,
    prefix: Arc<str>,
    claim: Arc<Script>,
    release: Arc<Script>,
    forget_deadline: Arc<Script>,
    /// Orders waiting for Redis to answer, oldest first; only the forwarding task takes them out.
    held: Arc<std::sync::Mutex<std::collections::VecDeque<OrderId>>>,
    /// Set while a task is queueing the held orders (Redis did not answer).
    forwarding: Arc<AtomicBool>,
}

/// How often the held orders are offered to Redis again while it does not answer.
const FORWARD_EVERY: Duration = Duration::from_millis(250);

impl RedisQueue {
    /// A queue on the Redis at `config.url`. Only a malformed URL is an error: a Redis that does not answer
    /// yet is connected to when it does (and said in the log).
    pub async fn connect(config: RedisQueueConfig) -> Result<Self, Unexpected> {
        let client = Client::open(config.url.as_str()).map_err(|e| Unexpected::new("reading REDIS_URL", e))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2);
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), manager_config)
            .map_err(|e| redis_err("connecting to Redis", e))?;
        let queue = Self {
            client: Arc::new(client),
            conn,
            blocking: Arc::new(Mutex::new(None)),
            prefix: config.prefix.into(),
            claim: Arc::new(Script::new(CLAIM_SCRIPT)),
            release: Arc::new(Script::new(RELEASE_SCRIPT)),
            forget_deadline: Arc::new(Script::new(FORGET_DEADLINE_SCRIPT)),
            held: Arc::default(),
            forwarding: Arc::default(),
        };
        if let Err(e) = queue.ensure_group().await {
            // The first read makes the group when Redis answers; meanwhile orders are held (see the module).
            tracing::warn!(error = %e, "Redis does not answer yet: orders are recorded and queued once it does");
        }
        Ok(queue)
    }

    /// How many orders wait in this process for Redis to answer.
    pub fn held(&self) -> usize {
        self.lock_held().len()
    }

    fn lock_held(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<OrderId>> {
        // Held order ids stay valid whatever a panicking holder of the lock was doing.
        self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn add_entry(&self, order: OrderId) -> Result<(), RedisError> {
        let mut conn = self.conn.clone();
        let _: String = conn.xadd(self.stream_key(), "*", &[("order", order.0.to_string())]).await?;
        Ok(())
    }

    /// Holds `order` until Redis answers, starting the task that queues the held orders if none runs.
    fn hold(&self, order: OrderId) {
        self.lock_held().push_back(order);
        if !self.forwarding.swap(true, Ordering::SeqCst) {
            let queue = self.clone();
            tokio::spawn(async move { queue.forward_held().await });
        }
    }

    /// Queues the held orders, oldest first, retrying until Redis answers and none is left.
    async fn forward_held(&self) {
        let mut forwarded = 0usize;
        loop {
            let next = self.lock_held().front().copied();
            let Some(order) = next else {
                self.forwarding.store(false, Ordering::SeqCst);
                // An order held between the last look and the flag going down must not wait for the next one.
                if self.lock_held().is_empty() || self.forwarding.swap(true, Ordering::SeqCst) {
                    break;
                }
                continue;
            };
            match self.add_entry(order).await {
                Ok(()) => {
                    self.lock_held().pop_front();
                    forwarded += 1;
                }
                Err(e) => {
                    let failure = redis_err("queueing a held order", e);
                    if failure.is_unavailable() {
                        tracing::debug!(error = %failure, held = self.held(), "Redis still does not answer");
                    } else {
                        tracing::warn!(error = %failure, held = self.held(), "Redis refuses the held orders; trying again");
                    }
                    tokio::time::sleep(FORWARD_EVERY).await;
                }
            }
        }
        tracing::info!(orders = forwarded, "Redis answers again: the orders held meanwhile are queued");
    }

    /// The shared connection, for other Redis users of this process (rate limits).
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn stream_key(&self) -> String {
        format!("{}:{{dispatch}}:orders", self.prefix)
    }

    /// Present while Redis keeps what this queue wrote; its absence means Redis lost its data.
    /// Orders with open offers, scored by their deadline in milliseconds.
    fn deadlines_key(&self) -> String {
        format!("{}:{{dispatch}}:deadlines", self.prefix)
    }

    fn sentinel_key(&self) -> String {
        format!("{}:{{dispatch}}:alive", self.prefix)
    }

    fn offered_key(&self, order: OrderId) -> String {
        format!("{}:order:{{{}}}:offered", self.prefix, order.0)
    }

    fn claim_key(&self, order: OrderId) -> String {
        format!("{}:order:{{{}}}:claim", self.prefix, order.0)
    }

    /// Creates the stream and its group from the beginning of the stream, so entries written before the group
    /// existed (or after Redis lost both) are read too.
    async fn ensure_group(&self) -> Result<(), Unexpected> {
        let mut conn = self.conn.clone();
        match conn.xgroup_create_mkstream::<_, _, _, ()>(self.stream_key(), GROUP, "0").await {
            Ok(()) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            Err(e) => Err(redis_err("creating the dispatch group", e)),
        }
    }

    async fn read_new(&self, consumer: &str, max: usize, wait: Duration) -> Result<StreamReadReply, RedisError> {
        let mut slot = self.blocking.lock().await;
        if slot.is_none() {
            let config = AsyncConnectionConfig::new()
                .set_response_timeout(None)
                .set_connection_timeout(Some(Duration::from_secs(2)));
            *slot = Some(self.client.get_multiplexed_async_connection_with_config(&config).await?);
        }
        let conn = slot.as_mut().expect("connection was just set");
        let options =
            StreamReadOptions::default().group(GROUP, consumer).count(max).block(wait.as_millis().max(1) as usize);
        let reply = conn.xread_options(&[self.stream_key()], &[">"], &options).await;
        if reply.as_ref().is_err_and(|e| e.is_unrecoverable_error() || e.is_connection_dropped()) {
            *slot = None;
        }
        reply
    }

    async fn receive_once(
        &self,
        consumer: &str,
        max: usize,
        wait: Duration,
        reclaim_after: Duration,
    ) -> Result<Vec<Delivery>, RedisError> {
        let mut conn = self.conn.clone();
        let reclaimed: StreamAutoClaimReply = conn
            .xautoclaim_options(
                self.stream_key(),
                GROUP,
                consumer,
                reclaim_after.as_millis() as u64,
                "0-0",
                StreamAutoClaimOptions::default().count(max),
            )
            .await?;
        if !reclaimed.claimed.is_empty() {
            return Ok(self.deliveries(reclaimed.claimed).await);
        }
        let fresh = self.read_new(consumer, max, wait).await?;
        let entries = fresh.keys.into_iter().flat_map(|k| k.ids).collect();
        Ok(self.deliveries(entries).await)
    }

    /// Turns stream entries into deliveries; an entry without a readable order id cannot be dispatched, so it is
    /// acknowledged and dropped rather than handed out forever.
    async fn deliveries(&self, entries: Vec<StreamId>) -> Vec<Delivery> {
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            match entry.get::<String>("order").and_then(|s| Uuid::parse_str(&s).ok()) {
                Some(id) => out.push(Delivery { entry: entry.id, order: OrderId(id) }),
                None => {
                    tracing::warn!(entry = %entry.id, "dropping a dispatch entry without an order id");
                    let _ = self.ack_entry(&entry.id).await;
                }
            }
        }
        out
    }

    async fn ack_entry(&self, entry: &str) -> Result<(), RedisError> {
        let mut conn = self.conn.clone();
        let key = self.stream_key();
        redis::pipe().xack(&key, GROUP, &[entry]).xdel(&key, &[entry]).exec_async(&mut conn).await
    }
}

impl DispatchQueue for RedisQueue {
    /// While Redis does not answer, the order is held and queued when it does; the caller hears the failure
    /// (for its log) but need not retry.
    async fn enqueue(&self, order: OrderId) -> Result<(), Unexpected> {
        if self.forwarding.load(Ordering::SeqCst) {
            // Redis did not answer a moment ago: join the held orders rather than wait on it, in their order.
            self.hold(order);
            return Err(Unexpected::new("queueing an order", Unavailable("Redis")));
        }
        match self.add_entry(order).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let failure = redis_err("queueing an order", e);
                if failure.is_unavailable() {
                    self.hold(order);
                }
                Err(failure)
            }
        }
    }

    async fn receive(
        &self,
        consumer: &str,
        max: usize,
        wait: Duration,
        reclaim_after: Duration,
    ) -> Result<Vec<Delivery>, Unexpected> {
        match self.receive_once(consumer, max, wait, reclaim_after).await {
            Ok(d) => Ok(d),
            // The stream or its group vanished: Redis was flushed or restarted without persistence.
            Err(e) if e.code() == Some("NOGROUP") => {
                tracing::warn!("the dispatch stream's group is gone (Redis lost its data); recreating it");
                self.ensure_group().await?;
                self.receive_once(consumer, max, wait, reclaim_after)
                    .await
                    .map_err(|e| redis_err("reading the dispatch stream", e))
            }
            Err(e) => Err(redis_err("reading the dispatch stream", e)),
        }
    }

    async fn ack(&self, delivery: &Delivery) -> Result<(), Unexpected> {
        self.ack_entry(&delivery.entry).await.map_err(|e| redis_err("acknowledging a dispatch entry", e))
    }

    /// The consumer's pending entries are queued again as new entries and acknowledged, in one transaction, and
    /// the consumer leaves the group: the next read of any consumer takes them.
    async fn release_pending(&self, consumer: &str) -> Result<usize, Unexpected> {
        let what = "releasing dispatch entries";
        let mut conn = self.conn.clone();
        let key = self.stream_key();
        let mut handed = 0;
        loop {
            let pending: StreamPendingCountReply = conn
                .xpending_consumer_count(&key, GROUP, "-", "+", 100, consumer)
                .await
                .map_err(|e| redis_err(what, e))?;
            if pending.ids.is_empty() {
                break;
            }
            let ids: Vec<String> = pending.ids.into_iter().map(|p| p.id).collect();
            // Claiming its own entries afresh is how a consumer reads their fields back.
            let held: StreamClaimReply =
                conn.xclaim(&key, GROUP, consumer, 0, &ids).await.map_err(|e| redis_err(what, e))?;
            let mut again = redis::pipe();
            again.atomic();
            for order in held.ids.iter().filter_map(|entry| entry.get::<String>("order")) {
                again.xadd(&key, "*", &[("order", order)]).ignore();
            }
            again.xack(&key, GROUP, &ids).ignore().xdel(&key, &ids).ignore();
            again.exec_async(&mut conn).await.map_err(|e| redis_err(what, e))?;
            handed += ids.len();
        }
        let late: i64 = conn.xgroup_delconsumer(&key, GROUP, consumer).await.map_err(|e| redis_err(what, e))?;
        if late > 0 {
            // Delivered to a read given up as the dispatcher stopped: the entries are gone from the group, their
            // orders still wait in the database, and the stranded-order sweep queues them again.
            tracing::warn!(
                entries = late,
                "entries reached a stopping dispatcher after it released the rest; the sweep queues their orders"
            );
        }
        Ok(handed)
    }

    async fn publish_offers(
        &self,
        order: OrderId,
        providers: &[ProviderId],
        deadline: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        if providers.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        let offered = self.offered_key(order);
        let members: Vec<String> = providers.iter().map(|p| p.0.to_string()).collect();
        // Keep the order's set a while past the deadline, then let Redis forget it.
        let keep_until = deadline.timestamp_millis() + 3_600_000;
        redis::pipe()
            .sadd(&offered, members)
            .ignore()
            .cmd("PEXPIREAT")
            .arg(&offered)
            .arg(keep_until)
            .ignore()
            .zadd(self.deadlines_key(), order.0.to_string(), deadline.timestamp_millis())
            .ignore()
            .exec_async(&mut conn)
            .await
            .map_err(|e| redis_err("publishing offers", e))
    }

    async fn due_offers(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OrderId>, Unexpected> {
        let mut conn = self.conn.clone();
        let due: Vec<String> = conn
            .zrangebyscore_limit(self.deadlines_key(), "-inf", now.timestamp_millis(), 0, limit as isize)
            .await
            .map_err(|e| redis_err("reading offer deadlines", e))?;
        Ok(due.iter().filter_map(|id| Uuid::parse_str(id).ok()).map(OrderId).collect())
    }

    async fn claim(&self, order: OrderId, provider: ProviderId) -> Result<ClaimOutcome, Unexpected> {
        let mut conn = self.conn.clone();
        let won: i64 = self
            .claim
            .key(self.offered_key(order))
            .key(self.claim_key(order))
            .arg(provider.0.to_string())
            .arg(CLAIM_TTL.as_millis() as u64)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| redis_err("claiming an offer", e))?;
        Ok(match won {
            1 => ClaimOutcome::Won,
            0 => ClaimOutcome::Taken,
            _ => ClaimOutcome::Unknown,
        })
    }

    async fn release_claim(&self, order: OrderId, provider: ProviderId) -> Result<(), Unexpected> {
        let mut conn = self.conn.clone();
        let _: i64 = self
            .release
            .key(self.claim_key(order))
            .arg(provider.0.to_string())
            .invoke_async(&mut conn)
            .await
            .map_err(|e| redis_err("releasing a claim", e))?;
        Ok(())
    }

    async fn withdraw_offer(&self, order: OrderId, provider: ProviderId) -> Result<(), Unexpected> {
        let mut conn = self.conn.clone();
        let _: i64 = conn
            .srem(self.offered_key(order), provider.0.to_string())
            .await
            .map_err(|e| redis_err("withdrawing an offer", e))?;
        Ok(())
    }

    async fn forget_deadline(&self, order: OrderId, due_by: DateTime<Utc>) -> Result<(), Unexpected> {
        let mut conn = self.conn.clone();
        let _: i64 = self
            .forget_deadline
            .key(self.deadlines_key())
            .arg(order.0.to_string())
            .arg(due_by.timestamp_millis())
            .invoke_async(&mut conn)
            .await
            .map_err(|e| redis_err("forgetting an offer deadline", e))?;
        Ok(())
    }

    async fn clear_offers(&self, order: OrderId) -> Result<(), Unexpected> {
        let mut conn = self.conn.clone();
        // Two commands, not one transaction: the order's keys and the deadlines live in different hash slots.
        redis::pipe()
            .del(&[self.offered_key(order), self.claim_key(order)])
            .ignore()
            .zrem(self.deadlines_key(), order.0.to_string())
            .ignore()
            .exec_async(&mut conn)
            .await
            .map_err(|e| redis_err("clearing offers", e))
    }

    async fn lost_state(&self) -> Result<bool, Unexpected> {
        let mut conn = self.conn.clone();
        let set: bool = redis::cmd("SET")
            .arg(self.sentinel_key())
            .arg(1)
            .arg("NX")
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_err("checking Redis for lost data", e))?;
        if set {
            // The stream and its group went with the rest: recreate them before anyone reads.
            self.ensure_group().await?;
        }
        Ok(set)
    }

    async fn mark_lost(&self) -> Result<(), Unexpected> {
        let mut conn = self.conn.clone();
        let _: i64 = conn.del(self.sentinel_key()).await.map_err(|e| redis_err("marking the queue lost", e))?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), Unexpected> {
        let mut conn = self.conn.clone();
        let _: String = conn.ping().await.map_err(|e| redis_err("pinging Redis", e))?;
        Ok(())
    }
}

fn redis_err(context: &'static str, e: RedisError) -> Unexpected {
    if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout() {
        Unexpected::new(context, Unavailable("Redis"))
    } else {
        Unexpected::new(context, e)
    }
}
