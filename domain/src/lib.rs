//! Linli's model and rules. Nothing here does I/O: time arrives through [`clock::Clock`], storage and queues
//! through the ports each context declares, so every rule can be tested without a database or a runtime.

pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod clock;
pub mod dispatch;
pub mod error;
pub mod geo;
pub mod health;
pub mod notifications;
pub mod orders;
pub mod paging;
pub mod providers;
pub mod reports;
pub mod time;
pub mod volunteering;
pub mod words;
