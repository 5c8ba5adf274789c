//! Volunteering over HTTP: Party members' registration (报到), branches and their problems (三联), events with
//! their dates and shifts, sign-ups and attendance, service hours, and private calendar feeds.

mod calendar;
mod events;
mod hours;
mod members;
mod pairing;
mod problems;
mod shifts;

pub use calendar::CalendarApi;
pub use events::EventsApi;
pub use hours::HoursApi;
pub use members::MembersApi;
pub use pairing::PairingApi;
pub use shifts::ShiftsApi;

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

use linli_domain::volunteering::model::{ShiftRecord, SignupRecord};

/// A shift: when, where, how many places and how many are taken.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ShiftView {
    id: Uuid,
    event_id: Uuid,
    event_title: String,
    /// Part of a Party Member Community Dedication Day (共产党员社区奉献日).
    dedication_day: bool,
    occurrence_id: Uuid,
    community_id: i32,
    title: String,
    place: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: u32,
    /// Skills the organizer hopes for; anyone may still sign up.
    skills: Vec<String>,
    /// Only registered Party members may sign up.
    members_only: bool,
    confirmed: u32,
    wait_listed: u32,
    /// Places still free.
    free: u32,
    /// Its date was called off.
    called_off: bool,
    /// Closed after its end: attendance is final.
    closed: bool,
}

impl From<ShiftRecord> for ShiftView {
    fn from(s: ShiftRecord) -> Self {
        Self {
            id: s.id.0,
            event_id: s.event.0,
            event_title: s.event_title,
            dedication_day: s.dedication_day,
            occurrence_id: s.occurrence.0,
            community_id: s.community.0,
            title: s.title,
            place: s.place,
            starts_at: s.window.start(),
            ends_at: s.window.end(),
            capacity: s.capacity,
            skills: s.skills.as_slice().to_vec(),
            members_only: s.members_only,
            free: s.capacity.saturating_sub(s.confirmed),
            confirmed: s.confirmed,
            wait_listed: s.wait_listed,
            called_off: s.called_off,
            closed: s.closed_at.is_some(),
        }
    }
}

/// One person's place on a shift.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct SignupView {
    id: Uuid,
    shift_id: Uuid,
    account_id: Uuid,
    display_name: String,
    /// `confirmed`, `wait_listed` or `cancelled`.
    state: String,
    /// Place on the wait-list, 1 for the next to move up.
    wait_list_position: Option<u32>,
    signed_up_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
    /// When the place came from the wait-list.
    promoted_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    /// Cancelled a confirmed place less than 24 hours before the start.
    late_cancel: bool,
    checked_in_at: Option<DateTime<Utc>>,
    checked_out_at: Option<DateTime<Utc>>,
    /// Not checked out by anyone: closed at the shift's end.
    auto_closed: bool,
    no_show: bool,
    /// Service minutes credited.
    minutes: u32,
}

impl From<SignupRecord> for SignupView {
    fn from(s: SignupRecord) -> Self {
        Self {
            id: s.id.0,
            shift_id: s.shift.0,
            account_id: s.account.0,
            display_name: s.display_name,
            state: s.state.as_str().to_owned(),
            wait_list_position: s.wait_list_position,
            signed_up_at: s.signed_up_at,
            confirmed_at: s.confirmed_at,
            promoted_at: s.promoted_at,
            cancelled_at: s.cancelled_at,
            late_cancel: s.late_cancel,
            checked_in_at: s.checked_in_at,
            checked_out_at: s.checked_out_at,
            auto_closed: s.auto_closed,
            no_show: s.no_show,
            minutes: s.minutes,
        }
    }
}
