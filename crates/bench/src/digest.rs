//! A digest of what a snapshot says, from a canonical serialisation: one JSON record per
//! grant, diagnostic, instrument, body, membership and sample answer, each an object with
//! named fields in sorted order that names things by their codes and ids (a body by code
//! and first day of its life, an instrument by id, a grant by its own record), never by a
//! type's or field's name in the code or an internal number. Records are hashed one by one
//! (SHA-256) and the sorted record hashes hashed again, so the digest depends on neither the
//! order things are built in nor how the snapshot is laid out in memory: a change meant to
//! make the build faster must leave it as it was, and renaming a type cannot move it.

use crate::synth;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use vires_core::snapshot::AreaKey;
use vires_core::{BodyId, Grant, GrantId, Interval, Place, Snapshot};

/// The digest, and how many records and bytes of canonical text it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotDigest {
    pub hex: String,
    pub records: usize,
    pub bytes: usize,
}

/// A record: named fields, sorted by name when written.
type Record = BTreeMap<&'static str, Value>;

fn body(snap: &Snapshot, b: BodyId) -> String {
    let body = snap.register().body(b);
    format!("{} from {}", body.code, body.life.from)
}

fn until(i: &Interval) -> Value {
    i.until.map_or(Value::Null, |d| json!(d.to_string()))
}

fn area(snap: &Snapshot, k: &AreaKey) -> String {
    match k {
        AreaKey::England => "england".into(),
        AreaKey::Body(b) => format!("footprint of {}", body(snap, *b)),
        AreaKey::Practice(a) => {
            format!("practice {}", snap.register().practices[a.0 as usize].code)
        }
    }
}

fn instrument(snap: &Snapshot, i: vires_core::InstrumentId) -> String {
    snap.register()
        .instruments
        .get(i.0 as usize)
        .map_or_else(|| format!("#{}", i.0), |ins| ins.id.to_string())
}

fn sorted(mut v: Vec<String>) -> Value {
    v.sort();
    json!(v)
}

/// A grant's own record, without its parent.
fn grant_record(snap: &Snapshot, g: &Grant) -> Record {
    let tax = &snap.register().taxonomy;
    let fname = |f: vires_core::FunctionId| tax.def(f).id.clone();
    let mut r = Record::new();
    r.insert("record", json!("grant"));
    r.insert("holder", json!(body(snap, g.holder)));
    r.insert("accountable", json!(body(snap, g.accountable)));
    r.insert("role", json!(g.role.as_str()));
    r.insert("function", json!(fname(g.function)));
    r.insert(
        "except",
        sorted(snap.excluded(g).iter().map(|f| fname(*f)).collect()),
    );
    r.insert("from", json!(g.during.from.to_string()));
    r.insert("until", until(&g.during));
    r.insert("instrument", json!(instrument(snap, g.instrument)));
    r.insert(
        "via",
        sorted(snap.via(g).iter().map(|i| instrument(snap, *i)).collect()),
    );
    r.insert("purposes", sorted(snap.purposes(g).to_vec()));
    r.insert("concurrent", json!(g.concurrent));
    r.insert(
        "onward",
        json!(match g.onward {
            vires_core::Onward::Permitted => "permitted",
            vires_core::Onward::Forbidden => "forbidden",
        }),
    );
    r.insert(
        "areas",
        sorted(snap.areas(g).iter().map(|k| area(snap, k)).collect()),
    );
    r
}

fn text(r: &Record) -> String {
    serde_json::to_string(r).unwrap_or_default()
}

