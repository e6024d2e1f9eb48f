//! Practices that changed commissioner when the practice file does not show it: the curated
//! table `data/curated/practice-moves.csv`.
//!
//! The practice file is a December 2019 snapshot, and membership follows a practice's 2019
//! commissioner through its successors. Where a boundary changed later (on 2022-07-01 Glossop
//! moved from Greater Manchester to Derby and Derbyshire, and West Birmingham from the Black
//! Country to Birmingham and Solihull), the code the practice's commissioner continued under
//! does not move with it. Each row names the practice, the day, the commissioner it left and
//! the one it joined, with the public evidence. Where the sources leave the new commissioner
//! open, `to` lists the candidates (`D2P2L|15E`): the practice's membership stops that day
//! and the register records the rest of its life as not known, with those candidates.

use crate::ods::{self, SourceFile};
use crate::quality::{kinds, QualityReport};
use jiff::civil::Date;
use std::cell::Cell;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub(crate) struct Move {
    pub practice: String,
    pub on: Date,
    pub from: String,
    /// One code: the commissioner the practice joined. Several: one of them, not known which.
    pub to: Vec<String>,
    pub evidence: String,
    pub line: u64,
    /// Whether the row was applied to a practice.
    pub used: Cell<bool>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Moves {
    pub file: String,
    pub rows: Vec<Move>,
}

impl Moves {
    /// The rows for `practice`, earliest first.
    pub fn of<'a>(&'a self, practice: &'a str) -> impl Iterator<Item = &'a Move> + 'a {
        self.rows.iter().filter(move |m| m.practice == practice)
    }

    /// Reports rows that moved nothing (no such practice, or it was not in `from` then).
    pub fn report_unused(&self, report: &mut QualityReport) {
        for m in self.rows.iter().filter(|m| !m.used.get()) {
            report.warn(
                kinds::PRACTICE_MOVE,
                &self.file,
                Some(m.line),
                Some(&m.practice),
                format!(
                    "the move of {} from {} to {} on {} moved nothing: no such practice, or it was not in {} the day before",
                    m.practice,
                    m.from,
                    m.to.join(" or "),
                    m.on,
                    m.from
                ),
            );
        }
    }
}

/// Adds to the source note of each commissioner that received practices which practices it
/// received, from when and on what evidence, so that the place is explained where the body
/// is shown.
pub(crate) fn note_receivers(ctx: &mut crate::Ctx) {
    let mut by_receiver: BTreeMap<(String, Date), Vec<&Move>> = BTreeMap::new();
    for m in ctx.moves.rows.iter().filter(|m| m.used.get()) {
        let key = match m.to.as_slice() {
            [to] => to.clone(),
            _ => continue,
        };
        by_receiver.entry((key, m.on)).or_default().push(m);
    }
    let mut notes = Vec::new();
    for ((to, on), rows) in by_receiver {
        let Some(body) = ctx.register.body_at(&to, on) else {
            continue;
        };
        let practices: Vec<String> = rows
            .iter()
            .map(|m| format!("{} (from {}, line {})", m.practice, m.from, m.line))
            .collect();
        // The rows of one change share their public sources; the first row's evidence names
        // them, and each row gives its own practice's.
        let (first, evidence) = rows
            .first()
            .map(|m| (m.line, m.evidence.as_str()))
            .unwrap_or((0, ""));
        notes.push((
            body,
            format!(
                "From {on} it also has the practices {}, which the December 2019 practice file places elsewhere; recorded in {}, each row with its evidence (line {first}: {evidence})",
                practices.join(", "),
                ctx.moves.file
            ),
        ));
    }
    for (body, note) in notes {
        crate::bodies::append_source(&mut ctx.register, body, &note);
    }
}

/// Reads the table; malformed rows are reported and left out.
pub(crate) fn read(f: &SourceFile, report: &mut QualityReport) -> Moves {
    let mut out = Moves {
        file: f.name.clone(),
        rows: Vec::new(),
    };
    let wanted = ["practice", "on", "from", "to", "evidence"];
    let Some((cols, rows)) = ods::curated_rows(f, &wanted, report) else {
        return out;
    };
    for r in rows {
        let get = |i: usize| r.get(cols[i]).to_string();
        let (practice, from, to, evidence) = (get(0), get(2), get(3), get(4));
        let to: Vec<String> = to
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if practice.is_empty() || from.is_empty() || to.is_empty() || evidence.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                Some(&practice).filter(|p| !p.is_empty()).map(String::as_str),
                "a move needs a practice, the commissioner it left (`from`), the one it joined (`to`) and the evidence",
            );
            continue;
        }
        let Some(on) = ods::required_date(r.get(cols[1]), &f.name, r.line, &practice, report)
        else {
            continue;
        };
        if out
            .rows
            .iter()
            .any(|m| m.practice == practice && m.on == on)
        {
            report.reject(
                kinds::DUPLICATE_CODE,
                &f.name,
                r.line,
                Some(&practice),
                "this practice already moves on this day in an earlier row; the earlier row is kept",
            );
            continue;
        }
        out.rows.push(Move {
            practice,
            on,
            from,
            to,
            evidence,
            line: r.line,
            used: Cell::new(false),
        });
    }
    out.rows.sort_by_key(|m| m.on);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_rows_are_rejected_and_candidates_split() {
        let text = [
            "practice,on,from,to,evidence",
            "A00001,2022-07-01,01Y,15M,\"moved\"", // 2 good
            "A00002,20220701,D2P2L,D2P2L|15E,\"either\"", // 3 good, two candidates
            "A00003,2022-07-01,01Y,,\"x\"",        // 4 no `to`
            "A00004,2022-13-01,01Y,15M,\"x\"",     // 5 bad date
            "A00001,2022-07-01,01Y,15E,\"again\"", // 6 duplicate
            "A00005,2022-07-01,01Y,15M,",          // 7 no evidence
        ]
        .join("\r\n");
        let f = SourceFile {
            name: "m.csv".into(),
            text,
        };
        let mut report = QualityReport::new();
        let m = read(&f, &mut report);
        let kept: Vec<(&str, Vec<&str>)> = m
            .rows
            .iter()
            .map(|r| {
                (
                    r.practice.as_str(),
                    r.to.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            kept,
            [("A00001", vec!["15M"]), ("A00002", vec!["D2P2L", "15E"])]
        );
        let rejected: Vec<u64> = report.issues.iter().filter_map(|i| i.line).collect();
        assert_eq!(rejected, [4, 5, 6, 7], "{:#?}", report.issues);
        m.rows[0].used.set(true);
        let mut report = QualityReport::new();
        m.report_unused(&mut report);
        let lines: Vec<Option<u64>> = report.issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [Some(3)]);
    }
}
