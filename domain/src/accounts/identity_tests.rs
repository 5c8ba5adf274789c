//! Signing up, codes, passwords, invitations and disabling: each test runs one use case against the
//! in-memory fakes, moving the clock by building the desk again at a later time.

use crate::words::Lang;
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures_util::FutureExt;
use uuid::Uuid;

use super::testing::{FakeDirectory, FakeSessions, FakeTexts};
use super::*;
use crate::clock::FixedClock;
use crate::dispatch::WorkingHours;
use crate::error::DeskError;
use crate::geo::{CommunityId, GeoPoint};
use crate::providers::{NewProvider, ProviderId, ProviderKind, Providers};

type Desk = AccountDesk<FakeDirectory, FakeSessions, FixedClock, FakeTexts>;

const PHONE: &str = "13800241234";

pub(crate) fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fakes never wait")
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
}

pub(crate) struct World {
    pub desk: Desk,
    pub store: FakeDirectory,
    pub sessions: FakeSessions,
    pub texts: FakeTexts,
}

impl World {
    pub fn new() -> Self {
        let store = FakeDirectory::default().with_community(CommunityId(1));
        let sessions = FakeSessions::default();
        let texts = FakeTexts::default();
        let desk = AccountDesk::new(store.clone(), sessions.clone(), FixedClock(start()), texts.clone());
        Self { desk, store, sessions, texts }
    }

    /// The same desk, `by` later.
    fn later(&self, by: Duration) -> Desk {
        AccountDesk { clock: FixedClock(start() + by), ..self.desk.clone() }
    }

    /// The six digits of the last text sent.
    fn last_code(&self) -> String {
        let (_, text) = self.texts.sent().pop().expect("a text was sent");
        text.split(|c: char| !c.is_ascii_digit()).find(|run| run.len() == 6).expect("six digits").to_owned()
    }

    fn sign_up(&self, code: &str) -> Result<Session, SignUpError> {
        run(self.desk.sign_up(SignUpInput {
            phone: PHONE.into(),
            code: code.into(),
            display_name: "王阿姨".into(),
            password: "a long password".into(),
            role: None,
        }))
    }
}

#[test]
fn a_resident_signs_up_with_the_code_texted_to_their_number_and_is_signed_in() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    assert_eq!(w.texts.sent()[0].0, PHONE);
    assert!(w.texts.sent()[0].1.contains("注册验证码"), "the text says what the code is for");
    let session = w.sign_up(&w.last_code()).unwrap();
    assert_eq!(session.account.role, Role::Resident);
    assert_eq!(session.account.phone.as_deref(), Some(PHONE));
    assert_eq!(session.account.password_hash, "hashed:15", "the password is stored hashed");
    assert_eq!(w.sessions.held().opened, vec![session.account.id]);
}

#[test]
fn a_code_works_once() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let code = w.last_code();
    w.sign_up(&code).unwrap();
    let again = run(w.desk.reset_password(PHONE, &code, "another password".into()));
    assert!(matches!(again, Err(ResetPasswordError::Code(CodeError::Missing))), "{again:?}");
}

#[test]
fn a_code_stops_working_when_it_expires() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let code = w.last_code();
    let late = World { desk: w.later(Duration::minutes(10)), ..w };
    assert!(matches!(late.sign_up(&code), Err(SignUpError::Code(CodeError::Expired))));
}

#[test]
fn five_wrong_tries_lock_the_code_even_against_the_right_one() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let code = w.last_code();
    for left in (1..5).rev() {
        assert!(
            matches!(w.sign_up("000000"), Err(SignUpError::Code(CodeError::Wrong { tries_left })) if tries_left == left)
        );
    }
    assert!(matches!(w.sign_up("000000"), Err(SignUpError::Code(CodeError::Locked))));
    assert!(matches!(w.sign_up(&code), Err(SignUpError::Code(CodeError::Locked))));
}

#[test]
fn a_number_waits_a_minute_before_another_code() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let soon = run(w.later(Duration::seconds(20)).send_code(PHONE, CodePurpose::SignUp, None));
    assert!(matches!(soon, Err(SendCodeError::TooSoon { retry_after }) if retry_after == Duration::seconds(40)));
    run(w.later(Duration::seconds(60)).send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    assert_eq!(w.texts.sent().len(), 2);
}

#[test]
fn a_sign_up_code_does_not_reset_a_password() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let reset = run(w.desk.reset_password(PHONE, &w.last_code(), "another password".into()));
    assert!(matches!(reset, Err(ResetPasswordError::Code(CodeError::Missing))), "{reset:?}");
}

#[test]
fn asking_to_sign_up_a_registered_number_texts_that_it_is_registered_and_gives_no_code() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    w.sign_up(&w.last_code()).unwrap();
    let w = World { desk: w.later(Duration::minutes(2)), ..w };
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let (_, text) = w.texts.sent().pop().unwrap();
    assert!(text.contains("已经注册"), "{text}");
    assert!(matches!(w.sign_up("123456"), Err(SignUpError::Taken)));
}

