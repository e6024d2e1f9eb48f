//! The web UI over a real server state: a small register written in the vires language, a
//! SQLite store in a temporary directory, real users, tokens and sessions.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;
use vires_core::{
    AreaExpr, Date, Instrument, InstrumentKind, Interval, Place, Receivers, Snapshot,
};
use vires_server::state::AppState;
use vires_server::ServeConfig;
use vires_store::{Change, Role};

const REGISTER: &str = r#"
body QAA { name "NHS Test Integrated Care Board" kind icb from 2022-07-01 }
body QBB { name "NHS Other <Test> & Integrated Care Board" kind icb from 2022-07-01 }

conferral "NHS England commissions primary care" {
  id        test-nhse-primary-care
  basis     "Health and Social Care Act 2012; NHS Act 2006 Part 4 (primary medical services)"
  by        PARLIAMENT
  to        X24
  functions commissioning.primary-care
  area      england
  from      2013-04-01
  source    "NHS Act 2006 s.83"
}

delegation "GP services delegated to the test ICB" {
  id        test-delegation-qaa
  basis     "NHS Act 2006 s.65Z5 (inserted by the Health and Care Act 2022)"
  by        X24
  to        QAA
  functions commissioning.primary-care.medical
  except    commissioning.primary-care.medical.performers
  retained  "other functions reserved in the test agreement (list to confirm)"
  area      footprint(QAA)
  from      2022-07-01
  source    "Test delegation agreement"
}
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
    app: Router,
}

fn fixture() -> Fixture {
    fixture_with(|_| {})
}

/// The fixture, with `edit` made to the register before the server starts on it.
fn fixture_with(edit: impl FnOnce(&mut vires_core::Register)) -> Fixture {
    let mut sources = vires_lang::Sources::new();
    sources.add("test.vires", REGISTER);
    let loaded = vires_lang::load_with_prelude(&sources);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let mut register = loaded.register;
    let practice = register
        .add_practice(vires_core::Practice {
            code: "T00001".into(),
            name: "The <Test> Surgery".into(),
            postcode: Some("NE1 1AA".into()),
            status: Some("active".into()),
        })
        .unwrap();
    let qaa = register.body_at("QAA", Date::constant(2023, 1, 1)).unwrap();
    register.add_membership(
        practice,
        qaa,
        Interval::new(Date::constant(2022, 7, 1), None),
    );
    edit(&mut register);
    let errors: Vec<_> = Snapshot::compile(register.clone())
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == vires_core::Severity::Error)
        .collect();
    assert!(
        errors.is_empty(),
        "the test register must be valid: {errors:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vires.db").display());
    let store = vires_server::open_store(&url).unwrap();
    let state = AppState::open(store, register, "web-test", ServeConfig::default()).unwrap();
    let app = vires_web::router(state.clone());
    Fixture {
        _dir: dir,
        state,
        app,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 10 << 20)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get(app: &Router, uri: &str, cookie: Option<&str>) -> Reply {
    let mut b = Request::get(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    send(app, b.body(Body::empty()).unwrap()).await
}

async fn post(app: &Router, uri: &str, cookie: &str, form: &[(&str, &str)]) -> Reply {
    let body = serde_urlencoded::to_string(form).unwrap();
    let req = Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    send(app, req).await
}

fn set_cookie<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .and_then(|kv| kv.split_once('=').map(|(_, v)| v))
}

