//! `who --batch` and `may --batch`: many questions in one process, read and answered one at
//! a time (streaming), so a whole-England question set costs one load of the register.
//!
//! Questions are CSV with a header row (columns `function`, `place`, and optionally `date`
//! (or `on`), `purpose`, and for `may` `as`) or JSON lines with the same keys. Answers are
//! CSV (the default) or, with `--format json`, JSON lines: one row per holder, with the
//! proof's instrument ids.

use crate::args::Format;
use crate::error::CliError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::ExitCode;
use vires_core::{Place, Snapshot};

/// Which question every row asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Who,
    May,
}

/// One question as read: every field optional here, so that a missing one is reported on
/// its row rather than ending the batch.
#[derive(Debug, Default, Deserialize)]
struct Question {
    #[serde(default)]
    function: Option<String>,
    #[serde(default)]
    place: Option<String>,
    #[serde(default, alias = "on")]
    date: Option<String>,
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default, rename = "as")]
    actor: Option<String>,
}

/// One answer row: for `who` one per holder (or one for a gap or an error); for `may` one
/// per question.
#[derive(Debug, Default, Clone, Serialize)]
struct Row {
    /// The question's line in the input (the header is line 1 of a CSV file).
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "as")]
    actor: Option<String>,
    function: String,
    place: String,
    date: String,
    purpose: String,
    /// `who`: the holder.
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accountable: Option<String>,
    /// `who`: the purposes the holder is limited to, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    only_for: Option<Vec<String>>,
    /// `who`: `partial` if the holder covers only part of the place.
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'static str>,
    /// `may`: yes or no, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The proof: instrument ids from statute to the holding.
    proof: Vec<String>,
    /// `gap` when nobody holds the function and the register knows it; `not known` when
    /// nobody is recorded and a caveat says the register does not know enough to call it a
    /// gap; otherwise why the question has no answer.
    note: String,
    /// The answer's caveats (as in `who --format json`), on every row of the answer: where
    /// the register's knowledge ends, what rests on a fact to confirm.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    caveats: Vec<vires_core::Caveat>,
    /// `who`: the part of the function the holder holds, when it holds a part only (a
    /// function below the one asked about).
    #[serde(skip_serializing_if = "Option::is_none")]
    for_part: Option<String>,
}

/// The note of a `who` answer with no holder.
const GAP: &str = "gap";
const NOT_KNOWN: &str = "not known";

/// The columns of a `who --batch` answer; a single `who --format csv` has them all but `line`.
pub(crate) const WHO_COLUMNS: &[&str] = &[
    "line",
    "function",
    "place",
    "date",
    "purpose",
    "body",
    "name",
    "role",
    "accountable",
    "only_for",
    "coverage",
    "proof",
    "note",
    "caveats",
    "for_part",
];
/// The columns of a `may --batch` answer; a single `may --format csv` has them all but `line`.
pub(crate) const MAY_COLUMNS: &[&str] = &[
    "line", "as", "function", "place", "date", "purpose", "allowed", "reason", "proof", "note",
    "caveats",
];

/// A place as a batch names it: `practice:CODE`, `body:CODE`, `area:ID`, `england`, or a
/// bare code (a practice if the register has one with that code, otherwise a body).
fn place(s: &Snapshot, text: &str) -> Result<Place, String> {
    let t = text.trim();
    let (kind, value) = t.split_once(':').unwrap_or(("", t));
    let code = value.trim().to_ascii_uppercase();
    match kind.trim().to_ascii_lowercase().as_str() {
        _ if t.eq_ignore_ascii_case("england") => Ok(Place::England),
        "practice" => Ok(Place::Practice(code.into())),
        "body" => Ok(Place::Body(code.into())),
        "area" => Ok(Place::Area(value.trim().to_string().into())),
        "" if code.is_empty() => Err("place is empty".into()),
        "" if s.register().practice_id(&code).is_some() => Ok(Place::Practice(code.into())),
        "" => Ok(Place::Body(code.into())),
        other => Err(format!(
            "place `{t}`: `{other}:` is not a kind of place; use practice:, body:, area: or england"
        )),
    }
}

