//! The dispatch queue contract: the in-process queue and Redis behave the same. Every case runs against both;
//! the Redis cases use a fresh key prefix on the local Redis (`LINLI_TEST_REDIS`, default redis://127.0.0.1:6379).

use std::time::Duration;

use chrono::Utc;
use linli_domain::dispatch::{ClaimOutcome, DispatchQueue};
use linli_domain::orders::OrderId;
use linli_domain::providers::ProviderId;
use linli_infra::queue::{RedisQueue, RedisQueueConfig};
use linli_infra::testing::{fresh_redis_prefix, redis_url};
use uuid::Uuid;

async fn redis_queue() -> (RedisQueue, String) {
    let prefix = fresh_redis_prefix();
    let q = RedisQueue::connect(RedisQueueConfig { url: redis_url(), prefix: prefix.clone() })
        .await
        .expect("Redis must be reachable at LINLI_TEST_REDIS for the contract tests");
    (q, prefix)
}

fn order() -> OrderId {
    OrderId(Uuid::now_v7())
}

fn provider() -> ProviderId {
    ProviderId(Uuid::now_v7())
}

const SHORT: Duration = Duration::from_millis(50);
const LONG: Duration = Duration::from_secs(60);

/// Runs one contract case against both queues.
macro_rules! contract {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn in_process() {
                super::$name(linli_infra::queue::MemoryQueue::new()).await;
            }

            #[tokio::test]
            async fn on_redis() {
                super::$name(super::redis_queue().await.0).await;
            }
        }
    };
}

async fn an_enqueued_order_is_delivered_once_and_gone_after_ack(q: impl DispatchQueue) {
    let o = order();
    q.enqueue(o).await.unwrap();
    let got = q.receive("a", 10, SHORT, LONG).await.unwrap();
    assert_eq!(got.iter().map(|d| d.order).collect::<Vec<_>>(), vec![o]);
    q.ack(&got[0]).await.unwrap();
    assert!(q.receive("a", 10, SHORT, Duration::ZERO).await.unwrap().is_empty());
}
contract!(an_enqueued_order_is_delivered_once_and_gone_after_ack);

async fn orders_come_out_in_the_order_they_went_in(q: impl DispatchQueue) {
    let orders: Vec<OrderId> = (0..5).map(|_| order()).collect();
    for o in &orders {
        q.enqueue(*o).await.unwrap();
    }
    let got = q.receive("a", 10, SHORT, LONG).await.unwrap();
    assert_eq!(got.iter().map(|d| d.order).collect::<Vec<_>>(), orders);
}
contract!(orders_come_out_in_the_order_they_went_in);

async fn a_batch_never_exceeds_the_requested_size(q: impl DispatchQueue) {
    for _ in 0..7 {
        q.enqueue(order()).await.unwrap();
    }
    assert_eq!(q.receive("a", 3, SHORT, LONG).await.unwrap().len(), 3);
    assert_eq!(q.receive("a", 10, SHORT, LONG).await.unwrap().len(), 4);
}
contract!(a_batch_never_exceeds_the_requested_size);

