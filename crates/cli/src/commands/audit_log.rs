//! `audit log`: the change log as a table for people, CSV or JSON, each entry naming what
//! it changed (an instrument by id and title, a body by code and name, a workflow step).

use crate::args::Format;
use crate::error::CliError;
use crate::output::{json, Table};
use vires_store::{Change, Entry};

/// What an entry is about: (id or code, title or description).
fn subject(change: &Change) -> (String, String) {
    match change {
        Change::Genesis { base } => (String::new(), format!("base register {base}")),
        Change::Rebind { base } => (String::new(), format!("rebound to base register {base}")),
        Change::AddInstrument { instrument } | Change::CorrectInstrument { instrument, .. } => {
            (instrument.id.to_string(), instrument.title.to_string())
        }
        Change::RetractInstrument { id, reason } => (id.clone(), format!("retracted: {reason}")),
        Change::AddBody { body } => (
            body.code.clone(),
            format!(
                "{} ({}, from {})",
                body.name,
                body.kind.as_str(),
                body.life.from
            ),
        ),
        Change::WorkflowStep {
            workflow,
            id,
            subject,
            step,
            on,
            actor,
            detail,
        } => {
            let mut text = format!("{workflow} {id}: {step} {subject} on {on} by {actor}");
            if let Some(d) = detail {
                text.push_str(&format!("; {d}"));
            }
            (id.clone(), text)
        }
    }
}

/// Who decided a proposal's entry, how and why, if it was decided.
fn decision(e: &Entry) -> Option<String> {
    e.decision.as_ref().map(|d| {
        let outcome = serde_json::to_value(d.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        format!(
            "proposal {} {outcome} by {}: {}",
            d.proposal, d.by, d.reason
        )
    })
}

pub fn print(entries: &[Entry], fmt: Format) -> Result<(), CliError> {
    match fmt {
        Format::Json => json(&entries),
        Format::Csv => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    let (id, title) = subject(&e.change);
                    vec![
                        e.seq.to_string(),
                        e.recorded_at.to_string(),
                        e.author.clone(),
                        e.change.op().to_string(),
                        id,
                        title,
                        e.reason.clone(),
                        decision(e).unwrap_or_default(),
                        e.hash.clone(),
                    ]
                })
                .collect();
            let header = [
                "seq",
                "recorded_at",
                "author",
                "change",
                "id",
                "title",
                "reason",
                "decision",
                "hash",
            ];
            crate::output::csv(&header, &rows)
        }
        Format::Text => {
            // A long author wraps within its column on a terminal; the full value is
            // always in --format json and csv.
            let mut t =
                Table::new(&["SEQ", "RECORDED AT", "AUTHOR", "CHANGE", "WHAT"]).at_most(2, 24);
            for e in entries {
                let (id, title) = subject(&e.change);
                let mut what = match (id.is_empty(), &e.change) {
                    (_, Change::WorkflowStep { .. }) | (true, _) => title,
                    (false, _) => format!("{id} — {title}"),
                };
                if !e.reason.is_empty() {
                    what.push_str(&format!("\nwhy: {}", e.reason));
                }
                if let Some(d) = decision(e) {
                    what.push_str(&format!("\ndecided: {d}"));
                }
                t.row(vec![
                    e.seq.to_string(),
                    e.recorded_at.to_string(),
                    e.author.clone(),
                    e.change.op().to_string(),
                    what,
                ]);
            }
            t.print();
            Ok(())
        }
    }
}
