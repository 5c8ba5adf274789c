//! The record of scheduled jobs: slots claimed once across processes, and each run's outcome.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter};

use linli_domain::error::Unexpected;
use linli_domain::notifications::JobRecord;

use super::insert_once;
use crate::db::DbContext;
use crate::entities::job_run;
use crate::store::Store;

impl JobRecord for Store {
    async fn slot_done(&self, job: &str, slot: DateTime<Utc>) -> Result<bool, Unexpected> {
        let run = job_run::Entity::find_by_id(job.to_owned()).one(&self.db).await.context("reading a job's slot")?;
        Ok(run.and_then(|r| r.last_slot).is_some_and(|done| done >= slot))
    }

    async fn claim_slot(&self, job: &str, slot: DateTime<Utc>) -> Result<bool, Unexpected> {
        let what = "claiming a job's slot";
        insert_once(&self.db, new_job_run(job), job_run::Column::Job).await.context(what)?;
        let taken = job_run::Entity::update_many()
            .col_expr(job_run::Column::LastSlot, Expr::value(slot))
            .filter(job_run::Column::Job.eq(job))
            .filter(job_run::Column::LastSlot.is_null().or(job_run::Column::LastSlot.lt(slot)))
            .exec(&self.db)
            .await
            .context(what)?;
        Ok(taken.rows_affected == 1)
    }

    async fn record_run(
        &self,
        job: &str,
        started: DateTime<Utc>,
        finished: DateTime<Utc>,
        count: usize,
        error: Option<&str>,
    ) -> Result<(), Unexpected> {
        let what = "recording a job run";
        insert_once(&self.db, new_job_run(job), job_run::Column::Job).await.context(what)?;
        let duration = (finished - started).num_milliseconds();
        let mut update = job_run::Entity::update_many()
            .col_expr(job_run::Column::LastStartedAt, Expr::value(started))
            .col_expr(job_run::Column::LastFinishedAt, Expr::value(finished))
            .col_expr(job_run::Column::LastDurationMs, Expr::value(duration))
            .col_expr(job_run::Column::LastCount, Expr::value(i64::try_from(count).unwrap_or(i64::MAX)))
            .col_expr(job_run::Column::Runs, Expr::col(job_run::Column::Runs).add(1))
            .filter(job_run::Column::Job.eq(job));
        if let Some(error) = error {
            update = update
                .col_expr(job_run::Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
                .col_expr(job_run::Column::Failures, Expr::col(job_run::Column::Failures).add(1));
        }
        update.exec(&self.db).await.context(what)?;
        Ok(())
    }
}

fn new_job_run(job: &str) -> job_run::ActiveModel {
    job_run::ActiveModel {
        job: Set(job.to_owned()),
        last_slot: Set(None),
        last_started_at: Set(None),
        last_finished_at: Set(None),
        last_duration_ms: Set(0),
        last_count: Set(0),
        last_error: Set(None),
        runs: Set(0),
        failures: Set(0),
    }
}
