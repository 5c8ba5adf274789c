//! Loading what dispatch needs to know of every provider offering an item: coverage down to streets and
//! districts, the jobs each holds, and its share of offers in the current fairness period.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use linli_domain::catalog::ItemId;
use linli_domain::dispatch::{Candidate, FAIRNESS_PERIOD_DAYS, WorkingHours};
use linli_domain::error::Unexpected;
use linli_domain::geo::{CommunityId, DistrictId, StreetId};
use linli_domain::orders::{OrderState, TimeWindow};
use linli_domain::providers::{ProviderId, ProviderKind};

use super::{Store, convert};
use crate::db::db_err;
use crate::entities::{
    catalog_item, community, order, order_offer, provider, provider_coverage, provider_item, provider_street, street,
};

impl Store {
    /// Every provider that offers `item`, as dispatch sees it at `now`.
    pub(super) async fn load_candidates(&self, item: ItemId, now: DateTime<Utc>) -> Result<Vec<Candidate>, Unexpected> {
        let e = || db_err("finding candidate providers");
        let ids: Vec<Uuid> = provider_item::Entity::find()
            .filter(provider_item::Column::ItemId.eq(item.0))
            .all(&self.db)
            .await
            .map_err(e())?
            .into_iter()
            .map(|r| r.provider_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let providers =
            provider::Entity::find().filter(provider::Column::Id.is_in(ids.clone())).all(&self.db).await.map_err(e())?;
        let items = group(
            provider_item::Entity::find()
                .filter(provider_item::Column::ProviderId.is_in(ids.clone()))
                .all(&self.db)
                .await,
            |r| (r.provider_id, ItemId(r.item_id)),
        )
        .map_err(e())?;
        let communities = group(
            provider_coverage::Entity::find()
                .filter(provider_coverage::Column::ProviderId.is_in(ids.clone()))
                .all(&self.db)
                .await,
            |r| (r.provider_id, CommunityId(r.community_id)),
        )
        .map_err(e())?;
        let whole_streets = group(
            provider_street::Entity::find()
                .filter(provider_street::Column::ProviderId.is_in(ids.clone()))
                .all(&self.db)
                .await,
            |r| (r.provider_id, StreetId(r.street_id)),
        )
        .map_err(e())?;

        // The map, to lift community coverage to streets and districts.
        let mut places: HashSet<i32> = communities.values().flatten().map(|c| c.0).collect();
        places.extend(providers.iter().map(|p| p.community_id));
        let street_of: HashMap<i32, i32> = community::Entity::find()
            .filter(community::Column::Id.is_in(places))
            .all(&self.db)
            .await
            .map_err(e())?
            .into_iter()
            .map(|c| (c.id, c.street_id))
            .collect();
        let mut streets: HashSet<i32> = street_of.values().copied().collect();
        streets.extend(whole_streets.values().flatten().map(|s| s.0));
        let district_of: HashMap<i32, i32> = street::Entity::find()
            .filter(street::Column::Id.is_in(streets))
            .all(&self.db)
            .await
            .map_err(e())?
            .into_iter()
            .map(|s| (s.id, s.district_id))
            .collect();

        let jobs = self.jobs_of(&ids).await?;
        let since = now - Duration::days(FAIRNESS_PERIOD_DAYS);
        let fairness: HashMap<Uuid, (i64, Option<DateTime<Utc>>)> = order_offer::Entity::find()
            .select_only()
            .column(order_offer::Column::ProviderId)
            .column_as(Expr::col(order_offer::Column::OfferedAt).count(), "n")
            .column_as(Expr::col(order_offer::Column::OfferedAt).max(), "last")
            .filter(order_offer::Column::ProviderId.is_in(ids))
            .filter(order_offer::Column::OfferedAt.gt(since))
            .group_by(order_offer::Column::ProviderId)
            .into_tuple::<(Uuid, i64, Option<DateTime<Utc>>)>()
            .all(&self.db)
            .await
            .map_err(e())?
            .into_iter()
            .map(|(p, n, last)| (p, (n, last)))
            .collect();

        providers
            .into_iter()
            .map(|p| {
                let served: Vec<CommunityId> = communities.get(&p.id).cloned().unwrap_or_default();
                let mut street_ids: Vec<StreetId> = whole_streets.get(&p.id).cloned().unwrap_or_default();
                street_ids.extend(
                    served
                        .iter()
                        .chain([&CommunityId(p.community_id)])
                        .filter_map(|c| street_of.get(&c.0))
                        .map(|s| StreetId(*s)),
                );
                street_ids.sort();
                street_ids.dedup();
                let mut districts: Vec<DistrictId> =
                    street_ids.iter().filter_map(|s| district_of.get(&s.0)).map(|d| DistrictId(*d)).collect();
                districts.sort();
                districts.dedup();
                let (offers, last) = fairness.get(&p.id).copied().unwrap_or((0, None));
                Ok(Candidate {
                    id: ProviderId(p.id),
                    kind: ProviderKind::parse(&p.kind)
                        .ok_or_else(|| convert::corrupt("provider kind", p.id, &p.kind))?,
                    active: p.active,
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
                    jobs: jobs.get(&p.id).cloned().unwrap_or_default(),
                    offers_this_period: u32::try_from(offers).unwrap_or(u32::MAX),
                    last_offered_at: last,
                    target_share: p.target_share,
                    active_since: p.created_at,
                })
            })
            .collect()
    }

    /// The windows of the jobs each provider holds now. An "as soon as possible" job occupies the item's
    /// duration from when it was last changed (accepted or started).
    async fn jobs_of(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<TimeWindow>>, Unexpected> {
        let e = || db_err("reading providers' jobs");
        let held = order::Entity::find()
            .filter(order::Column::ProviderId.is_in(ids.to_vec()))
            .filter(order::Column::State.is_in([OrderState::Accepted.as_str(), OrderState::InService.as_str()]))
            .all(&self.db)
            .await
            .map_err(e())?;
        let item_ids: HashSet<i32> = held.iter().map(|o| o.item_id).collect();
        let minutes: HashMap<i32, i64> = catalog_item::Entity::find()
            .filter(catalog_item::Column::Id.is_in(item_ids))
            .all(&self.db)
            .await
            .map_err(e())?
            .into_iter()
            .map(|i| (i.id, i64::from(i.duration_minutes)))
            .collect();
        let mut jobs: HashMap<Uuid, Vec<TimeWindow>> = HashMap::new();
        for o in held {
            let window = match (o.window_start, o.window_end) {
                (Some(s), Some(e)) => TimeWindow::from_stored(s, e),
                _ => {
                    let length = Duration::minutes(Ord::max(minutes.get(&o.item_id).copied().unwrap_or(60), 1));
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
