//! Finding things in the register by code, name, postcode or ONS code: bodies, GP practices,
//! named areas, instruments and functions, best match first. The one search behind
//! `vires find`, `GET /search` and the web UI's search page.
//!
//! The work is bounded: the text is at most [`MAX_QUERY_CHARS`] characters in at most
//! [`MAX_WORDS`] words, each thing in the register is looked at once, and at most
//! [`MAX_LIMIT`] results are returned (the total found is counted, not kept).

use crate::model::body::{BodyId, BodyKind};
use crate::model::place::PracticeId;
use crate::snapshot::Snapshot;
use jiff::civil::Date;
use serde::Serialize;

/// The longest search text taken, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words a search text may have.
pub const MAX_WORDS: usize = 8;
/// The most results one search returns.
pub const MAX_LIMIT: usize = 200;
/// Results returned when the caller does not say.
pub const DEFAULT_LIMIT: usize = 20;

/// What kind of thing a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum FoundKind {
    Body,
    Practice,
    Area,
    Instrument,
    Function,
}

impl FoundKind {
    pub const ALL: [FoundKind; 5] = [
        FoundKind::Body,
        FoundKind::Practice,
        FoundKind::Area,
        FoundKind::Instrument,
        FoundKind::Function,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FoundKind::Body => "body",
            FoundKind::Practice => "practice",
            FoundKind::Area => "area",
            FoundKind::Instrument => "instrument",
            FoundKind::Function => "function",
        }
    }

    pub fn parse(s: &str) -> Option<FoundKind> {
        FoundKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Which part of a result the text matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Matched {
    /// The whole code (or id), ignoring case.
    Code,
    /// The whole postcode or ONS code, ignoring case and spaces.
    Postcode,
    OnsCode,
    /// The whole name, ignoring case.
    Name,
    /// The start of the code or id.
    CodePrefix,
    /// The start of the postcode (an outward code such as BL1) or of the ONS code.
    PostcodePrefix,
    OnsCodePrefix,
    /// Every word starts a word of the name.
    NameWords,
    /// Every word is somewhere in the name, code or postcode.
    Words,
}

impl Matched {
    fn score(self) -> u32 {
        match self {
            Matched::Code => 1000,
            Matched::Postcode | Matched::OnsCode => 950,
            Matched::Name => 900,
            Matched::CodePrefix => 700,
            Matched::PostcodePrefix => 650,
            Matched::OnsCodePrefix => 600,
            Matched::NameWords => 500,
            Matched::Words => 300,
        }
    }
}

/// A body a practice sits in on a date, nearest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Within {
    pub code: String,
    pub name: String,
    pub kind: BodyKind,
}

/// One thing found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Found {
    pub kind: FoundKind,
    /// The body or practice code, the area or instrument id, or the function id.
    pub code: String,
    pub name: String,
    pub matched: Matched,
    /// Higher is better; results are in descending order of it.
    pub score: u32,
    /// When it existed (a body), was in force (an instrument) or belonged to a commissioner
    /// (a practice); absent for areas and functions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    /// A body's kind (ccg, icb, ...) or an instrument's (delegation, direction, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    /// A body's ONS code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ons_code: Option<String>,
    /// For a practice: the bodies it sits in on the answer's `as_of` date, nearest first
    /// (a sub-ICB location, then its ICB). Empty if it belonged to none that day.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub within: Vec<Within>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchAnswer {
    pub text: String,
    /// Only things that existed on this date, if given.
    pub on: Option<Date>,
    /// The date a practice's bodies are given for.
    pub as_of: Date,
    pub kinds: Vec<FoundKind>,
    /// How many things matched, of which `results` are the best `limit`.
    pub total: usize,
    pub limit: usize,
    pub results: Vec<Found>,
}

/// A search to run.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    pub text: &'a str,
    /// Only things that existed on this date (bodies alive, instruments in force, practices
    /// belonging to a commissioner); areas and functions always match.
    pub on: Option<Date>,
    /// The date a practice's bodies are given for (`on` when given; the caller's today).
    pub as_of: Date,
    /// Kinds to search; empty means all.
    pub kinds: &'a [FoundKind],
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("the search text is empty; type a code, a name or a postcode")]
    Empty,
    #[error("the search text is {0} characters; search with at most {MAX_QUERY_CHARS}")]
    TooLong(usize),
    #[error("the search text has {0} words; search with at most {MAX_WORDS}")]
    TooManyWords(usize),
    #[error("limit {0} is out of range; give 1 to {MAX_LIMIT}")]
    Limit(usize),
}

/// The search text, prepared once: lower case, and without spaces for codes and postcodes.
struct Needle {
    whole: String,
    compact: String,
    words: Vec<String>,
}

