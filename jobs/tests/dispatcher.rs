//! The dispatcher's single steps, called directly on a seeded SQLite store and the in-process queue.
//!
//! Longer than our usual 400 lines on purpose: the stale-read stand-in at the end forwards every order port to
//! the real store, so that one test can show the store's conditional update refusing a second copy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use linli_domain::accounts::AccountId;
use linli_domain::accounts::Accounts;
use linli_domain::catalog::{CatalogItem, ItemId};
use linli_domain::clock::FixedClock;
use linli_domain::dispatch::{Candidate, DispatchQueue};
use linli_domain::error::Unexpected;
use linli_domain::geo::{Area, CommunityId, GeoPoint};
use linli_domain::orders::plans::{CarePlan, CarePlanId, CarePlans, PlanWrite};
use linli_domain::orders::{
    Address, Aftercare, Answer, AreaFilter, Backlog, Candidates, Complaint, ComplaintId, ComplaintScope,
    ComplaintState, DeclineOutcome, FollowUp, InsertOrderError, ListedOrder, NewOrder, NewRating, Notes, Offer, Offers,
    Order, OrderDesk, OrderEvent, OrderId, OrderLists, OrderState, Orders, Placed, Rating, Reach, Reschedule,
    RescheduleOutcome, Resolution, Schedule, Transition, Visit, Visits,
};
use linli_domain::providers::{NewProvider, ProviderId, Providers};
use linli_domain::time::TimeWindow;
use linli_infra::queue::MemoryQueue;
use linli_infra::seed::seed_demo;
use linli_infra::store::Store;
use linli_infra::testing::fresh_sqlite_dir;
use linli_jobs::{Dispatcher, DispatcherConfig};

async fn setup(clock: FixedClock) -> (Dispatcher<Store, MemoryQueue, FixedClock>, Store, MemoryQueue, AccountId) {
    let db = linli_infra::db::connect(&linli_infra::db::sqlite_url(&fresh_sqlite_dir()), 1).await.unwrap();
    linli_infra::db::migrate(&db).await.unwrap();
    let store = Store::new(db);
    seed_demo(&store).await.unwrap();
    let resident = store.account_by_login("resident").await.unwrap().unwrap().id;
    let queue = MemoryQueue::new();
    let desk = OrderDesk::new(store.clone(), queue.clone(), clock, Duration::from_secs(120));
    (Dispatcher::new(desk, dispatcher_config()), store, queue, resident)
}

fn dispatcher_config() -> DispatcherConfig {
    DispatcherConfig { wait: Duration::from_millis(20), ..DispatcherConfig::new("test") }
}

async fn saved_order(store: &Store, resident: AccountId, item: i32) -> OrderId {
    store.insert_order(new_order(resident, item), Utc::now() - chrono::Duration::minutes(5)).await.unwrap().order().id
}

/// An "as soon as possible" order for `item` in 文安路社区.
fn new_order(resident: AccountId, item: i32) -> NewOrder {
    NewOrder {
        resident,
        placed_by: resident,
        item: ItemId(item),
        community: CommunityId(1),
        address: Address::parse("文安路1号").unwrap(),
        location: GeoPoint::parse(41.78, 123.40).unwrap(),
        schedule: Schedule::Asap,
        notes: Notes::default(),
        idempotency_key: None,
        accept_by: None,
        high_risk: false,
        answers: Default::default(),
        asked: linli_infra::seed::demo_questions(item),
        slot: None,
        plan: None,
        preferred: None,
    }
}

#[tokio::test]
async fn a_rebuild_the_store_cuts_off_is_tried_again_at_the_next_tick() {
    let (dispatcher, store, queue, _) = setup(FixedClock(Utc::now())).await;
    store.connection().clone().close().await.unwrap();
    assert!(dispatcher.rebuild_if_lost().await.is_err(), "the store is gone");
    assert!(queue.lost_state().await.unwrap(), "the queue still says it lost its state, so the rebuild runs again");
}

