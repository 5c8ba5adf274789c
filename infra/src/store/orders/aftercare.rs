//! The aftercare port: follow-ups and complaints. Each is written once (the follow-up keyed by its order, the
//! complaint unique per order), an answer only while unanswered and an escalation only while open and overdue,
//! each a conditional write; a complaint's writes carry the order's event and an outbox row.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect};

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::notifications::VisitNews;
use linli_domain::orders::{
    Aftercare, Complaint, ComplaintId, ComplaintScope, ComplaintState, FollowUp, FollowUpOutcome, Order, OrderId,
    OrderState,
};
use linli_domain::providers::ProviderId;
use linli_domain::words::Note;

use super::journal::EventRow;
use super::visits::announce;
use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{complaint, order, order_follow_up};
use crate::store::Store;

const DONE: OrderState = OrderState::Completed;

fn follow_up(row: order_follow_up::Model) -> Result<FollowUp, Unexpected> {
    let outcome = FollowUpOutcome::parse(&row.outcome).map_err(|_| {
        Unexpected::new("reading a follow-up", format!("order {} has outcome {}", row.order_id, row.outcome))
    })?;
    Ok(FollowUp { order: OrderId(row.order_id), by: AccountId(row.worker_id), outcome, note: row.note, at: row.at })
}

fn complaint(row: complaint::Model) -> Result<Complaint, Unexpected> {
    let state = ComplaintState::parse(&row.state)
        .ok_or_else(|| Unexpected::new("reading a complaint", format!("complaint {} is {}", row.id, row.state)))?;
    Ok(Complaint {
        id: ComplaintId(row.id),
        order: OrderId(row.order_id),
        provider: ProviderId(row.provider_id),
        community: CommunityId(row.community_id),
        opened_by: AccountId(row.opened_by),
        text: row.text,
        opened_at: row.opened_at,
        due_at: row.due_at,
        state,
        answer: row.answer,
        answered_at: row.answered_at,
        escalated_at: row.escalated_at,
    })
}

impl Aftercare for Store {
    async fn follow_up(&self, order: OrderId) -> Result<Option<FollowUp>, Unexpected> {
        let row = order_follow_up::Entity::find_by_id(order.0).one(&self.db).await.context("reading a follow-up")?;
        row.map(follow_up).transpose()
    }

