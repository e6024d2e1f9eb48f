#![allow(dead_code)]

use std::path::PathBuf;
use vires_core::{Date, Place, Register, Snapshot};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A register from `.vires` files under the project root, with the prelude.
pub fn register(files: &[&str]) -> Register {
    let mut s = vires_lang::Sources::new();
    for f in files {
        s.add(*f, read(f));
    }
    let loaded = vires_lang::load_with_prelude(&s);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.register
}

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// (body, role, accountable) of every holder, sorted.
pub fn who(reg: &Register, f: &str, place: Place, on: &str) -> Vec<(String, String, String)> {
    let snap = Snapshot::compile(reg.clone());
    let w = snap.who(f, &place, d(on), None).unwrap();
    let mut v: Vec<_> = w
        .holders
        .iter()
        .map(|h| {
            (
                h.body.to_string(),
                h.role.to_string(),
                h.accountable.to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

pub fn hs(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

pub fn with(reg: &Register, instruments: &[vires_core::Instrument]) -> Register {
    let mut r = reg.clone();
    for i in instruments {
        r.add_instrument(i.clone());
    }
    r
}