#[tokio::test]
async fn a_stopped_dispatcher_releases_what_it_held_for_another_to_take_at_once() {
    let (dispatcher, store, queue, resident) = setup(FixedClock(Utc::now())).await;
    let id = saved_order(&store, resident, 15).await;
    queue.enqueue(id).await.unwrap();
    // The dispatcher's consumer ("test") read it and did not get to dispatch it: it holds the entry.
    let reclaim_after = Duration::from_secs(300);
    assert_eq!(queue.receive("test", 10, Duration::from_millis(20), reclaim_after).await.unwrap().len(), 1);
    dispatcher.run(std::future::ready(())).await;
    let taken = queue.receive("other", 10, Duration::from_millis(20), reclaim_after).await.unwrap();
    assert_eq!(taken.iter().map(|d| d.order).collect::<Vec<_>>(), vec![id], "long before the reclaim time");
}

#[tokio::test]
async fn a_batch_offers_each_queued_order_to_the_best_ranked_providers() {
    let (dispatcher, store, queue, resident) = setup(FixedClock(Utc::now())).await;
    let id = saved_order(&store, resident, 15).await;
    queue.enqueue(id).await.unwrap();
    assert_eq!(dispatcher.dispatch_batch().await.unwrap(), 1);
    let order = store.find_order(id).await.unwrap().unwrap();
    assert_eq!(order.state, OrderState::Offered);
    let offers = store.offers_of_order(id).await.unwrap();
    assert_eq!(offers.len(), 3, "cleaning is broadcast to the best three");
    assert_eq!(order.scope, linli_domain::dispatch::Scope::Community);
    assert_eq!(order.round, 1);
    assert_eq!(dispatcher.dispatch_batch().await.unwrap(), 0, "the entry was acknowledged");
}

#[tokio::test]
async fn two_copies_of_an_order_in_one_batch_dispatch_it_once() {
    let (dispatcher, store, queue, resident) = setup(FixedClock(Utc::now())).await;
    let id = saved_order(&store, resident, 15).await;
    queue.enqueue(id).await.unwrap();
    queue.enqueue(id).await.unwrap();
    assert_eq!(dispatcher.dispatch_batch().await.unwrap(), 2);
    assert_eq!(store.order_events(id).await.unwrap().len(), 2, "placed, then offered once");
}

#[tokio::test]
async fn an_order_whose_queue_entry_was_lost_is_found_by_the_sweep_and_dispatched() {
    let (dispatcher, store, _queue, resident) = setup(FixedClock(Utc::now())).await;
    let id = saved_order(&store, resident, 15).await;
    assert_eq!(dispatcher.dispatch_batch().await.unwrap(), 0, "never queued");
    assert_eq!(dispatcher.requeue_stranded().await.unwrap(), 1);
    assert_eq!(dispatcher.dispatch_batch().await.unwrap(), 1);
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Offered);
    assert_eq!(dispatcher.requeue_stranded().await.unwrap(), 0);
}

#[tokio::test]
async fn the_sweep_leaves_orders_younger_than_its_cutoff_alone() {
    // The clock says the orders were placed only moments ago.
    let (dispatcher, store, _queue, resident) = setup(FixedClock(Utc::now() - chrono::Duration::minutes(4))).await;
    saved_order(&store, resident, 15).await;
    assert_eq!(dispatcher.requeue_stranded().await.unwrap(), 0);
}

#[tokio::test]
async fn an_order_nobody_can_take_is_escalated() {
    let (dispatcher, store, queue, resident) = setup(FixedClock(Utc::now())).await;
    let id = saved_order(&store, resident, 100).await;
    queue.enqueue(id).await.unwrap();
    dispatcher.dispatch_batch().await.unwrap();
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Escalated);
}

#[tokio::test]
async fn the_loop_stops_when_asked() {
    let (dispatcher, _store, _queue, _resident) = setup(FixedClock(Utc::now())).await;
    let stopped = tokio::time::timeout(
        Duration::from_secs(5),
        dispatcher.run(async {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }),
    )
    .await;
    assert!(stopped.is_ok());
}

