//! The storage ports of orders, one per concern: [`Orders`], [`OrderLists`], [`Offers`], [`Backlog`] and
//! [`Candidates`], [`Visits`] and [`Aftercare`] (care plans have theirs, [`CarePlans`]). Adapters make each
//! [`Transition`] one conditional update in a transaction that also appends the order's event and an outbox
//! row; the state machine decides which transitions exist.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::aftercare::{Complaint, ComplaintId, ComplaintScope, ComplaintState, FollowUp};
use super::area::{AreaFilter, ListedOrder, Reach};
use super::hand_back::JobReason;
use super::model::{Offer, Order, OrderEvent, OrderId, ProviderContact, ResidentContact, Schedule};
use super::plans::{CarePlanId, CarePlans};
use super::request::{Address, IdempotencyKey, Notes, TimeWindow};
use super::state::{OrderAction, OrderState};
use super::visit::{Answer, Mark, NewRating, Rating, Resolution, Visit, VisitText};
use crate::accounts::AccountId;
use crate::audit::AuditEntry;
use crate::catalog::{Answers, CatalogItem, ItemId, Questions};
use crate::dispatch::{Candidate, Scope};
use crate::error::Unexpected;
use crate::geo::{Area, CommunityId, GeoPoint};
use crate::providers::ProviderId;

/// An order as parsed from a request, before it has an id.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub resident: AccountId,
    pub placed_by: AccountId,
    pub item: ItemId,
    pub community: CommunityId,
    pub address: Address,
    pub location: GeoPoint,
    pub schedule: Schedule,
    pub notes: Notes,
    pub idempotency_key: Option<IdempotencyKey>,
    /// When it must have been accepted; [`OrderDesk::place`](super::OrderDesk::place) sets it.
    pub accept_by: Option<DateTime<Utc>>,
    /// A mediation intake judged high risk.
    pub high_risk: bool,
    /// The answers to the item's questions; [`OrderDesk::place`](super::OrderDesk::place) checks and sets them.
    pub answers: Answers,
    /// The questions the answers were checked against. The insert is refused with
    /// [`InsertOrderError::QuestionsChanged`] when the item asks others by then (or was retired), so that a
    /// check against a copy of the catalog that predates a change never lets an order in.
    pub asked: Questions,
    /// For a booked time: the room the providers have then, which the item's bookings in the community that no
    /// provider holds yet must stay below ([`OrderDesk::place`](super::OrderDesk::place) sets it).
    pub slot: Option<SlotHold>,
    /// The care plan it is a visit of.
    pub plan: Option<CarePlanId>,
    /// The provider dispatch offers it to first, if eligible.
    pub preferred: Option<ProviderId>,
}

/// A place at a booked time. The insert counts the item's unheld bookings in the community overlapping the
/// window and goes ahead only while there are fewer than `room`, under a lock per item and community, so that
/// however many residents book the last place at once, one gets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotHold {
    pub room: u32,
}

