//! 三联: admins keep the organ Party branches and their pairings with communities; a community's workers post
//! problems (疑难问题) to its paired branches, and a branch acts on them through its members.

use std::collections::HashMap;

use super::{VolunteerDesk, only, organizer_of, text};
use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::Denied;
use crate::geo::CommunityId;
use crate::paging::{Page, PageRequest};
use crate::volunteering::errors::{DeskError, ProblemError};
use crate::volunteering::model::{BranchRecord, ProblemRecord, ProblemsOf};
use crate::volunteering::organizes;
use crate::volunteering::pairing::{ProblemAction, ProblemState};
use crate::volunteering::ports::{Pairings, Registrations};
use crate::volunteering::{BranchId, ProblemId};

/// A page of problems, with how many of all of them (not only this page) are in each state.
#[derive(Clone, Debug)]
pub struct ProblemPage {
    pub problems: Page<ProblemRecord>,
    pub counts: HashMap<ProblemState, u64>,
}

impl<R: Pairings + Registrations, A, C: Clock, L> VolunteerDesk<R, A, C, L> {
    /// An admin adds an organ Party branch (机关党支部).
    pub async fn create_branch(
        &self,
        actor: &Actor,
        name: &str,
        organization: &str,
    ) -> Result<BranchRecord, DeskError> {
        only(actor, Role::Admin, "only admins add branches")?;
        let name = text("name", name, 100)?;
        let organization = text("organization", organization, 100)?;
        Ok(self.repo.create_branch(&name, &organization, self.clock.now()).await?)
    }

    /// Branches (of one community, or all), for anyone signed in.
    pub async fn branches(
        &self,
        community: Option<CommunityId>,
        after: Option<BranchId>,
        limit: u64,
    ) -> Result<Vec<BranchRecord>, DeskError> {
        Ok(self.repo.branches(community, after, limit).await?)
    }

    pub async fn branch(&self, id: BranchId) -> Result<BranchRecord, DeskError> {
        self.repo.branch(id).await?.ok_or(DeskError::NotFound("branch"))
    }

    /// An admin pairs a branch with a community; pairing twice changes nothing.
    pub async fn pair(&self, actor: &Actor, branch: BranchId, community: CommunityId) -> Result<(), DeskError> {
        only(actor, Role::Admin, "only admins pair branches with communities")?;
        let audit = pairing_audit(actor, self.clock.now(), "pairing.added", branch, community);
        if self.repo.pair(branch, community, audit).await? {
            Ok(())
        } else {
            Err(DeskError::NotFound("branch or community"))
        }
    }

    /// An admin ends a pairing.
    pub async fn unpair(&self, actor: &Actor, branch: BranchId, community: CommunityId) -> Result<(), DeskError> {
        only(actor, Role::Admin, "only admins pair branches with communities")?;
        let audit = pairing_audit(actor, self.clock.now(), "pairing.removed", branch, community);
        if self.repo.unpair(branch, community, audit).await? { Ok(()) } else { Err(DeskError::NotFound("pairing")) }
    }

    /// A worker of the community posts a problem to its paired branches.
    pub async fn post_problem(
        &self,
        actor: &Actor,
        community: CommunityId,
        title: &str,
        details: &str,
    ) -> Result<ProblemRecord, ProblemError> {
        organizer_of(actor, community)?;
        let title = text("title", title, 100)?;
        let details = text("details", details, 2000)?;
        self.repo.post_problem(community, &title, &details, actor.account, self.clock.now()).await
    }

    /// A community's problems: its workers see them all; a member of a paired branch sees the open ones and
    /// those their branch took; nobody else sees any.
    pub async fn community_problems(
        &self,
        actor: &Actor,
        community: CommunityId,
        page: PageRequest<'_>,
    ) -> Result<ProblemPage, DeskError> {
        let of = if organizes(actor, community) {
            ProblemsOf::Community(community)
        } else {
            match self.member_branch(actor).await? {
                Some(b) if self.repo.is_paired(b, community).await? => ProblemsOf::BranchIn(b, community),
                _ => return Err(Denied("only the community's workers and its paired branches see its problems").into()),
            }
        };
        self.problem_page(of, page).await
    }

    /// A branch's problems (the open ones of its communities and those it took), for its members and admins.
    pub async fn branch_problems(
        &self,
        actor: &Actor,
        branch: BranchId,
        page: PageRequest<'_>,
    ) -> Result<ProblemPage, DeskError> {
        if actor.role != Role::Admin && self.member_branch(actor).await? != Some(branch) {
            return Err(Denied("only the branch's members see its problems").into());
        }
        self.problem_page(ProblemsOf::Branch(branch), page).await
    }

    /// A member takes a problem for their branch, or closes one their branch took, with an outcome.
    pub async fn act_on_problem(
        &self,
        actor: &Actor,
        id: ProblemId,
        action: ProblemAction,
        outcome: Option<&str>,
    ) -> Result<ProblemRecord, ProblemError> {
        let outcome = outcome.map(|o| text("outcome", o, 2000)).transpose()?;
        only(actor, Role::PartyMember, "a branch acts through its members")?;
        let branch = self
            .member_branch(actor)
            .await?
            .ok_or(Denied("a branch acts through its members: register with your branch first"))?;
        self.repo.act_on_problem(id, branch, action, actor.account, outcome.as_deref(), self.clock.now()).await
    }

    async fn problem_page(&self, of: ProblemsOf, page: PageRequest<'_>) -> Result<ProblemPage, DeskError> {
        let (size, before) = (page.size()?, page.cursor()?.map(ProblemId));
        let rows = self.repo.problems(of, before, size + 1).await?;
        let counts = self.repo.problem_counts(of).await?;
        Ok(ProblemPage { problems: Page::of(rows, size), counts })
    }
}

/// A pairing's audit entry: the object is the branch and community it joins.
fn pairing_audit(
    actor: &Actor,
    at: chrono::DateTime<chrono::Utc>,
    action: &'static str,
    branch: BranchId,
    community: CommunityId,
) -> AuditEntry {
    let pair = serde_json::json!({ "branch_id": branch.0, "community_id": community.0 });
    let entry = AuditEntry::new(actor, at, action, format!("pairing:{}/{}", branch.0, community.0));
    if action == "pairing.added" { entry.after(pair) } else { entry.before(pair) }
}
