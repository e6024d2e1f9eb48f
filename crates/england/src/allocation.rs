//! Where the places of a split ICB went: the curated table `data/curated/icb-reshape-2026.csv`.
//!
//! The successor file ends some ICBs on a reshape date with more than one successor (on
//! 2026-04-01: `QNQ`, `QJG`, `QM7`) but does not say which successor took which place, and
//! the bundled ODS CCG file (a 2024 release) still has every sub-ICB location in its old ICB.
//! Without more, those places would sit in no ICB, and their practices would have no holder of
//! any ICB function. The table records, for each such place, the successor and the evidence:
//! the public documents that name the new ICBs' footprints, with the bundled files' lines that
//! tie each code to them. A row whose evidence is only an inference says so ("to confirm"). A
//! newer ODS CCG file (whose column 3 gives the parent after the reshape) makes the rows for
//! the places it moves redundant; they are then ignored and reported.
//!
//! A row moves a whole sub-ICB location (`sub-icb-location`: it sits in the successor from the
//! reshape date) or, where one sub-ICB location was divided between successors, the practices
//! whose commissioner chain passes through a former CCG (`practices-of-ccg`) or one practice
//! (`practice`, which comes first): they become members of the successor ICB itself from the
//! reshape date.

use crate::ods::{self, SourceFile};
use crate::quality::{kinds, QualityReport};
use crate::reshape::Reshape;
use jiff::civil::Date;
use std::cell::Cell;

/// What a row moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Moves {
    /// A sub-ICB location of the split ICB, whole.
    SubIcb,
    /// The practices of a former CCG, inside a sub-ICB location of the split ICB.
    PracticesOf,
    /// One practice, by its code: where a former CCG's practices went to different
    /// successors. Takes precedence over a `PracticesOf` row.
    Practice,
}

#[derive(Debug, Clone)]
pub(crate) struct Allocation {
    pub icb: String,
    pub on: Date,
    pub moves: Moves,
    pub place: String,
    pub successor: String,
    pub evidence: String,
    pub line: u64,
    /// How many sub-ICB locations or practices the row moved.
    pub uses: Cell<usize>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Allocations {
    pub file: String,
    pub rows: Vec<Allocation>,
}

impl Allocations {
    /// The row moving sub-ICB location `place` out of `icb`.
    pub fn sub_icb(&self, icb: &str, place: &str) -> Option<&Allocation> {
        self.rows
            .iter()
            .find(|a| a.moves == Moves::SubIcb && a.icb == icb && a.place == place)
    }

    /// The row placing the practices of former CCG `ccg` of `icb`.
    pub fn practices_of(&self, icb: &str, ccg: &str) -> Option<&Allocation> {
        self.rows
            .iter()
            .find(|a| a.moves == Moves::PracticesOf && a.icb == icb && a.place == ccg)
    }

    /// The row placing practice `code` of `icb`.
    pub fn practice(&self, icb: &str, code: &str) -> Option<&Allocation> {
        self.rows
            .iter()
            .find(|a| a.moves == Moves::Practice && a.icb == icb && a.place == code)
    }

    /// Whether any row places `icb`'s practices individually.
    pub fn places_practices_of(&self, icb: &str) -> bool {
        self.rows
            .iter()
            .any(|a| matches!(a.moves, Moves::PracticesOf | Moves::Practice) && a.icb == icb)
    }

    /// Reports rows that moved nothing (a newer ODS file already places them, or the place
    /// is not in the data) and, for the others, how much they moved.
    pub fn report_uses(&self, report: &mut QualityReport) {
        for a in &self.rows {
            let what = match a.moves {
                Moves::SubIcb => "sub-ICB location",
                Moves::PracticesOf => "practices of former CCG",
                Moves::Practice => "practice",
            };
            match a.uses.get() {
                0 => report.warn(
                    kinds::RESHAPE_SPLIT,
                    &self.file,
                    Some(a.line),
                    Some(&a.place),
                    format!("allocation of the {what} {} of {} to {} moved nothing: no such place sits in {} without an ICB from {} (a newer ODS CCG file may already place it)", a.place, a.icb, a.successor, a.icb, a.on),
                ),
                n => report.info(
                    kinds::RESHAPE_ALLOCATED,
                    &self.file,
                    Some(a.line),
                    Some(&a.place),
                    format!(
                        "{} of {} placed in {} from {}, as recorded in this table: {}",
                        match a.moves {
                            Moves::SubIcb => format!("sub-ICB location {}", a.place),
                            Moves::PracticesOf => format!(
                                "the {n} practice{} of former CCG {}",
                                if n == 1 { "" } else { "s" },
                                a.place
                            ),
                            Moves::Practice => format!("practice {}", a.place),
                        },
                        a.icb,
                        a.successor,
                        a.on,
                        a.evidence
                    ),
                ),
            }
        }
    }