#[tokio::test]
async fn offers_nobody_answers_lapse_and_the_order_goes_to_the_next_providers() {
    let start = Utc::now();
    let (dispatcher, store, queue, resident) = setup(FixedClock(start)).await;
    let id = saved_order(&store, resident, 15).await;
    queue.enqueue(id).await.unwrap();
    dispatcher.dispatch_batch().await.unwrap();
    let first: Vec<_> = store.offers_of_order(id).await.unwrap().into_iter().map(|o| o.provider).collect();

    // Three minutes later nobody has answered the two-minute offers.
    let desk = OrderDesk::new(
        store.clone(),
        queue.clone(),
        FixedClock(start + chrono::Duration::minutes(3)),
        Duration::from_secs(120),
    );
    let later =
        Dispatcher::new(desk, DispatcherConfig { wait: Duration::from_millis(20), ..DispatcherConfig::new("later") });
    assert_eq!(later.expire_offers().await.unwrap(), 1);
    assert_eq!(later.dispatch_batch().await.unwrap(), 1);
    let order = store.find_order(id).await.unwrap().unwrap();
    assert_eq!((order.state, order.round), (OrderState::Offered, 2));
    let open: Vec<_> =
        store.offers_of_order(id).await.unwrap().into_iter().filter(|o| o.status.as_str() == "open").collect();
    assert!(!open.is_empty() && open.iter().all(|o| !first.contains(&o.provider)), "never the same provider twice");
}

#[tokio::test]
async fn a_queue_that_lost_its_state_is_rebuilt_from_the_store() {
    let (dispatcher, store, queue, resident) = setup(FixedClock(Utc::now())).await;
    let waiting = saved_order(&store, resident, 15).await;
    assert!(dispatcher.rebuild_if_lost().await.unwrap(), "a fresh in-process queue starts empty");
    assert_eq!(dispatcher.dispatch_batch().await.unwrap(), 1, "the waiting order was queued again");
    assert_eq!(store.find_order(waiting).await.unwrap().unwrap().state, OrderState::Offered);
    assert!(!dispatcher.rebuild_if_lost().await.unwrap(), "nothing lost since");
    let offered: Vec<_> = store.offers_of_order(waiting).await.unwrap().into_iter().map(|o| o.provider).collect();
    assert_eq!(queue.claim(waiting, offered[0]).await.unwrap(), linli_domain::dispatch::ClaimOutcome::Won);
}

#[tokio::test]
async fn a_batch_offers_as_fairly_as_the_same_orders_dispatched_one_at_a_time() {
    // Later than the providers below join, so that they count as present.
    let now = Utc::now() + chrono::Duration::hours(2);
    // Per run, per order, the neighbours (by number) it was offered to.
    let mut offered: Vec<Vec<Vec<usize>>> = Vec::new();
    for per_read in [64, 1] {
        let (dispatcher, store, queue, resident) = setup(FixedClock(now)).await;
        let dispatcher =
            Dispatcher::new(dispatcher.into_desk(), DispatcherConfig { batch: per_read, ..dispatcher_config() });
        // Five equals on the order's doorstep: only fairness tells them apart.
        let mut neighbours = Vec::new();
        for n in 0..5 {
            neighbours.push(store.create_provider(neighbour(n), linli_infra::testing::set_up_by_hand()).await.unwrap());
        }
        let mut ids = Vec::new();
        for _ in 0..6 {
            let id = saved_order(&store, resident, 15).await;
            queue.enqueue(id).await.unwrap();
            ids.push(id);
        }
        let mut handled = 0;
        while handled < ids.len() {
            handled += dispatcher.dispatch_batch().await.unwrap();
        }
        let mut run = Vec::new();
        for id in &ids {
            let offers = store.offers_of_order(*id).await.unwrap();
            let mut to: Vec<usize> =
                offers.iter().filter_map(|o| neighbours.iter().position(|n| *n == o.provider)).collect();
            to.sort();
            run.push(to);
        }
        offered.push(run);
    }
    assert_eq!(offered[0], offered[1]);
    let distinct: std::collections::HashSet<_> = offered[0].iter().flatten().collect();
    assert_eq!(distinct.len(), 5, "six broadcasts to three spread over all five equals: {offered:?}");
}

