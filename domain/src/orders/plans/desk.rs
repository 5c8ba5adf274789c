//! The care-plan use cases: a resident (or a community worker on their behalf) sets up a plan, follows it, and
//! changes it with one action each: pause it for a while, skip a date, change the time from a date on, cancel
//! the rest. Each change cancels the visits already placed that it removes, so their reminders and the
//! provider's notices follow as for any cancelled order. The job step [`extend_plans`](OrderDesk::extend_plans)
//! places each plan's visits a rolling horizon ahead, preferring whoever took the plan's latest visit.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    CarePlan, CarePlanId, Continuity, Occurrence, Off, Pause, PlanRules, PlanWrite, TimeChange, days_after, parse_time,
};
use crate::accounts::{AccountId, Actor, Role};
use crate::catalog::questions::RawAnswers;
use crate::catalog::{CatalogItem, ItemId};
use crate::clock::Clock;
use crate::dispatch::{DispatchQueue, Slot};
use crate::error::{Invalid, Unexpected};
use crate::geo::{CommunityId, GeoPoint};
use crate::orders::errors::{ListError, MoveError, PlaceError};
use crate::orders::model::{Order, OrderId, Schedule};
use crate::orders::ports::{InsertOrderError, NewOrder, OrderStore, Placed, TransitionEffect};
use crate::orders::request::{Address, IdempotencyKey, Notes};
use crate::orders::service::accept_by;
use crate::orders::state::{OrderAction, OrderState};
use crate::orders::{OrderDesk, Reach};
use crate::paging::{Page, PageRequest};
use crate::time::{TimeWindow, local_date, local_midnight};
use crate::words::Note;

/// How many days of a plan its page shows ahead.
const SHOWN_DAYS: u64 = 28;

/// How many plans one run of the extending step takes; the next run takes the rest.
const EXTEND_BATCH: u64 = 200;

/// A plan as a request asks for it, parsed.
#[derive(Clone, Debug)]
pub struct NewPlan {
    pub resident: AccountId,
    pub item: ItemId,
    pub community: CommunityId,
    pub address: Address,
    pub location: GeoPoint,
    pub notes: Notes,
    pub rules: PlanRules,
}

/// A date of the first horizon whose time is fully booked, with the open times nearest it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRefusal {
    pub date: NaiveDate,
    pub alternatives: Vec<Slot>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Missing, or not the caller's to see: the two are not told apart.
    #[error("no such care plan")]
    NotFound,
    #[error("you may not {0}")]
    NotYours(&'static str),
    #[error("no catalog item has that id")]
    UnknownItem,
    #[error("that item is retired and takes no new orders")]
    ItemRetired,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error("that account is not a resident's")]
    NotAResident,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// An answer to the item's questions missing or wrong, naming `answers.<code>`.
    #[error(transparent)]
    Answers(Invalid),
    /// Some visits of the first days have no place at their time: skip those dates or choose another time.
    #[error("the time is fully booked on some of the plan's days; skip them or choose another time")]
    SlotsFull(Vec<PlanRefusal>),
    #[error("the plan has ended")]
    Ended,
    #[error("the plan was changed meanwhile; look at it again")]
    Changed,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

impl From<MoveError> for PlanError {
    fn from(e: MoveError) -> Self {
        match e {
            MoveError::Unexpected(u) => PlanError::Unexpected(u),
            // A visit that moved on meanwhile (it started, or was cancelled) is left as it is.
            _ => PlanError::Changed,
        }
    }
}

/// What a date of a plan holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlannedDayState {
    /// Its visit was placed as an order (which may since have been cancelled on its own).
    Placed,
    /// Its visit will be placed when the date comes within the horizon.
    Upcoming,
    Paused,
    Skipped,
}

impl PlannedDayState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlannedDayState::Placed => "placed",
            PlannedDayState::Upcoming => "upcoming",
            PlannedDayState::Paused => "paused",
            PlannedDayState::Skipped => "skipped",
        }
    }
}

/// One date the plan's rule falls on.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedDay {
    pub date: NaiveDate,
    pub window: TimeWindow,
    pub state: PlannedDayState,
    /// The order placed for it, and the state it is in.
    pub order: Option<(OrderId, OrderState)>,
}

/// A plan with its coming dates.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanDetail {
    pub plan: CarePlan,
    pub days: Vec<PlannedDay>,
    /// Whether the plan has no visit left.
    pub ended: bool,
}

