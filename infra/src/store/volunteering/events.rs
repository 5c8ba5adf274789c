//! Events and their dated occurrences and shifts: creating one lays its shift plan out on every date of its
//! rule a year ahead, the scheduled step keeps recurring series a year ahead, and an organizer can move or call
//! off one occurrence, or change one shift, without touching the rest.
//!
//! Longer than our usual 400 lines on purpose: creating an event, extending its series, and moving or calling
//! off one date share the one routine that lays a shift plan out on dates, and stay beside it.

use std::collections::HashMap;

use chrono::{DateTime, Months, NaiveDate, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::time::TimeWindow;
use linli_domain::time::shanghai;
use linli_domain::volunteering::errors::EventError;
use linli_domain::volunteering::events::ShiftPlan;
use linli_domain::volunteering::model::{
    EventRecord, NewEvent, OccurrenceChange, OccurrenceRecord, ShiftChange, ShiftRecord,
};
use linli_domain::volunteering::ports::Events;
use linli_domain::volunteering::recurrence::{HORIZON_MONTHS, Recurrence};
use linli_domain::volunteering::{EventId, OccurrenceId, ShiftId};
use linli_domain::words::Message;

use super::members::gone;
use super::rows::shift_records;
use super::signups::{held_elsewhere, notify_holders, promote, renew_reminders};
use crate::db::DbContext;
use crate::entities::states::StoredSignupState;
use crate::entities::{community, event, occurrence, shift, signup};
use crate::store::{Store, convert};

/// Today's date in Shanghai.
fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

/// The last date a series is written out to now: a year ahead, or its end if sooner.
fn horizon(now: DateTime<Utc>, until: Option<NaiveDate>) -> NaiveDate {
    let ahead = today(now) + Months::new(HORIZON_MONTHS);
    until.map_or(ahead, |u| u.min(ahead))
}

impl Events for Store {
    async fn create_event(&self, new: NewEvent, now: DateTime<Utc>) -> Result<EventRecord, EventError> {
        let what = "creating an event";
        let txn = self.begin(what).await?;
        if community::Entity::find_by_id(new.community.0).one(&txn).await.context(what)?.is_none() {
            return Err(EventError::UnknownCommunity);
        }
        let id = Uuid::now_v7();
        let through = match new.recurrence {
            Recurrence::Once => new.first_date,
            _ => horizon(now, new.until),
        };
        let row = event::ActiveModel {
            id: Set(id),
            community_id: Set(new.community.0),
            title: Set(new.title.clone()),
            description: Set(new.description.clone()),
            recurrence: Set(new.recurrence.stored()),
            first_date: Set(new.first_date),
            until_date: Set(new.until),
            dedication_day: Set(new.dedication_day),
            shift_plan: Set(
                serde_json::to_string(&new.plan).map_err(|err| Unexpected::new("storing a shift plan", err))?
            ),
            generated_through: Set(through),
            created_by: Set(new.created_by.0),
            created_at: Set(now),
        };
        event::Entity::insert(row.clone()).exec_without_returning(&txn).await.context(what)?;
        let model = event::Model {
            id,
            community_id: new.community.0,
            title: new.title,
            description: new.description,
            recurrence: new.recurrence.stored(),
            first_date: new.first_date,
            until_date: new.until,
            dedication_day: new.dedication_day,
            shift_plan: row.shift_plan.unwrap(),
            generated_through: through,
            created_by: new.created_by.0,
            created_at: now,
        };
        write_occurrences(&txn, &model, new.recurrence.dates(new.first_date, through), now).await?;
        txn.commit().await.context(what)?;
        self.event(EventId(id)).await?.ok_or_else(|| EventError::Unexpected(gone("a new event")))
    }

    /// The event with every occurrence written out so far and their shifts.
    async fn event(&self, id: EventId) -> Result<Option<EventRecord>, Unexpected> {
        let what = "reading an event";
        let Some(ev) = event::Entity::find_by_id(id.0).one(&self.db).await.context(what)? else {
            return Ok(None);
        };
        let occurrences = occurrence::Entity::find()
            .filter(occurrence::Column::EventId.eq(id.0))
            .order_by_asc(occurrence::Column::Date)
            .all(&self.db)
            .await
            .context(what)?;
        let shifts = shift::Entity::find()
            .filter(shift::Column::EventId.eq(id.0))
            .order_by_asc(shift::Column::StartsAt)
            .all(&self.db)
            .await
            .context(what)?;
        let mut shifts_by: HashMap<OccurrenceId, Vec<ShiftRecord>> = HashMap::new();
        for s in shift_records(&self.db, shifts).await? {
            shifts_by.entry(s.occurrence).or_default().push(s);
        }
        let mut record = event_record(ev)?;
        record.occurrences = occurrences
            .into_iter()
            .map(|o| {
                let mut r = occurrence_record(o);
                r.shifts = shifts_by.remove(&r.id).unwrap_or_default();
                r
            })
            .collect();
        Ok(Some(record))
    }

    /// A community's events, newest first, without their occurrences.
    async fn events_of(&self, community: CommunityId) -> Result<Vec<EventRecord>, Unexpected> {
        event::Entity::find()
            .filter(event::Column::CommunityId.eq(community.0))
            .order_by_desc(event::Column::CreatedAt)
            .all(&self.db)
            .await
            .context("listing events")?
            .into_iter()
            .map(event_record)
            .collect()
    }

    async fn shift(&self, id: ShiftId) -> Result<Option<ShiftRecord>, Unexpected> {
        let rows = shift::Entity::find_by_id(id.0).all(&self.db).await.context("reading a shift")?;
        Ok(shift_records(&self.db, rows).await?.pop())
    }

    /// A community's shifts starting between `from` and `to`, in time order.
    async fn shifts_in(
        &self,
        community: CommunityId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ShiftRecord>, Unexpected> {
        let rows = shift::Entity::find()
            .filter(shift::Column::CommunityId.eq(community.0))
            .filter(shift::Column::StartsAt.gte(from))
            .filter(shift::Column::StartsAt.lt(to))
            .order_by_asc(shift::Column::StartsAt)
            .limit(limit)
            .all(&self.db)
            .await
            .context("listing shifts")?;
        shift_records(&self.db, rows).await
    }

    /// Moves an occurrence to another date (its shifts move along and their reminders are made anew), calls it
    /// off, or takes it back (the wait-list then moves up into places freed meanwhile); everyone holding a place
    /// or a wait-list place is told. A move or a taking back that would give someone two overlapping shifts is
    /// refused.
    async fn change_occurrence(
        &self,
        id: OccurrenceId,
        change: OccurrenceChange,
        now: DateTime<Utc>,
    ) -> Result<(EventId, OccurrenceRecord), EventError> {
        let what = "changing an occurrence";
        let txn = self.begin(what).await?;
        let Some(occ) = occurrence::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Err(EventError::NotFound);
        };
        let ev =
            event::Entity::find_by_id(occ.event_id).one(&txn).await.context(what)?.ok_or_else(|| gone("an event"))?;
        let shifts = shift::Entity::find()
            .filter(shift::Column::OccurrenceId.eq(id.0))
            .lock_exclusive()
            .all(&txn)
            .await
            .context(what)?;
        let moving = change.date.filter(|d| *d != occ.date);
        let calling_off = change.cancelled.filter(|c| *c != occ.cancelled);
        if (moving.is_some() || calling_off.is_some()) && shifts.iter().any(|s| s.starts_at <= now) {
            return Err(EventError::Started);
        }
        let by = moving.map_or(TimeDelta::zero(), |d| TimeDelta::days((d - occ.date).num_days()));
        let moved: Vec<shift::Model> = shifts
            .iter()
            .map(|s| shift::Model { starts_at: s.starts_at + by, ends_at: s.ends_at + by, ..s.clone() })
            .collect();
        if moving.is_some() && moved.iter().any(|s| s.starts_at <= now) {
            return Err(EventError::PastDate);
        }
        let holders = signup::Entity::find()
            .filter(signup::Column::ShiftId.is_in(shifts.iter().map(|s| s.id)))
            .filter(signup::Column::State.ne(StoredSignupState::Cancelled))
            .all(&txn)
            .await
            .context(what)?;
        // A date that will run at a new time, or run again after being called off, must not give anyone on it
        // two shifts at once: while it was off, its holders were free to book that time elsewhere.
        let runs = !change.cancelled.unwrap_or(occ.cancelled);
        if runs && (moving.is_some() || calling_off == Some(false)) {
            let ours: Vec<ShiftId> = shifts.iter().map(|s| ShiftId(s.id)).collect();
            for h in &holders {
                let Some(s) = moved.iter().find(|s| s.id == h.shift_id) else { continue };
                let at = TimeWindow::from_stored(s.starts_at, s.ends_at);
                let elsewhere = held_elsewhere(&txn, AccountId(h.account_id), &ours).await?;
                if elsewhere.iter().any(|(_, w)| w.overlaps(&at)) {
                    return Err(EventError::HolderBusy);
                }
            }
        }
        if let Some(date) = moving {
            for s in &moved {
                shift::Entity::update_many()
                    .col_expr(shift::Column::StartsAt, Expr::value(s.starts_at))
                    .col_expr(shift::Column::EndsAt, Expr::value(s.ends_at))
                    .filter(shift::Column::Id.eq(s.id))
                    .exec(&txn)
                    .await
                    .context(what)?;
            }
            renew_reminders(&txn, &moved, &holders, now).await?;
            let message = Message::EventMoved { title: ev.title.clone(), from: occ.date, to: date };
            let key = format!("moved:{}:{date}:{}", occ.id, now.timestamp_millis());
            notify_holders(&txn, &shifts, &message, &key, now).await?;
        }
        if let Some(cancelled) = calling_off {
            let (title, date) = (ev.title.clone(), change.date.unwrap_or(occ.date));
            let message =
                if cancelled { Message::EventCalledOff { title, date } } else { Message::EventResumed { title, date } };
            let key = format!("called-off:{}:{cancelled}:{}", occ.id, now.timestamp_millis());
            notify_holders(&txn, &shifts, &message, &key, now).await?;
        }
        occurrence::Entity::update_many()
            .col_expr(occurrence::Column::Date, Expr::value(moving.unwrap_or(occ.date)))
            .col_expr(occurrence::Column::Cancelled, Expr::value(change.cancelled.unwrap_or(occ.cancelled)))
            .col_expr(occurrence::Column::Note, Expr::value(change.note.unwrap_or(occ.note.clone())))
            .col_expr(occurrence::Column::UpdatedAt, Expr::value(now))
            .filter(occurrence::Column::Id.eq(id.0))
            .exec(&txn)
            .await
            .context(what)?;
        if calling_off == Some(false) {
            // Places freed while the date was off were given to nobody: the wait-list moves up now.
            for s in &moved {
                promote(&txn, s, now).await?;
            }
        }
        txn.commit().await.context(what)?;
        let event = self.event(EventId(ev.id)).await?.ok_or_else(|| gone("an event"))?;
        let record = event.occurrences.into_iter().find(|o| o.id == id).ok_or_else(|| gone("an occurrence"))?;
        Ok((EventId(ev.id), record))
    }

    /// Changes one shift. A larger capacity moves the wait-list up at once; a smaller one bumps nobody. A new
    /// title or place is written into the reminders, and a new place is told to everyone on the shift.
    async fn change_shift(
        &self,
        id: ShiftId,
        change: ShiftChange,
        now: DateTime<Utc>,
    ) -> Result<ShiftRecord, EventError> {
        let what = "changing a shift";
        let txn = self.begin(what).await?;
        let Some(row) = shift::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Err(EventError::NotFound);
        };
        let changed = shift::Model {
            title: change.title.clone().unwrap_or_else(|| row.title.clone()),
            place: change.place.clone().unwrap_or_else(|| row.place.clone()),
            capacity: change.capacity.map_or(row.capacity, |c| i32::try_from(c).unwrap_or(i32::MAX)),
            ..row.clone()
        };
        shift::Entity::update_many()
            .col_expr(shift::Column::Title, Expr::value(changed.title.clone()))
            .col_expr(shift::Column::Place, Expr::value(changed.place.clone()))
            .col_expr(shift::Column::Capacity, Expr::value(changed.capacity))
            .filter(shift::Column::Id.eq(id.0))
            .exec(&txn)
            .await
            .context(what)?;
        if changed.title != row.title || changed.place != row.place {
            let holders = signup::Entity::find()
                .filter(signup::Column::ShiftId.eq(id.0))
                .filter(signup::Column::State.ne(StoredSignupState::Cancelled))
                .all(&txn)
                .await
                .context(what)?;
            renew_reminders(&txn, std::slice::from_ref(&changed), &holders, now).await?;
            if changed.place != row.place {
                let message = Message::PlaceChanged { title: changed.title.clone(), place: changed.place.clone() };
                let key = format!("place:{}:{}", id.0, now.timestamp_millis());
                notify_holders(&txn, std::slice::from_ref(&changed), &message, &key, now).await?;
            }
        }
        if changed.capacity > row.capacity {
            promote(&txn, &changed, now).await?;
        }
        txn.commit().await.context(what)?;
        self.shift(id).await?.ok_or_else(|| EventError::Unexpected(gone("a shift")))
    }

    async fn occurrence_event(&self, id: OccurrenceId) -> Result<Option<EventRecord>, Unexpected> {
        let Some(occ) = occurrence::Entity::find_by_id(id.0).one(&self.db).await.context("reading an occurrence")?
        else {
            return Ok(None);
        };
        event::Entity::find_by_id(occ.event_id)
            .one(&self.db)
            .await
            .context("reading an event")?
            .map(event_record)
            .transpose()
    }
}

