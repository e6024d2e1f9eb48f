//! "Who holds this?": the holders of a function at a place on a date, each with the proof
//! chain from statute (every step a link to the instrument) drawn as a graph; and the
//! timeline of holders over time.

use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{self, date_text, instrument_link, FieldError};
use crate::svg;
use crate::view::{Csv, Section, View};
use axum::response::Response;
use maud::{html, Markup};
use vires_core::{Date, Holder, Place, QueryError, Snapshot};

/// Today's date in UTC (England is at most an hour ahead; a date query is about a day).
pub fn today() -> Date {
    let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
    Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(Date::constant(1970, 1, 1))
}

/// The place fields of a form, as asked.
pub struct PlaceAsked {
    pub kind: String,
    pub code: String,
}

impl PlaceAsked {
    pub fn from_ctx(ctx: &Ctx) -> PlaceAsked {
        PlaceAsked {
            kind: ctx.param("place_type").unwrap_or("practice").to_string(),
            code: ctx.param("place").unwrap_or("").to_string(),
        }
    }

    pub fn to_place(&self, errors: &mut Vec<FieldError>) -> Option<Place> {
        let code = self.code.trim().to_string();
        if self.kind == "england" {
            return Some(Place::England);
        }
        if code.is_empty() {
            errors.push(FieldError {
                field: "place",
                message: match self.kind.as_str() {
                    "body" => "Enter the code of the body, for example QHM".into(),
                    "area" => "Enter the id of the area".into(),
                    _ => "Enter the code of the GP practice, for example A81001".into(),
                },
            });
            return None;
        }
        match self.kind.as_str() {
            "practice" => Some(Place::Practice(code.to_uppercase().into())),
            "body" => Some(Place::Body(code.to_uppercase().into())),
            "area" => Some(Place::Area(code.into())),
            _ => {
                errors.push(FieldError {
                    field: "place_type",
                    message: "Choose a GP practice, a body's area, a named area or England".into(),
                });
                None
            }
        }
    }
}

/// A place the register does not know, as an error beside the place field, so that the form
/// keeps what was typed; other refusals are pages of their own.
fn place_not_found(e: &QueryError) -> Option<FieldError> {
    let message = match e {
        QueryError::UnknownPractice(code) => format!(
            "No GP practice has the code “{code}”: enter its code, for example A81001, or search for it by name or postcode"
        ),
        QueryError::NeverABody(code) => format!(
            "No body has ever had the code “{code}”: enter a body's code, for example QHM, or search for it by name"
        ),
        QueryError::UnknownBody { code, on } => format!(
            "No body had the code “{code}” on {}: enter the code of a body that existed then, for example QHM, or search for it by name",
            date_text(*on)
        ),
        QueryError::UnknownArea(id) => {
            format!("No named area has the id “{id}”: search for it by name")
        }
        QueryError::UnknownFunction(_) => return None,
    };
    Some(FieldError {
        field: "place",
        message,
    })
}

/// A purpose no instrument names is a question about any other purpose: holders limited to
/// stated purposes drop out. Said beside the answer, with the purposes the register names,
/// so that "covid" typed for "coronavirus-support" is seen for what it asked.
fn purpose_note(s: &Snapshot, purpose: &str) -> Markup {
    let mut named: Vec<&str> = s
        .register()
        .instruments
        .iter()
        .flat_map(|i| i.terms().purposes.iter().map(String::as_str))
        .collect();
    named.sort_unstable();
    named.dedup();
    html! {
        @if !named.contains(&purpose) {
            (layout::inset(html! {
                "No instrument in the register names the purpose “" (purpose) "”. "
                @if named.is_empty() {
                    "None is limited to stated purposes, so the answer is the same for any purpose."
                } @else {
                    "A body that holds the function only for stated purposes (in the register: " (named.join(", ")) ") is left out of this answer; check the spelling if you meant one of them."
                }
            }))
        }
    }
}

/// Beside a place not found, a search for what was typed.
fn search_for_place(asked: &PlaceAsked, errors: &[FieldError]) -> Markup {
    let code = asked.code.trim();
    html! {
        @if !code.is_empty() && errors.iter().any(|e| e.field == "place") {
            p { a href=(format!("/ui/search?{}", layout::query_string(&[("q", code)]))) { "Search the register for “" (code) "”" } }
        }
    }
}

