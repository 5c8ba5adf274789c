//! Dispatch: who is eligible for an order, how they rank, and the queue port that carries new orders and
//! offers.
//!
//! `eligible_providers` is the walking skeleton's rule that the dispatcher still uses (offers the item, covers
//! the community, not offered before). `check` and `rank` are the full rules (the service circle, capacity in
//! the window, working hours, the widening scope, and fair ranking with explanations), which the dispatcher
//! takes over as the dispatch engine is wired in.

mod candidate;
mod eligibility;
mod hours;
mod index;
mod ports;
mod ranking;
mod rules;
mod travel;

pub use candidate::{Candidate, Request, Scope};
pub use eligibility::eligible_providers;
pub use hours::{HoursError, WorkingHours};
pub use index::GridIndex;
pub use ports::{ClaimOutcome, Delivery, DispatchQueue};
pub use ranking::{Explanation, FAIRNESS_PERIOD_DAYS, RankWeights, Ranked, rank};
pub use rules::{Ineligible, check};
pub use travel::{SpeedError, TravelModel};
