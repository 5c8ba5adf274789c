//! How the order use cases' refusals answer over HTTP: each keeps its stable `code`.

use poem::http::StatusCode;

use linli_domain::orders::{
    AcceptError, AftercareError, AssignError, HandOverError, JobError, ListError, MoveError, OrderState, PlaceError,
    RateError, RescheduleError, SlotsError, ViewError, VisitError,
};

use crate::problem::{ApiError, OpenTime};

impl From<MoveError> for ApiError {
    fn from(e: MoveError) -> Self {
        match e {
            MoveError::NotFound => ApiError::not_found("order"),
            MoveError::NotYours(_) => ApiError::forbidden(e.to_string()),
            MoveError::Conflict { current } => ApiError::invalid_transition(
                current,
                format!("the order is {}; that is not possible now", current.as_str()),
            ),
            MoveError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<JobError> for ApiError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Move(m) => m.into(),
            JobError::TakenByAnother => ApiError::new(StatusCode::CONFLICT, "already_taken", e.to_string())
                .map_problem(|p| p.current_state = Some(OrderState::Accepted.as_str().to_owned())),
            JobError::NoOpenOffer => ApiError::new(StatusCode::CONFLICT, "no_open_offer", e.to_string()),
        }
    }
}

impl From<AcceptError> for ApiError {
    fn from(e: AcceptError) -> Self {
        match e {
            AcceptError::Job(j) => j.into(),
            AcceptError::AtCapacity => ApiError::new(StatusCode::CONFLICT, "at_capacity", e.to_string()),
        }
    }
}

impl From<AssignError> for ApiError {
    fn from(e: AssignError) -> Self {
        match e {
            AssignError::Move(m) => m.into(),
            AssignError::ProviderCannotTake => ApiError::invalid("provider_id", "provider_cannot_take", e),
        }
    }
}

impl From<HandOverError> for ApiError {
    fn from(e: HandOverError) -> Self {
        match e {
            HandOverError::Move(m) => m.into(),
            HandOverError::NotAColleague => ApiError::invalid("account_id", "not_a_colleague", e),
        }
    }
}

impl From<RescheduleError> for ApiError {
    fn from(e: RescheduleError) -> Self {
        match e {
            RescheduleError::Move(m) => m.into(),
            RescheduleError::ProviderBusyThen => {
                ApiError::new(StatusCode::CONFLICT, "provider_busy_then", e.to_string()).field("window_start")
            }
            RescheduleError::Window(w) => w.invalid().into(),
        }
    }
}

impl From<VisitError> for ApiError {
    fn from(e: VisitError) -> Self {
        match e {
            VisitError::Move(m) => m.into(),
            VisitError::AlreadyAnswered => ApiError::new(StatusCode::CONFLICT, "already_answered", e.to_string()),
            VisitError::NoOpenDispute => ApiError::new(StatusCode::CONFLICT, "no_open_dispute", e.to_string()),
        }
    }
}

impl From<RateError> for ApiError {
    fn from(e: RateError) -> Self {
        match e {
            RateError::Move(m) => m.into(),
            RateError::NotSettled => ApiError::new(StatusCode::CONFLICT, "not_settled", e.to_string()),
            RateError::EditWindowClosed => ApiError::new(StatusCode::CONFLICT, "edit_window_closed", e.to_string()),
        }
    }
}

impl From<AftercareError> for ApiError {
    fn from(e: AftercareError) -> Self {
        use AftercareError as E;
        match e {
            E::Move(m) => m.into(),
            E::AlreadyFollowedUp => ApiError::new(StatusCode::CONFLICT, "already_followed_up", e.to_string()),
            E::ComplaintExists => ApiError::new(StatusCode::CONFLICT, "complaint_exists", e.to_string()),
            E::UnknownComplaint => ApiError::not_found("complaint"),
            E::AlreadyAnswered => ApiError::new(StatusCode::CONFLICT, "already_answered", e.to_string()),
        }
    }
}

impl From<ListError> for ApiError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::Denied(rule) => ApiError::forbidden(rule),
            ListError::Invalid(i) => i.into(),
            ListError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<ViewError> for ApiError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::NotFound => ApiError::not_found("order"),
            ViewError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<PlaceError> for ApiError {
    fn from(e: PlaceError) -> Self {
        use PlaceError as E;
        match e {
            E::NotAResident => ApiError::forbidden(e.to_string()),
            E::UnknownResident => ApiError::invalid("resident_id", "not_a_resident", e),
            E::UnknownItem => ApiError::invalid("item_id", "unknown_item", e),
            E::ItemRetired => ApiError::invalid("item_id", "item_retired", e),
            E::UnknownCommunity => ApiError::invalid("community_id", "unknown_community", e),
            E::KeyReused => ApiError::invalid("Idempotency-Key", "idempotency_key_reused", e),
            E::HighRiskNotMediation => ApiError::invalid("high_risk", "high_risk_not_mediation", e),
            E::Answers(invalid) => invalid.into(),
            E::QuestionsChanged => ApiError::new(StatusCode::CONFLICT, "questions_changed", e.to_string()),
            E::Window(w) => w.invalid().into(),
            E::SlotFull { ref alternatives } => {
                let times = alternatives.iter().copied().map(OpenTime::from).collect();
                ApiError::new(StatusCode::CONFLICT, "slot_full", e.to_string())
                    .map_problem(|p| (p.field, p.alternatives) = (Some("window_start".into()), Some(times)))
            }
            E::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}

impl From<SlotsError> for ApiError {
    fn from(e: SlotsError) -> Self {
        match e {
            SlotsError::UnknownItem => ApiError::not_found("catalog item"),
            SlotsError::ItemRetired => ApiError::invalid("item_id", "item_retired", e),
            SlotsError::UnknownCommunity => ApiError::invalid("community_id", "unknown_community", e),
            SlotsError::Invalid(invalid) => invalid.into(),
            SlotsError::Unexpected(u) => ApiError::unexpected(u),
        }
    }
}