fn neighbour(n: usize) -> NewProvider {
    NewProvider {
        kind: linli_domain::providers::ProviderKind::Organization,
        name: format!("邻里服务站{n}"),
        credit_code: None,
        community: CommunityId(1),
        location: GeoPoint::parse(41.78, 123.40).unwrap(),
        capacity: 5,
        items: vec![ItemId(15)],
        coverage: vec![CommunityId(1)],
        streets: vec![],
        radius_m: None,
        hours: linli_domain::dispatch::WorkingHours::always(),
        target_share: 1.0,
    }
}

#[tokio::test]
async fn lapsed_offers_the_queue_lost_track_of_are_expired_by_the_store_sweep() {
    let start = Utc::now();
    let (dispatcher, store, queue, resident) = setup(FixedClock(start)).await;
    let id = saved_order(&store, resident, 15).await;
    queue.enqueue(id).await.unwrap();
    dispatcher.dispatch_batch().await.unwrap();
    // The queue forgets the order's deadline, as a Redis that lost its data would.
    queue.clear_offers(id).await.unwrap();

    let desk = OrderDesk::new(
        store.clone(),
        queue.clone(),
        FixedClock(start + chrono::Duration::minutes(3)),
        Duration::from_secs(120),
    );
    let later = Dispatcher::new(desk, dispatcher_config());
    assert_eq!(later.expire_offers().await.unwrap(), 0, "the queue reports nothing due");
    assert_eq!(later.expire_overlooked_offers().await.unwrap(), 1);
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Submitted);
    assert_eq!(later.dispatch_batch().await.unwrap(), 1, "queued again for the next providers");
}

#[tokio::test]
async fn an_offered_order_past_its_own_deadline_is_escalated_and_its_offers_withdrawn() {
    let start = Utc::now();
    let (dispatcher, store, queue, resident) = setup(FixedClock(start)).await;
    let order = NewOrder { accept_by: Some(start + chrono::Duration::minutes(30)), ..new_order(resident, 15) };
    let id = store.insert_order(order, start).await.unwrap().order().id;
    queue.enqueue(id).await.unwrap();
    dispatcher.dispatch_batch().await.unwrap();
    assert_eq!(dispatcher.escalate_stale_orders().await.unwrap(), 0, "still within its deadline");

    let desk = OrderDesk::new(
        store.clone(),
        queue.clone(),
        FixedClock(start + chrono::Duration::minutes(31)),
        Duration::from_secs(120),
    );
    let later = Dispatcher::new(desk, dispatcher_config());
    assert_eq!(later.escalate_stale_orders().await.unwrap(), 1);
    assert_eq!(later.escalate_stale_orders().await.unwrap(), 0, "once");
    assert_eq!(store.find_order(id).await.unwrap().unwrap().state, OrderState::Escalated);
    let offers = store.offers_of_order(id).await.unwrap();
    assert!(!offers.is_empty() && offers.iter().all(|o| o.status.as_str() == "withdrawn"), "{offers:?}");
}

/// The order store as a dispatcher with a stale read sees it: each order reads as it was the first time this
/// wrapper read it, while every write goes to the real store. Counts the transitions the store refused, so a
/// test can tell the store's conditional update from the use case's own check.
#[derive(Clone)]
struct StaleReads {
    store: Store,
    first_seen: Arc<Mutex<HashMap<OrderId, Order>>>,
    refused: Arc<Mutex<usize>>,
}

impl StaleReads {
    fn over(store: Store) -> Self {
        Self { store, first_seen: Arc::default(), refused: Arc::default() }
    }

    fn refused(&self) -> usize {
        *self.refused.lock().unwrap()
    }
}

