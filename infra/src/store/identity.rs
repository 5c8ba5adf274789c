//! What identity keeps besides the account itself: password and standing changes, texted codes, staff
//! invitations, and the families of sessions and refresh tokens that rotation and revocation work on.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter};
use uuid::Uuid;

use linli_domain::accounts::{
    AccountChanges, AccountId, CodePurpose, CodeRecord, CreateAccountError, InvitationRecord, Invitations, NewAccount,
    PhoneNumber, VerificationCodes,
};
use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;

use super::Store;
use super::accounts::{create_error, new_row};
use crate::db::DbContext;
use crate::entities::{account, invitation, refresh_token, session, verification_code};

impl AccountChanges for Store {
    async fn set_password(&self, account: AccountId, hash: String) -> Result<(), Unexpected> {
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(hash))
            .filter(account::Column::Id.eq(account.0))
            .exec(&self.db)
            .await
            .context("setting a password")?;
        Ok(())
    }

    async fn set_disabled(
        &self,
        account: AccountId,
        disabled_at: Option<DateTime<Utc>>,
        audit: AuditEntry,
    ) -> Result<bool, Unexpected> {
        let txn = self.begin("disabling an account").await?;
        let done = account::Entity::update_many()
            .col_expr(account::Column::DisabledAt, Expr::value(disabled_at))
            .filter(account::Column::Id.eq(account.0))
            .exec(&txn)
            .await
            .context("disabling an account")?;
        if done.rows_affected != 1 {
            return Ok(false);
        }
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context("disabling an account")?;
        Ok(true)
    }
}

impl VerificationCodes for Store {
    async fn put_code(
        &self,
        phone: &PhoneNumber,
        purpose: CodePurpose,
        digest: Option<String>,
        sent_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        let txn = self.begin("storing a code").await?;
        verification_code::Entity::delete_many()
            .filter(verification_code::Column::Phone.eq(phone.as_ref()))
            .filter(verification_code::Column::Purpose.eq(purpose.as_str()))
            .exec(&txn)
            .await
            .context("replacing a code")?;
        let row = verification_code::ActiveModel {
            id: Set(Uuid::now_v7()),
            phone: Set(phone.as_ref().to_owned()),
            purpose: Set(purpose.as_str().to_owned()),
            digest: Set(digest),
            sent_at: Set(sent_at),
            expires_at: Set(expires_at),
            wrong_tries: Set(0),
            spent: Set(false),
        };
        verification_code::Entity::insert(row).exec_without_returning(&txn).await.context("storing a code")?;
        txn.commit().await.context("storing a code")
    }

    async fn code(&self, phone: &PhoneNumber, purpose: CodePurpose) -> Result<Option<CodeRecord>, Unexpected> {
        let row = verification_code::Entity::find()
            .filter(verification_code::Column::Phone.eq(phone.as_ref()))
            .filter(verification_code::Column::Purpose.eq(purpose.as_str()))
            .one(&self.db)
            .await
            .context("reading a code")?;
        Ok(row.map(|m| CodeRecord {
            id: m.id,
            digest: m.digest,
            sent_at: m.sent_at,
            expires_at: m.expires_at,
            wrong_tries: u32::try_from(m.wrong_tries).unwrap_or(u32::MAX),
            spent: m.spent,
        }))
    }

    async fn spend_code(&self, id: Uuid) -> Result<bool, Unexpected> {
        // Conditional, so that of two requests redeeming one code at once only one succeeds.
        let done = verification_code::Entity::update_many()
            .col_expr(verification_code::Column::Spent, Expr::value(true))
            .filter(verification_code::Column::Id.eq(id))
            .filter(verification_code::Column::Spent.eq(false))
            .exec(&self.db)
            .await
            .context("spending a code")?;
        Ok(done.rows_affected == 1)
    }

    async fn count_wrong_try(&self, id: Uuid) -> Result<(), Unexpected> {
        verification_code::Entity::update_many()
            .col_expr(verification_code::Column::WrongTries, Expr::col(verification_code::Column::WrongTries).add(1))
            .filter(verification_code::Column::Id.eq(id))
            .exec(&self.db)
            .await
            .context("counting a wrong code")?;
        Ok(())
    }
}

