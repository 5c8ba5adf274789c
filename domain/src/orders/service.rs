//! The order use cases people call: place, list, follow, reschedule and cancel; a provider's accept, decline,
//! start and complete; a worker's assign and close. Each checks who is acting, asks the state machine, and
//! hands one transition to the store. The dispatcher's own steps are in `dispatching`.
//!
//! A little over our usual 400 lines on purpose: every move here, the resident's, the provider's and the
//! worker's, goes through the one `move_order` routine that applies a transition and tells who must know,
//! and stays beside it.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::access::{Visibility, visibility};
use super::errors::{
    AcceptError, AssignError, HandOverError, JobError, ListError, MoveError, PlaceError, RescheduleError, ViewError,
};
use super::hand_back::JobReason;

use super::aftercare::{Complaint, FollowUp};
use super::model::{Offer, OfferStatus, Order, OrderEvent, OrderId, ProviderContact, ResidentContact, Schedule};
use super::ports::{
    DeclineOutcome, InsertOrderError, NewOrder, OrderStore, Placed, Reschedule, RescheduleOutcome, Transition,
    TransitionEffect,
};
use super::request::TimeWindow;
use super::state::{OrderAction, OrderState};
use super::visit::{Rating, Visit};
use serde_json::json;

use crate::accounts::{AccountId, Actor, Role};
use crate::audit::AuditEntry;
use crate::catalog::questions::RawAnswers;
use crate::catalog::{CatalogItem, Category};
use crate::clock::Clock;
use crate::dispatch::{ClaimOutcome, DispatchQueue, RankWeights, Slot, SlotRules, TravelModel};
use crate::error::Unexpected;
use crate::geo::CommunityId;
use crate::paging::{Page, PageRequest};
use crate::providers::ProviderId;
use crate::words::{Lang, Note};

/// The order use cases over a store, a queue and a clock.
#[derive(Clone)]
pub struct OrderDesk<S, Q, C> {
    pub store: S,
    pub queue: Q,
    pub clock: C,
    /// How long a provider has to answer an offer, unless the item says otherwise.
    pub offer_ttl: Duration,
    /// How long a resident has to confirm or dispute a completed visit before Linli confirms it.
    pub confirm_within: Duration,
    pub travel: TravelModel,
    pub weights: RankWeights,
    /// How open times are laid out, and the notice they need.
    pub slots: SlotRules,
    /// How many days ahead care plans' visits are placed as orders.
    pub plan_horizon_days: u32,
}

/// An order as one actor may see it.
#[derive(Debug)]
pub struct OrderDetail {
    pub order: Order,
    pub events: Vec<OrderEvent>,
    pub seen: Visibility,
    /// Why the order's provider was chosen, once it has one.
    pub why_provider: Option<String>,
    /// The resident's name and number: for the provider holding the order (once it accepted), the
    /// community's workers and admins.
    pub contact: Option<ResidentContact>,
    /// Who is coming: for the resident, the community's workers and admins, once a provider accepted.
    pub coming: Option<ProviderContact>,
    /// The visit's record, once the job started: for everyone who sees the order in full.
    pub visit: Option<Visit>,
    /// The resident's rating, once given: for the same people.
    pub rating: Option<Rating>,
    /// The worker's follow-up: for the community's workers and admins.
    pub follow_up: Option<FollowUp>,
    /// The complaint against the provider: for them and the provider holding the order.
    pub complaint: Option<Complaint>,
    /// For an escalated booking: the open times nearest it that someone not yet asked could take, for the
    /// resident and the community's workers.
    pub alternatives: Vec<Slot>,
}

/// Three days: long enough for a resident who is away or without their phone for a weekend.
pub const DEFAULT_CONFIRM_WITHIN: Duration = Duration::from_secs(72 * 3600);

/// The states in which a provider has taken the order on: who is coming is known, and may be changed until it
/// is done.
const TAKEN_ON: [OrderState; 2] = [OrderState::Accepted, OrderState::InService];

