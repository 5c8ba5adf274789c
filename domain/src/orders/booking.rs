//! Booking a time: the open times of an item in a community, the place a booked time holds when an order is
//! placed, and the alternatives a resident is offered when their time is full or nobody could take it. Open
//! times are counted with dispatch's own rules over the same providers dispatch would rank
//! ([`routed_pool`]), so a time shown open is one dispatch can fill.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::OrderDesk;
use super::errors::{PlaceError, SlotsError};
use super::model::{Order, Schedule};
use super::ports::{NewOrder, OrderStore, SlotHold};
use super::request::TimeWindow;
use super::state::OrderState;
use crate::catalog::{CatalogItem, ItemId};
use crate::clock::Clock;
use crate::dispatch::{Candidate, DispatchQueue, Request, Scope, Slot, SlotSearch, routed};
use crate::error::{Invalid, Unexpected};
use crate::geo::{Area, CommunityId, GeoPoint};
use crate::providers::ProviderId;
use crate::time::local_midnight;

/// How many alternatives a resident is offered.
pub const ALTERNATIVES: usize = 5;

/// The most days of open times one request lists.
pub const MAX_SLOT_DAYS: u32 = 14;

/// The providers that may take the item's orders in a community at all, by the item's routing: the pool
/// dispatch ranks and open times count.
pub(super) fn routed_pool(
    item: &CatalogItem,
    community: CommunityId,
    area: &Area,
    all: &[Candidate],
) -> Vec<Candidate> {
    all.iter().filter(|c| routed(item.routing, c, community, area.street)).cloned().collect()
}

/// An item's open times in a community.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenTimes {
    pub item: ItemId,
    pub community: CommunityId,
    /// How long each time is: the item's service length.
    pub minutes: i32,
    pub slots: Vec<Slot>,
}

/// Everything a count of room at one place and time needs, read once.
struct Pool {
    candidates: Vec<Candidate>,
    pending: Vec<TimeWindow>,
    request: Request,
}

impl Pool {
    fn search<'a>(&'a self, length: chrono::Duration, excluded: &'a [ProviderId]) -> SlotSearch<'a> {
        SlotSearch { request: &self.request, length, candidates: &self.candidates, pending: &self.pending, excluded }
    }
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// The times from `from` (a Shanghai date) for `days` days at which the item can be booked in the
    /// community, each with the places left; public, like the catalog.
    pub async fn open_times(
        &self,
        item: ItemId,
        community: CommunityId,
        from: NaiveDate,
        days: u32,
    ) -> Result<OpenTimes, SlotsError> {
        if !(1..=MAX_SLOT_DAYS).contains(&days) {
            let why = format!("from 1 to {MAX_SLOT_DAYS} days");
            return Err(Invalid::new("days", "invalid_days", why).into());
        }
        let now = self.clock.now();
        let item = self.store.catalog_item(item).await?.ok_or(SlotsError::UnknownItem)?;
        if item.retired_at.is_some() {
            return Err(SlotsError::ItemRetired);
        }
        let area = self.store.area_of(community).await?.ok_or(SlotsError::UnknownCommunity)?;
        let start = local_midnight(from);
        let until = local_midnight(from + Days::new(u64::from(days)))
            .min(now + chrono::Duration::days(TimeWindow::MAX_LEAD_DAYS));
        let length = chrono::Duration::minutes(i64::from(item.duration_minutes.max(1)));
        let pool = self.pool(&item, community, area, area.centre, (start, until + length), now).await?;
        let slots = pool.search(length, &[]).open_slots(start, until, &self.travel, &self.slots);
        Ok(OpenTimes { item: item.id, community, minutes: item.duration_minutes.max(1), slots })
    }

