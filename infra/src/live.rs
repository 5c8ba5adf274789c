//! Live notices through the deployment's broadcast (Redis pub/sub, or within the process): the notifier
//! publishes each on the `live` topic, and every `serve` process hands its open streams what it hears.

use tokio::sync::broadcast::error::RecvError;

use linli_domain::error::Unexpected;
use linli_domain::notifications::{LiveNotice, LivePublisher, LiveReceiver, LiveSubscriptions};

use crate::broadcast::{Broadcast, Heard};

/// The broadcast topic of live notices; the body is the notice as JSON.
const TOPIC: &str = "live";

#[derive(Clone)]
pub struct LiveHub {
    broadcast: Broadcast,
}

impl LiveHub {
    pub fn new(broadcast: Broadcast) -> Self {
        Self { broadcast }
    }
}

impl LivePublisher for LiveHub {
    async fn publish(&self, notice: &LiveNotice) {
        // A page that misses a notice reads everything again when its stream reconnects: a failure here is
        // worth a line in the log, not a retry or a failed request.
        let sent = match serde_json::to_string(notice) {
            Ok(body) => self.broadcast.publish(TOPIC, &body).await,
            Err(e) => Err(Unexpected::new("writing a live notice", e)),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, kind = ?notice.kind, "a live notice was not published");
        }
    }
}

impl LiveSubscriptions for LiveHub {
    type Receiver = LiveHubReceiver;

    fn subscribe(&self) -> LiveHubReceiver {
        LiveHubReceiver(self.broadcast.subscribe())
    }
}

pub struct LiveHubReceiver(tokio::sync::broadcast::Receiver<Heard>);

impl LiveReceiver for LiveHubReceiver {
    async fn next(&mut self) -> Option<LiveNotice> {
        loop {
            match self.0.recv().await {
                Ok(Heard::Message { topic, body }) if topic == TOPIC => match serde_json::from_str(&body) {
                    Ok(notice) => return Some(notice),
                    Err(e) => tracing::warn!(error = %e, "an unreadable live notice was skipped"),
                },
                Ok(Heard::Message { .. }) => {}
                // Whatever was published while Redis was away, or while this stream fell behind, is gone.
                Ok(Heard::Lost) | Err(RecvError::Lagged(_)) => return Some(LiveNotice::resync()),
                Err(RecvError::Closed) => return None,
            }
        }
    }
}
