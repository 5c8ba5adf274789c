//! The audit log: [`append`] writes an entry inside the transaction of the change it records (every audited
//! adapter calls it), and [`AuditLog`] reads entries back a page at a time.

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use linli_domain::accounts::AccountId;
use linli_domain::audit::{AuditEntry, AuditFilter, AuditLog, AuditRecord};
use linli_domain::error::Unexpected;

use super::Store;
use crate::db::DbContext;
use crate::entities::{account, audit_entry};

/// Writes `entry` on `conn`, which is the transaction of the change it records.
pub(crate) async fn append(conn: &impl ConnectionTrait, entry: &AuditEntry) -> Result<(), Unexpected> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
    let row = audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(entry.at),
        actor_id: Set(entry.actor.0),
        action: Set(entry.action.to_owned()),
        object: Set(entry.object.clone()),
        before: Set(json(&entry.before)),
        after: Set(json(&entry.after)),
    };
    audit_entry::Entity::insert(row).exec_without_returning(conn).await.context("recording an audit entry")?;
    Ok(())
}

impl AuditLog for Store {
    async fn audit_entries(
        &self,
        filter: &AuditFilter,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<AuditRecord>, Unexpected> {
        let mut q = audit_entry::Entity::find().find_also_related(account::Entity);
        if let Some(actor) = filter.actor {
            q = q.filter(audit_entry::Column::ActorId.eq(actor.0));
        }
        if let Some(action) = &filter.action {
            q = q.filter(audit_entry::Column::Action.eq(action.as_str()));
        }
        if let Some(object) = &filter.object {
            // `account` matches every account; `account:…` one of them.
            q = if object.contains(':') {
                q.filter(audit_entry::Column::Object.eq(object.as_str()))
            } else {
                q.filter(audit_entry::Column::Object.starts_with(format!("{object}:")))
            };
        }
        if let Some(from) = filter.from {
            q = q.filter(audit_entry::Column::At.gte(from));
        }
        if let Some(until) = filter.until {
            q = q.filter(audit_entry::Column::At.lt(until));
        }
        if let Some(before) = before {
            q = q.filter(audit_entry::Column::Id.lt(before));
        }
        let rows = q
            .order_by_desc(audit_entry::Column::Id)
            .limit(limit + 1)
            .all(&self.db)
            .await
            .context("reading the audit log")?;
        let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        Ok(rows
            .into_iter()
            .map(|(e, actor)| AuditRecord {
                id: e.id,
                at: e.at,
                actor: AccountId(e.actor_id),
                actor_name: actor.map(|a| a.display_name).unwrap_or_default(),
                action: e.action,
                object: e.object,
                before: parse(e.before),
                after: parse(e.after),
            })
            .collect())
    }
}
