//! What identity's use cases take and give: texted codes and their policy, staff invitations, the ports that
//! keep them, and the errors each use case can end in.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::super::desk::{CreateAccountError, NewAccount};
use super::super::{AccountId, PhoneNumber};
use crate::audit::AuditEntry;
use crate::error::{Invalid, Unexpected};

/// What a texted code is for; a code for one purpose never works for the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodePurpose {
    SignUp,
    ResetPassword,
}

impl CodePurpose {
    pub const ALL: [CodePurpose; 2] = [CodePurpose::SignUp, CodePurpose::ResetPassword];

    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignUp => "sign_up",
            CodePurpose::ResetPassword => "reset_password",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// How texted codes behave.
#[derive(Clone, Copy, Debug)]
pub struct CodePolicy {
    /// How long a code works after it is sent.
    pub lifetime: Duration,
    /// How long a number waits before another code is sent to it.
    pub resend_after: Duration,
    /// Wrong tries after which a code stops working, even the right one.
    pub max_tries: u32,
}

impl Default for CodePolicy {
    fn default() -> Self {
        Self { lifetime: Duration::minutes(10), resend_after: Duration::seconds(60), max_tries: 5 }
    }
}

/// A code as stored: only its digest, with what is needed to judge a try.
#[derive(Clone, Debug)]
pub struct CodeRecord {
    pub id: Uuid,
    /// Absent when no code was sent (a reset for a number without an account): nothing can be redeemed.
    pub digest: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub wrong_tries: u32,
    pub spent: bool,
}

/// Why a code was not accepted. Each says what to do next, so the edge can tell the person.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum CodeError {
    #[error("no code was sent to this number for this; ask for one")]
    Missing,
    #[error("the code has expired or was already used; ask for a new one")]
    Expired,
    #[error("too many wrong tries; ask for a new code")]
    Locked,
    #[error("the code is wrong; {tries_left} tries left")]
    Wrong { tries_left: u32 },
}

/// Texted codes, stored hashed.
pub trait VerificationCodes: Clone + Send + Sync + 'static {
    /// Stores a new code for the number and purpose, replacing any earlier one.
    fn put_code(
        &self,
        phone: &PhoneNumber,
        purpose: CodePurpose,
        digest: Option<String>,
        sent_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// The latest code for the number and purpose.
    fn code(
        &self,
        phone: &PhoneNumber,
        purpose: CodePurpose,
    ) -> impl Future<Output = Result<Option<CodeRecord>, Unexpected>> + Send;

    /// Marks the code used; false when another request used it first.
    fn spend_code(&self, id: Uuid) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Counts a wrong try at the code.
    fn count_wrong_try(&self, id: Uuid) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// A staff invitation as stored.
#[derive(Clone, Debug)]
pub struct InvitationRecord {
    pub account: AccountId,
    pub expires_at: DateTime<Utc>,
    pub accepted: bool,
}

/// Invitations of staff to an organization: the account exists from the start, without a password.
pub trait Invitations: Clone + Send + Sync + 'static {
    /// Creates the account, its invitation and the audit entry (whose actor invited) together.
    fn invite(
        &self,
        new: NewAccount,
        digest: String,
        expires_at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<AccountId, CreateAccountError>> + Send;

    fn invitation(&self, digest: &str) -> impl Future<Output = Result<Option<InvitationRecord>, Unexpected>> + Send;

    /// Sets the invited account's password and marks the invitation accepted; false when it was accepted
    /// already.
    fn accept_invitation(
        &self,
        digest: &str,
        password_hash: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;
}

/// Changes to an account's standing that sign-up, reset and admins make.
pub trait AccountChanges: Clone + Send + Sync + 'static {
    fn set_password(&self, account: AccountId, hash: String) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Disables (`Some(when)`) or enables (`None`) the account, with the audit entry; false when there is none.
    fn set_disabled(
        &self,
        account: AccountId,
        disabled_at: Option<DateTime<Utc>>,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;
}

/// How long a staff invitation can be accepted.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);

/// A sign-up as typed.
#[derive(Clone, Debug, Default)]
pub struct SignUpInput {
    pub phone: String,
    pub code: String,
    pub display_name: String,
    pub password: String,
    /// `resident` (the default) or `party_member`.
    pub role: Option<String>,
}

/// A staff invitation as a manager or admin typed it.
#[derive(Clone, Debug, Default)]
pub struct InvitationInput {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    /// Whether the invited person manages the organization too.
    pub manager: bool,
}

/// A sent invitation: the token to pass on (shown once) and the account it opens.
#[derive(Clone, Debug)]
pub struct Invitation {
    pub account: AccountId,
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// Whether the token was also texted to the invited person.
    pub texted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SendCodeError {
    #[error("a code was sent to this number moments ago; wait before asking again")]
    TooSoon { retry_after: Duration },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error("this number already has an account; log in or reset the password")]
    Taken,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum ResetPasswordError {
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    #[error("the current password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("the refresh token is unknown or has expired; log in again")]
    Unknown,
    /// The token was used before: someone holds a copy. Every session of its family has been ended.
    #[error("the refresh token was already used; every session it began has been ended, log in again")]
    Reused,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum AcceptInvitationError {
    #[error("the invitation is unknown, expired or already accepted")]
    Unknown,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}
