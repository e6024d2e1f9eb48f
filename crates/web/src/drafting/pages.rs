//! The drafting pages: starting a draft, the form checked field by field, and the draft as
//! `.vires` text (to read it word by word, or to paste an instrument in).

use super::check::{check_text, diagnostic_text, diagnostics_by_field, read_text, Drafted};
use super::form::{self, Fields};
use super::widgets::field_markup;
use super::{blocking, csrf, own_draft};
use super::{read, search, text_fields};
use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{self, FieldError};
use crate::redirect::see_other;
use crate::session::{check_csrf, form_pairs};
use crate::view::{Section, View};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use vires_core::{Diagnostic, Severity};
use vires_store::{Draft, Role};

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
            div class=(layout::form_group_class(err.is_some())) {
                fieldset class="nhsuk-fieldset" aria-describedby="kind-hint" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l" {
                        h1 class="nhsuk-fieldset__heading" { "What are you drafting?" }
                    }
                    div class="nhsuk-hint" id="kind-hint" { "Choose the kind of instrument. You can check it, see what it would change and send it for approval before anything is recorded." }
                    @if let Some(e) = err {
                        (layout::error_message("kind", &e.message))
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
        search::apply_choices(&mut fields);
        let next = body_action(&body);
        let k = form::kind_form(&d.kind)
            .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        // Search terms found once are saved as codes, so the next view shows them resolved.
        let read = read::read(ctx.snapshot(), k, &mut fields);
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
    let read = read::read(s, k, &mut fields);
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

// The text view

pub async fn text(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let d = own_draft(&ctx, &id).await?;
        let k = form::kind_form(&d.kind)
            .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        let mut fields = d.fields.clone();
        let read = read::read(ctx.snapshot(), k, &mut fields);
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
                    Drafted::Instrument(ins) => (ins.kind.as_str().to_string(), text_fields::fields_of(ctx.snapshot(), ins)),
                    Drafted::Body(b) => (form::NEW_BODY.to_string(), text_fields::fields_of_body(b)),
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
