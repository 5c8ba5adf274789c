//! The order port on sea-orm. Every state change is one conditional update (`… WHERE id = ? AND state = ?`)
//! inside a transaction that also appends the order's event and an outbox row. On PostgreSQL the order row is
//! locked first (`FOR UPDATE`) so that effects checked in the transaction cannot race; SQLite has a single
//! writer and needs no lock.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, InsertStatement, OnConflict, PostgresQueryBuilder};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, SqlErr, Statement, TransactionTrait,
};
use sha2::Digest;
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::catalog::CatalogItem;
use linli_domain::catalog::ItemId;
use linli_domain::dispatch::{Candidate, Scope};
use linli_domain::error::Unexpected;
use linli_domain::geo::{CommunityId, DistrictId, StreetId};
use linli_domain::orders::{
    DeclineOutcome, InsertOrderError, NewOrder, Offer, OfferStatus, Order, OrderAction, OrderEvent, OrderId,
    OrderState, OrderStore, Placed, Reschedule, RescheduleOutcome, Schedule, TimeWindow, Transition, TransitionEffect,
};
use linli_domain::providers::ProviderId;

use super::Store;
use super::convert;
use crate::db::{DbContext, db_err};
use crate::entities::{
    catalog_item, community, order, order_event, order_offer, outbox, provider, provider_offer_day, street,
};

impl OrderStore for Store {
    async fn insert_order(&self, new: NewOrder, at: DateTime<Utc>) -> Result<Placed, InsertOrderError> {
        let fingerprint = new.idempotency_key.as_ref().map(|_| hex_digest(&new.fingerprint()));
        // A repeated key and an unknown item or community are found from the insert's own constraint errors
        // rather than by reading first.
        let (window_start, window_end) = match new.schedule {
            Schedule::Asap => (None, None),
            Schedule::Window(w) => (Some(w.start()), Some(w.end())),
        };
        let row = order::Model {
            id: Uuid::now_v7(),
            resident_id: new.resident.0,
            placed_by: new.placed_by.0,
            item_id: new.item.0,
            community_id: new.community.0,
            address: new.address.as_ref().to_owned(),
            lat: new.location.lat(),
            lng: new.location.lng(),
            window_start,
            window_end,
            notes: new.notes.as_ref().to_owned(),
            state: OrderState::Submitted.as_str().to_owned(),
            provider_id: None,
            idempotency_key: new.idempotency_key.as_ref().map(|k| k.as_ref().to_owned()),
            request_fingerprint: fingerprint.clone(),
            requeued_at: None,
            scope: Scope::Community.as_str().to_owned(),
            round: 0,
            accept_by: new.accept_by,
            high_risk: new.high_risk,
            placed_at: at,
            updated_at: at,
        };
        let placed = convert::order(row.clone())?;
        let (event, announcement) =
            event_rows(&[(placed.id, None, OrderState::Submitted, Some(new.placed_by), "placed", at)]).remove(0);
        let inserted = match self.db.get_database_backend() {
            // One statement, so one round trip instead of five; it is atomic like any single statement.
            DbBackend::Postgres => {
                let order = order::Entity::insert(order::ActiveModel::from(row));
                let event = order_event::Entity::insert(event);
                let announcement = outbox::Entity::insert(announcement);
                let statement = combined_insert(order.into_query(), event.into_query(), announcement.into_query());
                self.db.execute_raw(statement).await.map(|_| ())
            }
            _ => self.insert_in_transaction(row, event, announcement).await,
        };
        match inserted {
            Ok(()) => Ok(Placed::New(placed)),
            Err(err) => self.why_not_inserted(&new, fingerprint.as_deref(), err).await,
        }
    }

    async fn find_order(&self, id: OrderId) -> Result<Option<Order>, Unexpected> {
        let row = order::Entity::find_by_id(id.0).one(&self.db).await.context("reading an order")?;
        row.map(convert::order).transpose()
    }

    async fn find_orders(&self, ids: &[OrderId]) -> Result<Vec<Order>, Unexpected> {
        let rows = order::Entity::find()
            .filter(order::Column::Id.is_in(ids.iter().map(|id| id.0)))
            .all(&self.db)
            .await
            .context("reading orders")?;
        rows.into_iter().map(convert::order).collect()
    }

    async fn order_events(&self, id: OrderId) -> Result<Vec<OrderEvent>, Unexpected> {
        order_event::Entity::find()
            .filter(order_event::Column::OrderId.eq(id.0))
            .order_by_asc(order_event::Column::At)
            .order_by_asc(order_event::Column::Id)
            .all(&self.db)
            .await
            .context("reading an order's history")?
            .into_iter()
            .map(convert::event)
            .collect()
    }

