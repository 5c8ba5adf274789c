//! Ranking: a pure, deterministic order of the eligible providers for one order. Closer, less loaded and better
//! rated comes first; among near-equals, whoever has had the smallest share of offers for their weight and
//! time in the period, then whoever was offered something least recently. Each ranked provider carries an
//! explanation ("why this provider") for the resident and the provider.

use std::cmp::Ordering;
use std::fmt;

use chrono::Duration;

use super::candidate::{Candidate, Request};
use super::rules::{check, jobs_during};
use super::travel::TravelModel;
use crate::providers::ProviderId;

/// The length of a fairness period: shares of offers are counted per period.
pub const FAIRNESS_PERIOD_DAYS: i64 = 30;

/// How much each factor weighs; scores are lower-is-better.
#[derive(Clone, Debug, PartialEq)]
pub struct RankWeights {
    /// Per full service circle of travel.
    pub travel: f64,
    /// Per fully loaded provider.
    pub load: f64,
    /// Per five rating points missing.
    pub rating: f64,
    /// Scores closer than this count as equal, and fairness decides among them.
    pub near_equal: f64,
}

impl Default for RankWeights {
    fn default() -> Self {
        Self { travel: 1.0, load: 0.5, rating: 0.5, near_equal: 0.05 }
    }
}

/// Why a provider ranks where it does.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// 1 for the best.
    pub rank: usize,
    pub of: usize,
    pub travel_minutes: f64,
    /// Jobs held during the order's window, and how many can be held.
    pub load: u32,
    pub capacity: u32,
    pub rating: f64,
    pub offers_this_period: u32,
    pub score: f64,
    /// Put first because it took the care plan's latest visit (continuity of care), whatever its score.
    pub continuity: bool,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.continuity {
            f.write_str("took this care plan's latest visit; ")?;
        }
        write!(
            f,
            "rank {} of {}: about {:.0} min away, {} of {} jobs in that window, rating {:.1}, {} offers this period",
            self.rank, self.of, self.travel_minutes, self.load, self.capacity, self.rating, self.offers_this_period
        )
    }
}

/// Puts `provider` first when it is among the ranked (eligible) ones, for continuity of care: a care plan's
/// visit goes to whoever took its latest visit whenever they can take this one too. Ranks are renumbered.
pub fn prefer(ranked: &mut [Ranked], provider: ProviderId) {
    let Some(at) = ranked.iter().position(|r| r.provider == provider) else {
        return;
    };
    ranked[..=at].rotate_right(1);
    for (i, r) in ranked.iter_mut().enumerate() {
        r.explanation.rank = i + 1;
    }
    ranked[0].explanation.continuity = true;
}

