//! Printing answers: JSON (the stable contract) or text for people.

use crate::args::{ColorChoice, Format};
use crate::error::CliError;
use serde::Serialize;
use std::io::Write;
use std::sync::Arc;
use vires_core::{Holder, ProofStep};

/// When to colour messages, from `--color` (set once by `main`).
static COLOR: std::sync::OnceLock<ColorChoice> = std::sync::OnceLock::new();

pub fn set_color(choice: ColorChoice) {
    let _ = COLOR.set(choice);
}

/// Whether to colour what goes to standard error: `--color always` or `never` if given;
/// otherwise only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
pub fn color_stderr() -> bool {
    match COLOR.get().copied().unwrap_or(ColorChoice::Auto) {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stderr())
        }
    }
}

/// Writes to standard output. When the reader has gone (a closed pipe), the process ends
/// quietly with exit code 0: the reader took what it wanted. Any other failure to write is
/// reported on standard error, exit code 1.
pub fn to_stdout(args: std::fmt::Arguments) {
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        stdout_failed(&e)
    }
}

/// Ends the process after a failed write to standard output (see [`to_stdout`]).
pub fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0)
    }
    to_stderr(format_args!("error: cannot write the output: {e}\n"));
    std::process::exit(1)
}

/// Writes to standard error; if that fails too there is nowhere left to say so.
pub fn to_stderr(args: std::fmt::Arguments) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

pub fn json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(value).map_err(|e| CliError::Internal(e.to_string()))?;
    println!("{s}");
    Ok(())
}

/// Prints `value` as JSON, or runs `text` to print it for people. For an answer that is
/// not a list: `commands::run` refuses `--format csv` for these before doing anything.
pub fn emit<T: Serialize>(
    format: Format,
    value: &T,
    text: impl FnOnce(&T),
) -> Result<(), CliError> {
    match format {
        Format::Json => json(value),
        Format::Text => {
            text(value);
            Ok(())
        }
        Format::Csv => Err(CliError::Internal("this answer has no CSV form".into())),
    }
}

/// Prints a listing as JSON, as CSV (`header` and the `rows` of it), or for people.
pub fn emit_list<T: Serialize>(
    format: Format,
    value: &T,
    header: &[&str],
    rows: impl FnOnce(&T) -> Vec<Vec<String>>,
    text: impl FnOnce(&T),
) -> Result<(), CliError> {
    match format {
        Format::Csv => csv(header, &rows(value)),
        _ => emit(format, value, text),
    }
}

/// Prints a header row and rows as CSV, through the one CSV writer (`vires_app::csv`,
/// which keeps a cell from starting a spreadsheet formula).
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> Result<(), CliError> {
    let text = vires_app::csv::write(header, rows)
        .map_err(|e| CliError::Internal(format!("writing CSV: {e}")))?;
    print!("{text}");
    Ok(())
}

