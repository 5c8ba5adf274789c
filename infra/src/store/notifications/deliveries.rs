//! Deliveries to the outside, leased per attempt, with their retries and dead letters.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, EntityTrait, ExprTrait, LoaderTrait, QueryFilter};
use uuid::Uuid;

use linli_domain::accounts::PhoneNumber;
use linli_domain::error::Unexpected;
use linli_domain::notifications::{Channel, ClaimedDelivery, Deliveries, DeliveryTarget};

use super::claimable;
use crate::db::DbContext;
use crate::entities::states::StoredDeliveryState;
use crate::entities::{delivery, webhook_endpoint};
use crate::store::Store;

impl Deliveries for Store {
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<ClaimedDelivery>, Unexpected> {
        let what = "claiming deliveries";
        let choose = claimable(
            Query::select()
                .column(delivery::Column::Id)
                .from(delivery::Entity)
                .and_where(Expr::col(delivery::Column::State).eq(StoredDeliveryState::Pending))
                .and_where(Expr::col(delivery::Column::NextAttemptAt).lte(now))
                .order_by(delivery::Column::NextAttemptAt, sea_orm::Order::Asc)
                .limit(limit)
                .to_owned(),
        );
        let rows = delivery::Entity::update_many()
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(lease_until))
            .filter(delivery::Column::Id.in_subquery(choose))
            .exec_with_returning(&self.db)
            .await
            .context(what)?;
        let endpoints = rows.load_one(webhook_endpoint::Entity, &self.db).await.context(what)?;
        let phones = Self::phones(&self.db, rows.iter().filter_map(|d| d.account_id).collect()).await.context(what)?;
        Ok(rows
            .into_iter()
            .zip(endpoints)
            .filter_map(|(d, endpoint)| {
                let channel = Channel::parse(&d.channel)?;
                let target = match channel {
                    Channel::Webhook => endpoint
                        .map_or(DeliveryTarget::Gone, |w| DeliveryTarget::Webhook { url: w.url, secret: w.secret }),
                    Channel::Sms => d
                        .account_id
                        .and_then(|a| phones.get(&a))
                        .and_then(|p| PhoneNumber::parse(p).ok())
                        .map_or(DeliveryTarget::Gone, |phone| DeliveryTarget::Sms { phone }),
                };
                Some(ClaimedDelivery {
                    id: d.id,
                    channel,
                    event_type: d.event_type,
                    body: d.body,
                    attempts: u32::try_from(d.attempts).unwrap_or(0),
                    target,
                })
            })
            .collect())
    }

    async fn delivery_succeeded(&self, id: Uuid, now: DateTime<Utc>) -> Result<(), Unexpected> {
        delivery::Entity::update_many()
            .col_expr(delivery::Column::State, Expr::value(StoredDeliveryState::Delivered))
            .col_expr(delivery::Column::DeliveredAt, Expr::value(now))
            .col_expr(delivery::Column::Attempts, Expr::col(delivery::Column::Attempts).add(1))
            .col_expr(delivery::Column::LastError, Expr::value(Option::<String>::None))
            .filter(delivery::Column::Id.eq(id))
            .filter(delivery::Column::State.eq(StoredDeliveryState::Pending))
            .exec(&self.db)
            .await
            .context("recording a delivery")?;
        Ok(())
    }

    async fn delivery_failed(&self, id: Uuid, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), Unexpected> {
        let mut update = delivery::Entity::update_many()
            .col_expr(delivery::Column::Attempts, Expr::col(delivery::Column::Attempts).add(1))
            .col_expr(delivery::Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
            .filter(delivery::Column::Id.eq(id))
            // A worker whose lease ran out must not undo what the one that took over recorded.
            .filter(delivery::Column::State.eq(StoredDeliveryState::Pending));
        update = match retry_at {
            Some(at) => update.col_expr(delivery::Column::NextAttemptAt, Expr::value(at)),
            None => update.col_expr(delivery::Column::State, Expr::value(StoredDeliveryState::Dead)),
        };
        update.exec(&self.db).await.context("recording a failed delivery")?;
        Ok(())
    }
}
