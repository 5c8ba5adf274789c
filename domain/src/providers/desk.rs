//! Registering providers and reading them back: admins register organizations and points; a provider's own
//! staff and admins see it, and nobody else learns that it exists.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{CreditCode, ProviderId, ProviderKind};
use serde_json::json;

use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::catalog::ItemId;
use crate::clock::Clock;
use crate::dispatch::WorkingHours;
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::geo::{CommunityId, GeoPoint, StreetId, parse_point};
use crate::paging::{Page, PageRequest};

/// A provider to register, every value parsed.
#[derive(Clone, Debug)]
pub struct NewProvider {
    pub kind: ProviderKind,
    pub name: String,
    pub credit_code: Option<CreditCode>,
    /// The community the provider is based in.
    pub community: CommunityId,
    pub location: GeoPoint,
    pub capacity: i32,
    pub items: Vec<ItemId>,
    pub coverage: Vec<CommunityId>,
    /// Streets served whole.
    pub streets: Vec<StreetId>,
    /// Serves anywhere within this many metres of its base.
    pub radius_m: Option<f64>,
    pub hours: WorkingHours,
    /// Relative share of offers among equals.
    pub target_share: f64,
}

/// A provider as registered.
#[derive(Clone, Debug)]
pub struct ProviderRecord {
    pub id: ProviderId,
    pub kind: ProviderKind,
    pub name: String,
    pub credit_code: Option<String>,
    pub community: CommunityId,
    pub location: GeoPoint,
    /// The smoothed rating, and how many residents' ratings it rests on.
    pub rating: f64,
    pub rating_count: u32,
    pub capacity: i32,
    pub active: bool,
    pub demo: bool,
    pub items: Vec<ItemId>,
    pub coverage: Vec<CommunityId>,
    /// What became of the offers made to it in the last [`FIGURES_DAYS`] days.
    pub figures: OfferFigures,
}

/// How many days a provider's offer figures look back.
pub const FIGURES_DAYS: i64 = 30;

