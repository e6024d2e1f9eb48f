//! A real server on 127.0.0.1:0 over a real store, with a small register and users of
//! every role, driven by a real HTTP client.

#![allow(dead_code)]

use jiff::civil::{date, Date};
use reqwest::header::CONTENT_TYPE;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use vires_core::*;
use vires_server::config::ReadAccess;
use vires_server::{AppState, ServeConfig};
use vires_store::{Role, Store};

pub const FINGERPRINT: &str = "server-test-register-v1";

fn body(code: &str, kind: BodyKind, from: Date, until: Option<Date>) -> Body {
    Body {
        code: code.into(),
        name: format!("Body {code}"),
        kind,
        life: Interval::new(from, until),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    }
}

/// Parliament, NHS England, two CCGs merging into a third, practices, a delegation of
/// primary medical care to one CCG, and a delegation that ends soon (for `expiring`).
pub fn register() -> Register {
    let mut r = Register::new();
    let d13 = date(2013, 4, 1);
    r.add_body(body(
        "PARLIAMENT",
        BodyKind::Parliament,
        date(1900, 1, 1),
        None,
    ))
    .unwrap();
    r.add_body(body("X24", BodyKind::NhsEngland, date(2012, 10, 1), None))
        .unwrap();
    let f = r
        .add_body(body("00F", BodyKind::Ccg, d13, Some(date(2015, 4, 1))))
        .unwrap();
    let g = r
        .add_body(body("00G", BodyKind::Ccg, d13, Some(date(2015, 4, 1))))
        .unwrap();
    let t = r
        .add_body(body(
            "13T",
            BodyKind::Ccg,
            date(2015, 4, 1),
            Some(date(2022, 7, 1)),
        ))
        .unwrap();
    let q = r
        .add_body(body("08Q", BodyKind::Ccg, d13, Some(date(2022, 7, 1))))
        .unwrap();
    for f in [
        "commissioning",
        "commissioning.secondary-care",
        "commissioning.primary-care",
        "commissioning.primary-care.medical",
        "commissioning.primary-care.dental",
    ] {
        r.declare_function(f, f);
    }
    let a1 = r
        .add_practice(Practice {
            code: "A81001".into(),
            name: "Practice A".into(),
            postcode: None,
            status: None,
        })
        .unwrap();
    let a2 = r
        .add_practice(Practice {
            code: "B82005".into(),
            name: "Practice B".into(),
            postcode: None,
            status: None,
        })
        .unwrap();
    r.add_membership(a1, f, Interval::new(d13, Some(date(2015, 4, 1))));
    r.add_membership(
        a1,
        t,
        Interval::new(date(2015, 4, 1), Some(date(2022, 7, 1))),
    );
    r.add_membership(a2, q, Interval::new(d13, Some(date(2022, 7, 1))));
    // A practice in a local authority's footprint only: nobody commissions its secondary
    // care, so /gaps has a gap to find.
    let la = r
        .add_body(body("E08000021", BodyKind::LocalAuthority, d13, None))
        .unwrap();
    let a3 = r
        .add_practice(Practice {
            code: "C83001".into(),
            name: "Practice C".into(),
            postcode: None,
            status: None,
        })
        .unwrap();
    r.add_membership(
        a3,
        la,
        Interval::new(date(2014, 1, 1), Some(date(2015, 1, 1))),
    );
    let _ = g;
    r.add_succession(Succession {
        from: "00F".into(),
        to: "13T".into(),
        on: date(2015, 4, 1),
    });
    r.add_succession(Succession {
        from: "00G".into(),
        to: "13T".into(),
        on: date(2015, 4, 1),
    });
    r.add_power(Power {
        id: "s13Z".into(),
        title: "NHS Act 2006 s.13Z".into(),
        cites: vec!["s.13Z".into()],
        makers: vec![BodyKind::NhsEngland],
        kinds: vec![InstrumentKind::Delegation],
        receivers: vec![],
        during: Interval::new(d13, None),
        source: "test".into(),
    });
    let mut ccg = Instrument::new("hsca-2012-ccg", InstrumentKind::Conferral, d13);
    ccg.maker = Some("PARLIAMENT".into());
    ccg.terms_mut().basis = Some("Health and Social Care Act 2012".into());
    ccg.title = "CCG functions".into();
    ccg.terms_mut().receivers = Receivers::Every(BodyKind::Ccg);
    ccg.functions = vec!["commissioning.secondary-care".into()].into();
    ccg.area = Some(AreaExpr::Own);
    r.add_instrument(ccg);
    let mut nhse = Instrument::new("hsca-2012-nhse", InstrumentKind::Conferral, d13);
    nhse.maker = Some("PARLIAMENT".into());
    nhse.terms_mut().basis = Some("Health and Social Care Act 2012".into());
    nhse.title = "NHS England primary care".into();
    nhse.terms_mut().receivers = Receivers::Bodies(vec!["X24".into()]);
    nhse.functions = vec!["commissioning.primary-care".into()].into();
    nhse.area = Some(AreaExpr::England);
    r.add_instrument(nhse);
    let mut del = Instrument::new(
        "deleg-13T-medical",
        InstrumentKind::Delegation,
        date(2015, 4, 1),
    );
    del.maker = Some("X24".into());
    del.terms_mut().basis = Some("NHS Act 2006 s.13Z".into());
    del.title = "Delegation of primary medical care to 13T".into();
    del.terms_mut().receivers = Receivers::Bodies(vec!["13T".into()]);
    del.functions = vec!["commissioning.primary-care.medical".into()].into();
    del.area = Some(AreaExpr::Footprint("13T".into()));
    del.until = Some(date(2022, 7, 1));
    r.add_instrument(del);
    // Void: a CCG cannot delegate under a power that does not exist (V005), so /invalid
    // has something to show.
    let mut bad = Instrument::new(
        "bad-deleg-08Q",
        InstrumentKind::Delegation,
        date(2016, 1, 1),
    );
    bad.maker = Some("08Q".into());
    bad.terms_mut().basis = Some("Imaginary Act s.99".into());
    bad.title = "A delegation without a power".into();
    bad.terms_mut().receivers = Receivers::Bodies(vec!["X24".into()]);
    bad.functions = vec!["commissioning.secondary-care".into()].into();
    bad.area = Some(AreaExpr::Footprint("08Q".into()));
    r.add_instrument(bad);
    r
}

