//! The volunteering steps: closing shifts that ended (checking out at the end whoever forgot, counting
//! no-shows), keeping recurring events written out a year ahead, and the monthly Party Member Community
//! Dedication Day notice (共产党员社区奉献日) to the members of each community.

use chrono::{Datelike, Months, NaiveDate};

use linli_domain::clock::Clock;
use linli_domain::error::Unexpected;
use linli_domain::notifications::{NotificationStore, monthly_slot};
use linli_domain::time::shanghai;
use linli_domain::volunteering::ports::{DedicationNotice, VolunteerStore};
use linli_domain::volunteering::recurrence::HORIZON_MONTHS;

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
            self.store.tell(notice.account, "共产党员社区奉献日", &notice_text(first, notice), &key, now).await?;
        }
        self.store.claim_slot("dedication_day_notice", slot).await?;
        Ok(audience.len())
    }
}

/// The month's notice for one member: their community's dates, or a prompt to watch for them.
fn notice_text(month: NaiveDate, notice: &DedicationNotice) -> String {
    let month = month.format("%Y年%m月");
    if notice.dates.is_empty() {
        return format!("{month}共产党员社区奉献日：您所在社区的活动安排尚未发布，请留意社区通知。");
    }
    let dates: Vec<String> =
        notice.dates.iter().map(|(d, title)| format!("{}「{title}」", d.format("%m月%d日"))).collect();
    format!("{month}共产党员社区奉献日：{}。欢迎报名参加。", dates.join("、"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_domain::accounts::AccountId;
    use linli_domain::geo::CommunityId;
    use uuid::Uuid;

    fn notice(dates: Vec<(NaiveDate, String)>) -> DedicationNotice {
        DedicationNotice { account: AccountId(Uuid::nil()), community: CommunityId(1), dates }
    }

    #[test]
    fn the_notice_names_each_date_of_the_month_with_its_event() {
        let month = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let text = notice_text(month, &notice(vec![(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(), "奉献日".into())]));
        assert_eq!(text, "2026年12月共产党员社区奉献日：12月05日「奉献日」。欢迎报名参加。");
    }

    #[test]
    fn a_community_without_dates_yet_gets_a_prompt_to_watch_for_them() {
        let month = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(notice_text(month, &notice(Vec::new())).contains("尚未发布"));
    }
}
