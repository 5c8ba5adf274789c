//! The languages Linli speaks to people, Chinese (zh-CN) first and English second, and its catalogs of words:
//! what it tells people ([`messages`]), what an order's history says ([`notes`]) and what its refusals say
//! ([`problems`]). This module owns which
//! language a reader gets: the one their request's `Accept-Language` asks for, read the way RFC 9110 describes
//! it (the tag with the highest weight that Linli speaks wins), else the one their account chose, else Chinese.

pub mod messages;
pub mod notes;
pub mod problems;

pub use messages::Message;
pub use notes::Note;

use chrono::{DateTime, Utc};

/// Whether `text` has Chinese characters in it: what the catalogs' tests tell the two languages apart by.
#[cfg(test)]
fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A moment in Shanghai time as a reader says it: 12月03日 10:00, or on 3 Dec at 10:00.
fn moment(lang: Lang, at: DateTime<Utc>) -> String {
    let format = if lang == Lang::ZhCn { "%m月%d日 %H:%M" } else { "on %-d %b at %H:%M" };
    at.with_timezone(&crate::time::shanghai()).format(format).to_string()
}

/// A language people read Linli in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// A language by its tag, as accounts store it.
    pub fn parse(tag: &str) -> Option<Lang> {
        [Lang::ZhCn, Lang::En].into_iter().find(|l| l.as_str() == tag)
    }

    /// The language a reader gets: the one their request asks for, else their account's, else Chinese.
    pub fn for_reader(header: Option<&str>, account: Option<Lang>) -> Lang {
        Self::asked(header).or(account).unwrap_or_default()
    }

    /// The language an `Accept-Language` header asks for, Chinese when it asks for none Linli speaks.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        Self::asked(header).unwrap_or_default()
    }

    /// The language an `Accept-Language` header asks for, if it asks for one Linli speaks.
    pub fn asked(header: Option<&str>) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.unwrap_or_default().split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("zh") => Lang::ZhCn,
                Some("en") => Lang::En,
                _ => continue,
            };
            // The first of equal weights wins, as the client listed it first.
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

/// An order's state as a person reads it, in a list or a spreadsheet.
pub fn order_state(state: crate::orders::OrderState, lang: Lang) -> &'static str {
    use crate::orders::OrderState as S;
    let [zh, en] = match state {
        S::Submitted => ["已提交", "submitted"],
        S::Offered => ["派单中", "offered"],
        S::Accepted => ["已接单", "accepted"],
        S::InService => ["服务中", "in service"],
        S::Completed => ["已完成", "completed"],
        S::Escalated => ["转社区处理", "with the community"],
        S::Cancelled => ["已取消", "cancelled"],
    };
    if lang == Lang::ZhCn { zh } else { en }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_spoken_unless_the_reader_asks_for_english_first() {
        assert_eq!(Lang::from_accept_language(None), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("")), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("fr-FR, en;q=0.5, zh;q=0.7")), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("fr, de")), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("zh;q=0, en-GB;q=0.3")), Lang::En);
    }

    #[test]
    fn a_request_that_asks_for_no_language_is_answered_in_the_accounts() {
        assert_eq!(Lang::for_reader(None, Some(Lang::En)), Lang::En);
        assert_eq!(Lang::for_reader(Some("fr"), Some(Lang::En)), Lang::En);
        assert_eq!(Lang::for_reader(Some("zh-CN"), Some(Lang::En)), Lang::ZhCn);
        assert_eq!(Lang::for_reader(None, None), Lang::ZhCn);
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
