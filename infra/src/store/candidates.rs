//! Loading what dispatch needs to know of every provider offering an item: coverage down to streets and
//! districts (the slow-changing profile, kept in the snapshot), and fresh for every order the jobs each holds and
//! its share of offers in the current fairness period.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use linli_domain::catalog::{CatalogItem, ItemId};
use linli_domain::dispatch::{Candidate, FAIRNESS_PERIOD_DAYS, WorkingHours};
use linli_domain::error::Unexpected;
use linli_domain::geo::{Area, CommunityId, DistrictId, GeoPoint, StreetId};
use linli_domain::orders::Candidates;
use linli_domain::providers::{ProviderId, ProviderKind};
use linli_domain::time::TimeWindow;

use super::{Store, convert};
use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{
    community, order, provider, provider_coverage, provider_item, provider_offer_day, provider_street, street,
};

impl Store {
    /// Every provider that offers `item`, as dispatch sees it at `now`.
    pub(super) async fn load_candidates(&self, item: ItemId, now: DateTime<Utc>) -> Result<Vec<Candidate>, Unexpected> {
        let profiles = self.provider_profiles(item).await?;
        if profiles.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = profiles.iter().map(|p| p.id.0).collect();
        let mut jobs = self.jobs_of(&ids).await?;
        let mut fairness = self.recent_offers(ids, now).await?;
        Ok(profiles
            .iter()
            .map(|p| {
                let (offers, last) = fairness.remove(&p.id.0).unwrap_or((0, None));
                Candidate {
                    jobs: jobs.remove(&p.id.0).unwrap_or_default(),
                    offers_this_period: u32::try_from(offers).unwrap_or(u32::MAX),
                    last_offered_at: last,
                    ..p.clone()
                }
            })
            .collect())
    }

    /// How many offers each provider had in the current fairness period, and when the last came; read from the
    /// per-day counts, so the period starts at the beginning of its first UTC day.
    async fn recent_offers(
        &self,
        ids: Vec<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<HashMap<Uuid, (i64, Option<DateTime<Utc>>)>, Unexpected> {
        let since = (now - Duration::days(FAIRNESS_PERIOD_DAYS)).date_naive();
        let rows = provider_offer_day::Entity::find()
            .select_only()
            .column(provider_offer_day::Column::ProviderId)
            // PostgreSQL sums a bigint into a numeric; the cast brings it back.
            .column_as(Expr::col(provider_offer_day::Column::Offers).sum().cast_as("BIGINT"), "n")
            .column_as(Expr::col(provider_offer_day::Column::LastOfferedAt).max(), "last")
            .filter(provider_offer_day::Column::ProviderId.is_in(ids))
            .filter(provider_offer_day::Column::Day.gte(since))
            .group_by(provider_offer_day::Column::ProviderId)
            .into_tuple::<(Uuid, i64, Option<DateTime<Utc>>)>()
            .all(&self.db)
            .await
            .context("counting providers' recent offers")?;
        Ok(rows.into_iter().map(|(p, n, last)| (p, (n, last))).collect())
    }

    /// The providers offering `item` with their coverage lifted to streets and districts, without jobs or
    /// fairness counts.
    pub(super) async fn load_profiles(&self, item: ItemId) -> Result<Vec<Candidate>, Unexpected> {
        let what = "finding candidate providers";
        let ids: Vec<Uuid> = provider_item::Entity::find()
            .filter(provider_item::Column::ItemId.eq(item.0))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|r| r.provider_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let providers = provider::Entity::find()
            .filter(provider::Column::Id.is_in(ids.clone()))
            .all(&self.db)
            .await
            .context(what)?;
        let items = group(
            provider_item::Entity::find()
                .filter(provider_item::Column::ProviderId.is_in(ids.clone()))
                .all(&self.db)
                .await,
            |r| (r.provider_id, ItemId(r.item_id)),
        )
        .context(what)?;
        let communities = group(
            provider_coverage::Entity::find()
                .filter(provider_coverage::Column::ProviderId.is_in(ids.clone()))
                .all(&self.db)
                .await,
            |r| (r.provider_id, CommunityId(r.community_id)),
        )
        .context(what)?;
        let whole_streets = group(
            provider_street::Entity::find()
                .filter(provider_street::Column::ProviderId.is_in(ids.clone()))
                .all(&self.db)
                .await,
            |r| (r.provider_id, StreetId(r.street_id)),
        )
        .context(what)?;

        // The map, to lift community coverage to streets and districts.
        let mut places: HashSet<i32> = communities.values().flatten().map(|c| c.0).collect();
        places.extend(providers.iter().map(|p| p.community_id));
        let street_of: HashMap<i32, i32> = community::Entity::find()
            .filter(community::Column::Id.is_in(places))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|c| (c.id, c.street_id))
            .collect();
        let mut streets: HashSet<i32> = street_of.values().copied().collect();
        streets.extend(whole_streets.values().flatten().map(|s| s.0));
        let district_of: HashMap<i32, i32> = street::Entity::find()
            .filter(street::Column::Id.is_in(streets))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|s| (s.id, s.district_id))
            .collect();

