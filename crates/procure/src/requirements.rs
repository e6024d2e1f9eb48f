//! Requirements from the register that bear on a contract: mandates addressed to the
//! commissioners (and whether each rests on a power), the evidence a mandate names for
//! bringing a service in house, whether every participant in a collective procurement holds
//! the function, and who bears stranded costs.
//!
//! Whether a mandate rests on a power is the core's judgement: after compilation, an error
//! diagnostic `V006` about the mandate means it rests on none. A mandate that rests on no
//! power is reported, not applied: it cannot refuse a process, but the answer says what it
//! would have required.

use crate::contract::{normalise, Contract, LiabilityEvent};
use crate::routes::{process as p, Process, Routes};
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use vires_core::diagnostic::codes;
use vires_core::{Instrument, InstrumentKind, Place, QueryError, Receivers, Severity, Snapshot};

/// The power a mandate rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerRef {
    pub id: String,
    pub title: String,
    pub source: String,
}

/// A mandate that applies to the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandateStatus {
    pub mandate: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maker: Option<String>,
    /// The requirement in the mandate's words.
    pub text: String,
    /// The basis the mandate cites (its citation), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The commissioners it is addressed to.
    pub addressed_to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exception_evidence: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub collective: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stranded_costs: Option<String>,
    pub rests_on_power: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<PowerRef>,
    /// Why the mandate does or does not rest on a power (the core's diagnostic when it does not).
    pub authority: String,
    /// Applied to the routes: true only when it rests on a power and is otherwise valid.
    pub binding: bool,
    /// What the contract does not meet, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmet: Vec<String>,
}

/// The in-house evidence check against one mandate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InHouseCheck {
    pub mandate: String,
    pub required: Vec<String>,
    /// Required items with the evidence recorded for each.
    pub recorded: Vec<RecordedItem>,
    pub missing: Vec<String>,
    /// Whether the evidence the mandate names is all recorded.
    pub compliant: bool,
    /// Whether the mandate binds (rests on a power); when false the check is advisory.
    pub binding: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedItem {
    pub required: String,
    pub evidence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

/// Whether one participant holds the function for its area on the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub body: String,
    pub name: String,
    pub holds: bool,
    pub reason: String,
    /// The instruments the holding rests on, statute first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proof: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectiveCheck {
    pub arrangement: crate::contract::CollectiveKind,
    pub function: String,
    pub on: Date,
    /// Commissioners that do not hold the function for their own area on the date.
    pub lacking: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// Participants for whose area the lead holds no function (it cannot act for them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lead_cannot_act_for: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub valid: bool,
}

/// Stranded costs and who bears them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiabilityRecord {
    pub event: LiabilityEvent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commissioner: Option<String>,
    pub on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stranded_costs: Option<f64>,
    pub borne_by: String,
    /// Where that comes from: the contract's own record or a mandate.
    pub basis: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Everything this module finds: the part of an [`crate::assess::Assessment`] about what the
/// register requires and who may take part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Findings {
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
}

/// Checks that every commissioner (and the lead, and the function) is known on the date.
/// Bad input, not a finding: the answer would otherwise be about nobody.
pub fn check_known(contract: &Contract, snapshot: &Snapshot) -> Result<(), ProcureError> {
    let reg = snapshot.register();
    for (i, code) in contract.commissioners.iter().enumerate() {
        if reg.body_at(code, contract.start).is_none() {
            return Err(ProcureError::UnknownBody {
                field: format!("commissioners[{i}]"),
                code: code.clone(),
                on: contract.start,
            });
        }
    }
    let f = contract.function_id();
    if reg.taxonomy.get(&f).is_none() {
        let field = if contract.function.is_some() {
            "function"
        } else {
            "category"
        };
        return Err(ProcureError::UnknownFunction {
            field: field.into(),
            function: f,
        });
    }
    Ok(())
}

