//! The order use cases: place, follow, cancel, and a provider's accept, decline, start and complete; plus the
//! dispatcher's step that turns a submitted order into offers. Each checks who is acting, asks the state machine,
//! and hands one transition to the store.

use std::collections::HashMap;
use std::time::Duration;

use super::access::{Visibility, visibility};
use chrono::{DateTime, Utc};

use super::model::{Offer, OfferStatus, Order, OrderEvent, OrderId, Schedule};
use super::ports::{
    DeclineOutcome, InsertOrderError, NewOrder, OrderStore, Placed, Reschedule, RescheduleOutcome, Transition,
    TransitionEffect,
};
use super::request::TimeWindow;
use super::state::{OrderAction, OrderState};
use crate::accounts::{Actor, Role};
use crate::catalog::{CatalogItem, Category, DispatchMode, ItemId};
use crate::clock::Clock;
use crate::dispatch::{Candidate, ClaimOutcome, DispatchQueue, RankWeights, Request, Scope, TravelModel, rank, routed};
use crate::error::Unexpected;
use crate::geo::{DistrictId, StreetId};
use crate::providers::ProviderId;

/// How many orders and offers one rebuild of a lost queue restores; the stranded-order sweep catches any more.
const REBUILD_LIMIT: u64 = 100_000;

