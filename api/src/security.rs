//! Headers every response carries, whatever answered it (an operation, a problem, the docs, an unknown route):
//! no MIME sniffing, no framing by other sites, no referrer that could carry an id or a feed token elsewhere,
//! and a Content-Security-Policy. The API's JSON needs none of a page's powers, so it gets `default-src 'none'`;
//! the docs page, whose script and styles are inline in it, may run those and read the spec from this origin;
//! the web app runs only its own files from this origin, and talks only to this origin.

use std::sync::Arc;

use poem::http::HeaderValue;
use poem::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use poem::{Endpoint, IntoResponse, Request, Response};

/// The policy of everything but the docs page.
pub const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The policy of the docs page (`/docs`): its own inline script and styles, the spec and images from here.
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/// The policy of the web app (`/` and `/assets/…`): its own scripts and styles only, its icon font inline
/// (`data:`), and requests to this origin alone.
pub const APP_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

pub async fn harden<E: Endpoint>(next: Arc<E>, req: Request) -> poem::Result<Response> {
    let path = req.uri().path();
    let docs = path == "/docs" || path.starts_with("/docs/");
    let app = path == "/" || path.starts_with("/assets/");
    let mut resp = match next.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) => err.into_response(),
    };
    let headers = resp.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let policy = match (docs, app) {
        (true, _) => DOCS_POLICY,
        (_, true) => APP_POLICY,
        _ => API_POLICY,
    };
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    Ok(resp)
}
