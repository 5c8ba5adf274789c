//! Failures the domain cannot act on: an adapter broke. They carry context for the log and become a generic
//! 500 at the edge; everything a caller can fix has its own variant in the operation's error enum instead.

use std::fmt;

/// An adapter failure with the context of what was being attempted.
#[derive(Debug)]
pub struct Unexpected {
    context: String,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl Unexpected {
    pub fn new(context: impl Into<String>, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self { context: context.into(), source: source.into() }
    }

    /// True when the failure is a backing service being unreachable rather than a bug; the edge answers 503.
    pub fn is_unavailable(&self) -> bool {
        self.source.downcast_ref::<Unavailable>().is_some()
    }
}

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl std::error::Error for Unexpected {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Marks a failure as "the database or queue could not be reached", so callers can retry later.
#[derive(Debug, thiserror::Error)]
#[error("{0} is unavailable")]
pub struct Unavailable(pub &'static str);

/// A value that breaks a rule, naming the request field at fault (`note`, `shifts[0].end`) and a stable code,
/// so the edge can answer without knowing the rule: 400 for a malformed value ([`Invalid::MALFORMED`]), 422 for
/// any other code.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{detail}")]
pub struct Invalid {
    pub field: String,
    pub code: &'static str,
    pub detail: String,
}

impl Invalid {
    /// The code of a value that is not of the expected form at all (a bad cursor, a year of 9999).
    pub const MALFORMED: &'static str = "invalid_field";

    pub fn malformed(field: impl Into<String>, detail: impl ToString) -> Self {
        Self::new(field, Self::MALFORMED, detail)
    }

    pub fn new(field: impl Into<String>, code: &'static str, detail: impl ToString) -> Self {
        Self { field: field.into(), code, detail: detail.to_string() }
    }
}

/// The actor may not do this; the rule they met, for a person to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub &'static str);

/// What a plain use case (a read, or a write with no rules of its own) can meet: nothing there, an actor who
/// may not, or a parameter out of range.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}