/// What became of the offers made to a provider: each offer counts once, by where it ended up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfferFigures {
    pub offered: u32,
    /// Accepted (or given to it by hand), and kept.
    pub accepted: u32,
    pub declined: u32,
    /// Left unanswered until the offer lapsed.
    pub expired: u32,
    /// Accepted, then given back before the visit.
    pub handed_back: u32,
    /// The declines by the reason their staff chose, most first (declines from before reasons were asked are
    /// in `declined` only).
    pub declined_because: Vec<(crate::orders::JobReason, u32)>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateProviderError {
    #[error("an organization with that credit code is registered")]
    DuplicateCreditCode,
    #[error("no catalog item has id {}", .0.0)]
    UnknownItem(ItemId),
    #[error("no community has id {}", .0.0)]
    UnknownCommunity(CommunityId),
    #[error("no street has id {}", .0.0)]
    UnknownStreet(StreetId),
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Providers as the store keeps them.
pub trait Providers: Clone + Send + Sync + 'static {
    /// Registers the provider with its items and coverage. Fails with `DuplicateCreditCode` or one of the
    /// `Unknown…` variants, never a refusal.
    /// The audit entry is written in the same transaction, naming the new provider.
    fn create_provider(
        &self,
        new: NewProvider,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<ProviderId, CreateProviderError>> + Send;

    /// The provider, with its figures left at zero (see [`offer_figures`](Self::offer_figures)).
    fn provider(&self, id: ProviderId) -> impl Future<Output = Result<Option<ProviderRecord>, Unexpected>> + Send;

    /// What became of the offers made to the provider since `since`.
    fn offer_figures(
        &self,
        id: ProviderId,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<OfferFigures, Unexpected>> + Send;

    /// Providers in id order after `after`, at most `limit`: those offering `item` when given, organizations
    /// and community points only unless `members` (Party members are many, and are people), and whose name
    /// contains `text` when given.
    fn list_providers(
        &self,
        item: Option<ItemId>,
        members: bool,
        text: Option<&str>,
        after: Option<ProviderId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<ProviderSummary>, Unexpected>> + Send;
}

/// A provider as a list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderSummary {
    pub id: ProviderId,
    pub kind: ProviderKind,
    pub name: String,
    pub community: CommunityId,
    pub location: GeoPoint,
    pub capacity: i32,
    pub active: bool,
    /// The smoothed rating and how many ratings it rests on.
    pub rating: f64,
    pub rating_count: u32,
}

/// A provider as an admin typed it.
#[derive(Clone, Debug, Default)]
pub struct ProviderInput {
    /// `organization` (the default), `party_member`, `community_point` or `red_station`.
    pub kind: Option<String>,
    pub name: String,
    pub credit_code: Option<String>,
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    pub capacity: i32,
    pub item_ids: Vec<i32>,
    pub coverage_community_ids: Vec<i32>,
    pub coverage_street_ids: Vec<i32>,
    pub radius_m: Option<f64>,
    pub working_hours: Option<String>,
    pub target_share: Option<f64>,
}

impl ProviderInput {
    /// The provider to register, naming the field of the first value that breaks a rule.
    pub fn parse(self) -> Result<NewProvider, Invalid> {
        let kind = match self.kind.as_deref() {
            None => ProviderKind::Organization,
            Some(k) => ProviderKind::parse(k).ok_or_else(|| {
                let rule = "kind is organization, party_member, community_point or red_station";
                Invalid::new("kind", "invalid_kind", rule)
            })?,
        };
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Invalid::new("name", "invalid_name", "a name has 1 to 100 characters"));
        }
        let credit_code = match (kind, self.credit_code.as_deref()) {
            (_, Some(code)) => {
                Some(CreditCode::parse(code).map_err(|e| Invalid::new("credit_code", "invalid_credit_code", e))?)
            }
            (ProviderKind::Organization, None) => {
                return Err(Invalid::new(
                    "credit_code",
                    "missing_credit_code",
                    "an organization needs its credit code",
                ));
            }
            (_, None) => None,
        };
        let location = parse_point(self.lat, self.lng)?;
        check_capacity(kind, self.capacity)?;
        if self.item_ids.is_empty() {
            return Err(Invalid::new("item_ids", "missing_items", "a provider offers at least one item"));
        }
        let nowhere =
            self.coverage_community_ids.is_empty() && self.coverage_street_ids.is_empty() && self.radius_m.is_none();
        // A red station's reach is its 15-minute circle.
        if nowhere && kind != ProviderKind::RedStation {
            let rule = "a provider serves at least one community or street, or a radius";
            return Err(Invalid::new("coverage_community_ids", "missing_coverage", rule));
        }
        let radius_m = match self.radius_m {
            Some(r) if !(r.is_finite() && (10.0..=100_000.0).contains(&r)) => {
                return Err(Invalid::new("radius_m", "invalid_radius", "a radius is 10 to 100,000 metres"));
            }
            r => r,
        };
        let hours = match self.working_hours.as_deref() {
            None => WorkingHours::always(),
            Some(h) => WorkingHours::parse(h).map_err(|e| Invalid::new("working_hours", "invalid_working_hours", e))?,
        };
        let target_share = self.target_share.unwrap_or(1.0);
        if !(target_share.is_finite() && (0.1..=10.0).contains(&target_share)) {
            return Err(Invalid::new("target_share", "invalid_target_share", "a target share is 0.1 to 10"));
        }
        Ok(NewProvider {
            kind,
            name,
            credit_code,
            community: CommunityId(self.community_id),
            location,
            capacity: self.capacity,
            items: distinct(self.item_ids).into_iter().map(ItemId).collect(),
            coverage: distinct(self.coverage_community_ids).into_iter().map(CommunityId).collect(),
            streets: distinct(self.coverage_street_ids).into_iter().map(StreetId).collect(),
            radius_m,
            hours,
            target_share,
        })
    }
}

/// The ids once each, in order: a repeated id in a list is not an error worth a 4xx.
fn distinct(mut ids: Vec<i32>) -> Vec<i32> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The provider use cases over the repository `R` and a clock.
#[derive(Clone)]
pub struct ProviderDesk<R, C> {
    pub repo: R,
    pub clock: C,
}

impl<R: Providers, C: Clock> ProviderDesk<R, C> {
    pub fn new(repo: R, clock: C) -> Self {
        Self { repo, clock }
    }

