//! GP practices and their membership of commissioners over time.
//!
//! The practice file gives each practice's commissioner at the release date and the day it
//! joined. Membership starts that day and follows the commissioner through the successor
//! chain (a merger moves every member practice), then from 2022-07-01 into the sub-ICB
//! location with the same code. Before the join date the file says nothing, so earlier
//! membership is not invented.

use crate::ods::{self, next_day, parse_date, tidy_name, SourceFile};
use crate::quality::{kinds, QualityReport, Severity};
use crate::Ctx;
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use vires_core::{BodyId, BodyKind, Interval, Practice, PracticeId, Register, UnknownMembership};

/// CCGs took over commissioning from primary care trusts on this day.
const CCG_START: Date = jiff::civil::date(2013, 4, 1);

/// Prescribing setting 4 is a GP practice.
const GP_PRACTICE: &str = "4";

/// Columns of the practice file.
mod col {
    pub const CODE: usize = 0;
    pub const NAME: usize = 1;
    pub const POSTCODE: usize = 9;
    pub const OPEN: usize = 10;
    pub const CLOSE: usize = 11;
    pub const STATUS: usize = 12;
    pub const COMMISSIONER: usize = 14;
    pub const JOINED: usize = 15;
    pub const LEFT: usize = 16;
    pub const SETTING: usize = 25;
}

fn date_or_reject(
    s: &str,
    what: &str,
    f: &SourceFile,
    line: u64,
    code: &str,
    report: &mut QualityReport,
) -> Result<Option<Date>, ()> {
    parse_date(s).map_err(|e| {
        report.reject(
            kinds::BAD_DATE,
            &f.name,
            line,
            Some(code),
            format!("{what} date: {e}"),
        )
    })
}

