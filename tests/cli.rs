//! The `tianxia` binary, run for real: contracts, exit codes, and what lands where.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{text, tianxia};

const TUTORIAL: &str = "scenarios/tutorial_two_kingdoms.ron";

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {}", text(&out.stdout)))
}

#[test]
fn run_json_follows_the_contract() {
    let out = tianxia(&["run", TUTORIAL, "--seed", "42", "--format", "json", "--variant", "early_winter"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json(&out);
    assert_eq!(v["scenario"], "tutorial_two_kingdoms");
    assert_eq!(v["variants"], serde_json::json!(["early_winter"]));
    assert_eq!(v["seed"], 42);
    assert!(v["turns"].as_u64().is_some_and(|t| t > 0));
    assert!(v["end_date"].as_str().is_some_and(|d| d.len() == 10));
    let outcomes = v["outcomes"].as_object().cloned().unwrap_or_default();
    let keys: Vec<&str> = outcomes.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "handan_controller",
            "wei_holds_baima",
            "horde_raided",
            "horde_men_in_zhao",
            "wei_losses",
            "main_battle_winner",
            "war_state"
        ]
    );
    assert!(outcomes["wei_holds_baima"].is_boolean());
    assert!(outcomes["wei_losses"].is_number());
    assert!(outcomes["handan_controller"].is_string());
    let digest = v["digest"].as_str().unwrap_or("");
    assert_eq!(digest.len(), 16);
    assert!(v["content_hash"].as_str().is_some_and(|h| h.len() == 16));
}

