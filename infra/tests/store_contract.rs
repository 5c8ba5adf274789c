//! The order store contract, run against SQLite and PostgreSQL alike: conditional transitions, idempotent
//! placing, offers and their effects, the event and outbox rows every change writes, visits and their answers,
//! care plans, workers' lists and residents' records, a provider's pause and closed dates, repeatable seeding,
//! and admins' upkeep: retired and new items, providers' items and coverage, the map, corrected accounts.
//!
//! Longer than our usual 400 lines on purpose: every test runs on both backends from one definition, and a
//! second binary would link the adapters again; each test is short and names one behaviour.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use linli_domain::accounts::AccountId;
use linli_domain::accounts::Accounts;
use linli_domain::catalog::ItemId;
use linli_domain::catalog::questions::{QuestionInput, RawAnswers};
use linli_domain::catalog::{Answers, CatalogItem, CatalogItems, Questions};
use linli_domain::dispatch::Scope;
use linli_domain::geo::{CommunityId, GeoPoint};
use linli_domain::orders::plans::{CarePlan, CarePlanId, CarePlans, PlanRules, PlanWrite, Repeat, Weekdays};
use linli_domain::orders::{
    Address, Aftercare, Answer, Backlog, Candidates, Complaint, ComplaintId, ComplaintScope, ComplaintState,
    Completion, DeclineOutcome, FollowUp, FollowUpOutcome, IdempotencyKey, InsertOrderError, JobReason, Mark, NewOrder,
    NewRating, Notes, Offers, OrderAction, OrderId, OrderLists, OrderState, Orders, Placed, Reach, Resolution,
    Schedule, Stars, Transition, TransitionEffect, Verdict, VisitText, Visits,
};
use linli_domain::providers::ProviderId;
use linli_domain::providers::{NewProvider, Providers};
use linli_infra::seed::{organization_id, seed_demo};
use linli_infra::store::Store;
use linli_infra::testing::{fresh_postgres_database, fresh_sqlite_dir};

async fn sqlite_store() -> Store {
    let url = linli_infra::db::sqlite_url(&fresh_sqlite_dir());
    ready(&url).await
}

async fn postgres_store() -> Store {
    ready(&fresh_postgres_database().await).await
}

async fn ready(url: &str) -> Store {
    let db = linli_infra::db::connect(url, 8).await.expect("connecting");
    linli_infra::db::migrate(&db).await.expect("migrating");
    let store = Store::new(db);
    seed_demo(&store).await.expect("seeding");
    store
}

macro_rules! contract {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name(super::sqlite_store().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$name(super::postgres_store().await).await;
            }
        }
    };
}

async fn resident(store: &Store) -> AccountId {
    store.account_by_login("resident").await.unwrap().expect("the demo resident exists").id
}

fn new_order(resident: AccountId, key: Option<&str>) -> NewOrder {
    NewOrder {
        resident,
        placed_by: resident,
        item: ItemId(15),
        community: CommunityId(1),
        address: Address::parse("文安路12号").unwrap(),
        location: GeoPoint::parse(41.78, 123.40).unwrap(),
        schedule: Schedule::Asap,
        notes: Notes::default(),
        idempotency_key: key.map(|k| IdempotencyKey::parse(k).unwrap()),
        accept_by: None,
        high_risk: false,
        answers: Answers::default(),
        asked: linli_infra::seed::demo_questions(15),
        slot: None,
        plan: None,
        preferred: None,
    }
}

async fn placed(store: &Store) -> OrderId {
    let r = resident(store).await;
    store.insert_order(new_order(r, None), Utc::now()).await.unwrap().order().id
}

fn change(order: OrderId, action: OrderAction, from: OrderState, effect: TransitionEffect) -> Transition {
    Transition {
        order,
        action,
        from,
        to: from.apply(action).unwrap(),
        holder: None,
        actor: None,
        note: String::new(),
        at: Utc::now(),
        effect,
        audit: None,
    }
}

fn org(n: usize) -> ProviderId {
    ProviderId(organization_id(n))
}

async fn offered_to(store: &Store, providers: &[ProviderId]) -> OrderId {
    let id = placed(store).await;
    let deadline = Utc::now() + chrono::Duration::minutes(2);
    let offers = providers.iter().map(|p| (*p, "test".to_owned())).collect();
    let effect = TransitionEffect::OpenOffers { offers, deadline, scope: Scope::Community, round: 1 };
    store.transition(change(id, OrderAction::Offer, OrderState::Submitted, effect)).await.unwrap().expect("offered");
    id
}

async fn count(store: &Store, table: &str, order: OrderId) -> i64 {
    let db = store.connection();
    // The outbox row carries the order in its JSON payload; a textual match works on both backends.
    let column = if table == "outbox" { "payload" } else { "CAST(order_id AS TEXT)" };
    let id = order.0;
    let sql = match (table, db.get_database_backend()) {
        ("outbox", _) | (_, DbBackend::Postgres) => {
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE '%{id}%'")
        }
        // SQLite keeps UUIDs as 16-byte blobs.
        _ => format!("SELECT COUNT(*) AS n FROM {table} WHERE hex(order_id) = upper('{}')", id.simple()),
    };
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get("", "n").unwrap()
}

async fn the_same_idempotency_key_returns_the_first_order(store: Store) {
    let r = resident(&store).await;
    let first = store.insert_order(new_order(r, Some("key-1")), Utc::now()).await.unwrap();
    let again = store.insert_order(new_order(r, Some("key-1")), Utc::now()).await.unwrap();
    assert!(matches!(first, Placed::New(_)) && matches!(again, Placed::Existing(_)));
    assert_eq!(first.order().id, again.order().id);
    let other = store.insert_order(new_order(r, Some("key-2")), Utc::now()).await.unwrap();
    assert_ne!(other.order().id, first.order().id);
}
contract!(the_same_idempotency_key_returns_the_first_order);

async fn an_unknown_item_or_community_is_refused(store: Store) {
    let r = resident(&store).await;
    let bad_item = NewOrder { item: ItemId(9999), ..new_order(r, None) };
    assert!(matches!(store.insert_order(bad_item, Utc::now()).await, Err(InsertOrderError::UnknownItem)));
    let bad_place = NewOrder { community: CommunityId(9999), ..new_order(r, None) };
    assert!(matches!(store.insert_order(bad_place, Utc::now()).await, Err(InsertOrderError::UnknownCommunity)));
    assert!(store.orders_of_resident(r, None, 10).await.unwrap().is_empty(), "nothing half-written");
}
contract!(an_unknown_item_or_community_is_refused);

async fn a_transition_from_a_state_the_order_has_left_changes_nothing(store: Store) {
    let id = offered_to(&store, &[org(1)]).await;
    let stale = change(id, OrderAction::Offer, OrderState::Submitted, TransitionEffect::None);
    assert!(store.transition(stale).await.unwrap().is_none());
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Offered);
}
contract!(a_transition_from_a_state_the_order_has_left_changes_nothing);

async fn every_transition_writes_one_event_and_one_outbox_row(store: Store) {
    let id = offered_to(&store, &[org(1)]).await;
    let events = store.order_events(id).await.unwrap();
    assert_eq!(events.iter().map(|e| e.to).collect::<Vec<_>>(), vec![OrderState::Submitted, OrderState::Offered]);
    assert_eq!(count(&store, "order_events", id).await, 2);
    assert_eq!(count(&store, "outbox", id).await, 2);
}
contract!(every_transition_writes_one_event_and_one_outbox_row);

