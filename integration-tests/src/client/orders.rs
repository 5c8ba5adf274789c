//! The order endpoints: placing, following and acting on an order, and a provider's offers.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::{Api, Reply};

impl Api {
    pub async fn place_order(&self, token: &str, body: Value, idempotency_key: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = idempotency_key.map(|k| ("Idempotency-Key", k)).into_iter().collect();
        self.send(Method::POST, "/api/v1/orders", Some(token), Some(body), &headers).await
    }

    pub async fn order(&self, token: &str, id: &str) -> Reply {
        self.get(&format!("/api/v1/orders/{id}"), Some(token)).await
    }

    /// `accept`, `decline`, `start`, `complete` or `cancel` on an order; `complete` with a service note.
    pub async fn act(&self, token: &str, id: &str, action: &str) -> Reply {
        let body = match action {
            "complete" => Some(serde_json::json!({ "note": "服务已按要求完成" })),
            "decline" => Some(serde_json::json!({ "reason": "staff_unavailable" })),
            _ => None,
        };
        self.send(Method::POST, &format!("/api/v1/orders/{id}/{action}"), Some(token), body, &[]).await
    }

    pub async fn offers(&self, token: &str) -> Reply {
        self.get("/api/v1/offers", Some(token)).await
    }

    /// Tokens of the demo organizations' staff (`org001`…`org005`) whose organization holds an open offer for
    /// the order, best ranked first.
    pub async fn offered_staff(&self, id: &str) -> Vec<String> {
        let mut holders = Vec::new();
        for n in 1..=5 {
            let token = self.login_demo(&format!("org{n:03}")).await;
            let offers = self.offers(&token).await;
            if offers.body["offers"].as_array().is_some_and(|o| o.iter().any(|o| o["order"]["id"] == id)) {
                holders.push(token);
            }
        }
        holders
    }

    /// Polls the order until it reaches `state`; panics with the last reply after `within`.
    pub async fn wait_for_state(&self, token: &str, id: &str, state: &str, within: Duration) -> Reply {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let r = self.order(token, id).await;
            if r.body["state"] == state {
                return r;
            }
            assert!(tokio::time::Instant::now() < deadline, "order {id} never reached {state}: {:?}", r.body);
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
