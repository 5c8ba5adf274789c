//! iCalendar (RFC 5545) output for calendar feeds: times in Asia/Shanghai with the zone defined in the feed
//! (UTC+8, no daylight saving), text escaped, and lines folded at 75 octets without splitting a character.

use chrono::{DateTime, Utc};

use linli_domain::time::shanghai;
use linli_domain::volunteering::model::CalendarEntry;

/// The feed: a calendar named `name` holding `entries`, stamped `now`.
pub fn render(name: &str, entries: &[CalendarEntry], now: DateTime<Utc>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Linli//Community Services//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
        "X-WR-TIMEZONE:Asia/Shanghai".into(),
        "BEGIN:VTIMEZONE".into(),
        "TZID:Asia/Shanghai".into(),
        "BEGIN:STANDARD".into(),
        "DTSTART:19700101T000000".into(),
        "TZOFFSETFROM:+0800".into(),
        "TZOFFSETTO:+0800".into(),
        "TZNAME:CST".into(),
        "END:STANDARD".into(),
        "END:VTIMEZONE".into(),
    ];
    for e in entries {
        lines.extend([
            "BEGIN:VEVENT".into(),
            format!("UID:{}", escape(&e.uid)),
            format!("DTSTAMP:{}", utc(now)),
            format!("DTSTART;TZID=Asia/Shanghai:{}", local(e.start)),
            format!("DTEND;TZID=Asia/Shanghai:{}", local(e.end)),
            format!("SUMMARY:{}", escape(&e.summary)),
            format!("LOCATION:{}", escape(&e.location)),
            format!("DESCRIPTION:{}", escape(&e.description)),
            format!("STATUS:{}", if e.cancelled { "CANCELLED" } else { "CONFIRMED" }),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai()).format("%Y%m%dT%H%M%S").to_string()
}

/// TEXT values escape backslashes, semicolons, commas and line breaks, and may hold no other control
/// character but a tab (RFC 5545 §3.3.11).
fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line ending in CRLF, folded so that no physical line exceeds 75 octets (§3.1); a continuation
/// starts with a space, which counts towards its 75.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry() -> CalendarEntry {
        CalendarEntry {
            uid: "shift-1@linli".into(),
            summary: "志愿服务：清扫楼道, 一楼; 二楼".into(),
            location: "文安路社区".into(),
            description: "第一行\n第二行".into(),
            start: Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 12, 5, 3, 30, 0).unwrap(),
            cancelled: false,
        }
    }

    #[test]
    fn times_are_written_on_shanghai_clocks_with_the_zone_named() {
        let feed = render("邻里", &[entry()], Utc::now());
        assert!(feed.contains("DTSTART;TZID=Asia/Shanghai:20261205T090000\r\n"));
        assert!(feed.contains("DTEND;TZID=Asia/Shanghai:20261205T113000\r\n"));
        assert!(feed.contains("TZID:Asia/Shanghai\r\n"));
    }

    #[test]
    fn text_is_escaped_and_control_characters_are_left_out() {
        let feed = render("邻里", &[CalendarEntry { location: "文安路\u{7}社区\r".into(), ..entry() }], Utc::now());
        assert!(feed.contains("LOCATION:文安路社区\r\n"));
        assert!(feed.contains("SUMMARY:志愿服务：清扫楼道\\, 一楼\\; 二楼\r\n"));
        assert!(feed.contains("DESCRIPTION:第一行\\n第二行\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let folded = fold(&format!("SUMMARY:{}", "奉献".repeat(40)));
        for physical in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "奉献".repeat(40)));
    }
}
