//! The formatter: writes a [`Document`] in the canonical layout.
//!
//! Canonical means: one field per line with field names aligned inside each record, two
//! spaces of indent, a blank line around every multi-line record, and short declarations
//! (functions, bodies, practices, areas, successions) on one line when they fit. Comments
//! stay where they were attached. The layout is a function of the tree alone, so
//! formatting is idempotent.

use crate::ast::*;
use crate::error::Errors;
use crate::parser::parse;

/// Lines longer than this are wrapped after a comma (lists) or kept multi-line (records).
pub const WIDTH: usize = 100;

/// Parses `text` and writes it in the canonical layout; fails with every parse error.
pub fn format(text: &str) -> Result<String, Errors> {
    let (doc, errors) = parse(0, text);
    if errors.is_empty() {
        Ok(print(&doc))
    } else {
        Err(Errors(errors))
    }
}

/// Writes a document as `.vires` text.
pub fn print(doc: &Document) -> String {
    let mut out = String::new();
    let mut prev_multi: Option<bool> = None;
    for item in &doc.items {
        let (this_multi, blank, is_block) = match item {
            Item::Record(r) => (!one_line(r), r.blank_before, false),
            Item::Comments(b) => (false, b.blank_before, true),
        };
        if let Some(pm) = prev_multi {
            if blank || pm || this_multi {
                out.push('\n');
            }
        }
        match item {
            Item::Record(r) => print_record(&mut out, r),
            Item::Comments(b) => {
                for c in &b.comments {
                    push_comment(&mut out, "", c);
                }
            }
        }
        // A stand-alone comment block is always followed by a blank line, which is what
        // keeps it stand-alone when read back.
        prev_multi = Some(this_multi || is_block);
    }
    out
}

/// Sets each item's `blank_before` to what [`print`] writes, so that a tree read back from
/// printed text compares equal to the tree printed.
pub fn normalise_layout(doc: &mut Document) {
    let mut prev: Option<bool> = None;
    for item in &mut doc.items {
        let (this_multi, is_block) = match item {
            Item::Record(r) => (!one_line(r), false),
            Item::Comments(_) => (false, true),
        };
        let blank = match item {
            Item::Record(r) => &mut r.blank_before,
            Item::Comments(b) => &mut b.blank_before,
        };
        *blank = match prev {
            None => false,
            Some(pm) => *blank || pm || this_multi,
        };
        prev = Some(this_multi || is_block);
    }
}

fn push_comment(out: &mut String, indent: &str, c: &Comment) {
    out.push_str(indent);
    out.push_str("//");
    out.push_str(&c.text);
    out.push('\n');
}

fn trailing(out: &mut String, c: &Option<Comment>) {
    if let Some(c) = c {
        out.push_str(" //");
        out.push_str(&c.text);
    }
}

fn header(r: &Record) -> String {
    let name = match &r.name {
        Name::Word(w) => w.text.clone(),
        Name::Title(s) => quote(&s.value),
    };
    format!("{} {}", r.kind, name)
}

/// Should this record be written on one line?
pub fn one_line(r: &Record) -> bool {
    let short_kind = matches!(
        r.kind,
        RecordKind::Function
            | RecordKind::Body
            | RecordKind::Practice
            | RecordKind::Area
            | RecordKind::Succession
    );
    if !short_kind
        || r.open_comment.is_some()
        || !r.end_comments.is_empty()
        || r.fields
            .iter()
            .any(|f| !f.comments.is_empty() || f.trailing.is_some())
    {
        return false;
    }
    // `in X` followed on the same line by `from`/`until` would read them as the membership's.
    for pair in r.fields.windows(2) {
        if let (Value::Membership(m), next) = (&pair[0].value, pair[1].key) {
            let swallows = m.until.is_none()
                && (next == Key::Until || (next == Key::From && m.from.is_none()));
            if swallows {
                return false;
            }
        }
    }
    one_line_text(r).len() <= WIDTH
}

fn one_line_text(r: &Record) -> String {
    if r.fields.is_empty() {
        return format!("{} {{}}", header(r));
    }
    let mut s = format!("{} {{", header(r));
    for f in &r.fields {
        s.push(' ');
        s.push_str(f.key.as_str());
        let v = value_items(&f.value).join(" ");
        if !v.is_empty() {
            s.push(' ');
            s.push_str(&v);
        }
    }
    s.push_str(" }");
    s
}

