//! What every request handler can reach: the use cases and the adapters behind them.

use linli_domain::orders::OrderDesk;
use linli_domain::volunteering::VolunteerDesk;
use linli_infra::SystemClock;
use linli_infra::auth::Sessions;
use linli_infra::queue::AnyQueue;
use linli_infra::store::Store;

pub type Desk = OrderDesk<Store, AnyQueue, SystemClock>;
pub type Volunteering = VolunteerDesk<Store, Sessions, SystemClock>;

#[derive(Clone)]
pub struct AppState {
    pub desk: Desk,
    pub volunteering: Volunteering,
    pub store: Store,
    pub sessions: Sessions,
    pub queue: AnyQueue,
}
