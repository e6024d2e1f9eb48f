//! Drafting (editor role and up): write an instrument as a form or as `.vires` text, see
//! at once whether it is valid against the register the server holds (the same
//! diagnostics as `vires check`, each next to its field), preview what it would change on
//! the day it takes effect, and propose it for a second person to approve. "My work"
//! lists a person's drafts, their proposals and, for approvers, the proposals waiting for
//! them.

use crate::analyses::diff_tables;
use crate::draft_form::{self as form, Fields, KindForm, Read};
use crate::error::WebError;
use crate::layout::{self, date_text, FieldError};
use crate::respond::{Ctx, Section, View};
use crate::session::{check_csrf, form_pairs, see_other};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use std::sync::{Arc, Mutex};
use vires_core::{Body, BodyKind, Diagnostic, Instrument, Place, Severity, Snapshot};
use vires_store::{Change, Draft, PendingChange, Role, StoreError};

/// What a draft's text holds: one instrument, or one new body.
#[derive(Debug, Clone)]
pub enum Drafted {
    Instrument(Instrument),
    Body(Body),
}

impl Drafted {
    /// The change to the register it would make.
    pub fn change(&self) -> Change {
        match self {
            Drafted::Instrument(i) => Change::AddInstrument {
                instrument: i.clone(),
            },
            Drafted::Body(b) => Change::AddBody { body: b.clone() },
        }
    }

    /// The day it takes effect (a body: the day it comes into being).
    pub fn from(&self) -> vires_core::Date {
        match self {
            Drafted::Instrument(i) => i.from,
            Drafted::Body(b) => b.life.from,
        }
    }

    pub fn title(&self) -> String {
        match self {
            Drafted::Instrument(i) => i.title.to_string(),
            Drafted::Body(b) => format!("{} ({})", b.name, b.code),
        }
    }
}

/// A draft's text checked against the register at one revision.
pub struct Checked {
    pub drafted: Option<Drafted>,
    /// Errors reading the text itself (pasted text), each with its line.
    pub language: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub after: Option<Snapshot>,
}

type CheckCache = Mutex<Vec<((String, u64), Arc<Checked>)>>;

fn cache() -> &'static CheckCache {
    static C: std::sync::OnceLock<CheckCache> = std::sync::OnceLock::new();
    C.get_or_init(|| Mutex::new(Vec::new()))
}

fn read_text(text: &str) -> Result<Drafted, Vec<String>> {
    let mut sources = vires_lang::Sources::new();
    sources.add("draft.vires", text);
    let loaded = vires_lang::load(&sources);
    if !loaded.errors.is_empty() {
        return Err(loaded
            .errors
            .iter()
            .map(|e| match e.span.and_then(|s| loaded.sources.line_col(s)) {
                Some((line, col)) => {
                    format!(
                        "{} at line {line}, column {col}: {}. {}",
                        e.code, e.message, e.help
                    )
                }
                None => format!("{}: {}. {}", e.code, e.message, e.help),
            })
            .collect());
    }
    let reg = loaded.register;
    let others = reg.atoms.len() + reg.powers.len() + reg.areas.len() + reg.successions.len();
    match (reg.instruments.len(), reg.bodies.len(), others) {
        (1, 0, 0) => reg
            .instruments
            .into_iter()
            .next()
            .map(Drafted::Instrument)
            .ok_or_else(|| vec!["The text holds no instrument".to_string()]),
        (0, 1, 0) if reg.parents.is_empty() => reg
            .bodies
            .into_iter()
            .next()
            .map(Drafted::Body)
            .ok_or_else(|| vec!["The text holds no body".to_string()]),
        (0, 1, 0) => Err(vec![
            "A new body's membership of another (`in`) cannot be drafted here; leave it out"
                .to_string(),
        ]),
        (i, b, o) => Err(vec![format!(
            "The text must hold exactly one instrument or one new body and nothing else; it holds {i} instruments, {b} bodies and {o} other records"
        )]),
    }
}