/// When an order placed (or sent back to dispatch) at `now` must have been taken: within the hour, or before
/// its window opens; after that a worker steps in.
pub(super) fn accept_by(schedule: &Schedule, now: DateTime<Utc>) -> DateTime<Utc> {
    match schedule {
        Schedule::Asap => now + chrono::Duration::hours(1),
        Schedule::Window(w) => w.start().max(now + chrono::Duration::minutes(10)),
    }
}

impl<S, Q, C> OrderDesk<S, Q, C> {
    /// The use cases with the default travel model and ranking weights.
    pub fn new(store: S, queue: Q, clock: C, offer_ttl: Duration) -> Self {
        Self {
            store,
            queue,
            clock,
            offer_ttl,
            confirm_within: DEFAULT_CONFIRM_WITHIN,
            travel: TravelModel::default(),
            weights: RankWeights::default(),
            slots: SlotRules::default(),
            plan_horizon_days: super::plans::DEFAULT_HORIZON_DAYS,
        }
    }
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// Places an order. A lost queue write is not the resident's problem: the order is saved, and the
    /// dispatcher's sweep for stranded orders queues it again, so the outcome reports it instead of failing.
    pub async fn place(
        &self,
        actor: &Actor,
        mut order: NewOrder,
        answers: &RawAnswers,
    ) -> Result<(Placed, Option<Unexpected>), PlaceError> {
        match actor.role {
            _ if order.placed_by != actor.account => return Err(PlaceError::NotAResident),
            Role::Resident if order.resident == actor.account => {}
            // 全科受理: a worker files for a resident of any community (全市通办), and follows the order after.
            Role::CommunityWorker => {
                if !self.store.is_resident(order.resident).await? {
                    return Err(PlaceError::UnknownResident);
                }
            }
            _ => return Err(PlaceError::NotAResident),
        }
        let now = self.clock.now();
        if let Schedule::Window(window) = &order.schedule {
            window.bookable_at(now)?;
        }
        order.accept_by = Some(accept_by(&order.schedule, now));
        // The answers are checked against this process's copy of the item first, which costs no round trip;
        // the insert confirms the copy was current, and only when it was not is the item read afresh.
        let recent = self.store.recent_catalog_item(order.item).await?;
        let placed = match self.try_place(order.clone(), recent, answers, now).await {
            // The copy was out of date (or did not know the item yet, or the item was retired since): once
            // more, with the item as it is now.
            Err(PlaceError::QuestionsChanged | PlaceError::UnknownItem | PlaceError::ItemRetired) => {
                let fresh = self.store.catalog_item(order.item).await?;
                self.try_place(order, fresh, answers, now).await?
            }
            done => done?,
        };
        let queue_failure = match &placed {
            Placed::New(o) => self.queue.enqueue(o.id).await.err(),
            Placed::Existing(_) => None,
        };
        Ok((placed, queue_failure))
    }

    /// Checks the order against `item` (its kind, its questions) and inserts it.
    async fn try_place(
        &self,
        mut order: NewOrder,
        item: Option<CatalogItem>,
        answers: &RawAnswers,
        now: DateTime<Utc>,
    ) -> Result<Placed, PlaceError> {
        let item = item.ok_or(PlaceError::UnknownItem)?;
        if item.retired_at.is_some() {
            return Err(PlaceError::ItemRetired);
        }
        if order.high_risk && item.category != Category::Mediation {
            return Err(PlaceError::HighRiskNotMediation);
        }
        order.answers = item.questions.check(answers).map_err(PlaceError::Answers)?;
        order.slot = self.hold_for(&item, &order, now).await?;
        order.asked = item.questions.clone();
        match self.store.insert_order(order.clone(), now).await {
            Ok(placed) => Ok(placed),
            Err(InsertOrderError::SlotFull) => {
                Err(PlaceError::SlotFull { alternatives: self.alternatives_to(&item, &order, now).await? })
            }
            Err(InsertOrderError::UnknownItem) => Err(PlaceError::UnknownItem),
            Err(InsertOrderError::UnknownCommunity) => Err(PlaceError::UnknownCommunity),
            Err(InsertOrderError::KeyReused) => Err(PlaceError::KeyReused),
            Err(InsertOrderError::QuestionsChanged) => Err(PlaceError::QuestionsChanged),
            Err(InsertOrderError::Unexpected(u)) => Err(PlaceError::Unexpected(u)),
        }
    }

