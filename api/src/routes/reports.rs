//! The area dashboard and map: a community's or a street's figures day by day (as JSON for the charts and as
//! CSV for a spreadsheet, the same rows), its communities and providers with their coordinates, and each
//! provider's fairness and service levels.

use chrono::NaiveDate;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use linli_domain::catalog::ItemId;
use linli_domain::geo::{CommunityId, StreetId};
use linli_domain::reports::{Area, AreaMap, Dashboard, DayFigures, MapProvider, Period, ServiceLevels};

use super::csv::{CsvContent, csv_line};
use crate::auth::BearerAuth;
use crate::problem::problems;
use crate::routes::ApiTags;
use crate::state::AppState;

pub struct ReportsApi;

/// One day's figures (or the whole period's, in `total`).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct DayView {
    date: NaiveDate,
    /// Orders placed that day.
    orders: u32,
    /// Of those, the ones a provider accepted.
    filled: u32,
    /// Of those, the ones the resident cancelled before anyone accepted them.
    withdrawn: u32,
    /// `filled / (orders − withdrawn)`, 0 to 1; absent on a day with nothing to fill.
    fill_rate: Option<f64>,
    /// The median time from placing to the first acceptance, over the filled orders; absent when none.
    median_accept_seconds: Option<i64>,
    /// Of the day's orders, the ones escalated to the community's workers.
    escalated: u32,
    volunteer_hours: f64,
}

impl From<DayFigures> for DayView {
    fn from(d: DayFigures) -> Self {
        Self {
            date: d.date,
            orders: d.orders,
            filled: d.filled,
            withdrawn: d.withdrawn,
            fill_rate: d.fill_rate(),
            median_accept_seconds: d.median_accept_seconds,
            escalated: d.escalated,
            volunteer_hours: d.volunteer_hours(),
        }
    }
}

#[derive(Object)]
struct DashboardView {
    /// `community` or `street`.
    area_kind: String,
    area_id: i32,
    from: NaiveDate,
    to: NaiveDate,
    /// The area's escalations waiting for a worker now.
    open_escalations: u64,
    /// The whole period.
    total: DayView,
    /// Each day of the period, in order.
    days: Vec<DayView>,
}

impl From<Dashboard> for DashboardView {
    fn from(d: Dashboard) -> Self {
        let (area_kind, area_id) = area_words(d.area);
        Self {
            area_kind: area_kind.to_owned(),
            area_id,
            from: d.period.from(),
            to: d.period.to(),
            open_escalations: d.open_escalations,
            total: d.total.into(),
            days: d.days.into_iter().map(DayView::from).collect(),
        }
    }
}

