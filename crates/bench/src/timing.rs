//! Timing questions one call at a time, keeping what each timed call answered, so a run can
//! show that the call timed for question n answered question n and nothing else.
//!
//! Each timed call returns a small token of its answer, taken inside the call (for `may`
//! the decision; for `who` a hash of its holders, a few nanoseconds), and the answer is
//! dropped inside the timed region, as a caller would drop it. The tokens are compared with
//! the same questions asked again untimed ([`check_query_answers`]) and, for `may`, with the
//! answers compared against the peers ([`compare_then_time`]).

use crate::cedar::CedarPeer;
use crate::sqlite::SqlitePeer;
use crate::stats::{summarise, Summary};
use crate::synth::Question;
use std::hash::{Hash, Hasher};
use std::time::Instant;
use vires_core::resolve::Resolution;
use vires_core::{FunctionId, Place, Snapshot, WhoAnswer};

/// Untimed calls made before timing, so caches and lazily built proofs are warm.
const WARM_UP: usize = 200;

/// The cost of the timer itself, subtracted from every per-call sample.
pub fn timer_overhead() -> f64 {
    let mut v: Vec<f64> = (0..10_000)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(());
            t.elapsed().as_nanos() as f64
        })
        .collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Per-call timings and, for call n, the token of what it answered.
#[derive(Debug, Clone)]
pub struct Timed<T> {
    pub summary: Summary,
    pub answers: Vec<T>,
}

/// Calls `f(n)` once for each question number `n` in `0..count`, timing each call (after
/// an untimed warm-up over the first ones), and keeps each call's answer token.
pub fn time_each<T>(count: usize, overhead: f64, mut f: impl FnMut(usize) -> T) -> Timed<T> {
    for n in 0..count.min(WARM_UP) {
        std::hint::black_box(f(n));
    }
    let mut samples = Vec::with_capacity(count);
    let mut answers = Vec::with_capacity(count);
    for n in 0..count {
        let t = Instant::now();
        let answer = std::hint::black_box(f(n));
        samples.push((t.elapsed().as_nanos() as f64 - overhead).max(0.0));
        answers.push(answer);
    }
    Timed {
        summary: summarise(&samples),
        answers,
    }
}

/// The place a question asks about.
pub fn place(q: &Question) -> Place {
    Place::Practice(q.practice.as_str().into())
}

/// A token of a `who` answer: its holders (body, role, accountable body, function, first
/// day, coverage) in answer order and its accountable-only bodies. An unanswerable question
/// (unknown function, practice) has token 0.
pub fn who_token(answer: Result<WhoAnswer, vires_core::QueryError>) -> u64 {
    let Ok(w) = answer else { return 0 };
    let mut h = rustc_hash::FxHasher::default();
    for holder in &w.holders {
        holder.body.hash(&mut h);
        holder.role.hash(&mut h);
        holder.accountable.hash(&mut h);
        holder.function.hash(&mut h);
        holder.from.hash(&mut h);
        holder.coverage.hash(&mut h);
    }
    w.holders.len().hash(&mut h);
    w.accountable_only.hash(&mut h);
    h.finish() | 1
}

/// A token of the hot path's answer: the holding grants and their coverage.
pub fn resolution_token(r: &Resolution) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for (g, c) in &r.holders {
        g.0.hash(&mut h);
        c.hash(&mut h);
    }
    r.holders.len().hash(&mut h);
    h.finish() | 1
}

/// vires's `may` decision (false for a question it cannot answer).
fn may_allowed(snap: &Snapshot, q: &Question, place: &Place) -> bool {
    snap.may(&q.body, &q.function, place, q.on, q.purpose.as_deref())
        .is_ok_and(|a| a.allowed)
}

/// The hot path's answer: place keys, then resolution; token 0 when either cannot be had.
fn hot_path(
    snap: &Snapshot,
    f: Option<FunctionId>,
    place: &Place,
    q: &Question,
    r: &mut Resolution,
) -> u64 {
    let (Some(f), Ok(keys)) = (f, snap.place_keys(place, q.on)) else {
        return 0;
    };
    snap.resolve(f, q.on, &keys, r);
    resolution_token(r)
}

/// The full `who` answer, the hot path (`place_keys` + `resolve`, no rendering) and the
/// full `may` answer, each timed per question, each call about its own question.
#[derive(Debug, Clone)]
pub struct QueryTimes {
    pub who: Timed<u64>,
    pub hot: Timed<u64>,
    pub may: Timed<bool>,
}