pub(crate) fn add_practices(ctx: &mut Ctx, f: &SourceFile) -> usize {
    let mut report = std::mem::take(&mut ctx.report);
    let (_, rows) = ods::rows(f, false, &mut report);
    // Successors of each code with their dates, for following the chain.
    let mut succ: FxHashMap<String, Vec<(Date, String)>> = FxHashMap::default();
    for s in &ctx.register.successions {
        succ.entry(s.from.clone())
            .or_default()
            .push((s.on, s.to.clone()));
    }
    // Predecessors of each code on each date, for the history before a practice's join date.
    let mut preds: FxHashMap<(String, Date), Vec<String>> = FxHashMap::default();
    for s in &ctx.register.successions {
        if s.from != s.to {
            preds
                .entry((s.to.clone(), s.on))
                .or_default()
                .push(s.from.clone());
        }
    }
    for v in preds.values_mut() {
        v.sort();
        v.dedup();
    }
    let mut added = 0;
    for r in rows {
        let layout =
            "the practice file has 27 (commissioner in 14, join date in 15, setting in 25)";
        if !r.has_columns(col::SETTING + 1, col::CODE, &f.name, layout, &mut report) {
            continue;
        }
        if r.get(col::SETTING) != GP_PRACTICE {
            continue;
        }
        let code = r.get(col::CODE);
        if code.is_empty() {
            report.reject(
                kinds::MISSING_CODE,
                &f.name,
                r.line,
                None,
                "no practice code",
            );
            continue;
        }
        let Ok(open) = date_or_reject(r.get(col::OPEN), "open", f, r.line, code, &mut report)
        else {
            continue;
        };
        let Ok(close) = date_or_reject(r.get(col::CLOSE), "close", f, r.line, code, &mut report)
        else {
            continue;
        };
        let Ok(joined) = date_or_reject(r.get(col::JOINED), "join", f, r.line, code, &mut report)
        else {
            continue;
        };
        let Ok(left) = date_or_reject(r.get(col::LEFT), "left", f, r.line, code, &mut report)
        else {
            continue;
        };
        if let (Some(o), Some(c)) = (open, close) {
            if c < o {
                report.reject(
                    kinds::DATES_BACKWARDS,
                    &f.name,
                    r.line,
                    Some(code),
                    format!("closes on {c} before it opens on {o}"),
                );
                continue;
            }
        }
        let commissioner = r.get(col::COMMISSIONER);
        let practice = Practice {
            code: code.into(),
            name: tidy_name(r.get(col::NAME)).into(),
            postcode: Some(r.get(col::POSTCODE))
                .filter(|s| !s.is_empty())
                .map(Into::into),
            status: Some(r.get(col::STATUS))
                .filter(|s| !s.is_empty())
                .map(Into::into),
        };
        let practice = match ctx.register.add_practice(practice) {
            Ok(a) => a,
            Err(e) => {
                report.reject(
                    kinds::DUPLICATE_CODE,
                    &f.name,
                    r.line,
                    Some(code),
                    e.to_string(),
                );
                continue;
            }
        };
        added += 1;
        let Some(joined) = joined else {
            report.warn(
                kinds::BAD_DATE,
                &f.name,
                Some(r.line),
                Some(code),
                "no date joined its commissioner (column 15): the practice is loaded with no membership",
            );
            continue;
        };
        // The last day in the commissioner is the earlier of leaving it and closing.
        let last = match (left, close) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let end = last.map(next_day);
        if end.is_some_and(|e| e <= joined) {
            report.warn(
                kinds::DATES_BACKWARDS,
                &f.name,
                Some(r.line),
                Some(code),
                format!(
                    "left or closed on {} before joining on {joined}: no membership",
                    last.map(|d| d.to_string()).unwrap_or_default()
                ),
            );
            continue;
        }
        if let Some(open) = open {
            let unknown = history_before(
                &ctx.register,
                &preds,
                commissioner,
                open,
                joined,
                &f.name,
                r.line,
            );
            let unknown = crate::history::settle(
                &mut ctx.register,
                &ctx.history,
                &mut report,
                practice,
                code,
                commissioner,
                joined,
                unknown,
            );
            for u in unknown {
                ctx.register
                    .unknown_memberships
                    .push(UnknownMembership { practice, ..u });
            }
        }
        let chain = follow_chain(&ctx.register, &succ, commissioner, joined, end);
        match chain {
            Chain::Unknown if !ctx.register.bodies_with_code(commissioner).is_empty() => {
                report.warn(
                    kinds::CLOSED_COMMISSIONER,
                    &f.name,
                    Some(r.line),
                    Some(code),
                    format!("commissioner `{commissioner}` (column 14) is not open as a CCG or sub-ICB location on the join date {joined}: the practice is loaded with no membership"),
                );
            }
            Chain::Unknown => {
                report.warn(
                    kinds::UNKNOWN_COMMISSIONER,
                    &f.name,
                    Some(r.line),
                    Some(code),
                    format!("commissioner `{commissioner}` (column 14) is not in the ODS CCG file: the practice is loaded with no membership"),
                );
            }
            Chain::Segments { segs, stop } => {
                let (segs, stop) = apply_moves(ctx, &succ, practice, code, segs, stop, end);
                let segs = place_split(ctx, segs, &mut report, &f.name, r.line, code);
                if let Some((first_body, _)) = segs.first() {
                    let open_on = ctx.register.body(*first_body).life.from;
                    if open_on > joined {
                        // Joins before 2013-04-01 date from the primary care trusts that
                        // CCGs replaced; only later mismatches are surprising.
                        let severity = if open_on == CCG_START {
                            Severity::Info
                        } else {
                            Severity::Warning
                        };
                        report.push(
                            severity,
                            kinds::JOIN_BEFORE_OPEN,
                            &f.name,
                            Some(r.line),
                            Some(code),
                            format!("joined `{commissioner}` on {joined}, before it opened on {open_on}: membership starts on {open_on}"),
                        );
                    }
                }
                for (b, iv) in &segs {
                    ctx.register.add_membership(practice, *b, *iv);
                }
                if let Some(stop) = stop {
                    let (kind, reason) = match stop {
                        Stop::Closed { code: c, on } => (
                            kinds::CLOSED_COMMISSIONER,
                            format!("its commissioner chain ends at `{c}`, which closed before {on} with no successor in the successor file; the practice has no commissioner from {on}"),
                        ),
                        Stop::Ambiguous { code: c, on, to } => (
                            kinds::SUCCESSOR_AMBIGUOUS,
                            format!("`{c}` was succeeded on {on} by {}; which one took this practice is not in the data, so membership stops on {on}", to.join(", ")),
                        ),
                        Stop::Gap { code: c, on, next } => (
                            kinds::SUCCESSION_DATE_MISMATCH,
                            format!("`{c}` ended on {on} but its successor `{next}` is not open then; membership stops"),
                        ),
                    };
                    report.warn(kind, &f.name, Some(r.line), Some(code), reason);
                }
            }
        }
    }
    ctx.report = report;
    added
}

