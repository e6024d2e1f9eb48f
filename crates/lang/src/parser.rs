//! The recursive-descent parser: tokens to a [`Document`] with byte spans on every node.
//!
//! It never panics and never stops at the first error: after an error it skips to the next
//! field name it knows for the record, to the record's `}`, or to the next record keyword at
//! the start of a line, so one run reports every independent mistake. Records and fields
//! that contain an error are left out of the tree; everything else is kept.

use crate::ast::*;
use crate::error::Error;
use crate::lexer::{lex, Token, TokenKind};

/// Parses one file. `file` is the index of the text in the caller's list of sources and is
/// written into every error span (and kept in the document for lowering).
pub fn parse(file: u32, text: &str) -> (Document, Vec<Error>) {
    if text.len() > crate::MAX_SOURCE_BYTES {
        let error = Error::new(
            "P000",
            format!(
                "this text is {} MiB; one file may hold at most {} MiB",
                text.len() >> 20,
                crate::MAX_SOURCE_BYTES >> 20
            ),
            "split the register into several files (a folder of .vires files loads as one register)",
            None,
        );
        return (
            Document {
                file,
                items: Vec::new(),
            },
            vec![error],
        );
    }
    let (toks, lex_errors) = lex(file, text);
    let mut p = Parser {
        toks,
        pos: 0,
        file,
        errors: lex_errors,
        pending: Vec::new(),
        pending_anchor: None,
        last_line: None,
        kind: RecordKind::Body,
    };
    let items = p.document();
    let mut errors = p.errors;
    errors.sort_by_key(|e| e.span.map(|s| (s.start, s.end)));
    (Document { file, items }, errors)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    file: u32,
    errors: Vec<Error>,
    /// Comments read ahead but not yet attached to a node.
    pending: Vec<Token>,
    /// The line of the last token before the first pending comment.
    pending_anchor: Option<u32>,
    /// The line of the last token consumed.
    last_line: Option<u32>,
    /// The kind of the record being read, for recovery and messages.
    kind: RecordKind,
}

fn sp(t: &Token) -> ByteSpan {
    ByteSpan::new(t.start, t.end)
}

fn comment(t: Token) -> Comment {
    Comment {
        span: sp(&t),
        text: t.text,
    }
}

fn word(t: &Token) -> Word {
    Word::new(t.text.clone(), sp(t))
}

fn describe(t: &Token) -> String {
    match t.kind {
        TokenKind::Word => format!("`{}`", t.text),
        TokenKind::Str => "a string".into(),
        TokenKind::Comment => "a comment".into(),
        TokenKind::LBrace => "`{`".into(),
        TokenKind::RBrace => "`}`".into(),
        TokenKind::LParen => "`(`".into(),
        TokenKind::RParen => "`)`".into(),
        TokenKind::Comma => "`,`".into(),
        TokenKind::Plus => "`+`".into(),
    }
}

/// Is `s` a real date written `YYYY-MM-DD`?
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && s.parse::<jiff::civil::Date>().is_ok()
}

/// Levenshtein distance, for "did you mean" suggestions.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub(crate) fn closest<'a>(s: &str, options: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    options
        .map(|o| (distance(s, o), o))
        .filter(|(d, o)| *d <= 2.max(o.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

fn article(kind: RecordKind) -> &'static str {
    match kind.as_str().as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    }
}

impl Parser {
    fn span(&self, s: ByteSpan) -> Option<vires_core::Span> {
        Some(s.in_file(self.file))
    }

    fn error(
        &mut self,
        code: &'static str,
        s: ByteSpan,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let span = self.span(s);
        self.errors.push(Error::new(code, msg, help, span));
    }

