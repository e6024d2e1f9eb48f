//! Property tests: random trees print and read back unchanged; formatting is idempotent;
//! no input makes the parser, formatter, lowering or renderer panic.

use proptest::prelude::*;
use vires_lang::ast::*;
use vires_lang::{format, from_json, lower, parse, print, render, to_json, Sources};

/// A small deterministic generator, so one proptest seed drives the shape of a tree while
/// proptest supplies (and shrinks) the words, strings and comments it is filled with.
struct Gen<'a> {
    state: u64,
    words: &'a [String],
    strings: &'a [String],
    comments: &'a [String],
}

impl Gen<'_> {
    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, in_n: usize) -> bool {
        self.below(in_n) == 0
    }
    fn word(&mut self) -> Word {
        let w = self.words[self.below(self.words.len())].clone();
        Word::new(w, ByteSpan::default())
    }
    fn words(&mut self) -> Vec<Word> {
        (0..1 + self.below(4)).map(|_| self.word()).collect()
    }
    /// A word that is not one of the area keywords (they would read back as keywords).
    fn area_name(&mut self) -> Word {
        let mut w = self.word();
        if matches!(
            w.text.as_str(),
            "england" | "own" | "footprint" | "practices"
        ) {
            w.text.push('x');
        }
        w
    }
    fn str(&mut self) -> Str {
        Str {
            value: self.strings[self.below(self.strings.len())].clone(),
            span: ByteSpan::default(),
        }
    }
    fn comment(&mut self) -> Comment {
        Comment {
            text: self.comments[self.below(self.comments.len())].clone(),
            span: ByteSpan::default(),
        }
    }
    fn comments(&mut self, max: usize) -> Vec<Comment> {
        if self.chance(3) {
            (0..1 + self.below(max)).map(|_| self.comment()).collect()
        } else {
            Vec::new()
        }
    }
    fn opt_comment(&mut self) -> Option<Comment> {
        self.chance(4).then(|| self.comment())
    }
    fn date(&mut self) -> Word {
        let (y, m, d) = (
            1900 + self.below(200),
            1 + self.below(12),
            1 + self.below(28),
        );
        Word::new(format!("{y:04}-{m:02}-{d:02}"), ByteSpan::default())
    }
    fn area(&mut self) -> Area {
        let terms = (0..1 + self.below(3))
            .map(|_| match self.below(5) {
                0 => AreaTerm::England {
                    span: ByteSpan::default(),
                },
                1 => AreaTerm::Own {
                    span: ByteSpan::default(),
                },
                2 => AreaTerm::Footprint {
                    code: self.word(),
                    span: ByteSpan::default(),
                },
                3 => AreaTerm::Practices {
                    codes: self.words(),
                    span: ByteSpan::default(),
                },
                _ => AreaTerm::Named {
                    id: self.area_name(),
                },
            })
            .collect();
        Area {
            terms,
            span: ByteSpan::default(),
        }
    }
    fn value(&mut self, class: Class) -> Value {
        match class {
            Class::Str => Value::Str(self.str()),
            Class::Strs => Value::Strs((0..1 + self.below(3)).map(|_| self.str()).collect()),
            Class::Word => Value::Word(self.word()),
            Class::Words => Value::Words(self.words()),
            Class::Date => Value::Date(self.date()),
            Class::Flag => Value::Flag(match self.below(3) {
                0 => None,
                1 => Some(Word::new("yes", ByteSpan::default())),
                _ => Some(Word::new("no", ByteSpan::default())),
            }),
            Class::Onward => Value::Word(Word::new(
                if self.chance(2) {
                    "permitted"
                } else {
                    "forbidden"
                },
                ByteSpan::default(),
            )),
            Class::Receivers => Value::Receivers(if self.chance(3) {
                Receivers::Every {
                    kind: self.word(),
                    span: ByteSpan::default(),
                }
            } else {
                let mut ws = self.words();
                if ws[0].text == "every" {
                    ws[0].text = "everyone".into();
                }
                Receivers::Bodies(ws)
            }),
            Class::Area => Value::Area(self.area()),
            Class::Membership => Value::Membership(Membership {
                body: self.word(),
                from: self.chance(2).then(|| self.date()),
                until: self.chance(2).then(|| self.date()),
                span: ByteSpan::default(),
            }),
            Class::Merging => Value::Merging(Merging {
                predecessors: self.words(),
                into: self.word(),
                span: ByteSpan::default(),
            }),
            Class::Change => Value::Change(Change {
                what: match self.below(3) {
                    0 => ChangeValue::Until(self.date()),
                    1 => ChangeValue::Purposes(self.words()),
                    _ => ChangeValue::Area(self.area()),
                },
                span: ByteSpan::default(),
            }),
        }
    }
    fn record(&mut self) -> Record {
        let kind = RecordKind::ALL[self.below(RecordKind::ALL.len())];
        let keys = fields_for(kind);
        let mut fields: Vec<Field> = Vec::new();
        for _ in 0..self.below(8) {
            let key = keys[self.below(keys.len())];
            if !repeatable(key) && fields.iter().any(|f| f.key == key) {
                continue;
            }
            let Ok(class) = field_class(kind, key) else {
                continue;
            };
            fields.push(Field {
                comments: self.comments(2),
                key,
                key_span: ByteSpan::default(),
                value: self.value(class),
                trailing: self.opt_comment(),
                span: ByteSpan::default(),
            });
        }
        let name = if kind.is_instrument() && self.chance(2) {
            Name::Title(self.str())
        } else {
            Name::Word(self.word())
        };
        Record {
            comments: self.comments(3),
            blank_before: self.chance(2),
            kind,
            kind_span: ByteSpan::default(),
            name,
            open_comment: self.opt_comment(),
            fields,
            end_comments: self.comments(2),
            trailing: self.opt_comment(),
            span: ByteSpan::default(),
        }
    }
    fn document(&mut self) -> Document {
        let items = (0..self.below(6))
            .map(|_| {
                if self.chance(5) {
                    let n = 1 + self.below(3);
                    Item::Comments(CommentBlock {
                        comments: (0..n).map(|_| self.comment()).collect(),
                        blank_before: self.chance(2),
                    })
                } else {
                    Item::Record(self.record())
                }
            })
            .collect();
        Document { file: 0, items }
    }
}

