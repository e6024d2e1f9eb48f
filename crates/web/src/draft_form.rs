//! A draft instrument as a form: which fields each kind of instrument asks for, reading
//! what was typed (bodies, functions and instruments found by name, code or postcode;
//! dates as day, month and year), writing it as `.vires` text, and reading pasted `.vires`
//! back into the form. The text is what gets checked, so the form and the text view can
//! never disagree.

use crate::layout::FieldError;
use std::collections::BTreeMap;
use vires_core::instrument::{AreaExpr, Receivers};
use vires_core::{BodyKind, Date, Instrument, InstrumentKind, Power, Snapshot};
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
pub const LEAD: &str = "lead";
pub const TARGET: &str = "target";
pub const SET_UNTIL: &str = "set_until";
pub const FROM: &str = "from";
pub const UNTIL: &str = "until";
pub const BASIS: &str = "basis";
pub const PURPOSES: &str = "purposes";
pub const SOURCE: &str = "source";

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
        hint: "Changes when an instrument in the register ends.",
        fields: &[TITLE, MAKER, TARGET, SET_UNTIL, FROM, BASIS, SOURCE],
    },
    KindForm {
        kind: "revoke",
        name: "Revocation",
        hint: "Ends an instrument in the register from a date.",
        fields: &[TITLE, MAKER, TARGET, FROM, BASIS, SOURCE],
    },
    KindForm {
        kind: "establish",
        name: "Establishment of a body",
        hint: "A body the register knows comes into being.",
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
        ("establish", RECEIVERS) => ("The body established", "Type its name or code."),
        ("abolish", RECEIVERS) => ("The body abolished", "Type its name or code."),
        ("merge", RECEIVERS) => ("The body they merge into", "Type its name or code."),
        (_, RECEIVERS) => ("Who the function goes to", "Separate several bodies with commas. Type names, codes or postcodes."),
        (_, OF) => ("Whose functions", "The body whose functions are exercised. Leave blank for the maker's own."),
        (_, PREDECESSORS) => ("The bodies that merge", "Separate them with commas."),
        (_, FUNCTIONS) => ("Functions", "Type the name or id of each function, separated by commas, for example secondary care or commissioning.primary-care.dental."),
        (_, AREA) => ("Where it applies", ""),
        (_, AREA_BODY) => ("The body whose area it covers", "Type its name or code."),
        (_, LEAD) => ("Lead body", "The body that leads. Leave blank if there is none."),
        (_, TARGET) => ("The instrument it changes", "Type its title or its id, as shown on the instrument's page."),
        (_, SET_UNTIL) => ("New end date", "The first day the changed instrument is no longer in force. For example, 1 4 2028."),
        (_, FROM) => ("When it takes effect", "The first day it is in force. For example, 1 4 2027."),
        (_, UNTIL) => ("When it ends (optional)", "The first day it is no longer in force. Leave blank if it has no end date."),
        (_, BASIS) => ("Legal basis", "The power it is made under. Only the powers the maker may use for this kind of instrument on the date it takes effect are listed."),
        (_, PURPOSES) => ("Purposes (optional)", "Limit the arrangement to these purposes, separated by commas. Leave blank for any purpose."),
        (_, SOURCE) => ("Source", "The public record it rests on: the agreement, board minute or terms of reference, with its date."),
        (_, ID) => ("Identifier", "A short id for the register. Made from the title if left blank."),
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
            match Date::new(y, m as i8, d as i8) {
                Ok(date) => Typed::Date(date),
                Err(_) => Typed::Bad(format!("{label} must be a real date")),
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

/// What a search term found: one thing, or why not.
fn one_of(term: &str, found: Vec<(String, String)>, what: &str) -> Result<String, String> {
    match found.len() {
        0 => Err(format!(
            "No {what} matches “{term}”. Check the spelling, or type its code"
        )),
        1 => Ok(found[0].0.clone()),
        n => Err(format!(
            "“{term}” matches {n} {what}s: {}{}. Type the code of the one you mean",
            found
                .iter()
                .take(6)
                .map(|(c, name)| format!("{name} ({c})"))
                .collect::<Vec<_>>()
                .join(", "),
            if n > 6 { ", …" } else { "" }
        )),
    }
}

fn words_match(hay: &str, term: &str) -> bool {
    let hay = hay.to_lowercase();
    term.to_lowercase()
        .split_whitespace()
        .all(|w| hay.contains(w))
}

/// Bodies a term names: by code, by a GP practice's code or postcode (the bodies whose
/// area holds the practice on `on`), or by the words of the name.
pub fn find_bodies(s: &Snapshot, term: &str, on: Option<Date>) -> Vec<(String, String)> {
    let reg = s.register();
    let term = term.trim();
    let upper = term.to_uppercase();
    let alive = |b: &vires_core::Body| on.is_none_or(|d| b.life.contains(d));
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |code: &str, name: &str| {
        if !out.iter().any(|(c, _)| c == code) {
            out.push((code.to_string(), name.to_string()));
        }
    };
    let by_code: Vec<&vires_core::Body> = reg.bodies.iter().filter(|b| b.code == upper).collect();
    if !by_code.is_empty() {
        let live: Vec<_> = by_code.iter().filter(|b| alive(b)).collect();
        for b in if live.is_empty() {
            by_code.iter().collect()
        } else {
            live
        } {
            push(&b.code, &b.name);
        }
        return out;
    }
    let squash = |t: &str| t.replace(' ', "").to_uppercase();
    let atoms: Vec<_> = reg
        .atoms
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            a.code == upper.as_str()
                || a.postcode
                    .as_deref()
                    .is_some_and(|p| squash(p) == squash(term))
        })
        .collect();
    if !atoms.is_empty() {
        let day = on.unwrap_or_else(crate::who::today);
        for (i, _) in atoms {
            let mut chain = Vec::new();
            s.practice_chain(vires_core::AtomId(i as u32), day, &mut chain);
            for b in chain {
                let body = reg.body(b);
                if matches!(body.kind, BodyKind::Icb | BodyKind::Ccg) {
                    push(&body.code, &body.name);
                }
            }
        }
        return out;
    }
    if term.len() < 2 {
        return out;
    }
    for b in reg.bodies.iter().filter(|b| alive(b)) {
        if words_match(&b.name, term) {
            push(&b.code, &b.name);
        }
    }
    out
}

