//! In-memory stand-ins for the account, provider and map ports and for the session keeper, for unit tests of
//! the account and provider use cases. They hold what a test puts in and record each write.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    AccountChanges, AccountId, AccountRecord, Accounts, CodePurpose, CodeRecord, CreateAccountError, InvitationRecord,
    Invitations, LoginError, NewAccount, NewPassword, PersonalData, PhoneNumber, RefreshError, Role, Session,
    SessionKeeper, StreetScope, VerificationCodes,
};
use crate::audit::AuditEntry;
use crate::catalog::ItemId;
use crate::error::Unexpected;
use crate::geo::{Community, CommunityId, District, DistrictId, GeoPoint, Geography, Street, StreetId};
use crate::notifications::{SendError, SmsGateway};
use crate::providers::{
    CreateProviderError, NewProvider, ProviderId, ProviderKind, ProviderRecord, ProviderSummary, Providers,
};

#[derive(Default)]
pub struct Held {
    pub accounts: Vec<AccountRecord>,
    pub providers: Vec<ProviderRecord>,
    pub communities: Vec<CommunityId>,
    pub codes: Vec<(String, CodePurpose, CodeRecord)>,
    /// Invitations by digest.
    pub invitations: Vec<(String, InvitationRecord)>,
    pub disabled: Vec<AccountId>,
    /// How each provider takes orders.
    pub availabilities: Vec<crate::providers::Availability>,
    /// What each provider offers and where.
    pub profiles: Vec<crate::providers::Profile>,
    /// Residents' records, by account.
    pub records: Vec<(AccountId, super::RecordDetails)>,
    /// Every audit entry written with a change, in order.
    pub audits: Vec<AuditEntry>,
    /// Every write asked of the fake, by port method, in order.
    pub writes: Vec<&'static str>,
}

/// The fake store of accounts, providers and the map; clones share what they hold.
#[derive(Clone, Default)]
pub struct FakeDirectory(Arc<Mutex<Held>>);

impl FakeDirectory {
    pub fn held(&self) -> MutexGuard<'_, Held> {
        self.0.lock().expect("a test panicked while holding the fake")
    }

    pub fn writes(&self) -> Vec<&'static str> {
        self.held().writes.clone()
    }

    pub fn with_community(self, id: CommunityId) -> Self {
        self.held().communities.push(id);
        self
    }
}

fn centre() -> GeoPoint {
    GeoPoint::parse(41.8, 123.4).expect("a point in Shenyang")
}

impl Accounts for FakeDirectory {
    async fn create_account(
        &self,
        new: NewAccount,
        audit: Option<AuditEntry>,
    ) -> Result<AccountId, CreateAccountError> {
        let mut held = self.held();
        held.writes.push("create_account");
        held.audits.extend(audit);
        let id = AccountId(Uuid::now_v7());
        // Every community the fake knows lies on street 1.
        let street = new.street.map(|street| StreetScope { street, communities: held.communities.clone() });
        held.accounts.push(AccountRecord {
            id,
            username: new.username.as_ref().to_owned(),
            display_name: new.display_name,
            phone: new.phone.map(|p| p.as_ref().to_owned()),
            role: new.role,
            provider: new.provider,
            community: new.community,
            street,
            password_hash: new.password_hash,
            manager: new.manager,
            disabled: false,
            language: None,
        });
        Ok(id)
    }

    async fn set_language(&self, id: AccountId, lang: crate::words::Lang) -> Result<(), Unexpected> {
        let mut held = self.held();
        held.writes.push("set_language");
        held.accounts.iter_mut().filter(|a| a.id == id).for_each(|a| a.language = Some(lang));
        Ok(())
    }

    async fn account_by_login(&self, login: &str) -> Result<Option<AccountRecord>, Unexpected> {
        let held = self.held();
        Ok(held.accounts.iter().find(|a| a.username == login || a.phone.as_deref() == Some(login)).cloned())
    }

    async fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, Unexpected> {
        Ok(self.held().accounts.iter().find(|a| a.id == id).cloned())
    }

    async fn list_accounts(
        &self,
        role: Option<Role>,
        text: Option<&str>,
        after: Option<AccountId>,
        limit: u64,
    ) -> Result<Vec<AccountRecord>, Unexpected> {
        let mut rows: Vec<AccountRecord> = self
            .held()
            .accounts
            .iter()
            .filter(|a| role.is_none_or(|r| a.role == r))
            .filter(|a| text.is_none_or(|t| a.username.contains(t) || a.display_name.contains(t)))
            .filter(|a| after.is_none_or(|after| a.id.0 > after.0))
            .cloned()
            .collect();
        rows.sort_by_key(|a| a.id.0);
        rows.truncate(limit as usize);
        Ok(rows)
    }
}

