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
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
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

const GUIDANCE: &str =
    "NHS England, Managing Conflicts of Interest: Revised Statutory Guidance for CCGs (2017)";

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
        for (i, p) in self.participants.iter().enumerate() {
            if p.person.trim().is_empty() {
                return Err(invalid(w, format!("participants[{i}].person"), "is empty"));
            }
            if self.participants[..i]
                .iter()
                .any(|q| normalise(&q.person) == normalise(&p.person))
            {
                return Err(invalid(
                    w,
                    format!("participants[{i}].person"),
                    format!("`{}` is listed twice", p.person),
                ));
            }
        }
        for (i, d) in self.declarations.iter().enumerate() {
            if !self
                .participants
                .iter()
                .any(|p| normalise(&p.person) == normalise(&d.person))
            {
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

#[derive(Debug, Clone, Deserialize)]
struct Policy {
    #[allow(dead_code)]
    id: String,
    title: String,
    from: Date,
    until: Option<Date>,
    supplier_gift_decline_above: f64,
    hospitality_refuse_above: f64,
    interest_kept_months_after_end: i64,
    #[allow(dead_code)]
    confirmed: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct Policies {
    policies: Vec<Policy>,
}

static POLICIES: OnceLock<Result<Policies, String>> = OnceLock::new();

fn policy(on: Date) -> Option<&'static Policy> {
    POLICIES
        .get_or_init(|| serde_json::from_str(POLICY_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .ok()?
        .policies
        .iter()
        .find(|p| on >= p.from && p.until.is_none_or(|u| on < u))
}

fn same(a: &str, b: &str) -> bool {
    normalise(a) == normalise(b)
}

/// Checks a decision record against the register of interests of the deciding body.
pub fn check_decision(decision: &Decision, register: &InterestRegister) -> Vec<Finding> {
    let mut out = Vec::new();
    let on = decision.date;
    let subj = decision.id.clone();
    let is_counterparty = |x: &str| decision.counterparties.iter().any(|c| same(c, x));
    let declaration = |person: &str, cp: &str| {
        decision
            .declarations
            .iter()
            .find(|d| same(&d.person, person) && same(&d.counterparty, cp))
    };
    let kept_months = policy(on).map_or(6, |p| p.interest_kept_months_after_end);
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
        let person = register.person(who);
        if person.is_none() && !register.interests.iter().any(|x| same(&x.declarant, who)) {
            push(&mut out, finding::UNKNOWN_PERSON, FindingSeverity::Warning, who, None,
                format!("{who} took part but is not on the register of {}: check that their interests were declared", register.body),
                GUIDANCE);
        }
        // Registered interests in a counterparty.
        for x in register
            .interests
            .iter()
            .filter(|x| same(&x.declarant, who) && is_counterparty(&x.counterparty))
        {
            let recently_ended = x.to.is_some_and(|t| {
                t < on
                    && t.checked_add(jiff::Span::new().months(kept_months))
                        .is_ok_and(|kept| on <= kept)
            });
            if !x.held_on(on) && !recently_ended {
                continue;
            }
            match declaration(who, &x.counterparty) {
                None if x.held_on(on) => push(&mut out, finding::UNDECLARED_INTEREST, FindingSeverity::Error, who, Some(&x.counterparty),
                    format!("{who} ({}) has a registered {} interest in {} but did not declare it at the decision", x.role, x.kind.as_str(), x.counterparty),
                    "SI 2023/1348 reg 21; SI 2013/500 reg 6; NHS Act 2006 s.14O"),
                None => push(&mut out, finding::INTEREST_RECENTLY_ENDED, FindingSeverity::Warning, who, Some(&x.counterparty),
                    format!("{who}'s {} interest in {} ended on {} (less than {kept_months} months before the decision) and was not declared", x.kind.as_str(), x.counterparty, x.to.map(|d| d.to_string()).unwrap_or_default()),
                    GUIDANCE),
                Some(d) if d.managed == Management::NoAction && part.voting => push(&mut out, finding::UNMANAGED_INTEREST, FindingSeverity::Error, who, Some(&x.counterparty),
                    format!("{who} declared a {} interest in {} but it was not managed (no action) and they voted", x.kind.as_str(), x.counterparty),
                    "SI 2023/1348 reg 21; SI 2013/500 reg 6"),
                Some(_) => {}
            }
        }
        // Declarations with no register entry.
        for d in decision
            .declarations
            .iter()
            .filter(|d| same(&d.person, who))
        {
            let registered = register
                .interests
                .iter()
                .any(|x| same(&x.declarant, who) && same(&x.counterparty, &d.counterparty));
            if !registered {
                push(&mut out, finding::DECLARED_NOT_REGISTERED, FindingSeverity::Warning, who, Some(&d.counterparty),
                    format!("{who} declared an interest in {} that is not on the register of {}; add it", d.counterparty, register.body),
                    GUIDANCE);
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
                    GUIDANCE);
            }
        }
        // A joint appointment on both sides of a commissioner-provider decision.
        let on_commissioner_side = person.posts.iter().any(|p| same(&p.body, &decision.body));
        if on_commissioner_side {
            for post in person.posts.iter().filter(|p| is_counterparty(&p.body)) {
                if !managed_by_exclusion(&post.body) {
                    push(&mut out, finding::JOINT_APPOINTMENT, FindingSeverity::Error, who, Some(&post.body),
                        format!("{who} holds posts at {} (commissioner) and {} ({}, a party to the decision) and was not excluded", decision.body, post.body, post.role),
                        GUIDANCE);
                }
            }
        }
        // Gifts and hospitality accepted from a counterparty in the year before.
        for g in register.gifts.iter().filter(|g| {
            same(&g.declarant, who)
                && g.outcome == GiftOutcome::Accepted
                && is_counterparty(&g.giver)
                && g.date <= on
                && g.date
                    .checked_add(jiff::Span::new().years(1))
                    .is_ok_and(|y| on <= y)
        }) {
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
                GUIDANCE,
            );
        }
    }

    // Quorum after exclusions.
    let loses_vote = |person: &str| {
        decision.declarations.iter().any(|d| {
            same(&d.person, person)
                && matches!(d.managed, Management::Excluded | Management::SpeakNotVote)
        })
    };
    let voting: Vec<&str> = decision
        .participants
        .iter()
        .filter(|p| p.voting)
        .map(|p| p.person.as_str())
        .collect();
    let excluded: Vec<&str> = voting.iter().copied().filter(|p| loses_vote(p)).collect();
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
            citation: GUIDANCE.into(),
        });
    }
    out
}

