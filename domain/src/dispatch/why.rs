//! Why a provider was offered an order, in words the resident and the provider read: "距您约10分钟，评分4.8，
//! 当前时段空闲" rather than a rank. The reasons are stored with the offer as they were (JSON), so that each
//! reader gets them in their own language; an explanation a person wrote (a worker's reason for assigning by
//! hand) is stored and shown as written.

use serde::{Deserialize, Serialize};

use super::ranking::Explanation;
use crate::words::{Lang, Note};

/// The reasons one provider was offered an order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Why {
    /// Estimated travel to the address.
    pub minutes: f64,
    /// The provider's smoothed rating.
    pub rating: f64,
    /// Jobs it already held in the order's window, and how many it can hold.
    pub load: u32,
    pub capacity: u32,
    /// It took the care plan's latest visit.
    #[serde(default)]
    pub continuity: bool,
}

impl Why {
    pub fn of(e: &Explanation) -> Self {
        Self {
            minutes: e.travel_minutes,
            rating: e.rating,
            load: e.load,
            capacity: e.capacity,
            continuity: e.continuity,
        }
    }

    /// As the offer stores it.
    pub fn stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The reasons in `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let minutes = self.minutes.round().max(1.0);
        match lang {
            Lang::ZhCn => {
                let load = if self.load == 0 {
                    "当前时段空闲".to_owned()
                } else {
                    format!("该时段已有{}单（最多{}单）", self.load, self.capacity)
                };
                let last = if self.continuity { "本计划上次也由其服务，" } else { "" };
                format!("{last}距您约{minutes:.0}分钟，评分{:.1}，{load}", self.rating)
            }
            Lang::En => {
                let load = if self.load == 0 {
                    "free at that time".to_owned()
                } else {
                    format!("{} of {} jobs at that time", self.load, self.capacity)
                };
                let last = if self.continuity { "served this plan's last visit; " } else { "" };
                format!("{last}about {minutes:.0} min away, rated {:.1}, {load}", self.rating)
            }
        }
    }
}

/// An offer's stored explanation for a reader of `lang`: the reasons put into words, or what a person wrote, as
/// written.
pub fn explain(stored: &str, lang: Lang) -> String {
    serde_json::from_str::<Why>(stored).map_or_else(|_| Note::read(stored, lang), |why| why.words(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(load: u32) -> Why {
        Why { minutes: 9.6, rating: 4.8, load, capacity: 2, continuity: false }
    }

    #[test]
    fn the_reasons_read_plainly_in_chinese_and_in_english() {
        assert_eq!(why(0).words(Lang::ZhCn), "距您约10分钟，评分4.8，当前时段空闲");
        assert_eq!(why(0).words(Lang::En), "about 10 min away, rated 4.8, free at that time");
        assert_eq!(why(1).words(Lang::ZhCn), "距您约10分钟，评分4.8，该时段已有1单（最多2单）");
        assert_eq!(why(1).words(Lang::En), "about 10 min away, rated 4.8, 1 of 2 jobs at that time");
        let last = Why { continuity: true, minutes: 0.2, ..why(0) };
        assert_eq!(last.words(Lang::ZhCn), "本计划上次也由其服务，距您约1分钟，评分4.8，当前时段空闲");
        assert!(last.words(Lang::En).starts_with("served this plan's last visit; about 1 min away"));
    }

    #[test]
    fn stored_reasons_are_read_back_in_the_readers_language_and_a_persons_words_as_written() {
        assert_eq!(explain(&why(0).stored(), Lang::En), why(0).words(Lang::En));
        assert_eq!(explain("assigned by hand: 王师傅就住楼下", Lang::En), "assigned by hand: 王师傅就住楼下");
        let by_hand = Note::AssignedByHand { reason: "王师傅就住楼下".into() }.stored();
        assert_eq!(explain(&by_hand, Lang::ZhCn), "人工指派：王师傅就住楼下");
    }
}
