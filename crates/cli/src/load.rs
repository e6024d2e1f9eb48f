//! Loading the register a command answers from: `.vires`/JSON files given with `--register`,
//! or the bundled England register.

use crate::args::Format;
use crate::commands::CliError;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
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
    /// Prints errors and diagnostics about other sources (files being recorded, say).
    pub fn render_with(
        &self,
        sources: &Sources,
        errors: &[vires_lang::Error],
        diags: &[Diagnostic],
    ) {
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
        eprint!("{}", vires_lang::render(sources, errors, diags, color));
    }

    /// Prints language errors and the given core diagnostics with file:line:col and carets.
    pub fn render_diagnostics(&self, diags: &[&Diagnostic]) {
        let owned: Vec<Diagnostic> = diags.iter().map(|d| (*d).clone()).collect();
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
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
}

/// The base register and its fingerprint: the bundled data, or a fresh ODS/ONS folder.
fn base_register(
    choice: &StoreChoice,
    bar: &ProgressBar,
) -> Result<(vires_core::Register, String), CliError> {
    let Some(dir) = &choice.ods else {
        let import = vires_england::bundled()
            .map_err(|e| CliError::Internal(format!("bundled data: {e}")))?;
        return Ok((import.register, vires_england::fingerprint()));
    };
    let import =
        vires_england::build_from_dir(dir, &mut |stage| tick(bar, &stage)).map_err(|e| {
            CliError::input(
                format!("{}: {e}", dir.display()),
                "the folder needs the files listed in data/README.md",
            )
        })?;
    let import = vires_england::add_national(import, &vires_england::national_sources())
        .map_err(|e| CliError::Internal(format!("national instruments: {e}")))?;
    // The fingerprint covers every file in the folder, so a refreshed download is a new base.
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| CliError::Io {
            path: dir.display().to_string(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut data = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|source| CliError::Io {
            path: f.display().to_string(),
            source,
        })?;
        data.extend_from_slice(
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .as_bytes(),
        );
        data.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        data.extend_from_slice(&bytes);
    }
    Ok((
        import.register,
        format!("ods-dir:{}", vires_store::fingerprint(&data)),
    ))
}

/// The default store: a SQLite file in the user's data directory.
pub fn default_db() -> Result<String, CliError> {
    let dir = dirs::data_dir().map(|d| d.join("vires")).ok_or_else(|| {
        CliError::input(
            "no data directory for this user",
            "give a store with --db sqlite://PATH or VIRES_DB",
        )
    })?;
    std::fs::create_dir_all(&dir).map_err(|source| CliError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    Ok(format!("sqlite://{}", dir.join("vires.db").display()))
}

/// Opens the store, binding it to the bundled register on first use.
pub fn open_store(choice: &StoreChoice) -> Result<Box<dyn vires_store::Store>, CliError> {
    let fingerprint = if choice.ods.is_some() {
        let bar = progress_bar("reading the ODS/ONS folder");
        let (_, fp) = base_register(choice, &bar)?;
        bar.finish_and_clear();
        fp
    } else {
        vires_england::fingerprint()
    };
    open_store_for(choice, &fingerprint)
}

fn open_store_for(
    choice: &StoreChoice,
    fingerprint: &str,
) -> Result<Box<dyn vires_store::Store>, CliError> {
    let url = match &choice.db {
        Some(u) => u.clone(),
        None => default_db()?,
    };
    let store = vires_store::open(&url).map_err(|e| {
        CliError::input(
            format!("cannot open the store {url}: {e}"),
            "check --db / VIRES_DB (sqlite://PATH or postgres://...)",
        )
    })?;
    store.ensure_genesis(fingerprint, "vires").map_err(|e| {
        CliError::input(
            format!("store {url}: {e}"),
            "a store belongs to one base register; use another --db",
        )
    })?;
    Ok(store)
}

pub fn load(paths: &[PathBuf], fmt: Format) -> Result<Loaded, CliError> {
    load_from(paths, fmt, &StoreChoice::default())
}

pub fn load_from(
    paths: &[PathBuf],
    _fmt: Format,
    choice: &StoreChoice,
) -> Result<Loaded, CliError> {
    if paths.is_empty() {
        return load_bundled(choice);
    }
    let sources = read_sources(paths)?;
    let loaded = vires_lang::load_with_prelude(&sources);
    let language_errors = loaded.errors.len();
    Ok(Loaded {
        snapshot: Snapshot::compile(loaded.register),
        sources: loaded.sources,
        errors: loaded.errors,
        language_errors,
    })
}

fn load_bundled(choice: &StoreChoice) -> Result<Loaded, CliError> {
    let store = open_store(choice)?;
    // A bar over the known stages: building, then replaying the store, then compiling.
    let bar = ProgressBar::new(vires_england::BUNDLED_STAGES + 2);
    if let Ok(style) = ProgressStyle::with_template("{bar:24} {pos}/{len} {msg} [{elapsed}]") {
        bar.set_style(style);
    }
    bar.set_message("building the England register");
    bar.enable_steady_tick(Duration::from_millis(100));
    let import = vires_england::bundled_with(&mut |stage| {
        bar.inc(1);
        tick(&bar, &stage);
    })
    .map_err(|e| CliError::Internal(format!("bundled data: {e}")))?;
    bar.set_message("applying recorded changes");
    let replayed = vires_store::register_at(store.as_ref(), import.register, choice.recorded_at)
        .map_err(|e| {
            CliError::input(
                format!("reading the store: {e}"),
                "run `vires audit verify`",
            )
        })?;
    for issue in &replayed.issues {
        eprintln!(
            "warning: change {} could not be applied: {}",
            issue.seq, issue.message
        );
    }
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
