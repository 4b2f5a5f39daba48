//! Parsing, validating and building the world of a scenario (budget for the 1231
//! scenario: 5 ms), and building a run's world from an already validated scenario (what
//! every run of a batch pays instead).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use tianxia_scenario::{LoadOptions, load};

fn scenario(c: &mut Criterion) {
    for name in ["1231_borrowed_road", "1217_jin_invasion", "tutorial_two_kingdoms"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.ron"));
        c.bench_function(&format!("load_validate_build_{name}"), |b| {
            b.iter(|| {
                let s = load(black_box(&path), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
                black_box(s.sim(1).map(|sim| sim.finished()))
            })
        });
        let s = load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        c.bench_function(&format!("world_from_validated_{name}"), |b| {
            b.iter(|| black_box(s.sim(black_box(7)).map(|sim| sim.finished())))
        });
        c.bench_function(&format!("one_full_run_{name}"), |b| {
            b.iter(|| black_box(s.sim(black_box(7)).map(|mut sim| sim.run().turns)))
        });
        // What a batch worker pays per run: the world rebuilt in place (schedule kept),
        // the log keeping only its digest.
        let mut runner = s.runner();
        let mut seed = 0u64;
        c.bench_function(&format!("run_on_a_reused_world_{name}"), |b| {
            b.iter(|| {
                seed = seed.wrapping_add(1);
                black_box(s.run_with(&mut runner, seed, false).map(|r| r.turns))
            })
        });
        // The fixed cost of a run on a reused world: drawing the uncertain numbers and
        // rebuilding the world, without playing a turn.
        c.bench_function(&format!("rebuild_a_reused_world_{name}"), |b| {
            b.iter(|| {
                seed = seed.wrapping_add(1);
                black_box(s.prepare(&mut runner, seed).map(|sim| sim.finished()))
            })
        });
    }
}

criterion_group!(benches, scenario);
criterion_main!(benches);