fn in_force(snapshot: &Snapshot, ins: &Instrument, on: Date) -> bool {
    let until = snapshot
        .instrument_id(&ins.id)
        .map(|i| snapshot.effective_until(i))
        .unwrap_or(ins.until);
    on >= ins.from && until.is_none_or(|u| on < u)
}

fn addressed(snapshot: &Snapshot, ins: &Instrument, code: &str, on: Date) -> bool {
    match &ins.terms().receivers {
        Receivers::Bodies(bs) => bs.iter().any(|b| b == code),
        Receivers::Every(kind) => {
            let reg = snapshot.register();
            reg.body_at(code, on)
                .is_some_and(|b| reg.body(b).kind == *kind)
        }
    }
}

/// The power a valid mandate rests on: one it cites that its maker's kind may use then.
fn power_of(snapshot: &Snapshot, ins: &Instrument) -> Option<PowerRef> {
    let reg = snapshot.register();
    let basis = ins.terms().basis.as_deref()?;
    let maker_kind = ins
        .maker
        .as_deref()
        .and_then(|m| reg.body_near(m, ins.from))
        .map(|b| reg.body(b).kind);
    reg.powers
        .iter()
        .filter(|pw| pw.cited_by(basis))
        .find(|pw| {
            maker_kind.is_none_or(|k| pw.makers.is_empty() || pw.makers.contains(&k))
                && pw.kinds.contains(&InstrumentKind::Mandate)
        })
        .or_else(|| reg.powers.iter().find(|pw| pw.cited_by(basis)))
        .map(|pw| PowerRef {
            id: pw.id.clone(),
            title: pw.title.clone(),
            source: pw.source.clone(),
        })
}

fn category_matches(req: &vires_core::Requirement, contract: &Contract) -> bool {
    if req.categories.is_empty() {
        return true;
    }
    let Some(cat) = contract.category_key() else {
        return false;
    };
    req.categories.iter().any(|c| normalise(c) == cat)
}

/// Does recorded evidence `have` satisfy required item `need`? Equal after normalising, or
/// `have` names the item's leading words ("resilience" for "resilience comparable to
/// framework providers").
pub fn evidence_matches(need: &str, have: &str) -> bool {
    let (n, h) = (normalise(need), normalise(have));
    !h.is_empty() && (n == h || n.starts_with(&format!("{h}-")))
}