/// What one change of a plan does to the visits already placed.
struct Edit {
    /// What the history of each visit it cancels says.
    note: Note,
    /// The request field naming `from`, for a refusal.
    field: &'static str,
    /// The first date whose placed visits the change removes.
    from: NaiveDate,
    /// The last such date; `None` for every date after `from`.
    until: Option<NaiveDate>,
    /// Whether the visits from `from` on are placed again (at a new time).
    replace: bool,
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// Sets up a care plan and places its visits of the coming days. Every visit of those days must have a place
    /// at its time; the dates that do not are refused together, with the open times nearest each.
    pub async fn create_plan(
        &self,
        actor: &Actor,
        new: NewPlan,
        answers: &RawAnswers,
    ) -> Result<PlanDetail, PlanError> {
        match actor.role {
            Role::Resident if new.resident == actor.account => {}
            // 全科受理: for a resident of any community (全市通办).
            Role::CommunityWorker => {
                if !self.store.is_resident(new.resident).await? {
                    return Err(PlanError::NotAResident);
                }
            }
            _ => return Err(PlanError::NotYours("set up a care plan for someone else")),
        }
        let now = self.clock.now();
        check_new_rules(&new.rules, local_date(now))?;
        let item = self.store.catalog_item(new.item).await?.ok_or(PlanError::UnknownItem)?;
        if item.retired_at.is_some() {
            return Err(PlanError::ItemRetired);
        }
        self.store.area_of(new.community).await?.ok_or(PlanError::UnknownCommunity)?;
        let answers = item.questions.check(answers).map_err(PlanError::Answers)?;
        let plan = CarePlan {
            id: CarePlanId(Uuid::now_v7()),
            resident: new.resident,
            filed_by: actor.account,
            item: new.item,
            community: new.community,
            address: new.address.as_ref().to_owned(),
            location: new.location,
            notes: new.notes.as_ref().to_owned(),
            answers,
            rules: new.rules,
            revision: 0,
            placed_through: None,
            created_at: now,
            updated_at: now,
        };
        self.check_places(&plan, &item, now).await?;
        self.store.insert_plan(&plan).await?;
        self.extend_plan(&plan, &item, now).await?;
        self.detail_of(plan.id, now).await
    }

    /// The plans the actor follows, newest first: a resident's own, a worker's community's and those they set
    /// up anywhere, every one for an admin. Each comes without its days (see [`care_plan`](Self::care_plan)).
    pub async fn care_plans(&self, actor: &Actor, page: PageRequest<'_>) -> Result<Page<PlanDetail>, ListError> {
        let (resident, reach) = match actor.role {
            Role::Resident => (Some(actor.account), Reach::City),
            Role::CommunityWorker => (None, Reach::Communities { communities: actor.area(), filer: actor.account }),
            Role::Admin => (None, Reach::City),
            _ => return Err(ListError::Denied("only residents, community workers and admins follow care plans")),
        };
        let (size, before) = (page.size()?, page.cursor()?.map(CarePlanId));
        let today = local_date(self.clock.now());
        let plans = self.store.plans(resident, &reach, before, size + 1).await?;
        let rows =
            plans.into_iter().map(|plan| PlanDetail { ended: ended(&plan.rules, today), plan, days: Vec::new() });
        Ok(Page::of(rows.collect(), size))
    }

    /// A plan with its dates of the next four weeks.
    pub async fn care_plan(&self, actor: &Actor, id: CarePlanId) -> Result<PlanDetail, PlanError> {
        let plan = self.store.plan(id).await?.ok_or(PlanError::NotFound)?;
        if !sees(actor, &plan) {
            return Err(PlanError::NotFound);
        }
        self.detail_of(plan.id, self.clock.now()).await
    }

    /// Pauses the plan from `from` through `until` (a hospital stay): the visits placed for those dates are
    /// cancelled, and none is placed for them.
    pub async fn pause_plan(
        &self,
        actor: &Actor,
        id: CarePlanId,
        from: NaiveDate,
        until: NaiveDate,
    ) -> Result<PlanDetail, PlanError> {
        if until < from {
            return Err(Invalid::new("until", "until_before_from", "the pause ends before it starts").into());
        }
        let edit = Edit { note: Note::PlanPaused, field: "from", from, until: Some(until), replace: false };
        self.change(actor, id, edit, |rules| {
            rules.pauses.push(Pause { from, until });
            Ok(true)
        })
        .await
    }

