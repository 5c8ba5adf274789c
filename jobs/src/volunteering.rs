//! The volunteering steps: closing shifts that ended (checking out at the end whoever forgot, counting
//! no-shows), keeping recurring events written out a year ahead, and the monthly Party Member Community
//! Dedication Day notice (共产党员社区奉献日) to the members of each community.

use chrono::{Datelike, Months};

use linli_domain::clock::Clock;
use linli_domain::error::Unexpected;
use linli_domain::notifications::{NotificationStore, monthly_slot};
use linli_domain::time::shanghai;
use linli_domain::volunteering::ports::VolunteerStore;
use linli_domain::volunteering::recurrence::HORIZON_MONTHS;
use linli_domain::words::Message;

use crate::DIGEST_AT;

/// The Dedication Day notice goes out on this day of each month, at [`DIGEST_AT`].
pub const DEDICATION_NOTICE_DAY: u32 = 1;

/// Shifts closed per step.
const CLOSE_BATCH: u64 = 200;

#[derive(Clone)]
pub struct Volunteering<S, C> {
    pub store: S,
    pub clock: C,
}

impl<S: VolunteerStore + NotificationStore, C: Clock> Volunteering<S, C> {
    /// Closes shifts whose end has passed. Returns how many were closed.
    pub async fn close_ended_shifts(&self) -> Result<usize, Unexpected> {
        self.store.close_ended_shifts(self.clock.now(), CLOSE_BATCH).await
    }

    /// Writes out every recurring event's dates through a year from today. Returns how many dates were added.
    pub async fn extend_series(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let today = now.with_timezone(&shanghai()).date_naive();
        self.store.extend_series(today + Months::new(HORIZON_MONTHS), now).await
    }

    /// On the first of each month, 08:00 Shanghai time, tells every confirmed Party member the dates of their
    /// community's Dedication Day that month. Once per month across every process; a process that was down then
    /// sends it once when it is back. Returns how many members were told.
    pub async fn dedication_day_notice(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let slot = monthly_slot(now, DEDICATION_NOTICE_DAY, DIGEST_AT);
        // Recorded after the work, so a failed run is finished at the next tick; messages are keyed by slot
        // and member, so two processes at once tell nobody twice.
        if self.store.slot_done("dedication_day_notice", slot).await? {
            return Ok(0);
        }
        let first = slot.with_timezone(&shanghai()).date_naive().with_day(1).expect("a month has a first day");
        let last = (first + Months::new(1)).pred_opt().expect("a month has a last day");
        let audience = self.store.dedication_day_audience(first, last).await?;
        for notice in &audience {
            let key = format!("dedication:{}:{}", slot.to_rfc3339(), notice.account.0);
            let message = Message::DedicationDay { month: first, dates: notice.dates.clone() };
            self.store.tell(notice.account, &message, &key, now).await?;
        }
        self.store.claim_slot("dedication_day_notice", slot).await?;
        Ok(audience.len())
    }
}
