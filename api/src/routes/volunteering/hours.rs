//! Service hours: a member's year against the city's quota, and the figures of a branch or a community for a
//! month or a year.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::geo::CommunityId;
use linli_domain::volunteering::BranchId;
use linli_domain::volunteering::model::GroupHours;

use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::routes::ApiTags;
use crate::state::AppState;

pub struct HoursApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MonthMinutes {
    month: u32,
    minutes: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MyHours {
    year: i32,
    minutes: u64,
    hours: f64,
    /// The city's yearly quota, when set.
    quota_minutes: Option<u64>,
    remaining_minutes: Option<u64>,
    quota_met: Option<bool>,
    months: Vec<MonthMinutes>,
    shifts_attended: u64,
    orders_completed: u64,
    no_shows: u64,
    late_cancellations: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct MemberMinutesView {
    account_id: Uuid,
    display_name: String,
    minutes: u64,
    /// Whether the member met the year's quota with all their service.
    quota_met: Option<bool>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct GroupHoursView {
    /// `2026` or `2026-11`.
    period: String,
    minutes: u64,
    hours: f64,
    quota_minutes: Option<u64>,
    /// Most minutes first.
    members: Vec<MemberMinutesView>,
    /// People who held a confirmed place and never came (community figures only).
    no_shows: u64,
}

impl From<GroupHours> for GroupHoursView {
    fn from(g: GroupHours) -> Self {
        Self {
            period: g.period.label(),
            minutes: g.minutes,
            hours: hours(g.minutes),
            quota_minutes: g.quota_minutes,
            members: g
                .members
                .into_iter()
                .map(|m| MemberMinutesView {
                    account_id: m.account.0,
                    display_name: m.display_name,
                    minutes: m.minutes,
                    quota_met: m.quota_met,
                })
                .collect(),
            no_shows: g.no_shows,
        }
    }
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct QuotaBody {
    /// Hours each member is asked to serve in the year: 0 to 1,000.
    hours: u32,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct QuotaView {
    year: i32,
    minutes: Option<u64>,
}

fn hours(minutes: u64) -> f64 {
    (minutes as f64 / 6.0).round() / 10.0
}

problems!(
    /// What `GET /me/hours` can answer besides its success.
    MineProblems: BadRequest, Unauthorized
);
problems!(
    /// What `GET /communities/:id/hours` can answer besides its success.
    CommunityProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `GET /branches/:id/hours` can answer besides its success.
    BranchProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `GET /hours-quota/:year` can answer besides its success.
    QuotaProblems: BadRequest, Unauthorized
);
problems!(
    /// What `PUT /admin/hours-quota/:year` can answer besides its success.
    SetQuotaProblems: BadRequest, Unauthorized, Forbidden, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl HoursApi {
    /// Your service hours in a year (this year by default), month by month, against the city's quota.
    #[oai(path = "/me/hours", method = "get")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// 2000 to 2100; this year when absent.
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Query<Option<i32>>,
    ) -> Result<Json<MyHours>, MineProblems> {
        let h = state.volunteering.my_hours(&auth.0.actor(), year.0).await?;
        Ok(Json(MyHours {
            year: h.year,
            minutes: h.progress.minutes,
            hours: hours(h.progress.minutes),
            quota_minutes: h.progress.quota_minutes,
            remaining_minutes: h.progress.remaining(),
            quota_met: h.progress.met(),
            months: h.months.into_iter().map(|(month, minutes)| MonthMinutes { month, minutes }).collect(),
            shifts_attended: h.shifts_attended,
            orders_completed: h.orders_completed,
            no_shows: h.no_shows,
            late_cancellations: h.late_cancellations,
        }))
    }

    /// Service done in a community in a month or year (`period`, this month by default): for its workers.
    #[oai(path = "/communities/:id/hours", method = "get")]
    async fn community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        /// A year (`2026`) or a month (`2026-05`), 2000 to 2100.
        #[oai(validator(pattern = r"^(20[0-9]{2}|2100)(-(0?[1-9]|1[0-2]))?$"))]
        period: Query<Option<String>>,
    ) -> Result<Json<GroupHoursView>, CommunityProblems> {
        let figures =
            state.volunteering.community_hours(&auth.0.actor(), CommunityId(id.0), period.0.as_deref()).await?;
        Ok(Json(figures.into()))
    }

    /// Service done by a branch's members in a month or year (`period`, this month by default): for admins and
    /// the branch's own members.
    #[oai(path = "/branches/:id/hours", method = "get")]
    async fn branch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// A year (`2026`) or a month (`2026-05`), 2000 to 2100.
        #[oai(validator(pattern = r"^(20[0-9]{2}|2100)(-(0?[1-9]|1[0-2]))?$"))]
        period: Query<Option<String>>,
    ) -> Result<Json<GroupHoursView>, BranchProblems> {
        let figures = state.volunteering.branch_hours(&auth.0.actor(), BranchId(id.0), period.0.as_deref()).await?;
        Ok(Json(figures.into()))
    }

    /// The yearly quota of service hours per member.
    #[oai(path = "/hours-quota/:year", method = "get")]
    async fn quota(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        /// 2000 to 2100.
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
        year: Path<i32>,
    ) -> Result<Json<QuotaView>, QuotaProblems> {
        let (year, minutes) = state.volunteering.quota(year.0).await?;
        Ok(Json(QuotaView { year, minutes }))
    }

    /// Set the year's quota of service hours per member.
    #[oai(path = "/admin/hours-quota/:year", method = "put")]
    async fn set_quota(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
        body: JsonBody<QuotaBody>,
    ) -> Result<Json<QuotaView>, SetQuotaProblems> {
        let (year, minutes) = state.volunteering.set_quota(&auth.0.actor(), year.0, body.hours).await?;
        Ok(Json(QuotaView { year, minutes: Some(minutes) }))
    }
}
