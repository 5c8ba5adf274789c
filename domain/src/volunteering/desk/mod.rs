//! The volunteering use cases. Each takes the acting account, decides whether it may act (role, the community
//! it organizes, the branch it belongs to), applies the rules of the values it was given, reads the time from
//! the clock, and calls the ports. Handlers parse and map; they decide nothing.

mod calendar;
mod events;
mod hours;
mod pairing;
mod registration;
mod shifts;

pub use calendar::CalendarFeed;
pub use events::{EventInput, OccurrenceInput, RecurrenceInput, ShiftInput, ShiftPlanInput};
pub use pairing::ProblemPage;
pub use shifts::{Attendance, AttendanceWay};

use chrono::{DateTime, Datelike, Utc};

use super::organizes;
use super::registration::RegistrationState;
use super::{BranchId, short_text};
use crate::accounts::{Actor, Role};
use crate::error::{Denied, Invalid, Unexpected};
use crate::geo::CommunityId;

use super::ports::Registrations;

/// Forgets what a replica cached about an account, so a change of its role or community is seen at once.
pub trait ActorCache: Clone + Send + Sync + 'static {
    fn forget(&self, account: crate::accounts::AccountId);
}

/// The volunteering use cases over the repository `R` (which implements the ports each use case needs), the
/// cache of resolved accounts `A`, a clock, and the live notices `L` that tell open roster pages of a change.
#[derive(Clone)]
pub struct VolunteerDesk<R, A, C, L> {
    pub repo: R,
    pub actors: A,
    pub clock: C,
    pub live: L,
}

impl<R, A, C, L> VolunteerDesk<R, A, C, L> {
    pub fn new(repo: R, actors: A, clock: C, live: L) -> Self {
        Self { repo, actors, clock, live }
    }
}

/// How far ahead an event may start, or a date be moved to: two years.
pub const MAX_DAYS_AHEAD: u64 = 730;

/// Lets only an organizer of `community` through: its community workers, or an admin.
fn organizer_of(actor: &Actor, community: CommunityId) -> Result<(), Denied> {
    if organizes(actor, community) {
        Ok(())
    } else {
        Err(Denied("only the community's workers (or an admin) organize its events and members"))
    }
}

fn only(actor: &Actor, role: Role, rule: &'static str) -> Result<(), Denied> {
    if actor.role == role { Ok(()) } else { Err(Denied(rule)) }
}

/// A text field of 1 to `max` characters, trimmed.
fn text(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    short_text(raw, max)
        .ok_or_else(|| Invalid::new(field, "invalid_text", format!("{field} has 1 to {max} characters")))
}

/// A time refused unless its year is 2000 to 2100: arithmetic on anything further out is not worth risking.
fn within_reason(field: &str, t: DateTime<Utc>) -> Result<DateTime<Utc>, Invalid> {
    if (2000..=2100).contains(&t.year()) {
        Ok(t)
    } else {
        Err(Invalid::malformed(field, format!("{field} is a time between the years 2000 and 2100")))
    }
}

impl<R: Registrations, A, C, L> VolunteerDesk<R, A, C, L> {
    /// The branch a Party member acts for: the one their confirmed registration names.
    async fn member_branch(&self, actor: &Actor) -> Result<Option<BranchId>, Unexpected> {
        if actor.role != Role::PartyMember {
            return Ok(None);
        }
        let current = self
            .repo
            .registrations_of(actor.account)
            .await?
            .into_iter()
            .find(|r| r.state == RegistrationState::Confirmed);
        Ok(current.and_then(|r| r.branch))
    }
}

#[cfg(test)]
mod tests;
