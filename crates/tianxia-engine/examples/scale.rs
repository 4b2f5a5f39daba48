//! How the cost of a turn grows with the world: synthetic grid worlds (the builder's
//! `grid_world`, three factions at war) at the sizes of the engine's budgets: 100
//! provinces with 30 armies, 1,024 with 300 and 10,000 with 2,000. Prints one line per
//! size: provinces, armies, milliseconds per turn, then the growth from 1,000 to 10,000
//! provinces. A size's figure is the median, over several repetitions of the same run,
//! of the mean time of a turn over the turns after a warm-up (the same turns each time,
//! so the repetitions differ only by the machine's noise).
//!
//! `cargo run --release --example scale [--quick]`

// The engine reads no clock (clippy.toml); this example, which only times it, does.
#![allow(clippy::disallowed_types)]

use std::time::Instant;
use tianxia_engine::Sim;
use tianxia_engine::builder::grid_world;

fn turn_ms(side: usize, armies: usize, warm: usize, turns: usize, reps: usize) -> f64 {
    let spec = grid_world(side, armies);
    let mut means: Vec<f64> = (0..reps)
        .map(|_| {
            let mut sim = Sim::new(&spec, 7).unwrap_or_else(|e| panic!("grid world does not build: {e}"));
            for _ in 0..warm {
                sim.step();
            }
            let t = Instant::now();
            for _ in 0..turns {
                sim.step();
            }
            t.elapsed().as_secs_f64() * 1e3 / turns as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    means[means.len() / 2]
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (warm, turns, reps) = if quick { (3, 5, 1) } else { (5, 15, 5) };
    println!("{:>9} {:>7} {:>10}", "provinces", "armies", "ms/turn");
    let mut at = Vec::new();
    for (side, armies) in [(10usize, 30usize), (32, 300), (100, 2000)] {
        let provinces = side * side;
        let ms = turn_ms(side, armies, warm, turns, reps);
        println!("{provinces:>9} {armies:>7} {ms:>10.3}");
        at.push((provinces, ms));
    }
    let (small, large) = (at[1], at[2]);
    println!(
        "growth {} -> {} provinces: {:.1}x for {:.1}x the entities",
        small.0,
        large.0,
        large.1 / small.1,
        large.0 as f64 / small.0 as f64
    );
}
