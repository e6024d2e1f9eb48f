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

/// Statutory routes for a contract, before any mandate is applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routes {
    pub permitted: Vec<Process>,
    pub refused: Vec<Process>,
    pub steps: Vec<Step>,
    pub key_criteria: Vec<Criterion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<ThresholdUse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub considerable_change: Option<ChangeTest>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standstill: Vec<Standstill>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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

/// Works out the statutory routes. `framework` is the framework the contract would be
/// called off from (the contract's own, or one a mandate names).
pub fn evaluate(
    contract: &Contract,
    framework: Option<&str>,
    class: Option<AuthorityClass>,
    rules: &Rules,
    cal: &Calendar,
) -> Result<Routes, ProcureError> {
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
            notes: Vec::new(),
        },
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
    Ok(b.out)
}

fn psr(
    b: &mut Builder,
    c: &Contract,
    framework: Option<&str>,
    rules: &Rules,
    cal: &Calendar,
) -> Result<(), ProcureError> {
    let incumbent = c.current_provider.as_deref();
    let cc = &rules.considerable_change;
    let by_value = c.existing_value.map(|old| {
        let rise = c.estimated_value - old;
        let pct = if old > 0.0 {
            rise / old * 100.0
        } else {
            f64::INFINITY
        };
        rise >= cc.min_increase_pounds && pct >= cc.min_increase_percent
    });
    let considerable = c.considerable_change || by_value == Some(true);
    b.out.considerable_change = Some(ChangeTest {
        stated: c.considerable_change,
        by_value,
        considerable,
        citation: cc.citation.clone(),
    });
    let a_applies = incumbent.is_some() && c.only_provider_capable;
    let b_applies = !a_applies && c.patient_choice;
    let mandatory = if a_applies {
        Some((p::DIRECT_AWARD_A, "direct award process A"))
    } else if b_applies {
        Some((p::DIRECT_AWARD_B, "direct award process B"))
    } else {
        None
    };

    // Direct award A.
    let t_a = "Direct award process A";
    let c_a = "SI 2023/1348 regs 6 and 7";
    match incumbent {
        Some(prov) if c.only_provider_capable => b.require(
            p::DIRECT_AWARD_A,
            t_a,
            c_a,
            format!("{prov} is the existing provider and the authority is satisfied that only it can provide the service; the regime then requires this process"),
        ),
        Some(_) => b.refuse(p::DIRECT_AWARD_A, t_a, c_a, "the authority has not recorded that only the existing provider can provide the service (only_provider_capable is false)"),
        None => b.refuse(p::DIRECT_AWARD_A, t_a, c_a, "there is no existing provider (current_provider is not given); process A renews an existing service only"),
    }
    // Direct award B.
    let t_b = "Direct award process B";
    let c_b = "SI 2023/1348 regs 6 and 8";
    if a_applies {
        b.refuse(
            p::DIRECT_AWARD_B,
            t_b,
            c_b,
            "direct award process A applies and must be followed",
        );
    } else if c.patient_choice {
        b.require(p::DIRECT_AWARD_B, t_b, c_b, "patients choose their provider and the number of providers is not restricted; the regime then requires this process, with contracts offered to every provider that meets the requirements");
    } else {
        b.refuse(p::DIRECT_AWARD_B, t_b, c_b, "patients do not choose among an unrestricted number of providers for this service (patient_choice is false)");
    }
    // Direct award C.
    let t_c = "Direct award process C";
    let c_c = "SI 2023/1348 regs 6 and 9";
    if let Some((_, name)) = mandatory {
        b.refuse(
            p::DIRECT_AWARD_C,
            t_c,
            c_c,
            format!("{name} applies and must be followed"),
        );
    } else if incumbent.is_none() {
        b.refuse(p::DIRECT_AWARD_C, t_c, c_c, "there is no existing provider whose expiring contract would be replaced (current_provider is not given)");
    } else if considerable {
        let why = if c.considerable_change {
            "the authority states that the service changes considerably".to_string()
        } else {
            format!(
                "the lifetime value rises from £{:.0} to £{:.0}: at least £{:.0} and {:.0}% more, a considerable change",
                c.existing_value.unwrap_or(0.0),
                c.estimated_value,
                cc.min_increase_pounds,
                cc.min_increase_percent
            )
        };
        b.refuse(
            p::DIRECT_AWARD_C,
            t_c,
            c_c,
            format!("{why} ({})", cc.citation),
        );
    } else {
        match c.provider_satisfactory {
            Some(true) => b.permit(p::DIRECT_AWARD_C, t_c, c_c, format!(
                "the existing provider {} is satisfying the existing contract and will likely satisfy the new one, and the change is not considerable",
                incumbent.unwrap_or_default()
            )),
            Some(false) => b.refuse(p::DIRECT_AWARD_C, t_c, c_c, "the existing provider is not satisfying the existing contract to a sufficient standard"),
            None => b.refuse(p::DIRECT_AWARD_C, t_c, c_c, "the authority has not recorded whether the existing provider is satisfying the existing contract (provider_satisfactory); record that assessment against the key criteria first"),
        }
    }
    // Most suitable provider and competitive process.
    let t_m = "Most suitable provider process";
    let c_m = "SI 2023/1348 regs 6 and 10";
    let t_k = "Competitive process";
    let c_k = "SI 2023/1348 regs 6 and 11";
    if let Some((_, name)) = mandatory {
        b.refuse(
            p::MOST_SUITABLE,
            t_m,
            c_m,
            format!("{name} applies and must be followed"),
        );
        b.refuse(
            p::PSR_COMPETITIVE,
            t_k,
            c_k,
            format!("{name} applies and must be followed"),
        );
    } else {
        b.permit(p::MOST_SUITABLE, t_m, c_m, "neither direct award A nor B is required; the authority may use this process if, taking into account likely providers, it can identify the most suitable provider without a competition");
        b.permit(p::PSR_COMPETITIVE, t_k, c_k, "neither direct award A nor B is required; a competition is always open to the authority");
    }
    let t_f = "Call-off from a framework agreement";
    let c_f = "SI 2023/1348 regs 16 and 18";
    match (framework, mandatory) {
        (_, Some((_, name))) => b.refuse(
            p::PSR_FRAMEWORK,
            t_f,
            c_f,
            format!("{name} applies and must be followed"),
        ),
        (Some(fw), None) => b.permit(
            p::PSR_FRAMEWORK,
            t_f,
            c_f,
            format!("a contract may be awarded under the framework agreement `{fw}` on its terms"),
        ),
        (None, None) => b.refuse(
            p::PSR_FRAMEWORK,
            t_f,
            c_f,
            "no framework agreement is named (framework)",
        ),
    }

    // Steps.
    b.out.key_criteria = psr_key_criteria();
    b.step(&[], "Act with a view to securing the needs of the people who use the services, improving their quality and the efficiency of their provision, and act transparently, fairly and proportionately", "SI 2023/1348 reg 4");
    b.step(
        &[p::DIRECT_AWARD_A, p::DIRECT_AWARD_B],
        "Publish a notice of the award within 30 days of the contract being awarded",
        "SI 2023/1348 regs 7 and 8, Sch 2",
    );
    b.step(&[p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE], "Assess the provider(s) against the key criteria and the basic selection criteria, and record how each criterion was applied", "SI 2023/1348 regs 5 and 19");
    b.step(
        &[p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE],
        "Publish a notice of intention to award the contract before awarding it",
        "SI 2023/1348 regs 9, 10 and 11",
    );
    b.step(&[p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE], "Observe the standstill: it begins the day after the intention notice is published and lasts until midnight at the end of the 8th working day after that; a representation keeps it open until the decision has been reviewed, then at least 5 more working days; providers may refer the decision to the Independent Patient Choice and Procurement Panel", "SI 2023/1348 reg 12");
    b.step(&[p::PSR_COMPETITIVE], "Publish a contract notice inviting offers, with the award criteria, before assessing offers", "SI 2023/1348 reg 11");
    b.step(&[], "Declare and manage conflicts of interest of everyone involved in the decision, and keep a record of how each was managed", "SI 2023/1348 reg 21");
    b.step(&[], "Keep a record of the decision: the decision-makers, the process followed, how the key criteria were applied, and the conflicts declared and how they were managed", "SI 2023/1348 reg 24");
    let needs_standstill = b.out.permitted.iter().any(|x| {
        [p::DIRECT_AWARD_C, p::MOST_SUITABLE, p::PSR_COMPETITIVE].contains(&x.id.as_str())
    });
    if needs_standstill {
        if let Some(rule) = rules.standstill(ids::PSR) {
            standstill(b, rule, c, cal)?;
        }
    }
    Ok(())
}

