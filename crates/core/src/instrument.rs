//! Instruments: the acts that confer, move, share, direct, require, amend or revoke powers.
//!
//! An instrument names bodies by code, functions by id and areas by expression, as a
//! person writes them; `compile` resolves the names on the instrument's dates and reports
//! what does not resolve. This keeps the language lowering trivial and puts every
//! validity judgement in one place.

use crate::body::BodyKind;
use crate::diagnostic::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstrumentId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstrumentKind {
    /// Parliament (or an order under an Act) gives a body a function.
    Conferral,
    /// A body comes into being.
    Establish,
    /// A body ceases to exist.
    Abolish,
    /// Predecessors cease and a successor inherits their functions, liabilities and live instruments.
    Merge,
    /// A function moves; the transferor loses it.
    Transfer,
    /// The maker arranges for the receiver to exercise its function; the maker stays accountable.
    Delegation,
    /// Members exercise a function together through a joint committee.
    JointCommittee,
    /// s.75 partnership: a lead commissioner exercises a partner's function, possibly with a pooled budget.
    Partnership,
    /// A direction: the receiver exercises the functions of `of`, concurrently or in its place.
    Direction,
    /// A requirement placed on bodies; it must rest on a power.
    Mandate,
    /// Changes another instrument from this instrument's date.
    Amend,
    /// Ends another instrument from this instrument's date.
    Revoke,
    /// A recorded exercise of a function, checked against what the body held (for audit).
    Exercise,
}

impl InstrumentKind {
    pub const ALL: [InstrumentKind; 13] = [
        InstrumentKind::Conferral,
        InstrumentKind::Establish,
        InstrumentKind::Abolish,
        InstrumentKind::Merge,
        InstrumentKind::Transfer,
        InstrumentKind::Delegation,
        InstrumentKind::JointCommittee,
        InstrumentKind::Partnership,
        InstrumentKind::Direction,
        InstrumentKind::Mandate,
        InstrumentKind::Amend,
        InstrumentKind::Revoke,
        InstrumentKind::Exercise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstrumentKind::Conferral => "conferral",
            InstrumentKind::Establish => "establish",
            InstrumentKind::Abolish => "abolish",
            InstrumentKind::Merge => "merge",
            InstrumentKind::Transfer => "transfer",
            InstrumentKind::Delegation => "delegation",
            InstrumentKind::JointCommittee => "joint-committee",
            InstrumentKind::Partnership => "partnership",
            InstrumentKind::Direction => "direction",
            InstrumentKind::Mandate => "mandate",
            InstrumentKind::Amend => "amend",
            InstrumentKind::Revoke => "revoke",
            InstrumentKind::Exercise => "exercise",
        }
    }

    pub fn parse(s: &str) -> Option<InstrumentKind> {
        InstrumentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Kinds whose receivers exercise a function someone else already holds.
    pub fn is_arrangement(self) -> bool {
        matches!(
            self,
            InstrumentKind::Delegation
                | InstrumentKind::JointCommittee
                | InstrumentKind::Partnership
                | InstrumentKind::Direction
                | InstrumentKind::Transfer
        )
    }
}

impl std::fmt::Display for InstrumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who an instrument is addressed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Receivers {
    /// Named bodies, by code.
    Bodies(Vec<String>),
    /// Every body of a kind alive on each date of the instrument's life (for example "every ccg").
    Every(BodyKind),
}

impl Default for Receivers {
    fn default() -> Self {
        Receivers::Bodies(Vec::new())
    }
}

impl Receivers {
    pub fn is_empty(&self) -> bool {
        matches!(self, Receivers::Bodies(v) if v.is_empty())
    }
}

/// Where an instrument applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AreaExpr {
    England,
    /// Each receiver's own footprint (used with `Receivers::Every`).
    Own,
    Footprint(String),
    Practices(Vec<String>),
    /// A named area declared in the register.
    Named(String),
    Union(Vec<AreaExpr>),
}

/// Whether a delegate may pass the function on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Onward {
    Permitted,
    #[default]
    Forbidden,
}

