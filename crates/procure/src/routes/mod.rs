//! The processes each regime permits for a contract, the reason every other process is
//! refused, and the steps each permitted process needs.
//!
//! The rules follow the regulations' own order of questions. Under the Provider Selection
//! Regime (SI 2023/1348 reg 6): is there an existing provider that alone can provide the
//! service (direct award A, mandatory)? do patients choose among unrestricted providers
//! (direct award B, mandatory)? otherwise, is the existing provider satisfactory and the
//! change not considerable (direct award C), or use the most suitable provider process or a
//! competition. Under general procurement law the estimated value against the threshold in
//! force decides whether the full procedures apply.
//!
//! The regimes' questions are in `psr` (the Provider Selection Regime), `nhs_2013` (the
//! 2013 regulations, SI 2013/500) and `general` (general procurement law); this module
//! holds the answer's types, the builder they share, and the checks every regime ends with.

mod general;
mod nhs_2013;
mod psr;

use general::general;
use nhs_2013::nhs_2013;
use psr::psr;

use crate::authority::AuthorityClass;
use crate::calendar::Calendar;
use crate::contract::{Buying, Contract};
use crate::regime::{ids, Regime, Rules, Standstill};
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A process, permitted or refused, with the reason and the provision it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub id: String,
    pub title: String,
    pub regime: String,
    pub citation: String,
    /// True when the regime requires this process (and so refuses the others).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    pub reason: String,
}

/// Something the commissioners must do, and the provision that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The processes the step belongs to; empty means every permitted process.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    pub text: String,
    pub citation: String,
}

/// A criterion the decision must be assessed against and recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub text: String,
    pub citation: String,
}

/// The value threshold that decided whether the full procedures apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdUse {
    pub regime: String,
    /// The class of contracting authority the amount is for (`all` for the light touch
    /// regime's); the answer's `contracting_authorities` say why.
    pub authority_class: AuthorityClass,
    pub amount_pounds: f64,
    pub includes_vat: bool,
    pub estimated_value: f64,
    pub above: bool,
    pub confirmed: bool,
    pub source: String,
}

/// The Provider Selection Regime's considerable-change test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeTest {
    /// What the contract says.
    pub stated: bool,
    /// The value limb, when both values are given: at least the minimum increase in pounds
    /// and in per cent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_value: Option<bool>,
    pub considerable: bool,
    pub citation: String,
}

/// Statutory routes for a contract (mandates applied to them by `requirements::apply`): the
/// part of an [`crate::assess::Assessment`] that says which processes the law permits and
/// what they require.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routes {
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
}

/// Stable process ids.
pub mod process {
    pub const DIRECT_AWARD_A: &str = "direct-award-a";
    pub const DIRECT_AWARD_B: &str = "direct-award-b";
    pub const DIRECT_AWARD_C: &str = "direct-award-c";
    pub const MOST_SUITABLE: &str = "most-suitable-provider";
    pub const PSR_COMPETITIVE: &str = "competitive-process";
    pub const PSR_FRAMEWORK: &str = "psr-framework-call-off";
    pub const NHS2013_COMPETITIVE: &str = "competitive-tender";
    pub const NHS2013_SINGLE: &str = "single-provider-award";
    pub const COMPETITIVE_PROCEDURE: &str = "competitive-procedure";
    pub const NEGOTIATED_WITHOUT_NOTICE: &str = "negotiated-without-prior-publication";
    pub const FRAMEWORK_CALL_OFF: &str = "framework-call-off";
    pub const BELOW_THRESHOLD: &str = "below-threshold-award";
    pub const COMPETITIVE_TENDERING: &str = "competitive-tendering";
    pub const PA_DIRECT_AWARD: &str = "direct-award";
    pub const IN_HOUSE: &str = "in-house";
}

use process as p;

/// The PSR key criteria (SI 2023/1348 reg 5).
pub fn psr_key_criteria() -> Vec<Criterion> {
    [
        ("quality-and-innovation", "Quality and innovation"),
        ("value", "Value"),
        (
            "integration-collaboration-sustainability",
            "Integration, collaboration and service sustainability",
        ),
        (
            "access-inequalities-choice",
            "Improving access, reducing health inequalities and facilitating choice",
        ),
        ("social-value", "Social value"),
    ]
    .into_iter()
    .map(|(id, text)| Criterion {
        id: id.into(),
        text: text.into(),
        citation: "SI 2023/1348 reg 5".into(),
    })
    .collect()
}

