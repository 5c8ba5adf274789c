//! In-memory stand-ins for the order store and the dispatch queue, for unit tests of the order use cases. The
//! store applies a transition only from the state it names (as the real one's conditional update does), keeps
//! offers, and records every transition asked of it; the queue answers every claim as won.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::aftercare::{Complaint, ComplaintId, ComplaintScope, ComplaintState, FollowUp};
use super::model::{Offer, OfferStatus, Order, OrderEvent, OrderId, Schedule};
use super::ports::Aftercare;
use super::ports::{
    Backlog, Candidates, DeclineOutcome, InsertOrderError, NewOrder, Offers, OrderLists, Orders, Placed, Reschedule,
    RescheduleOutcome, Transition, TransitionEffect, Visits,
};
use super::state::{OrderAction, OrderState};
use super::visit::{Answer, NewRating, Rating, Resolution, Verdict, Visit};
use super::{ProviderContact, ResidentContact};
use crate::accounts::AccountId;
use crate::catalog::{CatalogItem, ItemId};
use crate::dispatch::{Candidate, ClaimOutcome, Delivery, DispatchQueue, Scope};
use crate::error::Unexpected;
use crate::geo::{Area, CommunityId, DistrictId, StreetId};
use crate::providers::ProviderId;
use crate::time::TimeWindow;

#[derive(Default)]
pub struct Held {
    pub orders: Vec<Order>,
    pub offers: Vec<Offer>,
    pub items: Vec<CatalogItem>,
    pub candidates: Vec<Candidate>,
    /// Every transition asked of the store, by action, whether or not it applied.
    pub transitions: Vec<OrderAction>,
    /// Providers holding as many jobs as they can.
    pub full: Vec<ProviderId>,
    /// Each provider's active staff.
    pub staff: Vec<(AccountId, ProviderId)>,
    /// A copy of the catalog older than `items`, as a replica that has not read the change yet holds it.
    pub stale_items: Option<Vec<CatalogItem>>,
    pub visits: Vec<Visit>,
    pub ratings: Vec<Rating>,
    pub follow_ups: Vec<FollowUp>,
    pub complaints: Vec<Complaint>,
    pub plans: Vec<super::plans::CarePlan>,
    /// The idempotency keys used, with the order each placed.
    pub keys: Vec<(AccountId, String, OrderId)>,
    /// The accounts that are residents', for a worker filing on their behalf.
    pub residents: Vec<AccountId>,
    /// Each decline asked for, with its reason, whether or not an offer was open.
    pub decline_reasons: Vec<(OrderId, ProviderId, Option<super::JobReason>)>,
}

/// The instant the visit and aftercare tests stand at.
pub fn test_now() -> DateTime<Utc> {
    use chrono::TimeZone;
    Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap()
}

/// The use cases over `fake`, with the clock stopped at `at`.
pub fn desk_at(
    at: DateTime<Utc>,
    fake: &FakeOrders,
) -> super::OrderDesk<FakeOrders, FakeQueue, crate::clock::FixedClock> {
    super::OrderDesk::new(fake.clone(), FakeQueue, crate::clock::FixedClock(at), Duration::from_secs(120))
}

/// Runs a use case over the fakes, which never wait.
pub fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    use futures_util::FutureExt;
    f.now_or_never().expect("the fakes never wait")
}

/// A new account of `role`, of no provider or community.
pub fn someone(role: crate::accounts::Role) -> crate::accounts::Actor {
    crate::accounts::Actor { account: AccountId(Uuid::now_v7()), role, provider: None, community: None, street: None }
}

/// The fake store; clones share what they hold.
#[derive(Clone, Default)]
pub struct FakeOrders(Arc<Mutex<Held>>);

