//! Orders over HTTP: the resident's operations (place, list, follow, reschedule, cancel), the provider's
//! (offers, accept, decline, start, complete), the visit's (confirm, dispute, resolve) and the community
//! workers' (escalations, assign, close, follow-ups and complaints), care plans, with the JSON shapes they share.

mod aftercare;
mod escalations;
mod plans;
mod problems;
mod provider;
mod resident;
mod views;
mod visits;

pub use aftercare::AftercareApi;
pub use escalations::EscalationsApi;
pub use plans::CarePlansApi;
pub use provider::ProviderApi;
pub use resident::OrdersApi;
pub use visits::VisitsApi;

use views::OrderPage;
pub(super) use views::OrderView;

use linli_domain::paging::Page;

/// A page of orders seen in full.
fn order_page(page: Page<linli_domain::orders::Order>) -> OrderPage {
    let next_cursor = page.next_cursor(|o| o.id.0.to_string());
    let orders = page.rows.into_iter().map(|o| OrderView::new(o, linli_domain::orders::Visibility::Full)).collect();
    OrderPage { orders, next_cursor }
}
