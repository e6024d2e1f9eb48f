//! The procurement route checker (which processes the rules in force allow for a contract,
//! and what the commissioners must do) and the conflicts-of-interest check of a decision
//! against registers of interests and of gifts and hospitality.

use crate::context::{Ctx, Format};
use crate::error::WebError;
use crate::layout::{self, body_link, date_text, FieldError};
use crate::session::form_pairs;
use crate::view::{Csv, Section, View};
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use std::collections::HashMap;
use vires_procure::conflicts::FindingSeverity;
use vires_procure::{Contract, Finding, InterestRegister, ProcureError};
use vires_server::work::Budget;

const EXAMPLE_REGISTER: &str =
    include_str!("../../../examples/procurement/register_of_interests_02X.json");
const EXAMPLE_DECISION: &str =
    include_str!("../../../examples/procurement/decision_undeclared_gp_interest.json");

fn checkbox(id: &'static str, label: &str, hint: &str, checked: bool) -> Markup {
    html! {
        div class="nhsuk-checkboxes__item" {
            input class="nhsuk-checkboxes__input" id=(id) name=(id) type="checkbox" value="yes" checked[checked] aria-describedby=(format!("{id}-hint"));
            label class="nhsuk-label nhsuk-checkboxes__label" for=(id) { (label) }
            div class="nhsuk-hint nhsuk-checkboxes__hint" id=(format!("{id}-hint")) { (hint) }
        }
    }
}

/// Maps a problem in the contract to the form field it is about.
fn field_of(e: &ProcureError) -> &'static str {
    match e.field().unwrap_or("") {
        f if f.starts_with("commissioners") => "commissioners",
        "buying" => "buying",
        "category" => "category",
        "function" => "function",
        "estimated_value" => "estimated_value",
        "existing_value" => "existing_value",
        "start" => "start",
        "procurement_began" => "procurement_began",
        "term_months" => "term_months",
        "current_provider" => "current_provider",
        "notice_date" => "notice_date",
        "framework" => "framework",
        _ => "commissioners",
    }
}

fn contract_from(ctx: &Ctx, errors: &mut Vec<FieldError>) -> Option<Contract> {
    let p = |k: &str| ctx.param(k).map(str::to_string);
    let flag = |k: &str| ctx.param(k).is_some_and(|v| v == "yes");
    let commissioners: Vec<String> = p("commissioners")
        .unwrap_or_default()
        .split([',', ' '])
        .filter(|c| !c.is_empty())
        .map(|c| c.to_uppercase())
        .collect();
    if commissioners.is_empty() {
        errors.push(FieldError {
            field: "commissioners",
            message: "Enter the code of at least one commissioner, for example QF7".into(),
        });
    }
    let mut number = |k: &'static str, label: &str, required: bool| -> Option<serde_json::Value> {
        match p(k) {
            None if required => {
                errors.push(FieldError {
                    field: k,
                    message: format!("Enter {label}"),
                });
                None
            }
            None => None,
            Some(v) => match v.replace([',', '£'], "").parse::<f64>() {
                Ok(n) if n.is_finite() => {
                    serde_json::Number::from_f64(n).map(serde_json::Value::Number)
                }
                _ => {
                    errors.push(FieldError {
                        field: k,
                        message: format!("{} must be a number", crate::error::capitalise(label)),
                    });
                    None
                }
            },
        }
    };
    let value = number(
        "estimated_value",
        "the estimated lifetime value in pounds",
        true,
    );
    let existing = number("existing_value", "the existing contract's value", false);
    let term = number("term_months", "the term in months", true);
    let began = p("procurement_began");
    if began.is_none() {
        errors.push(FieldError {
            field: "procurement_began",
            message: "Enter the date the procurement began, for example 2023-12-04".into(),
        });
    }
    let start = p("start");
    if start.is_none() {
        errors.push(FieldError {
            field: "start",
            message: "Enter the start date, for example 2024-04-01".into(),
        });
    }
    if !errors.is_empty() {
        return None;
    }
    let mut c = serde_json::json!({
        "commissioners": commissioners,
        "buying": p("buying").unwrap_or_else(|| "health-care-service".into()),
        "estimated_value": value,
        "procurement_began": began,
        "start": start,
        "term_months": term.and_then(|t| t.as_f64()).map(|t| t as i64),
        "considerable_change": flag("considerable_change"),
        "patient_choice": flag("patient_choice"),
        "in_house": flag("in_house"),
        "only_provider_capable": flag("only_provider_capable"),
    });
    let obj = c.as_object_mut()?;
    for k in [
        "title",
        "category",
        "function",
        "current_provider",
        "framework",
        "notice_date",
    ] {
        if let Some(v) = p(k) {
            obj.insert(k.to_string(), serde_json::Value::String(v));
        }
    }
    if let Some(e) = existing {
        obj.insert("existing_value".into(), e);
    }
    match p("provider_satisfactory").as_deref() {
        Some("yes") => {
            obj.insert(
                "provider_satisfactory".into(),
                serde_json::Value::Bool(true),
            );
        }
        Some("no") => {
            obj.insert(
                "provider_satisfactory".into(),
                serde_json::Value::Bool(false),
            );
        }
        _ => {}
    }
    match Contract::from_json(&c.to_string()) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(FieldError {
                field: field_of(&e),
                message: crate::error::capitalise(&e.to_string()),
            });
            None
        }
    }
}