impl super::AccountKeeping for FakeDirectory {
    async fn set_details(
        &self,
        account: AccountId,
        details: &super::AccountDetails,
        audit: AuditEntry,
    ) -> Result<(), CreateAccountError> {
        let mut held = self.held();
        held.writes.push("set_details");
        let phone = details.phone.as_ref().map(|p| p.as_ref().to_owned());
        if phone.is_some() && held.accounts.iter().any(|a| a.id != account && a.phone == phone) {
            return Err(CreateAccountError::Taken("phone"));
        }
        let communities = held.communities.clone();
        let a = held.accounts.iter_mut().find(|a| a.id == account).ok_or(CreateAccountError::UnknownReference)?;
        a.display_name = details.display_name.clone();
        a.phone = phone;
        a.community = details.community;
        a.street = details.street.map(|street| StreetScope { street, communities });
        a.manager = details.manager;
        held.audits.push(audit);
        Ok(())
    }

    async fn staff_of(&self, provider: ProviderId) -> Result<Vec<AccountRecord>, Unexpected> {
        let held = self.held();
        Ok(held
            .accounts
            .iter()
            .filter(|a| a.provider == Some(provider) && a.role == Role::ProviderStaff)
            .cloned()
            .collect())
    }
}

impl super::ResidentRecords for FakeDirectory {
    async fn find_residents(
        &self,
        query: &super::ResidentQuery,
        limit: u64,
    ) -> Result<Vec<super::ResidentRecord>, Unexpected> {
        let ids: Vec<AccountId> = self.held().accounts.iter().map(|a| a.id).collect();
        let mut found = Vec::new();
        for id in ids {
            if let Some(r) = self.resident(id).await? {
                let hit = match query {
                    super::ResidentQuery::Mobile(p) => r.phone.as_ref() == Some(p),
                    super::ResidentQuery::Landline(l) => r.landline.as_ref() == Some(l),
                    super::ResidentQuery::Name(n) => r.name.contains(n.as_str()),
                };
                found.extend(hit.then_some(r));
            }
        }
        found.truncate(limit as usize);
        Ok(found)
    }

    async fn resident(&self, id: AccountId) -> Result<Option<super::ResidentRecord>, Unexpected> {
        let held = self.held();
        let Some(a) = held.accounts.iter().find(|a| a.id == id && a.role == Role::Resident) else {
            return Ok(None);
        };
        let record = held.records.iter().find(|(r, _)| *r == id).map(|(_, d)| d.clone());
        Ok(Some(super::ResidentRecord {
            id,
            name: a.display_name.clone(),
            phone: a.phone.as_deref().map(PhoneNumber::parse).transpose().expect("stored numbers parse"),
            landline: record.as_ref().and_then(|d| d.landline.clone()),
            community: record.as_ref().map(|d| d.community).or(a.community),
            address: record.and_then(|d| d.address),
            signs_in: !a.password_hash.is_empty(),
        }))
    }

    async fn file_resident(
        &self,
        account: NewAccount,
        record: super::RecordDetails,
        _at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<AccountId, CreateAccountError> {
        let id = self.create_account(account, Some(audit)).await?;
        let mut held = self.held();
        held.writes.push("file_resident");
        held.records.push((id, record));
        Ok(id)
    }
}

impl crate::providers::Availabilities for FakeDirectory {
    async fn availability(&self, id: ProviderId) -> Result<Option<crate::providers::Availability>, Unexpected> {
        Ok(self.held().availabilities.iter().find(|a| a.provider == id).cloned())
    }

    async fn set_availability(
        &self,
        next: &crate::providers::Availability,
        audit: AuditEntry,
    ) -> Result<(), Unexpected> {
        let mut held = self.held();
        held.writes.push("set_availability");
        held.audits.push(audit);
        held.availabilities.retain(|a| a.provider != next.provider);
        held.availabilities.push(next.clone());
        Ok(())
    }
}

impl crate::providers::Profiles for FakeDirectory {
    async fn profile(&self, id: ProviderId) -> Result<Option<crate::providers::Profile>, Unexpected> {
        Ok(self.held().profiles.iter().find(|p| p.provider == id).cloned())
    }

