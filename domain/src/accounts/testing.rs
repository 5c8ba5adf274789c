//! In-memory stand-ins for the account, provider and map ports and for the session keeper, for unit tests of
//! the account and provider use cases. They hold what a test puts in and record each write.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    AccountId, AccountRecord, Accounts, CreateAccountError, LoginError, NewAccount, NewPassword, Session, SessionKeeper,
};
use crate::error::Unexpected;
use crate::geo::{Community, CommunityId, District, DistrictId, GeoPoint, Geography, Street, StreetId};
use crate::providers::{CreateProviderError, NewProvider, ProviderId, ProviderRecord, Providers};

#[derive(Default)]
pub struct Held {
    pub accounts: Vec<AccountRecord>,
    pub providers: Vec<ProviderRecord>,
    pub communities: Vec<CommunityId>,
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
    async fn create_account(&self, new: NewAccount) -> Result<AccountId, CreateAccountError> {
        let mut held = self.held();
        held.writes.push("create_account");
        let id = AccountId(Uuid::now_v7());
        held.accounts.push(AccountRecord {
            id,
            username: new.username.as_ref().to_owned(),
            display_name: new.display_name,
            phone: new.phone.map(|p| p.as_ref().to_owned()),
            role: new.role,
            provider: new.provider,
            community: new.community,
            password_hash: new.password_hash,
        });
        Ok(id)
    }

    async fn account_by_login(&self, login: &str) -> Result<Option<AccountRecord>, Unexpected> {
        let held = self.held();
        Ok(held.accounts.iter().find(|a| a.username == login || a.phone.as_deref() == Some(login)).cloned())
    }

    async fn account(&self, id: AccountId) -> Result<Option<AccountRecord>, Unexpected> {
        Ok(self.held().accounts.iter().find(|a| a.id == id).cloned())
    }
}

impl Providers for FakeDirectory {
    async fn create_provider(&self, new: NewProvider) -> Result<ProviderId, CreateProviderError> {
        let mut held = self.held();
        held.writes.push("create_provider");
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
            rating: 5.0,
            capacity: new.capacity,
            active: true,
            demo: false,
            items: new.items,
            coverage: new.coverage,
        });
        Ok(id)
    }

    async fn provider(&self, id: ProviderId) -> Result<Option<ProviderRecord>, Unexpected> {
        Ok(self.held().providers.iter().find(|p| p.id == id).cloned())
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

    async fn street(&self, _id: StreetId) -> Result<Option<Street>, Unexpected> {
        Ok(None)
    }

    async fn communities_of(&self, _id: StreetId) -> Result<Vec<Community>, Unexpected> {
        Ok(Vec::new())
    }

    async fn community(&self, id: CommunityId) -> Result<Option<Community>, Unexpected> {
        let known = self.held().communities.contains(&id);
        Ok(known.then(|| Community { id, street: StreetId(1), name: "文安路社区".into(), center: centre() }))
    }
}

/// A session keeper that hashes nothing: it marks the password so a test sees that it was hashed.
#[derive(Clone, Default)]
pub struct FakeSessions;

impl SessionKeeper for FakeSessions {
    async fn login(&self, _login: &str, _password: &str, _now: DateTime<Utc>) -> Result<Session, LoginError> {
        Err(LoginError::BadCredentials)
    }

    async fn logout(&self, _token: &str) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn resolve(&self, _token: &str, _now: DateTime<Utc>) -> Result<Option<AccountRecord>, Unexpected> {
        Ok(None)
    }

    async fn hash_password(&self, password: NewPassword) -> Result<String, Unexpected> {
        Ok(format!("hashed:{}", password.expose().len()))
    }
}