impl Orders for StaleReads {
    async fn insert_order(&self, order: NewOrder, at: DateTime<Utc>) -> Result<Placed, InsertOrderError> {
        self.store.insert_order(order, at).await
    }
    async fn find_order(&self, id: OrderId) -> Result<Option<Order>, Unexpected> {
        Ok(self.find_orders(&[id]).await?.pop())
    }
    async fn find_orders(&self, ids: &[OrderId]) -> Result<Vec<Order>, Unexpected> {
        let fresh = self.store.find_orders(ids).await?;
        let mut first_seen = self.first_seen.lock().unwrap();
        Ok(fresh.into_iter().map(|o| first_seen.entry(o.id).or_insert(o).clone()).collect())
    }
    async fn order_events(&self, id: OrderId) -> Result<Vec<OrderEvent>, Unexpected> {
        self.store.order_events(id).await
    }
    async fn transition(&self, change: Transition) -> Result<Option<Order>, Unexpected> {
        let moved = self.store.transition(change).await?;
        *self.refused.lock().unwrap() += usize::from(moved.is_none());
        Ok(moved)
    }
    async fn transition_batch(&self, changes: Vec<Transition>) -> Result<Vec<bool>, Unexpected> {
        let applied = self.store.transition_batch(changes).await?;
        *self.refused.lock().unwrap() += applied.iter().filter(|a| !**a).count();
        Ok(applied)
    }
    async fn reschedule(&self, change: Reschedule) -> Result<RescheduleOutcome, Unexpected> {
        self.store.reschedule(change).await
    }
    async fn set_assignee(
        &self,
        id: OrderId,
        holder: ProviderId,
        states: &[OrderState],
        staff: AccountId,
        at: DateTime<Utc>,
    ) -> Result<Option<Order>, Unexpected> {
        self.store.set_assignee(id, holder, states, staff, at).await
    }
}

impl OrderLists for StaleReads {
    async fn area_orders(
        &self,
        reach: &Reach,
        filter: &AreaFilter,
        before: Option<OrderId>,
        n: u64,
    ) -> Result<Vec<ListedOrder>, Unexpected> {
        self.store.area_orders(reach, filter, before, n).await
    }
    async fn orders_of_resident(
        &self,
        r: AccountId,
        before: Option<OrderId>,
        n: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.store.orders_of_resident(r, before, n).await
    }
    async fn escalated_orders(
        &self,
        c: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        n: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.store.escalated_orders(c, before, n).await
    }
    async fn orders_of_provider(
        &self,
        p: ProviderId,
        before: Option<OrderId>,
        n: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.store.orders_of_provider(p, before, n).await
    }
    async fn resident_contact(
        &self,
        r: AccountId,
    ) -> Result<Option<linli_domain::orders::ResidentContact>, Unexpected> {
        self.store.resident_contact(r).await
    }
    async fn provider_contact(
        &self,
        p: ProviderId,
        staff: Option<AccountId>,
    ) -> Result<Option<linli_domain::orders::ProviderContact>, Unexpected> {
        self.store.provider_contact(p, staff).await
    }
    async fn provider_staff(&self, p: ProviderId) -> Result<Vec<(AccountId, String)>, Unexpected> {
        self.store.provider_staff(p).await
    }
    async fn is_staff_of(&self, a: AccountId, p: ProviderId) -> Result<bool, Unexpected> {
        self.store.is_staff_of(a, p).await
    }
}