struct Builder<'a> {
    out: Routes,
    /// Notes on the routes, for the assessment's `notes`.
    notes: Vec<String>,
    regime: &'a Regime,
    /// When the procurement began: thresholds are those for procurements begun then.
    began: Date,
    /// The class of the contracting authorities, for the goods and services threshold; none
    /// when the data has no class for one of them.
    class: Option<AuthorityClass>,
}

impl ThresholdUse {
    fn new(t: &crate::regime::Threshold, estimated_value: f64) -> ThresholdUse {
        ThresholdUse {
            regime: t.regime.clone(),
            authority_class: t.authority_class,
            amount_pounds: t.amount_pounds,
            includes_vat: t.includes_vat,
            estimated_value,
            above: estimated_value >= t.amount_pounds,
            confirmed: t.confirmed,
            source: t.source.clone(),
        }
    }
}

impl Builder<'_> {
    fn permit(&mut self, id: &str, title: &str, citation: &str, reason: impl Into<String>) {
        self.push(id, title, citation, false, reason, true);
    }
    fn require(&mut self, id: &str, title: &str, citation: &str, reason: impl Into<String>) {
        self.push(id, title, citation, true, reason, true);
    }
    fn refuse(&mut self, id: &str, title: &str, citation: &str, reason: impl Into<String>) {
        self.push(id, title, citation, false, reason, false);
    }
    fn push(
        &mut self,
        id: &str,
        title: &str,
        citation: &str,
        required: bool,
        reason: impl Into<String>,
        permitted: bool,
    ) {
        let pr = Process {
            id: id.into(),
            title: title.into(),
            regime: self.regime.id.clone(),
            citation: citation.into(),
            required,
            reason: reason.into(),
        };
        if permitted {
            self.out.permitted.push(pr);
        } else {
            self.out.refused.push(pr);
        }
    }
    fn step(&mut self, processes: &[&str], text: impl Into<String>, citation: &str) {
        self.out.steps.push(Step {
            processes: processes.iter().map(|s| s.to_string()).collect(),
            text: text.into(),
            citation: citation.into(),
        });
    }
}

/// Works out the statutory routes, and notes on them. `framework` is the framework the
/// contract would be called off from (the contract's own, or one a mandate names).
pub fn evaluate(
    contract: &Contract,
    framework: Option<&str>,
    class: Option<AuthorityClass>,
    rules: &Rules,
    cal: &Calendar,
) -> Result<(Routes, Vec<String>), ProcureError> {
    // The law that governs the procurement is the law for the date it began (see the
    // transitions in data/regimes.json), not the law on the contract's start date.
    let on = contract.began()?;
    let regimes = rules.in_force(contract.buying, on)?;
    let Some(&principal) = regimes.first() else {
        return Err(ProcureError::NoRegime {
            date: on,
            from: rules.earliest().unwrap_or(on),
        });
    };
    let mut b = Builder {
        out: Routes {
            permitted: Vec::new(),
            refused: Vec::new(),
            steps: Vec::new(),
            key_criteria: Vec::new(),
            threshold: None,
            considerable_change: None,
            standstill: Vec::new(),
        },
        notes: Vec::new(),
        regime: principal,
        began: on,
        class,
    };
    match principal.id.as_str() {
        ids::PSR => psr(&mut b, contract, framework, rules, cal)?,
        ids::NHS_2013 => nhs_2013(&mut b, contract, &regimes, rules, cal)?,
        ids::PCR_2015 | ids::PCR_2006 | ids::PROCUREMENT_ACT => {
            general(&mut b, contract, framework, rules, cal)?
        }
        other => {
            return Err(ProcureError::Data(format!(
                "regime `{other}` has no route rules"
            )))
        }
    }
    in_house(&mut b, contract);
    not_in_force(&mut b, contract.buying, on, rules);
    Ok((b.out, b.notes))
}

