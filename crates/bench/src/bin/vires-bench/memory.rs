//! `--memory`: where the bytes per instrument go, measured with the counting allocator.

use crate::heap::LIVE;
use crate::SEED;
use std::sync::atomic::Ordering;
use vires_bench::synth;
use vires_core::{SmolStr, Snapshot};

/// Where the bytes per instrument go at about `n` instruments: the register part by part
/// (each part dropped in turn and the counting allocator's drop read, so these are
/// measured), then the snapshot's own tables (from their capacities, `Snapshot::heap_parts`).
pub(crate) fn memory_breakdown(n: usize) -> Result<(), String> {
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
    reg.practices.shrink_to_fit();
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
    macro_rules! drop_group {
        ($name:literal, $set:ident) => {
            for i in reg.instruments.iter_mut() {
                i.$set(Default::default());
            }
            report($name);
        };
    }
    drop_group!("particulars", set_particulars);
    drop_group!("terms", set_terms);
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
    for a in reg.practices.iter_mut() {
        a.code = SmolStr::default();
        a.name = "".into();
        a.postcode = None;
        a.status = None;
    }
    report("practices' text");
    drop_part!("practices inline", practices);
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
