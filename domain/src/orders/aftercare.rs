//! After the service (回访 · 投诉): a community worker's follow-up call on a completed order, with what they
//! found, and a complaint against the provider with a deadline to answer by; a complaint left unanswered past
//! it is escalated.

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::model::OrderId;
use crate::accounts::AccountId;
use crate::error::Invalid;
use crate::geo::CommunityId;
use crate::providers::ProviderId;

/// What a follow-up call found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUpOutcome {
    Satisfied,
    IssueFound,
}

impl FollowUpOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpOutcome::Satisfied => "satisfied",
            FollowUpOutcome::IssueFound => "issue_found",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "satisfied" => Ok(FollowUpOutcome::Satisfied),
            "issue_found" => Ok(FollowUpOutcome::IssueFound),
            _ => Err(Invalid::new("outcome", "invalid_outcome", "outcome: satisfied or issue_found")),
        }
    }
}

/// A worker's follow-up of one completed order.
#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    pub order: OrderId,
    pub by: AccountId,
    pub outcome: FollowUpOutcome,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComplaintId(pub Uuid);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComplaintState {
    /// Waiting for the provider's answer until its deadline.
    Open,
    Answered,
    /// The deadline passed unanswered; the provider may still answer.
    Escalated,
}

impl ComplaintState {
    pub const ALL: [ComplaintState; 3] = [ComplaintState::Open, ComplaintState::Answered, ComplaintState::Escalated];

    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintState::Open => "open",
            ComplaintState::Answered => "answered",
            ComplaintState::Escalated => "escalated",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// How long a provider has to answer a complaint: 1 to 168 hours, two days unless the worker says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerWithin(TimeDelta);

impl AnswerWithin {
    pub const DEFAULT_HOURS: i64 = 48;

    pub fn hours(raw: Option<i64>) -> Result<Self, Invalid> {
        match raw.unwrap_or(Self::DEFAULT_HOURS) {
            h @ 1..=168 => Ok(Self(TimeDelta::hours(h))),
            _ => Err(Invalid::new("answer_within_hours", "invalid_deadline", "answer_within_hours: 1 to 168")),
        }
    }

    pub fn get(self) -> TimeDelta {
        self.0
    }
}

/// A complaint (投诉) against the provider that served an order.
#[derive(Clone, Debug, PartialEq)]
pub struct Complaint {
    pub id: ComplaintId,
    pub order: OrderId,
    pub provider: ProviderId,
    pub community: CommunityId,
    pub opened_by: AccountId,
    pub text: String,
    pub opened_at: DateTime<Utc>,
    /// Answer by then, or it is escalated.
    pub due_at: DateTime<Utc>,
    pub state: ComplaintState,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
}

/// Whose complaints a list shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComplaintScope {
    All,
    /// A worker's: their community's, or their street's.
    Communities(Vec<CommunityId>),
    Provider(ProviderId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_has_two_days_to_answer_unless_the_worker_gives_1_to_168_hours() {
        assert_eq!(AnswerWithin::hours(None).unwrap().get(), TimeDelta::hours(48));
        assert_eq!(AnswerWithin::hours(Some(4)).unwrap().get(), TimeDelta::hours(4));
        assert_eq!(AnswerWithin::hours(Some(0)).unwrap_err().field, "answer_within_hours");
        assert!(AnswerWithin::hours(Some(169)).is_err());
    }

    #[test]
    fn an_outcome_other_than_the_two_is_refused_naming_the_field() {
        assert_eq!(FollowUpOutcome::parse("issue_found").unwrap(), FollowUpOutcome::IssueFound);
        assert_eq!(FollowUpOutcome::parse("meh").unwrap_err().field, "outcome");
    }
}