/// Works out the standstill dates; dates beyond the bank-holiday data become a note, so the
/// rest of the answer still stands.
fn standstill(
    b: &mut Builder,
    rule: &crate::regime::StandstillRule,
    c: &Contract,
    cal: &Calendar,
) -> Result<(), ProcureError> {
    // The Procurement Act counts bank holidays in any part of the UK; the others, England
    // and Wales's (the calendar passed in).
    let uk;
    let cal = match rule.bank_holidays {
        crate::regime::BankHolidays::EnglandAndWales => cal,
        crate::regime::BankHolidays::UnitedKingdom => {
            uk = rule.bank_holidays.calendar()?;
            uk
        }
    };
    match rule.work_out(cal, c.notice_date, c.start) {
        Ok(s) => b.out.standstill.push(s),
        Err(ProcureError::OutsideCalendar { date, from, until }) => b.notes.push(format!(
            "standstill dates ({} {} days, {}) cannot be worked out: {date} is outside the bank holidays known ({from} to before {until})",
            rule.days,
            match rule.unit {
                crate::regime::DayUnit::Working => "working",
                crate::regime::DayUnit::Calendar => "calendar",
            },
            rule.citation
        )),
        Err(e) => return Err(e),
    }
    Ok(())
}

fn in_house(b: &mut Builder, c: &Contract) {
    // Only a proposal to provide the service in house is assessed; listing it otherwise
    // would answer a question nobody asked.
    if !c.in_house {
        return;
    }
    let cite = format!(
        "{} (applies to contracts with providers)",
        b.regime.citation
    );
    b.permit(
        p::IN_HOUSE,
        "Provide the service in house",
        &cite,
        "providing the service itself awards no contract, so the regime does not require a procurement; mandates may still restrict it",
    );
}

/// Processes of the regimes not in force on the date, refused with the dates they apply.
fn not_in_force(b: &mut Builder, buying: Buying, on: Date, rules: &Rules) {
    let known: &[(&str, &[(&str, &str)])] = match buying {
        Buying::HealthCareService => &[
            (
                ids::PSR,
                &[
                    (p::DIRECT_AWARD_A, "Direct award process A"),
                    (p::DIRECT_AWARD_B, "Direct award process B"),
                    (p::DIRECT_AWARD_C, "Direct award process C"),
                    (p::MOST_SUITABLE, "Most suitable provider process"),
                    (p::PSR_COMPETITIVE, "Competitive process"),
                ],
            ),
            (
                ids::NHS_2013,
                &[
                    (p::NHS2013_COMPETITIVE, "Competitive tender"),
                    (
                        p::NHS2013_SINGLE,
                        "Award to a single provider without competition",
                    ),
                ],
            ),
        ],
        Buying::Goods | Buying::OtherServices => &[
            (
                ids::PROCUREMENT_ACT,
                &[
                    (p::COMPETITIVE_TENDERING, "Competitive tendering procedure"),
                    (p::PA_DIRECT_AWARD, "Direct award"),
                ],
            ),
            (
                ids::PCR_2015,
                &[(
                    p::NEGOTIATED_WITHOUT_NOTICE,
                    "Negotiated procedure without prior publication",
                )],
            ),
        ],
    };
    for (rid, procs) in known {
        let Some(reg) = rules.regimes.iter().find(|r| r.id == *rid) else {
            continue;
        };
        if reg.in_force(on) {
            continue;
        }
        let when = match reg.until {
            Some(u) if on >= u => format!("which ceased to have effect on {u}"),
            _ => format!("in force from {}", reg.from),
        };
        for (id, title) in *procs {
            let listed = b
                .out
                .permitted
                .iter()
                .chain(&b.out.refused)
                .any(|x| x.id == *id);
            if listed {
                continue;
            }
            b.out.refused.push(Process {
                id: (*id).into(),
                title: (*title).into(),
                regime: reg.id.clone(),
                citation: reg.citation.clone(),
                required: false,
                reason: format!(
                    "not available for a procurement begun on {on}: it comes from the {}, {when}",
                    reg.title
                ),
            });
        }
    }
}
