//! Who may try what how often: the rate limits of the operations people could otherwise hammer (logging in,
//! signing up, asking for codes, resetting a password, placing orders, checking in with a code), each per
//! client address and per account (the login, phone number or signed-in account). Counted in Redis when
//! configured, so every replica shares one budget, in the process otherwise. An exceeded limit is a 429 with
//! `Retry-After`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::http::{HeaderValue, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use linli_infra::limits::{Budget, LimitName, Limiter};

use crate::problem::ApiError;

/// An operation with limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Login,
    SignUp,
    SendCode,
    ResetPassword,
    PlaceOrder,
    CheckIn,
}

impl Rule {
    pub const ALL: [Rule; 6] =
        [Rule::Login, Rule::SignUp, Rule::SendCode, Rule::ResetPassword, Rule::PlaceOrder, Rule::CheckIn];

    pub fn name(self) -> &'static str {
        match self {
            Rule::Login => "login",
            Rule::SignUp => "sign_up",
            Rule::SendCode => "send_code",
            Rule::ResetPassword => "reset_password",
            Rule::PlaceOrder => "place_order",
            Rule::CheckIn => "check_in",
        }
    }

    /// The budgets per client address and per account. Per address they are generous: a community centre or
    /// a carrier's NAT puts many residents behind one address.
    pub fn budgets(self) -> (Budget, Budget) {
        let per = |burst, seconds| Budget { burst, period: Duration::from_secs(seconds) };
        match self {
            Rule::Login => (per(60, 60), per(10, 600)),
            Rule::SignUp => (per(20, 600), per(5, 600)),
            Rule::SendCode => (per(20, 3600), per(5, 3600)),
            Rule::ResetPassword => (per(20, 600), per(10, 600)),
            Rule::PlaceOrder => (per(120, 60), per(30, 60)),
            Rule::CheckIn => (per(60, 60), per(10, 60)),
        }
    }
}

const CLIENT: &str = "client";
const ACCOUNT: &str = "account";

/// Every budget, scaled by `scale` (0 turns limits off).
pub fn budgets(scale: f64) -> HashMap<LimitName, Budget> {
    if scale <= 0.0 {
        return HashMap::new();
    }
    Rule::ALL
        .into_iter()
        .flat_map(|rule| {
            let (client, account) = rule.budgets();
            [((rule.name(), CLIENT), client.scaled(scale)), ((rule.name(), ACCOUNT), account.scaled(scale))]
        })
        .collect()
}

/// The limits of this process.
#[derive(Clone)]
pub struct Limits(pub Limiter);

impl Limits {
    /// Counts a try of `rule` by the client at `client` for `account`; refuses with 429 when either budget is
    /// spent. Both are counted, so a refused try still costs.
    pub async fn check(&self, rule: Rule, client: Option<IpAddr>, account: Option<&str>) -> Result<(), ApiError> {
        let client = client.map(|ip| ip.to_string());
        let hits: Vec<(LimitName, &str)> = [(CLIENT, client.as_deref()), (ACCOUNT, account.map(str::trim))]
            .into_iter()
            .filter_map(|(kind, key)| key.map(|k| ((rule.name(), kind), k)))
            .collect();
        match self.0.hit_each(&hits).await {
            None => Ok(()),
            Some(wait) => Err(ApiError::too_many(
                "rate_limited",
                wait.as_secs_f64().ceil() as u64,
                "too many tries in too short a time; wait and try again",
            )),
        }
    }
}

/// The client's address as this server saw it. Behind a proxy that is the proxy's; a deployment there should
/// rely on the per-account limits or limit at the proxy.
pub fn client_of(req: &Request) -> Option<IpAddr> {
    req.remote_addr().as_socket_addr().map(|a| a.ip())
}

/// Answers 503 for a request that takes longer than `limit`, instead of holding the client (and a
/// connection) indefinitely; the work it was doing is dropped at its next await.
pub async fn within<E: Endpoint>(next: Arc<E>, req: Request, limit: Duration) -> poem::Result<Response> {
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(done) => done.map(IntoResponse::into_response),
        Err(_) => {
            tracing::warn!(seconds = limit.as_secs(), "a request took too long and was cut off");
            Ok(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the request took too long; try again")
                .into_response())
        }
    }
}

/// Puts the wait a 429 problem states into its `Retry-After` header, wherever the 429 came from.
pub async fn retry_after<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let resp = match next.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) => err.into_response(),
    };
    if resp.status() != StatusCode::TOO_MANY_REQUESTS || resp.headers().contains_key("retry-after") {
        return Ok(resp);
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await.unwrap_or_default();
    let seconds =
        serde_json::from_slice::<serde_json::Value>(&bytes).ok().and_then(|v| v["retry_after"].as_u64()).unwrap_or(1);
    parts.headers.insert("retry-after", HeaderValue::from(seconds));
    Ok(Response::from_parts(parts, bytes.into()))
}
