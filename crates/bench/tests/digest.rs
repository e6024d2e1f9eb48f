//! The snapshot digest: canonical records with named, sorted fields, equal for equal
//! snapshots however they were built, different when the register says something else.

use vires_bench::digest::{canonical_records, digest};
use vires_bench::synth;
use vires_core::compile::compile_on_one_thread;
use vires_core::{InstrumentKind, Snapshot};

#[test]
fn equal_snapshots_have_equal_digests_however_built() {
    let syn = synth::generate(3_000, 3);
    let two_threads = digest(&Snapshot::compile(syn.register.clone()), 300);
    let one_thread = digest(&compile_on_one_thread(syn.register.clone()), 300);
    assert_eq!(two_threads, one_thread);
    assert!(two_threads.records > 3_000, "{two_threads:?}");
    assert_eq!(two_threads.hex.len(), 64);
}

#[test]
fn a_register_that_says_something_else_has_another_digest() {
    let syn = synth::generate(3_000, 3);
    let before = digest(&Snapshot::compile(syn.register.clone()), 300);
    let mut reg = syn.register;
    // End one delegation a day after it starts.
    let d = reg
        .instruments
        .iter_mut()
        .find(|i| i.kind == InstrumentKind::Delegation && i.until.is_none())
        .expect("the generator makes open-ended delegations");
    d.until = d.from.tomorrow().ok();
    let after = digest(&Snapshot::compile(reg), 300);
    assert_ne!(before.hex, after.hex);
}

#[test]
fn records_are_json_objects_with_sorted_named_fields() {
    let syn = synth::generate(1_000, 3);
    let snap = Snapshot::compile(syn.register);
    let mut kinds = std::collections::BTreeSet::new();
    canonical_records(&snap, 50, |line| {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        let mut in_order = keys.clone();
        in_order.sort();
        assert_eq!(keys, in_order, "{line}");
        let at: Vec<usize> = keys
            .iter()
            .map(|k| line.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "fields in name order: {line}"
        );
        kinds.insert(v["record"].as_str().unwrap().to_string());
        // Things are named by code and id, not by a type's name or an internal number.
        assert!(
            !line.contains("BodyId") && !line.contains("GrantId"),
            "{line}"
        );
    });
    for k in [
        "grant",
        "diagnostic",
        "instrument",
        "body",
        "membership",
        "who",
    ] {
        assert!(kinds.contains(k), "no {k} records: {kinds:?}");
    }
}