impl Needle {
    fn new(text: &str) -> Result<Needle, SearchError> {
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(SearchError::TooLong(chars));
        }
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Err(SearchError::Empty);
        }
        if words.len() > MAX_WORDS {
            return Err(SearchError::TooManyWords(words.len()));
        }
        Ok(Needle {
            whole: words.join(" "),
            compact: words.concat(),
            words,
        })
    }
}

/// One thing's searchable text.
struct Candidate<'a> {
    code: &'a str,
    name: &'a str,
    postcode: Option<&'a str>,
    ons_code: Option<&'a str>,
}

fn compact_lower(s: &str, buf: &mut String) {
    buf.clear();
    buf.extend(
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase),
    );
}

/// How `c` matches, if it does. `buf` and `name` are scratch space.
fn matches(n: &Needle, c: &Candidate, buf: &mut String, name: &mut String) -> Option<Matched> {
    if c.code.eq_ignore_ascii_case(&n.compact) || c.code.to_lowercase() == n.compact {
        return Some(Matched::Code);
    }
    let postcode = c.postcode.map(|p| {
        compact_lower(p, buf);
        buf.clone()
    });
    if postcode.as_deref() == Some(n.compact.as_str()) {
        return Some(Matched::Postcode);
    }
    if c.ons_code
        .is_some_and(|o| o.eq_ignore_ascii_case(&n.compact))
    {
        return Some(Matched::OnsCode);
    }
    name.clear();
    name.extend(c.name.chars().flat_map(char::to_lowercase));
    if *name == n.whole {
        return Some(Matched::Name);
    }
    let code = c.code.to_lowercase();
    if n.compact.chars().count() >= 2 {
        if code.starts_with(&n.compact) {
            return Some(Matched::CodePrefix);
        }
        if postcode
            .as_deref()
            .is_some_and(|p| p.starts_with(&n.compact))
        {
            return Some(Matched::PostcodePrefix);
        }
        if c.ons_code
            .is_some_and(|o| o.to_lowercase().starts_with(&n.compact))
        {
            return Some(Matched::OnsCodePrefix);
        }
    }
    let starts_a_word = |w: &str| {
        name.match_indices(w).any(|(i, _)| {
            name[..i]
                .chars()
                .next_back()
                .is_none_or(|p| !p.is_alphanumeric())
        })
    };
    if n.words.iter().all(|w| starts_a_word(w)) {
        return Some(Matched::NameWords);
    }
    let anywhere = |w: &String| {
        name.contains(w.as_str())
            || code.contains(w.as_str())
            || postcode
                .as_deref()
                .is_some_and(|p| p.starts_with(w.as_str()))
            || c.ons_code
                .is_some_and(|o| o.to_lowercase().starts_with(w.as_str()))
    };
    n.words.iter().all(anywhere).then_some(Matched::Words)
}

/// Whether a result is a body that is a part of another, named after it: a sub-ICB location
/// ("NHS Greater Manchester ICB - 00T") or a commissioning hub.
fn names_a_part(f: &Found) -> bool {
    f.kind == FoundKind::Body
        && matches!(
            f.detail.as_deref(),
            Some("sub-icb-location" | "commissioning-hub")
        )
}

