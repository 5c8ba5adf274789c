//! Orders (工单): what a resident asks for, the state machine it moves through, who may see it, and the use
//! cases that move it.

mod access;
mod aftercare;
mod area;
mod booking;
#[cfg(test)]
mod booking_tests;
mod dispatching;
mod errors;
mod following;
#[cfg(test)]
mod following_tests;
mod hand_back;
mod model;
pub mod plans;
mod ports;
mod request;
mod service;
#[cfg(test)]
mod service_tests;
mod state;
#[cfg(test)]
mod testing;
mod visit;
mod visiting;
#[cfg(test)]
mod visiting_tests;

pub use access::{Visibility, visibility};
pub use aftercare::{AnswerWithin, Complaint, ComplaintId, ComplaintScope, ComplaintState, FollowUp, FollowUpOutcome};
pub use area::{AreaFilter, AreaFilterInput, ListedOrder, MAX_AREA_EXPORT, Reach};
pub use booking::{ALTERNATIVES, MAX_SLOT_DAYS, OpenTimes};
pub use dispatching::DispatchOutcome;
pub use errors::{
    AcceptError, AftercareError, AssignError, HandOverError, JobError, ListError, MoveError, PlaceError, RateError,
    RescheduleError, SlotsError, ViewError, VisitError,
};
pub use hand_back::JobReason;
pub use model::{Offer, OfferStatus, Order, OrderEvent, OrderId, ProviderContact, ResidentContact, Schedule};
pub use ports::{
    Aftercare, Backlog, Candidates, Completion, DeclineOutcome, InsertOrderError, NewOrder, Offers, OrderLists,
    OrderStore, Orders, Placed, Reschedule, RescheduleOutcome, SlotHold, Transition, TransitionEffect, Visits,
};
pub use request::{
    Address, AddressError, IdempotencyKey, IdempotencyKeyError, Notes, NotesError, TimeWindow, WindowError,
};
pub use service::{OrderDesk, OrderDetail};
pub use state::{ForbiddenTransition, OrderAction, OrderState};
pub use visit::{
    Answer, FAR_FROM_ADDRESS_M, Mark, NewRating, RATING_EDITABLE_FOR, Rating, Resolution, Stars, Verdict, Visit,
    VisitText,
};