async fn awarding_needs_an_open_offer_and_withdraws_the_others(store: Store) {
    let id = offered_to(&store, &[org(1), org(2)]).await;
    let stranger = change(id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(org(3)));
    assert!(store.transition(stranger).await.unwrap().is_none(), "no offer, no award");
    let award = change(id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(org(2)));
    let order = store.transition(award).await.unwrap().expect("awarded");
    assert_eq!(order.provider, Some(org(2)));
    let offers = store.offers_of_order(id).await.unwrap();
    let status = |p| offers.iter().find(|o| o.provider == p).unwrap().status.as_str();
    assert_eq!((status(org(1)), status(org(2))), ("withdrawn", "won"));
}
contract!(awarding_needs_an_open_offer_and_withdraws_the_others);

async fn concurrent_awards_have_exactly_one_winner(store: Store) {
    let providers: Vec<ProviderId> = (1..=5).map(org).collect();
    let id = offered_to(&store, &providers).await;
    let tries = providers.iter().map(|p| {
        let store = store.clone();
        let award = change(id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(*p));
        tokio::spawn(async move { store.transition(award).await.unwrap() })
    });
    let tries: Vec<_> = tries.collect();
    let mut winners = Vec::new();
    for t in tries {
        if let Some(o) = t.await.unwrap() {
            winners.push(o.provider);
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(store.find_order(id).await.unwrap().unwrap().provider, winners[0]);
}
contract!(concurrent_awards_have_exactly_one_winner);

async fn declining_the_last_open_offer_returns_the_order_to_dispatch_and_each_reason_is_counted(store: Store) {
    use linli_domain::providers::Providers;
    let r = resident(&store).await;
    let id = offered_to(&store, &[org(1), org(2)]).await;
    let first = store.decline_offer(id, org(1), r, Some(JobReason::StaffUnavailable), Utc::now()).await.unwrap();
    assert_eq!(first, DeclineOutcome::Declined { returned_to_dispatch: false });
    let again = store.decline_offer(id, org(1), r, Some(JobReason::Other), Utc::now()).await.unwrap();
    assert_eq!(again, DeclineOutcome::NoOpenOffer);
    let last = store.decline_offer(id, org(2), r, None, Utc::now()).await.unwrap();
    assert_eq!(last, DeclineOutcome::Declined { returned_to_dispatch: true });
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Submitted);
    let since = Utc::now() - chrono::Duration::days(30);
    let figures = store.offer_figures(org(1), since).await.unwrap();
    assert_eq!(
        figures.declined_because,
        vec![(JobReason::StaffUnavailable, 1)],
        "the first reason, not the refused one"
    );
}
contract!(declining_the_last_open_offer_returns_the_order_to_dispatch_and_each_reason_is_counted);

async fn candidates_are_the_providers_offering_the_item_with_their_coverage(store: Store) {
    let candidates = store.candidates(ItemId(15), Utc::now()).await.unwrap();
    assert!(candidates.len() >= 5);
    assert!(candidates.iter().all(|p| p.items.contains(&ItemId(15)) && !p.communities.is_empty()));
    let first = candidates.iter().find(|p| p.id == org(1)).expect("the first demo organization");
    assert!(first.communities.contains(&CommunityId(1)));
    assert!(
        first.streets.contains(&linli_domain::geo::StreetId(1))
            && first.districts == vec![linli_domain::geo::DistrictId(1)]
    );
    assert!(first.jobs.is_empty() && first.offers_this_period == 0);
}
contract!(candidates_are_the_providers_offering_the_item_with_their_coverage);

async fn seeding_twice_changes_nothing(store: Store) {
    let again = seed_demo(&store).await.unwrap();
    assert_eq!(again.accounts_created, 0);
    let db = store.connection();
    for (table, expected) in [
        ("districts", 13),
        ("streets", 110),
        ("communities", 955),
        ("catalog_items", 115),
        // Organizations, mediation points, sub-centers, the city's centre and the red stations.
        ("providers", 125 + 955 + 110 + 1 + 110),
        ("branches", 1860),
        ("pairings", 1860 + 1860 / 5),
    ] {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        let n: i64 = row.try_get("", "n").unwrap();
        assert_eq!(n, expected, "{table}");
    }
}
contract!(seeding_twice_changes_nothing);

async fn stranded_orders_are_taken_once_per_sweep_period(store: Store) {
    let waiting = placed(&store).await;
    let moved_on = offered_to(&store, &[org(1)]).await;
    let now = Utc::now() + chrono::Duration::seconds(1);
    assert!(store.take_stranded_orders(now - chrono::Duration::hours(1), now, 100).await.unwrap().is_empty());
    let taken = store.take_stranded_orders(now, now, 100).await.unwrap();
    assert!(taken.contains(&waiting) && !taken.contains(&moved_on));
    assert!(!store.take_stranded_orders(now, now, 100).await.unwrap().contains(&waiting), "a second sweep at once");
    let next_period = now + chrono::Duration::minutes(2);
    assert!(
        store
            .take_stranded_orders(next_period - chrono::Duration::minutes(1), next_period, 100)
            .await
            .unwrap()
            .contains(&waiting)
    );
}
contract!(stranded_orders_are_taken_once_per_sweep_period);

async fn concurrent_sweeps_take_each_stranded_order_once(store: Store) {
    let waiting = placed(&store).await;
    let now = Utc::now() + chrono::Duration::seconds(1);
    let sweeps: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.take_stranded_orders(now, now, 100).await.unwrap() })
        })
        .collect();
    let mut times_taken = 0;
    for s in sweeps {
        times_taken += s.await.unwrap().iter().filter(|id| **id == waiting).count();
    }
    assert_eq!(times_taken, 1);
}
contract!(concurrent_sweeps_take_each_stranded_order_once);

async fn a_reused_idempotency_key_with_a_different_request_is_refused(store: Store) {
    let r = resident(&store).await;
    store.insert_order(new_order(r, Some("key-9")), Utc::now()).await.unwrap();
    let different = NewOrder { item: ItemId(16), ..new_order(r, Some("key-9")) };
    assert!(matches!(store.insert_order(different, Utc::now()).await, Err(InsertOrderError::KeyReused)));
}
contract!(a_reused_idempotency_key_with_a_different_request_is_refused);

async fn a_step_by_a_former_holder_does_not_move_the_order(store: Store) {
    let id = offered_to(&store, &[org(1), org(2)]).await;
    store
        .transition(change(id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(org(1))))
        .await
        .unwrap();
    let by_other = Transition {
        holder: Some(org(2)),
        ..change(id, OrderAction::Start, OrderState::Accepted, TransitionEffect::None)
    };
    assert!(store.transition(by_other).await.unwrap().is_none());
    let by_holder = Transition {
        holder: Some(org(1)),
        ..change(id, OrderAction::Start, OrderState::Accepted, TransitionEffect::None)
    };
    assert_eq!(store.transition(by_holder).await.unwrap().unwrap().state, OrderState::InService);
}
contract!(a_step_by_a_former_holder_does_not_move_the_order);