    async fn set_profile(
        &self,
        _before: &crate::providers::Profile,
        next: &crate::providers::Profile,
        audit: AuditEntry,
    ) -> Result<(), CreateProviderError> {
        let mut held = self.held();
        held.writes.push("set_profile");
        if let Some(c) = next.coverage.iter().chain([&next.community]).find(|c| !held.communities.contains(c)) {
            return Err(CreateProviderError::UnknownCommunity(*c));
        }
        held.audits.push(audit);
        held.profiles.retain(|p| p.provider != next.provider);
        held.profiles.push(next.clone());
        Ok(())
    }
}

impl AccountChanges for FakeDirectory {
    async fn set_password(&self, account: AccountId, hash: String) -> Result<(), Unexpected> {
        let mut held = self.held();
        held.writes.push("set_password");
        if let Some(a) = held.accounts.iter_mut().find(|a| a.id == account) {
            a.password_hash = hash;
        }
        Ok(())
    }

    async fn set_disabled(
        &self,
        account: AccountId,
        disabled_at: Option<DateTime<Utc>>,
        audit: AuditEntry,
    ) -> Result<bool, Unexpected> {
        let mut held = self.held();
        held.writes.push("set_disabled");
        if !held.accounts.iter().any(|a| a.id == account) {
            return Ok(false);
        }
        held.audits.push(audit);
        held.disabled.retain(|a| *a != account);
        if disabled_at.is_some() {
            held.disabled.push(account);
        }
        Ok(true)
    }
}

impl PersonalData for FakeDirectory {
    async fn personal_data(&self, account: AccountId) -> Result<serde_json::Value, Unexpected> {
        let held = self.held();
        let a = held.accounts.iter().find(|a| a.id == account);
        Ok(
            serde_json::json!({ "account": a.map(|a| serde_json::json!({ "display_name": a.display_name, "phone": a.phone })) }),
        )
    }

    async fn erase_account(&self, account: AccountId, _now: DateTime<Utc>) -> Result<(), Unexpected> {
        let mut held = self.held();
        held.writes.push("erase_account");
        if let Some(a) = held.accounts.iter_mut().find(|a| a.id == account) {
            a.display_name = super::ERASED_NAME.to_owned();
            a.phone = None;
            a.password_hash = String::new();
        }
        Ok(())
    }
}

impl VerificationCodes for FakeDirectory {
    async fn put_code(
        &self,
        phone: &PhoneNumber,
        purpose: CodePurpose,
        digest: Option<String>,
        sent_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        let mut held = self.held();
        held.writes.push("put_code");
        held.codes.retain(|(p, q, _)| !(p == phone.as_ref() && *q == purpose));
        let record = CodeRecord { id: Uuid::now_v7(), digest, sent_at, expires_at, wrong_tries: 0, spent: false };
        held.codes.push((phone.as_ref().to_owned(), purpose, record));
        Ok(())
    }

    async fn code(&self, phone: &PhoneNumber, purpose: CodePurpose) -> Result<Option<CodeRecord>, Unexpected> {
        let held = self.held();
        Ok(held.codes.iter().find(|(p, q, _)| p == phone.as_ref() && *q == purpose).map(|(_, _, c)| c.clone()))
    }

    async fn spend_code(&self, id: Uuid) -> Result<bool, Unexpected> {
        let mut held = self.held();
        let code = held.codes.iter_mut().map(|(_, _, c)| c).find(|c| c.id == id && !c.spent);
        Ok(code.map(|c| c.spent = true).is_some())
    }

    async fn count_wrong_try(&self, id: Uuid) -> Result<(), Unexpected> {
        let mut held = self.held();
        if let Some(c) = held.codes.iter_mut().map(|(_, _, c)| c).find(|c| c.id == id) {
            c.wrong_tries += 1;
        }
        Ok(())
    }
}

impl Invitations for FakeDirectory {
    async fn invite(
        &self,
        new: NewAccount,
        digest: String,
        expires_at: DateTime<Utc>,
        audit: AuditEntry,
    ) -> Result<AccountId, CreateAccountError> {
        let account = self.create_account(new, Some(audit)).await?;
        self.held().invitations.push((digest, InvitationRecord { account, expires_at, accepted: false }));
        Ok(account)
    }

    async fn invitation(&self, digest: &str) -> Result<Option<InvitationRecord>, Unexpected> {
        Ok(self.held().invitations.iter().find(|(d, _)| d == digest).map(|(_, i)| i.clone()))
    }

