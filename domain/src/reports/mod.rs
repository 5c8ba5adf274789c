//! The area dashboard: how a community's or a street's service went, day by day — orders placed, how many were
//! taken (the fill rate), the median time from placing to acceptance, escalations, and volunteer hours — the
//! map of its communities, providers and red stations with their 15-minute circles, and each provider's
//! fairness and service levels. The figures are computed here from plain facts the store reads
//! (one row per order, one per hours entry), so that the same rules make the chart and the CSV.

mod circle;
mod desk;
mod levels;

pub use circle::{MapStation, with_circles};
pub use desk::{AreaFacts, ReportDesk};
pub use levels::{OfferEnd, OfferFact, ProviderLevel, ServiceLevels, service_levels};

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::error::Invalid;
use crate::geo::{CommunityId, GeoPoint, StreetId};
use crate::providers::{ProviderId, ProviderKind};
use crate::time::shanghai;

/// Whose figures: one community, or every community of a street.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Community(CommunityId),
    Street(StreetId),
}

/// The days a dashboard covers, `from` to `to` inclusive, as dates in Shanghai.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// The most days one dashboard shows: a quarter.
    pub const MAX_DAYS: i64 = 92;
    /// The days shown when the request names none: the last two weeks, today included.
    pub const DEFAULT_DAYS: i64 = 14;

    /// The period asked for; a missing end is today, a missing start is two weeks before the end.
    pub fn parse(from: Option<NaiveDate>, to: Option<NaiveDate>, now: DateTime<Utc>) -> Result<Self, Invalid> {
        // Linli's figures begin this century; the bounds also keep the date arithmetic below in range.
        let years = 2000..=2100;
        for (field, date) in [("from", from), ("to", to)] {
            if date.is_some_and(|d| !years.contains(&d.year())) {
                return Err(Invalid::new(field, "date_out_of_range", "a date is in the years 2000 to 2100"));
            }
        }
        let to = to.unwrap_or_else(|| now.with_timezone(&shanghai()).date_naive());
        let from = from.unwrap_or(to - Duration::days(Self::DEFAULT_DAYS - 1));
        if from > to {
            return Err(Invalid::new("from", "from_after_to", "the first day comes after the last"));
        }
        if (to - from).num_days() >= Self::MAX_DAYS {
            return Err(Invalid::new(
                "from",
                "period_too_long",
                format!("a dashboard shows at most {} days", Self::MAX_DAYS),
            ));
        }
        Ok(Self { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The period as instants: from the first day's midnight in Shanghai to the midnight after the last.
    pub fn instants(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let midnight = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0).expect("midnight exists").and_local_timezone(shanghai()).unwrap().to_utc()
        };
        (midnight(self.from), midnight(self.to + Duration::days(1)))
    }

    fn days(&self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while(|d| *d <= self.to)
    }

    fn contains(&self, date: NaiveDate) -> bool {
        (self.from..=self.to).contains(&date)
    }
}

/// One order placed in the area, as the dashboard counts it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrderFact {
    pub placed_at: DateTime<Utc>,
    /// When it was first accepted, if ever.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Whether it was ever escalated to the community's workers.
    pub escalated: bool,
    /// Cancelled before anyone accepted it: the resident withdrew, nobody failed to fill it.
    pub withdrawn: bool,
}

/// One entry of volunteer hours served in the area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HoursFact {
    pub started_at: DateTime<Utc>,
    pub minutes: i32,
}

/// One day's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayFigures {
    pub date: NaiveDate,
    pub orders: u32,
    /// Orders placed that day that some provider accepted.
    pub filled: u32,
    /// Orders placed that day that were withdrawn before acceptance; the fill rate leaves them out.
    pub withdrawn: u32,
    pub escalated: u32,
    /// The median of placing → first acceptance over the day's filled orders.
    pub median_accept_seconds: Option<i64>,
    pub volunteer_minutes: i64,
}

impl DayFigures {
    /// Filled orders over the orders that could have been filled (placed, not withdrawn); none when there
    /// were none.
    pub fn fill_rate(&self) -> Option<f64> {
        let fillable = self.orders - self.withdrawn;
        (fillable > 0).then(|| f64::from(self.filled) / f64::from(fillable))
    }

