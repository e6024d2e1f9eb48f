//! Instruments: the acts that confer, move, share, direct, require, amend or revoke powers.
//!
//! An instrument names bodies by code, functions by id and areas by expression, as a
//! person writes them; `compile` resolves the names on the instrument's dates and reports
//! what does not resolve. This keeps the language lowering trivial and puts every
//! validity judgement in one place.
//!
//! Fields most instruments leave empty are kept in three groups behind pointers that are
//! empty when the group is: the terms ([`TermFields`]), the particulars
//! ([`ParticularFields`]) and the spans ([`FieldSpans`]). Each group is reached the same
//! way, through the instrument:
//!
//! - `ins.terms()`, `ins.particulars()`, `ins.spans()` read it, as empty fields when it
//!   has none, and never allocate;
//! - `ins.terms_mut()`, `ins.particulars_mut()`, `ins.spans_mut()` write it, and allocate
//!   the group when it has none (`Register::add_instrument` frees a group left empty);
//! - `ins.set_terms(fields)`, `ins.set_particulars(fields)`, `ins.set_spans(fields)` replace
//!   a whole group, and allocate nothing when every field given is empty.

use crate::model::body::BodyKind;
use crate::model::diagnostic::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

mod practice_list;
pub use practice_list::PracticeList;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstrumentId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// An instrument's function ids: one is held inline (8 bytes more than a `Vec`, and no
/// allocation of 24 bytes for the list).
pub type FunctionList = smallvec::SmallVec<[SmolStr; 1]>;

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
    // Codes are `SmolStr`s: body and practice codes are short, so they are held inline
    // (a million recorded exercises each name a practice).
    Footprint(SmolStr),
    Practices(PracticeList),
    /// A named area declared in the register.
    Named(SmolStr),
    Union(Vec<AreaExpr>),
}

/// Whether a delegate may pass the function on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
/// Read through [`Instrument::spans`], which sees every span as `None` then; writing one
/// ([`Instrument::spans_mut`]) allocates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spans(Option<Box<FieldSpans>>);

impl Spans {
    fn fields(&self) -> &FieldSpans {
        self.0.as_deref().unwrap_or(&FieldSpans::NONE)
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

/// The fields only some kinds of instrument have: an arrangement's `of`, `except`,
/// `retained`, `lead` and `pooled_budget`, a merger's `predecessors`, an amendment's
/// `target` and `changes`, a mandate's `requirement`, a review date. Nine in ten
/// instruments of a large register are recorded exercises with none of them, and inline
/// they were 170 of an instrument's 424 bytes, so they live behind [`Particulars`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParticularFields {
    /// For directions, transfers and partnerships: the bodies whose functions are exercised
    /// (defaults to the maker).
    pub of: Option<Box<Receivers>>,
    /// For merges: the bodies that merge into the receiver.
    pub predecessors: Vec<String>,
    /// Child functions left out (they stay with the maker).
    pub except: Vec<String>,
    /// Matters the maker keeps, in the agreement's words.
    pub retained: Vec<String>,
    /// Partnership lead commissioner.
    pub lead: Option<String>,
    pub pooled_budget: Option<String>,
    /// For amend and revoke: the instrument changed.
    pub target: Option<String>,
    pub changes: Option<Box<AmendChanges>>,
    pub requirement: Option<Box<Requirement>>,
    /// When the register should prompt a review.
    pub review: Option<Date>,
}

const NO_PARTICULARS: ParticularFields = ParticularFields {
    of: None,
    predecessors: Vec::new(),
    except: Vec::new(),
    retained: Vec::new(),
    lead: None,
    pooled_budget: None,
    target: None,
    changes: None,
    requirement: None,
    review: None,
};

impl ParticularFields {
    fn is_empty(&self) -> bool {
        *self == NO_PARTICULARS
    }
}

/// An instrument's [`ParticularFields`] behind a pointer that is empty when it has none.
/// Reads (`ins.particulars().except`) see empty fields then; writing one
/// (`ins.particulars_mut().except = ...`) allocates the group. An allocated group whose
/// fields are all empty equals no group.
#[derive(Clone, Default)]
struct Particulars(Option<Box<ParticularFields>>);

static EMPTY_PARTICULARS: ParticularFields = NO_PARTICULARS;

impl Particulars {
    fn fields(&self) -> &ParticularFields {
        self.0.as_deref().unwrap_or(&EMPTY_PARTICULARS)
    }