    async fn orders_of_resident(
        &self,
        resident: AccountId,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.newest_orders(order::Column::ResidentId.eq(resident.0), before, limit).await
    }

    /// Escalated orders, newest first: of one community, or all of them.
    async fn escalated_orders(
        &self,
        community: Option<CommunityId>,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let mut filter = Condition::all().add(order::Column::State.eq(OrderState::Escalated.as_str()));
        if let Some(c) = community {
            filter = filter.add(order::Column::CommunityId.eq(c.0));
        }
        self.newest_orders(filter, before, limit).await
    }

    async fn orders_of_provider(
        &self,
        provider: ProviderId,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.newest_orders(order::Column::ProviderId.eq(provider.0), before, limit).await
    }

    async fn offers_of_orders(&self, ids: &[OrderId]) -> Result<Vec<Offer>, Unexpected> {
        order_offer::Entity::find()
            .filter(order_offer::Column::OrderId.is_in(ids.iter().map(|id| id.0)))
            .all(&self.db)
            .await
            .context("reading orders' offers")?
            .into_iter()
            .map(convert::offer)
            .collect()
    }

    async fn offers_of_order(&self, id: OrderId) -> Result<Vec<Offer>, Unexpected> {
        order_offer::Entity::find()
            .filter(order_offer::Column::OrderId.eq(id.0))
            .all(&self.db)
            .await
            .context("reading an order's offers")?
            .into_iter()
            .map(convert::offer)
            .collect()
    }

