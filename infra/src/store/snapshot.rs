//! The in-memory snapshot of what dispatch reads most and what changes least: each item's providers with their
//! coverage and hours, the catalog, and which street and district each community lies in.
//!
//! Every write to providers, the catalog or the map bumps the `dispatch` change counter in the same transaction
//! (or right after its data, never before), and a reader checks the counter, one primary-key read, before
//! trusting its copy. So a snapshot is never used after a change has committed, on any replica, with one
//! exception that its caller confirms: placing an order checks the answers against the catalog as last read
//! ([`Store::recent_catalog`]), and the insert goes ahead only while the item still asks those questions and is
//! not retired. A community's area is the one cached read that skips the counter: an area read at another
//! version is kept until the next read of the counter finds it changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter};

use linli_domain::catalog::CatalogItems;
use linli_domain::catalog::{CatalogItem, ItemId};
use linli_domain::dispatch::Candidate;
use linli_domain::error::Unexpected;
use linli_domain::geo::{Area, CommunityId};

use super::Store;
use crate::db::DbContext;
use crate::entities::change_counter;

const COUNTER: &str = "dispatch";

/// Providers per item and the catalog, as of one value of the change counter.
#[derive(Debug, Default)]
pub(super) struct Snapshot {
    inner: Mutex<Cached>,
}

#[derive(Debug, Default)]
struct Cached {
    version: Option<i64>,
    profiles: HashMap<ItemId, Arc<Vec<Candidate>>>,
    catalog: Option<Arc<HashMap<ItemId, CatalogItem>>>,
    areas: HashMap<CommunityId, Area>,
}

impl Snapshot {
    /// Forgets what was cached under any other version of the counter.
    fn at_version(&self, version: i64) -> std::sync::MutexGuard<'_, Cached> {
        let mut cached = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if cached.version != Some(version) {
            *cached = Cached { version: Some(version), ..Cached::default() };
        }
        cached
    }
}

impl Store {
    /// Marks providers or the catalog as changed; call it in the writing transaction, or after the write.
    pub(crate) async fn bump_dispatch_counter<C: ConnectionTrait>(db: &C) -> Result<(), Unexpected> {
        change_counter::Entity::update_many()
            .col_expr(change_counter::Column::Value, Expr::col(change_counter::Column::Value).add(1))
            .filter(change_counter::Column::Name.eq(COUNTER))
            .exec(db)
            .await
            .context("recording a change to providers or the catalog")?;
        Ok(())
    }

    async fn dispatch_counter(&self) -> Result<i64, Unexpected> {
        let row = change_counter::Entity::find_by_id(COUNTER.to_owned())
            .one(&self.db)
            .await
            .context("reading the change counter")?;
        Ok(row.map_or(0, |r| r.value))
    }

    /// The providers offering `item`, without their jobs and fairness counts, from the snapshot when it is
    /// current.
    pub(super) async fn provider_profiles(&self, item: ItemId) -> Result<Arc<Vec<Candidate>>, Unexpected> {
        let version = self.dispatch_counter().await?;
        if let Some(found) = self.snapshot.at_version(version).profiles.get(&item) {
            return Ok(found.clone());
        }
        let loaded = Arc::new(self.load_profiles(item).await?);
        self.snapshot.at_version(version).profiles.insert(item, loaded.clone());
        Ok(loaded)
    }

    /// The whole catalog by id, from the snapshot when it is current.
    pub(super) async fn catalog_by_id(&self) -> Result<Arc<HashMap<ItemId, CatalogItem>>, Unexpected> {
        let version = self.dispatch_counter().await?;
        if let Some(found) = &self.snapshot.at_version(version).catalog {
            return Ok(found.clone());
        }
        let items = self.catalog_items(None, None, 100_000, true).await?;
        let loaded = Arc::new(items.into_iter().map(|i| (i.id, i)).collect::<HashMap<_, _>>());
        self.snapshot.at_version(version).catalog = Some(loaded.clone());
        Ok(loaded)
    }

    /// The catalog as last read, whatever the counter says now; `None` before the first read.
    pub(super) fn recent_catalog(&self) -> Option<Arc<HashMap<ItemId, CatalogItem>>> {
        self.snapshot.inner.lock().unwrap_or_else(|p| p.into_inner()).catalog.clone()
    }

    /// The street and district of a community, cached until the next read of the counter finds it changed
    /// (an admin moved a community or a street): reading the counter again for every area would cost a round
    /// trip on every offer, for a map that changes a few times a year.
    pub(super) async fn cached_area(&self, id: CommunityId) -> Result<Option<Area>, Unexpected> {
        let (known, version) = {
            let cached = self.snapshot.inner.lock().unwrap_or_else(|p| p.into_inner());
            (cached.areas.get(&id).copied(), cached.version)
        };
        if known.is_some() {
            return Ok(known);
        }
        let found = self.load_area(id).await?;
        let mut cached = self.snapshot.inner.lock().unwrap_or_else(|p| p.into_inner());
        // Read before a change that another task has seen since: the change's area must not be overwritten.
        if let Some(area) = found
            && cached.version == version
        {
            cached.areas.insert(id, area);
        }
        Ok(found)
    }
}
