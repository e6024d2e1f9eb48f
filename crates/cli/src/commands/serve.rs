//! serve: the HTTP API and web UI, from vires-server and vires-web.

use super::CliError;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(
    addr: Option<String>,
    config: Option<PathBuf>,
    db: Option<String>,
) -> Result<ExitCode, CliError> {
    let mut cfg = vires_server::ServeConfig::load(config.as_deref(), |k| std::env::var(k).ok())
        .map_err(|e| {
            CliError::input(
                e.to_string(),
                "see docs/api.md for the settings and their defaults",
            )
        })?;
    if let Some(a) = addr {
        cfg.addr = a;
    }
    if let Some(d) = db {
        cfg.db = d;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(format!("cannot start the runtime: {e}")))?;
    runtime
        .block_on(vires_server::serve_with(cfg, vires_web::routes()))
        .map_err(|e| {
            CliError::input(
                e.to_string(),
                "check the address is free and the store reachable",
            )
        })?;
    Ok(ExitCode::SUCCESS)
}
