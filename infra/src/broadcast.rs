//! Messages every process of a deployment hears: Redis pub/sub when Redis is configured, a channel inside
//! the process otherwise. Sessions use it so that an account disabled on one replica is refused by all of
//! them at once. A listener that loses Redis hears [`Heard::Lost`] when it is back, because whatever was
//! published meanwhile is gone: a cache must then forget everything.
//!
//! Redis down does not stop a process: it starts without the subscription and makes it when Redis answers, and
//! what it publishes meanwhile is heard within the process (with a warning), so its own live pages still move.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;

use linli_domain::error::{Unavailable, Unexpected};

/// What a subscriber hears.
#[derive(Clone, Debug, PartialEq)]
pub enum Heard {
    Message {
        topic: String,
        body: String,
    },
    /// Messages may have been missed (the connection to Redis dropped).
    Lost,
}

#[derive(Clone)]
pub struct Broadcast {
    local: broadcast::Sender<Heard>,
    redis: Option<RedisSide>,
}

#[derive(Clone)]
struct RedisSide {
    conn: ConnectionManager,
    prefix: Arc<str>,
}

/// How long start-up waits for the first subscription before going on without it.
const FIRST_SUBSCRIPTION_WAIT: Duration = Duration::from_secs(2);

/// Messages buffered per subscriber; one that falls further behind hears [`Heard::Lost`].
const BUFFER: usize = 1024;

impl Broadcast {
    /// Within this process only.
    pub fn local() -> Self {
        Self { local: broadcast::channel(BUFFER).0, redis: None }
    }

    /// Through Redis at `url`, on channels under `prefix`; a background task listens until the process ends.
    /// Only a malformed URL is an error: without Redis, the process starts and subscribes once it answers.
    pub async fn redis(url: &str, prefix: &str) -> Result<Self, Unexpected> {
        let client = redis::Client::open(url).map_err(|e| Unexpected::new("reading REDIS_URL", e))?;
        // One reconnect try: a publish is made inside requests and steps, which must not wait on a Redis that is down.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| Unexpected::new("connecting to Redis for broadcasts", e))?;
        let local = broadcast::channel(BUFFER).0;
        let pattern = format!("{prefix}:broadcast:*");
        let strip = format!("{prefix}:broadcast:");
        // The first subscription is made before returning when Redis answers, so nothing published after
        // start-up is missed; when it does not, the listener keeps trying.
        let first = match tokio::time::timeout(FIRST_SUBSCRIPTION_WAIT, subscribe(&client, &pattern)).await {
            Ok(Ok(pubsub)) => Some(pubsub),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "Redis does not answer: broadcasts stay in this process until it does");
                None
            }
            Err(_) => {
                tracing::warn!("Redis did not answer in time: broadcasts stay in this process until it does");
                None
            }
        };
        tokio::spawn(listen(client, first, pattern, strip, local.clone()));
        Ok(Self { local, redis: Some(RedisSide { conn, prefix: prefix.into() }) })
    }

    /// Tells every process, this one included. Without Redis, only this process hears it, and the caller hears
    /// the failure (for its log); the others forget what they cached when their subscription comes back (they
    /// hear [`Heard::Lost`]), and caches of sessions expire within seconds anyway.
    pub async fn publish(&self, topic: &str, body: &str) -> Result<(), Unexpected> {
        let Some(side) = &self.redis else {
            self.publish_here(topic, body);
            return Ok(());
        };
        let mut conn = side.conn.clone();
        let channel = format!("{}:broadcast:{topic}", side.prefix);
        if conn.publish::<_, _, i64>(channel, body).await.is_err() {
            self.publish_here(topic, body);
            return Err(Unexpected::new("publishing a broadcast beyond this process", Unavailable("Redis")));
        }
        Ok(())
    }

    fn publish_here(&self, topic: &str, body: &str) {
        // No subscriber yet is not a failure.
        let _ = self.local.send(Heard::Message { topic: topic.to_owned(), body: body.to_owned() });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Heard> {
        self.local.subscribe()
    }
}

async fn subscribe(client: &redis::Client, pattern: &str) -> Result<redis::aio::PubSub, Unexpected> {
    let mut pubsub = client
        .get_async_pubsub()
        .await
        .map_err(|_| Unexpected::new("subscribing to broadcasts", Unavailable("Redis")))?;
    pubsub.psubscribe(pattern).await.map_err(|e| Unexpected::new("subscribing to broadcasts", e))?;
    Ok(pubsub)
}

async fn listen(
    client: redis::Client,
    mut first: Option<redis::aio::PubSub>,
    pattern: String,
    strip: String,
    local: broadcast::Sender<Heard>,
) {
    loop {
        if let Some(mut pubsub) = first.take() {
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let topic = msg.get_channel_name().strip_prefix(strip.as_str()).unwrap_or_default().to_owned();
                let Ok(body) = msg.get_payload::<String>() else { continue };
                let _ = local.send(Heard::Message { topic, body });
            }
            tracing::warn!("lost the Redis broadcast subscription; reconnecting");
        }
        let pubsub = loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            match subscribe(&client, &pattern).await {
                Ok(p) => break p,
                Err(e) => tracing::debug!(error = %e, "Redis broadcasts still unreachable"),
            }
        };
        first = Some(pubsub);
        let _ = local.send(Heard::Lost);
    }
}
