//! The prelude: the function taxonomy, the powers registry and the national bodies that
//! every register starts from, embedded in the binary.

use crate::ast::Document;
use crate::error::Error;
use crate::lower::lower;
use crate::parser::parse;
use crate::report::Sources;
use vires_core::Register;

pub const TAXONOMY: &str = include_str!("../prelude/taxonomy.vires");
pub const POWERS: &str = include_str!("../prelude/powers.vires");
pub const BODIES: &str = include_str!("../prelude/bodies.vires");

/// `(name, text)` of each prelude file, so a caller can show spans that point into them.
pub const PRELUDE_SOURCES: [(&str, &str); 3] = [
    ("prelude/taxonomy.vires", TAXONOMY),
    ("prelude/bodies.vires", BODIES),
    ("prelude/powers.vires", POWERS),
];

/// A register read from sources, with everything that went wrong on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub register: Register,
    /// Parse and lowering errors, in file order.
    pub errors: Vec<Error>,
    /// The sources every span points into (the caller's, then the prelude's).
    pub sources: Sources,
    pub documents: Vec<Document>,
}

/// Parses and lowers the caller's sources. Spans use each source's index in `sources`.
pub fn load(sources: &Sources) -> Loaded {
    let mut errors = Vec::new();
    let mut documents = Vec::new();
    for (i, f) in sources.iter() {
        let (doc, errs) = parse(i, &f.text);
        errors.extend(errs);
        documents.push(doc);
    }
    let (register, lower_errors) = lower(&documents);
    errors.extend(lower_errors);
    Loaded {
        register,
        errors,
        sources: sources.clone(),
        documents,
    }
}

/// Like [`load`], with the prelude added after the caller's sources (unless a source of the
/// same name is already there), so the caller's file indices stay as they were.
pub fn load_with_prelude(sources: &Sources) -> Loaded {
    let mut all = sources.clone();
    for (name, text) in PRELUDE_SOURCES {
        if all.position(name).is_none() {
            all.add(name, text);
        }
    }
    load(&all)
}
