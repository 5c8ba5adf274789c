//! An item's life in the catalog, as admins keep it: created with its words, price and routing, edited, and
//! retired — a retired item takes no new orders and is no longer listed, while the orders placed before keep
//! it — or brought back.

use serde_json::json;

use super::desk::{CatalogDesk, CatalogItems, PolicyInput};
use super::questions::Questions;
use super::{CatalogItem, Category, DispatchMode, Fen, ItemId, Routing};
use crate::accounts::{Actor, Role};
use crate::audit::AuditEntry;
use crate::clock::Clock;
use crate::error::{Denied, DeskError, Invalid, Unexpected};

/// A new item as an admin typed it; what is left out takes the usual value.
#[derive(Clone, Debug, Default)]
pub struct ItemInput {
    /// 2 to 32 capital letters, digits or `-`, starting with a letter, e.g. `MEAL-031`; unique.
    pub code: String,
    pub words: ItemWords,
    /// `dispatch` (the default) or `broadcast`.
    pub mode: Option<String>,
}

/// An item's words, price and routing as an admin typed them: each part left out stays as it is (or, for a
/// new item, takes its default: no description, an hour, free, standard routing).
#[derive(Clone, Debug, Default)]
pub struct ItemWords {
    pub name: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub duration_minutes: Option<i32>,
    pub price_fen: Option<i64>,
    pub routing: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateItemError {
    #[error("another item has that code")]
    DuplicateCode,
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

/// The longest service an item describes: a whole day.
const MAX_DURATION_MINUTES: i32 = 24 * 60;
/// The highest price an item asks: ¥100,000.
const MAX_PRICE_FEN: i64 = 10_000_000;

impl ItemWords {
    /// `item` with these words applied, naming the field of the first value that breaks a rule.
    fn applied_to(self, mut item: CatalogItem) -> Result<CatalogItem, Invalid> {
        if let Some(name) = self.name {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 50 {
                return Err(Invalid::new("name", "invalid_name", "a name has 1 to 50 characters"));
            }
            item.name = name.to_owned();
        }
        if let Some(c) = self.category {
            item.category = Category::parse(&c)
                .ok_or_else(|| Invalid::new("category", "invalid_category", format!("unknown category {c:?}")))?;
        }
        if let Some(d) = self.description {
            if d.chars().count() > 500 {
                return Err(Invalid::new("description", "too_long", "a description has at most 500 characters"));
            }
            item.description = d.trim().to_owned();
        }
        if let Some(m) = self.duration_minutes {
            if !(5..=MAX_DURATION_MINUTES).contains(&m) {
                let rule = format!("a service lasts 5 to {MAX_DURATION_MINUTES} minutes");
                return Err(Invalid::new("duration_minutes", "out_of_range", rule));
            }
            item.duration_minutes = m;
        }
        if let Some(p) = self.price_fen {
            if !(0..=MAX_PRICE_FEN).contains(&p) {
                return Err(Invalid::new("price_fen", "out_of_range", "a price is 0 to 10,000,000 fen (¥100,000)"));
            }
            item.price = Fen(p);
        }
        if let Some(r) = self.routing {
            item.routing = Routing::parse(&r).ok_or_else(|| {
                let rule = "routing is standard, volunteer, neighbour_dispute or property_dispute";
                Invalid::new("routing", "invalid_routing", rule)
            })?;
        }
        Ok(item)
    }
}

fn check_code(code: &str) -> Result<String, Invalid> {
    let code = code.trim();
    let ok = (2..=32).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        let rule = "a code has 2 to 32 capital letters, digits or '-', starting with a letter";
        return Err(Invalid::new("code", "invalid_item_code", rule));
    }
    Ok(code.to_owned())
}

/// What the audit log records of an item: all of it but its code and questions.
fn recorded(item: &CatalogItem) -> serde_json::Value {
    json!({
        "name": item.name,
        "category": item.category.as_str(),
        "description": item.description,
        "duration_minutes": item.duration_minutes,
        "price_fen": item.price.0,
        "routing": item.routing.as_str(),
        "mode": item.mode.as_str(),
        "broadcast_k": item.broadcast_k,
        "max_rounds": item.max_rounds,
        "offer_ttl_seconds": item.offer_ttl_seconds,
        "retired_at": item.retired_at,
    })
}

impl<R: CatalogItems, C: Clock> CatalogDesk<R, C> {
    /// An admin adds an item: it can be ordered at once, on every replica, asking nothing until its questions
    /// are set.
    pub async fn create_item(&self, actor: &Actor, input: ItemInput) -> Result<CatalogItem, CreateItemError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins add catalog items").into());
        }
        let code = check_code(&input.code)?;
        if input.words.name.is_none() {
            return Err(Invalid::new("name", "invalid_name", "a name has 1 to 50 characters").into());
        }
        if input.words.category.is_none() {
            return Err(Invalid::new("category", "invalid_category", "an item belongs to a category").into());
        }
        let mode = match input.mode.as_deref() {
            None => DispatchMode::Dispatch,
            Some(m) => DispatchMode::parse(m)
                .ok_or_else(|| Invalid::new("mode", "invalid_mode", "mode is dispatch or broadcast"))?,
        };
        let blank = CatalogItem {
            id: ItemId(0),
            code,
            name: String::new(),
            category: Category::Meals,
            description: String::new(),
            mode,
            duration_minutes: 60,
            price: Fen(0),
            routing: Routing::Standard,
            offer_ttl_seconds: None,
            broadcast_k: 3,
            max_rounds: 3,
            questions: Questions::default(),
            retired_at: None,
        };
        let mut item = input.words.applied_to(blank)?;
        let audit = AuditEntry::new(actor, self.clock.now(), "catalog.item_created", String::new())
            .after(json!({ "code": item.code, "item": recorded(&item) }));
        item.id = self.repo.create_item(&item, audit).await?;
        Ok(item)
    }

    /// An admin edits an item's words, price, routing or how it is dispatched; orders placed before keep
    /// theirs, and dispatch on every replica reads the change at its next order.
    pub async fn change_item(
        &self,
        actor: &Actor,
        id: ItemId,
        words: ItemWords,
        policy: &PolicyInput,
    ) -> Result<CatalogItem, DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins edit catalog items").into());
        }
        let policy = policy.parse()?;
        let before = self.item(id).await?;
        let after = policy.applied_to(&words.applied_to(before.clone())?);
        if after == before {
            return Ok(before);
        }
        self.save(actor, "catalog.item_changed", before, after).await
    }

    /// An admin retires an item (it takes no new orders and leaves the lists; its orders stay) or brings it
    /// back. Doing what is already done changes nothing.
    pub async fn retire(&self, actor: &Actor, id: ItemId, retired: bool) -> Result<CatalogItem, DeskError> {
        if actor.role != Role::Admin {
            return Err(Denied("only admins retire catalog items").into());
        }
        let before = self.item(id).await?;
        if before.retired_at.is_some() == retired {
            return Ok(before);
        }
        let after = CatalogItem { retired_at: retired.then(|| self.clock.now()), ..before.clone() };
        let action = if retired { "catalog.item_retired" } else { "catalog.item_restored" };
        self.save(actor, action, before, after).await
    }
}

impl<R: CatalogItems, C: Clock> CatalogDesk<R, C> {
    /// Writes `after` over `before` with an audit entry of both.
    async fn save(
        &self,
        actor: &Actor,
        action: &'static str,
        before: CatalogItem,
        after: CatalogItem,
    ) -> Result<CatalogItem, DeskError> {
        let audit = AuditEntry::new(actor, self.clock.now(), action, format!("catalog_item:{}", after.id.0))
            .before(recorded(&before))
            .after(recorded(&after));
        if !self.repo.save_item(&before, &after, audit).await? {
            return Err(DeskError::NotFound("catalog item"));
        }
        Ok(after)
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