    async fn record_follow_up(&self, f: &FollowUp) -> Result<bool, Unexpected> {
        let row = order_follow_up::ActiveModel {
            order_id: Set(f.order.0),
            worker_id: Set(f.by.0),
            outcome: Set(f.outcome.as_str().to_owned()),
            note: Set(f.note.clone()),
            at: Set(f.at),
        };
        let inserted = order_follow_up::Entity::insert(row)
            .on_conflict(OnConflict::column(order_follow_up::Column::OrderId).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await
            .context("recording a follow-up")?;
        Ok(inserted == 1)
    }

    async fn awaiting_follow_up(
        &self,
        communities: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let followed =
            Query::select().column(order_follow_up::Column::OrderId).from(order_follow_up::Entity).to_owned();
        let mut filter = Condition::all()
            .add(order::Column::State.eq(StoredOrderState::Completed))
            .add(order::Column::Id.not_in_subquery(followed));
        if let Some(c) = communities {
            filter = filter.add(order::Column::CommunityId.is_in(c.iter().map(|c| c.0)));
        }
        self.newest_orders(filter, before, limit).await
    }

    async fn open_complaint(&self, c: &Complaint) -> Result<bool, Unexpected> {
        let what = "opening a complaint";
        let txn = self.begin(what).await?;
        let row = complaint::ActiveModel {
            id: Set(c.id.0),
            order_id: Set(c.order.0),
            provider_id: Set(c.provider.0),
            community_id: Set(c.community.0),
            opened_by: Set(c.opened_by.0),
            text: Set(c.text.clone()),
            opened_at: Set(c.opened_at),
            due_at: Set(c.due_at),
            state: Set(ComplaintState::Open.as_str().to_owned()),
            answer: Set(None),
            answered_at: Set(None),
            answered_by: Set(None),
            escalated_at: Set(None),
        };
        let inserted = complaint::Entity::insert(row)
            .on_conflict(OnConflict::column(complaint::Column::OrderId).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await
            .context(what)?;
        if inserted == 0 {
            return Ok(false);
        }
        let note = Note::ComplaintOpened { text: c.text.to_string() }.stored();
        announce(
            &txn,
            &[(c.order, Some(DONE), DONE, Some(c.opened_by), note.as_str(), c.opened_at)],
            VisitNews::ComplaintOpened,
        )
        .await?;
        txn.commit().await.context(what)?;
        Ok(true)
    }

    async fn complaint(&self, id: ComplaintId) -> Result<Option<Complaint>, Unexpected> {
        let row = complaint::Entity::find_by_id(id.0).one(&self.db).await.context("reading a complaint")?;
        row.map(complaint).transpose()
    }

    async fn complaint_of_order(&self, order: OrderId) -> Result<Option<Complaint>, Unexpected> {
        let row = complaint::Entity::find()
            .filter(complaint::Column::OrderId.eq(order.0))
            .one(&self.db)
            .await
            .context("reading an order's complaint")?;
        row.map(complaint).transpose()
    }

    async fn complaints(
        &self,
        scope: ComplaintScope,
        states: &[ComplaintState],
        before: Option<ComplaintId>,
        limit: u64,
    ) -> Result<Vec<Complaint>, Unexpected> {
        let mut query = complaint::Entity::find();
        query = match scope {
            ComplaintScope::All => query,
            ComplaintScope::Communities(c) => query.filter(complaint::Column::CommunityId.is_in(c.iter().map(|c| c.0))),
            ComplaintScope::Provider(p) => query.filter(complaint::Column::ProviderId.eq(p.0)),
        };
        if !states.is_empty() {
            query = query.filter(complaint::Column::State.is_in(states.iter().map(|s| s.as_str())));
        }
        if let Some(before) = before {
            query = query.filter(complaint::Column::Id.lt(before.0));
        }
        let rows = query
            .order_by_desc(complaint::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing complaints")?;
        rows.into_iter().map(complaint).collect()
    }

    async fn answer_complaint(
        &self,
        id: ComplaintId,
        answer: &str,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        let what = "answering a complaint";
        let txn = self.begin(what).await?;
        let answered = complaint::Entity::update_many()
            .col_expr(complaint::Column::State, Expr::value(ComplaintState::Answered.as_str()))
            .col_expr(complaint::Column::Answer, Expr::value(answer))
            .col_expr(complaint::Column::AnsweredAt, Expr::value(at))
            .col_expr(complaint::Column::AnsweredBy, Expr::value(by.0))
            .filter(complaint::Column::Id.eq(id.0))
            .filter(complaint::Column::State.ne(ComplaintState::Answered.as_str()))
            .exec_with_returning(&txn)
            .await
            .context(what)?;
        let Some(row) = answered.into_iter().next() else {
            return Ok(false);
        };
        let note = Note::ComplaintAnswered { answer: answer.to_string() }.stored();
        let event = (OrderId(row.order_id), Some(DONE), DONE, Some(by), note.as_str(), at);
        announce(&txn, &[event], VisitNews::ComplaintAnswered).await?;
        txn.commit().await.context(what)?;
        Ok(true)
    }

    async fn escalate_overdue_complaints(&self, now: DateTime<Utc>, limit: u64) -> Result<usize, Unexpected> {
        let what = "escalating overdue complaints";
        let txn = self.begin(what).await?;
        let open = ComplaintState::Open.as_str();
        let due = Query::select()
            .column(complaint::Column::Id)
            .from(complaint::Entity)
            .and_where(Expr::col(complaint::Column::State).eq(open))
            .and_where(Expr::col(complaint::Column::DueAt).lte(now))
            .limit(limit)
            .to_owned();
        // Still open as the update runs: sweeps in several processes escalate each once.
        let escalated = complaint::Entity::update_many()
            .col_expr(complaint::Column::State, Expr::value(ComplaintState::Escalated.as_str()))
            .col_expr(complaint::Column::EscalatedAt, Expr::value(now))
            .filter(complaint::Column::Id.in_subquery(due))
            .filter(complaint::Column::State.eq(open))
            .exec_with_returning(&txn)
            .await
            .context(what)?;
        let note = Note::ComplaintEscalated.stored();
        let events: Vec<EventRow> =
            escalated.iter().map(|c| (OrderId(c.order_id), Some(DONE), DONE, None, note.as_str(), now)).collect();
        announce(&txn, &events, VisitNews::ComplaintEscalated).await?;
        txn.commit().await.context(what)?;
        Ok(escalated.len())
    }
}
