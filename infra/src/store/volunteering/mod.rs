//! The volunteering side of the store: registrations and the Party member's provider, branches with their
//! pairings and problems, events with occurrences and shifts, sign-ups under the booking rules, the ledger of
//! service hours, and calendar feeds. Every booking change locks its shift row (`FOR UPDATE` on PostgreSQL;
//! SQLite has one writer), so the capacity and wait-list rules hold however many people act at once.

mod calendar;
mod events;
mod hours;
mod members;
mod pairing;
mod rows;
mod signups;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::volunteering::ports::DedicationNotice;

use super::Store;
use crate::db::DbContext;
use crate::entities::{event, occurrence, registration};

pub(crate) use hours::credit_order;

/// The account's confirmed registration, if it belongs to a community now.
async fn current_registration<C: ConnectionTrait>(db: &C, account: Uuid) -> Result<Option<registration::Model>, DbErr> {
    registration::Entity::find().filter(registration::Column::CurrentAccountId.eq(account)).one(db).await
}

impl linli_domain::volunteering::ports::VolunteerStore for Store {
    async fn close_ended_shifts(&self, now: DateTime<Utc>, limit: u64) -> Result<usize, Unexpected> {
        signups::close_ended_shifts(self, now, limit).await
    }

    async fn extend_series(&self, through: NaiveDate, now: DateTime<Utc>) -> Result<usize, Unexpected> {
        events::extend_series(self, through, now).await
    }

    async fn dedication_day_audience(
        &self,
        from: NaiveDate,
        through: NaiveDate,
    ) -> Result<Vec<DedicationNotice>, Unexpected> {
        let what = "finding the Dedication Day audience";
        let members = registration::Entity::find()
            .filter(registration::Column::CurrentAccountId.is_not_null())
            .all(&self.db)
            .await
            .context(what)?;
        let communities: std::collections::BTreeSet<i32> = members.iter().map(|m| m.community_id).collect();
        let days = event::Entity::find()
            .filter(event::Column::DedicationDay.eq(true))
            .filter(event::Column::CommunityId.is_in(communities))
            .all(&self.db)
            .await
            .context(what)?;
        let dates = occurrence::Entity::find()
            .filter(occurrence::Column::EventId.is_in(days.iter().map(|d| d.id)))
            .filter(occurrence::Column::Cancelled.eq(false))
            .filter(occurrence::Column::Date.gte(from))
            .filter(occurrence::Column::Date.lte(through))
            .order_by_asc(occurrence::Column::Date)
            .all(&self.db)
            .await
            .context(what)?;
        let mut by_community: HashMap<i32, Vec<(NaiveDate, String)>> = HashMap::new();
        for o in dates {
            if let Some(ev) = days.iter().find(|d| d.id == o.event_id) {
                by_community.entry(ev.community_id).or_default().push((o.date, ev.title.clone()));
            }
        }
        Ok(members
            .into_iter()
            .map(|m| DedicationNotice {
                account: AccountId(m.account_id),
                community: CommunityId(m.community_id),
                dates: by_community.get(&m.community_id).cloned().unwrap_or_default(),
            })
            .collect())
    }
}
