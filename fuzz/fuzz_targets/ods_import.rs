//! The ODS/ONS import from in-memory files: never panic, whatever the rows hold. The input
//! is the files' texts separated by NUL bytes, in this order: eccg, succ, epraccur, icb,
//! CCG names (2021), CCG to local authority lookup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vires_england::{SourceFile, Sources};

fn file(name: &str, text: Option<&[u8]>) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        text: String::from_utf8_lossy(text.unwrap_or_default()).into_owned(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let sources = Sources {
        eccg: file("eccg.csv", parts.next()),
        succ: file("succ.csv", parts.next()),
        epraccur: file("epraccur.csv", parts.next()),
        icb: file("icb.csv", parts.next()),
        ccg_names: vec![file("ref_ccg21.csv", parts.next())],
        ccg_lad: parts.next().map(|t| file("ons_ccg_lad_lookup.csv", Some(t))),
    };
    let report = vires_england::QualityReport::new();
    if let Ok(import) = vires_england::build_from_sources(&sources, report, &mut |_| {}) {
        let _ = vires_core::Snapshot::compile(import.register);
    }
});
