//! The `vires` binary: a thin command-line layer over vires-core, vires-lang, vires-england,
//! vires-store, vires-procure and vires-server. No domain logic lives here.
//!
//! Exit codes: 0 fine; 1 findings (invalid instruments, gaps, a "no" answer) or invalid input;
//! 2 usage error.

mod args;
mod commands;
mod load;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("help: {help}");
            }
            e.exit_code()
        }
    }
}
