//! Dispatch: who is eligible for an order, how they rank, and the queue port that carries new orders and
//! offers.

mod candidate;
mod hours;
mod index;
mod ports;
mod ranking;
pub(crate) mod rules;
mod slots;
mod travel;
mod why;

pub use candidate::{Candidate, Request, Scope};
pub use hours::{HoursError, WorkingHours};
pub use index::GridIndex;
pub use ports::{ClaimOutcome, Delivery, DispatchQueue};
pub use ranking::{Explanation, FAIRNESS_PERIOD_DAYS, RankWeights, Ranked, nearest_level, prefer, rank};
pub use rules::{Ineligible, check, jobs_during, room, routed};
pub use slots::{Slot, SlotRules, SlotSearch, room_at};
pub use travel::{SpeedError, TravelModel};
pub use why::{Why, explain};
