//! Who sees an area's dashboard, map and service levels: a community worker their own community's, a street
//! worker their street's and any of its communities', an admin any community's or street's. The period is
//! parsed only once the caller may see the area.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use super::levels::{OfferFact, ServiceLevels, service_levels};
use super::{Area, AreaMap, Dashboard, HoursFact, MapProvider, OrderFact, Period, daily_figures};
use crate::accounts::{Actor, Role};
use crate::catalog::ItemId;
use crate::clock::Clock;
use crate::dispatch::TravelModel;
use crate::error::{Denied, DeskError, Invalid, Unexpected};
use crate::geo::{CommunityId, StreetId};

/// The facts an area's figures are made of, as the store keeps them.
pub trait AreaFacts: Clone + Send + Sync + 'static {
    /// Whether the community or street exists.
    fn area_exists(&self, area: Area) -> impl Future<Output = Result<bool, Unexpected>> + Send;

    /// The orders of the area placed in `[from, to)`.
    fn order_facts(
        &self,
        area: Area,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<OrderFact>, Unexpected>> + Send;

    /// The volunteer hours served in the area that started in `[from, to)`.
    fn hours_facts(
        &self,
        area: Area,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<HoursFact>, Unexpected>> + Send;

    /// The area's orders escalated and not yet assigned or closed.
    fn open_escalations(&self, area: Area) -> impl Future<Output = Result<u64, Unexpected>> + Send;

    /// The offers made in `[from, to)` for the area's orders, or the whole city's when `area` is none (of
    /// `item` only, when given), each with its end.
    fn offer_facts(
        &self,
        area: Option<Area>,
        item: Option<ItemId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<OfferFact>, Unexpected>> + Send;

    /// The area's map: for a community, every community of its street, so the neighbourhood shows; for a
    /// street, its communities. Providers are those based in or covering one of them.
    fn area_map(&self, area: Area) -> impl Future<Output = Result<AreaMap, Unexpected>> + Send;

    /// Every active red station of the city, at its base.
    fn red_stations(&self) -> impl Future<Output = Result<Vec<MapProvider>, Unexpected>> + Send;
}

/// The dashboard's use cases over the store `R` and a clock.
#[derive(Clone)]
pub struct ReportDesk<R, C> {
    pub repo: R,
    pub clock: C,
    /// How the 15-minute circle around a red station is walked.
    pub travel: TravelModel,
}

impl<R: AreaFacts, C: Clock> ReportDesk<R, C> {
    pub fn new(repo: R, clock: C) -> Self {
        Self { repo, clock, travel: TravelModel::default() }
    }

    /// The area's figures for each day from `from` to `to` (the last two weeks when unsaid).
    pub async fn dashboard(
        &self,
        actor: &Actor,
        area: Area,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Dashboard, DeskError> {
        self.admit(actor, area).await?;
        let period = Period::parse(from, to, self.clock.now())?;
        let (start, end) = period.instants();
        let orders = self.repo.order_facts(area, start, end).await?;
        let hours = self.repo.hours_facts(area, start, end).await?;
        let (days, total) = daily_figures(period, &orders, &hours);
        let open_escalations = self.repo.open_escalations(area).await?;
        Ok(Dashboard { area, period, days, total, open_escalations })
    }

    /// Each provider's share of the offers for the area's orders against its entitlement, its acceptance rate,
    /// median time to accept, declines, lapses and hand-backs, over the period (of one item when given).
    /// The area is the community or the street named; a worker who names neither gets their own, and an admin
    /// the whole city.
    pub async fn service_levels(
        &self,
        actor: &Actor,
        community: Option<CommunityId>,
        street: Option<StreetId>,
        item: Option<ItemId>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<(Option<Area>, Period, ServiceLevels), DeskError> {
        // Anyone but a worker or an admin is refused before the area is asked for.
        if !matches!(actor.role, Role::CommunityWorker | Role::Admin) {
            return Err(Denied("service levels are for community workers and admins").into());
        }
        let area = match (community, street, &actor.street, actor.community) {
            (Some(_), Some(_), _, _) => {
                return Err(Invalid::new("street_id", "community_and_street", "name a community or a street").into());
            }
            (Some(c), None, _, _) => Some(Area::Community(c)),
            (None, Some(s), _, _) => Some(Area::Street(s)),
            (None, None, Some(own), _) => Some(Area::Street(own.street)),
            (None, None, None, Some(c)) if actor.role == Role::CommunityWorker => Some(Area::Community(c)),
            // An admin who names no area reads the whole city: one table, every provider.
            (None, None, _, _) if actor.role == Role::Admin => None,
            (None, None, _, _) => {
                return Err(Invalid::new("community_id", "missing_area", "name a community or a street").into());
            }
        };
        if let Some(area) = area {
            self.admit(actor, area).await?;
        }
        let period = Period::parse(from, to, self.clock.now())?;
        let (start, end) = period.instants();
        let offers = self.repo.offer_facts(area, item, start, end).await?;
        Ok((area, period, service_levels(&offers)))
    }

    /// The communities and providers of the area, with their coordinates, and the red stations whose
    /// 15-minute circles reach it: each community with its walk to the nearest.
    pub async fn map(&self, actor: &Actor, area: Area) -> Result<AreaMap, DeskError> {
        self.admit(actor, area).await?;
        let map = self.repo.area_map(area).await?;
        Ok(super::with_circles(map, &self.repo.red_stations().await?, &self.travel))
    }

    async fn admit(&self, actor: &Actor, area: Area) -> Result<(), DeskError> {
        match (actor.role, area) {
            (Role::Admin, _) => {}
            (Role::CommunityWorker, Area::Community(c)) if actor.looks_after(c) => {}
            (Role::CommunityWorker, Area::Community(_)) => {
                return Err(Denied("a worker sees the figures of the communities they look after").into());
            }
            (Role::CommunityWorker, Area::Street(s)) if actor.street.as_ref().is_some_and(|own| own.street == s) => {}
            (Role::CommunityWorker, Area::Street(_)) => {
                return Err(Denied("a street's figures are for its street workers and admins").into());
            }
            _ => return Err(Denied("the dashboard is for community workers and admins").into()),
        }
        if !self.repo.area_exists(area).await? {
            return Err(DeskError::NotFound(match area {
                Area::Community(_) => "community",
                Area::Street(_) => "street",
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::AccountId;
    use crate::clock::FixedClock;
    use chrono::{Duration, TimeZone};
    use futures_util::FutureExt;
    use std::sync::{Arc, Mutex};
    use uuid::Uuid;

    /// An area of communities 1 and 2 on street 1, whose facts are what a test put in.
    #[derive(Clone, Default)]
    struct Facts {
        orders: Arc<Mutex<Vec<(Area, OrderFact)>>>,
    }

    impl AreaFacts for Facts {
        async fn area_exists(&self, area: Area) -> Result<bool, Unexpected> {
            Ok(matches!(area, Area::Community(CommunityId(1 | 2)) | Area::Street(StreetId(1))))
        }

        async fn order_facts(
            &self,
            area: Area,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> Result<Vec<OrderFact>, Unexpected> {
            let orders = self.orders.lock().unwrap();
            let inside = |a: &Area| area == Area::Street(StreetId(1)) || *a == area;
            Ok(orders
                .iter()
                .filter(|(a, o)| inside(a) && o.placed_at >= from && o.placed_at < to)
                .map(|x| x.1)
                .collect())
        }

        async fn hours_facts(&self, _: Area, _: DateTime<Utc>, _: DateTime<Utc>) -> Result<Vec<HoursFact>, Unexpected> {
            Ok(Vec::new())
        }

        async fn open_escalations(&self, _: Area) -> Result<u64, Unexpected> {
            Ok(2)
        }

        async fn offer_facts(
            &self,
            _: Option<Area>,
            _: Option<ItemId>,
            _: DateTime<Utc>,
            _: DateTime<Utc>,
        ) -> Result<Vec<OfferFact>, Unexpected> {
            Ok(Vec::new())
        }

        async fn area_map(&self, _: Area) -> Result<AreaMap, Unexpected> {
            Ok(AreaMap { communities: Vec::new(), providers: Vec::new(), stations: Vec::new(), within_circle: 0 })
        }

        async fn red_stations(&self) -> Result<Vec<MapProvider>, Unexpected> {
            Ok(Vec::new())
        }
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        f.now_or_never().expect("the fakes never wait")
    }

    fn now() -> DateTime<Utc> {
        crate::time::shanghai().with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap().to_utc()
    }

    fn desk(facts: Facts) -> ReportDesk<Facts, FixedClock> {
        ReportDesk::new(facts, FixedClock(now()))
    }

    fn actor(role: Role, community: Option<i32>) -> Actor {
        Actor {
            account: AccountId(Uuid::nil()),
            role,
            provider: None,
            community: community.map(CommunityId),
            street: None,
        }
    }

    fn placed(community: i32, ago_hours: i64) -> (Area, OrderFact) {
        let at = now() - Duration::hours(ago_hours);
        (
            Area::Community(CommunityId(community)),
            OrderFact { placed_at: at, accepted_at: None, escalated: false, withdrawn: false },
        )
    }

    #[test]
    fn a_worker_sees_their_own_communitys_figures_and_no_one_elses() {
        let facts = Facts::default();
        facts.orders.lock().unwrap().extend([placed(1, 1), placed(2, 1)]);
        let worker = actor(Role::CommunityWorker, Some(1));
        let mine = run(desk(facts.clone()).dashboard(&worker, Area::Community(CommunityId(1)), None, None)).unwrap();
        assert_eq!((mine.total.orders, mine.days.len(), mine.open_escalations), (1, 14, 2));
        let other = run(desk(facts.clone()).dashboard(&worker, Area::Community(CommunityId(2)), None, None));
        assert!(matches!(other, Err(DeskError::Denied(_))));
        let street = run(desk(facts).map(&worker, Area::Street(StreetId(1))));
        assert!(matches!(street, Err(DeskError::Denied(_))));
    }

    #[test]
    fn a_street_worker_sees_their_streets_figures_and_each_of_its_communities_but_not_another_street() {
        let facts = Facts::default();
        facts.orders.lock().unwrap().extend([placed(1, 1), placed(2, 1)]);
        let scope =
            crate::accounts::StreetScope { street: StreetId(1), communities: vec![CommunityId(1), CommunityId(2)] };
        let worker = Actor { street: Some(scope), ..actor(Role::CommunityWorker, None) };
        let street = run(desk(facts.clone()).dashboard(&worker, Area::Street(StreetId(1)), None, None)).unwrap();
        assert_eq!(street.total.orders, 2);
        let one = run(desk(facts.clone()).dashboard(&worker, Area::Community(CommunityId(2)), None, None)).unwrap();
        assert_eq!(one.total.orders, 1);
        let other = run(desk(facts.clone()).dashboard(&worker, Area::Street(StreetId(2)), None, None));
        assert!(matches!(other, Err(DeskError::Denied(_))));
        let outside = run(desk(facts).dashboard(&worker, Area::Community(CommunityId(3)), None, None));
        assert!(matches!(outside, Err(DeskError::Denied(_))));
    }

    #[test]
    fn an_admin_sees_a_streets_figures_summed_over_its_communities() {
        let facts = Facts::default();
        facts.orders.lock().unwrap().extend([placed(1, 1), placed(2, 30), placed(2, 24 * 30)]);
        let admin = actor(Role::Admin, None);
        let street = run(desk(facts).dashboard(&admin, Area::Street(StreetId(1)), None, None)).unwrap();
        assert_eq!(street.total.orders, 2, "the order of a month ago is outside the two weeks");
    }

    #[test]
    fn a_caller_who_may_not_see_the_area_is_refused_before_their_period_is_read() {
        let resident = actor(Role::Resident, None);
        let backwards = Some(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        let refused =
            run(desk(Facts::default()).dashboard(&resident, Area::Community(CommunityId(1)), backwards, None));
        assert!(matches!(refused, Err(DeskError::Denied(_))));
        let admin = actor(Role::Admin, None);
        let bad = run(desk(Facts::default()).dashboard(&admin, Area::Community(CommunityId(1)), backwards, None));
        assert!(matches!(bad, Err(DeskError::Invalid(i)) if i.field == "from"));
    }

    #[test]
    fn a_worker_who_names_no_area_gets_the_service_levels_of_their_own_and_an_admin_the_whole_citys() {
        let worker = actor(Role::CommunityWorker, Some(1));
        let (area, _, _) = run(desk(Facts::default()).service_levels(&worker, None, None, None, None, None)).unwrap();
        assert_eq!(area, Some(Area::Community(CommunityId(1))));
        let admin = actor(Role::Admin, None);
        let (city, _, _) = run(desk(Facts::default()).service_levels(&admin, None, None, None, None, None)).unwrap();
        assert_eq!(city, None);
        let both = run(desk(Facts::default()).service_levels(
            &admin,
            Some(CommunityId(1)),
            Some(StreetId(1)),
            None,
            None,
            None,
        ));
        assert!(matches!(both, Err(DeskError::Invalid(i)) if i.field == "street_id"));
        let resident = actor(Role::Resident, Some(1));
        let refused =
            run(desk(Facts::default()).service_levels(&resident, Some(CommunityId(1)), None, None, None, None));
        assert!(matches!(refused, Err(DeskError::Denied(_))));
    }

    #[test]
    fn an_area_that_does_not_exist_is_not_found() {
        let admin = actor(Role::Admin, None);
        let missing = run(desk(Facts::default()).map(&admin, Area::Community(CommunityId(99))));
        assert!(matches!(missing, Err(DeskError::NotFound("community"))));
    }
}
