//! `vires-bench`: the one command that measures vires against its peers.
//!
//! `cargo run --release -p vires-bench -- --quick` (under five minutes on two cores) writes
//! `target/bench/summary.json` and `target/bench/performance.svg` and prints a table.
//! `--full` uses more questions, repetitions and a larger register for the peers.
//! `--callgrind-who N` only builds a fixed synthetic register and asks `who` N times inside
//! one function, for `valgrind --tool=callgrind --toggle-collect=...` (see scripts/bench.sh).
//! `--set KEY=NUMBER ...` merges figures measured outside (HTTP, callgrind) into the summary.

use serde_json::{json, Map, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use vires_bench::cedar::CedarPeer;
use vires_bench::plot::{chart, Series};
use vires_bench::sqlite::SqlitePeer;
use vires_bench::stats::{growth_exponent, Summary};
use vires_bench::synth::{self, Question};
use vires_bench::timing::{
    check_query_answers, compare_then_time, time_queries, timer_overhead, QueryTimes,
};
use vires_core::{Place, SmolStr, Snapshot};

/// Counts live heap bytes, so memory per instrument is measured, not estimated. One relaxed
/// add per call: the counter is on every allocation the timed questions make too.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SEED: u64 = 20_260_401;
/// The figures scripts/bench.sh measures outside this process and merges in with `--set`.
const OUTSIDE_FIGURES: [&str; 10] = [
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
/// Timing rounds of the England questions; the middle one is reported.
#[cfg(feature = "england")]
const ENGLAND_ROUNDS: usize = 5;

struct Plan {
    sizes: Vec<(usize, usize)>,
    questions: usize,
    peer_size: usize,
    /// Questions put to vires, Cedar and SQLite: every one compared, then every one timed.
    peer_questions: usize,
    /// Longest predicted build to attempt, in milliseconds.
    build_budget_ms: f64,
}

fn plan(full: bool) -> Plan {
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
struct Report {
    rows: Vec<(String, String)>,
    summary: Map<String, Value>,
}

impl Report {
    fn set(&mut self, key: &str, v: impl Into<Value>) {
        self.summary.insert(key.to_string(), v.into());
    }
    fn row(&mut self, what: &str, value: String) {
        println!("{what:<58} {value}");
        self.rows.push((what.to_string(), value));
    }
}

fn ns(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} ms", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.2} µs", v / 1e3)
    } else {
        format!("{v:.0} ns")
    }
}

fn out_dir() -> PathBuf {
    std::env::var_os("VIRES_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench"))
}

