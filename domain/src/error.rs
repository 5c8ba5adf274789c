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
