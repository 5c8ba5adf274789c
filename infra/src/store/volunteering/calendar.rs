//! Private calendar feeds: an account's token (stored as its digest, like a session's) and what its calendar
//! shows — a person's confirmed shifts, the appointments of the provider they work for from acceptance on, and
//! their own bookings for a time (a cancelled one marked cancelled).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use linli_domain::accounts::AccountId;
use linli_domain::error::Unexpected;
use linli_domain::volunteering::booking::SignupState;
use linli_domain::volunteering::model::{CalendarEntry, FeedOwner};
use linli_domain::volunteering::ports::{CalendarFeeds, Signups};

use crate::auth::{new_token, token_digest};
use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{account, calendar_feed, catalog_item, community, order};
use crate::store::Store;

/// How far back a feed reaches: recent past events stay visible in the calendar.
const FEED_PAST: TimeDelta = TimeDelta::days(90);

impl CalendarFeeds for Store {
    /// Makes a new feed token for the account, replacing any earlier one (which stops working).
    async fn rotate_calendar_token(&self, account: AccountId, now: DateTime<Utc>) -> Result<String, Unexpected> {
        let what = "making a calendar feed";
        let token = new_token()?;
        let txn = self.begin(what).await?;
        calendar_feed::Entity::delete_many()
            .filter(calendar_feed::Column::AccountId.eq(account.0))
            .exec(&txn)
            .await
            .context(what)?;
        calendar_feed::Entity::insert(calendar_feed::ActiveModel {
            token_hash: Set(token_digest(&token)),
            account_id: Set(account.0),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await
        .context(what)?;
        txn.commit().await.context(what)?;
        Ok(token)
    }

    /// Stops the account's feed; true when there was one.
    async fn revoke_calendar_token(&self, account: AccountId) -> Result<bool, Unexpected> {
        let done = calendar_feed::Entity::delete_many()
            .filter(calendar_feed::Column::AccountId.eq(account.0))
            .exec(&self.db)
            .await
            .context("stopping a calendar feed")?;
        Ok(done.rows_affected > 0)
    }

    async fn calendar_owner(&self, token: &str) -> Result<Option<FeedOwner>, Unexpected> {
        let what = "opening a calendar feed";
        let Some(feed) = calendar_feed::Entity::find_by_id(token_digest(token)).one(&self.db).await.context(what)?
        else {
            return Ok(None);
        };
        let owner = account::Entity::find_by_id(feed.account_id).one(&self.db).await.context(what)?;
        Ok(owner.map(|a| FeedOwner { account: AccountId(a.id), display_name: a.display_name }))
    }

    /// The account's confirmed shifts, its provider's appointments (accepted, in service or done) and its own
    /// bookings, from 90 days ago on.
    async fn calendar_entries(&self, owner: AccountId, now: DateTime<Utc>) -> Result<Vec<CalendarEntry>, Unexpected> {
        let what = "reading a calendar";
        let since = now - FEED_PAST;
        let mut entries = Vec::new();
        for (s, shift) in self.signups_of(owner, since).await? {
            if s.state != SignupState::Confirmed {
                continue;
            }
            let mut description = format!("{} · {}", shift.event_title, shift.title);
            if !shift.skills.as_slice().is_empty() {
                description.push_str(&format!("\n需要技能：{}", shift.skills.as_slice().join("、")));
            }
            entries.push(CalendarEntry {
                uid: format!("shift-{}@linli", s.id.0),
                summary: format!("志愿服务：{}", shift.title),
                location: shift.place,
                description,
                start: shift.window.start(),
                end: shift.window.end(),
                cancelled: shift.called_off,
            });
        }
        let provider =
            account::Entity::find_by_id(owner.0).one(&self.db).await.context(what)?.and_then(|a| a.provider_id);
        // The appointments the account's provider holds, from acceptance on.
        if let Some(p) = provider {
            let held = [StoredOrderState::Accepted, StoredOrderState::InService, StoredOrderState::Completed];
            let orders = order::Entity::find()
                .filter(order::Column::ProviderId.eq(p))
                .filter(order::Column::State.is_in(held))
                .filter(order::Column::WindowStart.is_not_null())
                .filter(order::Column::WindowEnd.gt(since))
                .order_by_asc(order::Column::WindowStart)
                .all(&self.db)
                .await
                .context(what)?;
            entries.extend(self.order_entries(orders, "预约服务").await?);
        }
        // The account's own bookings for a time, in any state: a cancelled one stays, marked cancelled, so that
        // the calendar application removes it rather than keeping a stale copy.
        let own = order::Entity::find()
            .filter(order::Column::ResidentId.eq(owner.0))
            .filter(order::Column::WindowStart.is_not_null())
            .filter(order::Column::WindowEnd.gt(since))
            .order_by_asc(order::Column::WindowStart)
            .all(&self.db)
            .await
            .context(what)?;
        entries.extend(self.order_entries(own, "我的预约").await?);
        entries.sort_by_key(|x| x.start);
        Ok(entries)
    }
}

impl Store {
    /// The calendar entries of orders booked for a time, each named `label：<item>`; a cancelled order is an
    /// entry marked cancelled.
    async fn order_entries(&self, orders: Vec<order::Model>, label: &str) -> Result<Vec<CalendarEntry>, Unexpected> {
        let what = "reading a calendar's appointments";
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let items: HashMap<i32, String> = catalog_item::Entity::find()
            .filter(catalog_item::Column::Id.is_in(orders.iter().map(|o| o.item_id)))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|i| (i.id, i.name))
            .collect();
        let places: HashMap<i32, String> = community::Entity::find()
            .filter(community::Column::Id.is_in(orders.iter().map(|o| o.community_id)))
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let entries = orders.into_iter().filter_map(|o| {
            let (start, end) = (o.window_start?, o.window_end?);
            let item = items.get(&o.item_id).cloned().unwrap_or_default();
            let place = places.get(&o.community_id).cloned().unwrap_or_default();
            Some(CalendarEntry {
                uid: format!("order-{}@linli", o.id),
                summary: format!("{label}：{item}"),
                location: format!("{place} {}", o.address),
                description: format!("订单 {}", o.id),
                start,
                end,
                cancelled: o.state == StoredOrderState::Cancelled,
            })
        });
        Ok(entries.collect())
    }
}