/// The same request bodies the tests send, as core values, for comparing answers.
pub fn delegation_json(id: &str, receiver: &str, from: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "title": format!("Delegation of dental to {receiver}"),
        "kind": "delegation",
        "maker": "X24",
        "basis": "NHS Act 2006 s.13Z",
        "receivers": {"bodies": [receiver]},
        "functions": ["commissioning.primary-care.dental"],
        "area": {"footprint": receiver},
        "from": from,
    })
}

pub struct Server {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    pub tokens: Tokens,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

#[derive(Clone)]
pub struct Tokens {
    pub viewer: String,
    pub editor: String,
    pub approver: String,
    pub admin: String,
}

pub fn test_config(db: &str) -> ServeConfig {
    let mut c = ServeConfig {
        db: db.to_string(),
        ..Default::default()
    };
    c.limits.min_revision_wait_ms = 400;
    c.limits.max_body_bytes = 64 * 1024;
    c.auth.read = ReadAccess::Public;
    c
}

/// Creates a user of each role with a token (first server on a database only).
pub fn make_users(store: &dyn Store) -> Tokens {
    let mut out = Vec::new();
    for (name, role) in [
        ("vera", Role::Viewer),
        ("ed", Role::Editor),
        ("ava", Role::Approver),
        ("root", Role::Admin),
    ] {
        store.create_user(name, role).unwrap();
        out.push(store.create_token(name, "test").unwrap().token);
    }
    Tokens {
        viewer: out[0].clone(),
        editor: out[1].clone(),
        approver: out[2].clone(),
        admin: out[3].clone(),
    }
}

impl Server {
    /// Starts a server over `config.db`; creates users if `tokens` is None.
    pub async fn start(config: ServeConfig, tokens: Option<Tokens>) -> Server {
        let (state, tokens) = tokio::task::spawn_blocking(move || {
            let store: Arc<dyn Store> = vires_server::open_store(&config.db).unwrap();
            let state = AppState::open(store.clone(), register(), FINGERPRINT, config).unwrap();
            let tokens = tokens.unwrap_or_else(|| make_users(store.as_ref()));
            // Subscribing may connect to PostgreSQL, which blocks: not on an async thread.
            state.spawn_watcher().unwrap();
            (state, tokens)
        })
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let st = state.clone();
        let task = tokio::spawn(async move {
            vires_server::run(
                listener,
                st,
                async {
                    let _ = rx.await;
                },
                Duration::from_secs(2),
            )
            .await
            .unwrap();
        });
        Server {
            base,
            state,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            tokens,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (u16, u64, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let rev = revision_of(&r);
        let v: serde_json::Value = r.json().await.unwrap();
        (status, rev, v)
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(path))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), t)
                .await
                .expect("server did not shut down within 10 s")
                .unwrap();
        }
    }
}

pub fn revision_of(r: &reqwest::Response) -> u64 {
    r.headers()
        .get("vires-revision")
        .unwrap_or_else(|| panic!("no Vires-Revision header on {}", r.url()))
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Asserts a problem+json response with `status`, returning the problem.
pub async fn expect_problem(r: reqwest::Response, status: u16) -> serde_json::Value {
    let got = r.status().as_u16();
    let ct = r
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let url = r.url().to_string();
    let text = r.text().await.unwrap();
    assert_eq!(got, status, "{url}: expected {status}, got {got}: {text}");
    assert!(
        ct.starts_with("application/problem+json"),
        "{url}: content type {ct}: {text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["status"], status, "{v}");
    assert!(
        v["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:vires:problem:"),
        "{v}"
    );
    assert!(!v["detail"].as_str().unwrap().is_empty(), "{v}");
    v
}

/// A fresh PostgreSQL database for one test run, from VIRES_TEST_PG. Fails loudly when
/// the variable is missing unless VIRES_ALLOW_NO_PG=1.
pub fn fresh_pg_database(tag: &str) -> Option<String> {
    let Ok(url) = std::env::var("VIRES_TEST_PG") else {
        if std::env::var("VIRES_ALLOW_NO_PG").as_deref() == Ok("1") {
            eprintln!("VIRES_TEST_PG is not set and VIRES_ALLOW_NO_PG=1: the PostgreSQL run of the API suite did NOT run");
            return None;
        }
        panic!("VIRES_TEST_PG is not set: run the PostgreSQL API suite with scripts/with-postgres.sh cargo test -p vires-server, or set VIRES_ALLOW_NO_PG=1 to skip it knowingly");
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let nonce: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let name = format!(
        "vires_server_{tag}_{}_{}",
        std::process::id(),
        nonce % 1_000_000_000
    );
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (prefix, _) = url.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}
