//! 三联: organ Party branches, their pairings with communities, and the problems (疑难问题) communities post to
//! them. A branch acts through its members: a Party member whose confirmed registration names the branch.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

use linli_domain::geo::CommunityId;
use linli_domain::paging::{Page, PageRequest};
use linli_domain::volunteering::desk::ProblemPage;
use linli_domain::volunteering::model::{BranchRecord, ProblemRecord};
use linli_domain::volunteering::pairing::{ProblemAction, ProblemState};
use linli_domain::volunteering::{BranchId, ProblemId};

use crate::auth::BearerAuth;
use crate::body::JsonBody;
use crate::problem::problems;
use crate::problem::{ApiError, ApiResult};
use crate::routes::{ApiTags, PageLimit, limit_of, page_size, uuid_cursor};
use crate::state::AppState;

pub struct PairingApi;

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct NewBranch {
    /// The branch's name, 1 to 100 characters.
    name: String,
    /// The organ (机关) it belongs to, 1 to 100 characters.
    organization: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct BranchView {
    id: Uuid,
    name: String,
    organization: String,
    /// Communities the branch is paired with.
    community_ids: Vec<i32>,
    problems_taken: u64,
    problems_solved: u64,
}

impl From<BranchRecord> for BranchView {
    fn from(b: BranchRecord) -> Self {
        Self {
            id: b.id.0,
            name: b.name,
            organization: b.organization,
            community_ids: b.communities.into_iter().map(|c| c.0).collect(),
            problems_taken: b.problems_taken,
            problems_solved: b.problems_solved,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct BranchList {
    branches: Vec<BranchView>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct NewProblem {
    /// 1 to 100 characters.
    title: String,
    /// 1 to 2,000 characters.
    details: String,
}

#[derive(Object, Deserialize)]
#[oai(skip_serializing_if_is_none)]
struct CloseProblem {
    /// Whether the problem was solved.
    solved: bool,
    /// What was done, 1 to 2,000 characters.
    outcome: String,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProblemView {
    id: Uuid,
    community_id: i32,
    title: String,
    details: String,
    /// `open`, `taken`, `solved` or `unsolved`.
    state: String,
    posted_at: DateTime<Utc>,
    /// The branch that took it.
    branch_id: Option<Uuid>,
    taken_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
}

impl From<ProblemRecord> for ProblemView {
    fn from(p: ProblemRecord) -> Self {
        Self {
            id: p.id.0,
            community_id: p.community.0,
            title: p.title,
            details: p.details,
            state: p.state.as_str().to_owned(),
            posted_at: p.posted_at,
            branch_id: p.branch.map(|b| b.0),
            taken_at: p.taken_at,
            closed_at: p.closed_at,
            outcome: p.outcome,
        }
    }
}

/// How many problems are in each state.
#[derive(Object, Default)]
#[oai(skip_serializing_if_is_none)]
struct ProblemCounts {
    open: u64,
    taken: u64,
    solved: u64,
    unsolved: u64,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
struct ProblemList {
    /// Newest first.
    problems: Vec<ProblemView>,
    /// Pass as `cursor` for the next page; absent on the last.
    next_cursor: Option<String>,
    /// Counts over all of them, not only this page.
    counts: ProblemCounts,
}

impl ProblemList {
    /// A page of problems (read with one row more than `size`), with the counts of all of them.
    fn page(page: ProblemPage) -> Self {
        let next_cursor = page.problems.next_cursor(|p| p.id.0.to_string());
        let rows = page.problems.rows;
        let count = |s: ProblemState| page.counts.get(&s).copied().unwrap_or(0);
        let counts = ProblemCounts {
            open: count(ProblemState::Open),
            taken: count(ProblemState::Taken),
            solved: count(ProblemState::Solved),
            unsolved: count(ProblemState::Unsolved),
        };
        Self { problems: rows.into_iter().map(Into::into).collect(), next_cursor, counts }
    }
}

#[derive(ApiResponse)]
enum BranchCreated {
    #[oai(status = 201)]
    Created(Json<BranchView>),
}

#[derive(ApiResponse)]
enum ProblemPosted {
    /// Posted to every branch paired with the community.
    #[oai(status = 201)]
    Created(Json<ProblemView>),
}

#[derive(ApiResponse)]
enum PairingChanged {
    #[oai(status = 204)]
    Done,
}

problems!(
    /// What `POST /admin/branches` can answer besides its success.
    CreateBranchProblems: BadRequest, Unauthorized, Forbidden, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /branches` can answer besides its success.
    BranchesProblems: BadRequest, Unauthorized
);
problems!(
    /// What `GET /branches/:id` can answer besides its success.
    BranchProblems: BadRequest, Unauthorized, NotFound
);
problems!(
    /// What `PUT /admin/branches/:id/communities/:community_id` can answer besides its success.
    PairProblems: BadRequest, Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `DELETE /admin/branches/:id/communities/:community_id` can answer besides its success.
    UnpairProblems: BadRequest, Unauthorized, Forbidden, NotFound
);
problems!(
    /// What `POST /communities/:id/problems` can answer besides its success.
    PostProblemProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);
problems!(
    /// What `GET /communities/:id/problems` can answer besides its success.
    CommunityProblemsProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `GET /branches/:id/problems` can answer besides its success.
    BranchProblemsProblems: BadRequest, Unauthorized, Forbidden
);
problems!(
    /// What `POST /problems/:id/take` can answer besides its success.
    TakeProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict
);
problems!(
    /// What `POST /problems/:id/close` can answer besides its success.
    CloseProblems: BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, UnsupportedMediaType, Unprocessable
);

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Volunteering")]
impl PairingApi {
    /// Add an organ Party branch (机关党支部).
    #[oai(path = "/admin/branches", method = "post")]
    async fn create_branch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewBranch>,
    ) -> Result<BranchCreated, CreateBranchProblems> {
        let branch = state.volunteering.create_branch(&auth.0.actor(), &body.name, &body.organization).await?;
        Ok(BranchCreated::Created(Json(branch.into())))
    }

    /// Branches in the order they were added, a page at a time; with `community_id`, those paired with that
    /// community.
    #[oai(path = "/branches", method = "get")]
    async fn branches(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        community_id: Query<Option<i32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<BranchList>, BranchesProblems> {
        let after = uuid_cursor(cursor.0.as_deref())?.map(BranchId);
        let size = page_size(limit_of(limit.0))?;
        let rows = state.volunteering.branches(community_id.0.map(CommunityId), after, size + 1).await?;
        let page = Page::of(rows, size);
        let next_cursor = page.next_cursor(|b| b.id.0.to_string());
        Ok(Json(BranchList { branches: page.rows.into_iter().map(Into::into).collect(), next_cursor }))
    }

    /// A branch with its communities and its counts of problems taken and solved.
    #[oai(path = "/branches/:id", method = "get")]
    async fn branch(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<BranchView>, BranchProblems> {
        Ok(Json(state.volunteering.branch(BranchId(id.0)).await?.into()))
    }

    /// Pair a branch with a community (三联共享共建共促); pairing twice changes nothing.
    #[oai(path = "/admin/branches/:id/communities/:community_id", method = "put")]
    async fn pair(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(validator(pattern = r"^[0-9]+$"))] community_id: Path<String>,
    ) -> Result<PairingChanged, PairProblems> {
        let community = community_of(&community_id.0)?;
        state.volunteering.pair(&auth.0.actor(), BranchId(id.0), community).await?;
        Ok(PairingChanged::Done)
    }

    /// End a pairing.
    #[oai(path = "/admin/branches/:id/communities/:community_id", method = "delete")]
    async fn unpair(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(validator(pattern = r"^[0-9]+$"))] community_id: Path<String>,
    ) -> Result<PairingChanged, UnpairProblems> {
        let community = community_of(&community_id.0)?;
        state.volunteering.unpair(&auth.0.actor(), BranchId(id.0), community).await?;
        Ok(PairingChanged::Done)
    }

    /// Post a problem (疑难问题) to the branches paired with the community.
    #[oai(path = "/communities/:id/problems", method = "post")]
    async fn post_problem(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        body: JsonBody<NewProblem>,
    ) -> Result<ProblemPosted, PostProblemProblems> {
        let posted =
            state.volunteering.post_problem(&auth.0.actor(), CommunityId(id.0), &body.title, &body.details).await?;
        Ok(ProblemPosted::Created(Json(posted.into())))
    }

    /// A community's problems, newest first, with counts by state. Its workers see them all; a member of a
    /// paired branch sees the open ones and those their branch took.
    #[oai(path = "/communities/:id/problems", method = "get")]
    async fn community_problems(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<i32>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<ProblemList>, CommunityProblemsProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let page = state.volunteering.community_problems(&auth.0.actor(), CommunityId(id.0), page).await?;
        Ok(Json(ProblemList::page(page)))
    }

    /// A branch's problems: the open ones of its paired communities, which it may take, and those it took, with
    /// counts; for the branch's members and admins.
    #[oai(path = "/branches/:id/problems", method = "get")]
    async fn branch_problems(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 100 (default 20).
        limit: Query<Option<PageLimit>>,
    ) -> Result<Json<ProblemList>, BranchProblemsProblems> {
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let page = state.volunteering.branch_problems(&auth.0.actor(), BranchId(id.0), page).await?;
        Ok(Json(ProblemList::page(page)))
    }

    /// Take an open problem for your branch. Two branches taking it at once: one gets it, the other 409.
    #[oai(path = "/problems/:id/take", method = "post")]
    async fn take(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<ProblemView>, TakeProblems> {
        Ok(Json(
            state
                .volunteering
                .act_on_problem(&auth.0.actor(), ProblemId(id.0), ProblemAction::Take, None)
                .await?
                .into(),
        ))
    }

    /// Close a problem your branch took, with its outcome.
    #[oai(path = "/problems/:id/close", method = "post")]
    async fn close(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CloseProblem>,
    ) -> Result<Json<ProblemView>, CloseProblems> {
        let close = ProblemAction::Close { solved: body.solved };
        let actor = auth.0.actor();
        let done = state.volunteering.act_on_problem(&actor, ProblemId(id.0), close, Some(&body.outcome));
        Ok(Json(done.await?.into()))
    }
}

/// The community of a pairing's path. Parsed here rather than by the framework, whose error for a route's
/// second path parameter would not say which parameter was wrong.
fn community_of(raw: &str) -> ApiResult<CommunityId> {
    raw.parse().map(CommunityId).map_err(|_| ApiError::malformed("community_id", "a community id is a number"))
}
