//! Dispatch: who is eligible for an order, and the queue port that carries new orders and offers.

mod eligibility;
mod ports;

pub use eligibility::eligible_providers;
pub use ports::{ClaimOutcome, Delivery, DispatchQueue};