fn route_form(ctx: &Ctx, errors: &[FieldError]) -> Markup {
    let v = |k: &str| ctx.param(k).unwrap_or("").to_string();
    let buying = [
        (
            "health-care-service".to_string(),
            "Health care services".to_string(),
        ),
        (
            "other-services".to_string(),
            "Other services (for example business intelligence or GP IT)".to_string(),
        ),
        ("goods".to_string(), "Goods".to_string()),
    ];
    let satisfied = [
        ("".to_string(), "Not stated".to_string()),
        ("yes".to_string(), "Yes".to_string()),
        ("no".to_string(), "No".to_string()),
    ];
    html! {
        form action="/ui/procurement" method="get" novalidate {
            (layout::text_input("title", "Title (optional)", None, &v("title"), errors, "nhsuk-u-width-two-thirds"))
            (layout::text_input("commissioners", "Commissioners", Some("Codes of the commissioning bodies, separated by commas. For example QF7."), &v("commissioners"), errors, "nhsuk-input--width-20"))
            (layout::select("buying", "What is being bought", None, &buying, ctx.param("buying").unwrap_or("health-care-service"), errors))
            (layout::text_input("category", "Category (optional)", Some("For example business-intelligence or gp-it: mandates apply by category."), &v("category"), errors, "nhsuk-input--width-20"))
            (layout::text_input("function", "Commissioning function (optional)", Some("For example commissioning.secondary-care. Left blank, it follows from the category."), &v("function"), errors, "nhsuk-input--width-30"))
            (layout::text_input("estimated_value", "Estimated lifetime value in pounds", Some("For example 2400000."), &v("estimated_value"), errors, "nhsuk-input--width-10"))
            (layout::text_input("existing_value", "Value of the existing contract in pounds (optional)", None, &v("existing_value"), errors, "nhsuk-input--width-10"))
            (layout::text_input("procurement_began", "Date the procurement began", Some("When the contract notice was sent, or the decision to award without a competition was taken. The law that applies follows this date. Written as year-month-day, for example 2023-12-04."), &v("procurement_began"), errors, "nhsuk-input--width-10"))
            (layout::text_input("start", "Contract start date", Some("Written as year-month-day, for example 2024-04-01."), &v("start"), errors, "nhsuk-input--width-10"))
            (layout::text_input("term_months", "Term in months", Some("For example 36."), &v("term_months"), errors, "nhsuk-input--width-4"))
            (layout::text_input("current_provider", "Current provider (optional)", Some("Its code, for example RP5."), &v("current_provider"), errors, "nhsuk-input--width-10"))
            (layout::select("provider_satisfactory", "Is the current provider satisfactory and likely to stay so?", None, &satisfied, ctx.param("provider_satisfactory").unwrap_or(""), errors))
            (layout::text_input("framework", "Framework (optional)", Some("A framework agreement the contract would be called off from."), &v("framework"), errors, "nhsuk-input--width-20"))
            (layout::text_input("notice_date", "Notice date (optional)", Some("When the intention-to-award notice is or will be published, for standstill dates."), &v("notice_date"), errors, "nhsuk-input--width-10"))
            div class="nhsuk-form-group" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "About the service" }
                    div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes" {
                        (checkbox("considerable_change", "The service changes considerably", "Compared with the existing contract.", ctx.param("considerable_change").is_some()))
                        (checkbox("patient_choice", "Patients choose their provider", "And the number of providers is not restricted.", ctx.param("patient_choice").is_some()))
                        (checkbox("only_provider_capable", "Only the existing provider can provide it", "The authority is satisfied there is no realistic alternative.", ctx.param("only_provider_capable").is_some()))
                        (checkbox("in_house", "The commissioners will provide it themselves", "Bringing the service in house.", ctx.param("in_house").is_some()))
                    }
                }
            }
            (layout::button("Check the routes"))
        }
    }
}

