//! `tianxia batch` and `tianxia merge`, run for real.

use std::path::Path;
use std::process::Output;

mod common;
use common::{Tmp, text, tianxia};

const TUTORIAL: &str = "scenarios/tutorial_two_kingdoms.ron";

/// A scratch folder for one test, removed at its end.
fn tmp(name: &str) -> Tmp {
    Tmp::new("batch", name)
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.as_ref().display()))
}

fn bytes(p: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(p.as_ref()).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.as_ref().display()))
}

/// runs.parquet of two batch folders are the same bytes (built without the `parquet`
/// feature, there is none to compare).
fn same_parquet(t: &Tmp, a: &str, b: &str) {
    if cfg!(not(feature = "parquet")) {
        return;
    }
    let (pa, pb) = (t.0.join(a).join("runs.parquet"), t.0.join(b).join("runs.parquet"));
    let (x, y) = (bytes(&pa), bytes(&pb));
    assert!(x.starts_with(b"PAR1") && x.ends_with(b"PAR1"), "{} is not a parquet file", pa.display());
    assert!(x == y, "{} and {} differ", pa.display(), pb.display());
}

/// The test batch (120 runs of two arms, seed 7) into `out`, whatever its exit code.
fn try_batch(out: &str, extra: &[&str]) -> Output {
    let mut args =
        vec!["batch", TUTORIAL, "--runs", "120", "--seed", "7", "--arm", "baseline", "--arm", "no_horde", "--out", out];
    args.extend(extra);
    tianxia(&args)
}

fn batch(out: &str, extra: &[&str]) -> Output {
    let o = try_batch(out, extra);
    assert!(o.status.success(), "batch {extra:?} failed: {}", text(&o.stderr));
    o
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let t = tmp("threads");
    batch(&t.join("one"), &["--threads", "1"]);
    batch(&t.join("two"), &["--threads", "2"]);
    assert_eq!(read(t.0.join("one/runs.csv")), read(t.0.join("two/runs.csv")));
    assert_eq!(read(t.0.join("one/summary.json")), read(t.0.join("two/summary.json")));
}

#[test]
fn runs_csv_and_summary_follow_the_contract() {
    let t = tmp("contract");
    batch(&t.join("b"), &[]);
    let csv = read(t.0.join("b/runs.csv"));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "arm,run,seed,handan_controller,wei_holds_baima,horde_raided,horde_men_in_zhao,wei_losses,main_battle_winner,war_state,\
             input:params.disease_attrition,input:commanders.lian_po.skill,input:armies.wei_main.infantry,\
             input:armies.horde_riders.cavalry"
        )
    );
    assert_eq!(csv.lines().count(), 1 + 2 * 120);
    let row: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    assert_eq!(row[0], "baseline");
    assert_eq!(row[1], "0");
    assert!(row[4] == "true" || row[4] == "false");
    // Seeds are below 2^53: every CSV reader, R and JavaScript hold them exactly.
    for line in csv.lines().skip(1) {
        let seed: u64 = line.split(',').nth(2).and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
        assert!(seed < 1 << 53, "seed {seed} is not below 2^53");
    }
    let s: serde_json::Value = serde_json::from_str(&read(t.0.join("b/summary.json"))).unwrap_or_default();
    assert_eq!(s["scenario"], "tutorial_two_kingdoms");
    assert_eq!(s["base_seed"], 7);
    assert_eq!(s["runs_per_arm"], 120);
    let arms = s["arms"].as_array().cloned().unwrap_or_default();
    assert_eq!(arms.len(), 2);
    assert_eq!(arms[0]["name"], "baseline");
    assert_eq!(arms[1]["variants"], serde_json::json!(["no_horde"]));
    let o = &arms[0]["outcomes"];
    assert_eq!(o["wei_holds_baima"]["kind"], "bool");
    assert!(o["wei_holds_baima"]["ci95"].as_array().is_some_and(|c| c.len() == 2));
    assert_eq!(o["wei_losses"]["kind"], "number");
    for k in ["mean", "sd", "p05", "p50", "p95"] {
        assert!(o["wei_losses"][k].is_number(), "{k}");
    }
    assert_eq!(o["handan_controller"]["kind"], "category");
    let freq: f64 =
        o["handan_controller"]["freq"].as_object().map(|m| m.values().filter_map(|v| v.as_f64()).sum()).unwrap_or(0.0);
    assert!((freq - 1.0).abs() < 1e-3);
    assert!(
        arms[1]["vs_first"]["horde_raided"]["diff"].as_f64().is_some_and(|d| d < -0.9),
        "paired difference against the first arm"
    );
    assert!(arms[0].get("vs_first").is_none());
}