/// Finds the mandates, participants, in-house checks and liabilities for a contract.
pub fn find(contract: &Contract, snapshot: &Snapshot) -> Result<Findings, ProcureError> {
    check_known(contract, snapshot)?;
    let on = contract.start;
    let reg = snapshot.register();
    let function = contract.function_id();

    let mut mandates = Vec::new();
    let mut in_house = Vec::new();
    for ins in &reg.instruments {
        if ins.kind != InstrumentKind::Mandate || !in_force(snapshot, ins, on) {
            continue;
        }
        let Some(req) = &ins.particulars().requirement else {
            continue;
        };
        let addressed_to: Vec<String> = contract
            .commissioners
            .iter()
            .filter(|c| addressed(snapshot, ins, c, on))
            .cloned()
            .collect();
        if addressed_to.is_empty() || !category_matches(req, contract) {
            continue;
        }
        let errors: Vec<_> = snapshot
            .diagnostics_for(&ins.id)
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let no_power = errors
            .iter()
            .find(|d| d.code == codes::REQUIREMENT_WITHOUT_POWER);
        let power = if no_power.is_none() {
            power_of(snapshot, ins)
        } else {
            None
        };
        let rests_on_power = no_power.is_none();
        let authority = match (no_power, &power) {
            (Some(d), _) => format!("rests on no power ({}): {}", d.code, d.message),
            (None, Some(pw)) => format!("rests on {} ({})", pw.title, pw.source),
            (None, None) => "the register raises no objection to its authority".into(),
        };
        let other_errors: Vec<String> = errors
            .iter()
            .filter(|d| d.code != codes::REQUIREMENT_WITHOUT_POWER)
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        let binding = rests_on_power && other_errors.is_empty();
        let mut unmet = Vec::new();
        for e in &other_errors {
            unmet.push(format!("the mandate is void in the register ({e})"));
        }
        if let Some(fw) = &req.framework {
            if contract.in_house {
                // Judged by the in-house check below.
            } else if contract
                .framework
                .as_deref()
                .is_some_and(|f| normalise(f) != normalise(fw))
            {
                unmet.push(format!(
                    "the contract names framework `{}`, not `{fw}`",
                    contract.framework.as_deref().unwrap_or_default()
                ));
            } else if contract.framework.is_none() {
                unmet.push(format!(
                    "buy through the framework `{fw}` (the contract names none)"
                ));
            }
        }
        if req.collective && contract.collective.is_none() {
            unmet.push("the mandate requires its receivers to procure collectively; the contract has no collective arrangement".into());
        }
        if contract.in_house && !req.exception_evidence.is_empty() {
            let mut recorded = Vec::new();
            let mut missing = Vec::new();
            for need in &req.exception_evidence {
                match contract
                    .in_house_evidence
                    .iter()
                    .find(|e| evidence_matches(need, &e.item))
                {
                    Some(e) => recorded.push(RecordedItem {
                        required: need.clone(),
                        evidence: e.item.clone(),
                        record: e.record.clone(),
                    }),
                    None => missing.push(need.clone()),
                }
            }
            if !missing.is_empty() {
                unmet.push(format!("in-house evidence missing: {}", missing.join("; ")));
            }
            in_house.push(InHouseCheck {
                mandate: ins.id.to_string(),
                required: req.exception_evidence.clone(),
                recorded,
                compliant: missing.is_empty(),
                missing,
                binding,
            });
        } else if contract.in_house && req.framework.is_some() {
            unmet.push("the mandate names no evidence that would allow an in-house service".into());
        }
        mandates.push(MandateStatus {
            mandate: ins.id.to_string(),
            title: ins.title.to_string(),
            maker: ins.maker.as_ref().map(ToString::to_string),
            text: req.text.clone(),
            basis: ins.terms().basis.clone(),
            source: ins.terms().source.clone(),
            addressed_to,
            framework: req.framework.clone(),
            exception_evidence: req.exception_evidence.clone(),
            collective: req.collective,
            stranded_costs: req.stranded_costs.clone(),
            rests_on_power,
            power,
            authority,
            binding,
            unmet,
        });
    }

    let mut participants = Vec::new();
    for code in &contract.commissioners {
        participants.push(participant(snapshot, code, &function, on)?);
    }

    let collective = contract.collective.as_ref().map(|col| {
        let lacking: Vec<String> = participants
            .iter()
            .filter(|p| !p.holds)
            .map(|p| p.body.clone())
            .collect();
        let mut lead_cannot_act_for = Vec::new();
        let mut notes = Vec::new();
        if let Some(lead) = &col.lead {
            for other in contract.commissioners.iter().filter(|c| *c != lead) {
                let ok = snapshot
                    .may(lead, &function, &Place::Body(other.as_str().into()), on, None)
                    .map(|a| a.allowed)
                    .unwrap_or(false);
                if !ok {
                    lead_cannot_act_for.push(other.clone());
                }
            }
            if !lead_cannot_act_for.is_empty() {
                notes.push(format!(
                    "no instrument in the register lets {lead} exercise {function} for {}; a lead commissioner needs a delegation, joint arrangement or partnership from each participant",
                    lead_cannot_act_for.join(", ")
                ));
            }
        }
        if let Some(id) = &col.instrument {
            match snapshot.instrument_id(id) {
                None => notes.push(format!("instrument `{id}` is not in the register")),
                Some(iid) => {
                    let ins = &reg.instruments[iid.0 as usize];
                    if snapshot.is_void(iid) {
                        notes.push(format!("instrument `{id}` is void in the register"));
                    } else if !in_force(snapshot, ins, on) {
                        notes.push(format!("instrument `{id}` is not in force on {on}"));
                    }
                }
            }
        }
        CollectiveCheck {
            arrangement: col.arrangement,
            function: function.clone(),
            on,
            valid: lacking.is_empty() && lead_cannot_act_for.is_empty() && notes.is_empty(),
            lacking,
            lead: col.lead.clone(),
            lead_cannot_act_for,
            notes,
        }
    });

    let liabilities = liabilities(contract, &mandates);
    Ok(Findings {
        requirements: mandates,
        participants,
        in_house,
        collective,
        liabilities,
    })
}