    /// The order and its history, as much of it as the actor may see.
    pub async fn view(&self, actor: &Actor, id: OrderId) -> Result<OrderDetail, ViewError> {
        let order = self.store.find_order(id).await?.ok_or(ViewError::NotFound)?;
        let seen = self.visibility_of(actor, &order).await?;
        if seen == Visibility::None {
            return Err(ViewError::NotFound);
        }
        let events = self.store.order_events(id).await?;
        let why_provider = match order.provider {
            Some(p) => {
                self.store.offers_of_order(id).await?.into_iter().find(|o| o.provider == p).map(|o| o.explanation)
            }
            None => None,
        };
        let holder = actor.role.works_orders() && order.provider.is_some() && actor.provider == order.provider;
        let reaches_out = matches!(actor.role, Role::CommunityWorker | Role::Admin) || holder;
        let contact = if seen == Visibility::Full && reaches_out {
            self.store.resident_contact(order.resident).await?
        } else {
            None
        };
        // Before a provider accepts, neither side sees the other's contact.
        let accepted = TAKEN_ON.contains(&order.state) || order.state == OrderState::Completed;
        let follows = actor.account == order.resident || matches!(actor.role, Role::CommunityWorker | Role::Admin);
        let coming = match order.provider {
            Some(p) if accepted && follows && seen == Visibility::Full => {
                self.store.provider_contact(p, order.assignee).await?
            }
            _ => None,
        };
        let visit = match order.state {
            OrderState::InService | OrderState::Completed if seen == Visibility::Full => self.store.visit(id).await?,
            _ => None,
        };
        let rating = match order.state {
            OrderState::Completed if seen == Visibility::Full => self.store.rating(id).await?,
            _ => None,
        };
        let (follow_up, complaint) =
            if seen == Visibility::Full { self.aftercare_of(actor, &order).await? } else { (None, None) };
        let alternatives =
            if follows && seen == Visibility::Full { self.alternatives_for(&order).await? } else { Vec::new() };
        Ok(OrderDetail {
            order,
            events,
            seen,
            why_provider,
            contact,
            coming,
            visit,
            rating,
            follow_up,
            complaint,
            alternatives,
        })
    }

    /// The actor's orders, newest first, older than `before`: a resident's own, or the jobs given to the
    /// provider a staff member or Party member works for (none while they work for none).
    pub async fn my_orders(&self, actor: &Actor, page: PageRequest<'_>) -> Result<Page<Order>, ListError> {
        if !matches!(actor.role, Role::Resident | Role::ProviderStaff | Role::PartyMember) {
            return Err(ListError::Denied("only residents and those who work orders have orders of their own"));
        }
        let (size, before) = (page.size()?, page.cursor()?.map(OrderId));
        let rows = match (actor.role, actor.provider) {
            (Role::Resident, _) => self.store.orders_of_resident(actor.account, before, size + 1).await?,
            (_, Some(provider)) => self.store.orders_of_provider(provider, before, size + 1).await?,
            (_, None) => Vec::new(),
        };
        Ok(Page::of(rows, size))
    }

    /// The open offers to the provider the actor works for, oldest first.
    pub async fn open_offers(&self, actor: &Actor, page: PageRequest<'_>) -> Result<Vec<(Offer, Order)>, ListError> {
        match (actor.role.works_orders(), actor.provider) {
            (true, Some(p)) => Ok(self.store.open_offers_of_provider(p, page.size()?).await?),
            (true, None) => Ok(Vec::new()),
            (false, _) => Err(ListError::Denied("only provider staff and Party members receive offers")),
        }
    }

