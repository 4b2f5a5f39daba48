//! Loading: the broken-file corpus, layering (variants, --set, mods) and distributions.

use std::path::{Path, PathBuf};
use tianxia_scenario::error::Code;
use tianxia_scenario::{LoadError, LoadOptions, Scenario, load, load_str};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus").join(name)
}

fn tutorial() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/tutorial_two_kingdoms.ron")
}

fn fails(name: &str) -> LoadError {
    match load(&corpus(name), &LoadOptions::default()) {
        Ok(s) => panic!("{name} loaded as {}, but it is broken", s.id),
        Err(e) => e,
    }
}

/// Asserts one problem per (code, line, message fragment), in order, and nothing else.
fn check(name: &str, expected: &[(Code, Option<usize>, &str)]) {
    let e = fails(name);
    let lines = e.lines();
    assert_eq!(e.problems.len(), expected.len(), "{name}: got {lines:#?}");
    for ((p, line), (code, want_line, fragment)) in e.problems.iter().zip(&lines).zip(expected) {
        assert_eq!(p.code, *code, "{name}: {line}");
        assert!(line.contains(fragment), "{name}: `{line}` does not mention `{fragment}`");
        if let Some(l) = want_line {
            let at = format!("{name}:{l}:");
            assert!(line.contains(&at), "{name}: `{line}` is not at line {l}");
        }
    }
}

#[test]
fn the_corpus_base_file_loads() {
    let s = load(&corpus("_base.ron"), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.id, "corpus_base");
}

#[test]
fn syntax_errors_are_located() {
    check("syntax_missing_comma.ron", &[(Code::Syntax, Some(8), "expected comma")]);
    check("truncated.ron", &[(Code::Syntax, Some(6), "unexpected end")]);
    check("empty.ron", &[(Code::Syntax, Some(1), "empty")]);
}

#[test]
fn binary_garbage_is_refused_without_a_panic() {
    check("garbage.ron", &[(Code::Io, None, "not UTF-8")]);
}

#[test]
fn unknown_fields_list_the_expected_ones() {
    let e = fails("unknown_field.ron");
    assert_eq!(e.problems[0].code, Code::Schema);
    assert!(e.lines()[0].contains("unknown_field.ron:19:"), "{}", e.lines()[0]);
    assert!(e.problems[0].help.as_deref().unwrap_or("").contains("infantry"));
}

#[test]
fn wrong_types_are_reported_at_the_value() {
    check("wrong_type.ron", &[(Code::Schema, Some(19), "expected a number or a distribution")]);
    check("unknown_distribution.ron", &[(Code::Schema, Some(19), "expected a number or a distribution")]);
}

#[test]
fn unknown_ids_come_with_did_you_mean() {
    check(
        "unknown_ids.ron",
        &[
            (Code::UnknownId, Some(16), "unknown province `kaifng`"),
            (Code::UnknownId, Some(19), "unknown faction `songg`"),
            (Code::UnknownId, Some(19), "unknown province `xingyuan`"),
        ],
    );
    let e = fails("unknown_ids.ron");
    let helps: Vec<&str> = e.problems.iter().filter_map(|p| p.help.as_deref()).collect();
    assert_eq!(helps, ["did you mean `kaifeng`?", "did you mean `song`?", "did you mean `xingyuan_fu`?"]);
}

#[test]
fn events_that_reference_missing_things_are_errors() {
    check(
        "event_missing_things.ron",
        &[
            (Code::UnknownId, Some(19), "unknown army `tolui`"),
            (Code::UnknownId, Some(20), "unknown region `henan`"),
            (Code::UnknownId, Some(20), "unknown commander `heda`"),
            (Code::UnknownId, Some(21), "unknown commander `pua`"),
        ],
    );
}

#[test]
fn out_of_range_numbers_are_errors() {
    check("negative_men.ron", &[(Code::OutOfRange, Some(19), "infantry cannot be negative (got -5000)")]);
    check(
        "huge_numbers.ron",
        &[
            (Code::OutOfRange, Some(16), "km must be between 0 and 5000"),
            (Code::OutOfRange, Some(19), "infantry must be between 0 and 5000000"),
        ],
    );
    check("zero_distance.ron", &[(Code::OutOfRange, Some(16), "km must be more than 0")]);
    check("bad_latitude.ron", &[(Code::OutOfRange, Some(12), "lat must be between -90 and 90")]);
    check("absurd_turns.ron", &[(Code::OutOfRange, Some(6), "turn_days must be between 1 and 365")]);
    check("bad_distribution.ron", &[(Code::OutOfRange, Some(19), "the distribution is malformed")]);
}

