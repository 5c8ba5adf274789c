//! Correcting accounts and keeping an organization's staff, against the in-memory fakes.

use uuid::Uuid;

use super::*;
use crate::accounts::identity_tests::{World, organization, run, staff};

fn admin() -> Actor {
    Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None }
}

#[test]
fn an_admin_corrects_a_name_and_number_and_the_audit_shows_both_sides_masked() {
    let w = World::new();
    let org = organization(&w.store);
    let helper = staff(&w.store, org, false);
    let edit = AccountEdit {
        display_name: Some("李师傅".into()),
        phone: Some("13900241234".into()),
        manager: Some(true),
        ..Default::default()
    };
    let after = run(w.desk.change_account(&admin(), helper.account, edit)).unwrap();
    assert_eq!(
        (after.display_name.as_str(), after.phone.as_deref(), after.manager),
        ("李师傅", Some("13900241234"), true)
    );
    let audit = w.store.held().audits.last().cloned().unwrap();
    assert_eq!((audit.action, audit.object), ("account.changed", format!("account:{}", helper.account.0)));
    assert_eq!(audit.before.unwrap()["display_name"], "职员");
    assert_eq!(audit.after.unwrap()["phone"], "139****1234");
}

#[test]
fn a_correction_that_breaks_a_rule_names_its_field_and_changes_nothing() {
    let w = World::new();
    let org = organization(&w.store);
    let helper = staff(&w.store, org, false);
    let cases = [
        (AccountEdit { community_id: Some(CommunityId(1)), ..Default::default() }, "community_id"),
        (AccountEdit { phone: Some("12345".into()), ..Default::default() }, "phone"),
        (AccountEdit { display_name: Some(" ".into()), ..Default::default() }, "display_name"),
        (AccountEdit { street_id: Some(StreetId(1)), ..Default::default() }, "street_id"),
    ];
    for (edit, field) in cases {
        let refused = run(w.desk.change_account(&admin(), helper.account, edit));
        assert!(matches!(&refused, Err(CreateAccountError::Invalid(i)) if i.field == field), "{field}: {refused:?}");
    }
    assert!(!w.store.writes().contains(&"set_details"));
}

#[test]
fn only_admins_correct_accounts() {
    let w = World::new();
    let org = organization(&w.store);
    let boss = staff(&w.store, org, true);
    let refused = run(w.desk.change_account(&boss, boss.account, AccountEdit::default()));
    assert!(matches!(refused, Err(CreateAccountError::Denied(_))));
}

#[test]
fn a_manager_lists_and_disables_their_own_staff_and_no_one_elses() {
    let w = World::new();
    let org = organization(&w.store);
    let boss = staff(&w.store, org, true);
    let other_org = organization(&w.store);
    let stranger = staff(&w.store, other_org, false);
    let listed = run(w.desk.staff(&boss, org)).unwrap();
    assert_eq!(listed.iter().map(|a| a.id).collect::<Vec<_>>(), vec![boss.account]);
    assert!(matches!(run(w.desk.staff(&boss, other_org)), Err(DeskError::NotFound("provider"))));
    let refused = run(w.desk.set_staff_disabled(&boss, org, stranger.account, true));
    assert!(matches!(refused, Err(DeskError::NotFound("account"))), "{refused:?}");
    let elsewhere = run(w.desk.set_staff_disabled(&boss, other_org, stranger.account, true));
    assert!(matches!(elsewhere, Err(DeskError::NotFound("provider"))), "{elsewhere:?}");
    assert!(matches!(run(w.desk.set_staff_disabled(&boss, org, boss.account, true)), Err(DeskError::Denied(_))));
    assert!(matches!(run(w.desk.set_disabled(&boss, stranger.account, true)), Err(DeskError::Denied(_))));
    assert!(w.store.held().disabled.is_empty());
}

#[test]
fn a_manager_disables_a_helper_whose_sessions_end_and_staff_who_do_not_manage_cannot() {
    let w = World::new();
    let org = organization(&w.store);
    let boss = staff(&w.store, org, true);
    // The fake names the one who does not manage `helper`, so this is the second account of the kind.
    let helper = staff(&w.store, org, false);
    assert!(matches!(run(w.desk.staff(&helper, org)), Err(DeskError::Denied(_))));
    assert!(matches!(run(w.desk.set_staff_disabled(&helper, org, boss.account, true)), Err(DeskError::Denied(_))));
    run(w.desk.set_staff_disabled(&boss, org, helper.account, true)).unwrap();
    assert_eq!(w.store.held().disabled, vec![helper.account]);
    assert_eq!(w.sessions.held().ended, vec![(helper.account, None)]);
}
