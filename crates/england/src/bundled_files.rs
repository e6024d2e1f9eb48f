// The files the bundled England register is built from, listed once: `build.rs` hashes them
// in this order for the fingerprint (`bundle::fingerprint`), and `bundle.rs` embeds them.
// Both `include!` this file, each with its own `bundled_files!` macro. A section names the
// folder its files are in (from this crate's folder); an entry is the name the file is
// hashed and reported under, after the constant that holds it where the code needs one.
// Adding, renaming or reordering a file changes the fingerprint, and a store bound to the
// old one then holds to it only if something was recorded in it (docs/storage.md).
bundled_files! {
    // The ODS/ONS extracts (data/README.md), named as `vires import ods DIR` reads them.
    ods in "../../data/ods/" {
        ECCG = "ods_eccg_2024.csv";
        SUCC = "ods_succ.csv";
        EPRACCUR = "ods_epraccur_2019_12.csv";
        ICB = "ons_icb_dec2024.csv";
        CCG21 = "ref_ccg21.csv";
        CCG20 = "ref_ccg20.csv";
        CCG18 = "ccg_names_codes_2018_04.csv";
        CCG_LAD = "ons_ccg_lad_lookup.csv";
    }
    // The curated national instruments, read in this order.
    national in "../../" {
        "data/national/01-statutory-2013.vires";
        "data/national/02-coronavirus-2020.vires";
        "data/national/03-icbs-2022.vires";
        "data/national/04-primary-care-2022-2023.vires";
        "data/national/05-specialised-2023-2025.vires";
        "data/national/06-co-commissioning-2015-2022.vires";
    }
    // The curated tables (data/README.md) and the coverage statement.
    curated in "../../" {
        /// The curated table of where the places of split ICBs went (see `data/README.md`),
        /// as (file name, CSV text). It is applied to every import, bundled or from a
        /// directory: its rows only act where the ODS files still leave a place of a split
        /// ICB in no ICB.
        RESHAPE_FILE = "data/curated/icb-reshape-2026.csv";
        /// The curated table of practices that changed commissioner after the practice
        /// file's snapshot (boundary changes; see `data/README.md`), as (file name, CSV text).
        MOVES_FILE = "data/curated/practice-moves.csv";
        /// The curated table of practices' commissioners before their join dates in the
        /// practice file, from earlier dated practice lists (see `data/README.md`), as (file
        /// name, CSV text).
        HISTORY_FILE = "data/curated/practice-history.csv";
        /// The curated names of the ICBs a reshape created, which the bundled ONS list
        /// predates (see `data/README.md`), as (file name, CSV text).
        ICB_NAMES_FILE = "data/curated/icb-names-2026.csv";
        /// The names of NHS England's regions by ODS code (the ODS CCG file gives only the
        /// code), with their ONS codes and evidence (see `data/README.md`), as (file name,
        /// CSV text).
        REGION_NAMES_FILE = "data/curated/nhs-regions.csv";
        /// The coverage statement (see `docs/data.md`), as (file name, CSV text).
        COVERAGE_FILE = "data/coverage.csv";
    }
    // The language prelude: embedded by vires-lang (`PRELUDE_SOURCES`), hashed here too.
    prelude in "../lang/" {
        "prelude/taxonomy.vires";
        "prelude/bodies.vires";
        "prelude/powers.vires";
    }
}
