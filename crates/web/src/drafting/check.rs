//! A draft's text checked against the register at one revision: what the text holds (one
//! instrument or one new body), and its diagnostics once added, exactly as `vires check`
//! reports them.

use super::form;
use super::text_fields;
use crate::context::Ctx;
use crate::error::WebError;
use std::sync::{Arc, Mutex};
use vires_core::{Body, Diagnostic, Instrument, Severity, Snapshot};
use vires_store::Change;

/// What a draft's text holds: one instrument, or one new body.
#[derive(Debug, Clone)]
pub enum Drafted {
    Instrument(Instrument),
    Body(Body),
}

impl Drafted {
    /// The change to the register it would make.
    pub fn change(&self) -> Change {
        match self {
            Drafted::Instrument(i) => Change::AddInstrument {
                instrument: i.clone(),
            },
            Drafted::Body(b) => Change::AddBody { body: b.clone() },
        }
    }

    /// The day it takes effect (a body: the day it comes into being).
    pub fn from(&self) -> vires_core::Date {
        match self {
            Drafted::Instrument(i) => i.from,
            Drafted::Body(b) => b.life.from,
        }
    }

    pub fn title(&self) -> String {
        match self {
            Drafted::Instrument(i) => i.title.to_string(),
            Drafted::Body(b) => format!("{} ({})", b.name, b.code),
        }
    }
}

/// A draft's text checked against the register at one revision.
pub struct Checked {
    pub drafted: Option<Drafted>,
    /// Errors reading the text itself (pasted text), each with its line.
    pub language: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub after: Option<Snapshot>,
}

type CheckCache = Mutex<Vec<((String, u64), Arc<Checked>)>>;

fn cache() -> &'static CheckCache {
    static C: std::sync::OnceLock<CheckCache> = std::sync::OnceLock::new();
    C.get_or_init(|| Mutex::new(Vec::new()))
}

pub(super) fn read_text(text: &str) -> Result<Drafted, Vec<String>> {
    let mut sources = vires_lang::Sources::new();
    sources.add("draft.vires", text);
    let loaded = vires_lang::load(&sources);
    if !loaded.errors.is_empty() {
        return Err(loaded
            .errors
            .iter()
            .map(|e| match e.span.and_then(|s| loaded.sources.line_col(s)) {
                Some((line, col)) => {
                    format!(
                        "{} at line {line}, column {col}: {}. {}",
                        e.code,
                        e.message,
                        crate::help::in_the_browser(&e.help)
                    )
                }
                None => format!(
                    "{}: {}. {}",
                    e.code,
                    e.message,
                    crate::help::in_the_browser(&e.help)
                ),
            })
            .collect());
    }
    let reg = loaded.register;
    let others = reg.practices.len() + reg.powers.len() + reg.areas.len() + reg.successions.len();
    match (reg.instruments.len(), reg.bodies.len(), others) {
        (1, 0, 0) => reg
            .instruments
            .into_iter()
            .next()
            .map(Drafted::Instrument)
            .ok_or_else(|| vec!["The text holds no instrument".to_string()]),
        (0, 1, 0) if reg.parents.is_empty() => reg
            .bodies
            .into_iter()
            .next()
            .map(Drafted::Body)
            .ok_or_else(|| vec!["The text holds no body".to_string()]),
        (0, 1, 0) => Err(vec![
            "A new body's membership of another (`in`) cannot be drafted here; leave it out"
                .to_string(),
        ]),
        (i, b, o) => Err(vec![format!(
            "The text must hold exactly one instrument or one new body and nothing else; it holds {i} instruments, {b} bodies and {o} other records"
        )]),
    }
}

/// Checks `text` against the current register: the draft's diagnostics once it is
/// added, exactly as `vires check` reports them. Compiling the register takes a moment,
/// so the last few results are kept per (text, revision).
pub async fn check_text(ctx: &Ctx, text: &str) -> Result<Arc<Checked>, WebError> {
    let key = (text.to_string(), ctx.revision());
    if let Some((_, c)) = cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(k, _)| *k == key)
    {
        return Ok(c.clone());
    }
    let cur = ctx.current.clone();
    let owned = text.to_string();
    let checked = tokio::task::spawn_blocking(move || match read_text(&owned) {
        Err(language) => Checked {
            drafted: None,
            language,
            diagnostics: Vec::new(),
            after: None,
        },
        Ok(drafted) => {
            // The one trial of changes: the register with the draft added, compiled.
            let change = drafted.change();
            match vires_app::trial::trial(
                cur.snapshot.register(),
                Some(&cur.snapshot),
                std::slice::from_ref(&change),
            ) {
                Ok(t) => Checked {
                    drafted: Some(drafted),
                    language: Vec::new(),
                    diagnostics: t.findings,
                    after: Some(t.snapshot),
                },
                Err(e) => Checked {
                    drafted: Some(drafted),
                    language: vec![e.to_string()],
                    diagnostics: Vec::new(),
                    after: None,
                },
            }
        }
    })
    .await
    .map_err(|e| WebError::internal("checking the draft", e))?;
    let checked = Arc::new(checked);
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    c.retain(|(k, _)| k.1 == ctx.revision());
    if c.len() >= 8 {
        c.remove(0);
    }
    c.push((key, checked.clone()));
    Ok(checked)
}

/// The form field each diagnostic is about: the field word on the line its span points at.
pub(super) fn diagnostics_by_field(
    text: &str,
    ds: &[Diagnostic],
) -> Vec<(&'static str, Diagnostic)> {
    ds.iter()
        .map(|d| {
            let field = d
                .span
                .and_then(|s| {
                    let start = (s.start as usize).min(text.len());
                    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                    let line = text[line_start..].lines().next().unwrap_or("");
                    text_fields::field_of_line(line)
                })
                .unwrap_or(form::TITLE);
            (field, d.clone())
        })
        .collect()
}

pub(super) fn diagnostic_text(d: &Diagnostic) -> String {
    format!(
        "{} {}. {}",
        d.code,
        d.message,
        crate::help::in_the_browser(&d.help)
    )
}

/// The checks and the text of a proposed instrument or new body, for the proposal page.
pub async fn proposal_checks(
    ctx: &Ctx,
    drafted: &Drafted,
) -> Result<(String, Vec<Diagnostic>), WebError> {
    let (text, subject) = match drafted {
        Drafted::Instrument(ins) => (vires_lang::instrument_text(ins), ins.id.to_string()),
        Drafted::Body(b) => (text_fields::body_text(b), b.code.clone()),
    };
    let checked = check_text(ctx, &text).await?;
    let mut ds = checked.diagnostics.clone();
    ds.extend(checked.language.iter().map(|m| Diagnostic {
        code: "P000",
        severity: Severity::Error,
        subject: subject.clone(),
        message: m.clone(),
        help: String::new(),
        span: None,
    }));
    Ok((text, ds))
}
