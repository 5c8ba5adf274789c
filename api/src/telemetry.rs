//! Logging setup: one subscriber writing to any writer, so the binary logs to stderr and tests can silence it.
//! Every line passes through [`mask_phones`] on its way out: whatever a log call or an error message carries,
//! a mobile number reaches the log only as 138****5678. Names and addresses are never logged at all.

use std::io::Write;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber; `filter` is a `RUST_LOG`-style directive. Chatty dependencies are held at
/// `warn` unless the filter names them: the database drivers, and the scheduler, which announces each job it
/// creates (Linli logs each step's runs itself).
pub fn init<W>(filter: &str, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let directives = format!("sqlx=warn,sea_orm=warn,sea_orm_migration=warn,tokio_cron_scheduler=warn,{filter}");
    let filter = EnvFilter::try_new(&directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(Masked(writer)).with_target(false).try_init();
}

/// A writer whose every write has its mobile numbers masked.
struct Masked<W>(W);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Masked<W> {
    type Writer = MaskedWriter<W::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        MaskedWriter(self.0.make_writer())
    }
}

/// The formatter writes each event whole, in one call, so a number is never split across two writes.
struct MaskedWriter<W>(W);

impl<W: Write> Write for MaskedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(&mask_phones(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `bytes` with every mainland mobile number (1, a digit from 3 to 9, nine more digits, not inside a longer
/// run of digits, `+86` allowed before it) shown as its first three and last four digits.
pub fn mask_phones(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = 0;
    while i + 11 <= bytes.len() {
        let starts = !(i > 0 && digit(i - 1)) || (i >= 3 && &bytes[i - 3..i] == b"+86");
        let is_number = bytes[i] == b'1'
            && (b'3'..=b'9').contains(&bytes[i + 1])
            && bytes[i + 2..i + 11].iter().all(u8::is_ascii_digit)
            && !digit(i + 11);
        if starts && is_number {
            out[i + 3..i + 7].copy_from_slice(b"****");
            i += 11;
        } else {
            i += 1;
        }
    }
    out
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
    use super::{mask_phones, redacted};

    fn masked(s: &str) -> String {
        String::from_utf8(mask_phones(s.as_bytes())).unwrap()
    }

    #[test]
    fn a_mobile_number_never_reaches_the_log_whole() {
        assert_eq!(masked("texting 13912345678: failed"), "texting 139****5678: failed");
        assert_eq!(masked("to=\"+8613912345678\""), "to=\"+86139****5678\"");
        assert_eq!(masked("两个号码13912345678和15800001111"), "两个号码139****5678和158****1111");
    }

    #[test]
    fn other_numbers_are_left_alone() {
        for kept in ["order 123456789012345", "12012345678", "duration 1391234567ms", "id=213912345678"] {
            assert_eq!(masked(kept), kept);
        }
    }

    #[test]
    fn a_calendar_feed_token_never_reaches_the_log() {
        assert_eq!(redacted("/api/v1/calendar/5f2c9a.ics"), "/api/v1/calendar/…");
        assert_eq!(redacted("/api/v1/me/calendar-feed"), "/api/v1/me/calendar-feed");
        assert_eq!(redacted("/api/v1/orders?limit=5"), "/api/v1/orders?limit=5");
    }
}
