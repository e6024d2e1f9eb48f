//! serve: the HTTP API and web UI, from vires-server and vires-web.

use crate::error::CliError;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(
    addr: Option<String>,
    config: Option<PathBuf>,
    db: Option<String>,
    no_cache: bool,
    allow_broken_log: bool,
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
    // The built England register kept between runs, as for every other command.
    if !no_cache {
        cfg.cache = vires_app::base_cache::Cache::here();
    }
    if allow_broken_log {
        cfg.audit.allow_broken_log = true;
    }
    tune_malloc();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Internal(format!("cannot start the runtime: {e}")))?;
    runtime
        .block_on(vires_server::serve_with(cfg, vires_web::routes()))
        .map_err(|e| {
            let help = start_help(&e);
            CliError::input(e.to_string(), help)
        })?;
    Ok(ExitCode::SUCCESS)
}

/// What to do when the server cannot start, by why: a store bound to other data needs
/// another store, not a free address.
fn start_help(e: &vires_server::ServerError) -> &'static str {
    use vires_server::ServerError as E;
    use vires_store::StoreError as S;
    match e {
        E::Store(S::BaseMismatch { .. } | S::NotRebound { .. }) => {
            "give --db (or VIRES_DB) the store recorded on this data, or a new one; \
             docs/storage.md says how a store is bound to its data"
        }
        E::Store(_) => "check the store's address (--db or VIRES_DB) and that it is reachable",
        E::Bind { .. } => "choose a free address with --addr or VIRES_ADDR",
        E::Config(_) => "see docs/api.md for the settings and their defaults",
        _ => "check the address is free and the store reachable",
    }
}

/// glibc gives each thread that allocates while another holds an arena an arena of its own
/// (up to eight per core) and keeps in each what a freed snapshot leaves behind. The server
/// compiles a new snapshot on every write, on whichever worker takes the request, so with
/// the default its memory climbed from 87 MiB to 306 MiB over 2,000 writes in the soak test
/// (crates/cli/tests/soak.rs) and kept climbing; with one arena it stayed flat. Two keep
/// the two cores from contending on one lock.
///
/// The mmap threshold is fixed at 1 MiB. By default glibc raises it to the size of each
/// large block freed (up to 32 MiB), after which a snapshot's big vectors come from the
/// arenas and stay there: in 120 s soaks the server stepped once, at a moment that varied
/// from run to run, from about 56 MiB to a plateau of 97 to 118 MiB. With the threshold
/// fixed, blocks of a megabyte or more go back to the system when a snapshot is dropped, and
/// the same soak stayed between 44 and 51 MiB with as many writes and reads answered.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    // SAFETY: mallopt only sets allocator parameters; it is called before the runtime
    // starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}
