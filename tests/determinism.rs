//! Determinism of the shipped scenarios: pinned digests, and a world rebuilt in place
//! (as every batch worker does) gives exactly what a freshly built one gives.

use std::path::Path;
use tianxia_scenario::{LoadOptions, Scenario, load};

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.ron"));
    load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name} does not load: {e}"))
}

/// The digest of seed 1 of every shipped scenario. When a change moves one on purpose,
/// update it here in the same commit and say why in the message.
const PINNED: &[(&str, &str)] = &[
    ("1231_borrowed_road", "eaaa91e4eb56fc74"),
    ("1217_jin_invasion", "666aeecdccd511ac"),
    ("tutorial_two_kingdoms", "df4676c2be6f37e8"),
];

#[test]
fn the_seed_digests_of_the_shipped_scenarios_are_pinned() {
    for (name, digest) in PINNED {
        let mut sim = scenario(name).sim(1).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(sim.run().digest, *digest, "{name}, seed 1");
    }
}

#[test]
fn every_shipped_scenario_file_has_a_pinned_digest() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().is_some_and(|x| x == "ron") {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            assert!(PINNED.iter().any(|(n, _)| *n == stem), "scenarios/{stem}.ron has no pinned digest");
        }
    }
}

#[test]
fn a_world_rebuilt_in_place_runs_exactly_as_a_fresh_one() {
    for (name, _) in PINNED {
        let s = scenario(name);
        let mut runner = s.runner();
        // Seeds out of order, so each rebuild follows a different history.
        for seed in [5u64, 0, 17, 3, 3, 11, 0, 42] {
            let fresh = s.sim(seed).unwrap_or_else(|e| panic!("{name}: {e}")).run();
            let reused = s.run_with(&mut runner, seed, true).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(reused, fresh, "{name}, seed {seed}: the rebuilt world diverged");
            let quiet = s.run_with(&mut runner, seed, false).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(quiet, fresh, "{name}, seed {seed}: keeping only the digest changed the run");
        }
    }
}

#[test]
fn state_hashes_of_a_rebuilt_world_match_a_fresh_one_turn_by_turn() {
    let s = scenario("1231_borrowed_road");
    let mut runner = s.runner();
    s.run_with(&mut runner, 9, false).unwrap_or_else(|e| panic!("{e}"));
    let mut fresh = s.sim(4).unwrap_or_else(|e| panic!("{e}"));
    fresh.run();
    let sim = s.prepare(&mut runner, 4).unwrap_or_else(|e| panic!("{e}"));
    sim.keep_log(true);
    sim.run();
    assert!(!fresh.state_hashes().is_empty());
    assert_eq!(sim.state_hashes(), fresh.state_hashes());
}
