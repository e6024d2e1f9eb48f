//! The `--quick` and `--full` runs: synthetic registers from 10^3 to 10^6 instruments built
//! and asked, the peers compared, the England register, the table printed and
//! `summary.json` and the chart written.

use crate::build::{builds_of_clones, median_build};
use crate::england::england;
use crate::heap::LIVE;
use crate::summary::write_summary;
use crate::SEED;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;
use vires_bench::cedar::CedarPeer;
use vires_bench::plot::{chart, Series};
use vires_bench::sqlite::SqlitePeer;
use vires_bench::stats::{growth_exponent, Summary};
use vires_bench::synth;
use vires_bench::timing::{check_query_answers, compare_then_time, time_queries, timer_overhead};
use vires_core::Snapshot;

/// The figures scripts/bench.sh measures outside this process and merges in with `--set`.
pub(crate) const OUTSIDE_FIGURES: [&str; 10] = [
    "callgrind_instructions_per_who",
    "callgrind_instructions_per_may",
    "callgrind_note",
    "http_rps_who",
    "http_rps_trivial",
    "http_ratio",
    "http_p99_ms",
    "http_p99_ms_trivial",
    "http_ratio_rounds",
    "http_note",
];

pub(crate) struct Plan {
    sizes: Vec<(usize, usize)>,
    pub(crate) questions: usize,
    peer_size: usize,
    /// Questions put to vires, Cedar and SQLite: every one compared, then every one timed.
    peer_questions: usize,
    /// Longest predicted build to attempt, in milliseconds.
    build_budget_ms: f64,
}

pub(crate) fn plan(full: bool) -> Plan {
    if full {
        Plan {
            sizes: vec![(1_000, 9), (10_000, 7), (100_000, 5), (1_000_000, 3)],
            questions: 20_000,
            peer_size: 100_000,
            peer_questions: 3_000,
            build_budget_ms: 900_000.0,
        }
    } else {
        Plan {
            sizes: vec![(1_000, 5), (10_000, 5), (100_000, 3), (1_000_000, 3)],
            questions: 5_000,
            peer_size: 30_000,
            peer_questions: 1_000,
            build_budget_ms: 120_000.0,
        }
    }
}

#[derive(Default)]
pub(crate) struct Report {
    rows: Vec<(String, String)>,
    summary: Map<String, Value>,
}

impl Report {
    pub(crate) fn set(&mut self, key: &str, v: impl Into<Value>) {
        self.summary.insert(key.to_string(), v.into());
    }
    pub(crate) fn row(&mut self, what: &str, value: String) {
        println!("{what:<58} {value}");
        self.rows.push((what.to_string(), value));
    }
}

pub(crate) fn ns(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} ms", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.2} µs", v / 1e3)
    } else {
        format!("{v:.0} ns")
    }
}

pub(crate) fn out_dir() -> PathBuf {
    std::env::var_os("VIRES_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench"))
}