/// Checks `text` against the current register: the draft's diagnostics once it is
/// added, exactly as `vires check` reports them. Compiling the register takes a moment,
/// so the last few results are kept per (text, revision).
pub async fn check_text(ctx: &Ctx, text: &str) -> Result<Arc<Checked>, WebError> {
    let key = (text.to_string(), ctx.revision());
    if let Some((_, c)) = cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(k, _)| *k == key)
    {
        return Ok(c.clone());
    }
    let cur = ctx.current.clone();
    let owned = text.to_string();
    let checked = tokio::task::spawn_blocking(move || match read_text(&owned) {
        Err(language) => Checked {
            drafted: None,
            language,
            diagnostics: Vec::new(),
            after: None,
        },
        Ok(drafted) => {
            // The one trial of changes: the register with the draft added, compiled.
            let change = drafted.change();
            match vires_app::trial::trial(
                cur.snapshot.register(),
                Some(&cur.snapshot),
                std::slice::from_ref(&change),
            ) {
                Ok(t) => Checked {
                    drafted: Some(drafted),
                    language: Vec::new(),
                    diagnostics: t.findings,
                    after: Some(t.snapshot),
                },
                Err(e) => Checked {
                    drafted: Some(drafted),
                    language: vec![e.to_string()],
                    diagnostics: Vec::new(),
                    after: None,
                },
            }
        }
    })
    .await
    .map_err(|e| WebError::internal("checking the draft", e))?;
    let checked = Arc::new(checked);
    let mut c = cache().lock().unwrap_or_else(|e| e.into_inner());
    c.retain(|(k, _)| k.1 == ctx.revision());
    if c.len() >= 8 {
        c.remove(0);
    }
    c.push((key, checked.clone()));
    Ok(checked)
}

/// The form field each diagnostic is about: the field word on the line its span points at.
fn diagnostics_by_field(text: &str, ds: &[Diagnostic]) -> Vec<(&'static str, Diagnostic)> {
    ds.iter()
        .map(|d| {
            let field = d
                .span
                .and_then(|s| {
                    let start = (s.start as usize).min(text.len());
                    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                    let line = text[line_start..].lines().next().unwrap_or("");
                    form::field_of_line(line)
                })
                .unwrap_or(form::TITLE);
            (field, d.clone())
        })
        .collect()
}

fn diagnostic_text(d: &Diagnostic) -> String {
    format!("{} {}. {}", d.code, d.message, d.help)
}

async fn blocking<T: Send + 'static>(
    ctx: &Ctx,
    doing: &'static str,
    f: impl FnOnce(&dyn vires_store::Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, WebError> {
    let store = ctx.state.store().clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| WebError::internal(doing, e))?
        .map_err(|e| WebError::internal(doing, e))
}

async fn own_draft(ctx: &Ctx, id: &str) -> Result<Draft, WebError> {
    let user = ctx.require(Role::Editor, "draft changes")?.name.clone();
    let not_found = || {
        WebError::not_found_thing(
            format!("You have no draft {id}."),
            "Open My work and choose one of your drafts.",
        )
        .with_link("My work", "/ui/work")
    };
    let n: u64 = id.parse().map_err(|_| not_found())?;
    let d = blocking(ctx, "reading the draft", move |s| s.draft(n)).await?;
    match d {
        Some(d) if d.owner == user => Ok(d),
        _ => Err(not_found()),
    }
}

// ---------------------------------------------------------------------------------------
// Starting a draft

pub async fn new_form(ctx: Ctx) -> Response {
    let r = new_page(&ctx, &[]);
    ctx.respond(r)
}

fn new_page(ctx: &Ctx, errors: &[FieldError]) -> Result<View, WebError> {
    ctx.require(Role::Editor, "draft changes")?;
    let csrf = csrf(ctx);
    let err = errors.iter().find(|e| e.field == "kind");
    let main = html! {
        (layout::error_summary(errors))
        form action="/ui/drafts" method="post" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            div class=(if err.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                fieldset class="nhsuk-fieldset" aria-describedby="kind-hint" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l" {
                        h1 class="nhsuk-fieldset__heading" { "What are you drafting?" }
                    }
                    div class="nhsuk-hint" id="kind-hint" { "Choose the kind of instrument. You can check it, see what it would change and send it for approval before anything is recorded." }
                    @if let Some(e) = err {
                        span class="nhsuk-error-message" id="kind-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (e.message) }
                    }
                    div class="nhsuk-radios" {
                        @for (i, k) in form::KINDS.iter().enumerate() {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id=(if i == 0 { "kind".to_string() } else { format!("kind-{i}") }) name="kind" type="radio" value=(k.kind) aria-describedby=(format!("kind-{i}-hint"));
                                label class="nhsuk-label nhsuk-radios__label" for=(if i == 0 { "kind".to_string() } else { format!("kind-{i}") }) { (k.name) }
                                div class="nhsuk-hint nhsuk-radios__hint" id=(format!("kind-{i}-hint")) { (k.hint) }
                            }
                        }
                    }
                }
            }
            (layout::button("Start the draft"))
        }
    };
    let mut v =
        View::new("What are you drafting?", Some(Section::Work), main).crumb("My work", "/ui/work");
    v.downloads = false;
    if !errors.is_empty() {
        v.status = StatusCode::BAD_REQUEST;
    }
    Ok(v)
}

