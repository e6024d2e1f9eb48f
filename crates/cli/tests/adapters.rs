//! Issue 27 item 1: the command line, the HTTP API and the web UI are adapters over one
//! application layer (vires-app), so they give the same answers and the same refusals.
//!
//! The same scenarios run through all three, each on its own SQLite store over the bundled
//! England register: the `vires` binary; a real `vires serve` spoken to over HTTP as an API
//! client does; and a second real `vires serve` driven through its web pages as a browser
//! does (forms, cookies, the anti-forgery fields). The scenarios: a `who`, a `may`, a
//! what-if, recording a change, refusing a change that would be void, and a bad date.
//!
//! The expected values come from public documents and hand reasoning, stated next to each;
//! the adapters are also compared with one another, field for field.

mod common;

use common::{request, start, Response};
use serde_json::{json, Value};
use std::process::{Child, Command};

/// A delegation of dental services by NHS England (X24) to `to`, in `to`'s footprint,
/// from `from`, under s.13Z of the NHS Act 2006 (NHS England's power to arrange for a CCG
/// to exercise its functions; it went with the CCGs on 1 July 2022, Health and Care Act
/// 2022). The same instrument as `.vires` text (CLI, UI) and as JSON (API). The basis is
/// written as the power's own citation, as the UI's drafting form writes it (the form picks
/// a power from a list, and a pasted basis comes back in that form).
struct Delegation {
    id: &'static str,
    to: &'static str,
    from: &'static str,
}

const DENTAL: &str = "commissioning.primary-care.dental";
const BASIS: &str = "National Health Service Act 2006 s.13Z";

impl Delegation {
    fn title(&self) -> String {
        format!("Delegation of dental to {} (test)", self.to)
    }

    fn text(&self) -> String {
        format!(
            "delegation \"{}\" {{\n  id        {}\n  basis     \"{BASIS}\"\n  by        X24\n  to        {}\n  functions {DENTAL}\n  area      footprint({})\n  from      {}\n  source    \"test\"\n}}\n",
            self.title(),
            self.id,
            self.to,
            self.to,
            self.from
        )
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id, "title": self.title(), "kind": "delegation",
            "basis": BASIS, "maker": "X24",
            "receivers": {"bodies": [self.to]}, "functions": [DENTAL],
            "area": {"footprint": self.to}, "from": self.from, "source": "test"
        })
    }
}

/// 00T (NHS Bolton CCG) existed from 2013-04-01 to 2022-06-30, so a delegation to it in
/// April 2021 is valid.
const GOOD: Delegation = Delegation {
    id: "test-00t-dental",
    to: "00T",
    from: "2021-04-01",
};

/// QOP (NHS Greater Manchester ICB) is an ICB from 1 July 2022; s.13Z arrangements were
/// with CCGs and ended with them, so in 2023 the delegation rests on no power (V005).
const VOID: Delegation = Delegation {
    id: "test-qop-dental",
    to: "QOP",
    from: "2023-04-01",
};

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The command line on its own store.
struct Cli {
    dir: tempfile::TempDir,
    db: String,
}

impl Cli {
    fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("cli.db").display());
        Cli { dir, db }
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vires"))
            .args(args)
            .env("VIRES_DB", &self.db)
            .env_remove("VIRES_ODS_DIR")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A JSON answer; `code` is the exit status expected.
    fn json(&self, code: i32, args: &[&str]) -> Value {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let (got, out, err) = self.run(&all);
        assert_eq!(got, code, "vires {all:?}: {out}{err}");
        parse(&out)
    }

    fn file(&self, d: &Delegation) -> String {
        let p = self.dir.path().join(format!("{}.vires", d.id));
        std::fs::write(&p, d.text()).unwrap();
        p.display().to_string()
    }

    /// How many entries the store's change log has.
    fn log_len(&self) -> usize {
        self.json(0, &["audit", "log"]).as_array().unwrap().len()
    }
}

