//! The catalog of what an order's history says of each step: a [`Note`] is stored as its key with its facts
//! and worded when the history is read, in the reader's language. A person's own words (a worker's reason,
//! a resident's dispute) are facts of the note and read as they wrote them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Lang, moment};

/// One step of an order's history, before it is worded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "key", rename_all = "snake_case")]
pub enum Note {
    Placed,
    /// Dispatch offered the order to `providers` providers within `scope` (community, street or district).
    Offered {
        providers: usize,
        scope: String,
        round: u32,
    },
    Accepted,
    Started,
    Completed,
    Cancelled,
    EveryOfferDeclined,
    OfferLapsed,
    NoEligibleProvider,
    NoEligibleProviderLeft,
    /// A high-risk mediation intake goes to the street's workers at once.
    HighRisk,
    DeadlinePassed,
    /// The order's item or community is gone.
    NoLongerKnown,
    AssignedByHand {
        reason: String,
    },
    Closed {
        reason: String,
    },
    Rescheduled {
        start: DateTime<Utc>,
    },
    VisitConfirmed,
    VisitDisputed {
        reason: String,
    },
    VisitConfirmedAutomatically,
    DisputeResolved {
        note: String,
    },
    ComplaintOpened {
        text: String,
    },
    ComplaintAnswered {
        answer: String,
    },
    ComplaintEscalated,
    /// The care plan's visit that day was cancelled by a change of the plan.
    PlanPaused,
    PlanDateSkipped,
    PlanTimeChanged,
    PlanCancelled,
    /// The plan changed while the visit was being placed, and no longer has it.
    NoLongerInPlan,
    /// The provider gave back the job it had accepted, for this reason; the order went back to dispatch.
    HandedBack {
        reason: crate::orders::JobReason,
    },
}

impl Note {
    /// Every key, with sample facts: what the catalog test words in both languages.
    #[cfg(test)]
    pub fn samples() -> Vec<Note> {
        let words = || "王师傅就住楼下".to_owned();
        vec![
            Note::Placed,
            Note::Offered { providers: 2, scope: "street".into(), round: 1 },
            Note::Accepted,
            Note::Started,
            Note::Completed,
            Note::Cancelled,
            Note::EveryOfferDeclined,
            Note::OfferLapsed,
            Note::NoEligibleProvider,
            Note::NoEligibleProviderLeft,
            Note::HighRisk,
            Note::DeadlinePassed,
            Note::NoLongerKnown,
            Note::AssignedByHand { reason: words() },
            Note::Closed { reason: words() },
            Note::Rescheduled { start: DateTime::from_timestamp(1_796_263_200, 0).unwrap_or_default() },
            Note::VisitConfirmed,
            Note::VisitDisputed { reason: words() },
            Note::VisitConfirmedAutomatically,
            Note::DisputeResolved { note: words() },
            Note::ComplaintOpened { text: words() },
            Note::ComplaintAnswered { answer: words() },
            Note::ComplaintEscalated,
            Note::PlanPaused,
            Note::PlanDateSkipped,
            Note::PlanTimeChanged,
            Note::PlanCancelled,
            Note::NoLongerInPlan,
            Note::HandedBack { reason: crate::orders::JobReason::StaffUnavailable },
        ]
    }

    /// The note as the history stores it.
    pub fn stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored note worded in `lang`; one written before notes were kept by key reads as it was written.
    pub fn read(stored: &str, lang: Lang) -> String {
        serde_json::from_str::<Note>(stored).map_or_else(|_| stored.to_owned(), |note| note.words(lang))
    }

