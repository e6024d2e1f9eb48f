//! Loading the register a command answers from: `.vires`/JSON files given with `--register`,
//! or the bundled England register.

use crate::args::Format;
use crate::error::CliError;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use vires_core::{Diagnostic, Snapshot};
use vires_lang::Sources;

pub struct Loaded {
    pub snapshot: Snapshot,
    pub sources: Sources,
    pub errors: Vec<vires_lang::Error>,
    pub language_errors: usize,
}

impl Loaded {
    /// Prints language errors and the given core diagnostics with file:line:col and carets.
    pub fn render_diagnostics(&self, diags: &[&Diagnostic]) {
        let owned: Vec<Diagnostic> = diags.iter().map(|d| (*d).clone()).collect();
        let color = crate::output::color_stderr();
        let text = vires_lang::render(&self.sources, &self.errors, &owned, color);
        if !text.is_empty() {
            eprint!("{text}");
        }
    }
}

pub fn progress_bar(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
        bar.set_style(style);
    }
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

pub fn tick(bar: &ProgressBar, stage: &vires_england::Stage) {
    use vires_england::Stage as S;
    let msg = match stage {
        S::Read { file } => format!("read {file}"),
        S::Bodies { count } => format!("{count} bodies"),
        S::Lineage {
            successions,
            mergers,
        } => format!("{successions} successions, {mergers} mergers"),
        S::Practices { count, memberships } => {
            format!("{count} practices, {memberships} memberships")
        }
        S::Areas { count } => format!("{count} areas"),
        S::National { instruments } => format!("{instruments} national instruments"),
        S::Done => "done".to_string(),
    };
    bar.set_message(msg);
}

fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|source| CliError::Io {
                path: p.display().to_string(),
                source,
            })?;
            let mut files: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "vires"))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(CliError::input(
                    format!("{} holds no .vires files", p.display()),
                    "point --register at .vires or .json files, or a folder of .vires files",
                ));
            }
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads files into sources; JSON files are converted to text through the lossless JSON form.
/// Reads a text file the user named, refusing one larger than any input vires takes
/// (`vires_lang::MAX_SOURCE_BYTES`) before reading it into memory.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    let io = |source| CliError::Io {
        path: path.display().to_string(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > vires_lang::MAX_SOURCE_BYTES as u64 {
        return Err(CliError::input(
            format!(
                "{}: the file is {} MiB; vires reads files of at most {} MiB",
                path.display(),
                len >> 20,
                vires_lang::MAX_SOURCE_BYTES >> 20
            ),
            "split it into several files",
        ));
    }
    std::fs::read_to_string(path).map_err(io)
}

pub fn read_sources(paths: &[PathBuf]) -> Result<Sources, CliError> {
    let mut sources = Sources::new();
    for p in expand(paths)? {
        let text = read_text(&p)?;
        let text = if is_json(&p) {
            let doc = vires_lang::from_json(&text).map_err(|e| {
                CliError::input(
                    format!("{}: not a vires JSON document: {e}", p.display()),
                    "JSON registers follow docs/vires.schema.json (`vires export` writes one)",
                )
            })?;
            vires_lang::print(&doc)
        } else {
            text
        };
        sources.add(p.display().to_string(), text);
    }
    Ok(sources)
}

fn is_json(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "json")
}

/// Where the register comes from when no files are named.
#[derive(Debug, Clone, Default)]
pub struct StoreChoice {
    pub db: Option<String>,
    pub recorded_at: Option<jiff::Timestamp>,
    /// Build the base register from this ODS/ONS folder instead of the bundled extracts.
    pub ods: Option<PathBuf>,
    /// Build the base register afresh instead of reading it from the cache.
    pub no_cache: bool,
}

impl StoreChoice {
    /// The base register the store is bound to.
    pub fn base(&self) -> vires_app::base::Base {
        match &self.ods {
            Some(dir) => vires_app::base::Base::OdsDir(dir.clone()),
            None => vires_app::base::Base::England,
        }
    }

    /// The store's URL: `--db`, `VIRES_DB`, or the default location.
    pub fn url(&self) -> Result<String, CliError> {
        match &self.db {
            Some(u) => Ok(u.clone()),
            None => Ok(vires_app::location::default_store_url_here()?),
        }
    }
}