/// What a mandate requires, in structured form so the procurement checks can apply it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Requirement {
    /// The requirement in the words of the mandate.
    pub text: String,
    /// Categories of buying it applies to (for example `business-intelligence`, `gp-it`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// The framework that must be used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framework: Option<String>,
    /// Evidence needed to depart from the requirement (for example to bring a service in house).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exception_evidence: Vec<String>,
    /// Whether receivers must buy together.
    #[serde(default)]
    pub collective: bool,
    /// Who bears stranded costs if a receiver departs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stranded_costs: Option<String>,
}

/// The changes an `amend` instrument makes to its target from its own `from` date.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AmendChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purposes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<AreaExpr>,
}

/// Spans of individual fields, so a diagnostic can point at the exact words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldSpans {
    pub whole: Option<Span>,
    pub id: Option<Span>,
    pub basis: Option<Span>,
    pub maker: Option<Span>,
    pub receivers: Option<Span>,
    pub of: Option<Span>,
    pub functions: Option<Span>,
    pub area: Option<Span>,
    pub from: Option<Span>,
    pub until: Option<Span>,
    pub purposes: Option<Span>,
    pub target: Option<Span>,
    pub onward: Option<Span>,
}

impl FieldSpans {
    const NONE: FieldSpans = FieldSpans {
        whole: None,
        id: None,
        basis: None,
        maker: None,
        receivers: None,
        of: None,
        functions: None,
        area: None,
        from: None,
        until: None,
        purposes: None,
        target: None,
        onward: None,
    };
}

/// An instrument's [`FieldSpans`], kept only for instruments read from text. Most
/// instruments of a large register come from data files and have none, and the spans are
/// a quarter of an instrument's size, so they live behind a pointer that is empty for those.
/// Reads see every span as `None` then; writing one allocates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spans(Option<Box<FieldSpans>>);

impl std::ops::Deref for Spans {
    type Target = FieldSpans;
    fn deref(&self) -> &FieldSpans {
        self.0.as_deref().unwrap_or(&FieldSpans::NONE)
    }
}

impl std::ops::DerefMut for Spans {
    fn deref_mut(&mut self) -> &mut FieldSpans {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<FieldSpans> for Spans {
    fn from(f: FieldSpans) -> Self {
        if f == FieldSpans::NONE {
            Spans(None)
        } else {
            Spans(Some(Box::new(f)))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// Stable identifier, unique in the register.
    pub id: String,
    pub title: String,
    pub kind: InstrumentKind,
    /// The legal basis in plain words ("NHS Act 2006 s.13Z"); matched against the powers registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// The body that makes the instrument, by code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maker: Option<String>,
    #[serde(default, skip_serializing_if = "Receivers::is_empty")]
    pub receivers: Receivers,
    /// For directions, transfers and partnerships: the bodies whose functions are exercised
    /// (defaults to the maker).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<Box<Receivers>>,
    /// For merges: the bodies that merge into the receiver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predecessors: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    /// Child functions left out (they stay with the maker).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
    /// Matters the maker keeps, in the agreement's words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retained: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<AreaExpr>,
    pub from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    /// Purposes the receivers may exercise the functions for; empty means unrestricted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<String>,
    /// The receivers exercise alongside the holder, who keeps exercising too.
    #[serde(default)]
    pub concurrent: bool,
    #[serde(default)]
    pub onward: Onward,
    /// Partnership lead commissioner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled_budget: Option<String>,
    /// For amend and revoke: the instrument changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Box<AmendChanges>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Box<Requirement>>,
    /// When the register should prompt a review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<Date>,
    /// The public record this rests on (a statute, a board paper, an agreement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip)]
    pub spans: Spans,
}

impl Instrument {
    /// A blank instrument of a kind, for builders and tests.
    pub fn new(id: impl Into<String>, kind: InstrumentKind, from: Date) -> Self {
        Instrument {
            id: id.into(),
            title: String::new(),
            kind,
            basis: None,
            maker: None,
            receivers: Receivers::default(),
            of: None,
            predecessors: Vec::new(),
            functions: Vec::new(),
            except: Vec::new(),
            retained: Vec::new(),
            area: None,
            from,
            until: None,
            purposes: Vec::new(),
            concurrent: false,
            onward: Onward::Forbidden,
            lead: None,
            pooled_budget: None,
            target: None,
            changes: None,
            requirement: None,
            review: None,
            source: None,
            spans: Spans::default(),
        }
    }

    pub fn span_or_whole(&self, s: Option<Span>) -> Option<Span> {
        s.or(self.spans.whole)
    }
}