#[test]
fn a_reset_for_a_number_without_an_account_answers_the_same_and_texts_nothing() {
    let w = World::new();
    let answered = run(w.desk.send_code(PHONE, CodePurpose::ResetPassword, None)).unwrap();
    assert_eq!(answered, start() + Duration::minutes(10));
    assert!(w.texts.sent().is_empty());
    let soon = run(w.later(Duration::seconds(5)).send_code(PHONE, CodePurpose::ResetPassword, None));
    assert!(matches!(soon, Err(SendCodeError::TooSoon { .. })), "the same interval holds for every number");
}

#[test]
fn a_reset_sets_the_new_password_and_ends_every_session() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let account = w.sign_up(&w.last_code()).unwrap().account;
    run(w.desk.send_code(PHONE, CodePurpose::ResetPassword, None)).unwrap();
    run(w.desk.reset_password(PHONE, &w.last_code(), "a brand new secret".into())).unwrap();
    let stored = run(w.store.account(account.id)).unwrap().unwrap();
    assert_eq!(stored.password_hash, "hashed:18");
    assert_eq!(w.sessions.held().ended, vec![(account.id, None)]);
}

#[test]
fn a_code_is_texted_in_the_language_asked_for_else_in_the_one_the_account_chose() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, Some(Lang::En))).unwrap();
    assert!(w.texts.sent()[0].1.starts_with("【邻里】Your sign-up code is "), "{:?}", w.texts.sent());
    let me = w.sign_up(&w.last_code()).unwrap().account.actor();
    run(w.desk.set_language(&me, Lang::En)).unwrap();
    run(w.desk.send_code(PHONE, CodePurpose::ResetPassword, None)).unwrap();
    assert!(w.texts.sent()[1].1.starts_with("【邻里】Your code to reset your password is "));
    let later = w.later(Duration::seconds(60));
    run(later.send_code(PHONE, CodePurpose::ResetPassword, Some(Lang::ZhCn))).unwrap();
    assert!(w.texts.sent()[2].1.starts_with("【邻里】您正在重设密码"), "a request that asks for Chinese gets it");
}

#[test]
fn changing_a_password_needs_the_current_one_and_ends_every_other_session() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let session = w.sign_up(&w.last_code()).unwrap();
    let me = session.account.actor();
    let wrong = run(w.desk.change_password(&me, &session.token, "not it", "a brand new secret".into()));
    assert!(matches!(wrong, Err(ChangePasswordError::WrongPassword)));
    let short = run(w.desk.change_password(&me, &session.token, "a long password", "short".into()));
    assert!(matches!(short, Err(ChangePasswordError::Invalid(i)) if i.field == "new_password"));
    run(w.desk.change_password(&me, &session.token, "a long password", "a brand new secret".into())).unwrap();
    assert_eq!(w.sessions.held().ended, vec![(me.account, Some(session.token))]);
}

#[test]
fn only_admins_disable_an_account_and_its_sessions_end() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let resident = w.sign_up(&w.last_code()).unwrap().account;
    let worker = Actor {
        account: AccountId(Uuid::now_v7()),
        role: Role::CommunityWorker,
        provider: None,
        community: None,
        street: None,
    };
    assert!(matches!(run(w.desk.set_disabled(&worker, resident.id, true)), Err(DeskError::Denied(_))));
    let admin = Actor { role: Role::Admin, ..worker };
    run(w.desk.set_disabled(&admin, resident.id, true)).unwrap();
    assert_eq!(w.store.held().disabled, vec![resident.id]);
    let audit = w.store.held().audits.last().cloned().expect("the change is audited");
    assert_eq!(
        (audit.action, audit.actor, audit.object),
        ("account.disabled", admin.account, format!("account:{}", resident.id.0))
    );
    assert_eq!(
        (audit.before, audit.after),
        (Some(serde_json::json!({"disabled": false})), Some(serde_json::json!({"disabled": true})))
    );
    assert_eq!(w.sessions.held().ended, vec![(resident.id, None)]);
    let nobody = run(w.desk.set_disabled(&admin, AccountId(Uuid::now_v7()), true));
    assert!(matches!(nobody, Err(DeskError::NotFound("account"))));
}

#[test]
fn an_admin_cannot_disable_their_own_account() {
    let w = World::new();
    let admin =
        Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None };
    assert!(matches!(run(w.desk.set_disabled(&admin, admin.account, true)), Err(DeskError::Denied(_))));
    assert!(w.store.held().disabled.is_empty() && w.store.held().audits.is_empty());
}

