//! A field's value: words, dates, quoted strings, receivers and areas, each with its span,
//! and the message that says what was expected when it is missing or malformed.

use super::*;

impl Parser {
    /// Reads `key value`; on error reports it, recovers and returns `None`.
    pub(super) fn field(&mut self, key: Key, class: Class) -> Option<Field> {
        let comments = self.drain_pending();
        let kt = self.bump()?;
        let key_span = sp(&kt);
        let value = self.value(key, &kt, class);
        let Some(value) = value else {
            self.recover_in_record();
            return None;
        };
        let trailing = self.take_trailing();
        let span = key_span.to(value.span().unwrap_or(key_span));
        Some(Field {
            comments,
            key,
            key_span,
            value,
            trailing,
            span,
        })
    }

    /// Reports a missing value after `after` (pointing at the offending token when it is on
    /// the same line, else at `after`).
    pub(super) fn expected(&mut self, what: &str, after: &Token, context: &str, help: &str) {
        let found = self.peek();
        let at = found
            .as_ref()
            .filter(|t| t.line == after.line)
            .map_or(sp(after), sp);
        let found_s = match &found {
            Some(t) if t.line == after.line => format!(", found {}", describe(t)),
            _ => String::new(),
        };
        self.error(
            "P030",
            at,
            format!("expected {what} after {context}{found_s}"),
            help.to_string(),
        );
    }

    /// The next token as a value word, unless it is a field name on a later line (then the
    /// value is missing rather than spelled like a field name).
    pub(super) fn value_word(&mut self, after: &Token) -> Option<Token> {
        let t = self.peek()?;
        if t.kind != TokenKind::Word {
            return None;
        }
        if t.line != after.line
            && Key::parse(&t.text).is_some_and(|k| field_class(self.kind, k).is_ok())
        {
            return None;
        }
        if t.line != after.line
            && RecordKind::parse(&t.text).is_some()
            && self.first_on_line(self.pos)
        {
            return None;
        }
        self.bump()
    }

    pub(super) fn expect_word(&mut self, after: &Token, what: &str, context: &str) -> Option<Word> {
        match self.value_word(after) {
            Some(t) => Some(word(&t)),
            None => {
                self.expected(what, after, context, &format!("write {what} here"));
                None
            }
        }
    }

    pub(super) fn expect_date(&mut self, after: &Token, context: &str) -> Option<Word> {
        let w = self.expect_word(after, "a date (YYYY-MM-DD)", context)?;
        if !is_date(&w.text) {
            self.error(
                "P031",
                w.span,
                format!("`{}` is not a date", w.text),
                "write a real calendar date as YYYY-MM-DD, e.g. 2016-04-01",
            );
            return None;
        }
        Some(w)
    }

    pub(super) fn words_after_first(&mut self, first: Word, what: &str) -> Option<Vec<Word>> {
        let mut v = vec![first];
        while self.peek_is(TokenKind::Comma) {
            let comma = self.bump()?;
            match self.peek() {
                Some(t) if t.kind == TokenKind::Word => {
                    self.bump();
                    v.push(word(&t));
                }
                _ => {
                    self.expected(
                        what,
                        &comma,
                        "`,`",
                        "remove the trailing `,` or add the next item",
                    );
                    return None;
                }
            }
        }
        Some(v)
    }

    pub(super) fn words(&mut self, after: &Token, what: &str, context: &str) -> Option<Vec<Word>> {
        let first = self.expect_word(after, what, context)?;
        self.words_after_first(first, what)
    }

    pub(super) fn string(&mut self, after: &Token, context: &str) -> Option<Str> {
        match self.peek() {
            Some(t) if t.kind == TokenKind::Str => {
                self.bump();
                Some(Str {
                    value: t.text.clone(),
                    span: sp(&t),
                })
            }
            Some(t) if t.kind == TokenKind::Word && t.line == after.line => {
                self.error(
                    "P030",
                    sp(&t),
                    format!(
                        "expected a quoted string after {context}, found `{}`",
                        t.text
                    ),
                    format!("put the text in double quotes: \"{}\"", t.text),
                );
                None
            }
            _ => {
                self.expected(
                    "a quoted string",
                    after,
                    context,
                    "write the text in double quotes",
                );
                None
            }
        }
    }

