//! Choosing bodies, functions, areas and instruments on the drafting forms by search: the
//! register's one search (`vires_core::search`, as `vires find` and `GET /search`), a term
//! found once taken as found, and a term that matches several things offered as a choice
//! (radios without JavaScript; the page's script suggests as one types).

use super::form::{
    Fields, AREA_BODY, AREA_NAMED, AREA_PRACTICES, FUNCTIONS, LEAD, MAKER, OF, PREDECESSORS,
    RECEIVERS, SET_AREA_BODY, SET_AREA_NAMED, SET_AREA_PRACTICES, TARGET,
};
use vires_core::search::{self, FoundKind, Matched, Search};
use vires_core::{BodyKind, Date, Snapshot};

/// What a field searches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// A body, by its name, its code or the code or postcode of a GP practice in its area.
    Body,
    Function,
    Instrument,
    /// A named area.
    Area,
    Practice,
}

impl Wanted {
    pub fn what(self) -> &'static str {
        match self {
            Wanted::Body => "body",
            Wanted::Function => "function",
            Wanted::Instrument => "instrument",
            Wanted::Area => "named area",
            Wanted::Practice => "GP practice",
        }
    }

    /// The kinds asked of the shared search (and of `GET /search` by the page's script).
    pub fn kinds(self) -> &'static [FoundKind] {
        match self {
            Wanted::Body => &[FoundKind::Body, FoundKind::Practice],
            Wanted::Function => &[FoundKind::Function],
            Wanted::Instrument => &[FoundKind::Instrument],
            Wanted::Area => &[FoundKind::Area],
            Wanted::Practice => &[FoundKind::Practice],
        }
    }
}

/// The search a field does, if it is one chosen by search.
pub fn wanted(field: &str) -> Option<Wanted> {
    Some(match field {
        MAKER | RECEIVERS | OF | PREDECESSORS | LEAD | AREA_BODY | SET_AREA_BODY => Wanted::Body,
        FUNCTIONS => Wanted::Function,
        TARGET => Wanted::Instrument,
        AREA_NAMED | SET_AREA_NAMED => Wanted::Area,
        AREA_PRACTICES | SET_AREA_PRACTICES => Wanted::Practice,
        _ => return None,
    })
}

/// The most candidates a search-then-choose step offers.
pub const CHOICES: usize = 8;

/// What a search term was taken to mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// One thing: its code (or id) and name.
    One(String, String),
    /// Several match about as well: the person chooses (best first, at most [`CHOICES`]).
    Choose(Vec<(String, String)>),
    Nothing,
    /// The search refused the text (too long, too many words).
    Refused(String),
}

/// A match so good that a lesser one does not make the term ambiguous.
fn exact(m: Matched) -> bool {
    matches!(
        m,
        Matched::Code | Matched::Postcode | Matched::OnsCode | Matched::Name
    )
}