    /// Skips one date of the plan; its visit, if placed, is cancelled.
    pub async fn skip_plan_date(
        &self,
        actor: &Actor,
        id: CarePlanId,
        date: NaiveDate,
    ) -> Result<PlanDetail, PlanError> {
        let edit = Edit { note: Note::PlanDateSkipped, field: "date", from: date, until: Some(date), replace: false };
        self.change(actor, id, edit, |rules| {
            if rules.rule_dates(date, date).is_empty() {
                return Err(Invalid::new("date", "not_a_plan_day", "the plan has no visit that day").into());
            }
            let new = !rules.skips.contains(&date);
            if new {
                rules.skips.push(date);
            }
            Ok(new)
        })
        .await
    }

    /// Moves the plan's visits to another time (`HH:MM`, read once the actor may change the plan) from `from`
    /// on: those placed already are cancelled and placed again at the new time.
    pub async fn change_plan_time(
        &self,
        actor: &Actor,
        id: CarePlanId,
        from: NaiveDate,
        time: &str,
    ) -> Result<PlanDetail, PlanError> {
        let edit = Edit { note: Note::PlanTimeChanged, field: "from", from, until: None, replace: true };
        self.change(actor, id, edit, |rules| {
            let time = parse_time(time, "time")?;
            // The same time again, with no later change to undo, changes nothing.
            if rules.time_on(from).0 == time && rules.changes.iter().all(|c| c.from <= from) {
                return Ok(false);
            }
            rules.changes.push(TimeChange { from, time });
            Ok(true)
        })
        .await
    }

    /// Ends the plan before `from` (today when `None`): every visit from that date on is cancelled.
    pub async fn cancel_plan(
        &self,
        actor: &Actor,
        id: CarePlanId,
        from: Option<NaiveDate>,
    ) -> Result<PlanDetail, PlanError> {
        let from = from.unwrap_or_else(|| local_date(self.clock.now()));
        let edit = Edit { note: Note::PlanCancelled, field: "from", from, until: None, replace: false };
        self.change(actor, id, edit, |rules| {
            let last = from.pred_opt().unwrap_or(from);
            let end = rules.end.map_or(last, |end| end.min(last));
            let new = rules.end != Some(end);
            rules.end = Some(end);
            Ok(new)
        })
        .await
    }

    /// One step of the job: places the visits every plan has coming within the horizon, a batch of plans after
    /// another. A plan that fails is left for the next run and the others go on; the first failure is returned
    /// once they are done. Returns how many orders it placed.
    pub async fn extend_plans(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let today = local_date(now);
        let through = days_after(today, u64::from(self.plan_horizon_days));
        let (mut placed, mut failed) = (0, None);
        loop {
            let plans = self.store.plans_to_extend(today, through, EXTEND_BATCH).await?;
            let full_batch = plans.len() as u64 == EXTEND_BATCH;
            for plan in plans {
                let extended = match self.store.catalog_item(plan.item).await {
                    Ok(Some(item)) => self.extend_plan(&plan, &item, now).await,
                    // The item left the catalog: nothing more can be placed.
                    Ok(_) => self.store.placed_through(plan.id, through).await.map(|()| 0),
                    Err(e) => Err(e),
                };
                match extended {
                    Ok(n) => placed += n,
                    Err(e) => failed = failed.or(Some(e)),
                }
            }
            // A failed plan is still due: reading again would only find it again.
            if !full_batch || failed.is_some() {
                break;
            }
        }
        failed.map_or(Ok(placed), Err)
    }

