//! The check of recorded exercises (V016), once the snapshot is built: each `exercise`
//! record must fall within what its body held for that function, place, date and purpose.
//! Runs on the answers' own resolution, so a recorded act is judged exactly as `may` would
//! judge it.

use crate::answer::resolve::Scratch;
use crate::model::body::BodyId;
use crate::model::diagnostic::{codes, Diagnostic, Severity};
use crate::model::instrument::AreaExpr;
use crate::model::instrument::InstrumentId;
use crate::model::place::Place;
use crate::model::place::PracticeId;
use crate::snapshot::Snapshot;

/// A recorded exercise whose maker was alive when it acted, with what the field checks
/// resolved of its names, for the exercise check after the build.
#[derive(Debug, Clone, Copy)]
pub(super) struct ExerciseSite {
    pub(super) instrument: InstrumentId,
    pub(super) maker: BodyId,
    /// The practice, when the exercise is at exactly one.
    pub(super) practice: Option<PracticeId>,
}

impl Snapshot {
    /// Checks every `exercise` record against what its body held (V016). `runs` are the
    /// exercises the field checks found, in instrument order, with the names they resolved.
    pub(super) fn check_exercises(&mut self, runs: &[Vec<ExerciseSite>]) {
        // Each check only reads the snapshot, so the two halves of the runs are checked
        // side by side; the findings come back in instrument order either way.
        let this: &Snapshot = self;
        let n: usize = runs.iter().map(Vec::len).sum();
        let mut seen = 0;
        let half = runs
            .iter()
            .position(|r| {
                seen += r.len();
                seen > n / 2
            })
            .unwrap_or(runs.len());
        let (first, second) = runs.split_at(half);
        let (mut found, more) = crate::support::side_by_side::side_by_side(
            n >= 2048,
            || this.exercise_findings(first),
            || this.exercise_findings(second),
        );
        found.extend(more);
        for d in found {
            if let Some(i) = self.instrument_id(&d.subject) {
                self.void[i.0 as usize] = true;
            }
            self.diagnostics.push(d);
        }
    }

    /// V016 findings for the `exercise` records in `runs`.
    fn exercise_findings(&self, runs: &[Vec<ExerciseSite>]) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let mut scratch = Scratch::default();
        for site in runs.iter().flatten() {
            let idx = site.instrument.0 as usize;
            let ins = &self.register.instruments[idx];
            if self.void[idx] {
                continue;
            }
            let Some(by) = &ins.maker else { continue };
            let place = || match &ins.area {
                Some(AreaExpr::Practices(ps)) if ps.len() == 1 => {
                    Place::Practice(ps[0].as_str().into())
                }
                Some(AreaExpr::Footprint(c)) => Place::Body(c.as_str().into()),
                Some(AreaExpr::Named(n)) => Place::Area(n.as_str().into()),
                _ => Place::England,
            };
            let on = ins.from;
            // Each of its purposes, or once without one when it names none.
            let purposes = || {
                (0..ins.terms().purposes.len().max(1))
                    .map(|k| ins.terms().purposes.get(k).map(String::as_str))
            };
            for f in &ins.functions {
                // Who holds `f` there does not hang on the purpose: one resolution serves
                // them all. Most exercises are at one practice whose id and maker the
                // field checks resolved; looking their codes up again was a random probe
                // of two large tables per exercise.
                // A place larger than a practice is answered part by part: only `may`
                // says whether its maker held all of it.
                let maker = match site.practice {
                    Some(a) => self.function_id(f).ok().map(|fid| {
                        let Scratch { keys, resolution } = &mut scratch;
                        keys.clear();
                        self.practice_keys(a, on, keys);
                        self.resolve(fid, on, keys, resolution);
                        (site.maker, fid)
                    }),
                    None if matches!(place(), Place::Practice(_)) => {
                        self.resolve_for(by, f, &place(), on, &mut scratch).ok()
                    }
                    None => None,
                };
                for p in purposes() {
                    // The full answer (reasons, proofs) only for the few that fail.
                    if let Some((b, fid)) = maker {
                        if self
                            .holding_of(b, fid, p, &scratch.resolution.holders)
                            .is_ok()
                        {
                            continue;
                        }
                    }
                    match self.may(by, f, &place(), on, p) {
                        Ok(a) if a.allowed => {}
                        Ok(a) => found.push(Diagnostic {
                            code: codes::ACT_OUTSIDE_HOLDING,
                            severity: Severity::Error,
                            subject: ins.id.to_string(),
                            message: format!("outside what {by} held: {}", a.reason),
                            help: "the act needs a holding that covers this function, place, date and purpose".into(),
                            span: ins.span_or_whole(ins.spans().purposes.or(ins.spans().functions)),
                        }),
                        Err(e) => found.push(Diagnostic {
                            code: codes::ACT_OUTSIDE_HOLDING,
                            severity: Severity::Error,
                            subject: ins.id.to_string(),
                            message: format!("cannot check this exercise: {e}"),
                            help: "name a known body, function and place".into(),
                            span: ins.span_or_whole(None),
                        }),
                    }
                }
            }
        }
        found
    }
}
