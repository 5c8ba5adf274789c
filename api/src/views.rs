//! The JSON shapes of the API. Request bodies derive both `Object` (for the spec) and `Deserialize` (read by
//! [`crate::body::JsonBody`], which names the field at fault); responses derive `Object`.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::AccountRecord;
use linli_domain::catalog::{CatalogItem, Category};
use linli_domain::geo::{Community, District, Street};
use linli_domain::orders::{Offer, Order, OrderEvent, Schedule, Visibility};

#[derive(Object, Deserialize)]
pub struct LoginRequest {
    /// Username or mobile number.
    pub login: String,
    pub password: String,
}

#[derive(Object)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: AccountView,
}

#[derive(Object)]
pub struct AccountView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// `resident`, `provider_staff`, `community_worker`, `party_member` or `admin`.
    pub role: String,
    pub provider_id: Option<Uuid>,
    pub community_id: Option<i32>,
}

impl From<&AccountRecord> for AccountView {
    fn from(a: &AccountRecord) -> Self {
        Self {
            id: a.id.0,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            role: a.role.as_str().to_owned(),
            provider_id: a.provider.map(|p| p.0),
            community_id: a.community.map(|c| c.0),
        }
    }
}

#[derive(Object)]
pub struct CategoryView {
    /// e.g. `meals`
    pub code: String,
    /// e.g. 助餐
    pub label: String,
}

impl From<Category> for CategoryView {
    fn from(c: Category) -> Self {
        Self { code: c.as_str().to_owned(), label: c.label_zh().to_owned() }
    }
}

#[derive(Object)]
pub struct CatalogItemView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub category: String,
    pub category_label: String,
    pub description: String,
    /// `dispatch` (派单: one provider at a time) or `broadcast` (抢单: first claim wins).
    pub mode: String,
    pub duration_minutes: i32,
    /// Price in fen (分); 0 for free public services.
    pub price_fen: i64,
    /// The price as shown to residents, e.g. ¥15.00.
    pub price: String,
    /// `standard`, `volunteer` (Party members only), `neighbour_dispute` (the community's mediation point) or
    /// `property_dispute` (the street's property-dispute mediation sub-center).
    pub routing: String,
    /// Seconds a provider has to answer an offer; absent for the configured default.
    pub offer_ttl_seconds: Option<u32>,
    /// Providers offered at once in broadcast mode.
    pub broadcast_k: u32,
    /// Rounds of offers in the community, then the street, then the district, before escalation.
    pub max_rounds: u32,
}

#[derive(Object, Deserialize)]
pub struct UpdateDispatchPolicy {
    /// `dispatch` or `broadcast`.
    pub mode: Option<String>,
    /// 1 to 1000.
    pub broadcast_k: Option<u32>,
    /// 1 to 20.
    pub max_rounds: Option<u32>,
    /// 10 to 86400.
    pub offer_ttl_seconds: Option<u32>,
}

impl From<CatalogItem> for CatalogItemView {
    fn from(i: CatalogItem) -> Self {
        Self {
            id: i.id.0,
            code: i.code,
            name: i.name,
            category: i.category.as_str().to_owned(),
            category_label: i.category.label_zh().to_owned(),
            description: i.description,
            mode: i.mode.as_str().to_owned(),
            duration_minutes: i.duration_minutes,
            price_fen: i.price.0,
            price: i.price.to_string(),
            routing: i.routing.as_str().to_owned(),
            offer_ttl_seconds: i.offer_ttl_seconds,
            broadcast_k: i.broadcast_k,
            max_rounds: i.max_rounds,
        }
    }
}