fn csrf(ctx: &Ctx) -> String {
    ctx.session
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default()
}

pub async fn create(ctx: Ctx, body: Bytes) -> Response {
    let r: Result<Response, WebError> = async {
        let f = form_pairs(&body)?;
        check_csrf(&ctx, &f)?;
        let user = ctx.require(Role::Editor, "draft changes")?.name.clone();
        let kind = f.get("kind").map(String::as_str).unwrap_or("");
        let Some(k) = form::kind_form(kind) else {
            let errors = [FieldError {
                field: "kind",
                message: "Select what you are drafting".into(),
            }];
            return Ok(ctx.respond(new_page(&ctx, &errors)));
        };
        let kind = k.kind;
        let d = blocking(&ctx, "saving the draft", move |s| {
            s.save_draft(&user, None, kind, &Fields::new(), None)
        })
        .await?;
        Ok(see_other(&format!("/ui/drafts/{}", d.id)))
    }
    .await;
    r.unwrap_or_else(|e| ctx.error(e))
}

// ---------------------------------------------------------------------------------------
// The form, checked

pub async fn edit(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let d = own_draft(&ctx, &id).await?;
        edit_page(&ctx, &d, d.fields.clone(), !d.fields.is_empty()).await
    }
    .await;
    ctx.respond(r)
}

pub async fn save(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let r: Result<Response, WebError> = async {
        let pairs = form_pairs(&body)?;
        check_csrf(&ctx, &pairs)?;
        let d = own_draft(&ctx, &id).await?;
        let mut fields: Fields = pairs
            .into_iter()
            .filter(|(k, _)| k != "csrf" && k != "action")
            .collect();
        fields.retain(|_, v| !v.trim().is_empty());
        // The search-then-choose steps' answers replace the terms they were about.
        form::apply_choices(&mut fields);
        let next = body_action(&body);
        let k = form::kind_form(&d.kind)
            .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        // Search terms found once are saved as codes, so the next view shows them resolved.
        let read = form::read(ctx.snapshot(), k, &mut fields);
        let (owner, kind, did) = (d.owner.clone(), d.kind.clone(), d.id);
        let saved_fields = fields.clone();
        blocking(&ctx, "saving the draft", move |s| {
            s.save_draft(&owner, Some(did), &kind, &saved_fields, None)
        })
        .await?;
        match next.as_str() {
            "preview" if read.errors.is_empty() => {
                Ok(see_other(&format!("/ui/drafts/{did}/preview")))
            }
            "propose" if read.errors.is_empty() => {
                Ok(see_other(&format!("/ui/drafts/{did}/propose")))
            }
            _ if read.errors.is_empty() => Ok(see_other(&format!("/ui/drafts/{did}"))),
            _ => {
                let d = Draft {
                    fields: fields.clone(),
                    ..d
                };
                let page = edit_page(&ctx, &d, fields, true).await;
                Ok(ctx.respond(page))
            }
        }
    }
    .await;
    r.unwrap_or_else(|e| ctx.error(e))
}

fn body_action(body: &[u8]) -> String {
    form_pairs(body)
        .ok()
        .and_then(|f| f.get("action").cloned())
        .unwrap_or_default()
}

