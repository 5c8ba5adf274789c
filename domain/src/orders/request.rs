//! The values a resident types when placing an order, each parsed once at the edge.

pub use crate::time::{TimeWindow, WindowError};

/// Where the service happens, as the resident writes it (building, unit, landmark): 1 to 200 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address(String);

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum AddressError {
    #[error("the address is empty")]
    Empty,
    #[error("the address is longer than 200 characters")]
    TooLong,
}

impl Address {
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(AddressError::Empty);
        }
        if s.chars().count() > 200 {
            return Err(AddressError::TooLong);
        }
        Ok(Self(s.to_owned()))
    }
}

impl AsRef<str> for Address {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// What the resident wants the provider to know: up to 500 characters, possibly none.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Notes(String);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("the notes are longer than 500 characters")]
pub struct NotesError;

impl Notes {
    pub fn parse(raw: &str) -> Result<Self, NotesError> {
        let s = raw.trim();
        if s.chars().count() > 500 { Err(NotesError) } else { Ok(Self(s.to_owned())) }
    }
}

impl AsRef<str> for Notes {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The client's `Idempotency-Key`: 1 to 100 visible ASCII characters. The same key from the same resident
/// returns the same order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("an idempotency key is 1 to 100 visible ASCII characters")]
pub struct IdempotencyKeyError;

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, IdempotencyKeyError> {
        let ok = (1..=100).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok { Ok(Self(raw.to_owned())) } else { Err(IdempotencyKeyError) }
    }
}

impl AsRef<str> for IdempotencyKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_trimmed_and_must_not_be_blank() {
        assert_eq!(Address::parse("  文安路12号3单元 ").unwrap().as_ref(), "文安路12号3单元");
        assert_eq!(Address::parse("   "), Err(AddressError::Empty));
        assert_eq!(Address::parse(&"楼".repeat(201)), Err(AddressError::TooLong));
    }

    #[test]
    fn an_idempotency_key_with_spaces_or_control_characters_is_rejected() {
        assert!(IdempotencyKey::parse("order-2026-11-27-a").is_ok());
        assert!(IdempotencyKey::parse("has space").is_err());
        assert!(IdempotencyKey::parse("").is_err());
    }
}
