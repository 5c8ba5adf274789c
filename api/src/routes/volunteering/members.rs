//! 报到: a Party member registers with the community they live in; the community's worker confirms or rejects.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::geo::CommunityId;
use linli_domain::paging::PageRequest;
use linli_domain::volunteering::model::RegistrationRecord;
use linli_domain::volunteering::registration::Decision;
use linli_domain::volunteering::{BranchId, RegistrationId};

use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::routes::ApiTags;
use crate::routes::choices::RegistrationStateName;
use crate::routes::{PageLimit, limit_of};
use crate::state::AppState;

pub struct MembersApi;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct RegisterRequest {
    /// The community you live in.
    community_id: i32,
    /// The organ Party branch of your employer (机关党支部), if it is on Linli.
    branch_id: Option<Uuid>,
    /// What you can do: up to 20 skills of 1 to 20 characters (理发, 维修, 法律咨询…).
    #[serde(default)]
    skills: Vec<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct RejectRequest {
    /// Why, for the member to read: 1 to 500 characters.
    note: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RegistrationView {
    id: Uuid,
    account_id: Uuid,
    display_name: String,
    community_id: i32,
    branch_id: Option<Uuid>,
    skills: Vec<String>,
    /// `pending`, `confirmed`, `rejected` or `ended` (replaced by a later registration).
    state: String,
    submitted_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    note: Option<String>,
}

impl From<RegistrationRecord> for RegistrationView {
    fn from(r: RegistrationRecord) -> Self {
        Self {
            id: r.id.0,
            account_id: r.account.0,
            display_name: r.display_name,
            community_id: r.community.0,
            branch_id: r.branch.map(|b| b.0),
            skills: r.skills.as_slice().to_vec(),
            state: r.state.as_str().to_owned(),
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
            ended_at: r.ended_at,
            note: r.note,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct RegistrationList {
    registrations: Vec<RegistrationView>,
    /// Pass as `cursor` for the next page; absent on the last (and on a member's own history, which is whole).
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
enum Registered {
    /// Waiting for the community's worker.
    #[oai(status = 201)]
    Created(Json<RegistrationView>),
}

problems!(
    /// What `POST /party-members/registrations` can answer besides its success.
    RegisterProblems: BadRequest, Unauthorized, Forbidden, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /party-members/me/registrations` can answer besides its success.
    MineProblems: Unauthorized, Forbidden
);
problems!(
    /// What `GET /communities/:id/registrations` can answer besides its success.
    OfCommunityProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `POST /registrations/:id/confirm` can answer besides its success.
    ConfirmProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict
);
problems!(
    /// What `POST /registrations/:id/reject` can answer besides its success.
    RejectProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl MembersApi {
    /// Register (报到) with the community you live in. Moving house is a new registration: once confirmed, it
    /// replaces the old one, which stays in your history.
    #[oai(path = "/party-members/registrations", method = "post")]
    async fn register(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<RegisterRequest>,
    ) -> Result<Registered, RegisterProblems> {
        let (community, branch) = (CommunityId(body.community_id), body.branch_id.map(BranchId));
        let record = state.volunteering.register(&auth.0.actor(), community, branch, &body.skills).await?;
        Ok(Registered::Created(Json(record.into())))
    }

    /// Your registrations, newest first: where you belong now, and where you belonged before.
    #[oai(path = "/party-members/me/registrations", method = "get")]
    async fn mine(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<RegistrationList>, MineProblems> {
        let rows = state.volunteering.my_registrations(&auth.0.actor()).await?;
        Ok(Json(RegistrationList { registrations: rows.into_iter().map(Into::into).collect(), next_cursor: None }))
    }

    /// A community's registrations, oldest first; `state=pending` lists those waiting for a decision.
    #[oai(path = "/communities/:id/registrations", method = "get")]
    async fn of_community(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        #[oai(name = "state")] wanted: Query<Option<RegistrationStateName>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<RegistrationList>, OfCommunityProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let page = state
            .volunteering
            .community_registrations(
                &auth.0.actor(),
                CommunityId(id.0),
                wanted.0.map(RegistrationStateName::as_str),
                page,
            )
            .await?;
        let next_cursor = page.next_cursor(|r| r.id.0.to_string());
        Ok(Json(RegistrationList { registrations: page.rows.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// Confirm a pending registration: the member belongs to the community from now on, and volunteer orders
    /// of the community are offered to them.
    #[oai(path = "/registrations/:id/confirm", method = "post")]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<RegistrationView>, ConfirmProblems> {
        let actor = auth.0.actor();
        let decided = state.volunteering.decide_registration(&actor, RegistrationId(id.0), Decision::Confirm, None);
        Ok(Json(decided.await?.into()))
    }

    /// Reject a pending registration, with a note saying why.
    #[oai(path = "/registrations/:id/reject", method = "post")]
    async fn reject(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<RejectRequest>,
    ) -> Result<Json<RegistrationView>, RejectProblems> {
        let actor = auth.0.actor();
        let decided =
            state.volunteering.decide_registration(&actor, RegistrationId(id.0), Decision::Reject, Some(&body.note));
        Ok(Json(decided.await?.into()))
    }
}
