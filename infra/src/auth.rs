//! Passwords, sessions and codes. Passwords are hashed with argon2id ([`ARGON2_PARAMS`]); a session is a
//! short-lived random access token and a single-use refresh token, both stored as SHA-256 digests; texted
//! codes are stored salted and hashed. Ending sessions is told to every process through [`Broadcast`], so
//! that no replica's cache of resolved tokens keeps a revoked one alive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use linli_domain::accounts::{
    AccountId, AccountRecord, Accounts, LoginError, NewPassword, RefreshError, Session, SessionKeeper,
};
use linli_domain::error::Unexpected;

use crate::broadcast::{Broadcast, Heard};
use crate::store::{NewTokens, Rotation, Store};

/// argon2id, version 0x13, with 19 MiB of memory, 2 passes and 1 lane: the OWASP recommendation for
/// argon2id, about 25 ms a hash on one core of the machines Linli runs on.
pub const ARGON2_PARAMS: (u32, u32, u32) = (19_456, 2, 1);

fn argon2() -> Argon2<'static> {
    let (memory_kib, passes, lanes) = ARGON2_PARAMS;
    let params = Params::new(memory_kib, passes, lanes, None).expect("the stated parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn random<const N: usize>(what: &'static str) -> Result<[u8; N], Unexpected> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Unexpected::new(what, std::io::Error::other(e.to_string())))?;
    Ok(bytes)
}

/// Hashes a new password with argon2id and a fresh salt (PHC string format).
pub fn hash_password(password: &NewPassword) -> Result<String, Unexpected> {
    let salt = SaltString::encode_b64(&random::<16>("drawing a salt")?)
        .map_err(|e| Unexpected::new("encoding a salt", std::io::Error::other(e.to_string())))?;
    argon2()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Unexpected::new("hashing a password", std::io::Error::other(e.to_string())))
}

/// [`hash_password`] on a blocking thread, for async callers.
pub async fn hash_password_off_thread(password: NewPassword) -> Result<String, Unexpected> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Unexpected::new("hashing a password", e))?
}

/// Whether `candidate` is the password of the PHC string `phc`. The parameters are read from the string, so
/// hashes made with other parameters still verify.
fn verify_password(phc: &str, candidate: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| argon2().verify_password(candidate.as_bytes(), &parsed).is_ok())
}

async fn verify_off_thread(phc: String, candidate: String) -> Result<bool, Unexpected> {
    // argon2 is deliberately slow; keep it off the async workers.
    tokio::task::spawn_blocking(move || verify_password(&phc, &candidate))
        .await
        .map_err(|e| Unexpected::new("verifying a password", e))
}

/// The SHA-256 digest of a bearer token, as stored.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn new_token() -> Result<String, Unexpected> {
    Ok(hex(&random::<32>("drawing a token")?))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Six random digits, uniformly: draws above the largest multiple of a million are drawn again.
