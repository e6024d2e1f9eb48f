//! Practices' commissioners before the December 2019 practice file: the curated table
//! `data/curated/practice-history.csv`.
//!
//! The practice file gives a practice's commissioner only from its join date, so a practice
//! that joined a CCG formed by a merger has an unknown stretch before it (with the merged
//! CCGs as candidates). Each row of the table says, from an earlier dated copy of an official
//! practice list, that a practice was in one commissioner over `[from, until)`. Inside an
//! unknown stretch the row settles the days it covers when that commissioner is one of the
//! stretch's candidates (or, where there are none, is open then); the rest stays unknown. A
//! row that would place a practice elsewhere than the 2019 file does is not applied.

use crate::ods::{self, SourceFile};
use crate::quality::{kinds, QualityReport};
use jiff::civil::Date;
use std::cell::Cell;
use vires_core::{BodyKind, Interval, PracticeId, Register, UnknownMembership};

#[derive(Debug, Clone)]
pub(crate) struct Placement {
    pub practice: String,
    pub commissioner: String,
    pub during: Interval,
    pub evidence: String,
    pub line: u64,
    /// Whether the row settled any day of the practice's history.
    pub used: Cell<bool>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    pub file: String,
    pub rows: Vec<Placement>,
}

impl History {
    fn of<'a>(&'a self, practice: &'a str) -> impl Iterator<Item = &'a Placement> + 'a {
        self.rows.iter().filter(move |p| p.practice == practice)
    }

    /// Reports rows that settled nothing: no such practice, or no unknown stretch there.
    pub fn report_unused(&self, report: &mut QualityReport) {
        for p in self.rows.iter().filter(|p| !p.used.get()) {
            report.warn(
                kinds::PRACTICE_HISTORY,
                &self.file,
                Some(p.line),
                Some(&p.practice),
                format!(
                    "the placement of {} in {} from {} to {} settled nothing: no such practice, no unknown stretch of its history then, or the row was not applied (reported above)",
                    p.practice,
                    p.commissioner,
                    p.during.from,
                    p.during.until.map(|d| d.to_string()).unwrap_or_default()
                ),
            );
        }
    }
}

/// Adds to the source note of each commissioner that the table placed practices in which
/// rows did so and on what evidence, so that the membership is explained where the body is
/// shown.
pub(crate) fn note_commissioners(ctx: &mut crate::Ctx) {
    let mut by_body: std::collections::BTreeMap<&str, Vec<&Placement>> = Default::default();
    for p in ctx.history.rows.iter().filter(|p| p.used.get()) {
        by_body.entry(p.commissioner.as_str()).or_default().push(p);
    }
    let mut notes = Vec::new();
    for (code, rows) in by_body {
        let Some(first) = rows.first() else { continue };
        let Some(body) = ctx.register.body_at(code, first.during.from) else {
            continue;
        };
        let lines: Vec<String> = rows.iter().map(|p| p.line.to_string()).collect();
        notes.push((
            body,
            format!(
                "Before their join dates in the December 2019 practice file, {} practices are recorded as its members from an earlier dated practice list ({} lines {}; line {}: {})",
                rows.len(),
                ctx.history.file,
                lines.join(", "),
                first.line,
                first.evidence
            ),
        ));
    }
    for (body, note) in notes {
        crate::bodies::append_source(&mut ctx.register, body, &note);
    }
}

/// Settles the unknown stretches `unknown` of practice `code` (which joined `commissioner` on
/// `joined`, per the practice file at `file` line `line`) from the table: adds a membership
/// for each day a row settles and returns what is still unknown.
#[allow(clippy::too_many_arguments)]
pub(crate) fn settle(
    reg: &mut Register,
    history: &History,
    report: &mut QualityReport,
    practice: PracticeId,
    code: &str,
    commissioner: &str,
    joined: Date,
    unknown: Vec<UnknownMembership>,
) -> Vec<UnknownMembership> {
    let mut unknown = unknown;
    for p in history.of(code) {
        // From the join date the 2019 file names the commissioner: a row saying otherwise
        // contradicts it and is not applied at all.
        if p.during.until.is_none_or(|u| u > joined) && p.commissioner != commissioner {
            report.warn(
                kinds::PRACTICE_HISTORY,
                &history.file,
                Some(p.line),
                Some(code),
                format!(
                    "places {code} in {} until {}, but the practice file has it in {commissioner} from {joined}: not applied",
                    p.commissioner,
                    p.during.until.map(|d| d.to_string()).unwrap_or_else(|| "now".into())
                ),
            );
            continue;
        }
        let mut rest = Vec::with_capacity(unknown.len() + 1);
        for u in unknown {
            let Some(span) = u.during.intersect(&p.during) else {
                rest.push(u);
                continue;
            };
            let candidate = u.candidates.is_empty() || u.candidates.contains(&p.commissioner);
            let body = reg
                .bodies_with_code(&p.commissioner)
                .iter()
                .copied()
                .find(|&b| {
                    let body = reg.body(b);
                    matches!(body.kind, BodyKind::Ccg | BodyKind::SubIcbLocation)
                        && body.life.contains(span.from)
                        && match (body.life.until, span.until) {
                            (None, _) => true,
                            (Some(a), Some(b)) => b <= a,
                            (Some(_), None) => false,
                        }
                });
            let Some(body) = body.filter(|_| candidate) else {
                report.warn(
                    kinds::PRACTICE_HISTORY,
                    &history.file,
                    Some(p.line),
                    Some(code),
                    format!(
                        "places {code} in {} from {} to {}, which is {}: that stretch stays unknown",
                        p.commissioner,
                        span.from,
                        span.until.map(|d| d.to_string()).unwrap_or_default(),
                        if candidate {
                            "not a CCG open throughout".to_string()
                        } else {
                            format!(
                                "not among the candidates ({})",
                                u.candidates.join(", ")
                            )
                        }
                    ),
                );
                rest.push(u);
                continue;
            };
            reg.add_membership(practice, body, span);
            p.used.set(true);
            if u.during.from < span.from {
                rest.push(UnknownMembership {
                    during: Interval::new(u.during.from, Some(span.from)),
                    ..u.clone()
                });
            }
            if let Some(end) = span.until.filter(|&e| u.during.until.is_none_or(|t| e < t)) {
                rest.push(UnknownMembership {
                    during: Interval::new(end, u.during.until),
                    ..u
                });
            }
        }
        unknown = rest;
    }
    unknown
}

