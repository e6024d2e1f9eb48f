//! Criterion benchmarks for `who` and `may` on a generated register of about 100,000
//! instruments: the full answer (holders with proofs) and the allocation-light hot path
//! (`place_keys` + `resolve`). Run with `cargo bench -p vires-bench --bench who`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use vires_bench::synth;
use vires_core::resolve::Resolution;
use vires_core::{Place, Snapshot};

fn bench(c: &mut Criterion) {
    let syn = synth::generate(100_000, 20_260_401);
    assert!(syn.shape.instruments >= 100_000);
    let snap = Snapshot::compile(syn.register);
    let qs = synth::questions(&snap, 1_000, 1, &synth::query_functions());
    let places: Vec<Place> = qs
        .iter()
        .map(|q| Place::Practice(q.practice.as_str().into()))
        .collect();
    let fids: Vec<_> = qs
        .iter()
        .filter_map(|q| snap.function_id(&q.function).ok())
        .collect();
    assert_eq!(fids.len(), qs.len());

    let mut g = c.benchmark_group(format!("synthetic_{}_instruments", syn.shape.instruments));
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("who", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            let q = &qs[i];
            black_box(
                snap.who(&q.function, &places[i], q.on, q.purpose.as_deref())
                    .map(|w| w.holders.len()),
            )
        })
    });
    let mut r = Resolution::default();
    let mut j = 0;
    g.bench_function("who_hot_path", |b| {
        b.iter(|| {
            j = (j + 1) % qs.len();
            let q = &qs[j];
            if let Ok(keys) = snap.place_keys(&places[j], q.on) {
                snap.resolve(fids[j], q.on, &keys, &mut r);
            }
            black_box(r.holders.len())
        })
    });
    let mut k = 0;
    g.bench_function("may", |b| {
        b.iter(|| {
            k = (k + 1) % qs.len();
            let q = &qs[k];
            black_box(
                snap.may(&q.body, &q.function, &places[k], q.on, q.purpose.as_deref())
                    .map(|a| a.allowed),
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
