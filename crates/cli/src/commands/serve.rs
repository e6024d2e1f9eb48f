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
    limit_malloc_arenas();
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

/// glibc gives each thread that allocates while another holds an arena an arena of its own
/// (up to eight per core) and keeps in each what a freed snapshot leaves behind. The server
/// compiles a new snapshot on every write, on whichever worker takes the request, so with
/// the default its memory climbed from 87 MiB to 306 MiB over 2,000 writes in the soak test
/// (crates/cli/tests/soak.rs) and kept climbing; with one arena it stayed flat. Two keep
/// the two cores from contending on one lock.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only sets an allocator parameter; it is called before the runtime
    // starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