fn nhs_2013(
    b: &mut Builder,
    c: &Contract,
    regimes: &[&Regime],
    rules: &Rules,
    cal: &Calendar,
) -> Result<(), ProcureError> {
    let light_touch = regimes.iter().any(|r| r.id == ids::PCR_2015_LIGHT_TOUCH);
    let part_b = regimes.iter().any(|r| r.id == ids::PCR_2006_PART_B);
    let threshold = if light_touch {
        // One light touch threshold for every class of authority (SI 2015/102 reg 5(1)(d)).
        rules.threshold(ids::PCR_2015_LIGHT_TOUCH, AuthorityClass::All, b.began)
    } else {
        None
    };
    let above = threshold.is_some_and(|t| c.estimated_value >= t.amount_pounds);
    if let Some(t) = threshold {
        b.out.threshold = Some(ThresholdUse::new(t, c.estimated_value));
    }
    b.permit(p::NHS2013_COMPETITIVE, "Competitive tender", "SI 2013/500 regs 2 and 3", "open to the commissioner: it must act with a view to the procurement objective, transparently, proportionately and without discrimination");
    let single_cite = if above {
        "SI 2013/500 reg 5; SI 2015/102 regs 32(2)(b) and 75"
    } else {
        "SI 2013/500 reg 5"
    };
    if c.only_provider_capable {
        b.permit(p::NHS2013_SINGLE, "Award to a single provider without competition", single_cite, "the commissioner is satisfied that the services are capable of being provided only by that provider");
    } else {
        b.refuse(p::NHS2013_SINGLE, "Award to a single provider without competition", single_cite, "only when the services are capable of being provided only by one provider, which is not recorded (only_provider_capable is false)");
    }
    b.step(&[], "Act with a view to securing the needs of patients and improving the quality and efficiency of services (the procurement objective); act transparently, proportionately and treat providers equally", "SI 2013/500 regs 2 and 3");
    b.step(&[], "Do not award a contract where conflicts of interest affect or appear to affect the integrity of the award; record how any conflict was managed", "SI 2013/500 reg 6");
    b.step(
        &[],
        "Keep and publish a record of the contract awarded",
        "SI 2013/500 reg 9",
    );
    if above {
        b.step(&[], "Publish a contract notice or a prior information notice before awarding (unless a negotiated procedure without prior publication would be justified under reg 32)", "SI 2015/102 reg 75(1)");
        b.step(
            &[],
            "Publish a contract award notice after awarding (notices may be grouped quarterly)",
            "SI 2015/102 reg 75(2) and (4)",
        );
        b.step(&[], "Observe the standstill period between the award decision notice and entering into the contract", "SI 2015/102 regs 86 and 87");
        if let Some(rule) = rules.standstill(ids::PCR_2015_LIGHT_TOUCH) {
            standstill(b, rule, c, cal)?;
        }
    } else if let Some(t) = threshold {
        b.out.notes.push(format!(
            "estimated value £{:.0} is below the light touch threshold of £{:.0}{} for procurements begun on {}: regs 74-76 of the Public Contracts Regulations 2015 do not apply",
            c.estimated_value,
            t.amount_pounds,
            if t.includes_vat { " (including VAT)" } else { "" },
            b.began
        ));
    } else if light_touch {
        b.out.notes.push(format!(
            "no light touch threshold in the data covers a procurement begun on {}; check SI 2015/102 reg 5",
            b.began
        ));
    }
    if part_b {
        b.step(&[], "Health services were Part B services: use non-discriminatory technical specifications and send a contract award notice (to confirm against the 2006 Regulations)", "SI 2006/5 regs 5(2), 9 and 31");
    }
    Ok(())
}