/// A real `vires serve` on its own store, killed when dropped.
struct Server {
    _dir: tempfile::TempDir,
    child: Child,
    port: u16,
    admin: String,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("server.db").display());
        let port = common::free_port();
        let (child, admin) = start(&db, port);
        Server {
            _dir: dir,
            child,
            port,
            admin: admin.expect("the bootstrap admin token"),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &str)>,
    ) -> (Response, Vec<(String, String)>) {
        request(self.port, method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// An API call with the admin's token.
    fn api(&self, method: &str, path: &str, body: Option<&Value>) -> Response {
        let auth = format!("Bearer {}", self.admin);
        let text = body.map(Value::to_string);
        self.send(
            method,
            path,
            &[("Authorization", &auth)],
            text.as_deref().map(|t| ("application/json", t)),
        )
        .0
    }

    /// The register's revision, from the header every answer carries.
    fn revision(&self) -> u64 {
        self.api("GET", "/functions", None)
            .revision
            .expect("a Vires-Revision header")
    }

    /// A user with `role` and a token for them, made through the admin API.
    fn user(&self, name: &str, role: &str) -> String {
        let made = self.api(
            "POST",
            "/admin/users",
            Some(&json!({"name": name, "role": role})),
        );
        assert_eq!(made.status, 201, "{}", made.body);
        let token = self.api(
            "POST",
            "/admin/tokens",
            Some(&json!({"user": name, "label": "adapters test"})),
        );
        assert_eq!(token.status, 201, "{}", token.body);
        parse(&token.body)["token"].as_str().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The value of the cookie `name` that a response sets.
fn set_cookie(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The value of the first hidden input called `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&key)
        .unwrap_or_else(|| panic!("no hidden {name} in the page: {page}"));
    let rest = &page[at + key.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A person using the web UI: signed in through the sign-in form with their token.
struct Browser<'a> {
    server: &'a Server,
    cookie: String,
}

impl<'a> Browser<'a> {
    fn anonymous(server: &'a Server) -> Browser<'a> {
        Browser {
            server,
            cookie: String::new(),
        }
    }

    fn sign_in(server: &'a Server, token: &str) -> Browser<'a> {
        let (page, headers) = server.send("GET", "/ui/login", &[], None);
        assert_eq!(page.status, 200, "{}", page.body);
        let login = set_cookie(&headers, "vires_login").expect("the sign-in form's cookie");
        let csrf = hidden(&page.body, "login_csrf");
        let cookie = format!("vires_login={login}");
        let body = form(&[
            ("login_csrf", &csrf),
            ("next", "/ui/work"),
            ("token", token),
        ]);
        let (done, headers) = server.send(
            "POST",
            "/ui/login",
            &[("Cookie", &cookie)],
            Some(("application/x-www-form-urlencoded", &body)),
        );
        assert_eq!(done.status, 303, "{}", done.body);
        let session = set_cookie(&headers, "vires_session").expect("a session cookie");
        Browser {
            server,
            cookie: format!("vires_session={session}"),
        }
    }

    fn get(&self, path: &str) -> Response {
        let headers: Vec<(&str, &str)> = if self.cookie.is_empty() {
            Vec::new()
        } else {
            vec![("Cookie", self.cookie.as_str())]
        };
        self.server.send("GET", path, &headers, None).0
    }

    /// A page's data, as its JSON download gives it.
    fn data(&self, path: &str) -> Value {
        self.data_with(200, path)
    }

    /// A page's data, given with the `status` expected (400 for a page of mistakes).
    fn data_with(&self, status: u16, path: &str) -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = self.get(&format!("{path}{sep}format=json"));
        assert_eq!(r.status, status, "{path}: {}", r.body);
        parse(&r.body)["data"].clone()
    }

    /// A form posted; the response and where it sends the browser next.
    fn post(&self, path: &str, pairs: &[(&str, &str)]) -> (Response, Option<String>) {
        let body = form(pairs);
        let (r, headers) = self.server.send(
            "POST",
            path,
            &[("Cookie", &self.cookie)],
            Some(("application/x-www-form-urlencoded", &body)),
        );
        let to = header(&headers, "location").map(str::to_string);
        (r, to)
    }

    /// A new draft with `d` pasted in as text; its address.
    fn draft(&self, d: &Delegation) -> String {
        let start = self.get("/ui/drafts/new");
        assert_eq!(start.status, 200, "{}", start.body);
        let csrf = hidden(&start.body, "csrf");
        let (made, at) = self.post("/ui/drafts", &[("csrf", &csrf), ("kind", "delegation")]);
        assert_eq!(made.status, 303, "{}", made.body);
        let at = at.expect("the new draft's address");
        let (pasted, to) = self.post(
            &format!("{at}/text"),
            &[("csrf", &csrf), ("vires", &d.text())],
        );
        assert_eq!(pasted.status, 303, "{}", pasted.body);
        assert_eq!(to.as_deref(), Some(at.as_str()));
        at
    }

    fn csrf(&self) -> String {
        hidden(&self.get("/ui/work").body, "csrf")
    }
}

const WHO_A85001: &str = "function=commissioning.secondary-care&practice=A85001&on=2020-06-01";

fn who_codes(answer: &Value) -> Vec<(String, String)> {
    answer["holders"]
        .as_array()
        .unwrap_or_else(|| panic!("no holders in {answer}"))
        .iter()
        .map(|h| {
            (
                h["body"].as_str().unwrap().to_string(),
                h["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn proof_ids(holder: &Value) -> Vec<String> {
    holder["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["instrument"].as_str().unwrap().to_string())
        .collect()
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {diagnostics}"))
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_cli_the_api_and_the_ui_give_the_same_answers_and_refusals() {
    let cli = Cli::new();
    let api = Server::start();
    let ui = Server::start();
    let editor = ui.user("eddie", "editor");
    let approver = ui.user("alex", "approver");
    let eddie = Browser::sign_in(&ui, &editor);
    let alex = Browser::sign_in(&ui, &approver);
    let anyone = Browser::anonymous(&ui);

    // --- who ---------------------------------------------------------------------------
    // A85001 (Fell Tower Medical Centre, Gateshead) has had 13T (NHS Newcastle Gateshead
    // CCG) as its commissioner since 2015-04-01 (NHS Digital ODS epraccur), and a CCG
    // commissions secondary care for its practices' patients (NHS Act 2006 s.3). From
    // 2020-03-20 to 2021-03-31 NHS England could exercise CCGs' functions alongside them
    // (The Exercise of Commissioning Functions by the NHS Commissioning Board
    // (Coronavirus) Directions 2020, under s.253).
    let by_cli = cli.json(
        0,
        &[
            "who",
            "-f",
            "commissioning.secondary-care",
            "--practice",
            "A85001",
            "--on",
            "2020-06-01",
        ],
    );
    let by_api = api.api("GET", &format!("/who?{WHO_A85001}"), None);
    assert_eq!(by_api.status, 200, "{}", by_api.body);
    let by_api = parse(&by_api.body);
    let ui_who = "/ui/who?function=commissioning.secondary-care&place_type=practice&place=A85001&on=2020-06-01";
    let by_ui = anyone.data(ui_who);
    assert_eq!(
        who_codes(&by_cli),
        vec![
            ("13T".to_string(), "statutory".to_string()),
            ("X24".to_string(), "concurrent".to_string())
        ]
    );
    assert_eq!(by_api, by_cli, "the API's who is the CLI's");
    assert_eq!(by_ui, by_cli, "the UI's who is the CLI's");
    let page = anyone.get(ui_who);
    assert!(
        page.body.contains("href=\"/ui/bodies/13T\"") || page.body.contains("13T"),
        "the page names the holder"
    );

    // --- may ---------------------------------------------------------------------------
    // NHS England keeps the performers lists (National Health Service (Performers Lists)
    // (England) Regulations 2013, SI 2013/335); the CCGs were abolished on 1 July 2022.
    // The UI has no page for `may`: the CLI and the API are compared.
    let may = |actor: &str, code: i32| {
        let args = [
            "may",
            "--as",
            actor,
            "-f",
            "commissioning.primary-care.medical.performers",
            "--practice",
            "A85001",
            "--on",
            "2023-01-01",
        ];
        let by_cli = cli.json(code, &args);
        let by_api = api.api(
            "GET",
            &format!("/may?as={actor}&function=commissioning.primary-care.medical.performers&practice=A85001&on=2023-01-01"),
            None,
        );
        assert_eq!(by_api.status, 200, "{}", by_api.body);
        assert_eq!(parse(&by_api.body), by_cli, "the API's may is the CLI's");
        by_cli
    };
    assert_eq!(may("X24", 0)["allowed"], true);
    assert_eq!(may("13T", 1)["allowed"], false);

    // --- what-if -----------------------------------------------------------------------
    // The good delegation gives 00T dental in its own footprint on 2021-04-01; nothing is
    // written by asking.
    let good_file = cli.file(&GOOD);
    let by_cli = cli.json(0, &["whatif", &good_file]);
    let by_api = api.api(
        "POST",
        "/whatif",
        Some(&json!({"instruments": [GOOD.json()]})),
    );
    assert_eq!(by_api.status, 200, "{}", by_api.body);
    let by_api = parse(&by_api.body);
    assert_eq!(by_api, by_cli, "the API's what-if is the CLI's");
    assert_eq!(by_cli["valid"], true, "{by_cli}");
    let added: Vec<(&str, &str)> = by_cli["diff"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["body"].as_str().unwrap(), h["function"].as_str().unwrap()))
        .collect();
    assert!(added.contains(&("00T", DENTAL)), "{by_cli}");
    let good_draft = eddie.draft(&GOOD);
    let drafted = eddie.data(&good_draft);
    assert_eq!(
        drafted["diagnostics"], by_cli["diagnostics"],
        "the UI's findings on the draft are the what-if's"
    );
    let preview = eddie.data(&format!("{good_draft}/preview"));
    assert_eq!(
        preview["diff"], by_cli["diff"],
        "the UI's preview is the what-if's diff"
    );
    assert_eq!(cli.log_len(), 1, "asking wrote nothing (genesis only)");
    assert_eq!((api.revision(), ui.revision()), (1, 1));

    // --- a change that would be void is refused, and nothing is written ----------------
    let void_file = cli.file(&VOID);
    let (code, _, err) = cli.run(&["record", &void_file, "--author", "t", "--reason", "test"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("V005") && err.contains("nothing was recorded"),
        "{err}"
    );
    let refused = api.api(
        "POST",
        "/changes",
        Some(&json!({"base_revision": 1, "reason": "test",
            "change": {"op": "add-instrument", "instrument": VOID.json()}})),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    let problem = parse(&refused.body);
    let api_codes: Vec<String> = problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .filter_map(|e| e["code"].as_str().map(str::to_string))
        .collect();
    assert!(api_codes.contains(&"V005".to_string()), "{problem}");
    let void_draft = eddie.draft(&VOID);
    let drafted = eddie.data_with(400, &void_draft);
    assert!(
        codes(&drafted["diagnostics"]).contains(&"V005".to_string()),
        "{drafted}"
    );
    let csrf = eddie.csrf();
    let (tried, _) = eddie.post(
        &format!("{void_draft}/propose"),
        &[("csrf", &csrf), ("reason", "test")],
    );
    assert_ne!(
        tried.status, 303,
        "a void draft is not proposed: {}",
        tried.body
    );
    assert!(
        parse(&ui.api("GET", "/proposals", None).body)
            .as_array()
            .unwrap()
            .is_empty(),
        "no proposal was made of the void draft"
    );
    assert_eq!(cli.log_len(), 1, "nothing was recorded");
    assert_eq!((api.revision(), ui.revision()), (1, 1));

    // --- recording a change ------------------------------------------------------------
    let (code, _, err) = cli.run(&["record", &good_file, "--author", "t", "--reason", "test"]);
    assert_eq!(code, 0, "{err}");
    let published = api.api(
        "POST",
        "/changes",
        Some(&json!({"base_revision": 1, "reason": "test",
            "change": {"op": "add-instrument", "instrument": GOOD.json()}})),
    );
    assert_eq!(published.status, 201, "{}", published.body);
    let (proposed, to) = eddie.post(
        &format!("{good_draft}/propose"),
        &[("csrf", &csrf), ("reason", "test")],
    );
    assert_eq!(proposed.status, 303, "{}", proposed.body);
    let shown = to.expect("the proposal's page");
    let shown = shown.split('?').next().unwrap().to_string();
    let alex_csrf = hidden(&alex.get(&shown).body, "csrf");
    let (approved, _) = alex.post(
        &format!("{shown}/approve"),
        &[("csrf", &alex_csrf), ("reason", "agreed")],
    );
    assert_eq!(approved.status, 303, "{}", approved.body);
    assert_eq!(cli.log_len(), 2);
    assert_eq!((api.revision(), ui.revision()), (2, 2));

    // Asked afterwards, the three agree: 00T holds dental as NHS England's delegate, by the
    // chain that ends in the recorded delegation.
    let dental = ["who", "-f", DENTAL, "--body", "00T", "--on", "2021-06-01"];
    let by_cli = cli.json(0, &dental);
    let q = format!("function={DENTAL}&body=00T&on=2021-06-01");
    let by_api = parse(&api.api("GET", &format!("/who?{q}"), None).body);
    let by_ui = anyone.data(&format!(
        "/ui/who?function={DENTAL}&place_type=body&place=00T&on=2021-06-01"
    ));
    let delegate = by_cli["holders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["body"] == "00T")
        .unwrap_or_else(|| panic!("00T holds dental after the change: {by_cli}"));
    assert_eq!(delegate["role"], "delegate", "{delegate}");
    assert_eq!(
        proof_ids(delegate).last().map(String::as_str),
        Some(GOOD.id),
        "{delegate}"
    );
    assert_eq!(
        by_api, by_cli,
        "the API's answer after the change is the CLI's"
    );
    assert_eq!(
        by_ui, by_cli,
        "the UI's answer after the change is the CLI's"
    );

    // --- a bad date --------------------------------------------------------------------
    // 30 February is no date: each adapter refuses it, names the field, and answers nothing.
    let (code, out, err) = cli.run(&["who", "-f", DENTAL, "--body", "00T", "--on", "2021-02-30"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("--on"), "{err}");
    let bad = api.api(
        "GET",
        &format!("/who?function={DENTAL}&body=00T&on=2021-02-30"),
        None,
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(parse(&bad.body)["errors"][0]["at"], "on", "{}", bad.body);
    let bad = anyone.get(&format!(
        "/ui/who?function={DENTAL}&place_type=body&place=00T&on=2021-02-30"
    ));
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("href=\"#on\""), "{}", bad.body);
}

/// Issue 26 item 1: `vires find`, the API's `/search` and the UI's search page are one
/// search. NHS Bolton CCG was 00T (NHS Digital ODS, eccg), so "bolton" finds it, and the
/// three give the same results: the API's answer is the CLI's, and the UI lists the same
/// things (grouped by kind on the page, so compared as a set) for the same limit.
#[test]
fn find_the_api_and_the_ui_search_alike() {
    let cli = Cli::new();
    let api = Server::start();
    let anyone = Browser::anonymous(&api);
    // The UI shows at most 100 results, for everything past and present, named as today.
    let by_cli = cli.json(0, &["find", "bolton", "--limit", "100"]);
    let by_api = api.api("GET", "/search?q=bolton&limit=100", None);
    assert_eq!(by_api.status, 200, "{}", by_api.body);
    assert_eq!(parse(&by_api.body), by_cli, "the API's search is the CLI's");
    let found = |v: &Value| -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap().to_string(),
                    r["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        all.sort();
        all
    };
    let by_cli = found(&by_cli);
    assert!(
        by_cli.contains(&("body".to_string(), "00T".to_string())),
        "{by_cli:?}"
    );
    assert_eq!(found(&anyone.data("/ui/search?q=bolton")), by_cli);
}