    pub fn words(&self, lang: Lang) -> String {
        let zh = lang == Lang::ZhCn;
        let fixed = |zh_text: &str, en_text: &str| if zh { zh_text.to_owned() } else { en_text.to_owned() };
        match self {
            Note::Placed => fixed("已下单", "placed"),
            Note::Offered { providers, scope, round } => match zh {
                true => format!("派给{}内的 {providers} 家服务方（第 {round} 轮）", scope_zh(scope)),
                false => format!("offered to {providers} provider(s) in the {scope}, round {round}"),
            },
            Note::Accepted => fixed("已接单", "accepted"),
            Note::Started => fixed("服务开始", "started"),
            Note::Completed => fixed("服务完成", "completed"),
            Note::Cancelled => fixed("已取消", "cancelled"),
            Note::EveryOfferDeclined => fixed("服务方都谢绝了，重新派单", "every offer was declined; back to dispatch"),
            Note::OfferLapsed => {
                fixed("服务方未在期限内答复，重新派单", "no answer before the offer deadline; back to dispatch")
            }
            Note::NoEligibleProvider => fixed("没有可以接单的服务方", "no eligible provider"),
            Note::NoEligibleProviderLeft => fixed("没有其他可以接单的服务方", "no eligible provider left"),
            Note::HighRisk => fixed("高风险：立即转街道处理", "high risk: escalated to the street at once"),
            Note::DeadlinePassed => fixed("超过接单期限", "the order's acceptance deadline passed"),
            Note::NoLongerKnown => fixed("服务项目或社区已不存在", "the item or the community is no longer known"),
            Note::AssignedByHand { reason } => match zh {
                true => format!("人工指派：{reason}"),
                false => format!("assigned by hand: {reason}"),
            },
            Note::Closed { reason } => match zh {
                true => format!("已关闭：{reason}"),
                false => format!("closed: {reason}"),
            },
            Note::Rescheduled { start } => match zh {
                true => format!("改约到 {}", moment(lang, *start)),
                false => format!("rescheduled {}", moment(lang, *start)),
            },
            Note::VisitConfirmed => fixed("居民确认服务完成", "visit confirmed by the resident"),
            Note::VisitDisputed { reason } => match zh {
                true => format!("居民提出异议：{reason}"),
                false => format!("visit disputed: {reason}"),
            },
            Note::VisitConfirmedAutomatically => fixed(
                "居民未在期限内答复，自动确认",
                "visit confirmed automatically: the resident did not answer in time",
            ),
            Note::DisputeResolved { note } => match zh {
                true => format!("异议已处理：{note}"),
                false => format!("dispute resolved: {note}"),
            },
            Note::ComplaintOpened { text } => match zh {
                true => format!("收到投诉：{text}"),
                false => format!("complaint opened: {text}"),
            },
            Note::ComplaintAnswered { answer } => match zh {
                true => format!("投诉已答复：{answer}"),
                false => format!("complaint answered: {answer}"),
            },
            Note::ComplaintEscalated => {
                fixed("投诉超期未答复，已升级", "complaint escalated: not answered by its deadline")
            }
            Note::PlanPaused => fixed("已取消：周期服务暂停", "cancelled: care plan paused"),
            Note::PlanDateSkipped => fixed("已取消：周期服务跳过这一天", "cancelled: care plan skipped this date"),
            Note::PlanTimeChanged => fixed("已取消：周期服务改了时间", "cancelled: care plan moved to another time"),
            Note::PlanCancelled => fixed("已取消：周期服务终止", "cancelled with the rest of the care plan"),
            Note::NoLongerInPlan => fixed("已取消：不再属于周期服务", "cancelled: no longer in the care plan"),
            Note::HandedBack { reason } => match zh {
                true => format!("服务方退单（{}），重新派单", reason.words(lang)),
                false => format!("handed back by the provider ({}); back to dispatch", reason.words(lang)),
            },
        }
    }
}

fn scope_zh(scope: &str) -> &'static str {
    match scope {
        "community" => "社区",
        "street" => "街道",
        _ => "区",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::has_chinese;

    #[test]
    fn every_note_is_worded_in_chinese_and_in_english() {
        for note in Note::samples() {
            assert!(has_chinese(&note.words(Lang::ZhCn)), "{note:?}");
            let english = note.words(Lang::En).replace("王师傅就住楼下", "");
            assert!(!english.is_empty() && !has_chinese(&english), "{note:?} reads {english}");
            assert_eq!(Note::read(&note.stored(), Lang::En), note.words(Lang::En), "{note:?} round-trips");
        }
    }

    #[test]
    fn a_note_written_before_the_catalog_reads_as_written() {
        assert_eq!(
            Note::read("offered to 2 provider(s) in the street, round 1", Lang::ZhCn),
            "offered to 2 provider(s) in the street, round 1"
        );
        let offered = Note::Offered { providers: 2, scope: "community".into(), round: 1 }.stored();
        assert_eq!(Note::read(&offered, Lang::ZhCn), "派给社区内的 2 家服务方（第 1 轮）");
    }
}
