//! Who may change what a provider offers and where, and what a change keeps.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::accounts::AccountId;
use crate::accounts::testing::FakeDirectory;
use crate::clock::FixedClock;
use crate::providers::testing::{KITCHEN, run, staff};

fn desk() -> (ProviderDesk<FakeDirectory, FixedClock>, FakeDirectory) {
    let fake = FakeDirectory::default().with_community(CommunityId(1)).with_community(CommunityId(2));
    fake.held().profiles.push(Profile {
        provider: KITCHEN,
        kind: ProviderKind::Organization,
        name: "和平区邻里厨房".into(),
        community: CommunityId(1),
        location: GeoPoint::parse(41.8, 123.4).unwrap(),
        items: vec![ItemId(1)],
        coverage: vec![CommunityId(1)],
        streets: vec![],
        radius_m: None,
        target_share: 1.0,
        active: true,
    });
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 12, 10, 2, 0, 0).unwrap());
    (ProviderDesk::new(fake.clone(), clock), fake)
}

fn admin() -> Actor {
    Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None }
}

#[test]
fn a_manager_changes_the_items_and_communities_served_and_the_audit_records_both_sides() {
    let (desk, fake) = desk();
    let boss = staff(&fake, true);
    let input =
        ProfileInput { item_ids: Some(vec![3, 2, 3]), coverage_community_ids: Some(vec![2, 1]), ..Default::default() };
    let next = run(desk.change_profile(&boss, KITCHEN, input)).unwrap();
    assert_eq!(next.items, vec![ItemId(2), ItemId(3)]);
    assert_eq!(next.coverage, vec![CommunityId(1), CommunityId(2)]);
    let audit = fake.held().audits.last().cloned().unwrap();
    assert_eq!((audit.action, audit.object), ("provider.changed", format!("provider:{}", KITCHEN.0)));
    assert_eq!(audit.before.unwrap()["item_ids"], serde_json::json!([1]));
    assert_eq!(audit.after.unwrap()["item_ids"], serde_json::json!([2, 3]));
}

#[test]
fn a_manager_may_not_rename_or_deactivate_and_other_staff_may_change_nothing() {
    let (desk, fake) = desk();
    let boss = staff(&fake, true);
    let rename = ProfileInput { name: Some("新名字".into()), ..Default::default() };
    assert!(matches!(run(desk.change_profile(&boss, KITCHEN, rename)), Err(DeskError::Denied(_))));
    let off = ProfileInput { active: Some(false), ..Default::default() };
    assert!(matches!(run(desk.change_profile(&boss, KITCHEN, off)), Err(DeskError::Denied(_))));
    let helper = staff(&fake, false);
    let items = ProfileInput { item_ids: Some(vec![2]), ..Default::default() };
    assert!(matches!(run(desk.change_profile(&helper, KITCHEN, items)), Err(DeskError::Denied(_))));
    assert!(!fake.writes().contains(&"set_profile"));
}

#[test]
fn an_admin_deactivates_a_provider_and_the_audit_says_so() {
    let (desk, fake) = desk();
    let off = ProfileInput { active: Some(false), ..Default::default() };
    assert!(!run(desk.change_profile(&admin(), KITCHEN, off)).unwrap().active);
    assert_eq!(fake.held().audits.last().unwrap().action, "provider.deactivated");
    let on = ProfileInput { active: Some(true), ..Default::default() };
    assert!(run(desk.change_profile(&admin(), KITCHEN, on)).unwrap().active);
    assert_eq!(fake.held().audits.last().unwrap().action, "provider.reactivated");
}

#[test]
fn a_change_that_leaves_nowhere_served_or_names_an_unknown_community_is_refused_naming_its_field() {
    let (desk, fake) = desk();
    let nowhere = ProfileInput { coverage_community_ids: Some(vec![]), ..Default::default() };
    let refused = run(desk.change_profile(&admin(), KITCHEN, nowhere));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "coverage_community_ids"), "{refused:?}");
    let unknown = ProfileInput { coverage_community_ids: Some(vec![99]), ..Default::default() };
    let refused = run(desk.change_profile(&admin(), KITCHEN, unknown));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.code == "unknown_community"), "{refused:?}");
    let half = ProfileInput { lat: Some(41.7), ..Default::default() };
    let refused = run(desk.change_profile(&admin(), KITCHEN, half));
    assert!(matches!(&refused, Err(DeskError::Invalid(i)) if i.field == "lng"), "{refused:?}");
    assert_eq!(fake.held().profiles[0].coverage, vec![CommunityId(1)]);
}

#[test]
fn another_organizations_staff_do_not_learn_the_provider_exists() {
    let (desk, _) = desk();
    let stranger = Actor {
        account: AccountId(Uuid::now_v7()),
        role: Role::ProviderStaff,
        provider: Some(ProviderId(Uuid::from_u128(8))),
        community: None,
        street: None,
    };
    assert!(matches!(run(desk.profile(&stranger, KITCHEN)), Err(DeskError::NotFound("provider"))));
    let items = ProfileInput { item_ids: Some(vec![2]), ..Default::default() };
    assert!(matches!(run(desk.change_profile(&stranger, KITCHEN, items)), Err(DeskError::NotFound("provider"))));
}

#[test]
fn a_red_station_needs_no_communities_of_its_own_while_an_organization_does() {
    let station = crate::providers::ProviderInput {
        kind: Some("red_station".into()),
        name: "南湖街道红色驿站".into(),
        community_id: 1,
        lat: 41.78,
        lng: 123.40,
        capacity: 3,
        item_ids: vec![1],
        ..Default::default()
    };
    assert_eq!(station.clone().parse().unwrap().kind, ProviderKind::RedStation);
    let point = crate::providers::ProviderInput { kind: Some("community_point".into()), ..station };
    assert_eq!(point.parse().unwrap_err().field, "coverage_community_ids");
    // Narrowed to nowhere, a red station still stands.
    let (desk, fake) = desk();
    fake.held().profiles[0].kind = ProviderKind::RedStation;
    let nowhere = ProfileInput { coverage_community_ids: Some(vec![]), ..Default::default() };
    assert!(run(desk.change_profile(&admin(), KITCHEN, nowhere)).unwrap().coverage.is_empty());
}

#[test]
fn the_admins_page_of_a_provider_is_for_admins_even_to_its_own_managers() {
    let (desk, fake) = desk();
    let boss = staff(&fake, true);
    assert!(matches!(run(desk.profile_for_admin(&boss, KITCHEN)), Err(DeskError::Denied(_))));
    let items = ProfileInput { item_ids: Some(vec![2]), ..Default::default() };
    assert!(matches!(run(desk.change_for_admin(&boss, KITCHEN, items)), Err(DeskError::Denied(_))));
    assert_eq!(run(desk.profile_for_admin(&admin(), KITCHEN)).unwrap().name, "和平区邻里厨房");
}