    async fn open_offers_of_provider(
        &self,
        provider: ProviderId,
        limit: u64,
    ) -> Result<Vec<(Offer, Order)>, Unexpected> {
        let what = "listing a provider's offers";
        let offers = order_offer::Entity::find()
            .filter(order_offer::Column::ProviderId.eq(provider.0))
            .filter(order_offer::Column::Status.eq(OfferStatus::Open.as_str()))
            .order_by_asc(order_offer::Column::OfferedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .context(what)?;
        let ids: Vec<Uuid> = offers.iter().map(|o| o.order_id).collect();
        let mut orders: HashMap<Uuid, order::Model> = order::Entity::find()
            .filter(order::Column::Id.is_in(ids))
            .filter(order::Column::State.eq(OrderState::Offered.as_str()))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        offers
            .into_iter()
            .filter_map(|offer| orders.remove(&offer.order_id).map(|o| (offer, o)))
            .map(|(offer, o)| Ok((convert::offer(offer)?, convert::order(o)?)))
            .collect()
    }

    async fn transition(&self, change: Transition) -> Result<Option<Order>, Unexpected> {
        let what = "changing an order's state";
        let txn = self.db.begin().await.context(what)?;
        let awardee = match &change.effect {
            TransitionEffect::AwardTo(p) | TransitionEffect::AssignTo(p) => Some(*p),
            _ => None,
        };
        // The row is read and locked first only when the change depends on more than the state; otherwise the
        // conditional update below is the whole guard.
        if change.holder.is_some() || awardee.is_some() {
            let Some(row) = order::Entity::find_by_id(change.order.0).lock_exclusive().one(&txn).await.context(what)?
            else {
                return Ok(None);
            };
            if row.state != change.from.as_str() || change.holder.is_some_and(|p| row.provider_id != Some(p.0)) {
                return Ok(None);
            }
            if let TransitionEffect::AwardTo(p) = &change.effect
                && !offer_open_at(&txn, change.order, *p, change.at).await?
            {
                return Ok(None);
            }
            // Never over capacity, however many orders a provider accepts at once: its row is locked while its
            // jobs are counted, so awards to one provider happen one after another.
            if let Some(p) = awardee {
                provider::Entity::find_by_id(p.0).lock_exclusive().one(&txn).await.context(what)?;
                if provider_full(&txn, p, &row, change.at).await? {
                    return Ok(None);
                }
            }
        }
        let provider = match &change.effect {
            TransitionEffect::AwardTo(p) | TransitionEffect::AssignTo(p) => Some(Some(p.0)),
            TransitionEffect::ReleaseFrom(_) => Some(None),
            _ => None,
        };
        let mut update = order::Entity::update_many()
            .col_expr(order::Column::State, Expr::value(change.to.as_str()))
            .col_expr(order::Column::UpdatedAt, Expr::value(change.at))
            .filter(order::Column::Id.eq(change.order.0))
            .filter(order::Column::State.eq(change.from.as_str()));
        if let Some(p) = provider {
            update = update.col_expr(order::Column::ProviderId, Expr::value(p));
        }
        if let TransitionEffect::OpenOffers { scope, round, .. } = &change.effect {
            update = update
                .col_expr(order::Column::Scope, Expr::value(scope.as_str()))
                .col_expr(order::Column::Round, Expr::value(i32::try_from(*round).unwrap_or(i32::MAX)));
        }
        let Some(updated) = update.exec_with_returning(&txn).await.context(what)?.pop() else {
            return Ok(None);
        };
        if !apply_effect(&txn, &change).await? {
            return Ok(None);
        }
        record(&txn, change.order, Some(change.from), change.to, change.actor, &change.note, change.at).await?;
        txn.commit().await.context(what)?;
        convert::order(updated).map(Some)
    }

    async fn reschedule(&self, change: Reschedule) -> Result<RescheduleOutcome, Unexpected> {
        let what = "moving an order's window";
        let txn = self.db.begin().await.context(what)?;
        let Some(row) = order::Entity::find_by_id(change.order.0).lock_exclusive().one(&txn).await.context(what)?
        else {
            return Ok(RescheduleOutcome::StateChanged);
        };
        if row.state != change.from.as_str() {
            return Ok(RescheduleOutcome::StateChanged);
        }
        let moved = order::Model {
            window_start: Some(change.window.start()),
            window_end: Some(change.window.end()),
            updated_at: change.at,
            ..row.clone()
        };
        if let Some(p) = row.provider_id.map(ProviderId) {
            // Under the provider's lock, as an award counts its jobs.
            provider::Entity::find_by_id(p.0).lock_exclusive().one(&txn).await.context(what)?;
            if provider_full(&txn, p, &moved, change.at).await? {
                return Ok(RescheduleOutcome::ProviderFull);
            }
        }
        order::Entity::update_many()
            .col_expr(order::Column::WindowStart, Expr::value(moved.window_start))
            .col_expr(order::Column::WindowEnd, Expr::value(moved.window_end))
            .col_expr(order::Column::UpdatedAt, Expr::value(change.at))
            .filter(order::Column::Id.eq(row.id))
            .exec(&txn)
            .await
            .context(what)?;
        let start = change.window.start().with_timezone(&linli_domain::time::shanghai());
        let note = format!("rescheduled to {}", start.format("%Y-%m-%d %H:%M (Asia/Shanghai)"));
        let (event, mut announcement) =
            event_rows(&[(change.order, Some(change.from), change.from, Some(change.actor), note.as_str(), change.at)])
                .remove(0);
        announcement.topic = Set(super::notifications::RESCHEDULED_TOPIC.to_owned());
        order_event::Entity::insert(event).exec_without_returning(&txn).await.context(what)?;
        outbox::Entity::insert(announcement).exec_without_returning(&txn).await.context(what)?;
        txn.commit().await.context(what)?;
        convert::order(moved).map(|o| RescheduleOutcome::Moved(Box::new(o)))
    }

    async fn transition_batch(&self, changes: Vec<Transition>) -> Result<Vec<bool>, Unexpected> {
        let dispatch_only =
            changes.iter().all(|c| c.holder.is_none() && matches!(c.effect, TransitionEffect::OpenOffers { .. }));
        if changes.len() > 1
            && dispatch_only
            && let Some(applied) = self.open_offers_together(&changes).await?
        {
            return Ok(applied);
        }
        let mut applied = Vec::with_capacity(changes.len());
        for change in changes {
            applied.push(self.transition(change).await?.is_some());
        }
        Ok(applied)
    }

    async fn decline_offer(
        &self,
        id: OrderId,
        provider: ProviderId,
        actor: AccountId,
        at: DateTime<Utc>,
    ) -> Result<DeclineOutcome, Unexpected> {
        let what = "declining an offer";
        let txn = self.db.begin().await.context(what)?;
        let Some(row) = order::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Ok(DeclineOutcome::NoOpenOffer);
        };
        let declined = set_offer_status(&txn, id, Some(provider), OfferStatus::Open, OfferStatus::Declined).await?;
        if declined == 0 {
            return Ok(DeclineOutcome::NoOpenOffer);
        }
        let back =
            return_if_no_open_offers(&txn, &row, Some(actor), "every offer was declined; back to dispatch", at).await?;
        txn.commit().await.context(what)?;
        Ok(DeclineOutcome::Declined { returned_to_dispatch: back })
    }

    async fn expire_offers(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<OrderId>, Unexpected> {
        let what = "expiring offers";
        let due: Vec<OrderId> = order_offer::Entity::find()
            .filter(order_offer::Column::Status.eq(OfferStatus::Open.as_str()))
            .filter(order_offer::Column::Deadline.lte(now))
            .limit(limit)
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|o| o.order_id)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(OrderId)
            .collect();
        self.expire_offers_of(&due, now).await
    }

