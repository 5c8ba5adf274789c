//! Keeping accounts after they are made: admins correct an account's name, phone number, community or street,
//! and whether a member of staff manages; an organization's managers list its staff and disable or enable
//! them, as admins do any account.

use std::future::Future;

use serde_json::json;

use super::desk::{AccountDesk, AccountRecord, Accounts, CreateAccountError};
use super::identity::AccountChanges;
use super::{AccountId, Actor, PhoneNumber, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::geo::{CommunityId, Geography, StreetId};
use crate::providers::ProviderId;

/// An admin's correction, as typed: each part left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct AccountEdit {
    pub display_name: Option<String>,
    /// A mainland mobile number; empty to remove it.
    pub phone: Option<String>,
    /// A resident's home, or the community a worker looks after (a street worker becomes a community's).
    pub community_id: Option<CommunityId>,
    /// The street a worker looks after (a community's worker becomes the street's).
    pub street_id: Option<StreetId>,
    /// For provider staff: whether they manage the organization.
    pub manager: Option<bool>,
}

/// The parts of an account an admin corrects, as they are to be stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountDetails {
    pub display_name: String,
    pub phone: Option<PhoneNumber>,
    pub community: Option<CommunityId>,
    pub street: Option<StreetId>,
    pub manager: bool,
}

/// The store's side of keeping accounts.
pub trait AccountKeeping: Clone + Send + Sync + 'static {
    /// Writes the details with the audit entry; `Taken("phone")` when another account has the number, and
    /// `UnknownReference` when the account is gone.
    fn set_details(
        &self,
        account: AccountId,
        details: &AccountDetails,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<(), CreateAccountError>> + Send;

    /// The organization's staff, managers first, then by name.
    fn staff_of(&self, provider: ProviderId) -> impl Future<Output = Result<Vec<AccountRecord>, Unexpected>> + Send;
}

fn details_of(a: &AccountRecord) -> Result<AccountDetails, Unexpected> {
    let phone = a.phone.as_deref().map(PhoneNumber::parse).transpose().map_err(|e| Unexpected::new("an account", e))?;
    Ok(AccountDetails {
        display_name: a.display_name.clone(),
        phone,
        community: a.community,
        street: a.street.as_ref().map(|s| s.street),
        manager: a.manager,
    })
}

fn recorded(d: &AccountDetails) -> serde_json::Value {
    json!({
        "display_name": d.display_name,
        "phone": d.phone.as_ref().map(PhoneNumber::masked),
        "community_id": d.community.map(|c| c.0),
        "street_id": d.street.map(|s| s.0),
        "manager": d.manager,
    })
}

impl AccountEdit {
    /// `current` with the edit applied to an account of `role`, naming the field of the first value that
    /// breaks a rule.
    fn applied_to(self, mut next: AccountDetails, role: Role) -> Result<AccountDetails, Invalid> {
        if let Some(name) = self.display_name {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 50 {
                let rule = "a display name has 1 to 50 characters";
                return Err(Invalid::new("display_name", "invalid_display_name", rule));
            }
            next.display_name = name.to_owned();
        }
        if let Some(p) = self.phone {
            next.phone = match p.trim() {
                "" => None,
                p => Some(PhoneNumber::parse(p).map_err(|e| Invalid::new("phone", "invalid_phone", e))?),
            };
        }
        match (self.community_id, self.street_id) {
            (Some(_), Some(_)) => {
                let rule = "a worker looks after a community or a whole street, not both";
                return Err(Invalid::new("street_id", "community_and_street", rule));
            }
            (Some(c), None) if matches!(role, Role::Resident | Role::CommunityWorker) => {
                (next.community, next.street) = (Some(c), None);
            }
            (None, Some(s)) if role == Role::CommunityWorker => (next.community, next.street) = (None, Some(s)),
            (Some(_), None) => {
                let rule = "only residents and community workers belong to a community";
                return Err(Invalid::new("community_id", "not_for_role", rule));
            }
            (None, Some(_)) => {
                return Err(Invalid::new("street_id", "not_for_role", "only community workers look after a street"));
            }
            (None, None) => {}
        }
        if let Some(m) = self.manager {
            if role != Role::ProviderStaff {
                return Err(Invalid::new("manager", "not_for_role", "only provider staff manage an organization"));
            }
            next.manager = m;
        }
        Ok(next)
    }
}

impl<R, S, C, M> AccountDesk<R, S, C, M>
where
    R: Accounts + AccountChanges + AccountKeeping + Geography,
    S: super::SessionKeeper,
    C: Clock,
{
    /// An admin corrects an account; the person's sessions see the change at their next request.
    pub async fn change_account(
        &self,
        actor: &Actor,
        id: AccountId,
        edit: AccountEdit,
    ) -> Result<AccountRecord, CreateAccountError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins correct accounts").into());
        }
        let Some(current) = self.repo.account(id).await? else {
            return Err(CreateAccountError::UnknownReference);
        };
        let before = details_of(&current)?;
        let (community, street) = (edit.community_id, edit.street_id);
        let next = edit.applied_to(before.clone(), current.role)?;
        if let Some(c) = community
            && self.repo.community(c).await?.is_none()
        {
            return Err(Invalid::new("community_id", "unknown_community", "no community has that id").into());
        }
        if let Some(s) = street
            && self.repo.street(s).await?.is_none()
        {
            return Err(Invalid::new("street_id", "unknown_street", "no street has that id").into());
        }
        if next == before {
            return Ok(current);
        }
        let audit = AuditEntry::new(actor, self.clock.now(), "account.changed", format!("account:{}", id.0))
            .before(recorded(&before))
            .after(recorded(&next));
        self.repo.set_details(id, &next, audit).await?;
        self.sessions.account_changed(id);
        self.repo.account(id).await?.ok_or(CreateAccountError::UnknownReference)
    }

    /// The organization's staff, for admins and its managers; to anyone else it does not exist.
    pub async fn staff(&self, actor: &Actor, provider: ProviderId) -> Result<Vec<AccountRecord>, DeskError> {
        self.may_keep_staff(actor, provider).await?;
        Ok(self.repo.staff_of(provider).await?)
    }
}

impl<R: Accounts, S, C, M> AccountDesk<R, S, C, M> {
    /// Whether the actor keeps the organization's staff: an admin, or one of its managers.
    pub(super) async fn may_keep_staff(&self, actor: &Actor, provider: ProviderId) -> Result<(), DeskError> {
        if actor.role == Role::Admin {
            return Ok(());
        }
        require_manager(&self.repo, actor, provider, "only the organization's managers keep its staff").await
    }
}

/// Whether the actor, not an admin, is one of the provider's managers: refused with `why` when they are its
/// staff but do not manage it; to anyone else the provider does not exist.
pub(crate) async fn require_manager<R: Accounts>(
    repo: &R,
    actor: &Actor,
    provider: ProviderId,
    why: &'static str,
) -> Result<(), DeskError> {
    if actor.role != Role::ProviderStaff || actor.provider != Some(provider) {
        return Err(DeskError::NotFound("provider"));
    }
    if !repo.account(actor.account).await?.is_some_and(|a| a.manager) {
        return Err(Denied(why).into());
    }
    Ok(())
}

#[cfg(test)]
#[path = "keeping_tests.rs"]
mod tests;
