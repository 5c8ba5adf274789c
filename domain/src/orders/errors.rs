//! What the order use cases answer when they refuse: one enum per kind of operation, each with only the
//! variants that operation can return.

use super::request::WindowError;
use super::state::OrderState;
use crate::dispatch::Slot;
use crate::error::{Invalid, Unexpected};

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("residents place orders for themselves, and community workers for residents")]
    NotAResident,
    /// A worker filing for someone who is not a resident (or whose account is disabled).
    #[error("no resident has that id")]
    UnknownResident,
    #[error("no catalog item has that id")]
    UnknownItem,
    #[error("that item is retired and takes no new orders")]
    ItemRetired,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error("this idempotency key was used before for a different order")]
    KeyReused,
    #[error("only a mediation intake can be marked high risk")]
    HighRiskNotMediation,
    /// An answer to the item's questions missing or wrong, naming `answers.<code>`.
    #[error(transparent)]
    Answers(Invalid),
    /// The item's questions changed (or it was retired) while the order was being placed, twice over.
    #[error("the item's questions changed as the order was placed; try again")]
    QuestionsChanged,
    #[error(transparent)]
    Window(#[from] WindowError),
    /// The booked time has no place left; these are the open times nearest it.
    #[error("that time is fully booked; choose one of the open times nearest it")]
    SlotFull { alternatives: Vec<Slot> },
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Why open times could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum SlotsError {
    #[error("no catalog item has that id")]
    UnknownItem,
    #[error("that item is retired and takes no new orders")]
    ItemRetired,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Why a list of orders or offers was refused.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{0}")]
    Denied(&'static str),
    /// A page parameter out of range, told only to a caller who may see the list.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// Missing, or not the caller's to see: the two are not told apart, so ids cannot be probed.
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Why an order could not be moved: what cancelling and closing can meet, and what every other move can too.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// Missing, or not the caller's to see: the two are not told apart, so ids cannot be probed.
    #[error("no such order")]
    NotFound,
    #[error("this order is not yours to {0}")]
    NotYours(&'static str),
    #[error("the order is {}", current.as_str())]
    Conflict { current: OrderState },
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Why a provider could not decline, start or complete an order.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("another provider accepted the order first")]
    TakenByAnother,
    #[error("you hold no open offer for this order")]
    NoOpenOffer,
}

/// Why a provider could not accept an order.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    #[error(transparent)]
    Job(#[from] JobError),
    #[error("your provider already holds as many jobs at that time as it can")]
    AtCapacity,
}

/// Why a worker could not assign an escalated order by hand.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("that provider does not offer this item or is not active")]
    ProviderCannotTake,
}

/// Why a staff member could not hand a job to a colleague.
#[derive(Debug, thiserror::Error)]
pub enum HandOverError {
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("that account is not active staff of your provider")]
    NotAColleague,
}

/// Why a visit could not be confirmed, disputed or its dispute resolved.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("the visit was already confirmed or disputed")]
    AlreadyAnswered,
    #[error("this visit has no open dispute")]
    NoOpenDispute,
}

/// Why a resident could not rate a visit's provider.
#[derive(Debug, thiserror::Error)]
pub enum RateError {
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("a visit is rated once it is confirmed, or its dispute resolved")]
    NotSettled,
    #[error("a rating can be changed only within a day of giving it")]
    EditWindowClosed,
}

/// Why a follow-up or a complaint could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum AftercareError {
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("this order was followed up already")]
    AlreadyFollowedUp,
    #[error("this order has a complaint already")]
    ComplaintExists,
    #[error("no such complaint")]
    UnknownComplaint,
    #[error("this complaint was answered already")]
    AlreadyAnswered,
}

/// Why a resident could not move their booking.
#[derive(Debug, thiserror::Error)]
pub enum RescheduleError {
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("the provider holding this order has no room at that time; keep the old time or cancel")]
    ProviderBusyThen,
    /// The new window cannot be booked now.
    #[error(transparent)]
    Window(#[from] WindowError),
}

/// An adapter failure reaches each of these as the move error it is, so `?` works on every port call.
macro_rules! unexpected_is_a_move_error {
    ($($error:ident),*) => {
        $(impl From<Unexpected> for $error {
            fn from(u: Unexpected) -> Self {
                MoveError::Unexpected(u).into()
            }
        })*
    };
}

unexpected_is_a_move_error!(
    JobError,
    AcceptError,
    AssignError,
    HandOverError,
    RescheduleError,
    VisitError,
    RateError,
    AftercareError
);

impl From<MoveError> for AcceptError {
    fn from(e: MoveError) -> Self {
        AcceptError::Job(e.into())
    }
}
