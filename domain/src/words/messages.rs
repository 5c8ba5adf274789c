//! The catalog of what Linli tells people: each inbox message, SMS and reminder is a [`Message`], a key with
//! its facts (the item, the time, the place), stored as such and worded only when someone reads it, in their
//! language. Chinese is the default; every key has both wordings, which the match arms below make sure of.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Lang, moment};
use crate::time::shanghai;

/// One thing told to one person, before it is worded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "key", rename_all = "snake_case")]
pub enum Message {
    /// To the resident: their order is in and a provider is being sought.
    OrderSubmitted {
        item: String,
    },
    /// To a provider's staff: an order is offered to them.
    OrderOffered {
        item: String,
    },
    /// To the resident: a provider took the order (also their SMS).
    OrderAccepted {
        item: String,
    },
    /// To the resident: the provider that took the order gave it back before coming; another is being sought
    /// (also their SMS).
    HandedBack {
        item: String,
    },
    ServiceStarted {
        item: String,
    },
    /// To the resident: the visit is done; they confirm it or dispute it.
    ServiceCompleted {
        item: String,
    },
    /// To the community's workers: nobody took the order.
    EscalatedForWorkers {
        item: String,
    },
    /// To the street's workers: a mediation intake marked high risk came to them at once.
    HighRiskForStreet {
        item: String,
    },
    EscalatedForResident {
        item: String,
    },
    CancelledForResident {
        item: String,
    },
    CancelledForProvider {
        item: String,
    },
    /// The appointment moved; `start` is none for "as soon as possible".
    RescheduledForResident {
        item: String,
        start: Option<DateTime<Utc>>,
    },
    RescheduledForProvider {
        item: String,
        start: Option<DateTime<Utc>>,
    },
    VisitConfirmed {
        item: String,
    },
    DisputedForWorkers {
        item: String,
    },
    DisputedForProvider {
        item: String,
    },
    DisputeResolvedForResident {
        item: String,
    },
    DisputeResolvedForProvider {
        item: String,
    },
    ComplaintOpened {
        item: String,
    },
    ComplaintAnswered {
        item: String,
    },
    ComplaintEscalated {
        item: String,
    },
    /// A reminder of a visit starting at `start`, a day (`hours` 24) or an hour before.
    AppointmentSoon {
        item: String,
        start: DateTime<Utc>,
        hours: u32,
    },
    /// A volunteer's reminder of tomorrow's shift.
    ShiftTomorrow {
        title: String,
        place: String,
        start: DateTime<Utc>,
    },
    /// A wait-listed volunteer got a place.
    PlaceGiven {
        title: String,
        place: String,
        start: DateTime<Utc>,
    },
    EventMoved {
        title: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    EventCalledOff {
        title: String,
        date: NaiveDate,
    },
    EventResumed {
        title: String,
        date: NaiveDate,
    },
    PlaceChanged {
        title: String,
        place: String,
    },
    /// A code to sign up with, texted.
    SignUpCode {
        code: String,
        minutes: i64,
    },
    /// A code to reset a password with, texted.
    ResetCode {
        code: String,
        minutes: i64,
    },
    /// A sign-up code was asked for a number that has an account.
    NumberTaken,
    /// An organization invites a staff member, texted with the invitation's token, which works `days` days.
    Invitation {
        provider: String,
        token: String,
        days: i64,
    },
    /// The morning count of escalated orders waiting in a worker's community.
    EscalationDigest {
        count: u64,
    },
    /// The month's Dedication Day dates of a member's community, each with its event's title.
    DedicationDay {
        month: NaiveDate,
        dates: Vec<(NaiveDate, String)>,
    },
}

impl Message {
    /// Every key, with sample facts: what the catalog test words in both languages.
    #[cfg(test)]
    pub fn samples() -> Vec<Message> {
        let item = || "助餐".to_owned();
        let at = DateTime::from_timestamp(1_764_727_200, 0).unwrap_or_default();
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        let title = || "奉献日".to_owned();
        vec![
            Message::OrderSubmitted { item: item() },
            Message::OrderOffered { item: item() },
            Message::OrderAccepted { item: item() },
            Message::HandedBack { item: item() },
            Message::ServiceStarted { item: item() },
            Message::ServiceCompleted { item: item() },
            Message::EscalatedForWorkers { item: item() },
            Message::HighRiskForStreet { item: item() },
            Message::EscalatedForResident { item: item() },
            Message::CancelledForResident { item: item() },
            Message::CancelledForProvider { item: item() },
            Message::RescheduledForResident { item: item(), start: Some(at) },
            Message::RescheduledForProvider { item: item(), start: None },
            Message::VisitConfirmed { item: item() },
            Message::DisputedForWorkers { item: item() },
            Message::DisputedForProvider { item: item() },
            Message::DisputeResolvedForResident { item: item() },
            Message::DisputeResolvedForProvider { item: item() },
            Message::ComplaintOpened { item: item() },
            Message::ComplaintAnswered { item: item() },
            Message::ComplaintEscalated { item: item() },
            Message::AppointmentSoon { item: item(), start: at, hours: 24 },
            Message::AppointmentSoon { item: item(), start: at, hours: 1 },
            Message::ShiftTomorrow { title: title(), place: "社区活动室".into(), start: at },
            Message::PlaceGiven { title: title(), place: "社区活动室".into(), start: at },
            Message::EventMoved { title: title(), from: day, to: day.succ_opt().unwrap_or(day) },
            Message::EventCalledOff { title: title(), date: day },
            Message::EventResumed { title: title(), date: day },
            Message::PlaceChanged { title: title(), place: "社区活动室".into() },
            Message::SignUpCode { code: "123456".into(), minutes: 10 },
            Message::ResetCode { code: "123456".into(), minutes: 10 },
            Message::NumberTaken,
            Message::Invitation { provider: "幸福家政".into(), token: "k3j9x2".into(), days: 7 },
            Message::EscalationDigest { count: 3 },
            Message::DedicationDay { month: day, dates: vec![(day, title())] },
            Message::DedicationDay { month: day, dates: Vec::new() },
        ]
    }

