//! Changes tried on a copy of the register before anything is written. The mechanism is
//! [`vires_core::Trial`]; this module puts the change log's [`Change`]s on it and holds
//! the one policy every adapter follows: a change that would make anything it writes void
//! is refused, and nothing is written.

use crate::AppError;
use std::collections::HashSet;
use vires_core::{Body, Date, Instrument, Register, Snapshot, Trial};
use vires_store::Change;

/// The ids a change writes (an instrument's id, a body's code); none for a retraction.
fn subject(change: &Change) -> Option<&str> {
    match change {
        Change::AddInstrument { instrument } | Change::CorrectInstrument { instrument, .. } => {
            Some(instrument.id.as_str())
        }
        Change::AddBody { body } => Some(body.code.as_str()),
        Change::RetractInstrument { .. }
        | Change::Genesis { .. }
        | Change::Rebind { .. }
        | Change::WorkflowStep { .. } => None,
    }
}

/// Puts `changes` on a copy of `register` and compiles it. The findings are about what
/// the changes write; for changes that write nothing of their own (a retraction), the
/// findings that `before` (`register` compiled, when the caller has it) did not have. A
/// change that cannot be applied at all (a
/// duplicate id, a correction of an instrument that is not there, a genesis entry) is
/// [`AppError::NotApplicable`].
pub fn trial(
    register: &Register,
    before: Option<&Snapshot>,
    changes: &[Change],
) -> Result<Trial, AppError> {
    let subjects: Vec<&str> = changes.iter().filter_map(subject).collect();
    Trial::of(register, &subjects, before, |register| {
        for change in changes {
            if change.binds_to().is_some() {
                return Err(AppError::NotApplicable(
                    "a genesis or rebind entry cannot be written as a change".into(),
                ));
            }
            vires_store::replay::apply(register, change).map_err(AppError::NotApplicable)?;
        }
        Ok(())
    })
}

/// [`trial`] under the one policy: refused ([`AppError::Void`]) if anything the changes
/// write would be void.
pub fn check(
    register: &Register,
    before: Option<&Snapshot>,
    changes: &[Change],
) -> Result<Trial, AppError> {
    Ok(trial(register, before, changes)?.refuse_if_void()?)
}

/// The changes that record `instruments` on `register`: a correction for an id it has, an
/// addition otherwise. An instrument the register already holds exactly as written (the
/// same stored form, so the same JSON in the log) is left out: recording it again would
/// change nothing.
pub fn instrument_changes(register: &Register, instruments: Vec<Instrument>) -> Vec<Change> {
    let stored = |i: &Instrument| serde_json::to_value(i).ok();
    instruments
        .into_iter()
        .filter_map(|instrument| {
            match register.instruments.iter().find(|i| i.id == instrument.id) {
                Some(have) if stored(have).is_some() && stored(have) == stored(&instrument) => None,
                Some(_) => Some(Change::CorrectInstrument {
                    id: instrument.id.to_string(),
                    instrument,
                }),
                None => Some(Change::AddInstrument { instrument }),
            }
        })
        .collect()
}

