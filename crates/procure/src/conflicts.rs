//! Conflicts of interest: each body's register of interests and of gifts and hospitality,
//! records of decisions (who decided, who took part, what was declared and how each
//! conflict was managed), the checks on them, and export as CSV, JSON and HTML.
//!
//! The checks: a participant with a registered interest in a counterparty of the decision
//! that was not declared, or declared and not managed; quorum lost after exclusions; a GP
//! deciding on a contract with their own practice (the co-commissioning case); a joint
//! appointment that sits on both sides of a commissioner–provider decision; gifts and
//! hospitality from a counterparty or outside the policy limits.

use crate::contract::normalise;
use crate::parties::Parties;
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::OnceLock;
use vires_core::Snapshot;

const POLICY_JSON: &str = include_str!("../data/conflicts_policy.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InterestType {
    Financial,
    NonFinancialProfessional,
    NonFinancialPersonal,
    Indirect,
}

impl InterestType {
    pub fn as_str(self) -> &'static str {
        match self {
            InterestType::Financial => "financial",
            InterestType::NonFinancialProfessional => "non-financial professional",
            InterestType::NonFinancialPersonal => "non-financial personal",
            InterestType::Indirect => "indirect",
        }
    }
}

/// One entry in a register of interests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interest {
    pub declarant: String,
    pub role: String,
    #[serde(rename = "type")]
    pub kind: InterestType,
    /// The organisation the interest is in (a provider, a practice), by code or name.
    pub counterparty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub from: Date,
    /// Last day the interest held; absent while it still does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Date>,
    /// When it was declared, for the check that it was declared within the policy's days
    /// (28) of arising.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<Date>,
}