    /// The place a new order's booked time must hold: `None` for an order as soon as possible, a high-risk
    /// intake (people step in at once), or a time nobody could serve with no other time open either (it goes
    /// on to dispatch and then to the community's workers, who can arrange something). A full time with other
    /// times open is refused with them.
    pub(super) async fn hold_for(
        &self,
        item: &CatalogItem,
        order: &NewOrder,
        now: DateTime<Utc>,
    ) -> Result<Option<SlotHold>, PlaceError> {
        let (Schedule::Window(window), false) = (order.schedule, order.high_risk) else {
            return Ok(None);
        };
        let area = self.store.area_of(order.community).await?.ok_or(PlaceError::UnknownCommunity)?;
        let pool = self.pool(item, order.community, area, order.location, around(&window), now).await?;
        let search = pool.search(window.end() - window.start(), &[]);
        if search.free_at(window, &self.travel) > 0 {
            return Ok(Some(SlotHold { room: search.room(window, &self.travel) }));
        }
        let alternatives = search.alternatives(&window, ALTERNATIVES, &self.travel, &self.slots);
        if alternatives.is_empty() { Ok(None) } else { Err(PlaceError::SlotFull { alternatives }) }
    }

    /// The open times nearest a booked time that turned out full as the order went in.
    pub(super) async fn alternatives_to(
        &self,
        item: &CatalogItem,
        order: &NewOrder,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, Unexpected> {
        let Schedule::Window(window) = order.schedule else {
            return Ok(Vec::new());
        };
        let Some(area) = self.store.area_of(order.community).await? else {
            return Ok(Vec::new());
        };
        let pool = self.pool(item, order.community, area, order.location, around(&window), now).await?;
        Ok(pool.search(window.end() - window.start(), &[]).alternatives(
            &window,
            ALTERNATIVES,
            &self.travel,
            &self.slots,
        ))
    }

    /// For an escalated booking, the open times nearest its own that a provider not yet asked could take:
    /// what the resident may move it to ([`reschedule`](Self::reschedule) sends it back to dispatch).
    pub(super) async fn alternatives_for(&self, order: &Order) -> Result<Vec<Slot>, Unexpected> {
        let (OrderState::Escalated, Schedule::Window(window), false) = (order.state, order.schedule, order.high_risk)
        else {
            return Ok(Vec::new());
        };
        let now = self.clock.now();
        let (Some(item), Some(area)) =
            (self.store.catalog_item(order.item).await?, self.store.area_of(order.community).await?)
        else {
            return Ok(Vec::new());
        };
        let asked: Vec<ProviderId> = self.store.offers_of_order(order.id).await?.iter().map(|o| o.provider).collect();
        let mut pool = self.pool(&item, order.community, area, order.location, around(&window), now).await?;
        // The order itself no longer needs a place at its own time.
        if let Some(own) = pool.pending.iter().position(|w| *w == window) {
            pool.pending.remove(own);
        }
        Ok(pool.search(window.end() - window.start(), &asked).alternatives(
            &window,
            ALTERNATIVES,
            &self.travel,
            &self.slots,
        ))
    }

    /// Reads the providers who may take the item in the community, and its unheld bookings in `span`.
    async fn pool(
        &self,
        item: &CatalogItem,
        community: CommunityId,
        area: Area,
        location: GeoPoint,
        (from, until): (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
    ) -> Result<Pool, Unexpected> {
        let candidates = routed_pool(item, community, &area, &self.store.candidates(item.id, now).await?);
        let pending = self.store.pending_windows(item.id, community, from, until).await?;
        let request = Request {
            item: item.id,
            category: item.category,
            community,
            street: area.street,
            district: area.district,
            location,
            // Each count puts its own window here.
            window: TimeWindow::from_stored(now, now),
            scope: Scope::Community,
            now,
        };
        Ok(Pool { candidates, pending, request })
    }
}

/// The span alternatives to `window` are looked for in, with room for their length.
fn around(window: &TimeWindow) -> (DateTime<Utc>, DateTime<Utc>) {
    (window.start() - chrono::Duration::days(3), window.end() + chrono::Duration::days(4))
}