    /// The escalations a worker handles (their community's or street's) or an admin oversees (all), newest first.
    pub async fn escalations(&self, actor: &Actor, page: PageRequest<'_>) -> Result<Page<Order>, ListError> {
        let denied = "only community workers and admins handle escalations";
        worker_list(actor, page, denied, |c, before, n| self.store.escalated_orders(c, before, n)).await
    }

    /// A worker who looks after the order's community, or an admin, gives an escalated order to a provider by hand.
    /// The provider must offer the item and be active; the reason is recorded.
    pub async fn assign(
        &self,
        actor: &Actor,
        id: OrderId,
        provider: ProviderId,
        reason: &str,
    ) -> Result<Order, AssignError> {
        let order = self.order_for_worker(actor, id, "assign").await?;
        let now = self.clock.now();
        let fit = self.store.candidates(order.item, now).await?.into_iter().any(|c| c.id == provider && c.active);
        if !fit {
            return Err(AssignError::ProviderCannotTake);
        }
        let note = Note::AssignedByHand { reason: reason.to_owned() }.stored();
        Ok(self
            .move_order(&order, OrderAction::Assign, actor, &note, TransitionEffect::AssignTo(provider), None)
            .await?)
    }

    /// A worker who looks after the order's community, or an admin, closes an escalated order that cannot be
    /// served.
    pub async fn close(&self, actor: &Actor, id: OrderId, reason: &str) -> Result<Order, MoveError> {
        let order = self.order_for_worker(actor, id, "close").await?;
        let note = Note::Closed { reason: reason.to_owned() }.stored();
        self.move_order(&order, OrderAction::Close, actor, &note, TransitionEffect::None, None).await
    }

    pub(super) async fn order_for_worker(
        &self,
        actor: &Actor,
        id: OrderId,
        what: &'static str,
    ) -> Result<Order, MoveError> {
        let order = self.find_for(actor, id).await?;
        let may = match actor.role {
            Role::CommunityWorker => actor.looks_after(order.community),
            Role::Admin => true,
            _ => false,
        };
        if !may {
            return Err(MoveError::NotYours(what));
        }
        Ok(order)
    }

    pub async fn cancel(&self, actor: &Actor, id: OrderId) -> Result<Order, MoveError> {
        let order = self.find_for(actor, id).await?;
        let owns = match actor.role {
            Role::Resident => order.resident == actor.account,
            Role::CommunityWorker => actor.looks_after(order.community) || order.placed_by == actor.account,
            Role::Admin => true,
            Role::ProviderStaff | Role::PartyMember => false,
        };
        if !owns {
            return Err(MoveError::NotYours("cancel"));
        }
        self.cancel_as(actor, &order, &Note::Cancelled.stored()).await
    }

    /// Cancels the order for an actor whose right to was decided by the caller (the one cancelling it, or the
    /// one changing its care plan), with the note its history shows.
    pub(super) async fn cancel_as(&self, actor: &Actor, order: &Order, note: &str) -> Result<Order, MoveError> {
        let done =
            self.move_order(order, OrderAction::Cancel, actor, note, TransitionEffect::WithdrawOffers, None).await?;
        self.forget_offers(order.id).await;
        Ok(done)
    }

    /// The resident moves their booking to another window before the service starts. A provider holding the
    /// order keeps it if it has room at the new time; otherwise the move is refused and nothing changes.
    pub async fn reschedule(&self, actor: &Actor, id: OrderId, window: TimeWindow) -> Result<Order, RescheduleError> {
        let now = self.clock.now();
        window.bookable_at(now)?;
        let order = self.find_for(actor, id).await?;
        if actor.role != Role::Resident || order.resident != actor.account {
            return Err(MoveError::NotYours("reschedule").into());
        }
        let movable = [OrderState::Submitted, OrderState::Offered, OrderState::Accepted, OrderState::Escalated];
        if !movable.contains(&order.state) {
            return Err(MoveError::Conflict { current: order.state }.into());
        }
        let (to, accept_by) = match order.state.apply(OrderAction::Rebook) {
            Ok(to) => (to, Some(accept_by(&Schedule::Window(window), now))),
            Err(_) => (order.state, order.accept_by),
        };
        let change = Reschedule { order: id, from: order.state, to, accept_by, window, actor: actor.account, at: now };
        match self.store.reschedule(change).await? {
            RescheduleOutcome::Moved(moved) if moved.state == OrderState::Submitted => {
                // Back to dispatch; a lost enqueue is found again by the stranded-order sweep.
                let _ = self.queue.enqueue(id).await;
                Ok(*moved)
            }
            RescheduleOutcome::Moved(moved) => Ok(*moved),
            RescheduleOutcome::ProviderFull => Err(RescheduleError::ProviderBusyThen),
            RescheduleOutcome::StateChanged => {
                let current = self.store.find_order(id).await?.ok_or(MoveError::NotFound)?;
                Err(MoveError::Conflict { current: current.state }.into())
            }
        }
    }

