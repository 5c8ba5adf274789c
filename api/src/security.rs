//! Headers every response carries, whatever answered it (an operation, a problem, the docs, an unknown route):
//! no MIME sniffing, no framing by other sites, no referrer that could carry an id or a feed token elsewhere,
//! and a Content-Security-Policy. The API's JSON needs none of a page's powers, so it gets `default-src 'none'`;
//! the docs page, whose script and styles are inline in it, may run those and read the spec from this origin.

use std::sync::Arc;

use poem::http::HeaderValue;
use poem::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use poem::{Endpoint, IntoResponse, Request, Response};

/// The policy of everything but the docs page.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of the docs page (`/docs`): its own inline script and styles, the spec and images from here.
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

pub async fn harden<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let docs = req.uri().path() == "/docs" || req.uri().path().starts_with("/docs/");
    let mut resp = match next.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) => err.into_response(),
    };
    let headers = resp.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let policy = if docs { DOCS_POLICY } else { API_POLICY };
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    Ok(resp)
}