/// Keeps only the eligible providers that serve the fewest streets, in their ranking: a property dispute goes to
/// its street's own mediation sub-center (物业纠纷调解分中心), and to the city's mediation centre above the
/// sub-centers only when the street's cannot take it (it declined, let the offer lapse, or is full or closed),
/// even when the item is broadcast. Ranks are renumbered.
pub fn nearest_level(ranked: &mut Vec<Ranked>, pool: &[Candidate]) {
    let streets_served = |p: ProviderId| pool.iter().find(|c| c.id == p).map_or(usize::MAX, |c| c.streets.len());
    let Some(nearest) = ranked.iter().map(|r| streets_served(r.provider)).min() else {
        return;
    };
    ranked.retain(|r| streets_served(r.provider) == nearest);
    for (i, r) in ranked.iter_mut().enumerate() {
        r.explanation.rank = i + 1;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub provider: ProviderId,
    pub explanation: Explanation,
}

/// The eligible providers among `candidates`, best first. The same snapshot always gives the same ranking,
/// whatever order the candidates come in.
pub fn rank<'a>(
    request: &Request,
    candidates: impl IntoIterator<Item = &'a Candidate>,
    already_offered: &[ProviderId],
    travel: &TravelModel,
    weights: &RankWeights,
) -> Vec<Ranked> {
    let mut scored: Vec<Scored<'a>> = candidates
        .into_iter()
        .filter_map(|c| {
            let minutes = check(request, c, already_offered, travel).ok()?;
            let load = jobs_during(c, &request.window, minutes);
            let score = weights.travel * minutes / travel.circle_minutes
                + weights.load * f64::from(load) / f64::from(c.capacity.max(1))
                + weights.rating * (5.0 - c.rating.clamp(0.0, 5.0)) / 5.0;
            Some(Scored { candidate: c, minutes, load, score, owed: normalized_offers(c, request) })
        })
        .collect();
    scored.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.candidate.id.cmp(&b.candidate.id)));

    // Greedy groups of near-equals: everyone within `near_equal` of the best remaining score is ordered by
    // fairness, then the next group starts.
    let mut ordered: Vec<Scored<'a>> = Vec::with_capacity(scored.len());
    let mut rest = scored.as_slice();
    while let Some(best) = rest.first() {
        let cut = rest.iter().position(|s| s.score > best.score + weights.near_equal).unwrap_or(rest.len());
        let mut group = rest[..cut].to_vec();
        group.sort_by(fairness_order);
        ordered.extend(group);
        rest = &rest[cut..];
    }
    let of = ordered.len();
    ordered
        .into_iter()
        .enumerate()
        .map(|(i, s)| Ranked {
            provider: s.candidate.id,
            explanation: Explanation {
                rank: i + 1,
                of,
                travel_minutes: s.minutes,
                load: s.load,
                capacity: s.candidate.capacity,
                rating: s.candidate.rating,
                offers_this_period: s.candidate.offers_this_period,
                score: s.score,
                continuity: false,
            },
        })
        .collect()
}

#[derive(Clone)]
struct Scored<'a> {
    candidate: &'a Candidate,
    minutes: f64,
    load: u32,
    score: f64,
    owed: f64,
}

/// Fewest offers for one's weight and time first, then least recently offered (never before first), then id.
fn fairness_order(a: &Scored<'_>, b: &Scored<'_>) -> Ordering {
    a.owed
        .total_cmp(&b.owed)
        .then(a.candidate.last_offered_at.cmp(&b.candidate.last_offered_at))
        .then(a.candidate.id.cmp(&b.candidate.id))
}