enum Out {
    Csv(Box<vires_app::csv::Writer<std::io::BufWriter<std::io::StdoutLock<'static>>>>),
    Json(std::io::BufWriter<std::io::StdoutLock<'static>>),
}

/// The I/O error under a CSV writer's error, so that a closed pipe is still one.
fn io_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl Out {
    fn write(&mut self, ask: Ask, r: &Row) -> std::io::Result<()> {
        match self {
            Out::Json(w) => {
                serde_json::to_writer(&mut *w, r)?;
                w.write_all(b"\n")
            }
            Out::Csv(w) => w.row(cells(ask, r)).map_err(io_error),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::Csv(w) => w.flush(),
            Out::Json(w) => w.flush(),
        }
    }
}

/// A row's CSV cells, in the order of [`WHO_COLUMNS`] or [`MAY_COLUMNS`].
fn cells(ask: Ask, r: &Row) -> Vec<String> {
    let proof = r.proof.join(" > ");
    let caveats = crate::output::caveats_cell(&r.caveats);
    match ask {
        Ask::Who => vec![
            r.line.to_string(),
            r.function.to_string(),
            r.place.to_string(),
            r.date.clone(),
            r.purpose.to_string(),
            r.body.clone().unwrap_or_default(),
            r.name.clone().unwrap_or_default(),
            r.role.unwrap_or_default().to_string(),
            r.accountable.clone().unwrap_or_default(),
            r.only_for.as_ref().map(|p| p.join(";")).unwrap_or_default(),
            r.coverage.unwrap_or_default().to_string(),
            proof,
            r.note.clone(),
            caveats,
            r.for_part.clone().unwrap_or_default(),
        ],
        Ask::May => vec![
            r.line.to_string(),
            r.actor.clone().unwrap_or_default(),
            r.function.to_string(),
            r.place.to_string(),
            r.date.clone(),
            r.purpose.to_string(),
            r.allowed
                .map(|a| if a { "yes" } else { "no" })
                .unwrap_or_default()
                .to_string(),
            r.reason.clone().unwrap_or_default(),
            proof,
            r.note.clone(),
            caveats,
        ],
    }
}

/// Questions as they are read: (line, question or why the row could not be read).
type Questions<'r> = Box<dyn Iterator<Item = (u64, Result<Question, String>)> + 'r>;

fn questions<'r>(input: Box<dyn BufRead + 'r>) -> Result<Questions<'r>, CliError> {
    let mut input = input;
    // JSON lines start with `{`; anything else is CSV with a header row.
    let first = loop {
        let buf = input.fill_buf().map_err(|source| CliError::Io {
            path: "the batch".into(),
            source,
        })?;
        match buf.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b) => break Some(*b),
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    };
    match first {
        None => Ok(Box::new(std::iter::empty())),
        Some(b'{') => Ok(Box::new(input.lines().enumerate().filter_map(|(i, l)| {
            let line = i as u64 + 1;
            match l {
                Err(e) => Some((line, Err(format!("cannot read the line: {e}")))),
                Ok(l) if l.trim().is_empty() => None,
                Ok(l) => Some((
                    line,
                    serde_json::from_str::<Question>(&l)
                        .map_err(|e| format!("not a JSON object of the batch's fields: {e}")),
                )),
            }
        }))),
        Some(_) => {
            let mut reader = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .flexible(true)
                .from_reader(input);
            let header = reader.headers().cloned().map_err(|e| {
                CliError::input(
                    format!("the batch's header row: {e}"),
                    "the first row names the columns: function,place,date,purpose",
                )
            })?;
            Ok(Box::new(reader.into_records().map(move |r| {
                match r {
                    Err(e) => (
                        e.position().map_or(0, |p| p.line()),
                        Err(format!("cannot read the row: {e}")),
                    ),
                    Ok(rec) => (
                        rec.position().map_or(0, |p| p.line()),
                        rec.deserialize::<Question>(Some(&header))
                            .map_err(|e| format!("cannot read the row: {e}")),
                    ),
                }
            })))
        }
    }
}

