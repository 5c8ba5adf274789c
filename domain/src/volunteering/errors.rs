//! What can go wrong in the volunteering use cases, one enum per group of operations. The ports return the
//! variants their docs name; the use cases add the refusals they decide themselves (who may act, which values
//! are acceptable).

use super::RegistrationId;
use super::booking::{AttendanceError, SignupRefusal};
use super::pairing::ProblemConflict;
use super::registration::RegistrationState;
pub use crate::error::DeskError;
use crate::error::{Denied, Invalid, Unexpected};

#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("a registration of yours is already waiting for the community worker")]
    AlreadyPending(RegistrationId),
    #[error("you are registered with that community already")]
    AlreadyThere,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error("no branch has that id")]
    UnknownBranch,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("no such registration")]
    NotFound,
    #[error("the registration is {} already", .0.as_str())]
    NotPending(RegistrationState),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum ProblemError {
    #[error("no such problem")]
    NotFound,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error("the community has no paired branch to post to")]
    NoPairedBranch,
    #[error("your branch is not paired with the problem's community")]
    NotPaired,
    #[error("another branch took this problem")]
    NotYourBranch,
    #[error(transparent)]
    Conflict(#[from] ProblemConflict),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("not found")]
    NotFound,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error("a shift of this date has started already")]
    Started,
    #[error("a date can be moved only to a day whose shifts are all still ahead")]
    PastDate,
    #[error("someone on this date holds another shift at the new time")]
    HolderBusy,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error("no such shift, or no place of yours on it")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] SignupRefusal),
    #[error("the shift has started; it can no longer be cancelled")]
    Started,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum AttendanceFailure {
    #[error("no such shift, or no place of that person on it")]
    NotFound,
    #[error(transparent)]
    Rule(#[from] AttendanceError),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}