/// Finds what `term` names through the register's one search (`vires_core::search`, as
/// `vires find` and `GET /search`): what existed on `on` first, else at any time (a body
/// abolished or merged away is named by its code after it ceased). A GP practice's code or
/// postcode stands, in a body field, for the ICB or CCG whose area holds it on `on`. With
/// `party`, the field names a body that makes or receives the instrument: an administrative
/// unit (a sub-ICB location is part of its ICB, not a legal person) is offered only when
/// nothing else matches, so "Greater Manchester" is the ICB, not also its ten places.
pub fn find(s: &Snapshot, wanted: Wanted, term: &str, on: Option<Date>, party: bool) -> Pick {
    let term = term.trim();
    let run = |on: Option<Date>| -> Result<Vec<Candidate>, String> {
        let q = Search {
            text: term,
            on,
            as_of: on.unwrap_or_else(crate::who::today),
            kinds: wanted.kinds(),
            limit: search::MAX_LIMIT,
        };
        let answer = search::search(s, &q).map_err(|e| e.to_string())?;
        let mut out: Vec<Candidate> = Vec::new();
        let mut push = |c: Candidate| {
            if !out.iter().any(|o| o.code == c.code) {
                out.push(c);
            }
        };
        for f in &answer.results {
            match (wanted, f.kind) {
                (Wanted::Body, FoundKind::Practice) => {
                    if !matches!(f.matched, Matched::Code | Matched::Postcode) {
                        continue;
                    }
                    for w in f
                        .within
                        .iter()
                        .filter(|w| matches!(w.kind, BodyKind::Icb | BodyKind::Ccg))
                    {
                        push(Candidate {
                            code: w.code.clone(),
                            name: w.name.clone(),
                            score: f.score,
                            exact: true,
                            administrative: false,
                        });
                    }
                }
                _ => push(Candidate {
                    code: f.code.clone(),
                    name: match (&f.postcode, wanted) {
                        (Some(p), Wanted::Practice) => format!("{}, {p}", f.name),
                        _ => f.name.clone(),
                    },
                    score: f.score,
                    exact: exact(f.matched),
                    administrative: f
                        .detail
                        .as_deref()
                        .and_then(BodyKind::parse)
                        .is_some_and(administrative),
                }),
            }
        }
        // Best first, as the search ranks; among equals, bodies that make and receive
        // instruments before administrative units (a sub-ICB location is part of its ICB).
        out.sort_by_key(|c| (std::cmp::Reverse(c.score), c.administrative));
        Ok(out)
    };
    let mut found = match run(on) {
        Ok(f) => f,
        Err(e) => return Pick::Refused(e),
    };
    if found.is_empty() && on.is_some() {
        found = run(None).unwrap_or_default();
    }
    if party && found.iter().any(|c| !c.administrative) {
        found.retain(|c| !c.administrative);
    }
    match found.as_slice() {
        [] => Pick::Nothing,
        [one] => Pick::One(one.code.clone(), one.name.clone()),
        [best, next, ..] if best.exact && next.score < best.score => {
            Pick::One(best.code.clone(), best.name.clone())
        }
        _ => Pick::Choose(
            found
                .into_iter()
                .take(CHOICES)
                .map(|c| (c.code, c.name))
                .collect(),
        ),
    }
}

/// One thing a term may name.
struct Candidate {
    code: String,
    name: String,
    score: u32,
    exact: bool,
    administrative: bool,
}

/// Bodies that are units of another rather than makers or receivers of instruments.
pub fn administrative(k: BodyKind) -> bool {
    matches!(k, BodyKind::SubIcbLocation | BodyKind::ReportingEntity)
}

/// A term that matched several things, for the person to choose between (the form shows
/// radios named `choose-FIELD-INDEX`; [`apply_choices`] reads them).
#[derive(Debug, Clone)]
pub struct Choice {
    pub field: &'static str,
    /// Which of the field's comma-separated terms.
    pub index: usize,
    pub term: String,
    pub what: &'static str,
    pub options: Vec<(String, String)>,
}

impl Choice {
    pub fn input_name(&self) -> String {
        format!("choose-{}-{}", self.field, self.index)
    }
}

pub fn terms(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|t| !t.is_empty())
}

/// Applies the choices made in search-then-choose steps: `choose-FIELD-INDEX=CODE` puts
/// CODE in place of the INDEXth term of FIELD. The `choose-` fields are removed.
pub fn apply_choices(fields: &mut Fields) {
    let chosen: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k.starts_with("choose-"))
        .map(|(k, v)| (k.clone(), v.trim().to_string()))
        .collect();
    for (key, code) in chosen {
        fields.remove(&key);
        let Some((field, index)) = key.strip_prefix("choose-").and_then(|r| r.rsplit_once('-'))
        else {
            continue;
        };
        let (Some(_), Ok(index)) = (wanted(field), index.parse::<usize>()) else {
            continue;
        };
        if code.is_empty() || code.contains(',') {
            continue;
        }
        let Some(raw) = fields.get(field) else {
            continue;
        };
        let mut list: Vec<String> = if field == TARGET {
            vec![raw.trim().to_string()]
        } else {
            terms(raw).map(str::to_string).collect()
        };
        if let Some(t) = list.get_mut(index) {
            *t = code;
            fields.insert(field.to_string(), list.join(", "));
        }
    }
}