    /// The source note for a place moved by `a`: what is known, what was chosen and why.
    pub fn note(&self, a: &Allocation, successors: &[String]) -> String {
        let what = match a.moves {
            Moves::SubIcb => format!("sub-ICB location {}", a.place),
            Moves::PracticesOf => format!("the practices of former CCG {}", a.place),
            Moves::Practice => format!("practice {}", a.place),
        };
        format!(
            "From {on} {what} is placed in {succ}. Not in the bundled ODS files: the successor file ends {icb} on {on} with successors {all} without saying which took which place, and the ODS CCG file (a 2024 release) still has it in {icb}. Recorded in {file} line {line}: {evidence}",
            on = a.on,
            succ = a.successor,
            icb = a.icb,
            all = successors.join(", "),
            file = self.file,
            line = a.line,
            evidence = a.evidence,
        )
    }
}

/// Reads the table. Rows that do not fit the successor file (the ICB is not split on that
/// date, the successor is not one of its successors) are reported and left out.
pub(crate) fn read(f: &SourceFile, reshape: &Reshape, report: &mut QualityReport) -> Allocations {
    let mut out = Allocations {
        file: f.name.clone(),
        rows: Vec::new(),
    };
    let wanted = ["icb", "on", "moves", "place", "successor", "evidence"];
    let Some((cols, rows)) = ods::curated_rows(f, &wanted, report) else {
        return out;
    };
    for r in rows {
        let get = |i: usize| r.get(cols[i]).to_string();
        let (icb, place, successor, evidence) = (get(0), get(3), get(4), get(5));
        if icb.is_empty() || place.is_empty() || successor.is_empty() || evidence.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                Some(&place).filter(|p| !p.is_empty()).map(String::as_str),
                "an allocation needs an ICB, a place, a successor and the evidence for it",
            );
            continue;
        }
        let Some(on) = ods::required_date(r.get(cols[1]), &f.name, r.line, &place, report) else {
            continue;
        };
        let moves = match r.get(cols[2]) {
            "sub-icb-location" => Moves::SubIcb,
            "practices-of-ccg" => Moves::PracticesOf,
            "practice" => Moves::Practice,
            other => {
                report.reject(
                    kinds::UNKNOWN_ROLE,
                    &f.name,
                    r.line,
                    Some(&place),
                    format!("moves `{other}` is none of `sub-icb-location`, `practices-of-ccg` and `practice`"),
                );
                continue;
            }
        };
        let successors = reshape.successors.get(&icb);
        let fits = reshape.closing.get(&icb) == Some(&on)
            && successors.is_some_and(|s| s.len() > 1 && s.contains(&successor));
        if !fits {
            report.reject(
                kinds::RESHAPE_SPLIT,
                &f.name,
                r.line,
                Some(&place),
                format!(
                    "the successor file does not split {icb} on {on} with {successor} among its successors (it has {}): the allocation is left out",
                    successors.map(|s| s.join(", ")).unwrap_or_else(|| "none".into())
                ),
            );
            continue;
        }
        if out
            .rows
            .iter()
            .any(|a| a.icb == icb && a.place == place && a.moves == moves)
        {
            report.reject(
                kinds::DUPLICATE_CODE,
                &f.name,
                r.line,
                Some(&place),
                "this place is already allocated by an earlier row; the earlier row is kept",
            );
            continue;
        }
        out.rows.push(Allocation {
            icb,
            on,
            moves,
            place,
            successor,
            evidence,
            line: r.line,
            uses: Cell::new(0),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn rows_that_do_not_fit_the_successor_file_are_rejected() {
        let on = date(2026, 4, 1);
        let mut rs = Reshape::default();
        for (old, succ) in [("QAA", &["QBB", "QCC"][..]), ("QDD", &["QBB"][..])] {
            rs.closing.insert(old.into(), on);
            rs.successors
                .insert(old.into(), succ.iter().map(|s| s.to_string()).collect());
        }
        let text = [
            "icb,on,moves,place,successor,evidence",
            "QAA,2026-04-01,sub-icb-location,01A,QBB,\"shares a district\"", // 2 good
            "QAA,20260401,practices-of-ccg,02B,QCC,\"by name\"",             // 3 good
            "QAA,2026-04-01,sub-icb-location,03C,QZZ,\"x\"",                 // 4 not a successor
            "QDD,2026-04-01,sub-icb-location,04D,QBB,\"x\"",                 // 5 not split
            "QAA,2025-04-01,sub-icb-location,05E,QBB,\"x\"",                 // 6 wrong date
            "QAA,2026-04-01,whole-icb,06F,QBB,\"x\"",                        // 7 unknown moves
            "QAA,2026-04-01,sub-icb-location,01A,QCC,\"again\"",             // 8 duplicate
            "QAA,2026-04-01,sub-icb-location,07G,QCC,",                      // 9 no evidence
        ]
        .join("\r\n");
        let f = SourceFile {
            name: "t.csv".into(),
            text,
        };
        let mut report = QualityReport::new();
        let a = read(&f, &rs, &mut report);
        let kept: Vec<(&str, Moves, u64)> = a
            .rows
            .iter()
            .map(|r| (r.place.as_str(), r.moves, r.line))
            .collect();
        assert_eq!(
            kept,
            [("01A", Moves::SubIcb, 2), ("02B", Moves::PracticesOf, 3)]
        );
        let rejected: Vec<u64> = report.issues.iter().filter_map(|i| i.line).collect();
        assert_eq!(rejected, [4, 5, 6, 7, 8, 9], "{:#?}", report.issues);
        assert!(a.sub_icb("QAA", "01A").is_some());
        assert!(a.practices_of("QAA", "02B").is_some());
        assert!(a.places_practices_of("QAA"));
        assert!(!a.places_practices_of("QDD"));
        // Rows that moved nothing are reported.
        a.rows[0].uses.set(1);
        let mut report = QualityReport::new();
        a.report_uses(&mut report);
        let found: Vec<(&str, Option<u64>)> =
            report.issues.iter().map(|i| (i.kind, i.line)).collect();
        assert_eq!(
            found,
            [
                (kinds::RESHAPE_ALLOCATED, Some(2)),
                (kinds::RESHAPE_SPLIT, Some(3))
            ]
        );
        let note = a.note(&a.rows[0], &["QBB".into(), "QCC".into()]);
        assert!(note.contains("Not in the bundled ODS files"), "{note}");
        assert!(note.contains("t.csv line 2: shares a district"), "{note}");
    }
}
