//! The bundled data: the ODS/ONS extracts in `data/ods` and the curated national instruments
//! in `data/national`, embedded at compile time so the binary needs no files at run time.

use crate::ods::{ImportError, SourceFile, Sources};
use crate::quality::{kinds, QualityReport};
use crate::{build_from_sources, Import, Stage};

macro_rules! data_file {
    ($name:literal) => {
        ($name, include_str!(concat!("../../../data/ods/", $name)))
    };
}

const ECCG: (&str, &str) = data_file!("ods_eccg_2024.csv");
const SUCC: (&str, &str) = data_file!("ods_succ.csv");
const EPRACCUR: (&str, &str) = data_file!("ods_epraccur_2019_12.csv");
const ICB: (&str, &str) = data_file!("ons_icb_dec2024.csv");
const CCG21: (&str, &str) = data_file!("ref_ccg21.csv");
const CCG20: (&str, &str) = data_file!("ref_ccg20.csv");
const CCG18: (&str, &str) = data_file!("ccg_names_codes_2018_04.csv");
const CCG_LAD: (&str, &str) = data_file!("ons_ccg_lad_lookup.csv");

macro_rules! national_file {
    ($name:literal) => {
        (
            concat!("data/national/", $name),
            include_str!(concat!("../../../data/national/", $name)),
        )
    };
}

/// The curated national instruments, as (file name, `.vires` text).
pub const NATIONAL_FILES: &[(&str, &str)] = &[
    national_file!("01-statutory-2013.vires"),
    national_file!("02-coronavirus-2020.vires"),
    national_file!("03-icbs-2022.vires"),
    national_file!("04-primary-care-2022-2023.vires"),
    national_file!("05-specialised-2023-2025.vires"),
    national_file!("06-co-commissioning-2015-2022.vires"),
];

/// The curated table of where the places of split ICBs went (see `data/README.md`), as
/// (file name, CSV text). It is applied to every import, bundled or from a directory: its rows
/// only act where the ODS files still leave a place of a split ICB in no ICB.
pub const RESHAPE_FILE: (&str, &str) = (
    "data/curated/icb-reshape-2026.csv",
    include_str!("../../../data/curated/icb-reshape-2026.csv"),
);

/// The curated table of practices that changed commissioner after the practice file's
/// snapshot (boundary changes; see `data/README.md`), as (file name, CSV text).
pub const MOVES_FILE: (&str, &str) = (
    "data/curated/practice-moves.csv",
    include_str!("../../../data/curated/practice-moves.csv"),
);

/// The curated table of practices' commissioners before their join dates in the practice
/// file, from earlier dated practice lists (see `data/README.md`), as (file name, CSV text).
pub const HISTORY_FILE: (&str, &str) = (
    "data/curated/practice-history.csv",
    include_str!("../../../data/curated/practice-history.csv"),
);

/// The curated names of the ICBs a reshape created, which the bundled ONS list predates
/// (see `data/README.md`), as (file name, CSV text).
pub const ICB_NAMES_FILE: (&str, &str) = (
    "data/curated/icb-names-2026.csv",
    include_str!("../../../data/curated/icb-names-2026.csv"),
);

/// The names of NHS England's regions by ODS code (the ODS CCG file gives only the code),
/// with their ONS codes and evidence (see `data/README.md`), as (file name, CSV text).
pub const REGION_NAMES_FILE: (&str, &str) = (
    "data/curated/nhs-regions.csv",
    include_str!("../../../data/curated/nhs-regions.csv"),
);

/// The coverage statement (see `docs/data.md`), as (file name, CSV text).
pub const COVERAGE_FILE: (&str, &str) = (
    "data/coverage.csv",
    include_str!("../../../data/coverage.csv"),
);

pub(crate) fn coverage_statement() -> SourceFile {
    source(COVERAGE_FILE)
}

pub(crate) fn reshape_allocations() -> SourceFile {
    source(RESHAPE_FILE)
}

pub(crate) fn practice_moves() -> SourceFile {
    source(MOVES_FILE)
}

pub(crate) fn practice_history() -> SourceFile {
    source(HISTORY_FILE)
}

pub(crate) fn icb_names() -> SourceFile {
    source(ICB_NAMES_FILE)
}

pub(crate) fn region_names() -> SourceFile {
    source(REGION_NAMES_FILE)
}

/// The national files as `vires-lang` sources (file indices 0..N, in the order above).
pub fn national_sources() -> vires_lang::Sources {
    let mut s = vires_lang::Sources::new();
    for (name, text) in NATIONAL_FILES {
        s.add(*name, *text);
    }
    s
}