    fn fill_pending(&mut self) {
        while let Some(t) = self.toks.get(self.pos) {
            if t.kind != TokenKind::Comment {
                break;
            }
            if self.pending.is_empty() {
                self.pending_anchor = self.last_line;
            }
            self.pending.push(t.clone());
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<Token> {
        self.fill_pending();
        self.toks.get(self.pos).cloned()
    }

    fn peek_is(&mut self, kind: TokenKind) -> bool {
        self.peek().is_some_and(|t| t.kind == kind)
    }

    fn peek_word(&mut self, text: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == TokenKind::Word && t.text == text)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.peek()?;
        self.pos += 1;
        self.last_line = Some(t.line);
        Some(t)
    }

    fn first_on_line(&self, idx: usize) -> bool {
        match (
            idx.checked_sub(1).and_then(|i| self.toks.get(i)),
            self.toks.get(idx),
        ) {
            (Some(prev), Some(t)) => prev.line != t.line,
            _ => true,
        }
    }

    /// A comment on the same line as the last token consumed.
    fn take_trailing(&mut self) -> Option<Comment> {
        self.fill_pending();
        let line = self.last_line?;
        if self.pending.first().is_some_and(|c| c.line == line) {
            let c = self.pending.remove(0);
            return Some(comment(c));
        }
        None
    }

    fn drain_pending(&mut self) -> Vec<Comment> {
        self.pending.drain(..).map(comment).collect()
    }

    /// Splits pending comments into stand-alone blocks and the comments that lead the next
    /// record (those with no blank line between them and the record).
    fn take_leading(&mut self, next_line: Option<u32>) -> (Vec<Item>, Vec<Comment>, bool) {
        let mut blocks: Vec<(bool, Vec<Token>)> = Vec::new();
        let mut prev = if self.pending.is_empty() {
            self.last_line
        } else {
            self.pending_anchor
        };
        let gap = |prev: Option<u32>, line: u32| prev.is_some_and(|p| line > p + 1);
        for c in std::mem::take(&mut self.pending) {
            let blank = gap(prev, c.line);
            prev = Some(c.line);
            match blocks.last_mut() {
                Some((_, v)) if !blank => v.push(c),
                _ => blocks.push((blank, vec![c])),
            }
        }
        let mut leading = Vec::new();
        let mut record_blank = next_line.is_some_and(|l| gap(prev, l));
        if let (Some(l), Some((blank, last))) = (next_line, blocks.last()) {
            if !gap(last.last().map(|t| t.line), l) {
                record_blank = *blank;
                leading = last.iter().cloned().map(comment).collect();
                blocks.pop();
            }
        }
        let items = blocks
            .into_iter()
            .map(|(blank, v)| {
                Item::Comments(CommentBlock {
                    comments: v.into_iter().map(comment).collect(),
                    blank_before: blank,
                })
            })
            .collect();
        (items, leading, record_blank)
    }

    fn document(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        loop {
            let Some(t) = self.peek() else {
                let (blocks, _, _) = self.take_leading(None);
                items.extend(blocks);
                return items;
            };
            let kind = (t.kind == TokenKind::Word)
                .then(|| RecordKind::parse(&t.text))
                .flatten();
            match kind {
                Some(kind) => {
                    let (blocks, leading, blank) = self.take_leading(Some(t.line));
                    items.extend(blocks);
                    if let Some(r) = self.record(kind, leading, blank) {
                        items.push(Item::Record(r));
                    }
                }
                None => {
                    let (msg, help) = match t.kind {
                        TokenKind::RBrace => (
                            "unexpected `}` outside a record".to_string(),
                            "remove it: no record is open here".to_string(),
                        ),
                        TokenKind::Word => {
                            let sugg = closest(&t.text, RecordKind::ALL.iter().map(|k| k.as_str()));
                            (
                                format!("`{}` is not a kind of record", t.text),
                                match sugg {
                                    Some(s) => format!("did you mean `{s}`?"),
                                    None => format!(
                                        "a record starts with one of: {}",
                                        RecordKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                                    ),
                                },
                            )
                        }
                        _ => (
                            format!("expected a record, found {}", describe(&t)),
                            "a record starts with its kind, e.g. `body 13T { … }` or `delegation \"…\" { … }`".to_string(),
                        ),
                    };
                    self.error("P010", sp(&t), msg, help);
                    self.drain_pending();
                    self.recover_to_record();
                }
            }
        }
    }

    /// Skips at least one token, then up to the next record keyword that starts a line.
    fn recover_to_record(&mut self) {
        self.bump();
        while let Some(t) = self.peek() {
            if t.kind == TokenKind::Word
                && RecordKind::parse(&t.text).is_some()
                && self.first_on_line(self.pos)
            {
                break;
            }
            self.bump();
        }
        self.drain_pending();
    }

    /// Skips to the next field name of the current record, its `}`, or the next record.
    fn recover_in_record(&mut self) {
        while let Some(t) = self.peek() {
            match t.kind {
                TokenKind::RBrace => break,
                TokenKind::Word => {
                    let is_key =
                        Key::parse(&t.text).is_some_and(|k| field_class(self.kind, k) != Err(None));
                    let is_record =
                        RecordKind::parse(&t.text).is_some() && self.first_on_line(self.pos);
                    if is_key || is_record {
                        break;
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    fn record(
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

    fn unknown_field(&mut self, t: &Token, kind: RecordKind, last: Option<&Field>) {
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

    /// Reads `key value`; on error reports it, recovers and returns `None`.
    fn field(&mut self, key: Key, class: Class) -> Option<Field> {
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
    fn expected(&mut self, what: &str, after: &Token, context: &str, help: &str) {
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
    fn value_word(&mut self, after: &Token) -> Option<Token> {
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

    fn expect_word(&mut self, after: &Token, what: &str, context: &str) -> Option<Word> {
        match self.value_word(after) {
            Some(t) => Some(word(&t)),
            None => {
                self.expected(what, after, context, &format!("write {what} here"));
                None
            }
        }
    }

    fn expect_date(&mut self, after: &Token, context: &str) -> Option<Word> {
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

    fn words_after_first(&mut self, first: Word, what: &str) -> Option<Vec<Word>> {
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

    fn words(&mut self, after: &Token, what: &str, context: &str) -> Option<Vec<Word>> {
        let first = self.expect_word(after, what, context)?;
        self.words_after_first(first, what)
    }

    fn string(&mut self, after: &Token, context: &str) -> Option<Str> {
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

    fn value(&mut self, key: Key, kt: &Token, class: Class) -> Option<Value> {
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
    fn error_code_last(&mut self, code: &'static str) {
        if let Some(e) = self.errors.last_mut() {
            e.code = code;
        }
    }

    fn receivers(&mut self, kt: &Token, ctx: &str) -> Option<Receivers> {
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

    fn area(&mut self, kt: &Token, ctx: &str) -> Option<Area> {
        let mut terms = vec![self.area_term(kt, ctx)?];
        while self.peek_is(TokenKind::Plus) {
            let plus = self.bump()?;
            terms.push(self.area_term(&plus, "`+`")?);
        }
        let span =
            area_term_span(&terms[0]).to(terms.last().map_or(ByteSpan::default(), area_term_span));
        Some(Area { terms, span })
    }

    fn area_term(&mut self, after: &Token, ctx: &str) -> Option<AreaTerm> {
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

pub(crate) fn area_term_span(t: &AreaTerm) -> ByteSpan {
    match t {
        AreaTerm::England { span }
        | AreaTerm::Own { span }
        | AreaTerm::Footprint { span, .. }
        | AreaTerm::Practices { span, .. } => *span,
        AreaTerm::Named { id } => id.span,
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn what_word(key: Key) -> String {
    match key {
        Key::By | Key::Lead | Key::Predecessors | Key::To => "a body code".into(),
        Key::Functions | Key::Except => "a function id".into(),
        Key::Purposes => "a purpose id".into(),
        Key::Kind => "a body kind".into(),
        Key::Makers | Key::Receivers => "a body kind".into(),
        Key::Kinds => "an instrument kind".into(),
        Key::Target => "the id of an instrument".into(),
        Key::Categories => "a category id".into(),
        _ => "a word".into(),
    }
}

fn class_words(c: Option<Class>) -> &'static str {
    match c {
        Some(Class::Str) => "one quoted string",
        Some(Class::Strs) => "quoted strings",
        Some(Class::Word) | Some(Class::Onward) => "one word",
        Some(Class::Words) => "words",
        Some(Class::Date) => "one date",
        Some(Class::Flag) => "`yes`, `no` or nothing",
        Some(Class::Receivers) => "body codes or `every KIND`",
        Some(Class::Area) => "an area",
        Some(Class::Membership) => "a body code, then optional `from` and `until` dates",
        Some(Class::Merging) => "`A, B into C`",
        Some(Class::Change) => "`until DATE`, `purposes …` or `area …`",
        None => "a value",
    }
}