        providers
            .into_iter()
            .map(|p| {
                let kind =
                    ProviderKind::parse(&p.kind).ok_or_else(|| convert::corrupt("provider kind", p.id, &p.kind))?;
                let served: Vec<CommunityId> = communities.get(&p.id).cloned().unwrap_or_default();
                let mut street_ids: Vec<StreetId> = whole_streets.get(&p.id).cloned().unwrap_or_default();
                // A provider's base lifts it to its street and district when an order widens; a red station's
                // reach is its circle alone.
                let base = (kind != ProviderKind::RedStation).then_some(CommunityId(p.community_id));
                street_ids.extend(
                    served.iter().chain(base.as_ref()).filter_map(|c| street_of.get(&c.0)).map(|s| StreetId(*s)),
                );
                street_ids.sort();
                street_ids.dedup();
                let mut districts: Vec<DistrictId> =
                    street_ids.iter().filter_map(|s| district_of.get(&s.0)).map(|d| DistrictId(*d)).collect();
                districts.sort();
                districts.dedup();
                Ok(Candidate {
                    id: ProviderId(p.id),
                    kind,
                    active: p.active,
                    paused: p.paused_since.is_some(),
                    closed: super::providers::closed_dates(p.id, &p.closed_dates)?,
                    location: convert::point(p.id, p.lat, p.lng)?,
                    items: items.get(&p.id).cloned().unwrap_or_default(),
                    communities: served,
                    streets: street_ids,
                    districts,
                    radius_m: p.radius_m,
                    capacity: u32::try_from(p.capacity).unwrap_or(0),
                    hours: WorkingHours::parse(&p.working_hours)
                        .map_err(|_| convert::corrupt("working hours", p.id, &p.working_hours))?,
                    rating: p.rating,
                    jobs: Vec::new(),
                    offers_this_period: 0,
                    last_offered_at: None,
                    target_share: p.target_share,
                    active_since: p.created_at,
                })
            })
            .collect()
    }

    /// The windows of the jobs each provider holds now. An "as soon as possible" job occupies the item's
    /// duration from when it was last changed (accepted or started).
    async fn jobs_of(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<TimeWindow>>, Unexpected> {
        let what = "reading providers' jobs";
        let held = order::Entity::find()
            .filter(order::Column::ProviderId.is_in(ids.to_vec()))
            .filter(order::Column::State.is_in([StoredOrderState::Accepted, StoredOrderState::InService]))
            .all(&self.db)
            .await
            .context(what)?;
        let catalog = self.catalog_by_id().await?;
        let mut jobs: HashMap<Uuid, Vec<TimeWindow>> = HashMap::new();
        for o in held {
            let window = match (o.window_start, o.window_end) {
                (Some(s), Some(e)) => TimeWindow::from_stored(s, e),
                _ => {
                    let minutes = catalog.get(&ItemId(o.item_id)).map_or(60, |i| i64::from(i.duration_minutes));
                    let length = Duration::minutes(Ord::max(minutes, 1));
                    TimeWindow::from_stored(o.updated_at, o.updated_at + length)
                }
            };
            if let Some(p) = o.provider_id {
                jobs.entry(p).or_default().push(window);
            }
        }
        Ok(jobs)
    }
}

/// Groups rows by their first value.
fn group<R, K: std::hash::Hash + Eq, V>(
    rows: Result<Vec<R>, sea_orm::DbErr>,
    split: impl Fn(R) -> (K, V),
) -> Result<HashMap<K, Vec<V>>, sea_orm::DbErr> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for r in rows? {
        let (k, v) = split(r);
        out.entry(k).or_default().push(v);
    }
    Ok(out)
}

impl Candidates for Store {
    async fn candidates(&self, item: ItemId, now: DateTime<Utc>) -> Result<Vec<Candidate>, Unexpected> {
        self.load_candidates(item, now).await
    }

    async fn catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        Ok(self.catalog_by_id().await?.get(&id).cloned())
    }

    async fn recent_catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        match self.recent_catalog() {
            Some(catalog) => Ok(catalog.get(&id).cloned()),
            None => self.catalog_item(id).await,
        }
    }

    async fn area_of(&self, id: CommunityId) -> Result<Option<Area>, Unexpected> {
        self.cached_area(id).await
    }

    async fn pending_windows(
        &self,
        item: ItemId,
        community: CommunityId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<TimeWindow>, Unexpected> {
        let rows: Vec<(DateTime<Utc>, DateTime<Utc>)> = order::Entity::find()
            .select_only()
            .column(order::Column::WindowStart)
            .column(order::Column::WindowEnd)
            .filter(pending_in(item, community))
            .filter(order::Column::WindowStart.lt(until))
            .filter(order::Column::WindowEnd.gt(from))
            .into_tuple()
            .all(&self.db)
            .await
            .context("reading the bookings nobody holds yet")?;
        Ok(rows.into_iter().map(|(start, end)| TimeWindow::from_stored(start, end)).collect())
    }
}

/// The item's bookings in the community that no provider holds yet: each takes a place at its time.
pub(super) fn pending_in(item: ItemId, community: CommunityId) -> sea_orm::Condition {
    let unheld = [StoredOrderState::Submitted, StoredOrderState::Offered, StoredOrderState::Escalated];
    sea_orm::Condition::all()
        .add(order::Column::ItemId.eq(item.0))
        .add(order::Column::CommunityId.eq(community.0))
        .add(order::Column::State.is_in(unheld))
}

impl Store {
    /// Reads which street and district a community lies in, and its centre.
    pub(super) async fn load_area(&self, id: CommunityId) -> Result<Option<Area>, Unexpected> {
        let what = "locating a community";
        let found = community::Entity::find_by_id(id.0).find_also_related(street::Entity).one(&self.db).await;
        let Some((c, Some(s))) = found.context(what)? else {
            return Ok(None);
        };
        let centre = GeoPoint::parse(c.lat, c.lng).map_err(|e| Unexpected::new(what, e))?;
        Ok(Some(Area { street: StreetId(s.id), district: DistrictId(s.district_id), centre }))
    }
}
