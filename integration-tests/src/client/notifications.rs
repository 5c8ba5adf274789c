//! The notification endpoints: the inbox, an organization's webhook, and the admin's deliveries.

use reqwest::Method;
use serde_json::json;

use super::{Api, Reply};

impl Api {
    pub async fn inbox(&self, token: &str) -> Reply {
        self.get("/api/v1/inbox", Some(token)).await
    }

    /// Polls `token`'s inbox until a message titled `title` arrives (the notifier writes it a moment after the
    /// change); false when none came within 15 s.
    pub async fn inbox_has(&self, token: &str, title: &str) -> bool {
        let until = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
        while tokio::time::Instant::now() < until {
            let messages = self.inbox(token).await.body["messages"].clone();
            if messages.as_array().is_some_and(|m| m.iter().any(|m| m["title"] == title)) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// Sets the caller's organization's webhook URL.
    pub async fn set_webhook(&self, token: &str, url: &str) -> Reply {
        self.send(Method::PUT, "/api/v1/provider/webhook", Some(token), Some(json!({ "url": url })), &[]).await
    }

    pub async fn webhook(&self, token: &str) -> Reply {
        self.get("/api/v1/provider/webhook", Some(token)).await
    }

    /// Deliveries in `state` (`pending`, `delivered` or `dead`), for an admin.
    pub async fn deliveries(&self, token: &str, state: &str) -> Reply {
        self.get(&format!("/api/v1/admin/deliveries?state={state}"), Some(token)).await
    }
}
