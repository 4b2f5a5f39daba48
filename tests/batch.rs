//! `tianxia batch` and `tianxia merge`, run for real.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{text, tianxia};

const TUTORIAL: &str = "scenarios/tutorial_two_kingdoms.ron";

struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Tmp {
        let p = std::env::temp_dir().join(format!("tianxia-batch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        Tmp(p)
    }
    fn join(&self, s: &str) -> String {
        self.0.join(s).display().to_string()
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.as_ref().display()))
}

fn batch(out: &str, extra: &[&str]) -> Output {
    let mut args =
        vec!["batch", TUTORIAL, "--runs", "120", "--seed", "7", "--arm", "baseline", "--arm", "no_horde", "--out", out];
    args.extend(extra);
    let o = tianxia(&args);
    assert!(o.status.success(), "batch {extra:?} failed: {}", text(&o.stderr));
    o
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let t = Tmp::new("threads");
    batch(&t.join("one"), &["--threads", "1"]);
    batch(&t.join("two"), &["--threads", "2"]);
    assert_eq!(read(t.0.join("one/runs.csv")), read(t.0.join("two/runs.csv")));
    assert_eq!(read(t.0.join("one/summary.json")), read(t.0.join("two/summary.json")));
}

#[test]
fn runs_csv_and_summary_follow_the_contract() {
    let t = Tmp::new("contract");
    batch(&t.join("b"), &[]);
    let csv = read(t.0.join("b/runs.csv"));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "arm,run,seed,handan_controller,wei_holds_baima,horde_raided,horde_men_in_zhao,wei_losses,main_battle_winner,war_state"
        )
    );
    assert_eq!(csv.lines().count(), 1 + 2 * 120);
    let row: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    assert_eq!(row[0], "baseline");
    assert_eq!(row[1], "0");
    assert!(row[4] == "true" || row[4] == "false");
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
    let t = Tmp::new("replay");
    batch(&t.join("b"), &[]);
    let csv = read(t.0.join("b/runs.csv"));
    for line in csv.lines().skip(1).filter(|l| l.starts_with("no_horde,")).skip(37).take(2) {
        let f: Vec<&str> = line.split(',').collect();
        let o = tianxia(&["run", TUTORIAL, "--seed", f[2], "--variant", "no_horde", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        assert_eq!(v["outcomes"]["handan_controller"], f[3]);
        assert_eq!(v["outcomes"]["wei_holds_baima"].to_string(), f[4]);
        let losses = v["outcomes"]["wei_losses"].as_f64().unwrap_or(-1.0);
        assert!((losses - f[7].parse::<f64>().unwrap_or(0.0)).abs() < 1e-3, "{losses} vs {}", f[7]);
    }
}

#[test]
fn shards_merge_into_exactly_the_unsharded_batch() {
    let t = Tmp::new("shards");
    batch(&t.join("whole"), &[]);
    for k in 0..3 {
        batch(&t.join(&format!("s{k}")), &["--shard", &format!("{k}/3")]);
    }
    let o = tianxia(&["merge", &t.join("s2"), &t.join("s0"), &t.join("s1"), "--out", &t.join("merged")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(read(t.0.join("whole/runs.csv")), read(t.0.join("merged/runs.csv")));
    assert_eq!(read(t.0.join("whole/summary.json")), read(t.0.join("merged/summary.json")));

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
    let t = Tmp::new("resume");
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
    batch(&t.join("cut"), &["--resume"]);
    assert_eq!(read(t.0.join("whole/runs.csv")), read(t.0.join("cut/runs.csv")));
    assert_eq!(read(t.0.join("whole/summary.json")), read(t.0.join("cut/summary.json")));
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