impl FakeOrders {
    pub fn held(&self) -> MutexGuard<'_, Held> {
        self.0.lock().expect("a test panicked while holding the fake")
    }

    pub fn transitions(&self) -> Vec<OrderAction> {
        self.held().transitions.clone()
    }

    /// An order of `resident` in `community`, in `state`, held by `provider`.
    pub fn order(
        &self,
        resident: AccountId,
        community: CommunityId,
        state: OrderState,
        provider: Option<ProviderId>,
    ) -> OrderId {
        let now = DateTime::UNIX_EPOCH;
        let id = OrderId(Uuid::now_v7());
        self.held().orders.push(Order {
            id,
            resident,
            placed_by: resident,
            item: ItemId(15),
            community,
            address: "文安路12号".into(),
            location: crate::geo::GeoPoint::parse(41.78, 123.40).expect("a point in Shenyang"),
            schedule: Schedule::Asap,
            notes: String::new(),
            state,
            provider,
            scope: Scope::Community,
            round: 0,
            accept_by: None,
            high_risk: false,
            assignee: None,
            answers: Default::default(),
            plan: None,
            preferred: None,
            placed_at: now,
            updated_at: now,
        });
        id
    }

    /// An open offer of `order` to `provider`.
    pub fn offer(&self, order: OrderId, provider: ProviderId) {
        self.held().offers.push(Offer {
            order,
            provider,
            status: OfferStatus::Open,
            offered_at: DateTime::UNIX_EPOCH,
            deadline: DateTime::UNIX_EPOCH + chrono::TimeDelta::days(30_000),
            explanation: "近".into(),
        });
    }

    /// The windows of the item's bookings in the community that no provider holds yet.
    pub fn pending(&self, item: ItemId, community: CommunityId) -> Vec<TimeWindow> {
        let unheld = [OrderState::Submitted, OrderState::Offered, OrderState::Escalated];
        let held = self.held();
        let mine = held.orders.iter().filter(|o| o.item == item && o.community == community);
        mine.filter(|o| unheld.contains(&o.state))
            .filter_map(|o| match o.schedule {
                Schedule::Window(w) => Some(w),
                Schedule::Asap => None,
            })
            .collect()
    }

    pub fn state_of(&self, id: OrderId) -> OrderState {
        self.held().orders.iter().find(|o| o.id == id).expect("the order exists").state
    }
}

impl Orders for FakeOrders {
    async fn insert_order(&self, order: NewOrder, at: DateTime<Utc>) -> Result<Placed, InsertOrderError> {
        let asks = self.held().items.iter().find(|i| i.id == order.item).map(|i| i.questions.clone());
        if asks.is_some_and(|q| q != order.asked) {
            return Err(InsertOrderError::QuestionsChanged);
        }
        let key = order.idempotency_key.as_ref().map(|k| k.as_ref().to_owned());
        if let Some(key) = &key {
            let held = self.held();
            let earlier = held.keys.iter().find(|(r, k, _)| *r == order.resident && k == key).map(|(_, _, id)| *id);
            if let Some(existing) = earlier.and_then(|id| held.orders.iter().find(|o| o.id == id)) {
                return Ok(Placed::Existing(existing.clone()));
            }
        }
        if let (Some(hold), Schedule::Window(w)) = (order.slot, order.schedule) {
            let pending = self.pending(order.item, order.community).into_iter().filter(|p| p.overlaps(&w)).count();
            if pending as u32 >= hold.room {
                return Err(InsertOrderError::SlotFull);
            }
        }
        let id = self.order(order.resident, order.community, OrderState::Submitted, None);
        let mut held = self.held();
        let placed = held.orders.iter_mut().find(|o| o.id == id).expect("just added");
        placed.item = order.item;
        placed.schedule = order.schedule;
        placed.location = order.location;
        placed.accept_by = order.accept_by;
        placed.high_risk = order.high_risk;
        placed.answers = order.answers;
        (placed.address, placed.notes) = (order.address.as_ref().to_owned(), order.notes.as_ref().to_owned());
        (placed.plan, placed.preferred, placed.placed_by) = (order.plan, order.preferred, order.placed_by);
        placed.placed_at = at;
        let placed = placed.clone();
        if let Some(key) = key {
            held.keys.push((order.resident, key, id));
        }
        Ok(Placed::New(placed))
    }

