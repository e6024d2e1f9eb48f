//! A stand-alone `vires serve` for scripts and tests until the CLI carries it:
//!
//!     cargo run -p vires-server --example serve -- [--addr HOST:PORT] [--db URL] [--config FILE] [--base england|empty]
//!
//! Flags override environment variables (VIRES_ADDR, VIRES_DB, ...), which override the file.

use std::path::PathBuf;
use std::process::ExitCode;
use vires_server::config::BaseRegister;
use vires_server::ServeConfig;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut file: Option<PathBuf> = None;
    let mut addr = None;
    let mut db = None;
    let mut base = None;
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let r = match a.as_str() {
            "--addr" => value("--addr").map(|v| addr = Some(v)),
            "--db" => value("--db").map(|v| db = Some(v)),
            "--config" => value("--config").map(|v| file = Some(PathBuf::from(v))),
            "--base" => value("--base").and_then(|v| {
                base = Some(match v.as_str() {
                    "england" => BaseRegister::England,
                    "empty" => BaseRegister::Empty,
                    _ => return Err(format!("--base {v}: use england or empty")),
                });
                Ok(())
            }),
            "-h" | "--help" => {
                println!("usage: serve [--addr HOST:PORT] [--db URL] [--config FILE] [--base england|empty]");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other}; see --help")),
        };
        if let Err(e) = r {
            eprintln!("serve: {e}");
            return ExitCode::from(2);
        }
    }
    let mut config = match ServeConfig::from_process_env(file.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("serve: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(a) = addr {
        config.addr = a;
    }
    if let Some(d) = db {
        config.db = d;
    }
    if let Some(b) = base {
        config.base = b;
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("serve: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(vires_server::serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve: {e}");
            ExitCode::FAILURE
        }
    }
}
