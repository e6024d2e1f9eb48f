//! # vires-england
//!
//! The bundled, real England register: every CCG (2013-2022) with its open and close dates,
//! every ICB from 2022-07-01, sub-ICB locations, commissioning hubs and sub-ICB reporting
//! entities; GP practices and the commissioner each belonged to over time; lineage (mergers
//! each 1 April, the CCG to ICB transition, later ICB reshapes) as successions and merger
//! instruments; local authority districts as named areas; and the curated national
//! instruments in `data/national/*.vires`.
//!
//! Built from the public ODS and ONS extracts in `data/ods` (Open Government Licence v3.0),
//! embedded in the binary so that [`bundled`] works offline from any directory.
//! [`build_from_dir`] rebuilds from a fresh download in the same formats. Bad rows never stop
//! an import: they are reported in the [`QualityReport`] with file and line, and the good
//! rows load.

pub(crate) mod allocation;
pub mod areas;
pub mod bodies;
pub mod bundle;
pub mod coverage;
pub(crate) mod history;
pub mod lineage;
pub(crate) mod moves;
pub mod ods;
pub mod practices;
pub(crate) mod public_health;
pub mod quality;
pub(crate) mod reshape;

pub use bundle::{
    add_national, bundled, bundled_ods, bundled_sources, bundled_with, fingerprint,
    national_sources, BUNDLED_STAGES, COVERAGE_FILE, HISTORY_FILE, ICB_NAMES_FILE, MOVES_FILE,
    NATIONAL_FILES, REGION_NAMES_FILE, RESHAPE_FILE,
};
pub use lineage::{map_lines, MapLine, MapStatus};
pub use ods::{ImportError, SourceFile, Sources, MAX_FILE_BYTES};
pub use quality::{Issue, QualityReport, Severity};

use bodies::{IcbRow, OdsOrg};
use jiff::civil::{date, Date};
use reshape::Reshape;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::path::Path;
use vires_core::{BodyId, Register};

/// The day ICBs were established and CCGs abolished (Health and Care Act 2022).
pub const ICB_START: Date = date(2022, 7, 1);

/// A built register and what was found while building it.
#[derive(Debug, Clone)]
pub struct Import {
    pub register: Register,
    pub quality: QualityReport,
    /// ICB code to NHS England region code (`Y60` Midlands...), from the sub-ICB location rows.
    pub regions: BTreeMap<String, String>,
    /// The `.vires` texts that instrument spans point into (the national files and the
    /// prelude), for rendering diagnostics; empty for an ODS-only import.
    pub sources: vires_lang::Sources,
}

/// Progress of a build, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// A file has been read.
    Read {
        file: String,
    },
    /// Bodies are in the register.
    Bodies {
        count: usize,
    },
    /// Successions and mergers are in.
    Lineage {
        successions: usize,
        mergers: usize,
    },
    /// Practices and memberships are in.
    Practices {
        count: usize,
        memberships: usize,
    },
    /// Local authority districts are in.
    Areas {
        count: usize,
    },
    /// The national instruments are in.
    National {
        instruments: usize,
    },
    Done,
}

pub(crate) struct FileNames {
    pub eccg: String,
    pub succ: String,
    pub icb: String,
}

pub(crate) struct Ctx {
    pub register: Register,
    pub report: QualityReport,
    pub files: FileNames,
    pub orgs: BTreeMap<String, OdsOrg>,
    pub icbs: BTreeMap<String, IcbRow>,
    pub reshape: Reshape,
    /// Where the places of split ICBs went (the curated table).
    pub allocations: allocation::Allocations,
    /// Practices that changed commissioner after the practice file's snapshot (the curated
    /// table).
    pub moves: moves::Moves,
    /// Practices' commissioners before the practice file's join dates (the curated table).
    pub history: history::History,
    /// Sub-ICB locations left in no ICB by a split (ICB code, reshape date): their practices
    /// are placed one by one.
    pub split_places: FxHashMap<BodyId, (String, Date)>,
    pub ccg_body: FxHashMap<String, BodyId>,
    pub sub_icb_body: FxHashMap<String, BodyId>,
    pub icb_body: FxHashMap<String, BodyId>,
    pub regions: BTreeMap<String, String>,
}