fn six_digits() -> Result<String, Unexpected> {
    const LIMIT: u32 = u32::MAX - u32::MAX % 1_000_000;
    loop {
        let n = u32::from_le_bytes(random::<4>("drawing a code")?);
        if n < LIMIT {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// A code's stored form: a random salt and the SHA-256 of salt and code. A code lives ten minutes and locks
/// after five wrong tries, so a slow hash would add nothing; the salt keeps equal codes from looking equal.
fn code_digest(salt: &str, code: &str) -> String {
    format!("{salt}${}", hex(&Sha256::digest(format!("{salt}:{code}").as_bytes())))
}

/// How long a resolved token is trusted without asking the database again. Ending a session is broadcast to
/// every process, which drops it at once; this bounds how stale an entry can be if a broadcast is missed
/// while Redis is unreachable.
pub const SESSION_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Tokens resolved recently, by digest; bounded by clearing it when it grows past this many.
const SESSION_CACHE_MAX: usize = 50_000;

/// The broadcast topic of ended sessions; the body is the account's id.
const REVOKED: &str = "sessions-revoked";

/// Account and when it was read, by token digest.
type Resolved = HashMap<String, (AccountRecord, Instant)>;

/// How long tokens live.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// An access token, sent with every request.
    pub access: Duration,
    /// A refresh token, which renews the access token; also how long one can stay signed in without using it.
    pub refresh: Duration,
}

/// Logging in, refreshing and resolving bearer tokens, and ending sessions everywhere.
#[derive(Clone)]
pub struct Sessions {
    store: Store,
    policy: SessionPolicy,
    broadcast: Broadcast,
    /// Every request resolves its token; most come from a token resolved moments before.
    recent: Arc<Mutex<Resolved>>,
    /// Verified against when the login is unknown, so that an unknown login takes as long as a wrong password.
    decoy_hash: String,
}

impl Sessions {
    /// Sessions over the store; ended sessions are heard through `broadcast` from every process, by a task
    /// that lives as long as the process.
    pub fn new(store: Store, policy: SessionPolicy, broadcast: Broadcast) -> Result<Self, Unexpected> {
        let decoy = NewPassword::parse("decoy-password-never-used".into()).expect("the decoy is long enough");
        let sessions =
            Self { store, policy, broadcast, recent: Default::default(), decoy_hash: hash_password(&decoy)? };
        let mut heard = sessions.broadcast.subscribe();
        let listener = sessions.clone();
        tokio::spawn(async move {
            loop {
                match heard.recv().await {
                    Ok(Heard::Message { topic, body }) if topic == REVOKED => {
                        if let Ok(id) = Uuid::parse_str(&body) {
                            listener.forget_account(AccountId(id));
                        }
                    }
                    Ok(Heard::Message { .. }) => {}
                    Ok(Heard::Lost) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        listener.cache().clear();
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        Ok(sessions)
    }

    pub async fn login(&self, login: &str, password: &str, now: DateTime<Utc>) -> Result<Session, LoginError> {
        let account = self.store.account_by_login(login).await?;
        let phc = account.as_ref().map_or_else(|| self.decoy_hash.clone(), |a| a.password_hash.clone());
        let matches = verify_off_thread(phc, password.to_owned()).await?;
        let Some(account) = account.filter(|_| matches) else {
            return Err(LoginError::BadCredentials);
        };
        if account.disabled {
            return Err(LoginError::Disabled);
        }
        Ok(self.open(&account, Uuid::now_v7(), now).await?)
    }

    /// A new access and refresh token of `family`.
    async fn open(&self, account: &AccountRecord, family: Uuid, now: DateTime<Utc>) -> Result<Session, Unexpected> {
        let (token, refresh_token) = (new_token()?, new_token()?);
        let tokens = self.tokens(&token, &refresh_token, now);
        self.store.store_tokens(account.id, family, &tokens, now).await?;
        Ok(self.session(token, refresh_token, &tokens, account.clone()))
    }

    fn tokens(&self, access: &str, refresh: &str, now: DateTime<Utc>) -> NewTokens {
        NewTokens {
            access: token_digest(access),
            access_expires_at: now + self.policy.access,
            refresh: token_digest(refresh),
            refresh_expires_at: now + self.policy.refresh,
        }
    }

    fn session(&self, token: String, refresh_token: String, tokens: &NewTokens, account: AccountRecord) -> Session {
        Session {
            token,
            expires_at: tokens.access_expires_at,
            refresh_token,
            refresh_expires_at: tokens.refresh_expires_at,
            account,
        }
    }

    pub async fn refresh(&self, refresh_token: &str, now: DateTime<Utc>) -> Result<Session, RefreshError> {
        let (token, next) = (new_token()?, new_token()?);
        let tokens = self.tokens(&token, &next, now);
        match self.store.rotate_refresh(&token_digest(refresh_token), &tokens, now).await? {
            Rotation::Unknown => Err(RefreshError::Unknown),
            Rotation::Reused { account } => {
                self.revoked(account).await;
                Err(RefreshError::Reused)
            }
            Rotation::Rotated { account } => {
                let record = self.store.account(account).await?.ok_or(RefreshError::Unknown)?;
                Ok(self.session(token, next, &tokens, record))
            }
        }
    }

    /// The account behind a bearer token, if the token is known and unexpired and the account enabled (as of
    /// at most [`SESSION_CACHE_TTL`] ago, unless an end of its sessions was heard since).
    pub async fn resolve(&self, token: &str, now: DateTime<Utc>) -> Result<Option<AccountRecord>, Unexpected> {
        let digest = token_digest(token);
        if let Some((account, at)) = self.cache().get(&digest)
            && at.elapsed() < SESSION_CACHE_TTL
        {
            return Ok(Some(account.clone()));
        }
        let found = self.store.account_by_session(&digest, now).await?;
        let mut cache = self.cache();
        match &found {
            Some(account) => {
                if cache.len() >= SESSION_CACHE_MAX {
                    cache.clear();
                }
                cache.insert(digest, (account.clone(), Instant::now()));
            }
            None => {
                cache.remove(&digest);
            }
        }
        Ok(found)
    }

    /// Ends this access token and the refresh token family it belongs to, on every replica at once.
    pub async fn logout(&self, token: &str) -> Result<(), Unexpected> {
        let digest = token_digest(token);
        // The rows go first, so that no lookup after this point can put the token back in the cache.
        if let Some(account) = self.store.end_session_and_family(&digest).await? {
            self.revoked(account).await;
        }
        self.cache().remove(&digest);
        Ok(())
    }

    /// Ends every session of the account but the one of `keep`, and tells every process.
    pub async fn end_sessions(&self, account: AccountId, keep: Option<&str>) -> Result<(), Unexpected> {
        let kept = keep.map(token_digest);
        self.store.end_sessions(account, kept.as_deref()).await?;
        self.revoked(account).await;
        Ok(())
    }

    /// Forgets the account's cached tokens here at once, and in every other process as soon as it hears.
    async fn revoked(&self, account: AccountId) {
        self.forget_account(account);
        if let Err(e) = self.broadcast.publish(REVOKED, &account.0.to_string()).await {
            // The rows are gone; other replicas notice within the cache's lifetime.
            tracing::warn!(error = %e, "could not broadcast ended sessions");
        }
    }

    /// Drops the cached sessions of `account`, whose role, provider or community just changed, so this process
    /// sees the change at its next request; other processes see it within [`SESSION_CACHE_TTL`].
    pub fn forget_account(&self, account: AccountId) {
        self.cache().retain(|_, (a, _)| a.id != account);
    }

    fn cache(&self) -> MutexGuard<'_, Resolved> {
        self.recent.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SessionKeeper for Sessions {
    async fn login(&self, login: &str, password: &str, now: DateTime<Utc>) -> Result<Session, LoginError> {
        Sessions::login(self, login, password, now).await
    }

    async fn open(&self, account: &AccountRecord, now: DateTime<Utc>) -> Result<Session, Unexpected> {
        Sessions::open(self, account, Uuid::now_v7(), now).await
    }

    fn account_changed(&self, account: AccountId) {
        self.forget_account(account);
    }

    async fn refresh(&self, refresh_token: &str, now: DateTime<Utc>) -> Result<Session, RefreshError> {
        Sessions::refresh(self, refresh_token, now).await
    }

    async fn logout(&self, token: &str) -> Result<(), Unexpected> {
        Sessions::logout(self, token).await
    }

    async fn end_sessions(&self, account: AccountId, keep: Option<&str>) -> Result<(), Unexpected> {
        Sessions::end_sessions(self, account, keep).await
    }

    async fn resolve(&self, token: &str, now: DateTime<Utc>) -> Result<Option<AccountRecord>, Unexpected> {
        Sessions::resolve(self, token, now).await
    }

    async fn hash_password(&self, password: NewPassword) -> Result<String, Unexpected> {
        hash_password_off_thread(password).await
    }

    async fn verify_password(&self, hash: &str, candidate: &str) -> Result<bool, Unexpected> {
        verify_off_thread(hash.to_owned(), candidate.to_owned()).await
    }

    fn draw_code(&self) -> Result<(String, String), Unexpected> {
        let code = six_digits()?;
        let salt = hex(&random::<16>("drawing a salt")?);
        let digest = code_digest(&salt, &code);
        Ok((code, digest))
    }

    fn code_matches(&self, digest: &str, typed: &str) -> bool {
        digest.split_once('$').is_some_and(|(salt, _)| code_digest(salt, typed) == digest)
    }

    fn draw_token(&self) -> Result<(String, String), Unexpected> {
        let token = new_token()?;
        let digest = token_digest(&token);
        Ok((token, digest))
    }

    fn token_digest(&self, token: &str) -> String {
        token_digest(token)
    }
}

impl linli_domain::volunteering::desk::ActorCache for Sessions {
    fn forget(&self, account: linli_domain::accounts::AccountId) {
        self.forget_account(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password(&NewPassword::parse("correct horse".into()).unwrap()).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "battery staple"));
    }

    #[test]
    fn a_token_digest_is_stable_and_does_not_contain_the_token() {
        let digest = token_digest("abc");
        assert_eq!(digest, token_digest("abc"));
        assert_eq!(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_code_is_six_digits_and_matches_only_itself() {
        let code = six_digits().unwrap();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        let digest = code_digest("salt", &code);
        assert!(!digest.contains(&code[..]) || code_digest("salt", "000000") != digest);
        assert_eq!(digest, code_digest("salt", &code));
        assert_ne!(digest, code_digest("pepper", &code), "a salt makes equal codes look different");
    }

    #[test]
    fn two_tokens_are_never_the_same() {
        assert_ne!(new_token().unwrap(), new_token().unwrap());
        assert_eq!(new_token().unwrap().len(), 64);
    }
}