pub(crate) fn run(full: bool) -> Result<(), String> {
    let p = plan(full);
    let overhead = timer_overhead();
    let mut rep = Report::default();
    rep.set("mode", if full { "full" } else { "quick" });
    rep.set("load_average_at_start", load_average());
    rep.set("timer_overhead_ns", overhead);
    rep.set("machine", machine());
    // Where the bytes per instrument go: the register's own structs, before any heap data.
    rep.set(
        "size_of_instrument",
        std::mem::size_of::<vires_core::Instrument>(),
    );
    rep.set("size_of_grant", std::mem::size_of::<vires_core::Grant>());
    rep.set("size_of_body", std::mem::size_of::<vires_core::Body>());
    println!(
        "vires-bench ({}), timer overhead {overhead:.0} ns subtracted",
        if full { "full" } else { "quick" }
    );
    let started = Instant::now();

    // 1. The bundled England register.
    england(&mut rep, p.questions, overhead)?;

    // 2. Synthetic registers, 10^3 .. 10^6 instruments: build time, memory, query time.
    for k in [
        "build_ms_1m",
        "may_median_ns_synthetic_1m",
        "who_median_ns_synthetic_1m",
    ] {
        rep.set(k, Value::Null);
    }
    let mut build_points = Vec::new();
    let mut may_points = Vec::new();
    let mut who_points = Vec::new();
    let mut sizes_json = Vec::new();
    for &(size, reps) in &p.sizes {
        // A build that grows faster than linearly can take hours at 10^6; predict it from
        // the last two sizes and skip it, saying so, rather than blow the time limit.
        if let [.., (n1, t1), (n2, t2)] = build_points.as_slice() {
            let k = growth_exponent(&[(*n1, *t1), (*n2, *t2)])
                .unwrap_or(1.0)
                .max(1.0);
            let predicted_ms = t2 * (size as f64 / n2).powf(k);
            if predicted_ms > p.build_budget_ms {
                rep.row(
                    &format!("synthetic {size} instruments"),
                    format!("SKIPPED: build predicted to take {:.0} s (exponent {k:.2} from the last two sizes), over the {:.0} s budget", predicted_ms / 1e3, p.build_budget_ms / 1e3),
                );
                rep.set(
                    &format!("skipped_{size}"),
                    format!(
                        "build predicted {:.0} s at exponent {k:.2}",
                        predicted_ms / 1e3
                    ),
                );
                continue;
            }
        }
        let before = LIVE.load(Ordering::Relaxed);
        let t = Instant::now();
        let syn = synth::generate(size, SEED);
        let gen_ms = t.elapsed().as_secs_f64() * 1e3;
        let n = syn.shape.instruments;
        let mut builds = builds_of_clones(&syn.register, reps);
        let register_bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        let t = Instant::now();
        let snap = Snapshot::compile(syn.register);
        builds.push(t.elapsed().as_secs_f64() * 1e3);
        let snapshot_bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        let build_ms = median_build(&mut builds);
        let qn = if size >= 1_000_000 {
            p.questions / 2
        } else {
            p.questions
        };
        let qs = synth::questions(&snap, qn, SEED, &synth::query_functions());
        let t = time_queries(&snap, &qs, overhead);
        check_query_answers(&snap, &qs, &t)?;
        let (who, hot, may) = (t.who.summary, t.hot.summary, t.may.summary);
        let bpi = snapshot_bytes as f64 / n as f64;
        rep.row(
            &format!("synthetic {n} instruments: build (median of {reps})"),
            format!(
                "{build_ms:.1} ms (generate {gen_ms:.0} ms; {} grants, {} practices)",
                snap.grant_count(),
                syn.shape.practices
            ),
        );
        rep.row(
            &format!("synthetic {n}: who / who hot path / may, median"),
            medians_and_p99(&who, &hot, &may),
        );
        rep.row(
            &format!("synthetic {n}: bytes per instrument (snapshot incl. register)"),
            format!(
                "{bpi:.0} (register alone {:.0})",
                register_bytes as f64 / n as f64
            ),
        );
        build_points.push((n as f64, build_ms));
        may_points.push((n as f64, may.median_ns));
        who_points.push((n as f64, who.median_ns));
        sizes_json.push(json!({
            "target": size, "instruments": n, "grants": snap.grant_count(),
            "practices": syn.shape.practices, "ccgs": syn.shape.ccgs, "icbs": syn.shape.icbs,
            "diagnostics": snap.diagnostics.len(),
            "build_ms": build_ms, "build_ms_all": builds, "generate_ms": gen_ms,
            "bytes_per_instrument": bpi, "register_bytes_per_instrument": register_bytes as f64 / n as f64,
            "who": who, "who_hot": hot, "may": may, "questions": qs.len(),
        }));
        // The largest register built stands for memory until 10^6 builds in time.
        rep.set("bytes_per_instrument", bpi);
        rep.set("bytes_per_instrument_at_instruments", n);
        rep.set("may_median_ns_synthetic_largest", may.median_ns);
        rep.set("who_median_ns_synthetic_largest", who.median_ns);
        rep.set("synthetic_largest_instruments", n);
        if size == 1_000_000 {
            rep.set("instruments_1m", n);
            rep.set("build_ms_1m", build_ms);
            rep.set("may_median_ns_synthetic_1m", may.median_ns);
            rep.set("may_p99_ns_synthetic_1m", may.p99_ns);
            rep.set("who_median_ns_synthetic_1m", who.median_ns);
            rep.set("who_p99_ns_synthetic_1m", who.p99_ns);
            rep.set("who_hot_median_ns_synthetic_1m", hot.median_ns);
        }
        drop(snap);
        drop(qs);
    }
    // Fixed costs dominate the smallest register, so the exponent is fitted from 10^4 up.
    let fit: Vec<(f64, f64)> = build_points
        .iter()
        .copied()
        .filter(|(n, _)| *n >= 9_000.0)
        .collect();
    let k = growth_exponent(&fit).unwrap_or(f64::NAN);
    rep.set("build_growth_exponent", k);
    rep.set(
        "build_growth_exponent_all_sizes",
        growth_exponent(&build_points).unwrap_or(f64::NAN),
    );
    rep.row(
        "build time growth exponent (fitted 10^4..10^6)",
        format!("{k:.3}"),
    );
    rep.set("sizes", Value::Array(sizes_json));

    // 3. Peers on the same register and the same questions.
    peers(&mut rep, &p, overhead)?;

    let dir = out_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let svg = chart(
        "vires: build and query time against register size",
        &[
            Series {
                label: "build snapshot",
                colour: "#005eb8",
                points: build_points,
                right_axis: false,
            },
            Series {
                label: "may (median)",
                colour: "#d5281b",
                points: may_points,
                right_axis: true,
            },
            Series {
                label: "who (median)",
                colour: "#007f3b",
                points: who_points,
                right_axis: true,
            },
        ],
        "ms",
        "ns",
    );
    let svg_path = dir.join("performance.svg");
    std::fs::write(&svg_path, svg)
        .map_err(|e| format!("cannot write {}: {e}", svg_path.display()))?;
    rep.set("wall_seconds", started.elapsed().as_secs_f64());
    rep.set("load_average_at_end", load_average());
    // A fresh summary: the figures measured outside this process (callgrind, HTTP) are
    // null until scripts/bench.sh measures them in the same run, never left from an
    // earlier one.
    let path = dir.join("summary.json");
    for k in OUTSIDE_FIGURES {
        rep.summary.insert(k.to_string(), Value::Null);
    }
    let summary = rep.summary;
    write_summary(&path, &summary)?;
    println!(
        "wrote {} and {} in {:.0} s",
        path.display(),
        svg_path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub(crate) fn peers(rep: &mut Report, p: &Plan, overhead: f64) -> Result<(), String> {
    let syn = synth::generate(p.peer_size, SEED + 1);
    let n = syn.shape.instruments;
    let snap = Snapshot::compile(syn.register);
    let qs = synth::questions(&snap, p.peer_questions, SEED + 2, &synth::query_functions());
    let t = Instant::now();
    let cedar = CedarPeer::encode(&snap).map_err(|e| e.to_string())?;
    let cedar_load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let sqlite = SqlitePeer::load(&snap).map_err(|e| e.to_string())?;
    let sqlite_load = t.elapsed().as_secs_f64();
    let run = compare_then_time(&snap, &cedar, &sqlite, &qs, overhead)?;
    rep.row(
        &format!("peers: register of {n} instruments, {} grants", snap.grant_count()),
        format!("{} answers agree ({} yes), and each timed call gave its compared answer; Cedar loaded in {cedar_load:.1} s ({} policies, largest slice {}), SQLite in {sqlite_load:.1} s", qs.len(), run.yes(), cedar.policies, cedar.largest_slice()),
    );
    let (may, c, s) = (run.vires.summary, run.cedar.summary, run.sqlite.summary);
    let (cr, sr) = (c.median_ns / may.median_ns, s.median_ns / may.median_ns);
    rep.row(
        "vires may, median / p99",
        format!("{} / {}", ns(may.median_ns), ns(may.p99_ns)),
    );
    rep.row(
        "Cedar may, median / p99 (ratio of medians)",
        format!("{} / {} ({cr:.0}x)", ns(c.median_ns), ns(c.p99_ns)),
    );
    rep.row(
        "SQLite may, median / p99 (ratio of medians)",
        format!("{} / {} ({sr:.0}x)", ns(s.median_ns), ns(s.p99_ns)),
    );
    rep.set("peer_instruments", n);
    rep.set("peer_grants", snap.grant_count());
    rep.set("peer_answers_compared", qs.len());
    rep.set("peer_questions_timed", run.vires.answers.len());
    rep.set("peer_yes_answers", run.yes());
    rep.set("vires_may_median_ns_peer", may.median_ns);
    rep.set("vires_may_p99_ns_peer", may.p99_ns);
    rep.set("cedar_median_ns", c.median_ns);
    rep.set("cedar_p99_ns", c.p99_ns);
    rep.set("cedar_ratio", cr);
    rep.set("cedar_p99_ratio", c.p99_ns / may.p99_ns);
    rep.set("sqlite_median_ns", s.median_ns);
    rep.set("sqlite_p99_ns", s.p99_ns);
    rep.set("sqlite_ratio", sr);
    rep.set("sqlite_p99_ratio", s.p99_ns / may.p99_ns);
    rep.set("cedar_load_s", cedar_load);
    rep.set("sqlite_load_s", sqlite_load);
    Ok(())
}

/// The 1-minute load average: on a shared machine, timings are only as good as this is low.
/// `who / hot path / may` medians, then their p99s, for one report row.
pub(crate) fn medians_and_p99(who: &Summary, hot: &Summary, may: &Summary) -> String {
    format!(
        "{} / {} / {}  (p99 {} / {} / {})",
        ns(who.median_ns),
        ns(hot.median_ns),
        ns(may.median_ns),
        ns(who.p99_ns),
        ns(hot.p99_ns),
        ns(may.p99_ns)
    )
}

pub(crate) fn load_average() -> Value {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(Value::from)
        .unwrap_or(Value::Null)
}

pub(crate) fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
                    / 1024
                    / 1024
            })
        })
        .unwrap_or(0);
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "memory_gib": mem,
        "os": std::env::consts::OS,
    })
}
