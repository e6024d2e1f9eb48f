//! A draft as a form: which fields each kind of instrument (or a new body) asks for, reading
//! what was typed (bodies, functions, areas and instruments found through the register's
//! one search, as `vires find` and `GET /search` find them; dates as day, month and year),
//! writing it as `.vires` text, and reading pasted `.vires` back into the form. The text is
//! what gets checked, so the form and the text view can never disagree.

pub use crate::draft_search::{apply_choices, find, terms, wanted, Choice, Pick};
use crate::layout::FieldError;
use std::collections::BTreeMap;
use vires_core::instrument::{AreaExpr, Receivers};
use vires_core::{Body, BodyKind, Date, Instrument, InstrumentKind, Power, Snapshot};
use vires_lang::format::quote;

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

fn get<'a>(f: &'a Fields, name: &str) -> &'a str {
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

/// The draft read: the `.vires` text when every field is usable, the mistakes found
/// (next to their fields), what each search term was taken to mean, and the terms that
/// matched several things, for the person to choose between.
pub struct Read {
    pub text: Option<String>,
    pub errors: Vec<FieldError>,
    pub found: BTreeMap<&'static str, Vec<(String, String)>>,
    pub choices: Vec<Choice>,
    pub from: Option<Date>,
}

struct Reader<'a> {
    s: &'a Snapshot,
    errors: Vec<FieldError>,
    found: BTreeMap<&'static str, Vec<(String, String)>>,
    choices: Vec<Choice>,
}

impl Reader<'_> {
    fn err(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            message: message.into(),
        });
    }

    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn date(&mut self, fields: &Fields, name: &'static str, label: &str) -> Option<Date> {
        match typed_date(fields, name, label) {
            Typed::Date(d) => Some(d),
            Typed::Blank => None,
            Typed::Bad(m) => {
                self.err(name, m);
                None
            }
        }
    }

    /// Resolves a field's comma-separated terms by search. Every term found once is
    /// replaced by its code in `fields`, so the form shows what was understood; a term that
    /// matches several things becomes a [`Choice`]. `every KIND` is kept as it is where
    /// `every` is allowed.
    fn resolve(
        &mut self,
        fields: &mut Fields,
        field: &'static str,
        required: Option<&str>,
        on: Option<Date>,
    ) -> Vec<String> {
        let Some(wanted) = wanted(field) else {
            return Vec::new();
        };
        let raw = get(fields, field).to_string();
        if raw.is_empty() {
            if let Some(m) = required {
                self.err(field, m);
            }
            return Vec::new();
        }
        let (mut codes, mut shown, mut bad) = (Vec::new(), Vec::new(), Vec::new());
        // An instrument's title may hold commas: the field names one instrument.
        let list: Vec<&str> = if field == TARGET {
            vec![raw.as_str()]
        } else {
            terms(&raw).collect()
        };
        for (index, term) in list.into_iter().enumerate() {
            if matches!(field, RECEIVERS | OF) {
                if let Some(k) = term
                    .strip_prefix("every ")
                    .and_then(|k| BodyKind::parse(k.trim()))
                {
                    codes.push(format!("every {}", k.as_str()));
                    shown.push((
                        format!("every {}", k.as_str()),
                        format!("every {}", k.as_str()),
                    ));
                    continue;
                }
            }
            let what = wanted.what();
            match find(self.s, wanted, term, on) {
                Pick::One(code, name) => {
                    shown.push((code.clone(), name));
                    codes.push(code);
                }
                Pick::Choose(options) => {
                    bad.push(format!(
                        "“{term}” matches more than one {what}: choose the one you mean"
                    ));
                    self.choices.push(Choice {
                        field,
                        index,
                        term: term.to_string(),
                        what,
                        options,
                    });
                }
                Pick::Nothing => bad.push(format!(
                    "No {what} matches “{term}”. Check the spelling, or type its code"
                )),
                Pick::Refused(e) => bad.push(format!("“{term}”: {e}")),
            }
        }
        if !bad.is_empty() {
            self.err(field, bad.join(". "));
            return Vec::new();
        }
        fields.insert(field.to_string(), codes.join(", "));
        self.found.insert(field, shown);
        codes
    }

    /// An area as chosen on the form: the radio `field` and, for some choices, the search
    /// field that says which body, named area or practices. `None` without a choice.
    fn area(
        &mut self,
        fields: &mut Fields,
        field: &'static str,
        [body, named, practices]: [&'static str; 3],
        on: Option<Date>,
    ) -> Option<String> {
        match get(fields, field) {
            "" => None,
            "own" => Some("own".into()),
            "england" => Some("england".into()),
            "footprint" => {
                let b = self.resolve(
                    fields,
                    body,
                    Some("Enter the body whose area it covers"),
                    on,
                );
                b.first().map(|c| format!("footprint({c})"))
            }
            "named" => {
                let a = self.resolve(fields, named, Some("Enter the named area"), on);
                a.first().map(|c| c.to_string())
            }
            "practices" => {
                let p = self.resolve(fields, practices, Some("Enter the GP practices"), on);
                (!p.is_empty()).then(|| format!("practices({})", p.join(", ")))
            }
            _ => {
                self.err(field, "Select where it applies");
                None
            }
        }
    }
}