async fn an_order_is_never_offered_twice_to_the_same_provider(store: Store) {
    let r = resident(&store).await;
    let id = offered_to(&store, &[org(1)]).await;
    store.decline_offer(id, org(1), r, Some(JobReason::Other), Utc::now()).await.unwrap();
    let deadline = Utc::now() + chrono::Duration::minutes(2);
    let again = TransitionEffect::OpenOffers {
        offers: vec![(org(1), "again".to_owned())],
        deadline,
        scope: Scope::Community,
        round: 2,
    };
    assert!(store.transition(change(id, OrderAction::Offer, OrderState::Submitted, again)).await.unwrap().is_none());
}
contract!(an_order_is_never_offered_twice_to_the_same_provider);

async fn offers_past_their_deadline_expire_and_the_order_returns_to_dispatch(store: Store) {
    let id = offered_to(&store, &[org(1), org(2)]).await;
    let deadline = store.offers_of_order(id).await.unwrap()[0].deadline;
    assert!(store.expire_offers(deadline - chrono::Duration::seconds(1), 100).await.unwrap().is_empty());
    let late = deadline + chrono::Duration::seconds(1);
    let award = Transition {
        at: late,
        ..change(id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(org(1)))
    };
    assert!(store.transition(award).await.unwrap().is_none(), "an expired offer cannot be accepted");
    assert_eq!(store.expire_offers(late, 100).await.unwrap(), vec![id]);
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Submitted);
    assert!(store.offers_of_order(id).await.unwrap().iter().all(|o| o.status.as_str() == "expired"));
    assert!(store.expire_offers(late, 100).await.unwrap().is_empty(), "once only");
}
contract!(offers_past_their_deadline_expire_and_the_order_returns_to_dispatch);

/// Registers a Party member in community 1 who offers item 15.
async fn party_member(store: &Store) -> ProviderId {
    store
        .create_provider(
            NewProvider {
                kind: linli_domain::providers::ProviderKind::PartyMember,
                name: "党员".into(),
                credit_code: None,
                community: CommunityId(1),
                location: GeoPoint::parse(41.78, 123.40).unwrap(),
                capacity: 1,
                items: vec![ItemId(15)],
                coverage: vec![CommunityId(1)],
                streets: vec![],
                radius_m: None,
                hours: linli_domain::dispatch::WorkingHours::always(),
                target_share: 1.0,
            },
            linli_infra::testing::set_up_by_hand(),
        )
        .await
        .unwrap()
}