    /// A provider claims an offered order. The store says first whether this provider holds an open offer (the
    /// queue's copy may be stale); the queue's claim then turns away the losers of a race cheaply; the store's
    /// conditional update makes the winner final. Accepting an order you already hold is harmless.
    pub async fn accept(&self, actor: &Actor, id: OrderId) -> Result<Order, AcceptError> {
        let provider = Self::staff_provider(actor, "accept")?;
        let (order, offers) = self.order_for_provider(id, provider).await?;
        if order.provider == Some(provider) {
            return Ok(order);
        }
        let holds_open_offer = offers.iter().any(|o| o.provider == provider && o.status == OfferStatus::Open);
        if order.state != OrderState::Offered || !holds_open_offer {
            return Err(self.refusal(id, provider).await.into());
        }
        if self.store.provider_full(provider, id, self.clock.now()).await? {
            return Err(AcceptError::AtCapacity);
        }
        // A queue that cannot answer does not stop the accept: the store decides alone.
        if let Ok(ClaimOutcome::Taken) = self.queue.claim(id, provider).await {
            return Err(JobError::TakenByAnother.into());
        }
        let to = order.state.apply(OrderAction::Accept).map_err(|e| MoveError::Conflict { current: e.from })?;
        let accepted = Note::Accepted.stored();
        let change =
            self.transition(&order, OrderAction::Accept, to, actor, &accepted, TransitionEffect::AwardTo(provider));
        match self.store.transition(change).await {
            Ok(Some(done)) => {
                self.forget_offers(id).await;
                Ok(done)
            }
            failed => {
                // Let the next provider in: this claim did not become an award.
                let _ = self.queue.release_claim(id, provider).await;
                failed?;
                Err(self.refusal(id, provider).await.into())
            }
        }
    }

    /// The colleagues a staff member can hand a job to: their provider's active staff, themselves included.
    pub async fn colleagues(&self, actor: &Actor) -> Result<Vec<(AccountId, String)>, MoveError> {
        let provider = Self::organization_staff(actor, "list the staff of")?;
        Ok(self.store.provider_staff(provider).await?)
    }

    /// A staff member of the provider holding the order names the colleague who will come instead.
    pub async fn hand_over(&self, actor: &Actor, id: OrderId, colleague: AccountId) -> Result<Order, HandOverError> {
        let provider = Self::organization_staff(actor, "hand over")?;
        let order = self.store.find_order(id).await?.ok_or(MoveError::NotFound)?;
        if order.provider != Some(provider) {
            return Err(MoveError::NotFound.into());
        }
        if !TAKEN_ON.contains(&order.state) {
            return Err(MoveError::Conflict { current: order.state }.into());
        }
        if !self.store.is_staff_of(colleague, provider).await? {
            return Err(HandOverError::NotAColleague);
        }
        let moved = self.store.set_assignee(id, provider, &TAKEN_ON, colleague, self.clock.now()).await?;
        match moved {
            Some(order) => Ok(order),
            None => {
                let now = self.store.find_order(id).await?.ok_or(MoveError::NotFound)?;
                Err(MoveError::Conflict { current: now.state }.into())
            }
        }
    }