    /// The message's title, as the inbox lists it.
    pub fn title(&self, lang: Lang) -> String {
        let (zh, en) = match self {
            Message::OrderSubmitted { .. } => ("订单已提交", "Order placed"),
            Message::OrderOffered { .. } => ("新的派单", "A new order for you"),
            Message::OrderAccepted { .. } => ("订单已被接单", "Order accepted"),
            Message::HandedBack { .. } => ("正在为您另找服务方", "Finding another provider"),
            Message::ServiceStarted { .. } => ("服务已开始", "Service started"),
            Message::ServiceCompleted { .. } => ("服务已完成", "Service completed"),
            Message::EscalatedForWorkers { .. } => ("订单待人工处理", "An order needs a person"),
            Message::HighRiskForStreet { .. } => ("高风险调解转街道", "A high-risk mediation came to the street"),
            Message::EscalatedForResident { .. } => ("订单转人工处理", "Your order went to community workers"),
            Message::CancelledForResident { .. } | Message::CancelledForProvider { .. } => {
                ("订单已取消", "Order cancelled")
            }
            Message::RescheduledForResident { .. } | Message::RescheduledForProvider { .. } => {
                ("预约时间已更改", "Appointment moved")
            }
            Message::VisitConfirmed { .. } => ("服务已确认", "Service confirmed"),
            Message::DisputedForWorkers { .. } | Message::DisputedForProvider { .. } => {
                ("居民对服务有异议", "A resident disputes a service")
            }
            Message::DisputeResolvedForResident { .. } | Message::DisputeResolvedForProvider { .. } => {
                ("异议已处理", "Dispute resolved")
            }
            Message::ComplaintOpened { .. } => ("收到投诉", "A complaint for you"),
            Message::ComplaintAnswered { .. } => ("投诉已答复", "Complaint answered"),
            Message::ComplaintEscalated { .. } => ("投诉超期未答复", "Complaint not answered in time"),
            Message::AppointmentSoon { hours: 24, .. } => ("预约提醒：明天有服务", "Reminder: a service tomorrow"),
            Message::AppointmentSoon { .. } => ("预约提醒：一小时后开始服务", "Reminder: a service in an hour"),
            Message::ShiftTomorrow { .. } => ("班次提醒：明天有志愿服务", "Reminder: your shift tomorrow"),
            Message::PlaceGiven { .. } => ("候补转正", "You have a place"),
            Message::EventMoved { .. } => ("活动改期", "Event moved"),
            Message::EventCalledOff { .. } => ("活动取消", "Event called off"),
            Message::EventResumed { .. } => ("活动恢复", "Event on again"),
            Message::PlaceChanged { .. } => ("地点变更", "New place"),
            Message::SignUpCode { .. } | Message::ResetCode { .. } => ("验证码", "Your code"),
            Message::NumberTaken => ("号码已注册", "Number already signed up"),
            Message::Invitation { .. } => ("加入邀请", "An invitation"),
            Message::EscalationDigest { .. } => ("每日待办：转人工的订单", "Today: orders waiting for a person"),
            Message::DedicationDay { .. } => ("共产党员社区奉献日", "Party Member Community Dedication Day"),
        };
        pick(lang, zh, en).to_owned()
    }