    /// Frees the group when every field in it is empty (a builder that writes each field,
    /// `None`s included, allocates it).
    fn tidy(&mut self) {
        if self.0.as_deref().is_some_and(ParticularFields::is_empty) {
            self.0 = None;
        }
    }
}

impl PartialEq for Particulars {
    fn eq(&self, other: &Self) -> bool {
        self.fields() == other.fields()
    }
}

impl From<ParticularFields> for Particulars {
    fn from(p: ParticularFields) -> Self {
        if p.is_empty() {
            Particulars(None)
        } else {
            Particulars(Some(Box::new(p)))
        }
    }
}

/// What an instrument states beyond what a recorded exercise does: to whom it is
/// addressed, for which purposes, on what basis, on which public record, and where its text
/// is. Read as `ins.terms().receivers`, written as `ins.terms_mut().receivers`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TermFields {
    pub receivers: Receivers,
    /// Purposes the receivers may exercise the functions for; empty means unrestricted.
    pub purposes: Vec<String>,
    /// The legal basis in plain words ("NHS Act 2006 s.13Z"); matched against the powers registry.
    pub basis: Option<String>,
    /// The public record this rests on (a statute, a board paper, an agreement).
    pub source: Option<String>,
    /// Reached through [`Instrument::spans`] and [`Instrument::spans_mut`].
    spans: Spans,
}

static EMPTY_TERMS: TermFields = TermFields {
    receivers: Receivers::Bodies(Vec::new()),
    purposes: Vec::new(),
    basis: None,
    source: None,
    spans: Spans(None),
};

/// [`TermFields`] behind a pointer that is empty when the instrument has none of them.
/// Nine in ten instruments of a large register are recorded exercises, addressed to no one,
/// for no particular purpose, citing no basis and no source, and read from data, not text
/// (so without spans); inline, the five were 104 of an instrument's 256 bytes.
/// `ins.terms().basis` reads `None` when the group is empty and writing
/// `ins.terms_mut().basis = ...` allocates it.
#[derive(Clone, Default)]
struct Terms(Option<Box<TermFields>>);

impl Terms {
    fn fields(&self) -> &TermFields {
        self.0.as_deref().unwrap_or(&EMPTY_TERMS)
    }

    /// Frees the group when every field in it is empty.
    fn tidy(&mut self) {
        if self.0.as_deref().is_some_and(|p| *p == EMPTY_TERMS) {
            self.0 = None;
        }
    }
}

impl PartialEq for Terms {
    fn eq(&self, other: &Self) -> bool {
        self.fields() == other.fields()
    }
}

impl From<TermFields> for Terms {
    fn from(p: TermFields) -> Self {
        let mut p = Terms(Some(Box::new(p)));
        p.tidy();
        p
    }
}

#[derive(Clone, PartialEq)]
pub struct Instrument {
    /// Stable identifier, unique in the register. Ids are short, so `SmolStr` holds them
    /// inline: at a million instruments a `String`'s copy was 15 bytes an instrument.
    pub id: SmolStr,
    /// Never edited in place, so boxed: 16 bytes, not a `String`'s 24.
    pub title: Box<str>,
    pub kind: InstrumentKind,
    /// The body that makes the instrument, by code (held inline, as codes are short).
    pub maker: Option<SmolStr>,
    /// Function ids. Ids longer than 23 bytes are shared through the register
    /// (`Register::add_instrument`). Nine in ten instruments of a large register are
    /// recorded exercises of one function, so a list of one is held inline.
    pub functions: FunctionList,
    pub area: Option<AreaExpr>,
    pub from: Date,
    pub until: Option<Date>,
    /// The receivers exercise alongside the holder, who keeps exercising too.
    pub concurrent: bool,
    pub onward: Onward,
    /// The fields only some kinds have (`of`, `predecessors`, `except`, `retained`, `lead`,
    /// `pooled_budget`, `target`, `changes`, `requirement`, `review`): see
    /// [`Instrument::particulars`].
    particulars: Particulars,
    /// `receivers`, `purposes`, `basis`, `source` and the spans: see [`Instrument::terms`].
    terms: Terms,
}

