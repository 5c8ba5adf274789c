//! Accounts and sessions: logging in and out, resolving a bearer token to the account behind it, and admins
//! creating accounts. Passwords are hashed and tokens made by the adapter behind [`SessionKeeper`].

use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{AccountId, Actor, NewPassword, PhoneNumber, Role, StreetScope, Username};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::geo::{CommunityId, Geography, StreetId};
use crate::paging::{Page, PageRequest};
use crate::providers::{ProviderId, Providers};
use crate::words::Lang;

/// An account as stored.
#[derive(Clone, Debug)]
pub struct AccountRecord {
    pub id: AccountId,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub role: Role,
    pub provider: Option<ProviderId>,
    pub community: Option<CommunityId>,
    /// For a street worker: their street and its communities.
    pub street: Option<StreetScope>,
    pub password_hash: String,
    /// For provider staff: whether they manage the organization (invite its staff).
    pub manager: bool,
    /// An admin disabled the account: nobody can log in to it and its sessions have ended.
    pub disabled: bool,
    /// The language the person chose to be told things in; none, Chinese.
    pub language: Option<Lang>,
}

impl AccountRecord {
    pub fn actor(&self) -> Actor {
        Actor {
            account: self.id,
            role: self.role,
            provider: self.provider,
            community: self.community,
            street: self.street.clone(),
        }
    }
}

