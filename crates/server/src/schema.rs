//! OpenAPI schemas for the JSON the API speaks.
//!
//! The answer types live in `vires-core`, which stays free of web dependencies, so each is
//! mirrored here field for field with `ToSchema`. The mirrors also derive `Deserialize`
//! with `deny_unknown_fields`, and the tests parse real core answers into them: a field
//! added to the core without a mirror fails the build's tests instead of silently leaving
//! the published schema wrong.
//!
//! Request bodies are parsed *into* the mirrors in this module (which refuse unknown
//! fields, unlike the core types) and then converted to core values.

#![allow(dead_code)]

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};
use vires_core as core;

/// Where a question is asked about: `{"type":"practice","code":"B82005"}`,
/// `{"type":"body","code":"02Q"}`, `{"type":"area","code":"E07000171"}` or `{"type":"england"}`.
pub struct Place;

impl PartialSchema for Place {
    fn schema() -> RefOr<Schema> {
        let coded = |t: &str, what: &str| {
            ObjectBuilder::new()
                .property(
                    "type",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some([t.to_string()])),
                )
                .property(
                    "code",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some(what.to_string())),
                )
                .required("type")
                .required("code")
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        OneOfBuilder::new()
            .item(coded("practice", "ODS code of a GP practice"))
            .item(coded(
                "body",
                "code of a body: the place is its footprint on the date",
            ))
            .item(coded("area", "id of a named area in the register"))
            .item(
                ObjectBuilder::new()
                    .property(
                        "type",
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .enum_values(Some(["england".to_string()])),
                    )
                    .required("type")
                    .additional_properties(Some(AdditionalProperties::FreeForm(false))),
            )
            .into()
    }
}

impl ToSchema for Place {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Place")
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Statutory,
    Delegate,
    Concurrent,
    JointMember,
    LeadPartner,
    Directed,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum InstrumentKind {
    Conferral,
    Establish,
    Abolish,
    Merge,
    Transfer,
    Delegation,
    JointCommittee,
    Partnership,
    Direction,
    Mandate,
    Amend,
    Revoke,
    Exercise,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    Parliament,
    SecretaryOfState,
    NhsEngland,
    NhsEnglandRegion,
    Ccg,
    Icb,
    SubIcbLocation,
    CommissioningHub,
    ReportingEntity,
    LocalAuthority,
    CombinedAuthority,
    NhsTrust,
    FoundationTrust,
    IntegratedProvider,
    Csu,
    JointCommittee,
    Other,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Coverage {
    Full,
    Partial,
}

/// One link in a proof chain, statute first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProofStep {
    pub instrument: String,
    pub kind: InstrumentKind,
    pub title: String,
    pub basis: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holder {
    pub body: String,
    pub name: String,
    pub role: Role,
    pub accountable: String,
    pub purposes: Vec<String>,
    pub function: String,
    pub coverage: Coverage,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub until: Option<String>,
    pub proof: Vec<ProofStep>,
    /// For a place larger than a practice: the part of it this holder covers.
    #[serde(default)]
    pub part: Option<Part>,
}

/// The part of a place larger than a practice (England, a body's footprint, an area) that
/// a holder covers: its practices there, of all the place's, and the holding's own area.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub practices: u32,
    pub of: u32,
    pub area: Vec<String>,
}

/// Why an answer may not be the whole truth.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CaveatKind {
    OutsideCoverage,
    ToConfirm,
    IncompleteRecord,
    ApproximatePlace,
    NoHolder,
}

/// Where an answer may not be the whole truth, shown beside it: outside the coverage
/// statement, resting on a fact marked "to confirm", or an incomplete record (with the
/// candidate bodies).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Caveat {
    pub kind: CaveatKind,
    pub message: String,
    pub source: String,
    #[serde(default)]
    pub candidates: Vec<String>,
}