async fn a_provider_is_never_awarded_more_overlapping_jobs_than_its_capacity(store: Store) {
    let solo = party_member(&store).await;
    let mut orders = Vec::new();
    for _ in 0..6 {
        orders.push(offered_to(&store, &[solo]).await);
    }
    let awards: Vec<_> = orders
        .iter()
        .map(|id| {
            let store = store.clone();
            let award = change(*id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(solo));
            tokio::spawn(async move { store.transition(award).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for a in awards {
        won += usize::from(a.await.unwrap().is_some());
    }
    assert_eq!(won, 1, "capacity 1 means one job at a time");
    let mut still_offered = None;
    for id in &orders {
        if store.find_order(*id).await.unwrap().unwrap().state == OrderState::Offered {
            still_offered = Some(*id);
        }
    }
    assert!(store.provider_full(solo, still_offered.unwrap(), Utc::now()).await.unwrap(), "full for the others");
}
contract!(a_provider_is_never_awarded_more_overlapping_jobs_than_its_capacity);

fn open_offers(order: OrderId, providers: &[ProviderId]) -> Transition {
    let offers = providers.iter().map(|p| (*p, "batch".to_owned())).collect();
    let deadline = Utc::now() + chrono::Duration::minutes(2);
    let effect = TransitionEffect::OpenOffers { offers, deadline, scope: Scope::Community, round: 1 };
    change(order, OrderAction::Offer, OrderState::Submitted, effect)
}

async fn a_batch_of_offers_moves_each_waiting_order_once_and_counts_every_offer(store: Store) {
    let (a, b) = (placed(&store).await, placed(&store).await);
    let moved_on = offered_to(&store, &[org(3)]).await;
    let before = store.candidates(ItemId(15), Utc::now()).await.unwrap();
    let offers_of = |all: &[linli_domain::dispatch::Candidate], p: ProviderId| {
        all.iter().find(|c| c.id == p).map_or(0, |c| c.offers_this_period)
    };
    let batch = vec![open_offers(a, &[org(1), org(2)]), open_offers(b, &[org(1)]), open_offers(moved_on, &[org(1)])];
    assert_eq!(store.transition_batch(batch).await.unwrap(), vec![true, true, false]);
    for id in [a, b] {
        assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Offered);
        assert_eq!((count(&store, "order_events", id).await, count(&store, "outbox", id).await), (2, 2));
    }
    assert_eq!(store.offers_of_order(moved_on).await.unwrap().len(), 1, "the order that had moved on is untouched");
    let after = store.candidates(ItemId(15), Utc::now()).await.unwrap();
    assert_eq!(offers_of(&after, org(1)), offers_of(&before, org(1)) + 2);
    assert_eq!(offers_of(&after, org(2)), offers_of(&before, org(2)) + 1);
}
contract!(a_batch_of_offers_moves_each_waiting_order_once_and_counts_every_offer);

async fn a_batch_that_would_offer_an_order_to_the_same_provider_twice_is_applied_one_by_one(store: Store) {
    let r = resident(&store).await;
    let again = offered_to(&store, &[org(1)]).await;
    store.decline_offer(again, org(1), r, Some(JobReason::Other), Utc::now()).await.unwrap();
    let fresh = placed(&store).await;
    let batch = vec![open_offers(again, &[org(1)]), open_offers(fresh, &[org(2)])];
    assert_eq!(store.transition_batch(batch).await.unwrap(), vec![false, true]);
    assert_eq!(store.find_order(again).await.unwrap().unwrap().state, OrderState::Submitted);
    assert_eq!(store.find_order(fresh).await.unwrap().unwrap().state, OrderState::Offered);
}
contract!(a_batch_that_would_offer_an_order_to_the_same_provider_twice_is_applied_one_by_one);

async fn a_provider_registered_through_another_replica_is_a_candidate_at_once(store: Store) {
    // Two stores on one database stand for two replicas, each with its own snapshot.
    let replica = Store::new(store.connection().clone());
    let before = replica.candidates(ItemId(15), Utc::now()).await.unwrap();
    let member = party_member(&store).await;
    let after = replica.candidates(ItemId(15), Utc::now()).await.unwrap();
    assert!(!before.iter().any(|c| c.id == member));
    assert!(after.iter().any(|c| c.id == member), "the other replica's snapshot was out of date");
    // The port's read, which dispatch uses, is the one served from the snapshot.
    let cached = Candidates::catalog_item(&replica, ItemId(15)).await.unwrap().unwrap();
    let wider = CatalogItem { broadcast_k: cached.broadcast_k + 2, ..cached.clone() };
    assert!(store.save_item(&cached, &wider, linli_infra::testing::set_up_by_hand()).await.unwrap());
    let seen = Candidates::catalog_item(&replica, ItemId(15)).await.unwrap().unwrap();
    assert_eq!(seen.broadcast_k, cached.broadcast_k + 2);
}
contract!(a_provider_registered_through_another_replica_is_a_candidate_at_once);

async fn an_items_new_questions_are_read_by_every_replica_and_an_orders_answers_read_back_as_given(store: Store) {
    let replica = Store::new(store.connection().clone());
    let before = Candidates::catalog_item(&replica, ItemId(15)).await.unwrap().unwrap();
    let floor = QuestionInput {
        code: "floor".into(),
        label: "楼层".into(),
        kind: "number".into(),
        required: true,
        min: Some(1.0),
        max: Some(40.0),
        ..Default::default()
    };
    let questions = Questions::parse(vec![floor]).unwrap();
    let set = store.set_questions(ItemId(15), questions.clone(), linli_infra::testing::set_up_by_hand()).await;
    assert_eq!(set.unwrap().unwrap().questions, questions);
    let seen = Candidates::catalog_item(&replica, ItemId(15)).await.unwrap().unwrap();
    assert_ne!(seen.questions, before.questions);
    assert_eq!(seen.questions, questions, "the other replica's snapshot was out of date");

    let raw: RawAnswers = serde_json::from_value(serde_json::json!({"floor": 5})).unwrap();
    let answers = questions.check(&raw).unwrap();
    let r = resident(&store).await;
    // Answers checked against the questions the item asked before are refused, and nothing is written.
    let stale = store.insert_order(NewOrder { answers: answers.clone(), ..new_order(r, None) }, Utc::now()).await;
    assert!(matches!(stale, Err(InsertOrderError::QuestionsChanged)), "{stale:?}");
    assert!(store.orders_of_resident(r, None, 10).await.unwrap().is_empty(), "nothing half-written");
    let current = NewOrder { answers: answers.clone(), asked: questions.clone(), ..new_order(r, None) };
    let id = store.insert_order(current, Utc::now()).await.unwrap().order().id;
    assert_eq!(store.find_order(id).await.unwrap().unwrap().answers, answers);
    let missing = store.set_questions(ItemId(99_999), Questions::default(), linli_infra::testing::set_up_by_hand());
    assert!(missing.await.unwrap().is_none());
}
contract!(an_items_new_questions_are_read_by_every_replica_and_an_orders_answers_read_back_as_given);

async fn outbox_rows(store: &Store) -> i64 {
    let db = store.connection();
    let statement = Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) AS n FROM outbox".to_owned());
    db.query_one_raw(statement).await.unwrap().unwrap().try_get("", "n").unwrap()
}

async fn a_change_the_database_refuses_leaves_no_outbox_row(store: Store) {
    let r = resident(&store).await;
    let before = outbox_rows(&store).await;
    let unknown = NewOrder { item: ItemId(99_999), ..new_order(r, None) };
    assert!(store.insert_order(unknown, Utc::now()).await.is_err());
    let again = NewOrder { community: CommunityId(99_999), ..new_order(r, Some("k-1")) };
    assert!(store.insert_order(again, Utc::now()).await.is_err());
    assert_eq!(outbox_rows(&store).await, before, "a refused placement announces nothing");
    let id = placed(&store).await;
    let after_placing = outbox_rows(&store).await;
    // A provider offered the order before cannot be offered it again: the whole change rolls back.
    let offers = vec![(org(1), "x".to_owned()), (org(1), "y".to_owned())];
    let twice = TransitionEffect::OpenOffers {
        offers,
        deadline: Utc::now() + chrono::Duration::minutes(2),
        scope: Scope::Community,
        round: 1,
    };
    assert!(store.transition(change(id, OrderAction::Offer, OrderState::Submitted, twice)).await.unwrap().is_none());
    assert_eq!(outbox_rows(&store).await, after_placing, "a rolled-back transition announces nothing");
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Submitted);
}
contract!(a_change_the_database_refuses_leaves_no_outbox_row);

async fn a_booking_cannot_move_onto_a_time_its_provider_is_full(store: Store) {
    use linli_domain::orders::{Reschedule, RescheduleOutcome, TimeWindow};
    let solo = party_member(&store).await;
    let r = resident(&store).await;
    let start = Utc::now() + chrono::Duration::days(2);
    let window = |from: chrono::DateTime<Utc>| TimeWindow::from_stored(from, from + chrono::Duration::hours(2));
    let mut held = Vec::new();
    for from in [start, start + chrono::Duration::days(1)] {
        let booked = NewOrder { schedule: Schedule::Window(window(from)), ..new_order(r, None) };
        let id = store.insert_order(booked, Utc::now()).await.unwrap().order().id;
        let deadline = Utc::now() + chrono::Duration::minutes(2);
        let offer = TransitionEffect::OpenOffers {
            offers: vec![(solo, "test".to_owned())],
            deadline,
            scope: Scope::Community,
            round: 1,
        };
        store.transition(change(id, OrderAction::Offer, OrderState::Submitted, offer)).await.unwrap().unwrap();
        let award = change(id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(solo));
        store.transition(award).await.unwrap().expect("free at that time");
        held.push(id);
    }
    let onto_the_other = Reschedule {
        order: held[1],
        from: OrderState::Accepted,
        to: OrderState::Accepted,
        accept_by: None,
        window: window(start),
        actor: r,
        at: Utc::now(),
    };
    assert_eq!(store.reschedule(onto_the_other).await.unwrap(), RescheduleOutcome::ProviderFull);
    let elsewhere = start + chrono::Duration::days(5);
    let free = Reschedule {
        order: held[1],
        from: OrderState::Accepted,
        to: OrderState::Accepted,
        accept_by: None,
        window: window(elsewhere),
        actor: r,
        at: Utc::now(),
    };
    assert!(matches!(store.reschedule(free).await.unwrap(), RescheduleOutcome::Moved(_)));
    let stale = Reschedule {
        order: held[1],
        from: OrderState::Submitted,
        to: OrderState::Submitted,
        accept_by: None,
        window: window(elsewhere),
        actor: r,
        at: Utc::now(),
    };
    assert_eq!(store.reschedule(stale).await.unwrap(), RescheduleOutcome::StateChanged);
}
contract!(a_booking_cannot_move_onto_a_time_its_provider_is_full);

async fn the_last_place_at_a_booked_time_goes_to_one_of_many_bookings_made_at_once(store: Store) {
    use linli_domain::orders::{InsertOrderError, SlotHold, TimeWindow};
    let r = resident(&store).await;
    let start = Utc::now() + chrono::Duration::days(2);
    let window = TimeWindow::from_stored(start, start + chrono::Duration::hours(1));
    let booked = |community| NewOrder {
        schedule: Schedule::Window(window),
        community: CommunityId(community),
        slot: Some(SlotHold { room: 2 }),
        ..new_order(r, None)
    };
    store.insert_order(booked(1), Utc::now()).await.expect("the first of two places");
    let racers = (0..12).map(|_| {
        let (store, order) = (store.clone(), booked(1));
        tokio::spawn(async move { store.insert_order(order, Utc::now()).await })
    });
    let mut won = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(_) => won += 1,
            Err(InsertOrderError::SlotFull) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(won, 1, "one place was left");
    let pending = store.pending_windows(ItemId(15), CommunityId(1), start, start + chrono::Duration::hours(1)).await;
    assert_eq!(pending.unwrap().len(), 2, "two bookings nobody holds yet take the two places");
    store.insert_order(booked(2), Utc::now()).await.expect("another community's places are its own");
}
contract!(the_last_place_at_a_booked_time_goes_to_one_of_many_bookings_made_at_once);

async fn an_escalated_booking_moved_to_another_time_goes_back_to_dispatch(store: Store) {
    use linli_domain::orders::{Reschedule, RescheduleOutcome, TimeWindow};
    let r = resident(&store).await;
    let start = Utc::now() + chrono::Duration::days(2);
    let window = TimeWindow::from_stored(start, start + chrono::Duration::hours(1));
    let booked = NewOrder { schedule: Schedule::Window(window), ..new_order(r, None) };
    let id = store.insert_order(booked, Utc::now()).await.unwrap().order().id;
    let escalate = change(id, OrderAction::Escalate, OrderState::Submitted, TransitionEffect::None);
    store.transition(escalate).await.unwrap().expect("escalated");
    let later = TimeWindow::from_stored(
        start + chrono::Duration::days(1),
        start + chrono::Duration::days(1) + chrono::Duration::hours(1),
    );
    let accept_by = Some(later.start());
    let move_back = Reschedule {
        order: id,
        from: OrderState::Escalated,
        to: OrderState::Submitted,
        accept_by,
        window: later,
        actor: r,
        at: Utc::now(),
    };
    let RescheduleOutcome::Moved(moved) = store.reschedule(move_back).await.unwrap() else { panic!("moved") };
    assert_eq!(
        (moved.state, moved.scope, moved.round, moved.accept_by),
        (OrderState::Submitted, Scope::Community, 0, accept_by)
    );
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Submitted);
    assert!(store.waiting_orders(10).await.unwrap().contains(&id));
    let events = store.order_events(id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.from, last.to), (Some(OrderState::Escalated), OrderState::Submitted));
}
contract!(an_escalated_booking_moved_to_another_time_goes_back_to_dispatch);

