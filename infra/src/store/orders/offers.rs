//! The offers port: reading offers, declining, expiring, and the capacity an award must respect.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::orders::{DeclineOutcome, JobReason, Offer, OfferStatus, Offers, Order, OrderId, TimeWindow};
use linli_domain::providers::ProviderId;
use linli_domain::words::Note;

use super::effects::{return_if_no_open_offers, set_offer_status};
use crate::db::DbContext;
use crate::entities::states::{StoredOfferStatus, StoredOrderState};
use crate::entities::{catalog_item, order, order_offer, provider};
use crate::store::{Store, convert};

impl Offers for Store {
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
        // Offers on orders still in dispatch, each with its order, in one join.
        order_offer::Entity::find()
            .filter(order_offer::Column::ProviderId.eq(provider.0))
            .filter(order_offer::Column::Status.eq(StoredOfferStatus::Open))
            .find_also_related(order::Entity)
            .filter(order::Column::State.eq(StoredOrderState::Offered))
            .order_by_asc(order_offer::Column::OfferedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .filter_map(|(offer, order)| order.map(|o| (offer, o)))
            .map(|(offer, o)| Ok((convert::offer(offer)?, convert::order(o)?)))
            .collect()
    }

    async fn decline_offer(
        &self,
        id: OrderId,
        provider: ProviderId,
        actor: AccountId,
        reason: Option<JobReason>,
        at: DateTime<Utc>,
    ) -> Result<DeclineOutcome, Unexpected> {
        let what = "declining an offer";
        let txn = self.begin(what).await?;
        let Some(row) = order::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Ok(DeclineOutcome::NoOpenOffer);
        };
        let declined = set_offer_status(&txn, id, Some(provider), OfferStatus::Open, OfferStatus::Declined).await?;
        if declined == 0 {
            return Ok(DeclineOutcome::NoOpenOffer);
        }
        if let Some(reason) = reason {
            order_offer::Entity::update_many()
                .col_expr(order_offer::Column::DeclineReason, Expr::value(reason.as_str()))
                .filter(order_offer::Column::OrderId.eq(id.0))
                .filter(order_offer::Column::ProviderId.eq(provider.0))
                .exec(&txn)
                .await
                .context(what)?;
        }
        let note = Note::EveryOfferDeclined.stored();
        let back = return_if_no_open_offers(&txn, &row, Some(actor), &note, at).await?;
        txn.commit().await.context(what)?;
        Ok(DeclineOutcome::Declined { returned_to_dispatch: back })
    }

    async fn expire_offers(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<OrderId>, Unexpected> {
        let what = "expiring offers";
        let due: Vec<OrderId> = order_offer::Entity::find()
            .filter(order_offer::Column::Status.eq(StoredOfferStatus::Open))
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
            let txn = self.begin(what).await?;
            let Some(row) = order::Entity::find_by_id(id).lock_exclusive().one(&txn).await.context(what)? else {
                continue;
            };
            order_offer::Entity::update_many()
                .col_expr(order_offer::Column::Status, Expr::value(StoredOfferStatus::Expired))
                .filter(order_offer::Column::OrderId.eq(id))
                .filter(order_offer::Column::Status.eq(StoredOfferStatus::Open))
                .filter(order_offer::Column::Deadline.lte(now))
                .exec(&txn)
                .await
                .context(what)?;
            let note = Note::OfferLapsed.stored();
            if return_if_no_open_offers(&txn, &row, None, &note, now).await? {
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
            .filter(order_offer::Column::Status.eq(StoredOfferStatus::Open))
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing open offers")?
            .into_iter()
            .map(convert::offer)
            .collect()
    }
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
        .filter(order::Column::State.is_in([StoredOrderState::Accepted, StoredOrderState::InService]))
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