pub(crate) fn organization(store: &FakeDirectory) -> ProviderId {
    let admin =
        Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None };
    let audit = crate::audit::AuditEntry::new(&admin, start(), "provider.created", String::new());
    run(store.create_provider(
        NewProvider {
            kind: ProviderKind::Organization,
            name: "幸福家政".into(),
            credit_code: None,
            community: CommunityId(1),
            location: GeoPoint::parse(41.8, 123.4).unwrap(),
            capacity: 3,
            items: vec![],
            coverage: vec![CommunityId(1)],
            streets: vec![],
            radius_m: None,
            hours: WorkingHours::always(),
            target_share: 1.0,
        },
        audit,
    ))
    .unwrap()
}

pub(crate) fn staff(store: &FakeDirectory, provider: ProviderId, manager: bool) -> Actor {
    let new = NewAccount {
        username: Username::parse(if manager { "boss" } else { "helper" }).unwrap(),
        phone: None,
        display_name: "职员".into(),
        password_hash: "hashed:8".into(),
        role: Role::ProviderStaff,
        provider: Some(provider),
        community: None,
        street: None,
        manager,
        demo: false,
    };
    let id = run(store.create_account(new, None)).unwrap();
    Actor { account: id, role: Role::ProviderStaff, provider: Some(provider), community: None, street: None }
}

fn invitation() -> InvitationInput {
    InvitationInput {
        username: "new.helper".into(),
        display_name: "小李".into(),
        phone: Some(PHONE.into()),
        manager: false,
    }
}

#[test]
fn an_organizations_manager_invites_staff_and_other_staff_cannot() {
    let w = World::new();
    let org = organization(&w.store);
    let helper = staff(&w.store, org, false);
    let refused = run(w.desk.invite_staff(&helper, org, invitation()));
    assert!(matches!(refused, Err(CreateAccountError::Denied(_))), "{refused:?}");
    let boss = staff(&w.store, org, true);
    let elsewhere = run(w.desk.invite_staff(&boss, ProviderId(Uuid::now_v7()), invitation()));
    assert!(
        matches!(elsewhere, Err(CreateAccountError::Denied(_))),
        "a manager invites only to their own organization"
    );
    let sent = run(w.desk.invite_staff(&boss, org, invitation())).unwrap();
    assert!(sent.texted);
    assert!(w.texts.sent()[0].1.contains(&sent.token));
    let invited = run(w.store.account(sent.account)).unwrap().unwrap();
    assert_eq!((invited.role, invited.provider, invited.password_hash.as_str()), (Role::ProviderStaff, Some(org), ""));
}

#[test]
fn an_invitation_sets_the_password_once_and_signs_in() {
    let w = World::new();
    let org = organization(&w.store);
    let admin =
        Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None };
    let sent = run(w.desk.invite_staff(&admin, org, invitation())).unwrap();
    let session = run(w.desk.accept_invitation(&sent.token, "my own password".into())).unwrap();
    assert_eq!(session.account.password_hash, "hashed:15");
    let twice = run(w.desk.accept_invitation(&sent.token, "my own password".into()));
    assert!(matches!(twice, Err(AcceptInvitationError::Unknown)));
}

#[test]
fn an_invitation_expires_after_a_week() {
    let w = World::new();
    let org = organization(&w.store);
    let admin =
        Actor { account: AccountId(Uuid::now_v7()), role: Role::Admin, provider: None, community: None, street: None };
    let sent = run(w.desk.invite_staff(&admin, org, invitation())).unwrap();
    let late = run(w.later(INVITATION_LIFETIME).accept_invitation(&sent.token, "my own password".into()));
    assert!(matches!(late, Err(AcceptInvitationError::Unknown)));
}

#[test]
fn a_resident_erases_their_account_with_their_password_and_its_sessions_end() {
    let w = World::new();
    run(w.desk.send_code(PHONE, CodePurpose::SignUp, None)).unwrap();
    let me = w.sign_up(&w.last_code()).unwrap().account;
    let wrong = run(w.desk.erase(&me.actor(), "not it"));
    assert!(matches!(wrong, Err(EraseError::WrongPassword)));
    assert!(!w.store.writes().contains(&"erase_account"));
    run(w.desk.erase(&me.actor(), "a long password")).unwrap();
    let erased = run(w.store.account(me.id)).unwrap().unwrap();
    assert_eq!((erased.display_name.as_str(), erased.phone.as_deref()), (ERASED_NAME, None));
    assert_eq!(w.sessions.held().ended, vec![(me.id, None)]);
}

#[test]
fn staff_workers_and_admins_do_not_erase_their_own_accounts() {
    let w = World::new();
    for role in [Role::ProviderStaff, Role::CommunityWorker, Role::Admin] {
        let someone = Actor { account: AccountId(Uuid::now_v7()), role, provider: None, community: None, street: None };
        assert!(matches!(run(w.desk.erase(&someone, "whatever")), Err(EraseError::Denied(_))), "{role:?}");
    }
}
