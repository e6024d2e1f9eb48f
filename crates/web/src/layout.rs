//! The page shell (header, navigation, breadcrumbs, download links, footer) and the NHS
//! design system components the pages are made of.

use crate::context::Ctx;
use crate::view::{Section, View};
use maud::{html, Markup, DOCTYPE};
use vires_core::{Date, Place, Role};

pub const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

const NAV: &[(Section, &str, &str)] = &[
    (Section::Search, "Search", "/ui/search"),
    (Section::Who, "Who holds this?", "/ui/who"),
    (Section::Analyses, "Analyses", "/ui/analyses"),
    (Section::Diff, "Changes between dates", "/ui/diff"),
    (Section::Proposals, "Proposals", "/ui/proposals"),
    (Section::Procurement, "Procurement", "/ui/procurement"),
    (Section::Conflicts, "Conflicts of interest", "/ui/conflicts"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            title { (title) " – vires" }
            meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
            meta name="theme-color" content="#005eb8";
            link rel="icon" href=(format!("/assets/favicon.svg?v={ASSET_VERSION}")) type="image/svg+xml";
            link rel="stylesheet" href=(format!("/assets/vendor/nhsuk-frontend.min.css?v={ASSET_VERSION}"));
            link rel="stylesheet" href=(format!("/assets/vires.css?v={ASSET_VERSION}"));
            script type="module" src=(format!("/assets/vires.js?v={ASSET_VERSION}")) {}
        }
    }
}

fn header(ctx: Option<&Ctx>, section: Option<Section>) -> Markup {
    let user = ctx.and_then(|c| c.user.as_ref());
    let csrf = ctx
        .and_then(|c| c.session.as_ref())
        .map(|s| s.csrf.as_str());
    html! {
        header class="nhsuk-header" role="banner" data-module="nhsuk-header" {
            div class="nhsuk-header__container nhsuk-width-container" {
                div class="nhsuk-header__service" {
                    a class="nhsuk-header__service-name vires-brand" href="/ui/" {
                        span class="vires-brand__mark" aria-hidden="true" { "v" }
                        "vires"
                        span class="vires-brand__strap" { "who holds NHS commissioning powers" }
                    }
                }
                nav class="nhsuk-header__account" aria-label="Account" {
                    ul class="nhsuk-header__account-list" {
                        @match (user, csrf) {
                            (Some(u), Some(token)) => {
                                li class="nhsuk-header__account-item" {
                                    a class="nhsuk-header__account-link" href="/ui/sessions" title="Your sessions" { (u.name) " (" (u.role) ")" }
                                }
                                @if let Some(w) = ctx.and_then(|c| c.work) {
                                    li class="nhsuk-header__account-item" {
                                        a class="nhsuk-header__account-link" href="/ui/work" {
                                            "My work"
                                            span class="nhsuk-u-visually-hidden" { ": " (w.drafts) " drafts, " (w.waiting) " proposals waiting" }
                                            span aria-hidden="true" { " (" (w.drafts + w.waiting) ")" }
                                        }
                                    }
                                }
                                li class="nhsuk-header__account-item" {
                                    form class="nhsuk-header__account-form" action="/ui/logout" method="post" {
                                        input type="hidden" name="csrf" value=(token);
                                        button class="nhsuk-header__account-button" type="submit" { "Sign out" }
                                    }
                                }
                            }
                            _ => {
                                li class="nhsuk-header__account-item" {
                                    a class="nhsuk-header__account-link" href="/ui/login" { "Sign in" }
                                }
                            }
                        }
                    }
                }
            }
            nav class="nhsuk-header__navigation" aria-label="Menu" {
                div class="nhsuk-header__navigation-container nhsuk-width-container" {
                    ul class="nhsuk-header__navigation-list" {
                        @for (s, text, href) in NAV {
                            @if section == Some(*s) {
                                li class="nhsuk-header__navigation-item nhsuk-header__navigation-item--current" {
                                    a class="nhsuk-header__navigation-link" href=(href) aria-current="page" {
                                        strong class="nhsuk-header__navigation-item-current-fallback" { (text) }
                                    }
                                }
                            } @else {
                                li class="nhsuk-header__navigation-item" {
                                    a class="nhsuk-header__navigation-link" href=(href) { (text) }
                                }
                            }
                        }
                        li class="nhsuk-header__menu" hidden {
                            button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link" id="toggle-menu" aria-expanded="false" {
                                span class="nhsuk-u-visually-hidden" { "Browse " }
                                "More"
                            }
                        }
                    }
                }
            }
        }
    }
}

fn breadcrumbs(crumbs: &[(String, String)]) -> Markup {
    html! {
        @if !crumbs.is_empty() {
            nav class="nhsuk-breadcrumb" aria-label="Breadcrumb" {
                ol class="nhsuk-breadcrumb__list" {
                    li class="nhsuk-breadcrumb__list-item" {
                        a class="nhsuk-breadcrumb__link" href="/ui/" { "Home" }
                    }
                    @for (text, href) in crumbs {
                        li class="nhsuk-breadcrumb__list-item" {
                            a class="nhsuk-breadcrumb__link" href=(href) { (text) }
                        }
                    }
                }
                @if let Some((text, href)) = crumbs.last() {
                    a class="nhsuk-back-link" href=(href) {
                        span class="nhsuk-u-visually-hidden" { "Back to" }
                        " " (text)
                    }
                }
            }
        }
    }
}