/// An order org(1) accepted, started at `start` and completed with a note, its answer due in an hour.
async fn completed_visit(store: &Store, start: Option<GeoPoint>) -> OrderId {
    let id = offered_to(store, &[org(1)]).await;
    let at = Utc::now();
    let award = change(id, OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(org(1)));
    store.transition(award).await.unwrap().expect("accepted");
    let home = GeoPoint::parse(41.78, 123.40).unwrap();
    let started = TransitionEffect::Started(Mark::new(at, start, &home));
    store.transition(change(id, OrderAction::Start, OrderState::Accepted, started)).await.unwrap().expect("started");
    let done = TransitionEffect::Completed(Box::new(Completion {
        mark: Mark::new(at, None, &home),
        note: VisitText::parse("已助浴，老人状态良好", "note").unwrap(),
        confirm_by: at + chrono::Duration::hours(1),
        credit_hours: None,
    }));
    store.transition(change(id, OrderAction::Complete, OrderState::InService, done)).await.unwrap().expect("done");
    id
}

async fn a_visit_keeps_where_the_job_started_the_note_and_when_it_is_due(store: Store) {
    let id = completed_visit(&store, Some(GeoPoint::parse(41.79, 123.40).unwrap())).await;
    let visit = store.visit(id).await.unwrap().expect("recorded");
    let started = visit.started.expect("a start");
    assert!(started.far(), "about 1.1 km from the address: {started:?}");
    assert_eq!(started.location, Some(GeoPoint::parse(41.79, 123.40).unwrap()));
    assert_eq!(visit.completed.and_then(|m| m.distance_m), None, "no location at completion");
    assert_eq!(visit.note.as_deref(), Some("已助浴，老人状态良好"));
    assert!(matches!(visit.verdict, Some(Verdict::Pending { .. })), "{:?}", visit.verdict);
}
contract!(a_visit_keeps_where_the_job_started_the_note_and_when_it_is_due);

async fn a_visit_is_answered_once_however_many_answers_arrive_at_once(store: Store) {
    let id = completed_visit(&store, None).await;
    let r = resident(&store).await;
    let before = count(&store, "outbox", id).await;
    let answers = (0..8).map(|n| {
        let store = store.clone();
        let answer = if n % 2 == 0 {
            Answer::Confirm
        } else {
            Answer::Dispute(VisitText::parse("只做了一半", "reason").unwrap())
        };
        tokio::spawn(async move { store.answer_visit(id, &answer, r, Utc::now()).await.unwrap() })
    });
    let taken = futures_util::future::join_all(answers).await.into_iter().filter(|t| *t.as_ref().unwrap()).count();
    assert_eq!(taken, 1);
    assert_eq!(count(&store, "outbox", id).await, before + 1, "one announcement of the one answer");
}
contract!(a_visit_is_answered_once_however_many_answers_arrive_at_once);

async fn a_dispute_is_listed_for_its_community_until_it_is_resolved_once(store: Store) {
    let id = completed_visit(&store, None).await;
    let r = resident(&store).await;
    let reason = VisitText::parse("师傅没有带工具", "reason").unwrap();
    assert!(store.answer_visit(id, &Answer::Dispute(reason), r, Utc::now()).await.unwrap());
    let listed = |c| {
        let store = store.clone();
        async move { store.open_disputes(Some(vec![CommunityId(c)]), None, 10).await.unwrap() }
    };
    assert_eq!(listed(1).await.iter().map(|(o, _)| o.id).collect::<Vec<_>>(), vec![id]);
    assert!(listed(2).await.is_empty(), "not another community's");
    let resolution = Resolution { at: Utc::now(), by: r, note: "已协调补做".to_owned() };
    assert!(store.resolve_dispute(id, &resolution).await.unwrap());
    assert!(!store.resolve_dispute(id, &resolution).await.unwrap(), "once");
    assert!(listed(1).await.is_empty());
}
contract!(a_dispute_is_listed_for_its_community_until_it_is_resolved_once);

async fn sweeps_running_at_once_confirm_each_due_visit_once(store: Store) {
    let ids = [completed_visit(&store, None).await, completed_visit(&store, None).await];
    assert_eq!(store.confirm_due_visits(Utc::now(), 10).await.unwrap(), 0, "not due yet");
    // Whole seconds: PostgreSQL keeps microseconds, and the comparison below is exact.
    let later = chrono::SubsecRound::trunc_subsecs(Utc::now() + chrono::Duration::hours(2), 0);
    let sweeps = (0..4).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.confirm_due_visits(later, 10).await.unwrap() })
    });
    let confirmed: usize = futures_util::future::join_all(sweeps).await.into_iter().map(|n| n.unwrap()).sum();
    assert_eq!(confirmed, 2);
    for id in ids {
        let visit = store.visit(id).await.unwrap().unwrap();
        assert_eq!(visit.verdict, Some(Verdict::Confirmed { at: later, by: None }));
    }
}
contract!(sweeps_running_at_once_confirm_each_due_visit_once);

async fn ratings_move_the_providers_tally_and_the_rating_dispatch_ranks_by(store: Store) {
    let r = resident(&store).await;
    let before = store.candidates(ItemId(15), Utc::now()).await.unwrap();
    let before = before.iter().find(|c| c.id == org(1)).unwrap().rating;
    let (first, second) = (completed_visit(&store, None).await, completed_visit(&store, None).await);
    let rate = |order, stars, at| {
        let store = store.clone();
        let new =
            NewRating { order, provider: org(1), resident: r, stars: Stars::parse(stars).unwrap(), comment: None, at };
        async move { store.rate(new, at - chrono::Duration::hours(24)).await.unwrap() }
    };
    let now = Utc::now();
    // Two ratings of the same provider at once both count.
    let (a, b) = tokio::join!(rate(first, 1, now), rate(second, 1, now));
    assert!(a.is_some() && b.is_some());
    assert_eq!(rate(first, 2, now + chrono::Duration::hours(1)).await.unwrap().stars.get(), 2, "changed");
    assert!(rate(first, 5, now + chrono::Duration::hours(25)).await.is_none(), "too late to change");
    let after = store.candidates(ItemId(15), Utc::now()).await.unwrap();
    let after = after.iter().find(|c| c.id == org(1)).unwrap().rating;
    assert!(after < before, "two low ratings pull {before} down, to {after}");
    let record = store.provider(org(1)).await.unwrap().unwrap();
    assert_eq!(record.rating, after, "the rating ranked by is the one shown");
}
contract!(ratings_move_the_providers_tally_and_the_rating_dispatch_ranks_by);

