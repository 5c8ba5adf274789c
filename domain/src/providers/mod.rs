//! Providers: whoever can take an order — an organization (功能型服务组织), a Party member, or a community
//! point — and the identity rules that come with them.

mod availability;
#[cfg(test)]
mod availability_tests;
mod desk;
mod profile;
mod rating;
#[cfg(test)]
mod testing;

pub use availability::{Availabilities, Availability, AvailabilityInput, CLOSED_DATES_AHEAD_DAYS, MAX_CLOSED_DATES};
pub use desk::{
    CreateProviderError, FIGURES_DAYS, NewProvider, OfferFigures, ProviderDesk, ProviderInput, ProviderRecord,
    ProviderSummary, Providers,
};
pub use profile::{Profile, ProfileInput, Profiles};
pub use rating::{PRIOR_MEAN, PRIOR_WEIGHT, RatingTally};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProviderId(pub Uuid);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProviderKind {
    /// 功能型服务组织
    Organization,
    /// 在职党员, capacity 1.
    PartyMember,
    /// A community's mediation point, or a street's property-dispute sub-center.
    CommunityPoint,
    /// 红色驿站: a service point that anchors the 15-minute service circle. It reaches the orders within its
    /// circle, and needs no communities or streets of its own.
    RedStation,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Organization => "organization",
            ProviderKind::PartyMember => "party_member",
            ProviderKind::CommunityPoint => "community_point",
            ProviderKind::RedStation => "red_station",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ProviderKind::Organization, ProviderKind::PartyMember, ProviderKind::CommunityPoint, ProviderKind::RedStation]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// 统一社会信用代码: an organization's 18-character unified social credit code (GB 32100-2015), whose last
/// character is a check character over the first seventeen.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("a credit code has exactly 18 characters")]
    Length,
    #[error("a credit code uses only digits and the letters A-H, J-N, P-R, T, U, W-Y")]
    Character,
    #[error("the check character of the credit code does not match")]
    Check,
}

/// The 31 characters of the code's alphabet; I, O, S, V and Z are left out to avoid misreading.
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

impl CreditCode {
    pub fn parse(raw: &str) -> Result<Self, CreditCodeError> {
        let s = raw.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(CreditCodeError::Length);
        }
        let values: Vec<usize> = s
            .bytes()
            .map(|b| CREDIT_ALPHABET.iter().position(|&a| a == b))
            .collect::<Option<_>>()
            .ok_or(CreditCodeError::Character)?;
        if Self::check_value(&values[..17]) != values[17] {
            return Err(CreditCodeError::Check);
        }
        Ok(Self(s))
    }

    /// Completes seventeen valid characters with their check character; used to make demo organizations.
    pub fn with_check_character(first17: &str) -> Result<Self, CreditCodeError> {
        let values: Vec<usize> = first17
            .bytes()
            .map(|b| CREDIT_ALPHABET.iter().position(|&a| a == b))
            .collect::<Option<_>>()
            .ok_or(CreditCodeError::Character)?;
        if values.len() != 17 {
            return Err(CreditCodeError::Length);
        }
        let check = CREDIT_ALPHABET[Self::check_value(&values)] as char;
        Ok(Self(format!("{first17}{check}")))
    }

    /// Weights are 3^i mod 31; the check value makes the weighted sum a multiple of 31.
    fn check_value(values: &[usize]) -> usize {
        let mut weight = 1usize;
        let mut sum = 0usize;
        for v in values {
            sum += v * weight;
            weight = weight * 3 % 31;
        }
        (31 - sum % 31) % 31
    }
}

impl AsRef<str> for CreditCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_published_credit_code_passes_its_check() {
        // A code widely quoted as a worked example of the standard.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
    }

    #[test]
    fn a_credit_code_with_one_character_changed_fails_its_check() {
        assert_eq!(CreditCode::parse("91350100M000100Y44"), Err(CreditCodeError::Check));
    }

    #[test]
    fn a_credit_code_with_a_letter_outside_the_alphabet_is_rejected() {
        assert_eq!(CreditCode::parse("91350100M000100I43"), Err(CreditCodeError::Character));
        assert_eq!(CreditCode::parse("9135"), Err(CreditCodeError::Length));
    }

    proptest! {
        #[test]
        fn any_completed_code_parses_back(body in "[0-9A-HJ-NP-RTUW-Y]{17}") {
            let code = CreditCode::with_check_character(&body).unwrap();
            prop_assert_eq!(CreditCode::parse(code.as_ref()).unwrap(), code);
        }
    }
}
