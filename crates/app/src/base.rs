//! The base register the change log applies to, and its fingerprint. A store is bound to
//! one base (its genesis entry records the fingerprint), so the CLI and the server compute
//! the fingerprint the same way and open the same register.

use crate::AppError;
use std::path::{Path, PathBuf};
use vires_core::Register;

#[cfg(feature = "england")]
pub use vires_england::Stage;

/// A stage of building the base (none without the bundled England data).
#[cfg(not(feature = "england"))]
#[derive(Debug, Clone)]
pub enum Stage {}

/// Which base register.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Base {
    /// The bundled England register: the embedded ODS/ONS extracts, the national
    /// instruments and the curated tables.
    #[default]
    England,
    /// The England register built from a fresh ODS/ONS download in this folder.
    OdsDir(PathBuf),
    /// No bodies and no instruments beyond what the change log adds.
    Empty,
}

/// A base register and its fingerprint.
pub struct BaseRegister {
    pub register: Register,
    pub fingerprint: String,
}

/// The fingerprint of `base`, without building it.
pub fn fingerprint(base: &Base) -> Result<String, AppError> {
    match base {
        Base::England => england_fingerprint(),
        Base::OdsDir(dir) => ods_dir_fingerprint(dir),
        Base::Empty => Ok("empty".into()),
    }
}

/// Builds `base`, reporting each stage to `progress`.
pub fn build(base: &Base, progress: &mut dyn FnMut(Stage)) -> Result<BaseRegister, AppError> {
    Ok(BaseRegister {
        register: build_register(base, progress)?,
        fingerprint: fingerprint(base)?,
    })
}

#[cfg(feature = "england")]
pub(crate) fn build_register(
    base: &Base,
    progress: &mut dyn FnMut(Stage),
) -> Result<Register, AppError> {
    match base {
        Base::England => vires_england::bundled_with(progress)
            .map(|i| i.register)
            .map_err(|e| AppError::Base(format!("bundled data: {e}"))),
        Base::OdsDir(dir) => vires_england::build_from_dir(dir, progress)
            .map(|i| i.register)
            .map_err(|e| {
                AppError::Base(format!(
                    "{}: {e} (the folder needs the files listed in data/README.md)",
                    dir.display()
                ))
            }),
        Base::Empty => Ok(Register::new()),
    }
}

#[cfg(not(feature = "england"))]
pub(crate) fn build_register(
    base: &Base,
    _progress: &mut dyn FnMut(Stage),
) -> Result<Register, AppError> {
    match base {
        Base::Empty => Ok(Register::new()),
        _ => england_fingerprint().map(|_| Register::new()),
    }
}

/// Computed once a process: it hashes every bundled file, and a command asks for it both
/// to open the store and to find the cached register.
#[cfg(feature = "england")]
fn england_fingerprint() -> Result<String, AppError> {
    static FINGERPRINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    Ok(FINGERPRINT.get_or_init(vires_england::fingerprint).clone())
}

#[cfg(not(feature = "england"))]
fn england_fingerprint() -> Result<String, AppError> {
    Err(AppError::Base(
        "this build has no bundled England register (feature `england`); use an empty base".into(),
    ))
}

/// A folder's fingerprint covers every file in it (name, length, bytes), so a refreshed
/// download is a new base.
fn ods_dir_fingerprint(dir: &Path) -> Result<String, AppError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| AppError::Io { path, source }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut data = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(io(&f))?;
        data.extend_from_slice(
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .as_bytes(),
        );
        data.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        data.extend_from_slice(&bytes);
    }
    Ok(format!("ods-dir:{}", vires_store::fingerprint(&data)))
}
