//! Finding catalog items by what people type on a phone: Chinese words, or the name's pinyin typed in full
//! (`baojie`), by its initials (`bj`) or mixed (`baoj`), as residents and workers do. A character read more
//! than one way (调: tiao, diao) matches any of its readings, but a name read the common way ranks above one
//! that needs a rare reading (体 is mostly ti, rarely ben). Items rank by how their name matches (the whole
//! name, its start, anywhere in it, its pinyin from the start, its pinyin from a later character), then by
//! their description; within a rank the shorter name comes first.

use pinyin::ToPinyinMulti;

use super::CatalogItem;
use crate::error::Invalid;

/// The most items one search answers.
pub const MAX_FOUND: usize = 20;

/// What was typed, read once: trimmed, in lower case, without spaces or the apostrophes of `xi'an`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text: String =
            raw.chars().filter(|c| !c.is_whitespace() && *c != '\'').flat_map(char::to_lowercase).collect();
        if !(1..=20).contains(&text.chars().count()) {
            return Err(Invalid::new("q", "invalid_search", "a search has 1 to 20 characters"));
        }
        Ok(Self(text))
    }
}

/// How well an item matches, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    WholeName,
    NameStart,
    InName,
    PinyinStart,
    InPinyin,
    /// The same two, reading some character another way than its common one.
    OtherReadingStart,
    OtherReadingIn,
    InDescription,
}

/// Each character of `name` as the syllables it may be read as, its common reading first: every reading of a
/// Chinese character, a letter or digit as itself; anything else (brackets, dots) is left out.
fn syllables(name: &str) -> Vec<Vec<String>> {
    name.chars()
        .filter_map(|c| match c.to_pinyin_multi() {
            Some(readings) => {
                let mut plain: Vec<String> = Vec::new();
                for p in readings {
                    // Readings differing only in tone are one syllable typed.
                    if !plain.iter().any(|r| r == p.plain()) {
                        plain.push(p.plain().to_owned());
                    }
                }
                Some(plain)
            }
            None if c.is_alphanumeric() => Some(c.to_lowercase().map(|l| l.to_string()).collect()),
            None => None,
        })
        .collect()
}

/// Whether `typed` spells the syllables from the first on: each one in full or by its first letter, the last
/// one typed perhaps only in part.
fn spells(typed: &str, syllables: &[Vec<String>]) -> bool {
    if typed.is_empty() {
        return true;
    }
    let Some((readings, rest)) = syllables.split_first() else {
        return false;
    };
    readings.iter().any(|r| {
        let initial = &r[..r.chars().next().map_or(0, char::len_utf8)];
        r.starts_with(typed)
            || typed.strip_prefix(r.as_str()).is_some_and(|t| spells(t, rest))
            || typed.strip_prefix(initial).is_some_and(|t| spells(t, rest))
    })
}

/// How `item` matches `typed`, if it does.
pub fn matching(item: &CatalogItem, typed: &SearchText) -> Option<Match> {
    let q = typed.0.as_str();
    let name = item.name.to_lowercase();
    if name == q {
        return Some(Match::WholeName);
    }
    if name.starts_with(q) {
        return Some(Match::NameStart);
    }
    if name.contains(q) {
        return Some(Match::InName);
    }
    if q.is_ascii() {
        let every = syllables(&item.name);
        let common: Vec<Vec<String>> = every.iter().map(|r| r[..1].to_vec()).collect();
        for (read, start, within) in
            [(&common, Match::PinyinStart, Match::InPinyin), (&every, Match::OtherReadingStart, Match::OtherReadingIn)]
        {
            if spells(q, read) {
                return Some(start);
            }
            if (1..read.len()).any(|from| spells(q, &read[from..])) {
                return Some(within);
            }
        }
    }
    item.description.to_lowercase().contains(q).then_some(Match::InDescription)
}

/// The items matching `typed`, best first, at most [`MAX_FOUND`].
pub fn search(items: Vec<CatalogItem>, typed: &SearchText) -> Vec<CatalogItem> {
    let mut found: Vec<(Match, usize, CatalogItem)> =
        items.into_iter().filter_map(|i| matching(&i, typed).map(|m| (m, i.name.chars().count(), i))).collect();
    found.sort_by_key(|(m, len, i)| (*m, *len, i.id.0));
    found.into_iter().take(MAX_FOUND).map(|(_, _, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Category;

    fn item(id: i32, name: &str, description: &str) -> CatalogItem {
        CatalogItem { description: description.into(), ..CatalogItem::sample(id, name, Category::Cleaning) }
    }

    fn catalog() -> Vec<CatalogItem> {
        ["被褥拆洗", "病后康复餐", "日常保洁", "水管维修", "深度保洁", "邻里纠纷调解", "上门送达", "保洁用品代购"]
            .iter()
            .enumerate()
            .map(|(n, name)| item(n as i32 + 1, name, "由社区服务机构上门"))
            .collect()
    }

    fn found(q: &str) -> Vec<String> {
        search(catalog(), &SearchText::parse(q).unwrap()).into_iter().map(|i| i.name).collect()
    }

    #[test]
    fn initials_full_pinyin_and_chinese_all_find_the_cleaning_items_first() {
        for q in ["bj", "baojie", "BaoJie", "bao jie", "baoj", "保洁"] {
            assert_eq!(found(q)[..3], ["保洁用品代购", "日常保洁", "深度保洁"], "{q}");
        }
    }

    #[test]
    fn a_name_that_starts_with_the_words_comes_before_one_that_has_them_later() {
        assert_eq!(found("保洁"), ["保洁用品代购", "日常保洁", "深度保洁"]);
        assert_eq!(found("日常保洁"), ["日常保洁"]);
    }

    #[test]
    fn pinyin_from_the_first_character_ranks_above_pinyin_from_a_later_one() {
        assert_eq!(found("sd"), ["深度保洁", "上门送达"]);
        assert_eq!(found("shangmen")[0], "上门送达");
    }

    #[test]
    fn a_character_read_two_ways_is_found_by_either_reading() {
        for q in ["tiaojie", "diaojie", "tj"] {
            assert_eq!(found(q), ["邻里纠纷调解"], "{q}");
        }
    }

    #[test]
    fn a_name_read_the_common_way_ranks_above_one_that_needs_a_rare_reading() {
        let items = vec![item(1, "体检陪同", ""), item(2, "日常保洁", "")];
        let found = search(items, &SearchText::parse("bj").unwrap());
        assert_eq!(found.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["日常保洁", "体检陪同"]);
    }

    #[test]
    fn the_description_is_searched_last() {
        let all = found("上门");
        assert_eq!(all[0], "上门送达");
        assert_eq!(all.len(), catalog().len(), "every description says 上门");
    }

    #[test]
    fn nothing_typed_or_too_much_names_the_parameter() {
        for bad in ["", "  ", "'", &"保".repeat(21)] {
            assert_eq!(SearchText::parse(bad).unwrap_err().field, "q", "{bad:?}");
        }
        assert!(found("xyzq").is_empty());
    }
}