/// Checks a decision taken jointly (a joint committee) against the registers of every
/// member body: people and interests from all of them count.
pub fn check_joint_decision(decision: &Decision, registers: &[InterestRegister]) -> Vec<Finding> {
    let mut merged = InterestRegister {
        body: decision.body.clone(),
        name: decision.committee.clone(),
        people: Vec::new(),
        interests: Vec::new(),
        gifts: Vec::new(),
    };
    for r in registers {
        for p in &r.people {
            match merged.people.iter_mut().find(|q| same(&q.name, &p.name)) {
                Some(q) => {
                    q.posts.extend(p.posts.iter().cloned());
                    if q.practice.is_none() {
                        q.practice.clone_from(&p.practice);
                    }
                }
                None => merged.people.push(p.clone()),
            }
        }
        merged.interests.extend(r.interests.iter().cloned());
        merged.gifts.extend(r.gifts.iter().cloned());
    }
    check_decision(decision, &merged)
}

/// Checks a register of gifts and hospitality against the policy in force on each date.
pub fn check_gifts(register: &InterestRegister) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in &register.gifts {
        let Some(p) = policy(g.date) else { continue };
        if g.outcome != GiftOutcome::Accepted {
            continue;
        }
        let breach = match g.kind {
            GiftKind::Gift if g.giver_is_supplier && g.value > p.supplier_gift_decline_above => {
                Some(format!(
                    "a gift from a supplier worth more than £{:.0} should be declined",
                    p.supplier_gift_decline_above
                ))
            }
            GiftKind::Hospitality
                if g.value > p.hospitality_refuse_above && g.approved_by.is_none() =>
            {
                Some(format!(
                "hospitality above £{:.0} should be refused unless a senior officer approves it",
                p.hospitality_refuse_above
            ))
            }
            _ => None,
        };
        if let Some(why) = breach {
            out.push(Finding {
                code: finding::GIFT_OUTSIDE_POLICY,
                severity: FindingSeverity::Warning,
                subject: register.body.clone(),
                person: Some(g.declarant.clone()),
                counterparty: Some(g.giver.clone()),
                message: format!(
                    "{} accepted {} (£{:.2}) from {} on {}: {why}",
                    g.declarant, g.description, g.value, g.giver, g.date
                ),
                citation: p.title.clone(),
            });
        }
    }
    out
}

