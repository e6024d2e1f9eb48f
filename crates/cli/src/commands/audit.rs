//! audit verify, log, keygen and key-start: the tamper-evident change history.

use crate::args::{AuditWhat, Format};
use crate::error::CliError;
use crate::load::{open_store, StoreChoice};
use crate::output::emit;
use std::process::ExitCode;

pub fn run(what: AuditWhat, choice: &StoreChoice, fmt: Format) -> Result<ExitCode, CliError> {
    if let AuditWhat::Keygen { out } = &what {
        return keygen(out, fmt);
    }
    // Opening a SQLite path creates a store there: a mistyped path must not verify as empty.
    if let Some(path) = choice
        .db
        .as_deref()
        .and_then(|u| u.strip_prefix("sqlite://"))
    {
        if !std::path::Path::new(path).exists() {
            return Err(CliError::input(
                format!("no store at {path}"),
                "check the path given with --db or VIRES_DB",
            ));
        }
    }
    let store = open_store(choice)?;
    let err = |e: vires_store::StoreError| {
        CliError::input(format!("store: {e}"), "check --db / VIRES_DB")
    };
    match what {
        AuditWhat::Verify { expect_head } => {
            let mut report = store.verify().map_err(err)?;
            if let (true, Some(want)) = (report.ok, expect_head) {
                let want = want.trim().to_ascii_lowercase();
                let entries = store.all_entries().map_err(err)?;
                if !entries.iter().any(|e| e.hash == want) {
                    report.ok = false;
                    report.first_bad = Some(vires_store::BadEntry {
                        seq: report.entries + 1,
                        reason: format!(
                            "no entry has the expected head hash {want}: the log was cut short or rewritten after that head was published"
                        ),
                    });
                }
            }
            emit(fmt, &report, |r| {
                if r.ok {
                    println!("the change log verifies: {} entries", r.entries);
                    if let Some(h) = &r.head_hash {
                        println!("head hash {h} (keep it elsewhere to detect a later truncation)");
                    }
                    println!("{}", keying_words(&r.keying));
                } else if let Some(bad) = r.first_bad.as_ref().filter(|b| b.seq > r.entries) {
                    println!("the change log does NOT verify: {}", bad.reason);
                } else if let Some(bad) = &r.first_bad {
                    println!(
                        "the change log does NOT verify: entry {}: {}",
                        bad.seq, bad.reason
                    );
                }
            })?;
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditWhat::KeyStart => {
            let from = store.start_keying().map_err(|e| {
                CliError::input(
                    e.to_string(),
                    "set VIRES_LOG_KEY_FILE to the key (`vires audit keygen --out PATH`) and check the log with `vires audit verify`",
                )
            })?;
            emit(fmt, &serde_json::json!({ "keyed_from": from }), |_| {
                println!(
                    "the change log is keyed from entry {from}: entries up to it are vouched for as they stand now, and every write made with the key is checkpointed"
                );
            })?;
            Ok(ExitCode::SUCCESS)
        }
        AuditWhat::Keygen { .. } => Err(CliError::Internal("keygen opens no store".into())),
        AuditWhat::Log => {
            let entries = store.all_entries().map_err(err)?;
            super::audit_log::print(&entries, fmt)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What the key did or could not do, in words.
fn keying_words(k: &vires_store::Keying) -> String {
    use vires_store::Keying;
    match k {
        Keying::Unkeyed => "the log is unkeyed: checked as a plain hash chain, which someone who can write to the database can rewrite, recomputing every hash (docs/security.md: the log key)".into(),
        Keying::Unchecked { key_id, from_seq } => format!(
            "the log is keyed from entry {from_seq} (key {key_id}), but no key was given (VIRES_LOG_KEY_FILE): checked as a plain hash chain only"
        ),
        Keying::Keyed { key_id, from_seq, checkpoints } => format!(
            "keyed with key {key_id} from entry {from_seq}: {checkpoints} checkpoints verify, the last at the head; entries up to {from_seq} were checked as a plain hash chain"
        ),
    }
}

fn keygen(out: &std::path::Path, fmt: Format) -> Result<ExitCode, CliError> {
    let key = vires_store::LogKey::create_file(out).map_err(|e| {
        CliError::input(
            e.to_string(),
            "name a new file in a directory only the server's user can read",
        )
    })?;
    emit(
        fmt,
        &serde_json::json!({ "key_id": key.id(), "file": out.display().to_string() }),
        |_| {
            println!("wrote a new log key (id {}) to {}", key.id(), out.display());
            println!(
                "give it to every writer with VIRES_LOG_KEY_FILE or audit.key_file; key an existing log with `vires audit key-start`"
            );
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn record(
    files: &[std::path::PathBuf],
    author: &str,
    reason: &str,
    choice: &StoreChoice,
    fmt: Format,
) -> Result<ExitCode, CliError> {
    if reason.trim().is_empty() {
        return Err(CliError::Usage(
            "--reason must say why the change is made".into(),
        ));
    }
    if choice.recorded_at.is_some() {
        return Err(CliError::Usage(
            "record writes on the register as it is now; drop --recorded-at".into(),
        ));
    }
    let sources = crate::load::read_sources(files)?;
    let loaded = vires_lang::load(&sources);
    let color = crate::output::color_stderr();
    if !loaded.errors.is_empty() {
        eprint!(
            "{}",
            vires_lang::render(&loaded.sources, &loaded.errors, &[], color)
        );
        return Err(CliError::input(
            "the files have errors; nothing was recorded",
            "fix them (`vires check FILE`) and try again",
        ));
    }
    let (store, pinned) = crate::load::pin(choice)?;
    let by = vires_app::record::Author {
        name: author,
        reason,
    };
    // Tried on a copy first: nothing is written if it would make anything void.
    let recorded = match vires_app::record::instruments(
        store.as_ref(),
        &pinned,
        loaded.register.instruments,
        &by,
    ) {
        Ok(r) => r,
        Err(vires_app::AppError::Void(void)) => {
            eprint!(
                "{}",
                vires_lang::render(&loaded.sources, &[], &void.errors, color)
            );
            return Err(CliError::input(
                format!(
                    "{} invalid instrument(s); nothing was recorded",
                    void.errors.len()
                ),
                "`vires check FILE` shows the same findings",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    emit(fmt, &recorded, |r| {
        if r.is_empty() {
            println!(
                "nothing changed: the register already holds every instrument exactly as \
                 written, so nothing was recorded"
            );
        }
        for e in r {
            println!(
                "recorded as revision {} at {}: {}",
                e.seq,
                e.recorded_at,
                e.change.op()
            );
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
