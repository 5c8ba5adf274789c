//! Orders over HTTP: the resident's operations (place, list, follow, reschedule, cancel), the provider's
//! (offers, accept, decline, start, complete) and the community workers' (escalations, assign, close), with the
//! JSON shapes they share.

mod escalations;
mod problems;
mod provider;
mod resident;
mod views;

pub use escalations::EscalationsApi;
pub use provider::ProviderApi;
pub use resident::OrdersApi;

use views::{OrderPage, OrderView};

use crate::problem::ApiResult;

/// An order-list cursor: the id of the last order of the previous page.
fn order_cursor(cursor: Option<&str>) -> ApiResult<Option<linli_domain::orders::OrderId>> {
    Ok(super::uuid_cursor(cursor)?.map(linli_domain::orders::OrderId))
}

/// A page of orders seen in full, from one more row than the page holds.
fn order_page(rows: Vec<linli_domain::orders::Order>, size: u64) -> OrderPage {
    let (rows, next_cursor) = super::split_page(rows, size, |o| o.id.0.to_string());
    let orders = rows.into_iter().map(|o| OrderView::new(o, linli_domain::orders::Visibility::Full)).collect();
    OrderPage { orders, next_cursor }
}