#[test]
fn dates_are_checked() {
    check("bad_date.ron", &[(Code::BadDate, Some(5), "`1231-02-30` is not a date")]);
    check("ends_before_start.ron", &[(Code::BadDate, Some(5), "ends (1230-08-01) before it starts")]);
}

#[test]
fn duplicate_ids_self_loops_and_unknown_parameters_are_errors() {
    check("duplicate_ids.ron", &[(Code::DuplicateId, Some(10), "faction `jin` is declared twice")]);
    check("self_loop.ron", &[(Code::BadWorld, Some(16), "back to itself")]);
    check("unknown_param.ron", &[(Code::UnknownId, Some(7), "unknown parameter `cold_atrition`")]);
    assert_eq!(fails("unknown_param.ron").problems[0].help.as_deref(), Some("did you mean `cold_attrition`?"));
}

#[test]
fn every_problem_is_reported_at_once() {
    let e = fails("many_problems.ron");
    let codes: Vec<Code> = e.problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, [Code::OutOfRange, Code::OutOfRange, Code::UnknownId, Code::OutOfRange], "{:#?}", e.lines());
}

#[test]
fn no_prefix_of_a_scenario_panics_the_loader() {
    let text = std::fs::read_to_string(tutorial()).unwrap_or_default();
    assert!(!text.is_empty());
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            // Every prefix is broken (or, at the very end, whole); none may panic.
            let _ = load_str("prefix.ron", &text[..cut], &LoadOptions::default());
        }
        cut += 61;
    }
    // Turn punctuation into garbage, one character at a time: the loader must answer
    // (most often with an error; a character inside a comment changes nothing).
    let mut refused = 0;
    for (i, c) in text.char_indices().filter(|(_, c)| "()[]{}:\"".contains(*c)).step_by(7) {
        let mut broken = text.clone();
        broken.replace_range(i..i + c.len_utf8(), "\u{fffd}");
        refused += usize::from(load_str("flipped.ron", &broken, &LoadOptions::default()).is_err());
    }
    assert!(refused > 100, "only {refused} broken files were refused");
}

// --- layering --------------------------------------------------------------------

fn tut(opts: LoadOptions) -> Result<Scenario, LoadError> {
    load(&tutorial(), &opts)
}

fn sets(s: &[&str]) -> LoadOptions {
    LoadOptions { sets: s.iter().map(|x| x.to_string()).collect(), ..Default::default() }
}

#[test]
fn set_reaches_any_field_of_any_entry_by_id() {
    let s = tut(sets(&[
        "armies.wei_main.cavalry=9000",
        "params.cold_attrition=0.004",
        "factions.horde.drain.men=100",
        "turn_days=10",
    ]))
    .unwrap_or_else(|e| panic!("{e}"));
    let w = s.template();
    let wei = w.armies.iter().find(|a| a.key == "wei_main").map(|a| a.cavalry);
    assert_eq!(wei, Some(9000.0));
    assert_eq!(w.params.cold_attrition, 0.004);
    assert_eq!(w.factions[2].drain_men, 100.0);
    assert_eq!(w.turn_days, 10);
    assert_eq!(s.sets.len(), 4, "what was applied is recorded");
}

#[test]
fn set_with_a_bad_path_says_what_exists() {
    let e = tut(sets(&["armies.wei_mian.cavalry=9000"])).err().map(|e| e.lines().join("\n")).unwrap_or_default();
    assert!(e.contains("there is no `wei_mian` in armies") && e.contains("did you mean `armies.wei_main`?"), "{e}");
    let e = tut(sets(&["params.cold=1"])).err().map(|e| e.lines().join("\n")).unwrap_or_default();
    assert!(e.contains("there is no parameter `cold`"), "{e}");
    let e = tut(sets(&["armies.wei_main.cavalri=1"])).err().map(|e| e.lines().join("\n")).unwrap_or_default();
    assert!(e.contains("cavalri") && e.contains("<--set: armies.wei_main.cavalri>"), "{e}");
    let e = tut(sets(&["armies.wei_main.cavalry=-1"])).err().map(|e| e.lines().join("\n")).unwrap_or_default();
    assert!(e.contains("cannot be negative"), "{e}");
    let e = tut(sets(&["nonsense"])).err().map(|e| e.lines().join("\n")).unwrap_or_default();
    assert!(e.contains("is not PATH=VALUE"), "{e}");
}

