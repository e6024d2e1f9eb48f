//! The bundled England register as a benchmark subject: its build and query times, its
//! functions, and `GET /who` paths about its practices for the HTTP benchmark.

use crate::quick::{medians_and_p99, ns, Report};
use crate::SEED;
use std::time::Instant;
use vires_bench::synth;
use vires_bench::timing::{check_query_answers, time_queries, QueryTimes};
use vires_core::Snapshot;

/// Timing rounds of the England questions; the middle one is reported.
#[cfg(feature = "england")]
pub(crate) const ENGLAND_ROUNDS: usize = 5;

#[cfg(feature = "england")]
pub(crate) fn england(rep: &mut Report, n: usize, overhead: f64) -> Result<(), String> {
    let t = Instant::now();
    let import = match vires_england::bundled() {
        Ok(i) => i,
        Err(e) => {
            rep.row("England register", format!("not available: {e}"));
            rep.set(
                "england_note",
                format!("vires_england::bundled() failed: {e}"),
            );
            return Ok(());
        }
    };
    let import_ms = t.elapsed().as_secs_f64() * 1e3;
    let instruments = import.register.instruments.len();
    let t = Instant::now();
    let snap = Snapshot::compile(import.register);
    let build_ms = t.elapsed().as_secs_f64() * 1e3;
    let fns = all_functions(&snap);
    let qs = synth::questions(&snap, n, SEED, &fns);
    if qs.is_empty() {
        rep.row(
            "England register",
            "no questions could be drawn (no practices?)".into(),
        );
        return Ok(());
    }
    // Five rounds, reporting the middle one by `who` median: on this shared two-core
    // machine a single round's median varies up to twofold from one run to the next.
    let mut rounds: Vec<QueryTimes> = Vec::with_capacity(ENGLAND_ROUNDS);
    for _ in 0..ENGLAND_ROUNDS {
        let t = time_queries(&snap, &qs, overhead);
        check_query_answers(&snap, &qs, &t)?;
        rounds.push(t);
    }
    rounds.sort_by(|a, b| a.who.summary.median_ns.total_cmp(&b.who.summary.median_ns));
    let round_medians: Vec<f64> = rounds.iter().map(|r| r.who.summary.median_ns).collect();
    let t = rounds.swap_remove(rounds.len() / 2);
    let (who, hot, may) = (t.who.summary, t.hot.summary, t.may.summary);
    rep.row(
        "England (bundled): import / compile",
        format!("{import_ms:.0} ms / {build_ms:.1} ms ({instruments} instruments, {} grants, {} practices)", snap.grant_count(), snap.register().practices.len()),
    );
    rep.row(
        "England: who / who hot path / may, median",
        medians_and_p99(&who, &hot, &may),
    );
    rep.row(
        &format!("England: who median of each of {ENGLAND_ROUNDS} rounds"),
        round_medians
            .iter()
            .map(|&m| ns(m))
            .collect::<Vec<_>>()
            .join(", "),
    );
    rep.set("who_round_medians_ns_england", round_medians);
    rep.set("who_median_ns_england", who.median_ns);
    rep.set("who_p99_ns_england", who.p99_ns);
    rep.set("who_hot_median_ns_england", hot.median_ns);
    rep.set("who_hot_p99_ns_england", hot.p99_ns);
    rep.set("may_median_ns_england", may.median_ns);
    rep.set("may_p99_ns_england", may.p99_ns);
    rep.set("england_instruments", instruments);
    rep.set("england_build_ms", build_ms);
    rep.set("england_import_ms", import_ms);
    Ok(())
}

#[cfg(not(feature = "england"))]
pub(crate) fn england(rep: &mut Report, _n: usize, _overhead: f64) -> Result<(), String> {
    rep.row(
        "England register",
        "skipped: built without the `england` feature".into(),
    );
    rep.set("england_note", "built without the england feature");
    Ok(())
}

/// Every function id of a register's taxonomy, the functions questions are drawn from.
pub(crate) fn all_functions(snap: &Snapshot) -> Vec<String> {
    snap.register()
        .taxonomy
        .iter()
        .map(|(_, d)| d.id.clone())
        .collect()
}

#[cfg(feature = "england")]
pub(crate) fn england_snapshot() -> Result<Snapshot, String> {
    vires_england::bundled()
        .map(|i| Snapshot::compile(i.register))
        .map_err(|e| format!("the England register does not build: {e}"))
}

#[cfg(not(feature = "england"))]
pub(crate) fn england_snapshot() -> Result<Snapshot, String> {
    Err("built without the `england` feature".into())
}

/// Paths of `who` questions about real practices, for the HTTP benchmark.
pub(crate) fn http_paths(n: usize) -> Result<(), String> {
    let snap = england_snapshot()?;
    let fns = all_functions(&snap);
    let ok = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    for q in synth::questions(&snap, n, SEED, &fns) {
        if ok(&q.function) && ok(&q.practice) {
            println!(
                "/who?function={}&practice={}&on={}",
                q.function, q.practice, q.on
            );
        }
    }
    Ok(())
}