    pub(super) fn value(&mut self, key: Key, kt: &Token, class: Class) -> Option<Value> {
        let ctx = format!("`{key}`");
        let ctx = ctx.as_str();
        Some(match class {
            Class::Str => Value::Str(self.string(kt, ctx)?),
            Class::Strs => {
                let mut v = vec![self.string(kt, ctx)?];
                while self.peek_is(TokenKind::Comma) {
                    let comma = self.bump()?;
                    v.push(self.string(&comma, "`,`")?);
                }
                Value::Strs(v)
            }
            Class::Word => Value::Word(self.expect_word(kt, &what_word(key), ctx)?),
            Class::Words => Value::Words(self.words(kt, &what_word(key), ctx)?),
            Class::Date => Value::Date(self.expect_date(kt, ctx)?),
            Class::Flag => match self.peek() {
                Some(t) if t.kind == TokenKind::Word && t.line == kt.line => {
                    match t.text.as_str() {
                        "yes" | "no" => {
                            self.bump();
                            Value::Flag(Some(word(&t)))
                        }
                        "true" | "false" | "on" | "off" | "y" | "n" => {
                            self.error(
                                "P032",
                                sp(&t),
                                format!("`{key}` takes `yes` or `no`, not `{}`", t.text),
                                format!("write `{key}` alone or `{key} yes` / `{key} no`"),
                            );
                            self.bump();
                            return None;
                        }
                        _ => Value::Flag(None),
                    }
                }
                _ => Value::Flag(None),
            },
            Class::Onward => {
                let w = self.expect_word(kt, "`permitted` or `forbidden`", ctx)?;
                if w.text != "permitted" && w.text != "forbidden" {
                    self.error(
                        "P033",
                        w.span,
                        format!("`onward` takes `permitted` or `forbidden`, not `{}`", w.text),
                        "write `onward permitted` to let the receiver pass the function on, else `onward forbidden`",
                    );
                    return None;
                }
                Value::Word(w)
            }
            Class::Receivers => Value::Receivers(self.receivers(kt, ctx)?),
            Class::Area => Value::Area(self.area(kt, ctx)?),
            Class::Membership => {
                let body = self.expect_word(kt, "a body code", ctx)?;
                let mut from = None;
                let mut until = None;
                let mut last = body.span;
                let line = self.last_line;
                if self.peek_word("from") && self.peek().map(|t| t.line) == line {
                    let ft = self.bump()?;
                    let d = self.expect_date(&ft, "`from`")?;
                    last = d.span;
                    from = Some(d);
                }
                if self.peek_word("until") && self.peek().map(|t| t.line) == line {
                    let ut = self.bump()?;
                    let d = self.expect_date(&ut, "`until`")?;
                    last = d.span;
                    until = Some(d);
                }
                Value::Membership(Membership {
                    span: body.span.to(last),
                    body,
                    from,
                    until,
                })
            }
            Class::Merging => {
                let preds = self.words(kt, "a body code", ctx)?;
                if !self.peek_word("into") {
                    let last = self
                        .toks
                        .get(self.pos.saturating_sub(1))
                        .cloned()
                        .unwrap_or_else(|| kt.clone());
                    self.expected(
                        "`into` and the successor's code",
                        &last,
                        "the merging bodies",
                        "write `merging 00F, 00G into 13T`",
                    );
                    self.error_code_last("P036");
                    return None;
                }
                let into_t = self.bump()?;
                let into = self.expect_word(&into_t, "the successor's code", "`into`")?;
                let span = preds.first().map_or(into.span, |p| p.span).to(into.span);
                Value::Merging(Merging {
                    predecessors: preds,
                    into,
                    span,
                })
            }
            Class::Change => {
                let what = self
                    .peek()
                    .filter(|t| t.kind == TokenKind::Word && t.line == kt.line);
                let Some(wt) =
                    what.filter(|t| matches!(t.text.as_str(), "until" | "purposes" | "area"))
                else {
                    self.expected(
                        "`until`, `purposes` or `area`",
                        kt,
                        "`set`",
                        "write `set until 2021-04-01`, `set purposes a, b` or `set area own`",
                    );
                    self.error_code_last("P035");
                    return None;
                };
                self.bump();
                let (v, end) = match wt.text.as_str() {
                    "until" => {
                        let d = self.expect_date(&wt, "`set until`")?;
                        let e = d.span;
                        (ChangeValue::Until(d), e)
                    }
                    "purposes" => {
                        let ws = self.words(&wt, "a purpose id", "`set purposes`")?;
                        let e = ws.last().map_or(sp(&wt), |w| w.span);
                        (ChangeValue::Purposes(ws), e)
                    }
                    _ => {
                        let a = self.area(&wt, "`set area`")?;
                        let e = a.span;
                        (ChangeValue::Area(a), e)
                    }
                };
                Value::Change(Change {
                    what: v,
                    span: sp(&wt).to(end),
                })
            }
        })
    }

