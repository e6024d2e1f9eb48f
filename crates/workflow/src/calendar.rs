//! The calendar of what is coming: instruments that expire, instruments due for review,
//! and application deadlines, exportable as iCalendar (RFC 5545) so a governance team can
//! subscribe to it. UIDs are derived from the entry, so re-exporting never duplicates an
//! event in a subscriber's calendar.

use crate::round::ApplicationRound;
use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};
use vires_core::Snapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CalendarEntryKind))]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// The first day an instrument is no longer in force.
    Expiry,
    /// The day an instrument is due for review.
    Review,
    /// The last day applications are accepted in a round.
    ApplicationDeadline,
    /// The day arrangements from a round start.
    RoundStart,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Expiry => "expiry",
            EntryKind::Review => "review",
            EntryKind::ApplicationDeadline => "application-deadline",
            EntryKind::RoundStart => "round-start",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CalendarEntry))]
pub struct Entry {
    pub date: Date,
    pub kind: EntryKind,
    /// The instrument or round the entry is about.
    pub subject: String,
    pub summary: String,
    pub description: String,
}

impl Entry {
    /// A UID that stays the same for the same entry on every export.
    pub fn uid(&self) -> String {
        let subject: String = self
            .subject
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{}-{}-{}@vires", self.kind.as_str(), subject, self.date)
    }
}

/// Everything from `on` (inclusive) for `days` days: expiries of instruments in force on
/// `on` (the core's [`Snapshot::expiring`]), reviews of valid instruments, and the rounds'
/// deadlines and start dates. Sorted by date.
pub fn upcoming(
    snapshot: &Snapshot,
    rounds: &[ApplicationRound],
    on: Date,
    days: i64,
) -> Vec<Entry> {
    let end = on.checked_add(days.days()).unwrap_or(Date::MAX);
    let within = |d: Date| d >= on && d <= end;
    let mut out = Vec::new();
    for e in snapshot.expiring(on, days) {
        out.push(Entry {
            date: e.until,
            kind: EntryKind::Expiry,
            subject: e.instrument.clone(),
            summary: format!("Ends: {}", title_or_id(&e.title, &e.instrument)),
            description: format!(
                "The {} {} is no longer in force from {} ({} days from {}).{}",
                e.kind,
                e.instrument,
                e.until,
                e.days_left,
                on,
                e.review
                    .map(|r| format!(" Review due {r}."))
                    .unwrap_or_default()
            ),
        });
    }
    for ins in &snapshot.register().instruments {
        let Some(review) = ins.particulars().review else {
            continue;
        };
        if !within(review) {
            continue;
        }
        if snapshot
            .instrument_id(&ins.id)
            .is_some_and(|i| snapshot.is_void(i))
        {
            continue;
        }
        out.push(Entry {
            date: review,
            kind: EntryKind::Review,
            subject: ins.id.to_string(),
            summary: format!("Review: {}", title_or_id(&ins.title, &ins.id)),
            description: format!(
                "Review of the {} {} ({}), in force from {}{}.",
                ins.kind,
                ins.id,
                ins.terms().basis.as_deref().unwrap_or("no basis given"),
                ins.from,
                ins.until.map(|u| format!(" until {u}")).unwrap_or_default()
            ),
        });
    }
    for r in rounds {
        let mut deadlines: Vec<(Date, String)> = vec![(r.deadline, "all levels".to_string())];
        for (level, d) in &r.level_deadlines {
            deadlines.push((*d, level.to_string()));
        }
        deadlines.sort();
        // Levels sharing a day make one entry.
        let mut merged: Vec<(Date, Vec<String>)> = Vec::new();
        for (d, what) in deadlines {
            match merged.last_mut() {
                Some((ld, ws)) if *ld == d => ws.push(what),
                _ => merged.push((d, vec![what])),
            }
        }
        for (d, what) in merged {
            if !within(d) {
                continue;
            }
            out.push(Entry {
                date: d,
                kind: EntryKind::ApplicationDeadline,
                subject: r.id.clone(),
                summary: format!("Applications close: {}", r.title),
                description: format!(
                    "Last day for applications ({}) to {} for {}. Criteria: {}. Source: {}",
                    what.join(", "),
                    r.maker,
                    r.functions.join(", "),
                    r.criteria
                        .iter()
                        .map(|c| c.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    r.source
                ),
            });
        }
        if within(r.starts) {
            out.push(Entry {
                date: r.starts,
                kind: EntryKind::RoundStart,
                subject: r.id.clone(),
                summary: format!("Arrangements start: {}", r.title),
                description: format!("Approved arrangements from {} take effect.", r.id),
            });
        }
    }
    out.sort();
    out
}

fn title_or_id<'a>(title: &'a str, id: &'a str) -> &'a str {
    if title.is_empty() {
        id
    } else {
        title
    }
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character, and
/// ends every physical line with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0usize;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            // The leading space of a continuation line counts towards its 75 octets.
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

fn ics_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// The entries as an iCalendar document: one all-day VEVENT each. `stamp` is the DTSTAMP of
/// every event (the date the calendar was produced); pass a fixed date for reproducible output.
pub fn to_ics(entries: &[Entry], calendar_name: &str, stamp: Date) -> String {
    let mut out = String::new();
    let mut line = |s: String| out.push_str(&fold(&s));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//vires//commissioning register calendar//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", escape_text(calendar_name)));
    for e in entries {
        let next = e.date.tomorrow().unwrap_or(e.date);
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", e.uid()));
        line(format!("DTSTAMP:{}T000000Z", ics_date(stamp)));
        line(format!("DTSTART;VALUE=DATE:{}", ics_date(e.date)));
        line(format!("DTEND;VALUE=DATE:{}", ics_date(next)));
        line(format!("SUMMARY:{}", escape_text(&e.summary)));
        line(format!("DESCRIPTION:{}", escape_text(&e.description)));
        line(format!("CATEGORIES:{}", escape_text(e.kind.as_str())));
        line("TRANSP:TRANSPARENT".into());
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}