#[test]
fn a_row_replays_alone_from_its_seed() {
    let t = tmp("replay");
    batch(&t.join("b"), &[]);
    let csv = read(t.0.join("b/runs.csv"));
    for line in csv.lines().skip(1).filter(|l| l.starts_with("no_horde,")).skip(37).take(2) {
        let f: Vec<&str> = line.split(',').collect();
        let o = tianxia(&["run", TUTORIAL, "--seed", f[2], "--variant", "no_horde", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        assert_eq!(v["outcomes"]["handan_controller"], f[3]);
        assert_eq!(v["outcomes"]["wei_holds_baima"].to_string(), f[4]);
        // Machine outputs never round: the number replays exactly.
        let losses = v["outcomes"]["wei_losses"].as_f64().unwrap_or(-1.0);
        assert_eq!(losses, f[7].parse::<f64>().unwrap_or(0.0), "{losses} vs {}", f[7]);
    }
}

#[test]
fn shards_merge_into_exactly_the_unsharded_batch() {
    let t = tmp("shards");
    batch(&t.join("whole"), &[]);
    for k in 0..3 {
        batch(&t.join(&format!("s{k}")), &["--shard", &format!("{k}/3")]);
    }
    let o = tianxia(&["merge", &t.join("s2"), &t.join("s0"), &t.join("s1"), "--out", &t.join("merged")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(read(t.0.join("whole/runs.csv")), read(t.0.join("merged/runs.csv")));
    assert_eq!(read(t.0.join("whole/summary.json")), read(t.0.join("merged/summary.json")));
    same_parquet(&t, "whole", "merged");

    // Refusals: a missing shard, a shard given twice, a shard of another batch.
    let o = tianxia(&["merge", &t.join("s0"), &t.join("s1"), "--out", &t.join("m2")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("shards missing: 2/3"), "{}", text(&o.stderr));
    let o = tianxia(&["merge", &t.join("s0"), &t.join("s0"), &t.join("s1"), &t.join("s2"), "--out", &t.join("m3")]);
    assert!(text(&o.stderr).contains("given twice"), "{}", text(&o.stderr));
    let o = tianxia(&[
        "batch",
        TUTORIAL,
        "--runs",
        "120",
        "--seed",
        "8",
        "--arm",
        "baseline",
        "--arm",
        "no_horde",
        "--shard",
        "2/3",
        "--out",
        &t.join("other"),
    ]);
    assert!(o.status.success());
    let o = tianxia(&["merge", &t.join("s0"), &t.join("s1"), &t.join("other"), "--out", &t.join("m4")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("belongs to another batch"), "{}", text(&o.stderr));
    let o = tianxia(&["merge", &t.join("whole"), "--out", &t.join("m5")]);
    assert!(text(&o.stderr).contains("is not a shard"), "{}", text(&o.stderr));
}

#[test]
fn an_interrupted_batch_resumes_to_the_same_result() {
    let t = tmp("resume");
    batch(&t.join("whole"), &[]);
    batch(&t.join("cut"), &[]);
    // Simulate a crash: keep a prefix of runs.csv that ends in the middle of a line and
    // in the middle of a run (one arm written, the other not), and lose the summary.
    let full = read(t.0.join("cut/runs.csv"));
    let cut = full.len() * 2 / 5;
    std::fs::write(t.0.join("cut/runs.csv"), &full[..cut]).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(t.0.join("cut/summary.json"));
    // Without --resume the folder is not overwritten.
    let o = tianxia(&[
        "batch",
        TUTORIAL,
        "--runs",
        "120",
        "--seed",
        "7",
        "--arm",
        "baseline",
        "--arm",
        "no_horde",
        "--out",
        &t.join("cut"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--resume"));
    // Resuming with other settings is refused.
    let o = tianxia(&[
        "batch",
        TUTORIAL,
        "--runs",
        "120",
        "--seed",
        "8",
        "--arm",
        "baseline",
        "--arm",
        "no_horde",
        "--out",
        &t.join("cut"),
        "--resume",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("other settings"), "{}", text(&o.stderr));
    let _ = std::fs::remove_file(t.0.join("cut/runs.parquet"));
    batch(&t.join("cut"), &["--resume"]);
    assert_eq!(read(t.0.join("whole/runs.csv")), read(t.0.join("cut/runs.csv")));
    assert_eq!(read(t.0.join("whole/summary.json")), read(t.0.join("cut/summary.json")));
    same_parquet(&t, "whole", "cut");
}

#[test]
fn sweeps_multiply_the_arms_and_json_prints_the_summary() {
    let o = tianxia(&[
        "batch",
        TUTORIAL,
        "--runs",
        "20",
        "--arm",
        "baseline",
        "--arm",
        "no_horde",
        "--sweep",
        "params.rout_ratio=2.0,4.0",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let names: Vec<String> = s["arms"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|a| a["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        names,
        [
            "baseline [params.rout_ratio=2.0]",
            "baseline [params.rout_ratio=4.0]",
            "no_horde [params.rout_ratio=2.0]",
            "no_horde [params.rout_ratio=4.0]"
        ]
    );
    assert_eq!(s["arms"][1]["sets"], serde_json::json!(["params.rout_ratio=4.0"]));
}

#[test]
fn bad_batch_input_exits_2() {
    for args in [
        vec!["batch", TUTORIAL, "--runs", "0"],
        vec!["batch", TUTORIAL, "--runs", "5", "--arm", "no_such_variant"],
        vec!["batch", TUTORIAL, "--runs", "5", "--shard", "3/3"],
        vec!["batch", TUTORIAL, "--runs", "5", "--sweep", "params.nothing=1,2"],
        vec!["batch", TUTORIAL, "--runs", "5", "--resume"],
    ] {
        let o = tianxia(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

/// The tutorial with two more variants: one adds an outcome, one removes one.
fn tutorial_with_outcome_variants(t: &Tmp) -> String {
    let text = read(TUTORIAL).replacen(
        "    variants: [\n",
        "    variants: [\n        (id: \"more_outcomes\", add: { \"outcomes\": [(id: \"extra\", kind: bool(flag(\"x\")))] }),\n        (id: \"fewer_outcomes\", remove: [\"outcomes.war_state\"]),\n",
        1,
    );
    let _ = std::fs::create_dir_all(&t.0);
    let path = t.join("outcome_variants.ron");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn set_shard(dir: &str, shard: serde_json::Value) {
    let path = Path::new(dir).join("batch.json");
    let mut v: serde_json::Value = serde_json::from_str(&read(&path)).unwrap_or_default();
    v["shard"] = shard;
    std::fs::write(&path, v.to_string()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn merge_refuses_a_shard_whose_batch_json_names_an_impossible_shard() {
    let t = tmp("bad-shard");
    batch(&t.join("s0"), &["--shard", "0/2"]);
    for (shard, says) in [
        (serde_json::json!([1, 0]), "K must be below N"),
        (serde_json::json!([0, 0]), "K must be below N"),
        (serde_json::json!([1, u64::MAX]), "at most 100000 shards"),
        (serde_json::json!([0, 500]), "more shards than runs"),
    ] {
        set_shard(&t.join("s0"), shard.clone());
        let started = std::time::Instant::now();
        let o = tianxia(&["merge", &t.join("s0"), "--out", &t.join("m")]);
        assert_eq!(o.status.code(), Some(2), "{shard}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(says), "{shard}: {}", text(&o.stderr));
        assert!(started.elapsed().as_secs() < 20, "{shard}: merge took {:?}", started.elapsed());
    }
}

#[test]
fn a_batch_refuses_arms_whose_outcomes_differ() {
    let t = tmp("outcomes");
    let scenario = tutorial_with_outcome_variants(&t);
    for (arm, says) in [
        ("more_outcomes", "arm `more_outcomes` has the outcome `extra`, which arm `baseline` does not have"),
        ("fewer_outcomes", "arm `fewer_outcomes` has no outcome `war_state`, which arm `baseline` has"),
    ] {
        let out = t.join(arm);
        let o = tianxia(&["batch", &scenario, "--runs", "4", "--arm", "baseline", "--arm", arm, "--out", &out]);
        assert_eq!(o.status.code(), Some(2), "{arm}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(says), "{arm}: {}", text(&o.stderr));
        assert!(!Path::new(&out).join("runs.csv").exists(), "{arm}: nothing is written");
    }
}

#[test]
fn an_edited_row_is_refused_by_resume_and_by_merge() {
    let t = tmp("edited");
    batch(&t.join("s0"), &["--shard", "0/2"]);
    batch(&t.join("s1"), &["--shard", "1/2"]);
    let csv = read(t.0.join("s0/runs.csv"));
    // Change one value of a finished row, then one seed.
    let line = csv.lines().nth(5).unwrap_or("").to_string();
    let edited_value =
        line.replacen(",true,", ",false,", 1).replacen(",false,", ",true,", usize::from(!line.contains(",true,")));
    assert_ne!(line, edited_value);
    let mut fields: Vec<String> = line.split(',').map(String::from).collect();
    fields[2] = "12345".into();
    let edited_seed = fields.join(",");
    for edited in [edited_value, edited_seed] {
        std::fs::write(t.0.join("s0/runs.csv"), csv.replacen(&line, &edited, 1)).unwrap_or_else(|e| panic!("{e}"));
        let o = tianxia(&["merge", &t.join("s0"), &t.join("s1"), "--out", &t.join("m")]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains("does not match its checksum"), "{}", text(&o.stderr));
        assert!(!t.0.join("m/runs.csv").exists(), "a refused merge leaves no runs.csv");
        let o = try_batch(&t.join("s0"), &["--shard", "0/2", "--resume"]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains("line 6 (a row of run 2) does not match its checksum"), "{}", text(&o.stderr));
    }
}

#[test]
fn merge_refuses_to_write_into_a_shard_or_over_a_batch() {
    let t = tmp("merge-out");
    batch(&t.join("s0"), &["--shard", "0/2"]);
    batch(&t.join("s1"), &["--shard", "1/2"]);
    let before = read(t.0.join("s0/runs.csv"));
    let o = tianxia(&["merge", &t.join("s0"), &t.join("s1"), "--out", &t.join("s0")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("is one of the shard folders"), "{}", text(&o.stderr));
    assert_eq!(read(t.0.join("s0/runs.csv")), before, "the shard is untouched");
    let o = tianxia(&["merge", &t.join("s0"), &t.join("s1"), "--out", &t.join("m")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let merged = read(t.0.join("m/runs.csv"));
    let o = tianxia(&["merge", &t.join("s0"), &t.join("s1"), "--out", &t.join("m")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("already holds a batch"), "{}", text(&o.stderr));
    assert_eq!(read(t.0.join("m/runs.csv")), merged);
}

#[test]
fn a_second_process_cannot_write_into_a_running_batch() {
    let t = tmp("lock");
    let out = t.join("b");
    let args = ["batch", TUTORIAL, "--runs", "20000", "--threads", "1", "--arm", "baseline", "--out", &out, "--resume"];
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_tianxia"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let rows = || std::fs::read_to_string(Path::new(&out).join("runs.csv")).map_or(0, |s| s.lines().count());
    let wait_for = |n: usize| {
        let started = std::time::Instant::now();
        while rows() < n {
            assert!(started.elapsed().as_secs() < 120, "the batch wrote nothing new");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    let mut first = spawn();
    // Wait until the first has written rows (so it holds the lock).
    wait_for(2);
    let second = tianxia(&args);
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(second.status.code(), Some(2), "{}", text(&second.stderr));
    assert!(text(&second.stderr).contains("another tianxia process is writing"), "{}", text(&second.stderr));
    // The killed process leaves no stale lock: a new one takes over and writes on.
    let before = rows();
    let mut third = spawn();
    wait_for(before + 1);
    let status = third.try_wait().unwrap_or(None);
    let _ = third.kill();
    let _ = third.wait();
    assert!(status.is_none_or(|s| s.success()), "the third batch failed: {status:?}");
}

#[test]
fn a_failed_write_leaves_no_temporary_file() {
    let t = tmp("tmpfile");
    let out = t.0.join("b");
    // summary.json is a non-empty folder, so it cannot be replaced.
    std::fs::create_dir_all(out.join("summary.json/x")).unwrap_or_else(|e| panic!("{e}"));
    let o = tianxia(&["batch", TUTORIAL, "--runs", "5", "--out", &out.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("summary.json"), "{}", text(&o.stderr));
    assert!(!out.join("summary.json.tmp").exists(), "summary.json.tmp was left behind");
}

#[test]
fn batches_beyond_the_limits_are_refused() {
    for (args, says) in [
        (vec!["batch", TUTORIAL, "--runs", "5", "--shard", "0/18446744073709551615"], "at most 100000 shards"),
        (vec!["batch", TUTORIAL, "--runs", "5", "--shard", "0/6"], "more shards than runs"),
        (vec!["batch", TUTORIAL, "--runs", "10000000000"], "limited to 100000000 runs"),
        (vec!["batch", TUTORIAL, "--runs", "5", "--threads", "100000"], "at most 1024 worker threads"),
        (
            vec!["batch", TUTORIAL, "--runs", "60000000", "--arm", "baseline", "--arm", "no_horde"],
            "limited to 100000000 runs",
        ),
    ] {
        let started = std::time::Instant::now();
        let o = tianxia(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(says), "{args:?}: {}", text(&o.stderr));
        assert!(started.elapsed().as_secs() < 20, "{args:?}");
    }
}

#[test]
fn a_damaged_runs_csv_is_reported_with_its_name() {
    let t = tmp("garbage");
    batch(&t.join("b"), &[]);
    let path = t.0.join("b/runs.csv");
    let mut bytes = std::fs::read(&path).unwrap_or_default();
    let at = bytes.len() / 2;
    bytes[at] = 0xff;
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    let o = try_batch(&t.join("b"), &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains(&path.display().to_string()), "{}", text(&o.stderr));
}

#[test]
fn a_full_disk_during_merge_names_the_file_and_leaves_no_temporary_file() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let t = tmp("full");
    batch(&t.join("s0"), &["--shard", "0/2"]);
    batch(&t.join("s1"), &["--shard", "1/2"]);
    // The merged runs.csv is written through runs.csv.tmp; here that leads to a full disk.
    let out = t.0.join("m");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    std::os::unix::fs::symlink("/dev/full", out.join("runs.csv.tmp")).unwrap_or_else(|e| panic!("{e}"));
    let o = tianxia(&["merge", &t.join("s0"), &t.join("s1"), "--out", &t.join("m")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains(&out.join("runs.csv").display().to_string()) && err.contains("No space left"), "{err}");
    assert!(!out.join("runs.csv").exists(), "no partial runs.csv");
    assert!(std::fs::symlink_metadata(out.join("runs.csv.tmp")).is_err(), "the temporary file is removed");
}

#[test]
fn rows_whose_checksums_were_not_written_yet_are_redone_on_resume() {
    let t = tmp("sums-cut");
    batch(&t.join("whole"), &[]);
    batch(&t.join("cut"), &[]);
    // A crash after rows were written but before their checksums were.
    let sums = read(t.0.join("cut/runs.csv.xxh3"));
    std::fs::write(t.0.join("cut/runs.csv.xxh3"), &sums[..17 * 51]).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(t.0.join("cut/summary.json"));
    batch(&t.join("cut"), &["--resume"]);
    for f in ["runs.csv", "runs.csv.xxh3", "summary.json"] {
        assert_eq!(read(t.0.join("whole").join(f)), read(t.0.join("cut").join(f)), "{f}");
    }
}

#[test]
fn resume_starts_a_missing_or_empty_folder_so_one_command_line_serves_first_runs_and_restarts() {
    let t = tmp("resume_fresh");
    batch(&t.join("whole"), &[]);
    // A folder that does not exist yet (a cluster job's first start).
    batch(&t.join("new/deep"), &["--resume"]);
    assert_eq!(read(t.0.join("whole/runs.csv")), read(t.0.join("new/deep/runs.csv")));
    // An empty folder, and one left by a process killed before it wrote batch.json.
    std::fs::create_dir_all(t.0.join("empty")).unwrap_or_else(|e| panic!("{e}"));
    batch(&t.join("empty"), &["--resume"]);
    std::fs::create_dir_all(t.0.join("killed")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(t.0.join("killed/runs.csv"), "").unwrap_or_else(|e| panic!("{e}"));
    batch(&t.join("killed"), &["--resume"]);
    for d in ["empty", "killed"] {
        assert_eq!(read(t.0.join("whole/summary.json")), read(t.0.join(d).join("summary.json")), "{d}");
        same_parquet(&t, "whole", d);
    }
    // The same command on a finished folder changes nothing.
    batch(&t.join("killed"), &["--resume"]);
    same_parquet(&t, "whole", "killed");
    assert_eq!(read(t.0.join("whole/runs.csv")), read(t.0.join("killed/runs.csv")));
}

#[test]
fn a_batch_outside_a_terminal_logs_progress_lines_and_quiet_silences_them() {
    let tutorial = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tutorial_two_kingdoms.ron");
    let run = |quiet: bool| {
        let mut args = vec!["batch".to_string(), tutorial.display().to_string(), "--runs".into(), "1200".into()];
        if quiet {
            args.push("--quiet".into());
        }
        tianxia(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = run(false);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lines: Vec<String> =
        text(&o.stderr).lines().filter(|l| l.starts_with("progress: ")).map(String::from).collect();
    assert!(lines.len() >= 2, "a line per block of runs and one at the end: {lines:?}");
    assert!(lines.last().is_some_and(|l| l.starts_with("progress: 1200/1200 runs (100%), ")), "{lines:?}");
    assert!(lines.iter().all(|l| l.contains(" runs/s, ETA ")), "{lines:?}");
    let o = run(true);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("progress:"), "--quiet prints no progress: {}", text(&o.stderr));
}

#[test]
fn runs_csv_records_each_runs_drawn_inputs_and_sweep_values_at_full_precision() {
    let t = tmp("inputs");
    let out = t.join("b");
    // Two arms, a sweep, the tutorial's four uncertain numbers; `extra` adds the output flags.
    let swept = |extra: &[&str]| {
        let mut args = vec!["batch", TUTORIAL, "--runs", "40", "--seed", "3", "--arm", "baseline", "--arm", "no_horde"];
        args.extend(["--sweep", "params.rout_ratio=2.0,4.0", "--quiet"]);
        args.extend(extra);
        tianxia(&args)
    };
    let o = swept(&["--out", &out]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = read(t.0.join("b/runs.csv"));
    let head: Vec<&str> = csv.lines().next().unwrap_or("").split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}: {head:?}"));
    let (attrition, infantry, horde, sweep) = (
        col("input:params.disease_attrition"),
        col("input:armies.wei_main.infantry"),
        col("input:armies.horde_riders.cavalry"),
        col("sweep:params.rout_ratio"),
    );
    assert_eq!(sweep, head.len() - 1, "sweeps come last");
    let rows: Vec<Vec<String>> = csv.lines().skip(1).map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.len(), 40 * 4);
    let mut infantries = std::collections::BTreeSet::new();
    for r in &rows {
        let x: f64 = r[infantry].parse().unwrap_or(-1.0);
        assert!((25_000.0..35_000.0).contains(&x), "uniform(25000, 35000) gave {x}");
        infantries.insert(r[infantry].clone());
        let a: f64 = r[attrition].parse().unwrap_or(-1.0);
        assert!((0.0003..0.0008).contains(&a), "{a}");
        // Full precision: far more digits than a rounded figure.
        assert!(r[infantry].len() > 8, "{}", r[infantry]);
        if r[0].starts_with("no_horde") {
            assert_eq!(r[horde], "", "no_horde has no horde to draw");
        } else {
            assert!(r[horde] == "8000" || r[horde] == "12000", "{}", r[horde]);
        }
        assert!(r[0].ends_with(&format!("[params.rout_ratio={}]", r[sweep])), "{} / {}", r[0], r[sweep]);
    }
    assert_eq!(infantries.len(), 40, "one draw per run, the same in every arm of the run");
    // Resume and merge keep the columns: a sharded batch merges to exactly this file.
    let parts: Vec<String> = (0..2).map(|k| t.join(&format!("s{k}"))).collect();
    for (k, p) in parts.iter().enumerate() {
        let shard = format!("{k}/2");
        let o = swept(&["--out", p, "--shard", &shard]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let merged = t.join("m");
    let o = tianxia(&["merge", &parts[0], &parts[1], "--out", &merged]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(read(t.0.join("m/runs.csv")), csv);
    same_parquet(&t, "b", "m");
}
