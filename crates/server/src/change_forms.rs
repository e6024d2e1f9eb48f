//! The JSON forms of changes to the register: as a request gives them, parsed strictly
//! (unknown fields are refused, where the core's own serde accepts them) and then turned
//! into core values; and as the change log shows them.
//!
//! These are the only schemas the server writes itself: the answers' schemas are derived
//! on the contract types in vires-core and vires-workflow (their `openapi` feature).

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};
use vires_core as core;
use vires_core::{BodyKind, InstrumentKind, Onward};

/// A body's life, `[from, until)`: parsed strictly, published as the core's `Interval`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub from: jiff::civil::Date,
    #[serde(default)]
    pub until: Option<jiff::civil::Date>,
}

/// A body during one legal life.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    pub code: String,
    pub name: String,
    pub kind: BodyKind,
    #[schema(value_type = core::Interval)]
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

impl From<Receivers> for core::Receivers {
    fn from(r: Receivers) -> Self {
        match r {
            Receivers::Bodies(b) => core::Receivers::Bodies(b),
            Receivers::Every(k) => core::Receivers::Every(k),
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
        let mut out = core::Instrument::new(i.id, i.kind, i.from);
        out.title = i.title.into();
        out.terms_mut().basis = i.basis;
        out.maker = i.maker.map(Into::into);
        out.terms_mut().receivers = i.receivers.map(Into::into).unwrap_or_default();
        out.functions = i
            .functions
            .into_iter()
            .map(vires_core::SmolStr::from)
            .collect();
        out.area = i.area.map(Into::into);
        out.until = i.until;
        out.terms_mut().purposes = i.purposes;
        out.concurrent = i.concurrent;
        out.onward = i.onward;
        out.set_particulars(core::ParticularFields {
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
        });
        out.terms_mut().source = i.source;
        out
    }
}

impl From<BodyInput> for core::Body {
    fn from(b: BodyInput) -> Self {
        core::Body {
            code: b.code,
            name: b.name,
            kind: b.kind,
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

/// A change as stored in the log (the shapes of [`ChangeInput`], plus the store's binding and
/// workflow steps). Shown, never accepted, so its schema is open.
pub struct StoredChange;

impl PartialSchema for StoredChange {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "op",
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some([
                    "genesis",
                    "rebind",
                    "add-instrument",
                    "correct-instrument",
                    "retract-instrument",
                    "add-body",
                    "workflow-step",
                ])),
            )
            .required("op")
            .description(Some(
                "A change as recorded: the ChangeInput shapes; {\"op\":\"genesis\",\"base\":...} or {\"op\":\"rebind\",\"base\":...}, which bind the log to its base register; or a workflow step",
            ))
            .into()
    }
}

impl ToSchema for StoredChange {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("StoredChange")
    }
}