    pub fn volunteer_hours(&self) -> f64 {
        self.volunteer_minutes as f64 / 60.0
    }
}

/// The dashboard of an area over a period.
#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    pub area: Area,
    pub period: Period,
    /// Every day of the period, in order, days without orders included.
    pub days: Vec<DayFigures>,
    /// The whole period's figures (dated its last day), the median taken over all its filled orders.
    pub total: DayFigures,
    /// Escalations of the area open now, whenever they were placed.
    pub open_escalations: u64,
}

/// The figures of each day of `period` from the area's orders and hours; facts outside the period are ignored.
pub fn daily_figures(period: Period, orders: &[OrderFact], hours: &[HoursFact]) -> (Vec<DayFigures>, DayFigures) {
    // Each fact's day is worked out once; a street's quarter is tens of thousands of orders over 92 days.
    let day_of = |at: DateTime<Utc>| at.with_timezone(&shanghai()).date_naive();
    let mut placed: BTreeMap<NaiveDate, Vec<&OrderFact>> = BTreeMap::new();
    for o in orders.iter().filter(|o| period.contains(day_of(o.placed_at))) {
        placed.entry(day_of(o.placed_at)).or_default().push(o);
    }
    let mut minutes: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for h in hours.iter().filter(|h| period.contains(day_of(h.started_at))) {
        *minutes.entry(day_of(h.started_at)).or_default() += i64::from(h.minutes);
    }
    let days = period
        .days()
        .map(|date| {
            let day = placed.get(&date).map_or(&[][..], Vec::as_slice);
            figures_of(date, day, minutes.get(&date).copied().unwrap_or(0))
        })
        .collect();
    let inside: Vec<&OrderFact> = placed.values().flatten().copied().collect();
    (days, figures_of(period.to, &inside, minutes.values().sum()))
}

fn figures_of(date: NaiveDate, placed: &[&OrderFact], volunteer_minutes: i64) -> DayFigures {
    let mut waits: Vec<i64> =
        placed.iter().filter_map(|o| o.accepted_at.map(|a| (a - o.placed_at).num_seconds().max(0))).collect();
    waits.sort_unstable();
    let count = |keep: fn(&OrderFact) -> bool| placed.iter().filter(|o| keep(o)).count() as u32;
    DayFigures {
        date,
        orders: placed.len() as u32,
        filled: waits.len() as u32,
        withdrawn: count(|o| o.withdrawn && o.accepted_at.is_none()),
        escalated: count(|o| o.escalated),
        median_accept_seconds: median(&waits),
        volunteer_minutes,
    }
}

/// The middle value of sorted `values`, the mean of the two middle ones (rounded down) for an even count.
fn median(values: &[i64]) -> Option<i64> {
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]).div_euclid(2)),
    }
}

/// A community on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct MapCommunity {
    pub id: CommunityId,
    pub name: String,
    pub center: GeoPoint,
    /// Minutes on foot from its centre to the nearest red station; none when the city has none.
    pub station_minutes: Option<f64>,
}

/// A provider on the map, at its base.
#[derive(Clone, Debug, PartialEq)]
pub struct MapProvider {
    pub id: ProviderId,
    pub name: String,
    pub kind: ProviderKind,
    pub location: GeoPoint,
}

