//! The lossless JSON form of a document, and its JSON Schema.
//!
//! The JSON is the document tree itself (records, fields, values, comments, blank-line
//! marks and byte spans), so `print(from_json(to_json(parse(text))))` is `format(text)`.
//! Reading JSON checks that the tree can be written as text and read back unchanged, so a
//! tool that writes JSON cannot smuggle in what the text form cannot say.

use crate::ast::Document;
use crate::error::{Error, Errors};
use crate::format::{normalise_layout, print};
use crate::parser::parse;

/// The document as pretty-printed JSON.
pub fn to_json(doc: &Document) -> String {
    // The tree has only string-keyed maps and plain values, so serialisation cannot fail;
    // the fallback keeps this total without a panic path.
    serde_json::to_string_pretty(doc)
        .unwrap_or_else(|e| format!("{{\"error\": {:?}}}", e.to_string()))
}

/// Reads a document from JSON, checking it can be written as `.vires` text unchanged.
pub fn from_json(json: &str) -> Result<Document, Errors> {
    let doc: Document = serde_json::from_str(json).map_err(|e| {
        Errors(vec![Error::new(
            "J001",
            format!("not a .vires document in JSON: {e}"),
            "see docs/vires.schema.json for the shape (vires_lang::to_json writes it)",
            None,
        )])
    })?;
    let text = print(&doc);
    let (back, errors) = parse(doc.file, &text);
    if !errors.is_empty() {
        return Err(Errors(
            errors
                .into_iter()
                .map(|e| {
                    let at = e
                        .span
                        .and_then(|s| text.get(s.start as usize..s.end as usize))
                        .map(|s| format!(" at `{s}`"))
                        .unwrap_or_default();
                    Error::new(
                        "J002",
                        format!("the document cannot be written as text: {}{at}", e.message),
                        e.help,
                        None,
                    )
                })
                .collect(),
        ));
    }
    let mut expected = doc.without_spans();
    normalise_layout(&mut expected);
    let back = back.without_spans();
    if expected != back {
        let which = expected
            .items
            .iter()
            .zip(back.items.iter())
            .position(|(p, q)| p != q)
            .unwrap_or(expected.items.len().min(back.items.len()));
        return Err(Errors(vec![Error::new(
            "J002",
            format!("item {which} of the document would change when written as text"),
            "words may hold only letters, digits, `_`, `.` and `-`; comments cannot hold line breaks; comment blocks cannot be empty; area names cannot be `england`, `own`, `footprint` or `practices`",
            None,
        )]));
    }
    Ok(doc)
}

/// The JSON Schema of the document form, as pretty-printed JSON.
///
/// Keys are sorted: whether `serde_json` keeps insertion order depends on the features other
/// crates of a build enable, and the published file must not change with them.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Document);
    let value = sorted(serde_json::to_value(&schema).unwrap_or_default());
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

fn sorted(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
