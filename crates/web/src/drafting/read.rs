//! Reading a draft's form: each field checked and the search terms resolved through the
//! register, giving the `.vires` text when every field is usable, else the mistakes next
//! to their fields.

use super::form::*;
use super::search::{find, terms, wanted, Choice, Pick};
use super::text_fields::body_text;
use crate::layout::FieldError;
use std::collections::BTreeMap;
use vires_core::{Body, BodyKind, Date, Snapshot};
use vires_lang::format::quote;

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
            let party = matches!(field, MAKER | RECEIVERS | OF | LEAD | PREDECESSORS);
            match find(self.s, wanted, term, on, party) {
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
