//! Conflicts of interest: each body's register of interests and of gifts and hospitality,
//! records of decisions (who decided, who took part, what was declared and how each
//! conflict was managed), and the checks on them under the policy of the decision's date
//! and the deciding body's kind. The records are data; their publication as CSV and HTML is
//! made by the adapters (`vires_app::conflicts_csv`, `vires_web::conflicts_pages`).
//!
//! - [`records`]: the registers and decision records, read from JSON and validated.
//! - [`policy`]: the dated conflicts-of-interest policies and procurement rules.
//! - [`finding`]: findings and their stable codes.
//! - `decision_checks` and `register_checks`: the checks; [`check`] runs them.

mod context;
mod decision_checks;
pub mod finding;
pub mod policy;
pub mod records;
mod register_checks;

pub use finding::{Finding, FindingSeverity};
pub use policy::{policy_for, Policy, PolicyUse};
pub use records::{
    Decision, Declaration, Gift, GiftKind, GiftOutcome, Interest, InterestRegister, InterestType,
    Management, Participation, Person, Post,
};

use crate::ProcureError;
use context::Ctx;
use decision_checks::{by_name, check_decision_in, check_review, loses_vote, merged_register};
use jiff::civil::Date;
use register_checks::check_register_in;
use serde::Serialize;
use vires_core::Snapshot;

/// A decision record with its findings, for `vires conflicts check`, the API and the UI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionReport {
    pub decision: Decision,
    pub findings: Vec<Finding>,
    /// Voting members left after exclusions.
    pub voting_after_exclusions: u32,
    pub quorate: bool,
    /// No error findings (in `findings` or `register_findings`).
    pub sound: bool,
    /// The policy applied: by the deciding body's kind and the decision's date.
    pub policy: PolicyUse,
    /// Findings about the registers themselves (gifts and hospitality, declarations), each
    /// under the policy in force on the entry's date.
    pub register_findings: Vec<Finding>,
}

/// The answer of [`check`]: the decision's report when a decision was given, and the
/// registers' own findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictsCheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionReport>,
    pub register_findings: Vec<Finding>,
}

/// The one conflicts check that the CLI (`vires conflicts check`), the API
/// (`POST /conflicts/check`) and the web page all call: the deciding body and each
/// register's body must be in `snapshot`'s register; the decision (if any) is checked against
/// the registers (merged for a joint committee) under the policy for the deciding body's kind
/// on the decision's date, and each register's gifts, hospitality and declarations under the
/// policy for its body on each entry's date. Parties match by ODS code or normalised name.
pub fn check(
    snapshot: &Snapshot,
    decision: Option<Decision>,
    registers: &[InterestRegister],
) -> Result<ConflictsCheck, ProcureError> {
    let reg = snapshot.register();
    if let Some(d) = &decision {
        d.validate()?;
        d.check_body(snapshot)
            .map_err(|e| prefix_field(e, "decision"))?;
    }
    for (i, r) in registers.iter().enumerate() {
        r.validate()?;
        let on = decision
            .as_ref()
            .map(|d| d.date)
            .or_else(|| r.first_date())
            .unwrap_or(DEFAULT_DATE);
        if reg.body_near(&r.body, on).is_none() {
            return Err(ProcureError::UnknownBody {
                field: format!("interests[{i}].body"),
                code: r.body.clone(),
                on,
            });
        }
        if decision.is_some() {
            r.check_body(snapshot, on)
                .map_err(|e| prefix_field(e, &format!("interests[{i}]")))?;
        }
    }
    let mut register_findings = Vec::new();
    for r in registers {
        let ctx = Ctx::new(Some(reg), &r.body, r.first_date().unwrap_or(DEFAULT_DATE))?;
        register_findings.extend(check_register_in(r, &ctx)?);
    }
    let report = match decision {
        None => None,
        Some(decision) => {
            let ctx = Ctx::new(Some(reg), &decision.body, decision.date)?;
            let merged;
            let register = match registers {
                [one] => one,
                many => {
                    merged = merged_register(&decision, many);
                    &merged
                }
            };
            let mut findings = check_decision_in(&decision, register, &ctx);
            for r in registers {
                findings.extend(check_review(&decision, r, &ctx));
            }
            if ctx.policy.is_none() {
                findings.push(Finding {
                    code: finding::LIMITS_NOT_KNOWN,
                    severity: FindingSeverity::Info,
                    subject: decision.id.clone(),
                    person: None,
                    counterparty: None,
                    message: format!(
                        "no conflicts-of-interest guidance for {} ({}) on {} is in the data: the checks that need its rules (recently ended interests, register review) were not made",
                        decision.body,
                        ctx.kind.unwrap_or("kind unknown"),
                        decision.date
                    ),
                    citation: ctx.legal_citation(),
                });
            }
            let declarations = by_name(&decision.declarations, |d| &d.person);
            let voting_after_exclusions = decision
                .participants
                .iter()
                .filter(|p| p.voting && !loses_vote(&declarations, &p.person))
                .count() as u32;
            let sound = !findings
                .iter()
                .chain(&register_findings)
                .any(|f| f.severity == FindingSeverity::Error);
            Some(DecisionReport {
                quorate: voting_after_exclusions >= decision.quorum,
                sound,
                voting_after_exclusions,
                findings,
                policy: ctx.policy_use(&decision.body),
                register_findings: register_findings.clone(),
                decision,
            })
        }
    };
    Ok(ConflictsCheck {
        decision: report,
        register_findings,
    })
}

/// A date for a register with no dated entry and no decision: only its body's existence is
/// checked then.
const DEFAULT_DATE: Date = jiff::civil::date(2013, 4, 1);

fn prefix_field(e: ProcureError, prefix: &str) -> ProcureError {
    match e {
        ProcureError::UnknownBody { field, code, on } => ProcureError::UnknownBody {
            field: format!("{prefix}.{field}"),
            code,
            on,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_the_field() {
        let e = InterestRegister::from_json(
            r#"{"body":"02Q","gifts":[{"declarant":"A","kind":"gift","description":"x","value":-1,"date":"2016-09-01","giver":"Acme","outcome":"accepted"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("gifts[0].value"), "{e}");
        let e = InterestRegister::from_json(r#"{"body":"02Q","interests":[{"declarant":"A","role":"GP","type":"money","counterparty":"X","from":"2014-01-01"}]}"#).unwrap_err();
        assert!(e.to_string().contains("interests[0].type"), "{e}");
    }
}