impl Offers for StaleReads {
    async fn offers_of_order(&self, id: OrderId) -> Result<Vec<Offer>, Unexpected> {
        self.store.offers_of_order(id).await
    }
    async fn offers_of_orders(&self, ids: &[OrderId]) -> Result<Vec<Offer>, Unexpected> {
        self.store.offers_of_orders(ids).await
    }
    async fn open_offers_of_provider(&self, p: ProviderId, n: u64) -> Result<Vec<(Offer, Order)>, Unexpected> {
        self.store.open_offers_of_provider(p, n).await
    }
    async fn decline_offer(
        &self,
        order: OrderId,
        p: ProviderId,
        actor: AccountId,
        reason: Option<linli_domain::orders::JobReason>,
        at: DateTime<Utc>,
    ) -> Result<DeclineOutcome, Unexpected> {
        self.store.decline_offer(order, p, actor, reason, at).await
    }
    async fn expire_offers_of(&self, orders: &[OrderId], now: DateTime<Utc>) -> Result<Vec<OrderId>, Unexpected> {
        self.store.expire_offers_of(orders, now).await
    }
    async fn expire_offers(&self, now: DateTime<Utc>, n: u64) -> Result<Vec<OrderId>, Unexpected> {
        self.store.expire_offers(now, n).await
    }
    async fn provider_full(&self, p: ProviderId, order: OrderId, at: DateTime<Utc>) -> Result<bool, Unexpected> {
        self.store.provider_full(p, order, at).await
    }
    async fn open_offers(&self, n: u64) -> Result<Vec<Offer>, Unexpected> {
        self.store.open_offers(n).await
    }
}

impl Backlog for StaleReads {
    async fn overdue_orders(&self, now: DateTime<Utc>, n: u64) -> Result<Vec<Order>, Unexpected> {
        self.store.overdue_orders(now, n).await
    }
    async fn waiting_orders(&self, n: u64) -> Result<Vec<OrderId>, Unexpected> {
        self.store.waiting_orders(n).await
    }
    async fn take_stranded_orders(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
        n: u64,
    ) -> Result<Vec<OrderId>, Unexpected> {
        self.store.take_stranded_orders(cutoff, now, n).await
    }
}

impl Candidates for StaleReads {
    async fn candidates(&self, item: ItemId, now: DateTime<Utc>) -> Result<Vec<Candidate>, Unexpected> {
        self.store.candidates(item, now).await
    }
    async fn catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        self.store.catalog_item(id).await
    }
    async fn recent_catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        self.store.recent_catalog_item(id).await
    }
    async fn area_of(&self, c: CommunityId) -> Result<Option<Area>, Unexpected> {
        self.store.area_of(c).await
    }
    async fn pending_windows(
        &self,
        item: ItemId,
        c: CommunityId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<TimeWindow>, Unexpected> {
        self.store.pending_windows(item, c, from, until).await
    }
}

impl Visits for StaleReads {
    async fn visit(&self, order: OrderId) -> Result<Option<Visit>, Unexpected> {
        self.store.visit(order).await
    }
    async fn answer_visit(&self, o: OrderId, a: &Answer, by: AccountId, at: DateTime<Utc>) -> Result<bool, Unexpected> {
        self.store.answer_visit(o, a, by, at).await
    }
    async fn resolve_dispute(&self, o: OrderId, r: &Resolution) -> Result<bool, Unexpected> {
        self.store.resolve_dispute(o, r).await
    }
    async fn open_disputes(
        &self,
        c: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        n: u64,
    ) -> Result<Vec<(Order, Visit)>, Unexpected> {
        self.store.open_disputes(c, before, n).await
    }
    async fn rating(&self, order: OrderId) -> Result<Option<Rating>, Unexpected> {
        self.store.rating(order).await
    }
    async fn rate(&self, r: NewRating, editable_after: DateTime<Utc>) -> Result<Option<Rating>, Unexpected> {
        self.store.rate(r, editable_after).await
    }
    async fn confirm_due_visits(&self, now: DateTime<Utc>, n: u64) -> Result<usize, Unexpected> {
        self.store.confirm_due_visits(now, n).await
    }
}

