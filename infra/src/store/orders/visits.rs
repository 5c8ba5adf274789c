//! The visits port: the record of each job's visit, written with the transitions that start and complete it,
//! and the resident's and the workers' answers to it, each a conditional update written with an order event
//! and an outbox row naming what was said (`order.visit_confirmed`, `order.visit_disputed`,
//! `order.dispute_resolved`); and the residents' ratings, each moving its provider's tally and smoothed rating
//! in the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::geo::{CommunityId, GeoPoint};
use linli_domain::notifications::VisitNews;
use linli_domain::orders::{
    Answer, Mark, NewRating, Order, OrderId, OrderState, Rating, Resolution, Stars, Verdict, Visit, VisitText, Visits,
};
use linli_domain::providers::{ProviderId, RatingTally};
use linli_domain::words::Note;

use super::journal::{EventRow, record_as};
use crate::db::DbContext;
use crate::entities::{order, order_rating, order_visit, provider};
use crate::store::{Store, convert};

const PENDING: &str = "pending";
const CONFIRMED: &str = "confirmed";
const DISPUTED: &str = "disputed";

/// Records the start of the visit, in the starting transition's transaction.
pub(super) async fn record_start(txn: &DatabaseTransaction, id: OrderId, mark: &Mark) -> Result<(), Unexpected> {
    let (lat, lng) = split(mark.location);
    let row = order_visit::ActiveModel {
        order_id: Set(id.0),
        started_at: Set(Some(mark.at)),
        start_lat: Set(lat),
        start_lng: Set(lng),
        start_distance_m: Set(metres(mark)),
        ..blank(id)
    };
    let columns = [
        order_visit::Column::StartedAt,
        order_visit::Column::StartLat,
        order_visit::Column::StartLng,
        order_visit::Column::StartDistanceM,
    ];
    upsert(txn, row, &columns).await
}

/// Records the end of the visit and the resident's answer as pending until `confirm_by`, in the completing
/// transition's transaction. A job started before visits were recorded gets its row now.
pub(super) async fn record_end(
    txn: &DatabaseTransaction,
    id: OrderId,
    mark: &Mark,
    note: &VisitText,
    confirm_by: DateTime<Utc>,
) -> Result<(), Unexpected> {
    let (lat, lng) = split(mark.location);
    let row = order_visit::ActiveModel {
        completed_at: Set(Some(mark.at)),
        end_lat: Set(lat),
        end_lng: Set(lng),
        end_distance_m: Set(metres(mark)),
        note: Set(Some(note.as_ref().to_owned())),
        verdict: Set(Some(PENDING.to_owned())),
        confirm_by: Set(Some(confirm_by)),
        ..blank(id)
    };
    let columns = [
        order_visit::Column::CompletedAt,
        order_visit::Column::EndLat,
        order_visit::Column::EndLng,
        order_visit::Column::EndDistanceM,
        order_visit::Column::Note,
        order_visit::Column::Verdict,
        order_visit::Column::ConfirmBy,
    ];
    upsert(txn, row, &columns).await
}

fn blank(id: OrderId) -> order_visit::ActiveModel {
    order_visit::ActiveModel {
        order_id: Set(id.0),
        started_at: Set(None),
        start_lat: Set(None),
        start_lng: Set(None),
        start_distance_m: Set(None),
        completed_at: Set(None),
        end_lat: Set(None),
        end_lng: Set(None),
        end_distance_m: Set(None),
        note: Set(None),
        verdict: Set(None),
        confirm_by: Set(None),
        answered_at: Set(None),
        answered_by: Set(None),
        dispute_reason: Set(None),
        resolved_at: Set(None),
        resolved_by: Set(None),
        resolution: Set(None),
    }
}

