//! An item's own questions over HTTP on both backends: the demo items ask what their provider needs, an admin
//! replaces an item's questions (audited, refused naming the question at fault), an order's answers are checked
//! naming `answers.<code>`, and the provider offered the order reads them with the offer.

use std::time::Duration;

use linli_integration_tests::{Api, TestApp, cleaning_order, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn put_questions(api: &Api, token: &str, item: i32, questions: Value) -> linli_integration_tests::Reply {
    let path = format!("/api/v1/admin/catalog/items/{item}/questions");
    api.send(Method::PUT, &path, Some(token), Some(json!({ "questions": questions })), &[]).await
}

/// The first item of a category, as the catalog lists it.
async fn first_of(api: &Api, category: &str) -> Value {
    let page = api.get(&format!("/api/v1/catalog/items?category={category}&limit=1"), None).await;
    page.body["items"][0].clone()
}

async fn the_demo_items_ask_what_their_provider_needs_and_an_order_must_answer_the_required_ones(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let meal = first_of(api, "meals").await;
    let codes: Vec<&str> = meal["questions"].as_array().unwrap().iter().map(|q| q["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["portions", "diet"]);
    assert_eq!(
        (meal["questions"][0]["kind"].as_str(), meal["questions"][0]["max"].as_f64()),
        (Some("number"), Some(5.0))
    );
    let bath = first_of(api, "bathing").await;
    assert_eq!(bath["questions"][0]["choices"].as_array().unwrap().len(), 4);

    let order = |answers: Value| {
        let mut body = cleaning_order();
        body["item_id"] = meal["id"].clone();
        body["answers"] = answers;
        body
    };
    for (answers, field) in [
        (json!({}), "answers.portions"),
        (json!({"portions": 9}), "answers.portions"),
        (json!({"portions": 1, "diet": ["海鲜"]}), "answers.diet"),
        (json!({"portions": 1, "floor": 3}), "answers.floor"),
    ] {
        let refused = api.place_order(&resident, order(answers.clone()), None).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{answers}: {:?}", refused.body);
        assert_eq!(refused.body["field"], field, "{answers}");
    }
    assert!(api.get("/api/v1/orders", Some(&resident)).await.body["orders"].as_array().unwrap().is_empty());
    let placed = api.place_order(&resident, order(json!({"portions": 2, "diet": ["软烂易嚼", "低盐"]})), None).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{:?}", placed.body);
    let answers = &placed.body["answers"];
    assert_eq!((answers[0]["label"].as_str(), answers[0]["value"].as_f64()), (Some("份数"), Some(2.0)));
    assert_eq!(answers[1]["text"], "低盐、软烂易嚼", "in the choices' order");
}
on_both_backends!(the_demo_items_ask_what_their_provider_needs_and_an_order_must_answer_the_required_ones);

async fn the_provider_offered_an_order_reads_its_answers_with_the_offer(app: TestApp) {
    let api = &app.api;
    let resident = api.login_demo("resident").await;
    let mut body = cleaning_order();
    body["answers"] = json!({"rooms": 3, "pets": true});
    let id = api.place_order(&resident, body, None).await.body["id"].as_str().unwrap().to_owned();
    api.wait_for_state(&resident, &id, "offered", Duration::from_secs(15)).await;
    let staff = api.offered_staff(&id).await.remove(0);
    let offers = api.offers(&staff).await.body;
    let offer = offers["offers"].as_array().unwrap().iter().find(|o| o["order"]["id"] == id.as_str()).unwrap();
    let texts: Vec<(&str, &str)> = offer["order"]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["label"].as_str().unwrap(), a["text"].as_str().unwrap()))
        .collect();
    assert_eq!(texts, [("房间数", "3"), ("家中有宠物", "是")]);
}
on_both_backends!(the_provider_offered_an_order_reads_its_answers_with_the_offer);

async fn an_admin_replaces_an_items_questions_audited_and_a_bad_one_is_refused_naming_it(app: TestApp) {
    let api = &app.api;
    let (admin, worker) = (api.login_demo("admin").await, api.login_demo("worker").await);
    let floor = json!([{"code": "floor", "label": "楼层", "kind": "number", "required": true, "min": 1, "max": 40},
                       {"code": "lift", "label": "有无电梯", "kind": "yes_no"}]);
    assert_eq!(put_questions(api, &worker, 15, floor.clone()).await.status, StatusCode::FORBIDDEN);
    for (bad, field) in [
        (json!([{"code": "Floor", "label": "楼层", "kind": "number"}]), "questions[0].code"),
        (json!([{"code": "a", "label": "甲", "kind": "single"}]), "questions[0].choices"),
        (
            json!([{"code": "a", "label": "甲", "kind": "text"}, {"code": "a", "label": "乙", "kind": "date"}]),
            "questions[1].code",
        ),
    ] {
        let refused = put_questions(api, &admin, 15, bad).await;
        assert_eq!((refused.status, refused.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)));
    }
    let wrong_kind = put_questions(api, &admin, 15, json!([{"code": "a", "label": "甲", "kind": "slider"}])).await;
    assert_eq!(wrong_kind.status, StatusCode::BAD_REQUEST);
    assert_eq!(put_questions(api, &admin, 99_999, floor.clone()).await.status, StatusCode::NOT_FOUND);

    // An order placed first leaves this process holding the item as it was.
    let resident = api.login_demo("resident").await;
    assert_eq!(api.place_order(&resident, cleaning_order(), None).await.status, StatusCode::CREATED);
    let set = put_questions(api, &admin, 15, floor).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let item = api.get("/api/v1/catalog/items/15", None).await.body;
    let codes: Vec<&str> = item["questions"].as_array().unwrap().iter().map(|q| q["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["floor", "lift"]);
    let unanswered = api.place_order(&resident, cleaning_order(), None).await;
    assert_eq!(unanswered.body["field"], "answers.floor", "the new question is asked at once");

    let log = api.get("/api/v1/admin/audit?action=catalog.questions_changed", Some(&admin)).await.body;
    let entry = &log["entries"][0];
    assert_eq!(entry["object"], "catalog_item:15");
    assert!(entry["before"].to_string().contains("rooms") && entry["after"].to_string().contains("floor"));
}
on_both_backends!(an_admin_replaces_an_items_questions_audited_and_a_bad_one_is_refused_naming_it);