    async fn find_order(&self, id: OrderId) -> Result<Option<Order>, Unexpected> {
        Ok(self.held().orders.iter().find(|o| o.id == id).cloned())
    }

    async fn find_orders(&self, ids: &[OrderId]) -> Result<Vec<Order>, Unexpected> {
        Ok(self.held().orders.iter().filter(|o| ids.contains(&o.id)).cloned().collect())
    }

    async fn order_events(&self, _id: OrderId) -> Result<Vec<OrderEvent>, Unexpected> {
        Ok(Vec::new())
    }

    async fn transition(&self, change: Transition) -> Result<Option<Order>, Unexpected> {
        let mut held = self.held();
        held.transitions.push(change.action);
        let Some(order) = held.orders.iter_mut().find(|o| o.id == change.order) else { return Ok(None) };
        if order.state != change.from || change.holder.is_some_and(|h| order.provider != Some(h)) {
            return Ok(None);
        }
        order.state = change.to;
        order.updated_at = change.at;
        match &change.effect {
            TransitionEffect::AwardTo(p) => (order.provider, order.assignee) = (Some(*p), change.actor),
            TransitionEffect::AssignTo(p) => (order.provider, order.assignee) = (Some(*p), None),
            TransitionEffect::ReleaseFrom(_) => (order.provider, order.assignee) = (None, None),
            _ => {}
        }
        let order = order.clone();
        match change.effect {
            TransitionEffect::AwardTo(p) => {
                for offer in held.offers.iter_mut().filter(|o| o.order == change.order && o.status == OfferStatus::Open)
                {
                    offer.status = if offer.provider == p { OfferStatus::Won } else { OfferStatus::Withdrawn };
                }
            }
            TransitionEffect::Started(mark) => held.visits.push(Visit {
                order: change.order,
                started: Some(mark),
                completed: None,
                note: None,
                verdict: None,
            }),
            TransitionEffect::Completed(done) => {
                if let Some(v) = held.visits.iter_mut().find(|v| v.order == change.order) {
                    v.completed = Some(done.mark);
                    v.note = Some(done.note.into_string());
                    v.verdict = Some(Verdict::Pending { due: done.confirm_by });
                }
            }
            TransitionEffect::OpenOffers { offers, deadline, .. } => {
                for (provider, explanation) in offers {
                    held.offers.push(Offer {
                        order: change.order,
                        provider,
                        status: OfferStatus::Open,
                        offered_at: change.at,
                        deadline,
                        explanation,
                    });
                }
            }
            _ => {}
        }
        Ok(Some(order))
    }

    async fn reschedule(&self, change: Reschedule) -> Result<RescheduleOutcome, Unexpected> {
        let mut held = self.held();
        let Some(order) = held.orders.iter_mut().find(|o| o.id == change.order && o.state == change.from) else {
            return Ok(RescheduleOutcome::StateChanged);
        };
        (order.schedule, order.state, order.accept_by) = (Schedule::Window(change.window), change.to, change.accept_by);
        if change.to != change.from {
            (order.scope, order.round) = (Scope::Community, 0);
        }
        Ok(RescheduleOutcome::Moved(Box::new(order.clone())))
    }

    async fn set_assignee(
        &self,
        id: OrderId,
        holder: ProviderId,
        states: &[OrderState],
        staff: AccountId,
        at: DateTime<Utc>,
    ) -> Result<Option<Order>, Unexpected> {
        let mut held = self.held();
        let Some(order) = held.orders.iter_mut().find(|o| o.id == id) else { return Ok(None) };
        if order.provider != Some(holder) || !states.contains(&order.state) {
            return Ok(None);
        }
        (order.assignee, order.updated_at) = (Some(staff), at);
        Ok(Some(order.clone()))
    }

