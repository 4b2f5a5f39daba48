//! One turn of a 100-province, 30-army world at war (budget: 50 µs median), and building
//! that world from its spec.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tianxia_engine::Sim;
use tianxia_engine::builder::grid_world;

fn turn(c: &mut Criterion) {
    let spec = grid_world(10, 30);
    // Warm the world up a few turns so armies are on the move and in contact.
    let warmed = |turns: usize| {
        let mut sim = Sim::new(&spec, 7).unwrap_or_else(|e| panic!("benchmark world does not build: {e}"));
        for _ in 0..turns {
            sim.step();
        }
        sim
    };
    c.bench_function("turn_100_provinces_30_armies", |b| {
        b.iter_batched_ref(|| warmed(3), |sim| black_box(sim.step()), BatchSize::SmallInput)
    });
    c.bench_function("build_world_100_provinces_30_armies", |b| {
        b.iter(|| black_box(Sim::new(black_box(&spec), 7).map(|s| s.finished())))
    });
    c.bench_function("full_run_60_turns_100_provinces_30_armies", |b| {
        b.iter(|| {
            let mut sim = warmed(0);
            black_box(sim.run())
        })
    });
}

criterion_group!(benches, turn);
criterion_main!(benches);