pub async fn route_checker(ctx: Ctx) -> Response {
    let result = route_page(&ctx);
    ctx.respond(result)
}

fn route_page(ctx: &Ctx) -> Result<View, WebError> {
    let title = "Procurement route checker";
    if ctx.param("commissioners").is_none()
        && ctx.param("start").is_none()
        && ctx.param("procurement_began").is_none()
    {
        let main = html! {
            h1 { (title) }
            p { "Which procurement processes the rules that governed a procurement begun on its date allow for a contract, what the commissioners must do, and which mandates in the register apply." }
            (route_form(ctx, &[]))
        };
        return Ok(View::new(title, Some(Section::Procurement), main));
    }
    let mut errors = Vec::new();
    let contract = contract_from(ctx, &mut errors);
    let Some(contract) = contract else {
        let main =
            html! { (layout::error_summary(&errors)) h1 { (title) } (route_form(ctx, &errors)) };
        let mut v = View::new(format!("Error: {title}"), Some(Section::Procurement), main);
        v.status = StatusCode::BAD_REQUEST;
        return Ok(v);
    };
    let a = match vires_procure::assess(&contract, ctx.snapshot()) {
        Ok(a) => a,
        Err(e) if e.is_input_error() => {
            let errors = vec![FieldError {
                field: field_of(&e),
                message: crate::error::capitalise(&e.to_string()),
            }];
            let main = html! { (layout::error_summary(&errors)) h1 { (title) } (route_form(ctx, &errors)) };
            let mut v = View::new(format!("Error: {title}"), Some(Section::Procurement), main);
            v.status = StatusCode::BAD_REQUEST;
            return Ok(v);
        }
        Err(e) => return Err(WebError::internal("checking the procurement routes", e)),
    };
    // The procurement crate checks secondary care when neither the function nor a category
    // that names one was given; the page says it assumed it, and for what is not health care,
    // that the check may be about the wrong function.
    let assumed = a.contract.function_assumed;
    let not_health_care = contract.buying != vires_procure::contract::Buying::HealthCareService;
    let mut table = Csv::new(&[
        "process",
        "title",
        "permitted",
        "required",
        "regime",
        "citation",
        "reason",
    ]);
    for (list, ok) in [(&a.routes.permitted, true), (&a.routes.refused, false)] {
        for p in list {
            table.row([
                p.id.clone(),
                p.title.clone(),
                ok.to_string(),
                p.required.to_string(),
                p.regime.clone(),
                p.citation.clone(),
                p.reason.clone(),
            ]);
        }
    }
    let main = html! {
        h1 { (title) }
        h2 { "The rules for a procurement begun on " (date_text(a.contract.procurement_began)) }
        (layout::summary(&[
            ("Regime", html! { (a.regime.title) }),
            ("Citation", html! { (a.regime.citation) }),
            ("Why this regime", html! { (crate::error::capitalise(&a.regime_basis.explanation)) " (" (a.regime_basis.citation) ")" @if !a.regime_basis.confirmed { " (to confirm)" } }),
            ("Also in force", html! { @if a.also_in_force.is_empty() { "Nothing else" } @else { (a.also_in_force.iter().map(|r| r.title.as_str()).collect::<Vec<_>>().join("; ")) } }),
            ("Function", html! { (layout::function_link(&a.contract.function)) @if assumed { " (assumed: no function was given, and no category that names one)" } }),
            ("Contracting authorities", html! { @for ca in &a.contracting_authorities {
                (ca.body) ": " @match ca.class { Some(c) => { (c.as_str()) " contracting authority" }, None => "class not in the data" }
                " (" (ca.source.as_deref().unwrap_or("no source")) ")" @if !ca.confirmed { " (to confirm)" } br;
            } }),
            ("Threshold", html! { @if let Some(t) = &a.routes.threshold {
                "£" (t.amount_pounds) @if t.includes_vat { " including VAT" } " for " (match t.authority_class { vires_procure::authority::AuthorityClass::All => "every contracting authority".to_string(), c => format!("{} contracting authorities", c.as_str()) }) ": the contract is " @if t.above { "above" } @else { "below" } " it" @if !t.confirmed { " (to confirm)" }
            } @else { "No value threshold applies" } }),
        ]))
        h2 { "Permitted processes" }
        @if a.routes.permitted.is_empty() { p { "None: no process is open for this contract as described." } }
        @else {
            (layout::table("Permitted", &["Process", "Why", "Citation"], a.routes.permitted.iter().map(|p| vec![
                html! { strong { (p.title) } @if p.required { " " (layout::tag("Required", "blue")) } },
                html! { (p.reason) }, html! { (p.citation) }]).collect()))
        }
        @if !a.routes.refused.is_empty() {
            (layout::table("Refused processes", &["Process", "Why not", "Citation"], a.routes.refused.iter().map(|p| vec![
                html! { (p.title) }, html! { (p.reason) }, html! { (p.citation) }]).collect()))
        }
        @if !a.routes.steps.is_empty() {
            h2 { "What the commissioners must do" }
            ol { @for s in &a.routes.steps { li { (s.text) " " span class="nhsuk-body-s" { "(" (s.citation) ")" } } } }
        }
        @if !a.routes.standstill.is_empty() {
            h2 { "Standstill" }
            ul { @for s in &a.routes.standstill { li {
                (s.days) " " (format!("{:?}", s.unit).to_lowercase()) " days (" (s.citation) ")"
                @if !s.voluntary_for.is_empty() { "; voluntary, not mandatory, for " (s.voluntary_for.join(", ")) }
                @if let Some(d) = s.last_day { ": last day " (vires_procure::regime::weekday(d)) " " (date_text(d)) }
                @if let Some(d) = s.latest_notice_for_start { ". Publish the notice by " (vires_procure::regime::weekday(d)) " " (date_text(d)) " (a working day) for the contract to start on time" }
            } } }
        }
        @if !a.routes.key_criteria.is_empty() {
            h2 { "Key criteria to assess and record" }
            ul { @for c in &a.routes.key_criteria { li { (c.text) } } }
        }
        @if !a.findings.requirements.is_empty() {
            h2 { "Mandates that apply" }
            (layout::table("Mandates", &["Mandate", "Requirement", "Authority", "Binding"], a.findings.requirements.iter().map(|m| vec![
                layout::instrument_link(&m.mandate, &m.title), html! { (m.text) }, html! { (m.authority) },
                html! { @if m.binding { (layout::tag("Binding", "blue")) } @else { (layout::tag("Not binding", "orange")) } }]).collect()))
        }
        h2 { "Do the commissioners hold the function?" }
        @if assumed && not_health_care {
            (layout::warning("The function checked was assumed", html! {
                p { "No function was given, so this checks " (a.contract.function) ", which is what a health care contract usually serves. What other services or goods serve does not follow from what is bought: give the function the contract serves under Commissioning function (optional), for example commissioning.specialised, to check the right one." }
            }))
        }
        (layout::table("Commissioners", &["Body", "Holds it", "Why"], a.findings.participants.iter().map(|p| vec![
            body_link(&p.body, Some(&p.name)),
            html! { @if p.holds { (layout::tag("Yes", "green")) } @else { (layout::tag("No", "red")) } },
            html! { (p.reason) }]).collect()))
        @if !a.notes.is_empty() {
            h2 { "Notes" }
            ul { @for n in &a.notes { li { (n) } } }
        }
        h2 { "Check another contract" }
        (route_form(ctx, &[]))
    };
    Ok(View::new(title, Some(Section::Procurement), main)
        .data(&a)
        .table(table))
}