/// Who may exercise a function at a place on a date, with proofs.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhoAnswer {
    pub function: String,
    #[schema(format = Date)]
    pub on: String,
    #[schema(value_type = Place)]
    pub place: core::Place,
    #[serde(default)]
    pub purpose: Option<String>,
    pub holders: Vec<Holder>,
    pub accountable_only: Vec<String>,
    #[serde(default)]
    pub caveats: Vec<Caveat>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MayAnswer {
    pub allowed: bool,
    pub body: String,
    pub function: String,
    #[schema(format = Date)]
    pub on: String,
    #[schema(value_type = Place)]
    pub place: core::Place,
    #[serde(default)]
    pub purpose: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub holding: Option<Holder>,
    #[serde(default)]
    pub caveats: Vec<Caveat>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holding {
    pub function: String,
    pub area: Vec<String>,
    pub role: Role,
    pub accountable: String,
    pub purposes: Vec<String>,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub until: Option<String>,
    pub arranged_to: Vec<String>,
    pub proof: Vec<ProofStep>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatAnswer {
    pub body: String,
    pub name: String,
    pub kind: String,
    #[schema(format = Date)]
    pub on: String,
    pub holdings: Vec<Holding>,
    #[serde(default)]
    pub caveats: Vec<Caveat>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolderBrief {
    pub body: String,
    pub role: Role,
    pub accountable: String,
    pub purposes: Vec<String>,
    pub instrument: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub until: Option<String>,
    pub holders: Vec<HolderBrief>,
    #[serde(default)]
    pub incomplete: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    pub function: String,
    #[schema(value_type = Place)]
    pub place: core::Place,
    pub segments: Vec<Segment>,
    #[serde(default)]
    pub caveats: Vec<Caveat>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldingChange {
    pub body: String,
    pub function: String,
    pub area: Vec<String>,
    pub role: Role,
    pub accountable: String,
    pub purposes: Vec<String>,
    pub instrument: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyChange {
    pub code: String,
    pub name: String,
    pub kind: BodyKind,
    #[schema(format = Date)]
    pub on: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffAnswer {
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    pub added: Vec<HoldingChange>,
    pub removed: Vec<HoldingChange>,
    pub established: Vec<BodyChange>,
    pub abolished: Vec<BodyChange>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageProblem {
    Gap,
    Overlap,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageFinding {
    pub problem: CoverageProblem,
    pub function: String,
    #[schema(value_type = Place)]
    pub place: core::Place,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub until: Option<String>,
    pub holders: Vec<String>,
    #[serde(default)]
    pub caveats: Vec<Caveat>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Expiring {
    pub instrument: String,
    pub title: String,
    pub kind: InstrumentKind,
    #[schema(format = Date)]
    pub until: String,
    pub days_left: i32,
    #[schema(format = Date)]
    pub review: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Inheritance {
    pub instrument: String,
    pub merger: String,
    pub from_body: String,
    pub to_body: String,
    #[schema(format = Date)]
    pub on: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

/// A validity finding about an instrument or body.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Diagnostic {
    /// Stable code, `V001`...
    pub code: String,
    pub severity: Severity,
    pub subject: String,
    pub message: String,
    pub help: String,
    #[serde(default)]
    pub span: Option<Span>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineageStep {
    pub code: String,
    #[schema(format = Date)]
    pub on: String,
    /// The codes between the one asked about and this one, nearest to it first; absent
    /// for a direct predecessor or successor.
    #[serde(default)]
    pub via: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lineage {
    pub code: String,
    pub predecessors: Vec<LineageStep>,
    pub successors: Vec<LineageStep>,
}

/// What kind of thing a search result is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FoundKind {
    Body,
    Practice,
    Area,
    Instrument,
    Function,
}

/// Which part of a search result the text matched, best first.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Matched {
    Code,
    Postcode,
    OnsCode,
    Name,
    CodePrefix,
    PostcodePrefix,
    OnsCodePrefix,
    NameWords,
    Words,
}

/// A body a practice sits in, nearest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Within {
    pub code: String,
    pub name: String,
    pub kind: BodyKind,
}

/// One thing a search found.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Found {
    pub kind: FoundKind,
    /// The body or practice code, the area or instrument id, or the function id.
    pub code: String,
    pub name: String,
    pub matched: Matched,
    /// Higher is better; results come in descending order of it.
    pub score: u32,
    #[schema(format = Date)]
    #[serde(default)]
    pub from: Option<String>,
    #[schema(format = Date)]
    #[serde(default)]
    pub until: Option<String>,
    /// A body's kind or an instrument's.
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub ons_code: Option<String>,
    /// For a practice: the bodies it sits in on `as_of`, nearest first.
    #[serde(default)]
    pub within: Vec<Within>,
}

/// The answer to a search: the best `limit` of `total` matches.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchAnswer {
    pub text: String,
    #[schema(format = Date)]
    pub on: Option<String>,
    #[schema(format = Date)]
    pub as_of: String,
    pub kinds: Vec<FoundKind>,
    pub total: usize,
    pub limit: usize,
    pub results: Vec<Found>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MapRow {
    pub old_code: String,
    pub old_name: String,
    pub old_kind: String,
    #[schema(format = Date)]
    pub on: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub icb_code: Option<String>,
    pub icb_name: Option<String>,
    pub path: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionDef {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A power in the powers registry: which kinds of body may make which kinds of instrument,
/// cited how, on which dates (`vires powers`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Power {
    pub id: String,
    pub title: String,
    /// Phrases that, found in an instrument's basis, cite this power.
    pub cites: Vec<String>,
    pub makers: Vec<BodyKind>,
    pub kinds: Vec<InstrumentKind>,
    /// Kinds of body that may receive; empty means any.
    #[serde(default)]
    pub receivers: Vec<BodyKind>,
    pub during: Interval,
    pub source: String,
}

/// One instrument explained (`vires explain ID`): its terms as in the register, validity,
/// the power it rests on, findings, the holdings it creates (the first 50) and the
/// instruments that rest on them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// The instrument as the register holds it (the core's instrument record).
    #[schema(value_type = Object)]
    pub instrument: serde_json::Value,
    pub valid: bool,
    /// The power its basis cites, if any (an Act of Parliament rests on none).
    pub rests_on: Option<Power>,
    /// The last day it is in force, exclusive; null if open-ended.
    #[schema(format = Date)]
    pub effective_until: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub holdings: Vec<Holder>,
    /// Ids of the instruments that rest on a holding it creates.
    pub dependents: Vec<String>,
}

/// One instrument in the list (`vires instruments`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentRow {
    pub id: String,
    pub kind: InstrumentKind,
    pub title: String,
    #[schema(format = Date)]
    pub from: String,
    /// When it stops being in force (exclusive); null if open-ended.
    #[schema(format = Date)]
    pub until: Option<String>,
    pub valid: bool,
}

/// What a proposal would change (`vires whatif`): its validity on top of the register, the
/// findings about its instruments, and the holdings added and removed on `on`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIf {
    #[schema(format = Date)]
    pub on: String,
    pub valid: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub diff: DiffAnswer,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CalendarEntryKind {
    Expiry,
    Review,
    ApplicationDeadline,
    RoundStart,
}

/// An expiry, review or deadline (`vires calendar`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarEntry {
    #[schema(format = Date)]
    pub date: String,
    pub kind: CalendarEntryKind,
    /// The instrument or round the entry is about.
    pub subject: String,
    pub summary: String,
    pub description: String,
}

// ---------------------------------------------------------------------------------------
// Request bodies: parsed strictly, then converted to core values.

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    #[schema(value_type = String, format = Date)]
    pub from: jiff::civil::Date,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<jiff::civil::Date>,
}

/// A body during one legal life.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    pub code: String,
    pub name: String,
    pub kind: BodyKind,
    pub life: Interval,
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub ons_code: Option<String>,
}

/// Who an instrument is addressed to: `{"bodies":["02Q"]}` or `{"every":"ccg"}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Receivers {
    Bodies(Vec<String>),
    Every(BodyKind),
}

/// Where an instrument applies: `"england"`, `"own"`, `{"footprint":"02Q"}`,
/// `{"practices":["B82005"]}`, `{"named":"E07000171"}` or `{"union":[...]}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AreaExpr {
    England,
    Own,
    Footprint(String),
    Practices(Vec<String>),
    Named(String),
    Union(Vec<AreaExpr>),
}

// Written by hand: the derived schema gives each word (`england`, `own`) its own
// single-value string enum in the `oneOf`, and keeps the keyed forms inline, where the
// union's reference back to `AreaExpr` cannot be followed. Generated clients
// (openapi-python-client) dropped the area, and every type holding one. Here the words are
// one string enum and each keyed form a named, closed object.
impl AreaExpr {
    /// The members of the `oneOf`, each a named schema.
    fn members() -> [(&'static str, Schema); 5] {
        let keyed = |key: &str, value: RefOr<Schema>, what: &str| -> Schema {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(key, value)
                .required(key)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
                .description(Some(what.to_string()))
                .into()
        };
        let text = || ObjectBuilder::new().schema_type(Type::String);
        [
            (
                "AreaWord",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["england", "own"]))
                    .description(Some(
                        "`england`: all of England; `own`: each receiver's own footprint",
                    ))
                    .into(),
            ),
            (
                "AreaFootprint",
                keyed(
                    "footprint",
                    text().into(),
                    "the footprint of a body, by code, on the dates in question",
                ),
            ),
            (
                "AreaPractices",
                keyed(
                    "practices",
                    ArrayBuilder::new().items(text()).into(),
                    "GP practices by ODS code",
                ),
            ),
            (
                "AreaNamed",
                keyed(
                    "named",
                    text().into(),
                    "a named area declared in the register, by id",
                ),
            ),
            (
                "AreaUnion",
                keyed(
                    "union",
                    ArrayBuilder::new()
                        .items(Ref::from_schema_name("AreaExpr"))
                        .into(),
                    "every place in any of the areas",
                ),
            ),
        ]
    }
}

impl PartialSchema for AreaExpr {
    fn schema() -> RefOr<Schema> {
        let mut one_of = OneOfBuilder::new().description(Some(
            "Where an instrument applies: a word, or an object with one key.",
        ));
        for (name, _) in AreaExpr::members() {
            one_of = one_of.item(Ref::from_schema_name(name));
        }
        one_of.into()
    }
}

impl ToSchema for AreaExpr {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AreaExpr")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for (name, schema) in AreaExpr::members() {
            schemas.push((name.to_string(), schema.into()));
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Onward {
    Permitted,
    #[default]
    Forbidden,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub text: String,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub framework: Option<String>,
    #[serde(default)]
    pub exception_evidence: Vec<String>,
    #[serde(default)]
    pub collective: bool,
    #[serde(default)]
    pub stranded_costs: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendChanges {
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<jiff::civil::Date>,
    #[serde(default)]
    pub purposes: Option<Vec<String>>,
    #[serde(default)]
    pub area: Option<AreaExpr>,
}

/// An instrument as written: the act that confers, moves, shares, directs, requires,
/// amends or revokes powers. Names (bodies, functions, areas) are resolved on its dates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentInput {
    pub id: String,
    #[serde(default)]
    pub title: String,
    pub kind: InstrumentKind,
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub maker: Option<String>,
    #[serde(default)]
    pub receivers: Option<Receivers>,
    #[serde(default)]
    pub of: Option<Receivers>,
    #[serde(default)]
    pub predecessors: Vec<String>,
    #[serde(default)]
    pub functions: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
    #[serde(default)]
    pub retained: Vec<String>,
    #[serde(default)]
    pub area: Option<AreaExpr>,
    #[schema(value_type = String, format = Date)]
    pub from: jiff::civil::Date,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub until: Option<jiff::civil::Date>,
    #[serde(default)]
    pub purposes: Vec<String>,
    #[serde(default)]
    pub concurrent: bool,
    #[serde(default)]
    pub onward: Onward,
    #[serde(default)]
    pub lead: Option<String>,
    #[serde(default)]
    pub pooled_budget: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub changes: Option<AmendChanges>,
    #[serde(default)]
    pub requirement: Option<Requirement>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub review: Option<jiff::civil::Date>,
    #[serde(default)]
    pub source: Option<String>,
}

/// One change to the register.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ChangeInput {
    /// A new instrument.
    AddInstrument { instrument: InstrumentInput },
    /// A new version of an instrument already in the register (same id).
    CorrectInstrument {
        id: String,
        instrument: InstrumentInput,
    },
    /// Takes an instrument entered in error out of the register (not a legal revocation).
    RetractInstrument { id: String, reason: String },
    /// A new body.
    AddBody { body: BodyInput },
}

// serde buffers an internally tagged enum before choosing the variant, which hides the
// path of a bad field inside it ("at `change`" instead of "at `change.instrument.from`").
// Reading the tag first and then each variant's fields with their own path keeps the
// message precise.
impl<'de> Deserialize<'de> for ChangeInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Add {
            instrument: InstrumentInput,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Correct {
            id: String,
            instrument: InstrumentInput,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Retract {
            id: String,
            reason: String,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct AddBody {
            body: BodyInput,
        }
        fn part<T: serde::de::DeserializeOwned, E: Error>(v: serde_json::Value) -> Result<T, E> {
            serde_path_to_error::deserialize(v).map_err(|e| {
                let path = e.path().to_string();
                if path == "." {
                    E::custom(e.into_inner())
                } else {
                    E::custom(format!("{path}: {}", e.into_inner()))
                }
            })
        }
        const OPS: &[&str] = &[
            "add-instrument",
            "correct-instrument",
            "retract-instrument",
            "add-body",
        ];
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let op = match map.remove("op") {
            Some(serde_json::Value::String(s)) => s,
            Some(_) => return Err(D::Error::custom("`op` must be a string")),
            None => return Err(D::Error::missing_field("op")),
        };
        let rest = serde_json::Value::Object(map);
        match op.as_str() {
            "add-instrument" => part::<Add, _>(rest).map(|x| ChangeInput::AddInstrument {
                instrument: x.instrument,
            }),
            "correct-instrument" => {
                part::<Correct, _>(rest).map(|x| ChangeInput::CorrectInstrument {
                    id: x.id,
                    instrument: x.instrument,
                })
            }
            "retract-instrument" => {
                part::<Retract, _>(rest).map(|x| ChangeInput::RetractInstrument {
                    id: x.id,
                    reason: x.reason,
                })
            }
            "add-body" => part::<AddBody, _>(rest).map(|x| ChangeInput::AddBody { body: x.body }),
            other => Err(D::Error::unknown_variant(other, OPS)),
        }
    }
}

macro_rules! same_enum {
    ($from:ty => $to:ty { $($v:ident),* $(,)? }) => {
        impl From<$from> for $to {
            fn from(x: $from) -> $to {
                match x { $(<$from>::$v => <$to>::$v),* }
            }
        }
    };
}

same_enum!(BodyKind => core::BodyKind {
    Parliament, SecretaryOfState, NhsEngland, NhsEnglandRegion, Ccg, Icb, SubIcbLocation,
    CommissioningHub, ReportingEntity, LocalAuthority, CombinedAuthority, NhsTrust,
    FoundationTrust, IntegratedProvider, Csu, JointCommittee, Other,
});
same_enum!(InstrumentKind => core::InstrumentKind {
    Conferral, Establish, Abolish, Merge, Transfer, Delegation, JointCommittee, Partnership,
    Direction, Mandate, Amend, Revoke, Exercise,
});
same_enum!(Onward => core::Onward { Permitted, Forbidden });

impl From<Receivers> for core::Receivers {
    fn from(r: Receivers) -> Self {
        match r {
            Receivers::Bodies(b) => core::Receivers::Bodies(b),
            Receivers::Every(k) => core::Receivers::Every(k.into()),
        }
    }
}

impl From<AreaExpr> for core::AreaExpr {
    fn from(a: AreaExpr) -> Self {
        match a {
            AreaExpr::England => core::AreaExpr::England,
            AreaExpr::Own => core::AreaExpr::Own,
            AreaExpr::Footprint(c) => core::AreaExpr::Footprint(c.into()),
            AreaExpr::Practices(p) => {
                core::AreaExpr::Practices(p.into_iter().map(Into::into).collect())
            }
            AreaExpr::Named(n) => core::AreaExpr::Named(n.into()),
            AreaExpr::Union(u) => core::AreaExpr::Union(u.into_iter().map(Into::into).collect()),
        }
    }
}

impl From<InstrumentInput> for core::Instrument {
    fn from(i: InstrumentInput) -> Self {
        let mut out = core::Instrument::new(i.id, i.kind.into(), i.from);
        out.title = i.title.into();
        out.basis = i.basis;
        out.maker = i.maker.map(Into::into);
        out.receivers = i.receivers.map(Into::into).unwrap_or_default();
        out.functions = i
            .functions
            .into_iter()
            .map(vires_core::SmolStr::from)
            .collect();
        out.area = i.area.map(Into::into);
        out.until = i.until;
        out.purposes = i.purposes;
        out.concurrent = i.concurrent;
        out.onward = i.onward.into();
        out.particulars = core::ParticularFields {
            of: i.of.map(|r| Box::new(r.into())),
            predecessors: i.predecessors,
            except: i.except,
            retained: i.retained,
            lead: i.lead,
            pooled_budget: i.pooled_budget,
            target: i.target,
            changes: i.changes.map(|c| {
                Box::new(core::AmendChanges {
                    until: c.until,
                    purposes: c.purposes,
                    area: c.area.map(Into::into),
                })
            }),
            requirement: i.requirement.map(|r| {
                Box::new(core::Requirement {
                    text: r.text,
                    categories: r.categories,
                    framework: r.framework,
                    exception_evidence: r.exception_evidence,
                    collective: r.collective,
                    stranded_costs: r.stranded_costs,
                })
            }),
            review: i.review,
        }
        .into();
        out.source = i.source;
        out
    }
}

impl From<BodyInput> for core::Body {
    fn from(b: BodyInput) -> Self {
        core::Body {
            code: b.code,
            name: b.name,
            kind: b.kind.into(),
            life: core::Interval::new(b.life.from, b.life.until),
            basis: b.basis,
            source: b.source,
            ons_code: b.ons_code,
            span: None,
        }
    }
}

impl From<ChangeInput> for vires_store::Change {
    fn from(c: ChangeInput) -> Self {
        use vires_store::Change;
        match c {
            ChangeInput::AddInstrument { instrument } => Change::AddInstrument {
                instrument: instrument.into(),
            },
            ChangeInput::CorrectInstrument { id, instrument } => Change::CorrectInstrument {
                id,
                instrument: instrument.into(),
            },
            ChangeInput::RetractInstrument { id, reason } => {
                Change::RetractInstrument { id, reason }
            }
            ChangeInput::AddBody { body } => Change::AddBody { body: body.into() },
        }
    }
}

/// A change as stored in the log (the same shape as [`ChangeInput`], plus genesis). Shown,
/// never accepted, so its schema is open.
pub struct StoredChange;

impl PartialSchema for StoredChange {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "op",
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some([
                    "genesis",
                    "add-instrument",
                    "correct-instrument",
                    "retract-instrument",
                    "add-body",
                ])),
            )
            .required("op")
            .description(Some(
                "A change as recorded: the ChangeInput shapes, or {\"op\":\"genesis\",\"base\":...}",
            ))
            .into()
    }
}

impl ToSchema for StoredChange {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("StoredChange")
    }
}
