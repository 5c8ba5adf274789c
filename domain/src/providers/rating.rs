//! A provider's rating: the residents' stars, smoothed toward a prior so that a provider with two five-star
//! ratings does not outrank one with two hundred at 4.8, and a new provider starts at the prior, not at a
//! perfect 5.0. Ranking reads the smoothed value; people see it with its count.

/// What a provider nobody has rated yet is taken to be: a good, not a perfect, provider.
pub const PRIOR_MEAN: f64 = 4.0;
/// How many ratings the prior counts as: five real ones weigh as much as it does.
pub const PRIOR_WEIGHT: f64 = 5.0;

/// The ratings a provider has received: how many, and their stars added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RatingTally {
    pub count: u32,
    pub sum: u32,
}

impl RatingTally {
    /// The Bayesian average: the prior's weight of `PRIOR_MEAN` stars plus the real ones, rounded to a tenth.
    pub fn smoothed(self) -> f64 {
        let value = (PRIOR_MEAN * PRIOR_WEIGHT + f64::from(self.sum)) / (PRIOR_WEIGHT + f64::from(self.count));
        (value * 10.0).round() / 10.0
    }

    /// The tally with one rating of `stars` added, or changed from `was` to `stars`.
    pub fn with(self, stars: u8, was: Option<u8>) -> Self {
        match was {
            None => Self { count: self.count + 1, sum: self.sum + u32::from(stars) },
            Some(old) => Self { count: self.count, sum: (self.sum + u32::from(stars)).saturating_sub(u32::from(old)) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_nobody_rated_stands_at_the_prior_not_at_five() {
        assert_eq!(RatingTally::default().smoothed(), 4.0);
    }

    #[test]
    fn two_five_star_ratings_do_not_outrank_two_hundred_at_four_point_eight() {
        let lucky = RatingTally::default().with(5, None).with(5, None);
        let proven = RatingTally { count: 200, sum: 960 };
        assert!(lucky.smoothed() < proven.smoothed(), "{} vs {}", lucky.smoothed(), proven.smoothed());
    }

    #[test]
    fn changing_a_rating_moves_the_sum_and_keeps_the_count() {
        let once = RatingTally::default().with(2, None);
        let changed = once.with(5, Some(2));
        assert_eq!(changed, RatingTally { count: 1, sum: 5 });
        assert_eq!(changed.smoothed(), 4.2);
    }
}