fn word_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_.-]{1,12}",
        // Words that are also keywords must read back as values where a value is due.
        prop::sample::select(vec![
            "from",
            "until",
            "in",
            "every",
            "into",
            "area",
            "by",
            "to",
            "yes",
            "no",
            "ccg",
            "body",
            "delegation",
            "england",
            "own",
            "footprint",
            "practices",
            "set",
            "purposes",
        ])
        .prop_map(String::from),
    ]
}

fn comment_strategy() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| s.replace(['\n'], " ").trim_end().to_string())
}

fn pools() -> impl Strategy<Value = (u64, Vec<String>, Vec<String>, Vec<String>)> {
    (
        any::<u64>().prop_map(|s| s | 1),
        prop::collection::vec(word_strategy(), 1..12),
        prop::collection::vec(any::<String>(), 1..6),
        prop::collection::vec(comment_strategy(), 1..6),
    )
}

fn normalised(doc: &Document) -> Document {
    let mut d = doc.without_spans();
    vires_lang::format::normalise_layout(&mut d);
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn printed_trees_read_back_unchanged((seed, words, strings, comments) in pools()) {
        let mut g = Gen { state: seed, words: &words, strings: &strings, comments: &comments };
        let doc = g.document();
        let text = print(&doc);
        let (back, errors) = parse(0, &text);
        prop_assert!(errors.is_empty(), "{errors:?}\n{text}");
        prop_assert_eq!(normalised(&doc), back.without_spans(), "\n{}", text);
        // Printed text is canonical: formatting it changes nothing, twice over.
        let f = format(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&f, &text);
        // And the JSON form carries it losslessly.
        let j = from_json(&to_json(&back)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(print(&j), text);
    }

    #[test]
    fn spans_of_read_back_trees_point_at_their_words((seed, words, strings, comments) in pools()) {
        let mut g = Gen { state: seed, words: &words, strings: &strings, comments: &comments };
        let text = print(&g.document());
        let (back, _) = parse(0, &text);
        for item in &back.items {
            if let Item::Record(r) = item {
                prop_assert_eq!(&text[r.kind_span.start as usize..r.kind_span.end as usize], r.kind.as_str());
                for f in &r.fields {
                    prop_assert_eq!(&text[f.key_span.start as usize..f.key_span.end as usize], f.key.as_str());
                    if let Value::Word(w) | Value::Date(w) = &f.value {
                        prop_assert_eq!(&text[w.span.start as usize..w.span.end as usize], w.text.as_str());
                    }
                    prop_assert!(f.span.start <= f.value_span().start && f.value_span().end <= f.span.end);
                }
            }
        }
    }

    #[test]
    fn formatting_messy_text_is_idempotent(
        fixture in 0usize..4,
        spaces in prop::collection::vec((0usize..4000, 1usize..4), 0..20),
        blanks in prop::collection::vec(0usize..200, 0..6),
    ) {
        let text = [
            include_str!("fixtures/co-commissioning.vires"),
            include_str!("fixtures/covid-direction.vires"),
            include_str!("fixtures/support-mandate.vires"),
            include_str!("../prelude/powers.vires"),
        ][fixture];
        // Widen some runs of spaces outside strings and comments, add some blank lines.
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        for (at, n) in spaces {
            let i = at % lines.len();
            let l = &lines[i];
            if l.contains('"') || l.contains("//") {
                continue;
            }
            lines[i] = l.replacen(' ', &" ".repeat(n + 1), 1);
        }
        for b in blanks {
            let i = b % lines.len();
            lines.insert(i, String::new());
        }
        let messy = lines.join("\n");
        let once = format(&messy).map_err(|e| TestCaseError::fail(format!("{e}\n{messy}")))?;
        let twice = format(&once).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check_total(&text);
    }

    #[test]
    fn token_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "body", "delegation", "practice", "area", "amend", "set", "until", "from", "in", "every",
        "merging", "into", "footprint", "(", ")", "{", "}", ",", "+", "\"", "\"x\"", "\\", "//c",
        "\n", " ", "2020-01-01", "2020-02-30", "X24", "concurrent", "yes", "onward", "own",
        "name", "kind", "ccg", "is", "practices", "é", "\"\\u{", "\u{0}", ";",
    ]), 0..60)) {
        check_total(&parts.concat());
    }
}

/// Everything a user can do with a text completes without a panic.
fn check_total(text: &str) {
    let (doc, errors) = parse(0, text);
    let mut sources = Sources::new();
    sources.add("t.vires", text);
    let _ = render(&sources, &errors, &[], false);
    let _ = format(text);
    let printed = print(&doc);
    let _ = parse(0, &printed);
    let (_, lower_errors) = lower(std::slice::from_ref(&doc));
    let _ = render(&sources, &lower_errors, &[], false);
    let _ = from_json(&to_json(&doc));
    let _ = vires_core::Snapshot::compile(vires_lang::load_with_prelude(&sources).register);
}
