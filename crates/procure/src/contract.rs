//! The proposed contract, as JSON. Parsing is strict: an unknown field, a missing one, a
//! negative value or an empty list is an error that names the field, because a silently
//! ignored field would give a confident answer to a different question.

use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What is being bought. Health care services fall under the NHS-specific regimes; goods
/// and other services (support services such as business intelligence) under general
/// procurement law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Buying {
    HealthCareService,
    Goods,
    OtherServices,
}

impl Buying {
    pub fn as_str(self) -> &'static str {
        match self {
            Buying::HealthCareService => "health-care-service",
            Buying::Goods => "goods",
            Buying::OtherServices => "other-services",
        }
    }
}

/// How several commissioners buy together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CollectiveKind {
    /// The commissioners decide together in a joint committee.
    JointCommittee,
    /// One commissioner buys on behalf of the others.
    LeadCommissioner,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collective {
    pub arrangement: CollectiveKind,
    /// The lead commissioner's code (required for `lead-commissioner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// The joint committee's name or code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    /// The register instrument that sets the arrangement up, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<String>,
}

/// One piece of evidence recorded for bringing a service in house.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "EvidenceForm")]
pub struct Evidence {
    /// What it shows, in the mandate's words or as an id (`value-for-money`).
    pub item: String,
    /// Where it is recorded (a board paper, a business case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// Evidence may be written as a bare item or with its record.
#[derive(Deserialize)]
#[serde(untagged)]
enum EvidenceForm {
    Item(String),
    Recorded(RecordedEvidence),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedEvidence {
    item: String,
    #[serde(default)]
    record: Option<String>,
    #[serde(default)]
    date: Option<Date>,
}

impl From<EvidenceForm> for Evidence {
    fn from(f: EvidenceForm) -> Self {
        match f {
            EvidenceForm::Item(item) => Evidence {
                item,
                record: None,
                date: None,
            },
            EvidenceForm::Recorded(r) => Evidence {
                item: r.item,
                record: r.record,
                date: r.date,
            },
        }
    }
}

/// A liability event: a commissioner leaves a collective arrangement, or the arrangement ends.
/// A mandate's `stranded-costs` rule is about departure, so it decides who bears the costs
/// only when a commissioner leaves; when the arrangement ends the contract must record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LiabilityEvent {
    Leaves,
    Ends,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Liability {
    pub event: LiabilityEvent,
    /// The commissioner that leaves (required for `leaves`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commissioner: Option<String>,
    pub on: Date,
    /// Costs left stranded, in pounds.
    pub stranded_costs: f64,
    /// Who bears them, when an agreement says so; otherwise the mandate decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub borne_by: Option<String>,
}

/// A proposed contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Commissioning bodies, by code.
    pub commissioners: Vec<String>,
    pub buying: Buying,
    /// A category such as `business-intelligence` or `gp-it`; mandates apply by category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The commissioning function the contract exercises; defaults by category (see
    /// [`Contract::function_id`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// Estimated lifetime value in pounds.
    pub estimated_value: f64,
    /// Lifetime value of the existing contract when it was entered into, in pounds, for the
    /// Provider Selection Regime's considerable-change test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_value: Option<f64>,
    /// When the procurement began: the contract notice (or call for competition) was sent for
    /// publication, or, without a competition, the authority decided to award directly. The
    /// regime, thresholds and routes are those that governed a procurement begun on that date
    /// (the transitional provisions in `data/regimes.json`), not those in force on `start`.
    /// Required; optional here only so that a missing date is reported against its own field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procurement_began: Option<Date>,
    /// When the contract is awarded and starts.
    pub start: Date,
    pub term_months: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_provider: Option<String>,
    /// The authority's own view that the service changes considerably.
    pub considerable_change: bool,
    /// Patients choose their provider and the number of providers is not restricted.
    pub patient_choice: bool,
    /// A framework agreement the contract would be called off from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// The commissioners propose to provide the service themselves.
    #[serde(default)]
    pub in_house: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_house_evidence: Vec<Evidence>,
    /// The authority is satisfied that only the existing provider can provide the service.
    #[serde(default)]
    pub only_provider_capable: bool,
    /// The existing provider satisfies the existing contract and will likely satisfy the new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_satisfactory: Option<bool>,
    /// When the intention-to-award (or contract award) notice is, or will be, published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective: Option<Collective>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub liabilities: Vec<Liability>,
}

const WHAT: &str = "contract";

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ProcureError {
    ProcureError::Invalid {
        what: WHAT,
        field: field.into(),
        message: message.into(),
    }
}

fn check_amount(field: &str, v: f64) -> Result<(), ProcureError> {
    if !v.is_finite() {
        return Err(invalid(field, "must be a number of pounds"));
    }
    if v < 0.0 {
        return Err(invalid(
            field,
            format!("must not be negative (got {v}); give the value in pounds"),
        ));
    }
    Ok(())
}

impl Contract {
    /// Parses and validates a contract.
    pub fn from_json(text: &str) -> Result<Contract, ProcureError> {
        let c: Contract = crate::parse_json(WHAT, text)?;
        c.validate()?;
        Ok(c)
    }