#[test]
fn the_same_seed_gives_the_same_output_byte_for_byte() {
    let a = tianxia(&["run", TUTORIAL, "--seed", "9", "--format", "json"]);
    let b = tianxia(&["run", TUTORIAL, "--seed", "9", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    let c = tianxia(&["run", TUTORIAL, "--seed", "10", "--format", "json"]);
    assert_ne!(json(&a)["digest"], json(&c)["digest"]);
}

#[test]
fn run_text_is_a_chronicle_with_a_faction_table() {
    let out = tianxia(&["run", TUTORIAL, "--seed", "3", "--verbose"]);
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(s.contains("battle at"), "{s}");
    assert!(s.contains("envoys of ") && s.contains(" for passage"), "{s}");
    assert!(s.contains("faction") && s.contains("provinces") && s.contains("field men"));
    assert!(s.lines().any(|l| l.starts_with("1230-09-01  ")), "lines are dated");
}

#[test]
fn what_a_scripted_event_tells_is_not_told_again_unless_verbose() {
    let run = |verbose: bool| {
        let mut args = vec!["run", "scenarios/1231_borrowed_road.ron", "--seed", "1"];
        if verbose {
            args.push("--verbose");
        }
        text(&tianxia(&args).stdout)
    };
    let (folded, verbose) = (run(false), run(true));
    let request = "envoys of Mongols ask Southern Song for passage";
    assert!(!folded.contains(request), "the event's own line tells it: {folded}");
    assert!(verbose.contains(&format!("  · 1231-05-01  {request}")), "--verbose shows it as a detail");
    assert!(folded.contains("Li Bangrui"), "the event's line stays");
}

#[test]
fn the_chronicle_names_things_by_their_names_and_gives_the_chinese_name_once() {
    let out = tianxia(&["run", "scenarios/1231_borrowed_road.ron", "--seed", "1"]);
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(s.contains("Tolui's right wing reaches Dasanguan"), "display names: {s}");
    assert!(s.contains("Dasanguan (大散关)"), "Chinese on the first mention the engine writes: {s}");
    assert_eq!(s.matches("(大散关)").count(), 1, "the Chinese name is given once");
    assert!(s.contains("at Dasanguan, "), "later mentions use the name alone");
    assert!(!s.contains("tolui_right_wing"), "no scenario keys in the chronicle");
}

#[test]
fn events_are_written_as_json_lines() {
    let file: PathBuf = std::env::temp_dir().join(format!("tianxia-events-{}.jsonl", std::process::id()));
    let out = tianxia(&["run", TUTORIAL, "--seed", "3", "--format", "json", "--events", file.to_str().unwrap_or("")]);
    assert!(out.status.success());
    let lines = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    let parsed: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {e}: {l}")))
        .collect();
    assert!(parsed.iter().all(|e| e["turn"].is_u64() && e["date"].is_string() && e["kind"].is_string()));
    assert!(parsed.iter().any(|e| e["kind"] == "battle"));
    // Ids stay keys; the display names come beside them.
    let battle = parsed.iter().find(|e| e["kind"] == "battle").unwrap_or_else(|| panic!("no battle"));
    let winner = battle["winner"].as_str().unwrap_or_default();
    assert!(!winner.is_empty() && winner.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "a key: {winner}");
    assert!(battle["names"][winner].is_string(), "the winner's display name is given: {battle}");
    // One line per entry of the event log: exactly the dated lines of the verbose
    // chronicle of the same run (details marked, not folded), in the same order.
    let chronicle = text(&tianxia(&["run", TUTORIAL, "--seed", "3", "--verbose"]).stdout);
    let dated: Vec<&str> = chronicle
        .lines()
        .map(|l| l.strip_prefix("  · ").unwrap_or(l))
        .filter(|l| l.len() > 10 && l.as_bytes()[4] == b'-' && l.as_bytes()[..4].iter().all(u8::is_ascii_digit))
        .collect();
    assert!(!dated.is_empty(), "{chronicle}");
    assert_eq!(parsed.len(), dated.len(), "one JSON line per logged event");
    for (e, l) in parsed.iter().zip(&dated) {
        assert!(l.starts_with(e["date"].as_str().unwrap_or("?")), "{l} vs {e}");
    }
}

#[test]
fn bad_input_exits_2_with_located_errors_and_nothing_on_stdout() {
    let broken = Path::new("crates/tianxia-scenario/tests/corpus/unknown_ids.ron");
    for args in [
        vec!["run", broken.to_str().unwrap_or("")],
        vec!["validate", broken.to_str().unwrap_or("")],
        vec!["run", TUTORIAL, "--set", "armies.nobody.cavalry=1"],
        vec!["run", TUTORIAL, "--variant", "no_such_variant"],
        vec!["run", "no/such/file.ron"],
        vec!["run", TUTORIAL, "--seed", "not-a-number"],
        // Seeds are below 2^53 (every tool reads them exactly).
        vec!["run", TUTORIAL, "--seed", "9007199254740992"],
        vec!["batch", TUTORIAL, "--runs", "2", "--seed", "18446744073709551615"],
    ] {
        let out = tianxia(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "{args:?} printed on stdout: {}", text(&out.stdout));
        assert!(!out.stderr.is_empty());
    }
    let out = tianxia(&["validate", broken.to_str().unwrap_or("")]);
    let err = text(&out.stderr);
    assert!(err.contains("unknown_ids.ron:16:35: unknown province `kaifng`"), "{err}");
    assert!(err.contains("did you mean `kaifeng`?"), "{err}");
    assert!(err.contains("3 problems found"), "{err}");
    let out = tianxia(&["run", TUTORIAL, "--seed", "9007199254740992"]);
    assert!(text(&out.stderr).contains("seeds are below 2^53"), "{}", text(&out.stderr));
    assert!(tianxia(&["run", TUTORIAL, "--seed", "9007199254740991"]).status.success());
}

#[test]
fn validate_accepts_the_shipped_scenarios() {
    let mut args = vec!["validate".to_string()];
    for e in std::fs::read_dir("scenarios").into_iter().flatten().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "ron") {
            args.push(p.display().to_string());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = tianxia(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().filter(|l| l.starts_with("ok: ")).count(), args.len() - 1);
}

#[test]
fn validate_checks_every_variant_too() {
    let dir = std::env::temp_dir().join(format!("tianxia-variant-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let broken = dir.join("broken_variant.ron");
    let source = std::fs::read_to_string(TUTORIAL).unwrap_or_default();
    let source = source.replace("factions.wei.grant_access_chance", "factions.wie.grant_access_chance");
    std::fs::write(&broken, source).unwrap_or_else(|e| panic!("{e}"));
    let out = tianxia(&["validate", broken.to_str().unwrap_or("")]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("variant `wei_opens_road` does not apply") && err.contains("there is no `wie` in factions"),
        "{err}"
    );
}

#[test]
fn validate_refuses_an_endless_file_fast() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let started = std::time::Instant::now();
    let out = tianxia(&["validate", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("larger than 64 MiB"), "{}", text(&out.stderr));
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
}

#[test]
fn a_file_with_very_many_problems_shows_the_first_ones_and_counts_the_rest() {
    let base = std::fs::read_to_string("crates/tianxia-scenario/tests/corpus/_base.ron").unwrap_or_default();
    let bad: Vec<String> = (0..300)
        .map(|i| format!("(id: \"p{i}\", name: \"P\", lat: 99.0, lon: 1.0, terrain: plain, owner: \"song\")"))
        .collect();
    let many = base.replacen("    provinces: [\n", &format!("    provinces: [\n{},\n", bad.join(",\n")), 1);
    let file = std::env::temp_dir().join(format!("tianxia-many-{}.ron", std::process::id()));
    std::fs::write(&file, many).unwrap_or_else(|e| panic!("{e}"));
    let out = tianxia(&["validate", file.to_str().unwrap_or("")]);
    let _ = std::fs::remove_file(&file);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("... and 100 more problems") && err.contains("error: 300 problems found"), "{err}");
    assert_eq!(err.matches("lat must be between").count(), 200);
}

#[test]
fn a_failed_events_write_names_the_file_and_leaves_no_temporary_file() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("tianxia-events-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("events.jsonl");
    #[cfg(unix)]
    std::os::unix::fs::symlink("/dev/full", dir.join("events.jsonl.tmp")).unwrap_or_else(|e| panic!("{e}"));
    let out = tianxia(&["run", TUTORIAL, "--seed", "3", "--events", file.to_str().unwrap_or("")]);
    let err = text(&out.stderr);
    let left = std::fs::symlink_metadata(dir.join("events.jsonl.tmp")).is_ok();
    let written = file.exists();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&file.display().to_string()) && err.contains("No space left"), "{err}");
    assert!(!left && !written, "neither a temporary nor a partial file stays behind");
}

#[test]
fn describe_json_follows_the_contract() {
    let o = tianxia(&["describe", "scenarios/1231_borrowed_road.ron", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v = json(&o);
    assert_eq!(v["scenario"], "1231_borrowed_road");
    assert_eq!(v["start"], "1231-05-01");
    assert_eq!(v["turn_days"], 5);
    assert!(v["routes"].as_u64().is_some_and(|n| n > 50));
    let kaifeng = v["provinces"].as_array().and_then(|p| p.iter().find(|x| x["id"] == "kaifeng")).cloned();
    let kaifeng = kaifeng.unwrap_or_else(|| panic!("no kaifeng in {}", v["provinces"]));
    assert_eq!(kaifeng["controller"], "jin");
    assert!(kaifeng["lat"].is_f64() && kaifeng["lon"].is_f64() && kaifeng["name_zh"].is_string());
    let tolui = v["armies"].as_array().and_then(|a| a.iter().find(|x| x["id"] == "tolui_right_wing")).cloned();
    assert_eq!(tolui.map(|t| (t["faction"].clone(), t["men"].clone())), Some(("mongol".into(), 30000.0.into())));
    let inputs = v["inputs"].as_array().cloned().unwrap_or_default();
    assert!(
        inputs.iter().any(|i| i["path"] == "armies.tolui_right_wing.cavalry"
            && i["distribution"] == "triangular(20000, 30000, 50000)")
    );
    let outcome =
        v["outcomes"].as_array().and_then(|a| a.iter().find(|x| x["id"] == "decisive_battle_winner")).cloned();
    assert_eq!(outcome.map(|x| x["kind"].clone()), Some("category".into()));
    assert!(v["variants"].as_array().is_some_and(|a| {
        a.iter().any(|x| x["id"] == "no_blizzard" && x["description"].as_str().is_some_and(|d| !d.is_empty()))
    }));
}

#[test]
fn describe_shows_the_scenario_after_its_variants_and_overrides() {
    let inputs = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["describe", "scenarios/1231_borrowed_road.ron", "--format", "json"];
        args.extend(extra);
        let o = tianxia(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        json(&o)["inputs"].as_array().cloned().unwrap_or_default().iter().map(|i| i["path"].to_string()).collect()
    };
    let all = inputs(&[]);
    assert!(all.iter().any(|p| p.contains("events.great_snow.chance")), "{all:?}");
    let no_snow = inputs(&["--variant", "no_blizzard"]);
    assert!(!no_snow.iter().any(|p| p.contains("great_snow")), "the variant removes the snow: {no_snow:?}");
    let fixed = inputs(&["--set", "armies.tolui_right_wing.cavalry=25000"]);
    assert_eq!(fixed.len() + 1, all.len(), "a fixed number is no longer drawn");
    let t = tianxia(&["describe", "scenarios/1231_borrowed_road.ron"]);
    let t = text(&t.stdout);
    assert!(t.contains("uncertain inputs") && t.contains("triangular(20000, 30000, 50000)"), "{t}");
    let bad = tianxia(&["describe", "scenarios/1231_borrowed_road.ron", "--variant", "no_such_thing"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
}

#[test]
fn diverge_names_the_turn_and_the_state_where_two_histories_part() {
    let d = |extra: &[&str]| {
        let mut args = vec!["diverge", "scenarios/1231_borrowed_road.ron", "--format", "json"];
        args.extend(extra);
        let o = tianxia(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
        json(&o)
    };
    let v = d(&["--arm", "baseline", "--arm", "no_blizzard", "--seed", "42"]);
    assert_eq!(v["scenario"], "1231_borrowed_road");
    assert_eq!(v["a"]["arm"], "baseline");
    assert_eq!(v["b"]["arm"], "no_blizzard");
    assert_eq!(v["b"]["seed"], 42);
    assert_eq!(v["diverged"], true);
    let turn = v["turn"].as_u64().unwrap_or(0);
    assert!(turn >= 1 && turn <= v["a"]["turns"].as_u64().unwrap_or(0), "turn {turn}");
    assert!(v["date"].as_str().is_some_and(|d| d.starts_with("123")), "{}", v["date"]);
    let diffs = v["differences"].as_array().cloned().unwrap_or_default();
    assert!(!diffs.is_empty() && diffs.iter().all(|x| x["what"].is_string() && x["a"] != x["b"]), "{diffs:?}");
    assert!(v["log"]["a"].as_array().is_some_and(|l| !l.is_empty()), "the first differing entries: {}", v["log"]);
    // The a side is the plain run of the seed: same digest as `run`.
    let r = tianxia(&["run", "scenarios/1231_borrowed_road.ron", "--seed", "42", "--format", "json"]);
    assert_eq!(v["a"]["digest"], json(&r)["digest"]);

    let same = d(&["--arm", "baseline", "--arm", "baseline", "--seed", "7"]);
    assert_eq!(same["diverged"], false);
    assert!(same["turn"].is_null() && same["date"].is_null());
    assert_eq!(same["differences"], serde_json::json!([]));
    assert_eq!(same["a"]["digest"], same["b"]["digest"]);

    let seeds = d(&["--arm", "baseline", "--arm", "baseline", "--seed", "1", "--seed-b", "2"]);
    assert_eq!(seeds["diverged"], true, "two seeds part");
    assert_eq!(seeds["b"]["seed"], 2);

    let t = tianxia(&["diverge", "scenarios/1231_borrowed_road.ron", "--arm", "baseline", "--arm", "baseline"]);
    assert!(text(&t.stdout).starts_with("identical"), "{}", text(&t.stdout));
    let one = tianxia(&["diverge", "scenarios/1231_borrowed_road.ron", "--arm", "baseline"]);
    assert_eq!(one.status.code(), Some(2));
    let bad = tianxia(&["diverge", "scenarios/1231_borrowed_road.ron", "--arm", "baseline", "--arm", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
}

#[test]
fn run_series_writes_one_row_per_turn_entity_and_metric_without_changing_the_run() {
    let dir = std::env::temp_dir().join(format!("tianxia-series-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let file = dir.join("s.csv");
    let f = file.display().to_string();
    let tut = "scenarios/tutorial_two_kingdoms.ron";
    let with = tianxia(&["run", tut, "--seed", "5", "--format", "json", "--series", &f]);
    let without = tianxia(&["run", tut, "--seed", "5", "--format", "json"]);
    assert!(with.status.success(), "{}", text(&with.stderr));
    assert_eq!(with.stdout, without.stdout, "a series does not change the run");
    let csv = std::fs::read_to_string(&file).unwrap_or_default();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("turn,date,entity,metric,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let turns = json(&with)["turns"].as_u64().unwrap_or(0);
    let last: u64 = rows.iter().filter_map(|r| r[0].parse().ok()).max().unwrap_or(0);
    assert_eq!(last, turns, "a row set per turn played, after the start (turn 0)");
    assert!(rows.iter().any(|r| r[0] == "0" && r[1] == "1230-09-01"), "turn 0 is the start");
    for metric in ["field_men", "provinces", "grain", "treasury"] {
        let n = rows.iter().filter(|r| r[2] == "factions.wei" && r[3] == metric).count() as u64;
        assert_eq!(n, turns + 1, "factions.wei {metric}");
    }
    let men: Vec<f64> =
        rows.iter().filter(|r| r[2] == "armies.wei_main" && r[3] == "men").filter_map(|r| r[4].parse().ok()).collect();
    assert!(!men.is_empty() && men.iter().all(|m| *m >= 0.0), "{men:?}");
    assert!(rows.iter().any(|r| r[2] == "armies.wei_main" && r[3] == "province" && !r[4].is_empty()));

    // A batch writes the same rows for its first runs, arm and run in front.
    let out = dir.join("b").display().to_string();
    let b = tianxia(&["batch", tut, "--runs", "6", "--seed", "2", "--series", &out, "--series-runs", "2", "--quiet"]);
    assert!(b.status.success(), "{}", text(&b.stderr));
    let series = std::fs::read_to_string(dir.join("b/series.csv")).unwrap_or_default();
    assert!(series.starts_with("arm,run,turn,date,entity,metric,value\n"));
    let runs: std::collections::BTreeSet<&str> =
        series.lines().skip(1).map(|l| l.splitn(3, ',').take(2).last().unwrap_or("")).collect();
    assert_eq!(runs.into_iter().collect::<Vec<_>>(), ["0", "1"]);
    let seed1 = tianxia(&[
        "batch",
        tut,
        "--runs",
        "2",
        "--seed",
        "2",
        "--format",
        "json",
        "--out",
        &dir.join("c").display().to_string(),
        "--quiet",
    ]);
    assert!(seed1.status.success());
    let runs_csv = std::fs::read_to_string(dir.join("c/runs.csv")).unwrap_or_default();
    let seed = runs_csv.lines().nth(2).and_then(|l| l.split(',').nth(2)).unwrap_or("").to_string();
    let alone = dir.join("one.csv").display().to_string();
    assert!(tianxia(&["run", tut, "--seed", &seed, "--series", &alone]).status.success());
    let mine: Vec<String> =
        std::fs::read_to_string(&alone).unwrap_or_default().lines().skip(1).map(String::from).collect();
    let theirs: Vec<String> = series
        .lines()
        .filter(|l| l.starts_with("baseline,1,"))
        .map(|l| l.trim_start_matches("baseline,1,").to_string())
        .collect();
    assert_eq!(mine, theirs, "run 1 of the batch, replayed alone from its seed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_subcommand_has_help_with_an_example_and_its_exit_codes_and_completions_are_printed() {
    for cmd in ["run", "batch", "merge", "validate", "describe", "diverge", "sensitivity", "map", "completions"] {
        let o = tianxia(&[cmd, "--help"]);
        assert!(o.status.success(), "{cmd} --help");
        let h = text(&o.stdout);
        assert!(
            h.contains("Example:") && h.contains("Exit codes:"),
            "{cmd} --help lacks an example or exit codes:\n{h}"
        );
        assert!(h.contains(&format!("tianxia {cmd} ")), "{cmd}'s example runs {cmd}:\n{h}");
    }
    for shell in ["bash", "zsh", "fish"] {
        let o = tianxia(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let c = text(&o.stdout);
        assert!(c.contains("sensitivity") && c.contains("--seed"), "{shell} completions:\n{c}");
    }
    assert_eq!(tianxia(&["completions", "cmd.exe"]).status.code(), Some(2));
}