    async fn accept_invitation(
        &self,
        digest: &str,
        password_hash: String,
        _now: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        let mut held = self.held();
        let Some(invitation) = held.invitations.iter_mut().find(|(d, i)| d == digest && !i.accepted) else {
            return Ok(false);
        };
        invitation.1.accepted = true;
        let account = invitation.1.account;
        if let Some(a) = held.accounts.iter_mut().find(|a| a.id == account) {
            a.password_hash = password_hash;
        }
        Ok(true)
    }
}

impl Providers for FakeDirectory {
    async fn offer_figures(
        &self,
        _id: ProviderId,
        _since: DateTime<Utc>,
    ) -> Result<crate::providers::OfferFigures, Unexpected> {
        // The directory's fake holds no offers.
        Ok(Default::default())
    }

    async fn create_provider(&self, new: NewProvider, audit: AuditEntry) -> Result<ProviderId, CreateProviderError> {
        let mut held = self.held();
        held.writes.push("create_provider");
        held.audits.push(audit);
        if let Some(c) = new.coverage.iter().chain([&new.community]).find(|c| !held.communities.contains(c)) {
            return Err(CreateProviderError::UnknownCommunity(*c));
        }
        let id = ProviderId(Uuid::now_v7());
        held.providers.push(ProviderRecord {
            id,
            kind: new.kind,
            name: new.name,
            credit_code: new.credit_code.map(|c| c.as_ref().to_owned()),
            community: new.community,
            location: new.location,
            rating: crate::providers::PRIOR_MEAN,
            rating_count: 0,
            capacity: new.capacity,
            active: true,
            demo: false,
            items: new.items,
            coverage: new.coverage,
            figures: Default::default(),
        });
        Ok(id)
    }

    async fn provider(&self, id: ProviderId) -> Result<Option<ProviderRecord>, Unexpected> {
        Ok(self.held().providers.iter().find(|p| p.id == id).cloned())
    }

    async fn list_providers(
        &self,
        item: Option<ItemId>,
        members: bool,
        text: Option<&str>,
        after: Option<ProviderId>,
        limit: u64,
    ) -> Result<Vec<ProviderSummary>, Unexpected> {
        let mut rows: Vec<ProviderSummary> = self
            .held()
            .providers
            .iter()
            .filter(|p| item.is_none_or(|i| p.items.contains(&i)))
            .filter(|p| members || p.kind != ProviderKind::PartyMember)
            .filter(|p| text.is_none_or(|t| p.name.contains(t)))
            .filter(|p| after.is_none_or(|after| p.id > after))
            .map(|p| ProviderSummary {
                id: p.id,
                kind: p.kind,
                name: p.name.clone(),
                community: p.community,
                location: p.location,
                capacity: p.capacity,
                active: p.active,
                rating: p.rating,
                rating_count: p.rating_count,
            })
            .collect();
        rows.sort_by_key(|p| p.id);
        rows.truncate(limit as usize);
        Ok(rows)
    }
}

impl Geography for FakeDirectory {
    async fn districts(&self) -> Result<Vec<District>, Unexpected> {
        Ok(Vec::new())
    }

    async fn district(&self, _id: DistrictId) -> Result<Option<District>, Unexpected> {
        Ok(None)
    }

    async fn streets_of(&self, _id: DistrictId) -> Result<Vec<Street>, Unexpected> {
        Ok(Vec::new())
    }

    /// Street 1, which every community the fake knows lies on.
    async fn street(&self, id: StreetId) -> Result<Option<Street>, Unexpected> {
        let known = id == StreetId(1) && !self.held().communities.is_empty();
        Ok(known.then(|| Street { id, district: DistrictId(1), name: "文安路街道".into(), center: centre() }))
    }

    async fn communities_of(&self, _id: StreetId) -> Result<Vec<Community>, Unexpected> {
        Ok(Vec::new())
    }

    async fn community(&self, id: CommunityId) -> Result<Option<Community>, Unexpected> {
        let known = self.held().communities.contains(&id);
        Ok(known.then(|| Community { id, street: StreetId(1), name: "文安路社区".into(), center: centre() }))
    }
}

impl crate::geo::MapUpkeep for FakeDirectory {
    async fn add_street(&self, _street: &Street, audit: AuditEntry) -> Result<StreetId, Unexpected> {
        let mut held = self.held();
        held.writes.push("add_street");
        held.audits.push(audit);
        Ok(StreetId(2))
    }

    async fn save_street(&self, _street: &Street, audit: AuditEntry) -> Result<(), Unexpected> {
        let mut held = self.held();
        held.writes.push("save_street");
        held.audits.push(audit);
        Ok(())
    }

