//! Placing an order: one statement on PostgreSQL (order, first event and outbox row together), one
//! transaction elsewhere, and the explanation of an insert the constraints refused.

use sea_orm::sea_query::{InsertStatement, PostgresQueryBuilder};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter, SqlErr, Statement,
    TransactionTrait,
};
use sea_orm::{EntityName, IdenStatic};
use sha2::Digest;

use linli_domain::accounts::AccountId;
use linli_domain::catalog::ItemId;
use linli_domain::error::Unexpected;
use linli_domain::geo::CommunityId;
use linli_domain::orders::{InsertOrderError, NewOrder, Placed, SlotHold};

use crate::db::{DbContext, db_err};
use crate::entities::{catalog_item, community, order, order_event, outbox};
use crate::store::candidates::pending_in;
use crate::store::{Store, convert};

impl Store {
    /// Inserts an order, its first event and its outbox row in one transaction, while the item asks `asked`
    /// (as JSON) and, for a booked time, while its place is free. The item's unheld bookings in the community
    /// are counted under a lock per item and community (PostgreSQL's transaction-scoped advisory lock; SQLite
    /// writes one at a time anyway), so bookings racing for the last place go in one after another and only
    /// the first finds it free.
    pub(super) async fn insert_in_transaction(
        &self,
        row: order::Model,
        asked: &str,
        event: order_event::ActiveModel,
        announcement: outbox::ActiveModel,
        slot: Option<SlotHold>,
    ) -> Result<Inserted, DbErr> {
        // The raw database error, not `Store::begin`'s: the caller tells the constraint that refused apart.
        let txn = self.db.begin().await?;
        if let (Some(hold), Some(start), Some(end)) = (slot, row.window_start, row.window_end) {
            if txn.get_database_backend() == DbBackend::Postgres {
                let lock = "SELECT pg_advisory_xact_lock($1, $2)";
                let keys = [row.item_id.into(), row.community_id.into()];
                txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, lock, keys)).await?;
            }
            let taken = order::Entity::find()
                .filter(pending_in(ItemId(row.item_id), CommunityId(row.community_id)))
                .filter(order::Column::WindowStart.lt(end))
                .filter(order::Column::WindowEnd.gt(start))
                .count(&txn)
                .await?;
            if taken >= u64::from(hold.room) {
                return Ok(Inserted::SlotFull);
            }
        }
        let item = catalog_item::Entity::find_by_id(row.item_id).one(&txn).await?;
        if item.is_some_and(|i| i.questions != asked || i.retired_at.is_some()) {
            return Ok(Inserted::QuestionsChanged);
        }
        order::Entity::insert(order::ActiveModel::from(row)).exec_without_returning(&txn).await?;
        order_event::Entity::insert(event).exec_without_returning(&txn).await?;
        outbox::Entity::insert(announcement).exec_without_returning(&txn).await?;
        txn.commit().await.map(|()| Inserted::Yes)
    }

    /// Explains a failed order insert: the key was used before (for this same order, which is then the answer,
    /// or for a different one), or the item or community does not exist.
    pub(super) async fn why_not_inserted(
        &self,
        new: &NewOrder,
        fingerprint: Option<&str>,
        err: DbErr,
    ) -> Result<Placed, InsertOrderError> {
        let e = db_err("placing an order");
        match (err.sql_err(), &new.idempotency_key) {
            // The same key again, or two requests with one key raced and the other committed first.
            (Some(SqlErr::UniqueConstraintViolation(_)), Some(key)) => {
                match find_by_key(&self.db, new.resident, key.as_ref()).await? {
                    Some(existing) => same_request(existing, fingerprint),
                    None => Err(e(err).into()),
                }
            }
            (Some(SqlErr::ForeignKeyConstraintViolation(_)), _) => {
                let what = "placing an order";
                let Some(item) = catalog_item::Entity::find_by_id(new.item.0).one(&self.db).await.context(what)? else {
                    return Err(InsertOrderError::UnknownItem);
                };
                let community = community::Entity::find_by_id(new.community.0).one(&self.db).await;
                if community.context(what)?.is_none() {
                    return Err(InsertOrderError::UnknownCommunity);
                }
                // The order's insert waited on the item's questions (`while_asked`), and its event then had no
                // order to refer to.
                let asked = serde_json::to_string(&new.asked).map_err(|e| Unexpected::new(what, e))?;
                if item.questions != asked || item.retired_at.is_some() {
                    return Err(InsertOrderError::QuestionsChanged);
                }
                Err(e(err).into())
            }
            _ => Err(e(err).into()),
        }
    }
}

