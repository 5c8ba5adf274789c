//! 三联: organ Party branches, their pairings with communities, and the problems (疑难问题) communities post to
//! their paired branches, with the counts each side sees.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::audit::AuditEntry;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::volunteering::errors::ProblemError;
use linli_domain::volunteering::model::{BranchRecord, ProblemRecord, ProblemsOf};
use linli_domain::volunteering::pairing::{ProblemAction, ProblemConflict, ProblemState};
use linli_domain::volunteering::ports::Pairings;
use linli_domain::volunteering::{BranchId, ProblemId};

use super::members::gone;
use crate::db::{DbContext, db_err};
use crate::entities::states::StoredProblemState;
use crate::entities::{branch, community, pairing, problem};
use crate::store::Store;

/// The rows a list of `of` shows.
fn condition(of: ProblemsOf) -> sea_orm::Condition {
    match of {
        ProblemsOf::Community(c) => sea_orm::Condition::all().add(problem::Column::CommunityId.eq(c.0)),
        ProblemsOf::Branch(b) => {
            let paired = sea_orm::sea_query::Query::select()
                .column(pairing::Column::CommunityId)
                .from(pairing::Entity)
                .and_where(Expr::col(pairing::Column::BranchId).eq(b.0))
                .to_owned();
            let open_nearby = sea_orm::Condition::all()
                .add(problem::Column::State.eq(StoredProblemState::Open))
                .add(problem::Column::CommunityId.in_subquery(paired));
            sea_orm::Condition::any().add(problem::Column::BranchId.eq(b.0)).add(open_nearby)
        }
        ProblemsOf::BranchIn(b, c) => sea_orm::Condition::all().add(problem::Column::CommunityId.eq(c.0)).add(
            sea_orm::Condition::any()
                .add(problem::Column::BranchId.eq(b.0))
                .add(problem::Column::State.eq(StoredProblemState::Open)),
        ),
    }
}

impl Pairings for Store {
    async fn create_branch(
        &self,
        name: &str,
        organization: &str,
        now: DateTime<Utc>,
    ) -> Result<BranchRecord, Unexpected> {
        let id = Uuid::now_v7();
        branch::Entity::insert(branch::ActiveModel {
            id: Set(id),
            name: Set(name.to_owned()),
            organization: Set(organization.to_owned()),
            demo: Set(false),
            created_at: Set(now),
        })
        .exec_without_returning(&self.db)
        .await
        .context("creating a branch")?;
        self.branch(BranchId(id)).await?.ok_or_else(|| gone("a new branch"))
    }

    async fn branch(&self, id: BranchId) -> Result<Option<BranchRecord>, Unexpected> {
        let rows = branch::Entity::find_by_id(id.0).all(&self.db).await.context("reading a branch")?;
        Ok(self.branch_records(rows).await?.pop())
    }

    /// Branches paired with `community`, or every branch when `None`, in the order they were added: at most
    /// `limit`, after the branch `after`.
    async fn branches(
        &self,
        community: Option<CommunityId>,
        after: Option<BranchId>,
        limit: u64,
    ) -> Result<Vec<BranchRecord>, Unexpected> {
        let what = "listing branches";
        let mut q = branch::Entity::find().order_by_asc(branch::Column::Id).limit(limit);
        if let Some(c) = community {
            let paired = sea_orm::sea_query::Query::select()
                .column(pairing::Column::BranchId)
                .from(pairing::Entity)
                .and_where(Expr::col(pairing::Column::CommunityId).eq(c.0))
                .to_owned();
            q = q.filter(branch::Column::Id.in_subquery(paired));
        }
        if let Some(a) = after {
            q = q.filter(branch::Column::Id.gt(a.0));
        }
        let rows = q.all(&self.db).await.context(what)?;
        self.branch_records(rows).await
    }