fn textarea(
    id: &'static str,
    label: &str,
    hint: &str,
    value: &str,
    errors: &[FieldError],
) -> Markup {
    let err = errors.iter().find(|e| e.field == id);
    html! {
        div class=(layout::form_group_class(err.is_some())) {
            label class="nhsuk-label" for=(id) { (label) }
            div class="nhsuk-hint" id=(format!("{id}-hint")) { (hint) }
            @if let Some(e) = err {
                (layout::error_message(id, &e.message))
            }
            textarea class=(if err.is_some() { "nhsuk-textarea nhsuk-textarea--error vires-textarea-code" } else { "nhsuk-textarea vires-textarea-code" })
                id=(id) name=(id) rows="12" spellcheck="false"
                aria-describedby=(if err.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") }) { (value) }
        }
    }
}

fn check_form(register: &str, decision: &str, errors: &[FieldError]) -> Markup {
    html! {
        form action="/ui/conflicts" method="post" novalidate {
            (textarea("register", "Register of interests and of gifts and hospitality (JSON)",
                "One body's register: its people, their interests and the gifts and hospitality they were offered.", register, errors))
            (textarea("decision", "Decision record (JSON, optional)",
                "Who took part in a decision, what they declared and how each conflict was managed.", decision, errors))
            div class="nhsuk-button-group" {
                button class="nhsuk-button" type="submit" name="format" value="html" data-module="nhsuk-button" { "Check" }
                button class="nhsuk-button nhsuk-button--secondary" type="submit" name="format" value="json" data-module="nhsuk-button" { "Check and download JSON" }
                button class="nhsuk-button nhsuk-button--secondary" type="submit" name="format" value="csv" data-module="nhsuk-button" { "Check and download CSV" }
            }
        }
    }
}

fn conflicts_form_page(ctx: &Ctx) -> View {
    let example = ctx.param("example").is_some();
    let (r, d) = if example {
        (EXAMPLE_REGISTER, EXAMPLE_DECISION)
    } else {
        ("", "")
    };
    let main = html! {
        h1 { "Conflicts of interest" }
        p { "Check a register of interests and of gifts and hospitality, and a decision taken with it: undeclared interests, conflicts not managed, quorum after exclusions, GPs deciding on their own practice, and gifts outside policy." }
        p { a href="/ui/conflicts?example=02X" { "Fill the form with an example register and decision" } }
        (check_form(r, d, &[]))
    };
    View::new("Conflicts of interest", Some(Section::Conflicts), main)
}

pub async fn conflicts_form(ctx: Ctx) -> Response {
    let v = conflicts_form_page(&ctx);
    ctx.respond(Ok(v))
}

fn findings_table(caption: &str, findings: &[Finding]) -> Markup {
    layout::table(caption, &["Finding", "Who", "What", "Guidance"], findings.iter().map(|f| vec![
        html! { @match f.severity { FindingSeverity::Error => (layout::tag("Error", "red")), FindingSeverity::Warning => (layout::tag("Warning", "orange")), FindingSeverity::Info => (layout::tag("Not checked", "blue")) } " " (f.code) },
        html! { (f.person.as_deref().unwrap_or("")) @if let Some(c) = &f.counterparty { " (" (c) ")" } },
        html! { (f.message) },
        html! { (f.citation) },
    ]).collect())
}

/// The check runs on a blocking thread in a turn for heavy work (a large register is read
/// and checked there, not on the threads that answer every other request), and stops when
/// the request times out.
pub async fn conflicts_check(ctx: Ctx, body: Bytes) -> Response {
    let state = ctx.state.clone();
    let turn = match state.heavy().turn().await {
        Ok(t) => t,
        Err(e) => {
            let busy = WebError::new(e.status, "Server busy", e.detail, "Try again in a moment.");
            return ctx.error(busy);
        }
    };
    state
        .heavy()
        .run_in(turn, move |budget| Ok(conflicts_page(ctx, &body, budget)))
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

fn conflicts_page(ctx: Ctx, body: &[u8], budget: &Budget) -> Response {
    let form: HashMap<String, String> = match form_pairs(body) {
        Ok(f) => f,
        Err(e) => return ctx.error(e),
    };
    let register_text = form
        .get("register")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let decision_text = form
        .get("decision")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let format = match form.get("format").map(String::as_str) {
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        _ => Format::Html,
    };
    let mut errors = Vec::new();
    let register = if register_text.is_empty() {
        errors.push(FieldError {
            field: "register",
            message: "Enter the register of interests as JSON".into(),
        });
        None
    } else {
        match InterestRegister::from_json(&register_text) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(FieldError {
                    field: "register",
                    message: format!("The register is not valid: {e}"),
                });
                None
            }
        }
    };
    let decision = if decision_text.is_empty() {
        None
    } else {
        match vires_procure::Decision::from_json(&decision_text) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError {
                    field: "decision",
                    message: format!("The decision record is not valid: {e}"),
                });
                None
            }
        }
    };
    let most = ctx.state.config().limits.max_participants;
    if let Some(d) = decision.as_ref().filter(|d| d.participants.len() > most) {
        errors.push(FieldError {
            field: "decision",
            message: format!(
                "The decision lists {} participants; the check takes at most {most}",
                d.participants.len()
            ),
        });
    }
    let title = "Conflicts of interest";
    let Some(register) = register.filter(|_| errors.is_empty()) else {
        let main = html! { (layout::error_summary(&errors)) h1 { (title) } (check_form(&register_text, &decision_text, &errors)) };
        let mut v = View::new(format!("Error: {title}"), Some(Section::Conflicts), main);
        v.status = StatusCode::BAD_REQUEST;
        v.downloads = false;
        return ctx.respond(Ok(v));
    };
    if let Err(e) = budget.check() {
        return e.into_response();
    }
    // The one conflicts check the CLI and the API call too.
    let checked = match vires_procure::check(
        ctx.snapshot(),
        decision,
        std::slice::from_ref(&register),
    ) {
        Ok(c) => c,
        Err(e) if e.is_input_error() => {
            let field = if e.field().is_some_and(|f| f.starts_with("decision")) {
                "decision"
            } else {
                "register"
            };
            let errors = vec![FieldError {
                field,
                message: crate::error::capitalise(&e.to_string()),
            }];
            let main = html! { (layout::error_summary(&errors)) h1 { (title) } (check_form(&register_text, &decision_text, &errors)) };
            let mut v = View::new(format!("Error: {title}"), Some(Section::Conflicts), main);
            v.status = StatusCode::BAD_REQUEST;
            v.downloads = false;
            return ctx.respond(Ok(v));
        }
        Err(e) => return ctx.error(WebError::internal("checking conflicts of interest", e)),
    };
    let gift_findings = checked.register_findings.clone();
    let report = checked.decision;
    let mut table = Csv::new(&[
        "code",
        "severity",
        "subject",
        "person",
        "counterparty",
        "message",
        "citation",
    ]);
    for f in gift_findings
        .iter()
        .chain(report.iter().flat_map(|r| r.findings.iter()))
    {
        table.row([
            f.code.to_string(),
            format!("{:?}", f.severity).to_lowercase(),
            f.subject.clone(),
            f.person.clone().unwrap_or_default(),
            f.counterparty.clone().unwrap_or_default(),
            f.message.clone(),
            f.citation.clone(),
        ]);
    }
    let main = html! {
        h1 { (title) ": " (register.name.as_deref().unwrap_or(&register.body)) }
        @if let Some(r) = &report {
            h2 { "Decision " (r.decision.id) ": " (r.decision.subject) }
            (layout::summary(&[
                ("Body", body_link(&r.decision.body, None)),
                ("Date", html! { (date_text(r.decision.date)) }),
                ("Rules applied", html! { @if let Some(p) = &r.policy.policy { (p.citation()) } @else { "No conflicts guidance in the data for this body on this date (to confirm)" } @if let Some(c) = &r.policy.procurement_citation { "; procurement rules: " (c) } }),
                ("Voting members after exclusions", html! { (r.voting_after_exclusions) " (quorum " (r.decision.quorum) ")" }),
                ("Quorate", html! { @if r.quorate { (layout::tag("Yes", "green")) } @else { (layout::tag("No", "red")) } }),
                ("Sound", html! { @if r.sound { (layout::tag("No errors found", "green")) } @else { (layout::tag("Errors found", "red")) } }),
            ]))
            @if r.findings.is_empty() { p { "No findings for this decision." } }
            @else { (findings_table("Findings for the decision", &r.findings)) }
        }
        h2 { "Register of interests" }
        (layout::table("Interests", &["Who", "Role", "Type", "In", "Held"], register.interests.iter().map(|i| vec![
            html! { (i.declarant) }, html! { (i.role) }, html! { (i.kind.as_str()) }, html! { (i.counterparty) },
            html! { (layout::date_text(i.from)) " to " @if let Some(t) = i.to { (date_text(t)) } @else { "now" } }]).collect()))
        h2 { "Gifts and hospitality" }
        @if register.gifts.is_empty() { p { "None recorded." } }
        @else {
            (layout::table("Gifts and hospitality", &["Who", "What", "Value", "From", "Date"], register.gifts.iter().map(|g| vec![
                html! { (g.declarant) }, html! { (g.description) }, html! { "£" (g.value) }, html! { (g.giver) }, html! { (date_text(g.date)) }]).collect()))
        }
        @if !gift_findings.is_empty() { (findings_table("Findings about gifts and hospitality", &gift_findings)) }
        h2 { "Check again" }
        (check_form(&register_text, &decision_text, &[]))
    };
    let data = serde_json::json!({ "register": register, "gift_findings": gift_findings, "decision": report });
    let mut v = View::new(title, Some(Section::Conflicts), main)
        .data(data)
        .table(table);
    v.downloads = false;
    // The posted form chose the format: answer in it, as a download of the same check.
    let ctx = Ctx { format, ..ctx };
    ctx.respond(Ok(v))
}
