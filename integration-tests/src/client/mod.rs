//! One helper per endpoint, over a real HTTP client: the generic calls and logging in here, and a module per
//! context (identity, orders, volunteering, notifications, administration) for the endpoints tests use.

mod admin;
mod identity;
mod notifications;
mod orders;
mod volunteering;

pub use identity::{texted_code, texts_to, tokens};

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The demo password every seeded account has.
pub const DEMO_PASSWORD: &str = "linli-demo";

/// A response read whole: status, a few headers, and the JSON body (or `Null`).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub retry_after: Option<String>,
    pub body: Value,
}

impl Reply {
    /// The problem's `code` for error replies.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn field(&self) -> &str {
        self.body["field"].as_str().unwrap_or("")
    }
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base: String) -> Self {
        let http =
            linli_infra::outbound::client_builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client");
        Self { base, http }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.expect("the request reaches Linli")).await
    }

    /// Opens a stream of server-sent events: its status, and the open response when it answered 200 (read its
    /// events with [`next_event`]). The client's overall timeout does not apply: a stream stays open.
    pub async fn stream(&self, path: &str, token: Option<&str>) -> (StatusCode, Option<reqwest::Response>) {
        let client = linli_infra::outbound::client_builder().build().expect("an HTTP client");
        let mut req = client.get(format!("{}{path}", self.base)).header("accept", "text/event-stream");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("the request reaches Linli");
        let status = resp.status();
        (status, (status == StatusCode::OK).then_some(resp))
    }

    pub async fn raw(&self, req: reqwest::RequestBuilder) -> Reply {
        read(req.send().await.expect("the request reaches Linli")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(Method::GET, path, token, None, &[]).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(token), Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(Method::DELETE, path, Some(token), None, &[]).await
    }

    /// A GET whose body is text (CSV, iCalendar): status, content type and the text.
    pub async fn text(&self, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("the request reaches Linli");
        let status = resp.status();
        let content_type =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (status, content_type, resp.text().await.unwrap_or_default())
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(Method::POST, path, token, Some(body), &[]).await
    }

    /// Logs in and returns the bearer token; panics if the login fails.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let r = self.post("/api/v1/auth/login", None, json!({ "login": login, "password": password })).await;
        assert_eq!(r.status, StatusCode::OK, "login as {login}: {:?}", r.body);
        r.body["token"].as_str().expect("a token").to_owned()
    }

    pub async fn login_demo(&self, login: &str) -> String {
        self.login(login, DEMO_PASSWORD).await
    }
}

/// A cleaning order (日常保洁, broadcast) in the demo resident's community 文安路社区, as soon as possible.
pub fn cleaning_order() -> Value {
    json!({
        "item_id": 15,
        "community_id": 1,
        "address": "文安路12号3单元502",
        "lat": 41.781,
        "lng": 123.402,
        "asap": true,
        "notes": "请带上清洁剂"
    })
}

async fn read(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let content_type = header("content-type").unwrap_or_default();
    let location = header("location");
    let etag = header("etag");
    let retry_after = header("retry-after");
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, content_type, location, etag, retry_after, body }
}

/// The next event of a server-sent-events stream, as JSON, skipping keep-alive comments; `None` when nothing
/// came within `within` or the stream ended. `pending` holds what was read past the last event.
pub async fn next_event(resp: &mut reqwest::Response, pending: &mut String, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            let data: String = event.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim).collect();
            if !data.is_empty() {
                return serde_json::from_str(&data).ok();
            }
            continue;
        }
        let chunk = tokio::time::timeout_at(deadline, resp.chunk()).await.ok()?.ok()??;
        pending.push_str(&String::from_utf8_lossy(&chunk));
    }
}
