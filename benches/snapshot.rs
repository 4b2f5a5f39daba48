//! Snapshots of the 1231 scenario on 20 January 1232 (turn 53, the eve of Sanfengshan):
//! taking one and encoding it (what `run --save` pays), decoding one and restoring it into
//! a reused world (what `resume` pays), and a fork (restore with fresh streams, what each
//! run of `batch --from` and `odds` pays before it plays). Budget: each well under 1 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use tianxia_engine::world::fork::ForkPlan;
use tianxia_engine::world::snapshot::Snapshot;
use tianxia_scenario::{LoadOptions, load};

fn snapshot(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/1231_borrowed_road.ron");
    let s = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let spec = s.world(1);
    let mut sim = s.sim(1).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..53 {
        sim.step();
    }
    c.bench_function("snapshot_take_and_encode_1231", |b| {
        b.iter(|| black_box(sim.snapshot().map(|snap| snap.to_bytes().len())))
    });
    let bytes = sim.snapshot().map(|snap| snap.to_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let mut target = s.sim(2).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("snapshot_decode_and_restore_1231", |b| {
        b.iter(|| {
            let snap = Snapshot::from_bytes(black_box(&bytes)).unwrap_or_else(|e| panic!("{e}"));
            black_box(target.restore(&spec, 1, &snap).map(|()| target.date()))
        })
    });
    let snap = Snapshot::from_bytes(&bytes).unwrap_or_else(|e| panic!("{e}"));
    target.keep_log(false);
    let plan = ForkPlan::default();
    let mut seed = 0u64;
    c.bench_function("snapshot_fork_1231", |b| {
        b.iter(|| {
            seed += 1;
            black_box(target.fork(&spec, &snap, &plan, seed).map(|()| target.date()))
        })
    });
    c.bench_function("snapshot_fork_and_play_out_1231", |b| {
        b.iter(|| {
            seed += 1;
            black_box(target.fork(&spec, &snap, &plan, seed).map(|()| target.run().turns))
        })
    });
}

criterion_group!(benches, snapshot);
criterion_main!(benches);
