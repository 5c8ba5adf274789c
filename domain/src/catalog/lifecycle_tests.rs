//! Adding, editing and retiring catalog items against an in-memory catalog with a fixed clock.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use futures_util::FutureExt;

use super::*;
use crate::accounts::AccountId;
use crate::catalog::questions::Questions;
use crate::clock::FixedClock;

/// The catalog in memory, with every audit entry written.
#[derive(Clone, Default)]
struct FakeCatalog(Arc<Mutex<(Vec<CatalogItem>, Vec<AuditEntry>)>>);

impl CatalogItems for FakeCatalog {
    async fn catalog_items(
        &self,
        category: Option<Category>,
        after: Option<ItemId>,
        limit: u64,
        retired: bool,
    ) -> Result<Vec<CatalogItem>, Unexpected> {
        let held = self.0.lock().unwrap();
        Ok(held
            .0
            .iter()
            .filter(|i| category.is_none_or(|c| i.category == c) && after.is_none_or(|a| i.id > a))
            .filter(|i| retired || i.retired_at.is_none())
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn catalog_item(&self, id: ItemId) -> Result<Option<CatalogItem>, Unexpected> {
        Ok(self.0.lock().unwrap().0.iter().find(|i| i.id == id).cloned())
    }

    async fn save_item(
        &self,
        _before: &CatalogItem,
        item: &CatalogItem,
        audit: AuditEntry,
    ) -> Result<bool, Unexpected> {
        let mut held = self.0.lock().unwrap();
        let Some(slot) = held.0.iter_mut().find(|i| i.id == item.id) else { return Ok(false) };
        *slot = item.clone();
        held.1.push(audit);
        Ok(true)
    }

    async fn create_item(&self, item: &CatalogItem, audit: AuditEntry) -> Result<ItemId, CreateItemError> {
        let mut held = self.0.lock().unwrap();
        if held.0.iter().any(|i| i.code == item.code) {
            return Err(CreateItemError::DuplicateCode);
        }
        let id = ItemId(held.0.iter().map(|i| i.id.0).max().unwrap_or(0) + 1);
        held.0.push(CatalogItem { id, ..item.clone() });
        held.1.push(audit);
        Ok(id)
    }

    async fn set_questions(
        &self,
        _id: ItemId,
        _questions: Questions,
        _audit: AuditEntry,
    ) -> Result<Option<CatalogItem>, Unexpected> {
        unreachable!("no test here changes questions")
    }
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fake never waits")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 10, 2, 0, 0).unwrap()
}

fn desk() -> (CatalogDesk<FakeCatalog, FixedClock>, FakeCatalog) {
    let repo = FakeCatalog::default();
    repo.0.lock().unwrap().0.push(CatalogItem::sample(1, "助餐送餐", Category::Meals));
    (CatalogDesk::new(repo.clone(), FixedClock(now())), repo)
}

fn admin() -> Actor {
    Actor { account: AccountId(uuid::Uuid::nil()), role: Role::Admin, provider: None, community: None, street: None }
}

fn bath() -> ItemInput {
    ItemInput {
        code: "BATH-009".into(),
        words: ItemWords {
            name: Some("上门助浴（夜间）".into()),
            category: Some("bathing".into()),
            duration_minutes: Some(90),
            price_fen: Some(8000),
            ..Default::default()
        },
        mode: None,
    }
}

#[test]
fn an_admin_adds_an_item_under_the_next_id_with_its_defaults_and_an_audit_entry() {
    let (desk, repo) = desk();
    let item = run(desk.create_item(&admin(), bath())).unwrap();
    assert_eq!((item.id, item.name.as_str(), item.price), (ItemId(2), "上门助浴（夜间）", Fen(8000)));
    assert_eq!((item.mode, item.routing, item.retired_at), (DispatchMode::Dispatch, Routing::Standard, None));
    let audits = &repo.0.lock().unwrap().1;
    assert_eq!(audits[0].action, "catalog.item_created");
    assert_eq!(audits[0].after.as_ref().unwrap()["code"], "BATH-009");
}

#[test]
fn a_new_item_with_a_taken_code_or_a_bad_value_is_refused_naming_it() {
    let (desk, _) = desk();
    run(desk.create_item(&admin(), bath())).unwrap();
    assert!(matches!(run(desk.create_item(&admin(), bath())), Err(CreateItemError::DuplicateCode)));
    let lower = ItemInput { code: "bath-1".into(), ..bath() };
    assert!(matches!(run(desk.create_item(&admin(), lower)), Err(CreateItemError::Invalid(i)) if i.field == "code"));
    let mut dear = bath();
    dear.code = "BATH-010".into();
    dear.words.price_fen = Some(-1);
    assert!(
        matches!(run(desk.create_item(&admin(), dear)), Err(CreateItemError::Invalid(i)) if i.field == "price_fen")
    );
    let mut nameless = bath();
    nameless.words.name = None;
    assert!(matches!(run(desk.create_item(&admin(), nameless)), Err(CreateItemError::Invalid(i)) if i.field == "name"));
}

#[test]
fn only_admins_add_edit_or_retire_items() {
    let (desk, _) = desk();
    let worker = Actor { role: Role::CommunityWorker, ..admin() };
    assert!(matches!(run(desk.create_item(&worker, bath())), Err(CreateItemError::Denied(_))));
    assert!(matches!(
        run(desk.change_item(&worker, ItemId(1), ItemWords::default(), &PolicyInput::default())),
        Err(DeskError::Denied(_))
    ));
    assert!(matches!(run(desk.retire(&worker, ItemId(1), true)), Err(DeskError::Denied(_))));
}

#[test]
fn an_edit_changes_only_the_words_given_and_records_before_and_after() {
    let (desk, repo) = desk();
    let words =
        ItemWords { price_fen: Some(1500), description: Some("午餐一份，送到家".into()), ..Default::default() };
    let item =
        run(desk.change_item(&admin(), ItemId(1), words, &PolicyInput { max_rounds: Some(5), ..Default::default() }))
            .unwrap();
    assert_eq!((item.name.as_str(), item.price, item.max_rounds), ("助餐送餐", Fen(1500), 5));
    let audit = repo.0.lock().unwrap().1[0].clone();
    assert_eq!((audit.action, audit.object.as_str()), ("catalog.item_changed", "catalog_item:1"));
    assert_eq!(
        (audit.before.unwrap()["price_fen"].clone(), audit.after.unwrap()["price_fen"].clone()),
        (0.into(), 1500.into())
    );
}

#[test]
fn a_retired_item_leaves_the_lists_and_search_until_it_is_brought_back() {
    let (desk, repo) = desk();
    let retired = run(desk.retire(&admin(), ItemId(1), true)).unwrap();
    assert_eq!(retired.retired_at, Some(now()));
    assert!(run(desk.items(None, None, 20, false)).unwrap().is_empty());
    assert_eq!(run(desk.items(None, None, 20, true)).unwrap().len(), 1);
    assert!(run(desk.search("助餐")).unwrap().is_empty());
    // Its orders still read it.
    assert_eq!(run(desk.item(ItemId(1))).unwrap().retired_at, Some(now()));
    // Retiring again writes nothing more.
    run(desk.retire(&admin(), ItemId(1), true)).unwrap();
    assert_eq!(repo.0.lock().unwrap().1.len(), 1);
    run(desk.retire(&admin(), ItemId(1), false)).unwrap();
    assert_eq!(run(desk.search("助餐")).unwrap().len(), 1);
    assert_eq!(repo.0.lock().unwrap().1[1].action, "catalog.item_restored");
}