fn run(full: bool) -> Result<(), String> {
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

#[cfg(feature = "england")]
fn england(rep: &mut Report, n: usize, overhead: f64) -> Result<(), String> {
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
        format!("{import_ms:.0} ms / {build_ms:.1} ms ({instruments} instruments, {} grants, {} practices)", snap.grant_count(), snap.register().atoms.len()),
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
fn england(rep: &mut Report, _n: usize, _overhead: f64) -> Result<(), String> {
    rep.row(
        "England register",
        "skipped: built without the `england` feature".into(),
    );
    rep.set("england_note", "built without the england feature");
    Ok(())
}

fn peers(rep: &mut Report, p: &Plan, overhead: f64) -> Result<(), String> {
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
fn medians_and_p99(who: &Summary, hot: &Summary, may: &Summary) -> String {
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

fn load_average() -> Value {
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

fn machine() -> Value {
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

fn read_summary(path: &Path) -> Map<String, Value> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

fn write_summary(path: &Path, summary: &Map<String, Value>) -> Result<(), String> {
    let text = serde_json::to_string_pretty(summary)
        .map_err(|e| format!("cannot encode the summary: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `--set key=value ...`: numbers stay numbers, anything else is stored as text.
fn set(pairs: &[String]) -> Result<(), String> {
    let path = out_dir().join("summary.json");
    let mut summary = read_summary(&path);
    for p in pairs {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| format!("`{p}` is not KEY=VALUE"))?;
        let value = match v.parse::<f64>() {
            Ok(x) if x.is_finite() => json!(x),
            _ if v == "null" => Value::Null,
            _ => json!(v),
        };
        summary.insert(k.to_string(), value);
    }
    write_summary(&path, &summary)?;
    println!("updated {}", path.display());
    Ok(())
}

/// The region callgrind counts: `n` who questions (and `n` may) on a fixed register.
#[inline(never)]
fn callgrind_region(snap: &Snapshot, qs: &[Question], may: bool) -> usize {
    let mut total = 0;
    for q in qs {
        let p = Place::Practice(q.practice.as_str().into());
        total += if may {
            snap.may(&q.body, &q.function, &p, q.on, q.purpose.as_deref())
                .map(|a| a.allowed as usize)
                .unwrap_or(0)
        } else {
            snap.who(&q.function, &p, q.on, q.purpose.as_deref())
                .map(|w| w.holders.len())
                .unwrap_or(0)
        };
    }
    total
}

fn callgrind(n: usize, may: bool, england: bool) -> Result<(), String> {
    let (snap, fns) = if england {
        let snap = england_snapshot()?;
        let fns = all_functions(&snap);
        (snap, fns)
    } else {
        let syn = synth::generate(10_000, SEED);
        (Snapshot::compile(syn.register), synth::query_functions())
    };
    let qs = synth::questions(&snap, n, SEED, &fns);
    let total = callgrind_region(&snap, &qs, may);
    println!(
        "asked {} {} questions ({total})",
        qs.len(),
        if may { "may" } else { "who" }
    );
    Ok(())
}

#[inline(never)]
fn build_region(register: vires_core::Register) -> Snapshot {
    Snapshot::compile(register)
}

/// The builds the quick run makes before its last: `reps - 1`, each from a fresh clone of
/// `register` (the clone is not timed), in milliseconds.
fn builds_of_clones(register: &vires_core::Register, reps: usize) -> Vec<f64> {
    (1..reps)
        .map(|_| {
            let reg = register.clone();
            let t = Instant::now();
            let snap = build_region(reg);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            drop(snap);
            ms
        })
        .collect()
}

/// The median of build times (the upper one of an even count); sorts them.
fn median_build(builds: &mut [f64]) -> f64 {
    builds.sort_by(|a, b| a.total_cmp(b));
    builds.get(builds.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `reps` builds of a synthetic register of about `n` instruments, timed as the quick run
/// times them (`builds_of_clones`, then one from the register itself); under callgrind,
/// with `--toggle-collect='*build_region*'`, the instructions of compiling alone.
/// Also prints live heap bytes per instrument, counted as the `--quick` table counts them
/// (register, then register and snapshot), so memory can be checked without a full run.
fn build_timed(n: usize, reps: usize) -> Result<(), String> {
    let before = LIVE.load(Ordering::Relaxed);
    let syn = synth::generate(n, SEED);
    let shape = syn.shape.clone();
    let instruments = shape.instruments;
    let register_bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let mut times = builds_of_clones(&syn.register, reps);
    let t = Instant::now();
    let snap = build_region(syn.register);
    times.push(t.elapsed().as_secs_f64() * 1e3);
    let snapshot_bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
    let each: Vec<String> = times.iter().map(|ms| format!("{ms:.1}")).collect();
    let ms = median_build(&mut times);
    if reps > 1 {
        println!("builds (ms, in order): {}", each.join(", "));
    }
    println!(
        "built {instruments} instruments into {} grants in {ms:.1} ms{}; {:.0} bytes per instrument (register alone {:.0}); {} diagnostics; {shape:?}",
        snap.grant_count(),
        if reps > 1 { format!(" (median of {reps})") } else { String::new() },
        snapshot_bytes as f64 / instruments as f64,
        register_bytes as f64 / instruments as f64,
        snap.diagnostics.len(),
    );
    Ok(())
}

/// Sample `who` answers the digest covers, so the indexes that answer questions are in it.
const DIGEST_QUESTIONS: usize = 2_000;

/// The digest of the snapshot of a synthetic register of about `n` instruments, from its
/// canonical serialisation (`vires_bench::digest`): equal digests, equal snapshots.
fn digest(n: usize) -> Result<(), String> {
    let syn = synth::generate(n, SEED);
    let instruments = syn.shape.instruments;
    let snap = Snapshot::compile(syn.register);
    let d = vires_bench::digest::digest(&snap, DIGEST_QUESTIONS);
    println!(
        "{instruments} instruments, {} grants: digest {} of {} canonical records ({} bytes)",
        snap.grant_count(),
        d.hex,
        d.records,
        d.bytes
    );
    Ok(())
}

/// Where the bytes per instrument go at about `n` instruments: the register part by part
/// (each part dropped in turn and the counting allocator's drop read, so these are
/// measured), then the snapshot's own tables (from their capacities, `Snapshot::heap_parts`).
fn memory_breakdown(n: usize) -> Result<(), String> {
    let live = || LIVE.load(Ordering::Relaxed);
    let before = live();
    let syn = synth::generate(n, SEED);
    let instruments = syn.shape.instruments;
    let register_bytes = live().saturating_sub(before);
    let snap = Snapshot::compile(syn.register);
    let total = live().saturating_sub(before);
    let per = |b: usize| b as f64 / instruments as f64;
    println!(
        "{instruments} instruments, {} grants: {:.1} bytes per instrument in all, register {:.1} (as generated)",
        snap.grant_count(),
        per(total),
        per(register_bytes)
    );
    let parts = snap.heap_parts();
    let tables: usize = parts.iter().map(|p| p.1).sum();
    println!(
        "snapshot tables {:.1}, the register inside it {:.1}:",
        per(tables),
        per(total.saturating_sub(tables))
    );
    for (name, b) in &parts {
        if per(*b) >= 0.05 {
            println!("  {name:<18} {:>7.1}", per(*b));
        }
    }
    drop(snap);

    // The register again (generation is deterministic), shrunk as compiling shrinks it.
    let mut reg = synth::generate(n, SEED).register;
    reg.instruments.shrink_to_fit();
    reg.memberships.shrink_to_fit();
    reg.atoms.shrink_to_fit();
    reg.bodies.shrink_to_fit();
    println!("register, measured by dropping each part:");
    let mut mark = live();
    let mut report = |name: &str| {
        let now = live();
        println!("  {name:<18} {:>7.1}", per(mark.saturating_sub(now)));
        mark = now;
    };
    let empty = vires_core::Instrument::new(
        "",
        vires_core::InstrumentKind::Exercise,
        jiff::civil::date(2013, 4, 1),
    );
    macro_rules! drop_field {
        ($name:literal, $field:ident) => {
            for i in reg.instruments.iter_mut() {
                i.$field = empty.$field.clone();
            }
            report($name);
        };
    }
    drop_field!("instrument ids", id);
    drop_field!("titles", title);
    drop_field!("makers", maker);
    drop_field!("function lists", functions);
    drop_field!("areas", area);
    drop_field!("particulars", particulars);
    drop_field!("terms", terms);
    println!(
        "  (an instrument inline is {} bytes)",
        std::mem::size_of::<vires_core::Instrument>()
    );
    // Each part's bytes are what dropping it frees.
    macro_rules! drop_part {
        ($name:literal, $part:ident) => {
            drop(std::mem::take(&mut reg.$part));
            report($name);
        };
    }
    drop_part!("instruments inline", instruments);
    for a in reg.atoms.iter_mut() {
        a.code = SmolStr::default();
        a.name = "".into();
        a.postcode = None;
        a.status = None;
    }
    report("practices' text");
    drop_part!("practices inline", atoms);
    drop_part!("memberships", memberships);
    drop_part!("bodies", bodies);
    drop_part!("body parents", parents);
    drop_part!("successions", successions);
    drop_part!("named areas", areas);
    drop_part!("powers", powers);
    drop_part!("taxonomy", taxonomy);
    drop(reg);
    report("the indexes by code");
    Ok(())
}

/// Every function id of a register's taxonomy, the functions questions are drawn from.
fn all_functions(snap: &Snapshot) -> Vec<String> {
    snap.register()
        .taxonomy
        .iter()
        .map(|(_, d)| d.id.clone())
        .collect()
}

#[cfg(feature = "england")]
fn england_snapshot() -> Result<Snapshot, String> {
    vires_england::bundled()
        .map(|i| Snapshot::compile(i.register))
        .map_err(|e| format!("the England register does not build: {e}"))
}

#[cfg(not(feature = "england"))]
fn england_snapshot() -> Result<Snapshot, String> {
    Err("built without the `england` feature".into())
}

/// Paths of `who` questions about real practices, for the HTTP benchmark.
fn http_paths(n: usize) -> Result<(), String> {
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

const USAGE: &str = "usage: vires-bench [--quick | --full] | --callgrind-who N | --callgrind-may N | --set KEY=VALUE...
  --quick            the quick benchmark (default; under five minutes on two cores)
  --full             more questions and repetitions, peers on 10^5 instruments
  --peers-only       only the Cedar and SQLite comparison (quick size); writes nothing
  --england-only     only the bundled England register's build and query times; writes nothing
  --callgrind-who N  ask `who` N times in callgrind_region (for valgrind --tool=callgrind)
  --callgrind-may N  the same for `may`
                     (either with --england after N: questions about the bundled England register)
  --build N [REPS]   generate a synthetic register of about N instruments and time one build,
                     or REPS builds as the quick run does (median printed)
                     (under callgrind: --toggle-collect='*build_region*')
  --memory N         where the bytes per instrument go at about N instruments
  --digest N         build a synthetic register of about N instruments and print a digest of
                     the snapshot's canonical serialisation (grants, diagnostics, instruments,
                     bodies, memberships and 2,000 sample answers, as sorted records with
                     named fields): a change meant to make the build faster must leave it
                     as it was
  --http-paths N     print N `GET /who` paths about the bundled England register (for wrk)
  --set KEY=VALUE    merge figures measured elsewhere into target/bench/summary.json
Output goes to target/bench (or $VIRES_BENCH_OUT).";

/// The number after a mode (`--build 1000000`), or the error saying what it counts.
fn count_arg(args: &[String], what: &str) -> Result<usize, String> {
    match args.get(1).map(|n| n.parse::<usize>()) {
        Some(Ok(n)) => Ok(n),
        _ => Err(format!(
            "{} needs a number of {what}\n{USAGE}",
            args.first().map_or("the mode", String::as_str)
        )),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("--quick") => run(false),
        Some("--full") => run(true),
        Some("--england-only") => {
            let mut rep = Report::default();
            england(&mut rep, plan(false).questions, timer_overhead())
        }
        Some("--peers-only") => {
            let mut rep = Report::default();
            peers(&mut rep, &plan(false), timer_overhead())
        }
        Some(m @ ("--callgrind-who" | "--callgrind-may")) => count_arg(&args, "questions")
            .and_then(|n| {
                callgrind(
                    n,
                    m == "--callgrind-may",
                    args.get(2).is_some_and(|a| a == "--england"),
                )
            }),
        Some("--build") => count_arg(&args, "instruments").and_then(|n| {
            let reps = match args.get(2).map(|r| r.parse::<usize>()) {
                None => Ok(1),
                Some(Ok(r)) if r >= 1 => Ok(r),
                Some(_) => Err(format!(
                    "--build N [REPS]: REPS must be a number from 1\n{USAGE}"
                )),
            }?;
            build_timed(n, reps)
        }),
        Some("--memory") => count_arg(&args, "instruments").and_then(memory_breakdown),
        Some("--digest") => count_arg(&args, "instruments").and_then(digest),
        Some("--set") => set(&args[1..]),
        Some("--http-paths") => count_arg(&args, "questions").and_then(http_paths),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown argument `{other}`\n{USAGE}")),
    };
    if let Err(e) = result {
        eprintln!("vires-bench: {e}");
        std::process::exit(1);
    }
}
