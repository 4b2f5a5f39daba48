//! Snapshots end to end through the binary: `run --save-at --save`, `resume`, `batch
//! --from` and `odds`, and the refusal of bad, damaged or outdated snapshots.

mod common;

use common::{Tmp, text, tianxia};
use serde_json::Value;

/// Each shipped scenario with dates to save at: the start, inside, late, and its last day.
const SAVES: &[(&str, &[&str])] = &[
    ("1231_borrowed_road", &["1231-05-01", "1231-08-02", "1232-01-20", "1232-02-09", "1232-04-30"]),
    ("1217_jin_invasion", &["1217-04-01", "1218-03-03", "1221-01-01", "1224-06-30"]),
    ("tutorial_two_kingdoms", &["1230-09-01", "1230-12-24", "1231-04-30"]),
];

fn json(out: &std::process::Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

fn scenario(name: &str) -> String {
    format!("scenarios/{name}.ron")
}

/// Saves seed `seed` of `name` at `at` into `file` (with `extra` run flags); returns the
/// run's JSON.
fn save(name: &str, seed: &str, at: &str, file: &str, extra: &[&str]) -> Value {
    let s = scenario(name);
    let mut args = vec!["run", s.as_str(), "--seed", seed, "--format", "json", "--save-at", at, "--save", file];
    args.extend_from_slice(extra);
    json(&tianxia(&args))
}

#[test]
fn resume_prints_exactly_what_the_uninterrupted_run_prints() {
    let tmp = Tmp::new("snapshot", "resume");
    for (name, dates) in SAVES {
        for seed in ["1", "4"] {
            let s = scenario(name);
            let plain = tianxia(&["run", &s, "--seed", seed, "--format", "json"]);
            assert_eq!(plain.status.code(), Some(0));
            let text_run = tianxia(&["run", &s, "--seed", seed]);
            let events = tmp.join("whole.jsonl");
            assert_eq!(tianxia(&["run", &s, "--seed", seed, "--events", &events]).status.code(), Some(0));
            for at in *dates {
                let file = tmp.join(&format!("{name}-{seed}-{at}.snap"));
                let saved = save(name, seed, at, &file, &[]);
                assert_eq!(saved, json(&plain), "{name} {seed}: saving changed the run");
                let resumed = tianxia(&["resume", &file, "--format", "json"]);
                assert_eq!(text(&resumed.stdout), text(&plain.stdout), "{name} seed {seed} resumed at {at}");
                let told = tianxia(&["resume", &file]);
                assert_eq!(text(&told.stdout), text(&text_run.stdout), "{name} seed {seed} at {at}: the chronicle");
                let again = tmp.join("resumed.jsonl");
                assert_eq!(tianxia(&["resume", &file, "--events", &again]).status.code(), Some(0));
                let (a, b) = (std::fs::read(&events), std::fs::read(&again));
                assert!(a.is_ok() && a.ok() == b.ok(), "{name} seed {seed} at {at}: the event log differs");
                let bytes = std::fs::read(&file).unwrap_or_default();
                assert!(bytes.len() < 1 << 20, "{name}: a snapshot of {} bytes", bytes.len());
            }
        }
    }
}

#[test]
fn a_snapshot_is_taken_at_the_first_turn_boundary_on_or_after_the_date() {
    let tmp = Tmp::new("snapshot", "boundary");
    let file = tmp.join("a.snap");
    // 1231 starts on 05-01 with 5-day turns: boundaries on 05-01, 05-06, 05-11...
    save("1231_borrowed_road", "1", "1231-05-07", &file, &[]);
    let bytes = std::fs::read(&file).unwrap_or_default();
    let header: Value = bytes
        .split(|b| *b == b'\n')
        .nth(1)
        .and_then(|l| serde_json::from_slice(l).ok())
        .unwrap_or_else(|| panic!("no header line"));
    assert_eq!((header["turn"].as_u64(), header["date"].as_str()), (Some(2), Some("1231-05-11")));
    assert_eq!(header["seed"], 1);
    assert_eq!(header["scenario"], "1231_borrowed_road");
    assert_eq!(header["engine_version"], env!("CARGO_PKG_VERSION"));
    // A date past the end is refused before anything runs.
    let out = tianxia(&["run", "scenarios/1231_borrowed_road.ron", "--save-at", "1240-01-01", "--save", &file]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("after the end"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let out = tianxia(&["run", "scenarios/1231_borrowed_road.ron", "--save-at", "1231-02-30", "--save", &file]);
    assert_eq!(out.status.code(), Some(2), "not a date");
}

#[test]
fn a_snapshot_keeps_the_variants_sets_and_mods_of_its_run() {
    let tmp = Tmp::new("snapshot", "layers");
    let file = tmp.join("v.snap");
    let flags =
        ["--variant", "wei_opens_road", "--set", "params.combat_noise=0.3", "--mod", "docs/examples/tutorial_mod"];
    let saved = save("tutorial_two_kingdoms", "3", "1230-11-15", &file, &flags);
    let resumed = json(&tianxia(&["resume", &file, "--format", "json"]));
    assert_eq!(resumed, saved);
    assert_eq!(resumed["variants"][0], "wei_opens_road");
    assert_eq!(resumed["sets"][0], "params.combat_noise=0.3");
    assert!(!resumed["mods"].as_array().is_none_or(Vec::is_empty));
}

/// Expects `resume FILE` to fail with exit 2, a message containing `says`, nothing on stdout.
fn refused(file: &str, says: &str) {
    let out = tianxia(&["resume", file, "--format", "json"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{file}: {err}");
    assert!(out.stdout.is_empty(), "{file}: printed {}", text(&out.stdout));
    assert!(err.contains(says), "{file}: expected `{says}` in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_snapshots_are_refused_with_exit_2_and_never_a_panic() {
    let tmp = Tmp::new("snapshot", "bad");
    let good = tmp.join("good.snap");
    save("tutorial_two_kingdoms", "1", "1230-12-01", &good, &[]);
    let bytes = std::fs::read(&good).unwrap_or_default();
    let write = |name: &str, b: &[u8]| {
        let p = tmp.join(name);
        std::fs::write(&p, b).unwrap_or_else(|e| panic!("{e}"));
        p
    };
    refused(&tmp.join("missing.snap"), "cannot read");
    refused(&write("empty.snap", b""), "not a Tianxia snapshot");
    refused(&write("text.snap", b"(id: \"a scenario, not a snapshot\")"), "not a Tianxia snapshot");
    // Cut anywhere: in the header, in the payload, in the checksum.
    for cut in [17, 40, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
        refused(&write("cut.snap", &bytes[..cut]), "truncated");
    }
    // A byte flipped anywhere after the header line.
    let header_end = bytes.iter().skip(17).position(|b| *b == b'\n').map_or(0, |p| p + 18);
    for at in [header_end + 3, (header_end + bytes.len()) / 2, bytes.len() - 12, bytes.len() - 3] {
        let mut b = bytes.clone();
        b[at] ^= 0x20;
        refused(&write("flipped.snap", &b), "damaged");
    }
    // Another engine version (the header rewritten, so the checksum is wrong too: the
    // version is what is reported).
    let mut b = bytes.clone();
    let ours = format!("\"engine_version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    let at = bytes.windows(ours.len()).position(|w| w == ours.as_bytes()).unwrap_or_else(|| panic!("no version"));
    b.splice(at..at + ours.len(), "\"engine_version\":\"9.9.9\"".bytes());
    refused(&write("other.snap", &b), "written by engine 9.9.9");
    // Sound bytes (the checksum is right) that do not say what they hold: a header that
    // does not match the snapshot, and a snapshot of the tutorial passed off as one of
    // the 1231 scenario (resumed, and forked).
    use tianxia_montecarlo::snapshot::SnapshotFile;
    let read = SnapshotFile::read(std::path::Path::new(&good)).unwrap_or_else(|e| panic!("{e}"));
    let mut f = read.clone();
    f.origin.turn += 1;
    refused(&write("header.snap", &f.to_bytes().unwrap_or_default()), "header does not match its contents");
    let other = tmp.join("other_scenario.snap");
    save("1231_borrowed_road", "1", "1231-05-01", &other, &[]);
    let theirs = SnapshotFile::read(std::path::Path::new(&other)).unwrap_or_else(|e| panic!("{e}"));
    let mut f = read;
    f.origin = SnapshotFile { snapshot: f.snapshot.clone(), ..theirs }.origin;
    f.origin.turn = f.snapshot.turn;
    f.origin.date = f.snapshot.date.to_string();
    let passed_off = write("passed_off.snap", &f.to_bytes().unwrap_or_default());
    refused(&passed_off, "does not fit this scenario");
    let out = tianxia(&["resume", &passed_off, "--seed", "3", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
}

#[test]
fn a_snapshot_of_a_scenario_that_changed_since_is_refused() {
    let tmp = Tmp::new("snapshot", "changed");
    let copy = tmp.join("tutorial.ron");
    let original = std::fs::read_to_string("scenarios/tutorial_two_kingdoms.ron").unwrap_or_default();
    std::fs::write(&copy, &original).unwrap_or_else(|e| panic!("{e}"));
    let file = tmp.join("t.snap");
    let out = tianxia(&["run", &copy, "--seed", "2", "--save-at", "1230-10-10", "--save", &file, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(json(&tianxia(&["resume", &file, "--format", "json"])), json(&out));
    std::fs::write(&copy, original.replacen("name:", "name: /* edited */", 1)).unwrap_or_else(|e| panic!("{e}"));
    refused(&file, "changed since the snapshot was taken");
    std::fs::remove_file(&copy).unwrap_or_else(|e| panic!("{e}"));
    refused(&file, "cannot read");
}

fn runs_csv(dir: &str) -> String {
    std::fs::read_to_string(format!("{dir}/runs.csv")).unwrap_or_else(|e| panic!("{dir}: {e}"))
}

#[test]
fn a_fork_batch_continues_the_snapshot_and_any_run_replays_alone() {
    let tmp = Tmp::new("snapshot", "fork");
    let snap = tmp.join("jan.snap");
    save("1231_borrowed_road", "1", "1232-01-20", &snap, &[]);
    let s = scenario("1231_borrowed_road");
    let batch = |out: &str, extra: &[&str]| {
        let mut args = vec!["batch", s.as_str(), "--from", snap.as_str(), "--runs", "40", "--seed", "3", "--quiet"];
        args.extend_from_slice(&["--arm", "baseline", "--arm", "no_blizzard", "--out", out, "--format", "json"]);
        args.extend_from_slice(extra);
        json(&tianxia(&args))
    };
    let (one, two) = (tmp.join("one"), tmp.join("two"));
    let a = batch(&one, &["--threads", "1"]);
    let b = batch(&two, &["--threads", "2"]);
    assert_eq!(a, b, "the thread count changed a fork batch");
    assert_eq!(runs_csv(&one), runs_csv(&two));
    assert_eq!(a["from"]["date"], "1232-01-21");
    assert_eq!(a["from"]["turn"], 53);
    assert_eq!(a["arms"].as_array().map(Vec::len), Some(2));
    // The snapshot's world is the Jin and Tolui in Henan on the eve of the battle: with the
    // great snow still to come in most forks, no_blizzard moves the battle.
    let p = |arm: usize| a["arms"][arm]["outcomes"]["great_snow"]["p"].as_f64().unwrap_or(-1.0);
    assert!(p(0) > 0.3 && p(1) == 0.0, "great_snow: {} vs {}", p(0), p(1));
    // Run i of any arm replays alone: `resume --seed` with the seed in runs.csv (and the
    // arm's variants) gives its outcomes.
    let csv = runs_csv(&one);
    let head: Vec<&str> = csv.lines().next().unwrap_or_default().split(',').collect();
    let rows = |arm: &'static str| csv.lines().skip(1).filter(move |l| l.split(',').next() == Some(arm)).take(3);
    let baseline = rows("baseline").map(|r| (r, &[][..]));
    for (row, extra) in baseline.chain(rows("no_blizzard").map(|r| (r, &["--variant", "no_blizzard"][..]))) {
        let cells: Vec<&str> = row.split(',').collect();
        let mut args = vec!["resume", snap.as_str(), "--seed", cells[2], "--format", "json"];
        args.extend_from_slice(extra);
        let r = json(&tianxia(&args));
        assert_eq!(r["from"]["date"], "1232-01-21");
        assert_eq!(r["variants"].as_array().map(Vec::len), Some(extra.len() / 2), "{}", cells[0]);
        for (k, cell) in head.iter().zip(&cells).skip(3) {
            let v = &r["outcomes"][*k];
            match v.as_f64() {
                Some(x) => assert_eq!(Some(x), cell.parse::<f64>().ok(), "run {} outcome {k}", cells[1]),
                None => {
                    let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    assert_eq!(shown, *cell, "run {} outcome {k}", cells[1]);
                }
            }
        }
    }
    // The series of a fork batch start at the fork, the same state in every run.
    let series = tmp.join("series");
    let with_series = batch(&tmp.join("with_series"), &["--series", &series, "--series-runs", "2"]);
    assert_eq!(with_series, a, "--series changed the batch");
    let csv = std::fs::read_to_string(format!("{series}/series.csv")).unwrap_or_else(|e| panic!("{e}"));
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.first().map(|r| (r[0], r[1], r[2], r[3])), Some(("baseline", "0", "53", "1232-01-21")));
    let at_fork = |arm: &str, run: &str| -> Vec<String> {
        rows.iter().filter(|r| r[0] == arm && r[1] == run && r[2] == "53").map(|r| r[4..].join(",")).collect()
    };
    assert!(!at_fork("baseline", "0").is_empty());
    assert_eq!(at_fork("baseline", "0"), at_fork("baseline", "1"));
    assert_eq!(at_fork("baseline", "0"), at_fork("no_blizzard", "0"));
    assert!(rows.iter().all(|r| r[2].parse::<u32>().is_ok_and(|t| (53..=74).contains(&t))));
    assert!(rows.iter().any(|r| r[2] == "74"), "the series run to the end");
    // Shards merge to the whole.
    let (s0, s1, merged) = (tmp.join("s0"), tmp.join("s1"), tmp.join("merged"));
    batch(&s0, &["--shard", "0/2"]);
    batch(&s1, &["--shard", "1/2"]);
    let m = tianxia(&["merge", &s0, &s1, "--out", &merged]);
    assert_eq!(m.status.code(), Some(0), "{}", text(&m.stderr));
    assert_eq!(runs_csv(&merged), runs_csv(&one));
}

#[test]
fn a_fork_refuses_arms_that_change_the_snapshots_state() {
    let tmp = Tmp::new("snapshot", "refuse");
    let snap = tmp.join("jan.snap");
    save("1231_borrowed_road", "1", "1232-01-20", &snap, &[]);
    let s = scenario("1231_borrowed_road");
    let try_batch = |extra: &[&str]| {
        let mut args = vec!["batch", s.as_str(), "--from", snap.as_str(), "--runs", "5", "--quiet"];
        args.extend_from_slice(extra);
        tianxia(&args)
    };
    let out = try_batch(&["--arm", "baseline", "--arm", "song_resists"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("armies.gui_ruyuan_army.at") && err.contains("snapshot's state"), "{err}");
    let out = try_batch(&["--set", "armies.jin_field_army.cavalry=1000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("armies.jin_field_army.cavalry"), "{}", text(&out.stderr));
    // Parameters may change at a fork, and do change the forks.
    let base = json(&try_batch(&["--format", "json"]));
    let changed = json(&try_batch(&["--format", "json", "--set", "params.combat_noise=0.5"]));
    assert_ne!(base["arms"][0]["outcomes"], changed["arms"][0]["outcomes"]);
    // Another scenario than the snapshot's is refused.
    let out = tianxia(&["batch", "scenarios/tutorial_two_kingdoms.ron", "--from", &snap, "--runs", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("content hash"), "{}", text(&out.stderr));
}

#[test]
fn an_arm_that_fixes_an_uncertain_number_keeps_the_other_draws_and_climates_stay_put() {
    let tmp = Tmp::new("snapshot", "draws");
    let snap = tmp.join("t.snap");
    save("tutorial_two_kingdoms", "4", "1230-12-01", &snap, &[]);
    let s = scenario("tutorial_two_kingdoms");
    let batch = |extra: &[&str]| {
        let mut args = vec!["batch", s.as_str(), "--from", snap.as_str(), "--runs", "6", "--quiet", "--format", "json"];
        args.extend_from_slice(extra);
        tianxia(&args)
    };
    // `disease_attrition` is the first uncertain number: fixed by the arm, it must not
    // shift the draws after it (the infantry of the Army of Wei, in the field since the
    // start), or the arm would change the snapshot's state.
    let out = batch(&["--set", "params.disease_attrition=0.0005"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A region's climate may change at a fork, but not come or go.
    let out = batch(&["--set", "regions.hill_land.climate.winter.snow=0.6"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = batch(&["--set", "regions.hill_land.climate=None"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("regions.hill_land.climate"), "{}", text(&out.stderr));
}

#[cfg(unix)]
#[test]
fn a_run_that_could_not_record_its_scenario_path_refuses_to_save_before_it_starts() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = Tmp::new("snapshot", "utf8");
    let dir = tmp.0.join(std::ffi::OsStr::from_bytes(b"not-utf8-\xff"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let copy = dir.join("t.ron");
    std::fs::copy("scenarios/tutorial_two_kingdoms.ron", &copy).unwrap_or_else(|e| panic!("{e}"));
    let file = tmp.0.join("t.snap");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tianxia"))
        .arg("run")
        .arg(&copy)
        .args(["--save-at", "1230-10-10", "--save"])
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty() && !file.exists(), "a partial run: {}", text(&out.stdout));
    assert!(err.contains("not UTF-8") && !err.contains("panicked"), "{err}");
}

#[test]
fn odds_follow_the_history_and_are_deterministic() {
    let tmp = Tmp::new("snapshot", "odds");
    let s = scenario("1231_borrowed_road");
    let odds = |outcome: &str, threads: &str, out: &str| {
        json(&tianxia(&[
            "odds",
            &s,
            "--seed",
            "1",
            "--outcome",
            outcome,
            "--every",
            "8",
            "--runs",
            "24",
            "--threads",
            threads,
            "--quiet",
            "--format",
            "json",
            "--out",
            out,
        ]))
    };
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    let v = odds("decisive_battle_winner", "1", &a);
    assert_eq!(v, odds("decisive_battle_winner", "2", &b), "the thread count changed the odds");
    assert_eq!(
        (v["scenario"].as_str(), v["seed"].as_u64(), v["kind"].as_str()),
        (Some("1231_borrowed_road"), Some(1), Some("category"))
    );
    let points = v["points"].as_array().cloned().unwrap_or_default();
    // 74 turns: points at turns 0, 8, ..., 72.
    assert_eq!(points.len(), 10);
    for (i, p) in points.iter().enumerate() {
        assert_eq!(p["turn"].as_u64(), Some(8 * i as u64));
        assert_eq!(p["runs"], 24);
        let sum: f64 = p["freq"].as_object().map_or(0.0, |m| m.values().filter_map(Value::as_f64).sum());
        assert!((sum - 1.0).abs() < 1e-9, "turn {}: frequencies sum to {sum}", p["turn"]);
    }
    assert_eq!(points[0]["date"], "1231-05-01");
    assert_eq!(points[1]["date"], "1231-06-10");
    // Once the battle is fought the forks all agree with the history.
    let last = &points[points.len() - 1];
    let won = v["history"]["value"].as_str().unwrap_or_default();
    assert_eq!(last["freq"][won], 1.0, "{last}");
    let csv = std::fs::read_to_string(format!("{a}/odds.csv")).unwrap_or_default();
    assert!(csv.starts_with("turn,date,runs,freq:"), "{csv}");
    assert_eq!(csv.lines().count(), 11);
    assert!(std::fs::metadata(format!("{a}/events.jsonl")).is_ok_and(|m| m.len() > 0));
    // A bool outcome: p with its interval; a number: mean and quantiles.
    let p = odds("jin_field_army_destroyed", "2", &tmp.join("c"));
    let first = &p["points"][0];
    let (x, lo, hi) = (first["p"].as_f64(), first["ci95"][0].as_f64(), first["ci95"][1].as_f64());
    assert!(matches!((x, lo, hi), (Some(x), Some(lo), Some(hi)) if lo <= x && x <= hi), "{first}");
    let n = odds("tolui_men_end", "2", &tmp.join("d"));
    let q = &n["points"][0];
    assert!(q["p05"].as_f64() <= q["p50"].as_f64() && q["p50"].as_f64() <= q["p95"].as_f64() && q["mean"].is_f64());
    // Text for people: one row per point.
    let t = tianxia(&[
        "odds",
        &s,
        "--seed",
        "1",
        "--outcome",
        "decisive_battle_winner",
        "--every",
        "8",
        "--runs",
        "24",
        "--quiet",
    ]);
    assert_eq!(t.status.code(), Some(0));
    assert!(text(&t.stdout).contains("1231-06-10") && text(&t.stdout).contains("Sanfengshan"));
    let bad = tianxia(&["odds", &s, "--seed", "1", "--outcome", "nonsense", "--quiet"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("unknown outcome `nonsense`"), "{}", text(&bad.stderr));
    let bad = tianxia(&["odds", &s, "--seed", "1", "--outcome", "great_snow", "--every", "0", "--quiet"]);
    assert_eq!(bad.status.code(), Some(2));
}
