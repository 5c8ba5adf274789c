//! A real local HTTP server standing in for an organization's system or an SMS gateway: it records every
//! request and answers with the statuses it is told to, in order, then 200. The statuses may be kept for
//! requests of one event type (the `Linli-Event-Type` header), and the first requests may be held unanswered,
//! as a receiver that hangs does, to catch a sender in the middle of a call.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Body, Request, Response, Server, handler};

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Statuses for the next requests, in order; 200 once they run out.
    script: VecDeque<u16>,
    /// Only requests of this event type follow the script; the others get 200.
    scripted_type: Option<String>,
    /// How many of the next requests are never answered.
    hold: usize,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    _server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver that answers the first requests with `script`, then 200.
    pub async fn start(script: &[u16]) -> Self {
        Self::start_scripted(script, None).await
    }

    /// Starts a receiver that answers the first requests of `event_type` with `script`, and everything else 200.
    pub async fn start_for(event_type: &str, script: &[u16]) -> Self {
        Self::start_scripted(script, Some(event_type.to_owned())).await
    }

    /// Starts a receiver that records the first `n` requests and never answers them, then answers 200.
    pub async fn start_holding(n: usize) -> Self {
        let receiver = Self::start_scripted(&[], None).await;
        receiver.shared.lock().unwrap().hold = n;
        receiver
    }

    async fn start_scripted(script: &[u16], scripted_type: Option<String>) -> Self {
        let script = script.iter().copied().collect();
        let shared = Arc::new(Mutex::new(Shared { received: Vec::new(), script, scripted_type, hold: 0 }));
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.expect("binding a receiver");
        let port = acceptor.local_addr()[0].as_socket_addr().expect("a TCP address").port();
        let state = shared.clone();
        let server = tokio::spawn(async move {
            let app = poem::EndpointExt::data(record, state);
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self { url: format!("http://127.0.0.1:{port}/hook"), shared, _server: server }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` requests have arrived, or `within` passes; returns what arrived.
    pub async fn wait_for(&self, n: usize, within: std::time::Duration) -> Vec<Received> {
        let until = std::time::Instant::now() + within;
        while self.received().len() < n && std::time::Instant::now() < until {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.received()
    }
}

#[handler]
async fn record(req: &Request, body: Body, state: poem::web::Data<&Arc<Mutex<Shared>>>) -> Response {
    let body = body.into_string().await.unwrap_or_default();
    let headers =
        req.headers().iter().map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    let received = Received { headers, body };
    let status = {
        let mut shared = state.0.lock().unwrap();
        let scripted = shared.scripted_type.as_deref().is_none_or(|t| received.header("linli-event-type") == Some(t));
        shared.received.push(received);
        if shared.hold > 0 {
            shared.hold -= 1;
            None
        } else {
            Some(if scripted { shared.script.pop_front().unwrap_or(200) } else { 200 })
        }
    };
    let Some(status) = status else {
        return std::future::pending().await;
    };
    Response::builder().status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK)).finish()
}
