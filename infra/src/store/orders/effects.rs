//! What a transition does to offers, in the transition's own transaction: opening, awarding, withdrawing and
//! releasing them, counting offers toward fairness, and returning an order to dispatch once none is open.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, SqlErr};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::orders::{OfferStatus, OrderAction, OrderId, OrderState, Transition, TransitionEffect};
use linli_domain::providers::ProviderId;

use super::journal::{EventRow, record, record_all};
use crate::db::{DbContext, db_err};
use crate::entities::states::{StoredOfferStatus, StoredOrderState, StoredScope};
use crate::entities::{order, order_offer, provider_offer_day};
use crate::store::Store;

impl Store {
    /// Opens the offers of a batch of dispatch transitions in one transaction of a few statements: a conditional
    /// update per kind of move, then the offers, the fairness counts, the events and the outbox rows of the
    /// orders that moved. `None` when some provider was offered one of the orders before (a dispatcher working
    /// from a stale read): nothing is written, and the caller applies the changes one by one instead.
    pub(super) async fn open_offers_together(&self, changes: &[Transition]) -> Result<Option<Vec<bool>>, Unexpected> {
        let what = "opening offers";
        let txn = self.begin(what).await?;
        // Orders making the same move (from, to, scope, round, when) share one conditional update.
        type Move = (StoredOrderState, StoredOrderState, StoredScope, u32, DateTime<Utc>);
        let mut kinds: BTreeMap<Move, Vec<Uuid>> = BTreeMap::new();
        for c in changes {
            if let TransitionEffect::OpenOffers { scope, round, .. } = &c.effect {
                let kind = (c.from.into(), c.to.into(), (*scope).into(), *round, c.at);
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
                        status: Set(StoredOfferStatus::Open),
                        offered_at: Set(c.at),
                        deadline: Set(*deadline),
                        explanation: Set(why.clone()),
                        // Left out of the insert: an offer has no reason to decline yet.
                        decline_reason: sea_orm::ActiveValue::NotSet,
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
}

/// Whether the provider holds an open offer for the order whose deadline has not passed at `at`.
pub(super) async fn offer_open_at(
    txn: &DatabaseTransaction,
    id: OrderId,
    provider: ProviderId,
    at: DateTime<Utc>,
) -> Result<bool, Unexpected> {
    let row = order_offer::Entity::find_by_id((id.0, provider.0)).one(txn).await.context("reading an offer")?;
    Ok(row.is_some_and(|r| r.status == StoredOfferStatus::Open && r.deadline > at))
}

/// Once the order has no open offer left, returns it to dispatch in the caller's transaction (if the state
/// machine allows it from its state). True when it did.
pub(super) async fn return_if_no_open_offers(
    txn: &DatabaseTransaction,
    row: &order::Model,
    actor: Option<AccountId>,
    note: &str,
    at: DateTime<Utc>,
) -> Result<bool, Unexpected> {
    let what = "returning an order to dispatch";
    let still_open = order_offer::Entity::find()
        .filter(order_offer::Column::OrderId.eq(row.id))
        .filter(order_offer::Column::Status.eq(StoredOfferStatus::Open))
        .count(txn)
        .await
        .context(what)?;
    let from = OrderState::from(row.state);
    let Some(to) = (still_open == 0).then(|| from.apply(OrderAction::OffersLapsed).ok()).flatten() else {
        return Ok(false);
    };
    order::Entity::update_many()
        .col_expr(order::Column::State, Expr::value(StoredOrderState::from(to)))
        .col_expr(order::Column::UpdatedAt, Expr::value(at))
        .filter(order::Column::Id.eq(row.id))
        .filter(order::Column::State.eq(StoredOrderState::from(from)))
        .exec(txn)
        .await
        .context(what)?;
    record(txn, OrderId(row.id), Some(from), to, actor, note, at).await?;
    Ok(true)
}

/// Moves offers of an order from one status to another: one provider's, or everyone's when `provider` is `None`.
pub(super) async fn set_offer_status(
    txn: &DatabaseTransaction,
    id: OrderId,
    provider: Option<ProviderId>,
    from: OfferStatus,
    to: OfferStatus,
) -> Result<u64, Unexpected> {
    let mut update = order_offer::Entity::update_many()
        .col_expr(order_offer::Column::Status, Expr::value(StoredOfferStatus::from(to)))
        .filter(order_offer::Column::OrderId.eq(id.0))
        .filter(order_offer::Column::Status.eq(StoredOfferStatus::from(from)));
    if let Some(p) = provider {
        update = update.filter(order_offer::Column::ProviderId.eq(p.0));
    }
    Ok(update.exec(txn).await.context("updating offers")?.rows_affected)
}

/// Carries out the transition's effect on offers. False when it cannot: a provider would be offered the order a
/// second time (a dispatcher working from a stale read), which the offers' primary key refuses.
pub(super) async fn apply_effect(txn: &DatabaseTransaction, change: &Transition) -> Result<bool, Unexpected> {
    match &change.effect {
        TransitionEffect::None => Ok(true),
        TransitionEffect::AssignTo(p) => {
            // The hand assignment stands as the provider's won offer, with the worker's reason as its explanation.
            order_offer::Entity::delete_by_id((change.order.0, p.0)).exec(txn).await.context("assigning")?;
            order_offer::Entity::insert(order_offer::ActiveModel {
                order_id: Set(change.order.0),
                provider_id: Set(p.0),
                status: Set(StoredOfferStatus::Won),
                offered_at: Set(change.at),
                deadline: Set(change.at),
                explanation: Set(change.note.clone()),
                decline_reason: sea_orm::ActiveValue::NotSet,
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
                status: Set(StoredOfferStatus::Open),
                offered_at: Set(change.at),
                deadline: Set(*deadline),
                explanation: Set(why.clone()),
                decline_reason: sea_orm::ActiveValue::NotSet,
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
        TransitionEffect::Started(mark) => super::visits::record_start(txn, change.order, mark).await.map(|()| true),
        TransitionEffect::Completed(done) => {
            super::visits::record_end(txn, change.order, &done.mark, &done.note, done.confirm_by).await?;
            if let Some(member) = done.credit_hours {
                crate::store::volunteering::credit_order(txn, member, change.order.0, change.at).await?;
            }
            Ok(true)
        }
    }
}

/// Counts offers toward each provider's fairness share, in the offering transaction; a provider may appear more
/// than once. Rows are written in id order, so that two transactions counting the same providers take their row
/// locks in the same order.
pub(super) async fn count_offers(
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