/// Answers every question in `file` (`-` for standard input). Exit 1 if any row could not
/// be answered (its `note` says why); a gap or a "no" is an answer.
pub fn run(
    s: &Snapshot,
    fmt: Format,
    ask: Ask,
    file: &Path,
    today: Date,
) -> Result<ExitCode, CliError> {
    let input: Box<dyn BufRead> = if file.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        let f = std::fs::File::open(file).map_err(|source| CliError::Io {
            path: file.display().to_string(),
            source,
        })?;
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
    answer_all(s, fmt, ask, questions(input)?, today)
}

/// `who --every-practice-on DATE...`: who holds `function` at every practice England has on
/// each date (those in a commissioner's list, and those whose record there is unsettled), as
/// a batch of those questions, in practice order date by date. `line` numbers the questions.
pub fn every_practice(
    s: &Snapshot,
    fmt: Format,
    function: &str,
    dates: &[Date],
    purpose: Option<&str>,
    today: Date,
) -> Result<ExitCode, CliError> {
    let mut asked: Vec<Question> = Vec::new();
    for &on in dates {
        let practices = s.place_practices(&Place::England, on)?.unwrap_or_default();
        asked.extend(practices.into_iter().map(|p| Question {
            function: Some(function.to_string()),
            place: Some(format!(
                "practice:{}",
                s.register().practices[p.0 as usize].code
            )),
            date: Some(on.to_string()),
            purpose: purpose.map(str::to_string),
            actor: None,
        }));
    }
    let questions = asked
        .into_iter()
        .enumerate()
        .map(|(i, q)| (i as u64 + 1, Ok(q)));
    answer_all(s, fmt, Ask::Who, Box::new(questions), today)
}

