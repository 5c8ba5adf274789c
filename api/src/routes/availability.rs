//! How an organization takes orders, kept by its own managers: its weekly hours, how many jobs it holds at
//! once, the dates it is closed, and a pause of all new offers (a holiday) until they resume. Its staff see it;
//! dispatch and the open times read the same values.

use chrono::{DateTime, NaiveDate, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::Deserialize;

use linli_domain::accounts::{Actor, Role};
use linli_domain::providers::{Availability, AvailabilityInput, ProviderId};

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;

pub struct AvailabilityApi;

problems!(
    /// What `GET /provider/availability` can answer besides its success.
    ViewProblems: Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `PUT /provider/availability` can answer besides its success.
    ChangeProblems: BadRequest, Unauthorized, Forbidden, NotFound, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `POST /provider/pause` and `POST /provider/resume` can answer besides their success.
    PauseProblems: Unauthorized, Forbidden, NotFound
);

/// The staff member and the organization they work for.
fn staff(auth: &BearerAuth) -> ApiResult<(Actor, ProviderId)> {
    let actor = auth.0.require(&[Role::ProviderStaff])?;
    let provider = actor.provider.ok_or_else(|| ApiError::not_found("provider"))?;
    Ok((actor, provider))
}

#[OpenApi(prefix_path = "/api/v1/provider", tag = "ApiTags::Provider")]
impl AvailabilityApi {
    /// How your organization takes orders now. Its staff.
    #[oai(path = "/availability", method = "get")]
    async fn view(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<AvailabilityView>, ViewProblems> {
        let (actor, provider) = staff(&auth)?;
        Ok(Json(state.providers.availability(&actor, provider).await?.into()))
    }

    /// Change your organization's weekly hours, capacity or closed dates; what is left out stays as it is.
    /// Closed dates replace the list (dates already past are dropped). Its managers.
    #[oai(path = "/availability", method = "put")]
    async fn change(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<AvailabilityRequest>,
    ) -> Result<Json<AvailabilityView>, ChangeProblems> {
        let (actor, provider) = staff(&auth)?;
        let b = body.0;
        let input =
            AvailabilityInput { working_hours: b.working_hours, capacity: b.capacity, closed_dates: b.closed_dates };
        Ok(Json(state.providers.change(&actor, provider, input).await?.into()))
    }

    /// Stop all new offers to your organization (a holiday): offers already made stay open to accept. Its
    /// managers.
    #[oai(path = "/pause", method = "post")]
    async fn pause(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<AvailabilityView>, PauseProblems> {
        let (actor, provider) = staff(&auth)?;
        Ok(Json(state.providers.pause(&actor, provider, true).await?.into()))
    }

    /// Take new offers again. Its managers.
    #[oai(path = "/resume", method = "post")]
    async fn resume(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<AvailabilityView>, PauseProblems> {
        let (actor, provider) = staff(&auth)?;
        Ok(Json(state.providers.pause(&actor, provider, false).await?.into()))
    }
}

/// A change of how the organization takes orders.
#[derive(Object, Deserialize)]
pub struct AvailabilityRequest {
    /// Seven days, Monday first, separated by commas, each `HH:MM-HH:MM` or `-` for closed
    /// (`08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,08:00-18:00,-,-`); empty for every day, all day.
    pub working_hours: Option<String>,
    /// Jobs it holds at once, 1 to 1000.
    pub capacity: Option<i32>,
    /// Every date it is closed from today on, Shanghai dates, at most 60 and within a year.
    pub closed_dates: Option<Vec<NaiveDate>>,
}

/// How the organization takes orders.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AvailabilityView {
    pub provider_id: uuid::Uuid,
    pub name: String,
    /// As `working_hours` is written in a change; empty for every day, all day.
    pub working_hours: String,
    pub capacity: i32,
    pub closed_dates: Vec<NaiveDate>,
    /// Whether it takes new offers now.
    pub taking_offers: bool,
    /// Since when it has taken none, while paused.
    pub paused_since: Option<DateTime<Utc>>,
}

impl From<Availability> for AvailabilityView {
    fn from(a: Availability) -> Self {
        Self {
            provider_id: a.provider.0,
            name: a.name,
            working_hours: a.hours.format(),
            capacity: a.capacity,
            closed_dates: a.closed,
            taking_offers: a.paused_since.is_none(),
            paused_since: a.paused_since,
        }
    }
}