impl Invitations for Store {
    async fn invite(
        &self,
        new: NewAccount,
        digest: String,
        expires_at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<AccountId, CreateAccountError> {
        let txn = self.begin("inviting staff").await?;
        let (id, row) = new_row(new);
        account::Entity::insert(row)
            .exec_without_returning(&txn)
            .await
            .map_err(|e| create_error(e, "inviting staff"))?;
        let invitation = invitation::ActiveModel {
            token_hash: Set(digest),
            account_id: Set(id.0),
            invited_by: Set(audit.actor.0),
            created_at: Set(Utc::now()),
            expires_at: Set(expires_at),
            accepted_at: Set(None),
        };
        invitation::Entity::insert(invitation).exec_without_returning(&txn).await.context("storing an invitation")?;
        super::audit::append(&txn, &AuditEntry { object: format!("account:{}", id.0), ..audit }).await?;
        txn.commit().await.context("inviting staff")?;
        Ok(id)
    }

    async fn invitation(&self, digest: &str) -> Result<Option<InvitationRecord>, Unexpected> {
        let row =
            invitation::Entity::find_by_id(digest.to_owned()).one(&self.db).await.context("reading an invitation")?;
        Ok(row.map(|m| InvitationRecord {
            account: AccountId(m.account_id),
            expires_at: m.expires_at,
            accepted: m.accepted_at.is_some(),
        }))
    }

    async fn accept_invitation(
        &self,
        digest: &str,
        password_hash: String,
        now: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        let txn = self.begin("accepting an invitation").await?;
        let Some(row) = invitation::Entity::find_by_id(digest.to_owned())
            .filter(invitation::Column::AcceptedAt.is_null())
            .one(&txn)
            .await
            .context("reading an invitation")?
        else {
            return Ok(false);
        };
        let taken = invitation::Entity::update_many()
            .col_expr(invitation::Column::AcceptedAt, Expr::value(now))
            .filter(invitation::Column::TokenHash.eq(digest))
            .filter(invitation::Column::AcceptedAt.is_null())
            .exec(&txn)
            .await
            .context("accepting an invitation")?;
        if taken.rows_affected != 1 {
            return Ok(false);
        }
        account::Entity::update_many()
            .col_expr(account::Column::PasswordHash, Expr::value(password_hash))
            .filter(account::Column::Id.eq(row.account_id))
            .exec(&txn)
            .await
            .context("setting an invited password")?;
        txn.commit().await.context("accepting an invitation")?;
        Ok(true)
    }
}

/// What rotating a refresh token found.
pub enum Rotation {
    /// The token was live: it is spent, and a new access and refresh token of the family are stored.
    Rotated { account: AccountId },
    /// No such token, or it expired.
    Unknown,
    /// The token had been spent already: every session and refresh token of its family are gone now.
    Reused { account: AccountId },
}

/// The digests and lifetimes of a new access token and refresh token.
pub struct NewTokens {
    pub access: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh: String,
    pub refresh_expires_at: DateTime<Utc>,
}

impl Store {
    /// Stores a new access token and refresh token of `family`.
    pub async fn store_tokens(
        &self,
        account: AccountId,
        family: Uuid,
        tokens: &NewTokens,
        now: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        let txn = self.begin("starting a session").await?;
        insert_tokens(&txn, account, family, tokens, now).await?;
        txn.commit().await.context("starting a session")
    }

    /// Spends a refresh token and stores its successors, or, for a token spent before, ends its family.
    pub async fn rotate_refresh(
        &self,
        refresh_digest: &str,
        tokens: &NewTokens,
        now: DateTime<Utc>,
    ) -> Result<Rotation, Unexpected> {
        let txn = self.begin("refreshing a session").await?;
        let Some(row) = refresh_token::Entity::find_by_id(refresh_digest.to_owned())
            .one(&txn)
            .await
            .context("reading a refresh token")?
        else {
            return Ok(Rotation::Unknown);
        };
        let account = AccountId(row.account_id);
        let disabled = account::Entity::find_by_id(row.account_id)
            .filter(account::Column::DisabledAt.is_null())
            .one(&txn)
            .await
            .context("reading a refreshing account")?
            .is_none();
        if disabled || row.expires_at <= now {
            return Ok(Rotation::Unknown);
        }
        // Conditional, so that of two refreshes with one token at once, one wins and the other is a reuse.
        let spent = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::TokenHash.eq(refresh_digest))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(&txn)
            .await
            .context("spending a refresh token")?;
        if spent.rows_affected != 1 {
            end_family(&txn, row.family_id).await?;
            txn.commit().await.context("ending a session family")?;
            return Ok(Rotation::Reused { account });
        }
        insert_tokens(&txn, account, row.family_id, tokens, now).await?;
        txn.commit().await.context("refreshing a session")?;
        Ok(Rotation::Rotated { account })
    }