// The JSON form: see json.rs.
mod json;

impl Serialize for Instrument {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json::Written::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Instrument {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        json::Instrument::deserialize(d).map(Instrument::from)
    }
}

// Written out so that `{:?}` shows the fields in their JSON order, as it did when each was
// the instrument's own.
impl std::fmt::Debug for Instrument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (p, t) = (self.particulars(), self.terms());
        f.debug_struct("Instrument")
            .field("id", &self.id)
            .field("title", &self.title)
            .field("kind", &self.kind)
            .field("basis", &t.basis)
            .field("maker", &self.maker)
            .field("receivers", &t.receivers)
            .field("of", &p.of)
            .field("predecessors", &p.predecessors)
            .field("functions", &self.functions)
            .field("except", &p.except)
            .field("retained", &p.retained)
            .field("area", &self.area)
            .field("from", &self.from)
            .field("until", &self.until)
            .field("purposes", &t.purposes)
            .field("concurrent", &self.concurrent)
            .field("onward", &self.onward)
            .field("lead", &p.lead)
            .field("pooled_budget", &p.pooled_budget)
            .field("target", &p.target)
            .field("changes", &p.changes)
            .field("requirement", &p.requirement)
            .field("review", &p.review)
            .field("source", &t.source)
            .field("spans", &t.spans)
            .finish()
    }
}

impl Instrument {
    /// A blank instrument of a kind, for builders and tests.
    pub fn new(id: impl Into<SmolStr>, kind: InstrumentKind, from: Date) -> Self {
        Instrument {
            id: id.into(),
            title: Box::default(),
            kind,
            maker: None,
            functions: FunctionList::new(),
            area: None,
            from,
            until: None,
            concurrent: false,
            onward: Onward::Forbidden,
            particulars: Particulars::default(),
            terms: Terms::default(),
        }
    }

    /// To whom it is addressed, for which purposes, on what basis and record. Empty fields
    /// when the instrument states none; never allocates.
    pub fn terms(&self) -> &TermFields {
        self.terms.fields()
    }

    /// The terms, to write; allocates the group when the instrument has none.
    pub fn terms_mut(&mut self) -> &mut TermFields {
        self.terms.0.get_or_insert_with(Box::default)
    }

    /// Replaces the terms; allocates nothing when every field given is empty.
    pub fn set_terms(&mut self, t: TermFields) {
        self.terms = t.into();
    }

    /// The fields only some kinds have. Empty fields when the instrument has none; never
    /// allocates.
    pub fn particulars(&self) -> &ParticularFields {
        self.particulars.fields()
    }

    /// The particulars, to write; allocates the group when the instrument has none.
    pub fn particulars_mut(&mut self) -> &mut ParticularFields {
        self.particulars.0.get_or_insert_with(Box::default)
    }

    /// Replaces the particulars; allocates nothing when every field given is empty.
    pub fn set_particulars(&mut self, p: ParticularFields) {
        self.particulars = p.into();
    }

    /// Where each field was written in the text. Every span is `None` for an instrument not
    /// read from text; never allocates.
    pub fn spans(&self) -> &FieldSpans {
        self.terms().spans.fields()
    }

    /// The spans, to write; allocates the terms and the spans when the instrument has none.
    pub fn spans_mut(&mut self) -> &mut FieldSpans {
        self.terms_mut().spans.0.get_or_insert_with(Box::default)
    }

    /// Replaces the spans; allocates nothing when every span given is `None` and the
    /// instrument has no terms.
    pub fn set_spans(&mut self, s: FieldSpans) {
        if s != FieldSpans::NONE || self.terms.0.is_some() {
            self.terms_mut().spans = s.into();
        }
    }

    /// Frees a group whose fields are all empty (a builder that writes every field, empty
    /// ones included, allocates it).
    pub(crate) fn tidy(&mut self) {
        self.particulars.tidy();
        self.terms.tidy();
    }

