//! Placing an order: one statement on PostgreSQL (order, first event and outbox row together), one
//! transaction elsewhere, and the explanation of an insert the constraints refused.

use sea_orm::sea_query::{InsertStatement, PostgresQueryBuilder};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, SqlErr, Statement, TransactionTrait,
};
use sha2::Digest;

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::orders::{InsertOrderError, NewOrder, Placed};

use crate::db::{DbContext, db_err};
use crate::entities::{catalog_item, community, order, order_event, outbox};
use crate::store::{Store, convert};

impl Store {
    /// Inserts an order, its first event and its outbox row in one transaction.
    pub(super) async fn insert_in_transaction(
        &self,
        row: order::Model,
        event: order_event::ActiveModel,
        announcement: outbox::ActiveModel,
    ) -> Result<(), DbErr> {
        // The raw database error, not `Store::begin`'s: the caller tells the constraint that refused apart.
        let txn = self.db.begin().await?;
        order::Entity::insert(order::ActiveModel::from(row)).exec_without_returning(&txn).await?;
        order_event::Entity::insert(event).exec_without_returning(&txn).await?;
        outbox::Entity::insert(announcement).exec_without_returning(&txn).await?;
        txn.commit().await
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
                let item = catalog_item::Entity::find_by_id(new.item.0).one(&self.db).await;
                if item.context("placing an order")?.is_none() {
                    return Err(InsertOrderError::UnknownItem);
                }
                let community = community::Entity::find_by_id(new.community.0).one(&self.db).await;
                if community.context("placing an order")?.is_none() {
                    return Err(InsertOrderError::UnknownCommunity);
                }
                Err(e(err).into())
            }
            _ => Err(e(err).into()),
        }
    }
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

/// Three PostgreSQL inserts as one statement: the first two as data-modifying `WITH` parts. Foreign keys are
/// checked at the end of the statement, so the event may name the order inserted beside it.
pub(super) fn combined_insert(first: InsertStatement, second: InsertStatement, third: InsertStatement) -> Statement {
    let mut sql = String::from("WITH ");
    let mut values: Vec<sea_orm::Value> = Vec::new();
    for (n, insert) in [first, second, third].into_iter().enumerate() {
        let (part, part_values) = insert.build(PostgresQueryBuilder);
        // Each part numbers its placeholders from $1; shift them past the parts before it.
        let shifted = shift_placeholders(&part, values.len());
        values.extend(part_values.0);
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