/// An account to create, with its password already hashed.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub username: Username,
    pub phone: Option<PhoneNumber>,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub provider: Option<ProviderId>,
    pub community: Option<CommunityId>,
    /// For a street worker, instead of a community.
    pub street: Option<StreetId>,
    /// For provider staff: whether they manage the organization.
    pub manager: bool,
    pub demo: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    /// The username (or, with its field, the phone number) is taken.
    #[error("that {0} is taken")]
    Taken(&'static str),
    #[error("the provider or community does not exist")]
    UnknownReference,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// A signed-in session: a short-lived access token and the refresh token that renews it (both shown once),
/// when each lapses, and whose they are.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub account: AccountRecord,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the login or password is wrong")]
    BadCredentials,
    /// The password was right, but an admin has disabled the account.
    #[error("this account has been disabled; ask the community or an admin")]
    Disabled,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Accounts as the store keeps them.
pub trait Accounts: Clone + Send + Sync + 'static {
    /// Inserts the account, with its audit entry when someone else made it; a username or phone number already
    /// in use is `Taken("username")`, a provider or community that does not exist `UnknownReference`.
    fn create_account(
        &self,
        new: NewAccount,
        audit: Option<AuditEntry>,
    ) -> impl Future<Output = Result<AccountId, CreateAccountError>> + Send;

    /// The account whose username or phone number is `login`.
    fn account_by_login(&self, login: &str) -> impl Future<Output = Result<Option<AccountRecord>, Unexpected>> + Send;

    fn account(&self, id: AccountId) -> impl Future<Output = Result<Option<AccountRecord>, Unexpected>> + Send;

    /// Records the language the account's person reads.
    fn set_language(&self, id: AccountId, lang: Lang) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Accounts in id order after `after`, at most `limit`: of `role` when given, and whose username, name or
    /// phone contains `text` when given.
    fn list_accounts(
        &self,
        role: Option<Role>,
        text: Option<&str>,
        after: Option<AccountId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<AccountRecord>, Unexpected>> + Send;
}

/// Passwords, bearer tokens, refresh tokens and texted codes: what must be drawn at random or hashed.
pub trait SessionKeeper: Clone + Send + Sync + 'static {
    /// Checks the password of the account `login` names and opens a session; a wrong login and a wrong
    /// password are told apart by nobody, not even by how long the answer takes. A disabled account is
    /// `Disabled`, but only to someone who knows its password.
    fn login(
        &self,
        login: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Session, LoginError>> + Send;

    /// Opens a session for an account that has just proved itself another way (a sign-up code, an invitation).
    fn open(
        &self,
        account: &AccountRecord,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Session, Unexpected>> + Send;

    /// Swaps a refresh token for a new session of the same family. A token used twice ends the whole family.
    fn refresh(
        &self,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Session, super::identity::RefreshError>> + Send;

    /// Ends the session of `token`, on every replica.
    fn logout(&self, token: &str) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// Ends every session of the account, except the one `keep` belongs to, on every replica at once.
    fn end_sessions(
        &self,
        account: AccountId,
        keep: Option<&str>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;

    /// The account changed in a way its sessions show (its language): the sessions this process remembers read
    /// it again; other processes see it within the few seconds they remember a session for.
    fn account_changed(&self, account: AccountId);

    /// The account behind a live token.
    fn resolve(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<AccountRecord>, Unexpected>> + Send;

    /// The password hashed to store.
    fn hash_password(&self, password: NewPassword) -> impl Future<Output = Result<String, Unexpected>> + Send;

    /// Whether `candidate` is the password `hash` was made from.
    fn verify_password(&self, hash: &str, candidate: &str) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// A new six-digit code, in clear (to text) and as stored.
    fn draw_code(&self) -> Result<(String, String), Unexpected>;

    /// Whether a typed code is the one `digest` was made from.
    fn code_matches(&self, digest: &str, typed: &str) -> bool;

    /// A new single-use token (an invitation's), in clear and as stored.
    fn draw_token(&self) -> Result<(String, String), Unexpected>;

    /// How a token is stored.
    fn token_digest(&self, token: &str) -> String;
}

/// An account as an admin typed it.
#[derive(Clone, Debug, Default)]
pub struct AccountInput {
    pub username: String,
    pub password: String,
    pub display_name: String,
    /// `resident`, `provider_staff`, `community_worker`, `party_member` or `admin`.
    pub role: String,
    pub phone: Option<String>,
    pub provider_id: Option<ProviderId>,
    pub community_id: Option<CommunityId>,
    /// For a street worker (a community worker of a whole street): their street, instead of a community.
    pub street_id: Option<StreetId>,
    /// For provider staff: whether they manage the organization.
    pub manager: bool,
}

impl AccountInput {
    /// The account to create (its hash still empty) and the password to hash, naming the field at fault.
    pub fn parse(self) -> Result<(NewAccount, NewPassword), Invalid> {
        let username = Username::parse(&self.username).map_err(|e| Invalid::new("username", "invalid_username", e))?;
        let password =
            NewPassword::parse(self.password).map_err(|e| Invalid::new("password", "invalid_password", e))?;
        let role = Role::parse(&self.role).ok_or_else(|| {
            Invalid::new(
                "role",
                "invalid_role",
                "role is resident, provider_staff, community_worker, party_member or admin",
            )
        })?;
        let phone = self
            .phone
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|e| Invalid::new("phone", "invalid_phone", e))?;
        let display_name = self.display_name.trim().to_owned();
        if display_name.is_empty() || display_name.chars().count() > 50 {
            return Err(Invalid::new("display_name", "invalid_display_name", "a display name has 1 to 50 characters"));
        }
        if role == Role::ProviderStaff && self.provider_id.is_none() {
            return Err(Invalid::new(
                "provider_id",
                "missing_provider",
                "provider staff need the provider they work for",
            ));
        }
        let street = self.street_id.filter(|_| role == Role::CommunityWorker);
        match (role, self.community_id, street) {
            (Role::CommunityWorker, None, None) => {
                return Err(Invalid::new(
                    "community_id",
                    "missing_community",
                    "a community worker needs their community, or a street worker their street",
                ));
            }
            (Role::CommunityWorker, Some(_), Some(_)) => {
                return Err(Invalid::new(
                    "street_id",
                    "community_and_street",
                    "a worker looks after a community or a whole street, not both",
                ));
            }
            _ => {}
        }
        let account = NewAccount {
            username,
            phone,
            display_name,
            password_hash: String::new(),
            role,
            provider: self.provider_id,
            community: self.community_id,
            street,
            manager: self.manager && role == Role::ProviderStaff,
            demo: false,
        };
        Ok((account, password))
    }
}

/// The account use cases over the store `R`, the session keeper `S`, a clock and the SMS gateway `M` that
/// texts codes.
#[derive(Clone)]
pub struct AccountDesk<R, S, C, M> {
    pub repo: R,
    pub sessions: S,
    pub clock: C,
    pub sms: M,
    pub codes: super::identity::CodePolicy,
}

impl<R, S, C, M> AccountDesk<R, S, C, M> {
    pub fn new(repo: R, sessions: S, clock: C, sms: M) -> Self {
        Self { repo, sessions, clock, sms, codes: Default::default() }
    }
}

impl<R: Accounts + Providers + Geography, S: SessionKeeper, C: Clock, M> AccountDesk<R, S, C, M> {
    pub async fn login(&self, login: &str, password: &str) -> Result<Session, LoginError> {
        self.sessions.login(login, password, self.clock.now()).await
    }

    /// Ends the caller's own session.
    pub async fn logout(&self, token: &str) -> Result<(), Unexpected> {
        self.sessions.logout(token).await
    }

    /// The caller chooses the language Linli tells them things in: inbox messages, reminders and texts, and
    /// what it reads out to requests that ask for no language. Any signed-in account, for itself.
    pub async fn set_language(&self, actor: &Actor, lang: Lang) -> Result<(), Unexpected> {
        self.repo.set_language(actor.account, lang).await?;
        self.sessions.account_changed(actor.account);
        Ok(())
    }

    /// The account behind a bearer token, if it is live now.
    pub async fn resolve(&self, token: &str) -> Result<Option<AccountRecord>, Unexpected> {
        self.sessions.resolve(token, self.clock.now()).await
    }

    /// Accounts a page at a time, for admins: of one role, or matching a search, when asked.
    pub async fn accounts(
        &self,
        actor: &Actor,
        role: Option<&str>,
        text: Option<&str>,
        page: PageRequest<'_>,
    ) -> Result<Page<AccountRecord>, DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins list accounts").into());
        }
        let role = match role {
            None => None,
            Some(r) => Some(Role::parse(r).ok_or_else(|| Invalid::malformed("role", "not a role"))?),
        };
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > 50) {
            return Err(Invalid::malformed("q", "a search has at most 50 characters").into());
        }
        let (size, after) = (page.size()?, page.cursor()?.map(AccountId));
        Ok(Page::of(self.repo.list_accounts(role, text, after, size + 1).await?, size))
    }

    /// An admin creates an account. The provider or community it belongs to must exist, and its username and
    /// phone number must be free; each failure names its field.
    pub async fn create_account(
        &self,
        actor: &Actor,
        input: AccountInput,
    ) -> Result<AccountRecord, CreateAccountError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins create accounts of this kind").into());
        }
        let (new, password) = input.parse()?;
        if let Some(p) = new.provider
            && self.repo.provider(p).await?.is_none()
        {
            return Err(Invalid::new("provider_id", "unknown_provider", "no provider has that id").into());
        }
        if let Some(c) = new.community
            && self.repo.community(c).await?.is_none()
        {
            return Err(Invalid::new("community_id", "unknown_community", "no community has that id").into());
        }
        if let Some(s) = new.street
            && self.repo.street(s).await?.is_none()
        {
            return Err(Invalid::new("street_id", "unknown_street", "no street has that id").into());
        }
        if self.repo.account_by_login(new.username.as_ref()).await?.is_some() {
            return Err(CreateAccountError::Taken("username"));
        }
        if let Some(phone) = &new.phone
            && self.repo.account_by_login(phone.as_ref()).await?.is_some()
        {
            return Err(CreateAccountError::Taken("phone"));
        }
        let new = NewAccount { password_hash: self.sessions.hash_password(password).await?, ..new };
        // The store names the account in the entry once it has its id.
        let audit = AuditEntry::new(actor, self.clock.now(), "account.created", String::new()).after(json!({
            "username": new.username.as_ref(),
            "role": new.role.as_str(),
            "provider_id": new.provider.map(|p| p.0),
            "community_id": new.community.map(|c| c.0),
            "street_id": new.street.map(|s| s.0),
            "manager": new.manager,
        }));
        // Someone may take the name or number between the check and the insert; the store says `Taken` then.
        let id = self.repo.create_account(new, Some(audit)).await?;
        let created = self.repo.account(id).await?;
        created.ok_or_else(|| Unexpected::new("reading back an account", std::io::Error::other("it vanished")).into())
    }
}
