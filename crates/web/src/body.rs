//! Pages about one thing in the register: a body (what it holds, its timeline, its lineage),
//! a GP practice, a function, and an instrument (its text, source, validity and what
//! depends on it).

use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{
    self, body_link, body_link_on, date_text, function_link, instrument_link, period_text,
    FieldError,
};
use crate::view::{Csv, View};
use crate::who::{date_param, function_options, today};
use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};
use vires_core::{Date, Instrument, Receivers, Severity, Snapshot};

fn name_near(s: &Snapshot, code: &str, on: Date) -> String {
    let reg = s.register();
    reg.body_near(code, on)
        .map(|b| reg.body(b).name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// An end date for a CSV cell: empty when open.
fn date_cell(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn receivers_text(r: &Receivers) -> Vec<String> {
    match r {
        Receivers::Bodies(b) => b.clone(),
        Receivers::Every(k) => vec![format!("every {}", k.as_str())],
    }
}

fn receivers_markup(s: &Snapshot, r: &Receivers, on: Date) -> Markup {
    match r {
        Receivers::Bodies(b) => html! {
            @for (i, c) in b.iter().enumerate() {
                @if i > 0 { ", " }
                (body_link(c, Some(&name_near(s, c, on))))
            }
        },
        Receivers::Every(k) => html! { "every " (k.as_str()) },
    }
}

const EVERY_OF_ITS_KIND: &str = "receives under it, with every body of its kind";
const MERGED: &str = "merged by it";

/// How a body appears in an instrument, if it does; `body` is the one the page is about, so
/// that instruments addressed to "every ICB" during its life count too.
fn part_in(ins: &Instrument, code: &str, body: &vires_core::Body) -> Option<&'static str> {
    if let Receivers::Every(kind) = &ins.terms().receivers {
        let during = vires_core::Interval::new(ins.from, ins.until);
        if *kind == body.kind && during.overlaps(&body.life) {
            return Some(EVERY_OF_ITS_KIND);
        }
    }
    if ins.maker.as_deref() == Some(code) {
        return Some("made it");
    }
    if matches!(&ins.terms().receivers, Receivers::Bodies(b) if b.iter().any(|c| c == code)) {
        return Some("receives under it");
    }
    if matches!(ins.particulars().of.as_deref(), Some(Receivers::Bodies(b)) if b.iter().any(|c| c == code))
    {
        return Some("its functions are the subject");
    }
    if ins.particulars().predecessors.iter().any(|c| c == code) {
        return Some(MERGED);
    }
    if ins.particulars().lead.as_deref() == Some(code) {
        return Some("leads under it");
    }
    None
}

pub async fn body(ctx: Ctx, Path(code): Path<String>) -> Response {
    let result = body_page(&ctx, &code);
    ctx.respond(result)
}

fn body_page(ctx: &Ctx, code: &str) -> Result<View, WebError> {
    let s = ctx.snapshot();
    let reg = s.register();
    let mut errors = Vec::new();
    let on = date_param(ctx, "on", "the date", Some(today()), &mut errors).unwrap_or_else(today);
    if let Some(e) = errors.first() {
        return Err(WebError::bad_request(
            "That date is not valid",
            e.message.clone(),
            "Change the date in the address, or open the body from search.",
        ));
    }
    let Some(bid) = reg.body_near(code, on) else {
        return Err(WebError::not_found_thing(
            format!("No body with the code {code} is in the register."),
            "Check the code, or search for the body by name.",
        ));
    };
    let b = reg.body(bid);
    let alive = b.life.contains(on);
    let what = if alive { s.what(code, on).ok() } else { None };
    let others: Vec<_> = reg
        .bodies_with_code(code)
        .iter()
        .filter(|&&o| o != bid)
        .map(|&o| reg.body(o))
        .collect();
    let mut lineage = vires_core::lineage::lineage(reg, code);
    // A code can name one body, then another (00T: NHS Bolton CCG to 2022, then a sub-ICB
    // location of QOP). An instrument names the body its code named on the instrument's
    // date (a merger, the day before it); a step of the lineage, the body its code named at
    // the step into or out of it.
    let this_body = |at: Date| reg.body_near(code, at) == Some(bid);
    let mut events: Vec<(Date, &Instrument, &'static str)> = reg
        .instruments
        .iter()
        .filter_map(|i| part_in(i, code, b).map(|p| (i.from, i, p)))
        .filter(|(from, _, part)| match *part {
            EVERY_OF_ITS_KIND => true,
            MERGED => this_body(from.yesterday().unwrap_or(*from)),
            _ => this_body(*from),
        })
        .collect();
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    if let Some(l) = lineage.as_mut() {
        // The step into this code (a predecessor) or out of it (a successor): the direct
        // step itself, or for one through other codes, the direct step to the nearest.
        let hop = |steps: &[vires_core::lineage::Step], st: &vires_core::lineage::Step| {
            st.via.first().map_or(st.on, |near| {
                steps
                    .iter()
                    .find(|x| x.via.is_empty() && &x.code == near)
                    .map_or(st.on, |x| x.on)
            })
        };
        let before = l.predecessors.clone();
        l.predecessors.retain(|st| this_body(hop(&before, st)));
        let after = l.successors.clone();
        l.successors.retain(|st| {
            let on = hop(&after, st);
            this_body(on.yesterday().unwrap_or(on))
        });
    }
    let who_href = format!(
        "/ui/who?{}",
        layout::query_string(&[
            ("place_type", "body"),
            ("place", code),
            ("on", &on.to_string())
        ])
    );
    let mut table = Csv::new(&[
        "function",
        "area",
        "role",
        "accountable",
        "purposes",
        "from",
        "until",
        "exercised_by",
        "proof",
    ]);
    let holdings = what.as_ref().map(|w| w.holdings.as_slice()).unwrap_or(&[]);
    for h in holdings {
        table.row([
            h.function.clone(),
            h.area.join(" "),
            h.role.as_str().to_string(),
            h.accountable.clone(),
            h.purposes.join(" "),
            h.from.to_string(),
            h.until.map(|d| d.to_string()).unwrap_or_default(),
            h.arranged_to.join(" "),
            h.proof
                .iter()
                .map(|p| p.instrument.as_str())
                .collect::<Vec<_>>()
                .join(" > "),
        ]);
    }
    let main = html! {
        span class="nhsuk-caption-l" { (b.kind.as_str()) }
        h1 { (b.name) " (" (b.code) ")" }
        (layout::summary(&[
            ("Code", html! { (b.code) }),
            ("Kind", html! { (b.kind.as_str()) }),
            ("Existed", html! { (period_text(b.life.from, b.life.until)) }),
            ("ONS code", html! { (b.ons_code.as_deref().unwrap_or("None recorded")) }),
            ("Legal basis", html! { (b.basis.as_deref().unwrap_or("None recorded")) }),
            ("Source", html! { (b.source.as_deref().unwrap_or("None recorded")) }),
        ]))
        @if !others.is_empty() {
            (layout::inset(html! {
                "The code " (code) " has also named: "
                @for (i, o) in others.iter().enumerate() {
                    @if i > 0 { "; " }
                    a href=(format!("/ui/bodies/{}?on={}", layout::path_segment(code), o.life.from)) { (o.name) } " (" (period_text(o.life.from, o.life.until)) ")"
                }
            }))
        }
        p { a href=(who_href) { "Ask who holds a function in its area" } }
        h2 { "What it holds on " (date_text(on)) }
        @if let Some(w) = &what { (crate::who::caveats(&w.caveats)) }
        form action=(format!("/ui/bodies/{}", layout::path_segment(code))) method="get" novalidate {
            (layout::text_input("on", "Show another date", Some("Written as year-month-day, for example 2023-06-01."), &on.to_string(), &[], "nhsuk-input--width-10"))
            (layout::secondary_button("Show"))
        }
        @if !alive {
            p { "This body did not exist on " (date_text(on)) "." }
        } @else if holdings.is_empty() {
            p { "It held no commissioning function on this date." }
        } @else {
            (layout::table(&format!("Functions held on {}", date_text(on)), &["Function", "Where", "How", "Period", "Proof"], holdings.iter().map(|h| vec![
                function_link(&h.function),
                html! { (h.area.join(", ")) },
                html! {
                    (layout::role_text(h.role))
                    @if !h.purposes.is_empty() { " for " (h.purposes.join(", ")) }
                    @if !h.arranged_to.is_empty() {
                        br; "Exercised by: "
                        @for (i, c) in h.arranged_to.iter().enumerate() { @if i > 0 { ", " } (body_link(c, None)) }
                    }
                    @if let Some(k) = s.kept_back(h, holdings) {
                        @if !k.functions.is_empty() {
                            br; "Not passed on, kept by " (body_link(k.maker, None)) ": "
                            @for (i, f) in k.functions.iter().enumerate() { @if i > 0 { ", " } (function_link(f)) }
                        }
                        @for u in &k.unconfirmed {
                            br; strong { "To confirm: " } "also kept by " (body_link(k.maker, None)) ": " (u)
                        }
                    }
                },
                html! { (period_text(h.from, h.until)) },
                html! { @if let Some(p) = h.proof.last() { (instrument_link(&p.instrument, &p.title)) } },
            ]).collect()))
        }
        h2 { "Its timeline" }
        @if events.is_empty() {
            p { "No instrument in the register names this body." }
        } @else {
            (layout::table("Instruments that name this body, by date", &["From", "Instrument", "Its part"], events.iter().map(|(d, i, p)| vec![
                html! { (date_text(*d)) }, instrument_link(&i.id, &i.title), html! { (p) }]).collect()))
        }
        h2 { "Lineage" }
        @match &lineage {
            Some(l) if !l.predecessors.is_empty() || !l.successors.is_empty() => {
                @if !l.predecessors.is_empty() {
                    h3 { "Came from" }
                    // A predecessor is named and linked as it was the day before it merged: its code
                    // may name another body from that day (00T, NHS Bolton CCG, then a sub-ICB
                    // location of QOP).
                    ul { @for st in &l.predecessors {
                        @let before = st.on.yesterday().unwrap_or(st.on);
                        li { (body_link_on(&st.code, Some(&name_near(s, &st.code, before)), before)) ", " (date_text(st.on)) @if !st.via.is_empty() { ", into " (st.via.iter().rev().cloned().collect::<Vec<_>>().join(" → ")) } }
                    } }
                }
                @if !l.successors.is_empty() {
                    h3 { "Became" }
                    ul { @for st in &l.successors { li { (body_link_on(&st.code, Some(&name_near(s, &st.code, st.on)), st.on)) ", " (date_text(st.on)) @if !st.via.is_empty() { ", via " (st.via.join(" → ")) } } } }
                }
            }
            _ => { p { "No merger or succession involves this body." } }
        }
    };
    let data = serde_json::json!({
        "body": { "code": b.code, "name": b.name, "kind": b.kind.as_str(), "from": b.life.from, "until": b.life.until,
                  "ons_code": b.ons_code, "basis": b.basis, "source": b.source },
        "on": on,
        "what": what,
        "instruments": events.iter().map(|(d, i, p)| serde_json::json!({"from": d, "instrument": i.id, "title": i.title, "part": p})).collect::<Vec<_>>(),
        "lineage": lineage,
    });
    Ok(View::new(format!("{} ({})", b.name, b.code), None, main)
        .crumb("Search", "/ui/search")
        .data(data)
        .table(table))
}

pub async fn practice(ctx: Ctx, Path(code): Path<String>) -> Response {
    let result = practice_page(&ctx, &code);
    ctx.respond(result)
}

fn practice_page(ctx: &Ctx, code: &str) -> Result<View, WebError> {
    let s = ctx.snapshot();
    let reg = s.register();
    let Some(aid) = reg
        .practice_id(code)
        .or_else(|| reg.practice_id(&code.to_uppercase()))
    else {
        return Err(WebError::not_found_thing(
            format!("No GP practice with the code {code} is in the register."),
            "Check the practice code (for example A81001), or search for the practice by name or postcode.",
        ));
    };
    let a = &reg.practices[aid.0 as usize];
    let mut members: Vec<_> = reg
        .memberships
        .iter()
        .filter(|m| m.practice == aid)
        .collect();
    members.sort_by_key(|m| m.during.from);
    // The stretches the sources do not settle, listed with the ones they do: a list of the
    // known memberships alone would read as the practice's whole history.
    let mut unknown: Vec<_> = s.unknown_memberships_of(aid).collect();
    unknown.sort_by_key(|u| u.during.from);
    let unknown_text = |u: &vires_core::UnknownMembership| match u.candidates.as_slice() {
        [] => "Not known".to_string(),
        c => format!("Not known: one of {}", c.join(", ")),
    };
    let mut rows: Vec<(Date, Markup, Markup)> = members
        .iter()
        .map(|m| {
            let b = reg.body(m.body);
            (
                m.during.from,
                html! { a href=(format!("/ui/bodies/{}?on={}", layout::path_segment(&b.code), m.during.from)) { (b.name) " (" (b.code) ")" } },
                html! { (period_text(m.during.from, m.during.until)) },
            )
        })
        .collect();
    for u in &unknown {
        rows.push((
            u.during.from,
            html! {
                strong { "Not known" }
                @if !u.candidates.is_empty() {
                    ": one of "
                    @for (i, c) in u.candidates.iter().enumerate() {
                        @if i > 0 { ", " }
                        (body_link_on(c, Some(&name_near(s, c, u.during.from)), u.during.from))
                    }
                }
            },
            html! { (period_text(u.during.from, u.during.until)) },
        ));
    }
    rows.sort_by_key(|r| r.0);
    let mut cells: Vec<[String; 4]> = members
        .iter()
        .map(|m| {
            let b = reg.body(m.body);
            [
                b.code.clone(),
                b.name.clone(),
                m.during.from.to_string(),
                date_cell(m.during.until),
            ]
        })
        .chain(unknown.iter().map(|u| {
            [
                String::new(),
                unknown_text(u),
                u.during.from.to_string(),
                date_cell(u.during.until),
            ]
        }))
        .collect();
    cells.sort_by(|a, b| a[2].cmp(&b[2]));
    let mut table = Csv::new(&["body", "name", "from", "until"]);
    for row in cells {
        table.row(row);
    }
    let on = today().to_string();
    let errors: Vec<FieldError> = Vec::new();
    let main = html! {
        span class="nhsuk-caption-l" { "GP practice" }
        h1 { (a.name) " (" (a.code) ")" }
        (layout::summary(&[
            ("Practice code", html! { (a.code) }),
            ("Postcode", html! { (a.postcode.as_deref().unwrap_or("Not recorded")) }),
            ("Status", html! { (a.status.as_deref().unwrap_or("Not recorded")) }),
        ]))
        h2 { "Who commissions its services?" }
        form action="/ui/who" method="get" novalidate {
            input type="hidden" name="place_type" value="practice";
            input type="hidden" name="place" value=(a.code);
            (layout::select("function", "Service", Some("The commissioning function, for example GP services (commissioning.primary-care.medical)."),
                &function_options(s), "commissioning.primary-care.medical", &errors))
            (layout::text_input("on", "On", Some("The date, written as year-month-day. For example 2023-06-01."), &on, &errors, "nhsuk-input--width-10"))
            (layout::button("Ask who commissions it"))
        }
        h2 { "Commissioners it has belonged to" }
        @if !unknown.is_empty() {
            (layout::warning("What the register does not know here", html! {
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for u in &unknown {
                        li data-caveat="incomplete-record" {
                            (period_text(u.during.from, u.during.until)) ": " (u.note)
                            @if !u.source.is_empty() { " " span class="nhsuk-body-s" { "(Source: " (u.source) ")" } }
                        }
                    }
                }
            }))
        }
        @if rows.is_empty() {
            p { "The register records no membership for this practice." }
        } @else {
            (layout::table("Membership of commissioning bodies", &["Body", "Period"], rows.into_iter().map(|(_, body, period)| vec![body, period]).collect()))
        }
    };
    let data = serde_json::json!({
        "practice": { "code": a.code, "name": a.name, "postcode": a.postcode, "status": a.status },
        "memberships": members.iter().map(|m| {
            let b = reg.body(m.body);
            serde_json::json!({"body": b.code, "name": b.name, "from": m.during.from, "until": m.during.until})
        }).collect::<Vec<_>>(),
        "unknown": unknown.iter().map(|u| serde_json::json!({
            "from": u.during.from, "until": u.during.until, "candidates": u.candidates,
            "note": u.note, "source": u.source,
        })).collect::<Vec<_>>(),
    });
    Ok(View::new(format!("{} ({})", a.name, a.code), None, main)
        .crumb("Search", "/ui/search")
        .data(data)
        .table(table))
}

pub async fn functions(ctx: Ctx) -> Response {
    let s = ctx.snapshot();
    let mut defs: Vec<_> = s.register().taxonomy.iter().map(|(_, f)| f).collect();
    defs.sort_by(|a, b| a.id.cmp(&b.id));
    let mut table = Csv::new(&["id", "name", "note"]);
    for f in &defs {
        table.row([
            f.id.clone(),
            f.name.clone(),
            f.note.clone().unwrap_or_default(),
        ]);
    }
    let main = html! {
        h1 { "Functions" }
        p { "The commissioning functions the register knows. A function held for a parent covers its children unless an instrument excludes a child." }
        (layout::table("Functions", &["Function", "Name"], defs.iter().map(|f| vec![function_link(&f.id), html! { (f.name) }]).collect()))
    };
    let data: Vec<_> = defs
        .iter()
        .map(|f| serde_json::json!({"id": f.id, "name": f.name, "note": f.note}))
        .collect();
    ctx.respond(Ok(View::new("Functions", None, main)
        .data(data)
        .table(table)))
}

pub async fn function(ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = function_page(&ctx, &id);
    ctx.respond(result)
}

fn function_page(ctx: &Ctx, id: &str) -> Result<View, WebError> {
    let s = ctx.snapshot();
    let reg = s.register();
    let tax = &reg.taxonomy;
    let Some(fid) = tax.get(id) else {
        return Err(WebError::not_found_thing(
            format!("There is no function {id} in the register."),
            "Choose a function from the list of functions.",
        )
        .with_link("See the list of functions", "/ui/functions"));
    };
    let def = tax.def(fid);
    let parent = tax.parent(fid).map(|p| tax.def(p).id.clone());
    let mut children: Vec<String> = tax
        .iter()
        .filter(|(c, _)| tax.parent(*c) == Some(fid))
        .map(|(_, d)| d.id.clone())
        .collect();
    children.sort();
    let ancestors: Vec<String> = tax
        .self_and_ancestors(fid)
        .map(|a| tax.def(a).id.clone())
        .collect();
    let mut instruments: Vec<&Instrument> = reg
        .instruments
        .iter()
        .filter(|i| {
            i.functions
                .iter()
                .any(|f| ancestors.iter().any(|a| a == f) || f.starts_with(&format!("{id}.")))
        })
        .collect();
    instruments.sort_by(|a, b| a.from.cmp(&b.from).then(a.id.cmp(&b.id)));
    let mut table = Csv::new(&["instrument", "title", "kind", "from", "until", "functions"]);
    for i in &instruments {
        table.row([
            i.id.to_string(),
            i.title.to_string(),
            i.kind.as_str().to_string(),
            i.from.to_string(),
            i.until.map(|d| d.to_string()).unwrap_or_default(),
            i.functions.join(" "),
        ]);
    }
    let q = |extra: &[(&str, &str)]| {
        let mut v = vec![("function", id)];
        v.extend_from_slice(extra);
        layout::query_string(&v)
    };
    let main = html! {
        span class="nhsuk-caption-l" { "Function" }
        h1 { (def.name) }
        (layout::summary(&[
            ("Id", html! { (def.id) }),
            ("Part of", html! { @if let Some(p) = &parent { (function_link(p)) } @else { "Nothing: it is a top-level function" } }),
            ("Includes", html! { @if children.is_empty() { "No narrower functions" } @else { @for (i, c) in children.iter().enumerate() { @if i > 0 { ", " } (function_link(c)) } } }),
            ("Note", html! { (def.note.as_deref().unwrap_or("None")) }),
        ]))
        ul {
            li { a href=(format!("/ui/who?{}", q(&[("place_type", "england")]))) { "Who holds it for England today" } }
            li { a href=(format!("/ui/timeline?{}", q(&[("place_type", "england")]))) { "Who held it for England over time" } }
            li { a href=(format!("/ui/analyses?{}", q(&[]))) { "Gaps and overlaps in who holds it" } }
        }
        h2 { "Instruments about it" }
        @if instruments.is_empty() {
            p { "No instrument in the register names this function or a function that includes it." }
        } @else {
            (layout::table("Instruments naming this function or one that includes it", &["From", "Instrument", "Kind"], instruments.iter().map(|i| vec![
                html! { (date_text(i.from)) }, instrument_link(&i.id, &i.title), html! { (i.kind.as_str()) }]).collect()))
        }
    };
    let data = serde_json::json!({
        "function": def, "parent": parent, "children": children,
        "instruments": instruments.iter().map(|i| serde_json::json!({"id": i.id, "title": i.title, "kind": i.kind, "from": i.from, "until": i.until})).collect::<Vec<_>>(),
    });
    Ok(View::new(def.name.clone(), None, main)
        .crumb("Functions", "/ui/functions")
        .data(data)
        .table(table))
}

pub async fn instrument(ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = instrument_page(&ctx, &id);
    ctx.respond(result)
}

fn area_text(a: &vires_core::AreaExpr) -> String {
    use vires_core::AreaExpr as A;
    match a {
        A::England => "England".into(),
        A::Own => "each receiver's own area".into(),
        A::Footprint(c) => format!("the area of {c}"),
        A::Practices(p) => format!("practices {}", p.join(", ")),
        A::Named(n) => format!("area {n}"),
        A::Union(v) => v.iter().map(area_text).collect::<Vec<_>>().join(" and "),
    }
}

fn instrument_page(ctx: &Ctx, id: &str) -> Result<View, WebError> {
    let s = ctx.snapshot();
    let reg = s.register();
    let Some(iid) = s.instrument_id(id) else {
        return Err(WebError::not_found_thing(
            format!("There is no instrument with the id {id} in the register."),
            "Check the id, or search for the instrument by its title.",
        ));
    };
    let ins = &reg.instruments[iid.0 as usize];
    let void = s.is_void(iid);
    let diags: Vec<_> = s.diagnostics_for(id).collect();
    let power = s.power_of(iid);
    let effective = s.effective_until(iid);
    let grants = s.grants_of_instrument(iid);
    // What depends on it: instruments that amend or revoke it, and arrangements whose
    // grants derive from its grants.
    let mut dependants: Vec<(&Instrument, &'static str)> = reg
        .instruments
        .iter()
        .filter(|o| o.particulars().target.as_deref() == Some(id))
        .map(|o| (o, "amends or revokes it"))
        .collect();
    for &g in grants {
        for &c in s.children_of(g) {
            let child = &reg.instruments[s.grant(c).instrument.0 as usize];
            if child.id != ins.id && !dependants.iter().any(|(d, _)| d.id == child.id) {
                dependants.push((child, "rests on a function it gives"));
            }
        }
    }
    for o in &reg.instruments {
        if o.id != ins.id && !dependants.iter().any(|(d, _)| d.id == o.id) {
            let oid = s.instrument_id(&o.id);
            let rests = oid.is_some_and(|oid| {
                s.grants_of_instrument(oid)
                    .iter()
                    .any(|&g| s.via(s.grant(g)).contains(&iid))
            });
            if rests {
                dependants.push((o, "carried on through it"));
            }
        }
    }
    let mut holders: Vec<(String, String, String, String, Date)> = grants
        .iter()
        .map(|&g| {
            let gr = s.grant(g);
            let b = reg.body(gr.holder);
            (
                b.code.clone(),
                b.name.clone(),
                gr.role.as_str().to_string(),
                period_text(gr.during.from, gr.during.until),
                gr.during.from,
            )
        })
        .collect();
    holders.sort();
    holders.dedup();
    let on = ins.from;
    let mut table = Csv::new(&["field", "value"]);
    let mut fields: Vec<(&str, String)> = vec![
        ("id", ins.id.to_string()),
        ("title", ins.title.to_string()),
        ("kind", ins.kind.as_str().to_string()),
        ("basis", ins.terms().basis.clone().unwrap_or_default()),
        (
            "maker",
            ins.maker.as_deref().unwrap_or_default().to_string(),
        ),
        (
            "receivers",
            receivers_text(&ins.terms().receivers).join(" "),
        ),
        ("functions", ins.functions.join(" ")),
        ("except", ins.particulars().except.join(" ")),
        ("area", ins.area.as_ref().map(area_text).unwrap_or_default()),
        ("from", ins.from.to_string()),
        (
            "until",
            ins.until.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "effective_until",
            effective.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("purposes", ins.terms().purposes.join(" ")),
        ("source", ins.terms().source.clone().unwrap_or_default()),
        ("valid", (!void).to_string()),
    ];
    for d in &diags {
        fields.push((
            "diagnostic",
            format!("{} {}: {}", d.code, d.message, d.help),
        ));
    }
    for (f, v) in &fields {
        table.row([f.to_string(), v.clone()]);
    }
    let main = html! {
        span class="nhsuk-caption-l" { "Instrument: " (ins.kind.as_str()) }
        h1 { (ins.title) }
        @if void {
            (layout::warning("This instrument is void", html! {
                p { "It has an error, so it gives nobody any function. The problems are listed under “Validity”." }
            }))
        }
        h2 { "Text" }
        (layout::summary(&[
            ("Id", html! { (ins.id) }),
            ("Kind", html! { (ins.kind.as_str()) }),
            ("Legal basis", html! { (ins.terms().basis.as_deref().unwrap_or("None cited")) }),
            ("Made by", html! { @if let Some(m) = &ins.maker { (body_link(m, Some(&name_near(s, m, on)))) } @else { "Parliament" } }),
            ("To", receivers_markup(s, &ins.terms().receivers, on)),
            ("Of", html! { @if let Some(o) = &ins.particulars().of { (receivers_markup(s, o, on)) } @else { "Not applicable" } }),
            ("Functions", html! { @for (i, f) in ins.functions.iter().enumerate() { @if i > 0 { ", " } (function_link(f)) } }),
            ("Except", html! { @if ins.particulars().except.is_empty() { "Nothing" } @else { (ins.particulars().except.join(", ")) } }),
            ("Retained by the maker", html! { @if ins.particulars().retained.is_empty() { "Nothing stated" } @else { (ins.particulars().retained.join("; ")) } }),
            ("Where", html! { (ins.area.as_ref().map(area_text).unwrap_or_else(|| "Not stated".into())) }),
            ("In force", html! { (period_text(ins.from, ins.until)) }),
            // The last day, as "In force" gives it, not the first day after.
            ("Last day in force", html! { @if let Some(e) = effective { (date_text(e.yesterday().unwrap_or(e))) " (after amendments and revocations)" } @else { "No end date" } }),
            ("Purposes", html! { @if ins.terms().purposes.is_empty() { "Any purpose" } @else { (ins.terms().purposes.join(", ")) } }),
            ("Concurrent", html! { @if ins.concurrent { "Yes: the original holder keeps exercising it" } @else { "No" } }),
            ("Amends or revokes", html! { @if let Some(t) = &ins.particulars().target { (instrument_link(t, t)) } @else { "Nothing" } }),
            ("Review date", html! { @if let Some(r) = ins.particulars().review { (date_text(r)) } @else { "None" } }),
        ]))
        h2 { "Source" }
        p { (ins.terms().source.as_deref().unwrap_or("No source is recorded for this instrument.")) }
        @if let Some(p) = power {
            p { "It rests on the power: " strong { (p.title) } " (" (p.cites.join(", ")) "). Source: " (p.source) }
        }
        h2 { "Validity" }
        @if diags.is_empty() {
            p { (layout::tag("Valid", "green")) " No problems found." }
        } @else {
            (layout::table("Problems found", &["Code", "Severity", "Problem", "What to do"], diags.iter().map(|d| vec![
                html! { (d.code) },
                html! { @if d.severity == Severity::Error { (layout::tag("Error", "red")) } @else { (layout::tag("Warning", "orange")) } },
                html! { (d.message) },
                html! { (crate::help::in_the_browser(&d.help)) },
            ]).collect()))
        }
        h2 { "Who it gives functions to" }
        @if holders.is_empty() {
            p { "It gives no body any function." }
        } @else {
            (layout::table("Holdings that rest on it", &["Body", "How", "Period"], holders.iter().map(|(c, n, r, p, from)| vec![
                layout::body_link_on(c, Some(n), *from), html! { (r) }, html! { (p) }]).collect()))
        }
        h2 { "What depends on it" }
        @if dependants.is_empty() {
            p { "No other instrument depends on it." }
        } @else {
            (layout::table("Instruments that depend on it", &["Instrument", "How"], dependants.iter().map(|(d, how)| vec![
                instrument_link(&d.id, &d.title), html! { (how) }]).collect()))
        }
        details class="nhsuk-details" {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "The record as JSON" } }
            div class="nhsuk-details__text" {
                pre class="vires-code" { (serde_json::to_string_pretty(ins).unwrap_or_default()) }
            }
        }
    };
    let data = serde_json::json!({
        "instrument": ins,
        "valid": !void,
        "effective_until": effective,
        "diagnostics": diags,
        "power": power.map(|p| serde_json::json!({"id": p.id, "title": p.title, "cites": p.cites, "source": p.source})),
        "holders": holders.iter().map(|(c, n, r, p, from)| serde_json::json!({"body": c, "name": n, "role": r, "period": p, "from": from})).collect::<Vec<_>>(),
        "dependants": dependants.iter().map(|(d, how)| serde_json::json!({"instrument": d.id, "title": d.title, "how": how})).collect::<Vec<_>>(),
    });
    Ok(View::new(ins.title.clone(), None, main)
        .crumb("Search", "/ui/search")
        .data(data)
        .table(table))
}
