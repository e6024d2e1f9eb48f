//! Time to build the England register from the raw ODS/ONS files, and peak memory.
//!
//! Run with `cargo bench -p vires-england`. Reads `data/ods` from disk (as `vires import ods`
//! does), builds the register N times, and prints the median, the minimum and the process's
//! peak resident memory (VmHWM from /proc on Linux).

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ods");
    let runs: usize = std::env::var("VIRES_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let before = peak_rss_kib();
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut summary = String::new();
    let mut stages: Vec<(String, Duration)> = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        stages.clear();
        let mut last = Instant::now();
        let mut record = |s: vires_england::Stage| {
            let now = Instant::now();
            let name = match s {
                vires_england::Stage::Read { file } => format!("read {file}"),
                other => format!("{other:?}"),
            };
            stages.push((name, now - last));
            last = now;
        };
        let import = match vires_england::build_from_dir(&dir, &mut record) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("build failed: {e}");
                std::process::exit(1);
            }
        };
        times.push(t.elapsed());
        summary = format!(
            "{} bodies, {} practices, {} memberships, {} successions, {} instruments, {} areas, {} quality issues",
            import.register.bodies.len(),
            import.register.practices.len(),
            import.register.memberships.len(),
            import.register.successions.len(),
            import.register.instruments.len(),
            import.register.areas.len(),
            import.quality.issues.len()
        );
    }
    times.sort();
    let median = times[times.len() / 2];
    let min = times[0];
    println!("england/build_from_dir: {runs} runs, median {median:?}, min {min:?}");
    println!("  {summary}");
    println!("  last run, time to reach each stage:");
    for (name, d) in &stages {
        println!("    {d:>12?}  {name}");
    }
    match (before, peak_rss_kib()) {
        (Some(b), Some(a)) => println!(
            "  peak resident memory: {:.1} MiB (before building: {:.1} MiB)",
            a as f64 / 1024.0,
            b as f64 / 1024.0
        ),
        _ => println!("  peak resident memory: not available on this platform"),
    }
}