/// The draft's form with what was understood, its mistakes and the register's findings,
/// each next to its field.
async fn edit_page(
    ctx: &Ctx,
    d: &Draft,
    mut fields: Fields,
    show_errors: bool,
) -> Result<View, WebError> {
    let k = form::kind_form(&d.kind)
        .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
    let s = ctx.snapshot();
    let read = form::read(s, k, &mut fields);
    let checked = match &read.text {
        Some(t) => Some(check_text(ctx, t).await?),
        None => None,
    };
    let mut errors: Vec<FieldError> = if show_errors {
        read.errors.clone()
    } else {
        Vec::new()
    };
    let mut findings: Vec<(&'static str, Diagnostic)> = Vec::new();
    if let (Some(t), Some(c)) = (&read.text, &checked) {
        findings = diagnostics_by_field(t, &c.diagnostics);
        for m in &c.language {
            errors.push(FieldError {
                field: form::TITLE,
                message: m.clone(),
            });
        }
        for (field, d) in &findings {
            if d.severity == Severity::Error {
                errors.push(FieldError {
                    field,
                    message: diagnostic_text(d),
                });
            }
        }
    }
    let valid = read.text.is_some() && errors.is_empty();
    let title = format!("Draft {}: {}", d.id, k.name);
    let main = html! {
        (layout::error_summary(&errors))
        span class="nhsuk-caption-l" { "Draft " (d.id) }
        h1 { (k.name) }
        @if let Some(p) = d.proposal {
            (layout::inset(html! { "This draft was proposed as " a href=(format!("/ui/proposals/{p}")) { "proposal " (p) } ". Changing it here does not change the proposal." }))
        }
        @if valid {
            div class="nhsuk-card nhsuk-card--feature nhsuk-card--green" {
                div class="nhsuk-card__content nhsuk-card__content--feature" {
                    h2 class="nhsuk-card--feature__heading nhsuk-heading-m" { "Valid against the register" }
                    p class="nhsuk-card__description" { "Checked against register revision " (ctx.revision()) ". " (findings.len()) " warnings." }
                }
            }
        }
        form action=(format!("/ui/drafts/{}", d.id)) method="post" novalidate {
            input type="hidden" name="csrf" value=(csrf(ctx));
            @for f in k.fields {
                (field_markup(ctx, k, f, &fields, &read, &errors, &findings))
            }
            @if k.kind != form::NEW_BODY { details class="nhsuk-details" {
                summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Identifier in the register" } }
                div class="nhsuk-details__text" {
                    (layout::text_input(form::ID, "Identifier", Some("A short id for the register. Made from the title if left blank."), fields.get(form::ID).map(String::as_str).unwrap_or(""), &errors, "nhsuk-u-width-two-thirds"))
                }
            } }
            div class="nhsuk-button-group" {
                button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="action" value="check" { "Save and check" }
                button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit" name="action" value="preview" { "Preview what it changes" }
                button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit" name="action" value="propose" { "Propose for approval" }
            }
        }
        p { a href=(format!("/ui/drafts/{}/text", d.id)) { "See or paste the draft as .vires text" } }
    };
    let data = serde_json::json!({
        "draft": d,
        "text": read.text,
        "errors": errors.iter().map(|e| serde_json::json!({"field": e.field, "message": e.message})).collect::<Vec<_>>(),
        "diagnostics": checked.as_ref().map(|c| c.diagnostics.clone()).unwrap_or_default(),
    });
    let mut v = View::new(title, Some(Section::Work), main)
        .crumb("My work", "/ui/work")
        .data(data);
    v.downloads = false;
    if show_errors && !errors.is_empty() {
        v.status = StatusCode::BAD_REQUEST;
    }
    Ok(v)
}

fn field_markup(
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
            (layout::warning(&format!("Warning {}", w.code), html! { p { (w.message) } p { (w.help) } }))
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
    let Some(wanted) = form::wanted(f) else {
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
fn choice_markup(c: &form::Choice) -> Markup {
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
        div class=(if err.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
            fieldset class="nhsuk-fieldset" aria-describedby=[(!hint.is_empty()).then(|| format!("{f}-hint"))] {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (label) }
                @if !hint.is_empty() { div class="nhsuk-hint" id=(format!("{f}-hint")) { (hint) } }
                @if let Some(e) = err { span class="nhsuk-error-message" id=(format!("{f}-error")) { span class="nhsuk-u-visually-hidden" { "Error: " } (e.message) } }
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
        div class=(if err.is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
            fieldset class="nhsuk-fieldset" role="group" aria-describedby=(describedby) {
                legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (label) }
                div class="nhsuk-hint" id=(format!("{name}-hint")) { (hint) }
                @if let Some(e) = err {
                    span class="nhsuk-error-message" id=(format!("{name}-error")) { span class="nhsuk-u-visually-hidden" { "Error: " } (e.message) }
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

// ---------------------------------------------------------------------------------------
// The text view

pub async fn text(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let d = own_draft(&ctx, &id).await?;
        let k = form::kind_form(&d.kind)
            .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        let mut fields = d.fields.clone();
        let read = form::read(ctx.snapshot(), k, &mut fields);
        text_page(
            &ctx,
            &d,
            read.text.as_deref().unwrap_or(""),
            &[],
            read.text.is_none(),
        )
    }
    .await;
    ctx.respond(r)
}

fn text_page(
    ctx: &Ctx,
    d: &Draft,
    text: &str,
    errors: &[FieldError],
    incomplete: bool,
) -> Result<View, WebError> {
    let main = html! {
        (layout::error_summary(errors))
        span class="nhsuk-caption-l" { "Draft " (d.id) }
        h1 { "The draft as .vires text" }
        p { "This is the same draft as the form, in the register's language, so you can check it word by word against the signed agreement. You can also paste an instrument here: it replaces the draft." }
        @if incomplete && errors.is_empty() {
            (layout::inset(html! { "The form is not complete yet, so there is no text to show. Finish the form, or paste an instrument." }))
        }
        form action=(format!("/ui/drafts/{}/text", d.id)) method="post" novalidate {
            input type="hidden" name="csrf" value=(csrf(ctx));
            (layout::textarea("vires", "Instrument in .vires", Some("One instrument, for example joint-committee \"…\" { by QOP … }, or one new body, body CODE { name \"…\" kind icb from … }."), text, errors))
            (layout::button("Use this text"))
        }
        p { a href=(format!("/ui/drafts/{}", d.id)) { "Back to the form" } }
    };
    let mut v = View::new(format!("Draft {} as text", d.id), Some(Section::Work), main)
        .crumb("My work", "/ui/work")
        .crumb(format!("Draft {}", d.id), format!("/ui/drafts/{}", d.id))
        .data(serde_json::json!({ "draft": d, "text": text }));
    v.downloads = false;
    if !errors.is_empty() {
        v.status = StatusCode::BAD_REQUEST;
    }
    Ok(v)
}

pub async fn paste(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let r: Result<Response, WebError> = async {
        let pairs = form_pairs(&body)?;
        check_csrf(&ctx, &pairs)?;
        let d = own_draft(&ctx, &id).await?;
        let text = pairs.get("vires").cloned().unwrap_or_default();
        match read_text(&text) {
            Err(problems) => {
                let errors = [FieldError {
                    field: "vires",
                    message: problems.join(". "),
                }];
                Ok(ctx.respond(text_page(&ctx, &d, &text, &errors, false)))
            }
            Ok(Drafted::Instrument(ins)) if form::kind_form(ins.kind.as_str()).is_none() => {
                let errors = [FieldError {
                    field: "vires",
                    message: format!("A {} cannot be drafted here; draft a delegation, joint committee, partnership, direction, amendment, revocation, new body, establishment, abolition or merger", ins.kind.as_str()),
                }];
                Ok(ctx.respond(text_page(&ctx, &d, &text, &errors, false)))
            }
            Ok(drafted) => {
                let (kind, fields) = match &drafted {
                    Drafted::Instrument(ins) => (ins.kind.as_str().to_string(), form::fields_of(ctx.snapshot(), ins)),
                    Drafted::Body(b) => (form::NEW_BODY.to_string(), form::fields_of_body(b)),
                };
                let (owner, did) = (d.owner.clone(), d.id);
                blocking(&ctx, "saving the draft", move |s| s.save_draft(&owner, Some(did), &kind, &fields, None)).await?;
                Ok(see_other(&format!("/ui/drafts/{did}")))
            }
        }
    }
    .await;
    r.unwrap_or_else(|e| ctx.error(e))
}

// ---------------------------------------------------------------------------------------
// Preview

/// One term of a holding's area as the diff writes it (`footprint(QOP)`, `england`,
/// `practices(A, B)`).
enum AreaTerm<'a> {
    Body(&'a str),
    England,
    Practices(Vec<&'a str>),
    Other,
}

fn area_term(key: &str) -> AreaTerm<'_> {
    let inner = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim)
    };
    if key == "england" {
        AreaTerm::England
    } else if let Some(code) = inner("footprint(") {
        AreaTerm::Body(code)
    } else if let Some(list) = inner("practices(") {
        AreaTerm::Practices(list.split(',').map(str::trim).collect())
    } else {
        AreaTerm::Other
    }
}

/// What a draft would change on the day `on` it takes effect: holders gained and lost,
/// the practices in the areas concerned, and the proof chains the new holders would have.
pub fn change_preview(
    before: &Snapshot,
    after: &Snapshot,
    on: vires_core::Date,
) -> (Markup, serde_json::Value) {
    let diff = before.compare(after, on);
    let reg = after.register();
    let mut practices: Vec<(String, usize)> = Vec::new();
    for h in diff.added.iter().chain(diff.removed.iter()) {
        for key in &h.area {
            if practices.iter().any(|(k, _)| k == key) {
                continue;
            }
            let n = match area_term(key) {
                AreaTerm::Body(code) => reg
                    .body_near(code, on)
                    .map_or(0, |b| after.footprint_atoms(b, on).len()),
                AreaTerm::England => reg.atoms.len(),
                AreaTerm::Practices(codes) => codes.len(),
                AreaTerm::Other => 0,
            };
            practices.push((key.clone(), n));
        }
    }
    let mut proofs = Vec::new();
    for h in &diff.added {
        // Asked about a GP practice in the holding's area (as people ask), else the area.
        let mut places = Vec::new();
        for key in &h.area {
            match area_term(key) {
                AreaTerm::Body(code) => {
                    if let Some(b) = reg.body_near(code, on) {
                        if let Some(a) = after.footprint_atoms(b, on).first() {
                            places.push(Place::Practice(reg.atoms[a.0 as usize].code.clone()));
                        }
                    }
                    places.push(Place::Body(code.into()));
                }
                AreaTerm::England => places.push(Place::England),
                AreaTerm::Practices(codes) => {
                    places.extend(codes.first().map(|c| Place::Practice((*c).into())))
                }
                AreaTerm::Other => {}
            }
        }
        let found = places.iter().find_map(|place| {
            let answer = after.who(&h.function, place, on, None).ok()?;
            let holder = answer.holders.iter().find(|x| x.body == h.body.as_str())?;
            Some(
                holder
                    .proof
                    .iter()
                    .map(|p| (p.instrument.to_string(), p.title.to_string()))
                    .collect::<Vec<_>>(),
            )
        });
        if let Some(steps) = found {
            proofs.push((h.clone(), steps));
        }
    }
    let markup = html! {
        h2 { "What it would change on " (date_text(on)) }
        (diff_tables(&diff, after))
        @if !practices.is_empty() {
            (layout::table("GP practices in the areas affected", &["Area", "Practices"], practices.iter().map(|(k, n)| vec![
                html! { (k) },
                html! { (n) },
            ]).collect()))
        }
        @for (h, steps) in &proofs {
            h3 { "How " (h.body) " would hold " (h.function) }
            ol class="vires-proof" {
                @for (id, title) in steps { li { (layout::instrument_link(id, title)) } }
                li { (h.body) " holds the function" }
            }
        }
    };
    let data = serde_json::json!({
        "on": on,
        "diff": diff,
        "practices": practices.iter().map(|(k, n)| serde_json::json!({"area": k, "practices": n})).collect::<Vec<_>>(),
        "proofs": proofs.iter().map(|(h, s)| serde_json::json!({"holding": h, "proof": s.iter().map(|(i, _)| i).collect::<Vec<_>>()})).collect::<Vec<_>>(),
    });
    (markup, data)
}

pub async fn preview(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let d = own_draft(&ctx, &id).await?;
        let k = form::kind_form(&d.kind).ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        let mut fields = d.fields.clone();
        let read = form::read(ctx.snapshot(), k, &mut fields);
        let Some(text) = read.text else {
            return Err(WebError::bad_request(
                "The draft is not complete",
                "There is nothing to preview until every field is filled in correctly.",
                "Go back to the draft, fix what it says is wrong, then preview it.",
            )
            .with_link("Back to the draft", format!("/ui/drafts/{}", d.id)));
        };
        let checked = check_text(&ctx, &text).await?;
        let (Some(drafted), Some(after)) = (&checked.drafted, &checked.after) else {
            return Err(WebError::bad_request(
                "The draft cannot be added to the register",
                checked.language.join(". "),
                "Go back to the draft and fix what it says is wrong, then preview it.",
            )
            .with_link("Back to the draft", format!("/ui/drafts/{}", d.id)));
        };
        let (changes, data) = change_preview(ctx.snapshot(), after, drafted.from());
        let errors = checked.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let main = html! {
            span class="nhsuk-caption-l" { "Draft " (d.id) }
            h1 { "Preview: " (drafted.title()) }
            @if let Drafted::Body(b) = drafted {
                p { "The register would know " (b.name) " (" (b.code) "), " (body_kind_name(b.kind)) ", from " (date_text(b.life.from)) ". A new body holds no function until an instrument gives it one: draft its establishment, then the instruments that give it functions." }
            }
            @if errors > 0 {
                (layout::warning("This draft is not valid", html! { p { "It has " (errors) " problems, so it would change nothing. " a href=(format!("/ui/drafts/{}", d.id)) { "Go back to the draft" } " to fix them." } }))
            }
            (changes)
            details class="nhsuk-details" open {
                summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "The draft as .vires text" } }
                div class="nhsuk-details__text" { pre class="vires-code" { (text) } }
            }
            div class="nhsuk-button-group" {
                a class="nhsuk-button" href=(format!("/ui/drafts/{}/propose", d.id)) draggable="false" role="button" data-module="nhsuk-button" { "Propose for approval" }
                a class="nhsuk-button nhsuk-button--secondary" href=(format!("/ui/drafts/{}", d.id)) draggable="false" role="button" data-module="nhsuk-button" { "Change the draft" }
            }
        };
        let mut v = View::new(format!("Preview of draft {}", d.id), Some(Section::Work), main)
            .crumb("My work", "/ui/work")
            .crumb(format!("Draft {}", d.id), format!("/ui/drafts/{}", d.id))
            .data(data);
        v.downloads = false;
        Ok(v)
    }
    .await;
    ctx.respond(r)
}

// ---------------------------------------------------------------------------------------
// Propose

pub async fn propose_form(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let d = own_draft(&ctx, &id).await?;
        propose_page(&ctx, &d, "", &[]).await
    }
    .await;
    ctx.respond(r)
}