    /// Checks values that the JSON shape alone cannot (register lookups happen in [`crate::assess`]).
    pub fn validate(&self) -> Result<(), ProcureError> {
        if self.commissioners.is_empty() {
            return Err(invalid(
                "commissioners",
                "must name at least one commissioning body by code",
            ));
        }
        for (i, c) in self.commissioners.iter().enumerate() {
            if c.trim().is_empty() {
                return Err(invalid(format!("commissioners[{i}]"), "is empty"));
            }
            if self.commissioners[..i].contains(c) {
                return Err(invalid(
                    format!("commissioners[{i}]"),
                    format!("`{c}` is listed twice"),
                ));
            }
        }
        let began = self.began()?;
        if began > self.start {
            return Err(invalid(
                "procurement_began",
                format!(
                    "{began} is after the contract starts ({}); a procurement begins on or before the start",
                    self.start
                ),
            ));
        }
        if let Some(n) = self.notice_date.filter(|n| *n < began) {
            return Err(invalid(
                "notice_date",
                format!("{n} is before the procurement began ({began})"),
            ));
        }
        check_amount("estimated_value", self.estimated_value)?;
        if let Some(v) = self.existing_value {
            check_amount("existing_value", v)?;
        }
        if !(1..=600).contains(&self.term_months) {
            return Err(invalid(
                "term_months",
                format!(
                    "must be between 1 and 600 months (got {})",
                    self.term_months
                ),
            ));
        }
        for (name, v) in [
            ("category", &self.category),
            ("function", &self.function),
            ("current_provider", &self.current_provider),
            ("framework", &self.framework),
        ] {
            if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
                return Err(invalid(name, "is empty; leave it out instead"));
            }
        }
        for (i, e) in self.in_house_evidence.iter().enumerate() {
            if e.item.trim().is_empty() {
                return Err(invalid(format!("in_house_evidence[{i}].item"), "is empty"));
            }
        }
        if let Some(col) = &self.collective {
            if self.commissioners.len() < 2 {
                return Err(invalid(
                    "collective",
                    "a collective procurement needs at least two commissioners",
                ));
            }
            match (col.arrangement, &col.lead) {
                (CollectiveKind::LeadCommissioner, None) => {
                    return Err(invalid(
                        "collective.lead",
                        "a lead-commissioner arrangement must name the lead",
                    ))
                }
                (_, Some(lead)) if !self.commissioners.contains(lead) => {
                    return Err(invalid(
                        "collective.lead",
                        format!("`{lead}` is not one of the commissioners"),
                    ))
                }
                _ => {}
            }
        }
        for (i, l) in self.liabilities.iter().enumerate() {
            check_amount(
                &format!("liabilities[{i}].stranded_costs"),
                l.stranded_costs,
            )?;
            if l.on < self.start {
                return Err(invalid(
                    format!("liabilities[{i}].on"),
                    format!(
                        "{} is before the contract starts ({}); a liability arises on or after `start`",
                        l.on, self.start
                    ),
                ));
            }
            match (&l.event, &l.commissioner) {
                (LiabilityEvent::Leaves, None) => {
                    return Err(invalid(
                        format!("liabilities[{i}].commissioner"),
                        "a `leaves` event must name the commissioner that leaves",
                    ))
                }
                (_, Some(c)) if !self.commissioners.contains(c) => {
                    return Err(invalid(
                        format!("liabilities[{i}].commissioner"),
                        format!("`{c}` is not one of the commissioners"),
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The date the procurement began; missing is an error naming the field, never a default.
    pub fn began(&self) -> Result<Date, ProcureError> {
        self.procurement_began.ok_or_else(|| {
            invalid(
                "procurement_began",
                "is missing: give the date the procurement began (the contract notice was sent, or the decision to award without competition was taken); the law that applies follows it, not `start`",
            )
        })
    }

    /// The category, normalised for matching against mandates.
    pub fn category_key(&self) -> Option<String> {
        self.category.as_deref().map(normalise)
    }

    /// The function the contract exercises: the one named, else by category, else (for
    /// health care) secondary care commissioning.
    pub fn function_id(&self) -> String {
        self.named_function()
            .unwrap_or_else(|| "commissioning.secondary-care".into())
    }

    /// Whether the function is the default rather than named: no `function`, and no category
    /// that names one.
    pub fn function_assumed(&self) -> bool {
        self.named_function().is_none()
    }

    /// The function named, or named by the category.
    fn named_function(&self) -> Option<String> {
        if let Some(f) = &self.function {
            return Some(f.clone());
        }
        match self.category_key().as_deref() {
            Some("business-intelligence") => Some("support.business-intelligence".into()),
            Some("gp-it") => Some("support.gp-it".into()),
            _ => None,
        }
    }

    /// The last day of the term (exclusive end).
    pub fn end(&self) -> Option<Date> {
        self.start
            .checked_add(jiff::Span::new().months(self.term_months))
            .ok()
    }
}

/// Lower case, words joined by hyphens: "Value for money" and "value-for-money" match.
pub fn normalise(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{
        "commissioners": ["02Q"], "buying": "other-services", "category": "business-intelligence",
        "estimated_value": 250000, "procurement_began": "2014-07-01", "start": "2014-10-01", "term_months": 24,
        "considerable_change": false, "patient_choice": false,
        "in_house": true, "in_house_evidence": ["resilience", {"item": "value for money", "record": "GB paper 12"}]
    }"#;

    #[test]
    fn parses_both_evidence_forms() {
        let c = Contract::from_json(GOOD).unwrap();
        assert_eq!(c.in_house_evidence.len(), 2);
        assert_eq!(
            c.in_house_evidence[1].record.as_deref(),
            Some("GB paper 12")
        );
        assert_eq!(c.function_id(), "support.business-intelligence");
        assert_eq!(normalise(&c.in_house_evidence[1].item), "value-for-money");
    }

    fn err_field(text: &str) -> String {
        match Contract::from_json(text).unwrap_err() {
            ProcureError::Parse { field, .. } | ProcureError::Invalid { field, .. } => field,
            e => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(err_field(&GOOD.replace("250000", "-5")), "estimated_value");
        assert_eq!(
            err_field(&GOOD.replace("\"term_months\": 24", "\"term_months\": 0")),
            "term_months"
        );
        assert_eq!(err_field(&GOOD.replace("\"02Q\"", "")), "commissioners");
        assert_eq!(
            err_field(&GOOD.replace("\"start\": \"2014-10-01\",", "")),
            "(top level)"
        );
        assert_eq!(err_field(&GOOD.replace("\"buying\"", "\"buyng\"")), "buyng");
        assert_eq!(
            err_field(&GOOD.replace("other-services", "cakes")),
            "buying"
        );
        assert_eq!(
            err_field(&GOOD.replace("2014-10-01", "2014-13-01")),
            "start"
        );
        assert_eq!(
            err_field(&GOOD.replace("\"procurement_began\": \"2014-07-01\",", "")),
            "procurement_began"
        );
        assert_eq!(
            err_field(&GOOD.replace("2014-07-01", "2014-10-02")),
            "procurement_began"
        );
        let msg = Contract::from_json(&GOOD.replace("\"start\": \"2014-10-01\",", ""))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("start"), "{msg}");
    }
}