    pub fn span_or_whole(&self, s: Option<Span>) -> Option<Span> {
        s.or(self.spans().whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// An instrument with every field set, so the JSON test covers each one.
    fn every_field() -> Instrument {
        let mut i = Instrument::new("del-1", InstrumentKind::Partnership, date(2020, 4, 1));
        i.title = "Section 75 agreement".into();
        i.terms_mut().basis = Some("NHS Act 2006 s.75".into());
        i.maker = Some("00T".into());
        i.terms_mut().receivers = Receivers::Bodies(vec!["E08000003".into()]);
        i.particulars_mut().of = Some(Box::new(Receivers::Every(BodyKind::Ccg)));
        i.particulars_mut().predecessors = vec!["00F".into(), "00G".into()];
        i.functions = smallvec::smallvec!["commissioning.secondary-care".into()];
        i.particulars_mut().except = vec!["commissioning.secondary-care.acute".into()];
        i.particulars_mut().retained = vec!["contract award".into()];
        i.area = Some(AreaExpr::Union(vec![
            AreaExpr::Footprint("00T".into()),
            AreaExpr::Practices(vec!["P1".into()].into()),
        ]));
        i.until = Some(date(2022, 7, 1));
        i.terms_mut().purposes = vec!["planning".into()];
        i.concurrent = true;
        i.onward = Onward::Permitted;
        i.particulars_mut().lead = Some("E08000003".into());
        i.particulars_mut().pooled_budget = Some("better care fund".into());
        i.particulars_mut().target = Some("other".into());
        i.particulars_mut().changes = Some(Box::new(AmendChanges {
            until: Some(date(2021, 1, 1)),
            purposes: Some(vec!["audit".into()]),
            area: Some(AreaExpr::England),
        }));
        i.particulars_mut().requirement = Some(Box::new(Requirement {
            text: "buy together".into(),
            categories: vec!["gp-it".into()],
            framework: Some("GPIT Futures".into()),
            exception_evidence: vec!["board paper".into()],
            collective: true,
            stranded_costs: Some("the leaver".into()),
        }));
        i.particulars_mut().review = Some(date(2021, 3, 31));
        i.terms_mut().source = Some("https://example.org/s75".into());
        i
    }

    /// The instrument JSON as it was written before the rarely used fields moved behind a
    /// pointer: the store's log hashes these bytes, so they must not change.
    const EVERY_FIELD_JSON: &str = r#"{"id":"del-1","title":"Section 75 agreement","kind":"partnership","basis":"NHS Act 2006 s.75","maker":"00T","receivers":{"bodies":["E08000003"]},"of":{"every":"ccg"},"predecessors":["00F","00G"],"functions":["commissioning.secondary-care"],"except":["commissioning.secondary-care.acute"],"retained":["contract award"],"area":{"union":[{"footprint":"00T"},{"practices":["P1"]}]},"from":"2020-04-01","until":"2022-07-01","purposes":["planning"],"concurrent":true,"onward":"permitted","lead":"E08000003","pooled_budget":"better care fund","target":"other","changes":{"until":"2021-01-01","purposes":["audit"],"area":"england"},"requirement":{"text":"buy together","categories":["gp-it"],"framework":"GPIT Futures","exception_evidence":["board paper"],"collective":true,"stranded_costs":"the leaver"},"review":"2021-03-31","source":"https://example.org/s75"}"#;
    const BLANK_JSON: &str = r#"{"id":"x","title":"","kind":"exercise","from":"2020-04-01","concurrent":false,"onward":"forbidden"}"#;

    /// Writes `i`, checks the bytes, reads them back (from text and from a `Value`) and
    /// checks the instrument and its bytes again.
    fn round_trips_as(i: &Instrument, json: &str) -> Instrument {
        assert_eq!(serde_json::to_string(i).expect("serialises"), json);
        let back: Instrument = serde_json::from_str(json).expect("deserialises");
        assert_eq!(&back, i);
        assert_eq!(serde_json::to_string(&back).expect("serialises"), json);
        let value = serde_json::to_value(i).expect("serialises");
        let from_value: Instrument = serde_json::from_value(value).expect("deserialises");
        assert_eq!(&from_value, i);
        back
    }

    #[test]
    fn json_bytes_are_unchanged() {
        round_trips_as(&every_field(), EVERY_FIELD_JSON);
        let blank = Instrument::new("x", InstrumentKind::Exercise, date(2020, 4, 1));
        let back = round_trips_as(&blank, BLANK_JSON);
        assert!(
            back.particulars.0.is_none() && back.terms.0.is_none(),
            "nothing rare, nothing allocated"
        );
    }

    #[test]
    fn unknown_and_invalid_fields_are_handled_as_before() {
        let unknown: Instrument = serde_json::from_str(
            r#"{"id":"x","title":"t","kind":"exercise","from":"2020-04-01","colour":"red"}"#,
        )
        .expect("unknown fields are ignored");
        assert_eq!(
            serde_json::to_string(&unknown).expect("serialises"),
            r#"{"id":"x","title":"t","kind":"exercise","from":"2020-04-01","concurrent":false,"onward":"forbidden"}"#
        );
        for (bad, message) in [
            (r#"{"id":"x","title":"t","kind":"exercise"}"#, "missing field `from` at line 1 column 40"),
            (r#"{"id":"x","title":"t","kind":"exercise","from":"2020-04-01","lead":7}"#, "invalid type: integer `7`, expected a string at line 1 column 68"),
            (r#"{"id":"x","title":"t","kind":"nope","from":"2020-04-01"}"#, "unknown variant `nope`, expected one of `conferral`, `establish`, `abolish`, `merge`, `transfer`, `delegation`, `joint-committee`, `partnership`, `direction`, `mandate`, `amend`, `revoke`, `exercise` at line 1 column 35"),
            ("[1]", "invalid type: integer `1`, expected a string at line 1 column 2"),
            ("7", "invalid type: integer `7`, expected struct Instrument at line 1 column 1"),
            (r#"{"id":"x","title":"t","kind":"exercise","from":"2020-04-01","id":"y"}"#, "duplicate field `id` at line 1 column 64"),
        ] {
            let err = serde_json::from_str::<Instrument>(bad).map(|_| ()).map_err(|e| e.to_string());
            assert_eq!(err, Err(message.to_string()), "{bad}");
        }
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_instrument_stays_small() {
        // A large register holds about one instrument per practice; see docs/performance.md.
        assert_eq!(std::mem::size_of::<Instrument>(), 160);
    }

    #[test]
    fn reads_and_empty_writes_allocate_no_group() {
        let mut i = Instrument::new("x", InstrumentKind::Exercise, date(2020, 4, 1));
        let read = (
            i.terms().basis.is_none(),
            i.particulars().except.is_empty(),
            i.spans().whole.is_none(),
        );
        assert_eq!(read, (true, true, true));
        i.set_terms(TermFields::default());
        i.set_particulars(ParticularFields::default());
        i.set_spans(FieldSpans::NONE);
        assert!(i.terms.0.is_none() && i.particulars.0.is_none());

        let whole = Some(Span {
            file: 0,
            start: 3,
            end: 9,
        });
        i.set_spans(FieldSpans {
            whole,
            ..FieldSpans::NONE
        });
        assert_eq!((i.spans().whole, i.span_or_whole(None)), (whole, whole));
        assert!(i.terms.0.is_some(), "spans live in the terms");
        i.set_spans(FieldSpans::NONE);
        assert_eq!(i.spans(), &FieldSpans::NONE);
        i.tidy();
        assert!(i.terms.0.is_none(), "no spans, no terms: nothing kept");

        i.spans_mut().id = whole;
        i.particulars_mut().review = Some(date(2021, 1, 1));
        assert_eq!(
            (i.spans().id, i.particulars().review),
            (whole, Some(date(2021, 1, 1)))
        );
    }

    #[test]
    fn an_empty_group_equals_none() {
        let mut a = Instrument::new("x", InstrumentKind::Exercise, date(2020, 4, 1));
        let b = a.clone();
        a.particulars_mut().except.clear();
        assert!(a.particulars.0.is_some());
        assert_eq!(a, b);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
}