    async fn expire_offers_of(&self, orders: &[OrderId], now: DateTime<Utc>) -> Result<Vec<OrderId>, Unexpected> {
        let what = "expiring offers";
        let mut returned = Vec::new();
        for &OrderId(id) in orders {
            let txn = self.db.begin().await.context(what)?;
            let Some(row) = order::Entity::find_by_id(id).lock_exclusive().one(&txn).await.context(what)? else {
                continue;
            };
            order_offer::Entity::update_many()
                .col_expr(order_offer::Column::Status, Expr::value(OfferStatus::Expired.as_str()))
                .filter(order_offer::Column::OrderId.eq(id))
                .filter(order_offer::Column::Status.eq(OfferStatus::Open.as_str()))
                .filter(order_offer::Column::Deadline.lte(now))
                .exec(&txn)
                .await
                .context(what)?;
            let note = "no answer before the offer deadline; back to dispatch";
            if return_if_no_open_offers(&txn, &row, None, note, now).await? {
                returned.push(OrderId(id));
            }
            txn.commit().await.context(what)?;
        }
        Ok(returned)
    }

    async fn provider_full(&self, provider: ProviderId, order: OrderId, at: DateTime<Utc>) -> Result<bool, Unexpected> {
        match order::Entity::find_by_id(order.0).one(&self.db).await.context("reading an order")? {
            Some(row) => provider_full(&self.db, provider, &row, at).await,
            None => Ok(false),
        }
    }

    async fn open_offers(&self, limit: u64) -> Result<Vec<Offer>, Unexpected> {
        order_offer::Entity::find()
            .filter(order_offer::Column::Status.eq(OfferStatus::Open.as_str()))
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing open offers")?
            .into_iter()
            .map(convert::offer)
            .collect()
    }

