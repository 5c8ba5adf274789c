//! The languages Linli speaks to people: Chinese (zh-CN) first, English second. This module owns which one a
//! reader gets: the request's `Accept-Language`, read the way RFC 9110 describes it (the tag with the highest
//! weight that Linli speaks wins; none, or none spoken, is Chinese).

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

    /// The language an `Accept-Language` header asks for, Chinese when it asks for none Linli speaks.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
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
        best.map_or(Lang::ZhCn, |(_, lang)| lang)
    }
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
}