/// Writes out a recurring series through `through`, one event at a time with its row locked, so two jobs
/// processes doing it at once add each date once.
pub(super) async fn extend_series(store: &Store, through: NaiveDate, now: DateTime<Utc>) -> Result<usize, Unexpected> {
    let what = "extending recurring events";
    let unfinished = sea_orm::Condition::any()
        .add(event::Column::UntilDate.is_null())
        .add(sea_orm::ExprTrait::lt(Expr::col(event::Column::GeneratedThrough), Expr::col(event::Column::UntilDate)));
    let due = event::Entity::find()
        .filter(event::Column::Recurrence.ne(Recurrence::Once.stored()))
        .filter(event::Column::GeneratedThrough.lt(through))
        .filter(unfinished)
        .all(&store.db)
        .await
        .context(what)?;
    let mut added = 0;
    for candidate in due {
        let txn = store.begin(what).await?;
        let Some(ev) = event::Entity::find_by_id(candidate.id).lock_exclusive().one(&txn).await.context(what)? else {
            continue;
        };
        let until = ev.until_date.map_or(through, |u| u.min(through));
        if ev.generated_through >= until {
            continue;
        }
        let rule =
            Recurrence::parse_stored(&ev.recurrence).map_err(|err| Unexpected::new("reading a recurrence", err))?;
        let from = (ev.generated_through + TimeDelta::days(1)).max(ev.first_date);
        let dates = rule.dates(from, until);
        added += dates.len();
        write_occurrences(&txn, &ev, dates, now).await?;
        event::Entity::update_many()
            .col_expr(event::Column::GeneratedThrough, Expr::value(until))
            .filter(event::Column::Id.eq(ev.id))
            .exec(&txn)
            .await
            .context(what)?;
        txn.commit().await.context(what)?;
    }
    Ok(added)
}