    /// The message itself.
    pub fn body(&self, lang: Lang) -> String {
        let zh = lang == Lang::ZhCn;
        match self {
            Message::OrderSubmitted { item } => match zh {
                true => format!("您的「{item}」订单已提交，正在为您寻找服务方。"),
                false => format!("Your order for {item} is in; we are finding a provider."),
            },
            Message::OrderOffered { item } => match zh {
                true => format!("有一笔「{item}」订单等您接单。"),
                false => format!("An order for {item} is waiting for you to accept it."),
            },
            Message::OrderAccepted { item } => match zh {
                true => format!("您的「{item}」订单已被接单，服务方会按约定时间上门。"),
                false => format!("Your order for {item} was accepted; the provider will come at the agreed time."),
            },
            Message::HandedBack { item } => match zh {
                true => format!("您的「{item}」订单的服务方因故无法上门，正在为您另找服务方。"),
                false => format!("The provider for your {item} order cannot come after all; we are finding another."),
            },
            Message::ServiceStarted { item } => match zh {
                true => format!("您的「{item}」服务已开始。"),
                false => format!("Your {item} service has started."),
            },
            Message::ServiceCompleted { item } => match zh {
                true => format!("您的「{item}」服务已完成，请在订单页确认服务，如有问题可提出异议。"),
                false => format!(
                    "Your {item} service is done. Please confirm it on the order's page, or dispute it if \
                     something was wrong."
                ),
            },
            Message::HighRiskForStreet { item } => match zh {
                true => format!("一件「{item}」调解被标记为高风险，已直接转到街道，请立即处理。"),
                false => {
                    format!("A {item} mediation was marked high risk and came straight to the street; please act now.")
                }
            },
            Message::EscalatedForWorkers { item } => match zh {
                true => format!("一笔「{item}」订单没有服务方接单，请指派或关闭。"),
                false => format!("No provider took an order for {item}; please assign it or close it."),
            },
            Message::EscalatedForResident { item } => match zh {
                true => format!("您的「{item}」订单已转社区工作人员处理。"),
                false => format!("Your order for {item} has gone to the community's workers."),
            },
            Message::CancelledForResident { item } => match zh {
                true => format!("您的「{item}」订单已取消。"),
                false => format!("Your order for {item} is cancelled."),
            },
            Message::CancelledForProvider { item } => match zh {
                true => format!("一笔「{item}」订单已取消。"),
                false => format!("An order for {item} is cancelled."),
            },
            Message::RescheduledForResident { item, start } => match zh {
                true => format!("您的「{item}」预约已改到{}。", when(lang, *start)),
                false => format!("Your {item} appointment is now {}.", when(lang, *start)),
            },
            Message::RescheduledForProvider { item, start } => match zh {
                true => format!("一笔「{item}」订单的预约已改到{}。", when(lang, *start)),
                false => format!("An appointment for {item} is now {}.", when(lang, *start)),
            },
            Message::VisitConfirmed { item } => match zh {
                true => format!("一笔「{item}」订单的服务已确认完成。"),
                false => format!("A {item} service was confirmed as done."),
            },
            Message::DisputedForWorkers { item } => match zh {
                true => format!("一笔「{item}」订单的居民对服务有异议，请尽快核实处理。"),
                false => format!("A resident disputes a {item} service; please look into it soon."),
            },
            Message::DisputedForProvider { item } => match zh {
                true => format!("一笔「{item}」订单的居民对服务有异议，社区工作人员将与您联系。"),
                false => format!("A resident disputes a {item} service; a community worker will contact you."),
            },
            Message::DisputeResolvedForResident { item } => match zh {
                true => format!("您对「{item}」服务提出的异议，社区工作人员已处理完毕。"),
                false => format!("The community's workers have dealt with your dispute of the {item} service."),
            },
            Message::DisputeResolvedForProvider { item } => match zh {
                true => format!("一笔「{item}」订单的服务异议已处理完毕。"),
                false => format!("The dispute of a {item} service is resolved."),
            },
            Message::ComplaintOpened { item } => match zh {
                true => format!("社区对一笔「{item}」订单的服务提出投诉，请在期限内答复。"),
                false => format!("The community complains of a {item} service; please answer before the deadline."),
            },
            Message::ComplaintAnswered { item } => match zh {
                true => format!("服务方已答复对「{item}」订单的投诉。"),
                false => format!("The provider answered the complaint about a {item} order."),
            },
            Message::ComplaintEscalated { item } => match zh {
                true => format!("对「{item}」订单的投诉超过期限未答复，已升级处理。"),
                false => format!("The complaint about a {item} order was not answered in time and is escalated."),
            },
            Message::AppointmentSoon { item, start, .. } => match zh {
                true => format!("「{item}」服务将于{}开始。", moment(lang, *start)),
                false => format!("The {item} service starts {}.", moment(lang, *start)),
            },
            Message::ShiftTomorrow { title, place, start } => match zh {
                true => format!("明天 {} 您有志愿服务「{title}」，地点：{place}。", clock(*start)),
                false => format!("Tomorrow at {} you volunteer at {title}, at {place}.", clock(*start)),
            },
            Message::PlaceGiven { title, place, start } => match zh {
                true => format!("候补转正：您已获得 {} 「{title}」（{place}）的名额。", moment(lang, *start)),
                false => {
                    format!("From the wait-list: you have a place at {title} ({place}), {}.", moment(lang, *start))
                }
            },
            Message::EventMoved { title, from, to } => match zh {
                true => format!("「{title}」由 {} 改到 {}，您的报名保留。", date(lang, *from), date(lang, *to)),
                false => {
                    format!("{title} moved from {} to {}; your place is kept.", date(lang, *from), date(lang, *to))
                }
            },
            Message::EventCalledOff { title, date: d } => match zh {
                true => format!("「{title}」{} 的活动取消了。", date(lang, *d)),
                false => format!("{title} on {} is called off.", date(lang, *d)),
            },
            Message::EventResumed { title, date: d } => match zh {
                true => format!("「{title}」{} 的活动照常举行，您的报名保留。", date(lang, *d)),
                false => format!("{title} on {} goes ahead after all; your place is kept.", date(lang, *d)),
            },
            Message::PlaceChanged { title, place } => match zh {
                true => format!("「{title}」的地点改为：{place}。"),
                false => format!("{title} now takes place at {place}."),
            },
            Message::EscalationDigest { count } => match zh {
                true => format!("您负责的社区有 {count} 笔订单等待人工处理（指派或关闭）。"),
                false => format!(
                    "{count} order(s) in the communities you look after wait for a person to assign or close them."
                ),
            },
            Message::SignUpCode { code, minutes } => match zh {
                true => format!("您的注册验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。"),
                false => format!("Your sign-up code is {code}. It works for {minutes} minutes; tell it to nobody."),
            },
            Message::ResetCode { code, minutes } => match zh {
                true => format!("您正在重设密码，验证码是 {code}，{minutes} 分钟内有效。如非本人操作，请忽略。"),
                false => format!(
                    "Your code to reset your password is {code}. It works for {minutes} minutes. If you did not \
                     ask for it, ignore this text."
                ),
            },
            Message::NumberTaken => match zh {
                true => "这个号码已经注册过邻里账号，请直接登录；忘记密码可在登录页重设。".to_owned(),
                false => "This number already has a Linli account: sign in, or reset the password from the \
                          sign-in page."
                    .to_owned(),
            },
            Message::Invitation { provider, token, days } => match zh {
                true => format!(
                    "{provider} 邀请您加入邻里。请在登录页选择“接受邀请”，输入邀请码 {token} 并设置密码，{days} 天内有效。"
                ),
                false => format!(
                    "{provider} invites you to Linli. On the sign-in page choose \"Accept an invitation\", enter the \
                     code {token} and set a password, within {days} days."
                ),
            },
            Message::DedicationDay { month, dates } => dedication_day(lang, *month, dates),
        }
    }

