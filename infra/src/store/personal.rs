//! A person's own data, read whole for download and erased in one transaction. Rows are exported as stored
//! (column names and all), less the secrets: password and token digests.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

use linli_domain::accounts::{AccountId, ERASED_ADDRESS, ERASED_NAME, PersonalData};
use linli_domain::error::Unexpected;
use linli_domain::words::{Lang, Message, Note};

use super::Store;
use crate::db::DbContext;
use crate::entities::{
    account, calendar_feed, community, delivery, inbox_message, order, order_event, refresh_token, registration,
    reminder, resident_record, service_hour, session, signup, verification_code,
};

/// Columns that are never exported: they are credentials, or the server's own bookkeeping of one.
const SECRETS: [&str; 3] = ["password_hash", "token_hash", "request_fingerprint"];

fn without_secrets(mut rows: Vec<Value>) -> Vec<Value> {
    for row in &mut rows {
        if let Some(obj) = row.as_object_mut() {
            for secret in SECRETS {
                obj.remove(secret);
            }
        }
    }
    rows
}

impl PersonalData for Store {
    async fn personal_data(&self, account: AccountId) -> Result<Value, Unexpected> {
        let db = &self.db;
        let id = account.0;
        let me = account::Entity::find_by_id(id).into_json().all(db).await.context("exporting an account")?;
        let orders = order::Entity::find()
            .filter(order::Column::ResidentId.eq(id))
            .order_by_asc(order::Column::PlacedAt)
            .into_json()
            .all(db)
            .await
            .context("exporting orders")?;
        // Notes and messages are kept as catalog keys; the person reads them worded in their language.
        let lang = me.first().and_then(|a| a["language"].as_str()).and_then(Lang::parse).unwrap_or_default();
        let order_ids: Vec<Uuid> = orders.iter().filter_map(|o| o["id"].as_str()?.parse().ok()).collect();
        let events = order_event::Entity::find()
            .filter(order_event::Column::OrderId.is_in(order_ids))
            .order_by_asc(order_event::Column::At)
            .into_json()
            .all(db)
            .await
            .context("exporting order history")?;
        let orders: Vec<Value> = without_secrets(orders)
            .into_iter()
            .map(|mut o| {
                let history: Vec<Value> = events
                    .iter()
                    .filter(|e| e["order_id"] == o["id"])
                    .map(|e| {
                        let mut e = e.clone();
                        e["note"] = Note::read(e["note"].as_str().unwrap_or_default(), lang).into();
                        e
                    })
                    .collect();
                o["events"] = json!(history);
                o
            })
            .collect();
        let inbox: Vec<Value> = inbox_message::Entity::find()
            .filter(inbox_message::Column::AccountId.eq(id))
            .into_json()
            .all(db)
            .await
            .context("exporting messages")?
            .into_iter()
            .map(|mut m| {
                if let Some(message) = m["message"].as_str().and_then(|j| serde_json::from_str::<Message>(j).ok()) {
                    (m["title"], m["body"]) = (message.title(lang).into(), message.body(lang).into());
                }
                m
            })
            .collect();
        let registrations = registration::Entity::find()
            .filter(registration::Column::AccountId.eq(id))
            .into_json()
            .all(db)
            .await
            .context("exporting registrations")?;
        let signups = signup::Entity::find()
            .filter(signup::Column::AccountId.eq(id))
            .into_json()
            .all(db)
            .await
            .context("exporting sign-ups")?;
        let hours = service_hour::Entity::find()
            .filter(service_hour::Column::AccountId.eq(id))
            .into_json()
            .all(db)
            .await
            .context("exporting service hours")?;
        let feed = calendar_feed::Entity::find()
            .filter(calendar_feed::Column::AccountId.eq(id))
            .into_json()
            .all(db)
            .await
            .context("exporting the calendar feed")?;
        let sessions = session::Entity::find()
            .filter(session::Column::AccountId.eq(id))
            .into_json()
            .all(db)
            .await
            .context("exporting sessions")?;
        let record = resident_record::Entity::find_by_id(id)
            .into_json()
            .one(db)
            .await
            .context("exporting a resident's record")?;
        Ok(json!({
            "account": without_secrets(me).into_iter().next(),
            "resident_record": record,
            "orders": orders,
            "inbox": inbox,
            "registrations": registrations,
            "signups": signups,
            "service_hours": hours,
            "calendar_feed": without_secrets(feed),
            "sessions": without_secrets(sessions),
        }))
    }