/// Offers received per unit of entitlement: weight times the part of the period the provider was there.
fn normalized_offers(c: &Candidate, request: &Request) -> f64 {
    let period = Duration::days(FAIRNESS_PERIOD_DAYS);
    let present = (request.now - c.active_since).clamp(Duration::hours(1), period);
    let entitlement = c.target_share.max(0.01) * present.num_seconds() as f64 / period.num_seconds() as f64;
    f64::from(c.offers_this_period) / entitlement
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::rules::tests::{candidate, now, request};
    use crate::geo::{GeoPoint, StreetId};
    use crate::time::TimeWindow;
    use proptest::prelude::*;

    fn ranked(cs: &[Candidate]) -> Vec<ProviderId> {
        rank(&request(), cs, &[], &TravelModel::default(), &RankWeights::default())
            .into_iter()
            .map(|r| r.provider)
            .collect()
    }

    #[test]
    fn the_nearest_provider_ranks_first_when_all_else_is_equal() {
        let near = Candidate { location: GeoPoint::parse(41.801, 123.40).unwrap(), ..candidate(2) };
        let far = Candidate { location: GeoPoint::parse(41.830, 123.40).unwrap(), ..candidate(1) };
        assert_eq!(ranked(&[far.clone(), near.clone()]), vec![near.id, far.id]);
    }

    #[test]
    fn a_busier_or_worse_rated_provider_ranks_lower() {
        let w = request().window;
        let busy = Candidate { jobs: vec![w], ..candidate(1) };
        let poor = Candidate { rating: 2.0, ..candidate(2) };
        let best = candidate(3);
        assert_eq!(ranked(&[busy.clone(), poor.clone(), best.clone()])[0], best.id);
    }

    #[test]
    fn among_near_equals_the_provider_with_fewer_offers_comes_first() {
        let veteran = Candidate { offers_this_period: 40, ..candidate(1) };
        let newcomer = Candidate { offers_this_period: 2, ..candidate(2) };
        assert_eq!(ranked(&[veteran.clone(), newcomer.clone()]), vec![newcomer.id, veteran.id]);
    }

    #[test]
    fn a_provider_that_joined_mid_period_is_owed_offers_only_for_its_time() {
        // Ten offers in ten days is the same pace as thirty in thirty.
        let old = Candidate { offers_this_period: 30, ..candidate(1) };
        let new = Candidate { offers_this_period: 12, active_since: now() - Duration::days(10), ..candidate(2) };
        assert_eq!(ranked(&[new.clone(), old.clone()]), vec![old.id, new.id], "12 in 10 days is ahead of pace");
    }

    #[test]
    fn every_ranked_provider_carries_an_explanation() {
        let r = rank(&request(), &[candidate(1), candidate(2)], &[], &TravelModel::default(), &RankWeights::default());
        assert_eq!(r[0].explanation.rank, 1);
        assert_eq!(r[1].explanation.of, 2);
        let text = r[0].explanation.to_string();
        assert!(text.starts_with("rank 1 of 2: about 7 min away, 0 of 2 jobs in that window, rating 4.5"), "{text}");
    }

    #[test]
    fn the_provider_of_a_care_plans_latest_visit_is_put_first_when_eligible() {
        let near = Candidate { location: GeoPoint::parse(41.801, 123.40).unwrap(), ..candidate(2) };
        let far = Candidate { location: GeoPoint::parse(41.830, 123.40).unwrap(), ..candidate(1) };
        let mut r =
            rank(&request(), &[near.clone(), far.clone()], &[], &TravelModel::default(), &RankWeights::default());
        prefer(&mut r, far.id);
        assert_eq!(r.iter().map(|x| x.provider).collect::<Vec<_>>(), vec![far.id, near.id]);
        assert_eq!((r[0].explanation.rank, r[1].explanation.rank), (1, 2));
        assert!(r[0].explanation.continuity && !r[1].explanation.continuity);
        assert!(r[0].explanation.to_string().starts_with("took this care plan's latest visit; rank 1 of 2"));
    }

    #[test]
    fn a_preferred_provider_that_is_not_eligible_changes_nothing() {
        let busy = Candidate { active: false, ..candidate(3) };
        let mut r =
            rank(&request(), &[candidate(1), busy.clone()], &[], &TravelModel::default(), &RankWeights::default());
        let before = r.clone();
        prefer(&mut r, busy.id);
        assert_eq!(r, before);
    }

    #[test]
    fn the_streets_own_sub_center_is_asked_before_a_nearer_city_centre_and_the_centre_after_it_declines() {
        let streets = vec![StreetId(1), StreetId(2), StreetId(3)];
        let city = Candidate { location: GeoPoint::parse(41.801, 123.40).unwrap(), streets, ..candidate(2) };
        let street = Candidate { location: GeoPoint::parse(41.830, 123.40).unwrap(), ..candidate(1) };
        let mut r =
            rank(&request(), &[city.clone(), street.clone()], &[], &TravelModel::default(), &RankWeights::default());
        assert_eq!(r[0].provider, city.id, "the centre is nearer, so ranking alone puts it first");
        nearest_level(&mut r, &[city.clone(), street.clone()]);
        assert_eq!(r.iter().map(|x| x.provider).collect::<Vec<_>>(), vec![street.id], "not both at once");
        assert_eq!(r[0].explanation.rank, 1);
        let mut after_decline = rank(
            &request(),
            &[city.clone(), street.clone()],
            &[street.id],
            &TravelModel::default(),
            &Default::default(),
        );
        nearest_level(&mut after_decline, &[city.clone(), street.clone()]);
        assert_eq!(after_decline.iter().map(|x| x.provider).collect::<Vec<_>>(), vec![city.id]);
    }

    /// Simulates a month of orders of one kind among equally placed providers, two of them weighted double and
    /// two joining halfway, and measures each one's share of offers per unit of entitlement.
    #[test]
    fn over_a_simulated_month_equal_providers_get_shares_within_twenty_percent() {
        let start = now() - Duration::days(30);
        let mut providers: Vec<Candidate> = (1..=12)
            .map(|n| Candidate {
                target_share: if n <= 2 { 2.0 } else { 1.0 },
                active_since: if n > 10 { start + Duration::days(15) } else { start - Duration::days(90) },
                offers_this_period: 0,
                ..candidate(n)
            })
            .collect();
        let orders: i64 = 3000;
        for k in 0..orders {
            let at = start + Duration::seconds(k * 30 * 86_400 / orders);
            let req = Request {
                now: at,
                window: TimeWindow::from_stored(at + Duration::hours(1), at + Duration::hours(2)),
                ..request()
            };
            let present: Vec<Candidate> = providers.iter().filter(|p| p.active_since <= at).cloned().collect();
            let best = rank(&req, &present, &[], &TravelModel::default(), &RankWeights::default())[0].provider;
            let chosen = providers.iter_mut().find(|p| p.id == best).unwrap();
            chosen.offers_this_period += 1;
            chosen.last_offered_at = Some(at);
        }
        let end = start + Duration::days(30);
        let pace: Vec<f64> = providers
            .iter()
            .map(|p| {
                let days = (end - p.active_since.max(start)).num_seconds() as f64 / 86_400.0;
                f64::from(p.offers_this_period) / (p.target_share * days)
            })
            .collect();
        let (max, min) = pace.iter().fold((f64::MIN, f64::MAX), |(hi, lo), x| (hi.max(*x), lo.min(*x)));
        eprintln!("max/min share of offers per entitlement: {:.3}", max / min);
        assert!(max / min <= 1.2, "max/min share {:.3}: {pace:?}", max / min);
    }

    proptest! {
        #[test]
        fn the_ranking_never_includes_an_ineligible_provider_and_ignores_input_order(
            specs in proptest::collection::vec((any::<bool>(), 0u32..3, 0u32..50, 0.0f64..0.05, 1.0f64..5.0), 1..25),
            rotate in 0usize..25,
        ) {
            let w = request().window;
            let cs: Vec<Candidate> = specs
                .iter()
                .enumerate()
                .map(|(n, (active, jobs, offers, north, rating))| Candidate {
                    active: *active,
                    jobs: vec![w; *jobs as usize],
                    offers_this_period: *offers,
                    location: GeoPoint::parse(41.80 + north, 123.40).unwrap(),
                    rating: *rating,
                    communities: vec![],
                    streets: vec![],
                    ..candidate(n as u128)
                })
                .collect();
            let excluded: Vec<ProviderId> = cs.iter().step_by(4).map(|c| c.id).collect();
            let t = TravelModel::default();
            let first = rank(&request(), &cs, &excluded, &t, &RankWeights::default());
            for r in &first {
                let c = cs.iter().find(|c| c.id == r.provider).unwrap();
                prop_assert!(check(&request(), c, &excluded, &t).is_ok());
            }
            let eligible = cs.iter().filter(|c| check(&request(), c, &excluded, &t).is_ok()).count();
            prop_assert_eq!(first.len(), eligible);
            let mut shuffled = cs.clone();
            shuffled.rotate_left(rotate % cs.len());
            let again = rank(&request(), &shuffled, &excluded, &t, &RankWeights::default());
            prop_assert_eq!(first, again);
        }
    }
}