impl Interest {
    pub fn held_on(&self, d: Date) -> bool {
        d >= self.from && self.to.is_none_or(|t| d <= t)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GiftKind {
    Gift,
    Hospitality,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GiftOutcome {
    Accepted,
    Declined,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gift {
    pub declarant: String,
    pub kind: GiftKind,
    pub description: String,
    /// Estimated value in pounds.
    pub value: f64,
    pub date: Date,
    pub giver: String,
    /// The giver supplies, or may supply, the body.
    #[serde(default)]
    pub giver_is_supplier: bool,
    pub outcome: GiftOutcome,
    /// Senior officer who approved hospitality above the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Cash or vouchers (always declined under the 2017 guidance).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cash_or_voucher: bool,
}

/// A post someone holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// The body, by code.
    pub body: String,
    pub role: String,
}

/// Someone on the register, with the posts that matter for conflicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<Post>,
    /// For a GP: the code of their own practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practice: Option<String>,
}

/// A body's registers of interests and of gifts and hospitality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterestRegister {
    /// The body that keeps the register, by code.
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When the register was last reviewed (the 2017 guidance asks for at least annually).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Date>,
    #[serde(default)]
    pub people: Vec<Person>,
    #[serde(default)]
    pub interests: Vec<Interest>,
    #[serde(default)]
    pub gifts: Vec<Gift>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Management {
    /// Left the meeting for the item; neither spoke nor voted.
    Excluded,
    /// Took part in the discussion but did not vote.
    SpeakNotVote,
    /// Declared; nothing done.
    NoAction,
}

impl Management {
    pub fn as_str(self) -> &'static str {
        match self {
            Management::Excluded => "excluded",
            Management::SpeakNotVote => "allowed to speak, not vote",
            Management::NoAction => "no action",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participation {
    pub person: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A voting member of the deciding body or committee.
    #[serde(default = "yes")]
    pub voting: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    pub person: String,
    /// The organisation the declared interest is in.
    pub counterparty: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<InterestType>,
    pub managed: Management,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A decision record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub id: String,
    /// What was decided.
    pub subject: String,
    /// The deciding body, by code.
    pub body: String,
    /// The committee that decided, when not the body's board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<String>,
    pub date: Date,
    /// Providers, practices or other parties the decision is with, by code or name.
    pub counterparties: Vec<String>,
    /// Voting members needed for the decision to stand.
    pub quorum: u32,
    pub participants: Vec<Participation>,
    #[serde(default)]
    pub declarations: Vec<Declaration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingSeverity {
    Error,
    Warning,
    /// Something the check could not do (a limit not in the data), said so beside the answer.
    Info,
}

/// Stable finding codes.
pub mod finding {
    pub const UNDECLARED_INTEREST: &str = "C001";
    pub const UNMANAGED_INTEREST: &str = "C002";
    pub const QUORUM_LOST: &str = "C003";
    pub const GP_OWN_PRACTICE: &str = "C004";
    pub const JOINT_APPOINTMENT: &str = "C005";
    pub const DECLARED_NOT_REGISTERED: &str = "C006";
    pub const GIFT_FROM_COUNTERPARTY: &str = "C007";
    pub const GIFT_OUTSIDE_POLICY: &str = "C008";
    pub const UNKNOWN_PERSON: &str = "C009";
    pub const INTEREST_RECENTLY_ENDED: &str = "C010";
    pub const CASH_OR_VOUCHER: &str = "C011";
    pub const CUMULATIVE_GIFTS: &str = "C012";
    pub const DECLARED_LATE: &str = "C013";
    pub const REGISTER_NOT_REVIEWED: &str = "C014";
    pub const LIMITS_NOT_KNOWN: &str = "C015";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: FindingSeverity,
    /// The decision, or the register's body for register-only findings.
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty: Option<String>,
    pub message: String,
    pub citation: String,
}

fn what_register() -> &'static str {
    "register of interests"
}

fn invalid(
    what: &'static str,
    field: impl Into<String>,
    message: impl Into<String>,
) -> ProcureError {
    ProcureError::Invalid {
        what,
        field: field.into(),
        message: message.into(),
    }
}

impl InterestRegister {
    pub fn from_json(text: &str) -> Result<InterestRegister, ProcureError> {
        let r: InterestRegister = crate::parse_json(what_register(), text)?;
        r.validate()?;
        Ok(r)
    }

    pub fn validate(&self) -> Result<(), ProcureError> {
        let w = what_register();
        if self.body.trim().is_empty() {
            return Err(invalid(w, "body", "is empty; give the body's code"));
        }
        for (i, p) in self.people.iter().enumerate() {
            if p.name.trim().is_empty() {
                return Err(invalid(w, format!("people[{i}].name"), "is empty"));
            }
        }
        for (i, x) in self.interests.iter().enumerate() {
            if x.declarant.trim().is_empty() {
                return Err(invalid(w, format!("interests[{i}].declarant"), "is empty"));
            }
            if x.counterparty.trim().is_empty() {
                return Err(invalid(
                    w,
                    format!("interests[{i}].counterparty"),
                    "is empty",
                ));
            }
            if x.to.is_some_and(|t| t < x.from) {
                return Err(invalid(w, format!("interests[{i}].to"), "is before `from`"));
            }
        }
        for (i, g) in self.gifts.iter().enumerate() {
            if !g.value.is_finite() || g.value < 0.0 {
                return Err(invalid(
                    w,
                    format!("gifts[{i}].value"),
                    format!("must be a non-negative number of pounds (got {})", g.value),
                ));
            }
            if g.declarant.trim().is_empty() {
                return Err(invalid(w, format!("gifts[{i}].declarant"), "is empty"));
            }
        }
        Ok(())
    }

    /// Checks the keeping body is in the register on `on`.
    pub fn check_body(&self, snapshot: &Snapshot, on: Date) -> Result<(), ProcureError> {
        if snapshot.register().body_at(&self.body, on).is_none() {
            return Err(ProcureError::UnknownBody {
                field: "body".into(),
                code: self.body.clone(),
                on,
            });
        }
        Ok(())
    }

    /// The earliest date of any entry, for choosing the policy of an undated check.
    pub fn first_date(&self) -> Option<Date> {
        self.interests
            .iter()
            .map(|x| x.from)
            .chain(self.gifts.iter().map(|g| g.date))
            .min()
    }

    pub fn person(&self, name: &str) -> Option<&Person> {
        let n = normalise(name);
        self.people.iter().find(|p| normalise(&p.name) == n)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The register of interests as CSV.
    pub fn interests_csv(&self) -> Result<String, ProcureError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| ProcureError::Data(format!("csv: {e}"));
        w.write_record([
            "body",
            "declarant",
            "role",
            "type",
            "counterparty",
            "description",
            "from",
            "to",
        ])
        .map_err(io)?;
        for x in &self.interests {
            w.write_record([
                cell(&self.body),
                cell(&x.declarant),
                cell(&x.role),
                x.kind.as_str().to_string(),
                cell(&x.counterparty),
                cell(x.description.as_deref().unwrap_or("")),
                x.from.to_string(),
                x.to.map(|d| d.to_string()).unwrap_or_default(),
            ])
            .map_err(io)?;
        }
        finish_csv(w)
    }

    /// The register of gifts and hospitality as CSV.
    pub fn gifts_csv(&self) -> Result<String, ProcureError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| ProcureError::Data(format!("csv: {e}"));
        w.write_record([
            "body",
            "declarant",
            "kind",
            "description",
            "value",
            "date",
            "giver",
            "outcome",
            "approved_by",
        ])
        .map_err(io)?;
        for g in &self.gifts {
            w.write_record([
                cell(&self.body),
                cell(&g.declarant),
                match g.kind {
                    GiftKind::Gift => "gift".into(),
                    GiftKind::Hospitality => "hospitality".into(),
                },
                cell(&g.description),
                format!("{:.2}", g.value),
                g.date.to_string(),
                cell(&g.giver),
                match g.outcome {
                    GiftOutcome::Accepted => "accepted".into(),
                    GiftOutcome::Declined => "declined".into(),
                },
                cell(g.approved_by.as_deref().unwrap_or("")),
            ])
            .map_err(io)?;
        }
        finish_csv(w)
    }

    /// Both registers as a standalone HTML page for publication.
    pub fn to_html(&self) -> String {
        let title = format!(
            "Registers of interests and of gifts and hospitality: {}",
            self.name.as_deref().unwrap_or(&self.body)
        );
        let mut s = page_head(&title);
        let _ = writeln!(s, "<h2>Interests</h2>\n<table>\n<thead><tr><th>Declarant</th><th>Role</th><th>Type</th><th>Counterparty</th><th>Description</th><th>From</th><th>To</th></tr></thead>\n<tbody>");
        for x in &self.interests {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&x.declarant),
                esc(&x.role),
                esc(x.kind.as_str()),
                esc(&x.counterparty),
                esc(x.description.as_deref().unwrap_or("")),
                x.from,
                x.to.map(|d| d.to_string()).unwrap_or_default()
            );
        }
        let _ = writeln!(s, "</tbody>\n</table>\n<h2>Gifts and hospitality</h2>\n<table>\n<thead><tr><th>Declarant</th><th>Kind</th><th>Description</th><th>Value (£)</th><th>Date</th><th>Giver</th><th>Outcome</th></tr></thead>\n<tbody>");
        for g in &self.gifts {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.declarant),
                match g.kind {
                    GiftKind::Gift => "gift",
                    GiftKind::Hospitality => "hospitality",
                },
                esc(&g.description),
                g.value,
                g.date,
                esc(&g.giver),
                match g.outcome {
                    GiftOutcome::Accepted => "accepted",
                    GiftOutcome::Declined => "declined",
                }
            );
        }
        s.push_str("</tbody>\n</table>\n</body>\n</html>\n");
        s
    }
}