    /// An admin registers a provider. An unknown id is named by the field it came in: the base community, the
    /// covered communities, streets or items.
    pub async fn create_provider(
        &self,
        actor: &Actor,
        input: ProviderInput,
    ) -> Result<ProviderRecord, CreateProviderError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins register providers").into());
        }
        let new = input.parse()?;
        let base = new.community;
        let audit = AuditEntry::new(actor, self.clock.now(), "provider.created", String::new()).after(json!({
            "kind": new.kind.as_str(),
            "name": new.name,
            "community_id": new.community.0,
            "capacity": new.capacity,
            "item_ids": new.items.iter().map(|i| i.0).collect::<Vec<_>>(),
            "coverage_community_ids": new.coverage.iter().map(|c| c.0).collect::<Vec<_>>(),
        }));
        let id = self.repo.create_provider(new, audit).await.map_err(|e| match e {
            CreateProviderError::UnknownItem(_) => Invalid::new("item_ids", "unknown_item", e).into(),
            CreateProviderError::UnknownCommunity(c) if c == base => {
                Invalid::new("community_id", "unknown_community", e).into()
            }
            CreateProviderError::UnknownCommunity(_) => {
                Invalid::new("coverage_community_ids", "unknown_community", e).into()
            }
            CreateProviderError::UnknownStreet(_) => Invalid::new("coverage_street_ids", "unknown_street", e).into(),
            other => other,
        })?;
        Ok(self.repo.provider(id).await?.ok_or(Unexpected::new("reading back a provider", ReadBack))?)
    }

    /// A provider with its offer figures of the last 30 days, for an admin or the provider's own staff; to
    /// anyone else it does not exist.
    pub async fn provider(&self, actor: &Actor, id: ProviderId) -> Result<ProviderRecord, DeskError> {
        if actor.role != Role::Admin && actor.provider != Some(id) {
            return Err(DeskError::NotFound("provider"));
        }
        let mut record = self.repo.provider(id).await?.ok_or(DeskError::NotFound("provider"))?;
        let since = self.clock.now() - chrono::Duration::days(FIGURES_DAYS);
        record.figures = self.repo.offer_figures(id, since).await?;
        Ok(record)
    }

    /// Providers a page at a time, for admins and for community workers choosing whom to give an escalated
    /// order to; with `item`, only those offering it; with `text`, those whose name contains it.
    pub async fn providers(
        &self,
        actor: &Actor,
        item: Option<ItemId>,
        members: bool,
        text: Option<&str>,
        page: PageRequest<'_>,
    ) -> Result<Page<ProviderSummary>, DeskError> {
        if !matches!(actor.role, Role::Admin | Role::CommunityWorker) {
            return Err(Denied("providers are listed for admins and community workers").into());
        }
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > 50) {
            return Err(Invalid::malformed("q", "a search has at most 50 characters").into());
        }
        let (size, after) = (page.size()?, page.cursor()?.map(ProviderId));
        Ok(Page::of(self.repo.list_providers(item, members, text, after, size + 1).await?, size))
    }
}

impl<R: crate::accounts::Accounts, C> ProviderDesk<R, C> {
    /// Whether the actor, not an admin, manages the provider: refused when they are its staff but do not
    /// manage it; to anyone else it does not exist.
    pub(super) async fn may_manage(&self, actor: &Actor, id: ProviderId) -> Result<(), DeskError> {
        let why = "only the organization's managers change how it takes orders";
        crate::accounts::require_manager(&self.repo, actor, id, why).await
    }
}

/// How many jobs a provider of `kind` may hold at once: 1 to 1000, and exactly 1 for a Party member.
pub(super) fn check_capacity(kind: ProviderKind, capacity: i32) -> Result<(), Invalid> {
    if !(1..=1000).contains(&capacity) || (kind == ProviderKind::PartyMember && capacity != 1) {
        let rule = "capacity is between 1 and 1000 concurrent jobs, and 1 for a Party member";
        return Err(Invalid::new("capacity", "invalid_capacity", rule));
    }
    Ok(())
}

/// A row written a moment ago in the same use case is gone.
#[derive(Debug, thiserror::Error)]
#[error("the provider just registered cannot be read back")]
struct ReadBack;
