//! A page of a list as a request asks for it (how many rows, after which), and the page a use case answers.
//! A use case that guards its list parses the request only once it has decided the caller may see the list, so
//! a caller who may not is told that, whatever their parameters say.

use uuid::Uuid;

use crate::error::Invalid;

/// Rows in a page when the request does not say.
pub const DEFAULT_PAGE: u32 = 20;
/// The most rows one page holds.
pub const MAX_PAGE: u32 = 100;

/// The `limit` and `cursor` parameters as they came.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageRequest<'a> {
    pub limit: Option<u32>,
    pub cursor: Option<&'a str>,
}

impl<'a> PageRequest<'a> {
    pub fn new(limit: Option<u32>, cursor: Option<&'a str>) -> Self {
        Self { limit, cursor }
    }

    /// The page size: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] when absent.
    pub fn size(&self) -> Result<u64, Invalid> {
        match self.limit.unwrap_or(DEFAULT_PAGE) {
            n @ 1..=MAX_PAGE => Ok(u64::from(n)),
            _ => Err(Invalid::malformed("limit", format!("limit must be between 1 and {MAX_PAGE}"))),
        }
    }

    /// The id of the last row of the previous page, if any.
    pub fn cursor(&self) -> Result<Option<Uuid>, Invalid> {
        match self.cursor {
            None | Some("") => Ok(None),
            Some(c) => {
                Uuid::parse_str(c).map(Some).map_err(|_| Invalid::malformed("cursor", "not a cursor from this list"))
            }
        }
    }
}

/// A page of rows, and whether another follows.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub more: bool,
}

impl<T> Page<T> {
    /// The page from a read of one more row than it holds.
    pub fn of(mut rows: Vec<T>, size: u64) -> Self {
        let more = rows.len() as u64 > size;
        rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        Self { rows, more }
    }

    /// The cursor of the next page (the last row's, by `cursor_of`) when another follows.
    pub fn next_cursor(&self, cursor_of: impl Fn(&T) -> String) -> Option<String> {
        if self.more { self.rows.last().map(cursor_of) } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_twenty_rows_unless_asked_and_never_more_than_a_hundred() {
        assert_eq!(PageRequest::default().size(), Ok(20));
        assert_eq!(PageRequest::new(Some(100), None).size(), Ok(100));
        for bad in [0, 101] {
            assert_eq!(PageRequest::new(Some(bad), None).size().unwrap_err().field, "limit");
        }
    }

    #[test]
    fn a_cursor_that_is_not_one_of_ours_names_the_parameter() {
        assert_eq!(PageRequest::new(None, Some("")).cursor(), Ok(None));
        assert_eq!(PageRequest::new(None, Some("yesterday")).cursor().unwrap_err().field, "cursor");
    }

    #[test]
    fn a_read_of_one_row_more_than_the_page_says_another_page_follows() {
        let page = Page::of(vec![1, 2, 3], 2);
        assert_eq!(page, Page { rows: vec![1, 2], more: true });
        assert_eq!(page.next_cursor(|n| n.to_string()), Some("2".to_owned()));
        assert_eq!(Page::of(vec![1, 2], 2).next_cursor(|n| n.to_string()), None);
    }
}