async fn upsert(
    txn: &DatabaseTransaction,
    row: order_visit::ActiveModel,
    columns: &[order_visit::Column],
) -> Result<(), Unexpected> {
    order_visit::Entity::insert(row)
        .on_conflict(
            OnConflict::column(order_visit::Column::OrderId).update_columns(columns.iter().copied()).to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .context("recording a visit")?;
    Ok(())
}

fn split(location: Option<GeoPoint>) -> (Option<f64>, Option<f64>) {
    (location.map(|l| l.lat()), location.map(|l| l.lng()))
}

fn metres(mark: &Mark) -> Option<i32> {
    mark.distance_m.map(|d| i32::try_from(d).unwrap_or(i32::MAX))
}

fn mark(at: Option<DateTime<Utc>>, lat: Option<f64>, lng: Option<f64>, distance: Option<i32>) -> Option<Mark> {
    let location = lat.zip(lng).and_then(|(lat, lng)| GeoPoint::parse(lat, lng).ok());
    at.map(|at| Mark { at, location, distance_m: distance.and_then(|d| u32::try_from(d).ok()) })
}

fn visit(row: order_visit::Model) -> Result<Visit, Unexpected> {
    let broken = || Unexpected::new("reading a visit", format!("visit of order {} has a broken verdict", row.order_id));
    let verdict = match row.verdict.as_deref() {
        None => None,
        Some(PENDING) => Some(Verdict::Pending { due: row.confirm_by.ok_or_else(broken)? }),
        Some(CONFIRMED) => {
            Some(Verdict::Confirmed { at: row.answered_at.ok_or_else(broken)?, by: row.answered_by.map(AccountId) })
        }
        Some(DISPUTED) => {
            let resolution = match (row.resolved_at, row.resolved_by) {
                (Some(at), Some(by)) => {
                    Some(Resolution { at, by: AccountId(by), note: row.resolution.clone().unwrap_or_default() })
                }
                _ => None,
            };
            Some(Verdict::Disputed {
                at: row.answered_at.ok_or_else(broken)?,
                by: AccountId(row.answered_by.ok_or_else(broken)?),
                reason: row.dispute_reason.clone().unwrap_or_default(),
                resolution,
            })
        }
        Some(_) => return Err(broken()),
    };
    Ok(Visit {
        order: OrderId(row.order_id),
        started: mark(row.started_at, row.start_lat, row.start_lng, row.start_distance_m),
        completed: mark(row.completed_at, row.end_lat, row.end_lng, row.end_distance_m),
        note: row.note,
        verdict,
    })
}

/// Appends the events and the outbox rows announcing what was said of these completed visits.
pub(super) async fn announce(
    txn: &DatabaseTransaction,
    events: &[EventRow<'_>],
    news: VisitNews,
) -> Result<(), Unexpected> {
    record_as(txn, events, Some(news.event_type())).await
}

fn rating(row: order_rating::Model) -> Result<Rating, Unexpected> {
    let stars = Stars::parse(i64::from(row.stars))
        .map_err(|_| Unexpected::new("reading a rating", format!("order {} has {} stars", row.order_id, row.stars)))?;
    Ok(Rating {
        order: OrderId(row.order_id),
        provider: ProviderId(row.provider_id),
        stars,
        comment: row.comment,
        rated_at: row.rated_at,
        updated_at: row.updated_at,
    })
}

const DONE: OrderState = OrderState::Completed;

impl Visits for Store {
    async fn visit(&self, order: OrderId) -> Result<Option<Visit>, Unexpected> {
        let row = order_visit::Entity::find_by_id(order.0).one(&self.db).await.context("reading a visit")?;
        row.map(visit).transpose()
    }

    async fn answer_visit(
        &self,
        order: OrderId,
        answer: &Answer,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        let what = "answering a visit";
        let txn = self.begin(what).await?;
        let (verdict, reason, news, note) = match answer {
            Answer::Confirm => (CONFIRMED, None, VisitNews::Confirmed, Note::VisitConfirmed.stored()),
            Answer::Dispute(reason) => (
                DISPUTED,
                Some(reason.as_ref().to_owned()),
                VisitNews::Disputed,
                Note::VisitDisputed { reason: reason.as_ref().to_owned() }.stored(),
            ),
        };
        let answered = order_visit::Entity::update_many()
            .col_expr(order_visit::Column::Verdict, Expr::value(verdict))
            .col_expr(order_visit::Column::AnsweredAt, Expr::value(at))
            .col_expr(order_visit::Column::AnsweredBy, Expr::value(by.0))
            .col_expr(order_visit::Column::DisputeReason, Expr::value(reason))
            .filter(order_visit::Column::OrderId.eq(order.0))
            .filter(order_visit::Column::Verdict.eq(PENDING))
            .exec(&txn)
            .await
            .context(what)?;
        if answered.rows_affected == 0 {
            return Ok(false);
        }
        announce(&txn, &[(order, Some(DONE), DONE, Some(by), note.as_str(), at)], news).await?;
        txn.commit().await.context(what)?;
        Ok(true)
    }

    async fn resolve_dispute(&self, order: OrderId, resolution: &Resolution) -> Result<bool, Unexpected> {
        let what = "resolving a dispute";
        let txn = self.begin(what).await?;
        let resolved = order_visit::Entity::update_many()
            .col_expr(order_visit::Column::ResolvedAt, Expr::value(resolution.at))
            .col_expr(order_visit::Column::ResolvedBy, Expr::value(resolution.by.0))
            .col_expr(order_visit::Column::Resolution, Expr::value(resolution.note.clone()))
            .filter(order_visit::Column::OrderId.eq(order.0))
            .filter(order_visit::Column::Verdict.eq(DISPUTED))
            .filter(order_visit::Column::ResolvedAt.is_null())
            .exec(&txn)
            .await
            .context(what)?;
        if resolved.rows_affected == 0 {
            return Ok(false);
        }
        let note = Note::DisputeResolved { note: resolution.note.clone() }.stored();
        let event = (order, Some(DONE), DONE, Some(resolution.by), note.as_str(), resolution.at);
        announce(&txn, &[event], VisitNews::Resolved).await?;
        txn.commit().await.context(what)?;
        Ok(true)
    }

    async fn open_disputes(
        &self,
        communities: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<(Order, Visit)>, Unexpected> {
        let mut query = order_visit::Entity::find()
            .find_also_related(order::Entity)
            .filter(order_visit::Column::Verdict.eq(DISPUTED))
            .filter(order_visit::Column::ResolvedAt.is_null());
        if let Some(c) = communities {
            query = query.filter(order::Column::CommunityId.is_in(c.iter().map(|c| c.0)));
        }
        if let Some(before) = before {
            query = query.filter(order_visit::Column::OrderId.lt(before.0));
        }
        let rows = query
            .order_by_desc(order_visit::Column::OrderId)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing disputed visits")?;
        rows.into_iter()
            .filter_map(|(v, o)| o.map(|o| (o, v)))
            .map(|(o, v)| Ok((convert::order(o)?, visit(v)?)))
            .collect()
    }

    async fn rating(&self, order: OrderId) -> Result<Option<Rating>, Unexpected> {
        let row = order_rating::Entity::find_by_id(order.0).one(&self.db).await.context("reading a rating")?;
        row.map(rating).transpose()
    }

    async fn rate(&self, new: NewRating, editable_after: DateTime<Utc>) -> Result<Option<Rating>, Unexpected> {
        let what = "rating a visit";
        let txn = self.begin(what).await?;
        // The provider's row is locked first: its tally moves with every rating, and two at once must add up.
        let Some(p) = provider::Entity::find_by_id(new.provider.0).lock_exclusive().one(&txn).await.context(what)?
        else {
            return Err(Unexpected::new(what, format!("order {} names a provider that is gone", new.order.0)));
        };
        let before = order_rating::Entity::find_by_id(new.order.0).one(&txn).await.context(what)?;
        if before.as_ref().is_some_and(|b| b.rated_at < editable_after) {
            return Ok(None);
        }
        let stars = new.stars.get();
        let was = before.as_ref().map(|b| u8::try_from(b.stars).unwrap_or(0));
        let tally = RatingTally {
            count: u32::try_from(p.rating_count).unwrap_or(0),
            sum: u32::try_from(p.rating_sum).unwrap_or(0),
        }
        .with(stars, was);
        let row = order_rating::ActiveModel {
            order_id: Set(new.order.0),
            provider_id: Set(new.provider.0),
            resident_id: Set(new.resident.0),
            stars: Set(i32::from(stars)),
            comment: Set(new.comment.map(VisitText::into_string)),
            rated_at: Set(before.as_ref().map_or(new.at, |b| b.rated_at)),
            updated_at: Set(new.at),
        };
        let columns = [order_rating::Column::Stars, order_rating::Column::Comment, order_rating::Column::UpdatedAt];
        order_rating::Entity::insert(row)
            .on_conflict(OnConflict::column(order_rating::Column::OrderId).update_columns(columns).to_owned())
            .exec_without_returning(&txn)
            .await
            .context(what)?;
        provider::Entity::update_many()
            .col_expr(provider::Column::RatingCount, Expr::value(i32::try_from(tally.count).unwrap_or(i32::MAX)))
            .col_expr(provider::Column::RatingSum, Expr::value(i32::try_from(tally.sum).unwrap_or(i32::MAX)))
            .col_expr(provider::Column::Rating, Expr::value(tally.smoothed()))
            .filter(provider::Column::Id.eq(new.provider.0))
            .exec(&txn)
            .await
            .context(what)?;
        // Ranking reads ratings from every process's copy of the providers: tell them it changed.
        Self::bump_dispatch_counter(&txn).await?;
        let saved = order_rating::Entity::find_by_id(new.order.0).one(&txn).await.context(what)?;
        txn.commit().await.context(what)?;
        saved.map(rating).transpose()
    }

    async fn confirm_due_visits(&self, now: DateTime<Utc>, limit: u64) -> Result<usize, Unexpected> {
        let what = "confirming unanswered visits";
        let txn = self.begin(what).await?;
        let due = Query::select()
            .column(order_visit::Column::OrderId)
            .from(order_visit::Entity)
            .and_where(Expr::col(order_visit::Column::Verdict).eq(PENDING))
            .and_where(Expr::col(order_visit::Column::ConfirmBy).lte(now))
            .limit(limit)
            .to_owned();
        // Still pending as the update runs: a sweep in another process that got there first confirms each once.
        let confirmed = order_visit::Entity::update_many()
            .col_expr(order_visit::Column::Verdict, Expr::value(CONFIRMED))
            .col_expr(order_visit::Column::AnsweredAt, Expr::value(now))
            .filter(order_visit::Column::OrderId.in_subquery(due))
            .filter(order_visit::Column::Verdict.eq(PENDING))
            .exec_with_returning(&txn)
            .await
            .context(what)?;
        let note = Note::VisitConfirmedAutomatically.stored();
        let events: Vec<EventRow> =
            confirmed.iter().map(|v| (OrderId(v.order_id), Some(DONE), DONE, None, note.as_str(), now)).collect();
        announce(&txn, &events, VisitNews::Confirmed).await?;
        txn.commit().await.context(what)?;
        Ok(confirmed.len())
    }
}