impl Decision {
    pub fn from_json(text: &str) -> Result<Decision, ProcureError> {
        let d: Decision = crate::parse_json("decision record", text)?;
        d.validate()?;
        Ok(d)
    }

    pub fn validate(&self) -> Result<(), ProcureError> {
        let w = "decision record";
        if self.id.trim().is_empty() {
            return Err(invalid(w, "id", "is empty"));
        }
        if self.body.trim().is_empty() {
            return Err(invalid(
                w,
                "body",
                "is empty; give the deciding body's code",
            ));
        }
        if self.quorum == 0 {
            return Err(invalid(w, "quorum", "must be at least 1"));
        }
        if self.participants.is_empty() {
            return Err(invalid(w, "participants", "must list who took part"));
        }
        // Names seen so far, looked up rather than compared with each earlier one: the
        // check stays linear in the number of participants.
        let mut seen = HashSet::with_capacity(self.participants.len());
        for (i, p) in self.participants.iter().enumerate() {
            if p.person.trim().is_empty() {
                return Err(invalid(w, format!("participants[{i}].person"), "is empty"));
            }
            if !seen.insert(normalise(&p.person)) {
                return Err(invalid(
                    w,
                    format!("participants[{i}].person"),
                    format!("`{}` is listed twice", p.person),
                ));
            }
        }
        for (i, d) in self.declarations.iter().enumerate() {
            if !seen.contains(&normalise(&d.person)) {
                return Err(invalid(
                    w,
                    format!("declarations[{i}].person"),
                    format!("`{}` is not among the participants", d.person),
                ));
            }
        }
        Ok(())
    }

