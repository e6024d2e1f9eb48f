//! Replaying the change log onto a base register. Pure: no I/O.
//!
//! Valid time is each instrument's own `from`/`until`, and the core answers questions
//! about it. Record time is the entry's `recorded_at`: replaying only the entries recorded
//! up to T gives the register as it stood at T, so "what did the register say on
//! 1 May 2021 about 1 April 2020?" is `as_recorded_at(base, entries, 2021-05-01)` then a
//! query on 2020-04-01.

use crate::model::{Change, Entry};
use jiff::Timestamp;
use serde::Serialize;
use vires_core::Register;

/// A change that could not be applied as written. Replay goes on past it, so one bad
/// entry never hides the rest of the register; the caller shows these to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayIssue {
    pub seq: u64,
    pub message: String,
}

/// The register after replay, with any changes that could not be applied.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub register: Register,
    pub issues: Vec<ReplayIssue>,
}

/// Applies `entries` to `base` in sequence order.
pub fn replay<'a, I>(base: Register, entries: I) -> Replayed
where
    I: IntoIterator<Item = &'a Entry>,
{
    let mut register = base;
    let mut issues = Vec::new();
    for entry in entries {
        if let Err(message) = apply(&mut register, &entry.change) {
            issues.push(ReplayIssue {
                seq: entry.seq,
                message,
            });
        }
    }
    Replayed { register, issues }
}

/// The register as recorded at `t`: only the entries recorded at or before `t`.
pub fn as_recorded_at<'a, I>(base: Register, entries: I, t: Timestamp) -> Replayed
where
    I: IntoIterator<Item = &'a Entry>,
{
    replay(
        base,
        entries.into_iter().filter(move |e| e.recorded_at <= t),
    )
}

/// Applies one change; an error says why it could not be applied.
pub fn apply(register: &mut Register, change: &Change) -> Result<(), String> {
    match change {
        // A workflow step is in the log for the audit trail; the instruments it issued are
        // entries of their own. The binding names the base the log is replayed onto.
        Change::Genesis { .. } | Change::Rebind { .. } | Change::WorkflowStep { .. } => Ok(()),
        Change::AddInstrument { instrument } => {
            if register.instruments.iter().any(|i| i.id == instrument.id) {
                return Err(format!(
                    "instrument {} is already in the register; use a correction to change it",
                    instrument.id
                ));
            }
            register.add_instrument(instrument.clone());
            Ok(())
        }
        Change::CorrectInstrument { id, instrument } => {
            if instrument.id != *id {
                return Err(format!(
                    "a correction of {id} carries an instrument with id {}; a correction keeps the id",
                    instrument.id
                ));
            }
            match register.instruments.iter_mut().find(|i| i.id == *id) {
                Some(slot) => {
                    *slot = instrument.clone();
                    Ok(())
                }
                None => Err(format!(
                    "cannot correct instrument {id}: it is not in the register"
                )),
            }
        }
        Change::RetractInstrument { id, .. } => {
            let before = register.instruments.len();
            register.instruments.retain(|i| i.id != *id);
            if register.instruments.len() == before {
                Err(format!(
                    "cannot retract instrument {id}: it is not in the register"
                ))
            } else {
                Ok(())
            }
        }
        Change::AddBody { body } => register
            .add_body(body.clone())
            .map(|_| ())
            .map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vires_core::{Body, BodyKind, Instrument, InstrumentKind, Interval};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn entry(seq: u64, recorded: &str, change: Change) -> Entry {
        Entry {
            seq,
            recorded_at: at(recorded),
            author: "test".into(),
            reason: "test".into(),
            change_json: String::new(),
            change,
            prev_hash: String::new(),
            hash: String::new(),
            decision: None,
        }
    }

    fn delegation(id: &str, until: Option<jiff::civil::Date>) -> Instrument {
        let mut i = Instrument::new(
            id,
            InstrumentKind::Delegation,
            jiff::civil::date(2020, 4, 1),
        );
        i.until = until;
        i
    }

    #[test]
    fn corrections_replace_only_from_their_record_time() {
        let log = vec![
            entry(
                1,
                "2021-01-01T00:00:00Z",
                Change::Genesis { base: "b".into() },
            ),
            entry(
                2,
                "2021-03-01T00:00:00Z",
                Change::AddInstrument {
                    instrument: delegation("d1", None),
                },
            ),
            entry(
                3,
                "2021-06-01T00:00:00Z",
                Change::CorrectInstrument {
                    id: "d1".into(),
                    instrument: delegation("d1", Some(jiff::civil::date(2022, 3, 31))),
                },
            ),
        ];
        let then = as_recorded_at(Register::new(), &log, at("2021-05-01T00:00:00Z"));
        assert!(then.issues.is_empty());
        assert_eq!(then.register.instruments.len(), 1);
        assert_eq!(then.register.instruments[0].until, None);

        let now = replay(Register::new(), &log);
        assert_eq!(now.register.instruments.len(), 1);
        assert_eq!(
            now.register.instruments[0].until,
            Some(jiff::civil::date(2022, 3, 31))
        );

        let before = as_recorded_at(Register::new(), &log, at("2021-02-01T00:00:00Z"));
        assert!(before.register.instruments.is_empty());
    }

    #[test]
    fn bad_changes_are_reported_and_skipped() {
        let body = Body {
            code: "02Q".into(),
            name: "Bassetlaw CCG".into(),
            kind: BodyKind::Ccg,
            life: Interval::new(jiff::civil::date(2013, 4, 1), None),
            basis: None,
            source: None,
            ons_code: None,
            span: None,
        };
        let log = vec![
            entry(
                1,
                "2021-01-01T00:00:00Z",
                Change::AddBody { body: body.clone() },
            ),
            entry(2, "2021-01-02T00:00:00Z", Change::AddBody { body }),
            entry(
                3,
                "2021-01-03T00:00:00Z",
                Change::RetractInstrument {
                    id: "nope".into(),
                    reason: "x".into(),
                },
            ),
            entry(
                4,
                "2021-01-04T00:00:00Z",
                Change::CorrectInstrument {
                    id: "a".into(),
                    instrument: delegation("b", None),
                },
            ),
        ];
        let r = replay(Register::new(), &log);
        assert_eq!(r.register.bodies.len(), 1);
        let seqs: Vec<u64> = r.issues.iter().map(|i| i.seq).collect();
        assert_eq!(seqs, vec![2, 3, 4]);
    }
}