/// Reads a date field; blank gives `default`.
pub fn date_param(
    ctx: &Ctx,
    name: &'static str,
    label: &str,
    default: Option<Date>,
    errors: &mut Vec<FieldError>,
) -> Option<Date> {
    match ctx.param(name) {
        None => {
            if default.is_none() {
                errors.push(FieldError {
                    field: name,
                    message: format!("Enter {label}"),
                });
            }
            default
        }
        Some(raw) => {
            match raw.parse::<Date>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError {
                    field: name,
                    message: format!("{} must be a real date written as year-month-day, for example 2023-06-01", crate::error::capitalise(label)),
                });
                    None
                }
            }
        }
    }
}

/// A function's name as people say it ("primary medical services"), else its id.
pub fn function_name(s: &Snapshot, id: &str) -> String {
    let tax = &s.register().taxonomy;
    match tax.get(id).map(|f| tax.def(f)) {
        Some(d) if !d.name.is_empty() && d.name != d.id => d.name.clone(),
        _ => id.to_string(),
    }
}

pub fn function_options(s: &Snapshot) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = s
        .register()
        .taxonomy
        .iter()
        .map(|(_, f)| {
            let label = if f.name.is_empty() || f.name == f.id {
                f.id.clone()
            } else {
                format!("{} ({})", f.name, f.id)
            };
            (f.id.clone(), label)
        })
        .collect();
    v.sort();
    v
}

pub fn place_fields(asked: &PlaceAsked, errors: &[FieldError]) -> Markup {
    let kinds = [
        ("practice", "A GP practice"),
        ("body", "The area of a body (for example an ICB or CCG)"),
        ("area", "A named area"),
        ("england", "All of England"),
    ];
    let options: Vec<(String, String)> = kinds
        .iter()
        .map(|(v, t)| (v.to_string(), t.to_string()))
        .collect();
    html! {
        (layout::select("place_type", "Where", None, &options, &asked.kind, errors))
        (layout::text_input("place", "Code of the practice, body or area",
            Some("For example A81001 for a practice or QHM for a body. Leave blank when you choose all of England."),
            &asked.code, errors, "nhsuk-input--width-10"))
    }
}

fn who_form(
    ctx: &Ctx,
    function: &str,
    asked: &PlaceAsked,
    on: &str,
    purpose: &str,
    errors: &[FieldError],
) -> Markup {
    html! {
        form action="/ui/who" method="get" novalidate {
            (layout::select("function", "Function", Some("The commissioning function you are asking about."),
                &function_options(ctx.snapshot()), function, errors))
            (place_fields(asked, errors))
            (layout::text_input("on", "On", Some("The date, written as year-month-day. For example 2023-06-01."), on, errors, "nhsuk-input--width-10"))
            (layout::text_input("purpose", "Purpose (optional)",
                Some("Only if the question is about a particular purpose, for example coronavirus-support."),
                purpose, errors, "nhsuk-input--width-20"))
            (layout::button("Ask who holds it"))
        }
    }
}

pub async fn who(ctx: Ctx) -> Response {
    let result = who_page(&ctx);
    ctx.respond(result)
}

