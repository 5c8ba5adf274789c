//! Who keeps the map, and what a change to it needs and records.

use chrono::{TimeZone, Utc};
use futures_util::FutureExt;
use uuid::Uuid;

use super::*;
use crate::accounts::AccountId;
use crate::accounts::testing::FakeDirectory;
use crate::clock::FixedClock;

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fakes never wait")
}

fn desk() -> (GeoDesk<FakeDirectory, FixedClock>, FakeDirectory) {
    let fake = FakeDirectory::default().with_community(CommunityId(1));
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 12, 10, 2, 0, 0).unwrap());
    (GeoDesk::new(fake.clone(), clock), fake)
}

fn admin() -> Actor {
    Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None }
}

fn new_community() -> PlaceInput {
    PlaceInput { name: Some("浑南新城社区".into()), lat: Some(41.72), lng: Some(123.47), parent_id: Some(1) }
}

#[test]
fn an_admin_adds_a_community_to_a_street_and_the_audit_names_it() {
    let (desk, fake) = desk();
    let added = run(desk.add_community(&admin(), new_community())).unwrap();
    assert_eq!((added.id, added.street, added.name.as_str()), (CommunityId(2), StreetId(1), "浑南新城社区"));
    let audit = fake.held().audits.last().cloned().unwrap();
    assert_eq!(audit.action, "map.community_added");
    assert_eq!(audit.after.unwrap()["street_id"], 1);
}

#[test]
fn a_new_community_without_a_centre_or_on_an_unknown_street_is_refused_naming_the_field() {
    let (desk, fake) = desk();
    let no_lng = PlaceInput { lng: None, ..new_community() };
    assert!(matches!(run(desk.add_community(&admin(), no_lng)), Err(DeskError::Invalid(i)) if i.field == "lng"));
    let nowhere = PlaceInput { parent_id: Some(9), ..new_community() };
    let refused = run(desk.add_community(&admin(), nowhere));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "parent_id"), "{refused:?}");
    let far = PlaceInput { lat: Some(91.0), ..new_community() };
    assert!(matches!(run(desk.add_community(&admin(), far)), Err(DeskError::Invalid(i)) if i.field == "lat"));
    assert!(fake.writes().is_empty());
}

#[test]
fn a_community_moved_to_a_new_centre_is_recorded_before_and_after() {
    let (desk, fake) = desk();
    let moved = PlaceInput { lat: Some(41.81), lng: Some(123.44), ..Default::default() };
    let after = run(desk.change_community(&admin(), CommunityId(1), moved)).unwrap();
    assert_eq!(after.name, "文安路社区");
    let audit = fake.held().audits.last().cloned().unwrap();
    assert_eq!((audit.action, audit.object.as_str()), ("map.community_changed", "community:1"));
    assert_eq!(audit.after.unwrap()["lat"], 41.81);
    // The values it has change nothing (the fake keeps every community where it was).
    let stored = run(fake.community(CommunityId(1))).unwrap().unwrap().center;
    let same = PlaceInput { lat: Some(stored.lat()), lng: Some(stored.lng()), ..Default::default() };
    let writes = fake.writes().len();
    run(desk.change_community(&admin(), CommunityId(1), same)).unwrap();
    assert_eq!(fake.writes().len(), writes);
}

#[test]
fn only_admins_keep_the_map() {
    let (desk, _) = desk();
    let worker = Actor { role: Role::CommunityWorker, community: Some(CommunityId(1)), ..admin() };
    assert!(matches!(run(desk.add_community(&worker, new_community())), Err(DeskError::Denied(_))));
    let rename = PlaceInput { name: Some("新名".into()), ..Default::default() };
    assert!(matches!(run(desk.change_street(&worker, StreetId(1), rename)), Err(DeskError::Denied(_))));
}