/// The value of the first hidden input called `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no hidden {name} in the page"));
    let rest = &page[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Signs in through the sign-in form, as a browser does; returns the session cookie.
async fn sign_in(f: &Fixture, user: &str, role: Role) -> String {
    let store = f.state.store();
    store.create_user(user, role).unwrap();
    let token = store.create_token(user, "test").unwrap().token;
    let form = get(&f.app, "/ui/login", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let login_cookie = set_cookie(&form, "vires_login")
        .expect("the sign-in page sets its anti-forgery cookie")
        .to_string();
    let login_csrf = hidden(&form.text, "login_csrf");
    assert_eq!(login_cookie, login_csrf);
    let resp = post(
        &f.app,
        "/ui/login",
        &format!("vires_login={login_cookie}"),
        &[
            ("login_csrf", &login_csrf),
            ("next", "/ui/proposals"),
            ("token", &token),
        ],
    )
    .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.text);
    assert_eq!(resp.headers.get(header::LOCATION).unwrap(), "/ui/proposals");
    format!(
        "vires_session={}",
        set_cookie(&resp, "vires_session").expect("a session cookie")
    )
}

fn proposal_instrument() -> Instrument {
    let mut i = Instrument::new(
        "test-delegation-qbb",
        InstrumentKind::Delegation,
        Date::constant(2024, 4, 1),
    );
    i.title = "GP services for The Test Surgery also delegated to the other ICB".into();
    i.terms_mut().basis =
        Some("NHS Act 2006 s.65Z5 (inserted by the Health and Care Act 2022)".into());
    i.maker = Some("X24".into());
    i.terms_mut().receivers = Receivers::Bodies(vec!["QBB".into()]);
    i.functions = vec!["commissioning.primary-care.medical".into()].into();
    i.area = Some(AreaExpr::Practices(["T00001".into()].into_iter().collect()));
    i
}

const WHO: &str = "/ui/who?function=commissioning.primary-care.medical&place_type=practice&place=T00001&on=2024-06-01";

#[tokio::test]
async fn who_page_shows_holders_with_a_linked_proof_and_downloads_the_same_answer() {
    let f = fixture();
    let page = get(&f.app, WHO, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("1 body holds it."));
    assert!(page
        .text
        .contains("1 more body holds parts of it, each named below with the part it holds."));
    assert!(page
        .text
        .contains("href=\"/ui/instruments/test-nhse-primary-care\""));
    assert!(page
        .text
        .contains("href=\"/ui/instruments/test-delegation-qaa\""));
    assert!(
        page.text.contains("role=\"group\""),
        "the delegation chain graph"
    );
    assert!(
        page.text.contains("href=\"/ui/who?"),
        "the form to ask again"
    );
    assert!(page.headers.get("content-security-policy").is_some());
    assert_eq!(page.headers.get("vires-revision").unwrap(), "1");

    let json = get(&f.app, &format!("{WHO}&format=json"), None).await;
    assert_eq!(json.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json.text).unwrap();
    let expected = f
        .state
        .current()
        .snapshot
        .who(
            "commissioning.primary-care.medical",
            &Place::Practice("T00001".into()),
            Date::constant(2024, 6, 1),
            None,
        )
        .unwrap();
    assert_eq!(v["data"], serde_json::to_value(&expected).unwrap());

    let csv = get(&f.app, &format!("{WHO}&format=csv"), None).await;
    assert!(csv
        .headers
        .get(header::CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("attachment"));
    let mut lines = csv.text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "body,name,role,accountable,purposes,coverage,from,until,proof,function"
    );
    assert_eq!(lines.next().unwrap(), "QAA,NHS Test Integrated Care Board,delegate,X24,,full,2022-07-01,,test-nhse-primary-care > test-delegation-qaa,commissioning.primary-care.medical");
    // The delegation excepts performer management: NHS England still holds that part.
    assert_eq!(lines.next().unwrap(), "X24,NHS England,statutory,X24,,full,2013-04-01,,test-nhse-primary-care,commissioning.primary-care.medical.performers");
    assert!(lines.next().is_none());
}

/// A coverage statement that does not vouch for GP services in either ICB, one row each,
/// citing one source: asked of England, the page gives the one caveat for both beside the
/// answer, before the holders, naming both ICBs; asked of a practice, its own row.
#[tokio::test]
async fn a_larger_place_shows_one_caveat_for_each_kind_of_unknown_beside_the_answer() {
    let f = fixture_with(|r| {
        let practice = r
            .add_practice(vires_core::Practice {
                code: "T00002".into(),
                name: "The Other Surgery".into(),
                postcode: None,
                status: Some("active".into()),
            })
            .unwrap();
        let qbb = r.body_at("QBB", Date::constant(2023, 1, 1)).unwrap();
        r.add_membership(
            practice,
            qbb,
            Interval::new(Date::constant(2022, 7, 1), None),
        );
        for icb in ["QAA", "QBB"] {
            r.coverage.push(vires_core::CoverageRow {
                function: "commissioning.primary-care.medical".into(),
                during: Interval::new(Date::constant(2022, 7, 1), None),
                area: Some(icb.into()),
                complete: false,
                note: format!("{icb}: its delegation agreement was not found"),
                source: "Test list of delegations".into(),
            });
        }
    });
    let england = "/ui/who?function=commissioning.primary-care.medical&place_type=england&place=&on=2024-06-01";
    let page = get(&f.app, england, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let caveat = "data-caveat=\"outside-coverage\"";
    assert_eq!(page.text.matches(caveat).count(), 1, "{}", page.text);
    let at = page.text.find(caveat).unwrap();
    let answer = page.text.find("hold it.").unwrap();
    assert!(
        at < answer,
        "the caveat is beside the answer, before the holders"
    );
    let shown = &page.text[at..answer];
    assert!(
        shown.contains("QAA")
            && shown.contains("QBB")
            && shown.contains("Test list of delegations"),
        "{shown}"
    );
    let json = get(&f.app, &format!("{england}&format=json"), None).await;
    let v: serde_json::Value = serde_json::from_str(&json.text).unwrap();
    assert_eq!(
        v["data"]["caveats"][0]["part"],
        serde_json::json!({"practices": 2, "of": 2, "area": ["footprint(QAA)", "footprint(QBB)"]})
    );
    let practice = get(&f.app, WHO, None).await;
    assert_eq!(practice.text.matches(caveat).count(), 1);
    assert!(practice
        .text
        .contains("QAA: its delegation agreement was not found"));
}

#[tokio::test]
async fn mistakes_are_pages_that_say_what_went_wrong_and_what_to_do() {
    let f = fixture();
    let bad_date = get(&f.app, "/ui/who?function=commissioning.primary-care.medical&place_type=practice&place=T00001&on=2024-02-30", None).await;
    assert_eq!(bad_date.status, StatusCode::BAD_REQUEST);
    assert!(bad_date.text.contains("There is a problem"));
    assert!(bad_date.text.contains("href=\"#on\""));
    assert!(bad_date.text.contains("must be a real date"));

    let unknown = get(&f.app, "/ui/who?function=commissioning.primary-care.medical&place_type=practice&place=Z99999&on=2024-06-01", None).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    // A place the register does not know is a mistake in the form: said beside the field,
    // with what was typed kept and a search for it.
    assert!(unknown.text.contains("There is a problem"));
    assert!(unknown.text.contains("href=\"#place\""));
    assert!(unknown
        .text
        .contains("No GP practice has the code “Z99999”: enter its code"));
    assert!(unknown
        .text
        .contains("id=\"place\" name=\"place\" type=\"text\" value=\"Z99999\""));
    assert!(unknown.text.contains("href=\"/ui/search?q=Z99999\""));
    let timeline = get(
        &f.app,
        "/ui/timeline?function=commissioning.primary-care.medical&place_type=body&place=QZZ",
        None,
    )
    .await;
    assert_eq!(timeline.status, StatusCode::BAD_REQUEST);
    assert!(
        timeline
            .text
            .contains("No body has ever had the code “QZZ”"),
        "{}",
        timeline.text
    );
    assert!(timeline.text.contains("value=\"QZZ\""));

    let json_error = get(&f.app, "/ui/bodies/NOPE?format=json", None).await;
    assert_eq!(json_error.status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&json_error.text).unwrap();
    assert_eq!(v["title"], "Page not found");

    let format = get(&f.app, "/ui/?format=xml", None).await;
    assert_eq!(format.status, StatusCode::BAD_REQUEST);
    assert!(format.text.contains("Use format=json or format=csv"));

    let nowhere = get(&f.app, "/ui/nowhere", None).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(nowhere.text.contains("There is no page at /ui/nowhere."));
}

#[tokio::test]
async fn text_from_the_register_is_escaped() {
    let f = fixture();
    let page = get(&f.app, "/ui/search?q=test", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("The &lt;Test&gt; Surgery"));
    assert!(page
        .text
        .contains("NHS Other &lt;Test&gt; &amp; Integrated Care Board"));
    assert!(!page.text.contains("<Test>"));
}

#[tokio::test]
async fn body_practice_function_and_instrument_pages_answer_from_the_register() {
    let f = fixture();
    let body = get(&f.app, "/ui/bodies/QAA?on=2023-01-01", None).await;
    assert_eq!(body.status, StatusCode::OK);
    assert!(body.text.contains("GP services delegated to the test ICB"));
    // What the maker kept back from the delegation is named beside the holding.
    assert!(
        body.text.contains("Not passed on, kept by ")
            && body
                .text
                .contains("href=\"/ui/functions/commissioning.primary-care.medical.performers\""),
        "{}",
        body.text
    );
    assert!(
        body.text.contains("To confirm: ")
            && body
                .text
                .contains("other functions reserved in the test agreement (list to confirm)"),
        "{}",
        body.text
    );
    let practice = get(&f.app, "/ui/practices/T00001", None).await;
    assert!(practice
        .text
        .contains("NHS Test Integrated Care Board (QAA)"));
    let function = get(
        &f.app,
        "/ui/functions/commissioning.primary-care.medical",
        None,
    )
    .await;
    assert!(function
        .text
        .contains("href=\"/ui/instruments/test-delegation-qaa\""));
    let instrument = get(&f.app, "/ui/instruments/test-nhse-primary-care", None).await;
    assert_eq!(instrument.status, StatusCode::OK);
    assert!(instrument.text.contains("No problems found."));
    // The delegation rests on the conferral: it is listed as depending on it.
    assert!(instrument.text.contains("rests on a function it gives"));
    let timeline = get(
        &f.app,
        "/ui/timeline?function=commissioning.primary-care.medical&place_type=practice&place=T00001",
        None,
    )
    .await;
    assert_eq!(timeline.status, StatusCode::OK);
    assert!(timeline.text.contains("<svg"));
    assert!(timeline.text.contains("<desc"));
}

/// A practice's page lists the stretches of its history the sources do not settle beside
/// the memberships they do, with the candidates and why: here the practice is in QAA from
/// 2022-07-01 and, by the test's own record, in one of QAA and QBB in the year before.
#[tokio::test]
async fn a_practice_page_says_where_its_history_is_not_known() {
    let f = fixture_with(|reg| {
        let practice = reg.practice_id("T00001").unwrap();
        reg.unknown_memberships.push(vires_core::UnknownMembership {
            practice,
            during: Interval::new(Date::constant(2021, 7, 1), Some(Date::constant(2022, 7, 1))),
            candidates: vec!["QAA".into(), "QBB".into()],
            note: "the test record does not say which".into(),
            source: "the test's own record".into(),
        });
    });
    let page = get(&f.app, "/ui/practices/T00001", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("What the register does not know here"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("1 July 2021 to 30 June 2022: the test record does not say which"),
        "{}",
        page.text
    );
    let table = &page.text[page
        .text
        .find("Membership of commissioning bodies")
        .unwrap()..];
    let not_known = table
        .find("Not known")
        .expect("a row for the stretch not known");
    let known = table.find("NHS Test Integrated Care Board (QAA)").unwrap();
    assert!(not_known < known, "earliest first: {table}");
    assert!(
        table.contains("href=\"/ui/bodies/QBB?on=2021-07-01\""),
        "{table}"
    );
    let csv = get(&f.app, "/ui/practices/T00001?format=csv", None).await;
    let rows: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        rows,
        [
            "body,name,from,until",
            ",\"Not known: one of QAA, QBB\",2021-07-01,2022-07-01",
            "QAA,NHS Test Integrated Care Board,2022-07-01,",
        ],
        "{}",
        csv.text
    );
}

/// A code can name one body, then another: 00T was NHS Bolton CCG until it merged into the
/// ICB on 1 July 2022, and from that day names one of the ICB's sub-ICB locations. The ICB's
/// lineage names the CCG that merged, as it was the day before, and links to it on that day.
#[tokio::test]
async fn a_predecessor_is_named_as_it_was_before_its_code_was_reused() {
    let f = fixture_with(|reg| {
        let body = |name: &str, kind, from, until| vires_core::Body {
            code: "00T".into(),
            name: name.into(),
            kind,
            life: Interval::new(from, until),
            basis: None,
            source: None,
            ons_code: None,
            span: None,
        };
        let merger = Date::constant(2022, 7, 1);
        reg.add_body(body(
            "NHS Test Borough CCG",
            vires_core::BodyKind::Ccg,
            Date::constant(2013, 4, 1),
            Some(merger),
        ))
        .unwrap();
        reg.add_body(body(
            "NHS Test ICB - 00T",
            vires_core::BodyKind::SubIcbLocation,
            merger,
            None,
        ))
        .unwrap();
        reg.successions.push(vires_core::Succession {
            from: "00T".into(),
            to: "QAA".into(),
            on: merger,
        });
        // An instrument naming the CCG, years before the code named the sub-ICB location.
        let mut sources = vires_lang::Sources::new();
        sources.add(
            "ccg.vires",
            "delegation \"GP services delegated to the test CCG\" {\n  id test-ccg-delegation\n  basis \"NHS Act 2006 s.13Z (inserted by the Health and Social Care Act 2012)\"\n  by X24\n  to 00T\n  functions commissioning.primary-care.medical\n  area own\n  from 2016-04-01\n  until 2021-04-01\n  source \"test\"\n}\n",
        );
        let loaded = vires_lang::load(&sources);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        for i in loaded.register.instruments {
            reg.add_instrument(i);
        }
    });
    let page = get(&f.app, "/ui/bodies/QAA?on=2023-01-01", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let came_from = page
        .text
        .split("Came from")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap_or_else(|| panic!("no predecessors listed: {}", page.text));
    assert!(
        came_from.contains("href=\"/ui/bodies/00T?on=2022-06-30\"")
            && came_from.contains("NHS Test Borough CCG (00T)"),
        "{came_from}"
    );
    assert!(!came_from.contains("NHS Test ICB - 00T"), "{came_from}");
    // And from the CCG's side, the ICB it became, on the day it did, and the instrument
    // that named it.
    let ccg = get(&f.app, "/ui/bodies/00T?on=2022-06-30", None).await;
    assert!(
        ccg.text.contains("href=\"/ui/bodies/QAA?on=2022-07-01\""),
        "{}",
        ccg.text
    );
    assert!(ccg.text.contains("/ui/instruments/test-ccg-delegation"));
    // Its page gives the last day it was in force, 2021-03-31 (it ends "until 2021-04-01").
    let delegation = get(&f.app, "/ui/instruments/test-ccg-delegation", None).await;
    assert!(
        delegation.text.contains("1 April 2016 to 31 March 2021")
            && delegation
                .text
                .contains("31 March 2021 (after amendments and revocations)")
            && !delegation.text.contains("1 April 2021"),
        "{}",
        delegation.text
    );
    // The sub-ICB location that has the code since neither became the ICB nor was named by
    // the CCG's delegation.
    let unit = get(&f.app, "/ui/bodies/00T?on=2023-01-01", None).await;
    assert!(unit.text.contains("NHS Test ICB - 00T"), "{}", unit.text);
    assert!(
        !unit.text.contains("href=\"/ui/bodies/QAA?on=2022-07-01\""),
        "{}",
        unit.text
    );
    assert!(
        !unit.text.contains("/ui/instruments/test-ccg-delegation"),
        "{}",
        unit.text
    );
    assert!(unit
        .text
        .contains("No merger or succession involves this body."));
}

/// A purpose no instrument names asks about any other purpose, and the page says so beside
/// the answer: here the delegation is for "service-redesign" only, so asked for "redesign"
/// (a near miss), the ICB drops out and the page names the purpose the register knows.
#[tokio::test]
async fn a_purpose_no_instrument_names_is_said_beside_the_answer() {
    let f = fixture_with(|reg| {
        let d = reg
            .instruments
            .iter_mut()
            .find(|i| i.id == "test-delegation-qaa")
            .unwrap();
        d.terms_mut().purposes = vec!["service-redesign".into()];
    });
    let asked = "/ui/who?function=commissioning.primary-care.medical&place_type=practice&place=T00001&on=2023-06-01&purpose=";
    let near_miss = get(&f.app, &format!("{asked}redesign"), None).await;
    assert_eq!(near_miss.status, StatusCode::OK);
    assert!(
        near_miss
            .text
            .contains("on 1 June 2023 for the purpose “redesign”"),
        "{}",
        near_miss.text
    );
    assert!(
        near_miss
            .text
            .contains("No instrument in the register names the purpose “redesign”")
            && near_miss
                .text
                .contains("(in the register: service-redesign)"),
        "{}",
        near_miss.text
    );
    let named = get(&f.app, &format!("{asked}service-redesign"), None).await;
    assert!(!named
        .text
        .contains("No instrument in the register names the purpose"));
    assert!(
        named.text.contains("NHS Test Integrated Care Board (QAA)"),
        "{}",
        named.text
    );
}

/// What changed between two dates marks a change given by an instrument the register marks
/// "to confirm", as an answer resting on one says so: here the delegation to QAA of
/// 2022-07-01, its source made "to confirm"; the ICB's establishment that day is not marked.
#[tokio::test]
async fn a_change_resting_on_a_fact_to_confirm_says_so() {
    let f = fixture_with(|reg| {
        let d = reg
            .instruments
            .iter_mut()
            .find(|i| i.id == "test-delegation-qaa")
            .unwrap();
        d.terms_mut().source = Some("Test delegation agreement (its date is to confirm)".into());
    });
    let page = get(&f.app, "/ui/diff?from=2022-06-30&to=2022-07-01", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let gained = &page.text[page.text.find("Holdings gained").expect("holdings gained")..];
    let row = gained
        .split("<tr")
        .find(|r| r.contains("/ui/instruments/test-delegation-qaa"))
        .unwrap_or_else(|| panic!("the delegation's row: {gained}"));
    assert!(row.contains(">To confirm</strong>"), "{row}");
    assert_eq!(
        page.text.matches(">To confirm</strong>").count(),
        1,
        "{}",
        page.text
    );
    assert!(page.text.contains("A change marked “To confirm”"));
    // Unmarked, nothing is said.
    let plain = fixture();
    let page = get(&plain.app, "/ui/diff?from=2022-06-30&to=2022-07-01", None).await;
    assert!(!page.text.contains("To confirm"), "{}", page.text);
}

#[tokio::test]
async fn assets_are_served_with_long_cache_headers() {
    let f = fixture();
    let css = get(&f.app, "/assets/vendor/nhsuk-frontend.min.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css
        .headers
        .get(header::CACHE_CONTROL)
        .unwrap()
        .to_str()
        .unwrap()
        .contains("max-age=31536000"));
    assert!(css.text.contains(".nhsuk-header"));
    assert!(
        !css.text.contains("assets.nhs.uk"),
        "no external font requests"
    );
    let page = get(&f.app, "/ui/", None).await;
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
}

#[tokio::test]
async fn only_an_approver_with_the_session_token_can_approve_and_the_answer_then_changes() {
    let f = fixture();
    let proposal = f
        .state
        .propose(
            "eddie",
            "a second commissioner".into(),
            1,
            Change::AddInstrument {
                instrument: proposal_instrument(),
            },
        )
        .unwrap();
    let approve = format!("/ui/proposals/{}/approve", proposal.id);

    // Signed out: asked to sign in.
    let anon = post(&f.app, &approve, "", &[("csrf", "x")]).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);

    // A viewer cannot see or approve it, even with the session's own form token.
    let viewer = sign_in(&f, "vera", Role::Viewer).await;
    let seen = get(
        &f.app,
        &format!("/ui/proposals/{}", proposal.id),
        Some(&viewer),
    )
    .await;
    assert_eq!(seen.status, StatusCode::FORBIDDEN);
    let csrf = hidden(&seen.text, "csrf");
    let refused = post(&f.app, &approve, &viewer, &[("csrf", &csrf)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused
        .text
        .contains("You do not have permission to do this"));

    // An approver sees what it would change, and a forged form changes nothing.
    let approver = sign_in(&f, "alex", Role::Approver).await;
    let page = get(
        &f.app,
        &format!("/ui/proposals/{}", proposal.id),
        Some(&approver),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Holdings gained (1)"));
    assert!(page.text.contains("Approve and publish"));
    // The status in words, once: not the tag and then the store's own word for it.
    assert!(page.text.contains(">Waiting for approval</strong>"));
    assert!(!page.text.contains("</strong> pending"), "{}", page.text);
    let forged = post(&f.app, &approve, &approver, &[("csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(f.state.revision(), 1);
    assert!(get(&f.app, WHO, None)
        .await
        .text
        .contains("1 body holds it."));

    let csrf = hidden(&page.text, "csrf");
    let no_reason = post(&f.app, &approve, &approver, &[("csrf", &csrf)]).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert!(no_reason
        .text
        .contains("Enter the reason for approving the proposal"));
    assert_eq!(f.state.revision(), 1);
    let done = post(
        &f.app,
        &approve,
        &approver,
        &[("csrf", &csrf), ("reason", "matches the signed agreement")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(f.state.revision(), 2);
    let entry = f.state.store().entries(2, 2).unwrap().remove(0);
    assert_eq!(entry.author, "eddie");
    let decision = entry.decision.unwrap();
    assert_eq!(
        (decision.by.as_str(), decision.reason.as_str()),
        ("alex", "matches the signed agreement")
    );
    let after = get(&f.app, WHO, None).await;
    assert!(after.text.contains("2 bodies hold it."));
    assert!(after
        .text
        .contains("href=\"/ui/instruments/test-delegation-qbb\""));

    // Settled: a second approval is refused.
    let again = post(
        &f.app,
        &approve,
        &approver,
        &[("csrf", &csrf), ("reason", "again")],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Signing out ends the session in the store.
    let out = post(&f.app, "/ui/logout", &approver, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let gone = get(&f.app, "/ui/proposals", Some(&approver)).await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_proposer_has_no_approve_button_and_a_forged_approval_is_refused() {
    let f = fixture();
    let approver = sign_in(&f, "alex", Role::Approver).await;
    let proposal = f
        .state
        .propose(
            "alex",
            "my own change".into(),
            1,
            Change::AddInstrument {
                instrument: proposal_instrument(),
            },
        )
        .unwrap();
    let page = get(
        &f.app,
        &format!("/ui/proposals/{}", proposal.id),
        Some(&approver),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Proposed by"));
    assert!(!page.text.contains("Approve and publish"), "{}", page.text);
    assert!(page.text.contains("another approver must approve it"));
    let csrf = hidden(&page.text, "csrf");
    for path in ["approve", "decide"] {
        let forged = post(
            &f.app,
            &format!("/ui/proposals/{}/{path}", proposal.id),
            &approver,
            &[("csrf", &csrf), ("reason", "me"), ("decision", "approve")],
        )
        .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{path}");
        assert!(forged.text.contains("A second person must decide"));
    }
    assert_eq!(f.state.revision(), 1);
    // A second approver sees the button and approves through the one decision form.
    let other = sign_in(&f, "bea", Role::Approver).await;
    let page = get(
        &f.app,
        &format!("/ui/proposals/{}", proposal.id),
        Some(&other),
    )
    .await;
    assert!(page.text.contains("Approve and publish"));
    let csrf = hidden(&page.text, "csrf");
    let done = post(
        &f.app,
        &format!("/ui/proposals/{}/decide", proposal.id),
        &other,
        &[
            ("csrf", &csrf),
            ("reason", "checked"),
            ("decision", "approve"),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(f.state.revision(), 2);
}

#[tokio::test]
async fn rejecting_needs_a_reason_and_sign_in_needs_the_form_cookie() {
    let f = fixture();
    let proposal = f
        .state
        .propose(
            "eddie",
            "try".into(),
            1,
            Change::AddInstrument {
                instrument: proposal_instrument(),
            },
        )
        .unwrap();
    let approver = sign_in(&f, "alex", Role::Approver).await;
    let page = get(
        &f.app,
        &format!("/ui/proposals/{}", proposal.id),
        Some(&approver),
    )
    .await;
    let csrf = hidden(&page.text, "csrf");
    let reject = format!("/ui/proposals/{}/reject", proposal.id);
    let no_reason = post(
        &f.app,
        &reject,
        &approver,
        &[("csrf", &csrf), ("reason", " ")],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert!(no_reason
        .text
        .contains("Enter the reason for rejecting the proposal"));
    let done = post(
        &f.app,
        &reject,
        &approver,
        &[("csrf", &csrf), ("reason", "not needed")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    // The rejection is recorded in the log with both names; the register is unchanged.
    assert_eq!(f.state.revision(), 2);
    let entry = f.state.store().entries(2, 2).unwrap().remove(0);
    assert_eq!(entry.change.op(), "workflow-step");
    assert_eq!(entry.author, "eddie");
    assert_eq!(entry.decision.unwrap().by, "alex");
    assert!(!f
        .state
        .current()
        .snapshot
        .register()
        .instruments
        .iter()
        .any(|i| i.id == "test-delegation-qbb"));

    // A sign-in form posted from elsewhere (no matching cookie) signs nobody in.
    let token = f.state.store().create_token("alex", "again").unwrap().token;
    let cross = post(
        &f.app,
        "/ui/login",
        "",
        &[("login_csrf", "abc"), ("token", &token)],
    )
    .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    assert!(set_cookie(&cross, "vires_session").is_none());
    // A wrong token is a form error, not a session.
    let form = get(&f.app, "/ui/login", None).await;
    let c = set_cookie(&form, "vires_login").unwrap().to_string();
    let wrong = post(
        &f.app,
        "/ui/login",
        &format!("vires_login={c}"),
        &[("login_csrf", &c), ("token", "vires_nope.nope")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong
        .text
        .contains("That token is not known or has been revoked"));
}

#[tokio::test]
async fn procurement_and_conflicts_pages_answer_with_the_procurement_crate() {
    let f = fixture();
    let empty = get(
        &f.app,
        "/ui/procurement?commissioners=&start=2024-01-02",
        None,
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty
        .text
        .contains("Enter the code of at least one commissioner"));
    // NHS England buying other services, with no function named: whether it holds a
    // function is checked for one the page assumed, and the page says so; named, it does not.
    let asked = "/ui/procurement?commissioners=X24&buying=other-services&estimated_value=150000&procurement_began=2022-05-01&start=2022-09-01&term_months=24";
    let assumed = get(&f.app, asked, None).await;
    assert_eq!(assumed.status, StatusCode::OK, "{}", assumed.text);
    assert!(
        assumed.text.contains("The function checked was assumed")
            && assumed
                .text
                .contains("(assumed: no function was given, and no category that names one)"),
        "{}",
        assumed.text
    );
    let named = get(
        &f.app,
        &format!("{asked}&function=commissioning.primary-care"),
        None,
    )
    .await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.text);
    assert!(!named.text.contains("assumed"), "{}", named.text);
    let form = get(&f.app, "/ui/conflicts", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let bad = post(
        &f.app,
        "/ui/conflicts",
        "",
        &[("register", "{}"), ("format", "html")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text.contains("The register is not valid"));
}

/// The drafting journey at the page level: a form with a bad date and no power shows each
/// mistake by its field and saves nothing usable; fixed, it is valid, previews what it
/// changes, is proposed with a reason, and the proposer cannot approve it.
#[tokio::test]
async fn a_draft_is_checked_field_by_field_previewed_and_proposed() {
    let f = fixture();
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "delegation").await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("title", "GP services for the other ICB"),
        ("maker", "X24"),
        ("receivers", "Other"),
        ("functions", "commissioning.primary-care.medical"),
        ("area", "footprint"),
        ("area_body", "QBB"),
        ("from-day", "31"),
        ("from-month", "2"),
        ("from-year", "2025"),
        ("source", "Test agreement"),
        ("action", "check"),
    ];
    let bad = post(&f.app, &at, &editor, &form).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert!(bad
        .text
        .contains("The date it takes effect must be a real date"));
    assert!(bad.text.contains("Select the power it is made under"));
    assert!(bad.text.contains("id=\"from-error\""));
    assert!(bad.text.contains("id=\"basis-error\""));
    // The receiver typed by name was found and is shown by its code.
    assert!(bad
        .text
        .contains("Found: NHS Other &lt;Test&gt; &amp; Integrated Care Board (QBB)"));
    form[7] = ("from-day", "1");
    form[8] = ("from-month", "4");
    form.push(("basis", "nhs-act-2006-s65Z5"));
    let good = post(&f.app, &at, &editor, &form).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.text);
    let page = get(&f.app, &at, Some(&editor)).await;
    assert!(
        page.text.contains("Valid against the register"),
        "{}",
        page.text
    );
    let text = get(&f.app, &format!("{at}/text"), Some(&editor)).await;
    assert!(text.text.contains("by        X24"), "{}", text.text);
    let preview = get(&f.app, &format!("{at}/preview"), Some(&editor)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert!(
        preview.text.contains("Holdings gained (1)"),
        "{}",
        preview.text
    );
    assert_eq!(f.state.revision(), 1, "nothing is recorded by drafting");
    let no_reason = post(
        &f.app,
        &format!("{at}/propose"),
        &editor,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let sent = post(
        &f.app,
        &format!("{at}/propose"),
        &editor,
        &[("csrf", &csrf), ("reason", "Board decision of 3 December")],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let p = f.state.proposals().unwrap().pop().unwrap();
    assert_eq!(p.proposed_by, "eddie");
    let work = get(&f.app, "/ui/work", Some(&editor)).await;
    assert!(work.text.contains(&format!("Proposal {}", p.id)));
    let approver = sign_in(&f, "alex", Role::Approver).await;
    let shown = get(&f.app, &format!("/ui/proposals/{}", p.id), Some(&approver)).await;
    assert!(shown.text.contains("No problems"), "{}", shown.text);
    assert!(shown.text.contains("Approve and publish"));
    assert!(shown.text.contains("My work"));
}

/// Starts a draft of `kind` as `cookie`; returns its address and the session's form token.
async fn start_draft(f: &Fixture, cookie: &str, kind: &str) -> (String, String) {
    let start = get(&f.app, "/ui/drafts/new", Some(cookie)).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.text);
    let csrf = hidden(&start.text, "csrf");
    let made = post(
        &f.app,
        "/ui/drafts",
        cookie,
        &[("csrf", &csrf), ("kind", kind)],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let at = made
        .headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap();
    (at.to_string(), csrf)
}

/// A term that names more than one body is a choice, not an error to retype: the form
/// offers the bodies it matched as radios (no JavaScript needed), and the chosen one is
/// taken. Both test ICBs' names hold the words "Integrated Care Board".
#[tokio::test]
async fn a_term_matching_several_bodies_is_chosen_from_radios() {
    let f = fixture();
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "delegation").await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("title", "GP services for the other ICB"),
        ("maker", "X24"),
        ("receivers", "Integrated Care Board"),
        ("functions", "commissioning.primary-care.medical"),
        ("area", "footprint"),
        ("area_body", "QBB"),
        ("from-day", "1"),
        ("from-month", "4"),
        ("from-year", "2025"),
        ("basis", "nhs-act-2006-s65Z5"),
        ("source", "Test agreement"),
        ("action", "check"),
    ];
    let ask = post(&f.app, &at, &editor, &form).await;
    assert_eq!(ask.status, StatusCode::BAD_REQUEST, "{}", ask.text);
    assert!(ask
        .text
        .contains("“Integrated Care Board” matches more than one body"));
    assert!(ask
        .text
        .contains("Which body do you mean by “Integrated Care Board”?"));
    for code in ["QAA", "QBB"] {
        assert!(
            ask.text.contains(&format!(
                "name=\"choose-receivers-0\" type=\"radio\" value=\"{code}\""
            )),
            "{code} is offered: {}",
            ask.text
        );
    }
    form.push(("choose-receivers-0", "QBB"));
    let chosen = post(&f.app, &at, &editor, &form).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.text);
    let page = get(&f.app, &at, Some(&editor)).await;
    assert!(
        page.text.contains("Valid against the register"),
        "{}",
        page.text
    );
    let text = get(&f.app, &format!("{at}/text"), Some(&editor)).await;
    assert!(
        text.text
            .lines()
            .any(|l| l.trim_start().starts_with("to") && l.trim_end().ends_with(" QBB")),
        "{}",
        text.text
    );
}

/// A sub-ICB location is part of its ICB, not a legal person, so it makes and receives no
/// instrument: where a term names an ICB and its sub-ICB locations alike, the maker and
/// receivers take the ICB, while an area (which may be a sub-ICB location's) still asks.
#[tokio::test]
async fn bodies_that_make_or_receive_are_not_confused_with_their_units() {
    let f = fixture_with(|reg| {
        reg.add_body(vires_core::Body {
            code: "00B".into(),
            name: "NHS Other Integrated Care Board - 00B".into(),
            kind: vires_core::BodyKind::SubIcbLocation,
            life: Interval::new(Date::constant(2022, 7, 1), None),
            basis: None,
            source: None,
            ons_code: None,
            span: None,
        })
        .unwrap();
    });
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "delegation").await;
    let form = vec![
        ("csrf", csrf.as_str()),
        ("title", "GP services for the other ICB"),
        ("maker", "X24"),
        ("receivers", "Other Integrated Care Board"),
        ("functions", "commissioning.primary-care.medical"),
        ("area", "footprint"),
        ("area_body", "Other Integrated Care Board"),
        ("from-day", "1"),
        ("from-month", "4"),
        ("from-year", "2025"),
        ("basis", "nhs-act-2006-s65Z5"),
        ("source", "Test agreement"),
        ("action", "check"),
    ];
    let ask = post(&f.app, &at, &editor, &form).await;
    let page = if ask.status == StatusCode::SEE_OTHER {
        get(&f.app, &at, Some(&editor)).await.text
    } else {
        ask.text
    };
    assert!(
        page.contains("Found: NHS Other &lt;Test&gt; &amp; Integrated Care Board (QBB)"),
        "{page}"
    );
    assert!(!page.contains("name=\"choose-receivers-0\""), "{page}");
    for code in ["QBB", "00B"] {
        assert!(
            page.contains(&format!(
                "name=\"choose-area_body-0\" type=\"radio\" value=\"{code}\""
            )),
            "{code} is offered for the area: {page}"
        );
    }
}

/// A joint committee an ICB sets up for its own function changes how it holds it, not
/// whether: by hand, QAA holds secondary care as its own function (the test's conferral);
/// with QBB on a joint committee from 2025-04-01, QAA holds it as a member and QBB gains it.
/// The preview says QAA holds it in another way, and lists no holding lost.
#[tokio::test]
async fn a_joint_committee_for_its_own_function_is_shown_as_held_in_another_way() {
    let f = fixture_with(|reg| {
        let mut sources = vires_lang::Sources::new();
        sources.add(
            "icb.vires",
            "conferral \"The test ICB commissions hospital services\" {\n  id test-icb-secondary-care\n  basis \"Health and Care Act 2022\"\n  by PARLIAMENT\n  to QAA\n  functions commissioning.secondary-care\n  area own\n  from 2022-07-01\n  source \"test\"\n}\n",
        );
        let loaded = vires_lang::load(&sources);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        for i in loaded.register.instruments {
            reg.add_instrument(i);
        }
    });
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "joint-committee").await;
    let form = vec![
        ("csrf", csrf.as_str()),
        ("title", "Test joint committee for hospital services"),
        ("maker", "QAA"),
        ("receivers", "QAA, QBB"),
        ("functions", "commissioning.secondary-care"),
        ("area", "own"),
        ("from-day", "1"),
        ("from-month", "4"),
        ("from-year", "2025"),
        ("basis", "nhs-act-2006-s65Z5"),
        ("source", "Test terms of reference"),
        ("action", "save"),
    ];
    let saved = post(&f.app, &at, &editor, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let preview = get(&f.app, &format!("{at}/preview"), Some(&editor)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    let text = &preview.text;
    assert!(text.contains("Held in another way (1)"), "{text}");
    assert!(text.contains("Holdings gained (1)"), "{text}");
    assert!(!text.contains("Holdings lost"), "{text}");
    let otherwise = &text[text.find("Held in another way").unwrap()..];
    let otherwise = &otherwise[..otherwise.find("</table>").unwrap()];
    assert!(
        otherwise.contains("/ui/bodies/QAA?on=2025-04-01"),
        "{otherwise}"
    );
    assert!(
        otherwise.contains("/ui/instruments/test-icb-secondary-care"),
        "{otherwise}"
    );
}

/// The legal basis lists only the powers the maker may use for the kind on the date: an
/// ICB's joint committee in 2025 may rest on s.65Z5 (ICBs among its makers, in force from
/// 1 July 2022), never on s.13Z (NHS England's, repealed then); in 2021 not on s.65Z5.
#[tokio::test]
async fn the_legal_basis_lists_the_powers_the_maker_may_use_that_day() {
    let f = fixture();
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "joint-committee").await;
    let options = |page: &str| -> Vec<String> {
        let select = &page[page.find("id=\"basis\"").expect("a basis list")..];
        let select = &select[..select.find("</select>").unwrap()];
        select
            .split("<option value=\"")
            .skip(1)
            .map(|o| o[..o.find('"').unwrap()].to_string())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("title", "Test joint committee"),
        ("maker", "QAA"),
        ("receivers", "QAA, QBB"),
        ("functions", "commissioning.primary-care.medical"),
        ("from-day", "1"),
        ("from-month", "4"),
        ("from-year", "2025"),
        ("action", "check"),
    ];
    let in_2025 = post(&f.app, &at, &editor, &form).await;
    let powers = options(&in_2025.text);
    assert!(
        powers.contains(&"nhs-act-2006-s65Z5".to_string()),
        "{powers:?}"
    );
    assert!(
        !powers.contains(&"nhs-act-2006-s13Z".to_string()),
        "{powers:?}"
    );
    assert!(
        !powers.contains(&"nhs-act-2006-s75".to_string()),
        "a partnership power: {powers:?}"
    );
    form[7] = ("from-year", "2021");
    let in_2021 = post(&f.app, &at, &editor, &form).await;
    let powers = options(&in_2021.text);
    assert!(
        !powers.contains(&"nhs-act-2006-s65Z5".to_string()),
        "{powers:?}"
    );
}

/// A legal basis the maker may not use is an error beside the field that says what to do in
/// the browser: an ICB's joint committee of 2025 cannot rest on s.13Z (NHS England's power
/// to arrange for CCGs), and the help points to the list of powers on the form, not to a
/// command a person drafting in the browser does not have.
#[tokio::test]
async fn a_wrong_legal_basis_says_what_to_do_in_the_browser() {
    let f = fixture();
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "joint-committee").await;
    let form = vec![
        ("csrf", csrf.as_str()),
        ("title", "Test joint committee"),
        ("maker", "QAA"),
        ("receivers", "QAA, QBB"),
        ("functions", "commissioning.primary-care.medical"),
        ("from-day", "1"),
        ("from-month", "4"),
        ("from-year", "2025"),
        ("basis", "nhs-act-2006-s13Z"),
        ("source", "Test agreement"),
        ("action", "save"),
    ];
    let saved = post(&f.app, &at, &editor, &form).await;
    let page = if saved.status == StatusCode::SEE_OTHER {
        get(&f.app, &at, Some(&editor)).await.text
    } else {
        saved.text
    };
    let basis_error = page
        .split("id=\"basis-error\"")
        .nth(1)
        .unwrap_or_else(|| panic!("an error beside the legal basis: {page}"));
    // The message and its visually hidden "Error:" prefix, up to the field itself.
    let basis_error = &basis_error[..basis_error.find("<select").unwrap()];
    assert!(basis_error.contains("V005"), "{basis_error}");
    assert!(
        basis_error.contains("the Legal basis list, when you draft, offers"),
        "{basis_error}"
    );
    assert!(!page.contains("vires powers"), "{page}");
}

/// An amendment can set each thing the language lets it (`set until`, `set purposes`,
/// `set area`), and must set at least one. The practice is found by its postcode.
#[tokio::test]
async fn an_amendment_sets_purposes_and_area() {
    let f = fixture();
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "amend").await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("title", "GP services delegation narrowed"),
        ("maker", "X24"),
        ("target", "test-delegation-qaa"),
        ("from-day", "1"),
        ("from-month", "4"),
        ("from-year", "2025"),
        ("basis", "nhs-act-2006-s65Z5"),
        ("source", "Test variation"),
        ("action", "check"),
    ];
    let nothing = post(&f.app, &at, &editor, &form).await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    assert!(nothing.text.contains("Enter what the amendment changes"));
    form.extend([
        ("set_purposes", "Independent provider commissioning"),
        ("set_area", "practices"),
        ("set_area_practices", "NE1 1AA"),
    ]);
    let set = post(&f.app, &at, &editor, &form).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text);
    let text = get(&f.app, &format!("{at}/text"), Some(&editor)).await;
    let sets: Vec<&str> = text
        .text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("set "))
        .collect();
    assert_eq!(sets.len(), 2, "{}", text.text);
    assert!(
        sets[0].ends_with("purposes independent-provider-commissioning"),
        "{sets:?}"
    );
    assert!(sets[1].ends_with("area practices(T00001)"), "{sets:?}");
}

/// A body the register does not know is drafted, checked, previewed and proposed in the
/// browser, and approved by a second person: it is then in the register.
#[tokio::test]
async fn a_new_body_is_drafted_and_approved_in_the_browser() {
    let f = fixture();
    let editor = sign_in(&f, "eddie", Role::Editor).await;
    let (at, csrf) = start_draft(&f, &editor, "body").await;
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("code", "qaa"),
        ("name", "NHS Third Test Integrated Care Board"),
        ("body_kind", "icb"),
        ("from-day", "1"),
        ("from-month", "4"),
        ("from-year", "2027"),
        ("established_by", "A test establishment order"),
        ("action", "check"),
    ];
    // QAA is already a body then: a code names one body at a time.
    let taken = post(&f.app, &at, &editor, &form).await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST, "{}", taken.text);
    assert!(taken
        .text
        .contains("The register already has NHS Test Integrated Care Board (QAA)"));
    form[1] = ("code", "qcc");
    let saved = post(&f.app, &at, &editor, &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let text = get(&f.app, &format!("{at}/text"), Some(&editor)).await;
    assert!(text.text.contains("body QCC {"), "{}", text.text);
    let preview = get(&f.app, &format!("{at}/preview"), Some(&editor)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert!(preview.text.contains("A new body holds no function"));
    let sent = post(
        &f.app,
        &format!("{at}/propose"),
        &editor,
        &[
            ("csrf", &csrf),
            ("reason", "The establishment order was made"),
        ],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let p = f.state.proposals().unwrap().pop().unwrap();
    assert!(matches!(&p.change, Change::AddBody { body } if body.code == "QCC"));
    let approver = sign_in(&f, "alex", Role::Approver).await;
    let shown = get(&f.app, &format!("/ui/proposals/{}", p.id), Some(&approver)).await;
    assert!(shown.text.contains("No problems"), "{}", shown.text);
    let csrf = hidden(&shown.text, "csrf");
    let done = post(
        &f.app,
        &format!("/ui/proposals/{}/approve", p.id),
        &approver,
        &[("csrf", &csrf), ("reason", "Matches the order")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let reg = f.state.current().snapshot.register().clone();
    let b = reg
        .body_at("QCC", Date::constant(2027, 4, 1))
        .expect("the new body");
    assert_eq!(reg.body(b).name, "NHS Third Test Integrated Care Board");
}