    /// Pairs the branch with the community; pairing twice changes nothing. False when either does not exist.
    async fn pair(&self, b: BranchId, c: CommunityId, audit: AuditEntry) -> Result<bool, Unexpected> {
        let what = "pairing a branch with a community";
        let txn = self.begin(what).await?;
        let known_branch = branch::Entity::find_by_id(b.0).one(&txn).await.context(what)?.is_some();
        let known_community = community::Entity::find_by_id(c.0).one(&txn).await.context(what)?.is_some();
        if !(known_branch && known_community) {
            return Ok(false);
        }
        let inserted = pairing::Entity::insert(pairing::ActiveModel {
            branch_id: Set(b.0),
            community_id: Set(c.0),
            created_at: Set(audit.at),
        })
        .on_conflict(
            OnConflict::columns([pairing::Column::BranchId, pairing::Column::CommunityId]).do_nothing().to_owned(),
        )
        .exec_without_returning(&txn)
        .await;
        match inserted {
            // A pairing that already existed changed nothing, and is not a change to record.
            Ok(0) | Err(sea_orm::DbErr::RecordNotInserted) => {}
            Ok(_) => crate::store::audit::append(&txn, &audit).await?,
            Err(err) => return Err(db_err(what)(err)),
        }
        txn.commit().await.context(what)?;
        Ok(true)
    }

    /// Ends a pairing; true when there was one.
    async fn unpair(&self, b: BranchId, c: CommunityId, audit: AuditEntry) -> Result<bool, Unexpected> {
        let what = "ending a pairing";
        let txn = self.begin(what).await?;
        let done = pairing::Entity::delete_by_id((b.0, c.0)).exec(&txn).await.context(what)?;
        if done.rows_affected == 0 {
            return Ok(false);
        }
        crate::store::audit::append(&txn, &audit).await?;
        txn.commit().await.context(what)?;
        Ok(true)
    }

    async fn is_paired(&self, b: BranchId, c: CommunityId) -> Result<bool, Unexpected> {
        let found = pairing::Entity::find_by_id((b.0, c.0)).one(&self.db).await.context("reading a pairing")?;
        Ok(found.is_some())
    }

    /// Posts a problem to the community's paired branches.
    async fn post_problem(
        &self,
        community: CommunityId,
        title: &str,
        details: &str,
        by: AccountId,
        now: DateTime<Utc>,
    ) -> Result<ProblemRecord, ProblemError> {
        let what = "posting a problem";
        if community::Entity::find_by_id(community.0).one(&self.db).await.context(what)?.is_none() {
            return Err(ProblemError::UnknownCommunity);
        }
        if self.branches(Some(community), None, 1).await?.is_empty() {
            return Err(ProblemError::NoPairedBranch);
        }
        let id = Uuid::now_v7();
        problem::Entity::insert(problem::ActiveModel {
            id: Set(id),
            community_id: Set(community.0),
            title: Set(title.to_owned()),
            details: Set(details.to_owned()),
            state: Set(StoredProblemState::Open),
            posted_by: Set(by.0),
            posted_at: Set(now),
            branch_id: Set(None),
            taken_by: Set(None),
            taken_at: Set(None),
            closed_at: Set(None),
            outcome: Set(None),
        })
        .exec_without_returning(&self.db)
        .await
        .context(what)?;
        self.problem(ProblemId(id)).await?.ok_or_else(|| ProblemError::Unexpected(gone("a new problem")))
    }

    async fn problem(&self, id: ProblemId) -> Result<Option<ProblemRecord>, Unexpected> {
        let row = problem::Entity::find_by_id(id.0).one(&self.db).await.context("reading a problem")?;
        Ok(row.map(problem_record))
    }

    /// Problems of a community, or those of a branch (the open ones of its paired communities, which it may
    /// take, and those it took), newest first: at most `limit`, before the problem `before`.
    async fn problems(
        &self,
        of: ProblemsOf,
        before: Option<ProblemId>,
        limit: u64,
    ) -> Result<Vec<ProblemRecord>, Unexpected> {
        let mut q = problem::Entity::find().filter(condition(of)).order_by_desc(problem::Column::Id).limit(limit);
        if let Some(b) = before {
            q = q.filter(problem::Column::Id.lt(b.0));
        }
        Ok(q.all(&self.db).await.context("listing problems")?.into_iter().map(problem_record).collect())
    }

    /// How many of those problems are in each state.
    async fn problem_counts(&self, of: ProblemsOf) -> Result<HashMap<ProblemState, u64>, Unexpected> {
        let rows: Vec<(String, i64)> = problem::Entity::find()
            .select_only()
            .column(problem::Column::State)
            .column_as(problem::Column::Id.count(), "n")
            .filter(condition(of))
            .group_by(problem::Column::State)
            .into_tuple()
            .all(&self.db)
            .await
            .context("counting problems")?;
        Ok(rows.into_iter().filter_map(|(s, n)| Some((ProblemState::parse(&s)?, n as u64))).collect())
    }

