//! Eligibility: the rules that decide whether a provider may be offered an order. Every rule is checked and
//! the first broken one is named, so tests and explanations can say why a provider was passed over.

use chrono::Duration;

use super::candidate::{Candidate, Request, Scope};
use super::travel::TravelModel;
use crate::catalog::Routing;
use crate::geo::{CommunityId, StreetId};
use crate::providers::{ProviderId, ProviderKind};
use crate::time::{TimeWindow, local_date};

/// Why a provider is not eligible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ineligible {
    Inactive,
    /// Its managers paused new offers.
    Paused,
    /// Does not offer the item.
    ItemNotOffered,
    /// Neither covers the order's area at this scope nor is inside the service circle.
    OutOfArea,
    /// Not working during the order's window.
    OutsideHours,
    /// Closed on the order's day.
    ClosedThatDay,
    /// Already holds as many overlapping jobs as it can.
    NoCapacity,
    /// Was offered this order before (declined or let it lapse): never the same provider twice.
    AlreadyOffered,
}

/// Whether an item's routing lets this kind of provider take its orders at all.
pub fn routed(routing: Routing, candidate: &Candidate, community: CommunityId, street: StreetId) -> bool {
    match routing {
        Routing::Standard => candidate.kind != ProviderKind::PartyMember,
        Routing::Volunteer => candidate.kind == ProviderKind::PartyMember,
        Routing::NeighbourDispute => {
            candidate.kind == ProviderKind::CommunityPoint && candidate.communities.contains(&community)
        }
        Routing::PropertyDispute => {
            candidate.kind == ProviderKind::CommunityPoint && candidate.streets.contains(&street)
        }
    }
}

/// Checks every rule for one provider; `travel_minutes` is the estimate the circle rule used.
pub fn check(
    request: &Request,
    candidate: &Candidate,
    already_offered: &[ProviderId],
    travel: &TravelModel,
) -> Result<f64, Ineligible> {
    let (minutes, free) = room(request, candidate, travel)?;
    if free == 0 {
        return Err(Ineligible::NoCapacity);
    }
    if already_offered.contains(&candidate.id) {
        return Err(Ineligible::AlreadyOffered);
    }
    Ok(minutes)
}

/// Every rule but capacity and the never-twice rule: when the provider could serve the order's window, its
/// travel minutes and how many more jobs it could hold then. Open times ([`open_slots`](super::open_slots))
/// count this room; dispatch ([`check`]) needs some of it.
pub fn room(request: &Request, candidate: &Candidate, travel: &TravelModel) -> Result<(f64, u32), Ineligible> {
    if !candidate.active {
        return Err(Ineligible::Inactive);
    }
    if candidate.paused {
        return Err(Ineligible::Paused);
    }
    if !candidate.items.contains(&request.item) {
        return Err(Ineligible::ItemNotOffered);
    }
    let minutes = travel.minutes(request.category, &candidate.location, &request.location);
    if !covers(request, candidate, minutes, travel) {
        return Err(Ineligible::OutOfArea);
    }
    if !candidate.hours.covers(&request.window) {
        return Err(Ineligible::OutsideHours);
    }
    if closed_during(candidate, &request.window) {
        return Err(Ineligible::ClosedThatDay);
    }
    Ok((minutes, candidate.capacity.saturating_sub(jobs_during(candidate, &request.window, minutes))))
}

/// Whether the window falls on a day the provider is closed (its last moment is just before its end).
fn closed_during(candidate: &Candidate, window: &TimeWindow) -> bool {
    if candidate.closed.is_empty() {
        return false;
    }
    let last = window.end() - Duration::seconds(1);
    [window.start(), last].iter().any(|t| candidate.closed.contains(&local_date(*t)))
}

/// The jobs a provider holds that leave no time to get to `window`: those overlapping it once the travel
/// there, and back out to the next job, is allowed for on either side.
pub fn jobs_during(candidate: &Candidate, window: &TimeWindow, travel_minutes: f64) -> u32 {
    let buffer = Duration::seconds((travel_minutes.max(0.0) * 60.0).ceil() as i64);
    let padded = TimeWindow::from_stored(window.start() - buffer, window.end() + buffer);
    candidate.jobs.iter().filter(|job| job.overlaps(&padded)).count() as u32
}