    /// Checks the deciding body is in the register on the decision date.
    pub fn check_body(&self, snapshot: &Snapshot) -> Result<(), ProcureError> {
        if snapshot.register().body_at(&self.body, self.date).is_none() {
            return Err(ProcureError::UnknownBody {
                field: "body".into(),
                code: self.body.clone(),
                on: self.date,
            });
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The decision record as CSV: one row per participant with their declarations.
    pub fn to_csv(&self) -> Result<String, ProcureError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| ProcureError::Data(format!("csv: {e}"));
        w.write_record([
            "decision",
            "body",
            "committee",
            "date",
            "subject",
            "person",
            "role",
            "voting",
            "declared_interest_in",
            "managed",
        ])
        .map_err(io)?;
        for p in &self.participants {
            let decls: Vec<&Declaration> = self
                .declarations
                .iter()
                .filter(|d| normalise(&d.person) == normalise(&p.person))
                .collect();
            let rows: Vec<(String, String)> = if decls.is_empty() {
                vec![(String::new(), String::new())]
            } else {
                decls
                    .iter()
                    .map(|d| (d.counterparty.clone(), d.managed.as_str().to_string()))
                    .collect()
            };
            for (cp, m) in rows {
                w.write_record([
                    cell(&self.id),
                    cell(&self.body),
                    cell(self.committee.as_deref().unwrap_or("")),
                    self.date.to_string(),
                    cell(&self.subject),
                    cell(&p.person),
                    cell(p.role.as_deref().unwrap_or("")),
                    p.voting.to_string(),
                    cell(&cp),
                    m,
                ])
                .map_err(io)?;
            }
        }
        finish_csv(w)
    }

    /// The decision record and the findings on it as a standalone HTML page.
    pub fn to_html(&self, findings: &[Finding]) -> String {
        let mut s = page_head(&format!("Decision {}: {}", self.id, self.subject));
        let _ = writeln!(
            s,
            "<p>Decided by {}{} on {}. With: {}. Quorum: {}.</p>",
            esc(&self.body),
            self.committee
                .as_deref()
                .map(|c| format!(" ({})", esc(c)))
                .unwrap_or_default(),
            self.date,
            esc(&self.counterparties.join(", ")),
            self.quorum
        );
        if let Some(o) = &self.outcome {
            let _ = writeln!(s, "<p>Outcome: {}</p>", esc(o));
        }
        let _ = writeln!(s, "<h2>Who took part</h2>\n<table>\n<thead><tr><th>Person</th><th>Role</th><th>Voting</th><th>Declared interest in</th><th>Managed</th></tr></thead>\n<tbody>");
        for p in &self.participants {
            let decls: Vec<&Declaration> = self
                .declarations
                .iter()
                .filter(|d| normalise(&d.person) == normalise(&p.person))
                .collect();
            let declared = decls
                .iter()
                .map(|d| d.counterparty.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let managed = decls
                .iter()
                .map(|d| d.managed.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&p.person),
                esc(p.role.as_deref().unwrap_or("")),
                if p.voting { "yes" } else { "no" },
                esc(&declared),
                esc(&managed)
            );
        }
        let _ = writeln!(s, "</tbody>\n</table>\n<h2>Findings</h2>");
        if findings.is_empty() {
            s.push_str("<p>No findings.</p>\n");
        } else {
            s.push_str("<ul>\n");
            for f in findings {
                let _ = writeln!(
                    s,
                    "<li><strong>{} {}</strong>: {} <em>({})</em></li>",
                    esc(f.code),
                    match f.severity {
                        FindingSeverity::Error => "error",
                        FindingSeverity::Warning => "warning",
                        FindingSeverity::Info => "info",
                    },
                    esc(&f.message),
                    esc(&f.citation)
                );
            }
            s.push_str("</ul>\n");
        }
        s.push_str("</body>\n</html>\n");
        s
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A CSV cell safe to open in a spreadsheet: text that would start a formula is prefixed
/// with an apostrophe, because published registers are opened by the public.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn finish_csv(w: csv::Writer<Vec<u8>>) -> Result<String, ProcureError> {
    let bytes = w
        .into_inner()
        .map_err(|e| ProcureError::Data(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ProcureError::Data(format!("csv: {e}")))
}

fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>body{{font-family:Arial,sans-serif;margin:2em}}table{{border-collapse:collapse}}th,td{{border:1px solid #b1b4b6;padding:4px 8px;text-align:left}}</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = esc(title)
    )
}

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

/// What every check needs: the parties resolver, the deciding body's kind and the policy.
struct Ctx<'a> {
    parties: Parties<'a>,
    register: Option<&'a vires_core::Register>,
    kind: Option<&'static str>,
    policy: Option<&'static Policy>,
    on: Date,
}

impl<'a> Ctx<'a> {
    fn new(
        register: Option<&'a vires_core::Register>,
        body: &str,
        on: Date,
    ) -> Result<Ctx<'a>, ProcureError> {
        let kind = register.and_then(|r| r.body_near(body, on).map(|id| r.body(id).kind.as_str()));
        let policy = match kind {
            Some(k) => policy_for(k, on)?,
            None => None,
        };
        Ok(Ctx {
            parties: match register {
                Some(r) => Parties::new(r),
                None => Parties::text_only(),
            },
            register,
            kind,
            policy,
            on,
        })
    }

    fn kind_on(&self, body: &str, on: Date) -> Option<&'static str> {
        self.register
            .and_then(|r| r.body_near(body, on).map(|id| r.body(id).kind.as_str()))
    }

    fn guidance_citation(&self) -> String {
        match self.policy {
            Some(p) => p.citation(),
            None => format!(
                "no conflicts guidance in the data for {} on {} (to confirm)",
                self.kind
                    .map_or("this body".to_string(), |k| format!("a body of kind {k}")),
                self.on
            ),
        }
    }

