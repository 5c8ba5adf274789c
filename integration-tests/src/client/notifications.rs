//! The notification endpoints: the inbox, an organization's webhook, and the admin's deliveries.

use reqwest::Method;
use serde_json::json;

use super::{Api, Reply};

impl Api {
    pub async fn inbox(&self, token: &str) -> Reply {
        self.get("/api/v1/inbox", Some(token)).await
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
