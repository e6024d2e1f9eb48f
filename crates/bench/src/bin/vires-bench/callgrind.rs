//! `--callgrind-who` and `--callgrind-may`: questions asked inside one function, for
//! `valgrind --tool=callgrind --toggle-collect=...`.

use crate::england::{all_functions, england_snapshot};
use crate::SEED;
use vires_bench::synth::{self, Question};
use vires_core::{Place, Snapshot};

/// The region callgrind counts: `n` who questions (and `n` may) on a fixed register.
#[inline(never)]
pub(crate) fn callgrind_region(snap: &Snapshot, qs: &[Question], may: bool) -> usize {
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

pub(crate) fn callgrind(n: usize, may: bool, england: bool) -> Result<(), String> {
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