    /// The statute and the procurement rules on conflicts in force on the date.
    fn legal_citation(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.policy {
            parts.push(p.statute.clone());
        }
        if let Some(c) = procurement_citation(self.on) {
            parts.push(c);
        }
        if parts.is_empty() {
            self.guidance_citation()
        } else {
            parts.join("; ")
        }
    }

    fn policy_use(&self, body: &str) -> PolicyUse {
        PolicyUse {
            body: body.to_string(),
            kind: self.kind.map(str::to_string),
            on: self.on,
            policy: self.policy.cloned(),
            procurement_citation: procurement_citation(self.on),
        }
    }
}

fn procurement_citation(on: Date) -> Option<String> {
    policies()
        .ok()?
        .procurement_rules
        .iter()
        .find_map(|r| (on >= r.from && r.until.is_none_or(|u| on < u)).then(|| r.citation.clone()))
}

/// Checks a decision record against the register of interests of the deciding body, under
/// the policy in force for the deciding body's kind on the decision's date.
fn check_decision_in(decision: &Decision, register: &InterestRegister, ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    let on = decision.date;
    let subj = decision.id.clone();
    let party = |a: &str, b: &str| ctx.parties.same(a, b, on);
    // Each participant's entries are looked up by their normalised name, and counterparties
    // by what they resolve to, so the check is linear in participants and entries rather
    // than comparing every participant with every entry.
    let counterparties: HashSet<crate::parties::Party> = decision
        .counterparties
        .iter()
        .map(|c| ctx.parties.resolve(c, on))
        .collect();
    let is_counterparty = |x: &str| counterparties.contains(&ctx.parties.resolve(x, on));
    let declarations = by_name(&decision.declarations, |d| &d.person);
    let interests = by_name(&register.interests, |x| &x.declarant);
    let gifts = by_name(&register.gifts, |g| &g.declarant);
    let people: HashMap<String, &Person> = register
        .people
        .iter()
        .rev()
        .map(|p| (normalise(&p.name), p))
        .collect();
    let declaration = |person: &str, cp: &str| {
        declarations
            .get(&normalise(person))
            .and_then(|ds| ds.iter().copied().find(|d| party(&d.counterparty, cp)))
    };
    let kept_months = ctx.policy.and_then(|p| p.interest_kept_months_after_end);
    let guidance = ctx.guidance_citation();
    let legal = ctx.legal_citation();
    let cite = guidance.as_str();
    let push = |out: &mut Vec<Finding>,
                code,
                sev,
                person: &str,
                cp: Option<&str>,
                message: String,
                citation: &str| {
        out.push(Finding {
            code,
            severity: sev,
            subject: subj.clone(),
            person: Some(person.to_string()),
            counterparty: cp.map(str::to_string),
            message,
            citation: citation.to_string(),
        })
    };

    for part in &decision.participants {
        let who = part.person.as_str();
        let key = normalise(who);
        let person = people.get(&key).copied();
        let theirs = interests.get(&key).map_or(&[][..], Vec::as_slice);
        if person.is_none() && theirs.is_empty() {
            push(&mut out, finding::UNKNOWN_PERSON, FindingSeverity::Warning, who, None,
                format!("{who} took part but is not on the register of {}: check that their interests were declared", register.body),
                cite);
        }
        // Registered interests in a counterparty.
        for x in theirs
            .iter()
            .copied()
            .filter(|x| is_counterparty(&x.counterparty))
        {
            let recently_ended = x.to.is_some_and(|t| {
                kept_months.is_some_and(|kept_months| {
                    t < on
                        && t.checked_add(jiff::Span::new().months(kept_months))
                            .is_ok_and(|kept| on <= kept)
                })
            });
            if !x.held_on(on) && !recently_ended {
                continue;
            }
            match declaration(who, &x.counterparty) {
                None if x.held_on(on) => push(&mut out, finding::UNDECLARED_INTEREST, FindingSeverity::Error, who, Some(&x.counterparty),
                    format!("{who} ({}) has a registered {} interest in {} but did not declare it at the decision", x.role, x.kind.as_str(), x.counterparty),
                    &legal),
                None => push(&mut out, finding::INTEREST_RECENTLY_ENDED, FindingSeverity::Warning, who, Some(&x.counterparty),
                    format!("{who}'s {} interest in {} ended on {} (less than {} months before the decision) and was not declared", x.kind.as_str(), x.counterparty, x.to.map(|d| d.to_string()).unwrap_or_default(), kept_months.unwrap_or_default()),
                    cite),
                Some(d) if d.managed == Management::NoAction && part.voting => push(&mut out, finding::UNMANAGED_INTEREST, FindingSeverity::Error, who, Some(&x.counterparty),
                    format!("{who} declared a {} interest in {} but it was not managed (no action) and they voted", x.kind.as_str(), x.counterparty),
                    &legal),
                Some(_) => {}
            }
        }
        // Declarations with no register entry.
        for d in declarations.get(&key).map_or(&[][..], Vec::as_slice) {
            let registered = theirs
                .iter()
                .any(|x| party(&x.counterparty, &d.counterparty));
            if !registered {
                push(&mut out, finding::DECLARED_NOT_REGISTERED, FindingSeverity::Warning, who, Some(&d.counterparty),
                    format!("{who} declared an interest in {} that is not on the register of {}; add it", d.counterparty, register.body),
                    cite);
            }
        }
        let Some(person) = person else { continue };
        let managed_by_exclusion =
            |cp: &str| declaration(who, cp).is_some_and(|d| d.managed == Management::Excluded);
        // The co-commissioning case: a GP deciding on a contract with their own practice.
        if let Some(pr) = person.practice.as_deref().filter(|pr| is_counterparty(pr)) {
            if !managed_by_exclusion(pr) {
                let how = match declaration(who, pr) {
                    None => "without declaring it".to_string(),
                    Some(d) => format!("and the interest was managed as `{}`", d.managed.as_str()),
                };
                push(&mut out, finding::GP_OWN_PRACTICE, FindingSeverity::Error, who, Some(pr),
                    format!("{who} is a GP at {pr}, a party to this decision, and took part {how}; a GP member must be excluded from decisions on their own practice"),
                    cite);
            }
        }
        // A joint appointment on both sides of a commissioner-provider decision.
        let on_commissioner_side = person.posts.iter().any(|p| party(&p.body, &decision.body));
        if on_commissioner_side {
            for post in person.posts.iter().filter(|p| is_counterparty(&p.body)) {
                if !managed_by_exclusion(&post.body) {
                    push(&mut out, finding::JOINT_APPOINTMENT, FindingSeverity::Error, who, Some(&post.body),
                        format!("{who} holds posts at {} (commissioner) and {} ({}, a party to the decision) and was not excluded", decision.body, post.body, post.role),
                        cite);
                }
            }
        }
        // Gifts and hospitality accepted from a counterparty in the year before.
        for g in gifts
            .get(&key)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|g| {
                g.outcome == GiftOutcome::Accepted
                    && is_counterparty(&g.giver)
                    && g.date <= on
                    && g.date
                        .checked_add(jiff::Span::new().years(1))
                        .is_ok_and(|y| on <= y)
            })
        {
            push(
                &mut out,
                finding::GIFT_FROM_COUNTERPARTY,
                FindingSeverity::Warning,
                who,
                Some(&g.giver),
                format!(
                    "{who} accepted {} worth £{:.2} from {} on {}, within a year of this decision",
                    g.description, g.value, g.giver, g.date
                ),
                cite,
            );
        }
    }

    // Quorum after exclusions.
    let cannot_vote = |person: &str| loses_vote(&declarations, person);
    let voting: Vec<&str> = decision
        .participants
        .iter()
        .filter(|p| p.voting)
        .map(|p| p.person.as_str())
        .collect();
    let excluded: Vec<&str> = voting.iter().copied().filter(|p| cannot_vote(p)).collect();
    let remaining = voting.len() - excluded.len();
    if (remaining as u64) < u64::from(decision.quorum) {
        out.push(Finding {
            code: finding::QUORUM_LOST,
            severity: FindingSeverity::Error,
            subject: subj.clone(),
            person: None,
            counterparty: None,
            message: if excluded.is_empty() {
                format!("{} voting members took part; the quorum is {}", voting.len(), decision.quorum)
            } else {
                format!(
                    "{} voting members took part but {} ({}) could not vote on the item, leaving {}; the quorum is {}: the decision is not quorate",
                    voting.len(),
                    excluded.len(),
                    excluded.join(", "),
                    remaining,
                    decision.quorum
                )
            },
            citation: cite.into(),
        });
    }
    out
}

