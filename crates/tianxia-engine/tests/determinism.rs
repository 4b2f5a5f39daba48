//! Same spec and seed, same event log, byte for byte; another seed, another history.

use tianxia_engine::Sim;
use tianxia_engine::builder::grid_world;

fn run(seed: u64) -> (String, Vec<u64>, usize) {
    let spec = grid_world(8, 18);
    let mut sim = Sim::new(&spec, seed).unwrap_or_else(|e| panic!("grid world does not build: {e}"));
    let r = sim.run();
    (r.digest, sim.state_hashes().to_vec(), sim.log().entries().len())
}

#[test]
fn the_same_seed_gives_the_same_digest_over_twenty_runs() {
    let (first, hashes, entries) = run(42);
    assert!(entries > 50, "the grid world should be eventful, logged only {entries} entries");
    for i in 0..20 {
        let (d, h, _) = run(42);
        assert_eq!(d, first, "run {i} diverged");
        assert_eq!(h, hashes, "run {i} diverged in its state hashes");
    }
}

#[test]
fn another_seed_gives_another_history() {
    let (a, ha, _) = run(42);
    let (b, hb, _) = run(43);
    assert_ne!(a, b);
    let first_divergence = ha.iter().zip(&hb).position(|(x, y)| x != y);
    assert!(first_divergence.is_some(), "state hashes never diverge between seeds");
}

#[test]
fn the_digest_is_sixteen_hex_digits() {
    let (d, _, _) = run(1);
    assert_eq!(d.len(), 16);
    assert!(d.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn runs_on_other_threads_match_runs_on_this_one() {
    let here = run(7).0;
    let there: Vec<String> = (0..2)
        .map(|_| std::thread::spawn(|| run(7).0))
        .map(|h| h.join().unwrap_or_else(|_| panic!("a run on another thread panicked")))
        .collect();
    assert!(there.iter().all(|d| *d == here));
}

#[test]
fn one_sim_rebuilt_for_worlds_of_other_sizes_runs_each_as_a_fresh_one() {
    let (small, large) = (grid_world(6, 12), grid_world(9, 24));
    let fresh = |spec: &tianxia_engine::WorldSpec, seed: u64| {
        let mut sim = Sim::new(spec, seed).unwrap_or_else(|e| panic!("grid world does not build: {e}"));
        let r = sim.run();
        (r, sim.state_hashes().to_vec())
    };
    let mut sim = Sim::new(&large, 1).unwrap_or_else(|e| panic!("grid world does not build: {e}"));
    sim.run();
    for (spec, seed) in [(&small, 2u64), (&large, 3), (&small, 4), (&small, 2), (&large, 1)] {
        sim.rebuild(spec, seed).unwrap_or_else(|e| panic!("rebuild: {e}"));
        let r = sim.run();
        let (expected, hashes) = fresh(spec, seed);
        assert_eq!(r, expected, "seed {seed}: a rebuilt world diverged from a fresh one");
        assert_eq!(sim.state_hashes(), hashes.as_slice(), "seed {seed}: state hashes");
    }
}

#[test]
fn the_ai_plans_from_trees_kept_across_turns_as_from_fresh_ones() {
    // Touching the parameters makes the AI let go of every tree it keeps; a run that does
    // so every turn must play exactly as one that keeps its trees while their costs hold.
    // (In these worlds, keeping a tree after a capture changed its costs would show.)
    for (side, armies, seed) in [(9usize, 24usize, 2u64), (12, 40, 4), (16, 90, 6)] {
        let spec = grid_world(side, armies);
        let play = |forget: bool| {
            let mut sim = Sim::new(&spec, seed).unwrap_or_else(|e| panic!("grid world does not build: {e}"));
            loop {
                if forget {
                    use bevy_ecs::change_detection::DetectChangesMut;
                    sim.world_mut().resource_mut::<tianxia_engine::params::Params>().set_changed();
                }
                if !sim.step() {
                    break;
                }
            }
            let captures = sim
                .log()
                .entries()
                .iter()
                .filter(|e| matches!(e.kind, tianxia_engine::LogKind::Captured { .. }))
                .count();
            (sim.result().digest, sim.state_hashes().to_vec(), captures)
        };
        let (kept, forgot) = (play(false), play(true));
        assert!(kept.2 > 0, "the world should see provinces change hands, so that trees go stale");
        assert_eq!(kept, forgot, "{side}x{side} grid, seed {seed}");
    }
}
