//! The administration endpoints: accounts and organizations.

use serde_json::Value;

use super::{Api, Reply};

impl Api {
    pub async fn create_account(&self, token: &str, body: Value) -> Reply {
        self.post("/api/v1/admin/accounts", Some(token), body).await
    }

    pub async fn create_provider(&self, token: &str, body: Value) -> Reply {
        self.post("/api/v1/admin/providers", Some(token), body).await
    }
}