    /// Re-labels the last error with a more specific code.
    pub(super) fn error_code_last(&mut self, code: &'static str) {
        if let Some(e) = self.errors.last_mut() {
            e.code = code;
        }
    }

    pub(super) fn receivers(&mut self, kt: &Token, ctx: &str) -> Option<Receivers> {
        if self.peek_word("every") {
            let every = self.bump()?;
            let kind = self.expect_word(&every, "a body kind (e.g. `ccg`, `icb`)", "`every`")?;
            return Some(Receivers::Every {
                span: sp(&every).to(kind.span),
                kind,
            });
        }
        Some(Receivers::Bodies(self.words(
            kt,
            "a body code or `every KIND`",
            ctx,
        )?))
    }

    pub(super) fn area(&mut self, kt: &Token, ctx: &str) -> Option<Area> {
        let mut terms = vec![self.area_term(kt, ctx)?];
        while self.peek_is(TokenKind::Plus) {
            let plus = self.bump()?;
            terms.push(self.area_term(&plus, "`+`")?);
        }
        let span =
            area_term_span(&terms[0]).to(terms.last().map_or(ByteSpan::default(), area_term_span));
        Some(Area { terms, span })
    }

    pub(super) fn area_term(&mut self, after: &Token, ctx: &str) -> Option<AreaTerm> {
        let Some(t) = self.value_word(after) else {
            self.expected(
                "an area",
                after,
                ctx,
                "write `england`, `own`, `footprint(CODE)`, `practices(A, B)` or the id of a declared area",
            );
            self.error_code_last("P034");
            return None;
        };
        let call =
            matches!(t.text.as_str(), "footprint" | "practices") && self.peek_is(TokenKind::LParen);
        if !call {
            return Some(match t.text.as_str() {
                "england" => AreaTerm::England { span: sp(&t) },
                "own" => AreaTerm::Own { span: sp(&t) },
                _ => AreaTerm::Named { id: word(&t) },
            });
        }
        let open = self.bump()?;
        let codes = if t.text == "footprint" {
            vec![self.expect_word(&open, "a body code", "`footprint(`")?]
        } else {
            self.words(&open, "a practice code", "`practices(`")?
        };
        let close = match self.peek() {
            Some(c) if c.kind == TokenKind::RParen => {
                self.bump();
                c
            }
            _ => {
                let last = self
                    .toks
                    .get(self.pos.saturating_sub(1))
                    .cloned()
                    .unwrap_or(open);
                self.expected(
                    "`)`",
                    &last,
                    &format!("`{}(…`", t.text),
                    "close the parenthesis",
                );
                self.error_code_last("P034");
                return None;
            }
        };
        let span = sp(&t).to(sp(&close));
        Some(if t.text == "footprint" {
            let code = codes.into_iter().next()?;
            AreaTerm::Footprint { code, span }
        } else {
            AreaTerm::Practices { codes, span }
        })
    }
}
