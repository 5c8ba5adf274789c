//! The visit (服务记录): when a job started and ended, where the staff member's device said they were (flagged
//! when far from the address), the service note, and the resident's verdict on it: confirmed, disputed (a case
//! for the community's workers until one resolves it), or confirmed by Linli when the resident did not answer
//! in time. Once the visit is settled (confirmed, or its dispute resolved) the resident rates the provider,
//! once, and may change it for a day.

use chrono::{DateTime, Utc};

use super::model::OrderId;
use crate::accounts::AccountId;
use crate::error::Invalid;
use crate::geo::GeoPoint;
use crate::providers::ProviderId;

/// A start or completion reported farther than this from the order's address is flagged for the resident and
/// the worker to see: a device's fix indoors is often off by a few hundred metres, a wrong address by more.
pub const FAR_FROM_ADDRESS_M: f64 = 500.0;

/// What a person writes about a visit: the service note, a dispute's reason, a resolution. 2 to 500
/// characters, so that "好" alone says nothing and a page of text is not pasted in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitText(String);

impl VisitText {
    /// Parses the text of the request field `field`.
    pub fn parse(raw: &str, field: &str) -> Result<Self, Invalid> {
        let text = raw.trim();
        match text.chars().count() {
            0..=1 => Err(Invalid::new(field, "too_short", format!("{field}: write at least 2 characters"))),
            2..=500 => Ok(Self(text.to_owned())),
            _ => Err(Invalid::new(field, "too_long", format!("{field}: at most 500 characters"))),
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for VisitText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// When a step of the visit happened and, if the device gave it, where, with how far that was from the
/// address.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub location: Option<GeoPoint>,
    /// Metres from the order's location, when a location was given.
    pub distance_m: Option<u32>,
}

impl Mark {
    pub fn new(at: DateTime<Utc>, location: Option<GeoPoint>, address: &GeoPoint) -> Self {
        // Rounded to the metre: more is noise, and the figure is for people.
        let distance_m = location.map(|l| l.distance_m(address).round().min(f64::from(u32::MAX)) as u32);
        Self { at, location, distance_m }
    }

    /// Whether the device placed the staff member far from the address.
    pub fn far(&self) -> bool {
        self.distance_m.is_some_and(|d| f64::from(d) > FAR_FROM_ADDRESS_M)
    }
}

/// The resident's answer to a completed visit.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Not answered yet; confirmed automatically at `due`.
    Pending { due: DateTime<Utc> },
    /// Confirmed by the resident, or by Linli at the due time (`by` is then `None`).
    Confirmed { at: DateTime<Utc>, by: Option<AccountId> },
    /// Disputed: a case for the community's workers, open until one of them resolves it.
    Disputed { at: DateTime<Utc>, by: AccountId, reason: String, resolution: Option<Resolution> },
}

/// How a worker closed a dispute.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub at: DateTime<Utc>,
    pub by: AccountId,
    pub note: String,
}

/// The record of one order's visit.
#[derive(Clone, Debug, PartialEq)]
pub struct Visit {
    pub order: OrderId,
    /// `None` for a job started before visits were recorded.
    pub started: Option<Mark>,
    pub completed: Option<Mark>,
    /// The staff member's note on what was done, written at completion.
    pub note: Option<String>,
    /// The resident's answer, once the job is completed.
    pub verdict: Option<Verdict>,
}

impl Visit {
    /// Whether the case is open: disputed, and no worker has resolved it yet.
    pub fn open_dispute(&self) -> bool {
        matches!(self.verdict, Some(Verdict::Disputed { resolution: None, .. }))
    }

    /// Whether the visit is settled: confirmed, or its dispute resolved. Only then is it rated.
    pub fn settled(&self) -> bool {
        matches!(self.verdict, Some(Verdict::Confirmed { .. } | Verdict::Disputed { resolution: Some(_), .. }))
    }
}

/// How long after rating a resident may still change it: long enough to think again, not to be pressed into it
/// weeks later.
pub const RATING_EDITABLE_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// A rating's stars, 1 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stars(u8);

impl Stars {
    pub fn parse(raw: i64) -> Result<Self, Invalid> {
        match u8::try_from(raw) {
            Ok(n @ 1..=5) => Ok(Self(n)),
            _ => Err(Invalid::new("stars", "invalid_stars", "stars: a whole number from 1 to 5")),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A resident's rating of the provider that served an order.
#[derive(Clone, Debug, PartialEq)]
pub struct Rating {
    pub order: OrderId,
    pub provider: ProviderId,
    pub stars: Stars,
    pub comment: Option<String>,
    pub rated_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Rating {
    /// Until when the resident may change it.
    pub fn editable_until(&self) -> DateTime<Utc> {
        self.rated_at + RATING_EDITABLE_FOR
    }
}

/// A rating as given, before the store decides whether it is new, a change, or too late to change.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRating {
    pub order: OrderId,
    pub provider: ProviderId,
    pub resident: AccountId,
    pub stars: Stars,
    pub comment: Option<VisitText>,
    pub at: DateTime<Utc>,
}

/// What a resident (or a worker) says of a completed visit, written only while the verdict is still pending.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Confirm,
    Dispute(VisitText),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lng: f64) -> GeoPoint {
        GeoPoint::parse(lat, lng).unwrap()
    }

    #[test]
    fn a_note_of_one_character_or_over_500_is_refused_naming_the_field() {
        assert_eq!(VisitText::parse(" 好 ", "note").unwrap_err().field, "note");
        assert_eq!(VisitText::parse(&"修".repeat(501), "reason").unwrap_err().code, "too_long");
        assert_eq!(VisitText::parse("  已更换水龙头  ", "note").unwrap().as_ref(), "已更换水龙头");
    }

    #[test]
    fn stars_are_a_whole_number_from_one_to_five() {
        assert_eq!(Stars::parse(5).unwrap().get(), 5);
        assert_eq!(Stars::parse(0).unwrap_err().field, "stars");
        assert!(Stars::parse(6).is_err() && Stars::parse(-1).is_err());
    }

    #[test]
    fn a_location_more_than_500_metres_from_the_address_is_flagged() {
        let address = point(41.8000, 123.4000);
        let now = Utc::now();
        let near = Mark::new(now, Some(point(41.8010, 123.4000)), &address);
        let far = Mark::new(now, Some(point(41.8100, 123.4000)), &address);
        let unknown = Mark::new(now, None, &address);
        assert_eq!((near.distance_m, near.far()), (Some(111), false));
        assert!(far.far() && far.distance_m.unwrap() > 1000);
        assert_eq!((unknown.distance_m, unknown.far()), (None, false));
    }
}