/// Answers `questions` one at a time, writing each answer's rows as they come.
fn answer_all(
    s: &Snapshot,
    fmt: Format,
    ask: Ask,
    questions: Questions<'_>,
    today: Date,
) -> Result<ExitCode, CliError> {
    let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut out = match fmt {
        Format::Json => Out::Json(stdout),
        _ => {
            let mut w = vires_app::csv::Writer::new(stdout);
            let header = if ask == Ask::Who {
                WHO_COLUMNS
            } else {
                MAY_COLUMNS
            };
            if let Err(e) = w.row(header) {
                crate::output::stdout_failed(&io_error(e));
            }
            Out::Csv(Box::new(w))
        }
    };
    let mut failed = 0u64;
    for (line, q) in questions {
        let rows = answer(s, ask, line, q, today);
        for r in &rows {
            if let Err(e) = out.write(ask, r) {
                crate::output::stdout_failed(&e);
            }
        }
        if rows
            .iter()
            .any(|r| !r.note.is_empty() && r.note != GAP && r.note != NOT_KNOWN)
        {
            failed += 1;
        }
    }
    if let Err(e) = out.flush() {
        crate::output::stdout_failed(&e);
    }
    if failed > 0 {
        eprintln!("{failed} question(s) could not be answered; their rows say why (column note)");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The rows answering one question.
fn answer(s: &Snapshot, ask: Ask, line: u64, q: Result<Question, String>, today: Date) -> Vec<Row> {
    let q = match q {
        Ok(q) => q,
        Err(note) => {
            return vec![Row {
                line,
                note,
                ..Row::default()
            }]
        }
    };
    let text = |o: &Option<String>| o.as_deref().unwrap_or("").trim().to_string();
    let base = Row {
        line,
        actor: (ask == Ask::May).then(|| text(&q.actor).to_ascii_uppercase()),
        function: text(&q.function),
        place: text(&q.place),
        date: text(&q.date),
        purpose: text(&q.purpose),
        ..Row::default()
    };
    let question = || -> Result<(Date, Place), String> {
        if base.function.is_empty() {
            return Err("function is empty; give a function id (vires functions)".into());
        }
        if base.actor.as_deref() == Some("") {
            return Err("as is empty; give the code of the body asking".into());
        }
        let on = if base.date.is_empty() {
            today
        } else {
            base.date
                .parse::<Date>()
                .map_err(|_| format!("date `{}` is not a date; use YYYY-MM-DD", base.date))?
        };
        Ok((on, place(s, &base.place)?))
    };
    let (on, place) = match question() {
        Ok(q) => q,
        Err(note) => return vec![Row { note, ..base }],
    };
    let base = Row {
        date: on.to_string(),
        ..base
    };
    let purpose = (!base.purpose.is_empty()).then_some(base.purpose.as_str());
    match ask {
        Ask::Who => match s.who(&base.function, &place, on, purpose) {
            Err(e) => vec![Row {
                note: e.to_string(),
                ..base
            }],
            Ok(a) => who_rows(&base, &a),
        },
        Ask::May => {
            let actor = base.actor.clone().unwrap_or_default();
            match s.may(&actor, &base.function, &place, on, purpose) {
                Err(e) => vec![Row {
                    note: e.to_string(),
                    ..base
                }],
                Ok(a) => vec![may_row(base, &a)],
            }
        }
    }
}

/// The rows of a `who` answer to the question in `base`: one per holder, or one saying `gap`
/// (or `not known`, when a caveat says the register does not know enough to call it one).
fn who_rows(base: &Row, a: &vires_core::WhoAnswer) -> Vec<Row> {
    let base = Row {
        caveats: a.caveats.clone(),
        ..base.clone()
    };
    if a.holders.is_empty() {
        let note = if a.caveats.is_empty() { GAP } else { NOT_KNOWN };
        return vec![Row {
            note: note.into(),
            ..base
        }];
    }
    a.holders
        .iter()
        .map(|h| Row {
            body: Some(h.body.to_string()),
            name: Some(h.name.to_string()),
            role: Some(h.role.as_str()),
            accountable: Some(h.accountable.to_string()),
            only_for: Some(h.purposes.iter().map(|p| p.to_string()).collect()),
            coverage: Some(if h.coverage == vires_core::Coverage::Partial {
                "partial"
            } else {
                "whole"
            }),
            proof: proof_ids(&h.proof),
            for_part: below(&h.function, &a.function).then(|| h.function.to_string()),
            ..base.clone()
        })
        .collect()
}

/// The row of a `may` answer to the question in `base`.
fn may_row(base: Row, a: &vires_core::MayAnswer) -> Row {
    Row {
        allowed: Some(a.allowed),
        caveats: a.caveats.clone(),
        reason: Some(a.reason.to_string()),
        proof: a
            .holding
            .as_ref()
            .map(|h| proof_ids(&h.proof))
            .unwrap_or_default(),
        ..base
    }
}

/// A proof's instrument ids, from statute to the holding.
/// Whether function id `f` names a function below `asked` (a part of it).
fn below(f: &str, asked: &str) -> bool {
    f.len() > asked.len() && f.starts_with(asked) && f.as_bytes().get(asked.len()) == Some(&b'.')
}

fn proof_ids(proof: &[std::sync::Arc<vires_core::ProofStep>]) -> Vec<String> {
    proof.iter().map(|p| p.instrument.to_string()).collect()
}

/// A single `who --format csv` answer: the rows `who --batch` gives for the question, without
/// the line number (the columns of [`WHO_COLUMNS`] but `line`).
pub(crate) fn who_csv(a: &vires_core::WhoAnswer) -> Vec<Vec<String>> {
    let base = Row {
        function: a.function.to_string(),
        place: a.place.to_string(),
        date: a.on.to_string(),
        purpose: a.purpose.clone().unwrap_or_default(),
        ..Row::default()
    };
    who_rows(&base, a)
        .iter()
        .map(|r| cells(Ask::Who, r).split_off(1))
        .collect()
}

/// A single `may --format csv` answer: the row `may --batch` gives for the question, without
/// the line number.
pub(crate) fn may_csv(a: &vires_core::MayAnswer) -> Vec<Vec<String>> {
    let base = Row {
        actor: Some(a.body.clone()),
        function: a.function.clone(),
        place: a.place.to_string(),
        date: a.on.to_string(),
        purpose: a.purpose.clone().unwrap_or_default(),
        ..Row::default()
    };
    vec![cells(Ask::May, &may_row(base, a)).split_off(1)]
}
