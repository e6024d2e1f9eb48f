//! A draft as a form: which fields each kind of instrument (or a new body) asks for, reading
//! what was typed (bodies, functions, areas and instruments found through the register's
//! one search, as `vires find` and `GET /search` find them; dates as day, month and year),
//! writing it as `.vires` text, and reading pasted `.vires` back into the form. The text is
//! what gets checked, so the form and the text view can never disagree.
//!
//! Reading the fields is in [`super::read`]; going from text back to fields in
//! [`super::text_fields`].

use std::collections::BTreeMap;
use vires_core::{Date, InstrumentKind, Power, Snapshot};

pub type Fields = BTreeMap<String, String>;

pub const TITLE: &str = "title";
pub const ID: &str = "id";
pub const MAKER: &str = "maker";
pub const RECEIVERS: &str = "receivers";
pub const OF: &str = "of";
pub const PREDECESSORS: &str = "predecessors";
pub const FUNCTIONS: &str = "functions";
pub const AREA: &str = "area";
pub const AREA_BODY: &str = "area_body";
pub const AREA_NAMED: &str = "area_named";
pub const AREA_PRACTICES: &str = "area_practices";
pub const LEAD: &str = "lead";
pub const TARGET: &str = "target";
pub const SET_UNTIL: &str = "set_until";
pub const SET_PURPOSES: &str = "set_purposes";
pub const SET_AREA: &str = "set_area";
pub const SET_AREA_BODY: &str = "set_area_body";
pub const SET_AREA_NAMED: &str = "set_area_named";
pub const SET_AREA_PRACTICES: &str = "set_area_practices";
pub const FROM: &str = "from";
pub const UNTIL: &str = "until";
pub const BASIS: &str = "basis";
pub const PURPOSES: &str = "purposes";
pub const SOURCE: &str = "source";
/// A new body's fields.
pub const CODE: &str = "code";
pub const NAME: &str = "name";
pub const BODY_KIND: &str = "body_kind";
pub const ONS: &str = "ons";
pub const ESTABLISHED_BY: &str = "established_by";

/// The draft kind of a new body: a `body` record, not an instrument.
pub const NEW_BODY: &str = "body";

/// One kind of instrument the drafting pages offer, and the fields its form asks for.
pub struct KindForm {
    pub kind: &'static str,
    pub name: &'static str,
    pub hint: &'static str,
    pub fields: &'static [&'static str],
}

pub const KINDS: &[KindForm] = &[
    KindForm {
        kind: "delegation",
        name: "Delegation",
        hint: "A body arranges for another to exercise one of its functions, and stays accountable for it.",
        fields: &[TITLE, MAKER, RECEIVERS, FUNCTIONS, AREA, FROM, UNTIL, BASIS, PURPOSES, SOURCE],
    },
    KindForm {
        kind: "joint-committee",
        name: "Joint committee",
        hint: "Two or more bodies exercise a function together through a joint committee.",
        fields: &[TITLE, MAKER, RECEIVERS, FUNCTIONS, AREA, LEAD, FROM, UNTIL, BASIS, SOURCE],
    },
    KindForm {
        kind: "partnership",
        name: "Partnership (section 75)",
        hint: "A lead commissioner exercises a partner's function, perhaps with a pooled budget.",
        fields: &[TITLE, MAKER, RECEIVERS, FUNCTIONS, AREA, LEAD, FROM, UNTIL, BASIS, SOURCE],
    },
    KindForm {
        kind: "direction",
        name: "Direction",
        hint: "A body is directed to exercise another body's functions.",
        fields: &[TITLE, MAKER, OF, RECEIVERS, FUNCTIONS, AREA, FROM, UNTIL, BASIS, PURPOSES, SOURCE],
    },
    KindForm {
        kind: "amend",
        name: "Amendment",
        hint: "Changes when an instrument in the register ends, the purposes it is for or where it applies.",
        fields: &[TITLE, MAKER, TARGET, SET_UNTIL, SET_PURPOSES, SET_AREA, FROM, BASIS, SOURCE],
    },
    KindForm {
        kind: "revoke",
        name: "Revocation",
        hint: "Ends an instrument in the register from a date.",
        fields: &[TITLE, MAKER, TARGET, FROM, BASIS, SOURCE],
    },
    KindForm {
        kind: NEW_BODY,
        name: "New body",
        hint: "A body the register does not know yet, such as a new ICB or a joint committee: its code, name, kind and dates. Then draft its establishment.",
        fields: &[CODE, NAME, BODY_KIND, FROM, UNTIL, ESTABLISHED_BY, ONS, SOURCE],
    },
    KindForm {
        kind: "establish",
        name: "Establishment of a body",
        hint: "A body in the register comes into being. Draft a new body first if the register does not know it.",
        fields: &[TITLE, MAKER, RECEIVERS, FROM, BASIS, SOURCE],
    },
    KindForm {
        kind: "abolish",
        name: "Abolition of a body",
        hint: "A body ceases to exist.",
        fields: &[TITLE, MAKER, RECEIVERS, FROM, BASIS, SOURCE],
    },
    KindForm {
        kind: "merge",
        name: "Merger of bodies",
        hint: "Bodies cease and a successor inherits their functions and arrangements.",
        fields: &[TITLE, MAKER, PREDECESSORS, RECEIVERS, FROM, BASIS, SOURCE],
    },
];