/// Reads the table; malformed rows are reported and left out.
pub(crate) fn read(f: &SourceFile, report: &mut QualityReport) -> History {
    let mut out = History {
        file: f.name.clone(),
        rows: Vec::new(),
    };
    let wanted = ["practice", "commissioner", "from", "until", "evidence"];
    let Some((cols, rows)) = ods::curated_rows(f, &wanted, report) else {
        return out;
    };
    for r in rows {
        let get = |i: usize| r.get(cols[i]).trim().to_string();
        let (practice, commissioner, evidence) = (get(0), get(1), get(4));
        if practice.is_empty() || commissioner.is_empty() || evidence.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                Some(&practice)
                    .filter(|p| !p.is_empty())
                    .map(String::as_str),
                "a placement needs a practice, its commissioner, the dates and the evidence",
            );
            continue;
        }
        let Some(from) = ods::required_date(r.get(cols[2]), &f.name, r.line, &practice, report)
        else {
            continue;
        };
        let Some(until) = ods::required_date(r.get(cols[3]), &f.name, r.line, &practice, report)
        else {
            continue;
        };
        if until <= from {
            report.reject(
                kinds::DATES_BACKWARDS,
                &f.name,
                r.line,
                Some(&practice),
                format!("`until` ({until}) is not after `from` ({from})"),
            );
            continue;
        }
        let during = Interval::new(from, Some(until));
        if out
            .rows
            .iter()
            .any(|p| p.practice == practice && p.during.intersect(&during).is_some())
        {
            report.reject(
                kinds::DUPLICATE_CODE,
                &f.name,
                r.line,
                Some(&practice),
                "an earlier row already places this practice on some of these days; the earlier row is kept",
            );
            continue;
        }
        out.rows.push(Placement {
            practice,
            commissioner,
            during,
            evidence,
            line: r.line,
            used: Cell::new(false),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn malformed_rows_are_rejected() {
        let text = [
            "practice,commissioner,from,until,evidence",
            "A00001,00F,2013-04-01,2015-04-01,\"seen\"", // 2 good
            "A00002,00G,2013-04-01,2013-04-01,\"x\"",    // 3 empty span
            "A00003,,2013-04-01,2014-04-01,\"x\"",       // 4 no commissioner
            "A00004,00F,2013-13-01,2014-04-01,\"x\"",    // 5 bad date
            "A00001,00G,2014-04-01,2016-04-01,\"x\"",    // 6 overlaps line 2
            "A00005,00F,2013-04-01,2014-04-01,",         // 7 no evidence
            "A00001,00G,2015-04-01,2016-04-01,\"next\"", // 8 good: after line 2
        ]
        .join("\r\n");
        let f = SourceFile {
            name: "h.csv".into(),
            text,
        };
        let mut report = QualityReport::new();
        let h = read(&f, &mut report);
        let kept: Vec<(&str, &str, Date)> = h
            .rows
            .iter()
            .map(|p| (p.practice.as_str(), p.commissioner.as_str(), p.during.from))
            .collect();
        assert_eq!(
            kept,
            [
                ("A00001", "00F", d("2013-04-01")),
                ("A00001", "00G", d("2015-04-01"))
            ]
        );
        let rejected: Vec<u64> = report.issues.iter().filter_map(|i| i.line).collect();
        assert_eq!(rejected, [3, 4, 5, 6, 7], "{:#?}", report.issues);
    }
}
