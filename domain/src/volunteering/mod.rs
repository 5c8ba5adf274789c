//! Volunteering: Party members' registration (报到) with the community they live in, organ Party branches paired
//! with communities (三联) and the problems (疑难问题) they take on, events such as the monthly Party Member
//! Community Dedication Day (共产党员社区奉献日) with their shifts, and the rules of booking a place on a shift and
//! crediting the hours served.

pub mod booking;
pub mod desk;
pub mod errors;
pub mod events;
pub mod hours;
pub mod model;
pub mod pairing;
pub mod ports;
pub mod recurrence;
pub mod registration;
#[cfg(test)]
pub mod testing;

pub use desk::VolunteerDesk;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::{Actor, Role};
use crate::geo::CommunityId;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub Uuid);
    )*};
}

id_type!(
    /// 报到: one registration of a Party member with a residence community.
    RegistrationId,
    /// 机关党支部: an organ Party branch.
    BranchId,
    /// 疑难问题: a community's hard case posted to its paired branches.
    ProblemId,
    /// 活动: a one-off event or a recurring series.
    EventId,
    /// One date of an event; a recurring series has one per month.
    OccurrenceId,
    /// 班次: a time window at a place with a number of places.
    ShiftId,
    /// One person's place (or wait-list place) on a shift.
    SignupId,
);

/// Whether the actor organizes events of `community`: its community workers, and administrators.
pub fn organizes(actor: &Actor, community: CommunityId) -> bool {
    match actor.role {
        Role::Admin => true,
        // A street worker's is the street's desk: each community's events stay with its own workers.
        Role::CommunityWorker => actor.community == Some(community),
        _ => false,
    }
}

/// A short free text a person typed (a title, a place, an outcome): trimmed, 1 to `max` characters.
pub fn short_text(raw: &str, max: usize) -> Option<String> {
    let s = raw.trim();
    (!s.is_empty() && s.chars().count() <= max).then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountId;

    fn actor(role: Role, community: Option<i32>) -> Actor {
        Actor {
            account: AccountId(Uuid::nil()),
            role,
            provider: None,
            community: community.map(CommunityId),
            street: None,
        }
    }

    #[test]
    fn only_the_communitys_own_workers_and_admins_organize_its_events() {
        assert!(organizes(&actor(Role::CommunityWorker, Some(3)), CommunityId(3)));
        assert!(!organizes(&actor(Role::CommunityWorker, Some(4)), CommunityId(3)));
        assert!(organizes(&actor(Role::Admin, None), CommunityId(3)));
        assert!(!organizes(&actor(Role::PartyMember, Some(3)), CommunityId(3)));
    }

    #[test]
    fn short_text_is_trimmed_and_bounded_in_characters_not_bytes() {
        assert_eq!(short_text("  奉献日  ", 3).as_deref(), Some("奉献日"));
        assert_eq!(short_text("奉献日活动", 3), None);
        assert_eq!(short_text("   ", 3), None);
    }
}