/// What an order's insert did: nothing is written unless it went in.
pub(super) enum Inserted {
    Yes,
    /// The item asks other questions now.
    QuestionsChanged,
    /// The booked time has no place left.
    SlotFull,
}

pub(super) async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    resident: AccountId,
    key: &str,
) -> Result<Option<order::Model>, Unexpected> {
    order::Entity::find()
        .filter(order::Column::ResidentId.eq(resident.0))
        .filter(order::Column::IdempotencyKey.eq(key))
        .one(db)
        .await
        .context("looking up an idempotency key")
}

/// The order an idempotency key made, if this request says the same as the one that made it.
pub(super) fn same_request(existing: order::Model, fingerprint: Option<&str>) -> Result<Placed, InsertOrderError> {
    if existing.request_fingerprint.as_deref() != fingerprint {
        return Err(InsertOrderError::KeyReused);
    }
    Ok(Placed::Existing(convert::order(existing)?))
}

pub(super) fn hex_digest(text: &str) -> String {
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// One statement's SQL for PostgreSQL, with its values.
pub(super) type Part = (String, Vec<sea_orm::Value>);

pub(super) fn built(insert: InsertStatement) -> Part {
    let (sql, values) = insert.build(PostgresQueryBuilder);
    (sql, values.0)
}

/// Makes an order's insert happen only while its item asks exactly `asked` (its questions as JSON) and is not
/// retired:
/// `INSERT … VALUES (…)` becomes `INSERT … SELECT … WHERE EXISTS (…)`. When nothing is inserted, the event
/// beside it has no order to refer to and the whole statement fails, which `why_not_inserted` explains.
pub(super) fn while_asked((sql, mut values): Part, item: i32, asked: String) -> Part {
    let (head, row) = sql.split_once(" VALUES (").expect("the insert of one row");
    let row = row.strip_suffix(')').expect("the insert of one row ends its values");
    let (table, id, questions, retired) = (
        catalog_item::Entity.table_name(),
        catalog_item::Column::Id.as_str(),
        catalog_item::Column::Questions.as_str(),
        catalog_item::Column::RetiredAt.as_str(),
    );
    let n = values.len();
    values.extend([item.into(), asked.into()]);
    let condition = format!(
        r#"EXISTS (SELECT 1 FROM "{table}" WHERE "{id}" = ${} AND "{questions}" = ${} AND "{retired}" IS NULL)"#,
        n + 1,
        n + 2
    );
    (format!("{head} SELECT {row} WHERE {condition}"), values)
}

/// Three PostgreSQL inserts as one statement: the first two as data-modifying `WITH` parts. Foreign keys are
/// checked at the end of the statement, so the event may name the order inserted beside it.
pub(super) fn combined_insert(first: Part, second: Part, third: Part) -> Statement {
    let mut sql = String::from("WITH ");
    let mut values: Vec<sea_orm::Value> = Vec::new();
    for (n, (part, part_values)) in [first, second, third].into_iter().enumerate() {
        // Each part numbers its placeholders from $1; shift them past the parts before it.
        let shifted = shift_placeholders(&part, values.len());
        values.extend(part_values);
        match n {
            0 => sql.push_str(&format!("first AS ({shifted}), ")),
            1 => sql.push_str(&format!("second AS ({shifted}) ")),
            _ => sql.push_str(&shifted),
        }
    }
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Renumbers `$n` placeholders as `$(n + by)`. The query builder binds every value, so `$` followed by digits
/// appears in the SQL only as a placeholder.
pub(super) fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => out.push_str(&(n + by).to_string()),
                Err(_) => out.push_str(&digits),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::shift_placeholders;

    #[test]
    fn placeholders_are_shifted_and_nothing_else_changes() {
        assert_eq!(
            shift_placeholders(r#"INSERT INTO "t" ("a", "b") VALUES ($1, $2)"#, 3),
            r#"INSERT INTO "t" ("a", "b") VALUES ($4, $5)"#
        );
        assert_eq!(shift_placeholders("VALUES ($10)", 0), "VALUES ($10)");
        assert_eq!(shift_placeholders("a $ b", 2), "a $ b");
    }
}