fn participant(
    snapshot: &Snapshot,
    code: &str,
    function: &str,
    on: Date,
) -> Result<Participant, ProcureError> {
    let reg = snapshot.register();
    let name = reg
        .body_at(code, on)
        .map(|b| reg.body(b).name.clone())
        .unwrap_or_default();
    match snapshot.may(
        code,
        function,
        &Place::Body(code.to_string().into()),
        on,
        None,
    ) {
        Ok(a) => Ok(Participant {
            body: code.to_string(),
            name,
            holds: a.allowed,
            reason: a.reason,
            proof: a
                .holding
                .filter(|_| a.allowed)
                .map(|h| h.proof.iter().map(|s| s.instrument.clone()).collect())
                .unwrap_or_default(),
        }),
        Err(QueryError::UnknownFunction(f)) => Err(ProcureError::UnknownFunction {
            field: "function".into(),
            function: f,
        }),
        Err(QueryError::UnknownBody { code, on }) => Err(ProcureError::UnknownBody {
            field: "commissioners".into(),
            code,
            on,
        }),
        Err(e) => Err(ProcureError::Invalid {
            what: "contract",
            field: "commissioners".into(),
            message: e.to_string(),
        }),
    }
}

fn liabilities(contract: &Contract, mandates: &[MandateStatus]) -> Vec<LiabilityRecord> {
    let placing = mandates.iter().find(|m| m.stranded_costs.is_some());
    let warn = |m: &MandateStatus| {
        (!m.rests_on_power).then(|| {
            format!(
                "mandate `{}` places these costs but rests on no power; whether they can be recovered is open to challenge",
                m.mandate
            )
        })
    };
    let mut out: Vec<LiabilityRecord> = contract
        .liabilities
        .iter()
        .map(|l| {
            let (borne_by, basis, warning) = match (&l.borne_by, l.event, placing) {
                (Some(b), _, _) => (b.clone(), "recorded in the contract".to_string(), None),
                (None, LiabilityEvent::Leaves, Some(m)) => (
                    m.stranded_costs.clone().unwrap_or_default(),
                    format!("mandate `{}`", m.mandate),
                    warn(m),
                ),
                // A mandate's stranded-costs rule is about departure ("on departure", in the
                // language); it does not say who pays when the arrangement itself ends.
                (None, LiabilityEvent::Ends, Some(m)) => (
                    "not agreed: the commissioners party to the arrangement must settle it".into(),
                    format!(
                        "no agreement in the contract says who bears them; mandate `{}` places stranded costs only on a commissioner that departs ({})",
                        m.mandate,
                        m.stranded_costs.as_deref().unwrap_or_default()
                    ),
                    Some("record who bears stranded costs in the collective agreement before it ends (`borne_by`)".into()),
                ),
                (None, _, None) => (
                    match (&l.event, &l.commissioner) {
                        (LiabilityEvent::Leaves, Some(c)) => format!("not agreed: {c} (departing) and the remaining commissioners must settle it"),
                        _ => "not agreed: the commissioners party to the arrangement must settle it".into(),
                    },
                    "no agreement or mandate in the register says who bears them".into(),
                    Some("record who bears stranded costs in the collective agreement before it ends".into()),
                ),
            };
            LiabilityRecord {
                event: l.event,
                commissioner: l.commissioner.clone(),
                on: l.on,
                stranded_costs: Some(l.stranded_costs),
                borne_by,
                basis,
                warning,
            }
        })
        .collect();
    // Bringing a service in house under such a mandate is itself a departure, even when the
    // contract records no figure yet.
    if contract.in_house && contract.liabilities.is_empty() {
        if let Some(m) = placing {
            out.push(LiabilityRecord {
                event: LiabilityEvent::Leaves,
                commissioner: match contract.commissioners.as_slice() {
                    [only] => Some(only.clone()),
                    _ => None,
                },
                on: contract.start,
                stranded_costs: None,
                borne_by: m.stranded_costs.clone().unwrap_or_default(),
                basis: format!("mandate `{}`", m.mandate),
                warning: warn(m).or_else(|| {
                    Some("bringing the service in house leaves the collective arrangement: estimate the stranded costs and record them".into())
                }),
            });
        }
    }
    out
}

