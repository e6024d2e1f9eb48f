//! The formatter and the JSON form: idempotence, comments kept, lossless round trips, schema.

use vires_lang::*;

const FIXTURES: &[(&str, &str)] = &[
    (
        "co-commissioning",
        include_str!("fixtures/co-commissioning.vires"),
    ),
    (
        "covid-direction",
        include_str!("fixtures/covid-direction.vires"),
    ),
    (
        "support-mandate",
        include_str!("fixtures/support-mandate.vires"),
    ),
    ("taxonomy", include_str!("../prelude/taxonomy.vires")),
    ("powers", include_str!("../prelude/powers.vires")),
    ("bodies", include_str!("../prelude/bodies.vires")),
];

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find("//").map(|i| l[i..].trim_end().to_string()))
        .collect()
}

#[test]
fn formatting_is_idempotent_and_keeps_every_comment_in_order() {
    for (name, text) in FIXTURES {
        let once = format(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let twice = format(&once).unwrap_or_else(|e| panic!("{name} (formatted): {e}"));
        assert_eq!(once, twice, "{name}: not idempotent");
        assert_eq!(comments(text), comments(&once), "{name}: comments changed");
    }
}

#[test]
fn prelude_files_are_already_formatted() {
    for (name, text) in &FIXTURES[3..] {
        let f = format(text).unwrap();
        assert_eq!(
            &f, text,
            "{name} is not in canonical layout; run the formatter on it"
        );
    }
}

#[test]
fn canonical_layout() {
    let messy = r#"// lead
delegation "Primary medical services"{ by X24 to 13T // who
functions commissioning.primary-care.medical from 2016-04-01
    // last
}   // after
body 13T{name "N"   kind ccg from 2015-04-01}
body 00F { name "A" kind ccg from 2013-04-01 }


practice P { in 13T from 2015-04-01 }
"#;
    let expected = r#"// lead
delegation "Primary medical services" {
  by        X24
  to        13T // who
  functions commissioning.primary-care.medical
  from      2016-04-01
  // last
} // after

body 13T { name "N" kind ccg from 2015-04-01 }
body 00F { name "A" kind ccg from 2013-04-01 }

practice P { in 13T from 2015-04-01 }
"#;
    assert_eq!(format(messy).unwrap(), expected);
    // `from` on the line after `in 13T` is not the membership's, and a practice takes no
    // `from` of its own: an error, not a silent change of meaning.
    let err = format("practice P { in 13T\n from 2015-04-01 }").unwrap_err();
    assert_eq!(err.0[0].code, "P020", "{err}");
}

#[test]
fn membership_dates_on_another_line_belong_to_the_body() {
    let text =
        "body 02Q {\n  name \"x\"\n  kind sub-icb-location\n  in   QT1\n  from 2022-07-01\n}\n";
    let (doc, errors) = parse(0, text);
    assert!(errors.is_empty(), "{errors:?}");
    let ast::Item::Record(r) = &doc.items[0] else {
        panic!()
    };
    assert!(r.field(ast::Key::From).is_some(), "from is the body's");
    // Written on one line it would change meaning, so the formatter keeps it multi-line.
    assert_eq!(format(text).unwrap(), text);
}

#[test]
fn long_lists_wrap_after_commas_and_read_back() {
    let ids: Vec<String> = (0..30).map(|i| format!("purpose-number-{i}")).collect();
    let text = format!(
        "direction \"d\" {{ purposes {} from 2020-01-01 }}",
        ids.join(", ")
    );
    let f = format(&text).unwrap();
    assert!(f.lines().all(|l| l.len() <= 100), "{f}");
    assert!(f.lines().count() > 5);
    assert_eq!(format(&f).unwrap(), f);
    let (doc, _) = parse(0, &f);
    let ast::Item::Record(r) = &doc.items[0] else {
        panic!()
    };
    let Some(ast::Field {
        value: ast::Value::Words(w),
        ..
    }) = r.field(ast::Key::Purposes)
    else {
        panic!()
    };
    assert_eq!(w.len(), 30);
}

#[test]
fn stand_alone_comments_stay_apart() {
    let text = "// file header\n\nbody A { name \"a\" kind ccg from 2013-04-01 }\n\n// trailer\n";
    assert_eq!(format(text).unwrap(), text);
    let (doc, _) = parse(0, text);
    assert_eq!(doc.items.len(), 3);
}

#[test]
fn json_round_trip_is_lossless() {
    for (name, text) in FIXTURES {
        let (doc, errors) = parse(0, text);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let json = to_json(&doc);
        let back = from_json(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, doc, "{name}: JSON changed the tree");
        assert_eq!(print(&back), format(text).unwrap(), "{name}");
    }
}

#[test]
fn json_that_text_cannot_say_is_refused() {
    let (doc, _) = parse(0, "body A { name \"a\" kind ccg from 2013-04-01 }");
    let json = to_json(&doc).replace("\"A\"", "\"A B\"");
    let err = from_json(&json).unwrap_err();
    assert_eq!(err.0[0].code, "J002", "{err}");
    let err = from_json("{\"items\": [{\"item\": \"nope\"}]}").unwrap_err();
    assert_eq!(err.0[0].code, "J001");
    let json = to_json(&doc).replace("\"2013-04-01\"", "\"2013-02-30\"");
    assert_eq!(from_json(&json).unwrap_err().0[0].code, "J002");
}

#[test]
fn schema_file_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vires.schema.json");
    let fresh = schema();
    if std::env::var_os("VIRES_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &fresh).unwrap();
    }
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == fresh,
        "docs/vires.schema.json is stale: run `VIRES_UPDATE_SCHEMA=1 cargo test -p vires-lang --test format`"
    );
    let v: serde_json::Value = serde_json::from_str(&fresh).unwrap();
    assert_eq!(v["title"], "Document");
}

#[test]
fn every_example_in_the_language_docs_parses_and_is_formatted() {
    let doc = include_str!("../../../docs/language.md");
    let mut blocks = 0;
    for (i, block) in doc.split("```vires\n").skip(1).enumerate() {
        let code = block.split("```").next().unwrap();
        let (_, errors) = parse(0, code);
        assert!(errors.is_empty(), "docs block {i}: {errors:?}\n{code}");
        // Blocks that elide fields with `…` are sketches; the rest must be canonical.
        if !code.contains('…') {
            assert_eq!(
                format(code).unwrap(),
                code,
                "docs block {i} is not in canonical layout"
            );
        }
        blocks += 1;
    }
    assert!(blocks >= 8, "{blocks}");
}