async fn propose_page(
    ctx: &Ctx,
    d: &Draft,
    reason: &str,
    errors: &[FieldError],
) -> Result<View, WebError> {
    let k = form::kind_form(&d.kind)
        .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
    let mut fields = d.fields.clone();
    let read = form::read(ctx.snapshot(), k, &mut fields);
    let problems = match &read.text {
        None => read.errors.len().max(1),
        Some(t) => check_text(ctx, t)
            .await?
            .diagnostics
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .count(),
    };
    let main = html! {
        (layout::error_summary(errors))
        span class="nhsuk-caption-l" { "Draft " (d.id) }
        h1 { "Propose for approval" }
        @if problems > 0 {
            (layout::warning("Fix the draft first", html! { p { "The draft has " (problems) " problems. " a href=(format!("/ui/drafts/{}", d.id)) { "Go back to the draft" } " to see and fix them." } }))
        } @else {
            p { "Another approver will see the draft, its checks and what it would change, and approve or reject it. Nothing changes in the register until then." }
            @if let Some(t) = &read.text { pre class="vires-code" { (t) } }
            form action=(format!("/ui/drafts/{}/propose", d.id)) method="post" novalidate {
                input type="hidden" name="csrf" value=(csrf(ctx));
                (layout::textarea("reason", "Why is this change being made?", Some("The approver sees this, and it is recorded in the change log with your name. For example, the board decision and its date."), reason, errors))
                (layout::button("Send for approval"))
            }
        }
    };
    let mut v = View::new(format!("Propose draft {}", d.id), Some(Section::Work), main)
        .crumb("My work", "/ui/work")
        .crumb(format!("Draft {}", d.id), format!("/ui/drafts/{}", d.id));
    v.downloads = false;
    if !errors.is_empty() {
        v.status = StatusCode::BAD_REQUEST;
    }
    Ok(v)
}