fn footer(ctx: Option<&Ctx>) -> Markup {
    html! {
        footer role="contentinfo" {
            div class="nhsuk-footer" {
                div class="nhsuk-width-container" {
                    h2 class="nhsuk-u-visually-hidden" { "Support links" }
                    div class="nhsuk-footer__meta" {
                        ul class="nhsuk-footer__list" {
                            li class="nhsuk-footer__list-item" { a class="nhsuk-footer__list-item-link" href="/ui/functions" { "Functions" } }
                            li class="nhsuk-footer__list-item" { a class="nhsuk-footer__list-item-link" href="/ui/search" { "Search" } }
                        }
                        p class="nhsuk-body-s" {
                            "vires is an independent tool, not an NHS service. It is a map of the law, not legal advice: every answer cites its sources so that you can check them."
                            @if let Some(c) = ctx {
                                " Answers from register revision " (c.revision()) "."
                            }
                        }
                    }
                }
            }
        }
    }
}

fn downloads(ctx: &Ctx) -> Markup {
    html! {
        div class="vires-downloads" {
            h2 class="nhsuk-heading-s" { "Download this page" }
            ul class="nhsuk-list" {
                li { a href=(ctx.url_as("json")) download { "Download as JSON" } }
                li { a href=(ctx.url_as("csv")) download { "Download as CSV (spreadsheet)" } }
            }
        }
    }
}

fn shell(ctx: Option<&Ctx>, view: &View) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(&view.title))
            body {
                a class="nhsuk-skip-link" href="#maincontent" { "Skip to main content" }
                (header(ctx, view.section))
                div class="nhsuk-width-container" {
                    (breadcrumbs(&view.crumbs))
                    main class="nhsuk-main-wrapper" id="maincontent" {
                        (view.main)
                        @if let Some(c) = ctx {
                            @if view.status.is_success() && view.downloads { (downloads(c)) }
                        }
                    }
                }
                (footer(ctx))
            }
        }
    }
}

pub fn page(ctx: &Ctx, view: &View) -> Markup {
    shell(Some(ctx), view)
}

/// A page for when the request could not be read at all.
pub fn bare_page(view: &View) -> Markup {
    shell(None, view)
}

// ---- components ----

/// A summary list: keys and values.
pub fn summary(rows: &[(&str, Markup)]) -> Markup {
    html! {
        dl class="nhsuk-summary-list" {
            @for (k, v) in rows {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { (k) }
                    dd class="nhsuk-summary-list__value" { (v) }
                }
            }
        }
    }
}

/// A table with a caption and header row; cells are markup.
pub fn table(caption: &str, header: &[&str], rows: Vec<Vec<Markup>>) -> Markup {
    html! {
        div class="nhsuk-table-container" {
            table class="nhsuk-table" {
                caption class="nhsuk-table__caption" { (caption) }
                thead class="nhsuk-table__head" {
                    tr class="nhsuk-table__row" {
                        @for h in header { th class="nhsuk-table__header" scope="col" { (h) } }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for r in &rows {
                        tr class="nhsuk-table__row" {
                            @for c in r { td class="nhsuk-table__cell" { (c) } }
                        }
                    }
                }
            }
        }
    }
}

pub fn inset(text: Markup) -> Markup {
    html! { div class="nhsuk-inset-text" { span class="nhsuk-u-visually-hidden" { "Information: " } (text) } }
}

pub fn warning(heading: &str, text: Markup) -> Markup {
    html! {
        div class="nhsuk-warning-callout" {
            h3 class="nhsuk-warning-callout__label" {
                span role="text" { span class="nhsuk-u-visually-hidden" { "Important: " } (heading) }
            }
            (text)
        }
    }
}

/// A form problem, tied to the field it is about.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

pub fn error_summary(errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for e in errors { li { a href=(format!("#{}", e.field)) { (e.message) } } }
                    }
                }
            }
        }
    }
}

fn field_error<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a FieldError> {
    errors.iter().find(|e| e.field == field)
}

/// A form group's class, marked when its field has an error.
pub fn form_group_class(error: bool) -> &'static str {
    if error {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    }
}

/// The design system's error message for the field `id`.
pub fn error_message(id: &str, message: &str) -> Markup {
    html! {
        span class="nhsuk-error-message" id=(format!("{id}-error")) {
            span class="nhsuk-u-visually-hidden" { "Error: " } (message)
        }
    }
}