/// Purposes typed as words, each made a slug (`independent provider commissioning` →
/// `independent-provider-commissioning`).
fn purposes(raw: &str) -> Vec<String> {
    terms(raw)
        .map(vires_lang::lower::slug)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Reads a kind's form. Search terms that found exactly one thing are replaced by its
/// code in `fields`, so the form shows what was understood.
pub fn read(s: &Snapshot, kind: &KindForm, fields: &mut Fields) -> Read {
    let mut r = Reader {
        s,
        errors: Vec::new(),
        found: BTreeMap::new(),
        choices: Vec::new(),
    };
    if kind.kind == NEW_BODY {
        let text = read_body(&mut r, fields);
        return Read {
            from: typed_date(fields, FROM, "").date(),
            text,
            errors: r.errors,
            found: r.found,
            choices: r.choices,
        };
    }
    let has = |f: &str| kind.fields.contains(&f);
    let title = get(fields, TITLE).to_string();
    if title.is_empty() {
        r.err(TITLE, "Enter the title");
    }
    let from = r.date(fields, FROM, "The date it takes effect");
    if from.is_none() && !r.has_error(FROM) {
        r.err(FROM, "Enter the date it takes effect");
    }
    let until = if has(UNTIL) {
        r.date(fields, UNTIL, "The date it ends")
    } else {
        None
    };
    let set_until = if has(SET_UNTIL) {
        r.date(fields, SET_UNTIL, "The new end date")
    } else {
        None
    };
    // A body named after it ceased (abolished, merged away) is looked for the day before.
    let day_before = from.and_then(|d| d.yesterday().ok());
    let maker = r.resolve(fields, MAKER, Some("Enter the body that makes it"), from);
    let receivers = if has(RECEIVERS) {
        let on = if kind.kind == "abolish" {
            day_before
        } else {
            from
        };
        r.resolve(fields, RECEIVERS, Some("Enter who it is for"), on)
    } else {
        Vec::new()
    };
    let of = if has(OF) {
        r.resolve(fields, OF, None, from)
    } else {
        Vec::new()
    };
    let predecessors = if has(PREDECESSORS) {
        r.resolve(
            fields,
            PREDECESSORS,
            Some("Enter the bodies that merge"),
            day_before,
        )
    } else {
        Vec::new()
    };
    let lead = if has(LEAD) {
        r.resolve(fields, LEAD, None, from)
    } else {
        Vec::new()
    };
    let area = if has(AREA) {
        if get(fields, AREA).is_empty() {
            fields.insert(AREA.into(), "own".into());
        }
        r.area(fields, AREA, [AREA_BODY, AREA_NAMED, AREA_PRACTICES], from)
    } else {
        None
    };
    let set_area = if has(SET_AREA) {
        r.area(
            fields,
            SET_AREA,
            [SET_AREA_BODY, SET_AREA_NAMED, SET_AREA_PRACTICES],
            from,
        )
    } else {
        None
    };
    let set_purposes = if has(SET_PURPOSES) {
        purposes(get(fields, SET_PURPOSES))
    } else {
        Vec::new()
    };
    if has(SET_UNTIL)
        && set_until.is_none()
        && set_area.is_none()
        && set_purposes.is_empty()
        && !r.has_error(SET_UNTIL)
        && !r.has_error(SET_AREA)
    {
        r.err(
            SET_UNTIL,
            "Enter what the amendment changes: a new end date, new purposes or a new area",
        );
    }
    let functions = if has(FUNCTIONS) {
        r.resolve(fields, FUNCTIONS, Some("Enter the functions"), from)
    } else {
        Vec::new()
    };
    let target = if has(TARGET) {
        r.resolve(
            fields,
            TARGET,
            Some("Enter the instrument it changes"),
            None,
        )
    } else {
        Vec::new()
    };
    let basis = match get(fields, BASIS) {
        "" => {
            r.err(BASIS, "Select the power it is made under");
            None
        }
        id => match s.register().powers.iter().find(|p| p.id == id) {
            Some(p) => Some(basis_text(p)),
            None => {
                r.err(BASIS, "Select the power it is made under from the list");
                None
            }
        },
    };
    let Reader {
        errors,
        found,
        choices,
        ..
    } = r;
    if !errors.is_empty() {
        return Read {
            text: None,
            errors,
            found,
            choices,
            from,
        };
    }
    let mut lines: Vec<(&str, String)> = Vec::new();
    let id = match get(fields, ID) {
        "" => vires_lang::lower::slug(&title),
        id => id.to_string(),
    };
    lines.push(("id", id));
    if let Some(b) = basis {
        lines.push(("basis", quote(&b)));
    }
    lines.push(("by", maker.join(", ")));
    if !of.is_empty() {
        lines.push(("of", of.join(", ")));
    }
    if !predecessors.is_empty() {
        lines.push(("predecessors", predecessors.join(", ")));
    }
    if !receivers.is_empty() {
        lines.push(("to", receivers.join(", ")));
    }
    if !functions.is_empty() {
        lines.push(("functions", functions.join(", ")));
    }
    if let Some(a) = area {
        lines.push(("area", a));
    }
    if let Some(l) = lead.first() {
        lines.push(("lead", l.clone()));
    }
    if let Some(t) = target.first() {
        lines.push(("target", t.clone()));
    }
    if let Some(d) = set_until {
        lines.push(("set", format!("until {d}")));
    }
    if !set_purposes.is_empty() {
        lines.push(("set", format!("purposes {}", set_purposes.join(", "))));
    }
    if let Some(a) = set_area {
        lines.push(("set", format!("area {a}")));
    }
    let list = purposes(get(fields, PURPOSES));
    if has(PURPOSES) && !list.is_empty() {
        lines.push(("purposes", list.join(", ")));
    }
    if let Some(d) = from {
        lines.push(("from", d.to_string()));
    }
    if let Some(d) = until {
        lines.push(("until", d.to_string()));
    }
    let source = get(fields, SOURCE);
    if !source.is_empty() {
        lines.push(("source", quote(source)));
    }
    let mut text = format!("{} {} {{\n", kind.kind, quote(&title));
    for (k, v) in lines {
        text.push_str(&format!("  {k} {v}\n"));
    }
    text.push_str("}\n");
    let text = vires_lang::format(&text).unwrap_or(text);
    Read {
        text: Some(text),
        errors,
        found,
        choices,
        from,
    }
}

impl Typed {
    fn date(self) -> Option<Date> {
        match self {
            Typed::Date(d) => Some(d),
            _ => None,
        }
    }
}

/// Whether `code` may be a body's code: letters and digits, at most 12 (ODS codes are 3 to 6).
fn is_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 12 && code.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A new body's form as a `body CODE { … }` record.
fn read_body(r: &mut Reader<'_>, fields: &mut Fields) -> Option<String> {
    let code = get(fields, CODE).to_uppercase();
    if code.is_empty() {
        r.err(CODE, "Enter the body's code");
    } else if !is_code(&code) {
        r.err(
            CODE,
            "The code must be letters and numbers only, at most 12, for example QOP",
        );
    } else {
        fields.insert(CODE.into(), code.clone());
    }
    let name = get(fields, NAME).to_string();
    if name.is_empty() {
        r.err(NAME, "Enter the body's name");
    }
    let kind = match BodyKind::parse(get(fields, BODY_KIND)) {
        Some(k) => Some(k),
        None => {
            r.err(BODY_KIND, "Select the kind of body");
            None
        }
    };
    let from = r.date(fields, FROM, "The date it comes into being");
    if from.is_none() && !r.has_error(FROM) {
        r.err(FROM, "Enter the date it comes into being");
    }
    let until = r.date(fields, UNTIL, "The date it ceases to exist");
    if let (Some(f), Some(u)) = (from, until) {
        if u <= f {
            r.err(
                UNTIL,
                "The date it ceases to exist must be after the date it comes into being",
            );
        }
    }
    let ons = get(fields, ONS).to_uppercase();
    if !ons.is_empty() && !is_code(&ons) {
        r.err(
            ONS,
            "The ONS code must be letters and numbers only, for example E54000057",
        );
    }
    if let (Some(f), true) = (from, is_code(&code)) {
        if let Some(b) = r.s.register().body_near(&code, f) {
            let b = r.s.register().body(b);
            if b.life.contains(f) {
                r.err(
                    CODE,
                    format!(
                        "The register already has {} ({}) on that date; a code names one body at a time",
                        b.name, b.code
                    ),
                );
            }
        }
    }
    let (Some(kind), Some(from), true) = (kind, from, r.errors.is_empty()) else {
        return None;
    };
    let text = |k: &str| Some(get(fields, k).to_string()).filter(|v| !v.is_empty());
    Some(body_text(&Body {
        code,
        name,
        kind,
        life: vires_core::Interval::new(from, until),
        basis: text(ESTABLISHED_BY),
        source: text(SOURCE),
        ons_code: Some(ons).filter(|o| !o.is_empty()),
        span: None,
    }))
}

/// A body as a `body CODE { … }` record in the register's language.
pub fn body_text(b: &Body) -> String {
    let mut text = format!(
        "body {} {{\n  name {}\n  kind {}\n  from {}\n",
        b.code,
        quote(&b.name),
        b.kind.as_str(),
        b.life.from
    );
    if let Some(u) = b.life.until {
        text.push_str(&format!("  until {u}\n"));
    }
    if let Some(basis) = &b.basis {
        text.push_str(&format!("  basis {}\n", quote(basis)));
    }
    if let Some(ons) = &b.ons_code {
        text.push_str(&format!("  ons {ons}\n"));
    }
    if let Some(source) = &b.source {
        text.push_str(&format!("  source {}\n", quote(source)));
    }
    text.push_str("}\n");
    vires_lang::format(&text).unwrap_or(text)
}

/// Sets an area's radio and search field from an area expression. A union cannot be
/// shown on the form (it stays in the text view).
fn set_area(f: &mut Fields, field: &str, [body, named, practices]: [&str; 3], a: &AreaExpr) {
    let (choice, detail) = match a {
        AreaExpr::Own => ("own", None),
        AreaExpr::England => ("england", None),
        AreaExpr::Footprint(c) => ("footprint", Some((body, c.to_string()))),
        AreaExpr::Named(id) => ("named", Some((named, id.to_string()))),
        AreaExpr::Practices(list) => (
            "practices",
            Some((
                practices,
                list.iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        ),
        AreaExpr::Union(_) => ("other", None),
    };
    f.insert(field.into(), choice.into());
    if let Some((k, v)) = detail {
        f.insert(k.into(), v);
    }
}

/// The form's fields for an instrument read from pasted text.
pub fn fields_of(s: &Snapshot, ins: &Instrument) -> Fields {
    let mut f = Fields::new();
    f.insert(TITLE.into(), ins.title.to_string());
    f.insert(ID.into(), ins.id.to_string());
    if let Some(m) = &ins.maker {
        f.insert(MAKER.into(), m.to_string());
    }
    let codes = |r: &Receivers| match r {
        Receivers::Bodies(v) => v.join(", "),
        Receivers::Every(k) => format!("every {}", k.as_str()),
    };
    f.insert(RECEIVERS.into(), codes(&ins.receivers));
    if let Some(of) = &ins.particulars.of {
        f.insert(OF.into(), codes(of));
    }
    f.insert(PREDECESSORS.into(), ins.particulars.predecessors.join(", "));
    f.insert(
        FUNCTIONS.into(),
        ins.functions
            .iter()
            .map(|x| x.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    match &ins.area {
        None => {
            f.insert(AREA.into(), "own".into());
        }
        Some(a) => set_area(&mut f, AREA, [AREA_BODY, AREA_NAMED, AREA_PRACTICES], a),
    }
    if let Some(l) = &ins.particulars.lead {
        f.insert(LEAD.into(), l.clone());
    }
    if let Some(t) = &ins.particulars.target {
        f.insert(TARGET.into(), t.clone());
    }
    if let Some(c) = ins.particulars.changes.as_ref() {
        if let Some(u) = c.until {
            set_date(&mut f, SET_UNTIL, u);
        }
        if let Some(p) = &c.purposes {
            f.insert(SET_PURPOSES.into(), p.join(", "));
        }
        if let Some(a) = &c.area {
            set_area(
                &mut f,
                SET_AREA,
                [SET_AREA_BODY, SET_AREA_NAMED, SET_AREA_PRACTICES],
                a,
            );
        }
    }
    set_date(&mut f, FROM, ins.from);
    if let Some(u) = ins.until {
        set_date(&mut f, UNTIL, u);
    }
    if let Some(b) = &ins.basis {
        // A basis can cite several powers ("NHS Act 2006 s.13Z" cites the Act and s.13Z);
        // the one the instrument rests on is the one it may be made under, as the
        // compiler judges it; else one for its kind (so the draft's findings are the
        // text's); else the first cited.
        let usable = usable_powers(s, ins.kind.as_str(), ins.maker.as_deref(), Some(ins.from));
        let cited = || s.register().powers.iter().filter(|p| p.cited_by(b));
        let chosen = cited()
            .find(|p| usable.iter().any(|u| u.id == p.id))
            .or_else(|| cited().find(|p| p.kinds.contains(&ins.kind)))
            .or_else(|| cited().next());
        if let Some(p) = chosen {
            f.insert(BASIS.into(), p.id.clone());
        }
    }
    f.insert(PURPOSES.into(), ins.purposes.join(", "));
    if let Some(src) = &ins.source {
        f.insert(SOURCE.into(), src.clone());
    }
    f.retain(|_, v| !v.is_empty());
    f
}

/// The form's fields for a new body read from pasted text.
pub fn fields_of_body(b: &Body) -> Fields {
    let mut f = Fields::new();
    f.insert(CODE.into(), b.code.clone());
    f.insert(NAME.into(), b.name.clone());
    f.insert(BODY_KIND.into(), b.kind.as_str().into());
    set_date(&mut f, FROM, b.life.from);
    if let Some(u) = b.life.until {
        set_date(&mut f, UNTIL, u);
    }
    for (k, v) in [
        (ESTABLISHED_BY, &b.basis),
        (ONS, &b.ons_code),
        (SOURCE, &b.source),
    ] {
        if let Some(v) = v {
            f.insert(k.into(), v.clone());
        }
    }
    f
}

/// The form field a line of the draft's text is about, from the field word it starts with.
pub fn field_of_line(line: &str) -> Option<&'static str> {
    let mut words = line.split_whitespace();
    let word = words.next()?;
    Some(match word {
        "id" => TITLE,
        "basis" => BASIS,
        "by" => MAKER,
        "of" => OF,
        "predecessors" | "merging" => PREDECESSORS,
        "to" => RECEIVERS,
        "functions" | "except" => FUNCTIONS,
        "area" => AREA,
        "lead" => LEAD,
        "target" => TARGET,
        "set" => match words.next() {
            Some("purposes") => SET_PURPOSES,
            Some("area") => SET_AREA,
            _ => SET_UNTIL,
        },
        "purposes" => PURPOSES,
        "from" => FROM,
        "until" => UNTIL,
        "source" => SOURCE,
        "body" => CODE,
        "name" => NAME,
        "kind" => BODY_KIND,
        "ons" => ONS,
        _ => TITLE,
    })
}