pub async fn propose(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let r: Result<Response, WebError> = async {
        let pairs = form_pairs(&body)?;
        check_csrf(&ctx, &pairs)?;
        let d = own_draft(&ctx, &id).await?;
        let reason = pairs
            .get("reason")
            .map(|r| r.trim().to_string())
            .unwrap_or_default();
        if reason.is_empty() {
            let errors = [FieldError {
                field: "reason",
                message: "Enter why the change is being made".into(),
            }];
            return Ok(ctx.respond(propose_page(&ctx, &d, "", &errors).await));
        }
        let k = form::kind_form(&d.kind)
            .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        let mut fields = d.fields.clone();
        let read = form::read(ctx.snapshot(), k, &mut fields);
        let checked = match &read.text {
            Some(t) => check_text(&ctx, t).await?,
            None => return Ok(ctx.respond(propose_page(&ctx, &d, &reason, &[]).await)),
        };
        let Some(drafted) = checked.drafted.clone() else {
            return Ok(ctx.respond(propose_page(&ctx, &d, &reason, &[]).await));
        };
        if checked
            .diagnostics
            .iter()
            .any(|x| x.severity == Severity::Error)
        {
            return Ok(ctx.respond(propose_page(&ctx, &d, &reason, &[]).await));
        }
        let user = ctx.require(Role::Editor, "propose changes")?.name.clone();
        let change = drafted.change();
        let st = ctx.state.clone();
        let base = ctx.revision();
        let (owner, kind, did, saved) = (d.owner.clone(), d.kind.clone(), d.id, d.fields.clone());
        let p: PendingChange =
            tokio::task::spawn_blocking(move || -> Result<PendingChange, WebError> {
                st.check(&change).map_err(|e| {
                    WebError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "The register refused the draft",
                        format!("{e:?}"),
                        "Go back to the draft and check it again.",
                    )
                })?;
                let p = st
                    .propose(&user, reason, base, change)
                    .map_err(|e| WebError::internal("keeping the proposal", e))?;
                st.store()
                    .save_draft(&owner, Some(did), &kind, &saved, Some(p.id))
                    .map_err(|e| WebError::internal("saving the draft", e))?;
                Ok(p)
            })
            .await
            .map_err(|e| WebError::internal("proposing the draft", e))??;
        tracing::info!(proposal = p.id, draft = did, "draft proposed in the web UI");
        Ok(see_other(&format!("/ui/proposals/{}?done=proposed", p.id)))
    }
    .await;
    r.unwrap_or_else(|e| ctx.error(e))
}