/// Opens the store, binding it to the base register on first use, and to a new base when it
/// holds nothing recorded (`vires_app::store::open_named` and `open_default`).
pub fn open_store(choice: &StoreChoice) -> Result<Arc<dyn vires_store::Store>, CliError> {
    let fingerprint = vires_app::base::fingerprint(&choice.base())?;
    let (store, notice) = if choice.db.is_some() {
        vires_app::store::open_named(&choice.url()?, &fingerprint, "vires")?
    } else {
        vires_app::store::open_default(&choice.url()?, &fingerprint, "vires")?
    };
    if let Some(n) = notice {
        eprintln!("note: {n}");
    }
    Ok(store)
}

/// Builds the base register behind a progress bar over its stages (plus `after` more).
fn build_base(
    choice: &StoreChoice,
    after: u64,
) -> Result<(vires_core::Register, ProgressBar), CliError> {
    let bar = ProgressBar::new(vires_england::BUNDLED_STAGES + after);
    if let Ok(style) = ProgressStyle::with_template("{bar:24} {pos}/{len} {msg} [{elapsed}]") {
        bar.set_style(style);
    }
    bar.set_message("building the England register");
    bar.enable_steady_tick(Duration::from_millis(100));
    let cache = if choice.no_cache {
        None
    } else {
        vires_app::base_cache::Cache::here()
    };
    let (base, origin) = vires_app::base_cache::build(
        &choice.base(),
        cache.as_ref(),
        &mut |stage| {
            bar.inc(1);
            tick(&bar, &stage);
        },
        &mut |note| bar.suspend(|| eprintln!("note: {note}")),
    )?;
    if origin == vires_app::base_cache::Origin::Cache {
        bar.inc(vires_england::BUNDLED_STAGES);
    }
    Ok((base.register, bar))
}

/// The register the store holds now, pinned at its head revision, for a command that
/// records on it.
pub fn pin(
    choice: &StoreChoice,
) -> Result<(Arc<dyn vires_store::Store>, vires_app::replay::Pinned), CliError> {
    let store = open_store(choice)?;
    let (register, bar) = build_base(choice, 1)?;
    bar.set_message("applying recorded changes");
    let pinned = vires_app::replay::pin(store.as_ref(), register)?;
    bar.finish_and_clear();
    warn_replay_issues(&pinned.issues);
    Ok((store, pinned))
}

fn warn_replay_issues(issues: &[vires_store::ReplayIssue]) {
    for issue in issues {
        eprintln!(
            "warning: change {} could not be applied: {}",
            issue.seq, issue.message
        );
    }
}

pub fn load_from(
    paths: &[PathBuf],
    _fmt: Format,
    choice: &StoreChoice,
) -> Result<Loaded, CliError> {
    if paths.is_empty() {
        return load_bundled(choice);
    }
    Ok(load_sources(&read_sources(paths)?))
}

/// The register of `--register` files as read into `sources`, with the prelude, compiled.
pub fn load_sources(sources: &Sources) -> Loaded {
    let loaded = vires_lang::load_with_prelude(sources);
    let language_errors = loaded.errors.len();
    Loaded {
        snapshot: Snapshot::compile(loaded.register),
        sources: loaded.sources,
        errors: loaded.errors,
        language_errors,
    }
}

fn load_bundled(choice: &StoreChoice) -> Result<Loaded, CliError> {
    let store = open_store(choice)?;
    // A bar over the known stages: building, then replaying the store, then compiling.
    let (register, bar) = build_base(choice, 2)?;
    bar.set_message("applying recorded changes");
    let (_, replayed) =
        vires_app::replay::as_recorded_at(store.as_ref(), register, choice.recorded_at)?;
    warn_replay_issues(&replayed.issues);
    bar.inc(1);
    bar.set_message("compiling");
    let snapshot = Snapshot::compile(replayed.register);
    bar.inc(1);
    bar.finish_and_clear();
    let mut sources = Sources::new();
    for (name, text) in vires_england::NATIONAL_FILES {
        sources.add(*name, *text);
    }
    for (name, text) in vires_lang::PRELUDE_SOURCES {
        sources.add(name, text);
    }
    Ok(Loaded {
        snapshot,
        sources,
        errors: Vec::new(),
        language_errors: 0,
    })
}