/// A labelled control in its form group: the label, the hint and the error, then `control`.
fn labelled(
    id: &str,
    label: &str,
    hint: Option<&str>,
    err: Option<&FieldError>,
    control: Markup,
) -> Markup {
    html! {
        div class=(form_group_class(err.is_some())) {
            label class="nhsuk-label" for=(id) { (label) }
            @if let Some(h) = hint { div class="nhsuk-hint" id=(format!("{id}-hint")) { (h) } }
            @if let Some(e) = err { (error_message(id, &e.message)) }
            (control)
        }
    }
}

/// The ids a control is described by: its hint and its error, when it has them.
fn described_by(id: &str, hint: bool, err: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if err {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A labelled text input with an optional hint and error message.
pub fn text_input(
    id: &'static str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    errors: &[FieldError],
    width: &str,
) -> Markup {
    let err = field_error(errors, id);
    let describedby = described_by(id, hint.is_some(), err.is_some());
    let control = html! {
        input class=(format!("nhsuk-input {width}{}", if err.is_some() { " nhsuk-input--error" } else { "" }))
            id=(id) name=(id) type="text" value=(value) spellcheck="false"
            aria-describedby=[describedby];
    };
    labelled(id, label, hint, err, control)
}

/// A labelled textarea with an optional hint and error message.
pub fn textarea(
    id: &'static str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    errors: &[FieldError],
) -> Markup {
    let err = field_error(errors, id);
    let describedby = described_by(id, hint.is_some(), err.is_some());
    let control = html! {
        textarea class=(format!("nhsuk-textarea{}", if err.is_some() { " nhsuk-textarea--error" } else { "" }))
            id=(id) name=(id) rows="4"
            aria-describedby=[describedby] { (value) }
    };
    labelled(id, label, hint, err, control)
}

/// A labelled select.
pub fn select(
    id: &'static str,
    label: &str,
    hint: Option<&str>,
    options: &[(String, String)],
    selected: &str,
    errors: &[FieldError],
) -> Markup {
    let err = field_error(errors, id);
    let control = html! {
        select class="nhsuk-select" id=(id) name=(id)
            aria-describedby=[hint.map(|_| format!("{id}-hint"))] {
            @for (value, text) in options {
                option value=(value) selected[value == selected] { (text) }
            }
        }
    };
    labelled(id, label, hint, err, control)
}

pub fn button(text: &str) -> Markup {
    html! { button class="nhsuk-button" type="submit" data-module="nhsuk-button" { (text) } }
}

pub fn secondary_button(text: &str) -> Markup {
    html! { button class="nhsuk-button nhsuk-button--secondary" type="submit" data-module="nhsuk-button" { (text) } }
}

pub fn tag(text: &str, colour: &str) -> Markup {
    html! { strong class=(format!("nhsuk-tag nhsuk-tag--{colour}")) { (text) } }
}

// ---- domain links and wording ----

pub fn body_link(code: &str, name: Option<&str>) -> Markup {
    let href = format!("/ui/bodies/{}", path_segment(code));
    html! {
        a href=(href) {
            @if let Some(n) = name { (n) " (" (code) ")" } @else { (code) }
        }
    }
}

/// A link to the body that had `code` on `on` (a code can name different bodies over time).
pub fn body_link_on(code: &str, name: Option<&str>, on: Date) -> Markup {
    let href = format!("/ui/bodies/{}?on={on}", path_segment(code));
    html! {
        a href=(href) {
            @if let Some(n) = name { (n) " (" (code) ")" } @else { (code) }
        }
    }
}

pub fn instrument_link(id: &str, title: &str) -> Markup {
    html! { a href=(format!("/ui/instruments/{}", path_segment(id))) { (title) } }
}

pub fn function_link(id: &str) -> Markup {
    html! { a href=(format!("/ui/functions/{}", path_segment(id))) { (id) } }
}

pub fn practice_link(code: &str, name: Option<&str>) -> Markup {
    html! {
        a href=(format!("/ui/practices/{}", path_segment(code))) {
            @if let Some(n) = name { (n) " (" (code) ")" } @else { (code) }
        }
    }
}

/// Percent-encodes one path segment (codes and ids are plain, but links must not break on
/// whatever a register contains).
pub fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn query_string(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

pub fn role_text(r: Role) -> &'static str {
    match r {
        Role::Statutory => "Its own function (statute)",
        Role::Delegate => "Delegated to it",
        Role::Concurrent => "Exercised alongside the holder",
        Role::JointMember => "Member of a joint committee",
        Role::LeadPartner => "Lead partner (s.75)",
        Role::Directed => "Directed to exercise it",
    }
}

pub fn date_text(d: Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// A half-open interval as people read it: the last day is the day before `until`.
pub fn period_text(from: Date, until: Option<Date>) -> String {
    match until {
        None => format!("from {}", date_text(from)),
        Some(u) => {
            let last = u.yesterday().unwrap_or(u);
            format!("{} to {}", date_text(from), date_text(last))
        }
    }
}

pub fn place_text(p: &Place) -> String {
    match p {
        Place::Practice(c) => format!("GP practice {c}"),
        Place::Body(c) => format!("the area of {c}"),
        Place::Area(c) => format!("area {c}"),
        Place::England => "England".into(),
    }
}
