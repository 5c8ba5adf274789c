//! Single notices to one person, and the counts of the workers' morning digest.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QuerySelect};

use linli_domain::accounts::{AccountId, Role};
use linli_domain::error::Unexpected;
use linli_domain::notifications::Notices;
use linli_domain::words::Message;

use super::{insert_once, new_inbox};
use crate::db::DbContext;
use crate::entities::states::StoredOrderState;
use crate::entities::{account, community, inbox_message, order};
use crate::store::Store;

impl Notices for Store {
    async fn open_escalations_by_worker(&self) -> Result<Vec<(AccountId, u64)>, Unexpected> {
        let what = "counting open escalations";
        let counts: HashMap<i32, i64> = order::Entity::find()
            .select_only()
            .column(order::Column::CommunityId)
            .column_as(Expr::col(order::Column::Id).count(), "n")
            .filter(order::Column::State.eq(StoredOrderState::Escalated))
            .group_by(order::Column::CommunityId)
            .into_tuple::<(i32, i64)>()
            .all(&self.db)
            .await
            .context(what)?
            .into_iter()
            .collect();
        let communities: Vec<i32> = counts.keys().copied().collect();
        // A street worker's count is the sum over the street's communities.
        let mut by_street: HashMap<i32, i64> = HashMap::new();
        let streets = community::Entity::find()
            .filter(community::Column::Id.is_in(communities.clone()))
            .all(&self.db)
            .await
            .context(what)?;
        for c in streets {
            *by_street.entry(c.street_id).or_default() += counts.get(&c.id).copied().unwrap_or(0);
        }
        let workers = account::Entity::find()
            .filter(account::Column::Role.eq(Role::CommunityWorker.as_str()))
            .filter(
                Condition::any()
                    .add(account::Column::CommunityId.is_in(communities))
                    .add(account::Column::StreetId.is_in(by_street.keys().copied())),
            )
            .all(&self.db)
            .await
            .context(what)?;
        Ok(workers
            .into_iter()
            .filter_map(|w| {
                let n = match (w.community_id, w.street_id) {
                    (Some(c), _) => counts.get(&c)?,
                    (None, Some(s)) => by_street.get(&s)?,
                    (None, None) => return None,
                };
                Some((AccountId(w.id), u64::try_from(*n).unwrap_or(0)))
            })
            .collect())
    }

    async fn tell(
        &self,
        account: AccountId,
        message: &Message,
        source_key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Unexpected> {
        let row = new_inbox(account, message, None, source_key.to_owned(), now);
        insert_once(&self.db, row, inbox_message::Column::SourceKey).await.context("writing to an inbox")
    }
}
