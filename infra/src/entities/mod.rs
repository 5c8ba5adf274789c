//! sea-orm entities, one per table, mirroring the migrations. Adapters read and write through these; nothing
//! outside `infra` sees them.

pub mod account;
pub mod branch;
pub mod calendar_feed;
pub mod catalog_item;
pub mod change_counter;
pub mod community;
pub mod delivery;
pub mod district;
pub mod event;
pub mod hours_quota;
pub mod inbox_message;
pub mod job_run;
pub mod occurrence;
pub mod order;
pub mod order_event;
pub mod order_offer;
pub mod outbox;
pub mod pairing;
pub mod problem;
pub mod provider;
pub mod provider_coverage;
pub mod provider_item;
pub mod provider_offer_day;
pub mod provider_street;
pub mod registration;
pub mod reminder;
pub mod service_hour;
pub mod session;
pub mod shift;
pub mod signup;
pub mod states;
pub mod street;
pub mod webhook_endpoint;
