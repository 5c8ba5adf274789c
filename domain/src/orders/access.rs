//! Who may see an order, and how much of it: ownership is checked on every read and write.

use super::model::Order;
use crate::accounts::{Actor, Role};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    None,
    /// A provider looking at an offer: the job, the community and the time, but not the street address or
    /// the exact location until they accept.
    Partial,
    Full,
}

/// How much of `order` the actor may see. `offered_to_actor` says whether the actor's provider holds an open
/// offer for it.
pub fn visibility(actor: &Actor, order: &Order, offered_to_actor: bool) -> Visibility {
    match actor.role {
        Role::Admin => Visibility::Full,
        Role::Resident if order.resident == actor.account => Visibility::Full,
        // A worker sees their community's orders; a street worker every one of their street's.
        Role::CommunityWorker if actor.looks_after(order.community) => Visibility::Full,
        // The worker who filed it for the resident follows it to the end, in whichever community it is.
        Role::CommunityWorker if order.placed_by == actor.account => Visibility::Full,
        r if r.works_orders() && actor.provider.is_some() && actor.provider == order.provider => Visibility::Full,
        r if r.works_orders() && actor.provider.is_some() && offered_to_actor => Visibility::Partial,
        _ => Visibility::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountId;
    use crate::catalog::ItemId;
    use crate::geo::{CommunityId, GeoPoint};
    use crate::orders::{OrderId, OrderState, Schedule};
    use crate::providers::ProviderId;
    use chrono::Utc;
    use uuid::Uuid;

    fn order(resident: AccountId, provider: Option<ProviderId>) -> Order {
        Order {
            id: OrderId(Uuid::now_v7()),
            resident,
            placed_by: resident,
            item: ItemId(1),
            community: CommunityId(7),
            address: "文安路12号".into(),
            location: GeoPoint::parse(41.78, 123.42).unwrap(),
            schedule: Schedule::Asap,
            notes: String::new(),
            state: OrderState::Accepted,
            provider,
            scope: crate::dispatch::Scope::Community,
            round: 0,
            accept_by: None,
            high_risk: false,
            assignee: None,
            answers: Default::default(),
            plan: None,
            preferred: None,
            placed_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn actor(role: Role) -> Actor {
        Actor { account: AccountId(Uuid::now_v7()), role, provider: None, community: None, street: None }
    }

    #[test]
    fn a_resident_sees_their_own_order_and_nobody_elses() {
        let me = actor(Role::Resident);
        assert_eq!(visibility(&me, &order(me.account, None), false), Visibility::Full);
        assert_eq!(visibility(&me, &order(AccountId(Uuid::now_v7()), None), false), Visibility::None);
    }

    #[test]
    fn a_provider_sees_an_offer_partially_and_its_own_job_in_full() {
        let p = ProviderId(Uuid::now_v7());
        let staff = Actor { provider: Some(p), ..actor(Role::ProviderStaff) };
        let someone = AccountId(Uuid::now_v7());
        assert_eq!(visibility(&staff, &order(someone, None), true), Visibility::Partial);
        assert_eq!(visibility(&staff, &order(someone, Some(p)), false), Visibility::Full);
        assert_eq!(visibility(&staff, &order(someone, None), false), Visibility::None);
    }

    #[test]
    fn staff_without_a_provider_see_nothing_even_of_unassigned_orders() {
        let staff = actor(Role::ProviderStaff);
        assert_eq!(visibility(&staff, &order(AccountId(Uuid::now_v7()), None), true), Visibility::None);
    }

    #[test]
    fn a_community_worker_sees_the_orders_of_their_community_only() {
        let worker = Actor { community: Some(CommunityId(7)), ..actor(Role::CommunityWorker) };
        let elsewhere = Actor { community: Some(CommunityId(8)), ..actor(Role::CommunityWorker) };
        let o = order(AccountId(Uuid::now_v7()), None);
        assert_eq!(visibility(&worker, &o, false), Visibility::Full);
        assert_eq!(visibility(&elsewhere, &o, false), Visibility::None);
    }

    #[test]
    fn a_street_worker_sees_every_order_of_their_streets_communities_and_none_of_another_street() {
        let street = crate::accounts::StreetScope {
            street: crate::geo::StreetId(1),
            communities: vec![CommunityId(7), CommunityId(8)],
        };
        let worker = Actor { street: Some(street), ..actor(Role::CommunityWorker) };
        let o = order(AccountId(Uuid::now_v7()), None);
        assert_eq!(visibility(&worker, &o, false), Visibility::Full);
        let elsewhere = Order { community: CommunityId(9), ..o };
        assert_eq!(visibility(&worker, &elsewhere, false), Visibility::None);
    }
}
