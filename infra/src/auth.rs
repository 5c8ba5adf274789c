//! Passwords and sessions. Passwords are hashed with argon2id; a session is a random bearer token whose
//! SHA-256 digest is stored with an expiry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use linli_domain::accounts::NewPassword;
use linli_domain::error::Unexpected;

use linli_domain::accounts::{AccountId, AccountRecord, Accounts, LoginError, Session, SessionKeeper};

use crate::store::Store;

/// Hashes a new password with argon2id and a fresh salt (PHC string format).
pub fn hash_password(password: &NewPassword) -> Result<String, Unexpected> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes)
        .map_err(|e| Unexpected::new("drawing a salt", std::io::Error::other(e.to_string())))?;
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| Unexpected::new("encoding a salt", std::io::Error::other(e.to_string())))?;
    Argon2::default()
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

fn verify_password(phc: &str, candidate: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok())
}

/// The SHA-256 digest of a bearer token, as stored.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn new_token() -> Result<String, Unexpected> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Unexpected::new("drawing a token", std::io::Error::other(e.to_string())))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a resolved token is trusted without asking the database again. A logout is seen at once by the
/// replica that handled it and within this long by the others.
pub const SESSION_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Tokens resolved recently, by digest; bounded by clearing it when it grows past this many.
const SESSION_CACHE_MAX: usize = 50_000;

/// Account and when it was read, by token digest.
type Resolved = HashMap<String, (AccountRecord, Instant)>;

/// Logging in and resolving bearer tokens.
#[derive(Clone)]
pub struct Sessions {
    store: Store,
    ttl: Duration,
    /// Every request resolves its token; most come from a token resolved moments before.
    recent: Arc<Mutex<Resolved>>,
    /// Verified against when the login is unknown, so that an unknown login takes as long as a wrong password.
    decoy_hash: String,
}

impl Sessions {
    pub fn new(store: Store, ttl: Duration) -> Result<Self, Unexpected> {
        let decoy = NewPassword::parse("decoy-password-never-used".into()).expect("the decoy is long enough");
        Ok(Self { store, ttl, recent: Default::default(), decoy_hash: hash_password(&decoy)? })
    }

    pub async fn login(&self, login: &str, password: &str, now: DateTime<Utc>) -> Result<Session, LoginError> {
        let account = self.store.account_by_login(login).await?;
        let phc = account.as_ref().map_or_else(|| self.decoy_hash.clone(), |a| a.password_hash.clone());
        let candidate = password.to_owned();
        // argon2 is deliberately slow; keep it off the async workers.
        let matches = tokio::task::spawn_blocking(move || verify_password(&phc, &candidate))
            .await
            .map_err(|e| Unexpected::new("verifying a password", e))?;
        let Some(account) = account.filter(|_| matches) else {
            return Err(LoginError::BadCredentials);
        };
        let token = new_token()?;
        let expires_at = now + self.ttl;
        self.store.create_session(token_digest(&token), account.id, now, expires_at).await?;
        Ok(Session { token, expires_at, account })
    }

    /// The account behind a bearer token, if the token is known and unexpired (as of at most
    /// [`SESSION_CACHE_TTL`] ago).
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

    pub async fn logout(&self, token: &str) -> Result<(), Unexpected> {
        let digest = token_digest(token);
        // The row goes first, so that no lookup after this point can put the token back in the cache.
        self.store.end_session(&digest).await?;
        self.cache().remove(&digest);
        Ok(())
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

    async fn logout(&self, token: &str) -> Result<(), Unexpected> {
        Sessions::logout(self, token).await
    }

    async fn resolve(&self, token: &str, now: DateTime<Utc>) -> Result<Option<AccountRecord>, Unexpected> {
        Sessions::resolve(self, token, now).await
    }

    async fn hash_password(&self, password: NewPassword) -> Result<String, Unexpected> {
        hash_password_off_thread(password).await
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
    fn two_tokens_are_never_the_same() {
        assert_ne!(new_token().unwrap(), new_token().unwrap());
        assert_eq!(new_token().unwrap().len(), 64);
    }
}