/// An optional date as a CSV cell: empty when there is none (an open end).
pub fn date_cell(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

pub fn proof_line(proof: &[Arc<ProofStep>]) -> String {
    proof
        .iter()
        .map(|p| p.instrument.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A holder of `function` as `who` shows it: body, role, the part of the function it holds
/// (when it holds a part only), the part of the place, and the proof; a row gathering
/// several holdings shows the first few chains and how many more.
pub fn holder_text(h: &Holder, function: &str) {
    let purposes = if h.purposes.is_empty() {
        String::new()
    } else {
        format!("  only for: {}", h.purposes.join(", "))
    };
    // A holding of a function below the one asked about holds that part of it.
    let below = h.function.len() > function.len()
        && h.function.starts_with(function)
        && h.function.as_bytes().get(function.len()) == Some(&b'.');
    let purposes = if below {
        format!("  for part: {}{purposes}", h.function)
    } else {
        purposes
    };
    let partial = match (&h.coverage, &h.part) {
        (vires_core::Coverage::Full, _) => String::new(),
        (_, Some(part)) if part.area.is_empty() => {
            format!("  (part: {} of {} practices)", part.practices, part.of)
        }
        (_, Some(part)) => format!(
            "  (part: {} of {} practices, {})",
            part.practices,
            part.of,
            part.area.join(" + ")
        ),
        (_, None) => "  (part of the place)".to_string(),
    };
    let width = width();
    // The whole name, wrapped under itself if the terminal is narrow.
    let line = format!(
        "{:<13} accountable {}{purposes}{partial}",
        h.role.as_str(),
        h.accountable
    );
    let name = if h.name.chars().count() <= 48 {
        format!("{:<48} {line}", h.name)
    } else {
        format!("{} {line}", h.name)
    };
    println!("  {:<6} {}", h.body, wrap(&name, 9, 9, width));
    if h.holdings.is_empty() {
        proof_lines(&h.proof, width);
        return;
    }
    println!(
        "         by {} holdings, each with its own proof:",
        h.holdings.len()
    );
    for held in h.holdings.iter().take(SHOWN_HOLDINGS) {
        let part = match &held.part {
            Some(p) if p.area.is_empty() => format!("{} of {} practices", p.practices, p.of),
            Some(p) => format!(
                "{} of {} practices, {}",
                p.practices,
                p.of,
                p.area.join(" + ")
            ),
            None => "all of the place".to_string(),
        };
        println!("         - {}", wrap(&part, 11, 11, width));
        proof_lines(&held.proof, width);
    }
    if let Some(more) = h
        .holdings
        .len()
        .checked_sub(SHOWN_HOLDINGS)
        .filter(|&n| n > 0)
    {
        println!(
            "         and {more} more holdings (`--format json` lists every one with its proof)"
        );
    }
}

/// How many of the holdings a row gathers `who` shows as text.
const SHOWN_HOLDINGS: usize = 3;

fn proof_lines(proof: &[Arc<ProofStep>], width: Option<usize>) {
    for (n, step) in proof.iter().enumerate() {
        let basis = step.basis.as_deref().unwrap_or("-");
        let arrow = if n == 0 { "proof:" } else { "     →" };
        let lead = format!("         {arrow} {:<28} ", step.instrument);
        let indent = lead.chars().count();
        println!("{lead}{}", wrap(basis, indent, indent, width));
    }
}

/// The end of a period for people: the date, or "open" when it has none.
pub fn until_text(until: Option<jiff::civil::Date>) -> String {
    until.map_or_else(|| "open".to_string(), |d| d.to_string())
}

/// The last day of a period, for "FROM to LAST" in text: the day before its (exclusive)
/// end, as caveats, docs/data.md and the web pages write a period; "open" when it has none.
/// CSV and JSON keep the exclusive `until` of the contract.
pub fn last_day_text(until: Option<jiff::civil::Date>) -> String {
    until.map_or_else(
        || "open".to_string(),
        |d| d.yesterday().unwrap_or(d).to_string(),
    )
}

/// The width to wrap text to: the terminal's when standard output is one, or `COLUMNS` if
/// set; otherwise none (a file or a pipe gets each row on one line, for grep and cut).
pub fn width() -> Option<usize> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        let term = terminal_size::terminal_size().map(|(w, _)| w.0 as usize);
        Some(columns.or(term).unwrap_or(80))
    } else {
        columns
    }
}

/// `text` wrapped to `width` (if any), every line after the first indented by `indent`
/// spaces: nothing is cut, long words stay whole.
pub fn wrap(text: &str, first_column: usize, indent: usize, width: Option<usize>) -> String {
    let Some(width) = width else {
        return text.to_string();
    };
    let filled = fill(text, first_column, indent, width);
    filled.get(first_column..).unwrap_or_default().to_string()
}

/// `text` filled to `width` with its first line indented by `first_column` spaces and the
/// others by `indent`. Lines break at spaces only: ids, codes and function names
/// (nhse-icb-pod-2023, commissioning.secondary-care) stay whole, to be copied.
fn fill(text: &str, first_column: usize, indent: usize, width: usize) -> String {
    let (first, rest) = (" ".repeat(first_column), " ".repeat(indent));
    // At least 20 characters of text a line, however narrow the terminal.
    let width = width.max(first_column.max(indent) + 20);
    let opts = textwrap::Options::new(width)
        .initial_indent(&first)
        .subsequent_indent(&rest)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::fill(text, opts)
}

/// A report of many lines wrapped to the terminal (see [`width`]): each line keeps its own
/// indent, and a line that wraps goes on under the text after its indent and any list mark
/// (`+ `, `- `, `* `), so the lists stay readable. Nothing is cut; without a width (a file
/// or a pipe) the text is returned as it is.
pub fn wrap_lines(text: &str) -> String {
    let Some(w) = width() else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let lead = body.len() - body.trim_start_matches(' ').len();
        let rest = &body[lead..];
        let mark = ["+ ", "- ", "* "]
            .iter()
            .find(|m| rest.starts_with(**m))
            .map_or(0, |m| m.len());
        out.push_str(&fill(rest, lead, lead + mark, w));
        out.push_str(newline);
    }
    out
}

