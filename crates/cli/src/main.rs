//! The `vires` binary: a thin command-line layer over vires-core, vires-lang, vires-england,
//! vires-store, vires-procure and vires-server. No domain logic lives here.
//!
//! Exit codes: 0 fine; 1 findings (invalid instruments, gaps, a "no" answer) or invalid input;
//! 2 usage error.

// `print!`, `println!` and `eprintln!` in this crate are these, not the standard ones: they
// write through `output`, which ends the process quietly when the reader of the output has
// gone (`vires bodies | head -1`) where the standard macros panic. Defined before the modules
// so that every module sees them.
macro_rules! print {
    ($($arg:tt)*) => { $crate::output::to_stdout(format_args!($($arg)*)) };
}
macro_rules! println {
    () => { $crate::output::to_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::to_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::output::to_stderr(format_args!($($arg)*)) };
}
macro_rules! eprintln {
    () => { $crate::output::to_stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::to_stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

mod args;
mod commands;
mod error;
mod load;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    output::set_color(cli.color);
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
