//! The data-quality report: every anomaly the importer met, with the file and line it
//! came from, so that a person can check the source and a fresh download can be compared
//! with the bundled one. A rejected row never stops the import; the report says why.

use serde::Serialize;
use std::fmt::Write as _;

/// How much an anomaly matters to the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The row was not loaded.
    Rejected,
    /// The row was loaded, but something in it (or what follows from it) needs a person's attention.
    Warning,
    /// Recorded for transparency: how an ambiguity in the data was resolved.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Rejected => "rejected",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One anomaly. `kind` is a stable kebab-case name that tests and tools may match on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    pub kind: &'static str,
    /// The file the row came from (its name inside the import directory).
    pub file: String,
    /// 1-based line number in that file, when the anomaly is about one row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The ODS code the anomaly is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub reason: String,
}

/// Row counts per file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    pub file: String,
    /// Data rows read (header excluded).
    pub rows: usize,
    /// Rows rejected (the rest were loaded or deliberately left out as out of scope).
    pub rejected: usize,
}

/// Everything odd found while building the register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QualityReport {
    pub files: Vec<FileSummary>,
    pub issues: Vec<Issue>,
}

/// Stable names of issue kinds.
pub mod kinds {
    pub const MISSING_FILE: &str = "missing-file";
    pub const MISSING_COLUMN: &str = "missing-column";
    pub const MALFORMED_ROW: &str = "malformed-row";
    pub const SHORT_ROW: &str = "short-row";
    pub const BAD_DATE: &str = "bad-date";
    pub const DATES_BACKWARDS: &str = "dates-backwards";
    pub const MISSING_CODE: &str = "missing-code";
    pub const DUPLICATE_CODE: &str = "duplicate-code";
    pub const OVERLAPPING_DATES: &str = "overlapping-dates";
    pub const UNKNOWN_ROLE: &str = "unknown-role";
    pub const UNKNOWN_PARENT: &str = "unknown-parent";
    pub const UNKNOWN_COMMISSIONER: &str = "unknown-commissioner";
    pub const CLOSED_COMMISSIONER: &str = "closed-commissioner";
    pub const JOIN_BEFORE_OPEN: &str = "join-before-open";
    pub const SUCCESSOR_UNKNOWN: &str = "successor-unknown";
    pub const SUCCESSOR_AMBIGUOUS: &str = "successor-ambiguous";
    pub const SUCCESSION_DATE_MISMATCH: &str = "succession-date-mismatch";
    pub const SUCCESSOR_OPENED_EARLY: &str = "successor-opened-early";
    pub const PREDECESSOR_OUT_OF_SCOPE: &str = "predecessor-out-of-scope";
    pub const LATER_RESHAPE: &str = "later-reshape";
    pub const RESHAPE_SPLIT: &str = "reshape-split";
    pub const RESHAPE_ALLOCATED: &str = "reshape-allocated";
    pub const PRACTICE_MOVE: &str = "practice-move";
    pub const PRACTICE_HISTORY: &str = "practice-history";
    pub const NAME_FROM_ODS: &str = "name-from-ods";
    pub const UNKNOWN_CCG: &str = "unknown-ccg";
    pub const AREA_APPROXIMATION: &str = "area-approximation";
}

impl QualityReport {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(
        &mut self,
        severity: Severity,
        kind: &'static str,
        file: &str,
        line: Option<u64>,
        subject: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.issues.push(Issue {
            severity,
            kind,
            file: file.to_string(),
            line,
            subject: subject.map(str::to_string),
            reason: reason.into(),
        });
    }

    /// A row that was not loaded.
    pub fn reject(
        &mut self,
        kind: &'static str,
        file: &str,
        line: u64,
        subject: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.push(Severity::Rejected, kind, file, Some(line), subject, reason);
        if let Some(f) = self.files.iter_mut().find(|f| f.file == file) {
            f.rejected += 1;
        }
    }

    pub fn warn(
        &mut self,
        kind: &'static str,
        file: &str,
        line: Option<u64>,
        subject: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.push(Severity::Warning, kind, file, line, subject, reason);
    }

    pub fn info(
        &mut self,
        kind: &'static str,
        file: &str,
        line: Option<u64>,
        subject: Option<&str>,
        reason: impl Into<String>,
    ) {
        self.push(Severity::Info, kind, file, line, subject, reason);
    }

    pub(crate) fn file_read(&mut self, file: &str, rows: usize) {
        if let Some(f) = self.files.iter_mut().find(|f| f.file == file) {
            f.rows = rows;
        } else {
            self.files.push(FileSummary {
                file: file.to_string(),
                rows,
                rejected: 0,
            });
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == severity)
            .count()
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Issue> + 'a {
        self.issues.iter().filter(move |i| i.kind == kind)
    }

    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail; fall back to an empty object anyway.
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// A plain-text report: a summary per file, then counts per kind, then every issue.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Data-quality report: {} rejected, {} warnings, {} notes",
            self.count(Severity::Rejected),
            self.count(Severity::Warning),
            self.count(Severity::Info)
        );
        for f in &self.files {
            let _ = writeln!(
                out,
                "  {}: {} rows read, {} rejected",
                f.file, f.rows, f.rejected
            );
        }
        let mut kinds: Vec<(&str, Severity, usize)> = Vec::new();
        for i in &self.issues {
            match kinds
                .iter_mut()
                .find(|(k, s, _)| *k == i.kind && *s == i.severity)
            {
                Some(entry) => entry.2 += 1,
                None => kinds.push((i.kind, i.severity, 1)),
            }
        }
        kinds.sort();
        if !kinds.is_empty() {
            let _ = writeln!(out, "By kind:");
            for (k, s, n) in &kinds {
                let _ = writeln!(out, "  {:<28} {:<8} {n}", k, s.as_str());
            }
        }
        let mut issues: Vec<&Issue> = self.issues.iter().collect();
        issues.sort_by(|a, b| {
            (a.severity, &a.file, a.line, a.kind).cmp(&(b.severity, &b.file, b.line, b.kind))
        });
        for i in issues {
            let at = match i.line {
                Some(l) => format!("{}:{l}", i.file),
                None => i.file.clone(),
            };
            let subject = i
                .subject
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{:<8} {at} {}{subject}: {}",
                i.severity.as_str(),
                i.kind,
                i.reason
            );
        }
        out
    }
}
