//! The bundled data: the ODS/ONS extracts in `data/ods` and the curated national instruments
//! in `data/national`, embedded at compile time so the binary needs no files at run time.

use crate::ods::{ImportError, SourceFile, Sources};
use crate::quality::{kinds, QualityReport};
use crate::{build_from_sources, Import, Stage};

/// Embeds the files of the list in `bundled_files.rs` (which `build.rs` fingerprints): the
/// ODS/ONS extracts and the curated tables as (file name, text) constants, the national
/// instruments as [`NATIONAL_FILES`]. The prelude's files are embedded by vires-lang.
macro_rules! bundled_files {
    (
        ods in $ods_dir:literal { $($ods:ident = $ods_name:literal;)* }
        national in $national_dir:literal { $($national_name:literal;)* }
        curated in $curated_dir:literal {
            $($(#[$doc:meta])* $curated:ident = $curated_name:literal;)*
        }
        prelude in $prelude_dir:literal { $($prelude_name:literal;)* }
    ) => {
        $(const $ods: (&str, &str) = (
            $ods_name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $ods_dir, $ods_name)),
        );)*

        /// The curated national instruments, as (file name, `.vires` text).
        pub const NATIONAL_FILES: &[(&str, &str)] = &[$((
            $national_name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $national_dir, $national_name)),
        )),*];

        $($(#[$doc])* pub const $curated: (&str, &str) = (
            $curated_name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $curated_dir, $curated_name)),
        );)*
    };
}

include!("bundled_files.rs");

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
/// Computed when the crate is built (`build.rs`), from the files of the same list
/// (`bundled_files.rs`) hashed the same way as [`fingerprint_of_embedded`] hashes the
/// embedded texts; a test holds them equal.
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