async fn write_occurrences(
    txn: &DatabaseTransaction,
    ev: &event::Model,
    dates: Vec<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), Unexpected> {
    let what = "writing an event's dates";
    let plan: Vec<ShiftPlan> =
        serde_json::from_str(&ev.shift_plan).map_err(|err| Unexpected::new("reading a shift plan", err))?;
    for date in dates {
        let occ = Uuid::now_v7();
        occurrence::Entity::insert(occurrence::ActiveModel {
            id: Set(occ),
            event_id: Set(ev.id),
            rule_date: Set(date),
            date: Set(date),
            cancelled: Set(false),
            note: Set(String::new()),
            updated_at: Set(now),
        })
        .exec_without_returning(txn)
        .await
        .context(what)?;
        let shifts = plan.iter().map(|p| {
            let window = p.window_on(date);
            shift::ActiveModel {
                id: Set(Uuid::now_v7()),
                event_id: Set(ev.id),
                occurrence_id: Set(occ),
                community_id: Set(ev.community_id),
                title: Set(p.title.clone()),
                place: Set(p.place.clone()),
                starts_at: Set(window.start()),
                ends_at: Set(window.end()),
                capacity: Set(i32::try_from(p.capacity).unwrap_or(i32::MAX)),
                skills: Set(p.skills.clone()),
                members_only: Set(p.members_only),
                check_code: Set(check_code()),
                arrivals: Set(0),
                closed_at: Set(None),
                created_at: Set(now),
            }
        });
        shift::Entity::insert_many(shifts).exec_without_returning(txn).await.context(what)?;
    }
    Ok(())
}

/// The six digits an organizer shows at the shift for people to check themselves in and out.
fn check_code() -> String {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the operating system has randomness");
    format!("{:06}", u32::from_le_bytes(bytes) % 1_000_000)
}

fn event_record(ev: event::Model) -> Result<EventRecord, Unexpected> {
    Ok(EventRecord {
        id: EventId(ev.id),
        community: CommunityId(ev.community_id),
        recurrence: Recurrence::parse_stored(&ev.recurrence)
            .map_err(|_| convert::corrupt("event recurrence", ev.id, &ev.recurrence))?,
        plan: serde_json::from_str(&ev.shift_plan)
            .map_err(|_| convert::corrupt("shift plan", ev.id, &ev.shift_plan))?,
        first_date: ev.first_date,
        until: ev.until_date,
        dedication_day: ev.dedication_day,
        title: ev.title,
        description: ev.description,
        occurrences: Vec::new(),
    })
}

fn occurrence_record(o: occurrence::Model) -> OccurrenceRecord {
    OccurrenceRecord {
        id: OccurrenceId(o.id),
        event: EventId(o.event_id),
        rule_date: o.rule_date,
        date: o.date,
        cancelled: o.cancelled,
        note: o.note,
        shifts: Vec::new(),
    }
}
