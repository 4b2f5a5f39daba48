//! Runs the benchmark grid world many times (for profilers such as callgrind).
use tianxia_engine::{Sim, builder::grid_world};

fn main() {
    let runs: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let spec = grid_world(10, 30);
    for seed in 0..runs {
        match Sim::new(&spec, seed) {
            Ok(mut sim) => println!("{}", sim.run().digest),
            Err(e) => eprintln!("{e}"),
        }
    }
}
