//! Party members and Dedication Day over HTTP: registration with history, branches and their problems, events
//! with recurring dates, sign-ups racing for places, attendance, hours, rosters as CSV, calendar feeds read by an
//! independent iCalendar parser, and volunteer orders counted as service hours.
//!
//! Longer than our usual 400 lines on purpose: every file here is a test binary that links the whole stack,
//! which is minutes on the build machine; each test is short and names one behaviour.

use std::time::Duration;

use chrono::{DateTime, Days, Duration as TimeDelta, NaiveTime, Timelike, Utc};
use linli_domain::catalog::Category;
use linli_integration_tests::{Api, Backend, Reply, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn id_of(r: &Reply) -> String {
    r.body["id"].as_str().unwrap_or_else(|| panic!("an id in {:?}", r.body)).to_owned()
}

fn shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

/// A new account of `role` made by the demo admin, logged in: its token and id.
async fn account(api: &Api, role: &str, name: &str, extra: Value) -> (String, String) {
    let admin = api.login_demo("admin").await;
    let mut body = json!({"username": name, "password": "volunteer-pass", "display_name": name, "role": role});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let made = api.create_account(&admin, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    (api.login(name, "volunteer-pass").await, id_of(&made))
}

/// A Party member registered with and confirmed by 文安路社区 (community 1).
async fn member(api: &Api, name: &str, branch: Option<&str>) -> (String, String) {
    let (token, id) = account(api, "party_member", name, json!({})).await;
    let body = json!({"community_id": 1, "branch_id": branch, "skills": ["理发"]});
    let reg = api.register(&token, body).await;
    assert_eq!(reg.status, StatusCode::CREATED, "{:?}", reg.body);
    let worker = api.login_demo("worker").await;
    let confirmed = api.confirm_registration(&worker, &id_of(&reg)).await;
    assert_eq!(confirmed.body["state"], "confirmed", "{:?}", confirmed.body);
    (token, id)
}

/// A one-off event in community 1 with one shift of `capacity` places on `date` from `start` to `end`
/// (Shanghai); returns the shift's id.
async fn one_shift(api: &Api, date: chrono::NaiveDate, start: &str, end: &str, capacity: u32) -> String {
    let worker = api.login_demo("worker").await;
    let body = json!({
        "title": "共产党员社区奉献日",
        "dedication_day": true,
        "recurrence": {"kind": "once"},
        "first_date": date,
        "shifts": [{"title": "清扫楼道", "start": start, "end": end, "place": "文安路社区党群服务中心",
                    "capacity": capacity, "skills": ["保洁"]}]
    });
    let made = api.create_event(&worker, 1, body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    made.body["occurrences"][0]["shifts"][0]["id"].as_str().unwrap().to_owned()
}

/// A date a week ahead, so a shift on it takes sign-ups and cancellations are not late.
fn next_week() -> chrono::NaiveDate {
    Utc::now().with_timezone(&shanghai()).date_naive() + Days::new(7)
}

async fn a_member_registers_is_confirmed_and_moving_keeps_the_history(app: TestApp) {
    let api = &app.api;
    let (token, _) = account(api, "party_member", "wang-dy", json!({})).await;
    let worker = api.login_demo("worker").await;

    let bad = api.register(&token, json!({"community_id": 1, "skills": ["理发,维修"]})).await;
    assert_eq!((bad.status, bad.field()), (StatusCode::UNPROCESSABLE_ENTITY, "skills"));
    let nowhere = api.register(&token, json!({"community_id": 99999})).await;
    assert_eq!((nowhere.status, nowhere.field()), (StatusCode::UNPROCESSABLE_ENTITY, "community_id"));
    let no_branch = json!({"community_id": 1, "branch_id": uuid::Uuid::nil()});
    let no_branch = api.register(&token, no_branch).await;
    assert_eq!((no_branch.status, no_branch.field()), (StatusCode::UNPROCESSABLE_ENTITY, "branch_id"));

    let first = api.register(&token, json!({"community_id": 1, "skills": ["理发"]})).await;
    assert_eq!((first.status, first.body["state"].clone()), (StatusCode::CREATED, json!("pending")));
    let twice = api.register(&token, json!({"community_id": 1})).await;
    assert_eq!((twice.status, twice.code()), (StatusCode::CONFLICT, "registration_pending"));

    let pending = api.get("/api/v1/communities/1/registrations?state=pending", Some(&worker)).await;
    assert_eq!(pending.body["registrations"].as_array().unwrap().len(), 1);
    let (elsewhere, _) = account(api, "community_worker", "worker-two", json!({"community_id": 2})).await;
    let refused = api.confirm_registration(&elsewhere, &id_of(&first)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "another community's worker cannot confirm");
    let confirmed = api.confirm_registration(&worker, &id_of(&first)).await;
    assert_eq!(confirmed.body["state"], "confirmed");
    let again = api.confirm_registration(&worker, &id_of(&first)).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "not_pending"));
    let me = api.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["community_id"], 1);
    assert!(me.body["provider_id"].is_string(), "a confirmed member takes volunteer orders: {:?}", me.body);

    // Moving to community 2: the new registration replaces the old one once that community confirms it.
    let same = api.register(&token, json!({"community_id": 1})).await;
    assert_eq!((same.status, same.code()), (StatusCode::CONFLICT, "already_registered"));
    let moving = api.register(&token, json!({"community_id": 2})).await;
    assert_eq!(moving.status, StatusCode::CREATED);
    let moved = api.confirm_registration(&elsewhere, &id_of(&moving)).await;
    assert_eq!(moved.body["state"], "confirmed", "{:?}", moved.body);
    let history = api.get("/api/v1/party-members/me/registrations", Some(&token)).await;
    let states: Vec<(i64, String)> = history.body["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["community_id"].as_i64().unwrap(), r["state"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(states, [(2, "confirmed".to_owned()), (1, "ended".to_owned())]);
    assert_eq!(api.get("/api/v1/me", Some(&token)).await.body["community_id"], 2);

    // A rejection says why.
    let (other, _) = account(api, "party_member", "li-dy", json!({})).await;
    let r = api.register(&other, json!({"community_id": 1})).await;
    let empty = api.reject_registration(&worker, &id_of(&r), json!({"note": " "})).await;
    assert_eq!((empty.status, empty.field()), (StatusCode::UNPROCESSABLE_ENTITY, "note"));
    let note = json!({"note": "不在本社区居住"});
    let rejected = api.reject_registration(&worker, &id_of(&r), note).await;
    assert_eq!(
        (rejected.body["state"].clone(), rejected.body["note"].clone()),
        (json!("rejected"), json!("不在本社区居住"))
    );
    let page = api.get("/api/v1/communities/1/registrations?limit=1", Some(&worker)).await;
    let cursor = page.body["next_cursor"].as_str().expect("two registrations in 文安路社区").to_owned();
    let rest = api.get(&format!("/api/v1/communities/1/registrations?limit=1&cursor={cursor}"), Some(&worker)).await;
    assert_eq!(rest.body["registrations"][0]["state"], "rejected", "oldest first: {:?}", rest.body);
    assert!(rest.body["next_cursor"].is_null());
}
on_both_backends!(a_member_registers_is_confirmed_and_moving_keeps_the_history);

/// An organ Party branch made by the admin and paired with 文安路社区 (community 1); its id.
async fn branch_paired_with_community_1(api: &Api, admin: &str, name: &str) -> String {
    let made = api.create_branch(admin, json!({"name": name, "organization": "沈阳市民政局"})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let branch = id_of(&made);
    assert_eq!(api.pair_branch(admin, &branch, "1").await.status, StatusCode::NO_CONTENT);
    branch
}

/// A problem posted by the demo worker in 文安路社区; its id.
async fn problem_in_community_1(api: &Api, worker: &str, title: &str) -> String {
    let posted =
        api.post_problem(worker, 1, json!({"title": title, "details": "三单元楼道堆放杂物，存在消防隐患"})).await;
    assert_eq!((posted.status, posted.body["state"].clone()), (StatusCode::CREATED, json!("open")));
    id_of(&posted)
}

async fn a_branch_is_paired_once_however_often_it_is_asked_and_an_unpaired_community_cannot_post(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let worker = api.login_demo("worker").await;
    // The demo pairs communities 1 to 671 with branches; 900 has none to post to.
    let lonely = api.post_problem(&admin, 900, json!({"title": "楼道堆物", "details": "三单元楼道堆放杂物"})).await;
    assert_eq!((lonely.status, lonely.code()), (StatusCode::CONFLICT, "no_paired_branch"));

    let branch = branch_paired_with_community_1(api, &admin, "市民政局机关第十二党支部").await;
    let twice = api.pair_branch(&admin, &branch, "1").await;
    assert_eq!(twice.status, StatusCode::NO_CONTENT, "pairing twice changes nothing");
    let bad = api.pair_branch(&admin, &branch, "one").await;
    assert_eq!((bad.status, bad.field()), (StatusCode::BAD_REQUEST, "community_id"));
    let listed = api.get("/api/v1/branches?community_id=1", Some(&worker)).await;
    let ours = listed.body["branches"].as_array().unwrap().iter().find(|b| b["id"] == branch.as_str()).unwrap();
    assert_eq!(ours["community_ids"], json!([1]));
}
on_both_backends!(a_branch_is_paired_once_however_often_it_is_asked_and_an_unpaired_community_cannot_post);

async fn of_two_members_taking_a_problem_at_once_one_wins_and_only_their_branch_closes_it(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let worker = api.login_demo("worker").await;
    let branch = branch_paired_with_community_1(api, &admin, "市民政局机关第十二党支部").await;
    let problem = problem_in_community_1(api, &worker, "楼道堆物").await;

    let (outsider, _) = member(api, "no-branch", None).await;
    let refused = api.take_problem(&outsider, &problem).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a member without a branch cannot take it");
    let (a, _) = member(api, "branch-a", Some(&branch)).await;
    let (b, _) = member(api, "branch-b", Some(&branch)).await;
    let early = api.close_problem(&a, &problem, json!({"solved": true, "outcome": "已清理"})).await;
    assert_eq!(early.status, StatusCode::FORBIDDEN, "only the branch that took it closes it");
    let (took, second) = tokio::join!(api.take_problem(&a, &problem), api.take_problem(&b, &problem));
    let mut statuses = [took.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "one take wins: {:?} {:?}", took.body, second.body);
    let closer = if took.status == StatusCode::OK { &a } else { &b };
    let blank = api.close_problem(closer, &problem, json!({"solved": true, "outcome": ""})).await;
    assert_eq!((blank.status, blank.field()), (StatusCode::UNPROCESSABLE_ENTITY, "outcome"));
    let closed = api.close_problem(closer, &problem, json!({"solved": true, "outcome": "联系物业清理完毕"})).await;
    assert_eq!(closed.body["state"], "solved", "{:?}", closed.body);
    let counted = api.get(&format!("/api/v1/branches/{branch}"), Some(&a)).await;
    assert_eq!(counted.body["problems_solved"], 1);
}
on_both_backends!(of_two_members_taking_a_problem_at_once_one_wins_and_only_their_branch_closes_it);

async fn problem_lists_come_a_page_at_a_time_with_counts_and_each_branch_sees_only_its_share(app: TestApp) {
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let worker = api.login_demo("worker").await;
    let branch = branch_paired_with_community_1(api, &admin, "市民政局机关第十二党支部").await;
    let solved = problem_in_community_1(api, &worker, "楼道堆物").await;
    let (a, _) = member(api, "branch-a", Some(&branch)).await;
    assert_eq!(api.take_problem(&a, &solved).await.status, StatusCode::OK);
    let closed = api.close_problem(&a, &solved, json!({"solved": true, "outcome": "联系物业清理完毕"})).await;
    assert_eq!(closed.body["state"], "solved", "{:?}", closed.body);
    for title in ["路灯不亮", "车棚漏雨"] {
        problem_in_community_1(api, &worker, title).await;
    }

    let page = api.get("/api/v1/communities/1/problems?limit=2", Some(&worker)).await;
    assert_eq!(page.body["problems"].as_array().unwrap().len(), 2);
    assert_eq!((page.body["counts"]["open"].clone(), page.body["counts"]["solved"].clone()), (json!(2), json!(1)));
    let cursor = page.body["next_cursor"].as_str().expect("a second page").to_owned();
    let rest = api.get(&format!("/api/v1/communities/1/problems?limit=2&cursor={cursor}"), Some(&worker)).await;
    assert_eq!(rest.body["problems"][0]["id"].as_str(), Some(solved.as_str()), "the oldest comes last");
    assert!(rest.body["next_cursor"].is_null());
    let bad = api.get("/api/v1/communities/1/problems?cursor=nope", Some(&worker)).await;
    assert_eq!((bad.status, bad.field()), (StatusCode::BAD_REQUEST, "cursor"));
    let first = api.get("/api/v1/branches?limit=2", Some(&worker)).await;
    let next = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = api.get(&format!("/api/v1/branches?limit=2&cursor={next}"), Some(&worker)).await;
    assert_ne!(first.body["branches"][1]["id"], second.body["branches"][0]["id"]);
    assert_eq!(second.body["branches"].as_array().unwrap().len(), 2);

    // A member of another paired branch sees the open problems, not what this branch took.
    let other = branch_paired_with_community_1(api, &admin, "市司法局机关第二十党支部").await;
    let (c, _) = member(api, "branch-c", Some(&other)).await;
    let seen_by_other = api.get("/api/v1/communities/1/problems", Some(&c)).await;
    assert_eq!(seen_by_other.body["problems"].as_array().unwrap().len(), 2, "{:?}", seen_by_other.body);
    assert_eq!(
        (seen_by_other.body["counts"]["open"].clone(), seen_by_other.body["counts"]["solved"].clone()),
        (json!(2), json!(0))
    );
    let seen_by_branch = api.get(&format!("/api/v1/branches/{branch}/problems"), Some(&a)).await;
    assert_eq!(seen_by_branch.body["counts"]["solved"], 1);
    let (outsider, _) = member(api, "no-branch", None).await;
    let stranger = api.get(&format!("/api/v1/branches/{branch}/problems"), Some(&outsider)).await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);
    // A caller who may not see the list is told so, whatever the page parameters say.
    let refused = api.get(&format!("/api/v1/branches/{branch}/problems?limit=500"), Some(&outsider)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
on_both_backends!(problem_lists_come_a_page_at_a_time_with_counts_and_each_branch_sees_only_its_share);

/// A Dedication Day event from `first` by `recurrence`, with `shift` on each of its dates.
fn dedication_day(recurrence: Value, first: chrono::NaiveDate, shift: Value) -> Value {
    json!({"title": "共产党员社区奉献日", "dedication_day": true, "recurrence": recurrence, "first_date": first,
           "shifts": [shift]})
}

fn haircut_shift() -> Value {
    json!({"title": "义务理发", "start": "09:00", "end": "11:30", "place": "社区活动室", "capacity": 5})
}

fn second_saturdays() -> Value {
    json!({"kind": "monthly_weekday", "nth": 2, "weekday": 6})
}

fn today_in_shanghai() -> chrono::NaiveDate {
    Utc::now().with_timezone(&shanghai()).date_naive()
}

/// The monthly Dedication Day made in 文安路社区 by the demo worker, and its dates.
async fn monthly_dedication_day(api: &Api, worker: &str) -> (Reply, Vec<chrono::NaiveDate>) {
    let made =
        api.create_event(worker, 1, dedication_day(second_saturdays(), today_in_shanghai(), haircut_shift())).await;
    assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
    let dates = made.body["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["date"].as_str().unwrap().parse().unwrap())
        .collect();
    (made, dates)
}

async fn an_event_that_breaks_a_rule_is_refused_naming_the_field(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let today = today_in_shanghai();
    let event = dedication_day;
    let shift = haircut_shift();
    let monthly = second_saturdays();
    for (body, field) in [
        (event(json!({"kind": "monthly_day", "day": 32}), today, shift.clone()), "recurrence.day"),
        (event(monthly.clone(), today - Days::new(1), shift.clone()), "first_date"),
        (
            event(
                monthly.clone(),
                today,
                json!({"title": "理发", "start": "11:00", "end": "09:00", "place": "活动室", "capacity": 5}),
            ),
            "shifts[0].end",
        ),
        (
            event(
                monthly.clone(),
                today,
                json!({"title": "理发", "start": "9点", "end": "11:00", "place": "活动室", "capacity": 5}),
            ),
            "shifts[0].start",
        ),
        (
            event(
                monthly.clone(),
                today,
                json!({"title": "理发", "start": "09:00", "end": "11:00", "place": "活动室", "capacity": 0}),
            ),
            "shifts[0].capacity",
        ),
    ] {
        let r = api.create_event(&worker, 1, body).await;
        assert_eq!((r.status, r.field()), (StatusCode::UNPROCESSABLE_ENTITY, field), "{:?}", r.body);
    }
    // A kind the schema does not list is refused as the wrong type of value, naming the field all the same.
    let weekly = api.create_event(&worker, 1, event(json!({"kind": "weekly"}), today, shift.clone())).await;
    assert_eq!((weekly.status, weekly.field()), (StatusCode::BAD_REQUEST, "recurrence.kind"), "{:?}", weekly.body);
    let bad_date = api
        .create_event(
            &worker,
            1,
            json!({"title": "x", "recurrence": {"kind": "once"}, "first_date": "5 December", "shifts": []}),
        )
        .await;
    assert_eq!((bad_date.status, bad_date.field()), (StatusCode::BAD_REQUEST, "first_date"));
    let not_mine = api.create_event(&worker, 2, event(monthly.clone(), today, shift.clone())).await;
    assert_eq!(not_mine.status, StatusCode::FORBIDDEN);
}
on_both_backends!(an_event_that_breaks_a_rule_is_refused_naming_the_field);

async fn a_monthly_dedication_day_has_a_year_of_second_saturdays_each_with_its_shift(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let (made, dates) = monthly_dedication_day(api, &worker).await;
    assert!((12..=13).contains(&dates.len()), "a year ahead: {dates:?}");
    for d in &dates {
        use chrono::Datelike;
        assert_eq!((d.weekday(), (d.day() - 1) / 7), (chrono::Weekday::Sat, 1), "{d} is a second Saturday");
    }
    let starts: DateTime<Utc> =
        made.body["occurrences"][1]["shifts"][0]["starts_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(starts.with_timezone(&shanghai()).time(), NaiveTime::from_hms_opt(9, 0, 0).unwrap());
}
on_both_backends!(a_monthly_dedication_day_has_a_year_of_second_saturdays_each_with_its_shift);

async fn moving_one_date_moves_its_shift_leaves_the_others_and_tells_who_signed_up(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let (wang, _) = member(api, "wang-dy", None).await;
    let (made, dates) = monthly_dedication_day(api, &worker).await;
    let second = &made.body["occurrences"][1];
    let shift_id = second["shifts"][0]["id"].as_str().unwrap().to_owned();
    let starts: DateTime<Utc> = second["shifts"][0]["starts_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(api.sign_up(&wang, &shift_id).await.body["state"], "confirmed");

    let new_date = dates[1] + Days::new(1);
    let path = format!("/api/v1/occurrences/{}", second["id"].as_str().unwrap());
    let moved = api.patch(&path, &worker, json!({"date": new_date, "note": "因社区活动室维修顺延一天"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    let moved_start: DateTime<Utc> = moved.body["shifts"][0]["starts_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(moved_start - starts, TimeDelta::days(1));
    let past = api.patch(&path, &worker, json!({"date": today_in_shanghai() - Days::new(1)})).await;
    assert_eq!((past.status, past.field()), (StatusCode::UNPROCESSABLE_ENTITY, "date"));
    let again = api.get(&format!("/api/v1/events/{}", id_of(&made)), Some(&worker)).await;
    assert_eq!(again.body["occurrences"][2]["date"].as_str().unwrap(), dates[2].to_string());
    let inbox = api.inbox(&wang).await;
    assert!(inbox.body["messages"].as_array().unwrap().iter().any(|m| m["title"] == "活动改期"), "{:?}", inbox.body);
}
on_both_backends!(moving_one_date_moves_its_shift_leaves_the_others_and_tells_who_signed_up);

async fn a_called_off_date_refuses_sign_ups_until_it_is_taken_back(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let (made, _) = monthly_dedication_day(api, &worker).await;
    let second = &made.body["occurrences"][1];
    let shift_id = second["shifts"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/occurrences/{}", second["id"].as_str().unwrap());
    let off = api.patch(&path, &worker, json!({"cancelled": true})).await;
    assert_eq!(off.body["cancelled"], true);
    let (li, _) = member(api, "li-dy", None).await;
    let refused = api.sign_up(&li, &shift_id).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "called_off"));
    api.patch(&path, &worker, json!({"cancelled": false})).await;
    let taken = api.sign_up(&li, &shift_id).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{:?}", taken.body);
}
on_both_backends!(a_called_off_date_refuses_sign_ups_until_it_is_taken_back);

async fn sign_up_rules_hold_overlaps_members_only_and_repeat_sign_ups(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let (wang, _) = member(api, "wang-dy", None).await;
    let morning = one_shift(api, next_week(), "09:00", "11:00", 1).await;
    let overlapping = one_shift(api, next_week(), "10:30", "12:00", 5).await;
    let afternoon = one_shift(api, next_week(), "11:00", "13:00", 5).await;

    let first = api.sign_up(&wang, &morning).await;
    assert_eq!((first.status, first.body["state"].clone()), (StatusCode::CREATED, json!("confirmed")));
    let repeat = api.sign_up(&wang, &morning).await;
    assert_eq!((repeat.status, repeat.body["id"].clone()), (StatusCode::OK, first.body["id"].clone()), "harmless");
    let clash = api.sign_up(&wang, &overlapping).await;
    assert_eq!((clash.status, clash.code()), (StatusCode::CONFLICT, "overlapping_shift"));
    let next = api.sign_up(&wang, &afternoon).await;
    assert_eq!(next.status, StatusCode::CREATED, "back to back is fine: {:?}", next.body);

    let resident = api.login_demo("resident").await;
    let members_only = api.sign_up(&resident, &afternoon).await;
    assert_eq!((members_only.status, members_only.code()), (StatusCode::FORBIDDEN, "members_only"));
    let far = api.get("/api/v1/communities/1/shifts?from=%2B262143-12-31T00:00:00Z", Some(&wang)).await;
    assert_eq!((far.status, far.field()), (StatusCode::BAD_REQUEST, "from"));
    let unknown = api.post(&format!("/api/v1/shifts/{}/signups", uuid::Uuid::nil()), Some(&wang), json!({})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    // A full shift offers the wait-list; raising the capacity moves it up at once.
    let (li, _) = member(api, "li-dy", None).await;
    let waiting = api.sign_up(&li, &morning).await;
    assert_eq!(
        (waiting.body["state"].clone(), waiting.body["wait_list_position"].clone()),
        (json!("wait_listed"), json!(1))
    );
    let bad = api.patch(&format!("/api/v1/shifts/{morning}"), &worker, json!({"capacity": 0})).await;
    assert_eq!((bad.status, bad.field()), (StatusCode::UNPROCESSABLE_ENTITY, "capacity"));
    let raised = api.patch(&format!("/api/v1/shifts/{morning}"), &worker, json!({"capacity": 2})).await;
    assert_eq!((raised.body["confirmed"].clone(), raised.body["wait_listed"].clone()), (json!(2), json!(0)));

    // Cancelling a week ahead is not late; cancelling twice changes nothing.
    let cancelled = api.cancel_sign_up(&wang, &afternoon).await;
    assert_eq!(
        (cancelled.body["state"].clone(), cancelled.body["late_cancel"].clone()),
        (json!("cancelled"), json!(false))
    );
    let twice = api.cancel_sign_up(&wang, &afternoon).await;
    assert_eq!(twice.body["state"], "cancelled");
    let mine = api.get("/api/v1/me/shifts", Some(&wang)).await;
    assert_eq!(mine.body["shifts"].as_array().unwrap().len(), 2, "{:?}", mine.body);
}
on_both_backends!(sign_up_rules_hold_overlaps_members_only_and_repeat_sign_ups);

/// A shift starting within the hour, so check-in is open: ten minutes from now in Shanghai, or just after
/// midnight when that is too late in the day for a shift to fit.
fn shift_opening_soon() -> (chrono::NaiveDate, String, String) {
    let start = Utc::now().with_timezone(&shanghai()) + TimeDelta::minutes(10);
    let last_start = NaiveTime::from_hms_opt(23, 49, 0).unwrap();
    let today = Utc::now().with_timezone(&shanghai()).date_naive();
    if start.date_naive() == today && start.time() <= last_start {
        let end = (start.time() + TimeDelta::hours(1)).min(NaiveTime::from_hms_opt(23, 59, 0).unwrap());
        let end = if end < start.time() { NaiveTime::from_hms_opt(23, 59, 0).unwrap() } else { end };
        (today, format!("{:02}:{:02}", start.hour(), start.minute()), format!("{:02}:{:02}", end.hour(), end.minute()))
    } else {
        (today + Days::new(1), "00:05".into(), "01:05".into())
    }
}

async fn members_check_in_and_out_with_the_code_and_the_organizer_exports_the_roster(app: TestApp) {
    let api = &app.api;
    let worker = api.login_demo("worker").await;
    let (date, start, end) = shift_opening_soon();
    let shift = one_shift(api, date, &start, &end, 5).await;
    let (wang, wang_id) = member(api, "wang-dy", None).await;
    let (li, li_id) = member(api, "li-dy", None).await;
    for t in [&wang, &li] {
        assert_eq!(
            api.post(&format!("/api/v1/shifts/{shift}/signups"), Some(t), json!({})).await.status,
            StatusCode::CREATED
        );
    }
    let roster = api.roster(&worker, &shift).await;
    let code = roster.body["check_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert_eq!(api.roster(&wang, &shift).await.status, StatusCode::FORBIDDEN);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let bad = api.attend(&wang, &shift, "check-in", wrong).await;
    assert_eq!((bad.status, bad.field()), (StatusCode::UNPROCESSABLE_ENTITY, "code"));
    let out_first = api.attend(&wang, &shift, "check-out", &code).await;
    assert_eq!((out_first.status, out_first.code()), (StatusCode::CONFLICT, "not_checked_in"));
    let checked_in = api.attend(&wang, &shift, "check-in", &code).await;
    assert!(checked_in.body["checked_in_at"].is_string(), "{:?}", checked_in.body);
    // Time before the start earns nothing, so checking out before it is refused rather than credited as zero.
    let out = api.attend(&wang, &shift, "check-out", &code).await;
    assert_eq!((out.status, out.code()), (StatusCode::CONFLICT, "not_started"), "{:?}", out.body);
    // The organizer checks the other member in.
    let by_organizer = json!({"account_id": li_id, "action": "check_in"});
    let r = api.post(&format!("/api/v1/shifts/{shift}/attendance"), Some(&worker), by_organizer).await;
    assert!(r.body["checked_in_at"].is_string(), "{:?}", r.body);
    // The spec lists the actions, so another is a malformed request, named by its field.
    let bad_action = json!({"account_id": li_id, "action": "arrive"});
    let r = api.post(&format!("/api/v1/shifts/{shift}/attendance"), Some(&worker), bad_action).await;
    assert_eq!((r.status, r.field()), (StatusCode::BAD_REQUEST, "action"));

    let roster = api.roster(&worker, &shift).await;
    assert_eq!(roster.body["checked_in"], 2);
    let (status, content_type, csv) = api.text(&format!("/api/v1/shifts/{shift}/roster.csv"), Some(&worker)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("name,state,wait_list_position"), "{csv}");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines.iter().any(|l| l.starts_with("wang-dy,confirmed,")), "{csv}");
    let _ = wang_id;
}
on_both_backends!(members_check_in_and_out_with_the_code_and_the_organizer_exports_the_roster);

/// 100 members sign up at once for 10 places: exactly 10 confirmed and 90 wait-listed, each at a distinct
/// position that the roster keeps; 5 of the confirmed cancel at once: the next 5 move up, each told once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_members_racing_for_ten_places_get_ten_confirmed_and_ninety_wait_listed_in_order() {
    let app = TestApp::spawn(Backend::Production).await;
    let api = app.api.clone();
    let shift = one_shift(&api, next_week(), "09:00", "11:00", 10).await;
    let mut made = tokio::task::JoinSet::new();
    for n in 0..100 {
        let api = api.clone();
        made.spawn(async move { member(&api, &format!("racer-{n:03}"), None).await });
    }
    let members: Vec<(String, String)> = made.join_all().await;

    let mut racing = tokio::task::JoinSet::new();
    for (token, id) in members.clone() {
        let (api, shift) = (api.clone(), shift.clone());
        racing.spawn(async move { (id, api.sign_up(&token, &shift).await) });
    }
    let replies = racing.join_all().await;
    assert!(replies.iter().all(|(_, r)| r.status == StatusCode::CREATED), "every sign-up lands");
    let confirmed = replies.iter().filter(|(_, r)| r.body["state"] == "confirmed").count();
    let mut positions: Vec<u64> = replies.iter().filter_map(|(_, r)| r.body["wait_list_position"].as_u64()).collect();
    positions.sort_unstable();
    assert_eq!(confirmed, 10);
    assert_eq!(positions, (1..=90).collect::<Vec<_>>(), "each arrival got the next wait-list place");

    let worker = api.login_demo("worker").await;
    let roster = api.roster(&worker, &shift).await;
    assert_eq!(roster.body["confirmed"].as_array().unwrap().len(), 10);
    let wait_list: Vec<String> = roster.body["wait_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["account_id"].as_str().unwrap().to_owned())
        .collect();
    let position_of = |id: &str| {
        replies.iter().find(|(who, _)| who == id).and_then(|(_, r)| r.body["wait_list_position"].as_u64()).unwrap()
    };
    let in_order: Vec<u64> = wait_list.iter().map(|id| position_of(id)).collect();
    assert_eq!(in_order, (1..=90).collect::<Vec<_>>(), "the roster keeps arrival order");

    // Five confirmed members cancel at once.
    let leaving: Vec<String> = roster.body["confirmed"]
        .as_array()
        .unwrap()
        .iter()
        .take(5)
        .map(|s| s["account_id"].as_str().unwrap().to_owned())
        .collect();
    let mut cancels = tokio::task::JoinSet::new();
    for (token, id) in members.iter().filter(|(_, id)| leaving.contains(id)).cloned() {
        let (api, shift) = (api.clone(), shift.clone());
        cancels.spawn(async move { (id, api.cancel_sign_up(&token, &shift).await) });
    }
    for (_, r) in cancels.join_all().await {
        assert_eq!(r.body["state"], "cancelled", "{:?}", r.body);
    }
    let after = api.roster(&worker, &shift).await;
    let now_confirmed: Vec<String> = after.body["confirmed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["account_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(now_confirmed.len(), 10);
    for promoted in &wait_list[..5] {
        assert!(now_confirmed.contains(promoted), "the first five of the wait-list moved up");
    }
    assert_eq!(after.body["wait_list"].as_array().unwrap().len(), 85);
    assert_eq!(after.body["wait_list"][0]["account_id"].as_str().unwrap(), wait_list[5]);
    for (token, id) in &members {
        let told = api.get("/api/v1/inbox", Some(token)).await.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["title"] == "候补转正")
            .count();
        let expected = usize::from(wait_list[..5].contains(id));
        assert_eq!(told, expected, "promotion told exactly once to the promoted, never to others");
    }
}

/// The member's calendar feed parses with Python's `icalendar` (an independent RFC 5545 implementation) and
/// gives back the shift's times; a replaced URL stops working. An organization's feed holds its accepted
/// appointments.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_feeds_parse_with_an_independent_parser_and_keep_the_times() {
    let app = TestApp::spawn(Backend::Production).await;
    let api = &app.api;
    let shift = one_shift(api, next_week(), "09:00", "11:30", 5).await;
    let (wang, _) = member(api, "wang-dy", None).await;
    api.sign_up(&wang, &shift).await;
    let detail = api.get(&format!("/api/v1/shifts/{shift}"), Some(&wang)).await;
    let starts: DateTime<Utc> = detail.body["starts_at"].as_str().unwrap().parse().unwrap();
    let ends: DateTime<Utc> = detail.body["ends_at"].as_str().unwrap().parse().unwrap();

    let feed = api.post("/api/v1/me/calendar-feed", Some(&wang), json!({})).await;
    let url = feed.body["url"].as_str().unwrap().to_owned();
    let (status, content_type, ics) = api.text(&url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let events = parse_ics(&ics);
    assert_eq!(events.len(), 1, "{ics}");
    assert_eq!(events[0]["start"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), starts);
    assert_eq!(events[0]["end"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), ends);
    assert_eq!(events[0]["tz"], "Asia/Shanghai");
    assert_eq!(events[0]["summary"], "志愿服务：清扫楼道");

    let replaced = api.post("/api/v1/me/calendar-feed", Some(&wang), json!({})).await;
    assert_eq!(api.text(&url, None).await.0, StatusCode::NOT_FOUND, "the old URL stops working");
    let new_url = replaced.body["url"].as_str().unwrap().to_owned();
    assert_eq!(api.text(&new_url, None).await.0, StatusCode::OK);
    assert_eq!(api.delete("/api/v1/me/calendar-feed", &wang).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api.text(&new_url, None).await.0, StatusCode::NOT_FOUND);

    // An organization's accepted appointment, booked for tomorrow 14:00–16:00 Shanghai.
    let resident = api.login_demo("resident").await;
    let tomorrow = Utc::now().with_timezone(&shanghai()).date_naive() + Days::new(1);
    let from = tomorrow.and_hms_opt(14, 0, 0).unwrap().and_local_timezone(shanghai()).unwrap().with_timezone(&Utc);
    let mut order = linli_integration_tests::cleaning_order();
    order["asap"] = json!(false);
    order["window_start"] = json!(from);
    order["window_end"] = json!(from + TimeDelta::hours(2));
    let placed = api.place_order(&resident, order, None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    let id = id_of(&placed);
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    let staff = api.offered_staff(&id).await.remove(0);
    assert_eq!(api.act(&staff, &id, "accept").await.body["state"], "accepted");
    let feed = api.post("/api/v1/me/calendar-feed", Some(&staff), json!({})).await;
    let (_, _, ics) = api.text(feed.body["url"].as_str().unwrap(), None).await;
    let events = parse_ics(&ics);
    let booked = events.iter().find(|e| e["uid"] == format!("order-{id}@linli")).expect("the appointment");
    assert_eq!(booked["start"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), from);
}

/// A resident's feed holds their own bookings for a time; one they cancel stays, marked cancelled, so that a
/// calendar application removes it instead of keeping it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_residents_calendar_holds_their_bookings_and_marks_a_cancelled_one_cancelled() {
    let app = TestApp::spawn(Backend::Embedded).await;
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let tomorrow = Utc::now().with_timezone(&shanghai()).date_naive() + Days::new(1);
    let mut booked = Vec::new();
    for hour in [9, 15] {
        let from =
            tomorrow.and_hms_opt(hour, 0, 0).unwrap().and_local_timezone(shanghai()).unwrap().with_timezone(&Utc);
        let mut order = linli_integration_tests::cleaning_order();
        order["asap"] = json!(false);
        order["window_start"] = json!(from);
        order["window_end"] = json!(from + TimeDelta::hours(2));
        booked.push((id_of(&api.place_order(&resident, order, None).await), from));
    }
    assert_eq!(api.act(&resident, &booked[1].0, "cancel").await.body["state"], "cancelled");
    let feed = api.post("/api/v1/me/calendar-feed", Some(&resident), json!({})).await;
    let (_, _, ics) = api.text(feed.body["url"].as_str().unwrap(), None).await;
    let events = parse_ics(&ics);
    let event = |id: &str| events.iter().find(|e| e["uid"] == format!("order-{id}@linli")).cloned();
    let kept = event(&booked[0].0).expect("the booking");
    assert_eq!(kept["start"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), booked[0].1);
    assert_eq!((kept["summary"].as_str(), kept["status"].as_str()), (Some("我的预约：日常保洁"), Some("CONFIRMED")));
    let cancelled = event(&booked[1].0).expect("the cancelled booking stays in the feed");
    assert_eq!(cancelled["status"], "CANCELLED");
}

/// Parses a feed with Python's `icalendar`: each event's uid, summary, status, time zone, and start and end as
/// UTC instants.
fn parse_ics(ics: &str) -> Vec<Value> {
    let python = std::env::var("LINLI_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import datetime, json, sys
import icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = []
for ev in cal.walk("VEVENT"):
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    out.append({"uid": str(ev.get("UID")), "summary": str(ev.get("SUMMARY")), "tz": str(ev["DTSTART"].params.get("TZID")),
                "status": str(ev.get("STATUS")),
                "start": start.astimezone(datetime.timezone.utc).isoformat(), "end": end.astimezone(datetime.timezone.utc).isoformat()})
print(json.dumps(out, ensure_ascii=False))
"#;
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python} runs ({e}); scripts/test installs Python's icalendar"));
    use std::io::Write;
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar could not parse the feed: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// A volunteer order goes to the confirmed member; completing it counts as service hours, which add up for the
/// member, the branch and the community against the city's quota.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_order_goes_to_a_registered_member_and_counts_as_service_hours() {
    let app = TestApp::spawn(Backend::Production).await;
    let api = &app.api;
    let admin = api.login_demo("admin").await;
    let branch = id_of(
        &api.post(
            "/api/v1/admin/branches",
            Some(&admin),
            json!({"name": "市委办公厅第二党支部", "organization": "市委办公厅"}),
        )
        .await,
    );
    let (wang, _) = member(api, "wang-dy", Some(&branch)).await;
    let quota = api
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/hours-quota/{}", this_year()),
            Some(&admin),
            Some(json!({"hours": 24})),
            &[],
        )
        .await;
    assert_eq!(quota.body["minutes"], 24 * 60);

    let item = linli_infra::seed::demo_item_ids(Category::Volunteer)[0];
    let resident = api.login_demo("resident").await;
    let mut order = linli_integration_tests::cleaning_order();
    order["item_id"] = json!(item);
    let placed = api.place_order(&resident, order, None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    let id = id_of(&placed);
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    let offers = api.offers(&wang).await;
    assert!(
        offers.body["offers"].as_array().unwrap().iter().any(|o| o["order"]["id"] == id.as_str()),
        "{:?}",
        offers.body
    );
    for (action, state) in [("accept", "accepted"), ("start", "in_service"), ("complete", "completed")] {
        let r = api.act(&wang, &id, action).await;
        assert_eq!(r.body["state"], state, "{action}: {:?}", r.body);
    }
    let mine = api.get("/api/v1/me/hours", Some(&wang)).await;
    assert_eq!(mine.body["orders_completed"], 1, "{:?}", mine.body);
    assert_eq!(mine.body["quota_minutes"], 24 * 60);
    assert_eq!(mine.body["quota_met"], false);

    let worker = api.login_demo("worker").await;
    let year = this_year().to_string();
    let community = api.get(&format!("/api/v1/communities/1/hours?period={year}"), Some(&worker)).await;
    assert_eq!(community.body["members"][0]["display_name"], "wang-dy", "{:?}", community.body);
    let by_branch = api.get(&format!("/api/v1/branches/{branch}/hours?period={year}"), Some(&wang)).await;
    assert_eq!(by_branch.body["members"].as_array().unwrap().len(), 1, "{:?}", by_branch.body);
    let bad = api.get("/api/v1/communities/1/hours?period=2026-13", Some(&worker)).await;
    assert_eq!((bad.status, bad.field()), (StatusCode::BAD_REQUEST, "period"));
}

fn this_year() -> i32 {
    use chrono::Datelike;
    Utc::now().with_timezone(&shanghai()).year()
}