async fn an_unacknowledged_delivery_is_taken_over_by_another_consumer(q: impl DispatchQueue) {
    let o = order();
    q.enqueue(o).await.unwrap();
    let first = q.receive("crashed", 10, SHORT, LONG).await.unwrap();
    assert_eq!(first.len(), 1);
    // Not yet idle long enough: nobody else gets it.
    assert!(q.receive("survivor", 10, SHORT, LONG).await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(120)).await;
    let taken = q.receive("survivor", 10, SHORT, Duration::from_millis(100)).await.unwrap();
    assert_eq!(taken.iter().map(|d| d.order).collect::<Vec<_>>(), vec![o]);
    q.ack(&taken[0]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(q.receive("survivor", 10, SHORT, Duration::from_millis(100)).await.unwrap().is_empty());
}
contract!(an_unacknowledged_delivery_is_taken_over_by_another_consumer);

async fn a_consumers_released_deliveries_go_to_the_next_consumer_at_once(q: impl DispatchQueue) {
    let (first, second, third) = (order(), order(), order());
    for o in [first, second] {
        q.enqueue(o).await.unwrap();
    }
    let held = q.receive("stopping", 10, SHORT, LONG).await.unwrap();
    assert_eq!(held.len(), 2);
    q.enqueue(third).await.unwrap();
    assert_eq!(q.release_pending("stopping").await.unwrap(), 2);
    // Long before the reclaim time, as new entries behind the order that came meanwhile.
    let got = q.receive("other", 10, SHORT, LONG).await.unwrap();
    assert_eq!(got.iter().map(|d| d.order).collect::<Vec<_>>(), vec![third, first, second]);
    assert_eq!(q.release_pending("stopping").await.unwrap(), 0, "nothing is released twice");
}
contract!(a_consumers_released_deliveries_go_to_the_next_consumer_at_once);

async fn a_receive_on_an_empty_queue_waits_then_returns_nothing(q: impl DispatchQueue) {
    let started = std::time::Instant::now();
    assert!(q.receive("a", 10, Duration::from_millis(200), LONG).await.unwrap().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(150));
}
contract!(a_receive_on_an_empty_queue_waits_then_returns_nothing);

async fn a_waiting_receive_wakes_when_an_order_arrives(q: impl DispatchQueue) {
    let o = order();
    let waiter = {
        let q = q.clone();
        tokio::spawn(async move { q.receive("a", 10, Duration::from_secs(5), LONG).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    q.enqueue(o).await.unwrap();
    let got =
        tokio::time::timeout(Duration::from_secs(3), waiter).await.expect("woke before its wait ran out").unwrap();
    assert_eq!(got.iter().map(|d| d.order).collect::<Vec<_>>(), vec![o]);
}
contract!(a_waiting_receive_wakes_when_an_order_arrives);

async fn the_first_claim_wins_and_later_claims_by_others_are_taken(q: impl DispatchQueue) {
    let (o, a, b) = (order(), provider(), provider());
    q.publish_offers(o, &[a, b], Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(q.claim(o, a).await.unwrap(), ClaimOutcome::Won);
    assert_eq!(q.claim(o, b).await.unwrap(), ClaimOutcome::Taken);
    assert_eq!(q.claim(o, a).await.unwrap(), ClaimOutcome::Won, "claiming again is harmless");
}
contract!(the_first_claim_wins_and_later_claims_by_others_are_taken);

async fn a_claim_without_an_offer_is_left_to_the_store(q: impl DispatchQueue) {
    let (o, a, stranger) = (order(), provider(), provider());
    assert_eq!(q.claim(o, a).await.unwrap(), ClaimOutcome::Unknown);
    q.publish_offers(o, &[a], Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(q.claim(o, stranger).await.unwrap(), ClaimOutcome::Unknown);
}
contract!(a_claim_without_an_offer_is_left_to_the_store);

async fn many_concurrent_claims_have_exactly_one_winner(q: impl DispatchQueue) {
    let o = order();
    let providers: Vec<ProviderId> = (0..50).map(|_| provider()).collect();
    q.publish_offers(o, &providers, Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    let claims = providers.iter().map(|p| {
        let (q, p) = (q.clone(), *p);
        tokio::spawn(async move { q.claim(o, p).await.unwrap() })
    });
    let claims: Vec<_> = claims.collect();
    let mut won = 0;
    for c in claims {
        if c.await.unwrap() == ClaimOutcome::Won {
            won += 1;
        }
    }
    assert_eq!(won, 1);
}
contract!(many_concurrent_claims_have_exactly_one_winner);

async fn a_released_claim_lets_the_next_provider_in_but_only_its_holder_can_release_it(q: impl DispatchQueue) {
    let (o, a, b) = (order(), provider(), provider());
    q.publish_offers(o, &[a, b], Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(q.claim(o, a).await.unwrap(), ClaimOutcome::Won);
    q.release_claim(o, b).await.unwrap();
    assert_eq!(q.claim(o, b).await.unwrap(), ClaimOutcome::Taken, "b cannot release a's claim");
    q.release_claim(o, a).await.unwrap();
    assert_eq!(q.claim(o, b).await.unwrap(), ClaimOutcome::Won);
}
contract!(a_released_claim_lets_the_next_provider_in_but_only_its_holder_can_release_it);

async fn a_withdrawn_offer_leaves_the_others_claimable(q: impl DispatchQueue) {
    let (o, a, b) = (order(), provider(), provider());
    q.publish_offers(o, &[a, b], Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    q.withdraw_offer(o, a).await.unwrap();
    assert_eq!(q.claim(o, a).await.unwrap(), ClaimOutcome::Unknown);
    assert_eq!(q.claim(o, b).await.unwrap(), ClaimOutcome::Won);
}
contract!(a_withdrawn_offer_leaves_the_others_claimable);

async fn clearing_an_order_forgets_its_offers_and_its_claim(q: impl DispatchQueue) {
    let (o, a, b) = (order(), provider(), provider());
    q.publish_offers(o, &[a, b], Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(q.claim(o, a).await.unwrap(), ClaimOutcome::Won);
    q.clear_offers(o).await.unwrap();
    assert_eq!(q.claim(o, b).await.unwrap(), ClaimOutcome::Unknown);
    q.publish_offers(o, &[b], Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(q.claim(o, b).await.unwrap(), ClaimOutcome::Won, "no claim left over from before");
}
contract!(clearing_an_order_forgets_its_offers_and_its_claim);

async fn orders_come_due_at_their_offers_deadline_earliest_first_and_leave_when_cleared(q: impl DispatchQueue) {
    let now = Utc::now();
    let (late, early, later) = (order(), order(), order());
    q.publish_offers(late, &[provider()], now - chrono::Duration::seconds(5)).await.unwrap();
    q.publish_offers(early, &[provider()], now - chrono::Duration::seconds(30)).await.unwrap();
    q.publish_offers(later, &[provider()], now + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(q.due_offers(now, 10).await.unwrap(), vec![early, late]);
    assert_eq!(q.due_offers(now, 1).await.unwrap(), vec![early]);
    q.clear_offers(early).await.unwrap();
    assert_eq!(q.due_offers(now, 10).await.unwrap(), vec![late]);
    let much_later = now + chrono::Duration::minutes(3);
    assert_eq!(q.due_offers(much_later, 10).await.unwrap(), vec![late, later]);
}
contract!(orders_come_due_at_their_offers_deadline_earliest_first_and_leave_when_cleared);

async fn forgetting_a_passed_deadline_leaves_a_newer_rounds_deadline_and_offers(q: impl DispatchQueue) {
    let now = Utc::now();
    let (o, a) = (order(), provider());
    q.publish_offers(o, &[a], now - chrono::Duration::seconds(5)).await.unwrap();
    // Offered again, with a later deadline, before the old one was dealt with.
    q.publish_offers(o, &[a], now + chrono::Duration::minutes(2)).await.unwrap();
    q.forget_deadline(o, now).await.unwrap();
    assert_eq!(
        q.due_offers(now + chrono::Duration::minutes(3), 10).await.unwrap(),
        vec![o],
        "the newer deadline stays"
    );
    assert_eq!(q.claim(o, a).await.unwrap(), ClaimOutcome::Won, "and so do the offers");
    q.forget_deadline(o, now + chrono::Duration::minutes(3)).await.unwrap();
    assert!(q.due_offers(now + chrono::Duration::minutes(3), 10).await.unwrap().is_empty());
}
contract!(forgetting_a_passed_deadline_leaves_a_newer_rounds_deadline_and_offers);

async fn a_new_queue_reports_its_empty_start_once(q: impl DispatchQueue) {
    assert!(q.lost_state().await.unwrap(), "a fresh queue has nothing the store must not restore");
    assert!(!q.lost_state().await.unwrap());
    assert!(!q.lost_state().await.unwrap());
}
contract!(a_new_queue_reports_its_empty_start_once);

async fn a_queue_marked_lost_reports_it_once_more(q: impl DispatchQueue) {
    q.lost_state().await.unwrap();
    assert!(!q.lost_state().await.unwrap());
    q.mark_lost().await.unwrap();
    assert!(q.lost_state().await.unwrap());
    assert!(!q.lost_state().await.unwrap(), "once");
}
contract!(a_queue_marked_lost_reports_it_once_more);

async fn a_queue_answers_ping(q: impl DispatchQueue) {
    q.ping().await.unwrap();
}
contract!(a_queue_answers_ping);

#[tokio::test]
async fn redis_losing_the_stream_is_noticed_and_the_group_recreated() {
    let (q, prefix) = redis_queue().await;
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    // Delete every key of this prefix, as a FLUSHALL would (without disturbing tests running beside this one).
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.unwrap();
    assert!(!keys.is_empty(), "the queue created its stream");
    let _: () = redis::cmd("DEL").arg(&keys).query_async(&mut conn).await.unwrap();

    assert!(q.lost_state().await.unwrap(), "the loss is noticed");
    assert!(q.receive("a", 10, SHORT, LONG).await.unwrap().is_empty());
    let o = order();
    q.enqueue(o).await.unwrap();
    let got = q.receive("a", 10, SHORT, LONG).await.unwrap();
    assert_eq!(got.iter().map(|d| d.order).collect::<Vec<_>>(), vec![o]);
}

#[tokio::test]
async fn keys_carry_the_prefix_and_a_hash_tag() {
    let (q, prefix) = redis_queue().await;
    let (o, p) = (order(), provider());
    q.publish_offers(o, &[p], Utc::now() + chrono::Duration::minutes(1)).await.unwrap();
    q.claim(o, p).await.unwrap();
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}:*")).query_async(&mut conn).await.unwrap();
    assert!(keys.len() >= 3, "{keys:?}");
    for k in &keys {
        assert!(k.starts_with(&format!("{prefix}:")) && k.contains('{') && k.contains('}'), "{k}");
    }
}

/// A Redis server of this test's own on a free port, started and stopped by the test; killed when dropped.
struct OwnRedis {
    port: u16,
    server: Option<std::process::Child>,
}

impl OwnRedis {
    /// A free port with nothing listening on it yet.
    fn not_started() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Self { port, server: None }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts `redis-server` (without persistence) and waits until it answers.
    async fn start(&mut self) {
        let server = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed beside the Redis the tests use");
        self.server = Some(server);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "redis-server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

#[tokio::test]
async fn a_queue_made_before_redis_answers_holds_its_orders_and_queues_them_in_order_once_it_does() {
    let mut redis = OwnRedis::not_started();
    let q = RedisQueue::connect(RedisQueueConfig { url: redis.url(), prefix: fresh_redis_prefix() })
        .await
        .expect("a queue is made without Redis");
    assert!(q.ping().await.is_err(), "nothing answers yet");
    let orders: Vec<OrderId> = (0..3).map(|_| order()).collect();
    for o in &orders {
        let failed = q.enqueue(*o).await.expect_err("the caller hears that Redis did not take it");
        assert!(failed.is_unavailable(), "{failed}");
    }
    assert_eq!(q.held(), 3);

    redis.start().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while q.held() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the held orders were never queued");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = q.receive("a", 10, SHORT, LONG).await.unwrap();
    assert_eq!(got.iter().map(|d| d.order).collect::<Vec<_>>(), orders, "all of them, in the order they came");
}