    /// The text of an SMS carrying this message, signed as SMS in China must be: with the sender's registered
    /// signature, 【邻里】, in either language.
    pub fn sms(&self, lang: Lang) -> String {
        format!("【邻里】{}", self.body(lang))
    }
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::ZhCn { zh } else { en }
}

fn when(lang: Lang, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| pick(lang, "尽快", "as soon as possible").to_owned(), |at| moment(lang, at))
}

fn clock(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai()).format("%H:%M").to_string()
}

fn date(lang: Lang, day: NaiveDate) -> String {
    day.format(pick(lang, "%m月%d日", "%-d %b")).to_string()
}

fn dedication_day(lang: Lang, month: NaiveDate, dates: &[(NaiveDate, String)]) -> String {
    let zh = lang == Lang::ZhCn;
    let month = month.format(pick(lang, "%Y年%m月", "%B %Y"));
    if dates.is_empty() {
        return match zh {
            true => format!("{month}共产党员社区奉献日：您所在社区的活动安排尚未发布，请留意社区通知。"),
            false => format!(
                "Dedication Day, {month}: your community has not published its dates yet; watch for its notice."
            ),
        };
    }
    let listed: Vec<String> = dates
        .iter()
        .map(|(d, title)| match zh {
            true => format!("{}「{title}」", date(lang, *d)),
            false => format!("{} ({title})", date(lang, *d)),
        })
        .collect();
    match zh {
        true => format!("{month}共产党员社区奉献日：{}。欢迎报名参加。", listed.join("、")),
        false => format!("Dedication Day, {month}: {}. Sign up and join in.", listed.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::has_chinese;

    #[test]
    fn every_message_is_worded_in_chinese_and_in_english() {
        for message in Message::samples() {
            for lang in [Lang::ZhCn, Lang::En] {
                assert!(!message.title(lang).is_empty() && !message.body(lang).is_empty(), "{message:?}");
            }
            assert!(has_chinese(&message.title(Lang::ZhCn)) && has_chinese(&message.body(Lang::ZhCn)));
            // The English wording has no Chinese of its own; the sample facts (an item's name) are Chinese.
            let english = message.title(Lang::En) + &message.body(Lang::En);
            let own =
                english.replace("助餐", "").replace("奉献日", "").replace("社区活动室", "").replace("幸福家政", "");
            assert!(!has_chinese(&own), "{message:?} reads {english}");
        }
    }

    #[test]
    fn a_message_keeps_its_facts_when_stored_and_read_back() {
        for message in Message::samples() {
            let stored = serde_json::to_string(&message).unwrap();
            assert_eq!(serde_json::from_str::<Message>(&stored).unwrap(), message);
        }
    }

    #[test]
    fn a_reminder_names_the_time_in_shanghai_in_the_readers_words() {
        let start = DateTime::parse_from_rfc3339("2026-12-03T02:00:00Z").unwrap().to_utc();
        let soon = Message::AppointmentSoon { item: "日常保洁".into(), start, hours: 1 };
        assert_eq!(soon.body(Lang::ZhCn), "「日常保洁」服务将于12月03日 10:00开始。");
        assert_eq!(soon.body(Lang::En), "The 日常保洁 service starts on 3 Dec at 10:00.");
        assert_eq!(soon.title(Lang::En), "Reminder: a service in an hour");
        assert_eq!(soon.sms(Lang::ZhCn), "【邻里】「日常保洁」服务将于12月03日 10:00开始。");
        assert_eq!(soon.sms(Lang::En), "【邻里】The 日常保洁 service starts on 3 Dec at 10:00.");
    }

    #[test]
    fn the_dedication_day_notice_names_each_date_of_the_month_with_its_event() {
        let month = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let dates = vec![(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(), "奉献日".to_owned())];
        let notice = Message::DedicationDay { month, dates };
        assert_eq!(notice.body(Lang::ZhCn), "2026年12月共产党员社区奉献日：12月05日「奉献日」。欢迎报名参加。");
        assert_eq!(notice.body(Lang::En), "Dedication Day, December 2026: 5 Dec (奉献日). Sign up and join in.");
        let none_yet = Message::DedicationDay { month, dates: Vec::new() };
        assert!(none_yet.body(Lang::ZhCn).contains("尚未发布"));
    }
}
