//! CSV downloads (RFC 4180, UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese right).

use poem_openapi::ResponseContent;
use poem_openapi::payload::PlainText;

#[derive(ResponseContent)]
pub enum CsvContent {
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

/// Quotes a field when it holds a comma, a quote or a line break; a leading `=`, `+`, `-` or `@` is prefixed
/// with a quote mark so that a spreadsheet does not run a name as a formula.
pub fn csv_field(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@']) { format!("'{raw}") } else { raw.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

/// One CSV line of `fields`, each quoted as [`csv_field`] says, ending in CRLF.
pub fn csv_line(fields: &[String]) -> String {
    let mut line = fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_field_with_a_comma_or_quote_is_quoted_and_a_formula_is_defused() {
        assert_eq!(csv_field("王秀兰"), "王秀兰");
        assert_eq!(csv_field("Wang, Li"), "\"Wang, Li\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
    }
}
