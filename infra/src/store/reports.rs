//! The facts of the area dashboard: an area's orders with when they were first accepted and whether they were
//! escalated, its volunteer hours, its open escalations, its map, and the offers made for its orders. Two or three reads each, however many
//! orders: the events of the area's orders are read through a subquery, not an id list.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::catalog::ItemId;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::providers::{ProviderId, ProviderKind};
use linli_domain::reports::{
    Area, AreaFacts, AreaMap, HoursFact, MapCommunity, MapProvider, OfferEnd, OfferFact, OrderFact,
};

use super::{Store, convert};
use crate::db::DbContext;
use crate::entities::states::{StoredOfferStatus, StoredOrderState};
use crate::entities::{
    community, order, order_event, order_offer, provider, provider_coverage, provider_street, service_hour,
};

/// The ids of the area's communities, as a subquery.
fn communities_of(area: Area) -> SelectStatement {
    let mut q = Query::select().column(community::Column::Id).from(community::Entity).to_owned();
    match area {
        Area::Community(c) => q.and_where(Expr::col(community::Column::Id).eq(c.0)),
        Area::Street(s) => q.and_where(Expr::col(community::Column::StreetId).eq(s.0)),
    };
    q
}

/// The street the area is on, or is.
async fn street_of(store: &Store, area: Area) -> Result<Option<i32>, Unexpected> {
    Ok(match area {
        Area::Street(s) => Some(s.0),
        Area::Community(c) => community::Entity::find_by_id(c.0)
            .one(&store.db)
            .await
            .context("reading a community's street")?
            .map(|c| c.street_id),
    })
}

fn placed_in(area: Area, from: DateTime<Utc>, to: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(order::Column::CommunityId.in_subquery(communities_of(area)))
        .add(order::Column::PlacedAt.gte(from))
        .add(order::Column::PlacedAt.lt(to))
}

impl AreaFacts for Store {
    async fn area_exists(&self, area: Area) -> Result<bool, Unexpected> {
        Ok(street_of(self, area).await?.is_some())
    }

