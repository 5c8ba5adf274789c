//! Telling people what happened and what is coming: each order event fans out into inbox messages, webhook calls
//! and SMS, reminders wait in the database for their time, and deliveries to the outside are retried with
//! backoff until they land or are given up as dead letters.

pub mod desk;
mod live;
mod plan;
mod ports;
pub mod records;
mod schedule;
#[cfg(test)]
pub mod testing;

pub use desk::NotificationDesk;
pub use live::{
    LiveDesk, LiveFeed, LiveKind, LiveNotice, LivePublisher, LiveReceiver, LiveSubscriptions, live_notices,
};
pub use plan::{EventContext, Happened, Notice, ReminderKind, VisitNews, plan_notices};
pub use ports::{
    Channel, ClaimedDelivery, Deliveries, DeliveryLog, DeliveryTarget, Inbox, JobRecord, Notices, NotificationStore,
    Outbox, OutboxEvent, Reminders, SendError, SmsGateway, WebhookEndpoints, WebhookSender,
};
pub use schedule::{RetryPolicy, daily_slot, monthly_slot};
