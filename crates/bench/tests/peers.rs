//! Cedar and SQLite give vires's answers on a generated register, question by question,
//! so the timings compare like with like.

use vires_bench::cedar::CedarPeer;
use vires_bench::sqlite::SqlitePeer;
use vires_bench::synth;
use vires_core::{Place, Snapshot};

#[test]
fn peers_agree_with_vires() {
    let syn = synth::generate(4_000, 11);
    let snap = Snapshot::compile(syn.register);
    let cedar = CedarPeer::encode(&snap).unwrap();
    let sqlite = SqlitePeer::load(&snap).unwrap();
    let qs = synth::questions(&snap, 400, 5, &synth::query_functions());
    assert_eq!(qs.len(), 400);
    let mut yes = 0;
    for q in &qs {
        let v = snap
            .may(
                &q.body,
                &q.function,
                &Place::Practice(q.practice.as_str().into()),
                q.on,
                q.purpose.as_deref(),
            )
            .unwrap();
        let c = cedar.may(q).unwrap();
        let s = sqlite.may(q).unwrap();
        assert_eq!(
            v.allowed, c.allowed,
            "Cedar on {q:?}: vires says {}",
            v.reason
        );
        assert_eq!(
            v.allowed, s.allowed,
            "SQLite on {q:?}: vires says {}",
            v.reason
        );
        if v.allowed {
            yes += 1;
            // Both proofs end at an instrument of the holding vires found, or one like it.
            let holding = v.holding.as_ref().unwrap();
            assert!(!c.proof.is_empty());
            assert_eq!(
                s.proof.first(),
                holding.proof.first().map(|p| &p.instrument),
                "{q:?}"
            );
        }
    }
    assert!(
        yes > 40 && yes < 360,
        "{yes} of 400 allowed: the sample must hold both answers"
    );
}