#[derive(Object)]
pub struct CatalogPage {
    pub items: Vec<CatalogItemView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct PlaceView {
    pub id: i32,
    pub name: String,
    pub lat: f64,
    pub lng: f64,
    /// The district a street lies in, or the street a community lies in.
    pub parent_id: Option<i32>,
}

impl From<District> for PlaceView {
    fn from(d: District) -> Self {
        Self { id: d.id.0, name: d.name, lat: d.center.lat(), lng: d.center.lng(), parent_id: None }
    }
}

impl From<Street> for PlaceView {
    fn from(s: Street) -> Self {
        Self { id: s.id.0, name: s.name, lat: s.center.lat(), lng: s.center.lng(), parent_id: Some(s.district.0) }
    }
}

impl From<Community> for PlaceView {
    fn from(c: Community) -> Self {
        Self { id: c.id.0, name: c.name, lat: c.center.lat(), lng: c.center.lng(), parent_id: Some(c.street.0) }
    }
}

#[derive(Object, Deserialize)]
pub struct PlaceOrderRequest {
    /// The catalog item ordered.
    pub item_id: i32,
    /// The community the service happens in.
    pub community_id: i32,
    /// Building, unit, landmark: 1 to 200 characters.
    pub address: String,
    pub lat: f64,
    pub lng: f64,
    /// True for "as soon as possible"; otherwise give `window_start` and `window_end`.
    #[serde(default)]
    #[oai(default)]
    pub asap: bool,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    /// Up to 500 characters for the provider.
    pub notes: Option<String>,
    /// For a mediation intake judged high risk: it goes straight to people instead of being offered.
    #[serde(default)]
    #[oai(default)]
    pub high_risk: bool,
}

#[derive(Object)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub from_state: Option<String>,
    pub to_state: String,
    /// The account that acted; absent when Linli itself did (dispatch).
    pub actor_id: Option<Uuid>,
    pub note: String,
}

impl From<OrderEvent> for EventView {
    fn from(e: OrderEvent) -> Self {
        Self {
            at: e.at,
            from_state: e.from.map(|s| s.as_str().to_owned()),
            to_state: e.to.as_str().to_owned(),
            actor_id: e.actor.map(|a| a.0),
            note: e.note,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq)]
#[oai(rename_all = "snake_case")]
pub enum Detail {
    /// Everything.
    Full,
    /// An offer seen by a provider: no street address or exact location until they accept.
    Partial,
}

#[derive(Object)]
pub struct OrderView {
    pub id: Uuid,
    /// submitted, offered, accepted, in_service, completed, escalated or cancelled.
    pub state: String,
    pub item_id: i32,
    pub community_id: i32,
    pub detail: Detail,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub asap: bool,
    pub window_start: Option<DateTime<Utc>>,
    pub window_end: Option<DateTime<Utc>>,
    pub notes: String,
    pub provider_id: Option<Uuid>,
    pub placed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The order's history, oldest first; on the detail endpoint, for those who see the order in full.
    pub events: Option<Vec<EventView>>,
    /// Why the provider was chosen ("rank 1 of 3: about 7 min away, …") or the reason it was assigned by hand;
    /// on the detail endpoint.
    pub why_provider: Option<String>,
}

impl OrderView {
    pub fn new(o: Order, seen: Visibility) -> Self {
        let full = seen == Visibility::Full;
        let (asap, window_start, window_end) = match o.schedule {
            Schedule::Asap => (true, None, None),
            Schedule::Window(w) => (false, Some(w.start()), Some(w.end())),
        };
        Self {
            id: o.id.0,
            state: o.state.as_str().to_owned(),
            item_id: o.item.0,
            community_id: o.community.0,
            detail: if full { Detail::Full } else { Detail::Partial },
            address: full.then_some(o.address),
            lat: full.then_some(o.location.lat()),
            lng: full.then_some(o.location.lng()),
            asap,
            window_start,
            window_end,
            notes: o.notes,
            provider_id: o.provider.map(|p| p.0),
            placed_at: o.placed_at,
            updated_at: o.updated_at,
            events: None,
            why_provider: None,
        }
    }

    pub fn with_events(mut self, events: Vec<OrderEvent>) -> Self {
        self.events = Some(events.into_iter().map(EventView::from).collect());
        self
    }
}

#[derive(Object)]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct OfferView {
    pub order: OrderView,
    pub offered_at: DateTime<Utc>,
    /// Accept before this time.
    pub deadline: DateTime<Utc>,
    /// Why your provider was offered this order.
    pub explanation: String,
}

