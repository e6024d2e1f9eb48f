//! The recursive-descent parser: tokens to a [`Document`] with byte spans on every node.
//!
//! It never panics and never stops at the first error: after an error it skips to the next
//! field name it knows for the record, to the record's `}`, or to the next record keyword at
//! the start of a line, so one run reports every independent mistake. Records and fields
//! that contain an error are left out of the tree; everything else is kept.
//!
//! This module holds the parser's cursor (tokens, comments, recovery) and the document's
//! top level; `records` reads a record and its field names; `values` reads each field's
//! value (words, dates, strings, receivers, areas).

mod records;
mod values;

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

/// Help for `word`, which is none of `options`: the nearest if one is close, else
/// `otherwise` and every option.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    options: impl Iterator<Item = &'a str> + Clone,
    otherwise: &str,
) -> String {
    match closest(word, options.clone()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("{otherwise}: {}", options.collect::<Vec<_>>().join(", ")),
    }
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
                            let all = RecordKind::ALL.iter().map(|k| k.as_str());
                            (
                                format!("`{}` is not a kind of record", t.text),
                                did_you_mean(&t.text, all, "a record starts with one of"),
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