    /// Ends every session and refresh token of the account, except those of the family `keep`'s session
    /// belongs to.
    pub async fn end_sessions(&self, account: AccountId, keep: Option<&str>) -> Result<(), Unexpected> {
        let txn = self.begin("ending sessions").await?;
        let kept_family = match keep {
            Some(digest) => session::Entity::find_by_id(digest.to_owned())
                .one(&txn)
                .await
                .context("reading the session kept")?
                .and_then(|s| s.family_id),
            None => None,
        };
        let mut sessions = session::Entity::delete_many().filter(session::Column::AccountId.eq(account.0));
        let mut refresh = refresh_token::Entity::delete_many().filter(refresh_token::Column::AccountId.eq(account.0));
        if let Some(digest) = keep {
            sessions = sessions.filter(session::Column::TokenHash.ne(digest));
        }
        if let Some(family) = kept_family {
            sessions = sessions.filter(session::Column::FamilyId.ne(family).or(session::Column::FamilyId.is_null()));
            refresh = refresh.filter(refresh_token::Column::FamilyId.ne(family));
        }
        sessions.exec(&txn).await.context("ending sessions")?;
        refresh.exec(&txn).await.context("ending refresh tokens")?;
        txn.commit().await.context("ending sessions")
    }

    /// Ends an access token and, when it began one, its whole family: logging out also ends the refresh
    /// token that could renew it. Returns whose session it was.
    pub async fn end_session_and_family(&self, digest: &str) -> Result<Option<AccountId>, Unexpected> {
        let txn = self.begin("logging out").await?;
        let session = session::Entity::find_by_id(digest.to_owned()).one(&txn).await.context("reading a session")?;
        session::Entity::delete_by_id(digest.to_owned()).exec(&txn).await.context("ending a session")?;
        if let Some(family) = session.as_ref().and_then(|s| s.family_id) {
            end_family(&txn, family).await?;
        }
        txn.commit().await.context("logging out")?;
        Ok(session.map(|s| AccountId(s.account_id)))
    }
}

async fn insert_tokens(
    txn: &sea_orm::DatabaseTransaction,
    account: AccountId,
    family: Uuid,
    tokens: &NewTokens,
    now: DateTime<Utc>,
) -> Result<(), Unexpected> {
    let access = session::ActiveModel {
        token_hash: Set(tokens.access.clone()),
        account_id: Set(account.0),
        created_at: Set(now),
        expires_at: Set(tokens.access_expires_at),
        family_id: Set(Some(family)),
    };
    session::Entity::insert(access).exec_without_returning(txn).await.context("storing an access token")?;
    let refresh = refresh_token::ActiveModel {
        token_hash: Set(tokens.refresh.clone()),
        family_id: Set(family),
        account_id: Set(account.0),
        created_at: Set(now),
        expires_at: Set(tokens.refresh_expires_at),
        used_at: Set(None),
    };
    refresh_token::Entity::insert(refresh).exec_without_returning(txn).await.context("storing a refresh token")?;
    Ok(())
}

async fn end_family(txn: &sea_orm::DatabaseTransaction, family: Uuid) -> Result<(), Unexpected> {
    session::Entity::delete_many()
        .filter(session::Column::FamilyId.eq(family))
        .exec(txn)
        .await
        .context("ending a family's sessions")?;
    refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::FamilyId.eq(family))
        .exec(txn)
        .await
        .context("ending a family's refresh tokens")?;
    Ok(())
}
