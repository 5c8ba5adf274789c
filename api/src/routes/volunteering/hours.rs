//! Service hours: a member's year against the city's quota, and the figures of a branch or a community for a
//! month or a year.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::accounts::Role;
use linli_domain::geo::CommunityId;
use linli_domain::volunteering::BranchId;
use linli_domain::volunteering::hours::Period;
use linli_domain::volunteering::registration::RegistrationState;
use linli_infra::store::{GroupHours, HoursScope};

use super::organizer_of;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::{ApiError, ApiResult};
use crate::routes::ApiTags;
use crate::state::AppState;

pub struct HoursApi;

#[derive(Object)]
struct MonthMinutes {
    month: u32,
    minutes: u64,
}

#[derive(Object)]
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
struct MemberMinutesView {
    account_id: Uuid,
    display_name: String,
    minutes: u64,
    /// Whether the member met the year's quota with all their service.
    quota_met: Option<bool>,
}

#[derive(Object)]
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
struct QuotaBody {
    /// Hours each member is asked to serve in the year: 0 to 1,000.
    hours: u32,
}

#[derive(Object)]
struct QuotaView {
    year: i32,
    minutes: Option<u64>,
}

fn hours(minutes: u64) -> f64 {
    (minutes as f64 / 6.0).round() / 10.0
}

fn period(raw: Option<&str>) -> ApiResult<Period> {
    match raw {
        None => Ok(Period::containing(Utc::now(), true)),
        Some(p) => Period::parse(p).map_err(|e| ApiError::malformed("period", e)),
    }
}

fn year(raw: Option<i32>) -> ApiResult<i32> {
    match raw {
        None => Ok(Period::containing(Utc::now(), false).year()),
        Some(y) if (2000..=2100).contains(&y) => Ok(y),
        Some(_) => Err(ApiError::malformed("year", "a year is between 2000 and 2100")),
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl HoursApi {
    /// Your service hours in a year (this year by default), month by month, against the city's quota.
    #[oai(path = "/me/hours", method = "get")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Query<Option<i32>>,
    ) -> ApiResult<Json<MyHours>> {
        let me = auth.0.actor().account;
        let h = state.store.member_hours(me, self::year(year.0)?).await?;
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
        period: Query<Option<String>>,
    ) -> ApiResult<Json<GroupHoursView>> {
        organizer_of(&auth.0.actor(), CommunityId(id.0))?;
        let figures = state
            .store
            .group_hours(HoursScope::Community(CommunityId(id.0)), self::period(period.0.as_deref())?)
            .await?;
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
        period: Query<Option<String>>,
    ) -> ApiResult<Json<GroupHoursView>> {
        let actor = auth.0.actor();
        let branch = BranchId(id.0);
        let own = actor.role == Role::PartyMember
            && state
                .store
                .registrations_of(actor.account)
                .await?
                .iter()
                .any(|r| r.state == RegistrationState::Confirmed && r.branch == Some(branch));
        if actor.role != Role::Admin && !own {
            return Err(ApiError::forbidden("only admins and the branch's members see its hours"));
        }
        let figures = state.store.group_hours(HoursScope::Branch(branch), self::period(period.0.as_deref())?).await?;
        Ok(Json(figures.into()))
    }

    /// The yearly quota of service hours per member.
    #[oai(path = "/hours-quota/:year", method = "get")]
    async fn quota(&self, state: Data<&AppState>, _auth: BearerAuth, year: Path<i32>) -> ApiResult<Json<QuotaView>> {
        let y = self::year(Some(year.0))?;
        Ok(Json(QuotaView { year: y, minutes: state.store.quota(y).await? }))
    }

    /// Set the year's quota of service hours per member.
    #[oai(path = "/admin/hours-quota/:year", method = "put")]
    async fn set_quota(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        year: Path<i32>,
        body: JsonBody<QuotaBody>,
    ) -> ApiResult<Json<QuotaView>> {
        auth.0.require(&[Role::Admin])?;
        let y = self::year(Some(year.0))?;
        if body.hours > 1000 {
            return Err(ApiError::invalid("hours", "invalid_quota", "a quota is 0 to 1,000 hours"));
        }
        state.store.set_quota(y, body.hours * 60, Utc::now()).await?;
        Ok(Json(QuotaView { year: y, minutes: Some(u64::from(body.hours) * 60) }))
    }
}