/// Merges the registers of the bodies taking part in a joint decision: people and interests
/// from all of them count.
/// `items` grouped by the normalised name `name` gives each, in their order.
fn by_name<T>(items: &[T], name: impl Fn(&T) -> &str) -> HashMap<String, Vec<&T>> {
    let mut out: HashMap<String, Vec<&T>> = HashMap::new();
    for item in items {
        out.entry(normalise(name(item))).or_default().push(item);
    }
    out
}

/// Whether `person` could not vote on the item: excluded, or allowed to speak only.
fn loses_vote(declarations: &HashMap<String, Vec<&Declaration>>, person: &str) -> bool {
    declarations.get(&normalise(person)).is_some_and(|ds| {
        ds.iter()
            .any(|d| matches!(d.managed, Management::Excluded | Management::SpeakNotVote))
    })
}

fn merged_register(decision: &Decision, registers: &[InterestRegister]) -> InterestRegister {
    let mut merged = InterestRegister {
        body: decision.body.clone(),
        name: decision.committee.clone(),
        reviewed: None,
        people: Vec::new(),
        interests: Vec::new(),
        gifts: Vec::new(),
    };
    // Where each person is in `merged.people`, by normalised name.
    let mut at: HashMap<String, usize> = HashMap::new();
    for r in registers {
        for p in &r.people {
            let found = at.get(&normalise(&p.name)).copied();
            match found.and_then(|i| merged.people.get_mut(i)) {
                Some(q) => {
                    q.posts.extend(p.posts.iter().cloned());
                    if q.practice.is_none() {
                        q.practice.clone_from(&p.practice);
                    }
                }
                None => {
                    at.insert(normalise(&p.name), merged.people.len());
                    merged.people.push(p.clone());
                }
            }
        }
        merged.interests.extend(r.interests.iter().cloned());
        merged.gifts.extend(r.gifts.iter().cloned());
    }
    merged
}