async fn a_follow_up_and_a_complaint_are_each_written_once_and_a_late_complaint_escalated_once(store: Store) {
    let id = completed_visit(&store, None).await;
    let r = resident(&store).await;
    let at = Utc::now();
    let call = FollowUp { order: id, by: r, outcome: FollowUpOutcome::Satisfied, note: None, at };
    let (a, b) = tokio::join!(store.record_follow_up(&call), store.record_follow_up(&call));
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|w| **w).count(), 1);
    assert!(store.awaiting_follow_up(Some(vec![CommunityId(1)]), None, 50).await.unwrap().iter().all(|o| o.id != id));
    let complaint = Complaint {
        id: ComplaintId(uuid::Uuid::now_v7()),
        order: id,
        provider: org(1),
        community: CommunityId(1),
        opened_by: r,
        text: "迟到".to_owned(),
        opened_at: at,
        due_at: at + chrono::Duration::hours(1),
        state: ComplaintState::Open,
        answer: None,
        answered_at: None,
        escalated_at: None,
    };
    assert!(store.open_complaint(&complaint).await.unwrap());
    let second = Complaint { id: ComplaintId(uuid::Uuid::now_v7()), ..complaint.clone() };
    assert!(!store.open_complaint(&second).await.unwrap(), "one per order");
    let later = at + chrono::Duration::hours(2);
    let sweeps = (0..4).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.escalate_overdue_complaints(later, 10).await.unwrap() })
    });
    let escalated: usize = futures_util::future::join_all(sweeps).await.into_iter().map(|n| n.unwrap()).sum();
    assert_eq!(escalated, 1);
    let scope = ComplaintScope::Provider(org(1));
    let listed = store.complaints(scope, &[ComplaintState::Escalated], None, 10).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![complaint.id]);
    assert!(store.answer_complaint(complaint.id, "已致歉", r, later).await.unwrap());
    assert!(!store.answer_complaint(complaint.id, "再答复", r, later).await.unwrap(), "once");
}
contract!(a_follow_up_and_a_complaint_are_each_written_once_and_a_late_complaint_escalated_once);

