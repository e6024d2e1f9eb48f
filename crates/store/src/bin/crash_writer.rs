//! Appends changes to a store in a loop and prints each acknowledged sequence number on
//! its own line, flushed at once. The crash test kills this process with SIGKILL while
//! writes are in flight and then checks that every printed number is in the log.
//!
//! Usage: vires-store-crash-writer STORE_URL [WRITER_NAME [BASE_FINGERPRINT]]

use std::io::Write;
use vires_core::{Instrument, InstrumentKind};
use vires_store::{Change, ChangeRequest, StoreError};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(url) = args.next() else {
        eprintln!("usage: vires-store-crash-writer STORE_URL [WRITER_NAME [BASE_FINGERPRINT]]");
        return std::process::ExitCode::from(2);
    };
    let name = args.next().unwrap_or_else(|| "crash-writer".to_string());
    let base = args.next().unwrap_or_else(|| "crash-test-base".to_string());
    match run(&url, &name, &base) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crash writer {name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(url: &str, name: &str, base: &str) -> Result<(), StoreError> {
    let store = vires_store::open(url)?;
    store.ensure_genesis(base, name)?;
    let stdout = std::io::stdout();
    let from = jiff::civil::date(2020, 4, 1);
    for n in 0u64.. {
        let mut instrument =
            Instrument::new(format!("{name}-{n}"), InstrumentKind::Delegation, from);
        instrument.title = format!("written by {name}, number {n}").into();
        let request = ChangeRequest {
            author: name.to_string(),
            reason: format!("crash test write {n}"),
            change: Change::AddInstrument { instrument },
        };
        loop {
            let head = store.head()?;
            match store.append(head, request.clone()) {
                Ok(entry) => {
                    let mut out = stdout.lock();
                    writeln!(out, "{} {name}-{n}", entry.seq)?;
                    out.flush()?;
                    break;
                }
                Err(e) if e.is_stale() => continue,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}
