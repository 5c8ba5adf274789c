//! Accounts people make and keep themselves, over HTTP against the real server: signing up with a texted
//! code, refresh tokens that rotate and catch reuse, passwords changed and reset, staff invited, accounts
//! disabled on every replica at once, and the rate limits in front of it all. Time is moved, never waited.

use linli_api::config::ConfigArgs;
use linli_integration_tests::{
    Backend, DEMO_PASSWORD, Fresh, LinliProcess, TestApp, cleaning_order, on_both_backends, texted_code, texts_to,
    tokens,
};
use serde_json::json;

const PHONE: &str = "13912345678";
const PASSWORD: &str = "我的新密码-2026";

/// Signs a new resident up with the code the development SMS adapter wrote; returns access and refresh token.
async fn signed_up(app: &TestApp) -> (String, String) {
    let sent = app.api.send_code(PHONE, "sign_up").await;
    assert_eq!(sent.status.as_u16(), 202, "{:?}", sent.body);
    let code = texted_code(&app.fresh.data_dir, PHONE).expect("the code was written to sms.log");
    let made = app.api.create_own_account(PHONE, &code, PASSWORD).await;
    assert_eq!(made.status.as_u16(), 201, "{:?}", made.body);
    tokens(&made)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_signs_up_on_the_embedded_default_with_the_code_from_the_sms_file() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let (token, _) = signed_up(&app).await;
    let me = app.api.me(&token).await;
    assert_eq!((me.body["role"].as_str(), me.body["display_name"].as_str()), (Some("resident"), Some("王阿姨")));
    let again = app.api.sign_in(PHONE, PASSWORD).await;
    assert_eq!(again.status.as_u16(), 200, "the new account signs in with its number and password");
    let texts = texts_to(&app.fresh.data_dir, PHONE);
    assert!(texts[0].starts_with("【邻里】您的注册验证码是"), "{texts:?}");
}

async fn a_number_has_one_account(app: TestApp) {
    signed_up(&app).await;
    app.clock.advance(chrono::TimeDelta::seconds(61));
    let sent = app.api.send_code(PHONE, "sign_up").await;
    assert_eq!(sent.status.as_u16(), 202, "the answer does not tell who has an account");
    let texts = texts_to(&app.fresh.data_dir, PHONE);
    assert!(texts.last().unwrap().contains("已经注册"), "the text tells the owner instead: {texts:?}");
    let twice = app.api.create_own_account(PHONE, "123456", PASSWORD).await;
    assert_eq!((twice.status.as_u16(), twice.code(), twice.field()), (409, "phone_taken", "phone"));
}
on_both_backends!(a_number_has_one_account);

async fn a_code_is_refused_once_expired_and_locked_after_five_wrong_tries(app: TestApp) {
    app.api.send_code(PHONE, "sign_up").await;
    let code = texted_code(&app.fresh.data_dir, PHONE).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let first = app.api.create_own_account(PHONE, wrong, PASSWORD).await;
    assert_eq!((first.status.as_u16(), first.code(), first.field()), (422, "code_wrong", "code"));
    for _ in 0..4 {
        app.api.create_own_account(PHONE, wrong, PASSWORD).await;
    }
    let locked = app.api.create_own_account(PHONE, &code, PASSWORD).await;
    assert_eq!(locked.code(), "code_locked", "after five wrong tries even the right code fails");

    app.clock.advance(chrono::TimeDelta::seconds(61));
    app.api.send_code(PHONE, "sign_up").await;
    let fresh_code = texted_code(&app.fresh.data_dir, PHONE).unwrap();
    app.clock.advance(chrono::TimeDelta::minutes(10));
    let late = app.api.create_own_account(PHONE, &fresh_code, PASSWORD).await;
    assert_eq!(late.code(), "code_expired");
}
on_both_backends!(a_code_is_refused_once_expired_and_locked_after_five_wrong_tries);

async fn a_number_waits_a_minute_for_another_code(app: TestApp) {
    assert_eq!(app.api.send_code(PHONE, "sign_up").await.status.as_u16(), 202);
    let soon = app.api.send_code(PHONE, "sign_up").await;
    assert_eq!((soon.status.as_u16(), soon.code()), (429, "code_sent_recently"));
    let wait: u64 = soon.retry_after.as_deref().expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    app.clock.advance(chrono::TimeDelta::seconds(60));
    assert_eq!(app.api.send_code(PHONE, "sign_up").await.status.as_u16(), 202);
}
on_both_backends!(a_number_waits_a_minute_for_another_code);

