//! # vires-lang
//!
//! The `.vires` language, in which a governance lead writes who may exercise which NHS
//! commissioning function, where, when and on what authority: bodies, functions, powers,
//! areas, practices and the instruments (delegations, directions, mandates, …) that move
//! functions between bodies. See `docs/language.md` for the grammar and field reference.
//!
//! Text flows one way: [`parse`] (with byte spans and error recovery) → [`Document`] →
//! [`lower`] → [`vires_core::Register`]. Alongside: [`format`] (canonical layout, keeps
//! comments), [`to_json`] / [`from_json`] (lossless JSON form, schema in
//! `docs/vires.schema.json`), [`render`] (miette reports for parse errors and core
//! diagnostics alike) and the embedded prelude ([`load_with_prelude`]).
//!
//! Nothing here panics on any input, and nothing does I/O: callers pass strings.
//!
//! ```
//! use vires_lang::{load_with_prelude, render, Sources};
//!
//! let mut sources = Sources::new();
//! sources.add(
//!     "local.vires",
//!     "body 13T { name \"NHS Newcastle Gateshead CCG\" kind ccg from 2015-04-01 }\n\
//!      practice A85001 { name \"Example Surgery\" in 13T from 2015-04-01 }\n\
//!      delegation \"To a body nobody declared\" {\n\
//!        by X24 to ZZZ functions commissioning from 2016-04-01 source \"none\"\n\
//!      }\n",
//! );
//! let loaded = load_with_prelude(&sources);
//! assert!(loaded.errors.is_empty(), "{}", render(&loaded.sources, &loaded.errors, &[], false));
//! assert!(loaded.register.practice_id("A85001").is_some());
//! let snapshot = vires_core::Snapshot::compile(loaded.register);
//! // The core finds the unknown receiver and points at it in the file it came from.
//! let unknown: Vec<_> = snapshot.diagnostics.iter().filter(|d| d.code == "V001").collect();
//! assert_eq!(unknown.len(), 1, "{:?}", snapshot.diagnostics);
//! let text = render(&loaded.sources, &[], &snapshot.diagnostics, false);
//! assert!(text.contains("V001") && text.contains("ZZZ") && text.contains("local.vires:4:"), "{text}");
//! ```

/// The most text one source may hold. Spans are 32-bit byte offsets, and a register this
/// size is already far beyond any real one (the bundled national instruments are 60 KB);
/// longer text is refused with `P000` rather than read into memory structures.
pub const MAX_SOURCE_BYTES: usize = 64 << 20;

pub mod ast;
pub mod error;
pub mod format;
pub mod instrument_text;
pub mod json;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod prelude;
pub mod report;

pub use ast::Document;
pub use error::{Error, Errors, LowerError, ParseError};
pub use format::{format, print};
pub use instrument_text::instrument_text;
pub use json::{from_json, schema, to_json};
pub use lower::lower;
pub use parser::parse;
pub use prelude::{load, load_with_prelude, Loaded, PRELUDE_SOURCES};
pub use report::{diagnostic_report, error_report, render, reports, SourceFile, Sources};
