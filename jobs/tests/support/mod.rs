//! What the job tests share: a seeded SQLite store, senders that must not be called, and a notifier on a
//! clock the test sets.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use linli_domain::clock::FixedClock;
use linli_domain::notifications::{SendError, SmsGateway, WebhookSender};
use linli_infra::broadcast::Broadcast;
use linli_infra::live::LiveHub;
use linli_infra::seed::seed_demo;
use linli_infra::store::Store;
use linli_infra::testing::fresh_sqlite_dir;
use linli_jobs::{Notifier, NotifierConfig};

/// Senders that must not be called: these tests configure no webhook and no SMS gateway.
#[derive(Clone)]
pub struct Nowhere;

impl WebhookSender for Nowhere {
    async fn send(&self, _: &str, _: &str, _: uuid::Uuid, _: &str, _: &str) -> Result<(), SendError> {
        Err(SendError::Failed("no webhooks in these tests".into()))
    }
}

impl SmsGateway for Nowhere {
    async fn send(&self, _: &linli_domain::accounts::PhoneNumber, _: &str) -> Result<(), SendError> {
        Err(SendError::Failed("no SMS in these tests".into()))
    }
}

pub async fn store() -> Store {
    let db = linli_infra::db::connect(&linli_infra::db::sqlite_url(&fresh_sqlite_dir()), 1).await.unwrap();
    linli_infra::db::migrate(&db).await.unwrap();
    let store = Store::new(db);
    seed_demo(&store).await.unwrap();
    store
}

pub fn notifier(store: &Store, at: DateTime<Utc>) -> Notifier<Store, Nowhere, Nowhere, FixedClock, LiveHub> {
    Notifier {
        store: store.clone(),
        webhooks: Nowhere,
        sms: None,
        clock: FixedClock(at),
        live: LiveHub::new(Broadcast::local()),
        config: NotifierConfig::default(),
    }
}
