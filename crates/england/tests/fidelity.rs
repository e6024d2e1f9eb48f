//! The data-fidelity suite: facts taken from public documents (Acts, NHS England board papers
//! and publications, ODS and ONS releases, parliamentary answers), each row of
//! `fidelity/facts.csv` citing its source by an id of `fidelity/sources.csv`, checked against
//! the real bundled England register. The expected values were transcribed from the
//! documents, never from vires' answers. `docs/data.md` says how to add a fact.

use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;
use vires_core::{BodyKind, Place, Register, Snapshot};

struct Fixture {
    register: Register,
    snap: Snapshot,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let import = vires_england::bundled().expect("the bundled register builds");
        let snap = Snapshot::compile(import.register.clone());
        Fixture {
            register: import.register,
            snap,
        }
    })
}

fn table(name: &str) -> Vec<csv::StringRecord> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fidelity")
        .join(name);
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    rdr.records()
        .map(|r| r.unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// One fact: what to ask, and what the public record says the answer is.
struct Fact {
    line: usize,
    family: String,
    check: String,
    subject: String,
    place: String,
    on: Date,
    expect: String,
    source: String,
}

fn facts() -> Vec<Fact> {
    table("facts.csv")
        .into_iter()
        .map(|r| {
            // The file's own line (comment lines are skipped, so not the record's index).
            let line = r.position().map_or(0, |p| p.line() as usize);
            let field = |n: usize| r.get(n).unwrap_or("").to_string();
            Fact {
                line,
                family: field(0),
                check: field(1),
                subject: field(2),
                place: field(3),
                on: field(4)
                    .parse()
                    .unwrap_or_else(|e| panic!("facts.csv:{line}: date: {e}")),
                expect: field(5),
                source: field(6),
            }
        })
        .collect()
}

fn place(s: &str) -> Place {
    match s.split_once(':') {
        Some(("practice", code)) => Place::Practice(code.into()),
        Some(("body", code)) => Place::Body(code.into()),
        _ => panic!("place `{s}`: expected practice:CODE or body:CODE"),
    }
}

/// `BODY:role` for every holder of `function` at `place` on `on`: of all of it (by a holding
/// of it or of a function above it), as the facts say; a holder of only a part of it (a
/// function below it, which the answer names) holds another function.
fn holders(
    f: &Fixture,
    function: &str,
    place: &Place,
    on: Date,
) -> Result<BTreeSet<String>, String> {
    let who = f
        .snap
        .who(function, place, on, None)
        .map_err(|e| e.to_string())?;
    let whole = |held: &str| {
        held == function
            || (function.starts_with(held) && function.as_bytes().get(held.len()) == Some(&b'.'))
    };
    Ok(who
        .holders
        .iter()
        .filter(|h| whole(&h.function))
        .map(|h| format!("{}:{}", h.body, h.role))
        .collect())
}

fn expected_set(s: &str) -> BTreeSet<String> {
    s.split_whitespace().map(String::from).collect()
}

/// Checks one fact; `Err` says what the register answered instead.
fn check(f: &Fixture, fact: &Fact) -> Result<(), String> {
    let reg = &f.register;
    match fact.check.as_str() {
        // Exactly these holders (`BODY:role ...`; `-` for nobody).
        "holders" => {
            let got = holders(f, &fact.subject, &place(&fact.place), fact.on)?;
            let want = if fact.expect == "-" {
                BTreeSet::new()
            } else {
                expected_set(&fact.expect)
            };
            (got == want)
                .then_some(())
                .ok_or(format!("holders {got:?}"))
        }
        // These holders among others.
        "holds" => {
            let got = holders(f, &fact.subject, &place(&fact.place), fact.on)?;
            let want = expected_set(&fact.expect);
            want.is_subset(&got)
                .then_some(())
                .ok_or(format!("holders {got:?}"))
        }
        // None of these bodies holds it, in any role.
        "not-held-by" => {
            let got = holders(f, &fact.subject, &place(&fact.place), fact.on)?;
            let bodies: BTreeSet<&str> = got.iter().filter_map(|h| h.split(':').next()).collect();
            match fact.expect.split_whitespace().find(|b| bodies.contains(b)) {
                None => Ok(()),
                Some(b) => Err(format!("{b} holds it: {got:?}")),
            }
        }
        // `BODY yes|no`: may that body exercise the function there then?
        "may" => {
            let (body, want) = fact.expect.split_once(' ').ok_or("expect `BODY yes|no`")?;
            let may = f
                .snap
                .may(body, &fact.subject, &place(&fact.place), fact.on, None)
                .map_err(|e| e.to_string())?;
            let got = if may.allowed { "yes" } else { "no" };
            (got == want)
                .then_some(())
                .ok_or(format!("{got}: {}", may.reason))
        }
        // How many bodies of a kind existed on a date.
        "count" => {
            let kind = BodyKind::parse(&fact.subject).ok_or("unknown body kind")?;
            let n = reg
                .bodies
                .iter()
                .filter(|b| b.kind == kind && b.life.contains(fact.on))
                .count();
            (n.to_string() == fact.expect)
                .then_some(())
                .ok_or(format!("{n}"))
        }
        // The body with this code on that date is of this kind (`none`: no body).
        "kind" => {
            let got = reg
                .body_at(&fact.subject, fact.on)
                .map(|b| reg.body(b).kind.as_str().to_string())
                .unwrap_or_else(|| "none".into());
            (got == fact.expect).then_some(()).ok_or(got)
        }
        // The body's ONS code.
        "ons" => {
            let b = reg
                .body_at(&fact.subject, fact.on)
                .ok_or("no body with that code then")?;
            let got = reg.body(b).ons_code.clone().unwrap_or_default();
            (got == fact.expect).then_some(()).ok_or(got)
        }
        // The body (a sub-ICB location) sits in this parent on that date.
        "parent" => {
            let child = reg
                .body_at(&fact.subject, fact.on)
                .ok_or("no body with that code then")?;
            let parents: Vec<&str> = reg
                .parents
                .iter()
                .filter(|p| p.child == child && p.during.contains(fact.on))
                .map(|p| reg.body(p.parent).code.as_str())
                .collect();
            (parents == [fact.expect.as_str()])
                .then_some(())
                .ok_or(format!("{parents:?}"))
        }
        // The code was succeeded by these codes on that date.
        "successor" => {
            let got: BTreeSet<&str> = reg
                .successions
                .iter()
                .filter(|s| s.from == fact.subject && s.on == fact.on)
                .map(|s| s.to.as_str())
                .collect();
            let want: BTreeSet<&str> = fact.expect.split_whitespace().collect();
            (got == want).then_some(()).ok_or(format!("{got:?}"))
        }
        // The named area (a region, a district) with this id has this name.
        "area-name" => {
            let got = reg
                .area(&fact.subject)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| "none".into());
            (got == fact.expect).then_some(()).ok_or(got)
        }
        other => Err(format!("unknown check `{other}`")),
    }
}