fn who_page(ctx: &Ctx) -> Result<View, WebError> {
    let asked = PlaceAsked::from_ctx(ctx);
    let function = ctx
        .param("function")
        .unwrap_or("commissioning.primary-care.medical")
        .to_string();
    let on_raw = ctx
        .param("on")
        .map(str::to_string)
        .unwrap_or_else(|| today().to_string());
    let purpose = ctx.param("purpose").map(str::to_string);
    let asking = ctx.param("function").is_some() || ctx.param("place").is_some();
    let title = "Who holds this?";
    if !asking {
        let main = html! {
            h1 { (title) }
            p { "Ask who may exercise a commissioning function at a place on a date. The answer shows each holder and the chain of instruments that gives it the function." }
            (who_form(ctx, &function, &asked, &on_raw, "", &[]))
        };
        return Ok(View::new(title, Some(Section::Who), main));
    }
    let mut errors = Vec::new();
    let place = asked.to_place(&mut errors);
    let on = date_param(ctx, "on", "the date", Some(today()), &mut errors);
    let s = ctx.snapshot();
    if s.register().taxonomy.get(&function).is_none() {
        errors.push(FieldError {
            field: "function",
            message: format!("Choose a function from the list: “{function}” is not one"),
        });
    }
    let refused = |errors: &[FieldError]| {
        let main = html! {
            (layout::error_summary(errors))
            h1 { (title) }
            (who_form(ctx, &function, &asked, &on_raw, purpose.as_deref().unwrap_or(""), errors))
            (search_for_place(&asked, errors))
        };
        let mut v = View::new(format!("Error: {title}"), Some(Section::Who), main);
        v.status = axum::http::StatusCode::BAD_REQUEST;
        v.data = serde_json::json!({ "errors": errors.iter().map(|e| serde_json::json!({"field": e.field, "message": e.message})).collect::<Vec<_>>() });
        v
    };
    let (Some(place), Some(on), true) = (place, on, errors.is_empty()) else {
        return Ok(refused(&errors));
    };
    let answer = match s.who(&function, &place, on, purpose.as_deref()) {
        Ok(answer) => answer,
        Err(e) => match place_not_found(&e) {
            Some(error) => return Ok(refused(&[error])),
            None => return Err(WebError::query(e)),
        },
    };
    let place_text = layout::place_text(&place);
    let for_purpose = purpose
        .as_deref()
        .map(|p| format!(" for the purpose “{p}”"))
        .unwrap_or_default();
    let heading = format!(
        "Who holds {} for {place_text} on {}{for_purpose}",
        function_name(s, &function),
        date_text(on)
    );
    let reg = s.register();
    let name_of = |code: &str| {
        reg.body_near(code, on)
            .map(|b| reg.body(b).name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    // Bodies, not rows: a body holding the function in several rows (by several holdings,
    // or it and a part of it) is one body; a body holding only parts of it is said apart.
    let (whole, parts_only) = bodies_holding(&answer, &function);
    let timeline_href = format!(
        "/ui/timeline?{}",
        layout::query_string(&[
            ("function", &function),
            ("place_type", &asked.kind),
            ("place", &asked.code)
        ])
    );
    let main = html! {
        h1 { (heading) }
        @if let Place::Practice(code) = &place {
            @if let Some(a) = reg.practice_id(code) {
                p { "Practice: " (layout::practice_link(code, Some(&reg.practices[a.0 as usize].name))) }
            }
        }
        (caveats(&answer.caveats))
        @if let Some(p) = purpose.as_deref() { (purpose_note(s, p)) }
        @if answer.holders.is_empty() && !answer.caveats.is_empty() {
            p class="nhsuk-lede-text" { "No body is recorded as holding this function here on this date, and the register does not know enough to call it a gap (see above)." }
        } @else if answer.holders.is_empty() {
            (layout::warning("No body holds this function here on this date", html! {
                p { "The register has no instrument that gives anyone this function for " (place_text) " on " (date_text(on)) ". This may be a gap in the law or in the register." }
            }))
        } @else {
            @if whole > 0 {
                p class="nhsuk-lede-text" {
                    @if whole == 1 { "1 body holds it." } @else { (whole) " bodies hold it." }
                }
            }
            @if parts_only > 0 {
                p class="nhsuk-lede-text" {
                    @if whole == 0 {
                        @if parts_only == 1 { "1 body holds parts of it" } @else { (parts_only) " bodies hold parts of it" }
                    } @else {
                        @if parts_only == 1 { "1 more body holds parts of it" } @else { (parts_only) " more bodies hold parts of it" }
                    }
                    ", each named below with the part it holds."
                }
            }
        }
        @for (i, h) in answer.holders.iter().enumerate() {
            (holder_section(s, i, h, &name_of, on))
        }
        @if !answer.accountable_only.is_empty() {
            h2 { "Accountable, but not exercising it" }
            p { "These bodies delegated the function and stay accountable for it in law:" }
            ul { @for c in &answer.accountable_only { li { (layout::body_link_on(c, Some(&name_of(c)), on)) } } }
        }
        p { a href=(timeline_href) { "See who held it over time" } }
        h2 { "Ask another question" }
        (who_form(ctx, &function, &asked, &on.to_string(), purpose.as_deref().unwrap_or(""), &[]))
    };
    let mut table = Csv::new(&[
        "body",
        "name",
        "role",
        "accountable",
        "purposes",
        "coverage",
        "from",
        "until",
        "proof",
        "function",
    ]);
    for h in &answer.holders {
        table.row([
            h.body.to_string(),
            h.name.to_string(),
            h.role.as_str().to_string(),
            h.accountable.to_string(),
            h.purposes.join(" "),
            format!("{:?}", h.coverage).to_lowercase(),
            h.from.to_string(),
            h.until.map(|d| d.to_string()).unwrap_or_default(),
            h.proof
                .iter()
                .map(|p| p.instrument.as_str())
                .collect::<Vec<_>>()
                .join(" > "),
            h.function.to_string(),
        ]);
    }
    Ok(View::new(heading, Some(Section::Who), main)
        .crumb("Who holds this?", "/ui/who")
        .data(&answer)
        .table(table))
}

/// What the register does not know about an answer, shown with the answer (not below it).
pub fn caveats(list: &[vires_core::Caveat]) -> Markup {
    html! {
        @if !list.is_empty() {
            (layout::warning("What the register does not know here", html! {
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for c in list {
                        li data-caveat=(c.kind.as_str()) {
                            (c.message)
                            @if !c.source.is_empty() { " " span class="nhsuk-body-s" { "(Source: " (c.source) ")" } }
                        }
                    }
                }
            }))
        }
    }
}

fn holder_section(
    s: &Snapshot,
    i: usize,
    h: &Holder,
    name_of: &dyn Fn(&str) -> String,
    on: Date,
) -> Markup {
    let reg = s.register();
    let mut nodes = Vec::new();
    for step in h.proof.iter() {
        let detail = match s
            .instrument_id(&step.instrument)
            .map(|id| &reg.instruments[id.0 as usize])
        {
            Some(ins) => {
                let maker = ins
                    .maker
                    .as_deref()
                    .map(name_of)
                    .unwrap_or_else(|| "Parliament".into());
                let to = match &ins.terms().receivers {
                    vires_core::Receivers::Bodies(b) => {
                        b.iter().map(|c| name_of(c)).collect::<Vec<_>>().join(", ")
                    }
                    vires_core::Receivers::Every(k) => format!("every {}", k.as_str()),
                };
                format!("{} by {maker} to {to}", step.kind.as_str())
            }
            None => step.kind.as_str().to_string(),
        };
        nodes.push(svg::ChainNode {
            heading: step.title.clone(),
            detail,
            href: Some(format!(
                "/ui/instruments/{}",
                layout::path_segment(&step.instrument)
            )),
        });
    }
    nodes.push(svg::ChainNode {
        heading: format!("{} holds the function", h.name),
        detail: format!(
            "{}, {}",
            layout::role_text(h.role),
            layout::period_text(h.from, h.until)
        ),
        href: Some(format!(
            "/ui/bodies/{}?on={on}",
            layout::path_segment(&h.body)
        )),
    });
    let desc = format!(
        "The chain of authority, from statute first: {}. Then {} holds the function.",
        h.proof
            .iter()
            .map(|p| p.title.as_str())
            .collect::<Vec<_>>()
            .join(", then "),
        h.name
    );
    html! {
        section aria-labelledby=(format!("holder-{i}")) {
            h2 id=(format!("holder-{i}")) { (h.name) " (" (h.body) ")" }
            (layout::summary(&[
                ("Body", layout::body_link_on(&h.body, Some(&h.name), on)),
                ("How it holds it", html! { (layout::role_text(h.role)) }),
                ("Accountable in law", layout::body_link_on(&h.accountable, Some(&name_of(&h.accountable)), on)),
                ("Purposes", html! { @if h.purposes.is_empty() { "Any purpose" } @else { (h.purposes.join(", ")) } }),
                ("Covers", html! {
                    @if matches!(h.coverage, vires_core::Coverage::Full) { "All of the place asked about" }
                    @else if let Some(part) = &h.part {
                        "Part of the place asked about: " (part.practices) " of its " (part.of) " practices"
                        @if !part.area.is_empty() { " (" (part.area.join(" + ")) ")" }
                    }
                    @else { "Part of the place asked about" }
                }),
                ("Function held", layout::function_link(&h.function)),
                ("Period", html! { (layout::period_text(h.from, h.until)) }),
            ]))
            h3 { "Proof: the chain of instruments" }
            ol class="vires-proof" {
                @for step in h.proof.iter() {
                    li {
                        (instrument_link(&step.instrument, &step.title))
                        br;
                        span class="nhsuk-body-s" {
                            (step.kind.as_str())
                            @if let Some(b) = &step.basis { ", under " (b) }
                            @if let Some(src) = &step.source { ". Source: " (src) }
                        }
                    }
                }
            }
            @if !h.holdings.is_empty() {
                h3 { "Its " (h.holdings.len()) " holdings here, each with its own proof" }
                ul class="vires-holdings" {
                    @for held in &h.holdings {
                        li {
                            @if let Some(part) = &held.part {
                                (part.practices) " of " (part.of) " practices"
                                @if !part.area.is_empty() { " (" (part.area.join(" + ")) ")" }
                            } @else { "All of the place asked about" }
                            ", " (layout::period_text(held.from, held.until)) ": "
                            @for (n, step) in held.proof.iter().enumerate() {
                                @if n > 0 { " → " }
                                (instrument_link(&step.instrument, &step.title))
                            }
                        }
                    }
                }
            }
            (svg::chain(&format!("chain-{i}"), &format!("Delegation chain for {}", h.name), &desc, &nodes))
        }
    }
}

/// How many bodies hold all of `function` in `answer` (by a holding of it or of a function
/// above it), and how many others hold only parts of it.
fn bodies_holding(answer: &vires_core::WhoAnswer, function: &str) -> (usize, usize) {
    let whole_of = |held: &str| {
        held == function
            || (function.starts_with(held) && function.as_bytes().get(held.len()) == Some(&b'.'))
    };
    let mut whole: Vec<&str> = Vec::new();
    let mut parts: Vec<&str> = Vec::new();
    for h in &answer.holders {
        let list = if whole_of(&h.function) {
            &mut whole
        } else {
            &mut parts
        };
        if !list.contains(&h.body.as_str()) {
            list.push(&h.body);
        }
    }
    parts.retain(|b| !whole.contains(b));
    (whole.len(), parts.len())
}

pub async fn timeline(ctx: Ctx) -> Response {
    let result = timeline_page(&ctx);
    ctx.respond(result)
}

fn timeline_page(ctx: &Ctx) -> Result<View, WebError> {
    let asked = PlaceAsked::from_ctx(ctx);
    let function = ctx
        .param("function")
        .unwrap_or("commissioning.primary-care.medical")
        .to_string();
    let s = ctx.snapshot();
    let mut errors = Vec::new();
    let place = if ctx.param("function").is_some() {
        asked.to_place(&mut errors)
    } else {
        None
    };
    if s.register().taxonomy.get(&function).is_none() {
        errors.push(FieldError {
            field: "function",
            message: format!("Choose a function from the list: “{function}” is not one"),
        });
    }
    let form = |errors: &[FieldError]| {
        html! {
            form action="/ui/timeline" method="get" novalidate {
                (layout::select("function", "Function", None, &function_options(s), &function, errors))
                (place_fields(&asked, errors))
                (layout::button("Show the timeline"))
            }
        }
    };
    let refused = |errors: &[FieldError]| {
        let main = html! {
            (layout::error_summary(errors))
            h1 { "Who held a function over time" }
            (form(errors))
            (search_for_place(&asked, errors))
        };
        let mut v = View::new("Timeline", Some(Section::Who), main);
        if !errors.is_empty() {
            v.status = axum::http::StatusCode::BAD_REQUEST;
        }
        v
    };
    let Some(place) = place.filter(|_| errors.is_empty()) else {
        return Ok(refused(&errors));
    };
    let tl = match s.timeline(&function, &place) {
        Ok(tl) => tl,
        Err(e) => match place_not_found(&e) {
            Some(error) => return Ok(refused(&[error])),
            None => return Err(WebError::query(e)),
        },
    };
    let reg = s.register();
    let name_of = |code: &str, on: Date| {
        reg.body_near(code, on)
            .map(|b| reg.body(b).name.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let heading = format!(
        "Who held {} for {} over time",
        function_name(s, &function),
        layout::place_text(&place)
    );
    let mut rows = Vec::new();
    let mut table = Csv::new(&[
        "from",
        "until",
        "body",
        "role",
        "accountable",
        "purposes",
        "instrument",
    ]);
    for seg in &tl.segments {
        for h in &seg.holders {
            table.row([
                seg.from.to_string(),
                seg.until.map(|d| d.to_string()).unwrap_or_default(),
                h.body.clone(),
                h.role.as_str().to_string(),
                h.accountable.clone(),
                h.purposes.join(" "),
                h.instrument.clone(),
            ]);
        }
        let who_href = format!(
            "/ui/who?{}",
            layout::query_string(&[
                ("function", &function),
                ("place_type", &asked.kind),
                ("place", &asked.code),
                ("on", &seg.from.to_string())
            ])
        );
        rows.push(vec![
            html! { a href=(who_href) { (layout::period_text(seg.from, seg.until)) } },
            html! {
                @if seg.incomplete { "Not known: the practice's record is incomplete (see above). " }
                @else if seg.holders.is_empty() { "Nobody" }
                ul class="nhsuk-list" {
                    @for h in &seg.holders {
                        li { (layout::body_link_on(&h.body, Some(&name_of(&h.body, seg.from)), seg.from)) ", " (layout::role_text(h.role).to_lowercase())
                            @if !h.purposes.is_empty() { " for " (h.purposes.join(", ")) } }
                    }
                }
            },
        ]);
    }
    let main = html! {
        h1 { (heading) }
        (caveats(&tl.caveats))
        (svg::timeline("timeline", &tl, &name_of, today()))
        (layout::table("Holders in each period", &["Period", "Holders"], rows))
        h2 { "Another timeline" }
        (form(&[]))
    };
    Ok(View::new(heading, Some(Section::Who), main)
        .crumb("Who holds this?", "/ui/who")
        .data(&tl)
        .table(table))
}
