//! The dispatcher's use cases on orders: turning submitted orders into offers (派单 to the best provider,
//! 抢单 to the best K), widening the scope when a round finds nobody, escalating what nobody can take, letting
//! lapsed offers go back to dispatch, and rebuilding a lost queue from the store.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::OrderDesk;
use super::booking::routed_pool;
use super::model::{Order, OrderId, Schedule};
use super::ports::{OrderStore, Transition, TransitionEffect};
use super::state::{OrderAction, OrderState};
use crate::catalog::{CatalogItem, DispatchMode, ItemId, Routing};
use crate::clock::Clock;
use crate::dispatch::{Candidate, DispatchQueue, Request, Scope, Why, nearest_level, prefer, rank};
use crate::error::Unexpected;
use crate::geo::Area;
use crate::providers::ProviderId;
use crate::time::TimeWindow;
use crate::words::Note;

/// How many orders and offers one rebuild of a lost queue restores; the stranded-order sweep catches any more.
const REBUILD_LIMIT: u64 = 100_000;

/// What one dispatch step will do with an order.
enum Plan {
    /// Make this transition, then publish the offers to these providers until the deadline.
    Offer(Transition, Vec<ProviderId>, DateTime<Utc>),
    Escalate(Note),
}

/// What one dispatch step did with an order.
#[derive(Debug, PartialEq)]
pub enum DispatchOutcome {
    Offered(Vec<ProviderId>),
    Escalated,
    /// The order was no longer waiting for dispatch (a repeated delivery, or it was cancelled meanwhile).
    NothingToDo,
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
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
            let why = Note::DeadlinePassed.stored();
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
        match self.rebuild_queue().await {
            Ok(rebuilt) => Ok(Some(rebuilt)),
            Err(e) => {
                // The queue said so once; without this, a rebuild cut off by the store would never run again. (If
                // the queue cannot take the mark either, it is unreachable, and says it lost its state on return.)
                let _ = self.queue.mark_lost().await;
                Err(e)
            }
        }
    }

    async fn rebuild_queue(&self) -> Result<(usize, usize), Unexpected> {
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
        Ok((waiting.len(), by_order.len()))
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
        let mut escalations: Vec<(&Order, Note)> = Vec::new();
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
            outcomes.push((order.id, self.escalate(order, &why, now).await?));
        }
        Ok(outcomes)
    }

    /// What one dispatch step should do with a submitted order, given the item, the community's street and
    /// district, the providers offering the item, and those offered the order before.
    fn plan(
        &self,
        order: &Order,
        item: Option<&CatalogItem>,
        area: Option<Area>,
        candidates: &[Candidate],
        already: &[ProviderId],
        now: DateTime<Utc>,
    ) -> Plan {
        let (Some(item), Some(area)) = (item, area) else {
            return Plan::Escalate(Note::NoLongerKnown);
        };
        if order.accept_by.is_some_and(|deadline| deadline <= now) {
            return Plan::Escalate(Note::DeadlinePassed);
        }
        // A high-risk mediation intake is not offered to anyone: people step in at once.
        if order.high_risk {
            return Plan::Escalate(Note::HighRisk);
        }
        let candidates = routed_pool(item, order.community, &area, candidates);
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
                    street: area.street,
                    district: area.district,
                    location: order.location,
                    window,
                    scope: at,
                    now,
                };
                let mut ranked = rank(&request, &candidates, already, &self.travel, &self.weights);
                // Before the care plan's preference, so that the provider marked for continuity stays first.
                if item.routing == Routing::PropertyDispute {
                    nearest_level(&mut ranked, &candidates);
                }
                if let Some(preferred) = order.preferred {
                    prefer(&mut ranked, preferred);
                }
                if !ranked.is_empty() {
                    let take = match item.mode {
                        DispatchMode::Dispatch => 1,
                        DispatchMode::Broadcast => item.broadcast_k.max(1) as usize,
                    };
                    let offers: Vec<(ProviderId, String)> =
                        ranked.into_iter().take(take).map(|r| (r.provider, Why::of(&r.explanation).stored())).collect();
                    return self.offer_plan(order, item, offers, at, round + 1, now);
                }
            }
            scope = at.widen();
            round = 0;
        }
        Plan::Escalate(if already.is_empty() { Note::NoEligibleProvider } else { Note::NoEligibleProviderLeft })
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
        let note = Note::Offered { providers: providers.len(), scope: scope.as_str().to_owned(), round }.stored();
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
            audit: None,
        };
        Plan::Offer(change, providers, deadline)
    }

    async fn escalate(&self, order: &Order, why: &Note, now: DateTime<Utc>) -> Result<DispatchOutcome, Unexpected> {
        let moved =
            self.dispatcher_move(order, OrderAction::Escalate, why.stored(), TransitionEffect::None, now).await?;
        Ok(if moved { DispatchOutcome::Escalated } else { DispatchOutcome::NothingToDo })
    }

    /// A transition made by Linli itself; false when the order moved on meanwhile.
    pub(super) async fn dispatcher_move(
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
            audit: None,
        };
        Ok(self.store.transition(change).await?.is_some())
    }
}
