//! Logging setup: one subscriber writing to any writer, so the binary logs to stderr and tests can silence it.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber; `filter` is a `RUST_LOG`-style directive. Chatty dependencies are held at
/// `warn` unless the filter names them.
pub fn init<W>(filter: &str, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let directives = format!("sqlx=warn,sea_orm=warn,sea_orm_migration=warn,{filter}");
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_target(false).try_init();
}

/// Logs each request and its response as poem's `Tracing` does (inside the request id's span), except that the token of a calendar feed URL
/// (`/api/v1/calendar/<token>.ics`) is left out: it is the feed's only key, and logs are read by more people.
pub async fn log_request<E: poem::Endpoint>(
    next: std::sync::Arc<E>,
    req: poem::Request,
) -> poem::Result<poem::Response> {
    use poem::IntoResponse;
    use tracing::Instrument;

    let uri = redacted(&req.original_uri().to_string());
    let span = tracing::info_span!(
        "request",
        remote_addr = %req.remote_addr(),
        method = %req.method(),
        uri = %uri,
    );
    async move {
        let started = std::time::Instant::now();
        let result = next.call(req).await;
        let duration = started.elapsed();
        match result {
            Ok(resp) => {
                let resp = resp.into_response();
                tracing::info!(status = %resp.status(), ?duration, "response");
                Ok(resp)
            }
            Err(err) => {
                tracing::info!(status = %err.status(), error = %err, ?duration, "error");
                Err(err)
            }
        }
    }
    .instrument(span)
    .await
}

/// The URI with a calendar feed's token replaced by `…`.
fn redacted(uri: &str) -> String {
    const FEED: &str = "/api/v1/calendar/";
    match uri.find(FEED) {
        Some(at) => format!("{}{FEED}…", &uri[..at]),
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod request_log_tests {
    use super::redacted;

    #[test]
    fn a_calendar_feed_token_never_reaches_the_log() {
        assert_eq!(redacted("/api/v1/calendar/5f2c9a.ics"), "/api/v1/calendar/…");
        assert_eq!(redacted("/api/v1/me/calendar-feed"), "/api/v1/me/calendar-feed");
        assert_eq!(redacted("/api/v1/orders?limit=5"), "/api/v1/orders?limit=5");
    }
}
