//! The assessment of a proposed contract: regime, permitted and refused processes, steps,
//! requirements and their authority, in-house evidence, collective participation and
//! liabilities; and a what-if on a mandate's power. The answers are data (JSON); their text
//! and HTML are made by the CLI and the web UI.

use crate::authority::{self, ContractingAuthority};
use crate::calendar::Calendar;
use crate::contract::Contract;
use crate::regime::{Regime, RegimeBasis, Rules};
use crate::requirements::{self, Findings};
use crate::routes::{self, Process, Routes};
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use vires_core::{Power, Register, Snapshot, Trial};

/// A regime in force, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegimeRef {
    pub id: String,
    pub title: String,
    pub citation: String,
    pub from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    pub source: String,
}

impl From<&Regime> for RegimeRef {
    fn from(r: &Regime) -> Self {
        RegimeRef {
            id: r.id.clone(),
            title: r.title.clone(),
            citation: r.citation.clone(),
            from: r.from,
            until: r.until,
            source: r.source.clone(),
        }
    }
}

/// What was asked, echoed with the derived function and end date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asked {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub commissioners: Vec<String>,
    pub buying: crate::contract::Buying,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub function: String,
    /// The function was not named (nor a category that names one): `function` is the
    /// default, secondary care commissioning, and `notes` says so.
    #[serde(default)]
    pub function_assumed: bool,
    pub estimated_value: f64,
    pub procurement_began: Date,
    pub start: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    pub term_months: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_provider: Option<String>,
    pub in_house: bool,
}

/// The answer for one proposed contract. Its JSON shape is a contract: add fields, never rename.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub contract: Asked,
    /// The regime that decides the process.
    pub regime: RegimeRef,
    /// Why the procurement is under that regime: when it began, and the provision (the
    /// regime's commencement, or the transitional provision that saves it).
    pub regime_basis: RegimeBasis,
    /// Each commissioner as a contracting authority: its class (central or sub-central) on
    /// the date the procurement began, which decides the goods and services threshold.
    pub contracting_authorities: Vec<ContractingAuthority>,
    /// Other regimes in force alongside it (for example the light touch regime).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_in_force: Vec<RegimeRef>,
    /// The processes permitted and refused, the steps, criteria, threshold and standstill:
    /// their fields stand in the assessment's JSON object itself (`permitted`, ...).
    #[serde(flatten)]
    pub routes: Routes,
    /// The requirements, participants, in-house checks, collective check and liabilities,
    /// likewise in the object itself (`requirements`, ...).
    #[serde(flatten)]
    pub findings: Findings,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Assesses a proposed contract against the rules in force on its start date and the
/// register in `snapshot`.
pub fn assess(contract: &Contract, snapshot: &Snapshot) -> Result<Assessment, ProcureError> {
    contract.validate()?;
    let rules = Rules::bundled()?;
    let cal = Calendar::england_and_wales()?;
    let began = contract.began()?;
    let regimes = rules.in_force(contract.buying, began)?;
    let Some((principal, others)) = regimes.split_first() else {
        return Err(ProcureError::NoRegime {
            date: began,
            from: rules.earliest().unwrap_or(began),
        });
    };
    let regime_basis = rules.basis(contract.buying, &regimes, began, contract.start)?;
    let findings = requirements::find(contract, snapshot)?;
    let mandated = findings
        .requirements
        .iter()
        .filter(|m| m.binding)
        .find_map(|m| m.framework.clone());
    let framework = contract.framework.clone().or(mandated);
    let authorities = contracting_authorities(contract, snapshot, began)?;
    let class = authority::governing(&authorities);
    let (mut r, mut notes) = routes::evaluate(contract, framework.as_deref(), class, rules, cal)?;
    requirements::apply(&mut r, &mut notes, &findings, contract);
    if let Some(col) = &findings.collective {
        if !col.lacking.is_empty() {
            notes.push(format!(
                "{} {} not hold {} for {} own area on {}: {} cannot take part in the collective procurement",
                col.lacking.join(", "),
                if col.lacking.len() == 1 { "does" } else { "do" },
                col.function,
                if col.lacking.len() == 1 { "its" } else { "their" },
                col.on,
                if col.lacking.len() == 1 { "it" } else { "they" }
            ));
        }
    }
    if contract.function_assumed() {
        notes.push(assumed_function_note(contract));
    }
    for p in findings.participants.iter().filter(|p| !p.holds) {
        if findings.collective.is_none() {
            notes.push(format!("{}: {}", p.body, p.reason));
        }
    }
    Ok(Assessment {
        contract: Asked {
            reference: contract.reference.clone(),
            title: contract.title.clone(),
            commissioners: contract.commissioners.clone(),
            buying: contract.buying,
            category: contract.category.clone(),
            function: contract.function_id(),
            function_assumed: contract.function_assumed(),
            estimated_value: contract.estimated_value,
            procurement_began: began,
            start: contract.start,
            end: contract.end(),
            term_months: contract.term_months,
            current_provider: contract.current_provider.clone(),
            in_house: contract.in_house,
        },
        regime: (*principal).into(),
        regime_basis,
        contracting_authorities: authorities,
        also_in_force: others.iter().map(|r| (*r).into()).collect(),
        routes: r,
        findings,
        notes,
    })
}