    async fn transition_batch(&self, changes: Vec<Transition>) -> Result<Vec<bool>, Unexpected> {
        let mut applied = Vec::with_capacity(changes.len());
        for change in changes {
            applied.push(self.transition(change).await?.is_some());
        }
        Ok(applied)
    }
}

impl OrderLists for FakeOrders {
    async fn area_orders(
        &self,
        reach: &super::Reach,
        filter: &super::AreaFilter,
        before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<super::ListedOrder>, Unexpected> {
        let held = self.held();
        let mut found: Vec<&Order> = held
            .orders
            .iter()
            .filter(|o| super::area::matches(o, reach, filter) && before.is_none_or(|b| o.id.0 < b.0))
            .collect();
        found.sort_by_key(|o| std::cmp::Reverse(o.id.0));
        let listed = found.into_iter().take(limit as usize).map(|o| super::ListedOrder {
            order: o.clone(),
            item_name: format!("item {}", o.item.0),
            community_name: format!("community {}", o.community.0),
            resident_name: format!("resident {}", o.resident.0),
            filed_by_name: format!("account {}", o.placed_by.0),
            provider_name: o.provider.map(|p| format!("provider {}", p.0)),
        });
        Ok(listed.collect())
    }

    async fn orders_of_resident(
        &self,
        resident: AccountId,
        _before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let held = self.held();
        Ok(held.orders.iter().filter(|o| o.resident == resident).take(limit as usize).cloned().collect())
    }

    async fn escalated_orders(
        &self,
        communities: Option<Vec<CommunityId>>,
        _before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let held = self.held();
        let escalated = held.orders.iter().filter(|o| {
            o.state == OrderState::Escalated && communities.as_ref().is_none_or(|c| c.contains(&o.community))
        });
        Ok(escalated.take(limit as usize).cloned().collect())
    }

    async fn orders_of_provider(
        &self,
        provider: ProviderId,
        _before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let held = self.held();
        Ok(held.orders.iter().filter(|o| o.provider == Some(provider)).take(limit as usize).cloned().collect())
    }

    async fn resident_contact(&self, _resident: AccountId) -> Result<Option<ResidentContact>, Unexpected> {
        Ok(Some(ResidentContact { name: "王阿姨".into(), phone: Some("13912345678".into()) }))
    }

    async fn provider_contact(
        &self,
        _provider: ProviderId,
        staff: Option<AccountId>,
    ) -> Result<Option<ProviderContact>, Unexpected> {
        let named = staff.map(|s| format!("师傅 {}", s.0));
        let phone = staff.map(|_| "13800000010".to_owned());
        let organization = "文安路家政服务社".into();
        Ok(Some(ProviderContact { organization, staff_name: named, phone, rating: 4.0, rating_count: 0 }))
    }

    async fn provider_staff(&self, provider: ProviderId) -> Result<Vec<(AccountId, String)>, Unexpected> {
        let held = self.held();
        Ok(held.staff.iter().filter(|(_, p)| *p == provider).map(|(a, _)| (*a, format!("师傅 {}", a.0))).collect())
    }

    async fn is_staff_of(&self, account: AccountId, provider: ProviderId) -> Result<bool, Unexpected> {
        Ok(self.held().staff.contains(&(account, provider)))
    }
}

impl Offers for FakeOrders {
    async fn offers_of_order(&self, id: OrderId) -> Result<Vec<Offer>, Unexpected> {
        Ok(self.held().offers.iter().filter(|o| o.order == id).cloned().collect())
    }

    async fn offers_of_orders(&self, ids: &[OrderId]) -> Result<Vec<Offer>, Unexpected> {
        Ok(self.held().offers.iter().filter(|o| ids.contains(&o.order)).cloned().collect())
    }

    async fn open_offers_of_provider(
        &self,
        provider: ProviderId,
        limit: u64,
    ) -> Result<Vec<(Offer, Order)>, Unexpected> {
        let held = self.held();
        let open = held.offers.iter().filter(|o| o.provider == provider && o.status == OfferStatus::Open);
        let with_order =
            open.filter_map(|o| held.orders.iter().find(|r| r.id == o.order).map(|r| (o.clone(), r.clone())));
        Ok(with_order.take(limit as usize).collect())
    }

