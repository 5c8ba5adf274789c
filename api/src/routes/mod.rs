//! The HTTP operations, one module per area. Handlers parse, call a use case, and map the outcome.

mod accounts;
mod admin;
mod audit;
mod availability;
mod catalog;
mod choices;
mod csv;
mod geo;
mod health;
mod identity;
mod intake;
mod live;
mod notifications;
mod orders;
mod organization;
mod reports;
mod volunteering;

use linli_domain::geo::{GeoPoint, GeoPointError};
use linli_domain::paging::PageRequest;
use poem_openapi::Tags;

use crate::problem::{ApiError, ApiResult};

pub use accounts::AccountsApi;
pub use admin::AdminApi;
pub use audit::AuditApi;
pub use availability::AvailabilityApi;
pub use catalog::CatalogApi;
pub use geo::{GeoApi, MapUpkeepApi};
pub use health::{HealthApi, alive, ready};
pub use identity::IdentityApi;
pub use intake::IntakeApi;
pub use live::LiveApi;
pub use notifications::NotificationsApi;
pub use orders::{AftercareApi, CarePlansApi, EscalationsApi, OrdersApi, ProviderApi, VisitsApi};
pub use organization::OrganizationApi;
pub use reports::ReportsApi;
pub use volunteering::{CalendarApi, EventsApi, HoursApi, MembersApi, PairingApi, ShiftsApi};

#[derive(Tags)]
pub enum ApiTags {
    /// Signing up, in and out; passwords, invitations.
    Accounts,
    /// The service catalog (服务事项).
    Catalog,
    /// Districts, streets and communities.
    Geography,
    /// Residents' orders (工单).
    Orders,
    /// What provider staff see and do.
    Provider,
    /// Orders nobody took: the community workers' queue.
    Escalations,
    /// 全科受理: residents a community worker files for, and the orders of the worker's area.
    Intake,
    /// An area's figures day by day, and its map.
    Dashboard,
    /// Party members' registration, branches and their problems, events and shifts, service hours, calendars.
    Volunteering,
    /// Inboxes, the live stream, webhooks, dead letters and scheduled jobs.
    Notifications,
    /// Managing organizations and accounts.
    Admin,
    /// Liveness and readiness.
    Health,
}

/// A page size from the `limit` parameter of a list anyone may read: 1 to 100, 20 when absent.
pub fn page_size(limit: Option<u32>) -> ApiResult<u64> {
    Ok(PageRequest::new(limit, None).size()?)
}

/// The language the caller reads: the one their `Accept-Language` asks for, else the one their account chose,
/// else Chinese.
pub fn lang_of(req: &poem::Request, caller: &crate::auth::Caller) -> linli_domain::words::Lang {
    linli_domain::words::Lang::for_reader(req.header("accept-language"), caller.account.language)
}

/// A location from `lat` and `lng` fields, naming the one out of range.
pub fn parse_point(lat: f64, lng: f64) -> ApiResult<GeoPoint> {
    GeoPoint::parse(lat, lng).map_err(|e| match e {
        GeoPointError::Latitude => ApiError::invalid("lat", "invalid_location", e),
        GeoPointError::Longitude => ApiError::invalid("lng", "invalid_location", e),
    })
}

/// A list cursor of a list anyone may read: the id of the last row of the previous page.
pub fn uuid_cursor(cursor: Option<&str>) -> ApiResult<Option<uuid::Uuid>> {
    Ok(PageRequest::new(None, cursor).cursor()?)
}

/// A page size as the `limit` query parameter. The schema states the rule (1 to 100, 20 when absent); the use
/// case applies it, once it has decided the caller may see the list, so parsing here accepts any number.
#[derive(Clone, Copy, Debug)]
pub struct PageLimit(pub u32);

impl poem_openapi::types::Type for PageLimit {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;

    type RawElementValueType = Self;

    fn name() -> std::borrow::Cow<'static, str> {
        "page_limit".into()
    }

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        let mut schema = poem_openapi::registry::MetaSchema::new_with_format("integer", "uint32");
        schema.minimum = Some(1.0);
        schema.maximum = Some(f64::from(linli_domain::paging::MAX_PAGE));
        schema.default = Some(linli_domain::paging::DEFAULT_PAGE.into());
        poem_openapi::registry::MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl poem_openapi::types::ParseFromParameter for PageLimit {
    fn parse_from_parameter(value: &str) -> poem_openapi::types::ParseResult<Self> {
        value.parse().map(Self).map_err(|_| poem_openapi::types::ParseError::custom("limit is a whole number"))
    }
}

/// The page size asked for, if any.
pub fn limit_of(limit: Option<PageLimit>) -> Option<u32> {
    limit.map(|l| l.0)
}
