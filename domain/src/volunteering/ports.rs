//! What the scheduled volunteering steps need from storage. The API's reads and writes go to the store's own
//! methods, which apply the rules of [`booking`](super::booking) inside one transaction per shift.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use crate::accounts::AccountId;
use crate::error::Unexpected;
use crate::geo::CommunityId;

/// One confirmed Party member and the Dedication Days of their community in a month.
#[derive(Clone, Debug, PartialEq)]
pub struct DedicationNotice {
    pub account: AccountId,
    pub community: CommunityId,
    /// Each date with its event's title, in date order; empty when the community has none planned yet.
    pub dates: Vec<(NaiveDate, String)>,
}

pub trait VolunteerStore: Clone + Send + Sync + 'static {
    /// Closes up to `limit` shifts that ended by `now` and are still open: whoever checked in but not out is
    /// checked out at the end (flagged) and credited, confirmed people who never came are counted as no-shows.
    /// Returns how many shifts were closed.
    fn close_ended_shifts(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<usize, Unexpected>> + Send;

    /// Writes out the occurrences (with their shifts) of every recurring event through `through`. Returns how
    /// many occurrences were added.
    fn extend_series(
        &self,
        through: NaiveDate,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize, Unexpected>> + Send;

    /// Every confirmed Party member with their community's Dedication Day dates from `from` through `through`.
    fn dedication_day_audience(
        &self,
        from: NaiveDate,
        through: NaiveDate,
    ) -> impl Future<Output = Result<Vec<DedicationNotice>, Unexpected>> + Send;
}
