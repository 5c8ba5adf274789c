//! What the provider desk's unit tests share: the kitchen they keep, its staff, and running a use case
//! against the fakes, which never wait.

use futures_util::FutureExt;
use uuid::Uuid;

use super::ProviderId;
use crate::accounts::testing::FakeDirectory;
use crate::accounts::{AccountId, AccountRecord, Actor, Role};

pub const KITCHEN: ProviderId = ProviderId(Uuid::from_u128(7));

pub fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    f.now_or_never().expect("the fakes never wait")
}

/// A member of the kitchen's staff, a manager or not, as the fake holds them.
pub fn staff(fake: &FakeDirectory, manager: bool) -> Actor {
    let id = AccountId(Uuid::now_v7());
    fake.held().accounts.push(AccountRecord {
        id,
        username: format!("s{}", id.0.simple()),
        display_name: "李师傅".into(),
        phone: None,
        role: Role::ProviderStaff,
        provider: Some(KITCHEN),
        community: None,
        street: None,
        password_hash: "x".into(),
        manager,
        disabled: false,
        language: None,
    });
    Actor { account: id, role: Role::ProviderStaff, provider: Some(KITCHEN), community: None, street: None }
}