/// Times `who`, the hot path and `may` on every question in `qs`. The places and function
/// numbers are made before timing, as a caller holding a parsed question would have them.
pub fn time_queries(snap: &Snapshot, qs: &[Question], overhead: f64) -> QueryTimes {
    let places: Vec<Place> = qs.iter().map(place).collect();
    let fids: Vec<Option<FunctionId>> = qs
        .iter()
        .map(|q| snap.function_id(&q.function).ok())
        .collect();
    let who = time_each(qs.len(), overhead, |n| {
        let q = &qs[n];
        who_token(snap.who(&q.function, &places[n], q.on, q.purpose.as_deref()))
    });
    let mut r = Resolution::default();
    let hot = time_each(qs.len(), overhead, |n| {
        hot_path(snap, fids[n], &places[n], &qs[n], &mut r)
    });
    let may = time_each(qs.len(), overhead, |n| {
        may_allowed(snap, &qs[n], &places[n])
    });
    QueryTimes { who, hot, may }
}

/// Asks every question again, untimed and built afresh from the question alone, and says
/// which timed call (if any) answered something else.
pub fn check_query_answers(snap: &Snapshot, qs: &[Question], t: &QueryTimes) -> Result<(), String> {
    let mut r = Resolution::default();
    for (n, q) in qs.iter().enumerate() {
        let p = place(q);
        let who = who_token(snap.who(&q.function, &p, q.on, q.purpose.as_deref()));
        let hot = hot_path(snap, snap.function_id(&q.function).ok(), &p, q, &mut r);
        let may = may_allowed(snap, q, &p);
        let timed = (
            t.who.answers.get(n),
            t.hot.answers.get(n),
            t.may.answers.get(n),
        );
        if timed != (Some(&who), Some(&hot), Some(&may)) {
            return Err(format!(
                "timed call {n} did not answer its question {q:?}: timed (who, hot, may) {timed:?}, asked again ({who}, {hot}, {may})"
            ));
        }
    }
    Ok(())
}

/// The peer comparison: every question's `may` answer from vires, Cedar and SQLite,
/// compared untimed first, then the same questions timed on each.
#[derive(Debug, Clone)]
pub struct PeerRun {
    /// The answer all three gave, question by question.
    pub compared: Vec<bool>,
    pub vires: Timed<bool>,
    pub cedar: Timed<bool>,
    pub sqlite: Timed<bool>,
}

impl PeerRun {
    pub fn yes(&self) -> usize {
        self.compared.iter().filter(|a| **a).count()
    }
}

/// Compares the three engines' answers on every question in `qs` (a fast wrong answer is
/// not a result), then times each on exactly those questions, and checks that every timed
/// call answered what was compared. Cedar's requests (entity ids parsed, context built)
/// are made before timing, so Cedar is timed on deciding alone; vires and SQLite take the
/// question's codes and resolve them inside the timed call.
pub fn compare_then_time(
    snap: &Snapshot,
    cedar: &CedarPeer,
    sqlite: &SqlitePeer,
    qs: &[Question],
    overhead: f64,
) -> Result<PeerRun, String> {
    let places: Vec<Place> = qs.iter().map(place).collect();
    let mut compared = Vec::with_capacity(qs.len());
    for (q, p) in qs.iter().zip(&places) {
        let v = snap
            .may(&q.body, &q.function, p, q.on, q.purpose.as_deref())
            .map_err(|e| format!("vires could not answer {q:?}: {e}"))?
            .allowed;
        let c = cedar.may(q).map_err(|e| e.to_string())?;
        let s = sqlite.may(q).map_err(|e| e.to_string())?;
        if v != c.allowed || v != s.allowed {
            return Err(format!(
                "answers differ on {q:?}: vires {v}, Cedar {} (policies {:?}), SQLite {} (proof {:?})",
                c.allowed, c.proof, s.allowed, s.proof
            ));
        }
        compared.push(v);
    }
    let requests = qs
        .iter()
        .map(|q| cedar.request(q))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let vires = time_each(qs.len(), overhead, |n| {
        may_allowed(snap, &qs[n], &places[n])
    });
    let cedar = time_each(qs.len(), overhead, |n| {
        cedar.decide(&requests[n]).is_ok_and(|a| a.allowed)
    });
    let sqlite = time_each(qs.len(), overhead, |n| {
        sqlite.may(&qs[n]).is_ok_and(|a| a.allowed)
    });
    for (name, timed) in [("vires", &vires), ("Cedar", &cedar), ("SQLite", &sqlite)] {
        if let Some(n) = (0..qs.len()).find(|&n| timed.answers.get(n) != compared.get(n)) {
            return Err(format!(
                "{name}'s timed call {n} answered {:?}, but {:?} was compared for {:?}",
                timed.answers.get(n),
                compared.get(n),
                qs[n]
            ));
        }
    }
    Ok(PeerRun {
        compared,
        vires,
        cedar,
        sqlite,
    })
}