fn care_plan(resident: AccountId, start: chrono::NaiveDate, end: Option<chrono::NaiveDate>) -> CarePlan {
    let weekdays = Weekdays::parse(&[1, 2, 3, 4, 5], "weekdays").unwrap();
    CarePlan {
        id: CarePlanId(uuid::Uuid::now_v7()),
        resident,
        filed_by: resident,
        item: ItemId(15),
        community: CommunityId(1),
        address: "文安路12号".into(),
        location: GeoPoint::parse(41.78, 123.40).unwrap(),
        notes: String::new(),
        answers: Answers::default(),
        rules: PlanRules {
            repeat: Repeat::Weekly(weekdays),
            time: chrono::NaiveTime::from_hms_opt(11, 0, 0).unwrap(),
            start,
            end,
            pauses: Vec::new(),
            skips: Vec::new(),
            changes: Vec::new(),
        },
        revision: 0,
        placed_through: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn today() -> chrono::NaiveDate {
    linli_domain::time::local_date(Utc::now())
}

async fn a_care_plans_rules_change_only_at_the_revision_they_were_read_at(store: Store) {
    let plan = care_plan(resident(&store).await, today(), None);
    store.insert_plan(&plan).await.unwrap();
    let mut rules = plan.rules.clone();
    rules.skips.push(today());
    let write = PlanWrite { plan: plan.id, revision: 0, rules, placed_through: None, at: Utc::now() };
    assert!(store.change_plan(&write).await.unwrap());
    assert!(!store.change_plan(&write).await.unwrap(), "the revision it was read at is gone");
    let read = store.plan(plan.id).await.unwrap().unwrap();
    assert_eq!((read.revision, read.rules.skips.clone()), (1, vec![today()]));
    assert_eq!(read.rules.repeat, plan.rules.repeat);
    // Eight changes over the same revision at once: one is written.
    let racing = (0..8).map(|n| {
        let store = store.clone();
        let mut rules = read.rules.clone();
        rules.skips.push(today() + chrono::Days::new(n));
        let write = PlanWrite { plan: plan.id, revision: 1, rules, placed_through: None, at: Utc::now() };
        tokio::spawn(async move { store.change_plan(&write).await.unwrap() })
    });
    let won = futures_util::future::join_all(racing).await.into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(won, 1);
}
contract!(a_care_plans_rules_change_only_at_the_revision_they_were_read_at);

async fn the_plans_to_extend_are_those_still_running_and_placed_short_of_the_horizon(store: Store) {
    let r = resident(&store).await;
    let horizon = today() + chrono::Days::new(7);
    let fresh = care_plan(r, today(), None);
    let placed = CarePlan { placed_through: Some(horizon), ..care_plan(r, today(), None) };
    let ended = care_plan(r, today() - chrono::Days::new(10), Some(today() - chrono::Days::new(1)));
    for plan in [&fresh, &placed, &ended] {
        store.insert_plan(plan).await.unwrap();
    }
    let due: Vec<CarePlanId> =
        store.plans_to_extend(today(), horizon, 10).await.unwrap().iter().map(|p| p.id).collect();
    assert_eq!(due, vec![fresh.id]);
    store.placed_through(fresh.id, horizon).await.unwrap();
    store.placed_through(fresh.id, today()).await.unwrap();
    assert_eq!(store.plan(fresh.id).await.unwrap().unwrap().placed_through, Some(horizon), "never moved back");
    assert!(store.plans_to_extend(today(), horizon, 10).await.unwrap().is_empty());
    assert_eq!(store.plans(Some(r), &Reach::City, None, 10).await.unwrap().len(), 3);
    let elsewhere = Reach::Communities { communities: vec![CommunityId(2)], filer: AccountId(uuid::Uuid::now_v7()) };
    assert!(store.plans(None, &elsewhere, None, 10).await.unwrap().is_empty());
    let filer = Reach::Communities { communities: vec![CommunityId(2)], filer: r };
    assert_eq!(store.plans(None, &filer, None, 10).await.unwrap().len(), 3, "the plans the filer set up anywhere");
}
contract!(the_plans_to_extend_are_those_still_running_and_placed_short_of_the_horizon);

async fn a_plans_visits_are_read_by_their_time_and_whoever_took_the_latest_is_preferred_next(store: Store) {
    use linli_domain::orders::TimeWindow;
    let r = resident(&store).await;
    let plan = care_plan(r, today(), None);
    store.insert_plan(&plan).await.unwrap();
    let start = Utc::now() + chrono::Duration::days(1);
    let mut visits = Vec::new();
    for day in [1, 0] {
        let from = start + chrono::Duration::days(day);
        let visit = NewOrder {
            schedule: Schedule::Window(TimeWindow::from_stored(from, from + chrono::Duration::hours(1))),
            plan: Some(plan.id),
            preferred: Some(org(2)),
            ..new_order(r, None)
        };
        visits.push(store.insert_order(visit, Utc::now()).await.unwrap().order().id);
    }
    let read = store.plan_orders(plan.id, Utc::now(), start + chrono::Duration::days(3)).await.unwrap();
    assert_eq!(read.iter().map(|o| o.id).collect::<Vec<_>>(), vec![visits[1], visits[0]], "earliest first");
    assert!(read.iter().all(|o| o.plan == Some(plan.id) && o.preferred == Some(org(2))));
    assert_eq!(store.last_provider(plan.id).await.unwrap(), None, "nobody took one yet");
    let deadline = Utc::now() + chrono::Duration::minutes(2);
    let offer = TransitionEffect::OpenOffers {
        offers: vec![(org(3), "t".into())],
        deadline,
        scope: Scope::Community,
        round: 1,
    };
    store.transition(change(visits[0], OrderAction::Offer, OrderState::Submitted, offer)).await.unwrap().unwrap();
    let award = change(visits[0], OrderAction::Accept, OrderState::Offered, TransitionEffect::AwardTo(org(3)));
    store.transition(award).await.unwrap().expect("awarded");
    assert_eq!(store.last_provider(plan.id).await.unwrap(), Some(org(3)));
    assert!(store.is_resident(r).await.unwrap());
    let worker = store.account_by_login("worker").await.unwrap().unwrap().id;
    assert!(!store.is_resident(worker).await.unwrap());
}
contract!(a_plans_visits_are_read_by_their_time_and_whoever_took_the_latest_is_preferred_next);

async fn a_workers_list_holds_their_communitys_orders_and_those_they_filed_anywhere_with_names(store: Store) {
    use linli_domain::orders::AreaFilter;
    let r = resident(&store).await;
    let worker = store.account_by_login("worker").await.unwrap().expect("the demo worker exists").id;
    let own = store.insert_order(new_order(r, None), Utc::now()).await.unwrap().order().id;
    let filed = NewOrder { placed_by: worker, community: CommunityId(2), ..new_order(r, None) };
    let filed = store.insert_order(filed, Utc::now()).await.unwrap().order().id;
    let elsewhere = store.insert_order(NewOrder { community: CommunityId(2), ..new_order(r, None) }, Utc::now());
    let elsewhere = elsewhere.await.unwrap().order().id;
    let reach = Reach::Communities { communities: vec![CommunityId(1)], filer: worker };
    let ids = |rows: Vec<linli_domain::orders::ListedOrder>| rows.into_iter().map(|r| r.order.id).collect::<Vec<_>>();
    let all = store.area_orders(&reach, &AreaFilter::default(), None, 10).await.unwrap();
    assert_eq!((all[0].item_name.as_str(), all[0].filed_by_name.is_empty()), ("日常保洁", false));
    assert_eq!(ids(all), vec![filed, own]);
    let mine = AreaFilter { filed_by: Some(worker), ..Default::default() };
    assert_eq!(ids(store.area_orders(&reach, &mine, None, 10).await.unwrap()), vec![filed]);
    let city = store.area_orders(&Reach::City, &AreaFilter::default(), None, 10).await.unwrap();
    assert_eq!(ids(city), vec![elsewhere, filed, own]);
    let later = AreaFilter { placed_from: Some(Utc::now() + chrono::Duration::hours(1)), ..Default::default() };
    assert!(store.area_orders(&Reach::City, &later, None, 10).await.unwrap().is_empty());
    let paged = store.area_orders(&reach, &AreaFilter::default(), Some(filed), 10).await.unwrap();
    assert_eq!(ids(paged), vec![own]);
}
contract!(a_workers_list_holds_their_communitys_orders_and_those_they_filed_anywhere_with_names);

async fn a_resident_filed_by_a_worker_is_found_by_mobile_landline_and_name(store: Store) {
    use linli_domain::accounts::{
        CreateAccountError, Landline, NewAccount, PhoneNumber, RecordDetails, ResidentQuery, ResidentRecords, Role,
        Username,
    };
    use linli_domain::audit::AuditEntry;
    let worker = store.account_by_login("worker").await.unwrap().unwrap().actor();
    let new = |phone: &str| NewAccount {
        username: Username::parse(&format!("m{phone}")).unwrap(),
        phone: Some(PhoneNumber::parse(phone).unwrap()),
        display_name: "贺兰淑芬".into(),
        password_hash: String::new(),
        role: Role::Resident,
        provider: None,
        community: None,
        street: None,
        manager: false,
        demo: false,
    };
    let record = RecordDetails {
        community: CommunityId(2),
        address: Some("北陵大街3号".into()),
        landline: Some(Landline::parse("024-23456789").unwrap()),
        filed_by: worker.account,
    };
    let audit = || AuditEntry::new(&worker, Utc::now(), "resident.filed", String::new());
    let id = store.file_resident(new("13912345678"), record.clone(), Utc::now(), audit()).await.unwrap();
    let again = store.file_resident(new("13912345678"), record, Utc::now(), audit()).await;
    assert!(matches!(again, Err(CreateAccountError::Taken("phone"))), "{again:?}");
    for query in [
        ResidentQuery::Mobile(PhoneNumber::parse("13912345678").unwrap()),
        ResidentQuery::Landline(Landline::parse("02423456789").unwrap()),
        ResidentQuery::Name("兰淑".into()),
    ] {
        let found = store.find_residents(&query, 20).await.unwrap();
        assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id], "{query:?}");
        assert_eq!((found[0].community, found[0].signs_in), (Some(CommunityId(2)), false));
    }
    let demo = store.resident(resident(&store).await).await.unwrap().expect("a resident who signed up");
    assert_eq!((demo.community, demo.signs_in), (Some(CommunityId(1)), true));
    assert!(store.resident(worker.account).await.unwrap().is_none(), "a worker is not a resident");
}
contract!(a_resident_filed_by_a_worker_is_found_by_mobile_landline_and_name);

async fn a_providers_pause_and_closed_dates_are_kept_and_dispatch_reads_them_at_once(store: Store) {
    use linli_domain::audit::AuditEntry;
    use linli_domain::dispatch::WorkingHours;
    use linli_domain::providers::Availabilities;
    let admin = store.account_by_login("admin").await.unwrap().unwrap().actor();
    let before = store.availability(org(1)).await.unwrap().expect("the demo organization");
    assert_eq!((before.paused_since, before.closed.len()), (None, 0));
    let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
    let next = linli_domain::providers::Availability {
        paused_since: Some(Utc::now()),
        closed: vec![day(1), day(2)],
        capacity: 4,
        hours: WorkingHours::daily(8 * 60, 18 * 60).unwrap(),
        ..before
    };
    let audit = AuditEntry::new(&admin, Utc::now(), "provider.paused", format!("provider:{}", org(1).0));
    store.set_availability(&next, audit).await.unwrap();
    let kept = store.availability(org(1)).await.unwrap().unwrap();
    assert_eq!((kept.closed, kept.capacity, kept.hours), (next.closed.clone(), 4, next.hours.clone()));
    assert!(kept.paused_since.is_some());
    let seen = store.candidates(ItemId(15), Utc::now()).await.unwrap();
    let org1 = seen.iter().find(|c| c.id == org(1)).expect("still a candidate, passed over by the rules");
    assert_eq!((org1.paused, org1.closed.clone()), (true, next.closed));
}
contract!(a_providers_pause_and_closed_dates_are_kept_and_dispatch_reads_them_at_once);

