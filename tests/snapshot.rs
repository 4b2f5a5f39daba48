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

#[test]
fn a_run_resumes_from_every_turn_boundary() {
    for name in SCENARIOS {
        let s = scenario(name);
        let seed = 5;
        let spec = s.world(seed);
        let mut whole = s.sim(seed).unwrap_or_else(|e| panic!("{e}"));
        let mut snaps = vec![whole.snapshot().unwrap_or_else(|e| panic!("{e}"))];
        while whole.step() {
            snaps.push(whole.snapshot().unwrap_or_else(|e| panic!("{e}")));
        }
        let result = whole.result();
        let mut sim = s.sim(seed).unwrap_or_else(|e| panic!("{e}"));
        for (turn, snap) in snaps.iter().enumerate() {
            sim.restore(&spec, seed, snap).unwrap_or_else(|e| panic!("{name} turn {turn}: {e}"));
            assert_eq!(sim.run(), result, "{name} seed {seed}: resumed after turn {turn}");
        }
    }
}

#[test]
fn an_arm_at_a_fork_gets_its_factions_commanders_orders_and_stances() {
    use tianxia_engine::model::army::{Mode, Orders, Stance};
    use tianxia_engine::model::commander::{Skill, Traits};
    use tianxia_engine::model::faction::{Nature, Policy, Posture, Sack};
    use tianxia_engine::model::index::Index;
    use tianxia_engine::world::fork::ForkPlan;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial_two_kingdoms.ron");
    let base = scenario("tutorial_two_kingdoms");
    let sets = [
        "factions.wei.posture=aggressive",
        "factions.zhao.cold_adapted=true",
        "factions.horde.sack=foreign",
        "commanders.lian_po.skill=0.95",
        "commanders.pang_juan.traits=[]",
        "armies.zhao_main.stance=evade",
        "armies.horde_riders.orders=hold",
        "params.combat_noise=0.3",
    ];
    let opts = LoadOptions { sets: sets.iter().map(|x| x.to_string()).collect(), ..LoadOptions::default() };
    let arm = load(&path, &opts).unwrap_or_else(|e| panic!("{e}"));
    let seed = 4;
    let snap = saved(&base, seed, 12);
    let drawn = base.draws(seed);
    let (base_world, arm_world) = (base.world_from(&drawn), arm.world_from(&drawn));
    assert_eq!(base_world.armies[0].infantry, base.world(seed).armies[0].infantry);
    let plan = ForkPlan::new(&base_world, &arm_world, |a| snap.fielded(a)).unwrap_or_else(|e| panic!("{e}"));
    let mut paths = plan.paths(&arm_world);
    paths.sort();
    assert_eq!(
        paths,
        [
            "armies.horde_riders.orders",
            "armies.zhao_main.stance",
            "commanders.lian_po",
            "commanders.pang_juan",
            "factions.horde.sack",
            "factions.wei.posture",
            "factions.zhao.cold_adapted",
            "params.combat_noise",
        ]
    );
    let mut sim = base.sim(seed).unwrap_or_else(|e| panic!("{e}"));
    sim.fork(&arm_world, &snap, &plan, 9).unwrap_or_else(|e| panic!("{e}"));
    let w = sim.world();
    let index = w.resource::<Index>();
    let key = |list: &[String], k: &str| list.iter().position(|x| x == k).unwrap_or_else(|| panic!("no {k}"));
    let factions: Vec<String> = arm_world.factions.iter().map(|f| f.key.clone()).collect();
    let commanders: Vec<String> = arm_world.commanders.iter().map(|c| c.key.clone()).collect();
    let armies: Vec<String> = arm_world.armies.iter().map(|a| a.key.clone()).collect();
    let faction = |k: &str| w.entity(index.factions[key(&factions, k)]);
    let commander = |k: &str| w.entity(index.commanders[key(&commanders, k)]);
    let army = |k: &str| w.entity(index.armies[key(&armies, k)]);
    assert_eq!(faction("wei").get::<Nature>().map(|n| n.posture), Some(Posture::Aggressive));
    assert_eq!(faction("zhao").get::<Nature>().map(|n| n.cold_adapted), Some(true));
    assert_eq!(faction("horde").get::<Policy>().map(|p| p.sack), Some(Sack::Foreign));
    assert_eq!(commander("lian_po").get::<Skill>().map(|s| s.0), Some(0.95));
    assert_eq!(commander("pang_juan").get::<Traits>().map(|t| t.0.len()), Some(0));
    assert_eq!(army("zhao_main").get::<Stance>(), Some(&Stance::Evade));
    assert!(matches!(army("horde_riders").get::<Orders>().map(|o| &o.mode), Some(Mode::Hold)));
    assert_eq!(w.resource::<tianxia_engine::params::Params>().get("combat_noise"), Some(0.3));
    // What the arm does not change is the snapshot's.
    assert_eq!(
        army("zhao_main").get::<Orders>(),
        {
            let mut again = base.sim(seed).unwrap_or_else(|e| panic!("{e}"));
            again.restore(&base_world, seed, &snap).unwrap_or_else(|e| panic!("{e}"));
            let i = again.world().resource::<Index>().armies[key(&armies, "zhao_main")];
            again.world().entity(i).get::<Orders>().cloned()
        }
        .as_ref()
    );
}

#[test]
fn an_arm_that_fixes_an_uncertain_number_keeps_the_others_as_drawn() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial_two_kingdoms.ron");
    let base = scenario("tutorial_two_kingdoms");
    let opts = LoadOptions { sets: vec!["params.disease_attrition=0.0005".into()], ..LoadOptions::default() };
    let arm = load(&path, &opts).unwrap_or_else(|e| panic!("{e}"));
    let seed = 4;
    let wei = |w: &tianxia_engine::WorldSpec| w.armies[0].infantry;
    // Drawn afresh, the arm's draws shift: its first uncertain number is gone.
    assert_ne!(wei(&arm.world(seed)), wei(&base.world(seed)));
    let drawn = base.draws(seed);
    assert_eq!(wei(&base.world_from(&drawn)), wei(&base.world(seed)));
    let forked = arm.world_from(&drawn);
    assert_eq!(wei(&forked), wei(&base.world(seed)));
    assert_eq!(forked.params.get("disease_attrition"), Some(0.0005));
}