fn general(
    b: &mut Builder,
    c: &Contract,
    framework: Option<&str>,
    rules: &Rules,
    cal: &Calendar,
) -> Result<(), ProcureError> {
    let rid = b.regime.id.clone();
    // Without a class for every commissioner, the lower (central) threshold is used, so the
    // answer never relaxes the rules on a guess; the note says so.
    let class = match b.class {
        Some(class) => class,
        None => {
            b.out.notes.push("the class of contracting authority (central or sub-central) is not in the data for every commissioner: the lower, central government threshold is used (to confirm)".into());
            AuthorityClass::Central
        }
    };
    let threshold = rules.threshold(&rid, class, b.began);
    let above = threshold.is_some_and(|t| c.estimated_value >= t.amount_pounds);
    if let Some(t) = threshold {
        b.out.threshold = Some(ThresholdUse::new(t, c.estimated_value));
    } else {
        b.out.notes.push(format!(
            "no goods-and-services threshold for {rid} for a procurement begun on {} is in the data; the answer assumes the contract is above it",
            b.began
        ));
    }
    let above = above || threshold.is_none();
    let act = rid == ids::PROCUREMENT_ACT;
    let (comp_id, comp_title, comp_cite) = if act {
        (
            p::COMPETITIVE_TENDERING,
            "Competitive tendering procedure (open or competitive flexible)",
            "Procurement Act 2023 ss.19-20",
        )
    } else if rid == ids::PCR_2015 {
        (
            p::COMPETITIVE_PROCEDURE,
            "Open, restricted or competitive procedure with negotiation",
            "SI 2015/102 regs 26-29",
        )
    } else {
        (
            p::COMPETITIVE_PROCEDURE,
            "Open, restricted or negotiated procedure",
            "SI 2006/5 regs 12-17",
        )
    };
    b.permit(
        comp_id,
        comp_title,
        comp_cite,
        "a competitive procedure is always open to the authority",
    );
    let (fw_cite, da_id, da_title, da_cite) = if act {
        (
            "Procurement Act 2023 ss.45-47",
            p::PA_DIRECT_AWARD,
            "Direct award",
            "Procurement Act 2023 s.41 and Sch 5",
        )
    } else if rid == ids::PCR_2015 {
        (
            "SI 2015/102 reg 33",
            p::NEGOTIATED_WITHOUT_NOTICE,
            "Negotiated procedure without prior publication",
            "SI 2015/102 reg 32(2)(b)",
        )
    } else {
        (
            "SI 2006/5 reg 19",
            p::NEGOTIATED_WITHOUT_NOTICE,
            "Negotiated procedure without prior publication",
            "SI 2006/5 reg 14(1)(a)(ii)",
        )
    };
    match framework {
        Some(fw) => b.permit(
            p::FRAMEWORK_CALL_OFF,
            "Call-off from a framework agreement",
            fw_cite,
            format!("a contract may be awarded under the framework agreement `{fw}` on its terms"),
        ),
        None => b.refuse(
            p::FRAMEWORK_CALL_OFF,
            "Call-off from a framework agreement",
            fw_cite,
            "no framework agreement is named (framework)",
        ),
    }
    if !above {
        b.refuse(
            da_id,
            da_title,
            da_cite,
            "the value is below the threshold, so the below-threshold route applies instead",
        );
        let (bt_cite, bt_reason) = if act {
            ("Procurement Act 2023 Part 6", "below the threshold: the Act's competitive procedures do not apply; below-threshold notices and the authority's standing orders do")
        } else {
            ("SI 2015/102 Part 4 (regs 105-112)", "below the threshold: Part 2 procedures do not apply; the authority's standing orders and, where it advertises, Contracts Finder do")
        };
        b.permit(
            p::BELOW_THRESHOLD,
            "Below-threshold award",
            bt_cite,
            bt_reason,
        );
    } else {
        if c.only_provider_capable {
            b.permit(da_id, da_title, da_cite, "the authority records that only one supplier can provide it (technical reasons or absence of competition)");
        } else {
            b.refuse(da_id, da_title, da_cite, "only when one supplier alone can provide it (only_provider_capable is false) or another listed justification applies");
        }
        let reason = match threshold {
            Some(t) => format!(
                "the estimated value £{:.0} is at or above the threshold of £{:.0}",
                c.estimated_value, t.amount_pounds
            ),
            None => "the threshold for this date is not in the data".to_string(),
        };
        let bt_cite = if act {
            "Procurement Act 2023 Part 6"
        } else {
            "SI 2015/102 Part 4"
        };
        b.refuse(p::BELOW_THRESHOLD, "Below-threshold award", bt_cite, reason);
    }
    if act {
        b.step(
            &[p::COMPETITIVE_TENDERING],
            "Publish a tender notice",
            "Procurement Act 2023 s.21",
        );
        b.step(
            &[p::PA_DIRECT_AWARD],
            "Publish a transparency notice before awarding directly",
            "Procurement Act 2023 s.44",
        );
        if above {
            b.step(&[p::COMPETITIVE_TENDERING, p::PA_DIRECT_AWARD, p::FRAMEWORK_CALL_OFF], "Publish a contract award notice (and give assessment summaries to suppliers) before entering into the contract", "Procurement Act 2023 s.50");
            b.step(&[p::COMPETITIVE_TENDERING, p::PA_DIRECT_AWARD], "Observe the mandatory standstill of 8 working days beginning with the day the contract award notice is published", "Procurement Act 2023 s.51(1)-(2)");
            b.step(&[p::FRAMEWORK_CALL_OFF], "A contract awarded under a framework is exempt from the mandatory standstill; the authority may choose a voluntary standstill (at least 8 working days beginning with the day the contract award notice is published), and then may not enter into the contract before it ends", "Procurement Act 2023 s.51(3)(d) (exemption for contracts awarded in accordance with a framework), s.51(4)-(5) (voluntary standstill of at least 8 working days)");
            b.step(
                &[
                    p::COMPETITIVE_TENDERING,
                    p::PA_DIRECT_AWARD,
                    p::FRAMEWORK_CALL_OFF,
                ],
                "Publish a contract details notice after entering into the contract",
                "Procurement Act 2023 s.53",
            );
        }
        b.step(
            &[],
            "Declare and manage conflicts of interest; keep a conflicts assessment",
            "Procurement Act 2023 ss.81-83",
        );
    } else if above {
        let cite = if rid == ids::PCR_2015 {
            "SI 2015/102 regs 49-50"
        } else {
            "SI 2006/5 regs 30-31"
        };
        b.step(
            &[comp_id],
            "Publish a contract notice (and a contract award notice after award)",
            cite,
        );
        let cite = if rid == ids::PCR_2015 {
            "SI 2015/102 regs 86-87"
        } else {
            "SI 2006/5 regs 32-32A"
        };
        b.step(&[], "Send award decision notices and observe the standstill before entering into the contract", cite);
        if rid == ids::PCR_2015 {
            b.step(
                &[],
                "Prevent, identify and remedy conflicts of interest in the procedure",
                "SI 2015/102 reg 24",
            );
        }
    }
    if above {
        if let Some(rule) = rules.standstill(&rid) {
            standstill(b, rule, c, cal)?;
            if act {
                if let Some(s) = b.out.standstill.last_mut() {
                    s.voluntary_for = vec![p::FRAMEWORK_CALL_OFF.to_string()];
                }
            }
        }
    }
    Ok(())
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
        Err(ProcureError::OutsideCalendar { date, from, until }) => b.out.notes.push(format!(
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
