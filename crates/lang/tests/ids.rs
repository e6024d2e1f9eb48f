//! Ids written in a `.vires` file are held to the one character set (`vires_core::ident`).
//! The language reads an id as a word (letters, digits, `.`, `_`, `-`), so a quoted,
//! path-like id is a parse error; a word that is no id (`..`, `-x`) is an error finding
//! (V024) at its place in the text, and the instrument is void.

use vires_core::Snapshot;
use vires_lang::*;

fn load(id_text: &str) -> (Loaded, String) {
    let text = format!(
        "delegation \"Commissioning to NHS England itself\" {{\n  id {id_text}\n  by X24\n  to X24\n  functions commissioning\n  area england\n  from 2020-04-01\n}}\n"
    );
    let mut sources = Sources::new();
    sources.add("ids.vires", text.clone());
    (load_with_prelude(&sources), text)
}

/// (message, the text the finding points at) of each V024 finding.
fn bad_id_findings(id_text: &str) -> Vec<(String, String)> {
    let (loaded, _) = load(id_text);
    assert!(loaded.errors.is_empty(), "{id_text}: {:?}", loaded.errors);
    let sources = &loaded.sources;
    let snap = Snapshot::compile(loaded.register.clone());
    snap.diagnostics
        .iter()
        .filter(|d| d.code == vires_core::diagnostic::codes::BAD_ID)
        .map(|d| {
            let at = d
                .span
                .and_then(|s| {
                    let f = sources.get(s.file)?;
                    f.text
                        .get(s.start as usize..s.end as usize)
                        .map(str::to_string)
                })
                .unwrap_or_default();
            (d.message.clone(), at)
        })
        .collect()
}

#[test]
fn ids_that_are_no_ids_are_errors_at_their_place() {
    for (written, says) in [("..", "starts with '.'"), ("-x", "starts with '-'")] {
        let found = bad_id_findings(written);
        assert_eq!(found.len(), 1, "{written}: {found:?}");
        let (message, at) = &found[0];
        assert!(message.contains(says), "{written}: {message}");
        assert_eq!(at, written, "the finding points at the id as written");
    }
    assert!(bad_id_findings("x24-to-x24-2020").is_empty());
}

#[test]
fn a_quoted_path_like_id_is_refused_by_the_parser() {
    let (loaded, _) = load("\"weird/../id<x>\"");
    assert!(!loaded.errors.is_empty());
    assert!(loaded
        .register
        .instruments
        .iter()
        .all(|i| !i.id.contains('/')));
}
