//! 三联共享共建共促: organ Party branches paired with communities. A community posts a problem (疑难问题) to the
//! branches paired with it; one of them takes it, works it and closes it with an outcome.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProblemState {
    /// Posted, waiting for a paired branch to take it.
    Open,
    /// A branch is working it.
    Taken,
    /// Closed with the problem solved.
    Solved,
    /// Closed without a solution; the outcome says why.
    Unsolved,
}

impl ProblemState {
    pub const ALL: [ProblemState; 4] = [Self::Open, Self::Taken, Self::Solved, Self::Unsolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Taken => "taken",
            Self::Solved => "solved",
            Self::Unsolved => "unsolved",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// What a branch may do with a problem in `state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemAction {
    Take,
    Close { solved: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the problem is {}", .0.as_str())]
pub struct ProblemConflict(pub ProblemState);

impl ProblemAction {
    /// The state after the action, or the conflict with the state the problem is in: only an open problem can
    /// be taken, and only a taken one closed.
    pub fn apply(self, state: ProblemState) -> Result<ProblemState, ProblemConflict> {
        match (self, state) {
            (Self::Take, ProblemState::Open) => Ok(ProblemState::Taken),
            (Self::Close { solved: true }, ProblemState::Taken) => Ok(ProblemState::Solved),
            (Self::Close { solved: false }, ProblemState::Taken) => Ok(ProblemState::Unsolved),
            (_, other) => Err(ProblemConflict(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_taken_once_then_closed_once() {
        let taken = ProblemAction::Take.apply(ProblemState::Open).unwrap();
        assert_eq!(ProblemAction::Take.apply(taken), Err(ProblemConflict(ProblemState::Taken)));
        assert_eq!(ProblemAction::Close { solved: true }.apply(taken), Ok(ProblemState::Solved));
        assert_eq!(ProblemAction::Close { solved: false }.apply(taken), Ok(ProblemState::Unsolved));
        let closed = ProblemState::Solved;
        assert_eq!(ProblemAction::Close { solved: true }.apply(closed), Err(ProblemConflict(closed)));
    }

    #[test]
    fn an_open_problem_cannot_be_closed_before_a_branch_takes_it() {
        let open = ProblemState::Open;
        assert_eq!(ProblemAction::Close { solved: true }.apply(open), Err(ProblemConflict(open)));
    }

    #[test]
    fn every_problem_state_round_trips_through_its_name() {
        for s in ProblemState::ALL {
            assert_eq!(ProblemState::parse(s.as_str()), Some(s));
        }
    }
}
