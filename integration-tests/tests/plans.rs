//! Care plans over HTTP on both backends, with the clock moved instead of waiting: weekday lunches for four
//! weeks with a pause in the middle fall on the right dates, each visit is dispatched, later visits go first to
//! the kitchen that took the plan's latest one, and reminders come only for the visits that happen. A plan whose
//! first days are full is refused naming each of them; a worker sets one up for a resident, and changes it for
//! them while neighbours see nothing of it; bad input names its field.

use std::time::Duration;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use linli_domain::clock::Clock;
use linli_domain::orders::{OfferStatus, Offers, OrderId};
use linli_domain::time::{local_date, shanghai};
use linli_integration_tests::{Api, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// 午餐送餐上门: a meals item, offered to one kitchen at a time (派单), 45 minutes.
const LUNCH: i64 = 2;

/// Moves the clock to 20:00 (Shanghai) on a Sunday at least two days ahead; returns the Monday after it.
fn to_a_sunday_evening(app: &TestApp) -> NaiveDate {
    let now = app.clock.now();
    let mut sunday = local_date(now) + Days::new(2);
    while sunday.weekday() != Weekday::Sun {
        sunday = sunday + Days::new(1);
    }
    app.clock.advance(at(sunday, 20, 0) - now);
    sunday + Days::new(1)
}

fn at(date: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    date.and_hms_opt(h, m, 0).unwrap().and_local_timezone(shanghai()).unwrap().with_timezone(&Utc)
}

/// Moves the clock to `date` at `h:m` in Shanghai.
fn move_to(app: &TestApp, date: NaiveDate, h: u32, m: u32) {
    app.clock.advance(at(date, h, m) - app.clock.now());
}

fn lunches(first: NaiveDate, last: NaiveDate) -> Value {
    json!({
        "item_id": LUNCH, "community_id": 1, "address": "文安路12号3单元502", "lat": 41.781, "lng": 123.402,
        "notes": "少盐，送到门口", "repeat": {"kind": "weekly", "weekdays": [1, 2, 3, 4, 5]}, "time": "11:30",
        "start_date": first, "end_date": last, "answers": {"portions": 1, "diet": ["低盐"]}
    })
}

fn date_of(day: &Value) -> NaiveDate {
    day["date"].as_str().unwrap().parse().unwrap()
}

/// The plan's days in `state`, with their orders.
fn days_in(plan: &Value, state: &str) -> Vec<(NaiveDate, String)> {
    let days = plan["days"].as_array().expect("the plan's days");
    days.iter()
        .filter(|d| d["state"] == state)
        .map(|d| (date_of(d), d["order_id"].as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// The orders the account's inbox mentions under a title starting with `title`.
async fn mentioned(api: &Api, token: &str, title: &str) -> Vec<String> {
    let inbox = api.get("/api/v1/inbox?limit=100", Some(token)).await.body;
    let messages = inbox["messages"].as_array().cloned().unwrap_or_default();
    let about = messages.iter().filter(|m| m["title"].as_str().is_some_and(|t| t.starts_with(title)));
    about.filter_map(|m| m["order_id"].as_str().map(str::to_owned)).collect()
}

/// Waits until `token`'s inbox has a message titled `title` about the order. The fan-out that tells the
/// resident an order was taken also makes its reminders.
async fn told(api: &Api, token: &str, title: &str, order: &str) {
    for _ in 0..300 {
        if mentioned(api, token, title).await.iter().any(|o| o == order) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never told {title} about {order}");
}

/// A staff account, made by the admin, of the kitchen offered the visit (read from the store): its token and
/// login.
async fn offered_kitchen(app: &TestApp, order: &str) -> (String, String) {
    let id = OrderId(order.parse().unwrap());
    let offers = app.backends.store.offers_of_order(id).await.unwrap();
    let open = offers.iter().find(|o| o.status == OfferStatus::Open).expect("a kitchen was offered the visit");
    let login = format!("kitchen-{}", &open.provider.0.simple().to_string()[..8]);
    let admin = app.api.login_demo("admin").await;
    let staff = json!({"username": login, "password": "kitchen-pass", "display_name": "配餐员",
        "role": "provider_staff", "provider_id": open.provider.0});
    // The same kitchen may have been given an account for an earlier visit.
    let _ = app.api.create_account(&admin, staff).await;
    (app.api.login(&login, "kitchen-pass").await, login)
}

async fn a_weekday_lunch_plan_paused_in_the_middle_keeps_its_kitchen_and_reminds_only_for_visits_that_happen(
    app: TestApp,
) {
    let api = &app.api;
    let monday = to_a_sunday_evening(&app);
    let friday_of_week_four = monday + Days::new(25);
    let resident = api.login_demo("resident").await;
    let created = api.post("/api/v1/care-plans", Some(&resident), lunches(monday, friday_of_week_four)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let plan = created.body["id"].as_str().unwrap().to_owned();
    let days: Vec<NaiveDate> = created.body["days"].as_array().unwrap().iter().map(date_of).collect();
    assert_eq!(days.len(), 20, "four weeks of weekdays");
    assert_eq!((days[0], days[19]), (monday, friday_of_week_four));
    assert!(days.iter().all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)));
    // The first week is placed at once, each visit an order of the plan at 11:30, and each is dispatched.
    let placed = days_in(&created.body, "placed");
    assert_eq!(placed.iter().map(|(d, _)| *d).collect::<Vec<_>>(), days[..5]);
    for (date, order) in &placed {
        let offered = api.wait_for_state(&resident, order, "offered", Duration::from_secs(15)).await.body;
        assert_eq!(offered["care_plan_id"], plan.as_str());
        assert_eq!(offered["window_start"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap(), at(*date, 11, 30));
        assert_eq!(offered["answers"][0]["code"], "portions");
    }

    // A kitchen takes Monday's visit, and whoever was offered Thursday's takes that.
    let (monday_order, thursday_order) = (placed[0].1.clone(), placed[3].1.clone());
    let (kitchen, kitchen_login) = offered_kitchen(&app, &monday_order).await;
    assert_eq!(api.act(&kitchen, &monday_order, "accept").await.status, StatusCode::OK);
    let (thursday_kitchen, _) = offered_kitchen(&app, &thursday_order).await;
    assert_eq!(api.act(&thursday_kitchen, &thursday_order, "accept").await.status, StatusCode::OK);
    told(api, &resident, "订单已被接单", &monday_order).await;
    told(api, &resident, "订单已被接单", &thursday_order).await;

    // A hospital stay from Thursday to the next Tuesday: its placed visits are cancelled, none placed there.
    let pause = json!({"from": monday + Days::new(3), "until": monday + Days::new(8)});
    let paused = api.post(&format!("/api/v1/care-plans/{plan}/pause"), Some(&resident), pause).await;
    assert_eq!(paused.status, StatusCode::OK, "{:?}", paused.body);
    let off: Vec<NaiveDate> = days_in(&paused.body, "paused").iter().map(|(d, _)| *d).collect();
    assert_eq!(off, [3, 4, 7, 8].map(|n| monday + Days::new(n)));
    for (_, order) in &placed[3..] {
        assert_eq!(api.order(&resident, order).await.body["state"], "cancelled");
    }
    // The kitchen that had taken Thursday's visit is told it is off.
    told(api, &thursday_kitchen, "订单已取消", &thursday_order).await;

    // Reminders: Monday's visit happens and is reminded of an hour before; Thursday's was called off.
    let notifier = app.backends.notifier();
    move_to(&app, monday, 10, 45);
    notifier.send_due_reminders().await.unwrap();
    move_to(&app, monday + Days::new(3), 10, 45);
    notifier.send_due_reminders().await.unwrap();
    let resident = api.login_demo("resident").await;
    let reminded = mentioned(api, &resident, "预约提醒").await;
    assert_eq!(reminded, vec![monday_order.clone()], "a reminder for Monday's visit alone");

    // The next Sunday evening the horizon reaches the second week: Wednesday to Friday are placed (Monday and
    // Tuesday are paused), and each goes first to the kitchen that took the latest visit that happened.
    move_to(&app, monday + Days::new(6), 20, 0);
    assert!(app.backends.dispatcher().extend_care_plans().await.unwrap() <= 3, "the scheduled step may be first");
    let resident = api.login_demo("resident").await;
    let week_two = api.get(&format!("/api/v1/care-plans/{plan}"), Some(&resident)).await.body;
    let placed_now = days_in(&week_two, "placed");
    let second: Vec<_> = placed_now.iter().filter(|(d, _)| *d >= monday + Days::new(7)).cloned().collect();
    assert_eq!(second.iter().map(|(d, _)| *d).collect::<Vec<_>>(), [9, 10, 11].map(|n| monday + Days::new(n)));
    let kitchen = api.login(&kitchen_login, "kitchen-pass").await;
    for (_, order) in &second {
        api.wait_for_state(&resident, order, "offered", Duration::from_secs(15)).await;
        let offers = api.offers(&kitchen).await.body;
        let to_kitchen = offers["offers"].as_array().unwrap().iter().any(|o| o["order"]["id"] == order.as_str());
        assert!(to_kitchen, "the visit of {order} went to the kitchen of the plan's last visit: {offers:?}");
    }
}
on_both_backends!(a_weekday_lunch_plan_paused_in_the_middle_keeps_its_kitchen_and_reminds_only_for_visits_that_happen);

async fn a_plan_whose_first_days_are_full_is_refused_naming_each_full_date(app: TestApp) {
    let api = &app.api;
    let monday = to_a_sunday_evening(&app);
    let resident = api.login_demo("resident").await;
    // Every kitchen's place at 11:30 on Wednesday is booked by a neighbour first.
    let neighbour = api.login_demo("resident2").await;
    let start = at(monday + Days::new(2), 11, 30);
    let booking = json!({"item_id": LUNCH, "community_id": 1, "address": "文安路8号", "lat": 41.781, "lng": 123.402,
        "window_start": start, "window_end": start + chrono::Duration::minutes(45), "answers": {"portions": 2}});
    let mut booked = 0;
    loop {
        let placed = api.place_order(&neighbour, booking.clone(), None).await;
        if placed.status == StatusCode::CONFLICT {
            assert_eq!(placed.code(), "slot_full", "{:?}", placed.body);
            break;
        }
        assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
        booked += 1;
        assert!(booked < 100, "the kitchens' places at 11:30 run out");
    }
    assert!(booked > 0);
    let refused = api.post("/api/v1/care-plans", Some(&resident), lunches(monday, monday + Days::new(25))).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "slots_full"), "{:?}", refused.body);
    let full: Vec<&Value> = refused.body["full_dates"].as_array().unwrap().iter().collect();
    assert_eq!(full.iter().map(|f| date_of(f)).collect::<Vec<_>>(), vec![monday + Days::new(2)]);
    assert!(!full[0]["alternatives"].as_array().unwrap().is_empty(), "with the open times nearest it");
    assert!(api.get("/api/v1/care-plans", Some(&resident)).await.body["plans"].as_array().unwrap().is_empty());
    // Skipping that date, the plan goes in.
    let mut skipping = lunches(monday, monday + Days::new(25));
    skipping["skip_dates"] = json!([monday + Days::new(2)]);
    let created = api.post("/api/v1/care-plans", Some(&resident), skipping).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(days_in(&created.body, "skipped").len(), 1);
    assert_eq!(days_in(&created.body, "placed").len(), 4);
}
on_both_backends!(a_plan_whose_first_days_are_full_is_refused_naming_each_full_date);

async fn a_worker_sets_up_a_plan_for_a_resident_of_their_community_and_it_is_theirs_to_change(app: TestApp) {
    let api = &app.api;
    let monday = to_a_sunday_evening(&app);
    let (worker, resident) = (api.login_demo("worker").await, api.login_demo("resident").await);
    let resident_id = api.get("/api/v1/me", Some(&resident)).await.body["id"].as_str().unwrap().to_owned();
    let mut body = lunches(monday, monday + Days::new(4));
    body["resident_id"] = json!(resident_id);
    let filed = api.post("/api/v1/care-plans", Some(&worker), body.clone()).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{:?}", filed.body);
    let worker_id = api.get("/api/v1/me", Some(&worker)).await.body["id"].clone();
    assert_eq!((filed.body["resident_id"].as_str(), &filed.body["filed_by"]), (Some(resident_id.as_str()), &worker_id));
    let plan = filed.body["id"].as_str().unwrap().to_owned();
    // The resident sees it among theirs, and each visit as their own order.
    let mine = api.get("/api/v1/care-plans", Some(&resident)).await.body;
    assert_eq!(mine["plans"][0]["id"], plan.as_str());
    let (_, first) = days_in(&filed.body, "placed").remove(0);
    assert_eq!(api.order(&resident, &first).await.status, StatusCode::OK);
    // The worker skips Wednesday for them; a neighbour sees nothing of it.
    let skip = json!({"date": monday + Days::new(2)});
    let skipped = api.post(&format!("/api/v1/care-plans/{plan}/skip"), Some(&worker), skip.clone()).await;
    assert_eq!(days_in(&skipped.body, "skipped").len(), 1, "{:?}", skipped.body);
    let neighbour = api.login_demo("resident2").await;
    assert_eq!(api.get(&format!("/api/v1/care-plans/{plan}"), Some(&neighbour)).await.status, StatusCode::NOT_FOUND);
    // Filing for an account that is not a resident's is refused naming it.
    body["resident_id"] = worker_id;
    let not_a_resident = api.post("/api/v1/care-plans", Some(&worker), body).await;
    assert_eq!((not_a_resident.status, not_a_resident.field()), (StatusCode::UNPROCESSABLE_ENTITY, "resident_id"));
}
on_both_backends!(a_worker_sets_up_a_plan_for_a_resident_of_their_community_and_it_is_theirs_to_change);

async fn a_plan_with_a_bad_value_is_refused_naming_its_field(app: TestApp) {
    let api = &app.api;
    let monday = to_a_sunday_evening(&app);
    let resident = api.login_demo("resident").await;
    let cases = [
        (json!({"time": "25:00"}), StatusCode::UNPROCESSABLE_ENTITY, "time"),
        (json!({"repeat": {"kind": "weekly", "weekdays": []}}), StatusCode::UNPROCESSABLE_ENTITY, "repeat.weekdays"),
        (json!({"repeat": {"kind": "fortnightly"}}), StatusCode::BAD_REQUEST, "repeat.kind"),
        (json!({"start_date": monday - Days::new(3)}), StatusCode::UNPROCESSABLE_ENTITY, "start_date"),
        (json!({"end_date": monday - Days::new(1)}), StatusCode::UNPROCESSABLE_ENTITY, "end_date"),
        (json!({"answers": {"portions": 9}}), StatusCode::UNPROCESSABLE_ENTITY, "answers.portions"),
        (json!({"item_id": 9999}), StatusCode::UNPROCESSABLE_ENTITY, "item_id"),
    ];
    for (change, status, field) in cases {
        let mut body = lunches(monday, monday + Days::new(25));
        body.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        let refused = api.post("/api/v1/care-plans", Some(&resident), body).await;
        assert_eq!((refused.status, refused.field()), (status, field), "{change}: {:?}", refused.body);
    }
}
on_both_backends!(a_plan_with_a_bad_value_is_refused_naming_its_field);