    /// A branch takes an open problem of a community it is paired with, or closes one it took. The change is a
    /// conditional update on the state read, so two branches taking at once leave one winner and one conflict.
    async fn act_on_problem(
        &self,
        id: ProblemId,
        branch: BranchId,
        action: ProblemAction,
        by: AccountId,
        outcome: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ProblemRecord, ProblemError> {
        let what = "working a problem";
        let txn = self.begin(what).await?;
        let Some(row) = problem::Entity::find_by_id(id.0).lock_exclusive().one(&txn).await.context(what)? else {
            return Err(ProblemError::NotFound);
        };
        // Whether the branch may act at all comes first, so a stranger learns nothing of the problem's state.
        let paired = pairing::Entity::find_by_id((branch.0, row.community_id)).one(&txn).await.context(what)?.is_some();
        match action {
            ProblemAction::Take if !paired => return Err(ProblemError::NotPaired),
            ProblemAction::Close { .. } if row.branch_id != Some(branch.0) => return Err(ProblemError::NotYourBranch),
            _ => {}
        }
        let state = ProblemState::from(row.state);
        let to = action.apply(state)?;
        let mut update = problem::Entity::update_many()
            .col_expr(problem::Column::State, Expr::value(StoredProblemState::from(to)))
            .filter(problem::Column::Id.eq(row.id))
            .filter(problem::Column::State.eq(StoredProblemState::from(state)));
        match action {
            ProblemAction::Take => {
                update = update
                    .col_expr(problem::Column::BranchId, Expr::value(branch.0))
                    .col_expr(problem::Column::TakenBy, Expr::value(by.0))
                    .col_expr(problem::Column::TakenAt, Expr::value(now));
            }
            ProblemAction::Close { .. } => {
                update = update
                    .col_expr(problem::Column::ClosedAt, Expr::value(now))
                    .col_expr(problem::Column::Outcome, Expr::value(outcome.map(str::to_owned)));
            }
        }
        if update.exec(&txn).await.context(what)?.rows_affected == 0 {
            return Err(ProblemError::Conflict(ProblemConflict(state)));
        }
        txn.commit().await.context(what)?;
        self.problem(id).await?.ok_or_else(|| ProblemError::Unexpected(gone("a problem")))
    }
}

impl Store {
    async fn branch_records(&self, rows: Vec<branch::Model>) -> Result<Vec<BranchRecord>, Unexpected> {
        let what = "reading branches";
        let ids: Vec<Uuid> = rows.iter().map(|b| b.id).collect();
        let mut communities: HashMap<Uuid, Vec<CommunityId>> = HashMap::new();
        for p in pairing::Entity::find()
            .filter(pairing::Column::BranchId.is_in(ids.clone()))
            .all(&self.db)
            .await
            .context(what)?
        {
            communities.entry(p.branch_id).or_default().push(CommunityId(p.community_id));
        }
        let mut counts: HashMap<(Uuid, StoredProblemState), u64> = HashMap::new();
        for p in
            problem::Entity::find().filter(problem::Column::BranchId.is_in(ids)).all(&self.db).await.context(what)?
        {
            if let Some(b) = p.branch_id {
                *counts.entry((b, p.state)).or_default() += 1;
            }
        }
        let count = |b: Uuid, s: ProblemState| counts.get(&(b, s.into())).copied().unwrap_or(0);
        Ok(rows
            .into_iter()
            .map(|b| BranchRecord {
                id: BranchId(b.id),
                communities: communities.remove(&b.id).unwrap_or_default(),
                problems_taken: count(b.id, ProblemState::Taken),
                problems_solved: count(b.id, ProblemState::Solved),
                name: b.name,
                organization: b.organization,
            })
            .collect())
    }
}

fn problem_record(p: problem::Model) -> ProblemRecord {
    ProblemRecord {
        id: ProblemId(p.id),
        community: CommunityId(p.community_id),
        state: p.state.into(),
        title: p.title,
        details: p.details,
        posted_at: p.posted_at,
        branch: p.branch_id.map(BranchId),
        taken_at: p.taken_at,
        closed_at: p.closed_at,
        outcome: p.outcome,
    }
}
