//! Rate limiting: how many tries a key (a client address, an account, a phone number) gets in a period.
//! In one process, governor's keyed GCRA limiters; across replicas, the same algorithm (GCRA: each key keeps
//! its theoretical arrival time) in one Redis script, so every replica counts against the same budget. Both
//! read time from Linli's clock, so tests move it instead of waiting.
//!
//! While Redis does not answer, each process counts on its own (and says so in the log, once per outage):
//! refusing everyone's login because the limiter is down would be worse, and no limit at all is not needed.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock as GovernorClock, Reference};
use governor::nanos::Nanos;
use governor::{Quota, RateLimiter};
use redis::Script;
use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};

use linli_domain::clock::Clock;

use crate::SystemClock;

/// A budget: `burst` tries at once, given back evenly over `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Budget {
    pub burst: u32,
    pub period: Duration,
}

impl Budget {
    /// The same budget with `scale` times the tries in the same period (at least one try).
    pub fn scaled(self, scale: f64) -> Self {
        let burst = (f64::from(self.burst) * scale).round().clamp(1.0, f64::from(u32::MAX)) as u32;
        Self { burst, period: self.period }
    }

    /// The time between two tries given back.
    fn interval(self) -> Duration {
        (self.period / self.burst.max(1)).max(Duration::from_millis(1))
    }
}

/// A limit's identity: what is limited (`login`) and by what (`client`, `account`).
pub type LimitName = (&'static str, &'static str);

/// Governor's instant on Linli's clock: nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClockInstant(u64);

impl std::ops::Add<Nanos> for ClockInstant {
    type Output = Self;

    fn add(self, other: Nanos) -> Self {
        Self(self.0.saturating_add(other.as_u64()))
    }
}

impl Reference for ClockInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        self.0.saturating_sub(earlier.0).into()
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        Self(self.0.saturating_sub(duration.as_u64()))
    }
}

/// Linli's clock as governor's.
#[derive(Clone)]
pub struct LimiterClock(pub SystemClock);

impl GovernorClock for LimiterClock {
    type Instant = ClockInstant;

    fn now(&self) -> ClockInstant {
        ClockInstant(nanos(&self.0))
    }
}

fn nanos(clock: &SystemClock) -> u64 {
    u64::try_from(clock.now().timestamp_nanos_opt().unwrap_or(0)).unwrap_or(0)
}

type Keyed = RateLimiter<
    String,
    governor::state::keyed::DashMapStateStore<String>,
    LimiterClock,
    governor::middleware::NoOpMiddleware<ClockInstant>,
>;