/// The order use cases over a store, a queue and a clock.
#[derive(Clone)]
pub struct OrderDesk<S, Q, C> {
    pub store: S,
    pub queue: Q,
    pub clock: C,
    /// How long a provider has to answer an offer, unless the item says otherwise.
    pub offer_ttl: Duration,
    pub travel: TravelModel,
    pub weights: RankWeights,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("only residents place orders for themselves")]
    NotAResident,
    #[error("no catalog item has that id")]
    UnknownItem,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error("this idempotency key was used before for a different order")]
    KeyReused,
    #[error("only a mediation intake can be marked high risk")]
    HighRiskNotMediation,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Why a list of orders or offers was refused.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{0}")]
    Denied(&'static str),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// Missing, or not the caller's to see: the two are not told apart, so ids cannot be probed.
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// Why a caller could not move an order.
#[derive(Debug, thiserror::Error)]
pub enum ActError {
    #[error("no such order")]
    NotFound,
    #[error("this order is not yours to {0}")]
    NotYours(&'static str),
    #[error("the order is {}", current.as_str())]
    Conflict { current: OrderState },
    #[error("another provider accepted the order first")]
    TakenByAnother,
    #[error("you hold no open offer for this order")]
    NoOpenOffer,
    #[error("that provider does not offer this item or is not active")]
    ProviderCannotTake,
    #[error("your provider already holds as many jobs at that time as it can")]
    AtCapacity,
    #[error("the provider holding this order has no room at that time; keep the old time or cancel")]
    ProviderBusyThen,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// An order as one actor may see it.
#[derive(Debug)]
pub struct OrderDetail {
    pub order: Order,
    pub events: Vec<OrderEvent>,
    pub seen: Visibility,
    /// Why the order's provider was chosen, once it has one.
    pub why_provider: Option<String>,
}

/// What one dispatch step will do with an order.
enum Plan {
    /// Make this transition, then publish the offers to these providers until the deadline.
    Offer(Transition, Vec<ProviderId>, DateTime<Utc>),
    Escalate(&'static str),
}

/// What one dispatch step did with an order.
#[derive(Debug, PartialEq)]
pub enum DispatchOutcome {
    Offered(Vec<ProviderId>),
    Escalated,
    /// The order was no longer waiting for dispatch (a repeated delivery, or it was cancelled meanwhile).
    NothingToDo,
}

impl<S, Q, C> OrderDesk<S, Q, C> {
    /// The use cases with the default travel model and ranking weights.
    pub fn new(store: S, queue: Q, clock: C, offer_ttl: Duration) -> Self {
        Self { store, queue, clock, offer_ttl, travel: TravelModel::default(), weights: RankWeights::default() }
    }
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// Places an order. A lost queue write is not the resident's problem: the order is saved, and the
    /// dispatcher's sweep for stranded orders queues it again, so the outcome reports it instead of failing.
    pub async fn place(&self, actor: &Actor, mut order: NewOrder) -> Result<(Placed, Option<Unexpected>), PlaceError> {
        if actor.role != Role::Resident || order.resident != actor.account {
            return Err(PlaceError::NotAResident);
        }
        if order.high_risk {
            let item = self.store.catalog_item(order.item).await?.ok_or(PlaceError::UnknownItem)?;
            if item.category != Category::Mediation {
                return Err(PlaceError::HighRiskNotMediation);
            }
        }
        let now = self.clock.now();
        // Someone must have taken it within the hour, or before the window opens; after that a worker steps in.
        order.accept_by = Some(match order.schedule {
            Schedule::Asap => now + chrono::Duration::hours(1),
            Schedule::Window(w) => w.start().max(now + chrono::Duration::minutes(10)),
        });
        let placed = self.store.insert_order(order, now).await.map_err(|e| match e {
            InsertOrderError::UnknownItem => PlaceError::UnknownItem,
            InsertOrderError::UnknownCommunity => PlaceError::UnknownCommunity,
            InsertOrderError::KeyReused => PlaceError::KeyReused,
            InsertOrderError::Unexpected(u) => PlaceError::Unexpected(u),
        })?;
        let queue_failure = match &placed {
            Placed::New(o) => self.queue.enqueue(o.id).await.err(),
            Placed::Existing(_) => None,
        };
        Ok((placed, queue_failure))
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
        Ok(OrderDetail { order, events, seen, why_provider })
    }

    /// The actor's orders, newest first, older than `before`: a resident's own, or the jobs given to the
    /// provider a staff member or Party member works for (none while they work for none).
    pub async fn my_orders(&self, actor: &Actor, before: Option<OrderId>, limit: u64) -> Result<Vec<Order>, ListError> {
        match (actor.role, actor.provider) {
            (Role::Resident, _) => Ok(self.store.orders_of_resident(actor.account, before, limit).await?),
            (Role::ProviderStaff | Role::PartyMember, Some(p)) => {
                Ok(self.store.orders_of_provider(p, before, limit).await?)
            }
            (Role::ProviderStaff | Role::PartyMember, None) => Ok(Vec::new()),
            _ => Err(ListError::Denied("only residents and those who work orders have orders of their own")),
        }
    }

    /// The open offers to the provider the actor works for, oldest first.
    pub async fn open_offers(&self, actor: &Actor, limit: u64) -> Result<Vec<(Offer, Order)>, ListError> {
        match (actor.role.works_orders(), actor.provider) {
            (true, Some(p)) => Ok(self.store.open_offers_of_provider(p, limit).await?),
            (true, None) => Ok(Vec::new()),
            (false, _) => Err(ListError::Denied("only provider staff and Party members receive offers")),
        }
    }

    /// The escalations a worker handles (their community's) or an admin oversees (all), newest first.
    pub async fn escalations(
        &self,
        actor: &Actor,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, ListError> {
        let community = match (actor.role, actor.community) {
            (Role::Admin, _) => None,
            (Role::CommunityWorker, Some(c)) => Some(c),
            (Role::CommunityWorker, None) => return Ok(Vec::new()),
            _ => return Err(ListError::Denied("only community workers and admins handle escalations")),
        };
        Ok(self.store.escalated_orders(community, before, limit).await?)
    }

    /// A community worker (of the order's community) or an admin gives an escalated order to a provider by hand.
    /// The provider must offer the item and be active; the reason is recorded.
    pub async fn assign(
        &self,
        actor: &Actor,
        id: OrderId,
        provider: ProviderId,
        reason: &str,
    ) -> Result<Order, ActError> {
        let order = self.escalation_for(actor, id, "assign").await?;
        let now = self.clock.now();
        let fit = self.store.candidates(order.item, now).await?.into_iter().any(|c| c.id == provider && c.active);
        if !fit {
            return Err(ActError::ProviderCannotTake);
        }
        let note = format!("assigned by hand: {reason}");
        self.move_order(&order, OrderAction::Assign, actor, &note, TransitionEffect::AssignTo(provider), None).await
    }

    /// A community worker (of the order's community) or an admin closes an escalated order that cannot be served.
    pub async fn close(&self, actor: &Actor, id: OrderId, reason: &str) -> Result<Order, ActError> {
        let order = self.escalation_for(actor, id, "close").await?;
        let note = format!("closed: {reason}");
        self.move_order(&order, OrderAction::Close, actor, &note, TransitionEffect::None, None).await
    }

    async fn escalation_for(&self, actor: &Actor, id: OrderId, what: &'static str) -> Result<Order, ActError> {
        let order = self.find_for(actor, id).await?;
        let may = match actor.role {
            Role::CommunityWorker => actor.community == Some(order.community),
            Role::Admin => true,
            _ => false,
        };
        if !may {
            return Err(ActError::NotYours(what));
        }
        Ok(order)
    }

    pub async fn cancel(&self, actor: &Actor, id: OrderId) -> Result<Order, ActError> {
        let order = self.find_for(actor, id).await?;
        let owns = match actor.role {
            Role::Resident => order.resident == actor.account,
            Role::CommunityWorker => actor.community == Some(order.community),
            Role::Admin => true,
            Role::ProviderStaff | Role::PartyMember => false,
        };
        if !owns {
            return Err(ActError::NotYours("cancel"));
        }
        let done = self
            .move_order(&order, OrderAction::Cancel, actor, "cancelled", TransitionEffect::WithdrawOffers, None)
            .await?;
        self.forget_offers(id).await;
        Ok(done)
    }

    /// The resident moves their booking to another window before the service starts. A provider holding the
    /// order keeps it if it has room at the new time; otherwise the move is refused and nothing changes.
    pub async fn reschedule(&self, actor: &Actor, id: OrderId, window: TimeWindow) -> Result<Order, ActError> {
        let order = self.find_for(actor, id).await?;
        if actor.role != Role::Resident || order.resident != actor.account {
            return Err(ActError::NotYours("reschedule"));
        }
        let movable = [OrderState::Submitted, OrderState::Offered, OrderState::Accepted, OrderState::Escalated];
        if !movable.contains(&order.state) {
            return Err(ActError::Conflict { current: order.state });
        }
        let change = Reschedule { order: id, from: order.state, window, actor: actor.account, at: self.clock.now() };
        match self.store.reschedule(change).await? {
            RescheduleOutcome::Moved(moved) => Ok(*moved),
            RescheduleOutcome::ProviderFull => Err(ActError::ProviderBusyThen),
            RescheduleOutcome::StateChanged => {
                let current = self.store.find_order(id).await?.ok_or(ActError::NotFound)?;
                Err(ActError::Conflict { current: current.state })
            }
        }
    }

    /// A provider claims an offered order. The store says first whether this provider holds an open offer (the
    /// queue's copy may be stale); the queue's claim then turns away the losers of a race cheaply; the store's
    /// conditional update makes the winner final. Accepting an order you already hold is harmless.
    pub async fn accept(&self, actor: &Actor, id: OrderId) -> Result<Order, ActError> {
        let provider = Self::staff_provider(actor, "accept")?;
        let (order, offers) = self.order_for_provider(id, provider).await?;
        if order.provider == Some(provider) {
            return Ok(order);
        }
        let holds_open_offer = offers.iter().any(|o| o.provider == provider && o.status == OfferStatus::Open);
        if order.state != OrderState::Offered || !holds_open_offer {
            return Err(self.refusal(id, provider).await);
        }
        if self.store.provider_full(provider, id, self.clock.now()).await? {
            return Err(ActError::AtCapacity);
        }
        // A queue that cannot answer does not stop the accept: the store decides alone.
        if let Ok(ClaimOutcome::Taken) = self.queue.claim(id, provider).await {
            return Err(ActError::TakenByAnother);
        }
        let to = order.state.apply(OrderAction::Accept).map_err(|e| ActError::Conflict { current: e.from })?;
        let change =
            self.transition(&order, OrderAction::Accept, to, actor, "accepted", TransitionEffect::AwardTo(provider));
        match self.store.transition(change).await {
            Ok(Some(done)) => {
                self.forget_offers(id).await;
                Ok(done)
            }
            failed => {
                // Let the next provider in: this claim did not become an award.
                let _ = self.queue.release_claim(id, provider).await;
                failed?;
                Err(self.refusal(id, provider).await)
            }
        }
    }

    pub async fn decline(&self, actor: &Actor, id: OrderId) -> Result<DeclineOutcome, ActError> {
        let provider = Self::staff_provider(actor, "decline")?;
        self.order_for_provider(id, provider).await?;
        let outcome = self.store.decline_offer(id, provider, actor.account, self.clock.now()).await?;
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

    /// Expires the offers the queue reports past their deadline (kept in Redis sorted sets in production); each
    /// order left without an open offer goes back to dispatch. Returns how many did.
    pub async fn expire_offers(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let due = self.queue.due_offers(now, 500).await?;
        let returned = self.store.expire_offers_of(&due, now).await?;
        for id in &due {
            if returned.contains(id) {
                // Back to dispatch: nothing of the lapsed round may be claimed any more.
                self.forget_offers(*id).await;
            } else {
                // Answered, withdrawn or offered again meanwhile: only the passed deadline goes, not a newer
                // round's offers.
                let _ = self.queue.forget_deadline(*id, now).await;
            }
        }
        self.back_to_dispatch(&returned).await;
        Ok(returned.len())
    }

    /// The safety net under [`expire_offers`](Self::expire_offers): offers past their deadline that the queue
    /// no longer knew of (its write failed, or it lost its data before a rebuild), found from the store alone.
    pub async fn expire_overlooked_offers(&self) -> Result<usize, Unexpected> {
        let returned = self.store.expire_offers(self.clock.now(), 500).await?;
        for id in &returned {
            self.forget_offers(*id).await;
        }
        self.back_to_dispatch(&returned).await;
        Ok(returned.len())
    }

    /// Escalates each order whose own acceptance deadline has passed while it still waits for a taker; its
    /// open offers are withdrawn. Returns how many were escalated.
    pub async fn escalate_overdue(&self) -> Result<usize, Unexpected> {
        let now = self.clock.now();
        let mut escalated = 0;
        for order in self.store.overdue_orders(now, 500).await? {
            let why = "the order's acceptance deadline passed".to_owned();
            if self.dispatcher_move(&order, OrderAction::Escalate, why, TransitionEffect::WithdrawOffers, now).await? {
                self.forget_offers(order.id).await;
                escalated += 1;
            }
        }
        Ok(escalated)
    }

    async fn back_to_dispatch(&self, orders: &[OrderId]) {
        for id in orders {
            // A lost enqueue is found again by the stranded-order sweep.
            let _ = self.queue.enqueue(*id).await;
        }
    }

    /// When the queue has lost its state, rebuilds it from the store: every open offer is made claimable again
    /// and every order waiting for dispatch is queued again. Returns `None` when nothing was lost, else how
    /// many orders were queued and offers republished.
    pub async fn rebuild_queue_if_lost(&self) -> Result<Option<(usize, usize)>, Unexpected> {
        if !self.queue.lost_state().await? {
            return Ok(None);
        }
        let mut by_order: std::collections::BTreeMap<OrderId, (Vec<ProviderId>, DateTime<Utc>)> = Default::default();
        for offer in self.store.open_offers(REBUILD_LIMIT).await? {
            let entry = by_order.entry(offer.order).or_insert((Vec::new(), offer.deadline));
            entry.0.push(offer.provider);
            entry.1 = entry.1.max(offer.deadline);
        }
        for (order, (providers, deadline)) in &by_order {
            self.queue.publish_offers(*order, providers, *deadline).await?;
        }
        let waiting = self.store.waiting_orders(REBUILD_LIMIT).await?;
        for id in &waiting {
            self.queue.enqueue(*id).await?;
        }
        Ok(Some((waiting.len(), by_order.len())))
    }

    pub async fn start(&self, actor: &Actor, id: OrderId) -> Result<Order, ActError> {
        self.provider_step(actor, id, OrderAction::Start, "started", TransitionEffect::None).await
    }

    /// The provider finished the job. A Party member's volunteer order counts as service hours, credited with
    /// the completion so that the two cannot part.
    pub async fn complete(&self, actor: &Actor, id: OrderId) -> Result<Order, ActError> {
        let effect = match actor.role {
            Role::PartyMember => TransitionEffect::CreditServiceHours(actor.account),
            _ => TransitionEffect::None,
        };
        self.provider_step(actor, id, OrderAction::Complete, "completed", effect).await
    }

    /// One dispatch step for one order; see [`dispatch_many`](Self::dispatch_many).
    pub async fn dispatch(&self, id: OrderId) -> Result<DispatchOutcome, Unexpected> {
        let mut outcomes = self.dispatch_many(&[id]).await?;
        Ok(outcomes.pop().map_or(DispatchOutcome::NothingToDo, |(_, outcome)| outcome))
    }

    /// One dispatch step for each of a batch of orders. Ranks the eligible providers at each order's current
    /// scope and offers the order to the best one (派单) or the best K (抢单); once a scope has no taker or its
    /// rounds are used up, dispatch looks at the street, then the district; when nobody is left, or the order's
    /// own deadline has passed, the order is escalated to the community's workers.
    ///
    /// The batch is read together and its offers written together. Orders are ranked one after another, each
    /// seeing the offers the ones before it were given, so a batch spreads its offers as fairly as single steps.
    pub async fn dispatch_many(&self, ids: &[OrderId]) -> Result<Vec<(OrderId, DispatchOutcome)>, Unexpected> {
        let now = self.clock.now();
        let mut outcomes: Vec<(OrderId, DispatchOutcome)> = Vec::with_capacity(ids.len());
        let mut orders = Vec::new();
        for order in self.store.find_orders(ids).await? {
            if order.state == OrderState::Submitted && !orders.iter().any(|o: &Order| o.id == order.id) {
                orders.push(order);
            }
        }
        for id in ids {
            if !orders.iter().any(|o| o.id == *id) && !outcomes.iter().any(|(o, _)| o == id) {
                outcomes.push((*id, DispatchOutcome::NothingToDo));
            }
        }
        if orders.is_empty() {
            return Ok(outcomes);
        }
        let order_ids: Vec<OrderId> = orders.iter().map(|o| o.id).collect();
        let mut already: HashMap<OrderId, Vec<ProviderId>> = HashMap::new();
        for offer in self.store.offers_of_orders(&order_ids).await? {
            already.entry(offer.order).or_default().push(offer.provider);
        }
        let mut pools: HashMap<ItemId, (Option<CatalogItem>, Vec<Candidate>)> = HashMap::new();
        let mut offers: Vec<(Transition, Vec<ProviderId>, DateTime<Utc>)> = Vec::new();
        let mut escalations: Vec<(&Order, &'static str)> = Vec::new();
        for order in &orders {
            if let std::collections::hash_map::Entry::Vacant(slot) = pools.entry(order.item) {
                let item = self.store.catalog_item(order.item).await?;
                let candidates = match item {
                    Some(_) => self.store.candidates(order.item, now).await?,
                    None => Vec::new(),
                };
                slot.insert((item, candidates));
            }
            let area = self.store.area_of(order.community).await?;
            let (item, candidates) = pools.get_mut(&order.item).expect("filled above");
            let already = already.get(&order.id).map(Vec::as_slice).unwrap_or_default();
            match self.plan(order, item.as_ref(), area, candidates, already, now) {
                Plan::Offer(change, providers, deadline) => {
                    // Later orders in the batch see these offers in their fairness counts.
                    for c in candidates.iter_mut().filter(|c| providers.contains(&c.id)) {
                        c.offers_this_period = c.offers_this_period.saturating_add(1);
                        c.last_offered_at = Some(now);
                    }
                    offers.push((change, providers, deadline));
                }
                Plan::Escalate(why) => escalations.push((order, why)),
            }
        }
        let changes: Vec<Transition> = offers.iter().map(|(change, _, _)| change.clone()).collect();
        let applied = self.store.transition_batch(changes).await?;
        for ((change, providers, deadline), applied) in offers.into_iter().zip(applied) {
            if applied {
                self.queue.publish_offers(change.order, &providers, deadline).await?;
                outcomes.push((change.order, DispatchOutcome::Offered(providers)));
            } else {
                outcomes.push((change.order, DispatchOutcome::NothingToDo));
            }
        }
        for (order, why) in escalations {
            outcomes.push((order.id, self.escalate(order, why, now).await?));
        }
        Ok(outcomes)
    }

    /// What one dispatch step should do with a submitted order, given the item, the community's street and
    /// district, the providers offering the item, and those offered the order before.
    fn plan(
        &self,
        order: &Order,
        item: Option<&CatalogItem>,
        area: Option<(StreetId, DistrictId)>,
        candidates: &[Candidate],
        already: &[ProviderId],
        now: DateTime<Utc>,
    ) -> Plan {
        let (Some(item), Some((street, district))) = (item, area) else {
            return Plan::Escalate("the item or the community is no longer known");
        };
        if order.accept_by.is_some_and(|deadline| deadline <= now) {
            return Plan::Escalate("the order's acceptance deadline passed");
        }
        // A high-risk mediation intake is not offered to anyone: people step in at once.
        if order.high_risk {
            return Plan::Escalate("high risk: escalated to the street at once");
        }
        let candidates: Vec<Candidate> =
            candidates.iter().filter(|c| routed(item.routing, c, order.community, street)).cloned().collect();
        let window = match order.schedule {
            Schedule::Window(w) => w,
            Schedule::Asap => {
                TimeWindow::from_stored(now, now + chrono::Duration::minutes(i64::from(item.duration_minutes.max(1))))
            }
        };
        let mut scope = Some(order.scope);
        let mut round = order.round;
        while let Some(at) = scope {
            if round < item.max_rounds {
                let request = Request {
                    item: order.item,
                    category: item.category,
                    community: order.community,
                    street,
                    district,
                    location: order.location,
                    window,
                    scope: at,
                    now,
                };
                let ranked = rank(&request, &candidates, already, &self.travel, &self.weights);
                if !ranked.is_empty() {
                    let take = match item.mode {
                        DispatchMode::Dispatch => 1,
                        DispatchMode::Broadcast => item.broadcast_k.max(1) as usize,
                    };
                    let offers: Vec<(ProviderId, String)> =
                        ranked.into_iter().take(take).map(|r| (r.provider, r.explanation.to_string())).collect();
                    return self.offer_plan(order, item, offers, at, round + 1, now);
                }
            }
            scope = at.widen();
            round = 0;
        }
        Plan::Escalate(if already.is_empty() { "no eligible provider" } else { "no eligible provider left" })
    }

    fn offer_plan(
        &self,
        order: &Order,
        item: &CatalogItem,
        offers: Vec<(ProviderId, String)>,
        scope: Scope,
        round: u32,
        now: DateTime<Utc>,
    ) -> Plan {
        let ttl =
            item.offer_ttl_seconds.map(|s| std::time::Duration::from_secs(u64::from(s))).unwrap_or(self.offer_ttl);
        let deadline = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::minutes(2));
        let providers: Vec<ProviderId> = offers.iter().map(|(p, _)| *p).collect();
        let note = format!("offered to {} provider(s) in the {}, round {round}", providers.len(), scope.as_str());
        let change = Transition {
            order: order.id,
            action: OrderAction::Offer,
            from: order.state,
            to: OrderState::Offered,
            holder: None,
            actor: None,
            note,
            at: now,
            effect: TransitionEffect::OpenOffers { offers, deadline, scope, round },
        };
        Plan::Offer(change, providers, deadline)
    }

    async fn escalate(&self, order: &Order, why: &str, now: DateTime<Utc>) -> Result<DispatchOutcome, Unexpected> {
        let moved =
            self.dispatcher_move(order, OrderAction::Escalate, why.to_owned(), TransitionEffect::None, now).await?;
        Ok(if moved { DispatchOutcome::Escalated } else { DispatchOutcome::NothingToDo })
    }

    /// A transition made by Linli itself; false when the order moved on meanwhile.
    async fn dispatcher_move(
        &self,
        order: &Order,
        action: OrderAction,
        note: String,
        effect: TransitionEffect,
        now: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        let Ok(to) = order.state.apply(action) else {
            return Ok(false);
        };
        let change = Transition {
            order: order.id,
            action,
            from: order.state,
            to,
            holder: None,
            actor: None,
            note,
            at: now,
            effect,
        };
        Ok(self.store.transition(change).await?.is_some())
    }

    async fn provider_step(
        &self,
        actor: &Actor,
        id: OrderId,
        action: OrderAction,
        note: &str,
        effect: TransitionEffect,
    ) -> Result<Order, ActError> {
        let provider = Self::staff_provider(actor, action.as_str())?;
        let (order, _) = self.order_for_provider(id, provider).await?;
        if order.provider != Some(provider) {
            return Err(self.refusal(id, provider).await);
        }
        self.move_order(&order, action, actor, note, effect, Some(provider)).await
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
    ) -> Result<Order, ActError> {
        let mut current = order.clone();
        for _ in 0..3 {
            let to = current.state.apply(action).map_err(|e| ActError::Conflict { current: e.from })?;
            let change = Transition { holder, ..self.transition(&current, action, to, actor, note, effect.clone()) };
            match self.store.transition(change).await? {
                Some(done) => return Ok(done),
                None => current = self.store.find_order(order.id).await?.ok_or(ActError::NotFound)?,
            }
        }
        Err(ActError::Conflict { current: current.state })
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
        }
    }

    /// An order the actor may see, or `NotFound` for one they may not, so ids cannot be probed.
    async fn find_for(&self, actor: &Actor, id: OrderId) -> Result<Order, ActError> {
        let order = self.store.find_order(id).await?.ok_or(ActError::NotFound)?;
        if self.visibility_of(actor, &order).await? == Visibility::None {
            return Err(ActError::NotFound);
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
    async fn forget_offers(&self, id: OrderId) {
        let _ = self.queue.clear_offers(id).await;
    }

    /// The order, if this provider holds it or was ever offered it; `NotFound` otherwise, so a provider cannot
    /// learn of orders that were never theirs.
    async fn order_for_provider(&self, id: OrderId, provider: ProviderId) -> Result<(Order, Vec<Offer>), ActError> {
        let order = self.store.find_order(id).await?.ok_or(ActError::NotFound)?;
        let offers = self.store.offers_of_order(id).await?;
        if order.provider != Some(provider) && !offers.iter().any(|o| o.provider == provider) {
            return Err(ActError::NotFound);
        }
        Ok((order, offers))
    }

    /// Why this provider cannot act on the order as it stands now.
    async fn refusal(&self, id: OrderId, provider: ProviderId) -> ActError {
        let order = match self.store.find_order(id).await {
            Ok(Some(order)) => order,
            Ok(None) => return ActError::NotFound,
            Err(e) => return ActError::Unexpected(e),
        };
        match order.provider {
            Some(holder) if holder != provider => ActError::TakenByAnother,
            _ if order.state == OrderState::Offered => ActError::NoOpenOffer,
            _ => ActError::Conflict { current: order.state },
        }
    }

    fn staff_provider(actor: &Actor, what: &'static str) -> Result<ProviderId, ActError> {
        match (actor.role, actor.provider) {
            (role, Some(p)) if role.works_orders() => Ok(p),
            _ => Err(ActError::NotYours(what)),
        }
    }
}