/// Applies the curated moves of practice `code` (`data/curated/practice-moves.csv`) to its
/// chain `segs`: from a move's day the practice follows the commissioner it joined (and that
/// one's successors) instead, or, where the sources give candidates, its membership stops and
/// the rest of its life is recorded as not known, with those candidates. A row applies only
/// if the practice was in the row's `from` the day before.
fn apply_moves(
    ctx: &mut Ctx,
    succ: &FxHashMap<String, Vec<(Date, String)>>,
    practice: PracticeId,
    code: &str,
    mut segs: Vec<(BodyId, Interval)>,
    mut stop: Option<Stop>,
    end: Option<Date>,
) -> (Vec<(BodyId, Interval)>, Option<Stop>) {
    let moves: Vec<crate::moves::Move> = ctx.moves.of(code).cloned().collect();
    for m in &moves {
        let Some(before) = m.on.yesterday().ok() else {
            continue;
        };
        let was_in_from = segs
            .iter()
            .any(|(b, iv)| iv.contains(before) && ctx.register.body(*b).code == m.from);
        if !was_in_from || end.is_some_and(|e| e <= m.on) {
            continue;
        }
        let kept: Vec<(BodyId, Interval)> = segs
            .iter()
            .filter(|(_, iv)| iv.from < m.on)
            .map(|&(b, iv)| {
                let until = iv.until.map_or(m.on, |u| u.min(m.on));
                (b, Interval::new(iv.from, Some(until)))
            })
            .collect();
        match m.to.as_slice() {
            [to] => {
                let Chain::Segments {
                    segs: tail,
                    stop: tail_stop,
                } = follow_chain(&ctx.register, succ, to, m.on, end)
                else {
                    // The row names a commissioner not open on its day: leave the practice as
                    // it was (the row is reported as having moved nothing).
                    continue;
                };
                if tail.first().is_none_or(|(_, iv)| iv.from != m.on) {
                    continue;
                }
                segs = kept;
                segs.extend(tail);
                stop = tail_stop;
            }
            candidates => {
                segs = kept;
                stop = None;
                ctx.register.unknown_memberships.push(UnknownMembership {
                    practice,
                    during: Interval::new(m.on, end),
                    candidates: candidates.to_vec(),
                    note: format!(
                        "a boundary change on {} moved the practice out of {} or left it there, and the sources found do not say which",
                        m.on, m.from
                    ),
                    source: format!("{} line {}: {}", ctx.moves.file, m.line, m.evidence),
                });
            }
        }
        if let Some(r) = ctx.moves.rows.iter().find(|r| r.line == m.line) {
            r.used.set(true);
        }
    }
    (segs, stop)
}

