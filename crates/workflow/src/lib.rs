//! # vires-workflow
//!
//! The workflows that change the register of NHS commissioning powers, kept pure so that
//! the store and the server can apply their results atomically:
//!
//! - [`round`]: application rounds for delegated powers (primary care co-commissioning in
//!   2014, later POD and specialised services): who may apply, the levels offered, the
//!   criteria and the deadline; applications move Draft → Submitted → Recommended →
//!   Approved | Rejected (or Withdrawn), and approval issues the delegation or joint
//!   committee itself.
//! - [`assessment`]: published ratings of commissioners (CCG Improvement and Assessment
//!   Framework, NHS Oversight Framework segments), checked against the framework in force.
//! - [`intervention`]: the instruments NHS England uses on a struggling commissioner
//!   (a direction, functions moved to another CCG, a local authority or a provider) and
//!   devolution arrangements with a combined authority.
//! - [`proposal`]: what-if proposals (a branch of instruments not yet in force): validity,
//!   the diff of holders, affected practices and bodies, new joint-appointment conflicts,
//!   gaps and overlaps created; publish or withdraw.
//! - [`calendar`]: expiries, reviews and application deadlines, exported as iCalendar.
//!
//! Nothing here does I/O or mutates a [`vires_core::Register`]: every operation returns
//! the instruments to add and an [`Event`] for the audit log, and a refused operation
//! returns a typed error naming the rule it broke and leaves everything as it was.

pub mod assessment;
pub mod calendar;
pub mod intervention;
pub mod proposal;
pub mod round;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// One step of a workflow, for the audit log: who did what to which subject, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The date the step took effect in the workflow (a submission date, a board meeting).
    pub at: Date,
    /// Who took the step (a person, a committee, a body code).
    pub actor: String,
    /// The stable name of the step (`submit`, `recommend`, `approve`, `publish`, ...).
    pub action: String,
    /// What the step was about (an application id, a proposal id).
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Event {
    pub fn new(
        at: Date,
        actor: impl Into<String>,
        action: impl Into<String>,
        subject: impl Into<String>,
        reason: Option<String>,
    ) -> Self {
        Event {
            at,
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            reason,
        }
    }
}
