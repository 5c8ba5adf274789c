//! The clock of Linli: the dispatcher's loop, and every other step on a schedule (tokio-cron-scheduler). The
//! schedule fires in every process; the database decides who does the work, so any number of `linli jobs`
//! processes can run. Each run is logged with its count and duration and recorded for the admin's view, and a
//! step that fails or panics is reported and tried again at its next tick without taking the process down.
//!
//! On shutdown the dispatcher finishes its batch and releases what it holds, the schedule stops ticking, and
//! the steps running at that moment are awaited: a stop cuts no step off half-way.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio_cron_scheduler::{Job, JobScheduler};

use linli_domain::clock::Clock;
use linli_domain::dispatch::DispatchQueue;
use linli_domain::error::Unexpected;
use linli_domain::notifications::{LivePublisher, NotificationStore, SmsGateway, WebhookSender};
use linli_domain::orders::OrderStore;
use linli_domain::volunteering::ports::VolunteerStore;

use crate::{Dispatcher, Notifier, Volunteering};

/// Runs of a job that found nothing to do are recorded at most this often.
const IDLE_RECORD_EVERY: Duration = Duration::from_secs(30);

/// Runs the dispatcher and the scheduled steps until `shutdown` resolves.
pub async fn run<S, Q, C, N, W, M, K, L>(
    dispatcher: Dispatcher<S, Q, C>,
    notifier: Notifier<N, W, M, K, L>,
    volunteering: Volunteering<N, K>,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Unexpected>
where
    S: OrderStore,
    Q: DispatchQueue + Clone + Send + Sync + 'static,
    C: Clock + Clone + Send + Sync + 'static,
    N: NotificationStore + VolunteerStore,
    W: WebhookSender,
    M: SmsGateway,
    K: Clock + Clone + Send + Sync + 'static,
    L: LivePublisher,
{
    let scheduler = JobScheduler::new().await.map_err(|e| Unexpected::new("starting the scheduler", e))?;
    let dispatcher = Arc::new(dispatcher);
    let notifier = Arc::new(notifier);
    let recorder = notifier.store.clone();
    let running = Arc::new(Running::default());
    let mut plan = Plan { scheduler: &scheduler, recorder, running: running.clone() };
    let d = &dispatcher;
    let n = &notifier;
    let v = &Arc::new(volunteering);
    plan.every("rebuild_lost_queue", 1, d, |d| async move { d.rebuild_if_lost().await.map(usize::from) }).await?;
    plan.every("expire_offers", 1, d, |d| async move { d.expire_offers().await }).await?;
    plan.every("requeue_stranded", 15, d, |d| async move { d.requeue_stranded().await }).await?;
    plan.every("expire_overlooked_offers", 15, d, |d| async move { d.expire_overlooked_offers().await }).await?;
    plan.every("escalate_stale_orders", 30, d, |d| async move { d.escalate_stale_orders().await }).await?;
    plan.every("confirm_unanswered_visits", 60, d, |d| async move { d.confirm_unanswered_visits().await }).await?;
    plan.every("escalate_overdue_complaints", 60, d, |d| async move { d.escalate_overdue_complaints().await }).await?;
    // Each plan is placed once a day as its horizon moves; the run every ten minutes only finds the ones due.
    plan.every("extend_care_plans", 600, d, |d| async move { d.extend_care_plans().await }).await?;
    plan.every("deliver_outbox", 1, n, |n| async move { n.deliver_outbox().await }).await?;
    plan.every("send_due_reminders", 5, n, |n| async move { n.send_due_reminders().await }).await?;
    plan.every("deliver_pending", 2, n, |n| async move { n.deliver_pending().await }).await?;
    plan.every("morning_digest", 60, n, |n| async move { n.morning_digest().await }).await?;
    plan.every("dedication_day_notice", 60, v, |v| async move { v.dedication_day_notice().await }).await?;
    plan.every("close_ended_shifts", 30, v, |v| async move { v.close_ended_shifts().await }).await?;
    plan.every("extend_series", 3600, v, |v| async move { v.extend_series().await }).await?;
    scheduler.start().await.map_err(|e| Unexpected::new("starting the scheduler", e))?;
    tracing::info!("scheduled steps started");
    dispatcher.run(shutdown).await;
    let mut scheduler = scheduler;
    scheduler.shutdown().await.map_err(|e| Unexpected::new("stopping the scheduler", e))?;
    running.settled().await;
    tracing::info!("scheduled steps stopped");
    Ok(())
}

/// How many scheduled steps are running, so that a stop can wait for them.
#[derive(Default)]
struct Running {
    count: AtomicUsize,
    changed: tokio::sync::Notify,
    /// Set once the stop waits: the scheduler may still fire a tick, whose step is then skipped.
    closing: AtomicBool,
}

impl Running {
    /// Counts a step in, unless the stop has begun; then it must not run.
    fn start(&self) -> bool {
        self.count.fetch_add(1, Ordering::SeqCst);
        if self.closing.load(Ordering::SeqCst) {
            self.finish();
            return false;
        }
        true
    }

    fn finish(&self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    async fn settled(&self) {
        self.closing.store(true, Ordering::SeqCst);
        loop {
            let changed = self.changed.notified();
            if self.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            changed.await;
        }
    }
}

struct Plan<'a, R> {
    scheduler: &'a JobScheduler,
    recorder: R,
    running: Arc<Running>,
}

impl<R: NotificationStore> Plan<'_, R> {
    /// Runs `step` every `seconds`, skipping a tick while the previous run is still going.
    async fn every<T, F, Fut>(
        &mut self,
        name: &'static str,
        seconds: u64,
        on: &Arc<T>,
        step: F,
    ) -> Result<(), Unexpected>
    where
        T: Send + Sync + 'static,
        F: Fn(Arc<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<usize, Unexpected>> + Send + 'static,
    {
        let (on, recorder, steps) = (on.clone(), self.recorder.clone(), self.running.clone());
        let running = Arc::new(AtomicBool::new(false));
        let last_recorded = Arc::new(std::sync::Mutex::new(None::<Instant>));
        let step = Arc::new(step);
        let job = Job::new_repeated_async(Duration::from_secs(seconds), move |_, _| {
            let (on, recorder, running, last_recorded, step, steps) =
                (on.clone(), recorder.clone(), running.clone(), last_recorded.clone(), step.clone(), steps.clone());
            Box::pin(async move {
                if running.swap(true, Ordering::SeqCst) {
                    return;
                }
                if steps.start() {
                    run_step(name, &recorder, &last_recorded, step(on)).await;
                    steps.finish();
                }
                running.store(false, Ordering::SeqCst);
            })
        })
        .map_err(|e| Unexpected::new("scheduling a job", e))?;
        self.scheduler.add(job).await.map_err(|e| Unexpected::new("scheduling a job", e))?;
        Ok(())
    }
}

/// One run of a step, in its own task so that a panic ends only the run: logged with what it did and how long
/// it took, and recorded (idle runs only now and then).
pub async fn run_step<R: NotificationStore>(
    name: &'static str,
    recorder: &R,
    last_recorded: &std::sync::Mutex<Option<Instant>>,
    step: impl Future<Output = Result<usize, Unexpected>> + Send + 'static,
) {
    let started = Utc::now();
    let timer = Instant::now();
    let (count, error) = match tokio::spawn(step).await {
        Ok(Ok(count)) => (count, None),
        Ok(Err(e)) => (0, Some(e.to_string())),
        Err(panic) => (0, Some(format!("the step panicked: {panic}"))),
    };
    let ms = timer.elapsed().as_millis() as u64;
    match &error {
        Some(e) => tracing::warn!(job = name, ms, error = %e, "scheduled step failed"),
        None if count > 0 => tracing::info!(job = name, count, ms, "scheduled step done"),
        None => tracing::debug!(job = name, ms, "scheduled step found nothing to do"),
    }
    let due = {
        let mut last = last_recorded.lock().unwrap_or_else(|p| p.into_inner());
        let due = count > 0 || error.is_some() || last.is_none_or(|t| t.elapsed() >= IDLE_RECORD_EVERY);
        if due {
            *last = Some(Instant::now());
        }
        due
    };
    if due && let Err(e) = recorder.record_run(name, started, Utc::now(), count, error.as_deref()).await {
        tracing::warn!(job = name, error = %e, "recording a scheduled step failed");
    }
}