impl Aftercare for StaleReads {
    async fn follow_up(&self, o: OrderId) -> Result<Option<FollowUp>, Unexpected> {
        self.store.follow_up(o).await
    }
    async fn record_follow_up(&self, f: &FollowUp) -> Result<bool, Unexpected> {
        self.store.record_follow_up(f).await
    }
    async fn awaiting_follow_up(
        &self,
        c: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        n: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        self.store.awaiting_follow_up(c, before, n).await
    }
    async fn open_complaint(&self, c: &Complaint) -> Result<bool, Unexpected> {
        self.store.open_complaint(c).await
    }
    async fn complaint(&self, id: ComplaintId) -> Result<Option<Complaint>, Unexpected> {
        self.store.complaint(id).await
    }
    async fn complaint_of_order(&self, o: OrderId) -> Result<Option<Complaint>, Unexpected> {
        self.store.complaint_of_order(o).await
    }
    async fn complaints(
        &self,
        scope: ComplaintScope,
        states: &[ComplaintState],
        before: Option<ComplaintId>,
        n: u64,
    ) -> Result<Vec<Complaint>, Unexpected> {
        self.store.complaints(scope, states, before, n).await
    }
    async fn answer_complaint(
        &self,
        id: ComplaintId,
        a: &str,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        self.store.answer_complaint(id, a, by, at).await
    }
    async fn escalate_overdue_complaints(&self, now: DateTime<Utc>, n: u64) -> Result<usize, Unexpected> {
        self.store.escalate_overdue_complaints(now, n).await
    }
}

impl CarePlans for StaleReads {
    async fn insert_plan(&self, p: &CarePlan) -> Result<(), Unexpected> {
        self.store.insert_plan(p).await
    }
    async fn plan(&self, id: CarePlanId) -> Result<Option<CarePlan>, Unexpected> {
        self.store.plan(id).await
    }
    async fn plans(
        &self,
        r: Option<AccountId>,
        reach: &Reach,
        before: Option<CarePlanId>,
        n: u64,
    ) -> Result<Vec<CarePlan>, Unexpected> {
        self.store.plans(r, reach, before, n).await
    }
    async fn change_plan(&self, w: &PlanWrite) -> Result<bool, Unexpected> {
        self.store.change_plan(w).await
    }
    async fn plans_to_extend(&self, today: NaiveDate, through: NaiveDate, n: u64) -> Result<Vec<CarePlan>, Unexpected> {
        self.store.plans_to_extend(today, through, n).await
    }
    async fn placed_through(&self, id: CarePlanId, through: NaiveDate) -> Result<(), Unexpected> {
        self.store.placed_through(id, through).await
    }
    async fn plan_orders(
        &self,
        id: CarePlanId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Order>, Unexpected> {
        self.store.plan_orders(id, from, until).await
    }
    async fn last_provider(&self, id: CarePlanId) -> Result<Option<ProviderId>, Unexpected> {
        self.store.last_provider(id).await
    }
    async fn is_resident(&self, a: AccountId) -> Result<bool, Unexpected> {
        self.store.is_resident(a).await
    }
}

#[tokio::test]
async fn a_copy_delivered_to_a_dispatcher_with_a_stale_read_is_refused_by_the_stores_conditional_update() {
    let (first, store, queue, resident) = setup(FixedClock(Utc::now())).await;
    let id = saved_order(&store, resident, 15).await;
    // The second dispatcher read the order while it was still submitted, before the first offered it.
    let stale = StaleReads::over(store.clone());
    assert_eq!(stale.find_order(id).await.unwrap().unwrap().state, OrderState::Submitted);
    let desk = OrderDesk::new(stale.clone(), queue.clone(), FixedClock(Utc::now()), Duration::from_secs(120));
    let config = DispatcherConfig { batch: 1, ..dispatcher_config() };
    let (first, second) = (Dispatcher::new(first.into_desk(), config.clone()), Dispatcher::new(desk, config));

    queue.enqueue(id).await.unwrap();
    queue.enqueue(id).await.unwrap();
    assert_eq!(first.dispatch_batch().await.unwrap(), 1, "the first copy, alone");
    assert_eq!(second.dispatch_batch().await.unwrap(), 1, "the second copy, alone, on the stale read");

    assert_eq!(stale.refused(), 1, "the store, not the use case, refused the second offer");
    assert_eq!(store.order_events(id).await.unwrap().len(), 2, "placed, then offered once");
    assert_eq!(store.offers_of_order(id).await.unwrap().len(), 3, "one round of offers");
}
