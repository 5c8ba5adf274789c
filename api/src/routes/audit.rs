//! The audit log for admins: what admins and workers did, filtered, a page at a time or as CSV.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::audit::{AuditFilter, AuditRecord};
use linli_domain::paging::PageRequest;
use linli_domain::time::shanghai;

use super::ApiTags;
use super::csv::{CsvContent, csv_line};
use super::{PageLimit, limit_of};
use crate::auth::BearerAuth;
use crate::problem::problems;
use crate::state::AppState;

pub struct AuditApi;

problems!(
    /// What the audit log's operations can answer besides their success.
    AuditProblems: BadRequest, Unauthorized, Forbidden, Unprocessable
);

#[derive(ApiResponse)]
enum AuditCsv {
    /// The matching entries as CSV, newest first (at most 10,000; `X-Truncated: true` when there were more).
    #[oai(status = 200)]
    Ok(CsvContent, #[oai(header = "Content-Disposition")] String, #[oai(header = "X-Truncated")] String),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Admin")]
impl AuditApi {
    /// Entries of the audit log, newest first: who did what to what and when, with the before and after of
    /// what changed. Filter by `actor` (an account id), `action` (e.g. `account.disabled`), `object` (a kind
    /// such as `order`, or one object such as `order:<id>`) and a time range. Admins.
    // poem-openapi takes each query parameter as an argument of its own.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/admin/audit", method = "get")]
    async fn entries(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        actor: Query<Option<Uuid>>,
        action: Query<Option<String>>,
        object: Query<Option<String>>,
        from: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
        limit: Query<Option<PageLimit>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<AuditPage>, AuditProblems> {
        let filter = filter(actor.0, action.0, object.0, from.0, until.0);
        let page = PageRequest::new(limit_of(limit.0), cursor.0.as_deref());
        let found = state.audit.entries(&auth.0.actor(), &filter, page).await?;
        Ok(Json(AuditPage {
            next_cursor: found.next_cursor(|e| e.id.to_string()),
            entries: found.rows.into_iter().map(Into::into).collect(),
        }))
    }

    /// The same entries as a CSV file (times in Shanghai). Admins.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/admin/audit.csv", method = "get")]
    async fn csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        actor: Query<Option<Uuid>>,
        action: Query<Option<String>>,
        object: Query<Option<String>>,
        from: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
    ) -> Result<AuditCsv, AuditProblems> {
        let filter = filter(actor.0, action.0, object.0, from.0, until.0);
        let found = state.audit.export(&auth.0.actor(), &filter).await?;
        let mut out = String::from("\u{feff}");
        out.push_str("at,actor_id,actor_name,action,object,before,after\r\n");
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(ToString::to_string).unwrap_or_default();
        for e in &found.rows {
            out.push_str(&csv_line(&[
                e.at.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M:%S").to_string(),
                e.actor.0.to_string(),
                e.actor_name.clone(),
                e.action.clone(),
                e.object.clone(),
                json(&e.before),
                json(&e.after),
            ]));
        }
        let name = "attachment; filename=\"audit.csv\"".to_owned();
        Ok(AuditCsv::Ok(CsvContent::Csv(PlainText(out)), name, found.more.to_string()))
    }
}

fn filter(
    actor: Option<Uuid>,
    action: Option<String>,
    object: Option<String>,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> AuditFilter {
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    AuditFilter { actor: actor.map(AccountId), action: blank(action), object: blank(object), from, until }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEntryView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Uuid,
    pub actor_name: String,
    /// What was done, e.g. `account.disabled`, `order.assigned`.
    pub action: String,
    /// What it was done to, as `kind:id`.
    pub object: String,
    /// The changed values before; absent for something new.
    pub before: Option<serde_json::Value>,
    /// The changed values after.
    pub after: Option<serde_json::Value>,
}

impl From<AuditRecord> for AuditEntryView {
    fn from(e: AuditRecord) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor_id: e.actor.0,
            actor_name: e.actor_name,
            action: e.action,
            object: e.object,
            before: e.before,
            after: e.after,
        }
    }
}