/// The commissioners as contracting authorities on the date the procurement began.
fn contracting_authorities(
    contract: &Contract,
    snapshot: &Snapshot,
    began: Date,
) -> Result<Vec<ContractingAuthority>, ProcureError> {
    let reg = snapshot.register();
    let mut out = Vec::new();
    for (i, code) in contract.commissioners.iter().enumerate() {
        let Some(id) = reg.body_near(code, began) else {
            return Err(ProcureError::UnknownBody {
                field: format!("commissioners[{i}]"),
                code: code.clone(),
                on: began,
            });
        };
        let kind = reg.body(id).kind.as_str();
        let row = authority::class_of(kind, began)?;
        out.push(ContractingAuthority {
            body: code.clone(),
            kind: kind.to_string(),
            class: row.map(|r| r.class),
            confirmed: row.is_some_and(|r| r.confirmed),
            source: row.map(|r| r.source.clone()),
        });
    }
    Ok(out)
}

/// Parses a contract from JSON and assesses it.
pub fn assess_json(text: &str, snapshot: &Snapshot) -> Result<Assessment, ProcureError> {
    assess(&Contract::from_json(text)?, snapshot)
}

impl Assessment {
    pub fn permitted_ids(&self) -> Vec<&str> {
        self.routes
            .permitted
            .iter()
            .map(|p| p.id.as_str())
            .collect()
    }

    pub fn refused_ids(&self) -> Vec<&str> {
        self.routes.refused.iter().map(|p| p.id.as_str()).collect()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// A change to the powers registry for a what-if.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "op")]
pub enum PowerChange {
    Add { power: Power },
    Remove { id: String },
}

/// The same contract assessed with and without a change to the powers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    pub change: PowerChange,
    pub before: Assessment,
    pub after: Assessment,
    /// Mandates whose authority changes: (id, rests on power before, after).
    pub authority_changes: Vec<AuthorityChange>,
    pub newly_permitted: Vec<String>,
    pub newly_refused: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorityChange {
    pub mandate: String,
    pub before: bool,
    pub after: bool,
}

impl WhatIf {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// Assesses the contract against `register`, then against a copy with the power added or
/// removed, and says what changes.
pub fn what_if_power(
    contract: &Contract,
    register: &Register,
    change: PowerChange,
) -> Result<WhatIf, ProcureError> {
    let before = assess(contract, &Snapshot::compile(register.clone()))?;
    // The change goes on a copy of the register through the one trial every what-if uses.
    let trial = Trial::of(register, &[], None, |changed| match &change {
        PowerChange::Add { power } => {
            changed.add_power(power.clone());
            Ok(())
        }
        PowerChange::Remove { id } => {
            let n = changed.powers.len();
            changed.powers.retain(|p| &p.id != id);
            if changed.powers.len() == n {
                return Err(ProcureError::Invalid {
                    what: "what-if",
                    field: "id".into(),
                    message: format!("no power `{id}` in the register; `vires powers` lists them"),
                });
            }
            Ok(())
        }
    })?;
    let after = assess(contract, &trial.snapshot)?;
    let authority_changes = before
        .findings
        .requirements
        .iter()
        .filter_map(|b| {
            let a = after
                .findings
                .requirements
                .iter()
                .find(|a| a.mandate == b.mandate)?;
            (a.rests_on_power != b.rests_on_power).then(|| AuthorityChange {
                mandate: b.mandate.clone(),
                before: b.rests_on_power,
                after: a.rests_on_power,
            })
        })
        .collect();
    let ids = |v: &[Process]| v.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    let (bp, ap) = (ids(&before.routes.permitted), ids(&after.routes.permitted));
    let newly_permitted = ap.iter().filter(|x| !bp.contains(x)).cloned().collect();
    let newly_refused = bp.iter().filter(|x| !ap.contains(x)).cloned().collect();
    Ok(WhatIf {
        change,
        before,
        after,
        authority_changes,
        newly_permitted,
        newly_refused,
    })
}

/// What the answer says when no function was named: the check is about secondary care
/// commissioning, which a health care contract usually serves; what other services and goods
/// serve does not follow from what is bought.
fn assumed_function_note(contract: &Contract) -> String {
    let f = contract.function_id();
    if contract.buying == crate::contract::Buying::HealthCareService {
        format!("no function was given, so the commissioners are checked for {f}, which a health care contract usually serves: give `function` if this one serves another")
    } else {
        format!("no function was given, so the commissioners are checked for {f}, which may not be the function these services or goods serve (it does not follow from what is bought): give `function` to check the right one")
    }
}