async fn an_access_token_lapses_and_its_refresh_token_renews_it(app: TestApp) {
    let (token, refresh) = signed_up(&app).await;
    app.clock.advance(chrono::TimeDelta::minutes(16));
    assert_eq!(app.api.me(&token).await.status.as_u16(), 401, "the access token lives 15 minutes");
    let renewed = app.api.refresh(&refresh).await;
    assert_eq!(renewed.status.as_u16(), 200, "{:?}", renewed.body);
    let (new_token, new_refresh) = tokens(&renewed);
    assert_ne!(new_refresh, refresh, "the refresh token rotates");
    assert_eq!(app.api.me(&new_token).await.status.as_u16(), 200);
    app.clock.advance(chrono::TimeDelta::hours(73));
    let stale = app.api.refresh(&new_refresh).await;
    assert_eq!((stale.status.as_u16(), stale.code()), (401, "refresh_token_invalid"), "a refresh token lives 72 hours");
}
on_both_backends!(an_access_token_lapses_and_its_refresh_token_renews_it);

async fn a_reused_refresh_token_ends_every_session_of_its_family(app: TestApp) {
    let (_, stolen) = signed_up(&app).await;
    let other_device = tokens(&app.api.sign_in(PHONE, PASSWORD).await).0;
    let (owners_token, owners_refresh) = tokens(&app.api.refresh(&stolen).await);
    let replay = app.api.refresh(&stolen).await;
    assert_eq!((replay.status.as_u16(), replay.code()), (401, "refresh_token_reused"));
    assert_eq!(app.api.me(&owners_token).await.status.as_u16(), 401, "the family's access token ended");
    assert_eq!(app.api.refresh(&owners_refresh).await.status.as_u16(), 401, "and its refresh token");
    assert_eq!(app.api.me(&other_device).await.status.as_u16(), 200, "another sign-in is another family");
}
on_both_backends!(a_reused_refresh_token_ends_every_session_of_its_family);

async fn changing_the_password_ends_every_other_session(app: TestApp) {
    let (here, _) = signed_up(&app).await;
    let (elsewhere, elsewhere_refresh) = tokens(&app.api.sign_in(PHONE, PASSWORD).await);
    let wrong = app.api.change_password(&here, "not my password", "another-secret-1").await;
    assert_eq!((wrong.status.as_u16(), wrong.field()), (422, "current_password"));
    assert_eq!(app.api.change_password(&here, PASSWORD, "another-secret-1").await.status.as_u16(), 204);
    assert_eq!(app.api.me(&here).await.status.as_u16(), 200, "this session goes on");
    assert_eq!(app.api.me(&elsewhere).await.status.as_u16(), 401);
    assert_eq!(app.api.refresh(&elsewhere_refresh).await.status.as_u16(), 401);
    assert_eq!(app.api.sign_in(PHONE, PASSWORD).await.status.as_u16(), 401, "the old password is gone");
    assert_eq!(app.api.sign_in(PHONE, "another-secret-1").await.status.as_u16(), 200);
}
on_both_backends!(changing_the_password_ends_every_other_session);

async fn a_forgotten_password_is_reset_with_a_texted_code(app: TestApp) {
    let (token, _) = signed_up(&app).await;
    let stranger = app.api.send_code("13700001111", "reset_password").await;
    assert_eq!(stranger.status.as_u16(), 202, "a number without an account gets the same answer");
    assert!(texts_to(&app.fresh.data_dir, "13700001111").is_empty(), "and no text");
    app.api.send_code(PHONE, "reset_password").await;
    let code = texted_code(&app.fresh.data_dir, PHONE).unwrap();
    assert_eq!(app.api.reset_password(PHONE, &code, "remembered-now").await.status.as_u16(), 204);
    assert_eq!(app.api.me(&token).await.status.as_u16(), 401, "every session ended");
    assert_eq!(app.api.sign_in(PHONE, "remembered-now").await.status.as_u16(), 200);
    let replay = app.api.reset_password(PHONE, &code, "someone-elses").await;
    assert_eq!(replay.code(), "code_expired", "a code works once");
}
on_both_backends!(a_forgotten_password_is_reset_with_a_texted_code);