fn print_record(out: &mut String, r: &Record) {
    for c in &r.comments {
        push_comment(out, "", c);
    }
    if one_line(r) {
        out.push_str(&one_line_text(r));
        trailing(out, &r.trailing);
        out.push('\n');
        return;
    }
    out.push_str(&header(r));
    if r.fields.is_empty() && r.end_comments.is_empty() && r.open_comment.is_none() {
        out.push_str(" {}");
        trailing(out, &r.trailing);
        out.push('\n');
        return;
    }
    out.push_str(" {");
    trailing(out, &r.open_comment);
    out.push('\n');
    let width = r
        .fields
        .iter()
        .map(|f| f.key.as_str().len())
        .max()
        .unwrap_or(0);
    for f in &r.fields {
        for c in &f.comments {
            push_comment(out, "  ", c);
        }
        let items = value_items(&f.value);
        let mut line = format!("  {:<width$}", f.key.as_str());
        if items.is_empty() {
            out.push_str(line.trim_end());
        } else {
            line.push(' ');
            let col = line.len();
            out.push_str(&line);
            out.push_str(&wrap(&items, col));
        }
        trailing(out, &f.trailing);
        out.push('\n');
    }
    for c in &r.end_comments {
        push_comment(out, "  ", c);
    }
    out.push('}');
    trailing(out, &r.trailing);
    out.push('\n');
}

/// Joins the pieces of a value with single spaces, breaking after a comma when a line would
/// pass [`WIDTH`]; continuation lines start at column `col`.
fn wrap(items: &[String], col: usize) -> String {
    let mut s = String::new();
    let mut len = col;
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            let breakable = items[i - 1].ends_with(',');
            if breakable && len + 1 + it.len() > WIDTH {
                s.push('\n');
                s.push_str(&" ".repeat(col));
                len = col;
            } else {
                s.push(' ');
                len += 1;
            }
        }
        s.push_str(it);
        len += it.len();
    }
    s
}

fn list<T>(v: &[T], f: impl Fn(&T) -> String) -> Vec<String> {
    let n = v.len();
    v.iter()
        .enumerate()
        .map(|(i, x)| {
            let mut s = f(x);
            if i + 1 < n {
                s.push(',');
            }
            s
        })
        .collect()
}

/// The value as space-separated pieces (list items carry their commas).
fn value_items(v: &Value) -> Vec<String> {
    match v {
        Value::Str(s) => vec![quote(&s.value)],
        Value::Strs(v) => list(v, |s| quote(&s.value)),
        Value::Word(w) | Value::Date(w) => vec![w.text.clone()],
        Value::Words(v) => list(v, |w| w.text.clone()),
        Value::Flag(w) => w.iter().map(|w| w.text.clone()).collect(),
        Value::Receivers(Receivers::Every { kind, .. }) => vec!["every".into(), kind.text.clone()],
        Value::Receivers(Receivers::Bodies(v)) => list(v, |w| w.text.clone()),
        Value::Area(a) => vec![area_text(a)],
        Value::Membership(m) => {
            let mut v = vec![m.body.text.clone()];
            if let Some(d) = &m.from {
                v.push(format!("from {}", d.text));
            }
            if let Some(d) = &m.until {
                v.push(format!("until {}", d.text));
            }
            v
        }
        Value::Merging(m) => {
            let mut v = list(&m.predecessors, |w| w.text.clone());
            v.push(format!("into {}", m.into.text));
            v
        }
        Value::Change(c) => match &c.what {
            ChangeValue::Until(d) => vec![format!("until {}", d.text)],
            ChangeValue::Purposes(ws) => {
                let mut v = vec!["purposes".to_string()];
                v.extend(list(ws, |w| w.text.clone()));
                v
            }
            ChangeValue::Area(a) => vec![format!("area {}", area_text(a))],
        },
    }
}

/// An area expression as text.
pub fn area_text(a: &Area) -> String {
    a.terms
        .iter()
        .map(|t| match t {
            AreaTerm::England { .. } => "england".to_string(),
            AreaTerm::Own { .. } => "own".to_string(),
            AreaTerm::Footprint { code, .. } => format!("footprint({})", code.text),
            AreaTerm::Practices { codes, .. } => format!(
                "practices({})",
                codes
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            AreaTerm::Named { id } => id.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A string literal for `s`, escaping what the lexer would not read back.
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            c if c.is_control() => q.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}