    /// Applies one change to the plan's rules, then cancels the placed visits the new rules no longer make (and
    /// places those they move). `apply` says whether the rules changed at all; when not, nothing is written.
    async fn change(
        &self,
        actor: &Actor,
        id: CarePlanId,
        edit: Edit,
        apply: impl FnOnce(&mut PlanRules) -> Result<bool, PlanError>,
    ) -> Result<PlanDetail, PlanError> {
        let plan = self.store.plan(id).await?.ok_or(PlanError::NotFound)?;
        if !sees(actor, &plan) {
            return Err(PlanError::NotFound);
        }
        if !edits(actor, &plan) {
            return Err(PlanError::NotYours("change this care plan"));
        }
        let now = self.clock.now();
        let today = local_date(now);
        if edit.from < today {
            return Err(Invalid::new(edit.field, "in_past", "a plan is changed from today on").into());
        }
        if ended(&plan.rules, today) {
            return Err(PlanError::Ended);
        }
        let mut rules = plan.rules.clone();
        if !apply(&mut rules)? {
            return self.detail_of(id, now).await;
        }
        let item = self.store.catalog_item(plan.item).await?;
        if edit.replace && item.as_ref().is_some_and(|i| i.retired_at.is_some()) {
            // Visits moved to a new time could not be placed again: refused before any is called off.
            return Err(PlanError::ItemRetired);
        }
        if let (true, Some(item)) = (edit.replace, &item) {
            // Every visit the change places again must have a place at its new time, as when the plan was made.
            let moved = CarePlan { rules: rules.clone(), placed_through: edit.from.pred_opt(), ..plan.clone() };
            self.check_places(&moved, item, now).await?;
        }
        let placed_through = match plan.placed_through {
            Some(through) if edit.replace => Some(through.min(edit.from.pred_opt().unwrap_or(edit.from))),
            other => other,
        };
        let write = PlanWrite { plan: id, revision: plan.revision, rules, placed_through, at: now };
        if !self.store.change_plan(&write).await? {
            return Err(PlanError::Changed);
        }
        let until = edit.until.map_or(DateTime::<Utc>::MAX_UTC, |d| local_midnight(days_after(d, 1)));
        let note = edit.note.stored();
        for order in self.store.plan_orders(id, local_midnight(edit.from), until).await? {
            if order.state.apply(OrderAction::Cancel).is_ok() && !fits(&write.rules, &order) {
                self.cancel_visit(actor, &order, &note).await?;
            }
        }
        if let (true, Some(item)) = (edit.replace, &item) {
            let moved = self.store.plan(id).await?.ok_or(PlanError::NotFound)?;
            self.extend_plan(&moved, item, now).await?;
        }
        self.detail_of(id, now).await
    }

    /// Refuses, naming every such date, when a visit the plan would place now has no place at its time.
    async fn check_places(&self, plan: &CarePlan, item: &CatalogItem, now: DateTime<Utc>) -> Result<(), PlanError> {
        let mut full = Vec::new();
        for occurrence in self.due_occurrences(plan, now) {
            let visit = self.visit_order(plan, item, occurrence, None, now);
            match self.hold_for(item, &visit, now).await {
                Err(PlaceError::SlotFull { alternatives }) => {
                    full.push(PlanRefusal { date: occurrence.date, alternatives });
                }
                Err(PlaceError::Unexpected(u)) => return Err(u.into()),
                _ => {}
            }
        }
        if full.is_empty() { Ok(()) } else { Err(PlanError::SlotsFull(full)) }
    }