    /// The provider's staff decline an offer, with a reason from the list when they give one; the order is
    /// never offered to them again, and their reasons are counted for admins.
    pub async fn decline(
        &self,
        actor: &Actor,
        id: OrderId,
        reason: Option<JobReason>,
    ) -> Result<DeclineOutcome, JobError> {
        let provider = Self::staff_provider(actor, "decline")?;
        self.order_for_provider(id, provider).await?;
        let outcome = self.store.decline_offer(id, provider, actor.account, reason, self.clock.now()).await?;
        match outcome {
            DeclineOutcome::NoOpenOffer => Err(self.refusal(id, provider).await),
            DeclineOutcome::Declined { returned_to_dispatch } => {
                if returned_to_dispatch {
                    self.forget_offers(id).await;
                    // If this enqueue is lost, the stranded-order sweep finds the order again.
                    let _ = self.queue.enqueue(id).await;
                } else {
                    let _ = self.queue.withdraw_offer(id, provider).await;
                }
                Ok(outcome)
            }
        }
    }

    /// A step of the provider holding the order, with the effect made from the order as read (the visit's
    /// record needs its address).
    pub(super) async fn provider_step(
        &self,
        actor: &Actor,
        id: OrderId,
        action: OrderAction,
        note: &str,
        effect: impl FnOnce(&Order) -> TransitionEffect,
    ) -> Result<Order, JobError> {
        let provider = Self::staff_provider(actor, action.as_str())?;
        let (order, _) = self.order_for_provider(id, provider).await?;
        if order.provider != Some(provider) {
            return Err(self.refusal(id, provider).await);
        }
        let effect = effect(&order);
        Ok(self.move_order(&order, action, actor, note, effect, Some(provider)).await?)
    }

    /// Applies `action` to the order as last read. When another change got there first (the dispatcher offered
    /// it meanwhile, say), the action is tried again from the new state if the state machine still allows it.
    /// With `holder`, the change applies only while that provider holds the order.
    async fn move_order(
        &self,
        order: &Order,
        action: OrderAction,
        actor: &Actor,
        note: &str,
        effect: TransitionEffect,
        holder: Option<ProviderId>,
    ) -> Result<Order, MoveError> {
        let mut current = order.clone();
        for _ in 0..3 {
            let to = current.state.apply(action).map_err(|e| MoveError::Conflict { current: e.from })?;
            // What an admin or worker does to an order by hand is audited with the change itself.
            let audit = matches!(action, OrderAction::Assign | OrderAction::Close).then(|| {
                let kind = if action == OrderAction::Assign { "order.assigned" } else { "order.closed" };
                // The audit log reads as the history does by default, in Chinese.
                let note = Note::read(note, Lang::ZhCn);
                let after = match &effect {
                    TransitionEffect::AssignTo(p) => json!({ "state": to.as_str(), "provider_id": p.0, "note": note }),
                    _ => json!({ "state": to.as_str(), "note": note }),
                };
                Box::new(
                    AuditEntry::new(actor, self.clock.now(), kind, format!("order:{}", order.id.0))
                        .before(json!({ "state": current.state.as_str() }))
                        .after(after),
                )
            });
            let change =
                Transition { holder, audit, ..self.transition(&current, action, to, actor, note, effect.clone()) };
            match self.store.transition(change).await? {
                Some(done) => return Ok(done),
                None => current = self.store.find_order(order.id).await?.ok_or(MoveError::NotFound)?,
            }
        }
        Err(MoveError::Conflict { current: current.state })
    }

    fn transition(
        &self,
        order: &Order,
        action: OrderAction,
        to: OrderState,
        actor: &Actor,
        note: &str,
        effect: TransitionEffect,
    ) -> Transition {
        Transition {
            order: order.id,
            action,
            from: order.state,
            to,
            holder: None,
            actor: Some(actor.account),
            note: note.to_owned(),
            at: self.clock.now(),
            effect,
            audit: None,
        }
    }