/// Searches the register. Errors name what is wrong with the text or the limit.
pub fn search(s: &Snapshot, q: &Search) -> Result<SearchAnswer, SearchError> {
    if q.limit == 0 || q.limit > MAX_LIMIT {
        return Err(SearchError::Limit(q.limit));
    }
    let needle = Needle::new(q.text)?;
    let kinds: Vec<FoundKind> = if q.kinds.is_empty() {
        FoundKind::ALL.to_vec()
    } else {
        let mut k = q.kinds.to_vec();
        k.sort();
        k.dedup();
        k
    };
    let reg = s.register();
    let (mut buf, mut name) = (String::new(), String::new());
    let mut found: Vec<Found> = Vec::new();
    let alive = |from: Date, until: Option<Date>| {
        q.on.is_none_or(|d| from <= d && until.is_none_or(|u| d < u))
    };
    let push = |found: &mut Vec<Found>, kind, code: &str, name: &str, how: Matched| {
        found.push(Found {
            kind,
            code: code.to_string(),
            name: name.to_string(),
            matched: how,
            score: how.score(),
            from: None,
            until: None,
            detail: None,
            postcode: None,
            ons_code: None,
            within: Vec::new(),
        });
    };
    for kind in &kinds {
        match kind {
            FoundKind::Body => {
                for b in &reg.bodies {
                    if !alive(b.life.from, b.life.until) {
                        continue;
                    }
                    let c = Candidate {
                        code: &b.code,
                        name: &b.name,
                        postcode: None,
                        ons_code: b.ons_code.as_deref(),
                    };
                    if let Some(how) = matches(&needle, &c, &mut buf, &mut name) {
                        push(&mut found, FoundKind::Body, &b.code, &b.name, how);
                        if let Some(f) = found.last_mut() {
                            f.from = Some(b.life.from);
                            f.until = b.life.until;
                            f.detail = Some(b.kind.as_str().to_string());
                            f.ons_code = b.ons_code.clone();
                        }
                    }
                }
            }
            FoundKind::Practice => {
                for (i, a) in reg.practices.iter().enumerate() {
                    let id = PracticeId(i as u32);
                    let ms = s.memberships_of(id);
                    let from = ms.iter().map(|m| m.during.from).min();
                    let until = if ms.iter().any(|m| m.during.until.is_none()) {
                        None
                    } else {
                        ms.iter().filter_map(|m| m.during.until).max()
                    };
                    if q.on.is_some()
                        && !ms
                            .iter()
                            .any(|m| q.on.is_some_and(|d| m.during.contains(d)))
                    {
                        continue;
                    }
                    let c = Candidate {
                        code: &a.code,
                        name: &a.name,
                        postcode: a.postcode.as_deref(),
                        ons_code: None,
                    };
                    if let Some(how) = matches(&needle, &c, &mut buf, &mut name) {
                        push(&mut found, FoundKind::Practice, &a.code, &a.name, how);
                        if let Some(f) = found.last_mut() {
                            f.from = from;
                            f.until = until;
                            f.postcode = a.postcode.as_deref().map(str::to_string);
                        }
                    }
                }
            }
            FoundKind::Area => {
                for a in &reg.areas {
                    let c = Candidate {
                        code: &a.id,
                        name: &a.name,
                        postcode: None,
                        ons_code: None,
                    };
                    if let Some(how) = matches(&needle, &c, &mut buf, &mut name) {
                        push(&mut found, FoundKind::Area, &a.id, &a.name, how);
                    }
                }
            }
            FoundKind::Instrument => {
                for (i, ins) in reg.instruments.iter().enumerate() {
                    let until = s
                        .effective_until(crate::model::instrument::InstrumentId(i as u32))
                        .or(ins.until);
                    if !alive(ins.from, until) {
                        continue;
                    }
                    let c = Candidate {
                        code: &ins.id,
                        name: &ins.title,
                        postcode: None,
                        ons_code: None,
                    };
                    if let Some(how) = matches(&needle, &c, &mut buf, &mut name) {
                        push(&mut found, FoundKind::Instrument, &ins.id, &ins.title, how);
                        if let Some(f) = found.last_mut() {
                            f.from = Some(ins.from);
                            f.until = until;
                            f.detail = Some(ins.kind.as_str().to_string());
                        }
                    }
                }
            }
            FoundKind::Function => {
                for (_, f) in reg.taxonomy.iter() {
                    let c = Candidate {
                        code: &f.id,
                        name: &f.name,
                        postcode: None,
                        ons_code: None,
                    };
                    if let Some(how) = matches(&needle, &c, &mut buf, &mut name) {
                        push(&mut found, FoundKind::Function, &f.id, &f.name, how);
                    }
                }
            }
        }
    }
    let total = found.len();
    // Best first; among equals, the kinds in their order, whole bodies before the parts
    // named after them (an ICB before its sub-ICB locations, whose names are the ICB's
    // with a code, so shorter), shorter names (closer matches), then codes, so that the
    // order never depends on the register's.
    found.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.kind.cmp(&b.kind))
            .then(names_a_part(a).cmp(&names_a_part(b)))
            .then(a.name.len().cmp(&b.name.len()))
            .then_with(|| a.code.cmp(&b.code))
            .then(a.from.cmp(&b.from))
    });
    found.truncate(q.limit);
    for f in found.iter_mut().filter(|f| f.kind == FoundKind::Practice) {
        if let Some(a) = reg.practice_id(&f.code) {
            f.within = within(s, a, q.on.unwrap_or(q.as_of));
        }
    }
    Ok(SearchAnswer {
        text: q.text.trim().to_string(),
        on: q.on,
        as_of: q.on.unwrap_or(q.as_of),
        kinds,
        total,
        limit: q.limit,
        results: found,
    })
}

/// The bodies a practice sits in on a date, nearest first (its commissioner, then the body
/// that commissioner is part of).
pub fn within(s: &Snapshot, a: PracticeId, on: Date) -> Vec<Within> {
    let mut chain: Vec<BodyId> = Vec::new();
    s.practice_chain(a, on, &mut chain);
    let reg = s.register();
    let mut out: Vec<Within> = Vec::new();
    for b in chain {
        let b = reg.body(b);
        if !out.iter().any(|w| w.code == b.code) {
            out.push(Within {
                code: b.code.clone(),
                name: b.name.clone(),
                kind: b.kind,
            });
        }
    }
    out
}
