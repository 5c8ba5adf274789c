//! Accounts and their access sessions. Tokens are stored only as their SHA-256 digest, so a copy of the
//! database does not hold usable credentials.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};
use uuid::Uuid;

use linli_domain::accounts::{
    AccountDetails, AccountId, AccountKeeping, AccountRecord, Accounts, CreateAccountError, NewAccount, PhoneNumber,
    Role, StreetScope,
};
use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;
use linli_domain::geo::{CommunityId, StreetId};
use linli_domain::providers::ProviderId;
use linli_domain::words::Lang;

use super::{Store, convert};
use crate::db::{DbContext, db_err};
use crate::entities::{account, community, session};

impl Accounts for Store {
    /// Inserts the account, and its audit entry in the same transaction; a username or phone number already
    /// in use is `Taken`.
    async fn create_account(
        &self,
        new: NewAccount,
        audit: Option<AuditEntry>,
    ) -> Result<AccountId, CreateAccountError> {
        let txn = self.begin("creating an account").await?;
        let (id, row) = new_row(new);
        account::Entity::insert(row)
            .exec_without_returning(&txn)
            .await
            .map_err(|e| create_error(e, "creating an account"))?;
        if let Some(audit) = audit {
            super::audit::append(&txn, &AuditEntry { object: format!("account:{}", id.0), ..audit }).await?;
        }
        txn.commit().await.context("creating an account")?;
        Ok(id)
    }

    /// The account whose username or phone number is `login`.
    async fn account_by_login(&self, login: &str) -> Result<Option<AccountRecord>, Unexpected> {
        let login = login.trim();
        let mut any = Condition::any().add(account::Column::Username.eq(login.to_ascii_lowercase()));
        if let Ok(phone) = PhoneNumber::parse(login) {
            any = any.add(account::Column::Phone.eq(phone.as_ref()));
        }
        let row = account::Entity::find().filter(any).one(&self.db).await.context("looking up a login")?;
        self.account_record(row).await
    }

    async fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, Unexpected> {
        let row = account::Entity::find_by_id(id.0).one(&self.db).await.context("reading an account")?;
        self.account_record(row).await
    }

    async fn set_language(&self, id: AccountId, lang: Lang) -> Result<(), Unexpected> {
        account::Entity::update_many()
            .col_expr(account::Column::Language, sea_orm::sea_query::Expr::value(lang.as_str()))
            .filter(account::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .context("recording an account's language")?;
        Ok(())
    }

    async fn list_accounts(
        &self,
        role: Option<Role>,
        text: Option<&str>,
        after: Option<AccountId>,
        limit: u64,
    ) -> Result<Vec<AccountRecord>, Unexpected> {
        let mut find = account::Entity::find().order_by_asc(account::Column::Id).limit(limit);
        if let Some(role) = role {
            find = find.filter(account::Column::Role.eq(role.as_str()));
        }
        if let Some(text) = text {
            find = find.filter(
                Condition::any()
                    .add(convert::containing(account::Column::Username, text))
                    .add(convert::containing(account::Column::DisplayName, text))
                    .add(convert::containing(account::Column::Phone, text)),
            );
        }
        if let Some(after) = after {
            find = find.filter(account::Column::Id.gt(after.0));
        }
        let rows = find.all(&self.db).await.context("listing accounts")?;
        self.account_records(rows).await
    }
}

impl AccountKeeping for Store {
    async fn set_details(
        &self,
        id: AccountId,
        details: &AccountDetails,
        audit: AuditEntry,
    ) -> Result<(), CreateAccountError> {
        let what = "correcting an account";
        let txn = self.begin(what).await?;
        let changed = account::Entity::update_many()
            .col_expr(account::Column::DisplayName, Expr::value(details.display_name.clone()))
            .col_expr(account::Column::Phone, Expr::value(details.phone.as_ref().map(|p| p.as_ref().to_owned())))
            .col_expr(account::Column::CommunityId, Expr::value(details.community.map(|c| c.0)))
            .col_expr(account::Column::StreetId, Expr::value(details.street.map(|s| s.0)))
            .col_expr(account::Column::Manager, Expr::value(details.manager))
            .filter(account::Column::Id.eq(id.0))
            .exec(&txn)
            .await
            .map_err(|e| match create_error(e, what) {
                // The only unique value that can change here is the number.
                CreateAccountError::Taken(_) => CreateAccountError::Taken("phone"),
                other => other,
            })?;
        if changed.rows_affected == 0 {
            return Err(CreateAccountError::UnknownReference);
        }
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)?;
        Ok(())
    }