async fn logging_out_everywhere_ends_every_session(app: TestApp) {
    let (one, _) = signed_up(&app).await;
    let (two, refresh) = tokens(&app.api.sign_in(PHONE, PASSWORD).await);
    assert_eq!(app.api.post("/api/v1/auth/logout-all", Some(&one), json!({})).await.status.as_u16(), 204);
    for token in [&one, &two] {
        assert_eq!(app.api.me(token).await.status.as_u16(), 401);
    }
    assert_eq!(app.api.refresh(&refresh).await.status.as_u16(), 401);
}
on_both_backends!(logging_out_everywhere_ends_every_session);

async fn an_organizations_manager_invites_staff_who_set_their_own_password(app: TestApp) {
    let api = &app.api;
    let manager = api.login_demo("org001").await;
    let me = api.me(&manager).await;
    assert_eq!(me.body["manager"], true);
    let provider = me.body["provider_id"].as_str().unwrap().to_owned();
    let invite = json!({"username": "new.cleaner", "display_name": "小张", "phone": PHONE});
    let sent = api.post(&format!("/api/v1/providers/{provider}/invitations"), Some(&manager), invite.clone()).await;
    assert_eq!(sent.status.as_u16(), 201, "{:?}", sent.body);
    assert_eq!(sent.body["texted"], true);
    let token = sent.body["token"].as_str().unwrap();
    assert!(texts_to(&app.fresh.data_dir, PHONE)[0].contains(token), "the invitation is texted");
    assert_eq!(api.sign_in("new.cleaner", "").await.status.as_u16(), 401, "no password works before accepting");
    let accept = json!({"token": token, "password": "cleaner-password"});
    let accepted = api.post("/api/v1/auth/invitations/accept", None, accept.clone()).await;
    assert_eq!(accepted.status.as_u16(), 200, "{:?}", accepted.body);
    assert_eq!(accepted.body["account"]["provider_id"].as_str(), Some(provider.as_str()));
    assert_eq!(api.post("/api/v1/auth/invitations/accept", None, accept).await.code(), "invitation_invalid");
    assert_eq!(api.sign_in("new.cleaner", "cleaner-password").await.status.as_u16(), 200);

    let staff = tokens(&accepted).0;
    let by_staff = json!({"username": "another", "display_name": "小李"});
    let refused = api.post(&format!("/api/v1/providers/{provider}/invitations"), Some(&staff), by_staff).await;
    assert_eq!(refused.status.as_u16(), 403, "staff who do not manage cannot invite");
}
on_both_backends!(an_organizations_manager_invites_staff_who_set_their_own_password);

async fn a_disabled_account_cannot_sign_in_until_enabled(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let (token, refresh) = signed_up(&app).await;
    let id = api.me(&token).await.body["id"].as_str().unwrap().to_owned();
    let worker = api.login_demo("worker").await;
    let by_worker = api.post(&format!("/api/v1/admin/accounts/{id}/disable"), Some(&worker), json!({})).await;
    assert_eq!(by_worker.status.as_u16(), 403);
    assert_eq!(
        api.post(&format!("/api/v1/admin/accounts/{id}/disable"), Some(&admin), json!({})).await.status.as_u16(),
        204
    );
    assert_eq!(api.me(&token).await.status.as_u16(), 401);
    assert_eq!(api.refresh(&refresh).await.status.as_u16(), 401);
    let refused = api.sign_in(PHONE, PASSWORD).await;
    assert_eq!((refused.status.as_u16(), refused.code()), (403, "account_disabled"));
    assert_eq!(api.sign_in(PHONE, "wrong password").await.status.as_u16(), 401, "only the password's owner learns it");
    assert_eq!(
        api.post(&format!("/api/v1/admin/accounts/{id}/enable"), Some(&admin), json!({})).await.status.as_u16(),
        204
    );
    assert_eq!(api.sign_in(PHONE, PASSWORD).await.status.as_u16(), 200);
}
on_both_backends!(a_disabled_account_cannot_sign_in_until_enabled);

