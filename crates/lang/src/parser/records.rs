//! A record: its keyword, name and braces, and each field name checked against the
//! fields the record kind allows (with a suggestion for a misspelt one).

use super::*;

impl Parser {
    pub(super) fn record(
        &mut self,
        kind: RecordKind,
        comments: Vec<Comment>,
        blank_before: bool,
    ) -> Option<Record> {
        self.kind = kind;
        let kw = self.bump()?;
        let kind_span = sp(&kw);
        let mut broken = false;
        let name = match self.peek() {
            Some(t) if t.kind == TokenKind::Word && t.line == kw.line => {
                self.bump();
                Some(Name::Word(word(&t)))
            }
            Some(t) if t.kind == TokenKind::Str && t.line == kw.line => {
                self.bump();
                if kind.is_instrument() {
                    Some(Name::Title(Str {
                        value: t.text.clone(),
                        span: sp(&t),
                    }))
                } else {
                    self.error(
                        "P011",
                        sp(&t),
                        format!("{} {kind} is named by its code or id, not by a string", article(kind)),
                        format!("write the code bare (`{kind} 13T {{`) and the name in a field: `name \"…\"`"),
                    );
                    broken = true;
                    None
                }
            }
            _ => {
                let what = if kind.is_instrument() {
                    "a quoted title or an id"
                } else {
                    "its code or id"
                };
                self.error(
                    "P011",
                    kind_span,
                    format!("expected {what} after `{kind}`"),
                    if kind.is_instrument() {
                        format!("write `{kind} \"Title\" {{ … }}`")
                    } else {
                        format!("write `{kind} CODE {{ … }}`")
                    },
                );
                broken = true;
                None
            }
        };
        let header_end = name.as_ref().map_or(kind_span, |n| n.span());
        if !self.peek_is(TokenKind::LBrace) {
            let found = self.peek();
            let at = found
                .as_ref()
                .filter(|t| Some(t.line) == self.last_line)
                .map_or(header_end, sp);
            self.error(
                "P012",
                at,
                format!(
                    "expected `{{` after the header of this {kind}, found {}",
                    found
                        .as_ref()
                        .map_or("the end of the file".to_string(), describe)
                ),
                format!("a record's fields go between braces: `{kind} … {{ field value … }}`"),
            );
            if found.is_some() {
                self.recover_to_record();
            }
            return None;
        }
        self.bump();
        let open_comment = self.take_trailing();
        let mut fields: Vec<Field> = Vec::new();
        let end_comments;
        let mut trailing = None;
        let mut end = header_end;
        loop {
            let Some(t) = self.peek() else {
                self.error(
                    "P013",
                    kind_span.to(header_end),
                    format!("this {kind} is not closed"),
                    "add `}` after its last field",
                );
                end_comments = self.drain_pending();
                break;
            };
            match t.kind {
                TokenKind::RBrace => {
                    end_comments = self.drain_pending();
                    self.bump();
                    end = sp(&t);
                    trailing = self.take_trailing();
                    break;
                }
                TokenKind::Word => {
                    let key = Key::parse(&t.text);
                    let class = key.map(|k| (k, field_class(kind, k)));
                    match class {
                        Some((key, Ok(class))) => {
                            let dup = !repeatable(key) && fields.iter().any(|f| f.key == key);
                            if let Some(f) = self.field(key, class) {
                                end = f.span;
                                if dup {
                                    self.error(
                                        "P022",
                                        f.key_span,
                                        format!("`{key}` is given twice in this {kind}"),
                                        "remove one of them (only `in` and `set` may repeat)",
                                    );
                                } else {
                                    fields.push(f);
                                }
                            }
                        }
                        Some((key, Err(Some(kinds)))) => {
                            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                            self.error(
                                "P021",
                                sp(&t),
                                format!("`{key}` is not used in {} {kind}", article(kind)),
                                format!("`{key}` belongs in: {}", names.join(", ")),
                            );
                            if let Some(Ok(class)) = kinds.first().map(|k| field_class(*k, key)) {
                                self.field(key, class);
                            }
                        }
                        _ => {
                            if RecordKind::parse(&t.text).is_some() && self.first_on_line(self.pos)
                            {
                                self.error(
                                    "P013",
                                    kind_span.to(header_end),
                                    format!("this {kind} is not closed before the next record"),
                                    "add `}` after its last field",
                                );
                                end_comments = self.drain_pending();
                                break;
                            }
                            self.unknown_field(&t, kind, fields.last());
                            self.drain_pending();
                            self.bump();
                            self.recover_in_record();
                        }
                    }
                }
                _ => {
                    self.unknown_field(&t, kind, fields.last());
                    self.drain_pending();
                    self.bump();
                    self.recover_in_record();
                }
            }
        }
        let name = name?;
        if broken {
            return None;
        }
        Some(Record {
            comments,
            blank_before,
            kind,
            kind_span,
            name,
            open_comment,
            fields,
            end_comments,
            trailing,
            span: kind_span.to(end),
        })
    }

    pub(super) fn unknown_field(&mut self, t: &Token, kind: RecordKind, last: Option<&Field>) {
        let allowed: Vec<&str> = fields_for(kind).iter().map(|k| k.as_str()).collect();
        let prev = self.toks[..self.pos.min(self.toks.len())]
            .iter()
            .rev()
            .find(|x| x.kind != TokenKind::Comment && x.start < t.start);
        let after_value =
            last.filter(|f| prev.is_some_and(|x| x.end == f.span.end && x.line == t.line));
        if let (Some(f), false) = (
            after_value,
            t.kind == TokenKind::Word && Key::parse(&t.text).is_some(),
        ) {
            self.error(
                "P020",
                sp(t),
                format!("unexpected {} after the value of `{}`", describe(t), f.key),
                format!(
                    "`{}` takes {}; separate list items with `,`",
                    f.key,
                    class_words(field_class(kind, f.key).ok())
                ),
            );
            return;
        }
        let (msg, help) = match t.kind {
            TokenKind::Word => (
                format!("`{}` is not a field of {} {kind}", t.text, article(kind)),
                match closest(&t.text, allowed.iter().copied()) {
                    Some(s) => format!(
                        "did you mean `{s}`? {} {kind} takes: {}",
                        capital(article(kind)),
                        allowed.join(", ")
                    ),
                    None => format!(
                        "{} {kind} takes: {}",
                        capital(article(kind)),
                        allowed.join(", ")
                    ),
                },
            ),
            _ => (
                format!("expected a field name or `}}`, found {}", describe(t)),
                format!(
                    "{} {kind} takes: {}",
                    capital(article(kind)),
                    allowed.join(", ")
                ),
            ),
        };
        self.error("P020", sp(t), msg, help);
    }
}
