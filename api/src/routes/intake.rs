//! 全科受理 over HTTP: the residents a community worker files for (found by number or name, or recorded on the
//! spot for someone with no app), and the worker's list of the orders they look after, a page at a time or as
//! a CSV file. Placing the order itself is `POST /orders` with `resident_id`.

use chrono::NaiveDate;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::{AccountId, ResidentInput, ResidentRecord};
use linli_domain::orders::{AreaFilterInput, ListedOrder, Schedule, Visibility};
use linli_domain::paging::PageRequest;
use linli_domain::providers::ProviderId;
use linli_domain::time::shanghai;
use linli_domain::words::{Lang, order_state};

use super::accounts::account_problem;
use super::csv::{CsvContent, csv_line};
use super::orders::OrderView;
use super::{ApiTags, PageLimit, lang_of, limit_of};
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::state::AppState;

pub struct IntakeApi;

problems!(
    /// What `GET /residents` and `GET /residents/:id` can answer besides their success.
    FindProblems: BadRequest, Unauthorized, Forbidden, NotFound, Unprocessable
);
problems!(
    /// What `POST /residents` can answer besides its success.
    FileProblems: BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /area/orders` and `GET /area/orders.csv` can answer besides their success.
    AreaProblems: BadRequest, Unauthorized, Forbidden, Unprocessable
);

#[derive(ApiResponse)]
enum Filed {
    /// The record was made; the resident can now be filed for.
    #[oai(status = 201)]
    Created(Json<ResidentView>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
enum AreaCsv {
    /// The matching orders as CSV, newest first, in the reader's language (at most 10,000; `X-Truncated: true`
    /// when there were more).
    #[oai(status = 200)]
    Ok(CsvContent, #[oai(header = "Content-Disposition")] String, #[oai(header = "X-Truncated")] String),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Intake")]
impl IntakeApi {
    /// Residents of any community matching `q`: a whole mobile or landline number, or part of a name (at most
    /// 20, by name). Numbers are shown masked. Community workers and admins.
    #[oai(path = "/residents", method = "get")]
    async fn find(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// A mobile (13912345678), a landline (024-23456789) or 1 to 20 characters of a name.
        q: Query<Option<String>>,
    ) -> Result<Json<ResidentList>, FindProblems> {
        let found = state.accounts.find_residents(&auth.0.actor(), q.0.as_deref().unwrap_or("")).await?;
        Ok(Json(ResidentList { residents: found.into_iter().map(ResidentView::from).collect() }))
    }

    /// One resident, for filing an order or a care plan for them. Community workers and admins.
    #[oai(path = "/residents/:id", method = "get")]
    async fn one(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<ResidentView>, FindProblems> {
        Ok(Json(state.accounts.resident(&auth.0.actor(), AccountId(id.0)).await?.into()))
    }

    /// Record a resident who has no account (a phone is optional, a landline allowed), to file orders for
    /// them. With a mobile, they get the texts of their orders and can later set a password with a code
    /// texted to it (`POST /auth/password-reset`). A mobile already in use is 409 `account_taken`: look that
    /// resident up instead. Community workers (of any community) and admins.
    #[oai(path = "/residents", method = "post")]
    async fn file(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewResidentRequest>,
    ) -> Result<Filed, FileProblems> {
        let b = body.0;
        let input = ResidentInput {
            name: b.display_name,
            phone: b.phone,
            landline: b.landline,
            community: b.community_id,
            address: b.address,
        };
        let filed = state.accounts.file_resident(&auth.0.actor(), input).await.map_err(account_problem)?;
        let location = format!("/api/v1/residents/{}", filed.id.0);
        Ok(Filed::Created(Json(filed.into()), location))
    }

    /// The orders you look after, newest first: a community worker's community's (a street worker's: their
    /// street's) and every one they filed for a resident elsewhere (an admin's: the city's). Filter by `state`,
    /// `item_id`, `provider_id`, the days placed (`placed_from`, `placed_to`, Shanghai dates, both included),
    /// `mine` (only those you filed) and `routing`.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/area/orders", method = "get")]
    async fn area(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        #[oai(name = "state")] order_state: Query<Option<String>>,
        item_id: Query<Option<i32>>,
        provider_id: Query<Option<Uuid>>,
        placed_from: Query<Option<NaiveDate>>,
        placed_to: Query<Option<NaiveDate>>,
        mine: Query<Option<bool>>,
        /// `property_dispute` for the street sub-center's cases; also `standard`, `volunteer`,
        /// `neighbour_dispute`.
        routing: Query<Option<String>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<AreaPage>, AreaProblems> {
        let filter = filter(order_state.0, item_id.0, provider_id.0, (placed_from.0, placed_to.0), mine.0, routing.0);
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let found = state.orders.area_orders(&auth.0.actor(), filter, page).await?;
        Ok(Json(AreaPage {
            next_cursor: found.next_cursor(|o| o.order.id.0.to_string()),
            orders: found.rows.into_iter().map(AreaOrderView::from).collect(),
        }))
    }

    /// The same orders as a CSV file, in the reader's language, times in Shanghai. Community workers and
    /// admins.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/area/orders.csv", method = "get")]
    async fn area_csv(
        &self,
        state: Data<&AppState>,
        req: &Request,
        auth: BearerAuth,
        #[oai(name = "state")] order_state: Query<Option<String>>,
        item_id: Query<Option<i32>>,
        provider_id: Query<Option<Uuid>>,
        placed_from: Query<Option<NaiveDate>>,
        placed_to: Query<Option<NaiveDate>>,
        mine: Query<Option<bool>>,
        /// As for the list.
        routing: Query<Option<String>>,
    ) -> Result<AreaCsv, AreaProblems> {
        let filter = filter(order_state.0, item_id.0, provider_id.0, (placed_from.0, placed_to.0), mine.0, routing.0);
        let found = state.orders.area_export(&auth.0.actor(), filter).await?;
        let lang = lang_of(req, &auth.0);
        let name = "attachment; filename=\"orders.csv\"".to_owned();
        Ok(AreaCsv::Ok(CsvContent::Csv(PlainText(area_csv(&found.rows, lang))), name, found.more.to_string()))
    }
}

fn filter(
    state: Option<String>,
    item: Option<i32>,
    provider: Option<Uuid>,
    (placed_from, placed_to): (Option<NaiveDate>, Option<NaiveDate>),
    mine: Option<bool>,
    routing: Option<String>,
) -> AreaFilterInput {
    AreaFilterInput {
        state,
        item,
        provider: provider.map(ProviderId),
        placed_from,
        placed_to,
        mine: mine.unwrap_or(false),
        routing,
    }
}

/// The CSV file of `rows`, its header in `lang`, with a byte-order mark so that spreadsheets read the Chinese.
fn area_csv(rows: &[ListedOrder], lang: Lang) -> String {
    let header: [&str; 11] = if lang == Lang::ZhCn {
        ["订单号", "下单时间", "服务项目", "社区", "居民", "状态", "服务方", "预约开始", "预约结束", "地址", "代办人"]
    } else {
        [
            "order",
            "placed",
            "item",
            "community",
            "resident",
            "state",
            "provider",
            "from",
            "until",
            "address",
            "filed by",
        ]
    };
    let time = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string();
    let mut out = String::from("\u{feff}");
    out.push_str(&csv_line(&header.map(str::to_owned)));
    for r in rows {
        let o = &r.order;
        let (from, until) = match o.schedule {
            Schedule::Asap => (String::new(), String::new()),
            Schedule::Window(w) => (time(w.start()), time(w.end())),
        };
        let filed_by = if o.placed_by == o.resident { String::new() } else { r.filed_by_name.clone() };
        out.push_str(&csv_line(&[
            o.id.0.to_string(),
            time(o.placed_at),
            r.item_name.clone(),
            r.community_name.clone(),
            r.resident_name.clone(),
            order_state(o.state, lang).to_owned(),
            r.provider_name.clone().unwrap_or_default(),
            from,
            until,
            o.address.clone(),
            filed_by,
        ]));
    }
    out
}

#[derive(Object, Deserialize)]
pub struct NewResidentRequest {
    /// The resident's name, 1 to 50 characters.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub display_name: String,
    /// Their mobile, if they have one: their orders' texts go to it.
    pub phone: Option<String>,
    /// Their landline, if that is how they are reached (024-23456789).
    pub landline: Option<String>,
    /// The community they live in: any in the city.
    pub community_id: i32,
    /// Building, unit and door, up to 200 characters.
    pub address: Option<String>,
}

/// A resident as a worker finds them.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ResidentView {
    pub id: Uuid,
    pub display_name: String,
    /// Their mobile, masked (139****5678).
    pub phone: Option<String>,
    /// Their landline, masked (024****6789).
    pub landline: Option<String>,
    /// Where they live, from the record a worker made or their account; absent when neither says.
    pub community_id: Option<i32>,
    pub address: Option<String>,
    /// Whether they use Linli themselves: they then see their orders in the app too.
    pub signs_in: bool,
}

impl From<ResidentRecord> for ResidentView {
    fn from(r: ResidentRecord) -> Self {
        Self {
            id: r.id.0,
            display_name: r.name,
            phone: r.phone.map(|p| p.masked()),
            landline: r.landline.map(|l| l.masked()),
            community_id: r.community.map(|c| c.0),
            address: r.address,
            signs_in: r.signs_in,
        }
    }
}

#[derive(Object)]
pub struct ResidentList {
    pub residents: Vec<ResidentView>,
}

/// An order in a worker's list, with the names it is read by.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AreaOrderView {
    pub order: OrderView,
    pub item_name: String,
    pub community_name: String,
    pub resident_name: String,
    /// The worker who filed it for the resident; absent when the resident placed it.
    pub filed_by_name: Option<String>,
    pub provider_name: Option<String>,
}

impl From<ListedOrder> for AreaOrderView {
    fn from(l: ListedOrder) -> Self {
        let by_resident = l.order.placed_by == l.order.resident;
        Self {
            filed_by_name: (!by_resident).then_some(l.filed_by_name),
            item_name: l.item_name,
            community_name: l.community_name,
            resident_name: l.resident_name,
            provider_name: l.provider_name,
            order: OrderView::new(l.order, Visibility::Full),
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AreaPage {
    pub orders: Vec<AreaOrderView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}
