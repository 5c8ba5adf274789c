//! Telling people what happened and what is coming: each order event fans out into inbox messages, webhook calls
//! and SMS, reminders wait in the database for their time, and deliveries to the outside are retried with
//! backoff until they land or are given up as dead letters.

mod plan;
mod ports;
mod schedule;

pub use plan::{EventContext, Happened, Notice, ReminderKind, plan_notices};
pub use ports::{
    Channel, ClaimedDelivery, DeliveryTarget, NotificationStore, OutboxEvent, SendError, SmsGateway, WebhookSender,
};
pub use schedule::{RetryPolicy, daily_slot, monthly_slot};