    async fn decline_offer(
        &self,
        order: OrderId,
        provider: ProviderId,
        _actor: AccountId,
        reason: Option<super::JobReason>,
        _at: DateTime<Utc>,
    ) -> Result<DeclineOutcome, Unexpected> {
        let mut held = self.held();
        held.decline_reasons.push((order, provider, reason));
        let Some(offer) = held
            .offers
            .iter_mut()
            .find(|o| o.order == order && o.provider == provider && o.status == OfferStatus::Open)
        else {
            return Ok(DeclineOutcome::NoOpenOffer);
        };
        offer.status = OfferStatus::Declined;
        let last = !held.offers.iter().any(|o| o.order == order && o.status == OfferStatus::Open);
        Ok(DeclineOutcome::Declined { returned_to_dispatch: last })
    }

    async fn expire_offers_of(&self, _orders: &[OrderId], _now: DateTime<Utc>) -> Result<Vec<OrderId>, Unexpected> {
        Ok(Vec::new())
    }

    async fn expire_offers(&self, _now: DateTime<Utc>, _limit: u64) -> Result<Vec<OrderId>, Unexpected> {
        Ok(Vec::new())
    }

    async fn provider_full(
        &self,
        provider: ProviderId,
        _order: OrderId,
        _at: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        Ok(self.held().full.contains(&provider))
    }

    async fn open_offers(&self, _limit: u64) -> Result<Vec<Offer>, Unexpected> {
        Ok(Vec::new())
    }
}

impl Backlog for FakeOrders {
    async fn overdue_orders(&self, _now: DateTime<Utc>, _limit: u64) -> Result<Vec<Order>, Unexpected> {
        Ok(Vec::new())
    }

    async fn waiting_orders(&self, _limit: u64) -> Result<Vec<OrderId>, Unexpected> {
        Ok(Vec::new())
    }

    async fn take_stranded_orders(
        &self,
        _cutoff: DateTime<Utc>,
        _now: DateTime<Utc>,
        _limit: u64,
    ) -> Result<Vec<OrderId>, Unexpected> {
        Ok(Vec::new())
    }
}

impl Visits for FakeOrders {
    async fn visit(&self, order: OrderId) -> Result<Option<Visit>, Unexpected> {
        Ok(self.held().visits.iter().find(|v| v.order == order).cloned())
    }

    async fn answer_visit(
        &self,
        order: OrderId,
        answer: &Answer,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        let mut held = self.held();
        let Some(v) = held.visits.iter_mut().find(|v| v.order == order) else { return Ok(false) };
        if !matches!(v.verdict, Some(Verdict::Pending { .. })) {
            return Ok(false);
        }
        v.verdict = Some(match answer {
            Answer::Confirm => Verdict::Confirmed { at, by: Some(by) },
            Answer::Dispute(reason) => {
                Verdict::Disputed { at, by, reason: reason.as_ref().to_owned(), resolution: None }
            }
        });
        Ok(true)
    }

