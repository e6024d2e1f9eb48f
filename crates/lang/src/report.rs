//! Showing errors and diagnostics to people, with miette: `file:line:col`, the line of
//! source with a caret under the exact words, and the help line.
//!
//! Parse and lowering errors ([`Error`]) and core diagnostics ([`Diagnostic`]) carry the
//! same kind of span (`file` is an index into a [`Sources`]), so they render alike.

use crate::error::Error;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use vires_core::{Diagnostic, Severity, Span};

/// One source text and the name it is shown under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// The texts that spans point into, in file-index order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text and returns its file index (to pass to `parse`).
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> u32 {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        (self.files.len() - 1) as u32
    }

    pub fn get(&self, file: u32) -> Option<&SourceFile> {
        self.files.get(file as usize)
    }

    pub fn position(&self, name: &str) -> Option<u32> {
        self.files
            .iter()
            .position(|f| f.name == name)
            .map(|i| i as u32)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `(file index, file)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (i as u32, f))
    }

    /// 1-based line and column (in characters) of the start of `span`.
    pub fn line_col(&self, span: Span) -> Option<(usize, usize)> {
        let text = &self.get(span.file)?.text;
        let start = clamp(text, span.start as usize);
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, col))
    }

    /// `name:line:col` for a span, or `None` when it points into no known file.
    pub fn locate(&self, span: Span) -> Option<String> {
        let (l, c) = self.line_col(span)?;
        Some(format!("{}:{l}:{c}", self.get(span.file)?.name))
    }
}

/// The largest char boundary at or before `i`, within the text.
fn clamp(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A finding ready for miette.
#[derive(Debug)]
struct Finding {
    code: String,
    message: String,
    help: Option<String>,
    severity: miette::Severity,
    label: Option<String>,
    source: Option<NamedSource<String>>,
    span: Option<(usize, usize)>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl miette::Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (start, len) = self.span?;
        let label = LabeledSpan::new(self.label.clone(), start, len);
        Some(Box::new(std::iter::once(label)))
    }
}

fn finding(
    sources: &Sources,
    code: &str,
    message: &str,
    help: &str,
    severity: miette::Severity,
    span: Option<Span>,
    label: Option<String>,
) -> Finding {
    let mut message = message.to_string();
    let mut source = None;
    let mut at = None;
    if let Some(s) = span {
        match sources.get(s.file) {
            Some(file) => {
                let start = clamp(&file.text, s.start as usize);
                let end = clamp(&file.text, (s.end as usize).max(start));
                source = Some(NamedSource::new(file.name.clone(), file.text.clone()));
                at = Some((start, end - start));
            }
            None => message.push_str(&format!(
                " (in source file #{}, which was not supplied)",
                s.file
            )),
        }
    }
    Finding {
        code: code.to_string(),
        message,
        help: (!help.is_empty()).then(|| help.to_string()),
        severity,
        label,
        source,
        span: at,
    }
}

/// A parse or lowering error as a miette report.
pub fn error_report(sources: &Sources, e: &Error) -> miette::Report {
    miette::Report::new(finding(
        sources,
        e.code,
        &e.message,
        &e.help,
        miette::Severity::Error,
        e.span,
        None,
    ))
}

/// A core diagnostic as a miette report.
pub fn diagnostic_report(sources: &Sources, d: &Diagnostic) -> miette::Report {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let label = (!d.subject.is_empty()).then(|| d.subject.clone());
    miette::Report::new(finding(
        sources, d.code, &d.message, &d.help, severity, d.span, label,
    ))
}

/// Reports for many errors and diagnostics at once, errors first.
pub fn reports(
    sources: &Sources,
    errors: &[Error],
    diagnostics: &[Diagnostic],
) -> Vec<miette::Report> {
    errors
        .iter()
        .map(|e| error_report(sources, e))
        .chain(diagnostics.iter().map(|d| diagnostic_report(sources, d)))
        .collect()
}

/// Renders errors and diagnostics as text (with colour when `color`), each with
/// `file:line:col`, the source line, a caret under the words and the help line.
pub fn render(
    sources: &Sources,
    errors: &[Error],
    diagnostics: &[Diagnostic],
    color: bool,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for r in reports(sources, errors, diagnostics) {
        if handler.render_report(&mut out, r.as_ref()).is_err() {
            // Rendering only fails on a bad span; fall back to the plain line.
            out.push_str(&format!("{r}\n"));
        }
        out.push('\n');
    }
    out
}
