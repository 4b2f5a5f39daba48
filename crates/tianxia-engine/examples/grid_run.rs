//! Runs the benchmark grid world (for profilers such as callgrind):
//! `grid_run [runs] [side] [armies] [turns]` plays `runs` seeds of a `side` x `side` grid
//! with `armies` armies, each for `turns` turns (to the end if omitted).
use tianxia_engine::{Sim, builder::grid_world};

fn main() {
    let arg = |i: usize| std::env::args().nth(i).and_then(|a| a.parse::<usize>().ok());
    let runs = arg(1).unwrap_or(20) as u64;
    let spec = grid_world(arg(2).unwrap_or(10), arg(3).unwrap_or(30));
    let turns = arg(4).unwrap_or(usize::MAX);
    for seed in 0..runs {
        match Sim::new(&spec, seed) {
            Ok(mut sim) => {
                for _ in 0..turns {
                    if !sim.step() {
                        break;
                    }
                }
                println!("{}", sim.result().digest);
            }
            Err(e) => eprintln!("{e}"),
        }
    }
}
