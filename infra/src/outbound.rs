//! The ways out of the building: webhooks to organizations' own systems and an SMS gateway, both over HTTP.
//!
//! A webhook is a JSON POST with three headers: `Linli-Delivery` (unique per delivery, for the receiver to
//! drop repeats), `Linli-Event-Type`, and `Linli-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` computed
//! with the endpoint's secret over `<t>.<body>`. A receiver recomputes it and compares, and rejects old `t`.

use std::time::Duration;

use hmac::{Hmac, Mac};
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

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(CALL_TIMEOUT).build().expect("a plain HTTP client builds")
}

/// Answers other than 2xx, and transport errors, are failures worth retrying.
async fn outcome(sent: Result<reqwest::Response, reqwest::Error>) -> Result<(), SendError> {
    match sent {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(SendError::Failed(format!("the receiver answered {}", r.status()))),
        Err(e) => Err(SendError::Failed(format!("the receiver could not be reached: {e}"))),
    }
}

/// Webhooks over HTTP.
#[derive(Clone)]
pub struct HttpWebhooks {
    client: reqwest::Client,
}

impl Default for HttpWebhooks {
    fn default() -> Self {
        Self { client: client() }
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

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn the_signature_is_an_hmac_of_the_timestamp_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            signature("secret", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }
}