    /// An order the actor may see, or `NotFound` for one they may not, so ids cannot be probed.
    pub(super) async fn find_for(&self, actor: &Actor, id: OrderId) -> Result<Order, MoveError> {
        let order = self.store.find_order(id).await?.ok_or(MoveError::NotFound)?;
        if self.visibility_of(actor, &order).await? == Visibility::None {
            return Err(MoveError::NotFound);
        }
        Ok(order)
    }

    async fn visibility_of(&self, actor: &Actor, order: &Order) -> Result<Visibility, Unexpected> {
        let offered = match actor.provider {
            Some(p) if actor.role.works_orders() && order.provider != Some(p) => {
                self.open_offer_holders(order).await?.contains(&p)
            }
            _ => false,
        };
        Ok(visibility(actor, order, offered))
    }

    async fn open_offer_holders(&self, order: &Order) -> Result<Vec<ProviderId>, Unexpected> {
        let offers = self.store.offers_of_order(order.id).await?;
        Ok(offers.into_iter().filter(|o| o.status == super::OfferStatus::Open).map(|o| o.provider).collect())
    }

    /// Clears the queue's copy of an order's offers and claim. Best effort: the store already says they are
    /// closed, and a stale queue entry is turned away by the store's conditional update.
    pub(super) async fn forget_offers(&self, id: OrderId) {
        let _ = self.queue.clear_offers(id).await;
    }

    /// The order, if this provider holds it or was ever offered it; `NotFound` otherwise, so a provider cannot
    /// learn of orders that were never theirs.
    async fn order_for_provider(&self, id: OrderId, provider: ProviderId) -> Result<(Order, Vec<Offer>), MoveError> {
        let order = self.store.find_order(id).await?.ok_or(MoveError::NotFound)?;
        let offers = self.store.offers_of_order(id).await?;
        if order.provider != Some(provider) && !offers.iter().any(|o| o.provider == provider) {
            return Err(MoveError::NotFound);
        }
        Ok((order, offers))
    }

    /// Why this provider cannot act on the order as it stands now.
    async fn refusal(&self, id: OrderId, provider: ProviderId) -> JobError {
        let order = match self.store.find_order(id).await {
            Ok(Some(order)) => order,
            Ok(None) => return MoveError::NotFound.into(),
            Err(e) => return e.into(),
        };
        match order.provider {
            Some(holder) if holder != provider => JobError::TakenByAnother,
            _ if order.state == OrderState::Offered => JobError::NoOpenOffer,
            _ => MoveError::Conflict { current: order.state }.into(),
        }
    }

    /// The organization a staff member works for: a Party member, who works alone, has no colleagues.
    fn organization_staff(actor: &Actor, what: &'static str) -> Result<ProviderId, MoveError> {
        match (actor.role, actor.provider) {
            (Role::ProviderStaff, Some(p)) => Ok(p),
            _ => Err(MoveError::NotYours(what)),
        }
    }

    pub(super) fn staff_provider(actor: &Actor, what: &'static str) -> Result<ProviderId, MoveError> {
        match (actor.role, actor.provider) {
            (role, Some(p)) if role.works_orders() => Ok(p),
            _ => Err(MoveError::NotYours(what)),
        }
    }
}

/// A page of a list community workers read, newest first: their community's rows, every community's for an
/// admin, none for a worker of no community. `read` gets the community (`None`: all), the cursor and how many.
pub(super) async fn worker_list<T, Fut>(
    actor: &Actor,
    page: PageRequest<'_>,
    denied: &'static str,
    read: impl FnOnce(Option<Vec<CommunityId>>, Option<OrderId>, u64) -> Fut,
) -> Result<Page<T>, ListError>
where
    Fut: std::future::Future<Output = Result<Vec<T>, Unexpected>>,
{
    let communities = match actor.role {
        Role::Admin => None,
        Role::CommunityWorker if actor.area().is_empty() => return Ok(Page { rows: Vec::new(), more: false }),
        Role::CommunityWorker => Some(actor.area()),
        _ => return Err(ListError::Denied(denied)),
    };
    let (size, before) = (page.size()?, page.cursor()?.map(OrderId));
    Ok(Page::of(read(communities, before, size + 1).await?, size))
}
