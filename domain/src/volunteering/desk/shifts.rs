//! Places on shifts: signing up and giving a place up, checking in and out with the code the organizer shows
//! (or by the organizer), the roster, and a person's own shifts. Each change is told live to the people on the
//! shift and to its community's organizers, so their open pages show it without a refresh.

use chrono::TimeDelta;

use super::{VolunteerDesk, organizer_of};
use crate::accounts::{AccountId, Actor, Role};
use crate::clock::Clock;
use crate::error::Denied;
use crate::notifications::{LiveNotice, LivePublisher};
use crate::volunteering::ShiftId;
use crate::volunteering::errors::{AttendanceFailure, BookingError, DeskError};
use crate::volunteering::model::{Roster, ShiftRecord, SignupRecord, Witness};
use crate::volunteering::ports::{Events, Signups};

/// Which way through the door.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttendanceWay {
    In,
    Out,
}

/// Who is recording an attendance, and how.
#[derive(Clone, Copy, Debug)]
pub enum Attendance<'a> {
    /// The person themself, with the six digits shown at the shift.
    OwnCode(&'a str),
    /// The organizer, for someone on the shift.
    ByOrganizer(AccountId),
}

/// How far back a person's own list of shifts reaches.
const MY_SHIFTS_PAST: TimeDelta = TimeDelta::days(7);

impl<R: Signups + Events, A, C: Clock, L: LivePublisher> VolunteerDesk<R, A, C, L> {
    /// A Party member or a resident signs up: a place while there is one, the wait-list after. `false` when
    /// they held a place already (nothing new was made).
    pub async fn sign_up(&self, actor: &Actor, shift: ShiftId) -> Result<(SignupRecord, bool), BookingError> {
        if !matches!(actor.role, Role::PartyMember | Role::Resident) {
            return Err(Denied("only Party members and residents sign up for shifts").into());
        }
        let signed = self.repo.sign_up(shift, actor.account, self.clock.now()).await?;
        if signed.1 {
            self.tell_roster(shift).await;
        }
        Ok(signed)
    }

    /// The actor gives up their own place or wait-list place.
    pub async fn cancel_signup(&self, actor: &Actor, shift: ShiftId) -> Result<SignupRecord, BookingError> {
        let cancelled = self.repo.cancel_signup(shift, actor.account, self.clock.now()).await?;
        self.tell_roster(shift).await;
        Ok(cancelled)
    }

    /// The actor's shifts from a week ago on, with their place on each.
    pub async fn my_shifts(&self, actor: &Actor) -> Result<Vec<(SignupRecord, ShiftRecord)>, DeskError> {
        Ok(self.repo.signups_of(actor.account, self.clock.now() - MY_SHIFTS_PAST).await?)
    }

    /// Records an arrival or a departure. With a code, the actor records their own; otherwise only an
    /// organizer of the shift's community records someone's.
    pub async fn attend(
        &self,
        actor: &Actor,
        shift: ShiftId,
        how: Attendance<'_>,
        way: AttendanceWay,
    ) -> Result<SignupRecord, AttendanceFailure> {
        let (who, witness) = match how {
            Attendance::OwnCode(code) => (actor.account, Witness::Code(code)),
            Attendance::ByOrganizer(person) => {
                let record = self.repo.shift(shift).await?.ok_or(AttendanceFailure::NotFound)?;
                organizer_of(actor, record.community)?;
                (person, Witness::Organizer(actor.account))
            }
        };
        let now = self.clock.now();
        let recorded = match way {
            AttendanceWay::In => self.repo.check_in(shift, who, witness, now).await,
            AttendanceWay::Out => self.repo.check_out(shift, who, witness, now).await,
        }?;
        self.tell_roster(shift).await;
        Ok(recorded)
    }

    /// The shift's roster with its check-in code, for an organizer of its community.
    pub async fn roster(&self, actor: &Actor, shift: ShiftId) -> Result<Roster, DeskError> {
        let roster = self.repo.roster(shift).await?.ok_or(DeskError::NotFound("shift"))?;
        organizer_of(actor, roster.shift.community)?;
        Ok(roster)
    }
}

impl<R: Signups, A, C, L: LivePublisher> VolunteerDesk<R, A, C, L> {
    /// Tells everyone on the shift (including whoever just left it, and anyone the wait-list moved up) and the
    /// organizers of its community that its roster changed. The change is committed already: a roster that
    /// cannot be read now only means no notice, which an open page makes up for when its stream reconnects.
    pub(super) async fn tell_roster(&self, shift: ShiftId) {
        let Ok(Some(roster)) = self.repo.roster(shift).await else { return };
        let people = roster.confirmed.iter().chain(&roster.wait_list).chain(&roster.cancelled).map(|s| s.account);
        self.live.publish(&LiveNotice::roster(shift, roster.shift.community, people.collect())).await;
    }
}