pub fn kind_form(kind: &str) -> Option<&'static KindForm> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The label and hint of a field on a kind's form.
pub fn label(kind: &str, field: &str) -> (&'static str, &'static str) {
    match (kind, field) {
        (_, TITLE) => ("Title", "As it appears on the signed agreement or board paper."),
        (_, MAKER) => ("Who makes it", "The body making the instrument. Type its name, its ODS code or the postcode of a GP practice in its area, for example Greater Manchester, QOP or BL1 1PP."),
        ("joint-committee", RECEIVERS) => ("Members of the joint committee", "Every member, the maker included, separated by commas. Type names, codes or postcodes, for example QOP, Cheshire and Merseyside."),
        ("partnership", RECEIVERS) => ("Partners", "The bodies in the partnership, separated by commas."),
        ("direction", RECEIVERS) => ("Who is directed to exercise the functions", "Type a name, code or postcode."),
        ("establish", RECEIVERS) => ("The body established", "Type its name or code. If the register does not know it yet, draft a new body first."),
        ("abolish", RECEIVERS) => ("The body abolished", "Type its name or code."),
        ("merge", RECEIVERS) => ("The body they merge into", "Type its name or code. If it is a new body, draft it first."),
        (_, RECEIVERS) => ("Who the function goes to", "Separate several bodies with commas. Type names, codes or postcodes, or every icb for every ICB."),
        (_, OF) => ("Whose functions", "The body whose functions are exercised. Leave blank for the maker's own."),
        (_, PREDECESSORS) => ("The bodies that merge", "Separate them with commas."),
        (_, FUNCTIONS) => ("Functions", "Type the name or id of each function, separated by commas, for example secondary care or commissioning.primary-care.dental."),
        (_, AREA) => ("Where it applies", ""),
        (_, SET_AREA) => ("New area (optional)", "Where the changed instrument applies from the date this takes effect."),
        (_, AREA_BODY | SET_AREA_BODY) => ("The body whose area it covers", "Type its name, code or the postcode of a GP practice in its area."),
        (_, AREA_NAMED | SET_AREA_NAMED) => ("The named area", "Type its name or id, for example Greater Manchester."),
        (_, AREA_PRACTICES | SET_AREA_PRACTICES) => ("The GP practices", "Type their codes or postcodes, separated by commas, for example P82001, BL6 5NW."),
        (_, LEAD) => ("Lead body", "The body that leads. Leave blank if there is none."),
        (_, TARGET) => ("The instrument it changes", "Type its id, as shown on the instrument's page, or words of its title (at most 8)."),
        (_, SET_UNTIL) => ("New end date (optional)", "The first day the changed instrument is no longer in force. For example, 1 4 2028."),
        (_, SET_PURPOSES) => ("New purposes (optional)", "The purposes the changed instrument is for from the date this takes effect, separated by commas."),
        (NEW_BODY, FROM) => ("When it comes into being", "The first day it exists. For example, 1 4 2027."),
        (NEW_BODY, UNTIL) => ("When it ceases to exist (optional)", "The first day it no longer exists. Leave blank if that is not known."),
        (_, FROM) => ("When it takes effect", "The first day it is in force. For example, 1 4 2027."),
        (_, UNTIL) => ("When it ends (optional)", "The first day it is no longer in force. Leave blank if it has no end date."),
        (_, BASIS) => ("Legal basis", "The power it is made under. Only the powers the maker may use for this kind of instrument on the date it takes effect are listed."),
        (_, PURPOSES) => ("Purposes (optional)", "Limit the arrangement to these purposes, separated by commas. Leave blank for any purpose."),
        (NEW_BODY, SOURCE) => ("Source (optional)", "Where the record comes from, for example the ODS record or the establishment order, with its date."),
        (_, SOURCE) => ("Source", "The public record it rests on: the agreement, board minute or terms of reference, with its date."),
        (_, ID) => ("Identifier", "A short id for the register. Made from the title if left blank."),
        (_, CODE) => ("Code", "Its ODS code, as the register will know it, for example QOP. Letters and numbers only."),
        (_, NAME) => ("Name", "Its full name, for example NHS Greater Manchester Integrated Care Board."),
        (_, BODY_KIND) => ("Kind of body", ""),
        (_, ONS) => ("ONS code (optional)", "For example E54000057."),
        (_, ESTABLISHED_BY) => ("What establishes it (optional)", "The statute or order, in plain words, for example The Integrated Care Boards (Establishment) Order 2022."),
        _ => ("", ""),
    }
}

