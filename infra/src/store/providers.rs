//! Registering providers with the items they offer and the communities they cover.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};
use uuid::Uuid;

use linli_domain::audit::AuditEntry;
use linli_domain::catalog::ItemId;
use linli_domain::dispatch::WorkingHours;
use linli_domain::error::Unexpected;
use linli_domain::geo::{CommunityId, StreetId};
use linli_domain::orders::JobReason;
use linli_domain::providers::{
    Availabilities, Availability, CreateProviderError, NewProvider, OfferFigures, Profile, Profiles, ProviderId,
    ProviderKind, ProviderRecord, ProviderSummary, Providers,
};

use super::{Store, convert};
use crate::db::{DbContext, db_err};
use crate::entities::states::StoredOfferStatus;
use crate::entities::{
    catalog_item, community, order_offer, provider, provider_coverage, provider_item, provider_street, street,
};

impl Providers for Store {
    async fn create_provider(&self, new: NewProvider, audit: AuditEntry) -> Result<ProviderId, CreateProviderError> {
        let classify = |err: sea_orm::DbErr| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => CreateProviderError::DuplicateCreditCode,
            _ => CreateProviderError::Unexpected(db_err("registering a provider")(err)),
        };
        let id = Uuid::now_v7();
        let txn = self.begin("registering a provider").await?;
        let items: Vec<i32> = new.items.iter().map(|i| i.0).collect();
        if let Some(missing) =
            first_missing::<catalog_item::Entity, _>(&txn, catalog_item::Column::Id, &items).await.map_err(classify)?
        {
            return Err(CreateProviderError::UnknownItem(ItemId(missing)));
        }
        let mut places: Vec<i32> = new.coverage.iter().map(|c| c.0).collect();
        places.push(new.community.0);
        if let Some(missing) =
            first_missing::<community::Entity, _>(&txn, community::Column::Id, &places).await.map_err(classify)?
        {
            return Err(CreateProviderError::UnknownCommunity(CommunityId(missing)));
        }
        let streets: Vec<i32> = new.streets.iter().map(|s| s.0).collect();
        if let Some(missing) =
            first_missing::<street::Entity, _>(&txn, street::Column::Id, &streets).await.map_err(classify)?
        {
            return Err(CreateProviderError::UnknownStreet(StreetId(missing)));
        }
        provider::Entity::insert(provider::ActiveModel {
            id: Set(id),
            kind: Set(new.kind.as_str().to_owned()),
            name: Set(new.name),
            credit_code: Set(new.credit_code.map(|c| c.as_ref().to_owned())),
            community_id: Set(new.community.0),
            lat: Set(new.location.lat()),
            lng: Set(new.location.lng()),
            rating: Set(linli_domain::providers::PRIOR_MEAN),
            rating_count: Set(0),
            rating_sum: Set(0),
            capacity: Set(new.capacity),
            active: Set(true),
            radius_m: Set(new.radius_m),
            working_hours: Set(new.hours.format()),
            target_share: Set(new.target_share),
            demo: Set(false),
            created_at: Set(Utc::now()),
            paused_since: Set(None),
            closed_dates: Set(String::new()),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(classify)?;
        let items = new.items.iter().map(|i| provider_item::ActiveModel { provider_id: Set(id), item_id: Set(i.0) });
        provider_item::Entity::insert_many(items).exec_without_returning(&txn).await.map_err(classify)?;
        let coverage = new
            .coverage
            .iter()
            .map(|c| provider_coverage::ActiveModel { provider_id: Set(id), community_id: Set(c.0) });
        provider_coverage::Entity::insert_many(coverage).exec_without_returning(&txn).await.map_err(classify)?;
        let streets =
            new.streets.iter().map(|s| provider_street::ActiveModel { provider_id: Set(id), street_id: Set(s.0) });
        provider_street::Entity::insert_many(streets).exec_without_returning(&txn).await.map_err(classify)?;
        Self::bump_dispatch_counter(&txn).await?;
        super::audit::append(&txn, &AuditEntry { object: format!("provider:{id}"), ..audit }).await?;
        txn.commit().await.map_err(classify)?;
        Ok(ProviderId(id))
    }

    async fn provider(&self, id: ProviderId) -> Result<Option<ProviderRecord>, Unexpected> {
        let what = "reading a provider";
        let Some(p) = provider::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        let items = provider_item::Entity::find()
            .filter(provider_item::Column::ProviderId.eq(id.0))
            .all(&self.db)
            .await
            .context(what)?;
        let coverage = provider_coverage::Entity::find()
            .filter(provider_coverage::Column::ProviderId.eq(id.0))
            .all(&self.db)
            .await
            .context(what)?;
        Ok(Some(ProviderRecord {
            id,
            kind: ProviderKind::parse(&p.kind).ok_or_else(|| convert::corrupt("provider kind", p.id, &p.kind))?,
            location: convert::point(p.id, p.lat, p.lng)?,
            name: p.name,
            credit_code: p.credit_code,
            community: CommunityId(p.community_id),
            rating: p.rating,
            rating_count: u32::try_from(p.rating_count).unwrap_or(0),
            capacity: p.capacity,
            active: p.active,
            demo: p.demo,
            items: items.into_iter().map(|r| ItemId(r.item_id)).collect(),
            coverage: coverage.into_iter().map(|r| CommunityId(r.community_id)).collect(),
            figures: OfferFigures::default(),
        }))
    }

    async fn offer_figures(&self, id: ProviderId, since: DateTime<Utc>) -> Result<OfferFigures, Unexpected> {
        let rows: Vec<(StoredOfferStatus, i64)> = order_offer::Entity::find()
            .select_only()
            .column(order_offer::Column::Status)
            .column_as(order_offer::Column::OrderId.count(), "n")
            .filter(order_offer::Column::ProviderId.eq(id.0))
            .filter(order_offer::Column::OfferedAt.gte(since))
            .group_by(order_offer::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await
            .context("counting a provider's offers")?;
        let mut f = OfferFigures::default();
        for (status, n) in rows {
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            f.offered += n;
            match status {
                StoredOfferStatus::Won => f.accepted += n,
                StoredOfferStatus::Declined => f.declined += n,
                StoredOfferStatus::Expired => f.expired += n,
                StoredOfferStatus::Released => f.handed_back += n,
                StoredOfferStatus::Open | StoredOfferStatus::Withdrawn => {}
            }
        }
        let reasons: Vec<(Option<String>, i64)> = order_offer::Entity::find()
            .select_only()
            .column(order_offer::Column::DeclineReason)
            .column_as(order_offer::Column::OrderId.count(), "n")
            .filter(order_offer::Column::ProviderId.eq(id.0))
            .filter(order_offer::Column::OfferedAt.gte(since))
            .filter(order_offer::Column::Status.eq(StoredOfferStatus::Declined))
            .group_by(order_offer::Column::DeclineReason)
            .into_tuple()
            .all(&self.db)
            .await
            .context("counting a provider's reasons to decline")?;
        f.declined_because = reasons
            .into_iter()
            .filter_map(|(reason, n)| {
                Some((JobReason::parse(reason.as_deref()?)?, u32::try_from(n).unwrap_or(u32::MAX)))
            })
            .collect();
        f.declined_because.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
        Ok(f)
    }

    async fn list_providers(
        &self,
        item: Option<ItemId>,
        members: bool,
        text: Option<&str>,
        after: Option<ProviderId>,
        limit: u64,
    ) -> Result<Vec<ProviderSummary>, Unexpected> {
        let mut find = provider::Entity::find().order_by_asc(provider::Column::Id).limit(limit);
        if let Some(text) = text {
            find = find.filter(convert::containing(provider::Column::Name, text));
        }
        if let Some(item) = item {
            let offering = Query::select()
                .column(provider_item::Column::ProviderId)
                .from(provider_item::Entity)
                .and_where(Expr::col(provider_item::Column::ItemId).eq(item.0))
                .to_owned();
            find = find.filter(provider::Column::Id.in_subquery(offering));
        }
        if !members {
            find = find.filter(provider::Column::Kind.ne(ProviderKind::PartyMember.as_str()));
        }
        if let Some(after) = after {
            find = find.filter(provider::Column::Id.gt(after.0));
        }
        let rows = find.all(&self.db).await.context("listing providers")?;
        rows.into_iter()
            .map(|p| {
                Ok(ProviderSummary {
                    id: ProviderId(p.id),
                    kind: ProviderKind::parse(&p.kind)
                        .ok_or_else(|| convert::corrupt("provider kind", p.id, &p.kind))?,
                    location: convert::point(p.id, p.lat, p.lng)?,
                    name: p.name,
                    community: CommunityId(p.community_id),
                    capacity: p.capacity,
                    active: p.active,
                    rating: p.rating,
                    rating_count: u32::try_from(p.rating_count).unwrap_or(0),
                })
            })
            .collect()
    }
}

impl Profiles for Store {
    async fn profile(&self, id: ProviderId) -> Result<Option<Profile>, Unexpected> {
        let what = "reading what a provider offers";
        let Some(p) = provider::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        let items: Vec<i32> = provider_item::Entity::find()
            .select_only()
            .column(provider_item::Column::ItemId)
            .filter(provider_item::Column::ProviderId.eq(id.0))
            .order_by_asc(provider_item::Column::ItemId)
            .into_tuple()
            .all(&self.db)
            .await
            .context(what)?;
        let coverage: Vec<i32> = provider_coverage::Entity::find()
            .select_only()
            .column(provider_coverage::Column::CommunityId)
            .filter(provider_coverage::Column::ProviderId.eq(id.0))
            .order_by_asc(provider_coverage::Column::CommunityId)
            .into_tuple()
            .all(&self.db)
            .await
            .context(what)?;
        let streets: Vec<i32> = provider_street::Entity::find()
            .select_only()
            .column(provider_street::Column::StreetId)
            .filter(provider_street::Column::ProviderId.eq(id.0))
            .order_by_asc(provider_street::Column::StreetId)
            .into_tuple()
            .all(&self.db)
            .await
            .context(what)?;
        Ok(Some(Profile {
            provider: id,
            kind: ProviderKind::parse(&p.kind).ok_or_else(|| convert::corrupt("provider kind", p.id, &p.kind))?,
            location: convert::point(p.id, p.lat, p.lng)?,
            name: p.name,
            community: CommunityId(p.community_id),
            items: items.into_iter().map(ItemId).collect(),
            coverage: coverage.into_iter().map(CommunityId).collect(),
            streets: streets.into_iter().map(StreetId).collect(),
            radius_m: p.radius_m,
            target_share: p.target_share,
            active: p.active,
        }))
    }

    async fn set_profile(
        &self,
        before: &Profile,
        next: &Profile,
        audit: AuditEntry,
    ) -> Result<(), CreateProviderError> {
        let what = "changing what a provider offers";
        let fail = |err: sea_orm::DbErr| CreateProviderError::Unexpected(db_err(what)(err));
        let id = next.provider.0;
        let txn = self.begin(what).await?;
        let items: Vec<i32> = next.items.iter().map(|i| i.0).collect();
        if let Some(missing) =
            first_missing::<catalog_item::Entity, _>(&txn, catalog_item::Column::Id, &items).await.map_err(fail)?
        {
            return Err(CreateProviderError::UnknownItem(ItemId(missing)));
        }
        let mut places: Vec<i32> = next.coverage.iter().map(|c| c.0).collect();
        places.insert(0, next.community.0);
        if let Some(missing) =
            first_missing::<community::Entity, _>(&txn, community::Column::Id, &places).await.map_err(fail)?
        {
            return Err(CreateProviderError::UnknownCommunity(CommunityId(missing)));
        }
        let streets: Vec<i32> = next.streets.iter().map(|s| s.0).collect();
        if let Some(missing) =
            first_missing::<street::Entity, _>(&txn, street::Column::Id, &streets).await.map_err(fail)?
        {
            return Err(CreateProviderError::UnknownStreet(StreetId(missing)));
        }
        use provider::Column as P;
        // Only what this change changed: a concurrent change of another part (a deactivation while a manager
        // edits the items) is kept.
        let moved = next.location != before.location;
        let changes = [
            (next.name != before.name, P::Name, Expr::value(next.name.clone())),
            (next.community != before.community, P::CommunityId, Expr::value(next.community.0)),
            (moved, P::Lat, Expr::value(next.location.lat())),
            (moved, P::Lng, Expr::value(next.location.lng())),
            (next.radius_m != before.radius_m, P::RadiusM, Expr::value(next.radius_m)),
            (next.target_share != before.target_share, P::TargetShare, Expr::value(next.target_share)),
            (next.active != before.active, P::Active, Expr::value(next.active)),
        ];
        let changed: Vec<_> = changes.into_iter().filter(|(changed, _, _)| *changed).collect();
        if !changed.is_empty() {
            let update = changed
                .into_iter()
                .fold(provider::Entity::update_many().filter(P::Id.eq(id)), |update, (_, column, value)| {
                    update.col_expr(column, value)
                });
            update.exec(&txn).await.map_err(fail)?;
        }
        if next.items != before.items {
            provider_item::Entity::delete_many()
                .filter(provider_item::Column::ProviderId.eq(id))
                .exec(&txn)
                .await
                .map_err(fail)?;
            let rows =
                next.items.iter().map(|i| provider_item::ActiveModel { provider_id: Set(id), item_id: Set(i.0) });
            provider_item::Entity::insert_many(rows).exec_without_returning(&txn).await.map_err(fail)?;
        }
        if next.coverage != before.coverage {
            provider_coverage::Entity::delete_many()
                .filter(provider_coverage::Column::ProviderId.eq(id))
                .exec(&txn)
                .await
                .map_err(fail)?;
            let rows = next
                .coverage
                .iter()
                .map(|c| provider_coverage::ActiveModel { provider_id: Set(id), community_id: Set(c.0) });
            provider_coverage::Entity::insert_many(rows).exec_without_returning(&txn).await.map_err(fail)?;
        }
        if next.streets != before.streets {
            provider_street::Entity::delete_many()
                .filter(provider_street::Column::ProviderId.eq(id))
                .exec(&txn)
                .await
                .map_err(fail)?;
            let rows =
                next.streets.iter().map(|s| provider_street::ActiveModel { provider_id: Set(id), street_id: Set(s.0) });
            provider_street::Entity::insert_many(rows).exec_without_returning(&txn).await.map_err(fail)?;
        }
        // Dispatch on every replica reads providers again at its next order.
        Self::bump_dispatch_counter(&txn).await?;
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.map_err(fail)
    }
}

/// The first of `ids` that no row of `E` has in its integer key `column`.
async fn first_missing<E, C>(db: &C, column: E::Column, ids: &[i32]) -> Result<Option<i32>, sea_orm::DbErr>
where
    E: EntityTrait,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::QuerySelect;
    let known: Vec<i32> =
        E::find().select_only().column(column).filter(column.is_in(ids.to_vec())).into_tuple().all(db).await?;
    Ok(ids.iter().copied().find(|id| !known.contains(id)))
}

impl Availabilities for Store {
    async fn availability(&self, id: ProviderId) -> Result<Option<Availability>, Unexpected> {
        let row = provider::Entity::find_by_id(id.0).one(&self.db).await.context("reading how a provider works")?;
        row.map(|p| {
            Ok(Availability {
                provider: ProviderId(p.id),
                kind: ProviderKind::parse(&p.kind).ok_or_else(|| convert::corrupt("provider kind", p.id, &p.kind))?,
                hours: WorkingHours::parse(&p.working_hours)
                    .map_err(|_| convert::corrupt("working hours", p.id, &p.working_hours))?,
                capacity: p.capacity,
                closed: closed_dates(p.id, &p.closed_dates)?,
                paused_since: p.paused_since,
                name: p.name,
            })
        })
        .transpose()
    }

    async fn set_availability(&self, next: &Availability, audit: AuditEntry) -> Result<(), Unexpected> {
        let what = "changing how a provider works";
        let txn = self.begin(what).await?;
        let closed: Vec<String> = next.closed.iter().map(ToString::to_string).collect();
        provider::Entity::update_many()
            .col_expr(provider::Column::WorkingHours, Expr::value(next.hours.format()))
            .col_expr(provider::Column::Capacity, Expr::value(next.capacity))
            .col_expr(provider::Column::ClosedDates, Expr::value(closed.join(",")))
            .col_expr(provider::Column::PausedSince, Expr::value(next.paused_since))
            .filter(provider::Column::Id.eq(next.provider.0))
            .exec(&txn)
            .await
            .context(what)?;
        // Dispatch on every replica reads providers again at its next order.
        Self::bump_dispatch_counter(&txn).await?;
        super::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)
    }
}

/// The stored closed dates, `YYYY-MM-DD` separated by commas.
pub(super) fn closed_dates(provider: Uuid, stored: &str) -> Result<Vec<NaiveDate>, Unexpected> {
    stored
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().map_err(|_| convert::corrupt("closed dates", provider, stored)))
        .collect()
}
