//! The register as written: bodies, functions, places and practices, powers, instruments,
//! and the diagnostics that point back at what was written.

pub mod body;
pub mod coverage;
pub mod diagnostic;
pub mod function;
pub mod ident;
pub mod instrument;
pub mod interval;
pub mod place;
pub mod power;
pub mod register;