fn find_functions(s: &Snapshot, term: &str) -> Vec<(String, String)> {
    let tax = &s.register().taxonomy;
    let term = term.trim();
    if let Some(f) = tax.get(term) {
        let d = tax.def(f);
        return vec![(d.id.clone(), d.name.clone())];
    }
    tax.iter()
        .filter(|(_, d)| words_match(&d.name, term) || words_match(&d.id, term))
        .map(|(_, d)| (d.id.clone(), d.name.clone()))
        .collect()
}

fn find_instruments(s: &Snapshot, term: &str) -> Vec<(String, String)> {
    let reg = s.register();
    let term = term.trim();
    if let Some(i) = reg.instruments.iter().find(|i| i.id == term) {
        return vec![(i.id.to_string(), i.title.to_string())];
    }
    reg.instruments
        .iter()
        .filter(|i| words_match(&i.title, term))
        .map(|i| (i.id.to_string(), i.title.to_string()))
        .collect()
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
/// (next to their fields), and what each search term was taken to mean.
pub struct Read {
    pub text: Option<String>,
    pub errors: Vec<FieldError>,
    pub found: BTreeMap<&'static str, Vec<(String, String)>>,
    pub from: Option<Date>,
}

/// Reads a kind's form. Search terms that found exactly one thing are replaced by its
/// code in `fields`, so the form shows what was understood.
pub fn read(s: &Snapshot, kind: &KindForm, fields: &mut Fields) -> Read {
    let mut errors = Vec::new();
    let mut found: BTreeMap<&'static str, Vec<(String, String)>> = BTreeMap::new();
    let has = |f: &str| kind.fields.contains(&f);
    let mut err = |field: &'static str, message: String| errors.push(FieldError { field, message });
    let title = get(fields, TITLE).to_string();
    if title.is_empty() {
        err(TITLE, "Enter the title".into());
    }
    let date = |fields: &Fields, name: &'static str, label: &str, errs: &mut Vec<FieldError>| {
        match typed_date(fields, name, label) {
            Typed::Date(d) => Some(d),
            Typed::Blank => None,
            Typed::Bad(m) => {
                errs.push(FieldError {
                    field: name,
                    message: m,
                });
                None
            }
        }
    };
    let from = date(fields, FROM, "The date it takes effect", &mut errors);
    if from.is_none() && !errors.iter().any(|e| e.field == FROM) {
        errors.push(FieldError {
            field: FROM,
            message: "Enter the date it takes effect".into(),
        });
    }
    let until = if has(UNTIL) {
        date(fields, UNTIL, "The date it ends", &mut errors)
    } else {
        None
    };
    let set_until = if has(SET_UNTIL) {
        let d = date(fields, SET_UNTIL, "The new end date", &mut errors);
        if d.is_none() && !errors.iter().any(|e| e.field == SET_UNTIL) {
            errors.push(FieldError {
                field: SET_UNTIL,
                message: "Enter the new end date".into(),
            });
        }
        d
    } else {
        None
    };
    let mut resolve_bodies = |fields: &mut Fields,
                              name: &'static str,
                              required: Option<&str>,
                              errs: &mut Vec<FieldError>|
     -> Vec<String> {
        let raw = get(fields, name).to_string();
        if raw.is_empty() {
            if let Some(m) = required {
                errs.push(FieldError {
                    field: name,
                    message: m.to_string(),
                });
            }
            return Vec::new();
        }
        let mut codes = Vec::new();
        let mut shown = Vec::new();
        let mut bad = Vec::new();
        for term in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match one_of(term, find_bodies(s, term, from), "body") {
                Ok(code) => {
                    let name = s
                        .register()
                        .bodies
                        .iter()
                        .find(|b| b.code == code)
                        .map(|b| b.name.clone())
                        .unwrap_or_default();
                    shown.push((code.clone(), name));
                    codes.push(code);
                }
                Err(m) => bad.push(m),
            }
        }
        if !bad.is_empty() {
            errs.push(FieldError {
                field: name,
                message: bad.join(". "),
            });
            return Vec::new();
        }
        fields.insert(name.to_string(), codes.join(", "));
        found.insert(name, shown);
        codes
    };
    let maker = resolve_bodies(
        fields,
        MAKER,
        Some("Enter the body that makes it"),
        &mut errors,
    );
    let receivers = if has(RECEIVERS) {
        resolve_bodies(fields, RECEIVERS, Some("Enter who it is for"), &mut errors)
    } else {
        Vec::new()
    };
    let of = if has(OF) {
        resolve_bodies(fields, OF, None, &mut errors)
    } else {
        Vec::new()
    };
    let predecessors = if has(PREDECESSORS) {
        resolve_bodies(
            fields,
            PREDECESSORS,
            Some("Enter the bodies that merge"),
            &mut errors,
        )
    } else {
        Vec::new()
    };
    let lead = if has(LEAD) {
        resolve_bodies(fields, LEAD, None, &mut errors)
    } else {
        Vec::new()
    };
    let area = if has(AREA) {
        match get(fields, AREA) {
            "" | "own" => Some("own".to_string()),
            "england" => Some("england".to_string()),
            "footprint" => {
                let b = resolve_bodies(
                    fields,
                    AREA_BODY,
                    Some("Enter the body whose area it covers"),
                    &mut errors,
                );
                b.first().map(|c| format!("footprint({c})"))
            }
            _ => {
                errors.push(FieldError {
                    field: AREA,
                    message: "Select where it applies".into(),
                });
                None
            }
        }
    } else {
        None
    };
    let mut functions = Vec::new();
    if has(FUNCTIONS) {
        let raw = get(fields, FUNCTIONS).to_string();
        if raw.is_empty() {
            errors.push(FieldError {
                field: FUNCTIONS,
                message: "Enter the functions".into(),
            });
        } else {
            let mut bad = Vec::new();
            let mut shown = Vec::new();
            for term in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                match one_of(term, find_functions(s, term), "function") {
                    Ok(id) => {
                        shown.push((id.clone(), crate::who::function_name(s, &id)));
                        functions.push(id);
                    }
                    Err(m) => bad.push(m),
                }
            }
            if bad.is_empty() {
                fields.insert(FUNCTIONS.into(), functions.join(", "));
                found.insert(FUNCTIONS, shown);
            } else {
                errors.push(FieldError {
                    field: FUNCTIONS,
                    message: bad.join(". "),
                });
                functions.clear();
            }
        }
    }
    let mut target = None;
    if has(TARGET) {
        let raw = get(fields, TARGET).to_string();
        if raw.is_empty() {
            errors.push(FieldError {
                field: TARGET,
                message: "Enter the instrument it changes".into(),
            });
        } else {
            match one_of(&raw, find_instruments(s, &raw), "instrument") {
                Ok(id) => {
                    let title = find_instruments(s, &id)
                        .first()
                        .map(|(_, t)| t.clone())
                        .unwrap_or_default();
                    fields.insert(TARGET.into(), id.clone());
                    found.insert(TARGET, vec![(id.clone(), title)]);
                    target = Some(id);
                }
                Err(m) => errors.push(FieldError {
                    field: TARGET,
                    message: m,
                }),
            }
        }
    }
    let basis = match get(fields, BASIS) {
        "" => {
            errors.push(FieldError {
                field: BASIS,
                message: "Select the power it is made under".into(),
            });
            None
        }
        id => match s.register().powers.iter().find(|p| p.id == id) {
            Some(p) => Some(basis_text(p)),
            None => {
                errors.push(FieldError {
                    field: BASIS,
                    message: "Select the power it is made under from the list".into(),
                });
                None
            }
        },
    };
    if !errors.is_empty() {
        return Read {
            text: None,
            errors,
            found,
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
    if let Some(t) = target {
        lines.push(("target", t));
    }
    if let Some(d) = set_until {
        lines.push(("set", format!("until {d}")));
    }
    let purposes = get(fields, PURPOSES);
    if has(PURPOSES) && !purposes.is_empty() {
        let list: Vec<String> = purposes
            .split(',')
            .map(|p| vires_lang::lower::slug(p.trim()))
            .filter(|p| !p.is_empty())
            .collect();
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
        from,
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
        None | Some(AreaExpr::Own) => {
            f.insert(AREA.into(), "own".into());
        }
        Some(AreaExpr::England) => {
            f.insert(AREA.into(), "england".into());
        }
        Some(AreaExpr::Footprint(c)) => {
            f.insert(AREA.into(), "footprint".into());
            f.insert(AREA_BODY.into(), c.to_string());
        }
        Some(_) => {
            f.insert(AREA.into(), "other".into());
        }
    }
    if let Some(l) = &ins.particulars.lead {
        f.insert(LEAD.into(), l.clone());
    }
    if let Some(t) = &ins.particulars.target {
        f.insert(TARGET.into(), t.clone());
    }
    if let Some(u) = ins.particulars.changes.as_ref().and_then(|c| c.until) {
        set_date(&mut f, SET_UNTIL, u);
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
    f
}

/// The form field a line of the draft's text is about, from the field word it starts with.
pub fn field_of_line(line: &str) -> Option<&'static str> {
    let word = line.split_whitespace().next()?;
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
        "set" => SET_UNTIL,
        "purposes" => PURPOSES,
        "from" => FROM,
        "until" => UNTIL,
        "source" => SOURCE,
        _ => TITLE,
    })
}
