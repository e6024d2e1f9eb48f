//! The document tree of a `.vires` file.
//!
//! The tree keeps everything the formatter needs to write the file back (comments, blank
//! lines between records, the header form of each record) and a byte span on every node, so
//! errors found later (in lowering or in the core) can point at the exact words. It is the
//! shape of the lossless JSON form too, so its serde names are a contract.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A byte range `[start, end)` in the document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ByteSpan {
    pub start: u32,
    pub end: u32,
}

impl ByteSpan {
    pub fn new(start: u32, end: u32) -> Self {
        ByteSpan { start, end }
    }

    /// From the start of `self` to the end of `other`.
    pub fn to(self, other: ByteSpan) -> ByteSpan {
        ByteSpan {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn in_file(self, file: u32) -> vires_core::Span {
        vires_core::Span {
            file,
            start: self.start,
            end: self.end,
        }
    }
}

macro_rules! keywords {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keywords! {
    /// What a record declares: a declaration (function, power, body, practice, area,
    /// succession) or an instrument of one of the core's instrument kinds.
    RecordKind {
        Function = "function",
        Power = "power",
        Body = "body",
        Practice = "practice",
        Area = "area",
        Succession = "succession",
        Conferral = "conferral",
        Establish = "establish",
        Abolish = "abolish",
        Merge = "merge",
        Transfer = "transfer",
        Delegation = "delegation",
        JointCommittee = "joint-committee",
        Partnership = "partnership",
        Direction = "direction",
        Mandate = "mandate",
        Amend = "amend",
        Revoke = "revoke",
        Exercise = "exercise",
    }
}

keywords! {
    /// A field name.
    Key {
        Id = "id",
        Title = "title",
        Name = "name",
        Note = "note",
        Cites = "cites",
        Makers = "makers",
        Kinds = "kinds",
        Receivers = "receivers",
        Kind = "kind",
        Basis = "basis",
        Ons = "ons",
        In = "in",
        Postcode = "postcode",
        Status = "status",
        Is = "is",
        On = "on",
        By = "by",
        To = "to",
        Of = "of",
        Merging = "merging",
        Predecessors = "predecessors",
        Functions = "functions",
        Except = "except",
        Retained = "retained",
        Area = "area",
        From = "from",
        Until = "until",
        Purposes = "purposes",
        Concurrent = "concurrent",
        Onward = "onward",
        Lead = "lead",
        PooledBudget = "pooled-budget",
        Target = "target",
        Set = "set",
        Requires = "requires",
        Categories = "categories",
        Framework = "framework",
        ExceptionEvidence = "exception-evidence",
        Collective = "collective",
        StrandedCosts = "stranded-costs",
        Review = "review",
        Source = "source",
    }
}

impl RecordKind {
    /// The core instrument kind, for instrument records.
    pub fn instrument_kind(self) -> Option<vires_core::InstrumentKind> {
        vires_core::InstrumentKind::parse(self.as_str())
    }

    pub fn is_instrument(self) -> bool {
        self.instrument_kind().is_some()
    }
}

/// A bare word (a code, id, kind name or date) and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Word {
    pub text: String,
    #[serde(default)]
    pub span: ByteSpan,
}

impl Word {
    pub fn new(text: impl Into<String>, span: ByteSpan) -> Self {
        Word {
            text: text.into(),
            span,
        }
    }
}

/// A quoted string: `value` is unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Str {
    pub value: String,
    #[serde(default)]
    pub span: ByteSpan,
}

/// A `//` comment; `text` is what follows the slashes (usually starting with a space).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Comment {
    pub text: String,
    #[serde(default)]
    pub span: ByteSpan,
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// Index of this file in the caller's list of sources (it goes into every span lowered).
    #[serde(default)]
    pub file: u32,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "item", rename_all = "kebab-case")]
