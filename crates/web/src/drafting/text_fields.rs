//! Between the form and `.vires` text: a new body written as text, the form's fields
//! for an instrument or a body read from pasted text, and which field a line of text is
//! about (so the register's findings go next to their fields).

use super::form::*;
use vires_core::instrument::{AreaExpr, Receivers};
use vires_core::{Body, Instrument, Snapshot};
use vires_lang::format::quote;

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
    f.insert(RECEIVERS.into(), codes(&ins.terms().receivers));
    if let Some(of) = &ins.particulars().of {
        f.insert(OF.into(), codes(of));
    }
    f.insert(
        PREDECESSORS.into(),
        ins.particulars().predecessors.join(", "),
    );
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
    if let Some(l) = &ins.particulars().lead {
        f.insert(LEAD.into(), l.clone());
    }
    if let Some(t) = &ins.particulars().target {
        f.insert(TARGET.into(), t.clone());
    }
    if let Some(c) = ins.particulars().changes.as_ref() {
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
    if let Some(b) = &ins.terms().basis {
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
    f.insert(PURPOSES.into(), ins.terms().purposes.join(", "));
    if let Some(src) = &ins.terms().source {
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