/// Two `serve` replicas on PostgreSQL and Redis: a token both have resolved (and cached) stops working on the
/// other replica as soon as an admin disables the account on one, well inside the 5 s the cache would keep it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_accounts_sessions_end_at_once_on_every_replica() {
    let fresh = Fresh::new(Backend::Production).await;
    let env = fresh.env();
    let seeded = LinliProcess::run(&["seed"], &env);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let (one, two) =
        tokio::task::spawn_blocking(move || (LinliProcess::serve(&env), LinliProcess::serve(&env))).await.unwrap();
    let (a, b) = (one.api().clone(), two.api().clone());
    let token = tokens(&a.sign_in("resident", DEMO_PASSWORD).await).0;
    assert_eq!(b.me(&token).await.status.as_u16(), 200, "replica two resolves and caches the token");
    let id = b.me(&token).await.body["id"].as_str().unwrap().to_owned();
    let admin = a.login_demo("admin").await;
    assert_eq!(
        a.post(&format!("/api/v1/admin/accounts/{id}/disable"), Some(&admin), json!({})).await.status.as_u16(),
        204
    );
    let started = std::time::Instant::now();
    let mut answered = b.me(&token).await.status.as_u16();
    while answered == 200 && started.elapsed() < std::time::Duration::from_millis(1000) {
        answered = b.me(&token).await.status.as_u16();
    }
    assert_eq!(answered, 401, "replica two refused the token within {:?}", started.elapsed());
}

/// The limits' own test runs them at their real size.
async fn at_real_limits(backend: Backend) -> TestApp {
    let fresh = Fresh::new(backend).await;
    let args = ConfigArgs { rate_limit_scale: Some(1.0), ..fresh.args() };
    TestApp::spawn_with_args(fresh, args).await
}