    async fn cancel_visit(&self, actor: &Actor, order: &Order, note: &str) -> Result<(), PlanError> {
        match self.cancel_as(actor, order, note).await {
            Ok(_) | Err(MoveError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Places the plan's visits from where it stands through the horizon (none on a date that has a visit
    /// already, begun or not), then records how far it got. When the plan changed meanwhile (a pause arrived as
    /// the visits were placed), the visits its rules no longer make are cancelled, so that a change and this
    /// step running at once leave the visits the change says.
    pub(super) async fn extend_plan(
        &self,
        plan: &CarePlan,
        item: &CatalogItem,
        now: DateTime<Utc>,
    ) -> Result<usize, Unexpected> {
        let today = local_date(now);
        let through = days_after(today, u64::from(self.plan_horizon_days));
        if item.retired_at.is_some() {
            // A retired item takes no new orders, a plan's visits included; those placed before stay.
            self.store.placed_through(plan.id, through).await?;
            return Ok(0);
        }
        let window = (local_midnight(today), local_midnight(days_after(through, 1)));
        let live: Vec<NaiveDate> = self
            .store
            .plan_orders(plan.id, window.0, window.1)
            .await?
            .iter()
            .filter(|o| o.state != OrderState::Cancelled)
            .filter_map(order_date)
            .collect();
        let preferred = self.store.last_provider(plan.id).await?;
        let mut placed = 0;
        for occurrence in self.due_occurrences(plan, now).into_iter().filter(|o| !live.contains(&o.date)) {
            let visit = self.visit_order(plan, item, occurrence, preferred, now);
            if self.place_visit(visit, item, now).await? {
                placed += 1;
            }
        }
        self.store.placed_through(plan.id, through).await?;
        match self.store.plan(plan.id).await? {
            Some(now_is) if now_is.revision != plan.revision => {
                for order in self.store.plan_orders(plan.id, window.0, DateTime::<Utc>::MAX_UTC).await? {
                    if order.state.apply(OrderAction::Cancel).is_ok() && !fits(&now_is.rules, &order) {
                        let note = Note::NoLongerInPlan.stored();
                        if self
                            .dispatcher_move(&order, OrderAction::Cancel, note, TransitionEffect::WithdrawOffers, now)
                            .await?
                        {
                            self.forget_offers(order.id).await;
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(placed)
    }

    /// The plan's visits not yet placed whose time is within the horizon and far enough ahead to be served.
    fn due_occurrences(&self, plan: &CarePlan, now: DateTime<Utc>) -> Vec<Occurrence> {
        let today = local_date(now);
        let from = plan.placed_through.map_or(today, |d| days_after(d, 1)).max(today);
        let through = days_after(today, u64::from(self.plan_horizon_days));
        let soonest = now + self.slots.notice;
        plan.rules.occurrences(from, through).into_iter().filter(|o| o.start() >= soonest).collect()
    }

    /// The order one visit of the plan is placed as.
    fn visit_order(
        &self,
        plan: &CarePlan,
        item: &CatalogItem,
        occurrence: Occurrence,
        preferred: Continuity,
        now: DateTime<Utc>,
    ) -> NewOrder {
        let schedule = Schedule::Window(occurrence.window(item.duration_minutes));
        NewOrder {
            resident: plan.resident,
            placed_by: plan.filed_by,
            item: plan.item,
            community: plan.community,
            address: Address::parse(&plan.address).unwrap_or_else(|_| Address::parse("-").expect("one character")),
            location: plan.location,
            notes: Notes::parse(&plan.notes).unwrap_or_default(),
            idempotency_key: IdempotencyKey::parse(&occurrence.key(plan.id)).ok(),
            accept_by: Some(accept_by(&schedule, now)),
            schedule,
            high_risk: false,
            answers: plan.answers.clone(),
            asked: item.questions.clone(),
            slot: None,
            plan: Some(plan.id),
            preferred,
        }
    }

    /// Places one visit; false when it was placed before. A visit whose time has filled since the plan was made
    /// is placed all the same, without a place of its own: no provider is ever given more than it can take (an
    /// award checks), so if nobody can take it, it goes to the community's workers with the open times near it.
    async fn place_visit(
        &self,
        mut visit: NewOrder,
        item: &CatalogItem,
        now: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        visit.slot = match self.hold_for(item, &visit, now).await {
            Ok(slot) => slot,
            Err(PlaceError::SlotFull { .. }) => None,
            Err(PlaceError::Unexpected(u)) => return Err(u),
            Err(other) => return Err(Unexpected::new("placing a care plan's visit", other)),
        };
        let inserted = match self.store.insert_order(visit.clone(), now).await {
            Err(InsertOrderError::SlotFull) => self.store.insert_order(NewOrder { slot: None, ..visit }, now).await,
            other => other,
        };
        match inserted {
            Ok(Placed::New(order)) => {
                // A lost enqueue is found again by the stranded-order sweep.
                let _ = self.queue.enqueue(order.id).await;
                Ok(true)
            }
            Ok(Placed::Existing(_)) | Err(InsertOrderError::KeyReused) => Ok(false),
            Err(InsertOrderError::Unexpected(u)) => Err(u),
            Err(other) => Err(Unexpected::new("placing a care plan's visit", other)),
        }
    }

    async fn detail_of(&self, id: CarePlanId, now: DateTime<Utc>) -> Result<PlanDetail, PlanError> {
        let plan = self.store.plan(id).await?.ok_or(PlanError::NotFound)?;
        let item = self.store.catalog_item(plan.item).await?;
        let minutes = item.map_or(60, |i| i.duration_minutes);
        let today = local_date(now);
        let last = days_after(today, SHOWN_DAYS - 1);
        let orders = self.store.plan_orders(id, local_midnight(today), local_midnight(days_after(last, 1))).await?;
        let days = plan
            .rules
            .rule_dates(today, last)
            .into_iter()
            .map(|date| {
                let (time, version) = plan.rules.time_on(date);
                let window = Occurrence { date, time, version }.window(minutes);
                let on_date: Vec<&Order> = orders.iter().filter(|o| order_date(o) == Some(date)).collect();
                // The live visit of the date if there is one, else the last one cancelled.
                let order = on_date.iter().find(|o| o.state != OrderState::Cancelled).or(on_date.last());
                let state = match plan.rules.off(date) {
                    Some(Off::Paused) => PlannedDayState::Paused,
                    Some(Off::Skipped) => PlannedDayState::Skipped,
                    None if order.is_some() => PlannedDayState::Placed,
                    None => PlannedDayState::Upcoming,
                };
                PlannedDay { date, window, state, order: order.map(|o| (o.id, o.state)) }
            })
            .collect();
        Ok(PlanDetail { ended: ended(&plan.rules, today), plan, days })
    }
}

/// Whether a plan has no visit left from `today` on (cancelled before it began, too).
fn ended(rules: &PlanRules, today: NaiveDate) -> bool {
    rules.ended_by(today) || rules.end.is_some_and(|end| end < rules.start)
}

/// Whether a placed visit is one the plan's rules make: on a day the plan visits, not paused or skipped, at the
/// time in force that day.
fn fits(rules: &PlanRules, order: &Order) -> bool {
    let (Some(date), Schedule::Window(window)) = (order_date(order), order.schedule) else {
        return false;
    };
    if rules.off(date).is_some() || rules.rule_dates(date, date).is_empty() {
        return false;
    }
    let (time, version) = rules.time_on(date);
    Occurrence { date, time, version }.start() == window.start()
}

/// The Shanghai date an order's window starts on.
fn order_date(order: &Order) -> Option<NaiveDate> {
    match order.schedule {
        Schedule::Window(w) => Some(local_date(w.start())),
        Schedule::Asap => None,
    }
}

/// Whether a list over `reach` holds the plan: what the fakes' answers follow.
#[cfg(test)]
pub(super) fn within(plan: &CarePlan, reach: &Reach) -> bool {
    match reach {
        Reach::City => true,
        Reach::Communities { communities, filer } => communities.contains(&plan.community) || plan.filed_by == *filer,
    }
}

/// Whether the actor may see the plan: the resident, the community's workers and the worker who set it up,
/// admins.
fn sees(actor: &Actor, plan: &CarePlan) -> bool {
    match actor.role {
        Role::Resident => actor.account == plan.resident,
        Role::CommunityWorker => actor.looks_after(plan.community) || actor.account == plan.filed_by,
        Role::Admin => true,
        Role::ProviderStaff | Role::PartyMember => false,
    }
}

/// Whether the actor may change the plan: the resident, and the community's workers who file for them.
fn edits(actor: &Actor, plan: &CarePlan) -> bool {
    actor.role != Role::Admin && sees(actor, plan)
}

/// The rules of a new plan: it starts today or later, within the booking horizon; it ends after it starts,
/// within a year; its skipped dates lie within it; and it has at least one visit.
fn check_new_rules(rules: &PlanRules, today: NaiveDate) -> Result<(), Invalid> {
    if rules.start < today {
        return Err(Invalid::new("start_date", "in_past", "a plan starts today or later"));
    }
    if rules.start > days_after(today, TimeWindow::MAX_LEAD_DAYS as u64) {
        let why = format!("a plan starts within {} days", TimeWindow::MAX_LEAD_DAYS);
        return Err(Invalid::new("start_date", "too_far_ahead", why));
    }
    if let Some(end) = rules.end {
        if end < rules.start {
            return Err(Invalid::new("end_date", "end_before_start", "the plan ends before it starts"));
        }
        if end > days_after(rules.start, super::MAX_PLAN_DAYS) {
            return Err(Invalid::new("end_date", "too_long", "a plan runs for a year at most"));
        }
    }
    let last = rules.end.unwrap_or_else(|| days_after(rules.start, super::MAX_PLAN_DAYS));
    if let Some(i) = rules.skips.iter().position(|d| *d < rules.start || *d > last) {
        return Err(Invalid::new(format!("skip_dates[{i}]"), "outside_plan", "a skipped date lies within the plan"));
    }
    if rules.occurrences(rules.start, last).is_empty() {
        return Err(Invalid::new("repeat", "no_visit", "the plan has no visit between its start and end"));
    }
    Ok(())
}