fn covers(request: &Request, candidate: &Candidate, minutes: f64, travel: &TravelModel) -> bool {
    // A red station's reach is the circle residents know: 15 minutes' walk from it, as the map draws it.
    if candidate.kind == ProviderKind::RedStation {
        let walk = travel.walking_minutes(&candidate.location, &request.location);
        return request.scope == Scope::Community && walk <= travel.circle_minutes;
    }
    match request.scope {
        Scope::Community => {
            candidate.communities.contains(&request.community)
                || candidate.streets.contains(&request.street)
                || candidate.radius_m.is_some_and(|r| candidate.location.distance_m(&request.location) <= r)
                || minutes <= travel.circle_minutes
        }
        Scope::Street => candidate.streets.contains(&request.street),
        Scope::District => candidate.districts.contains(&request.district),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::catalog::{Category, ItemId};
    use crate::dispatch::hours::WorkingHours;
    use crate::geo::{CommunityId, DistrictId, GeoPoint, StreetId};
    use crate::providers::ProviderKind;
    use crate::time::TimeWindow;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use uuid::Uuid;

    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap() // 10:00 in Shanghai
    }

    pub fn request() -> Request {
        Request {
            item: ItemId(15),
            category: Category::Cleaning,
            community: CommunityId(1),
            street: StreetId(1),
            district: DistrictId(1),
            location: GeoPoint::parse(41.80, 123.40).unwrap(),
            window: TimeWindow::from_stored(now() + Duration::hours(1), now() + Duration::hours(3)),
            scope: Scope::Community,
            now: now(),
        }
    }

    /// A provider 1 km north of the order that serves its community and is free all day.
    pub fn candidate(n: u128) -> Candidate {
        Candidate {
            id: ProviderId(Uuid::from_u128(n)),
            kind: ProviderKind::Organization,
            active: true,
            paused: false,
            closed: Vec::new(),
            location: GeoPoint::parse(41.809, 123.40).unwrap(),
            items: vec![ItemId(15)],
            communities: vec![CommunityId(1)],
            streets: vec![StreetId(1)],
            districts: vec![DistrictId(1)],
            radius_m: None,
            capacity: 2,
            hours: WorkingHours::always(),
            rating: 4.5,
            jobs: Vec::new(),
            offers_this_period: 0,
            last_offered_at: None,
            target_share: 1.0,
            active_since: now() - Duration::days(60),
        }
    }

    fn verdict(c: &Candidate) -> Result<f64, Ineligible> {
        check(&request(), c, &[], &TravelModel::default())
    }

    #[test]
    fn a_provider_serving_the_community_with_time_and_room_is_eligible() {
        let minutes = verdict(&candidate(1)).unwrap();
        assert!((4.0..8.0).contains(&minutes), "{minutes}");
    }

    #[test]
    fn each_broken_rule_is_named() {
        let inactive = Candidate { active: false, ..candidate(1) };
        let other_item = Candidate { items: vec![ItemId(16)], ..candidate(1) };
        let closed = Candidate { hours: WorkingHours::daily(0, 60).unwrap(), ..candidate(1) };
        assert_eq!(verdict(&inactive), Err(Ineligible::Inactive));
        assert_eq!(verdict(&other_item), Err(Ineligible::ItemNotOffered));
        assert_eq!(verdict(&closed), Err(Ineligible::OutsideHours));
        let c = candidate(1);
        assert_eq!(check(&request(), &c, &[c.id], &TravelModel::default()), Err(Ineligible::AlreadyOffered));
    }

    #[test]
    fn overlapping_jobs_up_to_capacity_leave_no_room_but_jobs_at_other_times_do_not_count() {
        let w = request().window;
        let overlapping = TimeWindow::from_stored(w.start() - Duration::minutes(30), w.start() + Duration::minutes(30));
        let later = TimeWindow::from_stored(w.end() + Duration::minutes(30), w.end() + Duration::hours(1));
        let full = Candidate { jobs: vec![overlapping, overlapping], ..candidate(1) };
        let busy_later = Candidate { jobs: vec![later, later, later], ..candidate(1) };
        assert_eq!(verdict(&full), Err(Ineligible::NoCapacity));
        assert!(verdict(&busy_later).is_ok());
        let party_member = Candidate { capacity: 1, jobs: vec![overlapping], ..candidate(1) };
        assert_eq!(verdict(&party_member), Err(Ineligible::NoCapacity));
    }

    #[test]
    fn a_job_ending_just_before_the_window_leaves_no_time_to_travel_there() {
        // The provider is about 7 minutes away: a job ending at the window's start leaves no time to get there.
        let w = request().window;
        let back_to_back = TimeWindow::from_stored(w.start() - Duration::hours(1), w.start());
        let with_a_gap = TimeWindow::from_stored(w.start() - Duration::hours(1), w.start() - Duration::minutes(10));
        let single = |job| Candidate { capacity: 1, jobs: vec![job], ..candidate(1) };
        assert_eq!(verdict(&single(back_to_back)), Err(Ineligible::NoCapacity));
        assert!(verdict(&single(with_a_gap)).is_ok());
        assert_eq!(room(&request(), &candidate(1), &TravelModel::default()).map(|(_, free)| free), Ok(2));
    }

    #[test]
    fn a_red_station_reaches_a_fifteen_minute_walk_and_no_further_whatever_the_service() {
        let travel = TravelModel::default();
        let station = Candidate { kind: ProviderKind::RedStation, communities: vec![], ..candidate(9) };
        // About 0.5 km and 1.5 km north: inside the walk, and inside a 12 km/h circle but not the walk.
        for (north, reached) in [(0.0045, true), (0.0135, false)] {
            let mut order = request();
            order.location = GeoPoint::parse(station.location.lat() + north, station.location.lng()).unwrap();
            let seen = room(&order, &station, &travel);
            assert_eq!(seen.is_ok(), reached, "{north}: {seen:?}");
        }
    }

    #[test]
    fn a_provider_outside_the_area_is_eligible_only_inside_the_circle_or_its_radius() {
        let far = GeoPoint::parse(41.90, 123.40).unwrap(); // ~11 km away
        let elsewhere = Candidate { communities: vec![], streets: vec![StreetId(9)], location: far, ..candidate(1) };
        assert_eq!(verdict(&elsewhere), Err(Ineligible::OutOfArea));
        let wide = Candidate { radius_m: Some(15_000.0), ..elsewhere.clone() };
        assert!(verdict(&wide).is_ok());
        let near = Candidate { communities: vec![], streets: vec![], ..candidate(1) };
        assert!(verdict(&near).is_ok(), "1 km by e-bike is well inside 15 minutes");
    }

    #[test]
    fn routing_sends_volunteer_work_to_party_members_and_disputes_to_their_mediators() {
        let org = candidate(1);
        let member = Candidate { kind: ProviderKind::PartyMember, ..candidate(2) };
        let point = Candidate { kind: ProviderKind::CommunityPoint, ..candidate(3) };
        let (c, s) = (CommunityId(1), StreetId(1));
        assert!(routed(Routing::Standard, &org, c, s) && !routed(Routing::Standard, &member, c, s));
        assert!(routed(Routing::Volunteer, &member, c, s) && !routed(Routing::Volunteer, &org, c, s));
        assert!(routed(Routing::NeighbourDispute, &point, c, s) && !routed(Routing::NeighbourDispute, &org, c, s));
        assert!(!routed(Routing::NeighbourDispute, &point, CommunityId(2), s), "only the community's own point");
        assert!(routed(Routing::PropertyDispute, &point, CommunityId(2), s));
        assert!(!routed(Routing::PropertyDispute, &point, c, StreetId(5)));
    }

    #[test]
    fn a_wider_scope_admits_providers_of_the_street_then_the_district() {
        let far = GeoPoint::parse(41.90, 123.40).unwrap();
        let street_wide = Candidate { communities: vec![], location: far, ..candidate(1) };
        let district_wide =
            Candidate { communities: vec![], streets: vec![StreetId(2)], location: far, ..candidate(2) };
        let at = |scope| Request { scope, ..request() };
        let t = TravelModel::default();
        assert!(check(&at(Scope::Community), &district_wide, &[], &t).is_err());
        assert!(check(&at(Scope::Street), &street_wide, &[], &t).is_ok());
        assert!(check(&at(Scope::Street), &district_wide, &[], &t).is_err());
        assert!(check(&at(Scope::District), &district_wide, &[], &t).is_ok());
        assert_eq!(Scope::Community.widen(), Some(Scope::Street));
        assert_eq!(Scope::District.widen(), None);
    }

    #[test]
    fn a_paused_provider_is_offered_nothing_until_it_resumes() {
        assert_eq!(verdict(&Candidate { paused: true, ..candidate(1) }), Err(Ineligible::Paused));
        assert!(verdict(&Candidate { paused: false, ..candidate(1) }).is_ok());
    }

    #[test]
    fn a_provider_closed_on_the_orders_day_is_passed_over_and_open_the_next_day() {
        let today = crate::time::local_date(now());
        let closed_today = Candidate { closed: vec![today], ..candidate(1) };
        assert_eq!(verdict(&closed_today), Err(Ineligible::ClosedThatDay));
        let tomorrow = Request {
            window: TimeWindow::from_stored(now() + Duration::days(1), now() + Duration::days(1) + Duration::hours(2)),
            ..request()
        };
        assert!(check(&tomorrow, &closed_today, &[], &TravelModel::default()).is_ok());
    }
}