    async fn add_community(&self, _community: &Community, audit: AuditEntry) -> Result<CommunityId, Unexpected> {
        let mut held = self.held();
        held.writes.push("add_community");
        held.audits.push(audit);
        let id = CommunityId(held.communities.iter().map(|c| c.0).max().unwrap_or(0) + 1);
        held.communities.push(id);
        Ok(id)
    }

    async fn save_community(&self, _community: &Community, audit: AuditEntry) -> Result<(), Unexpected> {
        let mut held = self.held();
        held.writes.push("save_community");
        held.audits.push(audit);
        Ok(())
    }
}

/// What the fake session keeper was asked to do.
#[derive(Default)]
pub struct SessionsHeld {
    /// `(account, kept token)` for each call to end sessions.
    pub ended: Vec<(AccountId, Option<String>)>,
    pub opened: Vec<AccountId>,
    pub codes_drawn: usize,
    /// Accounts whose remembered sessions were told to read them again.
    pub changed: Vec<AccountId>,
}

/// A session keeper that hashes nothing: it marks a password with its length so a test sees that it was
/// hashed, and its codes are `123456`, then `123457`, and so on.
#[derive(Clone, Default)]
pub struct FakeSessions(Arc<Mutex<SessionsHeld>>);

impl FakeSessions {
    pub fn held(&self) -> MutexGuard<'_, SessionsHeld> {
        self.0.lock().expect("a test panicked while holding the fake")
    }

    fn session(&self, account: &AccountRecord, now: DateTime<Utc>) -> Session {
        let mut held = self.held();
        held.opened.push(account.id);
        let n = held.opened.len();
        Session {
            token: format!("access-{n}"),
            expires_at: now + chrono::Duration::minutes(15),
            refresh_token: format!("refresh-{n}"),
            refresh_expires_at: now + chrono::Duration::days(3),
            account: account.clone(),
        }
    }
}

impl SessionKeeper for FakeSessions {
    fn account_changed(&self, account: AccountId) {
        self.held().changed.push(account);
    }

    async fn login(&self, _login: &str, _password: &str, _now: DateTime<Utc>) -> Result<Session, LoginError> {
        Err(LoginError::BadCredentials)
    }

    async fn open(&self, account: &AccountRecord, now: DateTime<Utc>) -> Result<Session, Unexpected> {
        Ok(self.session(account, now))
    }

    async fn refresh(&self, _refresh_token: &str, _now: DateTime<Utc>) -> Result<Session, RefreshError> {
        Err(RefreshError::Unknown)
    }

    async fn logout(&self, _token: &str) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn end_sessions(&self, account: AccountId, keep: Option<&str>) -> Result<(), Unexpected> {
        self.held().ended.push((account, keep.map(str::to_owned)));
        Ok(())
    }

    async fn resolve(&self, _token: &str, _now: DateTime<Utc>) -> Result<Option<AccountRecord>, Unexpected> {
        Ok(None)
    }

    async fn hash_password(&self, password: NewPassword) -> Result<String, Unexpected> {
        Ok(format!("hashed:{}", password.expose().len()))
    }

    async fn verify_password(&self, hash: &str, candidate: &str) -> Result<bool, Unexpected> {
        Ok(hash == format!("hashed:{}", candidate.len()))
    }

    fn draw_code(&self) -> Result<(String, String), Unexpected> {
        let mut held = self.held();
        let code = format!("{}", 123_456 + held.codes_drawn);
        held.codes_drawn += 1;
        Ok((code.clone(), format!("digest:{code}")))
    }

    fn code_matches(&self, digest: &str, typed: &str) -> bool {
        digest == format!("digest:{typed}")
    }

    fn draw_token(&self) -> Result<(String, String), Unexpected> {
        Ok(("invitation-token".into(), self.token_digest("invitation-token")))
    }

    fn token_digest(&self, token: &str) -> String {
        format!("digest:{token}")
    }
}

/// An SMS gateway that keeps every text; clones share them.
#[derive(Clone, Default)]
pub struct FakeTexts(Arc<Mutex<Vec<(String, String)>>>);

impl FakeTexts {
    /// `(number, text)` of every text sent, in order.
    pub fn sent(&self) -> Vec<(String, String)> {
        self.0.lock().expect("a test panicked while holding the fake").clone()
    }
}

impl SmsGateway for FakeTexts {
    async fn send(&self, to: &PhoneNumber, text: &str) -> Result<(), SendError> {
        self.0.lock().expect("a test panicked while holding the fake").push((to.as_ref().to_owned(), text.to_owned()));
        Ok(())
    }
}
