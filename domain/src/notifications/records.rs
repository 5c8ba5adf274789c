//! What people and admins see of notifications: inbox messages, an organization's webhook endpoint,
//! deliveries to the outside (dead letters among them), the record of each scheduled job, and the backlog.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::words::{Lang, Message};

/// One message in an account's inbox.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxRecord {
    pub id: Uuid,
    pub account_id: Uuid,
    pub topic: String,
    /// The Chinese wording as written; what a message from before the catalog reads as in any language.
    pub title: String,
    pub body: String,
    /// What it says, to be worded in the reader's language.
    pub message: Option<Message>,
    pub order_id: Option<Uuid>,
    /// What caused the message (an event or reminder and the recipient), unique, so nothing is told twice.
    pub source_key: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl InboxRecord {
    /// The title and the text in `lang`.
    pub fn worded(&self, lang: Lang) -> (String, String) {
        match &self.message {
            Some(m) => (m.title(lang), m.body(lang)),
            None => (self.title.clone(), self.body.clone()),
        }
    }
}

/// An organization's webhook endpoint; the secret is shown only when it is made.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookRecord {
    pub url: String,
    pub updated_at: DateTime<Utc>,
    /// Present only right after the secret was made.
    pub new_secret: Option<String>,
}

/// One webhook call or SMS and how its attempts went.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    pub id: Uuid,
    /// `webhook` or `sms`.
    pub channel: String,
    pub provider_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub event_type: String,
    pub body: String,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub source_key: String,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// How a scheduled job's runs went.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRunRecord {
    pub job: String,
    /// The daily or monthly slot it last ran for.
    pub last_slot: Option<DateTime<Utc>>,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_finished_at: Option<DateTime<Utc>>,
    pub last_duration_ms: i64,
    pub last_count: i64,
    pub last_error: Option<String>,
    pub runs: i64,
    pub failures: i64,
}

/// Work waiting in the notification tables, for metrics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NotificationBacklog {
    pub outbox: u64,
    pub reminders: u64,
    /// Deliveries per state (`pending`, `delivered`, `dead`).
    pub deliveries: Vec<(String, i64)>,
}

/// Which deliveries a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Dead].into_iter().find(|s| s.as_str() == raw)
    }
}

/// A webhook URL as an organization gives it: http or https, at most 2,000 characters, no spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookUrl(String);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("url must be an http:// or https:// URL")]
pub struct WebhookUrlError;

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<Self, WebhookUrlError> {
        let url = raw.trim();
        let valid = (url.starts_with("http://") || url.starts_with("https://"))
            && url.len() <= 2000
            && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace));
        if valid { Ok(Self(url.to_owned())) } else { Err(WebhookUrlError) }
    }
}

impl AsRef<str> for WebhookUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_url_is_http_or_https_with_a_host_and_no_spaces() {
        assert_eq!(WebhookUrl::parse(" https://org.example/hook ").unwrap().as_ref(), "https://org.example/hook");
        for bad in ["ftp://org.example", "https://", "org.example/hook", "https://a b"] {
            assert_eq!(WebhookUrl::parse(bad), Err(WebhookUrlError), "{bad}");
        }
        assert!(WebhookUrl::parse(&format!("https://{}", "a".repeat(2000))).is_err());
    }

    #[test]
    fn every_delivery_state_round_trips_through_its_name() {
        for s in [DeliveryState::Pending, DeliveryState::Delivered, DeliveryState::Dead] {
            assert_eq!(DeliveryState::parse(s.as_str()), Some(s));
        }
        assert_eq!(DeliveryState::parse("lost"), None);
    }
}
