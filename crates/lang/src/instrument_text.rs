//! An instrument of the register written back as `.vires` text, in the formatter's
//! canonical layout, so a change drafted as a form (or sent as JSON) can be read and
//! checked word by word against the signed agreement. Reading the text back gives the
//! same instrument (tested).

use crate::format::{format, quote};
use vires_core::instrument::{AmendChanges, AreaExpr, Onward, Receivers};
use vires_core::Instrument;

/// The instrument as `.vires` text, formatted.
pub fn instrument_text(ins: &Instrument) -> String {
    let mut out = format!("{} {} {{\n", ins.kind.as_str(), quote(&ins.title));
    let mut field = |name: &str, value: String| {
        out.push_str("  ");
        out.push_str(name);
        if !value.is_empty() {
            out.push(' ');
            out.push_str(&value);
        }
        out.push('\n');
    };
    field("id", ins.id.to_string());
    if let Some(b) = &ins.terms().basis {
        field("basis", quote(b));
    }
    if let Some(m) = &ins.maker {
        field("by", m.to_string());
    }
    let p = ins.particulars();
    if let Some(of) = &p.of {
        field("of", receivers_text(of));
    }
    if !p.predecessors.is_empty() {
        field("predecessors", p.predecessors.join(", "));
    }
    if !matches!(&ins.terms().receivers, Receivers::Bodies(v) if v.is_empty()) {
        field("to", receivers_text(&ins.terms().receivers));
    }
    if !ins.functions.is_empty() {
        field(
            "functions",
            ins.functions
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !p.except.is_empty() {
        field("except", p.except.join(", "));
    }
    if !p.retained.is_empty() {
        field(
            "retained",
            p.retained
                .iter()
                .map(|r| quote(r))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if let Some(a) = &ins.area {
        field("area", area_expr_text(a));
    }
    if let Some(l) = &p.lead {
        field("lead", l.clone());
    }
    if let Some(b) = &p.pooled_budget {
        field("pooled-budget", quote(b));
    }
    if let Some(t) = &p.target {
        field("target", t.clone());
    }
    if let Some(c) = &p.changes {
        let AmendChanges {
            until,
            purposes,
            area,
        } = c.as_ref();
        if let Some(u) = until {
            field("set", format!("until {u}"));
        }
        if let Some(ps) = purposes {
            field("set", format!("purposes {}", ps.join(", ")));
        }
        if let Some(a) = area {
            field("set", format!("area {}", area_expr_text(a)));
        }
    }
    if !ins.terms().purposes.is_empty() {
        field("purposes", ins.terms().purposes.join(", "));
    }
    if ins.concurrent {
        field("concurrent", String::new());
    }
    if ins.onward == Onward::Permitted {
        field("onward", "permitted".into());
    }
    field("from", ins.from.to_string());
    if let Some(u) = ins.until {
        field("until", u.to_string());
    }
    if let Some(r) = p.review {
        field("review", r.to_string());
    }
    if let Some(s) = &ins.terms().source {
        field("source", quote(s));
    }
    out.push_str("}\n");
    // The formatter aligns the values; text it cannot read would be a bug here, and the
    // unaligned text is still the same instrument.
    format(&out).unwrap_or(out)
}

fn receivers_text(r: &Receivers) -> String {
    match r {
        Receivers::Bodies(v) => v.join(", "),
        Receivers::Every(kind) => format!("every {}", kind.as_str()),
    }
}

/// An area expression as `.vires` text.
pub fn area_expr_text(a: &AreaExpr) -> String {
    match a {
        AreaExpr::England => "england".into(),
        AreaExpr::Own => "own".into(),
        AreaExpr::Footprint(c) => format!("footprint({c})"),
        AreaExpr::Practices(codes) => format!(
            "practices({})",
            codes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AreaExpr::Named(n) => n.to_string(),
        AreaExpr::Union(parts) => parts
            .iter()
            .map(area_expr_text)
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, Sources};

    fn read_back(text: &str) -> Instrument {
        let mut sources = Sources::new();
        sources.add("draft.vires", text);
        let loaded = load(&sources);
        assert!(loaded.errors.is_empty(), "{text}\n{:?}", loaded.errors);
        loaded.register.instruments.into_iter().next().unwrap()
    }

    fn same(a: &Instrument, b: &Instrument) {
        let strip = |i: &Instrument| {
            let mut v = serde_json::to_value(i).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("spans");
            }
            v
        };
        assert_eq!(strip(a), strip(b));
    }

    #[test]
    fn instruments_of_every_drafted_kind_read_back_the_same() {
        let text = r#"
joint-committee "Greater Manchester and Cheshire and Merseyside joint committee for \"specialised\" services" {
  id        gm-cm-joint-2027
  basis     "National Health Service Act 2006 s.65Z5"
  by        QOP
  to        QOP, QYG
  functions commissioning.secondary-care
  except    commissioning.secondary-care.x
  area      footprint(QOP) + practices(P82001, P82002)
  lead      QOP
  purposes  elective
  concurrent
  onward    permitted
  from      2027-04-01
  until     2029-04-01
  source    "Board papers, item 7"
}
amend "Joint committee extended" {
  basis  "National Health Service Act 2006 s.65Z5"
  by     QOP
  target gm-cm-joint-2027
  set    until 2030-04-01
  from   2028-01-01
}
direction "NHS England exercises ICB functions" {
  basis     "NHS Act 2006 s.253"
  by        DHSC
  of        every icb
  to        X24
  functions commissioning.secondary-care
  from      2027-01-01
}
"#;
        let mut sources = Sources::new();
        sources.add("all.vires", text);
        let loaded = load(&sources);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        for ins in &loaded.register.instruments {
            let printed = instrument_text(ins);
            assert!(printed.starts_with(ins.kind.as_str()), "{printed}");
            same(ins, &read_back(&printed));
        }
    }
}