async fn a_retired_item_takes_no_order_even_from_a_copy_of_the_catalog_read_before(store: Store) {
    let r = resident(&store).await;
    let item = CatalogItems::catalog_item(&store, ItemId(15)).await.unwrap().unwrap();
    let retired = CatalogItem { retired_at: Some(Utc::now()), ..item.clone() };
    assert!(store.save_item(&item, &retired, linli_infra::testing::set_up_by_hand()).await.unwrap());
    // The order was checked against the item as it was: the insert itself refuses it.
    let refused = store.insert_order(new_order(r, None), Utc::now()).await;
    assert!(matches!(refused, Err(InsertOrderError::QuestionsChanged)), "{refused:?}");
    assert!(store.catalog_items(None, None, 200, false).await.unwrap().iter().all(|i| i.id != ItemId(15)));
    assert!(store.catalog_items(None, None, 200, true).await.unwrap().iter().any(|i| i.id == ItemId(15)));
    assert!(store.save_item(&retired, &item, linli_infra::testing::set_up_by_hand()).await.unwrap());
    assert!(store.insert_order(new_order(r, None), Utc::now()).await.is_ok());
}
contract!(a_retired_item_takes_no_order_even_from_a_copy_of_the_catalog_read_before);

async fn a_new_item_takes_the_next_id_and_a_taken_code_is_refused(store: Store) {
    let item = CatalogItems::catalog_item(&store, ItemId(15)).await.unwrap().unwrap();
    let new = CatalogItem { code: "BATH-099".into(), name: "夜间助浴".into(), ..item.clone() };
    let id = store.create_item(&new, linli_infra::testing::set_up_by_hand()).await.unwrap();
    assert_eq!(CatalogItems::catalog_item(&store, id).await.unwrap().unwrap().name, "夜间助浴");
    let again = store.create_item(&new, linli_infra::testing::set_up_by_hand()).await;
    assert!(matches!(again, Err(linli_domain::catalog::CreateItemError::DuplicateCode)), "{again:?}");
}
contract!(a_new_item_takes_the_next_id_and_a_taken_code_is_refused);

async fn a_providers_items_and_coverage_are_replaced_whole_and_dispatch_sees_them_on_another_replica(store: Store) {
    use linli_domain::providers::{Profile, Profiles};
    let replica = Store::new(store.connection().clone());
    let id = org(1);
    let before = replica.candidates(ItemId(15), Utc::now()).await.unwrap().into_iter().any(|c| c.id == id);
    let was = store.profile(id).await.unwrap().unwrap();
    assert_eq!(before, was.items.contains(&ItemId(15)));
    let mut profile = was.clone();
    profile.items = vec![ItemId(16)];
    profile.coverage = vec![CommunityId(3), CommunityId(4)];
    profile.streets = vec![];
    // Meanwhile an admin deactivated it: writing only what this change changed keeps that.
    let off = Profile { active: false, ..was.clone() };
    store.set_profile(&was, &off, linli_infra::testing::set_up_by_hand()).await.unwrap();
    store.set_profile(&was, &profile, linli_infra::testing::set_up_by_hand()).await.unwrap();
    assert_eq!(store.profile(id).await.unwrap().unwrap(), Profile { active: false, ..profile.clone() });
    assert!(!replica.candidates(ItemId(15), Utc::now()).await.unwrap().iter().any(|c| c.id == id));
    let nowhere = Profile { coverage: vec![CommunityId(99_999)], ..profile.clone() };
    let unknown = store.set_profile(&profile, &nowhere, linli_infra::testing::set_up_by_hand()).await;
    assert!(matches!(unknown, Err(linli_domain::providers::CreateProviderError::UnknownCommunity(_))));
}
contract!(a_providers_items_and_coverage_are_replaced_whole_and_dispatch_sees_them_on_another_replica);

async fn a_community_moved_to_another_street_is_read_there_by_every_replica(store: Store) {
    use linli_domain::geo::{Geography, MapUpkeep, StreetId};
    let replica = Store::new(store.connection().clone());
    assert_eq!(replica.area_of(CommunityId(1)).await.unwrap().unwrap().street, StreetId(1));
    let mut community = store.community(CommunityId(1)).await.unwrap().unwrap();
    community.street = StreetId(2);
    store.save_community(&community, linli_infra::testing::set_up_by_hand()).await.unwrap();
    // Dispatch reads the change counter for its candidates before it asks where an order's community lies.
    replica.candidates(ItemId(15), Utc::now()).await.unwrap();
    assert_eq!(replica.area_of(CommunityId(1)).await.unwrap().unwrap().street, StreetId(2));
    let added = store.add_community(&community, linli_infra::testing::set_up_by_hand()).await.unwrap();
    assert_eq!(store.community(added).await.unwrap().unwrap().street, StreetId(2));
}
contract!(a_community_moved_to_another_street_is_read_there_by_every_replica);

async fn a_corrected_number_another_account_holds_is_taken(store: Store) {
    use linli_domain::accounts::{AccountDetails, AccountKeeping, CreateAccountError, PhoneNumber};
    let r = store.account_by_login("resident").await.unwrap().unwrap();
    let other = store.account_by_login("resident2").await.unwrap().unwrap();
    let details = AccountDetails {
        display_name: r.display_name.clone(),
        phone: Some(PhoneNumber::parse(other.phone.as_deref().expect("the demo resident has a number")).unwrap()),
        community: r.community,
        street: None,
        manager: false,
    };
    let taken = store.set_details(r.id, &details, linli_infra::testing::set_up_by_hand()).await;
    assert!(matches!(taken, Err(CreateAccountError::Taken("phone"))), "{taken:?}");
    let renamed = AccountDetails { display_name: "王秀英".into(), phone: None, ..details };
    store.set_details(r.id, &renamed, linli_infra::testing::set_up_by_hand()).await.unwrap();
    assert_eq!(store.account(r.id).await.unwrap().unwrap().display_name, "王秀英");
}
contract!(a_corrected_number_another_account_holds_is_taken);

async fn a_search_for_a_wildcard_character_finds_only_what_contains_it(store: Store) {
    use linli_domain::accounts::{NewAccount, Role, Username};
    let new = NewAccount {
        username: Username::parse("pct.test").unwrap(),
        phone: None,
        display_name: "王50%_阿姨".into(),
        password_hash: String::new(),
        role: Role::Resident,
        provider: None,
        community: None,
        street: None,
        manager: false,
        demo: false,
    };
    let id = store.create_account(new, None).await.unwrap();
    // Unescaped, `%` and `_` would match every account; escaped, only the one that contains them.
    for typed in ["%", "_", "50%_", "王50"] {
        let found: Vec<AccountId> =
            store.list_accounts(None, Some(typed), None, 50).await.unwrap().iter().map(|a| a.id).collect();
        assert_eq!(found, vec![id], "{typed}");
    }
    assert!(store.list_accounts(None, Some("\\"), None, 50).await.unwrap().is_empty());
    // Letters match in any case on both backends.
    assert!(store.list_accounts(None, Some("RESID"), None, 50).await.unwrap().iter().any(|a| a.username == "resident"));
}
contract!(a_search_for_a_wildcard_character_finds_only_what_contains_it);