/// A decision record with its findings, for `vires conflicts` and the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionReport {
    pub decision: Decision,
    pub findings: Vec<Finding>,
    /// Voting members left after exclusions.
    pub voting_after_exclusions: u32,
    pub quorate: bool,
    /// No error findings.
    pub sound: bool,
}

impl DecisionReport {
    /// Checks `decision` against the registers of the bodies taking part (one for a single
    /// body's committee, several for a joint committee).
    pub fn new(decision: Decision, registers: &[InterestRegister]) -> DecisionReport {
        let findings = match registers {
            [one] => check_decision(&decision, one),
            many => check_joint_decision(&decision, many),
        };
        let voting_after_exclusions = decision
            .participants
            .iter()
            .filter(|p| {
                p.voting
                    && !decision.declarations.iter().any(|d| {
                        same(&d.person, &p.person)
                            && matches!(d.managed, Management::Excluded | Management::SpeakNotVote)
                    })
            })
            .count() as u32;
        DecisionReport {
            quorate: voting_after_exclusions >= decision.quorum,
            sound: !findings
                .iter()
                .any(|f| f.severity == FindingSeverity::Error),
            voting_after_exclusions,
            findings,
            decision,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    pub fn to_text(&self) -> String {
        let d = &self.decision;
        let mut s = format!(
            "Decision {} ({}{}, {}): {}\nVoting after exclusions: {} of quorum {} ({})\n",
            d.id,
            d.body,
            d.committee
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
            d.date,
            d.subject,
            self.voting_after_exclusions,
            d.quorum,
            if self.quorate {
                "quorate"
            } else {
                "NOT QUORATE"
            }
        );
        s.push_str(&findings_text(&self.findings));
        s
    }

    pub fn to_html(&self) -> String {
        self.decision.to_html(&self.findings)
    }
}

/// Renders findings as text lines.
pub fn findings_text(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No findings.\n".into();
    }
    let mut s = String::new();
    for f in findings {
        let _ = writeln!(
            s,
            "{} {}: {} [{}]",
            f.code,
            match f.severity {
                FindingSeverity::Error => "error",
                FindingSeverity::Warning => "warning",
            },
            f.message,
            f.citation
        );
    }
    s
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

    #[test]
    fn gift_policy() {
        let r = InterestRegister::from_json(
            r#"{"body":"02Q","gifts":[
              {"declarant":"A","kind":"gift","description":"bottle of wine","value":20,"date":"2017-03-01","giver":"Acme CSU","giver_is_supplier":true,"outcome":"accepted"},
              {"declarant":"A","kind":"hospitality","description":"dinner","value":90,"date":"2017-03-01","giver":"Acme CSU","outcome":"accepted"},
              {"declarant":"A","kind":"hospitality","description":"lunch","value":20,"date":"2017-03-01","giver":"Acme CSU","outcome":"accepted"},
              {"declarant":"A","kind":"gift","description":"pen","value":20,"date":"2015-03-01","giver":"Acme CSU","giver_is_supplier":true,"outcome":"accepted"}]}"#,
        )
        .unwrap();
        let f = check_gifts(&r);
        assert_eq!(f.len(), 2, "{f:?}");
    }
}
