//! How the volunteering use cases' refusals answer over HTTP: each keeps its stable `code`.

use poem::http::StatusCode;

use linli_domain::volunteering::booking::{AttendanceError, SignupRefusal};
use linli_domain::volunteering::errors::{
    AttendanceFailure, BookingError, DecideError, EventError, ProblemError, RegisterError,
};

use crate::problem::ApiError;

fn conflict(code: &str, detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, detail)
}

impl From<RegisterError> for ApiError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::AlreadyPending(id) => {
                conflict("registration_pending", format!("{e} (registration {})", id.0))
            }
            RegisterError::AlreadyThere => conflict("already_registered", e.to_string()).field("community_id"),
            RegisterError::UnknownCommunity => ApiError::invalid("community_id", "unknown_community", e),
            RegisterError::UnknownBranch => ApiError::invalid("branch_id", "unknown_branch", e),
            RegisterError::Denied(d) => d.into(),
            RegisterError::Invalid(i) => i.into(),
            RegisterError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<DecideError> for ApiError {
    fn from(e: DecideError) -> Self {
        match e {
            DecideError::NotFound => ApiError::not_found("registration"),
            DecideError::NotPending(s) => conflict("not_pending", e.to_string()).map_current(s.as_str()),
            DecideError::Denied(d) => d.into(),
            DecideError::Invalid(i) => i.into(),
            DecideError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<ProblemError> for ApiError {
    fn from(e: ProblemError) -> Self {
        match e {
            ProblemError::NotFound => ApiError::not_found("problem"),
            ProblemError::UnknownCommunity => ApiError::not_found("community"),
            ProblemError::NoPairedBranch => conflict("no_paired_branch", e.to_string()),
            ProblemError::NotPaired | ProblemError::NotYourBranch => ApiError::forbidden(e.to_string()),
            ProblemError::Conflict(c) => conflict("problem_state", c.to_string()).map_current(c.0.as_str()),
            ProblemError::Denied(d) => d.into(),
            ProblemError::Invalid(i) => i.into(),
            ProblemError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<EventError> for ApiError {
    fn from(e: EventError) -> Self {
        match e {
            EventError::NotFound => ApiError::not_found("occurrence or shift"),
            EventError::UnknownCommunity => ApiError::not_found("community"),
            EventError::Started => conflict("shift_started", e.to_string()),
            EventError::PastDate => ApiError::invalid("date", "date_in_past", e),
            EventError::HolderBusy => conflict("holder_busy", e.to_string()).field("date"),
            EventError::Denied(d) => d.into(),
            EventError::Invalid(i) => i.into(),
            EventError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<BookingError> for ApiError {
    fn from(e: BookingError) -> Self {
        match e {
            BookingError::NotFound => ApiError::not_found("shift or sign-up"),
            BookingError::Refused(r) => {
                let code = match r {
                    SignupRefusal::MembersOnly => "members_only",
                    SignupRefusal::Started => "shift_started",
                    SignupRefusal::CalledOff => "called_off",
                    SignupRefusal::Overlaps(_) => "overlapping_shift",
                };
                match r {
                    SignupRefusal::Overlaps(other) => conflict(code, format!("{r} (shift {})", other.0)),
                    // Who may take a place is the route's rule (see `access`): a refusal, not a clash.
                    SignupRefusal::MembersOnly => ApiError::new(StatusCode::FORBIDDEN, code, r.to_string()),
                    _ => conflict(code, r.to_string()),
                }
            }
            BookingError::Started => conflict("shift_started", e.to_string()),
            BookingError::Denied(d) => d.into(),
            BookingError::Invalid(i) => i.into(),
            BookingError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<AttendanceFailure> for ApiError {
    fn from(e: AttendanceFailure) -> Self {
        match e {
            AttendanceFailure::NotFound => ApiError::not_found("shift or sign-up"),
            AttendanceFailure::Rule(AttendanceError::WrongCode) => {
                ApiError::invalid("code", "wrong_code", AttendanceError::WrongCode)
            }
            AttendanceFailure::Rule(r) => {
                let code = match r {
                    AttendanceError::TooEarly => "too_early",
                    AttendanceError::Closed => "shift_closed",
                    AttendanceError::NotConfirmed => "not_confirmed",
                    AttendanceError::NotCheckedIn => "not_checked_in",
                    AttendanceError::WrongCode => "wrong_code",
                    AttendanceError::TooManyWrongCodes => "too_many_wrong_codes",
                    AttendanceError::NotStarted => "not_started",
                    AttendanceError::CalledOff => "called_off",
                };
                conflict(code, r.to_string())
            }
            AttendanceFailure::Denied(d) => d.into(),
            AttendanceFailure::Invalid(i) => i.into(),
            AttendanceFailure::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}