#[test]
fn variants_apply_and_unknown_variants_are_errors() {
    let opts = LoadOptions { variants: vec!["no_horde".into(), "early_winter".into()], ..Default::default() };
    let s = tut(opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.template().armies.iter().all(|a| a.key != "horde_riders"));
    assert_eq!(s.template().params.cold_attrition, 0.005);
    assert_eq!(s.variants, ["no_horde", "early_winter"]);
    let e =
        tut(LoadOptions { variants: vec!["no_hord".into()], ..Default::default() }).err().map(|e| e.lines().join("\n"));
    assert!(e.unwrap_or_default().contains("did you mean `no_horde`?"));
}

#[test]
fn a_mod_adds_replaces_patches_and_removes_entries() {
    let dir = std::env::temp_dir().join(format!("tianxia-mod-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
    write(
        "mod.ron",
        r#"(id: "bigger_war", name: "A bigger war", version: "1.2", scenario: "tutorial_two_kingdoms", load_order: 5, files: ["changes.ron"])"#,
    );
    write(
        "changes.ron",
        r#"(
            add: {
                "provinces": [(id: "ye", name: "Ye", lat: 36.3, lon: 114.4, terrain: plain, owner: "zhao", regions: ["hill_land"])],
                "routes": [(from: "ye", to: "handan", km: 45, kind: road)],
            },
            set: { "armies.zhao_main.infantry": 30000, "params.rout_ratio": 3.0 },
            remove: ["events.lian_po_recalled"],
        )"#,
    );
    let s = tut(LoadOptions { mods: vec![dir.clone()], ..Default::default() }).unwrap_or_else(|e| panic!("{e}"));
    let w = s.template();
    assert!(w.provinces.iter().any(|p| p.key == "ye"));
    assert_eq!(w.armies.iter().find(|a| a.key == "zhao_main").map(|a| a.infantry), Some(30000.0));
    assert!(w.events.iter().all(|e| e.key != "lian_po_recalled"));
    assert_eq!(w.params.rout_ratio, 3.0);
    assert_eq!(s.mods[0].version, "1.2");
    let plain = tut(LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(s.content_hash, plain.content_hash, "the mod's files are part of the content hash");

    // A broken mod file is located in its own file.
    write("changes.ron", r#"( remove: ["events.no_such_event"] )"#);
    let e = tut(LoadOptions { mods: vec![dir.clone()], ..Default::default() })
        .err()
        .map(|e| e.lines().join("\n"))
        .unwrap_or_default();
    assert!(e.contains("changes.ron:1:") && e.contains("cannot remove `events.no_such_event`"), "{e}");
    // A mod for another scenario is refused.
    write("mod.ron", r#"(id: "x", name: "x", scenario: "1231_borrowed_road", files: [])"#);
    let e = tut(LoadOptions { mods: vec![dir.clone()], ..Default::default() })
        .err()
        .map(|e| e.lines().join("\n"))
        .unwrap_or_default();
    assert!(e.contains("is for scenario `1231_borrowed_road`"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
    let e = tut(LoadOptions { mods: vec![dir], ..Default::default() })
        .err()
        .map(|e| e.lines().join("\n"))
        .unwrap_or_default();
    assert!(e.contains("mod.ron"), "{e}");
}

// --- uncertain numbers -----------------------------------------------------------

#[test]
fn distributions_are_sampled_once_per_run_from_the_seed() {
    let s = tut(LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let wei = |seed: u64| s.world(seed).armies.iter().find(|a| a.key == "wei_main").map_or(0.0, |a| a.infantry);
    assert_eq!(wei(1), wei(1), "same seed, same draw");
    let draws: Vec<f64> = (0..200).map(wei).collect();
    assert!(draws.iter().all(|x| (25_000.0..35_000.0).contains(x)), "uniform(25000, 35000) stays in range");
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    assert!((mean - 30_000.0).abs() < 1_000.0, "mean {mean}");
    let horde = |seed: u64| s.world(seed).armies.iter().find(|a| a.key == "horde_riders").map_or(0.0, |a| a.cavalry);
    let eights = (0..200).filter(|&x| horde(x) == 8000.0).count();
    assert!((70..130).contains(&eights), "choice 50/50 gave 8000 {eights} times of 200");
    assert!((0..50).all(|x| horde(x) == 8000.0 || horde(x) == 12000.0));
    let uncertain: Vec<&str> = s.uncertain().map(|(p, _)| p).collect();
    assert!(
        uncertain.contains(&"armies.wei_main.infantry") && uncertain.contains(&"params.disease_attrition"),
        "{uncertain:?}"
    );
}

#[test]
fn a_validated_scenario_runs_the_same_from_the_same_seed() {
    // Each run loads the scenario afresh, so two runs share no state but the file.
    let run = |seed: u64| {
        let s = tut(LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let mut sim = s.sim(seed).unwrap_or_else(|e| panic!("the validated scenario did not build: {e}"));
        let r = sim.run();
        let log: Vec<String> = sim.log().entries().iter().map(|e| format!("{e:?}")).collect();
        (r.digest, format!("{:?}", r.outcomes), r.turns, log)
    };
    let first = run(5);
    assert_eq!(first.0.len(), 16, "a digest is 16 hex digits: {}", first.0);
    assert!(first.2 > 0 && !first.3.is_empty(), "the run played turns and logged events");
    assert_eq!(first, run(5), "same seed, same digest, outcomes, turns and log");
    let other = run(6);
    assert_ne!(first.0, other.0, "another seed gives another history");
    assert_ne!(first.3, other.3);
}

// --- ranges of every number ------------------------------------------------------

/// The corpus base file with `extra` (more sections, RON) added at its end.
fn base_with(extra: &str) -> String {
    let base = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
    let end = base.rfind(')').unwrap_or(base.len());
    format!("{}{extra}\n)\n", &base[..end])
}

/// The problems of loading `text`, one line each (`name:line:col: message; hint`).
fn problems(text: &str) -> Vec<String> {
    match load_str("case.ron", text, &LoadOptions::default()) {
        Ok(s) => panic!("loaded as {}, but it is broken:\n{text}", s.id),
        Err(e) => e.lines(),
    }
}

/// Asserts that `text` fails with exactly one problem, that mentions `fragment` and is
/// located at `line`.
fn one_problem(text: &str, line: usize, fragment: &str) {
    let p = problems(text);
    assert_eq!(p.len(), 1, "{fragment}: got {p:#?}");
    assert!(p[0].contains(fragment), "`{}` does not mention `{fragment}`", p[0]);
    assert!(p[0].starts_with(&format!("case.ron:{line}:")), "`{}` is not at line {line}", p[0]);
}

fn event_with(effect: &str) -> String {
    base_with(&format!(
        "    regions: [(id: \"north\")],\n    events: [\n        (id: \"e\", effects: [\n            {effect},\n        ]),\n    ],"
    ))
}

#[test]
fn every_number_in_an_effect_is_range_checked_where_it_is_written() {
    for (effect, fragment) in [
        ("set_weather(region: \"north\", weather: snow, days: 1e300)", "days must be between 0 and 36525"),
        ("set_weather(region: \"north\", weather: snow, days: -1)", "days cannot be negative"),
        (
            "set_relation(a: \"song\", b: \"jin\", state: truce, truce_days: 1e300)",
            "truce_days must be between 0 and 36525",
        ),
        ("request_access(from: \"song\", to: \"jin\", days: -5)", "request_access: days cannot be negative"),
        ("grant_access((grantor: \"jin\", grantee: \"song\", days: 1e20))", "grant_access: days must be between"),
        ("set_param(name: \"combat_noise\", value: -1)", "set_param `combat_noise`: value cannot be negative"),
        ("set_param(name: \"combat_noise\", value: 1e300)", "value must be between 0 and 1000000000000"),
        ("set_tribute(payer: \"song\", payee: \"jin\", silver: -1)", "set_tribute: silver cannot be negative"),
        ("set_tribute(payer: \"song\", payee: \"jin\", silk: 1e300)", "set_tribute: silk must be between"),
        ("adjust_faction(faction: \"song\", treasury: 1e300)", "adjust_faction: treasury must be between"),
        ("adjust_faction(faction: \"song\", manpower: -1e300)", "adjust_faction: manpower must be between"),
        ("set_policy(faction: \"song\", grant_access_chance: 2)", "grant_access_chance must be between 0 and 1"),
        ("add_objective((faction: \"song\", kind: capture(\"kaifeng\"), priority: 1e300))", "priority must be between"),
        ("reinforce(army: \"song_army\", infantry: -100)", "reinforce: infantry cannot be negative"),
        ("reinforce(army: \"song_army\", horses: 1e300)", "reinforce: horses must be between"),
        ("add_counter(name: \"n\", value: 1e300)", "add_counter: value must be between"),
        ("adjust_army(army: \"song_army\", morale: -2)", "adjust_army: morale must be between -1 and 1"),
        ("adjust_army(army: \"song_army\", food: 1e300)", "adjust_army: food must be between"),
        ("lose_baggage(army: \"song_army\", share: 1.5)", "lose_baggage: share must be between 0 and 1"),
        ("lose_baggage(army: \"song_army\", share: NaN)", "lose_baggage: share must be a finite number"),
    ] {
        one_problem(&event_with(effect), 24, fragment);
    }
}

#[test]
fn access_days_are_finite_not_negative_and_at_most_100_years() {
    for days in ["-1e300", "-1", "1e300", "36526"] {
        let text =
            base_with(&format!("    access: [\n        (grantor: \"jin\", grantee: \"song\", days: {days}),\n    ],"));
        one_problem(&text, 22, "access.jin-song.days");
    }
    let ok = base_with("    access: [\n        (grantor: \"jin\", grantee: \"song\", days: 36525),\n    ],");
    assert!(load_str("ok.ron", &ok, &LoadOptions::default()).is_ok());
}

#[test]
fn dates_with_a_year_out_of_range_are_refused() {
    let base = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
    for year in ["4294968527", "10000", "0"] {
        let text = base.replace("\"1231-08-01\"", &format!("\"{year}-04-30\""));
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains(&format!("the year {year} is out of range")) && l.starts_with("case.ron:5:")),
            "{year}: {p:#?}"
        );
    }
}

#[test]
fn nan_and_infinity_are_refused_wherever_a_number_is_read() {
    let army = |infantry: &str| {
        let base = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
        base.replace("infantry: 10000", &format!("infantry: {infantry}"))
    };
    for (infantry, fragment) in [
        ("NaN", "infantry must be a finite number"),
        ("inf", "infantry must be a finite number"),
        ("choice([(NaN, 1.0), (1000, 1.0)])", "the distribution holds NaN"),
        ("choice([(1000, inf), (2000, 1.0)])", "the distribution holds inf"),
        ("uniform(NaN, 1000)", "the distribution holds NaN"),
        ("normal(mean: 1000, sd: NaN, min: 0, max: 2000)", "the distribution holds NaN"),
        ("choice([(1000, 1e308), (2000, 1e308)])", "the distribution is malformed"),
    ] {
        one_problem(&army(infantry), 19, fragment);
    }
    one_problem(&event_with("reinforce(army: \"song_army\", infantry: NaN)"), 24, "infantry must be a finite number");
    one_problem(
        &base_with("    outcomes: [\n        (id: \"o\", kind: bool(above(army_men(\"song_army\"), NaN))),\n    ],"),
        22,
        "the threshold of above(...) must be a finite number",
    );
}

#[test]
fn a_misspelt_field_in_a_commander_is_the_only_problem_reported() {
    let text = base_with(
        "    commanders: [\n        (id: \"c0\", name: \"C0\", faction: \"song\", skil: 0.5),\n        (id: \"c1\", name: \"C1\", faction: \"song\"),\n        (id: \"c2\", name: \"C2\", faction: \"jin\"),\n    ],",
    )
    .replace("infantry: 10000)", "infantry: 10000, commanders: [\"c1\"]),\n        (id: \"jin_army\", name: \"Jin army\", faction: \"jin\", at: \"kaifeng\", infantry: 10000, commanders: [\"c2\"])");
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].contains("skil"), "{p:#?}");
}

#[test]
fn climate_chances_are_checked_at_their_highest() {
    let climate = |rain: &str| {
        base_with(&format!(
            "    regions: [\n        (id: \"north\", climate: (winter: (rain: {rain}, snow: 0.2))),\n    ],"
        ))
    };
    one_problem(&climate("0.9"), 22, "can add up to 1.1");
    one_problem(&climate("uniform(0.3, 0.9)"), 22, "can add up to 1.1");
    assert!(load_str("ok.ron", &climate("uniform(0.3, 0.8)"), &LoadOptions::default()).is_ok());
}

#[test]
fn a_climate_names_the_seasons_its_rivers_flood_in() {
    let with = |wet: &str| {
        base_with(&format!(
            "    regions: [\n        (id: \"north\", climate: (summer: (rain: 0.4), wet: {wet})),\n    ],"
        ))
    };
    let s = load_str("wet.ron", &with("[summer, autumn]"), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("a climate with wet seasons loads: {e}"));
    let climate = s.template().regions[0].climate.unwrap_or_else(|| panic!("the region has a climate"));
    assert_eq!(climate.wet, [false, true, true, false], "spring, summer, autumn, winter");
    assert!(load_str("bad.ron", &with("[monsoon]"), &LoadOptions::default()).is_err(), "an unknown season is refused");
}

// --- what a mod may read ---------------------------------------------------------

#[test]
fn a_mod_reads_only_files_inside_its_own_folder() {
    let root = std::env::temp_dir().join(format!("tianxia-mod-escape-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("the_mod");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let secret = root.join("secret.ron");
    std::fs::write(&secret, "SECRET_CONTENT_42 is not RON").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("inside.ron"), "( set: { \"armies.zhao_main.infantry\": 31000 } )")
        .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        let _ = std::os::unix::fs::symlink(&secret, dir.join("link.ron"));
        let _ = std::os::unix::fs::symlink(dir.join("inside.ron"), dir.join("good_link.ron"));
    }
    let path = std::env::var("PATH").unwrap_or_else(|_| "PATH-NOT-SET".into());
    let mut names = vec!["../secret.ron".to_string(), secret.display().to_string()];
    if cfg!(unix) {
        names.push("link.ron".into());
    }
    if Path::new("/proc/self/environ").exists() {
        names.push("/proc/self/environ".into());
    }
    for name in &names {
        let manifest = format!("(id: \"m\", name: \"m\", files: [{name:?}])");
        std::fs::write(dir.join("mod.ron"), manifest).unwrap_or_else(|e| panic!("{e}"));
        let e = tut(LoadOptions { mods: vec![dir.clone()], ..Default::default() })
            .err()
            .unwrap_or_else(|| panic!("{name} was read"));
        let lines = e.lines().join("\n");
        assert!(lines.contains("is outside the mod's folder"), "{name}: {lines}");
        assert!(lines.contains("mod.ron:1:"), "{name}: located at the entry: {lines}");
        let everything = format!("{:?}", e.sources);
        assert!(!everything.contains("SECRET_CONTENT_42"), "{name}: the file was read");
        assert!(!everything.contains(&path), "{name}: the environment was read");
    }
    // A symlink that stays inside the folder is fine.
    if cfg!(unix) {
        std::fs::write(dir.join("mod.ron"), "(id: \"m\", name: \"m\", files: [\"good_link.ron\"])")
            .unwrap_or_else(|e| panic!("{e}"));
        let s = tut(LoadOptions { mods: vec![dir.clone()], ..Default::default() }).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.template().armies.iter().find(|a| a.key == "zhao_main").map(|a| a.infantry), Some(31000.0));
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_file_larger_than_the_limit_is_refused_before_it_is_read() {
    let file = std::env::temp_dir().join(format!("tianxia-huge-{}.ron", std::process::id()));
    let f = std::fs::File::create(&file).unwrap_or_else(|e| panic!("{e}"));
    f.set_len(tianxia_scenario::MAX_FILE_BYTES as u64 + 1).unwrap_or_else(|e| panic!("{e}"));
    let e = load(&file, &LoadOptions::default()).err().map(|e| e.lines().join("\n")).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    assert!(e.contains("larger than 64 MiB"), "{e}");
    let text = " ".repeat(tianxia_scenario::MAX_FILE_BYTES + 1);
    let e = load_str("big.ron", &text, &LoadOptions::default()).err().map(|e| e.lines().join("\n")).unwrap_or_default();
    assert!(e.contains("larger than 64 MiB"), "{e}");
}

// --- limits ----------------------------------------------------------------------

#[test]
fn a_huge_unknown_name_is_answered_fast_and_briefly() {
    let huge = "k".repeat(1_000_000);
    let started = std::time::Instant::now();
    for opts in [
        LoadOptions { variants: vec![huge.clone()], ..Default::default() },
        sets(&[&format!("armies.{huge}.cavalry=1")]),
        sets(&[&format!("params.{huge}=1")]),
    ] {
        let e = tut(opts).err().map(|e| e.lines().join("\n")).unwrap_or_default();
        assert!(e.contains("kkkk…"), "{}", &e[..e.len().min(300)]);
        assert!(e.len() < 2_000, "the message repeats the name: {} bytes", e.len());
    }
    // An id in a file: longer than the limit, so refused without comparing it to any id.
    let long = "k".repeat(5_000);
    let text = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
    one_problem(&text.replace("owner: \"jin\"", &format!("owner: \"{long}\"")), 13, "is longer than 128 bytes");
    let text = text.replace("id: \"kaifeng\"", &format!("id: \"{long}\""));
    assert!(problems(&text).iter().any(|p| p.contains("is longer than 128 bytes")), "{:#?}", problems(&text));
    assert!(started.elapsed().as_secs() < 10, "took {:?}", started.elapsed());
}

#[test]
fn texts_longer_than_the_limit_are_refused() {
    let text = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
    let long = "x".repeat(10_001);
    one_problem(&text.replace("\"Corpus base\"", &format!("\"{long}\"")), 3, "texts are limited to 10000 bytes");
    let ok = "x".repeat(10_000);
    assert!(
        load_str("ok.ron", &text.replace("\"Corpus base\"", &format!("\"{ok}\"")), &LoadOptions::default()).is_ok()
    );
}

#[test]
fn sections_with_more_entries_than_the_limit_are_refused() {
    let flags: Vec<String> = (0..100_001).map(|i| format!("\"f{i}\"")).collect();
    let text = base_with(&format!("    flags: [{}],", flags.join(",")));
    one_problem(&text, 21, "`flags` has 100001 entries; a section is limited to 100000");
    let text = base_with(&format!("    flags: [{}],", flags[..100_000].join(",")));
    assert!(load_str("ok.ron", &text, &LoadOptions::default()).is_ok());
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let deep = |n: usize| {
        base_with(&format!("    outcomes: [(id: \"o\", kind: bool({}always{}))],", "not(".repeat(n), ")".repeat(n)))
    };
    let p = problems(&deep(200));
    assert!(p.iter().any(|l| l.contains("recursion limit") && l.contains("nest at most 128 deep")), "{p:#?}");
    let ok = load_str("ok.ron", &deep(60), &LoadOptions::default());
    assert!(ok.is_ok(), "{:#?}", ok.err().map(|e| e.lines()));
}

#[test]
fn a_scenario_of_more_than_20000_turns_is_refused() {
    let text = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
    let long = text.replace("\"1231-08-01\"", "\"1600-01-01\"").replace("turn_days: 5", "turn_days: 1");
    one_problem(&long, 5, "more than 20,000 turns");
}

// --- messages that say the fix ---------------------------------------------------

fn first_problem(text: &str, opts: &LoadOptions) -> String {
    match load_str("case.ron", text, opts) {
        Ok(_) => panic!("loaded, but it is broken"),
        Err(e) => e.lines()[0].clone(),
    }
}

#[test]
fn common_slips_get_a_hint_that_says_the_fix() {
    let base = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
    let none = LoadOptions::default();
    let p = first_problem(&base.replace("infantry: 10000", "infantry: 15,000"), &none);
    assert!(p.contains("numbers cannot contain commas: write 15000"), "{p}");
    for (effect, fix) in [
        ("grant_access(grantor: \"jin\", grantee: \"song\")", "write double parentheses, grant_access(("),
        ("add_objective(faction: \"jin\", kind: reach(\"kaifeng\"))", "write double parentheses, add_objective(("),
    ] {
        let p = first_problem(&event_with(effect), &none);
        assert!(p.contains(fix), "{p}");
    }
    let p = first_problem(&base, &sets(&["start=1232-08-01"]));
    assert!(p.contains("--set 'start=\"...\"'"), "{p}");
    let p = first_problem(&base, &sets(&["armies.song_army.name=Song"]));
    assert!(p.contains("--set 'armies.song_army.name=\"...\"'"), "{p}");

    let dir = std::env::temp_dir().join(format!("tianxia-mod-unquoted-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{e}"));
    write("mod.ron", "(id: \"m\", name: \"m\", files: [\"c.ron\"])");
    write("c.ron", "(add: { factions: [(id: \"xia\", name: \"Xia\")] })");
    let p = first_problem(&base, &LoadOptions { mods: vec![dir.clone()], ..Default::default() });
    let _ = std::fs::remove_dir_all(&dir);
    assert!(p.contains("write \"factions\": ..."), "{p}");
}

#[test]
fn a_bad_set_path_hides_no_other_problem_and_each_value_is_blamed_on_its_set() {
    let base = std::fs::read_to_string(corpus("_base.ron")).unwrap_or_default();
    let e = load_str(
        "case.ron",
        &base,
        &sets(&["armies.song_army.infantry=-1", "armies.song_army.quality=1.2", "armies.nobody.cavalry=1"]),
    )
    .err()
    .map(|e| e.lines())
    .unwrap_or_default();
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[0].contains("there is no `nobody` in armies"), "{e:#?}");
    assert!(
        e[1].contains("infantry cannot be negative")
            && e[1].contains("the value set by --set armies.song_army.infantry"),
        "{e:#?}"
    );
}

#[test]
fn adjust_army_loads_with_its_amounts_and_names_an_unknown_army() {
    let ok = event_with("adjust_army(army: \"song_army\", morale: -0.2, food: 500)");
    let s = load_str("ok.ron", &ok, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
    let world = s.world(1);
    let effects = &world.events[0].effects;
    assert!(
        matches!(effects[0], tianxia_engine::model::script::Effect::AdjustArmy { morale, cohesion, food, .. }
            if morale == -0.2 && cohesion == 0.0 && food == 500.0),
        "{effects:?}"
    );
    one_problem(&event_with("adjust_army(army: \"nobody\", morale: 0.1)"), 24, "nobody");
}

#[test]
fn stances_baggage_and_sack_effects_load_and_name_an_unknown_army() {
    use tianxia_engine::model::army::Stance;
    use tianxia_engine::model::script::Effect;
    let ok = event_with("set_stance(army: \"song_army\", stance: harass)");
    let s = load_str("ok.ron", &ok, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
    let world = s.world(1);
    assert!(matches!(world.events[0].effects[0], Effect::SetStance { stance: Stance::Harass, .. }));
    assert!(world.armies.iter().all(|a| a.stance == Stance::Auto), "the default stance is auto");
    let ok = event_with("lose_baggage(army: \"song_army\", share: 0.5, to: Some(\"song_army\"))");
    let s = load_str("ok.ron", &ok, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
    let world = s.world(1);
    assert!(matches!(world.events[0].effects[0], Effect::LoseBaggage { share, to: Some(_), .. } if share == 0.5));
    one_problem(&event_with("lose_baggage(army: \"song_army\", share: 0.5, to: Some(\"nobody\"))"), 24, "nobody");
    one_problem(&event_with("set_stance(army: \"nobody\", stance: evade)"), 24, "nobody");
    one_problem(&event_with("set_stance(army: \"song_army\", stance: flee)"), 24, "stand");
    let ok = event_with("sack(army: \"song_army\")");
    let s = load_str("ok.ron", &ok, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(matches!(s.world(1).events[0].effects[0], Effect::Sack { .. }));
    one_problem(&event_with("sack(army: \"nobody\")"), 24, "nobody");
    let ok = event_with("set_policy(faction: \"song\", sack: foreign)");
    let s = load_str("ok.ron", &ok, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e:?}"));
    let world = s.world(1);
    assert!(matches!(
        world.events[0].effects[0],
        Effect::SetPolicy { sack: Some(tianxia_engine::model::faction::Sack::Foreign), .. }
    ));
    assert!(world.factions.iter().all(|f| f.sack == tianxia_engine::model::faction::Sack::Never), "default never");
}

#[test]
fn an_events_chance_is_over_a_window_with_both_ends_or_per_day() {
    let event = |fields: &str| base_with(&format!("    events: [\n        (id: \"e\", {fields}),\n    ],"));
    // Over a bounded window, or per day for any event: both load.
    for ok in [
        "from: \"1231-06-01\", until: \"1231-06-30\", chance: 0.5",
        "chance_per_day: 0.01",
        "from: \"1231-06-01\", until: \"1231-06-30\", chance_per_day: 0.01",
    ] {
        let s = load_str("ok.ron", &event(ok), &LoadOptions::default()).unwrap_or_else(|e| panic!("{ok}: {e:?}"));
        let ev = &s.world(1).events[0];
        assert_eq!(ev.per_day, ok.contains("chance_per_day"), "{ok}");
    }
    one_problem(&event("from: \"1231-06-01\", chance: 0.5"), 22, "the event has no `until`");
    one_problem(&event("chance: 0.5"), 22, "the event has no `from`");
    one_problem(&event("chance: 0.5, chance_per_day: 0.1"), 22, "both `chance` and `chance_per_day`");
    one_problem(&event("chance_per_day: 2"), 22, "events.e.chance_per_day");
}

#[test]
fn the_days_of_forced_weather_may_be_uncertain_and_are_drawn_per_run() {
    use tianxia_engine::model::script::Effect;
    let text = event_with("set_weather(region: \"north\", weather: blizzard, days: triangular(2, 3, 4))");
    let s = load_str("snow.ron", &text, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.uncertain().any(|(p, _)| p == "events.e.effects[0].days"), "{:?}", s.uncertain().collect::<Vec<_>>());
    let days = |seed: u64| match s.world(seed).events[0].effects[0] {
        Effect::SetWeather { days, .. } => days,
        ref e => panic!("not set_weather: {e:?}"),
    };
    assert_eq!(days(3), days(3), "same seed, same draw");
    let draws: Vec<f64> = (0..100).map(days).collect();
    assert!(draws.iter().all(|d| (2.0..=4.0).contains(d)), "{draws:?}");
    assert!(draws.iter().any(|d| *d != draws[0]), "the draws differ from run to run");
    let Effect::SetWeather { days, .. } = s.template().events[0].effects[0] else { panic!("not set_weather") };
    assert_eq!(days, 3.0, "the template carries the mode");
    one_problem(
        &event_with("set_weather(region: \"north\", weather: snow, days: uniform(-2, 3))"),
        24,
        "days (lowest value) cannot be negative",
    );
}
