//! Shifts read back as the records the ports hand out, with their counts of places: one reader for events and
//! sign-ups alike.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, LoaderTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::time::TimeWindow;
use linli_domain::volunteering::booking::SignupState;
use linli_domain::volunteering::model::ShiftRecord;
use linli_domain::volunteering::registration::Skills;
use linli_domain::volunteering::{EventId, OccurrenceId, ShiftId};

use crate::db::DbContext;
use crate::entities::states::StoredSignupState;
use crate::entities::{event, occurrence, shift, signup};

pub(super) async fn shift_records<C: ConnectionTrait>(
    db: &C,
    rows: Vec<shift::Model>,
) -> Result<Vec<ShiftRecord>, Unexpected> {
    let what = "reading shifts";
    let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
    let counts: Vec<(Uuid, StoredSignupState, i64)> = signup::Entity::find()
        .select_only()
        .column(signup::Column::ShiftId)
        .column(signup::Column::State)
        .column_as(signup::Column::Id.count(), "n")
        .filter(signup::Column::ShiftId.is_in(ids))
        .group_by(signup::Column::ShiftId)
        .group_by(signup::Column::State)
        .into_tuple()
        .all(db)
        .await
        .context(what)?;
    let count = |shift: Uuid, state: SignupState| {
        counts.iter().find(|(s, st, _)| *s == shift && *st == state.into()).map_or(0, |(_, _, n)| *n as u32)
    };
    // Each shift's event and occurrence, in the shifts' order.
    let events = rows.load_one(event::Entity, db).await.context(what)?;
    let occurrences = rows.load_one(occurrence::Entity, db).await.context(what)?;
    Ok(rows
        .into_iter()
        .zip(events.into_iter().zip(occurrences))
        .map(|(s, (ev, occurrence))| ShiftRecord {
            id: ShiftId(s.id),
            event: EventId(s.event_id),
            dedication_day: ev.as_ref().is_some_and(|ev| ev.dedication_day),
            event_title: ev.map(|ev| ev.title).unwrap_or_default(),
            occurrence: OccurrenceId(s.occurrence_id),
            community: CommunityId(s.community_id),
            window: TimeWindow::from_stored(s.starts_at, s.ends_at),
            capacity: u32::try_from(s.capacity).unwrap_or(0),
            skills: Skills::from_stored(&s.skills),
            members_only: s.members_only,
            confirmed: count(s.id, SignupState::Confirmed),
            wait_listed: count(s.id, SignupState::WaitListed),
            called_off: occurrence.is_some_and(|o| o.cancelled),
            closed_at: s.closed_at,
            title: s.title,
            place: s.place,
        })
        .collect())
}
