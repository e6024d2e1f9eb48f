//! The records conflicts checks read: a body's registers of interests and of gifts and
//! hospitality (people, their posts, interests and gifts), and decision records (who took
//! part, what they declared and how each conflict was managed), each read from JSON and
//! validated with errors that name the field.

use crate::contract::normalise;
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use vires_core::Snapshot;

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

    /// What `person` declared at the decision, in the record's order.
    pub fn declarations_of(&self, person: &str) -> Vec<&Declaration> {
        let who = normalise(person);
        self.declarations
            .iter()
            .filter(|d| normalise(&d.person) == who)
            .collect()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
