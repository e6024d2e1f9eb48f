//! `--build` and `--digest`: a synthetic register's snapshot built and timed as the quick
//! run times it, or digested to show a faster build changes nothing.

use crate::heap::LIVE;
use crate::SEED;
use std::sync::atomic::Ordering;
use std::time::Instant;
use vires_bench::synth;
use vires_core::Snapshot;

#[inline(never)]
pub(crate) fn build_region(register: vires_core::Register) -> Snapshot {
    Snapshot::compile(register)
}

/// The builds the quick run makes before its last: `reps - 1`, each from a fresh clone of
/// `register` (the clone is not timed), in milliseconds.
pub(crate) fn builds_of_clones(register: &vires_core::Register, reps: usize) -> Vec<f64> {
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
pub(crate) fn median_build(builds: &mut [f64]) -> f64 {
    builds.sort_by(|a, b| a.total_cmp(b));
    builds.get(builds.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `reps` builds of a synthetic register of about `n` instruments, timed as the quick run
/// times them (`builds_of_clones`, then one from the register itself); under callgrind,
/// with `--toggle-collect='*build_region*'`, the instructions of compiling alone.
/// Also prints live heap bytes per instrument, counted as the `--quick` table counts them
/// (register, then register and snapshot), so memory can be checked without a full run.
pub(crate) fn build_timed(n: usize, reps: usize) -> Result<(), String> {
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
pub(crate) const DIGEST_QUESTIONS: usize = 2_000;

/// The digest of the snapshot of a synthetic register of about `n` instruments, from its
/// canonical serialisation (`vires_bench::digest`): equal digests, equal snapshots.
pub(crate) fn digest(n: usize) -> Result<(), String> {
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
