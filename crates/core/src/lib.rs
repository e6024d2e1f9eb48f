//! # vires-core
//!
//! The pure core of vires: a temporal register of who may exercise which NHS
//! commissioning function, where, when, for what purpose and on what authority.
//!
//! Data flows one way: a [`Register`] (bodies, functions, places, powers and
//! instruments, as written by people or imported from ODS) is compiled into a
//! [`Snapshot`]: a flat, indexed set of [`Grant`]s with every instrument's
//! validity [`Diagnostic`]s. Every answer ([`Snapshot::who`], [`Snapshot::may`],
//! [`Snapshot::what`], timelines, diffs and analyses) comes with a proof: the
//! chain of instruments from statute to the holding.
//!
//! This crate does no I/O. Parsing lives in `vires-lang`, data import in
//! `vires-england`, storage in `vires-store`.

pub mod answer;
pub mod compile;
pub mod model;
pub mod snapshot;
mod support;

// The modules' paths before they were put in folders, kept so that other crates need not
// change with the layout.
pub use answer::{
    analysis, explain, kept_back, knowledge, lineage, place_parts, query, resolve, search, trial,
    whatif,
};
pub use compile::retained;
pub use model::{body, diagnostic, function, ident, instrument, interval, place, power, register};

pub use analysis::{
    CoverageFinding, CoverageProblem, DiffAnswer, Expiring, HeldOtherwise, Inheritance, Timeline,
};
pub use body::{Body, BodyId, BodyKind};
pub use diagnostic::{Diagnostic, Severity, Span};
pub use function::{FunctionId, Taxonomy};
pub use instrument::{
    AmendChanges, AreaExpr, FunctionList, Instrument, InstrumentId, InstrumentKind, Onward,
    ParticularFields, PracticeList, Receivers, Requirement, TermFields,
};
pub use interval::Interval;
pub use jiff::civil::Date;
pub use kept_back::KeptBack;
pub use model::coverage::{CoverageRow, UnknownMembership};
pub use place::{Membership, ParentLink, Place, Practice, PracticeId};
pub use power::Power;
pub use query::{
    Caveat, CaveatKind, Coverage, HeldPart, Holder, MayAnswer, Part, Proof, ProofStep, QueryError,
    Role, WhoAnswer,
};
pub use register::{Register, RegisterError, Succession};
pub use resolve::{Gathered, Holding, WhatAnswer, WhoGrants};
pub use smol_str::SmolStr;
pub use snapshot::{Grant, GrantId, ParentGrant, Snapshot};
pub use trial::{Trial, Void};
