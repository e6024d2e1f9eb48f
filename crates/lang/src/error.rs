//! Errors found while reading `.vires` text or lowering it into a register.
//!
//! Parse and lowering errors share one shape (code, message, span, help) so the
//! renderer in `report.rs` treats them alike, and alike with core diagnostics.

use vires_core::Span;

/// One finding about the text: a stable code (`P0xx` parse, `L1xx` lowering, `J0xx` JSON),
/// what is wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: &'static str,
    pub message: String,
    pub help: String,
    pub span: Option<Span>,
}

/// A parse error (codes `P0xx`).
pub type ParseError = Error;
/// A lowering error (codes `L1xx`).
pub type LowerError = Error;

impl Error {
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
        span: Option<Span>,
    ) -> Self {
        Error {
            code,
            message: message.into(),
            help: help.into(),
            span,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(s) = self.span {
            write!(f, " (file {}, bytes {}..{})", s.file, s.start, s.end)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Several errors from one run, so callers can `?` them and still show them all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Errors(pub Vec<Error>);

impl std::fmt::Display for Errors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.len();
        write!(f, "{n} error{}", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

impl From<Vec<Error>> for Errors {
    fn from(v: Vec<Error>) -> Self {
        Errors(v)
    }
}