fn area_words(area: Area) -> (&'static str, i32) {
    match area {
        Area::Community(c) => ("community", c.0),
        Area::Street(s) => ("street", s.0),
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MapCommunityView {
    id: i32,
    name: String,
    lat: f64,
    lng: f64,
    /// Minutes on foot from its centre to the nearest red station; absent when the city has none.
    station_minutes: Option<f64>,
}

#[derive(Object)]
struct MapProviderView {
    id: Uuid,
    name: String,
    /// `organization`, `community_point` or `red_station`.
    kind: String,
    lat: f64,
    lng: f64,
}

/// A red station with the circle its 15 minutes on foot reach.
#[derive(Object)]
struct MapStationView {
    id: Uuid,
    name: String,
    lat: f64,
    lng: f64,
    /// The circle's straight-line radius, in metres.
    radius_m: f64,
}

#[derive(Object)]
struct MapView {
    communities: Vec<MapCommunityView>,
    providers: Vec<MapProviderView>,
    /// The red stations based in the area or nearest to one of its communities, with their circles.
    stations: Vec<MapStationView>,
    /// How many of the communities lie within 15 minutes' walk of a red station (15分钟服务圈).
    within_circle: u32,
}

impl MapView {
    fn new(m: AreaMap) -> Self {
        let within_circle = u32::try_from(m.within_circle).unwrap_or(u32::MAX);
        let provider = |p: MapProvider| MapProviderView {
            id: p.id.0,
            name: p.name,
            kind: p.kind.as_str().to_owned(),
            lat: p.location.lat(),
            lng: p.location.lng(),
        };
        Self {
            communities: m
                .communities
                .into_iter()
                .map(|c| MapCommunityView {
                    id: c.id.0,
                    name: c.name,
                    lat: c.center.lat(),
                    lng: c.center.lng(),
                    station_minutes: c.station_minutes,
                })
                .collect(),
            providers: m.providers.into_iter().map(provider).collect(),
            stations: m
                .stations
                .into_iter()
                .map(|s| MapStationView {
                    id: s.station.id.0,
                    lat: s.station.location.lat(),
                    lng: s.station.location.lng(),
                    name: s.station.name,
                    radius_m: s.radius_m,
                })
                .collect(),
            within_circle,
        }
    }
}

#[derive(ApiResponse)]
enum DashboardCsv {
    /// A header line, then one line per day: the rows of `days`.
    #[oai(status = 200)]
    Ok(CsvContent, #[oai(header = "Content-Disposition")] String),
}

/// The dashboard's days as CSV (the fill rate to four places, hours to two).
fn dashboard_csv(d: &Dashboard) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str("date,orders,filled,withdrawn,fill_rate,median_accept_seconds,escalated,volunteer_hours\r\n");
    for day in &d.days {
        out.push_str(&csv_line(&[
            day.date.to_string(),
            day.orders.to_string(),
            day.filled.to_string(),
            day.withdrawn.to_string(),
            day.fill_rate().map(|r| format!("{r:.4}")).unwrap_or_default(),
            day.median_accept_seconds.map(|s| s.to_string()).unwrap_or_default(),
            day.escalated.to_string(),
            format!("{:.2}", day.volunteer_hours()),
        ]));
    }
    out
}

fn csv_answer(d: &Dashboard) -> DashboardCsv {
    let (kind, id) = area_words(d.area);
    let name = format!("attachment; filename=\"{kind}-{id}-{}-{}.csv\"", d.period.from(), d.period.to());
    DashboardCsv::Ok(CsvContent::Csv(PlainText(dashboard_csv(d))), name)
}

problems!(
    /// What a dashboard or a map can answer besides its success.
    DashboardProblems: BadRequest, Unauthorized, Forbidden, NotFound, Unprocessable
);

/// One provider's fairness and service level over the period.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProviderLevelView {
    provider_id: Uuid,
    name: String,
    offered: u32,
    /// Its part of all the offers made, 0 to 1.
    share: f64,
    /// The part its weight entitles it to among the providers offered anything, 0 to 1.
    target: f64,
    /// `share / target`: 1 is exactly fair; absent for a provider of no weight.
    share_of_target: Option<f64>,
    /// Accepted and kept.
    accepted: u32,
    /// Given to it by a worker's hand (not counted in the acceptance rate).
    assigned: u32,
    /// Accepted, then given back before the visit.
    handed_back: u32,
    declined: u32,
    /// Left unanswered until they lapsed.
    lapsed: u32,
    /// Accepted (handed back or not) out of the offers answered or lapsed, 0 to 1; absent before any was.
    acceptance_rate: Option<f64>,
    /// The median time from an offer to its acceptance; absent before any.
    median_accept_seconds: Option<i64>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ServiceLevelsView {
    /// `community`, `street`, or `city` for the whole city.
    area_kind: String,
    /// Absent for the whole city.
    area_id: Option<i32>,
    /// Absent for every item.
    item_id: Option<i32>,
    from: NaiveDate,
    to: NaiveDate,
    /// Offers made in the period.
    offered: u32,
    /// The highest `share_of_target` over the lowest; absent with fewer than two providers.
    spread: Option<f64>,
    /// Most offers first.
    providers: Vec<ProviderLevelView>,
}

impl ServiceLevelsView {
    fn new(area: Option<Area>, item: Option<ItemId>, period: Period, levels: ServiceLevels) -> Self {
        let (area_kind, area_id) = area.map_or(("city", None), |a| {
            let (kind, id) = area_words(a);
            (kind, Some(id))
        });
        Self {
            area_kind: area_kind.to_owned(),
            area_id,
            item_id: item.map(|i| i.0),
            from: period.from(),
            to: period.to(),
            offered: levels.offered,
            spread: levels.spread,
            providers: levels
                .providers
                .into_iter()
                .map(|p| ProviderLevelView {
                    provider_id: p.provider.0,
                    share_of_target: p.share_of_target(),
                    name: p.name,
                    offered: p.offered,
                    share: p.share,
                    target: p.target,
                    accepted: p.accepted,
                    assigned: p.assigned,
                    handed_back: p.handed_back,
                    declined: p.declined,
                    lapsed: p.lapsed,
                    acceptance_rate: p.acceptance_rate,
                    median_accept_seconds: p.median_seconds_to_accept,
                })
                .collect(),
        }
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Dashboard")]
impl ReportsApi {
    /// A community's figures for each day from `from` to `to` (dates in Shanghai, at most 92 days; the last
    /// two weeks by default): orders, fill rate, median time to accept, escalations, volunteer hours. Its own
    /// community workers and admins.
    #[oai(path = "/communities/:id/dashboard", method = "get")]
    async fn community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> Result<Json<DashboardView>, DashboardProblems> {
        let area = Area::Community(CommunityId(id.0));
        Ok(Json(state.reports.dashboard(&auth.0.actor(), area, from.0, to.0).await?.into()))
    }

    /// The same days as CSV.
    #[oai(path = "/communities/:id/dashboard.csv", method = "get")]
    async fn community_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> Result<DashboardCsv, DashboardProblems> {
        let area = Area::Community(CommunityId(id.0));
        Ok(csv_answer(&state.reports.dashboard(&auth.0.actor(), area, from.0, to.0).await?))
    }

    /// A street's figures, summed over its communities, for each day from `from` to `to`. Its street workers and admins.
    #[oai(path = "/streets/:id/dashboard", method = "get")]
    async fn street(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> Result<Json<DashboardView>, DashboardProblems> {
        let area = Area::Street(StreetId(id.0));
        Ok(Json(state.reports.dashboard(&auth.0.actor(), area, from.0, to.0).await?.into()))
    }

    /// The same days as CSV.
    #[oai(path = "/streets/:id/dashboard.csv", method = "get")]
    async fn street_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> Result<DashboardCsv, DashboardProblems> {
        let area = Area::Street(StreetId(id.0));
        Ok(csv_answer(&state.reports.dashboard(&auth.0.actor(), area, from.0, to.0).await?))
    }

    /// Fairness and service levels, live: for the offers made for the area's orders from `from` to `to`
    /// (Shanghai dates, at most 92 days; the last two weeks by default), of one item when `item_id` is given,
    /// each provider's share against the share its weight entitles it to, acceptance rate, median time to
    /// accept, declines, lapses and hand-backs. Name the area by `community_id` or `street_id`; a worker who
    /// names neither gets their own, and an admin the whole city's (`area_kind: city`). Workers of the area and
    /// admins.
    #[oai(path = "/service-levels", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn service_levels(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        community_id: Query<Option<i32>>,
        street_id: Query<Option<i32>>,
        item_id: Query<Option<i32>>,
        from: Query<Option<NaiveDate>>,
        to: Query<Option<NaiveDate>>,
    ) -> Result<Json<ServiceLevelsView>, DashboardProblems> {
        let (community, street, item) =
            (community_id.0.map(CommunityId), street_id.0.map(StreetId), item_id.0.map(ItemId));
        let (area, period, levels) =
            state.reports.service_levels(&auth.0.actor(), community, street, item, from.0, to.0).await?;
        Ok(Json(ServiceLevelsView::new(area, item, period, levels)))
    }

    /// The map around a community: every community of its street and the organizations and community points
    /// based in or serving them, with coordinates, and the red stations whose 15-minute circles reach them. Its
    /// own community workers and admins.
    #[oai(path = "/communities/:id/map", method = "get")]
    async fn community_map(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
    ) -> Result<Json<MapView>, DashboardProblems> {
        let map = state.reports.map(&auth.0.actor(), Area::Community(CommunityId(id.0))).await?;
        Ok(Json(MapView::new(map)))
    }

    /// A street's communities and the organizations and community points serving them, and the red stations
    /// whose 15-minute circles reach them. Its street workers and admins.
    #[oai(path = "/streets/:id/map", method = "get")]
    async fn street_map(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
    ) -> Result<Json<MapView>, DashboardProblems> {
        let map = state.reports.map(&auth.0.actor(), Area::Street(StreetId(id.0))).await?;
        Ok(Json(MapView::new(map)))
    }
}
