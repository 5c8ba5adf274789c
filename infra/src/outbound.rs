//! The ways out of the building: webhooks to organizations' own systems and an SMS gateway, both over HTTP,
//! and, for development without a gateway, an SMS "gateway" that writes each text to the log and a file.
//!
//! A webhook is a JSON POST with three headers: `Linli-Delivery` (unique per delivery, for the receiver to
//! drop repeats), `Linli-Event-Type`, and `Linli-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` computed
//! with the endpoint's secret over `<t>.<body>`. A receiver recomputes it and compares, and rejects old `t`.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

use linli_domain::accounts::PhoneNumber;
use linli_domain::notifications::{SendError, SmsGateway, WebhookSender};

/// How long one call to the outside may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The signature header's value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let digest: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={digest}")
}

/// An HTTP client's builder, with the process's TLS crypto provider installed first: ring, which the database
/// driver uses too, so that one crypto back end is compiled and not two. Installing it again is harmless.
pub fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// Redirects are not followed: a receiver could otherwise bounce a call to an address it may not reach.
fn client() -> reqwest::Client {
    client_builder()
        .timeout(CALL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a plain HTTP client builds")
}

/// Whether an address is inside a private network, the host itself, or otherwise not on the public internet.
pub fn is_internal(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                // 100.64.0.0/10, carrier-grade NAT.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        std::net::IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link local.
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some_and(|v4| is_internal(std::net::IpAddr::V4(v4)))
        }
    }
}

/// Answers other than 2xx, and transport errors, are failures worth retrying.
async fn outcome(sent: Result<reqwest::Response, reqwest::Error>) -> Result<(), SendError> {
    match sent {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(SendError::Failed(format!("the receiver answered {}", r.status()))),
        Err(e) => Err(SendError::Failed(format!("the receiver could not be reached: {e}"))),
    }
}

/// Webhooks over HTTP. Organizations name the URLs, so by default a URL whose host resolves to an internal
/// address (private networks, the host itself, cloud metadata) is refused.
#[derive(Clone)]
pub struct HttpWebhooks {
    client: reqwest::Client,
    allow_internal: bool,
}

impl HttpWebhooks {
    /// `allow_internal` lets webhooks reach internal addresses (for a closed network, or tests).
    pub fn new(allow_internal: bool) -> Self {
        Self { client: client(), allow_internal }
    }

    async fn check_reachable(&self, url: &str) -> Result<(), SendError> {
        if self.allow_internal {
            return Ok(());
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| SendError::Failed(format!("the URL is not valid: {e}")))?;
        let host = parsed.host_str().ok_or_else(|| SendError::Failed("the URL has no host".into()))?;
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addresses = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| SendError::Failed(format!("the host could not be resolved: {e}")))?;
        for address in addresses {
            if is_internal(address.ip()) {
                return Err(SendError::Failed("the URL points into an internal network; refused".into()));
            }
        }
        Ok(())
    }
}

impl WebhookSender for HttpWebhooks {
    async fn send(
        &self,
        url: &str,
        secret: &str,
        delivery: Uuid,
        event_type: &str,
        body: &str,
    ) -> Result<(), SendError> {
        self.check_reachable(url).await?;
        let signed = signature(secret, chrono::Utc::now().timestamp(), body);
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("linli-delivery", delivery.to_string())
            .header("linli-event-type", event_type)
            .header("linli-signature", signed)
            .body(body.to_owned())
            .send()
            .await;
        outcome(sent).await
    }
}

/// An SMS gateway that takes `POST <url>` with `{"to": "...", "text": "..."}` and a bearer credential.
#[derive(Clone)]
pub struct HttpSms {
    client: reqwest::Client,
    url: String,
    credential: String,
}

impl HttpSms {
    pub fn new(url: String, credential: String) -> Self {
        Self { client: client(), url, credential }
    }
}

impl SmsGateway for HttpSms {
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError> {
        let sent = self
            .client
            .post(&self.url)
            .bearer_auth(&self.credential)
            .json(&serde_json::json!({ "to": to.as_ref(), "text": text }))
            .send()
            .await;
        // The number appears in errors and logs only masked.
        outcome(sent)
            .await
            .map_err(|SendError::Failed(why)| SendError::Failed(format!("SMS to {}: {why}", to.masked())))
    }
}

/// Texts for development: each one goes to the server log (the number masked) and, in full, to a line of
/// `sms.log` in the data directory, so that whoever runs Linli without a gateway can read the codes.
#[derive(Clone)]
pub struct DevSms {
    file: std::path::PathBuf,
    lock: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl DevSms {
    pub fn new(data_dir: &std::path::Path) -> Self {
        Self { file: data_dir.join(DEV_SMS_FILE), lock: Default::default() }
    }

    pub fn file(&self) -> &std::path::Path {
        &self.file
    }
}

/// The file, under the data directory, that [`DevSms`] appends its texts to.
pub const DEV_SMS_FILE: &str = "sms.log";

impl SmsGateway for DevSms {
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError> {
        use tokio::io::AsyncWriteExt;
        tracing::info!(to = %to.masked(), text, file = %self.file.display(), "SMS (development: not sent)");
        let line = format!("{}\t{}\t{}\n", chrono::Utc::now().to_rfc3339(), to.as_ref(), text);
        let _held = self.lock.lock().await;
        if let Some(dir) = self.file.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(|e| SendError::Failed(format!("SMS file: {e}")))?;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .await
            .map_err(|e| SendError::Failed(format!("SMS file {}: {e}", self.file.display())))?;
        file.write_all(line.as_bytes()).await.map_err(|e| SendError::Failed(format!("SMS file: {e}")))?;
        // tokio writes on a blocking thread: only a flush waits until the line is in the file.
        file.flush().await.map_err(|e| SendError::Failed(format!("SMS file: {e}")))
    }
}

/// The SMS gateway configured: the HTTP gateway in production, [`DevSms`] without one.
#[derive(Clone)]
pub enum AnySms {
    Http(HttpSms),
    Dev(DevSms),
}

impl SmsGateway for AnySms {
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError> {
        match self {
            AnySms::Http(sms) => sms.send(to, text).await,
            AnySms::Dev(sms) => sms.send(to, text).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_internal, signature};

    #[test]
    fn internal_addresses_are_told_from_public_ones() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "0.0.0.0",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["8.8.8.8", "114.114.114.114", "2001:4860:4860::8888"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn a_webhook_to_an_internal_address_is_refused_unless_allowed() {
        let refused = super::HttpWebhooks::new(false).check_reachable("http://169.254.169.254/latest").await;
        assert!(matches!(refused, Err(super::SendError::Failed(why)) if why.contains("internal")));
        assert!(super::HttpWebhooks::new(true).check_reachable("http://127.0.0.1:9/").await.is_ok());
    }

    #[test]
    fn the_signature_is_an_hmac_of_the_timestamp_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature("secret", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }
}