    async fn erase_account(&self, account: AccountId, now: DateTime<Utc>) -> Result<(), Unexpected> {
        let id = account.0;
        let txn = self.begin("erasing an account").await?;
        let me = account::Entity::find_by_id(id).one(&txn).await.context("reading an account to erase")?;
        let phone = me.and_then(|a| a.phone);
        // Each order keeps its item, community, times, states and history; where exactly it was and what the
        // resident wrote go. Its location becomes its community's centre, so area figures still add up.
        let orders = order::Entity::find()
            .filter(order::Column::ResidentId.eq(id))
            .all(&txn)
            .await
            .context("reading orders to erase")?;
        for o in &orders {
            let centre =
                community::Entity::find_by_id(o.community_id).one(&txn).await.context("reading a community")?;
            let (lat, lng) = centre.map_or((o.lat, o.lng), |c| (c.lat, c.lng));
            order::Entity::update_many()
                .col_expr(order::Column::Address, Expr::value(ERASED_ADDRESS))
                .col_expr(order::Column::Notes, Expr::value(""))
                .col_expr(order::Column::Lat, Expr::value(lat))
                .col_expr(order::Column::Lng, Expr::value(lng))
                .col_expr(order::Column::IdempotencyKey, Expr::value(Option::<String>::None))
                .filter(order::Column::Id.eq(o.id))
                .exec(&txn)
                .await
                .context("erasing an order's address")?;
            // A webhook delivery of the order to its provider carried the address.
            delivery::Entity::update_many()
                .col_expr(delivery::Column::Body, Expr::value(json!({ "erased": true }).to_string()))
                .filter(delivery::Column::Body.contains(o.id.to_string()))
                .exec(&txn)
                .await
                .context("erasing an order's deliveries")?;
        }
        inbox_message::Entity::delete_many()
            .filter(inbox_message::Column::AccountId.eq(id))
            .exec(&txn)
            .await
            .context("erasing messages")?;
        resident_record::Entity::delete_many()
            .filter(resident_record::Column::AccountId.eq(id))
            .exec(&txn)
            .await
            .context("erasing a resident's record")?;
        reminder::Entity::delete_many()
            .filter(reminder::Column::AccountId.eq(id))
            .exec(&txn)
            .await
            .context("erasing reminders")?;
        delivery::Entity::delete_many()
            .filter(delivery::Column::AccountId.eq(id))
            .exec(&txn)
            .await
            .context("erasing texts")?;
        calendar_feed::Entity::delete_many()
            .filter(calendar_feed::Column::AccountId.eq(id))
            .exec(&txn)
            .await
            .context("erasing a calendar feed")?;
        session::Entity::delete_many()
            .filter(session::Column::AccountId.eq(id))
            .exec(&txn)
            .await
            .context("erasing sessions")?;
        refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::AccountId.eq(id))
            .exec(&txn)
            .await
            .context("erasing refresh tokens")?;
        if let Some(phone) = phone {
            verification_code::Entity::delete_many()
                .filter(verification_code::Column::Phone.eq(phone))
                .exec(&txn)
                .await
                .context("erasing codes")?;
        }
        let erased_name = format!("erased-{}", &id.simple().to_string()[..12]);
        account::Entity::update_many()
            .col_expr(account::Column::Username, Expr::value(erased_name))
            .col_expr(account::Column::DisplayName, Expr::value(ERASED_NAME))
            .col_expr(account::Column::Phone, Expr::value(Option::<String>::None))
            .col_expr(account::Column::PasswordHash, Expr::value(""))
            .col_expr(account::Column::DisabledAt, Expr::value(Some(now)))
            .col_expr(account::Column::ErasedAt, Expr::value(Some(now)))
            .filter(account::Column::Id.eq(id))
            .exec(&txn)
            .await
            .context("erasing an account")?;
        txn.commit().await.context("erasing an account")
    }
}
