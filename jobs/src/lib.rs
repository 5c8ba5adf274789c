//! Linli's background work, and its clock.
//! - The dispatcher reads new and returned orders from the queue and turns them into offers or escalations.
//! - The notifier fans order events out to inboxes, webhooks and SMS, and sends reminders when they are due.
//! - The volunteering steps close ended shifts, keep recurring events a year ahead and send the monthly
//!   Dedication Day notice.
//! - The clockwork runs the dispatcher's loop and every other step on a schedule.
//!
//! Each job is a single step (`dispatch_batch`, `expire_offers`, `deliver_outbox`, `send_due_reminders`, …)
//! that the schedule calls and tests call directly.

pub mod clockwork;
mod dispatcher;
mod notifier;
mod volunteering;

pub use dispatcher::{Dispatcher, DispatcherConfig};
pub use notifier::{DIGEST_AT, Notifier, NotifierConfig};
pub use volunteering::{DEDICATION_NOTICE_DAY, Volunteering};