fn sha(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every canonical record of `snap`, passed to `each` one at a time (they are not held:
/// at a million instruments they are hundreds of megabytes). `questions` sample `who`
/// answers are included, so the indexes that answer questions are covered too.
pub fn canonical_records(snap: &Snapshot, questions: usize, mut each: impl FnMut(&str)) {
    let reg = snap.register();
    // A grant is named by the hash of its own record; its record names its parent so.
    let own: Vec<[u8; 32]> = snap
        .grants
        .iter()
        .map(|g| sha(&text(&grant_record(snap, g))))
        .collect();
    for (n, g) in snap.grants.iter().enumerate() {
        let mut r = grant_record(snap, g);
        r.insert(
            "parent",
            g.parent
                .get()
                .and_then(|p| own.get(p.0 as usize))
                .map_or(Value::Null, |h| json!(hex(&h[..16]))),
        );
        let children: Vec<String> = snap
            .children_of(GrantId(n as u32))
            .iter()
            .filter_map(|c| own.get(c.0 as usize))
            .map(|h| hex(&h[..16]))
            .collect();
        r.insert("children", sorted(children));
        each(&text(&r));
    }
    drop(own);
    for d in &snap.diagnostics {
        let mut r = Record::new();
        r.insert("record", json!("diagnostic"));
        r.insert("code", json!(d.code));
        r.insert(
            "severity",
            json!(match d.severity {
                vires_core::Severity::Error => "error",
                vires_core::Severity::Warning => "warning",
            }),
        );
        r.insert("subject", json!(d.subject));
        r.insert("message", json!(d.message));
        r.insert("help", json!(d.help));
        each(&text(&r));
    }
    for (n, ins) in reg.instruments.iter().enumerate() {
        let i = vires_core::InstrumentId(n as u32);
        let mut r = Record::new();
        r.insert("record", json!("instrument"));
        r.insert("id", json!(ins.id.to_string()));
        r.insert("void", json!(snap.is_void(i)));
        r.insert(
            "effective_until",
            snap.effective_until(i)
                .map_or(Value::Null, |d| json!(d.to_string())),
        );
        r.insert(
            "power",
            snap.power_of(i).map_or(Value::Null, |p| json!(p.id)),
        );
        r.insert("grants", json!(snap.grants_of_instrument(i).len()));
        each(&text(&r));
    }
    for n in 0..reg.bodies.len() {
        let b = BodyId(n as u32);
        let mut r = Record::new();
        r.insert("record", json!("body"));
        r.insert("body", json!(body(snap, b)));
        r.insert(
            "successor",
            snap.successor_of(b).map_or(Value::Null, |(on, to, via)| {
                json!({"on": on.to_string(), "body": body(snap, to), "instrument": instrument(snap, via)})
            }),
        );
        r.insert("grants_held", json!(snap.grants_of_holder(b).len()));
        each(&text(&r));
    }
    for (n, practice) in reg.practices.iter().enumerate() {
        for m in snap.memberships_of(vires_core::PracticeId(n as u32)) {
            let mut r = Record::new();
            r.insert("record", json!("membership"));
            r.insert("practice", json!(practice.code.as_str()));
            r.insert("body", json!(body(snap, m.body)));
            r.insert("from", json!(m.during.from.to_string()));
            r.insert("until", until(&m.during));
            each(&text(&r));
        }
    }
    let functions: Vec<String> = reg.taxonomy.iter().map(|(_, d)| d.id.clone()).collect();
    for q in synth::questions(snap, questions, 1, &functions) {
        let place = Place::Practice(q.practice.as_str().into());
        let mut r = Record::new();
        r.insert("record", json!("who"));
        r.insert("function", json!(q.function));
        r.insert("practice", json!(q.practice));
        r.insert("on", json!(q.on.to_string()));
        r.insert("purpose", json!(q.purpose));
        let answer = snap.who(&q.function, &place, q.on, q.purpose.as_deref());
        r.insert(
            "answer",
            match answer {
                Ok(w) => json!({
                    "holders": w.holders.iter().map(|h| json!({
                        "body": h.body.as_str(), "role": h.role.as_str(),
                        "accountable": h.accountable.as_str(), "function": h.function.as_str(),
                        "from": h.from.to_string(), "until": h.until.map(|d| d.to_string()),
                        "coverage": match h.coverage {
                            vires_core::Coverage::Full => "full",
                            vires_core::Coverage::Partial => "partial",
                        },
                        "purposes": h.purposes,
                        "proof": h.proof.iter().map(|s| s.instrument.clone()).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                    "accountable_only": w.accountable_only,
                }),
                Err(e) => json!({ "error": e.to_string() }),
            },
        );
        each(&text(&r));
    }
}

/// The digest of `snap`'s canonical records (see the module's documentation).
pub fn digest(snap: &Snapshot, questions: usize) -> SnapshotDigest {
    let mut hashes: Vec<[u8; 32]> = Vec::new();
    let mut bytes = 0;
    canonical_records(snap, questions, |line| {
        bytes += line.len() + 1;
        hashes.push(sha(line));
    });
    hashes.sort_unstable();
    let mut all = Sha256::new();
    for h in &hashes {
        all.update(h);
    }
    SnapshotDigest {
        hex: hex(&all.finalize()),
        records: hashes.len(),
        bytes,
    }
}
