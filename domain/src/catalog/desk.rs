//! The catalog's use cases: anyone browses it; admins set how each item is dispatched and what it asks.

use std::future::Future;

use super::lifecycle::CreateItemError;
use super::questions::{QuestionInput, Questions};
use super::{CatalogItem, Category, DispatchMode, ItemId};
use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};

/// The catalog of service items.
pub trait CatalogItems: Clone + Send + Sync + 'static {
    /// Items in id order, of one category or all: at most `limit`, after the item `after`; retired items
    /// only when `retired`.
    fn catalog_items(
        &self,
        category: Option<Category>,
        after: Option<ItemId>,
        limit: u64,
        retired: bool,
    ) -> impl Future<Output = Result<Vec<CatalogItem>, Unexpected>> + Send;

    fn catalog_item(&self, id: ItemId) -> impl Future<Output = Result<Option<CatalogItem>, Unexpected>> + Send;

    /// Writes what differs between `before` and `after` of the item's words, price, routing, dispatch policy and
    /// retirement (never its code or questions), with the audit entry, in one transaction that also tells
    /// every replica's cache; what did not change is left as the row has it, so two admins changing different
    /// parts at once both keep theirs. False when there is no such item.
    fn save_item(
        &self,
        before: &CatalogItem,
        after: &CatalogItem,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// Adds `item` under the next free id (its own id is ignored), with the audit entry naming it, in one
    /// transaction that also tells every replica's cache.
    fn create_item(
        &self,
        item: &CatalogItem,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<ItemId, CreateItemError>> + Send;

    /// Replaces the item's questions, with the audit entry, in one transaction that also tells every
    /// replica's cache; returns the item after, or `None` when there is none.
    fn set_questions(
        &self,
        id: ItemId,
        questions: Questions,
        audit: AuditEntry,
    ) -> impl Future<Output = Result<Option<CatalogItem>, Unexpected>> + Send;
}

/// A change to an item's dispatch policy; absent parts stay as they are.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PolicyChange {
    pub mode: Option<DispatchMode>,
    /// How many providers a broadcast (抢单) offers at once.
    pub broadcast_k: Option<u32>,
    /// Rounds in one scope before dispatch looks wider.
    pub max_rounds: Option<u32>,
    pub offer_ttl_seconds: Option<u32>,
}

/// A policy change as an admin typed it.
#[derive(Clone, Debug, Default)]
pub struct PolicyInput {
    pub mode: Option<String>,
    pub broadcast_k: Option<u32>,
    pub max_rounds: Option<u32>,
    pub offer_ttl_seconds: Option<u32>,
}

impl PolicyInput {
    /// The change, naming the field of the first value out of range.
    pub fn parse(&self) -> Result<PolicyChange, Invalid> {
        let mode = self
            .mode
            .as_deref()
            .map(|m| {
                DispatchMode::parse(m)
                    .ok_or_else(|| Invalid::new("mode", "invalid_mode", "mode is dispatch or broadcast"))
            })
            .transpose()?;
        let within = |field: &str, value: Option<u32>, lo: u32, hi: u32| match value {
            Some(v) if !(lo..=hi).contains(&v) => {
                Err(Invalid::new(field, "out_of_range", format!("{field} is between {lo} and {hi}")))
            }
            _ => Ok(value),
        };
        Ok(PolicyChange {
            mode,
            broadcast_k: within("broadcast_k", self.broadcast_k, 1, 1000)?,
            max_rounds: within("max_rounds", self.max_rounds, 1, 20)?,
            offer_ttl_seconds: within("offer_ttl_seconds", self.offer_ttl_seconds, 10, 86_400)?,
        })
    }
}

/// The catalog's use cases over the repository `R` and a clock.
#[derive(Clone)]
pub struct CatalogDesk<R, C> {
    pub repo: R,
    pub clock: C,
}

impl PolicyChange {
    /// The item as it is once this change applies.
    pub(super) fn applied_to(&self, item: &CatalogItem) -> CatalogItem {
        CatalogItem {
            mode: self.mode.unwrap_or(item.mode),
            broadcast_k: self.broadcast_k.unwrap_or(item.broadcast_k),
            max_rounds: self.max_rounds.unwrap_or(item.max_rounds),
            offer_ttl_seconds: self.offer_ttl_seconds.or(item.offer_ttl_seconds),
            ..item.clone()
        }
    }
}

impl<R: CatalogItems, C: Clock> CatalogDesk<R, C> {
    pub fn new(repo: R, clock: C) -> Self {
        Self { repo, clock }
    }

    /// A page of items (of `category` when given: its code, e.g. `meals`), after the item `after`; retired
    /// items too when `retired`.
    pub async fn items(
        &self,
        category: Option<&str>,
        after: Option<ItemId>,
        limit: u64,
        retired: bool,
    ) -> Result<Vec<CatalogItem>, DeskError> {
        let category = match category {
            None | Some("") => None,
            Some(c) => Some(
                Category::parse(c).ok_or_else(|| Invalid::malformed("category", format!("unknown category {c:?}")))?,
            ),
        };
        Ok(self.repo.catalog_items(category, after, limit, retired).await?)
    }

    /// The items matching what a person typed (Chinese, or pinyin in full or by initials), best first, at
    /// most 20, none retired. The catalog is small enough (115 items) to rank whole on every search.
    pub async fn search(&self, typed: &str) -> Result<Vec<CatalogItem>, DeskError> {
        let typed = super::SearchText::parse(typed)?;
        let all = self.repo.catalog_items(None, None, u64::from(u16::MAX), false).await?;
        Ok(super::search(all, &typed))
    }

    pub async fn item(&self, id: ItemId) -> Result<CatalogItem, DeskError> {
        self.repo.catalog_item(id).await?.ok_or(DeskError::NotFound("catalog item"))
    }

    /// An admin replaces what an item asks the resident, in the order given. Orders placed before keep the
    /// answers they were given, with the questions' words as they were then.
    pub async fn set_questions(
        &self,
        actor: &Actor,
        id: ItemId,
        inputs: Vec<QuestionInput>,
    ) -> Result<CatalogItem, DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins change what an item asks").into());
        }
        let questions = Questions::parse(inputs)?;
        let before = self.repo.catalog_item(id).await?.ok_or(DeskError::NotFound("catalog item"))?;
        let json = |q: &Questions| serde_json::to_value(q).unwrap_or_default();
        let audit =
            AuditEntry::new(actor, self.clock.now(), "catalog.questions_changed", format!("catalog_item:{}", id.0))
                .before(json(&before.questions))
                .after(json(&questions));
        let after = self.repo.set_questions(id, questions, audit).await?;
        after.ok_or(DeskError::NotFound("catalog item"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_value_out_of_range_names_its_field() {
        let bad = PolicyInput { max_rounds: Some(21), ..Default::default() }.parse().unwrap_err();
        assert_eq!((bad.field.as_str(), bad.code), ("max_rounds", "out_of_range"));
        let bad = PolicyInput { mode: Some("auction".into()), ..Default::default() }.parse().unwrap_err();
        assert_eq!(bad.field, "mode");
        let good = PolicyInput { mode: Some("broadcast".into()), broadcast_k: Some(3), ..Default::default() };
        assert_eq!(good.parse().unwrap().mode, Some(DispatchMode::Broadcast));
    }
}