    async fn staff_of(&self, provider: ProviderId) -> Result<Vec<AccountRecord>, Unexpected> {
        let rows = account::Entity::find()
            .filter(account::Column::ProviderId.eq(provider.0))
            .filter(account::Column::Role.eq(Role::ProviderStaff.as_str()))
            .filter(account::Column::ErasedAt.is_null())
            .order_by_desc(account::Column::Manager)
            .order_by_asc(account::Column::DisplayName)
            .all(&self.db)
            .await
            .context("listing an organization's staff")?;
        self.account_records(rows).await
    }
}

impl Store {
    /// The account holding an unexpired session with this token digest, unless it is disabled.
    pub async fn account_by_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountRecord>, Unexpected> {
        // One statement per authenticated request: the account behind the session, found through a subquery.
        let session = sea_orm::sea_query::Query::select()
            .column(session::Column::AccountId)
            .from(session::Entity)
            .and_where(session::Column::TokenHash.eq(token_hash))
            .and_where(session::Column::ExpiresAt.gt(now))
            .to_owned();
        let row = account::Entity::find()
            .filter(account::Column::Id.in_subquery(session))
            .filter(account::Column::DisabledAt.is_null())
            .one(&self.db)
            .await
            .context("checking a session")?;
        self.account_record(row).await
    }

    /// The accounts of `rows`, a street worker's with the communities of their street: one more read, made
    /// only when a row names a street.
    pub(super) async fn account_records(&self, rows: Vec<account::Model>) -> Result<Vec<AccountRecord>, Unexpected> {
        let streets: Vec<i32> = rows.iter().filter_map(|r| r.street_id).collect();
        let mut of_street: HashMap<i32, Vec<CommunityId>> = HashMap::new();
        if !streets.is_empty() {
            let communities = community::Entity::find()
                .filter(community::Column::StreetId.is_in(streets))
                .order_by_asc(community::Column::Id)
                .all(&self.db)
                .await
                .context("reading a street's communities")?;
            for c in communities {
                of_street.entry(c.street_id).or_default().push(CommunityId(c.id));
            }
        }
        rows.into_iter()
            .map(|m| {
                let street = m.street_id.map(|s| StreetScope {
                    street: StreetId(s),
                    communities: of_street.get(&s).cloned().unwrap_or_default(),
                });
                record(m, street)
            })
            .collect()
    }

    async fn account_record(&self, row: Option<account::Model>) -> Result<Option<AccountRecord>, Unexpected> {
        Ok(self.account_records(row.into_iter().collect()).await?.pop())
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), Unexpected> {
        session::Entity::delete_by_id(token_hash.to_owned()).exec(&self.db).await.context("ending a session")?;
        Ok(())
    }
}

/// The row of a new account, with its id.
pub(super) fn new_row(new: NewAccount) -> (AccountId, account::ActiveModel) {
    let id = Uuid::now_v7();
    let row = account::ActiveModel {
        id: Set(id),
        username: Set(new.username.as_ref().to_owned()),
        phone: Set(new.phone.as_ref().map(|p| p.as_ref().to_owned())),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        role: Set(new.role.as_str().to_owned()),
        provider_id: Set(new.provider.map(|p| p.0)),
        community_id: Set(new.community.map(|c| c.0)),
        street_id: Set(new.street.map(|s| s.0)),
        demo: Set(new.demo),
        created_at: Set(Utc::now()),
        manager: Set(new.manager),
        disabled_at: Set(None),
        erased_at: Set(None),
        language: Set(None),
    };
    (AccountId(id), row)
}

/// A failed account insert: a username or phone number in use is `Taken`, a missing provider or community
/// `UnknownReference`.
pub(super) fn create_error(err: sea_orm::DbErr, what: &'static str) -> CreateAccountError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => CreateAccountError::Taken("username"),
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => CreateAccountError::UnknownReference,
        _ => CreateAccountError::Unexpected(db_err(what)(err)),
    }
}

fn record(m: account::Model, street: Option<StreetScope>) -> Result<AccountRecord, Unexpected> {
    Ok(AccountRecord {
        id: AccountId(m.id),
        role: Role::parse(&m.role).ok_or_else(|| convert::corrupt("role", m.id, &m.role))?,
        provider: m.provider_id.map(ProviderId),
        community: m.community_id.map(CommunityId),
        street,
        username: m.username,
        display_name: m.display_name,
        phone: m.phone,
        password_hash: m.password_hash,
        manager: m.manager,
        disabled: m.disabled_at.is_some(),
        language: m.language.as_deref().and_then(Lang::parse),
    })
}
