//! Printing answers: JSON (the stable contract) or text for people.

use crate::args::Format;
use crate::commands::CliError;
use serde::Serialize;
use std::io::Write;
use std::sync::Arc;
use vires_core::{Holder, ProofStep};

/// Writes to standard output. When the reader has gone (a closed pipe), the process ends
/// quietly with exit code 0: the reader took what it wanted. Any other failure to write is
/// reported on standard error, exit code 1.
pub fn to_stdout(args: std::fmt::Arguments) {
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        stdout_failed(&e)
    }
}

/// Ends the process after a failed write to standard output (see [`to_stdout`]).
pub fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0)
    }
    to_stderr(format_args!("error: cannot write the output: {e}\n"));
    std::process::exit(1)
}

/// Writes to standard error; if that fails too there is nowhere left to say so.
pub fn to_stderr(args: std::fmt::Arguments) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

pub fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(value).map_err(|e| CliError::Internal(e.to_string()))?;
    println!("{s}");
    Ok(())
}

/// Prints `value` as JSON, or runs `text` to print it for people.
pub fn emit<T: Serialize>(
    format: Format,
    value: &T,
    text: impl FnOnce(&T),
) -> Result<(), CliError> {
    match format {
        Format::Json => json(value),
        Format::Text => {
            text(value);
            Ok(())
        }
    }
}

pub fn proof_line(proof: &[Arc<ProofStep>]) -> String {
    proof
        .iter()
        .map(|p| p.instrument.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

pub fn holder_text(h: &Holder) {
    let purposes = if h.purposes.is_empty() {
        String::new()
    } else {
        format!("  only for: {}", h.purposes.join(", "))
    };
    let partial = if h.coverage == vires_core::Coverage::Partial {
        "  (part of the place)"
    } else {
        ""
    };
    println!(
        "  {:<6} {:<48} {:<13} accountable {}{purposes}{partial}",
        h.body,
        truncate(&h.name, 48),
        h.role.as_str(),
        h.accountable
    );
    for (n, step) in h.proof.iter().enumerate() {
        let basis = step.basis.as_deref().unwrap_or("-");
        let arrow = if n == 0 { "proof:" } else { "     →" };
        println!("         {arrow} {:<28} {basis}", step.instrument);
    }
}

pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