    async fn resolve_dispute(&self, order: OrderId, resolution: &Resolution) -> Result<bool, Unexpected> {
        let mut held = self.held();
        let Some(v) = held.visits.iter_mut().find(|v| v.order == order) else { return Ok(false) };
        match &mut v.verdict {
            Some(Verdict::Disputed { resolution: open @ None, .. }) => {
                *open = Some(resolution.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn open_disputes(
        &self,
        communities: Option<Vec<CommunityId>>,
        _before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<(Order, Visit)>, Unexpected> {
        let held = self.held();
        let disputed = held.visits.iter().filter(|v| v.open_dispute());
        let with_order =
            disputed.filter_map(|v| held.orders.iter().find(|o| o.id == v.order).map(|o| (o.clone(), v.clone())));
        Ok(with_order
            .filter(|(o, _)| communities.as_ref().is_none_or(|c| c.contains(&o.community)))
            .take(limit as usize)
            .collect())
    }

    async fn rating(&self, order: OrderId) -> Result<Option<Rating>, Unexpected> {
        Ok(self.held().ratings.iter().find(|r| r.order == order).cloned())
    }

    async fn rate(&self, new: NewRating, editable_after: DateTime<Utc>) -> Result<Option<Rating>, Unexpected> {
        let mut held = self.held();
        let comment = new.comment.map(|c| c.into_string());
        match held.ratings.iter_mut().find(|r| r.order == new.order) {
            Some(r) if r.rated_at < editable_after => Ok(None),
            Some(r) => {
                (r.stars, r.comment, r.updated_at) = (new.stars, comment, new.at);
                Ok(Some(r.clone()))
            }
            None => {
                let r = Rating {
                    order: new.order,
                    provider: new.provider,
                    stars: new.stars,
                    comment,
                    rated_at: new.at,
                    updated_at: new.at,
                };
                held.ratings.push(r.clone());
                Ok(Some(r))
            }
        }
    }

    async fn confirm_due_visits(&self, now: DateTime<Utc>, limit: u64) -> Result<usize, Unexpected> {
        let mut held = self.held();
        let due = held.visits.iter_mut().filter(|v| matches!(v.verdict, Some(Verdict::Pending { due }) if due <= now));
        let mut confirmed = 0;
        for v in due.take(limit as usize) {
            v.verdict = Some(Verdict::Confirmed { at: now, by: None });
            confirmed += 1;
        }
        Ok(confirmed)
    }
}

impl Aftercare for FakeOrders {
    async fn follow_up(&self, order: OrderId) -> Result<Option<FollowUp>, Unexpected> {
        Ok(self.held().follow_ups.iter().find(|f| f.order == order).cloned())
    }

    async fn record_follow_up(&self, follow_up: &FollowUp) -> Result<bool, Unexpected> {
        let mut held = self.held();
        if held.follow_ups.iter().any(|f| f.order == follow_up.order) {
            return Ok(false);
        }
        held.follow_ups.push(follow_up.clone());
        Ok(true)
    }

    async fn awaiting_follow_up(
        &self,
        communities: Option<Vec<CommunityId>>,
        _before: Option<OrderId>,
        limit: u64,
    ) -> Result<Vec<Order>, Unexpected> {
        let held = self.held();
        let due = held.orders.iter().filter(|o| {
            o.state == OrderState::Completed
                && communities.as_ref().is_none_or(|c| c.contains(&o.community))
                && !held.follow_ups.iter().any(|f| f.order == o.id)
        });
        Ok(due.take(limit as usize).cloned().collect())
    }

    async fn open_complaint(&self, complaint: &Complaint) -> Result<bool, Unexpected> {
        let mut held = self.held();
        if held.complaints.iter().any(|c| c.order == complaint.order) {
            return Ok(false);
        }
        held.complaints.push(complaint.clone());
        Ok(true)
    }

    async fn complaint(&self, id: ComplaintId) -> Result<Option<Complaint>, Unexpected> {
        Ok(self.held().complaints.iter().find(|c| c.id == id).cloned())
    }

    async fn complaint_of_order(&self, order: OrderId) -> Result<Option<Complaint>, Unexpected> {
        Ok(self.held().complaints.iter().find(|c| c.order == order).cloned())
    }

    async fn complaints(
        &self,
        scope: ComplaintScope,
        states: &[ComplaintState],
        _before: Option<ComplaintId>,
        limit: u64,
    ) -> Result<Vec<Complaint>, Unexpected> {
        let held = self.held();
        let fits = |c: &&Complaint| {
            let within = match &scope {
                ComplaintScope::All => true,
                ComplaintScope::Communities(x) => x.contains(&c.community),
                ComplaintScope::Provider(p) => c.provider == *p,
            };
            within && (states.is_empty() || states.contains(&c.state))
        };
        Ok(held.complaints.iter().filter(fits).take(limit as usize).cloned().collect())
    }

    async fn answer_complaint(
        &self,
        id: ComplaintId,
        answer: &str,
        _by: AccountId,
        at: DateTime<Utc>,
    ) -> Result<bool, Unexpected> {
        let mut held = self.held();
        let Some(c) = held.complaints.iter_mut().find(|c| c.id == id) else { return Ok(false) };
        if c.state == ComplaintState::Answered {
            return Ok(false);
        }
        (c.state, c.answer, c.answered_at) = (ComplaintState::Answered, Some(answer.to_owned()), Some(at));
        Ok(true)
    }

    async fn escalate_overdue_complaints(&self, now: DateTime<Utc>, limit: u64) -> Result<usize, Unexpected> {
        let mut held = self.held();
        let due = held.complaints.iter_mut().filter(|c| c.state == ComplaintState::Open && c.due_at <= now);
        let mut n = 0;
        for c in due.take(limit as usize) {
            (c.state, c.escalated_at) = (ComplaintState::Escalated, Some(now));
            n += 1;
        }
        Ok(n)
    }
}

impl Candidates for FakeOrders {
    async fn candidates(&self, _item: ItemId, _now: DateTime<Utc>) -> Result<Vec<Candidate>, Unexpected> {
        Ok(self.held().candidates.clone())
    }

    async fn catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        Ok(self.held().items.iter().find(|i| i.id == id).cloned())
    }

    async fn recent_catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        let held = self.held();
        let copy = held.stale_items.as_ref().unwrap_or(&held.items);
        Ok(copy.iter().find(|i| i.id == id).cloned())
    }

    async fn area_of(&self, _community: CommunityId) -> Result<Option<Area>, Unexpected> {
        let centre = crate::geo::GeoPoint::parse(41.80, 123.40).expect("a point in Shenyang");
        Ok(Some(Area { street: StreetId(1), district: DistrictId(1), centre }))
    }

    async fn pending_windows(
        &self,
        item: ItemId,
        community: CommunityId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<TimeWindow>, Unexpected> {
        let span = TimeWindow::from_stored(from, until);
        Ok(self.pending(item, community).into_iter().filter(|w| w.overlaps(&span)).collect())
    }
}

/// A queue that accepts everything and answers every claim as won.
#[derive(Clone, Default)]
pub struct FakeQueue;

impl DispatchQueue for FakeQueue {
    async fn enqueue(&self, _order: OrderId) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn receive(
        &self,
        _consumer: &str,
        _max: usize,
        _wait: Duration,
        _reclaim_after: Duration,
    ) -> Result<Vec<Delivery>, Unexpected> {
        Ok(Vec::new())
    }

    async fn ack(&self, _delivery: &Delivery) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn release_pending(&self, _consumer: &str) -> Result<usize, Unexpected> {
        Ok(0)
    }

    async fn publish_offers(
        &self,
        _order: OrderId,
        _providers: &[ProviderId],
        _deadline: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn claim(&self, _order: OrderId, _provider: ProviderId) -> Result<ClaimOutcome, Unexpected> {
        Ok(ClaimOutcome::Won)
    }

    async fn release_claim(&self, _order: OrderId, _provider: ProviderId) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn withdraw_offer(&self, _order: OrderId, _provider: ProviderId) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn due_offers(&self, _now: DateTime<Utc>, _limit: usize) -> Result<Vec<OrderId>, Unexpected> {
        Ok(Vec::new())
    }

    async fn forget_deadline(&self, _order: OrderId, _due_by: DateTime<Utc>) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn clear_offers(&self, _order: OrderId) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn lost_state(&self) -> Result<bool, Unexpected> {
        Ok(false)
    }

    async fn mark_lost(&self) -> Result<(), Unexpected> {
        Ok(())
    }

    async fn ping(&self) -> Result<(), Unexpected> {
        Ok(())
    }
}