/// Adds the language prelude (function taxonomy, powers, PARLIAMENT, DHSC and X24) and the
/// national instruments in `national` to an ODS import. Errors in the national files are
/// an [`ImportError::National`] (they ship with the binary, so a test keeps them clean);
/// bodies or practices that clash are reported in the quality report and skipped.
pub fn add_national(import: Import, national: &vires_lang::Sources) -> Result<Import, ImportError> {
    let loaded = vires_lang::load_with_prelude(national);
    if !loaded.errors.is_empty() {
        let file = loaded
            .errors
            .iter()
            .find_map(|e| e.span)
            .and_then(|s| loaded.sources.get(s.file))
            .map(|f| f.name.clone())
            .unwrap_or_else(|| "data/national".into());
        return Err(ImportError::National {
            file,
            message: vires_lang::render(&loaded.sources, &loaded.errors, &[], false),
        });
    }
    let Import {
        register: ods,
        mut quality,
        regions,
        ..
    } = import;
    let mut register = loaded.register;
    for e in register.merge_from(ods) {
        quality.warn(
            kinds::OVERLAPPING_DATES,
            "data/national",
            None,
            None,
            format!("the imported register clashes with the prelude or national files: {e}; the imported record is skipped"),
        );
    }
    Ok(Import {
        register,
        quality,
        regions,
        sources: loaded.sources,
    })
}

fn source((name, text): (&str, &str)) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        text: text.to_string(),
    }
}

/// The bundled ODS/ONS extracts.
pub fn bundled_sources() -> Sources {
    Sources {
        eccg: source(ECCG),
        succ: source(SUCC),
        epraccur: source(EPRACCUR),
        icb: source(ICB),
        ccg_names: vec![source(CCG21), source(CCG20), source(CCG18)],
        ccg_lad: Some(source(CCG_LAD)),
    }
}

/// The bundled ODS/ONS register alone (no prelude, no national instruments).
pub fn bundled_ods() -> Result<Import, ImportError> {
    build_from_sources(&bundled_sources(), QualityReport::new(), &mut |_: Stage| {})
}

/// The bundled England register, complete: the language prelude, the ODS/ONS import and the
/// national instruments, all from data embedded in the binary.
pub fn bundled() -> Result<Import, ImportError> {
    bundled_with(&mut |_: Stage| {})
}

/// How many [`Stage`]s [`bundled_with`] reports (the embedded files are not read from disk,
/// so there are no `Read` stages): bodies, lineage, practices, areas, national, done.
pub const BUNDLED_STAGES: u64 = 6;

/// [`bundled`], reporting each stage as it is reached (for a progress bar).
pub fn bundled_with(progress: &mut dyn FnMut(Stage)) -> Result<Import, ImportError> {
    let ods = build_from_sources(&bundled_sources(), QualityReport::new(), progress)?;
    crate::with_national(ods, progress)
}

/// A fingerprint of everything the bundled register is built from (the ODS/ONS extracts, the
/// national instruments, the curated reshape, practice-move, ICB-name and region-name tables and the
/// language prelude). A store's
/// genesis entry records it, so a change log is bound to the data its changes were made
/// against; the CLI and the server must agree on it, so it lives here.
///
/// Computed when the crate is built (`build.rs`), from the same files hashed the same way
/// as [`fingerprint_of_embedded`] hashes the embedded texts; a test holds them equal.
pub fn fingerprint() -> String {
    env!("VIRES_BUNDLE_FINGERPRINT").to_string()
}

/// The fingerprint computed from the embedded texts themselves: each file's name and text,
/// length-prefixed, in a fixed order.
#[cfg(test)]
fn fingerprint_of_embedded() -> String {
    use sha2::{Digest, Sha256};
    let src = bundled_sources();
    let mut h = Sha256::new();
    let mut files: Vec<(&str, &str)> = vec![
        (&src.eccg.name, &src.eccg.text),
        (&src.succ.name, &src.succ.text),
        (&src.epraccur.name, &src.epraccur.text),
        (&src.icb.name, &src.icb.text),
    ];
    files.extend(
        src.ccg_names
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str())),
    );
    files.extend(
        src.ccg_lad
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str())),
    );
    files.extend(NATIONAL_FILES.iter().copied());
    files.push(RESHAPE_FILE);
    files.push(MOVES_FILE);
    files.push(HISTORY_FILE);
    files.push(ICB_NAMES_FILE);
    files.push(REGION_NAMES_FILE);
    files.push(COVERAGE_FILE);
    files.extend(vires_lang::PRELUDE_SOURCES.iter().copied());
    for (name, text) in files {
        // Length-prefixed, so no two different file sets hash alike.
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("england:sha256:{hex}")
}

#[cfg(test)]
mod fingerprint_tests {
    #[test]
    fn the_build_time_fingerprint_is_that_of_the_embedded_files() {
        assert_eq!(super::fingerprint(), super::fingerprint_of_embedded());
    }
}
