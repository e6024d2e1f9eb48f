//! Conflicts-of-interest policies as dated data (`data/conflicts_policy.json`): the rules
//! for a kind of body over a period, chosen by the deciding body's kind and the date, and the
//! procurement rules on conflicts in force on a date.

use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const POLICY_JSON: &str = include_str!("../../data/conflicts_policy.json");

/// A conflicts-of-interest policy: the rules for a kind of body over a period
/// (`data/conflicts_policy.json`). `None` limits are not in the data and are not checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub title: String,
    pub body_kinds: Vec<String>,
    pub from: Date,
    pub until: Option<Date>,
    /// The statutory duty behind the guidance (s.14O for CCGs, s.14Z30 for ICBs).
    pub statute: String,
    pub declare_within_days: Option<i64>,
    pub register_review_months: Option<i64>,
    pub supplier_gift_decline_above: Option<f64>,
    pub other_gift_declare_from: Option<f64>,
    pub hospitality_declare_from: Option<f64>,
    pub hospitality_refuse_above: Option<f64>,
    pub cash_and_vouchers_declined: Option<bool>,
    pub cumulative_months: Option<i64>,
    pub interest_kept_months_after_end: Option<i64>,
    pub confirmed: bool,
    pub source: String,
}

impl Policy {
    /// The guidance as a finding cites it.
    pub fn citation(&self) -> String {
        format!(
            "{}; {}{}",
            self.statute,
            self.title,
            if self.confirmed { "" } else { " (to confirm)" }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ProcurementRule {
    from: Date,
    until: Option<Date>,
    citation: String,
    source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Policies {
    procurement_rules: Vec<ProcurementRule>,
    policies: Vec<Policy>,
}

static POLICIES: OnceLock<Result<Policies, String>> = OnceLock::new();

fn policies() -> Result<&'static Policies, ProcureError> {
    POLICIES
        .get_or_init(|| serde_json::from_str(POLICY_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ProcureError::Data(format!("conflicts_policy.json: {e}")))
}

/// The policy for a `kind` of body (as `BodyKind::as_str` spells it) on `on`.
pub fn policy_for(kind: &str, on: Date) -> Result<Option<&'static Policy>, ProcureError> {
    Ok(policies()?.policies.iter().find(|p| {
        p.body_kinds.iter().any(|k| k == kind) && on >= p.from && p.until.is_none_or(|u| on < u)
    }))
}

/// The policy applied to a decision (or a register), and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyUse {
    pub body: String,
    /// The body's kind on the date, when the register knows the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub on: Date,
    /// The policy in force for that kind of body on the date; absent when the data has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// The procurement rules on conflicts in force on the date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procurement_citation: Option<String>,
}

pub(crate) fn procurement_citation(on: Date) -> Option<String> {
    policies()
        .ok()?
        .procurement_rules
        .iter()
        .find_map(|r| (on >= r.from && r.until.is_none_or(|u| on < u)).then(|| r.citation.clone()))
}
