//! Parse and lowering errors: codes, exact positions, several per run, rendering.

use vires_lang::*;

fn positions(name: &str, text: &str) -> Vec<(&'static str, usize, usize)> {
    let mut sources = Sources::new();
    let file = sources.add(name, text);
    let (_, errors) = parse(file, text);
    errors
        .iter()
        .map(|e| {
            let (l, c) = e.span.and_then(|s| sources.line_col(s)).unwrap_or((0, 0));
            (e.code, l, c)
        })
        .collect()
}

#[test]
fn one_run_reports_every_independent_error_at_its_exact_place() {
    let text = include_str!("fixtures/errors.vires");
    assert_eq!(
        positions("errors.vires", text),
        vec![
            ("P031", 1, 61),  // 2015-13-01
            ("P020", 6, 3),   // functon
            ("P033", 8, 13),  // onward maybe
            ("P021", 10, 3),  // set in a delegation
            ("P001", 11, 13), // unterminated string
            ("P010", 14, 1),  // bdy
            ("P013", 15, 1),  // practice not closed
            ("P020", 16, 32), // 2017 after from's value
        ]
    );
}

#[test]
fn records_after_errors_are_still_read() {
    let text = include_str!("fixtures/errors.vires");
    let (doc, _) = parse(0, text);
    // body 13T has a bad date (dropped field, record kept); the delegation, the practice
    // and the last delegation are all in the tree.
    let kinds: Vec<String> = doc
        .items
        .iter()
        .filter_map(|i| match i {
            ast::Item::Record(r) => Some(r.kind.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, ["body", "delegation", "practice", "delegation"]);
}

#[test]
fn spans_count_characters_not_bytes_for_columns() {
    // "é" is two bytes; the column of `kinnd` must still be 23.
    let text = "body X { name \"é\" kinnd ccg }";
    let p = positions("x.vires", text);
    assert_eq!(p, vec![("P020", 1, 19)]);
    let text = "// café\nbody X { name \"é\" kinnd ccg }";
    assert_eq!(positions("x.vires", text), vec![("P020", 2, 19)]);
}

#[test]
fn individual_errors() {
    let cases: &[(&str, &str, usize, usize)] = &[
        (
            "body X { name \"a\" kind ccg from 2020-02-30 }",
            "P031",
            1,
            33,
        ),
        ("body X { name abc }", "P030", 1, 15),
        ("body \"X\" { }", "P011", 1, 6),
        ("delegation { from 2020-01-01 }", "P011", 1, 1),
        ("body X name \"a\" }", "P012", 1, 8),
        ("body X { name \"a\"", "P013", 1, 1),
        ("body X { name \"a\" name \"b\" }", "P022", 1, 19),
        ("direction \"d\" { concurrent true }", "P032", 1, 28),
        ("amend \"a\" { set when 2020-01-01 }", "P035", 1, 17),
        ("merge \"m\" { merging 00F, 00G 13T }", "P036", 1, 30),
        ("delegation \"d\" { area footprint(13T }", "P034", 1, 37),
        ("delegation \"d\" { functions a, }", "P030", 1, 31),
        ("body X { name \"a\\q\" }", "P003", 1, 17),
        ("body X { name \"a\" ; }", "P002", 1, 19),
        ("}", "P010", 1, 1),
        ("delegation \"d\" {\n  basis\n  by X24\n}", "P030", 2, 3),
    ];
    for (text, code, line, col) in cases {
        let p = positions("t.vires", text);
        assert!(
            p.contains(&(code, *line, *col)),
            "{text:?}: expected {code} at {line}:{col}, got {p:?}"
        );
    }
}

#[test]
fn missing_value_does_not_swallow_the_next_field() {
    let (doc, errors) = parse(
        0,
        "delegation \"d\" {\n  basis\n  by X24\n  from 2020-01-01\n}",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    let ast::Item::Record(r) = &doc.items[0] else {
        panic!()
    };
    assert!(r.field(ast::Key::By).is_some());
    assert!(r.field(ast::Key::From).is_some());
}

#[test]
fn rendering_shows_file_line_col_caret_and_help() {
    let text = include_str!("fixtures/errors.vires");
    let mut sources = Sources::new();
    let f = sources.add("fixtures/errors.vires", text);
    let (_, errors) = parse(f, text);
    let out = render(&sources, &errors, &[], false);
    assert!(out.contains("[fixtures/errors.vires:6:3]"), "{out}");
    assert!(out.contains("did you mean `functions`?"), "{out}");
    assert!(out.contains("P033"), "{out}");
    // One report per error, all in one rendering.
    assert_eq!(out.matches("╭─[").count(), errors.len(), "{out}");
    let carets = out
        .lines()
        .find(|l| l.contains("───────") && l.contains('·'));
    assert!(carets.is_some(), "{out}");
}

#[test]
fn rendering_survives_spans_outside_the_text() {
    let mut sources = Sources::new();
    sources.add("a.vires", "body é");
    let e = Error::new(
        "P999",
        "m",
        "h",
        Some(vires_core::Span {
            file: 0,
            start: 5,
            end: 99,
        }),
    );
    let e2 = Error::new(
        "P999",
        "m",
        "h",
        Some(vires_core::Span {
            file: 7,
            start: 0,
            end: 1,
        }),
    );
    let out = render(&sources, &[e, e2], &[], false);
    assert!(out.contains("source file #7"), "{out}");
}

fn lower_text(text: &str) -> (vires_core::Register, Vec<Error>) {
    let mut sources = Sources::new();
    sources.add("t.vires", text);
    let loaded = load_with_prelude(&sources);
    (loaded.register, loaded.errors)
}

#[test]
fn lowering_errors_are_diagnostics() {
    let (reg, errors) = lower_text(
        "body A { name \"a\" kind cgg from 2013-04-01 }\n\
         body B { name \"b\" kind ccg from 2013-04-01 until 2016-04-01 }\n\
         body B { name \"b2\" kind icb from 2015-04-01 }\n\
         practice P1 { in Z }\n\
         practice P2 { in B from 2017-01-01 }\n\
         practice P1 { }\n\
         power p { kinds delegaton makers nhs-england cites \"s.1\" from 2000-01-01 source \"s\" }\n\
         delegation \"no date\" { by X24 }\n\
         mandate \"m\" { categories gp-it from 2020-01-01 }\n",
    );
    let codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
    assert_eq!(
        codes,
        ["L101", "L103", "L104", "L104", "L105", "L102", "L106", "L109"],
        "{errors:#?}"
    );
    assert!(errors[0].help.contains("did you mean `ccg`?"));
    assert!(
        errors[3].help.contains("2013-04-01..2016-04-01"),
        "{}",
        errors[3].help
    );
    // What could be lowered was.
    assert_eq!(reg.bodies_with_code("B").len(), 1);
    assert!(reg.practice_id("P2").is_some());
}

#[test]
fn text_beyond_the_limit_is_refused_whole() {
    let big = "# a comment line\n".repeat(MAX_SOURCE_BYTES / 17 + 1);
    assert!(big.len() > MAX_SOURCE_BYTES);
    let (doc, errors) = parse(0, &big);
    assert!(doc.items.is_empty());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "P000");
    assert!(
        errors[0].message.contains("at most 64 MiB"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_kind_far_from_any_lists_them_all() {
    // `university` is no kind of body and near none, so the help lists the kinds.
    let (_, errors) = lower_text("body A { name \"a\" kind university from 2013-04-01 }\n");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "L101");
    let help = &errors[0].help;
    assert!(help.starts_with("body kinds are: "), "{help}");
    for kind in ["ccg", "icb", "nhs-england"] {
        assert!(help.contains(kind), "{help}");
    }
    assert!(!help.contains("did you mean"), "{help}");
}
