//! The quick benchmark's timing on a small register: every timed call answered its own
//! question. The expected answers are asked here, untimed, one question at a time, straight
//! from each engine; the timing code's own checks are not relied on.

use vires_bench::cedar::CedarPeer;
use vires_bench::sqlite::SqlitePeer;
use vires_bench::synth;
use vires_bench::timing::{compare_then_time, time_queries, who_token};
use vires_core::resolve::Resolution;
use vires_core::{Place, Snapshot};

fn place(q: &synth::Question) -> Place {
    Place::Practice(q.practice.as_str().into())
}

#[test]
fn every_timed_call_answers_its_own_question() {
    let syn = synth::generate(3_000, 7);
    let snap = Snapshot::compile(syn.register);
    let qs = synth::questions(&snap, 400, 3, &synth::query_functions());
    assert_eq!(qs.len(), 400);
    let t = time_queries(&snap, &qs, 0.0);
    assert_eq!(t.who.answers.len(), qs.len());
    let mut r = Resolution::default();
    let mut distinct = std::collections::BTreeSet::new();
    for (n, q) in qs.iter().enumerate() {
        let p = place(q);
        let who = who_token(snap.who(&q.function, &p, q.on, q.purpose.as_deref()));
        assert_eq!(t.who.answers[n], who, "who, question {n}: {q:?}");
        distinct.insert(who);
        let keys = snap.place_keys(&p, q.on).unwrap();
        snap.resolve(snap.function_id(&q.function).unwrap(), q.on, &keys, &mut r);
        assert_eq!(
            t.hot.answers[n],
            vires_bench::timing::resolution_token(&r),
            "hot path, question {n}: {q:?}"
        );
        let may = snap
            .may(&q.body, &q.function, &p, q.on, q.purpose.as_deref())
            .unwrap();
        assert_eq!(t.may.answers[n], may.allowed, "may, question {n}: {q:?}");
    }
    // The answers differ from question to question, so a call answering its neighbour's
    // question would have been seen.
    assert!(
        distinct.len() > 40,
        "{} distinct who answers",
        distinct.len()
    );
}

#[test]
fn every_timed_peer_call_gives_the_compared_answer() {
    let syn = synth::generate(3_000, 11);
    let snap = Snapshot::compile(syn.register);
    let cedar = CedarPeer::encode(&snap).unwrap();
    let sqlite = SqlitePeer::load(&snap).unwrap();
    let qs = synth::questions(&snap, 300, 5, &synth::query_functions());
    let run = compare_then_time(&snap, &cedar, &sqlite, &qs, 0.0).unwrap();
    assert_eq!(
        run.compared.len(),
        qs.len(),
        "every timed question was compared"
    );
    for (n, q) in qs.iter().enumerate() {
        let v = snap
            .may(&q.body, &q.function, &place(q), q.on, q.purpose.as_deref())
            .unwrap()
            .allowed;
        assert_eq!(run.compared[n], v, "compared answer, question {n}: {q:?}");
        assert_eq!(run.vires.answers[n], v, "vires timed, question {n}: {q:?}");
        assert_eq!(
            run.cedar.answers[n],
            cedar.may(q).unwrap().allowed,
            "Cedar timed, {n}"
        );
        assert_eq!(
            run.sqlite.answers[n],
            sqlite.may(q).unwrap().allowed,
            "SQLite timed, {n}"
        );
    }
    let yes = run.yes();
    assert!(
        yes > 30 && yes < 270,
        "{yes} of 300 allowed: both answers must occur"
    );
}
