//! The draft form's inputs in the NHS design system's markup: dates as day, month and
//! year, where an instrument applies as revealing radios, fields chosen by search with
//! their search-then-choose steps, and the register's findings next to their fields.

use super::form::{self, Fields, KindForm};
use super::read::Read;
use super::search;

use crate::context::Ctx;
use crate::layout::{self, FieldError};
use maud::{html, Markup};
use vires_core::{BodyKind, Diagnostic, Severity};

pub(super) fn field_markup(
    ctx: &Ctx,
    k: &KindForm,
    f: &'static str,
    fields: &Fields,
    read: &Read,
    errors: &[FieldError],
    findings: &[(&'static str, Diagnostic)],
) -> Markup {
    let (label, hint) = form::label(k.kind, f);
    let value = fields.get(f).map(String::as_str).unwrap_or("");
    let warnings: Vec<&Diagnostic> = findings
        .iter()
        .filter(|(x, d)| *x == f && d.severity == Severity::Warning)
        .map(|(_, d)| d)
        .collect();
    let extra = html! {
        (found_markup(read, f))
        @for w in &warnings {
            (layout::warning(&format!("Warning {}", w.code), html! { p { (w.message) } p { (crate::help::in_the_browser(&w.help)) } }))
        }
    };
    match f {
        form::FROM | form::UNTIL | form::SET_UNTIL => {
            html! { (date_input(f, label, hint, fields, errors)) (extra) }
        }
        form::AREA => html! {
            (area_markup(k, f, [form::AREA_BODY, form::AREA_NAMED, form::AREA_PRACTICES], fields, read, errors))
            (extra)
        },
        form::SET_AREA => html! {
            (area_markup(k, f, [form::SET_AREA_BODY, form::SET_AREA_NAMED, form::SET_AREA_PRACTICES], fields, read, errors))
            (extra)
        },
        form::BODY_KIND => {
            let mut options: Vec<(String, String)> =
                vec![(String::new(), "Choose the kind of body".into())];
            options.extend(
                BodyKind::ALL
                    .iter()
                    .map(|b| (b.as_str().to_string(), capitalise(body_kind_name(*b)))),
            );
            html! { (layout::select(form::BODY_KIND, label, None, &options, value, errors)) (extra) }
        }
        form::BASIS => {
            let maker = fields
                .get(form::MAKER)
                .map(|m| m.split(',').next().unwrap_or("").trim().to_string())
                .filter(|m| !m.is_empty());
            let powers = form::usable_powers(ctx.snapshot(), k.kind, maker.as_deref(), read.from);
            let mut options: Vec<(String, String)> =
                vec![(String::new(), "Choose the power".into())];
            options.extend(powers.iter().map(|p| {
                (
                    p.id.clone(),
                    format!("{} – {}", form::basis_text(p), p.title),
                )
            }));
            if !value.is_empty() && !options.iter().any(|(v, _)| v == value) {
                if let Some(p) = ctx
                    .snapshot()
                    .register()
                    .powers
                    .iter()
                    .find(|p| p.id == value)
                {
                    options.push((
                        p.id.clone(),
                        format!(
                            "{} – {} (not usable by this maker on this date)",
                            form::basis_text(p),
                            p.title
                        ),
                    ));
                }
            }
            html! { (layout::select(form::BASIS, label, Some(hint), &options, value, errors)) (extra) }
        }
        _ => html! {
            (search_input(f, label, hint, value, read, errors))
            (extra)
        },
    }
}

/// What the searches in a field were taken to mean.
fn found_markup(read: &Read, f: &str) -> Markup {
    html! {
        @if let Some(list) = read.found.get(f).filter(|v| !v.is_empty()) {
            p class="nhsuk-body-s vires-found" { "Found: " (list.iter().map(|(c, n)| if c == n { c.clone() } else { format!("{n} ({c})") }).collect::<Vec<_>>().join(", ")) }
        }
    }
}

/// A text input; for a field chosen by search, marked for the page's script (which
/// suggests from `GET /search` as one types) and followed by the search-then-choose
/// radios for every term that matched more than one thing.
fn search_input(
    f: &'static str,
    label: &str,
    hint: &str,
    value: &str,
    read: &Read,
    errors: &[FieldError],
) -> Markup {
    let input = layout::text_input(
        f,
        label,
        (!hint.is_empty()).then_some(hint),
        value,
        errors,
        "nhsuk-u-width-two-thirds",
    );
    let Some(wanted) = search::wanted(f) else {
        return input;
    };
    let kinds = wanted
        .kinds()
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let many = matches!(
        f,
        form::RECEIVERS
            | form::OF
            | form::PREDECESSORS
            | form::FUNCTIONS
            | form::AREA_PRACTICES
            | form::SET_AREA_PRACTICES
    );
    html! {
        div class="vires-search" data-vires-search=(kinds) data-vires-field=(f) data-vires-many=(if many { "yes" } else { "no" }) {
            (input)
        }
        @for c in read.choices.iter().filter(|c| c.field == f) {
            (choice_markup(c))
        }
    }
}

/// The search-then-choose step: which of the things a term matched was meant.
fn choice_markup(c: &search::Choice) -> Markup {
    let name = c.input_name();
    html! {
        div class="nhsuk-form-group vires-choice" {
            fieldset class="nhsuk-fieldset" aria-describedby=(format!("{name}-hint")) {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Which " (c.what) " do you mean by “" (c.term) "”?" }
                div class="nhsuk-hint" id=(format!("{name}-hint")) { "Choose one, then save and check again. If none is right, type more of the name, or its code." }
                div class="nhsuk-radios" {
                    @for (i, (code, label)) in c.options.iter().enumerate() {
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id=(format!("{name}-{i}")) name=(name) type="radio" value=(code);
                            label class="nhsuk-label nhsuk-radios__label" for=(format!("{name}-{i}")) { (label) " (" (code) ")" }
                        }
                    }
                }
            }
        }
    }
}

/// Where an instrument applies (or, in an amendment, applies from now on): the design
/// system's radios, each choice that needs more revealing its search field (vires.js hides
/// the others; without JavaScript all are shown).
fn area_markup(
    k: &KindForm,
    f: &'static str,
    [body, named, practices]: [&'static str; 3],
    fields: &Fields,
    read: &Read,
    errors: &[FieldError],
) -> Markup {
    let (label, hint) = form::label(k.kind, f);
    let chosen = fields
        .get(f)
        .map(String::as_str)
        .unwrap_or(if f == form::AREA { "own" } else { "" });
    let err = errors.iter().find(|e| e.field == f);
    let mut choices: Vec<(&str, &str, Option<&'static str>)> = Vec::new();
    if f == form::SET_AREA {
        choices.push(("", "Leave where it applies unchanged", None));
    }
    choices.extend([
        ("own", "The area of the body whose function it is", None),
        ("england", "All of England", None),
        ("footprint", "The area of another body", Some(body)),
        ("named", "A named area in the register", Some(named)),
        ("practices", "Particular GP practices", Some(practices)),
    ]);
    let value = |x: &str| fields.get(x).map(String::as_str).unwrap_or("").to_string();
    html! {
        div class=(layout::form_group_class(err.is_some())) {
            fieldset class="nhsuk-fieldset" aria-describedby=[(!hint.is_empty()).then(|| format!("{f}-hint"))] {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (label) }
                @if !hint.is_empty() { div class="nhsuk-hint" id=(format!("{f}-hint")) { (hint) } }
                @if let Some(e) = err { (layout::error_message(f, &e.message)) }
                // Revealed by vires.js, not the design system's script, which marks the
                // radios aria-expanded (not allowed on a radio; axe fails it).
                div class="nhsuk-radios nhsuk-radios--conditional" {
                    @for (i, (v, text, more)) in choices.iter().enumerate() {
                        @let id = if i == 0 { f.to_string() } else { format!("{f}-{i}") };
                        div class="nhsuk-radios__item" {
                            input class="nhsuk-radios__input" id=(id) name=(f) type="radio" value=(v) checked[chosen == *v] data-vires-reveals=[more.map(|m| format!("conditional-{m}"))];
                            label class="nhsuk-label nhsuk-radios__label" for=(id) { (text) }
                        }
                        @if let Some(m) = more {
                            div class=(if chosen == *v { "nhsuk-radios__conditional" } else { "nhsuk-radios__conditional nhsuk-radios__conditional--hidden" }) id=(format!("conditional-{m}")) {
                                (search_input(m, form::label(k.kind, m).0, form::label(k.kind, m).1, &value(m), read, errors))
                                (found_markup(read, m))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A body kind in words, as people say it.
pub fn body_kind_name(k: BodyKind) -> &'static str {
    match k {
        BodyKind::Parliament => "Parliament",
        BodyKind::SecretaryOfState => "the Secretary of State",
        BodyKind::NhsEngland => "NHS England",
        BodyKind::NhsEnglandRegion => "an NHS England region",
        BodyKind::Ccg => "a clinical commissioning group",
        BodyKind::Icb => "an integrated care board",
        BodyKind::SubIcbLocation => "a sub-ICB location",
        BodyKind::CommissioningHub => "a commissioning hub",
        BodyKind::ReportingEntity => "a reporting entity",
        BodyKind::LocalAuthority => "a local authority",
        BodyKind::CombinedAuthority => "a combined authority",
        BodyKind::NhsTrust => "an NHS trust",
        BodyKind::FoundationTrust => "an NHS foundation trust",
        BodyKind::IntegratedProvider => "an integrated provider",
        BodyKind::Csu => "a commissioning support unit",
        BodyKind::JointCommittee => "a joint committee",
        BodyKind::Other => "another kind of body",
    }
}

/// "a joint committee" → "Joint committee", for a list of kinds.
fn capitalise(s: &str) -> String {
    let s = s
        .strip_prefix("a ")
        .or_else(|| s.strip_prefix("an "))
        .or_else(|| s.strip_prefix("the "))
        .unwrap_or(s);
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The design system's date input: day, month and year, with the error on the group.
fn date_input(
    name: &'static str,
    label: &str,
    hint: &str,
    fields: &Fields,
    errors: &[FieldError],
) -> Markup {
    let err = errors.iter().find(|e| e.field == name);
    let part = |p: &str| {
        fields
            .get(&format!("{name}-{p}"))
            .cloned()
            .unwrap_or_default()
    };
    let cls = |w: &str| {
        format!(
            "nhsuk-input nhsuk-date-input__input nhsuk-input--width-{w}{}",
            if err.is_some() {
                " nhsuk-input--error"
            } else {
                ""
            }
        )
    };
    let describedby = if err.is_some() {
        format!("{name}-hint {name}-error")
    } else {
        format!("{name}-hint")
    };
    html! {
        div class=(layout::form_group_class(err.is_some())) {
            fieldset class="nhsuk-fieldset" role="group" aria-describedby=(describedby) {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (label) }
                div class="nhsuk-hint" id=(format!("{name}-hint")) { (hint) }
                @if let Some(e) = err {
                    (layout::error_message(name, &e.message))
                }
                div class="nhsuk-date-input" {
                    div class="nhsuk-date-input__item" {
                        div class="nhsuk-form-group" {
                            label class="nhsuk-label nhsuk-date-input__label" for=(name) { "Day" }
                            input class=(cls("2")) id=(name) name=(format!("{name}-day")) type="text" inputmode="numeric" value=(part("day"));
                        }
                    }
                    div class="nhsuk-date-input__item" {
                        div class="nhsuk-form-group" {
                            label class="nhsuk-label nhsuk-date-input__label" for=(format!("{name}-month")) { "Month" }
                            input class=(cls("2")) id=(format!("{name}-month")) name=(format!("{name}-month")) type="text" inputmode="numeric" value=(part("month"));
                        }
                    }
                    div class="nhsuk-date-input__item" {
                        div class="nhsuk-form-group" {
                            label class="nhsuk-label nhsuk-date-input__label" for=(format!("{name}-year")) { "Year" }
                            input class=(cls("4")) id=(format!("{name}-year")) name=(format!("{name}-year")) type="text" inputmode="numeric" value=(part("year"));
                        }
                    }
                }
            }
        }
    }
}