/// Re-homes the part of a practice's membership that lies in a sub-ICB location left in no
/// ICB by a split (see `allocation.rs`): from the reshape date the practice is a member of
/// the successor ICB itself, the one the curated table gives a former CCG in its chain.
/// Without a row the membership is kept and the practice reported.
fn place_split(
    ctx: &Ctx,
    segs: Vec<(BodyId, Interval)>,
    report: &mut QualityReport,
    file: &str,
    line: u64,
    code: &str,
) -> Vec<(BodyId, Interval)> {
    if ctx.split_places.is_empty() {
        return segs;
    }
    let chain: Vec<&str> = segs
        .iter()
        .map(|(b, _)| ctx.register.body(*b).code.as_str())
        .collect();
    let mut out = Vec::with_capacity(segs.len() + 1);
    for &(b, iv) in &segs {
        let Some((icb, on)) = ctx.split_places.get(&b) else {
            out.push((b, iv));
            continue;
        };
        let on = *on;
        if iv.until.is_some_and(|u| u <= on) {
            out.push((b, iv));
            continue;
        }
        let tail = Interval::new(iv.from.max(on), iv.until);
        // A row for the practice itself comes first; then one for a former CCG in its chain.
        let rows = std::iter::once(ctx.allocations.practice(icb, code))
            .chain(chain.iter().map(|c| ctx.allocations.practices_of(icb, c)));
        let placed = rows.flatten().find_map(|a| {
            let &to = ctx.icb_body.get(&a.successor)?;
            // The successor must be open from the reshape date for the practice to move.
            let during = tail.intersect(&ctx.register.body(to).life)?;
            (during.from == tail.from).then_some((a, to, during))
        });
        let Some((a, to, during)) = placed else {
            out.push((b, iv));
            report.warn(
                kinds::RESHAPE_SPLIT,
                file,
                Some(line),
                Some(code),
                format!(
                    "its commissioner `{}` sits in no ICB from {on} ({icb} was split) and {} places none of its former CCGs ({}): no ICB function covers it from then",
                    ctx.register.body(b).code,
                    ctx.allocations.file,
                    chain.join(", ")
                ),
            );
            continue;
        };
        if iv.from < on {
            out.push((b, Interval::new(iv.from, Some(on))));
        }
        out.push((to, during));
        a.uses.set(a.uses.get() + 1);
    }
    out
}

/// What the practice file leaves unknown about a practice that opened on `open` and joined
/// `commissioner` on `joined`: from 2013-04-01 (or its opening) to the join date it was in
/// some commissioner the file does not name. When `commissioner` was formed by a merger on
/// the join date, it was in one of the merged CCGs (and, before they were formed, one of
/// theirs); otherwise (it moved) the file names no candidate.
#[allow(clippy::too_many_arguments)]
fn history_before(
    reg: &Register,
    preds: &FxHashMap<(String, Date), Vec<String>>,
    commissioner: &str,
    open: Date,
    joined: Date,
    file: &str,
    line: u64,
) -> Vec<UnknownMembership> {
    let start = open.max(CCG_START);
    if joined <= start {
        return Vec::new();
    }
    let source = format!(
        "{file} line {line} (joined {commissioner} on {joined}, column 15) and the ODS successor file; the December 2019 practice file gives only a practice's commissioner from its join date"
    );
    let unknown = |during: Interval, candidates: Vec<String>, note: String| UnknownMembership {
        practice: PracticeId(0),
        during,
        candidates,
        note,
        source: source.clone(),
    };
    let Some(first) = preds.get(&(commissioner.to_string(), joined)) else {
        return vec![unknown(
            Interval::new(start, Some(joined)),
            Vec::new(),
            format!("the practice joined {commissioner} on {joined}, and the practice file does not say which commissioner it had before"),
        )];
    };
    let formed = |code: &str| -> Option<Date> {
        reg.bodies_with_code(code)
            .iter()
            .map(|&b| reg.body(b).life.from)
            .find(|&d| d > start && preds.contains_key(&(code.to_string(), d)))
    };
    let mut out = Vec::new();
    let mut set = first.clone();
    let mut end = joined;
    for _ in 0..16 {
        let t = set
            .iter()
            .filter_map(|c| formed(c))
            .filter(|&d| d < end)
            .max();
        let from = t.unwrap_or(start);
        out.push(unknown(
            Interval::new(from, Some(end)),
            set.clone(),
            format!(
                "the practice joined {commissioner} on {joined}, when {commissioner} was formed by merger, and the practice file does not say which of the merged CCGs it was in before"
            ),
        ));
        let Some(t) = t else { break };
        let mut next = Vec::new();
        for c in &set {
            match preds.get(&(c.clone(), t)) {
                Some(p) if formed(c) == Some(t) => next.extend(p.iter().cloned()),
                _ => next.push(c.clone()),
            }
        }
        next.sort();
        next.dedup();
        set = next;
        end = t;
    }
    out
}