    async fn overdue_orders(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<Order>, Unexpected> {
        let waiting = [OrderState::Submitted.as_str(), OrderState::Offered.as_str()];
        let rows = order::Entity::find()
            .filter(order::Column::State.is_in(waiting))
            .filter(order::Column::AcceptBy.lte(now))
            .limit(limit)
            .all(&self.db)
            .await
            .context("finding overdue orders")?;
        rows.into_iter().map(convert::order).collect()
    }

    async fn waiting_orders(&self, limit: u64) -> Result<Vec<OrderId>, Unexpected> {
        let rows = order::Entity::find()
            .filter(order::Column::State.eq(OrderState::Submitted.as_str()))
            .order_by_asc(order::Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing orders waiting for dispatch")?;
        Ok(rows.into_iter().map(|r| OrderId(r.id)).collect())
    }

    async fn candidates(&self, item: ItemId, now: DateTime<Utc>) -> Result<Vec<Candidate>, Unexpected> {
        self.load_candidates(item, now).await
    }

    async fn catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        Ok(self.catalog_by_id().await?.get(&id).cloned())
    }

    async fn area_of(&self, id: CommunityId) -> Result<Option<(StreetId, DistrictId)>, Unexpected> {
        self.cached_area(id).await
    }

    async fn take_stranded_orders(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<OrderId>, Unexpected> {
        let what = "finding stranded orders";
        let not_recently_requeued =
            || Condition::any().add(order::Column::RequeuedAt.is_null()).add(order::Column::RequeuedAt.lt(cutoff));
        let candidates = order::Entity::find()
            .filter(order::Column::State.eq(OrderState::Submitted.as_str()))
            .filter(order::Column::UpdatedAt.lt(cutoff))
            .filter(not_recently_requeued())
            .order_by_asc(order::Column::UpdatedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .context(what)?;
        let mut taken = Vec::with_capacity(candidates.len());
        for row in candidates {
            // Conditional, so that of several sweeps at once exactly one takes the order.
            let marked = order::Entity::update_many()
                .col_expr(order::Column::RequeuedAt, Expr::value(now))
                .filter(order::Column::Id.eq(row.id))
                .filter(order::Column::State.eq(OrderState::Submitted.as_str()))
                .filter(not_recently_requeued())
                .exec(&self.db)
                .await
                .context(what)?;
            if marked.rows_affected == 1 {
                taken.push(OrderId(row.id));
            }
        }
        Ok(taken)
    }
}

impl Store {
    /// Inserts an order, its first event and its outbox row in one transaction.
    async fn insert_in_transaction(
        &self,
        row: order::Model,
        event: order_event::ActiveModel,
        announcement: outbox::ActiveModel,
    ) -> Result<(), DbErr> {
        let txn = self.db.begin().await?;
        order::Entity::insert(order::ActiveModel::from(row)).exec_without_returning(&txn).await?;
        order_event::Entity::insert(event).exec_without_returning(&txn).await?;
        outbox::Entity::insert(announcement).exec_without_returning(&txn).await?;
        txn.commit().await
    }

    /// Opens the offers of a batch of dispatch transitions in one transaction of a few statements: a conditional
    /// update per kind of move, then the offers, the fairness counts, the events and the outbox rows of the
    /// orders that moved. `None` when some provider was offered one of the orders before (a dispatcher working
    /// from a stale read): nothing is written, and the caller applies the changes one by one instead.
    async fn open_offers_together(&self, changes: &[Transition]) -> Result<Option<Vec<bool>>, Unexpected> {
        let what = "opening offers";
        let txn = self.db.begin().await.context(what)?;
        // Orders making the same move (from, to, scope, round, when) share one conditional update.
        type Move<'a> = (&'a str, &'a str, &'a str, u32, DateTime<Utc>);
        let mut kinds: BTreeMap<Move<'_>, Vec<Uuid>> = BTreeMap::new();
        for c in changes {
            if let TransitionEffect::OpenOffers { scope, round, .. } = &c.effect {
                let kind = (c.from.as_str(), c.to.as_str(), scope.as_str(), *round, c.at);
                kinds.entry(kind).or_default().push(c.order.0);
            }
        }
        let mut moved: HashSet<Uuid> = HashSet::new();
        for ((from, to, scope, round, at), ids) in kinds {
            let rows = order::Entity::update_many()
                .col_expr(order::Column::State, Expr::value(to))
                .col_expr(order::Column::UpdatedAt, Expr::value(at))
                .col_expr(order::Column::Scope, Expr::value(scope))
                .col_expr(order::Column::Round, Expr::value(i32::try_from(round).unwrap_or(i32::MAX)))
                .filter(order::Column::Id.is_in(ids))
                .filter(order::Column::State.eq(from))
                .exec_with_returning(&txn)
                .await
                .context(what)?;
            moved.extend(rows.into_iter().map(|r| r.id));
        }
        let applied: Vec<&Transition> = changes.iter().filter(|c| moved.contains(&c.order.0)).collect();
        let mut offered = Vec::new();
        let mut rows = Vec::new();
        for c in &applied {
            if let TransitionEffect::OpenOffers { offers, deadline, .. } = &c.effect {
                for (p, why) in offers {
                    offered.push(*p);
                    rows.push(order_offer::ActiveModel {
                        order_id: Set(c.order.0),
                        provider_id: Set(p.0),
                        status: Set(OfferStatus::Open.as_str().to_owned()),
                        offered_at: Set(c.at),
                        deadline: Set(*deadline),
                        explanation: Set(why.clone()),
                    });
                }
            }
        }
        if !rows.is_empty() {
            let inserted = order_offer::Entity::insert_many(rows).exec_without_returning(&txn).await;
            if let Err(err) = inserted {
                return match err.sql_err() {
                    Some(SqlErr::UniqueConstraintViolation(_)) => Ok(None),
                    _ => Err(db_err(what)(err)),
                };
            }
        }
        if let Some(first) = applied.first() {
            count_offers(&txn, &offered, first.at).await?;
        }
        let events: Vec<EventRow> =
            applied.iter().map(|c| (c.order, Some(c.from), c.to, c.actor, c.note.as_str(), c.at)).collect();
        record_all(&txn, &events).await?;
        txn.commit().await.context(what)?;
        Ok(Some(changes.iter().map(|c| moved.contains(&c.order.0)).collect()))
    }

    /// Reads which street and district a community lies in.
    pub(super) async fn load_area(&self, id: CommunityId) -> Result<Option<(StreetId, DistrictId)>, Unexpected> {
        let what = "locating a community";
        let Some(c) = community::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        let s = street::Entity::find_by_id(c.street_id).one(&self.db).await.context(what)?;
        Ok(s.map(|s| (StreetId(s.id), DistrictId(s.district_id))))
    }

    /// Explains a failed order insert: the key was used before (for this same order, which is then the answer,
    /// or for a different one), or the item or community does not exist.
    async fn why_not_inserted(
        &self,
        new: &NewOrder,
        fingerprint: Option<&str>,
        err: DbErr,
    ) -> Result<Placed, InsertOrderError> {
        let e = db_err("placing an order");
        match (err.sql_err(), &new.idempotency_key) {
            // The same key again, or two requests with one key raced and the other committed first.
            (Some(SqlErr::UniqueConstraintViolation(_)), Some(key)) => {
                match find_by_key(&self.db, new.resident, key.as_ref()).await? {
                    Some(existing) => same_request(existing, fingerprint),
                    None => Err(e(err).into()),
                }
            }
            (Some(SqlErr::ForeignKeyConstraintViolation(_)), _) => {
                let item = catalog_item::Entity::find_by_id(new.item.0).one(&self.db).await;
                if item.context("placing an order")?.is_none() {
                    return Err(InsertOrderError::UnknownItem);
                }
                let community = community::Entity::find_by_id(new.community.0).one(&self.db).await;
                if community.context("placing an order")?.is_none() {
                    return Err(InsertOrderError::UnknownCommunity);
                }
                Err(e(err).into())
            }
            _ => Err(e(err).into()),
        }
    }
}

async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    resident: AccountId,
    key: &str,
) -> Result<Option<order::Model>, Unexpected> {
    order::Entity::find()
        .filter(order::Column::ResidentId.eq(resident.0))
        .filter(order::Column::IdempotencyKey.eq(key))
        .one(db)
        .await
        .context("looking up an idempotency key")
}

/// The order an idempotency key made, if this request says the same as the one that made it.
fn same_request(existing: order::Model, fingerprint: Option<&str>) -> Result<Placed, InsertOrderError> {
    if existing.request_fingerprint.as_deref() != fingerprint {
        return Err(InsertOrderError::KeyReused);
    }
    Ok(Placed::Existing(convert::order(existing)?))
}

fn hex_digest(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the provider already holds as many jobs overlapping this order's window as it can.
pub(super) async fn provider_full<C: ConnectionTrait>(
    db: &C,
    provider: ProviderId,
    row: &order::Model,
    at: DateTime<Utc>,
) -> Result<bool, Unexpected> {
    let what = "counting a provider's jobs";
    let Some(p) = provider::Entity::find_by_id(provider.0).one(db).await.context(what)? else {
        return Ok(true);
    };
    let minutes = |item: i32| async move {
        let found = catalog_item::Entity::find_by_id(item).one(db).await.context(what)?;
        Ok::<i64, Unexpected>(found.map_or(60, |i| i64::from(i.duration_minutes.max(1))))
    };
    let window_of =
        |start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>, from: DateTime<Utc>, length: i64| match (start, end)
        {
            (Some(s), Some(e)) => TimeWindow::from_stored(s, e),
            _ => TimeWindow::from_stored(from, from + chrono::Duration::minutes(length)),
        };
    let wanted = window_of(row.window_start, row.window_end, at, minutes(row.item_id).await?);
    let held = order::Entity::find()
        .filter(order::Column::ProviderId.eq(provider.0))
        .filter(order::Column::State.is_in([OrderState::Accepted.as_str(), OrderState::InService.as_str()]))
        .filter(order::Column::Id.ne(row.id))
        .all(db)
        .await
        .context(what)?;
    let mut overlapping = 0;
    for job in held {
        let length = minutes(job.item_id).await?;
        if window_of(job.window_start, job.window_end, job.updated_at, length).overlaps(&wanted) {
            overlapping += 1;
        }
    }
    Ok(overlapping >= i64::from(p.capacity.max(0)))
}

/// Whether the provider holds an open offer for the order whose deadline has not passed at `at`.
async fn offer_open_at(
    txn: &DatabaseTransaction,
    id: OrderId,
    provider: ProviderId,
    at: DateTime<Utc>,
) -> Result<bool, Unexpected> {
    let row = order_offer::Entity::find_by_id((id.0, provider.0)).one(txn).await.context("reading an offer")?;
    Ok(row.is_some_and(|r| r.status == OfferStatus::Open.as_str() && r.deadline > at))
}

/// Once the order has no open offer left, returns it to dispatch in the caller's transaction (if the state
/// machine allows it from its state). True when it did.
async fn return_if_no_open_offers(
    txn: &DatabaseTransaction,
    row: &order::Model,
    actor: Option<AccountId>,
    note: &str,
    at: DateTime<Utc>,
) -> Result<bool, Unexpected> {
    let what = "returning an order to dispatch";
    let still_open = order_offer::Entity::find()
        .filter(order_offer::Column::OrderId.eq(row.id))
        .filter(order_offer::Column::Status.eq(OfferStatus::Open.as_str()))
        .count(txn)
        .await
        .context(what)?;
    let from = convert::state(row.id, &row.state)?;
    let Some(to) = (still_open == 0).then(|| from.apply(OrderAction::OffersLapsed).ok()).flatten() else {
        return Ok(false);
    };
    order::Entity::update_many()
        .col_expr(order::Column::State, Expr::value(to.as_str()))
        .col_expr(order::Column::UpdatedAt, Expr::value(at))
        .filter(order::Column::Id.eq(row.id))
        .filter(order::Column::State.eq(from.as_str()))
        .exec(txn)
        .await
        .context(what)?;
    record(txn, OrderId(row.id), Some(from), to, actor, note, at).await?;
    Ok(true)
}

/// Moves offers of an order from one status to another: one provider's, or everyone's when `provider` is `None`.
async fn set_offer_status(
    txn: &DatabaseTransaction,
    id: OrderId,
    provider: Option<ProviderId>,
    from: OfferStatus,
    to: OfferStatus,
) -> Result<u64, Unexpected> {
    let mut update = order_offer::Entity::update_many()
        .col_expr(order_offer::Column::Status, Expr::value(to.as_str()))
        .filter(order_offer::Column::OrderId.eq(id.0))
        .filter(order_offer::Column::Status.eq(from.as_str()));
    if let Some(p) = provider {
        update = update.filter(order_offer::Column::ProviderId.eq(p.0));
    }
    Ok(update.exec(txn).await.context("updating offers")?.rows_affected)
}

/// Carries out the transition's effect on offers. False when it cannot: a provider would be offered the order a
/// second time (a dispatcher working from a stale read), which the offers' primary key refuses.
async fn apply_effect(txn: &DatabaseTransaction, change: &Transition) -> Result<bool, Unexpected> {
    match &change.effect {
        TransitionEffect::None => Ok(true),
        TransitionEffect::AssignTo(p) => {
            // The hand assignment stands as the provider's won offer, with the worker's reason as its explanation.
            order_offer::Entity::delete_by_id((change.order.0, p.0)).exec(txn).await.context("assigning")?;
            order_offer::Entity::insert(order_offer::ActiveModel {
                order_id: Set(change.order.0),
                provider_id: Set(p.0),
                status: Set(OfferStatus::Won.as_str().to_owned()),
                offered_at: Set(change.at),
                deadline: Set(change.at),
                explanation: Set(change.note.clone()),
            })
            .exec_without_returning(txn)
            .await
            .context("assigning")?;
            count_offers(txn, &[*p], change.at).await.map(|()| true)
        }
        TransitionEffect::OpenOffers { offers, deadline, .. } => {
            let rows = offers.iter().map(|(p, why)| order_offer::ActiveModel {
                order_id: Set(change.order.0),
                provider_id: Set(p.0),
                status: Set(OfferStatus::Open.as_str().to_owned()),
                offered_at: Set(change.at),
                deadline: Set(*deadline),
                explanation: Set(why.clone()),
            });
            let inserted = order_offer::Entity::insert_many(rows).exec_without_returning(txn).await;
            if let Err(err) = inserted {
                return match err.sql_err() {
                    Some(SqlErr::UniqueConstraintViolation(_)) => Ok(false),
                    _ => Err(db_err("recording offers")(err)),
                };
            }
            let providers: Vec<ProviderId> = offers.iter().map(|(p, _)| *p).collect();
            count_offers(txn, &providers, change.at).await.map(|()| true)
        }
        TransitionEffect::AwardTo(p) => {
            set_offer_status(txn, change.order, Some(*p), OfferStatus::Open, OfferStatus::Won).await?;
            set_offer_status(txn, change.order, None, OfferStatus::Open, OfferStatus::Withdrawn).await.map(|_| true)
        }
        TransitionEffect::ReleaseFrom(p) => {
            set_offer_status(txn, change.order, Some(*p), OfferStatus::Won, OfferStatus::Released).await.map(|_| true)
        }
        TransitionEffect::WithdrawOffers => {
            set_offer_status(txn, change.order, None, OfferStatus::Open, OfferStatus::Withdrawn).await.map(|_| true)
        }
        TransitionEffect::CreditServiceHours(member) => {
            super::volunteering::credit_order(txn, *member, change.order.0, change.at).await.map(|()| true)
        }
    }
}

/// Counts offers toward each provider's fairness share, in the offering transaction; a provider may appear more
/// than once. Rows are written in id order, so that two transactions counting the same providers take their row
/// locks in the same order.
async fn count_offers(
    txn: &DatabaseTransaction,
    providers: &[ProviderId],
    at: DateTime<Utc>,
) -> Result<(), Unexpected> {
    use sea_orm::ExprTrait;
    let mut counts: BTreeMap<Uuid, i64> = BTreeMap::new();
    for p in providers {
        *counts.entry(p.0).or_default() += 1;
    }
    if counts.is_empty() {
        return Ok(());
    }
    let rows = counts.into_iter().map(|(p, n)| provider_offer_day::ActiveModel {
        provider_id: Set(p),
        day: Set(at.date_naive()),
        offers: Set(n),
        last_offered_at: Set(at),
    });
    let offers = (provider_offer_day::Entity, provider_offer_day::Column::Offers);
    provider_offer_day::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([provider_offer_day::Column::ProviderId, provider_offer_day::Column::Day])
                .value(provider_offer_day::Column::Offers, Expr::col(offers).add(Expr::cust("excluded.offers")))
                .update_column(provider_offer_day::Column::LastOfferedAt)
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .context("counting offers")?;
    Ok(())
}

/// One event of an order: which, from and to what state, who moved it, why, and when.
type EventRow<'a> = (OrderId, Option<OrderState>, OrderState, Option<AccountId>, &'a str, DateTime<Utc>);

/// Appends the order's event and the outbox row that will announce it, in the caller's transaction.
async fn record(
    txn: &DatabaseTransaction,
    id: OrderId,
    from: Option<OrderState>,
    to: OrderState,
    actor: Option<AccountId>,
    note: &str,
    at: DateTime<Utc>,
) -> Result<(), Unexpected> {
    record_all(txn, &[(id, from, to, actor, note, at)]).await
}

/// Appends each order's event and the outbox row that will announce it, two statements for any number.
async fn record_all(txn: &DatabaseTransaction, events: &[EventRow<'_>]) -> Result<(), Unexpected> {
    if events.is_empty() {
        return Ok(());
    }
    let what = "recording an order event";
    let (rows, announcements): (Vec<_>, Vec<_>) = event_rows(events).into_iter().unzip();
    order_event::Entity::insert_many(rows).exec_without_returning(txn).await.context(what)?;
    outbox::Entity::insert_many(announcements).exec_without_returning(txn).await.context(what)?;
    Ok(())
}

/// Each event's row, and the outbox row that will announce it.
fn event_rows(events: &[EventRow<'_>]) -> Vec<(order_event::ActiveModel, outbox::ActiveModel)> {
    events
        .iter()
        .map(|&(id, from, to, actor, note, at)| {
            let event_id = Uuid::now_v7();
            let payload = serde_json::json!({
                "event_id": event_id,
                "order_id": id.0,
                "from": from.map(OrderState::as_str),
                "to": to.as_str(),
                "actor": actor.map(|a| a.0),
                "note": note,
                "at": at,
            });
            let event = order_event::ActiveModel {
                id: Set(event_id),
                order_id: Set(id.0),
                at: Set(at),
                from_state: Set(from.map(|s| s.as_str().to_owned())),
                to_state: Set(to.as_str().to_owned()),
                actor_id: Set(actor.map(|a| a.0)),
                note: Set(note.to_owned()),
            };
            let announcement = outbox::ActiveModel {
                id: Set(Uuid::now_v7()),
                topic: Set(format!("order.{}", to.as_str())),
                payload: Set(payload.to_string()),
                created_at: Set(at),
                delivered_at: Set(None),
                claimed_until: Set(None),
            };
            (event, announcement)
        })
        .collect()
}

/// Three PostgreSQL inserts as one statement: the first two as data-modifying `WITH` parts. Foreign keys are
/// checked at the end of the statement, so the event may name the order inserted beside it.
fn combined_insert(first: InsertStatement, second: InsertStatement, third: InsertStatement) -> Statement {
    let mut sql = String::from("WITH ");
    let mut values: Vec<sea_orm::Value> = Vec::new();
    for (n, insert) in [first, second, third].into_iter().enumerate() {
        let (part, part_values) = insert.build(PostgresQueryBuilder);
        // Each part numbers its placeholders from $1; shift them past the parts before it.
        let shifted = shift_placeholders(&part, values.len());
        values.extend(part_values.0);
        match n {
            0 => sql.push_str(&format!("first AS ({shifted}), ")),
            1 => sql.push_str(&format!("second AS ({shifted}) ")),
            _ => sql.push_str(&shifted),
        }
    }
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Renumbers `$n` placeholders as `$(n + by)`. The query builder binds every value, so `$` followed by digits
/// appears in the SQL only as a placeholder.
fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => out.push_str(&(n + by).to_string()),
                Err(_) => out.push_str(&digits),
            }
        }
    }
    out
}

impl Store {
    async fn newest_orders(
        &self,
        owner: impl sea_orm::sea_query::IntoCondition,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let mut query = order::Entity::find().filter(owner);
        if let Some(before) = before {
            query = query.filter(order::Column::Id.lt(before.0));
        }
        query
            .order_by_desc(order::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing orders")?
            .into_iter()
            .map(convert::order)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::shift_placeholders;

    #[test]
    fn placeholders_are_shifted_and_nothing_else_changes() {
        assert_eq!(
            shift_placeholders(r#"INSERT INTO "t" ("a", "b") VALUES ($1, $2)"#, 3),
            r#"INSERT INTO "t" ("a", "b") VALUES ($4, $5)"#
        );
        assert_eq!(shift_placeholders("VALUES ($10)", 0), "VALUES ($10)");
        assert_eq!(shift_placeholders("a $ b", 2), "a $ b");
    }
}