/// A table for people: a header row, columns as wide as their widest cell, and the last
/// column (a name or a description) wrapped to the terminal rather than cut. A column given
/// a most width ([`Table::at_most`]) wraps a longer cell onto more lines within it, so one
/// long value does not push the others aside. A line break in the last cell starts a line.
pub struct Table {
    header: Vec<&'static str>,
    at_most: Vec<Option<usize>>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&'static str]) -> Table {
        Table {
            header: header.to_vec(),
            at_most: vec![None; header.len()],
            rows: Vec::new(),
        }
    }

    /// Column `column` (not the last) is at most `width` characters wide.
    pub fn at_most(mut self, column: usize, width: usize) -> Table {
        if let Some(w) = self.at_most.get_mut(column) {
            *w = Some(width.max(1));
        }
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn print(&self) {
        let n = self.header.len();
        // Without a width (a file or a pipe) every row stays on one line, for grep and cut.
        let term = width();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n.saturating_sub(1)) {
                let w = c.chars().count();
                let most = self.at_most[i].filter(|_| term.is_some());
                widths[i] = widths[i].max(most.map_or(w, |most| w.min(most)));
            }
        }
        let lead: usize = widths.iter().take(n.saturating_sub(1)).map(|w| w + 2).sum();
        // The last column's width: the rest of the terminal, at least 20 characters.
        let last = term.map(|w| w.saturating_sub(lead).max(20));
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let columns: Vec<Vec<String>> = cells
                .enumerate()
                .map(|(i, c)| {
                    if i + 1 == n {
                        c.split('\n')
                            .flat_map(|part| lines(part, last, true))
                            .collect()
                    } else if c.chars().count() > widths[i] {
                        lines(c, Some(widths[i]), true)
                    } else {
                        vec![c.to_string()]
                    }
                })
                .collect();
            let height = columns.iter().map(Vec::len).max().unwrap_or(1);
            for k in 0..height {
                let mut s = String::new();
                for (i, col) in columns.iter().enumerate() {
                    let c = col.get(k).map_or("", String::as_str);
                    s.push_str(c);
                    if i + 1 < n {
                        s.push_str(&" ".repeat((widths[i] + 2).saturating_sub(c.chars().count())));
                    }
                }
                println!("{}", s.trim_end());
            }
        };
        line(&mut self.header.iter().copied());
        for r in &self.rows {
            line(&mut r.iter().map(String::as_str));
        }
    }
}