/// Builds the complete register from ODS/ONS downloads in `dir` (see `data/README.md` for
/// the files), with the language prelude and the bundled national instruments.
pub fn build_from_dir(dir: &Path, progress: &mut dyn FnMut(Stage)) -> Result<Import, ImportError> {
    let ods = build_ods_from_dir(dir, progress)?;
    with_national(ods, progress)
}

/// Adds the national instruments to an ODS/ONS import and reports the last two stages.
pub(crate) fn with_national(
    ods: Import,
    progress: &mut dyn FnMut(Stage),
) -> Result<Import, ImportError> {
    let mut import = add_national(ods, &national_sources())?;
    // The coverage statement names functions, so it is read once the taxonomy is in.
    coverage::add_coverage(
        &mut import.register,
        &bundle::coverage_statement(),
        &mut import.quality,
    );
    progress(Stage::National {
        instruments: import
            .register
            .instruments
            .iter()
            .filter(|i| i.spans().whole.is_some())
            .count(),
    });
    progress(Stage::Done);
    Ok(import)
}

/// Builds only the ODS/ONS part of the register from `dir`: bodies, practices, lineage and
/// areas, without functions, powers or the national bodies (see [`add_national`]).
pub fn build_ods_from_dir(
    dir: &Path,
    progress: &mut dyn FnMut(Stage),
) -> Result<Import, ImportError> {
    let mut report = QualityReport::new();
    let sources = Sources::from_dir(dir, &mut report, |f| {
        progress(Stage::Read {
            file: f.to_string(),
        })
    })?;
    build_from_sources(&sources, report, progress)
}

/// Builds the ODS/ONS part of the register from files already in memory. `report` may carry
/// findings from locating the files.
pub fn build_from_sources(
    sources: &Sources,
    mut report: QualityReport,
    progress: &mut dyn FnMut(Stage),
) -> Result<Import, ImportError> {
    let names = bodies::read_names(&sources.ccg_names, &mut report);
    let orgs = bodies::read_eccg(&sources.eccg, &mut report);
    let icbs = bodies::read_icbs(&sources.icb, &mut report)?;
    let succ_rows = lineage::read_successions(&sources.succ, &orgs, &icbs, &mut report);
    let table = bundle::reshape_allocations();
    let reshape = lineage::reshape(
        &succ_rows,
        &icbs,
        &sources.succ.name,
        &table.name,
        &mut report,
    );
    let allocations = allocation::read(&table, &reshape, &mut report);
    let moves = moves::read(&bundle::practice_moves(), &mut report);
    let history = history::read(&bundle::practice_history(), &mut report);
    let mut ctx = Ctx {
        register: Register::new(),
        report,
        files: FileNames {
            eccg: sources.eccg.name.clone(),
            succ: sources.succ.name.clone(),
            icb: sources.icb.name.clone(),
        },
        orgs,
        icbs,
        reshape,
        allocations,
        moves,
        history,
        split_places: FxHashMap::default(),
        ccg_body: FxHashMap::default(),
        sub_icb_body: FxHashMap::default(),
        icb_body: FxHashMap::default(),
        regions: BTreeMap::new(),
    };
    bodies::add_bodies(&mut ctx, &names);
    progress(Stage::Bodies {
        count: ctx.register.bodies.len(),
    });
    lineage::add_lineage(&mut ctx, &succ_rows);
    progress(Stage::Lineage {
        successions: ctx.register.successions.len(),
        mergers: ctx.register.instruments.len(),
    });
    let count = practices::add_practices(&mut ctx, &sources.epraccur);
    ctx.allocations.report_uses(&mut ctx.report);
    ctx.moves.report_unused(&mut ctx.report);
    ctx.history.report_unused(&mut ctx.report);
    history::note_commissioners(&mut ctx);
    moves::note_receivers(&mut ctx);
    progress(Stage::Practices {
        count,
        memberships: ctx.register.memberships.len(),
    });
    let areas = match &sources.ccg_lad {
        Some(f) => {
            let rows = areas::read_lookup(&mut ctx, f);
            public_health::add_upper_tier(&mut ctx, &rows, &f.name);
            areas::add_lads(&mut ctx, &rows, &f.name)
        }
        None => 0,
    } + areas::add_regions(&mut ctx, &sources.eccg.name);
    progress(Stage::Areas { count: areas });
    Ok(Import {
        register: ctx.register,
        quality: ctx.report,
        regions: ctx.regions,
        sources: vires_lang::Sources::new(),
    })
}
