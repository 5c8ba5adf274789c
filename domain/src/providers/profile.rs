//! What a provider offers and where, and who it is. Its managers keep what it offers and where it serves
//! (items, communities, streets, a radius); admins keep all of it, its name, base and share of offers too, and
//! deactivate a provider (it is offered nothing more; its jobs and history stay) or bring it back.

use std::future::Future;

use serde_json::json;

use super::{CreateProviderError, ProviderDesk, ProviderId, ProviderKind};
use crate::accounts::{Accounts, Actor, Role};
use crate::audit::AuditEntry;
use crate::catalog::ItemId;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::geo::{CommunityId, GeoPoint, StreetId, parse_point};

/// A provider's offer and identity, as dispatch reads them.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub provider: ProviderId,
    pub kind: ProviderKind,
    pub name: String,
    /// The community it is based in, and where.
    pub community: CommunityId,
    pub location: GeoPoint,
    /// Sorted, without repeats.
    pub items: Vec<ItemId>,
    pub coverage: Vec<CommunityId>,
    pub streets: Vec<StreetId>,
    pub radius_m: Option<f64>,
    pub target_share: f64,
    pub active: bool,
}

/// A change as typed: each part left out stays as it is.
#[derive(Clone, Debug, Default)]
pub struct ProfileInput {
    pub item_ids: Option<Vec<i32>>,
    pub coverage_community_ids: Option<Vec<i32>>,
    pub coverage_street_ids: Option<Vec<i32>>,
    /// Metres around its base it serves besides its communities and streets; 0 for none.
    pub radius_m: Option<f64>,
    /// Admins only, from here on.
    pub name: Option<String>,
    pub community_id: Option<i32>,
    /// Both or neither.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub target_share: Option<f64>,
    pub active: Option<bool>,
}

/// Profiles as the store keeps them; every write also tells dispatch on every replica to read providers again.
pub trait Profiles: Clone + Send + Sync + 'static {
    fn profile(&self, id: ProviderId) -> impl Future<Output = Result<Option<Profile>, Unexpected>> + Send;

    /// Writes what differs between `before` and `next` (a list that changed is replaced whole) with the audit
    /// entry, in one transaction; what did not change is left as the row has it, so a manager's new items
    /// and an admin's deactivation at the same moment both hold. An item, community or street that does not
    /// exist is one of the `Unknown…` errors.
    fn set_profile(
        &self,
        before: &Profile,
        next: &Profile,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<(), CreateProviderError>> + Send;
}

impl ProfileInput {
    /// Whether the change touches what only admins keep.
    fn asks_admin(&self) -> bool {
        self.name.is_some()
            || self.community_id.is_some()
            || self.lat.is_some()
            || self.lng.is_some()
            || self.target_share.is_some()
            || self.active.is_some()
    }

    /// `current` with this change applied, naming the field of the first value that breaks a rule.
    fn applied_to(self, current: &Profile) -> Result<Profile, Invalid> {
        let mut next = current.clone();
        let sorted = |mut ids: Vec<i32>| {
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        if let Some(ids) = self.item_ids {
            if ids.is_empty() {
                return Err(Invalid::new("item_ids", "missing_items", "a provider offers at least one item"));
            }
            next.items = sorted(ids).into_iter().map(ItemId).collect();
        }
        if let Some(ids) = self.coverage_community_ids {
            next.coverage = sorted(ids).into_iter().map(CommunityId).collect();
        }
        if let Some(ids) = self.coverage_street_ids {
            next.streets = sorted(ids).into_iter().map(StreetId).collect();
        }
        match self.radius_m {
            Some(0.0) => next.radius_m = None,
            Some(r) if !(r.is_finite() && (10.0..=100_000.0).contains(&r)) => {
                return Err(Invalid::new("radius_m", "invalid_radius", "a radius is 10 to 100,000 metres, or 0"));
            }
            Some(r) => next.radius_m = Some(r),
            None => {}
        }
        let nowhere = next.coverage.is_empty() && next.streets.is_empty() && next.radius_m.is_none();
        // A red station's reach is its 15-minute circle.
        if nowhere && next.kind != ProviderKind::RedStation {
            let rule = "a provider serves at least one community or street, or a radius";
            return Err(Invalid::new("coverage_community_ids", "missing_coverage", rule));
        }
        if let Some(name) = self.name {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(Invalid::new("name", "invalid_name", "a name has 1 to 100 characters"));
            }
            next.name = name.to_owned();
        }
        if let Some(c) = self.community_id {
            next.community = CommunityId(c);
        }
        match (self.lat, self.lng) {
            (Some(lat), Some(lng)) => next.location = parse_point(lat, lng)?,
            (None, None) => {}
            (None, Some(_)) => return Err(Invalid::new("lat", "missing_lat", "a new location has lat and lng")),
            (Some(_), None) => return Err(Invalid::new("lng", "missing_lng", "a new location has lat and lng")),
        }
        if let Some(share) = self.target_share {
            if !(share.is_finite() && (0.1..=10.0).contains(&share)) {
                return Err(Invalid::new("target_share", "invalid_target_share", "a target share is 0.1 to 10"));
            }
            next.target_share = share;
        }
        if let Some(active) = self.active {
            next.active = active;
        }
        Ok(next)
    }
}