/// What files say (`written`, as the language lowered them), put on a copy of `register`
/// the way `record` would record it: their bodies (one already there with the same code and
/// life is skipped), named areas and instruments (each replacing the instrument with its
/// id). The findings are about the files' instruments; the second value says what could
/// not be added. `check`, `whatif`, `proposal` and `record` all judge files this way, so
/// they agree on the findings.
pub fn written_on(register: &Register, written: &Register) -> (Trial, Vec<String>) {
    let ids: Vec<&str> = written.instruments.iter().map(|i| i.id.as_str()).collect();
    let mut problems = Vec::new();
    let tried = Trial::of(register, &ids, None, |r| {
        for b in &written.bodies {
            if let Err(e) = r.add_body_unless_there(b) {
                problems.push(format!("body {}: {e}", b.code));
            }
        }
        for a in &written.areas {
            r.add_area(a.clone());
        }
        for i in &written.instruments {
            match r.instruments.iter_mut().find(|x| x.id == i.id) {
                Some(slot) => *slot = i.clone(),
                None => r.add_instrument(i.clone()),
            }
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let trial = match tried {
        Ok(t) => t,
        Err(never) => match never {},
    };
    (trial, problems)
}

/// A proposal that cannot be put on the register: the field at fault (`instruments[0].id`,
/// `bodies[1]`) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfit {
    pub at: String,
    pub message: String,
}

/// The dates a proposal may carry: the register's instruments are between these years, so a
/// date outside them is a mistake, not a question.
pub const EARLIEST: Date = jiff::civil::date(1900, 1, 1);
pub const LATEST: Date = jiff::civil::date(2999, 12, 31);

/// Refuses a date a proposal may not carry (see [`EARLIEST`]), naming the field `at`.
pub fn date_in_range(at: String, d: Option<Date>) -> Result<(), Misfit> {
    match d {
        Some(d) if !(EARLIEST..=LATEST).contains(&d) => Err(Misfit {
            at,
            message: format!(
                "{d} is outside the dates a what-if compares ({EARLIEST} to {LATEST})"
            ),
        }),
        _ => Ok(()),
    }
}

/// A proposal (the bodies it creates and instruments not yet in force) tried on
/// `register`, for a what-if: each body is added unless one with the same code and life is
/// there; each instrument must have an id neither the register nor the proposal already
/// has. Returns the trial and the instruments' ids; the first misfit refuses it.
pub fn proposal(
    register: &Register,
    bodies: Vec<Body>,
    instruments: Vec<Instrument>,
) -> Result<(Trial, Vec<String>), Misfit> {
    // Looked up by id rather than scanned: a proposal against the England register would
    // otherwise compare every new id with every instrument in it.
    let in_register: HashSet<&str> = register.instruments.iter().map(|x| x.id.as_str()).collect();
    let mut ids: Vec<String> = Vec::new();
    let mut in_proposal: HashSet<String> = HashSet::new();
    let tried = Trial::of(register, &[], None, |copy| {
        for (n, b) in bodies.into_iter().enumerate() {
            date_in_range(format!("bodies[{n}].life.from"), Some(b.life.from))?;
            date_in_range(format!("bodies[{n}].life.until"), b.life.until)?;
            let code = b.code.clone();
            copy.add_body_unless_there(&b).map_err(|e| Misfit {
                at: format!("bodies[{n}]"),
                message: format!("body {code}: {e}"),
            })?;
        }
        for (n, i) in instruments.into_iter().enumerate() {
            date_in_range(format!("instruments[{n}].from"), Some(i.from))?;
            date_in_range(format!("instruments[{n}].until"), i.until)?;
            date_in_range(format!("instruments[{n}].review"), i.particulars().review)?;
            date_in_range(
                format!("instruments[{n}].changes.until"),
                i.particulars().changes.as_ref().and_then(|c| c.until),
            )?;
            let here = if in_proposal.contains(i.id.as_str()) {
                Some("in the proposal")
            } else if in_register.contains(i.id.as_str()) {
                Some("in the register")
            } else {
                None
            };
            if let Some(here) = here {
                return Err(Misfit {
                    at: format!("instruments[{n}].id"),
                    message: format!(
                        "instrument id `{}` is already {here}; give the proposal's instrument another id",
                        i.id
                    ),
                });
            }
            ids.push(i.id.to_string());
            in_proposal.insert(i.id.to_string());
            copy.add_instrument(i);
        }
        Ok(())
    })?;
    // `Trial::of` keeps findings by subject; the proposal's subjects are known only now.
    let findings = tried
        .snapshot
        .diagnostics
        .iter()
        .filter(|d| ids.contains(&d.subject))
        .cloned()
        .collect();
    Ok((
        Trial {
            snapshot: tried.snapshot,
            findings,
        },
        ids,
    ))
}
