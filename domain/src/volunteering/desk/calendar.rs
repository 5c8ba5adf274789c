//! Private calendar feeds: each person's shifts and their provider's accepted appointments. The token in the
//! feed's URL is its only credential, so a person can replace it (the old URL stops working) or remove it.

use chrono::{DateTime, Utc};

use super::VolunteerDesk;
use crate::accounts::Actor;
use crate::clock::Clock;
use crate::volunteering::errors::DeskError;
use crate::volunteering::model::{CalendarEntry, FeedOwner};
use crate::volunteering::ports::CalendarFeeds;

/// A feed as read now.
#[derive(Clone, Debug)]
pub struct CalendarFeed {
    pub owner: FeedOwner,
    pub entries: Vec<CalendarEntry>,
    /// When it was read: the feed's timestamp.
    pub at: DateTime<Utc>,
}

impl<R: CalendarFeeds, A, C: Clock, L> VolunteerDesk<R, A, C, L> {
    /// A new feed token for the actor, replacing any earlier one.
    pub async fn new_calendar_feed(&self, actor: &Actor) -> Result<String, DeskError> {
        Ok(self.repo.rotate_calendar_token(actor.account, self.clock.now()).await?)
    }

    /// Stops the actor's feed.
    pub async fn remove_calendar_feed(&self, actor: &Actor) -> Result<(), DeskError> {
        if self.repo.revoke_calendar_token(actor.account).await? {
            Ok(())
        } else {
            Err(DeskError::NotFound("calendar feed"))
        }
    }

    /// Whose calendar the token opens and what it shows now; the token is the credential.
    pub async fn calendar_feed(&self, token: &str) -> Result<CalendarFeed, DeskError> {
        let owner = self.repo.calendar_owner(token).await?.ok_or(DeskError::NotFound("calendar feed"))?;
        let at = self.clock.now();
        let entries = self.repo.calendar_entries(owner.account, at).await?;
        Ok(CalendarFeed { owner, entries, at })
    }
}