fn register_finding(
    register: &InterestRegister,
    code: &'static str,
    severity: FindingSeverity,
    person: &str,
    counterparty: Option<&str>,
    message: String,
    citation: String,
) -> Finding {
    Finding {
        code,
        severity,
        subject: register.body.clone(),
        person: Some(person.to_string()),
        counterparty: counterparty.map(str::to_string),
        message,
        citation,
    }
}

/// Checks one register of interests and of gifts and hospitality against the policy in
/// force for its body on each entry's date: gifts and hospitality outside the limits (C008),
/// cash or vouchers accepted (C011), several gifts from one source over the cumulative
/// window (C012), interests declared late (C013), and limits the data does not know (C015).
fn check_register_in(register: &InterestRegister, ctx: &Ctx) -> Result<Vec<Finding>, ProcureError> {
    let mut out = Vec::new();
    let policy_on = |on: Date| -> Result<Option<&'static Policy>, ProcureError> {
        match ctx.kind_on(&register.body, on) {
            Some(k) => policy_for(k, on),
            None => Ok(None),
        }
    };
    let unknown = |what: &str, on: Date| {
        format!(
            "no conflicts guidance in the data for {} ({}) on {on}: {what} not checked (to confirm)",
            register.body,
            ctx.kind_on(&register.body, on).unwrap_or("kind unknown"),
        )
    };
    for g in register
        .gifts
        .iter()
        .filter(|g| g.outcome == GiftOutcome::Accepted)
    {
        let Some(p) = policy_on(g.date)? else {
            out.push(register_finding(
                register,
                finding::LIMITS_NOT_KNOWN,
                FindingSeverity::Info,
                &g.declarant,
                Some(&g.giver),
                format!(
                    "{} accepted {} (£{:.2}) from {} on {}",
                    g.declarant, g.description, g.value, g.giver, g.date
                ),
                unknown("the gift", g.date),
            ));
            continue;
        };
        if g.cash_or_voucher && p.cash_and_vouchers_declined == Some(true) {
            out.push(register_finding(register, finding::CASH_OR_VOUCHER, FindingSeverity::Warning, &g.declarant, Some(&g.giver),
                format!("{} accepted cash or vouchers ({}, £{:.2}) from {} on {}: gifts of cash and vouchers to individuals should always be declined", g.declarant, g.description, g.value, g.giver, g.date),
                p.citation()));
        }
        let (limit, rule) = match g.kind {
            GiftKind::Gift if g.giver_is_supplier => (
                p.supplier_gift_decline_above,
                "the limit for gifts from suppliers or contractors",
            ),
            GiftKind::Hospitality => (
                p.hospitality_refuse_above,
                "the limit above which hospitality is refused without senior approval",
            ),
            GiftKind::Gift => continue,
        };
        match limit {
            None => out.push(register_finding(register, finding::LIMITS_NOT_KNOWN, FindingSeverity::Info, &g.declarant, Some(&g.giver),
                format!("{} accepted {} (£{:.2}) from {} on {}: {} is not in the data for this guidance, so it was not checked", g.declarant, g.description, g.value, g.giver, g.date, rule),
                p.citation())),
            Some(lim) => {
                let breach = match g.kind {
                    GiftKind::Gift if lim == 0.0 => Some("gifts from suppliers or contractors should be declined, whatever their value".to_string()),
                    GiftKind::Gift if g.value > lim => Some(format!("a gift from a supplier or contractor worth more than £{lim:.0} should be declined")),
                    GiftKind::Hospitality if g.value > lim && g.approved_by.is_none() => Some(format!("hospitality above £{lim:.0} should be refused unless a senior officer approves it")),
                    _ => None,
                };
                if let Some(why) = breach {
                    out.push(register_finding(register, finding::GIFT_OUTSIDE_POLICY, FindingSeverity::Warning, &g.declarant, Some(&g.giver),
                        format!("{} accepted {} (£{:.2}) from {} on {}: {why}", g.declarant, g.description, g.value, g.giver, g.date),
                        p.citation()));
                }
            }
        }
    }
    // Several gifts from one source: the first that takes the total over the limit within
    // the window is reported, when no single gift in the window is over it.
    let mut gifts: Vec<&Gift> = register
        .gifts
        .iter()
        .filter(|g| {
            g.outcome == GiftOutcome::Accepted && g.kind == GiftKind::Gift && !g.giver_is_supplier
        })
        .collect();
    gifts.sort_by_key(|g| g.date);
    let mut reported: Vec<(String, crate::parties::Party)> = Vec::new();
    for (i, g) in gifts.iter().enumerate() {
        let Some(p) = policy_on(g.date)? else {
            continue;
        };
        let (Some(months), Some(limit)) = (p.cumulative_months, p.other_gift_declare_from) else {
            continue;
        };
        let source = ctx.parties.resolve(&g.giver, g.date);
        let who = normalise(&g.declarant);
        if reported.iter().any(|(w, s)| *w == who && *s == source) {
            continue;
        }
        let window: Vec<&&Gift> = gifts[..=i]
            .iter()
            .filter(|h| {
                normalise(&h.declarant) == who
                    && ctx.parties.resolve(&h.giver, h.date) == source
                    && h.date
                        .checked_add(jiff::Span::new().months(months))
                        .is_ok_and(|end| g.date < end)
            })
            .collect();
        let total: f64 = window.iter().map(|h| h.value).sum();
        if window.len() > 1 && total > limit && window.iter().all(|h| h.value <= limit) {
            reported.push((who, source));
            out.push(register_finding(register, finding::CUMULATIVE_GIFTS, FindingSeverity::Warning, &g.declarant, Some(&g.giver),
                format!("{} accepted {} gifts from {} within {months} months up to {} totalling £{total:.2}: together they are treated as one gift over £{limit:.0} (accepted only on behalf of the organisation, and declared)", g.declarant, window.len(), g.giver, g.date),
                p.citation()));
        }
    }
    // Declarations made late.
    for x in &register.interests {
        let Some(declared) = x.declared else { continue };
        let Some(p) = policy_on(x.from)? else {
            continue;
        };
        let Some(days) = p.declare_within_days else {
            continue;
        };
        let due = x.from.checked_add(jiff::Span::new().days(days)).ok();
        if due.is_some_and(|due| declared > due) {
            out.push(register_finding(register, finding::DECLARED_LATE, FindingSeverity::Warning, &x.declarant, Some(&x.counterparty),
                format!("{}'s {} interest in {} arose on {} and was declared on {}: more than {days} days later", x.declarant, x.kind.as_str(), x.counterparty, x.from, declared),
                p.citation()));
        }
    }
    Ok(out)
}