/// Keys are hashed before they are kept: a phone number must not sit in Redis or in memory as typed.
fn hashed(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Where the counts are kept.
#[derive(Clone)]
pub enum Limiter {
    Memory(Arc<MemoryLimits>),
    Redis(RedisLimits),
}

pub struct MemoryLimits {
    limiters: HashMap<LimitName, Keyed>,
    clock: SystemClock,
    checks: AtomicU64,
}

#[derive(Clone)]
pub struct RedisLimits {
    conn: ConnectionManager,
    prefix: Arc<str>,
    script: Arc<Script>,
    clock: SystemClock,
    budgets: Arc<HashMap<LimitName, Budget>>,
    /// Counts in this process while Redis does not answer.
    fallback: Arc<MemoryLimits>,
    /// When Redis last failed to answer, while it does not: checks count in the process without asking it
    /// again for [`RETRY_REDIS_AFTER`], so that no request waits on a Redis that is down.
    failed_at: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

/// GCRA for several limits in one step, each counted on its own: KEYS[i] holds limit i's theoretical arrival
/// time (ms). ARGV: now, then each limit's interval and burst tolerance (ms). Answers 0 when every limit
/// allows the try, else the longest wait in milliseconds.
const GCRA_SCRIPT: &str = r"
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local tolerance = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local allowed_at = tat - tolerance
  if now < allowed_at then
    if allowed_at - now > wait then wait = allowed_at - now end
  else
    local next_tat = tat + interval
    redis.call('SET', key, next_tat, 'PX', math.max(next_tat - now, 1))
  end
end
return wait
";

impl Limiter {
    /// Limits counted in this process, with these budgets.
    pub fn memory(budgets: &HashMap<LimitName, Budget>, clock: SystemClock) -> Self {
        Self::Memory(Arc::new(MemoryLimits::new(budgets, clock)))
    }

    /// Limits counted in Redis, shared by every replica.
    pub fn redis(
        conn: ConnectionManager,
        prefix: &str,
        budgets: &HashMap<LimitName, Budget>,
        clock: SystemClock,
    ) -> Self {
        Self::Redis(RedisLimits {
            conn,
            prefix: prefix.into(),
            script: Arc::new(Script::new(GCRA_SCRIPT)),
            fallback: Arc::new(MemoryLimits::new(budgets, clock.clone())),
            clock,
            budgets: Arc::new(budgets.clone()),
            failed_at: Arc::default(),
        })
    }

    /// Counts one try of `key` against the limit `name`: `None` when allowed, otherwise how long to wait.
    /// A limit without a budget allows everything.
    pub async fn hit(&self, name: LimitName, key: &str) -> Option<Duration> {
        self.hit_each(&[(name, key)]).await
    }

    /// Counts one try against each limit, each on its own (a refusal by one still costs the others), in one
    /// round trip to Redis: `None` when all allow it, otherwise the longest wait.
    pub async fn hit_each(&self, hits: &[(LimitName, &str)]) -> Option<Duration> {
        match self {
            Limiter::Memory(m) => m.hit_each(hits),
            Limiter::Redis(r) => {
                let counted: Vec<_> = hits.iter().filter_map(|(n, k)| r.budgets.get(n).map(|b| (*n, *k, *b))).collect();
                if counted.is_empty() {
                    return None;
                }
                if r.failed_at().is_some_and(|at| at.elapsed() < RETRY_REDIS_AFTER) {
                    return r.fallback.hit_each(hits);
                }
                let mut invocation = r.script.prepare_invoke();
                invocation.arg(nanos(&r.clock) / 1_000_000);
                for (name, key, budget) in &counted {
                    let interval = budget.interval().as_millis() as u64;
                    // The rule's name is the hash tag: one script's keys share a slot on a Redis Cluster.
                    invocation.key(format!("{}:limit:{{{}}}:{}:{}", r.prefix, name.0, name.1, hashed(key)));
                    invocation.arg(interval).arg(interval * u64::from(budget.burst.saturating_sub(1)));
                }
                let mut conn = r.conn.clone();
                let answer = invocation.invoke_async::<u64>(&mut conn).await;
                let was_failing = r.failed_at().is_some();
                if answer.is_ok() && was_failing {
                    *r.lock_failed_at() = None;
                    tracing::info!("Redis answers again: rate limits are shared by every process");
                }
                match answer {
                    Ok(0) => None,
                    Ok(ms) => Some(Duration::from_millis(ms)),
                    Err(e) => {
                        *r.lock_failed_at() = Some(std::time::Instant::now());
                        if !was_failing {
                            tracing::warn!(error = %e, "Redis does not answer: rate limits are counted in each process until it does");
                        }
                        r.fallback.hit_each(hits)
                    }
                }
            }
        }
    }
}

/// How long checks count in the process, after Redis failed to answer, before Redis is asked again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(1);

impl RedisLimits {
    fn lock_failed_at(&self) -> std::sync::MutexGuard<'_, Option<std::time::Instant>> {
        self.failed_at.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn failed_at(&self) -> Option<std::time::Instant> {
        *self.lock_failed_at()
    }
}

impl MemoryLimits {
    fn new(budgets: &HashMap<LimitName, Budget>, clock: SystemClock) -> Self {
        let limiters = budgets
            .iter()
            .map(|(name, budget)| {
                let burst = NonZeroU32::new(budget.burst.max(1)).expect("at least one");
                let quota = Quota::with_period(budget.interval()).expect("a positive interval").allow_burst(burst);
                (*name, RateLimiter::dashmap_with_clock(quota, LimiterClock(clock.clone())))
            })
            .collect();
        Self { limiters, clock, checks: AtomicU64::new(0) }
    }

    fn hit_each(&self, hits: &[(LimitName, &str)]) -> Option<Duration> {
        let mut wait = None;
        for (name, key) in hits {
            let Some(limiter) = self.limiters.get(name) else { continue };
            // The keyed state grows with every new key; now and then drop keys back at a fresh state.
            if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
            let now = GovernorClock::now(&LimiterClock(self.clock.clone()));
            let refused = limiter.check_key(&hashed(key)).err().map(|not_until| not_until.wait_time_from(now));
            wait = wait.max(refused);
        }
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login_budget() -> HashMap<LimitName, Budget> {
        HashMap::from([(("login", "account"), Budget { burst: 3, period: Duration::from_secs(60) })])
    }

    #[tokio::test]
    async fn a_key_gets_its_burst_then_waits_for_the_next_try_to_come_back() {
        let clock = SystemClock::default();
        let limits = Limiter::memory(&login_budget(), clock.clone());
        let name = ("login", "account");
        for _ in 0..3 {
            assert_eq!(limits.hit(name, "wang").await, None);
        }
        let wait = limits.hit(name, "wang").await.expect("the fourth try is refused");
        assert!(wait > Duration::from_secs(19) && wait <= Duration::from_secs(20), "{wait:?}");
        assert_eq!(limits.hit(name, "li").await, None, "another key has its own budget");
        clock.advance(chrono::TimeDelta::seconds(20));
        assert_eq!(limits.hit(name, "wang").await, None, "one try came back after a third of the period");
        assert!(limits.hit(name, "wang").await.is_some());
    }

    /// A client's budget of 5 and an account's of 2 on one rule, checked together.
    fn placing() -> HashMap<LimitName, Budget> {
        let minute = Duration::from_secs(60);
        HashMap::from([
            (("place_order", "client"), Budget { burst: 5, period: minute }),
            (("place_order", "account"), Budget { burst: 2, period: minute }),
        ])
    }

    async fn each_limit_checked_together_is_counted_on_its_own(limits: Limiter) {
        let both = [(("place_order", "client"), "10.0.0.7"), (("place_order", "account"), "wang")];
        assert_eq!(limits.hit_each(&both).await, None);
        assert_eq!(limits.hit_each(&both).await, None);
        assert!(limits.hit_each(&both).await.is_some(), "the account's two are spent");
        // The refused try still cost the client one of its five: two are left.
        let client = [both[0]];
        assert_eq!(limits.hit_each(&client).await, None);
        assert_eq!(limits.hit_each(&client).await, None);
        assert!(limits.hit_each(&client).await.is_some());
    }

    #[tokio::test]
    async fn each_limit_checked_together_is_counted_on_its_own_in_process() {
        each_limit_checked_together_is_counted_on_its_own(Limiter::memory(&placing(), SystemClock::default())).await;
    }

    #[tokio::test]
    async fn each_limit_checked_together_is_counted_on_its_own_in_redis() {
        // As `testing::redis_url` and `fresh_redis_prefix` do; that module is for the other crates' tests.
        let url = std::env::var("LINLI_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
        let conn = redis::Client::open(url).unwrap().get_connection_manager().await.expect("Redis for the tests");
        let prefix = format!("linli-test-{}", uuid::Uuid::new_v4().simple());
        let limits = Limiter::redis(conn, &prefix, &placing(), SystemClock::default());
        each_limit_checked_together_is_counted_on_its_own(limits).await;
    }

    #[tokio::test]
    async fn while_redis_does_not_answer_each_limit_is_counted_in_the_process() {
        // A port nothing listens on: the connection is refused at every try.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).unwrap();
        let config = redis::aio::ConnectionManagerConfig::new().set_number_of_retries(0);
        let conn = ConnectionManager::new_lazy_with_config(client, config).unwrap();
        let limits = Limiter::redis(conn, "linli-test-unreachable", &placing(), SystemClock::default());
        each_limit_checked_together_is_counted_on_its_own(limits).await;
    }

    #[tokio::test]
    async fn a_limit_without_a_budget_allows_everything() {
        let limits = Limiter::memory(&HashMap::new(), SystemClock::default());
        for _ in 0..100 {
            assert_eq!(limits.hit(("login", "client"), "127.0.0.1").await, None);
        }
    }

    #[test]
    fn a_scaled_budget_keeps_its_period() {
        let b = Budget { burst: 10, period: Duration::from_secs(60) };
        assert_eq!(b.scaled(3.0), Budget { burst: 30, period: Duration::from_secs(60) });
        assert_eq!(b.scaled(0.01).burst, 1);
    }
}