async fn signing_in_too_often_is_refused_with_retry_after_until_the_clock_moves(backend: Backend) {
    let app = at_real_limits(backend).await;
    for _ in 0..10 {
        assert_eq!(app.api.sign_in("resident", "not the password").await.status.as_u16(), 401);
    }
    let limited = app.api.sign_in("resident", DEMO_PASSWORD).await;
    assert_eq!((limited.status.as_u16(), limited.code()), (429, "rate_limited"));
    let wait: u64 = limited.retry_after.as_deref().expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&wait), "one try comes back a minute later ({wait} s)");
    assert_eq!(limited.body["retry_after"], wait);
    assert_eq!(app.api.sign_in("worker", DEMO_PASSWORD).await.status.as_u16(), 200, "other logins are not held up");
    app.clock.advance(chrono::TimeDelta::seconds(i64::try_from(wait).unwrap()));
    assert_eq!(app.api.sign_in("resident", DEMO_PASSWORD).await.status.as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_too_often_is_refused_in_process() {
    signing_in_too_often_is_refused_with_retry_after_until_the_clock_moves(Backend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_too_often_is_refused_when_counted_in_redis() {
    signing_in_too_often_is_refused_with_retry_after_until_the_clock_moves(Backend::Production).await;
}

/// A resident's order, accepted by the first organization offered it; returns the order id and that staff's
/// token.
async fn accepted_order(app: &TestApp, resident: &str) -> (String, String) {
    let api = &app.api;
    let placed = api.place_order(resident, cleaning_order(), None).await;
    let id = placed.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(resident, &id, "offered", std::time::Duration::from_secs(10)).await;
    let staff = api.offered_staff(&id).await.into_iter().next().expect("an organization was offered it");
    assert_eq!(api.act(&staff, &id, "accept").await.status.as_u16(), 200);
    (id, staff)
}

async fn a_resident_downloads_everything_held_about_them(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let (order, _) = accepted_order(&app, &resident).await;
    let export = api.get("/api/v1/me/export", Some(&resident)).await;
    assert_eq!(export.status.as_u16(), 200);
    let body = &export.body;
    assert_eq!(body["account"]["username"], "resident");
    assert!(body["account"].get("password_hash").is_none(), "no secret is exported");
    let orders = body["orders"].as_array().unwrap();
    assert_eq!(orders[0]["id"], order.as_str());
    assert_eq!(orders[0]["address"], "文安路12号3单元502");
    assert!(orders[0]["events"].as_array().unwrap().len() >= 3, "with its history: {:?}", orders[0]["events"]);
    assert!(body["inbox"].as_array().is_some() && body["sessions"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(body["sessions"][0].get("token_hash").is_none());
}
on_both_backends!(a_resident_downloads_everything_held_about_them);

async fn an_erased_resident_leaves_their_orders_history_and_nothing_personal(app: TestApp) {
    let api = &app.api;
    let (token, _) = signed_up(&app).await;
    let (order, staff) = accepted_order(&app, &token).await;
    let before = api.order(&staff, &order).await;
    assert_eq!(before.body["address"], "文安路12号3单元502", "the provider sees the address once accepted");
    let history = before.body["events"].as_array().unwrap().len();

    let wrong = api.post("/api/v1/me/erase", Some(&token), json!({"password": "not mine"})).await;
    assert_eq!((wrong.status.as_u16(), wrong.field()), (422, "password"));
    assert_eq!(api.post("/api/v1/me/erase", Some(&token), json!({"password": PASSWORD})).await.status.as_u16(), 204);

    assert_eq!(api.me(&token).await.status.as_u16(), 401, "its sessions ended");
    assert_eq!(api.sign_in(PHONE, PASSWORD).await.status.as_u16(), 401, "nobody signs in to it");
    let after = api.order(&staff, &order).await;
    assert_eq!(after.status.as_u16(), 200, "the order stays on record");
    assert_eq!(after.body["address"], "（已注销）");
    assert_eq!(after.body["notes"], "");
    assert_eq!(after.body["state"], "accepted");
    assert_eq!(after.body["events"].as_array().unwrap().len(), history, "its history is intact");
    let seen = after.body.to_string();
    for personal in ["文安路12号3单元502", "请带上清洁剂", PHONE, "王阿姨", "41.781", "123.402"] {
        assert!(!seen.contains(personal), "{personal} is still returned: {seen}");
    }
    let admin = api.login_demo("admin").await;
    let staff_view = api.get(&format!("/api/v1/orders/{order}"), Some(&admin)).await.body.to_string();
    assert!(!staff_view.contains(PHONE) && !staff_view.contains("文安路12号3单元502"), "{staff_view}");
    let again = api.send_code(PHONE, "sign_up").await;
    assert_eq!(again.status.as_u16(), 202, "the number is free to sign up again");
}
on_both_backends!(an_erased_resident_leaves_their_orders_history_and_nothing_personal);

async fn a_provider_sees_the_residents_name_and_number_only_once_it_has_accepted(app: TestApp) {
    let api = &app.api;
    let (resident, _) = signed_up(&app).await;
    let placed = api.place_order(&resident, cleaning_order(), None).await;
    let id = placed.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", std::time::Duration::from_secs(10)).await;
    let offered = api.offered_staff(&id).await;
    let offer = api.order(&offered[0], &id).await;
    assert!(offer.body.get("resident_phone").is_none() && offer.body.get("address").is_none(), "{:?}", offer.body);
    assert_eq!(api.act(&offered[0], &id, "accept").await.status.as_u16(), 200);
    let accepted = api.order(&offered[0], &id).await;
    assert_eq!(
        (accepted.body["resident_name"].as_str(), accepted.body["resident_phone"].as_str()),
        (Some("王阿姨"), Some(PHONE))
    );
    if let Some(other) = offered.get(1) {
        let passed_over = api.order(other, &id).await;
        assert!(
            !passed_over.body.to_string().contains(PHONE),
            "another organization never sees it: {:?}",
            passed_over.body
        );
    }
    let worker = api.login_demo("worker").await;
    assert_eq!(
        api.order(&worker, &id).await.body["resident_phone"].as_str(),
        Some(PHONE),
        "the community's worker does"
    );
}
on_both_backends!(a_provider_sees_the_residents_name_and_number_only_once_it_has_accepted);

/// Two `serve` replicas on one Redis share one budget: tries on one count on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_is_held_across_replicas() {
    let fresh = Fresh::new(Backend::Production).await;
    let mut env = fresh.env();
    env.retain(|(k, _)| k != "LINLI_RATE_LIMIT_SCALE");
    env.push(("LINLI_RATE_LIMIT_SCALE".to_owned(), "1".to_owned()));
    let seeded = LinliProcess::run(&["seed"], &env);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let (one, two) =
        tokio::task::spawn_blocking(move || (LinliProcess::serve(&env), LinliProcess::serve(&env))).await.unwrap();
    let (a, b) = (one.api().clone(), two.api().clone());
    for n in 0..10 {
        let replica = if n % 2 == 0 { &a } else { &b };
        assert_eq!(replica.sign_in("resident", "not the password").await.status.as_u16(), 401);
    }
    for replica in [&a, &b] {
        let limited = replica.sign_in("resident", DEMO_PASSWORD).await;
        assert_eq!((limited.status.as_u16(), limited.code()), (429, "rate_limited"), "the ten tries were shared");
    }
}
