//! The calendar of expiries, reviews and application deadlines, and its iCalendar export.

mod common;
use common::*;
use vires_core::Snapshot;
use vires_workflow::calendar::{self, EntryKind};
use vires_workflow::{intervention, round};

fn intervention_snapshot() -> Snapshot {
    let base = register(&["examples/workflows/intervention/register.vires"]);
    let file = intervention::load_json(&read("examples/workflows/intervention/interventions.json"))
        .unwrap();
    let all: Vec<_> = file
        .build("NHS England")
        .unwrap()
        .into_iter()
        .flat_map(|i| i.instruments)
        .collect();
    Snapshot::compile(with(&base, &all))
}

#[test]
fn upcoming_expiries_reviews_and_deadlines() {
    let snap = intervention_snapshot();
    let entries = calendar::upcoming(&snap, &[], d("2018-01-01"), 365);
    let got: Vec<(String, EntryKind, String)> = entries
        .iter()
        .map(|e| (e.date.to_string(), e.kind, e.subject.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "2018-03-01".to_string(),
                EntryKind::Review,
                "intervention-08L-2017".to_string()
            ),
            (
                "2018-06-01".to_string(),
                EntryKind::Review,
                "intervention-08A-2017".to_string()
            ),
            (
                "2018-09-01".to_string(),
                EntryKind::Expiry,
                "intervention-08A-2017".to_string()
            ),
        ]
    );
    // Outside the window nothing shows.
    assert!(calendar::upcoming(&snap, &[], d("2018-09-02"), 30).is_empty());

    let file =
        round::load_json(&read("examples/workflows/co-commissioning-2014/round.json")).unwrap();
    let reg = register(&["examples/workflows/co-commissioning-2014/register.vires"]);
    let snap = Snapshot::compile(reg);
    let entries = calendar::upcoming(
        &snap,
        std::slice::from_ref(&file.round),
        d("2014-06-01"),
        30,
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].kind, EntryKind::ApplicationDeadline);
    assert_eq!(entries[0].date, d("2014-06-20"));
    let later = calendar::upcoming(
        &snap,
        std::slice::from_ref(&file.round),
        d("2014-06-01"),
        400,
    );
    assert!(later
        .iter()
        .any(|e| e.kind == EntryKind::RoundStart && e.date == d("2015-04-01")));
}

/// Unfolds an iCalendar text (RFC 5545 3.1).
fn unfold(ics: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in ics.split("\r\n") {
        if let Some(rest) = l.strip_prefix(' ') {
            out.last_mut().unwrap().push_str(rest);
        } else if !l.is_empty() {
            out.push(l.to_string());
        }
    }
    out
}

#[test]
fn icalendar_export_folds_escapes_and_keeps_uids() {
    let snap = intervention_snapshot();
    let mut entries = calendar::upcoming(&snap, &[], d("2018-01-01"), 365);
    // A description long enough to fold, with characters that must be escaped and a
    // multi-byte character that must not be split.
    entries[0].description = format!(
        "Review; see the board paper, item 9\\10. {}",
        "Ω".repeat(60)
    );
    let ics = calendar::to_ics(&entries, "vires: upcoming", d("2018-01-01"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(
        !ics.replace("\r\n", "").contains('\n'),
        "every line ends with CRLF"
    );
    for l in ics.split("\r\n") {
        assert!(l.len() <= 75, "{} octets: {l}", l.len());
    }
    let lines = unfold(&ics);
    assert_eq!(lines[0], "BEGIN:VCALENDAR");
    assert!(lines.contains(&"VERSION:2.0".to_string()));
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 3);
    let desc = lines
        .iter()
        .find(|l| l.starts_with("DESCRIPTION:Review"))
        .unwrap();
    assert_eq!(
        desc,
        &format!(
            "DESCRIPTION:Review\\; see the board paper\\, item 9\\\\10. {}",
            "Ω".repeat(60)
        )
    );
    assert!(lines.contains(&"DTSTART;VALUE=DATE:20180301".to_string()));
    assert!(lines.contains(&"DTEND;VALUE=DATE:20180302".to_string()));
    assert!(lines.contains(&"UID:review-intervention-08L-2017-2018-03-01@vires".to_string()));
    assert!(lines.contains(&"DTSTAMP:20180101T000000Z".to_string()));
    // Stable: the same entries give the same UIDs on another export.
    let again = calendar::to_ics(
        &calendar::upcoming(&snap, &[], d("2018-02-01"), 365),
        "x",
        d("2018-02-01"),
    );
    let uids = |s: &str| -> Vec<String> {
        unfold(s)
            .into_iter()
            .filter(|l| l.starts_with("UID:"))
            .collect()
    };
    assert_eq!(uids(&again), uids(&ics));
}

#[test]
fn folding_and_escaping_rules() {
    assert_eq!(calendar::escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    let long = "X".repeat(200);
    let folded = calendar::fold(&long);
    let parts: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(parts[0].len(), 75);
    assert!(parts[1..]
        .iter()
        .all(|p| p.starts_with(' ') && p.len() <= 75));
    assert_eq!(
        parts
            .iter()
            .map(|p| p.trim_start_matches(' '))
            .collect::<String>(),
        long
    );
    // Never inside a multi-byte character.
    let folded = calendar::fold(&"é".repeat(100));
    for p in folded.split("\r\n") {
        assert!(p.len() <= 75);
        assert!(std::str::from_utf8(p.as_bytes()).is_ok());
    }
}