impl NewOrder {
    /// The request's content in one canonical string: two requests with the same key must say the same thing.
    pub fn fingerprint(&self) -> String {
        let schedule = match self.schedule {
            Schedule::Asap => "asap".to_owned(),
            Schedule::Window(w) => format!("{}/{}", w.start().to_rfc3339(), w.end().to_rfc3339()),
        };
        format!(
            "{}|{}|{}|{}|{:.6},{:.6}|{}|{}|{}|{}",
            self.resident.0,
            self.item.0,
            self.community.0,
            self.address.as_ref(),
            self.location.lat(),
            self.location.lng(),
            schedule,
            self.notes.as_ref(),
            self.high_risk,
            serde_json::to_string(&self.answers).unwrap_or_default()
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Placed {
    New(Order),
    /// The idempotency key was used before by the same resident: this is the order it made.
    Existing(Order),
}

impl Placed {
    pub fn order(&self) -> &Order {
        match self {
            Placed::New(o) | Placed::Existing(o) => o,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InsertOrderError {
    #[error("no catalog item has that id")]
    UnknownItem,
    #[error("no community has that id")]
    UnknownCommunity,
    #[error("this idempotency key was used for a different order")]
    KeyReused,
    /// The item's questions are no longer those the answers were checked against, or it was retired.
    #[error("the item's questions changed")]
    QuestionsChanged,
    /// The booked time has no place left ([`NewOrder::slot`]).
    #[error("the time is fully booked")]
    SlotFull,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// One move of the state machine, with whatever else must be written in the same transaction.
#[derive(Clone, Debug)]
pub struct Transition {
    pub order: OrderId,
    pub action: OrderAction,
    /// The state the caller saw; the update applies only if the order is still in it.
    pub from: OrderState,
    pub to: OrderState,
    /// When set, the update applies only while this provider holds the order (a provider's own steps), so a
    /// stale request from a former holder cannot move the order of a new one.
    pub holder: Option<ProviderId>,
    pub actor: Option<AccountId>,
    pub note: String,
    pub at: DateTime<Utc>,
    pub effect: TransitionEffect,
    /// For a change an admin or worker made by hand: the audit entry written with it.
    pub audit: Option<Box<AuditEntry>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TransitionEffect {
    None,
    /// Record an open offer to each provider, with why it was chosen, and the scope and round they belong to.
    OpenOffers {
        offers: Vec<(ProviderId, String)>,
        deadline: DateTime<Utc>,
        scope: Scope,
        round: u32,
    },
    /// Give the order to `provider`, which must hold an open offer; every other open offer is withdrawn.
    AwardTo(ProviderId),
    /// Give an escalated order to `provider` by hand.
    AssignTo(ProviderId),
    /// Record the start of the visit.
    Started(Mark),
    /// Record the end of the visit (boxed: it is the largest effect, and transitions travel in batches).
    Completed(Box<Completion>),
    /// The order's provider gives it back; their offer is marked released and the order has no provider.
    ReleaseFrom(ProviderId),
    /// Withdraw every open offer (the order was cancelled or escalated).
    WithdrawOffers,
}

/// The end of a visit: when and where, the staff member's note, and when the resident's answer is due. For a
/// Party member's volunteer order, the time in service is credited to their hours in the order's community
/// with it, so that the completion and the hours cannot part.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub mark: Mark,
    pub note: VisitText,
    pub confirm_by: DateTime<Utc>,
    pub credit_hours: Option<AccountId>,
}

/// Moving an order's appointment to another window, if the order is still in `from`. An escalated booking
/// moved goes back to dispatch: `to` is then `submitted`, with a fresh acceptance deadline and dispatch
/// starting again from the community.
#[derive(Clone, Debug)]
pub struct Reschedule {
    pub order: OrderId,
    pub from: OrderState,
    pub to: OrderState,
    pub accept_by: Option<DateTime<Utc>>,
    pub window: TimeWindow,
    pub actor: AccountId,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RescheduleOutcome {
    Moved(Box<Order>),
    /// The order left `from` meanwhile.
    StateChanged,
    /// The provider holding the order already has as many jobs at the new time as it can take.
    ProviderFull,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeclineOutcome {
    /// The provider holds no open offer for this order.
    NoOpenOffer,
    Declined {
        returned_to_dispatch: bool,
    },
}

/// The orders themselves: placing one, reading it and its history, and moving it. Every move is one
/// conditional update that also appends the order's event and its outbox row.
pub trait Orders: Clone + Send + Sync + 'static {
    /// Inserts the order with its first event, or returns the order an earlier use of the same idempotency key made.
    fn insert_order(
        &self,
        order: NewOrder,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Placed, InsertOrderError>> + Send;

    fn find_order(&self, id: OrderId) -> impl Future<Output = Result<Option<Order>, Unexpected>> + Send;

    /// The orders among `ids` that exist, in no particular order.
    fn find_orders(&self, ids: &[OrderId]) -> impl Future<Output = Result<Vec<Order>, Unexpected>> + Send;

    fn order_events(&self, id: OrderId) -> impl Future<Output = Result<Vec<OrderEvent>, Unexpected>> + Send;

    /// Applies the transition if the order is still in `from`; `None` when it no longer is.
    fn transition(&self, change: Transition) -> impl Future<Output = Result<Option<Order>, Unexpected>> + Send;

    /// Moves the order's window, with an event and an outbox row (topic `order.rescheduled`) in the same
    /// transaction. A provider holding the order keeps it only with room at the new time, checked under the
    /// same lock as an award.
    fn reschedule(&self, change: Reschedule) -> impl Future<Output = Result<RescheduleOutcome, Unexpected>> + Send;

    /// Applies each transition as [`transition`](Self::transition) would, each on its own terms; says for each
    /// whether it applied. An adapter may write them together, which is what makes dispatching a batch cheap.
    fn transition_batch(&self, changes: Vec<Transition>) -> impl Future<Output = Result<Vec<bool>, Unexpected>> + Send;

    /// Names the staff member who will come, while `holder` holds the order in `states`; `None` when it no
    /// longer does.
    fn set_assignee(
        &self,
        id: OrderId,
        holder: ProviderId,
        states: &[OrderState],
        staff: AccountId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Order>, Unexpected>> + Send;
}

/// The orders one person follows, newest first, a page at a time.
pub trait OrderLists: Clone + Send + Sync + 'static {
    /// A resident's orders, newest first, strictly older than `before` when given.
    fn orders_of_resident(
        &self,
        resident: AccountId,
        before: Option<OrderId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<Order>, Unexpected>> + Send;

    /// Escalated orders, newest first, of some communities or all of them.
    fn escalated_orders(
        &self,
        communities: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<Order>, Unexpected>> + Send;

    /// Orders given to a provider, in any state since, newest first.
    fn orders_of_provider(
        &self,
        provider: ProviderId,
        before: Option<OrderId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<Order>, Unexpected>> + Send;

    /// The orders over `reach` that pass `filter`, newest first, strictly older than `before` when given, each
    /// with the names it is read by.
    fn area_orders(
        &self,
        reach: &Reach,
        filter: &AreaFilter,
        before: Option<OrderId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<ListedOrder>, Unexpected>> + Send;

    /// The name and number of the resident an order is for.
    fn resident_contact(
        &self,
        resident: AccountId,
    ) -> impl Future<Output = Result<Option<ResidentContact>, Unexpected>> + Send;

    /// Who is coming: the provider's name and, when one is named, the staff member's name and number.
    fn provider_contact(
        &self,
        provider: ProviderId,
        staff: Option<AccountId>,
    ) -> impl Future<Output = Result<Option<ProviderContact>, Unexpected>> + Send;

    /// The provider's active staff, by name: whom a job can be handed to.
    fn provider_staff(
        &self,
        provider: ProviderId,
    ) -> impl Future<Output = Result<Vec<(AccountId, String)>, Unexpected>> + Send;

    /// Whether `account` is active staff of `provider`.
    fn is_staff_of(
        &self,
        account: AccountId,
        provider: ProviderId,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;
}

/// Offers made to providers: reading them, declining, expiring, and the capacity an award must respect.
pub trait Offers: Clone + Send + Sync + 'static {
    /// Every offer ever made for the order.
    fn offers_of_order(&self, id: OrderId) -> impl Future<Output = Result<Vec<Offer>, Unexpected>> + Send;

    /// Every offer ever made for any of the orders.
    fn offers_of_orders(&self, ids: &[OrderId]) -> impl Future<Output = Result<Vec<Offer>, Unexpected>> + Send;

    /// A provider's open offers on orders still in dispatch, oldest first.
    fn open_offers_of_provider(
        &self,
        provider: ProviderId,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<(Offer, Order)>, Unexpected>> + Send;

    /// Marks the provider's open offer declined, for `reason` when one was given; when it was the last open one, returns the order to dispatch
    /// in the same transaction, so two declines at once cannot both leave it stranded.
    fn decline_offer(
        &self,
        order: OrderId,
        provider: ProviderId,
        actor: AccountId,
        reason: Option<JobReason>,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<DeclineOutcome, Unexpected>> + Send;

    /// Marks every open offer of these orders whose deadline has passed by `now` expired, and returns to
    /// dispatch each order left with no open offer. Returns those orders.
    fn expire_offers_of(
        &self,
        orders: &[OrderId],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<OrderId>, Unexpected>> + Send;

    /// Like [`expire_offers_of`](Self::expire_offers_of) for whichever orders have offers past their deadline
    /// (up to `limit` offers a call), found from the store alone.
    fn expire_offers(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<OrderId>, Unexpected>> + Send;

    /// Whether the provider already holds as many jobs overlapping the order's window as it can. The award
    /// itself checks again under a lock; this lets a caller say why up front.
    fn provider_full(
        &self,
        provider: ProviderId,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Every open offer, up to `limit`: what a rebuilt queue must know again.
    fn open_offers(&self, limit: u64) -> impl Future<Output = Result<Vec<Offer>, Unexpected>> + Send;
}

/// What dispatch has still to do: orders overdue for acceptance, waiting for a taker, or stranded by a lost
/// queue entry.
pub trait Backlog: Clone + Send + Sync + 'static {
    /// Orders still waiting for a taker (submitted or offered) whose acceptance deadline passed by `now`, up to
    /// `limit`.
    fn overdue_orders(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<Order>, Unexpected>> + Send;

    /// Orders waiting for dispatch, oldest first, up to `limit`.
    fn waiting_orders(&self, limit: u64) -> impl Future<Output = Result<Vec<OrderId>, Unexpected>> + Send;

    /// Orders still `submitted` since before `cutoff` (their queue entry may have been lost), each marked as
    /// re-queued at `now` so that replicas sweeping at once take each order once, and an order is taken at
    /// most once per sweep period.
    fn take_stranded_orders(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<OrderId>, Unexpected>> + Send;
}

/// What dispatch looks up to find takers: the providers offering an item, the item itself, and where a
/// community lies.
pub trait Candidates: Clone + Send + Sync + 'static {
    /// Every provider that offers `item`, as dispatch sees it at `now`.
    fn candidates(
        &self,
        item: ItemId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Candidate>, Unexpected>> + Send;

    fn catalog_item(&self, id: ItemId) -> impl Future<Output = Result<Option<CatalogItem>, Unexpected>> + Send;

    /// The item as this process last read it, without asking whether the catalog changed since: for a check
    /// the write confirms (an order's answers, through [`NewOrder::asked`]).
    fn recent_catalog_item(&self, id: ItemId) -> impl Future<Output = Result<Option<CatalogItem>, Unexpected>> + Send;

    /// The street and district a community lies in, and its centre.
    fn area_of(&self, community: CommunityId) -> impl Future<Output = Result<Option<Area>, Unexpected>> + Send;

    /// The windows of the item's bookings in the community that no provider holds yet (submitted, offered or
    /// escalated) and that overlap `[from, until)`: each takes a place at its time.
    fn pending_windows(
        &self,
        item: ItemId,
        community: CommunityId,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<TimeWindow>, Unexpected>> + Send;
}

/// The visits' records, the resident's answers to them and their ratings. Each answer is one conditional update (only while
/// the verdict is still pending, or the dispute still open) written with an order event and an outbox row.
pub trait Visits: Clone + Send + Sync + 'static {
    fn visit(&self, order: OrderId) -> impl Future<Output = Result<Option<Visit>, Unexpected>> + Send;

    /// Writes the answer while the verdict is still pending; false when it no longer is.
    fn answer_visit(
        &self,
        order: OrderId,
        answer: &Answer,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Closes an open dispute; false when there is none open.
    fn resolve_dispute(
        &self,
        order: OrderId,
        resolution: &Resolution,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Orders whose visit is disputed and not yet resolved, newest first, of some communities or all of them.
    fn open_disputes(
        &self,
        communities: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<(Order, Visit)>, Unexpected>> + Send;

    /// The resident's rating of the order's provider, if they gave one.
    fn rating(&self, order: OrderId) -> impl Future<Output = Result<Option<Rating>, Unexpected>> + Send;

    /// Records the rating, or the change to it when it was first given after `editable_after`, and moves the
    /// provider's tally and smoothed rating with it, in one transaction; `None` when it is too late to change.
    fn rate(
        &self,
        rating: NewRating,
        editable_after: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Rating>, Unexpected>> + Send;

    /// Confirms the visits still pending whose due time passed by `now`, up to `limit`; returns how many.
    fn confirm_due_visits(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<usize, Unexpected>> + Send;
}

/// Follow-ups and complaints after the service. Each write is conditional (a follow-up once per order, one
/// complaint per order, an answer only while unanswered, an escalation only while open and overdue), and each
/// complaint's writes carry an order event and an outbox row (`order.complaint_opened`, `…_answered`,
/// `…_escalated`).
pub trait Aftercare: Clone + Send + Sync + 'static {
    fn follow_up(&self, order: OrderId) -> impl Future<Output = Result<Option<FollowUp>, Unexpected>> + Send;

    /// Records the follow-up unless the order has one; says whether it did.
    fn record_follow_up(&self, follow_up: &FollowUp) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Completed orders not followed up yet, newest first, of some communities or all of them.
    fn awaiting_follow_up(
        &self,
        communities: Option<Vec<CommunityId>>,
        before: Option<OrderId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<Order>, Unexpected>> + Send;

    /// Opens the complaint unless its order has one; says whether it did.
    fn open_complaint(&self, complaint: &Complaint) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    fn complaint(&self, id: ComplaintId) -> impl Future<Output = Result<Option<Complaint>, Unexpected>> + Send;

    fn complaint_of_order(&self, order: OrderId) -> impl Future<Output = Result<Option<Complaint>, Unexpected>> + Send;

    /// Complaints in `scope`, newest first, in one of `states` (any when empty).
    fn complaints(
        &self,
        scope: ComplaintScope,
        states: &[ComplaintState],
        before: Option<ComplaintId>,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<Complaint>, Unexpected>> + Send;

    /// Records the provider's answer while the complaint is open or escalated; says whether it did.
    fn answer_complaint(
        &self,
        id: ComplaintId,
        answer: &str,
        by: AccountId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Escalates open complaints whose deadline passed by `now`, up to `limit`; returns how many.
    fn escalate_overdue_complaints(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> impl Future<Output = Result<usize, Unexpected>> + Send;
}

/// Everything the order use cases and the dispatcher store, as one bound: an adapter implements each port, and
/// gets this for free.
pub trait OrderStore: Orders + OrderLists + Offers + Backlog + Candidates + Visits + Aftercare + CarePlans {}

impl<S: Orders + OrderLists + Offers + Backlog + Candidates + Visits + Aftercare + CarePlans> OrderStore for S {}