pub(super) fn get<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map(|s| s.trim()).unwrap_or("")
}

/// A date typed as day, month and year (`NAME-day`, `NAME-month`, `NAME-year`).
pub enum Typed {
    Blank,
    Date(Date),
    Bad(String),
}

pub fn typed_date(f: &Fields, name: &str, label: &str) -> Typed {
    let part = |p: &str| get(f, &format!("{name}-{p}")).to_string();
    let (d, m, y) = (part("day"), part("month"), part("year"));
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Typed::Blank;
    }
    let missing: Vec<&str> = [("a day", &d), ("a month", &m), ("a year", &y)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(w, _)| *w)
        .collect();
    if !missing.is_empty() {
        return Typed::Bad(format!("{label} must include {}", missing.join(" and ")));
    }
    let num = |s: &str| s.parse::<i16>().ok();
    match (num(&d), num(&m), num(&y)) {
        (Some(d), Some(m), Some(y)) if (1000..=9999).contains(&y) => {
            match (i8::try_from(m), i8::try_from(d)) {
                (Ok(m), Ok(d)) => match Date::new(y, m, d) {
                    Ok(date) => Typed::Date(date),
                    Err(_) => Typed::Bad(format!("{label} must be a real date")),
                },
                _ => Typed::Bad(format!("{label} must be a real date")),
            }
        }
        (_, _, Some(y)) if !(1000..=9999).contains(&y) => {
            Typed::Bad(format!("{label}: the year must include 4 numbers"))
        }
        _ => Typed::Bad(format!("{label} must be a real date")),
    }
}

/// Sets a date's three fields.
pub fn set_date(f: &mut Fields, name: &str, d: Date) {
    f.insert(format!("{name}-day"), d.day().to_string());
    f.insert(format!("{name}-month"), d.month().to_string());
    f.insert(format!("{name}-year"), d.year().to_string());
}
/// The powers a maker may use for a kind of instrument on a date (all the kind's powers
/// while the maker or the date is not known yet).
pub fn usable_powers<'a>(
    s: &'a Snapshot,
    kind: &str,
    maker: Option<&str>,
    on: Option<Date>,
) -> Vec<&'a Power> {
    let reg = s.register();
    let kind = InstrumentKind::parse(kind);
    let maker_kind = maker.and_then(|m| {
        let id = match on {
            Some(d) => reg.body_near(m, d),
            None => reg
                .bodies
                .iter()
                .position(|b| b.code == m)
                .map(|i| vires_core::BodyId(i as u32)),
        };
        id.map(|b| reg.body(b).kind)
    });
    reg.powers
        .iter()
        .filter(|p| kind.is_none_or(|k| p.kinds.contains(&k)))
        .filter(|p| maker_kind.is_none_or(|k| p.makers.contains(&k)))
        .filter(|p| on.is_none_or(|d| p.during.contains(d)))
        .collect()
}

/// The basis text a power is cited by: the Act and section from its source, else its
/// first citation.
pub fn basis_text(p: &Power) -> String {
    let clause = p
        .source
        .split([',', ';'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if !clause.is_empty() && p.cited_by(&clause) {
        clause
    } else {
        p.cites.first().cloned().unwrap_or_else(|| p.title.clone())
    }
}

impl Typed {
    pub(super) fn date(self) -> Option<Date> {
        match self {
            Typed::Date(d) => Some(d),
            _ => None,
        }
    }
}
