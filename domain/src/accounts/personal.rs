//! A person's own data: downloading everything Linli holds about them, and erasing their account. Erasure
//! keeps the record of what happened (their orders, each order's history, hours served) and removes who they
//! were: name, number, addresses, notes, messages, and every session.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::desk::{AccountDesk, Accounts, SessionKeeper};
use super::{AccountId, Actor, Role};
use crate::clock::Clock;
use crate::error::{Denied, Unexpected};

/// Everything held about an account, and its erasure.
pub trait PersonalData: Clone + Send + Sync + 'static {
    /// Every row about the account, as a JSON document, without secrets (password and token digests).
    fn personal_data(&self, account: AccountId) -> impl Future<Output = Result<serde_json::Value, Unexpected>> + Send;

    /// In one transaction: the account's name, number and password go; its orders keep their history but lose
    /// their address, exact location and notes; its messages, reminders, texts and calendar feed go.
    fn erase_account(
        &self,
        account: AccountId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), Unexpected>> + Send;
}

/// The address an erased resident's orders show.
pub const ERASED_ADDRESS: &str = "（已注销）";

/// The name an erased account shows.
pub const ERASED_NAME: &str = "已注销用户";

#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("the password is wrong")]
    WrongPassword,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl<R, S, C, M> AccountDesk<R, S, C, M>
where
    R: Accounts + PersonalData,
    S: SessionKeeper,
    C: Clock,
{
    /// Everything Linli holds about the caller.
    pub async fn export(&self, actor: &Actor) -> Result<serde_json::Value, Unexpected> {
        self.repo.personal_data(actor.account).await
    }

    /// A resident or Party member deletes their own account, confirming with their password. Accounts of
    /// staff, workers and admins belong to their organization's records and are disabled by an admin instead.
    pub async fn erase(&self, actor: &Actor, password: &str) -> Result<(), EraseError> {
        if !matches!(actor.role, Role::Resident | Role::PartyMember) {
            return Err(Denied("staff, worker and admin accounts are closed by an admin").into());
        }
        let account = self
            .repo
            .account(actor.account)
            .await?
            .ok_or_else(|| Unexpected::new("reading an account to erase", std::io::Error::other("it vanished")))?;
        if !self.sessions.verify_password(&account.password_hash, password).await? {
            return Err(EraseError::WrongPassword);
        }
        self.repo.erase_account(account.id, self.clock.now()).await?;
        self.sessions.end_sessions(account.id, None).await?;
        Ok(())
    }
}
