//! The order state machine. Every change of an order's state goes through [`OrderState::apply`]; storage then
//! makes it one conditional update (`… WHERE state = $expected`), so the machine is the only place that says
//! which moves exist.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderState {
    /// Placed, waiting for dispatch.
    Submitted,
    /// Offered to one or more providers.
    Offered,
    /// A provider holds it.
    Accepted,
    /// The provider has started the service.
    InService,
    Completed,
    /// Nobody eligible took it; a community worker assigns it by hand or closes it.
    Escalated,
    Cancelled,
}

/// Something that happens to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderAction {
    /// The dispatcher offers the order to providers.
    Offer,
    /// Every open offer was declined or lapsed: back to dispatch.
    OffersLapsed,
    /// A provider claims an offer.
    Accept,
    /// The accepted provider gives the job back; it is dispatched again without them.
    Release,
    Start,
    Complete,
    /// The resident (or a worker on their behalf) withdraws the order before service starts.
    Cancel,
    /// Nobody eligible is left, or the order's acceptance deadline passed.
    Escalate,
    /// A community worker assigns a provider to an escalated order by hand.
    Assign,
    /// A community worker closes an escalated order that cannot be served.
    Close,
    /// The resident moves an escalated booking to another time: it is dispatched again.
    Rebook,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {} cannot {}", from.as_str(), action.as_str())]
pub struct ForbiddenTransition {
    pub from: OrderState,
    pub action: OrderAction,
}

impl OrderState {
    pub const ALL: [OrderState; 7] = [
        OrderState::Submitted,
        OrderState::Offered,
        OrderState::Accepted,
        OrderState::InService,
        OrderState::Completed,
        OrderState::Escalated,
        OrderState::Cancelled,
    ];

    /// The state after `action`, or why it cannot happen now.
    pub fn apply(self, action: OrderAction) -> Result<OrderState, ForbiddenTransition> {
        use OrderAction as A;
        use OrderState as S;
        let next = match (self, action) {
            (S::Submitted, A::Offer) => S::Offered,
            (S::Offered, A::OffersLapsed) => S::Submitted,
            (S::Offered, A::Accept) => S::Accepted,
            (S::Accepted, A::Release) => S::Submitted,
            (S::Accepted, A::Start) => S::InService,
            (S::InService, A::Complete) => S::Completed,
            (S::Submitted | S::Offered | S::Accepted | S::Escalated, A::Cancel) => S::Cancelled,
            (S::Submitted | S::Offered, A::Escalate) => S::Escalated,
            (S::Escalated, A::Assign) => S::Accepted,
            (S::Escalated, A::Close) => S::Cancelled,
            (S::Escalated, A::Rebook) => S::Submitted,
            (from, action) => return Err(ForbiddenTransition { from, action }),
        };
        Ok(next)
    }

    /// No action applies to a terminal order any more.
    pub fn is_terminal(self) -> bool {
        matches!(self, OrderState::Completed | OrderState::Cancelled)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Submitted => "submitted",
            OrderState::Offered => "offered",
            OrderState::Accepted => "accepted",
            OrderState::InService => "in_service",
            OrderState::Completed => "completed",
            OrderState::Escalated => "escalated",
            OrderState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl OrderAction {
    pub const ALL: [OrderAction; 11] = [
        OrderAction::Offer,
        OrderAction::OffersLapsed,
        OrderAction::Accept,
        OrderAction::Release,
        OrderAction::Start,
        OrderAction::Complete,
        OrderAction::Cancel,
        OrderAction::Escalate,
        OrderAction::Assign,
        OrderAction::Close,
        OrderAction::Rebook,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderAction::Offer => "offer",
            OrderAction::OffersLapsed => "return to dispatch",
            OrderAction::Accept => "accept",
            OrderAction::Release => "release",
            OrderAction::Start => "start",
            OrderAction::Complete => "complete",
            OrderAction::Cancel => "cancel",
            OrderAction::Escalate => "escalate",
            OrderAction::Assign => "assign",
            OrderAction::Close => "close",
            OrderAction::Rebook => "rebook",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OrderAction as A;
    use super::OrderState as S;
    use super::*;

    /// The moves DESIGN.md draws, written out independently of `apply`'s match.
    const ALLOWED: [(S, A, S); 15] = [
        (S::Submitted, A::Offer, S::Offered),
        (S::Submitted, A::Cancel, S::Cancelled),
        (S::Submitted, A::Escalate, S::Escalated),
        (S::Offered, A::Accept, S::Accepted),
        (S::Offered, A::OffersLapsed, S::Submitted),
        (S::Offered, A::Cancel, S::Cancelled),
        (S::Offered, A::Escalate, S::Escalated),
        (S::Accepted, A::Start, S::InService),
        (S::Accepted, A::Release, S::Submitted),
        (S::Accepted, A::Cancel, S::Cancelled),
        (S::InService, A::Complete, S::Completed),
        (S::Escalated, A::Assign, S::Accepted),
        (S::Escalated, A::Close, S::Cancelled),
        (S::Escalated, A::Cancel, S::Cancelled),
        (S::Escalated, A::Rebook, S::Submitted),
    ];

    #[test]
    fn every_allowed_move_lands_in_the_drawn_state() {
        for (from, action, to) in ALLOWED {
            assert_eq!(from.apply(action), Ok(to), "{from:?} --{action:?}-->");
        }
    }

    #[test]
    fn every_move_not_drawn_is_forbidden_and_names_the_current_state() {
        let mut forbidden = 0;
        for from in OrderState::ALL {
            for action in OrderAction::ALL {
                if ALLOWED.iter().any(|(f, a, _)| *f == from && *a == action) {
                    continue;
                }
                assert_eq!(from.apply(action), Err(ForbiddenTransition { from, action }));
                forbidden += 1;
            }
        }
        assert_eq!(forbidden, 7 * 11 - ALLOWED.len());
    }

    #[test]
    fn a_terminal_order_accepts_no_action_at_all() {
        for from in OrderState::ALL.into_iter().filter(|s| s.is_terminal()) {
            for action in OrderAction::ALL {
                assert!(from.apply(action).is_err(), "{from:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_resident_cannot_cancel_once_service_has_started() {
        assert!(S::InService.apply(A::Cancel).is_err());
        assert!(S::Completed.apply(A::Cancel).is_err());
    }

    #[test]
    fn a_second_accept_on_an_accepted_order_is_forbidden() {
        let accepted = S::Offered.apply(A::Accept).unwrap();
        assert_eq!(accepted.apply(A::Accept), Err(ForbiddenTransition { from: S::Accepted, action: A::Accept }));
    }

    #[test]
    fn the_forbidden_message_says_what_the_order_is() {
        let err = S::Completed.apply(A::Cancel).unwrap_err();
        assert_eq!(err.to_string(), "an order that is completed cannot cancel");
    }

    #[test]
    fn every_state_round_trips_through_its_name() {
        for s in OrderState::ALL {
            assert_eq!(OrderState::parse(s.as_str()), Some(s));
        }
    }
}
