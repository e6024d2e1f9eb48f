//! Fingerprints the bundled data at build time: the files `src/bundle.rs` embeds, hashed as
//! `bundle::fingerprint` defines (each name and text, length-prefixed, in this order), so a
//! start with a warm register cache does not hash five megabytes on every run. A unit test
//! in `bundle.rs` recomputes it from the embedded texts and must agree.

use sha2::{Digest, Sha256};

/// (the name hashed, the file's path from this crate), in the fingerprint's order.
const FILES: &[(&str, &str)] = &[
    ("ods_eccg_2024.csv", "../../data/ods/ods_eccg_2024.csv"),
    ("ods_succ.csv", "../../data/ods/ods_succ.csv"),
    (
        "ods_epraccur_2019_12.csv",
        "../../data/ods/ods_epraccur_2019_12.csv",
    ),
    ("ons_icb_dec2024.csv", "../../data/ods/ons_icb_dec2024.csv"),
    ("ref_ccg21.csv", "../../data/ods/ref_ccg21.csv"),
    ("ref_ccg20.csv", "../../data/ods/ref_ccg20.csv"),
    (
        "ccg_names_codes_2018_04.csv",
        "../../data/ods/ccg_names_codes_2018_04.csv",
    ),
    (
        "ons_ccg_lad_lookup.csv",
        "../../data/ods/ons_ccg_lad_lookup.csv",
    ),
    (
        "data/national/01-statutory-2013.vires",
        "../../data/national/01-statutory-2013.vires",
    ),
    (
        "data/national/02-coronavirus-2020.vires",
        "../../data/national/02-coronavirus-2020.vires",
    ),
    (
        "data/national/03-icbs-2022.vires",
        "../../data/national/03-icbs-2022.vires",
    ),
    (
        "data/national/04-primary-care-2022-2023.vires",
        "../../data/national/04-primary-care-2022-2023.vires",
    ),
    (
        "data/national/05-specialised-2023-2025.vires",
        "../../data/national/05-specialised-2023-2025.vires",
    ),
    (
        "data/national/06-co-commissioning-2015-2022.vires",
        "../../data/national/06-co-commissioning-2015-2022.vires",
    ),
    (
        "data/curated/icb-reshape-2026.csv",
        "../../data/curated/icb-reshape-2026.csv",
    ),
    (
        "data/curated/practice-moves.csv",
        "../../data/curated/practice-moves.csv",
    ),
    (
        "data/curated/practice-history.csv",
        "../../data/curated/practice-history.csv",
    ),
    (
        "data/curated/icb-names-2026.csv",
        "../../data/curated/icb-names-2026.csv",
    ),
    (
        "data/curated/nhs-regions.csv",
        "../../data/curated/nhs-regions.csv",
    ),
    ("data/coverage.csv", "../../data/coverage.csv"),
    ("prelude/taxonomy.vires", "../lang/prelude/taxonomy.vires"),
    ("prelude/bodies.vires", "../lang/prelude/bodies.vires"),
    ("prelude/powers.vires", "../lang/prelude/powers.vires"),
];

fn main() {
    let mut h = Sha256::new();
    for (name, path) in FILES {
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("the bundled file {path} cannot be read: {e}"));
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=VIRES_BUNDLE_FINGERPRINT=england:sha256:{hex}");
}