pub enum Item {
    Record(Record),
    /// Comments standing on their own, separated from the next record by a blank line.
    Comments(CommentBlock),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CommentBlock {
    pub comments: Vec<Comment>,
    /// A blank line separates this from what comes before.
    #[serde(default)]
    pub blank_before: bool,
}

/// How a record is named in its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Name {
    /// `body 13T {`, `revoke revoke-pc-13T {`
    Word(Word),
    /// `delegation "Primary medical services …" {`
    Title(Str),
}

impl Name {
    pub fn span(&self) -> ByteSpan {
        match self {
            Name::Word(w) => w.span,
            Name::Title(s) => s.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Record {
    /// Comments on the lines just above the record.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    /// A blank line separates this from what comes before.
    #[serde(default)]
    pub blank_before: bool,
    pub kind: RecordKind,
    #[serde(default)]
    pub kind_span: ByteSpan,
    pub name: Name,
    /// A comment after `{` on the header line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_comment: Option<Comment>,
    pub fields: Vec<Field>,
    /// Comments after the last field, before `}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub end_comments: Vec<Comment>,
    /// A comment after `}` on the same line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailing: Option<Comment>,
    #[serde(default)]
    pub span: ByteSpan,
}

impl Record {
    pub fn field(&self, key: Key) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn fields_of(&self, key: Key) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(move |f| f.key == key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Field {
    /// Comments on the lines just above the field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Comment>,
    pub key: Key,
    #[serde(default)]
    pub key_span: ByteSpan,
    pub value: Value,
    /// A comment after the value on the same line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailing: Option<Comment>,
    #[serde(default)]
    pub span: ByteSpan,
}

impl Field {
    /// The span of the value, or of the field name for a bare flag.
    pub fn value_span(&self) -> ByteSpan {
        self.value.span().unwrap_or(self.key_span)
    }
}

/// A field's value. Which variant a field takes is fixed by the field name and record kind
/// (see `docs/language.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Value {
    Str(Str),
    Strs(Vec<Str>),
    Word(Word),
    Words(Vec<Word>),
    /// A `YYYY-MM-DD` date, kept as written.
    Date(Word),
    /// A flag: bare (`concurrent`) or with `yes` / `no`.
    Flag(Option<Word>),
    Receivers(Receivers),
    Area(Area),
    Membership(Membership),
    Merging(Merging),
    Change(Change),
}

fn span_of_words(ws: &[Word]) -> Option<ByteSpan> {
    Some(ws.first()?.span.to(ws.last()?.span))
}

impl Value {
    pub fn span(&self) -> Option<ByteSpan> {
        match self {
            Value::Str(s) => Some(s.span),
            Value::Strs(v) => Some(v.first()?.span.to(v.last()?.span)),
            Value::Word(w) | Value::Date(w) => Some(w.span),
            Value::Words(v) => span_of_words(v),
            Value::Flag(w) => w.as_ref().map(|w| w.span),
            Value::Receivers(r) => r.span(),
            Value::Area(a) => Some(a.span),
            Value::Membership(m) => Some(m.span),
            Value::Merging(m) => Some(m.span),
            Value::Change(c) => Some(c.span),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Receivers {
    /// `every ccg`: `kind` is the body kind.
    Every {
        kind: Word,
        #[serde(default)]
        span: ByteSpan,
    },
    /// Body codes.
    Bodies(Vec<Word>),
}

impl Receivers {
    pub fn span(&self) -> Option<ByteSpan> {
        match self {
            Receivers::Every { span, .. } => Some(*span),
            Receivers::Bodies(v) => span_of_words(v),
        }
    }
}

/// `term + term + …`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Area {
    pub terms: Vec<AreaTerm>,
    #[serde(default)]
    pub span: ByteSpan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum AreaTerm {
    England {
        #[serde(default)]
        span: ByteSpan,
    },
    Own {
        #[serde(default)]
        span: ByteSpan,
    },
    Footprint {
        code: Word,
        #[serde(default)]
        span: ByteSpan,
    },
    Practices {
        codes: Vec<Word>,
        #[serde(default)]
        span: ByteSpan,
    },
    /// A named area declared with `area ID { … }`.
    Named { id: Word },
}

/// `in CODE [from DATE] [until DATE]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Membership {
    pub body: Word,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Word>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Word>,
    #[serde(default)]
    pub span: ByteSpan,
}

/// `merging A, B into C`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Merging {
    pub predecessors: Vec<Word>,
    pub into: Word,
    #[serde(default)]
    pub span: ByteSpan,
}

/// `set until DATE` | `set purposes a, b` | `set area AREA`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    pub what: ChangeValue,
    #[serde(default)]
    pub span: ByteSpan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum ChangeValue {
    Until(Word),
    Purposes(Vec<Word>),
    Area(Area),
}

/// The kind of value a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Str,
    Strs,
    Word,
    Words,
    Date,
    Flag,
    Onward,
    Receivers,
    Area,
    Membership,
    Merging,
    Change,
}

/// Instrument fields that only make sense for some kinds.
fn instrument_field_kinds(key: Key) -> Option<&'static [RecordKind]> {
    use RecordKind as R;
    Some(match key {
        Key::Of => &[
            R::Direction,
            R::Transfer,
            R::Partnership,
            R::JointCommittee,
            R::Delegation,
        ],
        Key::Merging | Key::Predecessors => &[R::Merge],
        Key::Target => &[R::Amend, R::Revoke],
        Key::Set => &[R::Amend],
        Key::Lead | Key::PooledBudget => &[R::Partnership, R::JointCommittee],
        Key::Requires
        | Key::Categories
        | Key::Framework
        | Key::ExceptionEvidence
        | Key::Collective
        | Key::StrandedCosts => &[R::Mandate],
        _ => return None,
    })
}

fn instrument_class(key: Key) -> Option<Class> {
    Some(match key {
        Key::Id | Key::By | Key::Lead | Key::Target => Class::Word,
        Key::Title
        | Key::Basis
        | Key::PooledBudget
        | Key::Requires
        | Key::Framework
        | Key::StrandedCosts
        | Key::Source => Class::Str,
        Key::To | Key::Of => Class::Receivers,
        Key::Merging => Class::Merging,
        Key::Predecessors | Key::Functions | Key::Except | Key::Purposes | Key::Categories => {
            Class::Words
        }
        Key::Retained | Key::ExceptionEvidence => Class::Strs,
        Key::Area => Class::Area,
        Key::From | Key::Until | Key::Review => Class::Date,
        Key::Concurrent | Key::Collective => Class::Flag,
        Key::Onward => Class::Onward,
        Key::Set => Class::Change,
        _ => return None,
    })
}

/// What a field takes in a record of `kind`: `Ok(class)`, or `Err(Some(kinds))` when the field
/// belongs to other instrument kinds, or `Err(None)` when the record takes no such field.
pub fn field_class(kind: RecordKind, key: Key) -> Result<Class, Option<&'static [RecordKind]>> {
    use Class as C;
    let c = match kind {
        RecordKind::Function => match key {
            Key::Name | Key::Note => Some(C::Str),
            _ => None,
        },
        RecordKind::Power => match key {
            Key::Title | Key::Source => Some(C::Str),
            Key::Cites => Some(C::Strs),
            Key::Makers | Key::Kinds | Key::Receivers => Some(C::Words),
            Key::From | Key::Until => Some(C::Date),
            _ => None,
        },
        RecordKind::Body => match key {
            Key::Name | Key::Basis | Key::Source => Some(C::Str),
            Key::Kind | Key::Ons => Some(C::Word),
            Key::From | Key::Until => Some(C::Date),
            Key::In => Some(C::Membership),
            _ => None,
        },
        RecordKind::Practice => match key {
            Key::Name | Key::Postcode | Key::Status => Some(C::Str),
            Key::In => Some(C::Membership),
            _ => None,
        },
        RecordKind::Area => match key {
            Key::Name | Key::Note => Some(C::Str),
            Key::Is => Some(C::Area),
            _ => None,
        },
        RecordKind::Succession => match key {
            Key::To => Some(C::Word),
            Key::On => Some(C::Date),
            _ => None,
        },
        _ => {
            let class = instrument_class(key);
            if let (Some(_), Some(kinds)) = (class, instrument_field_kinds(key)) {
                if !kinds.contains(&kind) {
                    return Err(Some(kinds));
                }
            }
            class
        }
    };
    c.ok_or(None)
}

/// Fields a record may repeat.
pub fn repeatable(key: Key) -> bool {
    matches!(key, Key::In | Key::Set)
}

/// Field names a record of `kind` takes, in documentation order.
pub fn fields_for(kind: RecordKind) -> Vec<Key> {
    Key::ALL
        .iter()
        .copied()
        .filter(|k| field_class(kind, *k).is_ok())
        .collect()
}

impl Document {
    /// A copy with every span zeroed and the file index 0, for comparing trees that came
    /// from different texts.
    pub fn without_spans(&self) -> Document {
        let mut d = self.clone();
        d.file = 0;
        for item in &mut d.items {
            match item {
                Item::Comments(b) => b.comments.iter_mut().for_each(clear_comment),
                Item::Record(r) => clear_record(r),
            }
        }
        d
    }
}

fn clear_comment(c: &mut Comment) {
    c.span = ByteSpan::default();
}

fn clear_words(ws: &mut [Word]) {
    ws.iter_mut().for_each(|w| w.span = ByteSpan::default());
}

fn clear_area(a: &mut Area) {
    a.span = ByteSpan::default();
    for t in &mut a.terms {
        match t {
            AreaTerm::England { span } | AreaTerm::Own { span } => *span = ByteSpan::default(),
            AreaTerm::Footprint { code, span } => {
                *span = ByteSpan::default();
                code.span = ByteSpan::default();
            }
            AreaTerm::Practices { codes, span } => {
                *span = ByteSpan::default();
                clear_words(codes);
            }
            AreaTerm::Named { id } => id.span = ByteSpan::default(),
        }
    }
}

fn clear_record(r: &mut Record) {
    r.comments.iter_mut().for_each(clear_comment);
    r.kind_span = ByteSpan::default();
    match &mut r.name {
        Name::Word(w) => w.span = ByteSpan::default(),
        Name::Title(s) => s.span = ByteSpan::default(),
    }
    r.open_comment.iter_mut().for_each(clear_comment);
    r.end_comments.iter_mut().for_each(clear_comment);
    r.trailing.iter_mut().for_each(clear_comment);
    r.span = ByteSpan::default();
    for f in &mut r.fields {
        f.comments.iter_mut().for_each(clear_comment);
        f.trailing.iter_mut().for_each(clear_comment);
        f.key_span = ByteSpan::default();
        f.span = ByteSpan::default();
        match &mut f.value {
            Value::Str(s) => s.span = ByteSpan::default(),
            Value::Strs(v) => v.iter_mut().for_each(|s| s.span = ByteSpan::default()),
            Value::Word(w) | Value::Date(w) => w.span = ByteSpan::default(),
            Value::Words(v) => clear_words(v),
            Value::Flag(w) => w.iter_mut().for_each(|w| w.span = ByteSpan::default()),
            Value::Receivers(Receivers::Every { kind, span }) => {
                kind.span = ByteSpan::default();
                *span = ByteSpan::default();
            }
            Value::Receivers(Receivers::Bodies(v)) => clear_words(v),
            Value::Area(a) => clear_area(a),
            Value::Membership(m) => {
                m.span = ByteSpan::default();
                m.body.span = ByteSpan::default();
                m.from.iter_mut().for_each(|w| w.span = ByteSpan::default());
                m.until
                    .iter_mut()
                    .for_each(|w| w.span = ByteSpan::default());
            }
            Value::Merging(m) => {
                m.span = ByteSpan::default();
                clear_words(&mut m.predecessors);
                m.into.span = ByteSpan::default();
            }
            Value::Change(c) => {
                c.span = ByteSpan::default();
                match &mut c.what {
                    ChangeValue::Until(w) => w.span = ByteSpan::default(),
                    ChangeValue::Purposes(v) => clear_words(v),
                    ChangeValue::Area(a) => clear_area(a),
                }
            }
        }
    }
}
