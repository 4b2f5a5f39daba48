//! `tianxia sensitivity`, run for real on a tiny world where one input decides the
//! outcome, another does nothing, and chance does the rest.

mod common;
use common::{Tmp, text, tianxia};

/// Two armies meet in one province: the Song army's size is drawn over a wide range, the
/// Jin's is fixed; a far province's population is drawn too and touches nothing.
const DUEL: &str = r#"(
    id: "duel", name: "Duel", start: "1231-05-01", end: "1231-05-20", turn_days: 5,
    factions: [(id: "song", name: "Song"), (id: "jin", name: "Jin")],
    provinces: [
        (id: "field", name: "Field", lat: 33.0, lon: 110.0, terrain: plain, owner: "song"),
        (id: "far", name: "Far", lat: 34.0, lon: 114.0, terrain: plain, owner: "jin",
         population: uniform(10000, 90000)),
    ],
    routes: [(from: "field", to: "far", km: 700, kind: road)],
    relations: [(a: "song", b: "jin", state: war)],
    armies: [
        (id: "song_army", name: "Song army", faction: "song", at: "field", infantry: uniform(2000, 80000), orders: hold),
        (id: "jin_army", name: "Jin army", faction: "jin", at: "field", infantry: 20000, orders: hold),
    ],
    outcomes: [(id: "winner", kind: largest_battle_winner(side_a: ["song"], side_b: ["jin"]))],
)"#;

/// A scratch folder holding the duel scenario.
fn tmp(name: &str) -> Tmp {
    let t = Tmp::new("sensitivity", name);
    std::fs::write(t.0.join("duel.ron"), DUEL).unwrap_or_default();
    t
}

#[test]
fn the_input_that_decides_carries_the_index_the_one_that_does_nothing_none_and_chance_its_share() {
    let t = tmp("indices");
    let run = |out: &str, threads: &str| {
        let o = tianxia(&[
            "sensitivity",
            &t.join("duel.ron"),
            "--runs",
            "256",
            "--out",
            &t.join(out),
            "--threads",
            threads,
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap_or_default()
    };
    let v = run("one", "1");
    assert_eq!(v["method"], "sobol");
    assert_eq!(v["n"], 256);
    assert_eq!(v["factors"], serde_json::json!(["seed", "provinces.far.population", "armies.song_army.infantry"]));
    let ix = &v["outcomes"]["winner=song"];
    assert!(ix["variance"].as_f64().is_some_and(|x| x > 0.1), "{ix}");
    let st = |f: &str| ix["ST"][f][0].as_f64().unwrap_or(f64::NAN);
    let s1 = |f: &str| ix["S1"][f][0].as_f64().unwrap_or(f64::NAN);
    assert!(st("armies.song_army.infantry") > 0.6 && s1("armies.song_army.infantry") > 0.5, "{ix}");
    assert!(st("provinces.far.population").abs() < 0.02, "{ix}");
    assert!(st("seed") > 0.05 && st("seed") < 0.6, "chance decides some battles: {ix}");
    for f in ["seed", "armies.song_army.infantry"] {
        let i = ix["ST"][f].as_array().cloned().unwrap_or_default();
        let (e, lo, hi) = (i[0].as_f64().unwrap_or(0.0), i[1].as_f64().unwrap_or(0.0), i[2].as_f64().unwrap_or(0.0));
        assert!(lo <= e && e <= hi && hi - lo < 0.5, "{f}: {i:?}");
    }

    // The files: the same for any thread count, byte for byte.
    let w = run("two", "2");
    assert_eq!(v, w);
    let samples = std::fs::read_to_string(t.0.join("one/samples.csv")).unwrap_or_default();
    assert_eq!(samples, std::fs::read_to_string(t.0.join("two/samples.csv")).unwrap_or_default());
    let mut lines = samples.lines();
    assert_eq!(
        lines.next(),
        Some("block,j,seed,input:provinces.far.population,input:armies.song_army.infantry,winner=jin,winner=song")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 256 * 5, "N(k+2) runs");
    let blocks: Vec<&str> = rows.iter().take(5).map(|r| r[0]).collect();
    assert_eq!(blocks, ["A", "AB:seed", "AB:provinces.far.population", "AB:armies.song_army.infantry", "B"]);
    // AB:seed keeps A's inputs and takes B's seed; AB:<input> keeps A's seed.
    let (a, ab_seed, ab_inf, b) = (&rows[0], &rows[1], &rows[3], &rows[4]);
    assert_eq!((ab_seed[2], ab_seed[3], ab_seed[4]), (b[2], a[3], a[4]));
    assert_eq!((ab_inf[2], ab_inf[3], ab_inf[4]), (a[2], a[3], b[4]));
    assert!(std::fs::read_to_string(t.0.join("one/sensitivity.json")).is_ok_and(|s| s.contains("\"ST\"")));
}

#[test]
fn bad_sensitivity_input_exits_2() {
    let t = tmp("bad");
    let duel = t.join("duel.ron");
    let out = t.join("x");
    for extra in [
        vec!["--runs", "1"],
        vec!["--runs", "16", "--factor", "params.combat_noise=0.4"],
        vec!["--runs", "16", "--factor", "params.combat_noise=0.4..0.1"],
        vec!["--runs", "16", "--outcome", "no_such_outcome"],
        vec!["--runs", "16", "--factor", "armies.nobody.infantry=1..2"],
    ] {
        let mut args = vec!["sensitivity", duel.as_str(), "--out", out.as_str()];
        args.extend(extra.iter());
        let o = tianxia(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o.stderr));
        assert!(o.stdout.is_empty(), "{extra:?}");
    }
}