    async fn order_facts(
        &self,
        area: Area,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<OrderFact>, Unexpected> {
        let what = "reading an area's orders";
        let orders: Vec<(Uuid, DateTime<Utc>, StoredOrderState)> = order::Entity::find()
            .select_only()
            .columns([order::Column::Id, order::Column::PlacedAt, order::Column::State])
            .filter(placed_in(area, from, to))
            .into_tuple()
            .all(&self.db)
            .await
            .context(what)?;
        let ids = Query::select()
            .column(order::Column::Id)
            .from(order::Entity)
            .cond_where(placed_in(area, from, to))
            .to_owned();
        let events: Vec<(Uuid, DateTime<Utc>, StoredOrderState)> = order_event::Entity::find()
            .select_only()
            .columns([order_event::Column::OrderId, order_event::Column::At, order_event::Column::ToState])
            .filter(order_event::Column::OrderId.in_subquery(ids))
            .filter(order_event::Column::ToState.is_in([StoredOrderState::Accepted, StoredOrderState::Escalated]))
            .order_by_asc(order_event::Column::At)
            .into_tuple()
            .all(&self.db)
            .await
            .context(what)?;
        let mut accepted: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
        let mut escalated: HashSet<Uuid> = HashSet::new();
        for (id, at, to_state) in events {
            match to_state {
                StoredOrderState::Accepted => {
                    accepted.entry(id).or_insert(at);
                }
                _ => {
                    escalated.insert(id);
                }
            }
        }
        Ok(orders
            .into_iter()
            .map(|(id, placed_at, state)| OrderFact {
                placed_at,
                accepted_at: accepted.get(&id).copied(),
                escalated: escalated.contains(&id),
                withdrawn: state == StoredOrderState::Cancelled && !accepted.contains_key(&id),
            })
            .collect())
    }

    async fn hours_facts(
        &self,
        area: Area,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<HoursFact>, Unexpected> {
        let rows: Vec<(DateTime<Utc>, i32)> = service_hour::Entity::find()
            .select_only()
            .columns([service_hour::Column::StartedAt, service_hour::Column::Minutes])
            .filter(service_hour::Column::CommunityId.in_subquery(communities_of(area)))
            .filter(service_hour::Column::StartedAt.gte(from))
            .filter(service_hour::Column::StartedAt.lt(to))
            .into_tuple()
            .all(&self.db)
            .await
            .context("reading an area's volunteer hours")?;
        Ok(rows.into_iter().map(|(started_at, minutes)| HoursFact { started_at, minutes }).collect())
    }

    async fn open_escalations(&self, area: Area) -> Result<u64, Unexpected> {
        order::Entity::find()
            .filter(order::Column::CommunityId.in_subquery(communities_of(area)))
            .filter(order::Column::State.eq(StoredOrderState::Escalated))
            .count(&self.db)
            .await
            .context("counting an area's open escalations")
    }

    async fn offer_facts(
        &self,
        area: Option<Area>,
        item: Option<ItemId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<OfferFact>, Unexpected> {
        let what = "reading an area's offers";
        let mut orders = Query::select().column(order::Column::Id).from(order::Entity).to_owned();
        if let Some(area) = area {
            orders.and_where(order::Column::CommunityId.in_subquery(communities_of(area)));
        }
        if let Some(item) = item {
            orders.and_where(Expr::col(order::Column::ItemId).eq(item.0));
        }
        let offers = order_offer::Entity::find()
            .filter(order_offer::Column::OrderId.in_subquery(orders.clone()))
            .filter(order_offer::Column::OfferedAt.gte(from))
            .filter(order_offer::Column::OfferedAt.lt(to))
            .all(&self.db)
            .await
            .context(what)?;
        // When each order was accepted, every time it was: an offer's acceptance is the first after it was made.
        let accepted: Vec<(Uuid, DateTime<Utc>)> = order_event::Entity::find()
            .select_only()
            .columns([order_event::Column::OrderId, order_event::Column::At])
            .filter(order_event::Column::OrderId.in_subquery(orders))
            .filter(order_event::Column::ToState.eq(StoredOrderState::Accepted))
            .filter(order_event::Column::At.gte(from))
            .order_by_asc(order_event::Column::At)
            .into_tuple()
            .all(&self.db)
            .await
            .context(what)?;
        let mut acceptances: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
        for (id, at) in accepted {
            acceptances.entry(id).or_default().push(at);
        }
        let ids: HashSet<Uuid> = offers.iter().map(|o| o.provider_id).collect();
        let providers: HashMap<Uuid, (String, f64)> = provider::Entity::find()
            .filter(provider::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|p| (p.id, (p.name, p.target_share)))
            .collect();
        Ok(offers
            .into_iter()
            .map(|o| {
                let end = match o.status {
                    StoredOfferStatus::Open => OfferEnd::Open,
                    // A hand assignment stands as a won offer made and due at the same moment.
                    StoredOfferStatus::Won if o.deadline == o.offered_at => OfferEnd::Assigned,
                    StoredOfferStatus::Won => OfferEnd::Accepted,
                    StoredOfferStatus::Released => OfferEnd::HandedBack,
                    StoredOfferStatus::Declined => OfferEnd::Declined,
                    StoredOfferStatus::Expired => OfferEnd::Lapsed,
                    StoredOfferStatus::Withdrawn => OfferEnd::Withdrawn,
                };
                let took = matches!(end, OfferEnd::Accepted | OfferEnd::HandedBack);
                let seconds_to_accept = acceptances
                    .get(&o.order_id)
                    .and_then(|times| times.iter().find(|at| **at >= o.offered_at))
                    .filter(|_| took)
                    .map(|at| (*at - o.offered_at).num_seconds());
                let (name, target_share) = providers.get(&o.provider_id).cloned().unwrap_or((String::new(), 1.0));
                OfferFact {
                    provider: ProviderId(o.provider_id),
                    provider_name: name,
                    target_share,
                    end,
                    seconds_to_accept,
                }
            })
            .collect())
    }

    async fn area_map(&self, area: Area) -> Result<AreaMap, Unexpected> {
        let what = "reading an area's map";
        let Some(street) = street_of(self, area).await? else {
            return Ok(AreaMap {
                communities: Vec::new(),
                providers: Vec::new(),
                stations: Vec::new(),
                within_circle: 0,
            });
        };
        let communities = community::Entity::find()
            .filter(community::Column::StreetId.eq(street))
            .order_by_asc(community::Column::Id)
            .all(&self.db)
            .await
            .context(what)?;
        let ids: Vec<i32> = communities.iter().map(|c| c.id).collect();
        let covering = Query::select()
            .column(provider_coverage::Column::ProviderId)
            .from(provider_coverage::Entity)
            .and_where(Expr::col(provider_coverage::Column::CommunityId).is_in(ids.clone()))
            .to_owned();
        let street_wide = Query::select()
            .column(provider_street::Column::ProviderId)
            .from(provider_street::Entity)
            .and_where(Expr::col(provider_street::Column::StreetId).eq(street))
            .to_owned();
        let providers = provider::Entity::find()
            .filter(provider::Column::Kind.ne(ProviderKind::PartyMember.as_str()))
            .filter(provider::Column::Active.eq(true))
            .filter(
                Condition::any()
                    .add(provider::Column::CommunityId.is_in(ids))
                    .add(provider::Column::Id.in_subquery(covering))
                    .add(provider::Column::Id.in_subquery(street_wide)),
            )
            .order_by_asc(provider::Column::Name)
            .all(&self.db)
            .await
            .context(what)?;
        Ok(AreaMap {
            communities: communities
                .into_iter()
                .map(|c| {
                    Ok(MapCommunity {
                        id: CommunityId(c.id),
                        center: convert::point(c.id, c.lat, c.lng)?,
                        name: c.name,
                        station_minutes: None,
                    })
                })
                .collect::<Result<_, Unexpected>>()?,
            providers: providers.into_iter().map(map_provider).collect::<Result<_, Unexpected>>()?,
            // Drawn by the report desk from every station of the city.
            stations: Vec::new(),
            within_circle: 0,
        })
    }

    async fn red_stations(&self) -> Result<Vec<MapProvider>, Unexpected> {
        provider::Entity::find()
            .filter(provider::Column::Kind.eq(ProviderKind::RedStation.as_str()))
            .filter(provider::Column::Active.eq(true))
            .order_by_asc(provider::Column::Id)
            .all(&self.db)
            .await
            .context("reading the red stations")?
            .into_iter()
            .map(map_provider)
            .collect()
    }
}

fn map_provider(p: provider::Model) -> Result<MapProvider, Unexpected> {
    let kind = ProviderKind::parse(&p.kind).ok_or_else(|| convert::corrupt("kind", p.id, &p.kind))?;
    Ok(MapProvider { id: ProviderId(p.id), location: convert::point(p.id, p.lat, p.lng)?, name: p.name, kind })
}
