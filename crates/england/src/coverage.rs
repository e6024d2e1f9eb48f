//! The coverage statement, `data/coverage.csv`: for each function, from when and where the
//! register is complete, and why not elsewhere, each row citing its source. Loaded into the
//! register, where answers read it to say where the register's knowledge ends.

use crate::ods::{self, parse_date, SourceFile};
use crate::quality::{kinds, QualityReport};
use vires_core::{CoverageRow, Interval, Register};

/// The columns, in the file's header.
const COLUMNS: [&str; 7] = [
    "function", "from", "until", "area", "complete", "note", "source",
];

/// Reads the statement into `reg` (whose taxonomy must be loaded). Rows naming an unknown
/// function or body, with bad dates or without a note or source, are reported and left out.
pub fn add_coverage(reg: &mut Register, f: &SourceFile, report: &mut QualityReport) -> usize {
    let Some((cols, rows)) = ods::curated_rows(f, &COLUMNS, report) else {
        return 0;
    };
    let mut added = 0;
    for r in rows {
        let get = |i: usize| r.get(cols[i]);
        let function = get(0);
        let reject = |report: &mut QualityReport, why: String| {
            report.reject(kinds::MALFORMED_ROW, &f.name, r.line, Some(function), why)
        };
        if reg.taxonomy.get(function).is_none() {
            reject(
                report,
                format!("function `{function}` is not in the taxonomy"),
            );
            continue;
        }
        let (from, until) = match (parse_date(get(1)), parse_date(get(2))) {
            (Ok(Some(from)), Ok(until)) if until.is_none_or(|u| u > from) => (from, until),
            _ => {
                reject(
                    report,
                    "`from` must be a date and `until` empty or a later date".into(),
                );
                continue;
            }
        };
        let area = match get(3) {
            "england" => None,
            code if !reg.bodies_with_code(code).is_empty() => Some(code.to_string()),
            other => {
                reject(
                    report,
                    format!("area `{other}` is neither `england` nor a known body code"),
                );
                continue;
            }
        };
        let complete = match get(4) {
            "yes" => true,
            "no" => false,
            other => {
                reject(
                    report,
                    format!("complete `{other}` is neither `yes` nor `no`"),
                );
                continue;
            }
        };
        let (note, source) = (get(5), get(6));
        if note.is_empty() || source.is_empty() {
            reject(report, "every row needs a note and a source".into());
            continue;
        }
        reg.coverage.push(CoverageRow {
            function: function.to_string(),
            during: Interval::new(from, until),
            area,
            complete,
            note: note.to_string(),
            source: source.to_string(),
        });
        added += 1;
    }
    added
}