/// Applies binding mandates to the statutory routes: processes outside a mandated framework
/// are refused, and an in-house service is permitted only with the evidence the mandate names.
pub fn apply(
    routes: &mut Routes,
    notes: &mut Vec<String>,
    findings: &Findings,
    contract: &Contract,
) {
    for m in &findings.requirements {
        let Some(fw) = &m.framework else {
            continue;
        };
        if !m.binding {
            notes.push(format!(
                "mandate `{}` would require buying from `{fw}` ({}), but it {}; it is reported, not applied",
                m.mandate, m.text, m.authority
            ));
            continue;
        }
        let cite = m
            .basis
            .clone()
            .unwrap_or_else(|| format!("mandate `{}`", m.mandate));
        let mut keep = Vec::new();
        for pr in std::mem::take(&mut routes.permitted) {
            let refuse_reason = match pr.id.as_str() {
                p::IN_HOUSE => {
                    let check = findings.in_house.iter().find(|c| c.mandate == m.mandate);
                    match check {
                        Some(c) if c.compliant => None,
                        Some(c) => Some(format!(
                            "mandate `{}` allows an in-house service only when the evidence it names is recorded ({} of {} recorded); missing: {}",
                            m.mandate,
                            c.recorded.len(),
                            c.required.len(),
                            c.missing.join("; ")
                        )),
                        None if contract.in_house => Some(format!(
                            "mandate `{}` requires buying from `{fw}` and names no evidence that would allow an in-house service",
                            m.mandate
                        )),
                        None => Some(format!(
                            "mandate `{}` requires buying from `{fw}`{}",
                            m.mandate,
                            if m.exception_evidence.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    "; an in-house service needs evidence of: {}",
                                    m.exception_evidence.join("; ")
                                )
                            }
                        )),
                    }
                }
                p::FRAMEWORK_CALL_OFF | p::PSR_FRAMEWORK => match &contract.framework {
                    Some(f) if normalise(f) != normalise(fw) => Some(format!(
                        "mandate `{}` requires the framework `{fw}`, not `{f}`",
                        m.mandate
                    )),
                    _ => None,
                },
                _ => Some(format!(
                    "mandate `{}` requires buying from the framework `{fw}`: {}",
                    m.mandate, m.text
                )),
            };
            match refuse_reason {
                None => keep.push(pr),
                Some(reason) => routes.refused.push(Process {
                    citation: format!("{}; {}", pr.citation, cite),
                    reason,
                    ..pr
                }),
            }
        }
        routes.permitted = keep;
        if let Some(pr) = routes.permitted.iter_mut().find(|x| x.id == p::IN_HOUSE) {
            if findings
                .in_house
                .iter()
                .any(|c| c.mandate == m.mandate && c.compliant)
            {
                pr.reason = format!(
                    "the evidence mandate `{}` names for an in-house service is recorded",
                    m.mandate
                );
                pr.citation = format!("{}; {}", pr.citation, cite);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_matching() {
        assert!(evidence_matches("value for money", "Value-for-money"));
        assert!(evidence_matches(
            "resilience comparable to lead provider framework providers",
            "resilience"
        ));
        assert!(!evidence_matches("resilience comparable", "resil"));
        assert!(!evidence_matches("capacity", ""));
    }
}
