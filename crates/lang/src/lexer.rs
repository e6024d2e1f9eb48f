//! The lexer: turns `.vires` text into tokens with byte offsets and line numbers.
//!
//! It never fails: a character it cannot read becomes an error and is skipped, and an
//! unterminated string ends at the end of its line, so the parser always gets a stream.

use crate::error::Error;
use vires_core::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, digits, `_`, `.`, `-`: codes, ids, kind names, dates, field names.
    Word,
    /// A double-quoted string; `text` holds the unescaped value.
    Str,
    /// `//` to end of line; `text` holds what follows `//`, without trailing whitespace.
    Comment,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Plus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub text: String,
    pub start: u32,
    pub end: u32,
    /// 0-based line of the token's first byte (tokens never span lines).
    pub line: u32,
}

pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

/// Splits `text` into tokens. Errors name `file` in their spans.
pub fn lex(file: u32, text: &str) -> (Vec<Token>, Vec<Error>) {
    let mut toks = Vec::new();
    let mut errors = Vec::new();
    let bytes = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    let mut line: u32 = 0;
    let span = |s: usize, e: usize| {
        Some(Span {
            file,
            start: s as u32,
            end: e as u32,
        })
    };
    while let Some((i, c)) = chars.next() {
        let single = |kind| Token {
            kind,
            text: String::new(),
            start: i as u32,
            end: (i + c.len_utf8()) as u32,
            line,
        };
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '{' => toks.push(single(TokenKind::LBrace)),
            '}' => toks.push(single(TokenKind::RBrace)),
            '(' => toks.push(single(TokenKind::LParen)),
            ')' => toks.push(single(TokenKind::RParen)),
            ',' => toks.push(single(TokenKind::Comma)),
            '+' => toks.push(single(TokenKind::Plus)),
            '/' if bytes.get(i + 1) == Some(&b'/') => {
                let mut end = text.len();
                while let Some(&(j, d)) = chars.peek() {
                    if d == '\n' {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                let body = &text[i + 2..end];
                toks.push(Token {
                    kind: TokenKind::Comment,
                    text: body.trim_end().to_string(),
                    start: i as u32,
                    end: (i + 2 + body.trim_end().len()) as u32,
                    line,
                });
            }
            '"' => {
                let mut value = String::new();
                let mut end = None;
                while let Some(&(j, d)) = chars.peek() {
                    match d {
                        '\n' => break,
                        '"' => {
                            chars.next();
                            end = Some(j + 1);
                            break;
                        }
                        '\\' => {
                            chars.next();
                            // A backslash at the end of a line leaves the string unclosed (P001).
                            if matches!(chars.peek(), None | Some((_, '\n'))) {
                                break;
                            }
                            match chars.next() {
                                Some((_, '"')) => value.push('"'),
                                Some((_, '\\')) => value.push('\\'),
                                Some((_, 'n')) => value.push('\n'),
                                Some((_, 't')) => value.push('\t'),
                                Some((_, 'r')) => value.push('\r'),
                                Some((_, 'u')) => match lex_unicode(&mut chars) {
                                    Some(ch) => value.push(ch),
                                    None => errors.push(Error::new(
                                        "P003",
                                        "bad `\\u{…}` escape in a string",
                                        "write `\\u{` then 1 to 6 hex digits of a valid character, then `}`",
                                        span(j, chars.peek().map_or(text.len(), |p| p.0)),
                                    )),
                                },
                                Some((k, other)) => errors.push(Error::new(
                                    "P003",
                                    format!("unknown escape `\\{other}` in a string"),
                                    "the escapes are \\\" \\\\ \\n \\t \\r and \\u{HEX}; write a backslash as \\\\",
                                    span(j, k + other.len_utf8()),
                                )),
                                None => break,
                            }
                        }
                        _ => {
                            value.push(d);
                            chars.next();
                        }
                    }
                }
                let stop = match end {
                    Some(e) => e,
                    None => {
                        let e = chars.peek().map_or(text.len(), |p| p.0);
                        errors.push(Error::new(
                            "P001",
                            "this string is not closed before the end of the line",
                            "add a closing `\"`; strings stay on one line (write `\\n` for a line break)",
                            span(i, e),
                        ));
                        e
                    }
                };
                toks.push(Token {
                    kind: TokenKind::Str,
                    text: value,
                    start: i as u32,
                    end: stop as u32,
                    line,
                });
            }
            c if is_word_char(c) => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !is_word_char(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                toks.push(Token {
                    kind: TokenKind::Word,
                    text: text[i..end].to_string(),
                    start: i as u32,
                    end: end as u32,
                    line,
                });
            }
            other => {
                let help = match other {
                    ';' => "fields need no `;`: put the next field after a space or on a new line",
                    ':' | '=' => {
                        "write the field name and its value separated by a space: `from 2016-04-01`"
                    }
                    '#' => "comments start with `//`",
                    '\'' | '\u{201c}' | '\u{201d}' => {
                        "strings use straight double quotes: \"like this\""
                    }
                    _ => "remove it, or put it inside a \"string\"",
                };
                errors.push(Error::new(
                    "P002",
                    format!("unexpected character `{}`", other.escape_debug()),
                    help,
                    span(i, i + other.len_utf8()),
                ));
            }
        }
    }
    (toks, errors)
}

fn lex_unicode(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<char> {
    if chars.peek().map(|p| p.1) != Some('{') {
        return None;
    }
    chars.next();
    let mut hex = String::new();
    while let Some(&(_, d)) = chars.peek() {
        if d == '}' {
            chars.next();
            break;
        }
        if !d.is_ascii_hexdigit() || hex.len() >= 6 {
            return None;
        }
        hex.push(d);
        chars.next();
    }
    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_strings_comments() {
        let (t, e) = lex(0, "body 13T { name \"a \\\"b\\\"\" } // note  \nx");
        assert!(e.is_empty(), "{e:?}");
        let kinds: Vec<_> = t.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                TokenKind::Word,
                TokenKind::Word,
                TokenKind::LBrace,
                TokenKind::Word,
                TokenKind::Str,
                TokenKind::RBrace,
                TokenKind::Comment,
                TokenKind::Word
            ]
        );
        assert_eq!(t[4].text, "a \"b\"");
        assert_eq!(t[6].text, " note");
        assert_eq!(t[7].line, 1);
    }

    #[test]
    fn unterminated_string_stops_at_line_end() {
        let (t, e) = lex(0, "name \"abc\nkind ccg");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, "P001");
        assert_eq!(t[1].text, "abc");
        assert_eq!(t[2].line, 1);
    }
}
