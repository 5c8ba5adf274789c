//! Ranking speed. Each target sits beside a baseline measured in the same run:
//! - 125 organizations: `rank` against sorting the same 125 by distance alone (the least any ranking does);
//! - 100,000 Party members: `rank` over the grid index's neighbours against `rank` over all of them.
//!
//! Run with `cargo bench -p linli-domain --bench ranking`.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use uuid::Uuid;

use linli_domain::catalog::{Category, ItemId};
use linli_domain::dispatch::{Candidate, GridIndex, RankWeights, Request, Scope, TravelModel, WorkingHours, rank};
use linli_domain::geo::{CommunityId, DistrictId, GeoPoint, StreetId};
use linli_domain::providers::{ProviderId, ProviderKind};
use linli_domain::time::TimeWindow;

/// A small deterministic generator, so every run measures the same city.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn request(category: Category, item: i32) -> Request {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap();
    Request {
        item: ItemId(item),
        category,
        community: CommunityId(1),
        street: StreetId(1),
        district: DistrictId(1),
        location: GeoPoint::parse(41.80, 123.40).unwrap(),
        window: TimeWindow::from_stored(now + Duration::hours(1), now + Duration::hours(3)),
        scope: Scope::Community,
        now,
    }
}

/// `n` providers scattered over a square `span_deg` wide around the order, some busy, some covering it.
fn providers(n: usize, span_deg: f64, kind: ProviderKind, item: i32, rng: &mut Rng) -> Vec<Candidate> {
    let req = request(Category::Cleaning, item);
    (0..n)
        .map(|i| Candidate {
            id: ProviderId(Uuid::from_u128(i as u128 + 1)),
            kind,
            active: rng.next() > 0.05,
            paused: false,
            closed: Vec::new(),
            location: GeoPoint::parse(41.80 + (rng.next() - 0.5) * span_deg, 123.40 + (rng.next() - 0.5) * span_deg)
                .unwrap(),
            items: vec![ItemId(item)],
            communities: if rng.next() < 0.3 { vec![CommunityId(1)] } else { vec![CommunityId(2)] },
            streets: vec![StreetId(1 + (i % 7) as i32)],
            districts: vec![DistrictId(1)],
            radius_m: None,
            capacity: if kind == ProviderKind::PartyMember { 1 } else { 3 },
            hours: WorkingHours::always(),
            rating: 3.5 + rng.next() * 1.5,
            jobs: if rng.next() < 0.3 { vec![req.window] } else { Vec::new() },
            offers_this_period: (rng.next() * 40.0) as u32,
            last_offered_at: None,
            target_share: 1.0,
            active_since: req.now - Duration::days(90),
        })
        .collect()
}

fn organizations(c: &mut Criterion) {
    let mut rng = Rng(7);
    let orgs = providers(125, 0.3, ProviderKind::Organization, 15, &mut rng);
    let req = request(Category::Cleaning, 15);
    let (travel, weights) = (TravelModel::default(), RankWeights::default());
    c.bench_function("baseline: sort 125 organizations by distance", |b| {
        b.iter(|| {
            let mut by_distance: Vec<(f64, ProviderId)> =
                orgs.iter().map(|o| (o.location.distance_m(&req.location), o.id)).collect();
            by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
            black_box(by_distance)
        })
    });
    c.bench_function("rank 125 organizations", |b| {
        b.iter(|| black_box(rank(black_box(&req), &orgs, &[], &travel, &weights)))
    });
}

fn volunteers(c: &mut Criterion) {
    let mut rng = Rng(11);
    // 100,000 Party members over about 30 km by 30 km.
    let members = providers(100_000, 0.3, ProviderKind::PartyMember, 100, &mut rng);
    let req = request(Category::Volunteer, 100);
    let (travel, weights) = (TravelModel::default(), RankWeights::default());
    let index = GridIndex::build(members.iter().map(|m| &m.location), 500.0);
    let radius = travel.circle_radius_m(Category::Volunteer);
    c.bench_function("baseline: rank 100,000 Party members without an index", |b| {
        b.iter(|| black_box(rank(black_box(&req), &members, &[], &travel, &weights)))
    });
    c.bench_function("rank 100,000 Party members through the grid index", |b| {
        b.iter(|| {
            let near = index.near(&req.location, radius);
            black_box(rank(black_box(&req), near.iter().map(|i| &members[*i as usize]), &[], &travel, &weights))
        })
    });
}

criterion_group!(benches, organizations, volunteers);
criterion_main!(benches);
