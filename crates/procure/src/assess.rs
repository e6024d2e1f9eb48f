//! The assessment of a proposed contract: regime, permitted and refused processes, steps,
//! requirements and their authority, in-house evidence, collective participation and
//! liabilities; with a plain-text rendering and a what-if on a mandate's power.

use crate::authority::{self, ContractingAuthority};
use crate::calendar::Calendar;
use crate::contract::{Contract, LiabilityEvent};
use crate::regime::{Regime, RegimeBasis, Rules, Standstill};
use crate::requirements::{
    self, CollectiveCheck, InHouseCheck, LiabilityRecord, MandateStatus, Participant,
};
use crate::routes::{self, ChangeTest, Criterion, Process, Step, ThresholdUse};
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use vires_core::{Power, Register, Snapshot};

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
    pub permitted: Vec<Process>,
    pub refused: Vec<Process>,
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_criteria: Vec<Criterion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<ThresholdUse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub considerable_change: Option<ChangeTest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standstill: Vec<Standstill>,
    /// Mandates from the register that apply, each with its citation and authority.
    pub requirements: Vec<MandateStatus>,
    /// Whether each commissioner holds the function for its area on the start date.
    pub participants: Vec<Participant>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_house: Vec<InHouseCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective: Option<CollectiveCheck>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub liabilities: Vec<LiabilityRecord>,
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
        .mandates
        .iter()
        .filter(|m| m.binding)
        .find_map(|m| m.framework.clone());
    let framework = contract.framework.clone().or(mandated);
    let authorities = contracting_authorities(contract, snapshot, began)?;
    let class = authority::governing(&authorities);
    let mut r = routes::evaluate(contract, framework.as_deref(), class, rules, cal)?;
    requirements::apply(&mut r, &findings, contract);
    let mut notes = r.notes;
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
        permitted: r.permitted,
        refused: r.refused,
        steps: r.steps,
        key_criteria: r.key_criteria,
        threshold: r.threshold,
        considerable_change: r.considerable_change,
        standstill: r.standstill,
        requirements: findings.mandates,
        participants: findings.participants,
        in_house: findings.in_house,
        collective: findings.collective,
        liabilities: findings.liabilities,
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
    /// Each commissioner's class as a contracting authority, in words, with its source.
    pub fn contract_authorities_text(&self) -> Vec<String> {
        self.contracting_authorities
            .iter()
            .map(|a| {
                format!(
                    "{}: {} ({}){}",
                    a.body,
                    match a.class {
                        Some(c) => format!("{} contracting authority", c.as_str()),
                        None => "class not in the data".into(),
                    },
                    a.source.as_deref().unwrap_or("no source"),
                    if a.confirmed { "" } else { " (to confirm)" }
                )
            })
            .collect()
    }

    pub fn permitted_ids(&self) -> Vec<&str> {
        self.permitted.iter().map(|p| p.id.as_str()).collect()
    }

    pub fn refused_ids(&self) -> Vec<&str> {
        self.refused.iter().map(|p| p.id.as_str()).collect()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// A plain-text rendering for the terminal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let c = &self.contract;
        let _ = writeln!(
            s,
            "Contract{}: {} buying {}{} ({}), £{:.0}, procurement begun {}, from {} for {} months",
            c.reference
                .as_deref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default(),
            c.commissioners.join(", "),
            c.buying.as_str(),
            c.category
                .as_deref()
                .map(|x| format!(" / {x}"))
                .unwrap_or_default(),
            c.function,
            c.estimated_value,
            c.procurement_began,
            c.start,
            c.term_months
        );
        let _ = writeln!(
            s,
            "\nRegime: {} ({})",
            self.regime.title, self.regime.citation
        );
        let _ = writeln!(
            s,
            "  because {} [{}]{}",
            self.regime_basis.explanation,
            self.regime_basis.citation,
            if self.regime_basis.confirmed {
                ""
            } else {
                " (to confirm)"
            }
        );
        for r in &self.also_in_force {
            let _ = writeln!(s, "  also in force: {} ({})", r.title, r.citation);
        }
        if let Some(t) = &self.threshold {
            let _ = writeln!(
                s,
                "  threshold ({}): £{:.0}{}{} — the contract is {} it",
                match t.authority_class {
                    authority::AuthorityClass::All => "every contracting authority".to_string(),
                    c => format!("{} contracting authorities", c.as_str()),
                },
                t.amount_pounds,
                if t.includes_vat { " incl. VAT" } else { "" },
                if t.confirmed { "" } else { " (to confirm)" },
                if t.above { "at or above" } else { "below" }
            );
        }
        if self
            .threshold
            .as_ref()
            .is_some_and(|t| t.authority_class != authority::AuthorityClass::All)
        {
            for line in self.contract_authorities_text() {
                let _ = writeln!(s, "  {line}");
            }
        }
        if let Some(cc) = &self.considerable_change {
            let _ = writeln!(
                s,
                "  considerable change: {} ({})",
                if cc.considerable { "yes" } else { "no" },
                cc.citation
            );
        }
        let _ = writeln!(s, "\nPermitted:");
        for p in &self.permitted {
            let _ = writeln!(
                s,
                "  + {}{} [{}]\n      {}",
                p.title,
                if p.required { " (required)" } else { "" },
                p.citation,
                p.reason
            );
        }
        let _ = writeln!(s, "\nRefused:");
        for p in &self.refused {
            let _ = writeln!(s, "  - {} [{}]\n      {}", p.title, p.citation, p.reason);
        }
        if !self.steps.is_empty() {
            let _ = writeln!(s, "\nSteps:");
            for st in &self.steps {
                let scope = if st.processes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", st.processes.join(", "))
                };
                let _ = writeln!(s, "  * {}{} [{}]", st.text, scope, st.citation);
            }
        }
        for ss in &self.standstill {
            let unit = match ss.unit {
                crate::regime::DayUnit::Working => "working",
                crate::regime::DayUnit::Calendar => "calendar",
            };
            let _ = write!(s, "\nStandstill: {} {unit} days [{}]", ss.days, ss.citation);
            if !ss.confirmed {
                let _ = write!(s, " (counting rule to confirm)");
            }
            let _ = writeln!(s);
            let wd = |d: Date| format!("{} {d}", crate::regime::weekday(d));
            if !ss.voluntary_for.is_empty() {
                let _ = writeln!(
                    s,
                    "  voluntary, not mandatory, for: {} [{}]",
                    ss.voluntary_for.join(", "),
                    ss.citation
                );
            }
            if let (Some(n), Some(last)) = (ss.notice_date, ss.last_day) {
                let _ = writeln!(
                    s,
                    "  notice {}: standstill ends {}; the contract may be entered into from {}",
                    wd(n),
                    wd(last),
                    ss.earliest_contract_date.map(wd).unwrap_or_default()
                );
            }
            if let Some(l) = ss.latest_notice_for_start {
                let _ = writeln!(
                    s,
                    "  publish the notice by {} (a working day) for the contract to start on {}",
                    wd(l),
                    wd(c.start)
                );
            }
            let _ = writeln!(
                s,
                "  working days as defined in {}{}",
                ss.working_day_citation,
                if ss.working_day_confirmed {
                    ""
                } else {
                    " (to confirm)"
                }
            );
        }
        if !self.key_criteria.is_empty() {
            let _ = writeln!(s, "\nKey criteria to assess and record:");
            for k in &self.key_criteria {
                let _ = writeln!(s, "  * {} [{}]", k.text, k.citation);
            }
        }
        if !self.requirements.is_empty() {
            let _ = writeln!(s, "\nRequirements from the register:");
            for m in &self.requirements {
                let _ = writeln!(
                    s,
                    "  * {} `{}`: {} [{}]",
                    if m.binding { "BINDING" } else { "NOT BINDING" },
                    m.mandate,
                    m.text,
                    m.basis.as_deref().unwrap_or("cites no basis")
                );
                let _ = writeln!(s, "      authority: {}", m.authority);
                for u in &m.unmet {
                    let _ = writeln!(s, "      unmet: {u}");
                }
            }
        }
        for ih in &self.in_house {
            let _ = writeln!(
                s,
                "\nIn-house evidence for `{}`: {}",
                ih.mandate,
                if ih.compliant {
                    "complete"
                } else {
                    "INCOMPLETE"
                }
            );
            for r in &ih.recorded {
                let _ = writeln!(
                    s,
                    "  + {} ({})",
                    r.required,
                    r.record.as_deref().unwrap_or("no record reference")
                );
            }
            for m in &ih.missing {
                let _ = writeln!(s, "  - missing: {m}");
            }
        }
        let _ = writeln!(s, "\nCommissioners holding {} on {}:", c.function, c.start);
        for p in &self.participants {
            let _ = writeln!(
                s,
                "  {} {} {}: {}",
                if p.holds { "+" } else { "-" },
                p.body,
                p.name,
                p.reason
            );
        }
        if let Some(col) = &self.collective {
            let _ = writeln!(
                s,
                "\nCollective procurement: {}",
                if col.valid {
                    "every participant may take part"
                } else {
                    "NOT VALID"
                }
            );
            if !col.lacking.is_empty() {
                let _ = writeln!(s, "  lacking the function: {}", col.lacking.join(", "));
            }
            for n in &col.notes {
                let _ = writeln!(s, "  {n}");
            }
        }
        if !self.liabilities.is_empty() {
            let _ = writeln!(s, "\nLiabilities:");
            for l in &self.liabilities {
                let amount = l
                    .stranded_costs
                    .map(|v| format!("£{v:.0}"))
                    .unwrap_or_else(|| "stranded costs (not estimated)".into());
                let when = match (l.event, l.commissioner.as_deref()) {
                    (LiabilityEvent::Leaves, Some(c)) => format!(" when {c} leaves"),
                    (LiabilityEvent::Leaves, None) => " when a commissioner leaves".into(),
                    (LiabilityEvent::Ends, _) => " when the arrangement ends".into(),
                };
                let _ = writeln!(
                    s,
                    "  * {amount} on {}{when}: borne by {} ({})",
                    l.on, l.borne_by, l.basis
                );
                if let Some(w) = &l.warning {
                    let _ = writeln!(s, "      {w}");
                }
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(s, "\nNotes:");
            for n in &self.notes {
                let _ = writeln!(s, "  * {n}");
            }
        }
        s
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

    /// A plain-text rendering: what changed, then the whole answer with the change.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = match &self.change {
            PowerChange::Add { power } => writeln!(
                s,
                "What if: power `{}` ({}) were in the register",
                power.id, power.title
            ),
            PowerChange::Remove { id } => {
                writeln!(s, "What if: power `{id}` were not in the register")
            }
        };
        if self.authority_changes.is_empty() {
            let _ = writeln!(s, "\nNo requirement's authority changes.");
        } else {
            let _ = writeln!(s, "\nRequirements whose authority changes:");
            let rests = |b: bool| {
                if b {
                    "rests on a power"
                } else {
                    "rests on no power"
                }
            };
            let authority = |a: &Assessment, id: &str| {
                a.requirements
                    .iter()
                    .find(|m| m.mandate == id)
                    .map(|m| m.authority.clone())
                    .unwrap_or_default()
            };
            for c in &self.authority_changes {
                let _ = writeln!(
                    s,
                    "  * `{}`: {} -> {}\n      before: {}\n      after:  {}",
                    c.mandate,
                    rests(c.before),
                    rests(c.after),
                    authority(&self.before, &c.mandate),
                    authority(&self.after, &c.mandate)
                );
            }
        }
        if self.newly_permitted.is_empty() && self.newly_refused.is_empty() {
            let _ = writeln!(s, "The permitted processes do not change.");
        }
        if !self.newly_permitted.is_empty() {
            let _ = writeln!(s, "Newly permitted: {}", self.newly_permitted.join(", "));
        }
        if !self.newly_refused.is_empty() {
            let _ = writeln!(s, "Newly refused: {}", self.newly_refused.join(", "));
        }
        let _ = writeln!(s, "\n--- The answer with the change ---\n");
        s.push_str(&self.after.to_text());
        s
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
    let mut changed = register.clone();
    match &change {
        PowerChange::Add { power } => changed.add_power(power.clone()),
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
        }
    }
    let after = assess(contract, &Snapshot::compile(changed))?;
    let authority_changes = before
        .requirements
        .iter()
        .filter_map(|b| {
            let a = after.requirements.iter().find(|a| a.mandate == b.mandate)?;
            (a.rests_on_power != b.rests_on_power).then(|| AuthorityChange {
                mandate: b.mandate.clone(),
                before: b.rests_on_power,
                after: a.rests_on_power,
            })
        })
        .collect();
    let ids = |v: &[Process]| v.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    let (bp, ap) = (ids(&before.permitted), ids(&after.permitted));
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
