//! The default store location: one rule for the CLI and the server, so both open the same
//! register when neither is told otherwise.

use crate::AppError;
use std::path::PathBuf;

/// `sqlite://` + the user's data directory + `vires/vires.db`. The data directory is
/// `XDG_DATA_HOME`, else `~/Library/Application Support` on macOS or `~/.local/share`
/// elsewhere, else `APPDATA` (Windows). `env` reads a variable (the process environment
/// in use, a map in tests).
pub fn default_store_url(env: impl Fn(&str) -> Option<String>) -> Result<String, AppError> {
    let set = |k: &str| env(k).filter(|s| !s.is_empty());
    let dir = if let Some(x) = set("XDG_DATA_HOME") {
        PathBuf::from(x)
    } else if let Some(h) = set("HOME") {
        if cfg!(target_os = "macos") {
            PathBuf::from(h).join("Library").join("Application Support")
        } else {
            PathBuf::from(h).join(".local").join("share")
        }
    } else if let Some(a) = set("APPDATA") {
        PathBuf::from(a)
    } else {
        return Err(AppError::NoDataDir);
    };
    Ok(format!(
        "sqlite://{}",
        dir.join("vires").join("vires.db").display()
    ))
}

/// [`default_store_url`] from the process environment.
pub fn default_store_url_here() -> Result<String, AppError> {
    default_store_url(|k| std::env::var(k).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_store_lives_in_the_users_data_directory() {
        assert_eq!(
            default_store_url(env(&[("XDG_DATA_HOME", "/d"), ("HOME", "/h")])).unwrap(),
            "sqlite:///d/vires/vires.db"
        );
        if !cfg!(target_os = "macos") {
            assert_eq!(
                default_store_url(env(&[("HOME", "/h"), ("XDG_DATA_HOME", "")])).unwrap(),
                "sqlite:///h/.local/share/vires/vires.db"
            );
        }
        assert_eq!(
            default_store_url(env(&[("APPDATA", "/a")])).unwrap(),
            "sqlite:///a/vires/vires.db"
        );
        assert!(matches!(
            default_store_url(env(&[])),
            Err(AppError::NoDataDir)
        ));
    }
}
