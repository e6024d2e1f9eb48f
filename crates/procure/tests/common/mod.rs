//! The register for the worked examples is `examples/procurement/register.vires`, the same
//! file the CLI answers from (`vires -r examples/procurement/register.vires procure ...`), so
//! the library and the binary are asserted against one truth: Parliament and NHS England (from
//! the prelude), five CCGs of South Yorkshire and Bassetlaw (2013-04-01 to 2022-06-30), two
//! ICBs and two sub-ICB locations from 2022-07-01, statutory conferrals, and the two seed-2
//! mandates (which cite no power). The hypothetical power for the what-if is
//! `examples/procurement/what-if/support-services-power.vires`.
#![allow(dead_code)]

use std::path::PathBuf;
use vires_core::{Date, Power, Register, Snapshot};

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}

pub const LPF: &str = "lead-provider-framework";

fn path(rel: &str) -> PathBuf {
    [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "examples",
        "procurement",
        rel,
    ]
    .iter()
    .collect()
}

fn sources(rel: &str) -> vires_lang::Sources {
    let p = path(rel);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut s = vires_lang::Sources::new();
    s.add(p.display().to_string(), text);
    s
}

/// `examples/procurement/register.vires` with the prelude, lowered without errors.
pub fn register() -> Register {
    register_with(&[])
}

/// The register with more files from `examples/procurement/` (the `what-if/` files).
pub fn register_with(extra: &[&str]) -> Register {
    let mut all = sources("register.vires");
    for rel in extra {
        for (_, f) in sources(rel).iter() {
            all.add(f.name.clone(), f.text.clone());
        }
    }
    let loaded = vires_lang::load_with_prelude(&all);
    assert!(
        loaded.errors.is_empty(),
        "register.vires: {}",
        vires_lang::render(&loaded.sources, &loaded.errors, &[], false)
    );
    loaded.register
}

/// The power the seed's dispute is about: hypothetical, for the what-if.
pub fn hypothetical_power() -> Power {
    let loaded = vires_lang::load(&sources("what-if/support-services-power.vires"));
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let mut powers = loaded.register.powers;
    assert_eq!(powers.len(), 1, "the what-if file declares one power");
    powers.remove(0)
}

pub fn snapshot() -> Snapshot {
    Snapshot::compile(register())
}

pub fn snapshot_with_power() -> Snapshot {
    let mut r = register();
    r.add_power(hypothetical_power());
    Snapshot::compile(r)
}

pub fn example(name: &str) -> String {
    let p = path(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
