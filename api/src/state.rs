//! What every request handler can reach: one use-case desk per context. The adapters behind them are chosen
//! here and in `app.rs`, the composition root; handlers see only the desks.

use linli_domain::accounts::AccountDesk;
use linli_domain::audit::AuditDesk;
use linli_domain::catalog::CatalogDesk;
use linli_domain::geo::GeoDesk;
use linli_domain::health::HealthDesk;
use linli_domain::notifications::{LiveDesk, NotificationDesk};
use linli_domain::orders::OrderDesk;
use linli_domain::providers::ProviderDesk;
use linli_domain::reports::ReportDesk;
use linli_domain::volunteering::VolunteerDesk;
use linli_infra::SystemClock;
use linli_infra::auth::Sessions;
use linli_infra::live::LiveHub;
use linli_infra::outbound::AnySms;
use linli_infra::queue::AnyQueue;
use linli_infra::store::Store;

use crate::limits::Limits;

pub type Desk = OrderDesk<Store, AnyQueue, SystemClock>;

#[derive(Clone)]
pub struct AppState {
    pub orders: Desk,
    pub volunteering: VolunteerDesk<Store, Sessions, SystemClock, LiveHub>,
    pub notifications: NotificationDesk<Store, SystemClock>,
    pub accounts: AccountDesk<Store, Sessions, SystemClock, AnySms>,
    pub audit: AuditDesk<Store>,
    pub providers: ProviderDesk<Store, SystemClock>,
    pub catalog: CatalogDesk<Store, SystemClock>,
    pub geo: GeoDesk<Store, SystemClock>,
    pub reports: ReportDesk<Store, SystemClock>,
    pub health: HealthDesk<Store, AnyQueue>,
    /// Rate limits, checked at the edge before a use case runs.
    pub limits: Limits,
    pub live: LiveDesk<LiveHub>,
    /// The process's stop: live streams end when it comes, so that they do not hold the stop to its grace.
    pub stop: crate::app::Stop,
}

impl AppState {
    /// Every desk over the one store, queue, session keeper, SMS gateway and clock of this process (the order
    /// desk already holds that clock).
    pub fn new(
        orders: Desk,
        store: Store,
        queue: AnyQueue,
        sessions: Sessions,
        texts: AnySms,
        limits: Limits,
        live: LiveHub,
    ) -> Self {
        let clock = orders.clock.clone();
        Self {
            orders,
            volunteering: VolunteerDesk::new(store.clone(), sessions.clone(), clock.clone(), live.clone()),
            notifications: NotificationDesk::new(store.clone(), clock.clone()),
            accounts: AccountDesk::new(store.clone(), sessions, clock.clone(), texts),
            audit: AuditDesk::new(store.clone()),
            providers: ProviderDesk::new(store.clone(), clock.clone()),
            catalog: CatalogDesk::new(store.clone(), clock.clone()),
            geo: GeoDesk::new(store.clone(), clock.clone()),
            reports: ReportDesk::new(store.clone(), clock.clone()),
            health: HealthDesk::new(store, queue),
            limits,
            live: LiveDesk::new(live),
            stop: crate::app::Stop::default(),
        }
    }

    /// The same desks, whose live streams end when `stop` is asked for.
    pub fn ending_streams_on(self, stop: crate::app::Stop) -> Self {
        Self { stop, ..self }
    }
}
