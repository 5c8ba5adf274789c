//! A worker's list of the orders they look after: their community's (a street worker's: every community's of
//! their street), and every order they filed for a resident anywhere (全科受理), filtered by state, item, how
//! the item is routed, provider, the days they were placed and who filed them, a page at a time or whole for
//! a CSV file. Admins see the city's.

use chrono::{DateTime, NaiveDate, Utc};

use super::errors::ListError;
use super::model::{Order, OrderId};
use super::ports::OrderStore;
use super::service::OrderDesk;
use super::state::OrderState;
use crate::accounts::{AccountId, Actor, Role};
use crate::catalog::{ItemId, Routing};
use crate::clock::Clock;
use crate::dispatch::DispatchQueue;
use crate::error::Invalid;
use crate::geo::CommunityId;
use crate::paging::{Page, PageRequest};
use crate::providers::ProviderId;
use crate::time::local_midnight;

/// The most rows one CSV file holds; `more` says when the filter matched more.
pub const MAX_AREA_EXPORT: u64 = 10_000;

/// Whose orders a list covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Every order (admins).
    City,
    /// The orders of these communities, and those `filer` filed anywhere.
    Communities { communities: Vec<CommunityId>, filer: AccountId },
}

/// The filters as a request gives them, before they are checked.
#[derive(Clone, Debug, Default)]
pub struct AreaFilterInput {
    pub state: Option<String>,
    pub item: Option<i32>,
    pub provider: Option<ProviderId>,
    /// The first and last Shanghai dates the orders were placed on, both included.
    pub placed_from: Option<NaiveDate>,
    pub placed_to: Option<NaiveDate>,
    /// Only the orders the caller filed.
    pub mine: bool,
    /// Only the orders of items routed this way (`property_dispute`: the street sub-center's cases).
    pub routing: Option<String>,
}

/// The filters, checked: each is `None` when not asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AreaFilter {
    pub state: Option<OrderState>,
    pub item: Option<ItemId>,
    pub provider: Option<ProviderId>,
    /// Placed at or after this instant, and before the next.
    pub placed_from: Option<DateTime<Utc>>,
    pub placed_before: Option<DateTime<Utc>>,
    pub filed_by: Option<AccountId>,
    pub routing: Option<Routing>,
}

impl AreaFilterInput {
    fn parse(self, actor: &Actor) -> Result<AreaFilter, Invalid> {
        let state = match self.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(OrderState::parse(s).ok_or_else(|| {
                let known: Vec<&str> = OrderState::ALL.iter().map(|s| s.as_str()).collect();
                Invalid::new("state", "invalid_state", format!("state is one of {}", known.join(", ")))
            })?),
        };
        let routing = match self.routing.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(r) => Some(Routing::parse(r).ok_or_else(|| {
                Invalid::new(
                    "routing",
                    "invalid_routing",
                    "routing is standard, volunteer, neighbour_dispute or property_dispute",
                )
            })?),
        };
        if let (Some(from), Some(to)) = (self.placed_from, self.placed_to)
            && to < from
        {
            return Err(Invalid::new("placed_to", "dates_reversed", "the last day comes before the first"));
        }
        Ok(AreaFilter {
            state,
            item: self.item.map(ItemId),
            provider: self.provider,
            placed_from: self.placed_from.map(local_midnight),
            placed_before: self.placed_to.and_then(|d| d.succ_opt()).map(local_midnight),
            filed_by: self.mine.then_some(actor.account),
            routing,
        })
    }
}

/// An order in a worker's list, with the names a person reads it by.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedOrder {
    pub order: Order,
    pub item_name: String,
    pub community_name: String,
    pub resident_name: String,
    /// Who filed it: the resident, or a worker for them.
    pub filed_by_name: String,
    pub provider_name: Option<String>,
}

/// Whose orders the actor looks after, or why they may not list them.
fn reach_of(actor: &Actor) -> Result<Reach, ListError> {
    match actor.role {
        Role::Admin => Ok(Reach::City),
        Role::CommunityWorker => Ok(Reach::Communities { communities: actor.area(), filer: actor.account }),
        _ => Err(ListError::Denied("only community workers and admins list an area's orders")),
    }
}

impl<S: OrderStore, Q: DispatchQueue, C: Clock> OrderDesk<S, Q, C> {
    /// The orders the actor looks after that pass the filter, newest first, a page at a time.
    pub async fn area_orders(
        &self,
        actor: &Actor,
        filter: AreaFilterInput,
        page: PageRequest<'_>,
    ) -> Result<Page<ListedOrder>, ListError> {
        let reach = reach_of(actor)?;
        let filter = filter.parse(actor)?;
        let (size, before) = (page.size()?, page.cursor()?.map(OrderId));
        Ok(Page::of(self.store.area_orders(&reach, &filter, before, size + 1).await?, size))
    }

    /// Every order the actor looks after that passes the filter, newest first, for a CSV file: at most
    /// [`MAX_AREA_EXPORT`], and `more` when there were more.
    pub async fn area_export(&self, actor: &Actor, filter: AreaFilterInput) -> Result<Page<ListedOrder>, ListError> {
        let reach = reach_of(actor)?;
        let filter = filter.parse(actor)?;
        let rows = self.store.area_orders(&reach, &filter, None, MAX_AREA_EXPORT + 1).await?;
        Ok(Page::of(rows, MAX_AREA_EXPORT))
    }
}

/// Whether `order` is one a list over `reach` with `filter` holds: what the fakes' answers follow.
#[cfg(test)]
pub(super) fn matches(order: &Order, reach: &Reach, filter: &AreaFilter) -> bool {
    let reached = match reach {
        Reach::City => true,
        Reach::Communities { communities, filer } => {
            communities.contains(&order.community) || order.placed_by == *filer
        }
    };
    reached
        && filter.state.is_none_or(|s| order.state == s)
        && filter.item.is_none_or(|i| order.item == i)
        && filter.provider.is_none_or(|p| order.provider == Some(p))
        && filter.placed_from.is_none_or(|t| order.placed_at >= t)
        && filter.placed_before.is_none_or(|t| order.placed_at < t)
        && filter.filed_by.is_none_or(|a| order.placed_by == a)
}
