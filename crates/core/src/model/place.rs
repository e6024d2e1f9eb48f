//! Places: GP practices and the footprints of bodies, which change over time.
//!
//! A practice is in one body's footprint at a time ([`Membership`]); bodies nest
//! inside other bodies over time ([`ParentLink`]: a sub-ICB location inside an ICB).
//! The footprint of a body on a date is its own members plus its children's.

use crate::model::body::BodyId;
use crate::model::interval::Interval;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PracticeId(pub u32);

/// The smallest unit of place: a GP practice (or another prescribing setting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Practice {
    /// Practice codes are six characters: `SmolStr` holds them inline.
    pub code: SmolStr,
    // Text that is never edited in place is boxed (16 bytes, not a `String`'s 24): a
    // register has about as many practices as instruments and keeps them all. The JSON is
    // the same.
    pub name: Box<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Box<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub practice: PracticeId,
    pub body: BodyId,
    pub during: Interval,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentLink {
    pub child: BodyId,
    pub parent: BodyId,
    pub during: Interval,
}

/// Where a question is asked about. Codes are [`SmolStr`]s: short codes are held inline, so
/// a place is copied into its answer without allocating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "code", rename_all = "kebab-case")]
pub enum Place {
    /// A GP practice, by ODS code.
    Practice(SmolStr),
    /// The footprint of a body on the query date, by code.
    Body(SmolStr),
    /// A named area declared in the register (for example a local authority district).
    Area(SmolStr),
    /// All of England.
    England,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Practice(c) => write!(f, "practice {c}"),
            Place::Body(c) => write!(f, "footprint of {c}"),
            Place::Area(c) => write!(f, "area {c}"),
            Place::England => f.write_str("England"),
        }
    }
}

// Written by hand: utoipa cannot describe the `SmolStr` inside a tuple variant, and each
// form is a closed object with the code described, which generated clients read well.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Place {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
        let kind = |t: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([t.to_string()]))
        };
        let coded = |t: &str, what: &str| {
            ObjectBuilder::new()
                .property("type", kind(t))
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
                    .property("type", kind("england"))
                    .required("type")
                    .additional_properties(Some(AdditionalProperties::FreeForm(false))),
            )
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Place {}