impl OfferView {
    pub fn new(offer: Offer, order: Order) -> Self {
        Self {
            order: OrderView::new(order, Visibility::Partial),
            offered_at: offer.offered_at,
            deadline: offer.deadline,
            explanation: offer.explanation,
        }
    }
}

#[derive(Object, Deserialize)]
pub struct AssignRequest {
    /// The provider to give the order to; it must offer the item.
    pub provider_id: Uuid,
    /// Why, for the record: 1 to 200 characters.
    pub reason: String,
}

#[derive(Object, Deserialize)]
pub struct CloseRequest {
    /// Why the order cannot be served: 1 to 200 characters.
    pub reason: String,
}

#[derive(Object)]
pub struct OfferList {
    pub offers: Vec<OfferView>,
}

#[derive(Object)]
pub struct DeclineView {
    /// True when every offer was declined and the order went back to dispatch.
    pub returned_to_dispatch: bool,
}

#[derive(Object, Deserialize)]
pub struct CreateProviderRequest {
    /// `organization` (the default), `party_member` or `community_point` (a mediation point or red station).
    pub kind: Option<String>,
    pub name: String,
    /// The 18-character unified social credit code (统一社会信用代码); required for organizations.
    pub credit_code: Option<String>,
    /// The community the provider is based in.
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    /// Jobs it can hold at once; always 1 for a Party member.
    pub capacity: i32,
    /// Catalog items it offers.
    pub item_ids: Vec<i32>,
    /// Communities it serves.
    pub coverage_community_ids: Vec<i32>,
    /// Streets it serves whole.
    #[serde(default)]
    #[oai(default)]
    pub coverage_street_ids: Vec<i32>,
    /// Serves anywhere within this many metres of its base, besides its communities and streets.
    pub radius_m: Option<f64>,
    /// Working hours by weekday, Monday first, Shanghai time: seven comma-separated `HH:MM-HH:MM` or `-` for
    /// closed, e.g. `08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,-,-`. Absent: always.
    pub working_hours: Option<String>,
    /// Relative share of offers among equally placed providers (default 1).
    pub target_share: Option<f64>,
}

#[derive(Object)]
pub struct ProviderView {
    pub id: Uuid,
    /// organization, party_member or community_point.
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub community_id: i32,
    pub lat: f64,
    pub lng: f64,
    pub rating: f64,
    pub capacity: i32,
    pub active: bool,
    /// Part of the demo data.
    pub demo: bool,
    pub item_ids: Vec<i32>,
    pub coverage_community_ids: Vec<i32>,
}

impl From<linli_domain::providers::ProviderRecord> for ProviderView {
    fn from(p: linli_domain::providers::ProviderRecord) -> Self {
        Self {
            id: p.id.0,
            kind: p.kind.as_str().to_owned(),
            name: p.name,
            credit_code: p.credit_code,
            community_id: p.community.0,
            lat: p.location.lat(),
            lng: p.location.lng(),
            rating: p.rating,
            capacity: p.capacity,
            active: p.active,
            demo: p.demo,
            item_ids: p.items.into_iter().map(|i| i.0).collect(),
            coverage_community_ids: p.coverage.into_iter().map(|c| c.0).collect(),
        }
    }
}

#[derive(Object, Deserialize)]
pub struct CreateAccountRequest {
    /// 3 to 32 characters of a-z, 0-9, '.', '_' or '-'.
    pub username: String,
    /// 8 to 128 characters.
    pub password: String,
    pub display_name: String,
    /// resident, provider_staff, community_worker, party_member or admin.
    pub role: String,
    /// A mainland mobile number.
    pub phone: Option<String>,
    /// Required for provider_staff: the provider they work for.
    pub provider_id: Option<Uuid>,
    /// Required for community_worker; a resident's home community.
    pub community_id: Option<i32>,
}

#[derive(Object)]
pub struct Health {
    pub status: String,
    /// Each dependency's state, on readiness checks.
    pub checks: Vec<HealthCheck>,
}

#[derive(Object)]
pub struct HealthCheck {
    pub name: String,
    pub ok: bool,
    pub detail: Option<String>,
}

/// The new time window of a booking.
#[derive(Object, Deserialize, Debug)]
pub struct RescheduleRequest {
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}