// ---------------------------------------------------------------------------------------
// My work

/// How many things wait for a person: their unproposed drafts, and the pending proposals
/// they can act on (approvers: other people's; editors: their own).
#[derive(Debug, Clone, Copy, Default)]
pub struct WorkCounts {
    pub drafts: usize,
    pub waiting: usize,
}

pub fn work_counts(
    store: &dyn vires_store::Store,
    user: &vires_store::User,
) -> Result<WorkCounts, StoreError> {
    let drafts = store
        .drafts(&user.name)?
        .iter()
        .filter(|d| d.proposal.is_none())
        .count();
    let waiting = store
        .proposals()?
        .iter()
        .filter(|p| p.status.is_pending())
        .filter(|p| {
            if user.role >= Role::Approver {
                p.proposed_by != user.name
            } else {
                p.proposed_by == user.name
            }
        })
        .count();
    Ok(WorkCounts { drafts, waiting })
}

pub async fn work(ctx: Ctx) -> Response {
    let r = async {
        let user = ctx.require(Role::Editor, "see your work")?.clone();
        let name = user.name.clone();
        let (drafts, proposals) = blocking(&ctx, "reading your work", move |s| Ok((s.drafts(&name)?, s.proposals()?))).await?;
        let mine: Vec<&PendingChange> = proposals.iter().filter(|p| p.proposed_by == user.name).collect();
        let queue: Vec<&PendingChange> = if user.role >= Role::Approver {
            proposals.iter().filter(|p| p.status.is_pending() && p.proposed_by != user.name).collect()
        } else {
            Vec::new()
        };
        let open: Vec<&Draft> = drafts.iter().filter(|d| d.proposal.is_none()).collect();
        let kind_name = |k: &str| form::kind_form(k).map_or(k.to_string(), |f| f.name.to_string());
        let main = html! {
            h1 { "My work" }
            a class="nhsuk-button" href="/ui/drafts/new" draggable="false" role="button" data-module="nhsuk-button" { "Draft a change" }
            @if user.role >= Role::Approver {
                h2 { "Waiting for your decision (" (queue.len()) ")" }
                @if queue.is_empty() { p { "Nothing is waiting for you." } } @else {
                    (layout::table("Proposals waiting for your decision", &["Proposal", "Proposed by", "Why"], queue.iter().map(|p| vec![
                        html! { a href=(format!("/ui/proposals/{}", p.id)) { "Proposal " (p.id) } },
                        html! { (p.proposed_by) br; span class="nhsuk-body-s" { (p.proposed_at.strftime("%-d %B %Y %H:%M UTC").to_string()) } },
                        html! { (p.reason) },
                    ]).collect()))
                }
            }
            h2 { "Your drafts (" (open.len()) ")" }
            @if open.is_empty() { p { "You have no drafts." } } @else {
                (layout::table("Your drafts", &["Draft", "Kind", "Title", "Last saved"], open.iter().map(|d| vec![
                    html! { a href=(format!("/ui/drafts/{}", d.id)) { "Draft " (d.id) } },
                    html! { (kind_name(&d.kind)) },
                    html! { (d.fields.get(form::TITLE).or_else(|| d.fields.get(form::NAME)).map(String::as_str).unwrap_or("(no title yet)")) },
                    html! { (d.updated_at.strftime("%-d %B %Y %H:%M UTC").to_string()) },
                ]).collect()))
            }
            h2 { "Your proposals (" (mine.len()) ")" }
            @if mine.is_empty() { p { "You have proposed nothing yet." } } @else {
                (layout::table("Your proposals", &["Proposal", "Why", "Status"], mine.iter().map(|p| vec![
                    html! { a href=(format!("/ui/proposals/{}", p.id)) { "Proposal " (p.id) } },
                    html! { (p.reason) },
                    html! { (p.status.describe()) },
                ]).collect()))
            }
        };
        let data = serde_json::json!({ "drafts": open, "proposals": mine, "waiting": queue });
        let mut v = View::new("My work", Some(Section::Work), main).data(data);
        v.downloads = false;
        Ok(v)
    }
    .await;
    ctx.respond(r)
}

/// The checks and the text of a proposed instrument or new body, for the proposal page.
pub async fn proposal_checks(
    ctx: &Ctx,
    drafted: &Drafted,
) -> Result<(String, Vec<Diagnostic>), WebError> {
    let (text, subject) = match drafted {
        Drafted::Instrument(ins) => (vires_lang::instrument_text(ins), ins.id.to_string()),
        Drafted::Body(b) => (form::body_text(b), b.code.clone()),
    };
    let checked = check_text(ctx, &text).await?;
    let mut ds = checked.diagnostics.clone();
    ds.extend(checked.language.iter().map(|m| Diagnostic {
        code: "P000",
        severity: Severity::Error,
        subject: subject.clone(),
        message: m.clone(),
        help: String::new(),
        span: None,
    }));
    Ok((text, ds))
}
