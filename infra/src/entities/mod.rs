//! sea-orm entities, one per table, mirroring the migrations. Adapters read and write through these; nothing
//! outside `infra` sees them.

pub mod account;
pub mod catalog_item;
pub mod change_counter;
pub mod community;
pub mod delivery;
pub mod district;
pub mod inbox_message;
pub mod job_run;
pub mod order;
pub mod order_event;
pub mod order_offer;
pub mod outbox;
pub mod provider;
pub mod provider_coverage;
pub mod provider_item;
pub mod provider_offer_day;
pub mod provider_street;
pub mod reminder;
pub mod session;
pub mod street;
pub mod webhook_endpoint;
