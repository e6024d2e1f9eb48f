//! The error every command returns: its message, the help line under it, and its exit code.

use std::process::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{message}")]
    Input {
        message: String,
        help: Option<String>,
    },
    #[error("{0}")]
    Query(#[from] vires_core::QueryError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl CliError {
    pub fn help(&self) -> Option<String> {
        match self {
            CliError::Input { help, .. } => help.clone(),
            // The message itself names `vires functions`: the help adds the search.
            CliError::Query(vires_core::QueryError::UnknownFunction(_)) => {
                Some("`vires find WORDS --kind function` finds one by name".into())
            }
            CliError::Query(
                vires_core::QueryError::UnknownBody { .. } | vires_core::QueryError::NeverABody(_),
            ) => Some(
                "`vires bodies --on DATE` lists the bodies that existed on a date; `vires find \
                 NAME --kind body` finds one by name"
                    .into(),
            ),
            CliError::Query(vires_core::QueryError::UnknownPractice(_)) => Some(
                "`vires find NAME --kind practice` finds a practice by name or postcode".into(),
            ),
            CliError::Query(vires_core::QueryError::UnknownArea(_)) => Some(
                "`vires find NAME --kind area` finds an area (a council by its ONS code, a \
                 region)"
                    .into(),
            ),
            CliError::Usage(_) => Some("see `vires --help`".into()),
            _ => None,
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            _ => ExitCode::from(1),
        }
    }

    pub fn input(message: impl Into<String>, help: impl Into<String>) -> Self {
        CliError::Input {
            message: message.into(),
            help: Some(help.into()),
        }
    }
}

impl From<vires_app::AppError> for CliError {
    fn from(e: vires_app::AppError) -> Self {
        use vires_app::AppError as A;
        match e {
            A::NoDataDir => CliError::input(
                "no data directory for this user",
                "give a store with --db sqlite://PATH or VIRES_DB",
            ),
            A::Io { path, source } => CliError::Io { path, source },
            e @ A::Open { .. } => CliError::input(
                e.to_string(),
                "check --db / VIRES_DB (sqlite://PATH or postgres://...)",
            ),
            e @ A::Bind { .. } => CliError::input(
                e.to_string(),
                "a store belongs to one base register; use another --db",
            ),
            e if e.is_stale() => CliError::input(
                format!("{e}; nothing was recorded"),
                "someone changed the register meanwhile; run the command again",
            ),
            e @ A::Store(_) => CliError::input(e.to_string(), "check --db / VIRES_DB"),
            e @ A::Base(_) => CliError::input(
                e.to_string(),
                "the bundled data or the --ods folder (see data/README.md)",
            ),
            e => CliError::input(
                format!("{e}; nothing was recorded"),
                "`vires check FILE` shows the findings",
            ),
        }
    }
}
