//! Fairness and service levels, live: for one item (or all) in an area over a period, each provider's share of
//! the offers against the share its weight entitles it to, how often it accepted, how quickly, and how often it
//! declined, let an offer lapse or gave a job back. The share per unit of entitlement is the figure the
//! fairness simulation in the ranking's tests bounds; here it comes from the offers actually made.

use std::collections::BTreeMap;

use crate::providers::ProviderId;

/// Where an offer ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfferEnd {
    /// Still waiting for an answer.
    Open,
    /// Accepted, and kept.
    Accepted,
    /// Given to the provider by a worker's hand: it counts in the provider's share, not in how it answers.
    Assigned,
    /// Accepted, then given back before the visit.
    HandedBack,
    Declined,
    /// Left unanswered until it lapsed.
    Lapsed,
    /// Called off because someone else took it or the order was cancelled.
    Withdrawn,
}

/// One offer made to a provider, with what the figures need of the provider.
#[derive(Clone, Debug, PartialEq)]
pub struct OfferFact {
    pub provider: ProviderId,
    pub provider_name: String,
    /// The provider's weight among equals (1.0 by default).
    pub target_share: f64,
    pub end: OfferEnd,
    /// For an accepted offer: seconds from the offer to the acceptance.
    pub seconds_to_accept: Option<i64>,
}

/// One provider's line.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderLevel {
    pub provider: ProviderId,
    pub name: String,
    pub offered: u32,
    /// Its part of all the offers made, 0 to 1.
    pub share: f64,
    /// The part its weight entitles it to among the providers offered anything, 0 to 1.
    pub target: f64,
    pub accepted: u32,
    /// Given by a worker's hand.
    pub assigned: u32,
    pub handed_back: u32,
    pub declined: u32,
    pub lapsed: u32,
    /// Accepted (handed back or not) out of the offers answered or lapsed; none before any was.
    pub acceptance_rate: Option<f64>,
    pub median_seconds_to_accept: Option<i64>,
}

impl ProviderLevel {
    /// Its share per unit of entitlement: 1 is exactly fair.
    pub fn share_of_target(&self) -> Option<f64> {
        (self.target > 0.0).then(|| self.share / self.target)
    }
}

/// The providers' lines, most offers first, and how far apart the fairest and the least fairly treated are.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceLevels {
    pub providers: Vec<ProviderLevel>,
    pub offered: u32,
    /// The highest share per unit of entitlement over the lowest, among providers offered anything; none with
    /// fewer than two.
    pub spread: Option<f64>,
}

/// The figures of `offers`.
pub fn service_levels(offers: &[OfferFact]) -> ServiceLevels {
    let mut by: BTreeMap<ProviderId, (ProviderLevel, Vec<i64>)> = BTreeMap::new();
    for o in offers {
        let (line, waits) = by.entry(o.provider).or_insert_with(|| {
            let line = ProviderLevel {
                provider: o.provider,
                name: o.provider_name.clone(),
                offered: 0,
                share: 0.0,
                target: o.target_share.max(0.0),
                accepted: 0,
                assigned: 0,
                handed_back: 0,
                declined: 0,
                lapsed: 0,
                acceptance_rate: None,
                median_seconds_to_accept: None,
            };
            (line, Vec::new())
        });
        line.offered += 1;
        match o.end {
            OfferEnd::Accepted => line.accepted += 1,
            OfferEnd::Assigned => line.assigned += 1,
            OfferEnd::HandedBack => line.handed_back += 1,
            OfferEnd::Declined => line.declined += 1,
            OfferEnd::Lapsed => line.lapsed += 1,
            OfferEnd::Open | OfferEnd::Withdrawn => {}
        }
        waits.extend(o.seconds_to_accept.filter(|_| matches!(o.end, OfferEnd::Accepted | OfferEnd::HandedBack)));
    }
    let offered: u32 = by.values().map(|(l, _)| l.offered).sum();
    let weights: f64 = by.values().map(|(l, _)| l.target).sum();
    let mut providers: Vec<ProviderLevel> = by
        .into_values()
        .map(|(mut line, mut waits)| {
            line.share = f64::from(line.offered) / f64::from(offered.max(1));
            line.target = if weights > 0.0 { line.target / weights } else { 0.0 };
            let took = line.accepted + line.handed_back;
            let answered = took + line.declined + line.lapsed;
            line.acceptance_rate = (answered > 0).then(|| f64::from(took) / f64::from(answered));
            waits.sort_unstable();
            line.median_seconds_to_accept = super::median(&waits);
            line
        })
        .collect();
    providers.sort_by(|a, b| b.offered.cmp(&a.offered).then_with(|| a.name.cmp(&b.name)));
    let ratios: Vec<f64> = providers.iter().filter_map(ProviderLevel::share_of_target).collect();
    let spread = match (ratios.iter().copied().reduce(f64::max), ratios.iter().copied().reduce(f64::min)) {
        (Some(max), Some(min)) if ratios.len() > 1 && min > 0.0 => Some(max / min),
        _ => None,
    };
    ServiceLevels { providers, offered, spread }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn offer(p: u128, weight: f64, end: OfferEnd, wait: Option<i64>) -> OfferFact {
        OfferFact {
            provider: ProviderId(Uuid::from_u128(p)),
            provider_name: format!("机构{p}"),
            target_share: weight,
            end,
            seconds_to_accept: wait,
        }
    }

    #[test]
    fn each_providers_share_is_set_against_what_its_weight_entitles_it_to() {
        let mut offers = vec![offer(1, 2.0, OfferEnd::Accepted, Some(60)); 4];
        offers.extend(vec![offer(2, 1.0, OfferEnd::Declined, None); 4]);
        let levels = service_levels(&offers);
        let (heavy, light) = (&levels.providers[0], &levels.providers[1]);
        assert_eq!((levels.offered, heavy.share, light.share), (8, 0.5, 0.5));
        assert!((heavy.target - 2.0 / 3.0).abs() < 1e-9 && (light.target - 1.0 / 3.0).abs() < 1e-9);
        let spread = levels.spread.unwrap();
        assert!((spread - 2.0).abs() < 1e-9, "the light one got twice its due, the heavy one three quarters: {spread}");
    }

    #[test]
    fn acceptance_counts_hand_backs_as_accepted_and_leaves_open_withdrawn_and_assigned_offers_out() {
        let offers = [
            offer(1, 1.0, OfferEnd::Assigned, Some(0)),
            offer(1, 1.0, OfferEnd::Accepted, Some(30)),
            offer(1, 1.0, OfferEnd::HandedBack, Some(90)),
            offer(1, 1.0, OfferEnd::Declined, None),
            offer(1, 1.0, OfferEnd::Lapsed, None),
            offer(1, 1.0, OfferEnd::Open, None),
            offer(1, 1.0, OfferEnd::Withdrawn, None),
        ];
        let line = &service_levels(&offers).providers[0];
        assert_eq!((line.offered, line.accepted, line.handed_back, line.declined, line.lapsed), (7, 1, 1, 1, 1));
        assert_eq!(line.assigned, 1);
        assert_eq!(line.acceptance_rate, Some(0.5));
        assert_eq!(line.median_seconds_to_accept, Some(60), "between 30 and 90, as the dashboard's median");
    }

    #[test]
    fn no_offers_make_no_lines_and_no_spread() {
        let levels = service_levels(&[]);
        assert!(levels.providers.is_empty() && levels.spread.is_none() && levels.offered == 0);
        let one = service_levels(&[offer(1, 1.0, OfferEnd::Open, None)]);
        assert_eq!((one.spread, one.providers[0].acceptance_rate), (None, None));
    }
}