/// What the map of an area shows: the communities around it and the organizations and points serving them
/// (Party members are people, not places, and stay off the map), and the red stations whose circles reach it.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaMap {
    pub communities: Vec<MapCommunity>,
    pub providers: Vec<MapProvider>,
    pub stations: Vec<MapStation>,
    /// How many of the communities lie within 15 minutes' walk of a red station.
    pub within_circle: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        shanghai().with_ymd_and_hms(2026, 12, day, hour, minute, 0).unwrap().to_utc()
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    fn period(from: u32, to: u32) -> Period {
        Period::parse(Some(date(from)), Some(date(to)), at(2, 12, 0)).unwrap()
    }

    fn order(placed: DateTime<Utc>, accepted_after_s: Option<i64>) -> OrderFact {
        OrderFact {
            placed_at: placed,
            accepted_at: accepted_after_s.map(|s| placed + Duration::seconds(s)),
            escalated: false,
            withdrawn: false,
        }
    }

    #[test]
    fn a_period_left_unsaid_is_the_last_two_weeks_in_shanghai() {
        // 23:30 UTC on 1 December is already 2 December in Shanghai.
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        let p = Period::parse(None, None, now).unwrap();
        assert_eq!((p.from(), p.to()), (NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(), date(2)));
    }

    #[test]
    fn a_period_that_ends_before_it_starts_or_runs_past_a_quarter_names_from() {
        let now = at(2, 12, 0);
        assert_eq!(Period::parse(Some(date(3)), Some(date(2)), now).unwrap_err().code, "from_after_to");
        let long = Period::parse(Some(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()), Some(date(2)), now);
        assert_eq!(long.unwrap_err().field, "from");
    }

    #[test]
    fn a_date_outside_the_years_2000_to_2100_names_its_field() {
        let far = NaiveDate::MAX;
        assert_eq!(Period::parse(None, Some(far), at(2, 12, 0)).unwrap_err().field, "to");
        assert_eq!(Period::parse(Some(NaiveDate::MIN), None, at(2, 12, 0)).unwrap_err().field, "from");
    }

    #[test]
    fn an_order_counts_on_the_day_it_was_placed_in_shanghai_not_in_utc() {
        // 00:30 on 2 December in Shanghai is 16:30 on 1 December in UTC.
        let (days, _) = daily_figures(period(1, 2), &[order(at(2, 0, 30), None)], &[]);
        assert_eq!((days[0].orders, days[1].orders), (0, 1));
    }

    #[test]
    fn the_fill_rate_leaves_out_orders_the_resident_withdrew() {
        let mut withdrawn = order(at(1, 9, 0), None);
        withdrawn.withdrawn = true;
        let orders = [order(at(1, 9, 0), Some(60)), order(at(1, 10, 0), None), withdrawn];
        let (days, _) = daily_figures(period(1, 1), &orders, &[]);
        assert_eq!((days[0].orders, days[0].filled, days[0].withdrawn), (3, 1, 1));
        assert_eq!(days[0].fill_rate(), Some(0.5));
    }

    #[test]
    fn a_day_without_orders_is_shown_with_no_fill_rate_and_no_median() {
        let (days, total) = daily_figures(period(1, 3), &[order(at(2, 9, 0), Some(30))], &[]);
        assert_eq!(days.len(), 3);
        assert_eq!((days[0].fill_rate(), days[0].median_accept_seconds), (None, None));
        assert_eq!((total.orders, total.date), (1, date(3)));
    }

    #[test]
    fn the_median_time_to_accept_is_the_middle_wait_or_the_mean_of_the_two_middle_ones() {
        let odd = [order(at(1, 9, 0), Some(10)), order(at(1, 9, 0), Some(400)), order(at(1, 9, 0), Some(30))];
        assert_eq!(daily_figures(period(1, 1), &odd, &[]).0[0].median_accept_seconds, Some(30));
        let even = [order(at(1, 9, 0), Some(10)), order(at(1, 9, 0), Some(31))];
        assert_eq!(daily_figures(period(1, 1), &even, &[]).0[0].median_accept_seconds, Some(20));
    }

    #[test]
    fn the_totals_take_the_median_over_the_whole_period_not_the_median_of_medians() {
        let orders = [
            order(at(1, 9, 0), Some(10)),
            order(at(2, 9, 0), Some(20)),
            order(at(2, 9, 0), Some(30)),
            order(at(2, 9, 0), Some(1000)),
        ];
        let (_, total) = daily_figures(period(1, 2), &orders, &[]);
        assert_eq!((total.filled, total.median_accept_seconds), (4, Some(25)));
    }

    #[test]
    fn volunteer_minutes_fall_on_the_day_the_service_started_and_facts_outside_are_ignored() {
        let hours = [
            HoursFact { started_at: at(1, 9, 0), minutes: 90 },
            HoursFact { started_at: at(1, 14, 0), minutes: 30 },
            HoursFact { started_at: at(5, 9, 0), minutes: 600 },
        ];
        let (days, total) = daily_figures(period(1, 2), &[], &hours);
        assert_eq!((days[0].volunteer_hours(), days[1].volunteer_minutes, total.volunteer_minutes), (2.0, 0, 120));
    }
}
