//! A trial of changes: the register with the changes put on a copy, compiled, and the
//! findings about what the changes touch. Every caller that asks "what would this change
//! do?" (recording a file, approving an application, publishing a proposal, a what-if, a
//! change through the API) asks it here, so the question has one answer and void changes
//! meet one policy: [`Trial::refuse_if_void`].

use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::instrument::Instrument;
use crate::model::register::Register;
use crate::snapshot::Snapshot;

/// The register with some changes on it, compiled.
#[derive(Debug, Clone)]
pub struct Trial {
    /// The register with the changes, compiled.
    pub snapshot: Snapshot,
    /// The findings (errors and warnings) about the changes' own subjects, in the order
    /// compiling found them. For a change with no subject of its own (a retraction), the
    /// findings that were not there before it.
    pub findings: Vec<Diagnostic>,
}

/// A change refused because it would make something it writes void: nothing is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Void {
    /// The errors that make it void (each names its subject).
    pub errors: Vec<Diagnostic>,
}

impl std::fmt::Display for Void {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} finding(s) would make the change void: ",
            self.errors.len()
        )?;
        for (n, d) in self.errors.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {}: {}", d.code, d.subject, d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Void {}

impl Trial {
    /// Puts `edit` on a copy of `register` and compiles it. `subjects` are the ids (of
    /// instruments or bodies) the change writes; their findings are kept. With no subjects,
    /// the findings are those that `before` (the register compiled as it is) did not have.
    pub fn of<E>(
        register: &Register,
        subjects: &[&str],
        before: Option<&Snapshot>,
        edit: impl FnOnce(&mut Register) -> Result<(), E>,
    ) -> Result<Trial, E> {
        let mut copy = register.clone();
        edit(&mut copy)?;
        let snapshot = Snapshot::compile(copy);
        let findings = if subjects.is_empty() {
            match before {
                Some(b) => snapshot
                    .diagnostics
                    .iter()
                    .filter(|d| !b.diagnostics.contains(d))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            }
        } else {
            snapshot
                .diagnostics
                .iter()
                .filter(|d| subjects.contains(&d.subject.as_str()))
                .cloned()
                .collect()
        };
        Ok(Trial { snapshot, findings })
    }

    /// Puts `instruments` on a copy of `register`, each replacing the instrument with its
    /// id if there is one, and compiles it.
    pub fn of_instruments(register: &Register, instruments: &[Instrument]) -> Trial {
        let ids: Vec<&str> = instruments.iter().map(|i| i.id.as_str()).collect();
        let edit = |r: &mut Register| -> Result<(), std::convert::Infallible> {
            for i in instruments {
                match r.instruments.iter_mut().find(|x| x.id == i.id) {
                    Some(slot) => *slot = i.clone(),
                    None => r.add_instrument(i.clone()),
                }
            }
            Ok(())
        };
        match Trial::of(register, &ids, None, edit) {
            Ok(t) => t,
            Err(never) => match never {},
        }
    }

    /// The findings that make something the change writes void.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.findings
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    pub fn is_void(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The one policy for void changes: a change that would make anything it writes void
    /// is refused, so nothing void is ever recorded (the CLI, the API and the UI alike).
    pub fn refuse_if_void(self) -> Result<Trial, Void> {
        if self.is_void() {
            Err(Void {
                errors: self.errors().cloned().collect(),
            })
        } else {
            Ok(self)
        }
    }
}
