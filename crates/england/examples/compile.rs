//! Compiles the bundled register and prints its validity diagnostics, counted by code.
use std::collections::BTreeMap;

fn main() {
    let import = match vires_england::bundled() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let t = std::time::Instant::now();
    let snap = vires_core::Snapshot::compile(import.register);
    println!(
        "compiled in {:?}: {} grants",
        t.elapsed(),
        snap.grant_count()
    );
    let mut by: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for d in &snap.diagnostics {
        *by.entry((d.code, format!("{:?}", d.severity))).or_default() += 1;
    }
    for ((c, s), n) in by {
        println!("{c} {s} {n}");
    }
    let show: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    for d in snap.diagnostics.iter().take(show) {
        println!("{} {:?} {}: {}", d.code, d.severity, d.subject, d.message);
    }
}