#[test]
fn every_fact_from_the_public_record_holds_in_the_bundled_register() {
    let f = fixture();
    let sources: BTreeMap<String, String> = table("sources.csv")
        .into_iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    let facts = facts();
    let mut failures = Vec::new();
    for fact in &facts {
        assert!(
            sources.contains_key(&fact.source),
            "facts.csv:{}: source `{}` is not in sources.csv",
            fact.line,
            fact.source
        );
        if let Err(got) = check(f, fact) {
            failures.push(format!(
                "facts.csv:{} [{}] {} {} {} {}: expected {}, register says {got} (source: {})",
                fact.line,
                fact.family,
                fact.check,
                fact.subject,
                fact.place,
                fact.on,
                fact.expect,
                fact.source
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} facts differ from the public record:\n{}",
        failures.len(),
        facts.len(),
        failures.join("\n")
    );
}

#[test]
fn the_suite_is_large_cites_only_known_sources_and_spans_every_family() {
    let facts = facts();
    assert!(facts.len() >= 200, "{} facts", facts.len());
    let families: BTreeSet<&str> = facts.iter().map(|f| f.family.as_str()).collect();
    for family in [
        "counts",
        "memberships",
        "boundary-changes",
        "delegations",
        "specialised",
        "retained",
        "public-health",
    ] {
        assert!(families.contains(family), "no `{family}` facts");
    }
    // Every source is used, so the list names nothing the suite does not rest on.
    let used: BTreeSet<&str> = facts.iter().map(|f| f.source.as_str()).collect();
    for r in table("sources.csv") {
        assert!(used.contains(&r[0]), "source `{}` is unused", &r[0]);
        assert!(
            !r[1].trim().is_empty(),
            "source `{}` has no citation",
            &r[0]
        );
    }
}

#[test]
fn a_wrong_fact_is_caught() {
    // The checks can fail: the same register refuses facts that are false.
    let f = fixture();
    let wrong = Fact {
        line: 0,
        family: "delegations".into(),
        check: "holders".into(),
        subject: "commissioning.primary-care.medical.performers".into(),
        place: "body:QHM".into(),
        on: "2023-01-01".parse().unwrap(),
        expect: "QHM:delegate".into(),
        source: "test".into(),
    };
    assert!(check(f, &wrong).is_err());
    let wrong_count = Fact {
        check: "count".into(),
        subject: "icb".into(),
        place: String::new(),
        expect: "41".into(),
        ..wrong
    };
    assert!(check(f, &wrong_count).is_err());
}
