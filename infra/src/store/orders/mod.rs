//! The order ports on sea-orm, a module per port. Every state change is one conditional update
//! (`… WHERE id = ? AND state = ?`) inside a transaction that also appends the order's event and an outbox row
//! (`journal`). On PostgreSQL the order row is locked first (`FOR UPDATE`) so that effects checked in the
//! transaction cannot race (`effects`); SQLite has a single writer and needs no lock.

mod aftercare;
mod backlog;
mod effects;
mod journal;
mod lists;
mod offers;
mod placing;
mod plans;
mod visits;

use effects::{apply_effect, offer_open_at};
use journal::{event_rows, record, record_as};
use offers::provider_full;
use placing::{Inserted, built, combined_insert, hex_digest, while_asked};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::orders::{
    InsertOrderError, NewOrder, Order, OrderEvent, OrderId, OrderState, Orders, Placed, Reschedule, RescheduleOutcome,
    Schedule, Transition, TransitionEffect,
};
use linli_domain::providers::ProviderId;
use linli_domain::words::Note;

use crate::db::DbContext;
use crate::entities::states::{StoredOrderState, StoredScope};
use crate::entities::{order, order_event, outbox, provider};
use crate::store::{Store, convert};

impl Orders for Store {
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
            state: StoredOrderState::Submitted,
            provider_id: None,
            idempotency_key: new.idempotency_key.as_ref().map(|k| k.as_ref().to_owned()),
            request_fingerprint: fingerprint.clone(),
            requeued_at: None,
            scope: StoredScope::Community,
            round: 0,
            accept_by: new.accept_by,
            high_risk: new.high_risk,
            assignee_id: None,
            answers: serde_json::to_string(&new.answers)
                .map_err(|e| Unexpected::new("writing an order's answers", e))?,
            plan_id: new.plan.map(|p| p.0),
            preferred_provider_id: new.preferred.map(|p| p.0),
            placed_at: at,
            updated_at: at,
        };
        let placed = convert::order(row.clone())?;
        let (event, announcement) =
            event_rows(&[(placed.id, None, OrderState::Submitted, Some(new.placed_by), &Note::Placed.stored(), at)])
                .remove(0);
        let asked = serde_json::to_string(&new.asked).map_err(|e| Unexpected::new("placing an order", e))?;
        let inserted = match self.db.get_database_backend() {
            // A booked time's place is counted and taken under a lock, in a transaction.
            _ if new.slot.is_some() => self.insert_in_transaction(row, &asked, event, announcement, new.slot).await,
            // One statement, so one round trip instead of five; it is atomic like any single statement.
            DbBackend::Postgres => {
                let order = built(order::Entity::insert(order::ActiveModel::from(row)).into_query());
                let event = built(order_event::Entity::insert(event).into_query());
                let announcement = built(outbox::Entity::insert(announcement).into_query());
                let statement = combined_insert(while_asked(order, new.item.0, asked), event, announcement);
                self.db.execute_raw(statement).await.map(|_| Inserted::Yes)
            }
            _ => self.insert_in_transaction(row, &asked, event, announcement, None).await,
        };
        match inserted {
            Ok(Inserted::Yes) => Ok(Placed::New(placed)),
            Ok(Inserted::QuestionsChanged) => Err(InsertOrderError::QuestionsChanged),
            Ok(Inserted::SlotFull) => Err(InsertOrderError::SlotFull),
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

    async fn transition(&self, change: Transition) -> Result<Option<Order>, Unexpected> {
        let what = "changing an order's state";
        let txn = self.begin(what).await?;
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
            if row.state != StoredOrderState::from(change.from)
                || change.holder.is_some_and(|p| row.provider_id != Some(p.0))
            {
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
            .col_expr(order::Column::State, Expr::value(StoredOrderState::from(change.to)))
            .col_expr(order::Column::UpdatedAt, Expr::value(change.at))
            .filter(order::Column::Id.eq(change.order.0))
            .filter(order::Column::State.eq(StoredOrderState::from(change.from)));
        if let Some(p) = provider {
            update = update.col_expr(order::Column::ProviderId, Expr::value(p));
            // Whoever accepted is the one coming until they hand it over; a provider assigned by hand, or
            // none, has nobody named yet.
            let assignee = matches!(change.effect, TransitionEffect::AwardTo(_)).then_some(change.actor).flatten();
            update = update.col_expr(order::Column::AssigneeId, Expr::value(assignee.map(|a| a.0)));
        }
        if let TransitionEffect::OpenOffers { scope, round, .. } = &change.effect {
            update = update
                .col_expr(order::Column::Scope, Expr::value(StoredScope::from(*scope)))
                .col_expr(order::Column::Round, Expr::value(i32::try_from(*round).unwrap_or(i32::MAX)));
        }
        let Some(updated) = update.exec_with_returning(&txn).await.context(what)?.pop() else {
            return Ok(None);
        };
        if !apply_effect(&txn, &change).await? {
            return Ok(None);
        }
        record(&txn, change.order, Some(change.from), change.to, change.actor, &change.note, change.at).await?;
        if let Some(audit) = &change.audit {
            crate::store::audit::append(&txn, audit).await?;
        }
        txn.commit().await.context(what)?;
        convert::order(updated).map(Some)
    }

    async fn reschedule(&self, change: Reschedule) -> Result<RescheduleOutcome, Unexpected> {
        let what = "moving an order's window";
        let txn = self.begin(what).await?;
        let Some(row) = order::Entity::find_by_id(change.order.0).lock_exclusive().one(&txn).await.context(what)?
        else {
            return Ok(RescheduleOutcome::StateChanged);
        };
        if row.state != StoredOrderState::from(change.from) {
            return Ok(RescheduleOutcome::StateChanged);
        }
        let mut moved = order::Model {
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
        let mut update = order::Entity::update_many()
            .col_expr(order::Column::WindowStart, Expr::value(moved.window_start))
            .col_expr(order::Column::WindowEnd, Expr::value(moved.window_end))
            .col_expr(order::Column::UpdatedAt, Expr::value(change.at))
            .filter(order::Column::Id.eq(row.id));
        if change.to != change.from {
            // Back to dispatch: from the community again, with a new deadline for someone to take it.
            moved = order::Model {
                state: change.to.into(),
                scope: StoredScope::Community,
                round: 0,
                accept_by: change.accept_by,
                requeued_at: None,
                ..moved
            };
            update = update
                .col_expr(order::Column::State, Expr::value(moved.state))
                .col_expr(order::Column::Scope, Expr::value(moved.scope))
                .col_expr(order::Column::Round, Expr::value(0))
                .col_expr(order::Column::AcceptBy, Expr::value(moved.accept_by))
                .col_expr(order::Column::RequeuedAt, Expr::value(Option::<DateTime<Utc>>::None));
        }
        update.exec(&txn).await.context(what)?;
        let note = Note::Rescheduled { start: change.window.start() }.stored();
        let event = (change.order, Some(change.from), change.to, Some(change.actor), note.as_str(), change.at);
        record_as(&txn, &[event], Some(super::notifications::RESCHEDULED_TOPIC)).await?;
        txn.commit().await.context(what)?;
        convert::order(moved).map(|o| RescheduleOutcome::Moved(Box::new(o)))
    }

    async fn set_assignee(
        &self,
        id: OrderId,
        holder: ProviderId,
        states: &[OrderState],
        staff: AccountId,
        at: DateTime<Utc>,
    ) -> Result<Option<Order>, Unexpected> {
        let stored: Vec<StoredOrderState> = states.iter().map(|s| StoredOrderState::from(*s)).collect();
        let updated = order::Entity::update_many()
            .col_expr(order::Column::AssigneeId, Expr::value(staff.0))
            .col_expr(order::Column::UpdatedAt, Expr::value(at))
            .filter(order::Column::Id.eq(id.0))
            .filter(order::Column::ProviderId.eq(holder.0))
            .filter(order::Column::State.is_in(stored))
            .exec_with_returning(&self.db)
            .await
            .context("naming who is coming")?;
        updated.into_iter().next().map(convert::order).transpose()
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
}