/// What the audit log records of a profile.
fn recorded(p: &Profile) -> serde_json::Value {
    json!({
        "name": p.name,
        "community_id": p.community.0,
        "lat": p.location.lat(),
        "lng": p.location.lng(),
        "item_ids": p.items.iter().map(|i| i.0).collect::<Vec<_>>(),
        "coverage_community_ids": p.coverage.iter().map(|c| c.0).collect::<Vec<_>>(),
        "coverage_street_ids": p.streets.iter().map(|s| s.0).collect::<Vec<_>>(),
        "radius_m": p.radius_m,
        "target_share": p.target_share,
        "active": p.active,
    })
}

impl<R: Profiles + Accounts, C: Clock> ProviderDesk<R, C> {
    /// The provider's staff and admins see what it offers and where.
    pub async fn profile(&self, actor: &Actor, id: ProviderId) -> Result<Profile, DeskError> {
        if actor.role != Role::Admin && actor.provider != Some(id) {
            return Err(DeskError::NotFound("provider"));
        }
        self.repo.profile(id).await?.ok_or(DeskError::NotFound("provider"))
    }

    /// An admin reads any provider whole, for keeping it.
    pub async fn profile_for_admin(&self, actor: &Actor, id: ProviderId) -> Result<Profile, DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins keep providers whole").into());
        }
        self.profile(actor, id).await
    }

    /// An admin changes any part of any provider (its own managers change theirs at `change_profile`).
    pub async fn change_for_admin(
        &self,
        actor: &Actor,
        id: ProviderId,
        input: ProfileInput,
    ) -> Result<Profile, DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins keep providers whole").into());
        }
        self.change_profile(actor, id, input).await
    }

    /// Its managers change what it offers and where; admins anything, deactivation included. The change
    /// reaches dispatch on every replica at its next order; offers already made stay open.
    pub async fn change_profile(
        &self,
        actor: &Actor,
        id: ProviderId,
        input: ProfileInput,
    ) -> Result<Profile, DeskError> {
        if actor.role != Role::Admin {
            self.may_manage(actor, id).await?;
            if input.asks_admin() {
                let why = "only admins change a provider's name, base, share of offers, or whether it is active";
                return Err(Denied(why).into());
            }
        }
        let current = self.repo.profile(id).await?.ok_or(DeskError::NotFound("provider"))?;
        let next = input.applied_to(&current)?;
        if next == current {
            return Ok(current);
        }
        let action = match (current.active, next.active) {
            (true, false) => "provider.deactivated",
            (false, true) => "provider.reactivated",
            _ => "provider.changed",
        };
        let audit = AuditEntry::new(actor, self.clock.now(), action, format!("provider:{}", id.0))
            .before(recorded(&current))
            .after(recorded(&next));
        let base = next.community;
        self.repo.set_profile(&current, &next, audit).await.map_err(|e| -> DeskError {
            match e {
                CreateProviderError::UnknownItem(_) => Invalid::new("item_ids", "unknown_item", e).into(),
                CreateProviderError::UnknownCommunity(c) if c == base => {
                    Invalid::new("community_id", "unknown_community", e).into()
                }
                CreateProviderError::UnknownCommunity(_) => {
                    Invalid::new("coverage_community_ids", "unknown_community", e).into()
                }
                CreateProviderError::UnknownStreet(_) => {
                    Invalid::new("coverage_street_ids", "unknown_street", e).into()
                }
                CreateProviderError::Denied(d) => d.into(),
                CreateProviderError::Invalid(i) => i.into(),
                CreateProviderError::DuplicateCreditCode => Unexpected::new("changing a provider", e).into(),
                CreateProviderError::Unexpected(u) => u.into(),
            }
        })?;
        Ok(next)
    }
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
