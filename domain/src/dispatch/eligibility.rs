//! Eligibility: the rule that decides who may be offered an order. For now: active, offers the item, covers the
//! order's community, and has not been offered this order before (never the same provider twice).

use crate::catalog::ItemId;
use crate::geo::CommunityId;
use crate::providers::{ProviderId, ProviderSnapshot};

/// The providers among `candidates` that may be offered an order for `item` in `community`, in a stable order
/// (by id) so the same snapshot always yields the same offers.
pub fn eligible_providers(
    item: ItemId,
    community: CommunityId,
    candidates: &[ProviderSnapshot],
    already_offered: &[ProviderId],
) -> Vec<ProviderId> {
    let mut ids: Vec<ProviderId> = candidates
        .iter()
        .filter(|p| p.active)
        .filter(|p| p.items.contains(&item))
        .filter(|p| p.coverage.contains(&community))
        .filter(|p| !already_offered.contains(&p.id))
        .map(|p| p.id)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::GeoPoint;
    use crate::providers::ProviderKind;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn provider(n: u128, active: bool, items: &[i32], coverage: &[i32]) -> ProviderSnapshot {
        ProviderSnapshot {
            id: ProviderId(Uuid::from_u128(n)),
            kind: ProviderKind::Organization,
            active,
            location: GeoPoint::parse(41.8, 123.4).unwrap(),
            items: items.iter().copied().map(ItemId).collect(),
            coverage: coverage.iter().copied().map(CommunityId).collect(),
        }
    }

    #[test]
    fn a_provider_that_offers_the_item_and_covers_the_community_is_eligible() {
        let p = provider(1, true, &[5], &[9]);
        assert_eq!(eligible_providers(ItemId(5), CommunityId(9), std::slice::from_ref(&p), &[]), vec![p.id]);
    }

    #[test]
    fn an_inactive_provider_is_never_eligible() {
        let p = provider(1, false, &[5], &[9]);
        assert!(eligible_providers(ItemId(5), CommunityId(9), &[p], &[]).is_empty());
    }

    #[test]
    fn a_provider_outside_the_community_or_without_the_item_is_not_eligible() {
        let elsewhere = provider(1, true, &[5], &[10]);
        let other_item = provider(2, true, &[6], &[9]);
        assert!(eligible_providers(ItemId(5), CommunityId(9), &[elsewhere, other_item], &[]).is_empty());
    }

    #[test]
    fn a_provider_already_offered_the_order_is_not_offered_it_again() {
        let p = provider(1, true, &[5], &[9]);
        let q = provider(2, true, &[5], &[9]);
        assert_eq!(eligible_providers(ItemId(5), CommunityId(9), &[p.clone(), q.clone()], &[p.id]), vec![q.id]);
    }

    proptest! {
        #[test]
        fn every_eligible_provider_satisfies_every_rule_and_the_result_is_sorted(
            specs in proptest::collection::vec((any::<bool>(), 0i32..4, 0i32..4), 0..30),
            item in 0i32..4,
            community in 0i32..4,
        ) {
            let candidates: Vec<_> = specs
                .iter()
                .enumerate()
                .map(|(n, (active, i, c))| provider(n as u128, *active, &[*i], &[*c]))
                .collect();
            let excluded: Vec<_> = candidates.iter().step_by(3).map(|p| p.id).collect();
            let chosen = eligible_providers(ItemId(item), CommunityId(community), &candidates, &excluded);
            for id in &chosen {
                let p = candidates.iter().find(|p| p.id == *id).unwrap();
                prop_assert!(p.active && p.items.contains(&ItemId(item)) && p.coverage.contains(&CommunityId(community)));
                prop_assert!(!excluded.contains(id));
            }
            prop_assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