/// The registers' review: stale when the policy asks for an annual review and the register
/// was last reviewed longer ago than that before the decision (C014).
fn check_review(decision: &Decision, register: &InterestRegister, ctx: &Ctx) -> Option<Finding> {
    let p = ctx.policy?;
    let months = p.register_review_months?;
    let reviewed = register.reviewed?;
    let due = reviewed
        .checked_add(jiff::Span::new().months(months))
        .ok()?;
    (decision.date > due).then(|| Finding {
        code: finding::REGISTER_NOT_REVIEWED,
        severity: FindingSeverity::Warning,
        subject: decision.id.clone(),
        person: None,
        counterparty: None,
        message: format!(
            "the register of interests of {} was last reviewed on {reviewed}, more than {months} months before the decision",
            register.body
        ),
        citation: p.citation(),
    })
}

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
    fn html_and_csv_escape() {
        let r = InterestRegister::from_json(
            r#"{"body":"02Q","interests":[{"declarant":"<script>x</script>","role":"GP","type":"financial","counterparty":"=HYPERLINK(\"a\")","from":"2014-01-01"}],
                "gifts":[{"declarant":"A & B","kind":"gift","description":"pen, \"nice\"","value":5,"date":"2016-09-01","giver":"Acme","outcome":"accepted"}]}"#,
        )
        .unwrap();
        let h = r.to_html();
        assert!(h.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("A &amp; B"));
        let c = r.interests_csv().unwrap();
        assert!(c.contains("\"'=HYPERLINK(\"\"a\"\")\""), "{c}");
        let g = r.gifts_csv().unwrap();
        assert!(g.contains("\"pen, \"\"nice\"\"\""), "{g}");
    }

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