/// `text` as lines of at most `width` characters (whole words; with `break_words` a word
/// longer than a line is split across lines rather than overflowing). Nothing is cut.
fn lines(text: &str, width: Option<usize>, break_words: bool) -> Vec<String> {
    let Some(width) = width else {
        return vec![text.to_string()];
    };
    let opts = textwrap::Options::new(width.max(1))
        .break_words(break_words)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let out: Vec<String> = textwrap::wrap(text, opts)
        .into_iter()
        .map(|l| l.into_owned())
        .collect();
    if out.is_empty() {
        vec![String::new()]
    } else {
        out
    }
}

/// Where an answer is about, in words, for the line that opens it: "at practice A85001",
/// "in Bolton (E08000001), the council's area" for a council (answered as its named area),
/// "in the footprint of QHM (NHS North East and North Cumbria Integrated Care Board)",
/// "in England". The codes stay beside the names, so the line can still be searched by code.
/// Without a date (a timeline) a body is named by its code alone: a code's body and name
/// change over time (13T was a CCG, then a sub-ICB location).
pub fn place_text(
    s: &vires_core::Snapshot,
    place: &vires_core::Place,
    on: Option<jiff::civil::Date>,
) -> String {
    use vires_core::{BodyKind, Place};
    let reg = s.register();
    let day = on.unwrap_or_else(vires_app::today);
    let council = |code: &str| {
        reg.body_at(code, day)
            .is_some_and(|b| reg.body(b).kind == BodyKind::LocalAuthority)
    };
    let area = |id: &str, name: &str| {
        if council(id) {
            format!("in {name} ({id}), the council's area")
        } else {
            format!("in {name} ({id})")
        }
    };
    match place {
        Place::Practice(code) => format!("at practice {code}"),
        Place::England => "in England".to_string(),
        Place::Area(id) => match reg.area(id) {
            Some(a) => area(id, &a.name),
            None => format!("in area {id}"),
        },
        Place::Body(code) => {
            let Some(b) = reg.body_at(code, day) else {
                return format!("in the footprint of {code}");
            };
            match (s.body_as_area(b, day), on) {
                (Some(a), _) => area(code, &a.name),
                (None, Some(_)) => format!("in the footprint of {code} ({})", reg.body(b).name),
                (None, None) => format!("in the footprint of {code}"),
            }
        }
    }
}

/// "practice A85001 Fell Tower Medical Centre, NE9 5EY; in 13T ..., part of QHM ..." for a
/// practice on a date: what the user typed a code for, by name, and the bodies it sits in.
pub fn practice_line(
    s: &vires_core::Snapshot,
    code: &str,
    on: jiff::civil::Date,
) -> Option<String> {
    let reg = s.register();
    let id = reg.practice_id(code)?;
    let a = &reg.practices[id.0 as usize];
    let mut line = format!("  practice {} {}", a.code, a.name);
    if let Some(p) = &a.postcode {
        line.push_str(&format!(", {p}"));
    }
    let within = vires_core::search::within(s, id, on);
    if within.is_empty() {
        line.push_str(&format!("; in no commissioner's list on {on}"));
    } else {
        let w: Vec<String> = within
            .iter()
            .map(|w| format!("{} {}", w.code, w.name))
            .collect();
        line.push_str(&format!("; in {}", w.join(", part of ")));
    }
    Some(wrap(&line, 0, 4, width()))
}

/// The caveats of an answer in one CSV cell: `kind: message`, separated by ` | `.
pub fn caveats_cell(caveats: &[vires_core::Caveat]) -> String {
    caveats
        .iter()
        .map(|c| format!("{}: {}", c.kind.as_str(), c.message))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The caveats of an answer, each on its own lines beside the answer (not in a footnote).
pub fn caveat_lines(caveats: &[vires_core::Caveat]) {
    let width = width();
    for c in caveats {
        let line = format!("! {}: {}", c.kind.as_str(), c.message);
        println!("  {}", wrap(&line, 2, 4, width));
        if !c.source.is_empty() {
            let source = format!("source: {}", c.source);
            println!("    {}", wrap(&source, 4, 6, width));
        }
    }
}
