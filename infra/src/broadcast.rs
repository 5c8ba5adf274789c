//! Messages every process of a deployment hears: Redis pub/sub when Redis is configured, a channel inside
//! the process otherwise. Sessions use it so that an account disabled on one replica is refused by all of
//! them at once. A listener that loses Redis hears [`Heard::Lost`] when it is back, because whatever was
//! published meanwhile is gone: a cache must then forget everything.

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

/// Messages buffered per subscriber; one that falls further behind hears [`Heard::Lost`].
const BUFFER: usize = 1024;

impl Broadcast {
    /// Within this process only.
    pub fn local() -> Self {
        Self { local: broadcast::channel(BUFFER).0, redis: None }
    }

    /// Through Redis at `url`, on channels under `prefix`; a background task listens until the process ends.
    pub async fn redis(url: &str, prefix: &str) -> Result<Self, Unexpected> {
        let client = redis::Client::open(url).map_err(|e| Unexpected::new("reading REDIS_URL", e))?;
        let conn = client
            .get_connection_manager()
            .await
            .map_err(|e| Unexpected::new("connecting to Redis for broadcasts", e))?;
        let local = broadcast::channel(BUFFER).0;
        let pattern = format!("{prefix}:broadcast:*");
        let strip = format!("{prefix}:broadcast:");
        // The first subscription is made before returning, so nothing published after start-up is missed.
        let pubsub = subscribe(&client, &pattern).await?;
        tokio::spawn(listen(client, pubsub, pattern, strip, local.clone()));
        Ok(Self { local, redis: Some(RedisSide { conn, prefix: prefix.into() }) })
    }

    /// Tells every process, this one included.
    pub async fn publish(&self, topic: &str, body: &str) -> Result<(), Unexpected> {
        match &self.redis {
            None => {
                // No subscriber yet is not a failure.
                let _ = self.local.send(Heard::Message { topic: topic.to_owned(), body: body.to_owned() });
                Ok(())
            }
            Some(side) => {
                let mut conn = side.conn.clone();
                let channel = format!("{}:broadcast:{topic}", side.prefix);
                let _: i64 = conn
                    .publish(channel, body)
                    .await
                    .map_err(|_| Unexpected::new("publishing a broadcast", Unavailable("Redis")))?;
                Ok(())
            }
        }
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
    mut pubsub: redis::aio::PubSub,
    pattern: String,
    strip: String,
    local: broadcast::Sender<Heard>,
) {
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let topic = msg.get_channel_name().strip_prefix(strip.as_str()).unwrap_or_default().to_owned();
                let Ok(body) = msg.get_payload::<String>() else { continue };
                let _ = local.send(Heard::Message { topic, body });
            }
        }
        tracing::warn!("lost the Redis broadcast subscription; reconnecting");
        pubsub = loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            match subscribe(&client, &pattern).await {
                Ok(p) => break p,
                Err(e) => tracing::debug!(error = %e, "Redis broadcasts still unreachable"),
            }
        };
        let _ = local.send(Heard::Lost);
    }
}
