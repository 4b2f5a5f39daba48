//! Snapshots of the shipped scenarios: a run saved at a turn and continued (in a fresh
//! world, or in a reused one) is the uninterrupted run, byte for byte.

use std::path::Path;
use tianxia_engine::world::snapshot::Snapshot;
use tianxia_scenario::{LoadOptions, Scenario, load};

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.ron"));
    load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name} does not load: {e}"))
}

const SCENARIOS: &[&str] = &["1231_borrowed_road", "1217_jin_invasion", "tutorial_two_kingdoms"];

/// Plays `turns` turns of seed `seed` and takes a snapshot.
fn saved(s: &Scenario, seed: u64, turns: u32) -> Snapshot {
    let mut sim = s.sim(seed).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..turns {
        sim.step();
    }
    sim.snapshot().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_run_continued_from_a_snapshot_is_the_uninterrupted_run() {
    for name in SCENARIOS {
        let s = scenario(name);
        for seed in [1u64, 7] {
            let mut whole = s.sim(seed).unwrap_or_else(|e| panic!("{e}"));
            let result = whole.run();
            let n = result.turns;
            for turns in [0, 1, n / 4, n / 2, (3 * n) / 4, n - 1, n] {
                let snap = saved(&s, seed, turns);
                let bytes = snap.to_bytes();
                let back = Snapshot::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name} turn {turns}: {e}"));
                assert_eq!(back, snap, "{name} seed {seed} turn {turns}: the encoding does not round-trip");
                let spec = s.world(seed);
                // A world that has just played another run, as a batch worker's has.
                let mut sim = s.sim(seed + 100).unwrap_or_else(|e| panic!("{e}"));
                sim.run();
                sim.restore(&spec, seed, &back).unwrap_or_else(|e| panic!("{name} turn {turns}: {e}"));
                assert_eq!(
                    (sim.world().resource::<tianxia_engine::calendar::Calendar>().turn, sim.date()),
                    (turns, snap.date)
                );
                let mut played = 0;
                while sim.step() {
                    played += 1;
                }
                assert!(played + turns + 1 >= n && played + turns <= n, "{name}: {played} turns after {turns} of {n}");
                let resumed = sim.result();
                assert_eq!(resumed, result, "{name} seed {seed}: resumed after turn {turns} of {n}");
                assert_eq!(sim.state_hashes(), whole.state_hashes(), "{name} seed {seed} turn {turns}");
                assert_eq!(sim.log().entries(), whole.log().entries(), "{name} seed {seed} turn {turns}");
            }
        }
    }
}

#[test]
fn a_snapshot_saves_every_component_an_entity_ever_has() {
    // A component added to the model but not to the snapshot would be lost on resume:
    // every component of every entity, at every turn of these runs, must be a saved one.
    let saved = Snapshot::components();
    for name in SCENARIOS {
        let s = scenario(name);
        for seed in [1u64, 2, 3] {
            let mut sim = s.sim(seed).unwrap_or_else(|e| panic!("{e}"));
            loop {
                let world = sim.world();
                let index = world.resource::<tianxia_engine::model::index::Index>();
                let all = index.factions.iter().chain(&index.provinces).chain(&index.routes).chain(&index.commanders);
                let armies = index.armies.iter().filter(|e| **e != bevy_ecs::entity::Entity::PLACEHOLDER);
                for e in all.chain(armies) {
                    for id in world.entity(*e).archetype().components() {
                        let info = world.components().get_info(*id).unwrap_or_else(|| panic!("no info"));
                        let t = info.type_id().unwrap_or_else(|| panic!("a component without a type"));
                        assert!(saved.contains(&t), "{name} seed {seed}: an entity has a component no snapshot saves");
                    }
                }
                if !sim.step() {
                    break;
                }
            }
        }
    }
}
