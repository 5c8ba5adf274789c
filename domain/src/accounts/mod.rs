//! Who is acting: accounts, their roles, and the values people type in to log in.

mod desk;
#[cfg(test)]
mod desk_tests;
mod identity;
#[cfg(test)]
mod identity_tests;
mod keeping;
mod personal;
mod residents;
#[cfg(test)]
mod residents_tests;
#[cfg(test)]
pub(crate) mod testing;

pub use desk::{
    AccountDesk, AccountInput, AccountRecord, Accounts, CreateAccountError, LoginError, NewAccount, Session,
    SessionKeeper,
};
pub use identity::{
    AcceptInvitationError, AccountChanges, ChangePasswordError, CodeError, CodePolicy, CodePurpose, CodeRecord,
    INVITATION_LIFETIME, Invitation, InvitationInput, InvitationRecord, Invitations, RefreshError, ResetPasswordError,
    SendCodeError, SignUpError, SignUpInput, VerificationCodes,
};
pub(crate) use keeping::require_manager;
pub use keeping::{AccountDetails, AccountEdit, AccountKeeping};
pub use personal::{ERASED_ADDRESS, ERASED_NAME, EraseError, PersonalData};
pub use residents::{
    Landline, LandlineError, MAX_FOUND, RecordDetails, ResidentInput, ResidentQuery, ResidentRecord, ResidentRecords,
};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::geo::{CommunityId, StreetId};
use crate::providers::ProviderId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountId(pub Uuid);

/// What an account may do; see the table of users in DESIGN.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// 居民: orders services for themselves.
    Resident,
    /// Staff of a provider (服务组织): sees offers, accepts and works jobs.
    ProviderStaff,
    /// 社区工作者: works the orders and escalations of their area, and organizes its events. A worker of a
    /// street (街道工作者) has the street's communities for their area.
    CommunityWorker,
    /// 在职党员: registers (报到) with their residence community, signs up for shifts and, once confirmed, takes
    /// volunteer orders as a provider of capacity 1.
    PartyMember,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Resident, Role::ProviderStaff, Role::CommunityWorker, Role::PartyMember, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::ProviderStaff => "provider_staff",
            Role::CommunityWorker => "community_worker",
            Role::PartyMember => "party_member",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role works orders for a provider: staff of an organization or point, or a Party member
    /// taking volunteer orders.
    pub fn works_orders(self) -> bool {
        matches!(self, Role::ProviderStaff | Role::PartyMember)
    }
}

/// The authenticated caller of a use case, as the edge resolved it from a bearer token.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    pub account: AccountId,
    pub role: Role,
    /// Set for provider staff, and for a confirmed Party member: the provider they work for (or are).
    pub provider: Option<ProviderId>,
    /// Set for community workers: the community they work in; for a confirmed Party member, where they live.
    pub community: Option<CommunityId>,
    /// Set for a street worker instead of a community: the street whose communities they look after.
    pub street: Option<StreetScope>,
}

/// A street worker's reach: their street and its communities, read with their account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreetScope {
    pub street: StreetId,
    pub communities: Vec<CommunityId>,
}

impl Actor {
    /// Whether the actor is a worker who looks after `community`: their own, or one of their street's.
    pub fn looks_after(&self, community: CommunityId) -> bool {
        self.role == Role::CommunityWorker
            && (self.community == Some(community)
                || self.street.as_ref().is_some_and(|s| s.communities.contains(&community)))
    }

    /// The communities a worker looks after: theirs, or their street's; none for anyone else.
    pub fn area(&self) -> Vec<CommunityId> {
        match (self.role, &self.street) {
            (Role::CommunityWorker, Some(s)) => s.communities.clone(),
            (Role::CommunityWorker, None) => self.community.into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// A mainland mobile number, stored as its 11 digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("a phone number is 11 digits starting with 1 and a digit from 3 to 9, optionally after +86")]
pub struct PhoneNumberError;

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, PhoneNumberError> {
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = compact.strip_prefix("+86").unwrap_or(&compact);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid { Ok(Self(digits.to_owned())) } else { Err(PhoneNumberError) }
    }

    /// The number with its middle four digits hidden (138****5678), the only form that may reach a log.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A login name: 3 to 32 lower-case letters, digits, `.`, `_` or `-`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Username(String);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("a username is 3 to 32 characters of a-z, 0-9, '.', '_' or '-', and not digits alone")]
pub struct UsernameError;

impl Username {
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok_len = (3..=32).contains(&s.len());
        let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        // People log in with a username or a phone number; a name of digits alone could be someone's number.
        let not_a_number = !s.bytes().all(|b| b.is_ascii_digit());
        if ok_len && ok_chars && not_a_number { Ok(Self(s)) } else { Err(UsernameError) }
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A new password as chosen, before hashing: 8 to 128 characters.
#[derive(Clone)]
pub struct NewPassword(String);

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("a password has 8 to 128 characters")]
pub struct NewPasswordError;

impl NewPassword {
    pub fn parse(raw: String) -> Result<Self, NewPasswordError> {
        if (8..=128).contains(&raw.chars().count()) { Ok(Self(raw)) } else { Err(NewPasswordError) }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_phone_number_accepts_spaces_dashes_and_the_country_code() {
        assert_eq!(PhoneNumber::parse("+86 138-0024-1234").unwrap().as_ref(), "13800241234");
        assert_eq!(PhoneNumber::parse("19912345678").unwrap().as_ref(), "19912345678");
    }

    #[test]
    fn a_phone_number_with_a_wrong_prefix_or_length_is_rejected() {
        for bad in ["12012345678", "1381234567", "138123456789", "abc", "", "+1 13812345678"] {
            assert_eq!(PhoneNumber::parse(bad), Err(PhoneNumberError), "{bad}");
        }
    }

    #[test]
    fn a_masked_phone_number_hides_the_middle_four_digits() {
        assert_eq!(PhoneNumber::parse("13800241234").unwrap().masked(), "138****1234");
    }

    #[test]
    fn a_username_is_folded_to_lower_case() {
        assert_eq!(Username::parse(" Wang.Li ").unwrap().as_ref(), "wang.li");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("has space").is_err());
        assert!(Username::parse("13800000001").is_err(), "digits alone could be someone's phone number");
    }

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    proptest! {
        #[test]
        fn any_valid_phone_number_masks_to_eleven_characters(rest in "[3-9][0-9]{9}") {
            let phone = PhoneNumber::parse(&format!("1{rest}")).unwrap();
            let masked = phone.masked();
            prop_assert_eq!(masked.chars().count(), 11);
            prop_assert_eq!(&masked[3..7], "****");
            prop_assert_eq!(&masked[7..], &phone.as_ref()[7..]);
        }
    }
}
