//! Batch throughput on the 1231 scenario with one and with two worker threads (budget:
//! 10,000 runs in 10 s on 2 cores, and 2 threads at least 1.7x faster than one). The
//! documented end-to-end command is in README.md ("Benchmarks").

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use tianxia_montecarlo::{BatchConfig, plan_arms, run_batch};

fn batch(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/1231_borrowed_road.ron");
    let runs = 400;
    let mut group = c.benchmark_group("batch_1231");
    group.sample_size(10);
    group.throughput(Throughput::Elements(runs));
    for threads in [1, 2] {
        let cfg = BatchConfig {
            scenario: path.clone(),
            runs,
            base_seed: 7,
            arms: plan_arms(&[], &[], &[], &[]).unwrap_or_default(),
            mods: Vec::new(),
            threads: Some(threads),
            shard: None,
            out: None,
            resume: false,
            from: None,
        };
        group.bench_function(format!("{runs}_runs_{threads}_threads"), |b| {
            b.iter(|| black_box(run_batch(&cfg, &|_, _| {}).map(|r| r.runs_done).unwrap_or_else(|e| panic!("{e}"))))
        });
    }
    group.finish();
}

criterion_group!(benches, batch);
criterion_main!(benches);
