//! `vires-bench`: the one command that measures vires against its peers.
//!
//! `cargo run --release -p vires-bench -- --quick` (under five minutes on two cores) writes
//! `target/bench/summary.json` and `target/bench/performance.svg` and prints a table.
//! `--full` uses more questions, repetitions and a larger register for the peers.
//! `--callgrind-who N` only builds a fixed synthetic register and asks `who` N times inside
//! one function, for `valgrind --tool=callgrind --toggle-collect=...` (see scripts/bench.sh).
//! `--set KEY=NUMBER ...` merges figures measured outside (HTTP, callgrind) into the summary.
//!
//! - `quick`: the `--quick` and `--full` runs and their table; `england`: the bundled
//!   register as a subject; `build`, `memory` and `callgrind`: the single measurements
//!   scripts ask for; `summary`: `target/bench/summary.json`; `heap`: the counting
//!   allocator that measures memory.

mod build;
mod callgrind;
mod england;
mod heap;
mod memory;
mod quick;
mod summary;

use build::{build_timed, digest};
use callgrind::callgrind;
use england::{england, http_paths};
use memory::memory_breakdown;
use quick::{peers, plan, run, Report};
use summary::set;
use vires_bench::timing::timer_overhead;

pub(crate) const SEED: u64 = 20_260_401;

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