enum Stop {
    Closed {
        code: String,
        on: Date,
    },
    Ambiguous {
        code: String,
        on: Date,
        to: Vec<String>,
    },
    Gap {
        code: String,
        on: Date,
        next: String,
    },
}

enum Chain {
    Unknown,
    Segments {
        segs: Vec<(BodyId, Interval)>,
        stop: Option<Stop>,
    },
}

fn commissioner_body(reg: &Register, code: &str, on: Date) -> Option<BodyId> {
    reg.body_at(code, on)
        .filter(|&b| matches!(reg.body(b).kind, BodyKind::Ccg | BodyKind::SubIcbLocation))
}

/// Follows a practice from `code` on `from` until `end` through the bodies that succeeded it.
fn follow_chain(
    reg: &Register,
    succ: &FxHashMap<String, Vec<(Date, String)>>,
    code: &str,
    from: Date,
    end: Option<Date>,
) -> Chain {
    // A practice can join a CCG before its record opens (the bundled data has none); start
    // it at the body's opening rather than lose it.
    let mut from = from;
    let mut body = commissioner_body(reg, code, from);
    if body.is_none() {
        let first = reg
            .bodies_with_code(code)
            .iter()
            .copied()
            .filter(|&b| {
                matches!(reg.body(b).kind, BodyKind::Ccg | BodyKind::SubIcbLocation)
                    && reg.body(b).life.from > from
                    && end.is_none_or(|e| reg.body(b).life.from < e)
            })
            .min_by_key(|&b| reg.body(b).life.from);
        match first {
            Some(b) => {
                from = reg.body(b).life.from;
                body = Some(b);
            }
            None => return Chain::Unknown,
        }
    }
    let mut segs = Vec::new();
    let mut cur = body;
    for _ in 0..32 {
        let Some(b) = cur else { break };
        let life = reg.body(b).life;
        let until = match (life.until, end) {
            (Some(a), Some(e)) => Some(a.min(e)),
            (a, e) => a.or(e),
        };
        segs.push((b, Interval::new(from, until)));
        let Some(stop_at) = life.until else {
            return Chain::Segments { segs, stop: None };
        };
        if end.is_some_and(|e| e <= stop_at) {
            return Chain::Segments { segs, stop: None };
        }
        let code = &reg.body(b).code;
        // The same code continuing (a CCG becoming a sub-ICB location) comes first.
        if let Some(next) = commissioner_body(reg, code, stop_at) {
            from = stop_at;
            cur = Some(next);
            continue;
        }
        let nexts: Vec<&(Date, String)> = succ
            .get(code.as_str())
            .map(|v| v.iter().filter(|(d, _)| *d == stop_at).collect())
            .unwrap_or_default();
        match nexts.as_slice() {
            [] => {
                return Chain::Segments {
                    segs,
                    stop: Some(Stop::Closed {
                        code: code.clone(),
                        on: stop_at,
                    }),
                }
            }
            [(d, to)] => match commissioner_body(reg, to, *d) {
                Some(n) => {
                    from = *d;
                    cur = Some(n);
                }
                None => {
                    return Chain::Segments {
                        segs,
                        stop: Some(Stop::Gap {
                            code: code.clone(),
                            on: stop_at,
                            next: to.clone(),
                        }),
                    }
                }
            },
            many => {
                return Chain::Segments {
                    segs,
                    stop: Some(Stop::Ambiguous {
                        code: code.clone(),
                        on: stop_at,
                        to: many.iter().map(|(_, t)| t.clone()).collect(),
                    }),
                }
            }
        }
    }
    Chain::Segments { segs, stop: None }
}
