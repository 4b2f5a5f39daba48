//! Batch experiments: many runs of a scenario across arms (variant sets, overrides,
//! sweeps), in parallel and deterministic, aggregated into probabilities and
//! distributions with intervals, streamed to `runs.csv`, sharded for clusters and
//! resumable after a crash.
//!
//! Determinism: run `i` uses seed `run_seed(base_seed, i)` in every arm (common random
//! numbers); results are consumed in (run, arm) order whatever the thread count, so
//! files and summaries are byte-identical for any `--threads` and any sharding.
//!
//! Architecture invariant: this crate knows files and threads, not terminals: progress
//! goes to a callback, errors to [`BatchError`].

#[cfg(feature = "parquet")]
mod columnar;
pub mod diverge;
pub mod json;
pub mod odds;
pub mod sensitivity;
pub mod series;
pub mod snapshot;
pub mod stats;

use crate::stats::{Agg, Paired, V};
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use snapshot::SnapshotFile;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tianxia_engine::model::script::OutcomeValue;
use tianxia_engine::rng::run_seed;
use tianxia_engine::world::fork::ForkPlan;
use tianxia_engine::{Sim, WorldSpec};
use tianxia_scenario::resolve::OutcomeKind;
use tianxia_scenario::{LoadError, LoadOptions, Runner, Scenario};

/// Why a batch could not run.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The scenario (for some arm) has problems.
    #[error("{arm}: the scenario has problems")]
    Load {
        /// The arm whose layering failed.
        arm: String,
        /// The problems.
        error: LoadError,
    },
    /// Bad arguments or files given by the user.
    #[error("{0}")]
    Input(String),
    /// Something went wrong inside.
    #[error("{0}")]
    Internal(String),
}

fn input(msg: impl Into<String>) -> BatchError {
    BatchError::Input(msg.into())
}

/// One arm: a name and the layers that make it.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmDef {
    /// Its name (`baseline`, `song_grants_passage+no_blizzard`, with `[path=v]` for sweeps).
    pub name: String,
    /// Variants, in order.
    pub variants: Vec<String>,
    /// Overrides, in order (common ones first).
    pub sets: Vec<String>,
    /// The swept paths and this arm's value of each (as written), in `--sweep` order.
    pub sweeps: Vec<(String, String)>,
}

/// Builds the arms of a batch from the command line's `--arm`, `--variant`, `--set` and
/// `--sweep` values, as DESIGN.md's contract says.
pub fn plan_arms(
    arms: &[String],
    variants: &[String],
    sets: &[String],
    sweeps: &[String],
) -> Result<Vec<ArmDef>, BatchError> {
    let mut out: Vec<ArmDef> = if arms.is_empty() {
        let name = if variants.is_empty() { "baseline".to_string() } else { variants.join("+") };
        vec![ArmDef { name, variants: variants.to_vec(), sets: sets.to_vec(), sweeps: Vec::new() }]
    } else {
        arms.iter()
            .map(|spec| {
                let spec = spec.trim();
                let mut all = variants.to_vec();
                all.extend(arm_variants(spec)?);
                Ok(ArmDef { name: spec.to_string(), variants: all, sets: sets.to_vec(), sweeps: Vec::new() })
            })
            .collect::<Result<_, _>>()?
    };
    for sweep in sweeps {
        let Some((path, values)) = sweep.split_once('=') else {
            return Err(input(format!("--sweep `{sweep}` is not PATH=V1,V2,...")));
        };
        let values = split_values(values);
        if values.is_empty() {
            return Err(input(format!("--sweep `{sweep}` has no values")));
        }
        out = out
            .iter()
            .flat_map(|arm| {
                values.iter().map(move |v| {
                    let mut a = arm.clone();
                    a.name = format!("{} [{}={}]", arm.name, path.trim(), v);
                    a.sets.push(format!("{}={}", path.trim(), v));
                    a.sweeps.push((path.trim().to_string(), v.clone()));
                    a
                })
            })
            .collect();
    }
    let mut names: Vec<&str> = out.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(input(format!("the arm `{}` is given twice", w[0])));
    }
    Ok(out)
}

/// The variants of an arm spec: none for `baseline`, else the names joined by `+`.
pub fn arm_variants(spec: &str) -> Result<Vec<String>, BatchError> {
    let spec = spec.trim();
    if spec == "baseline" {
        return Ok(Vec::new());
    }
    let vs: Vec<String> = spec.split('+').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    if vs.is_empty() {
        return Err(input(format!("--arm `{spec}` names no variant (use `baseline` or `a+b`)")));
    }
    Ok(vs)
}

/// Splits `a,b,(c, d)` on top-level commas.
fn split_values(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
    for ch in s.chars() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_string());
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out.into_iter().filter(|v| !v.is_empty()).collect()
}

/// What a batch is: everything that decides its result.
#[derive(Clone, Debug)]
pub struct BatchConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Runs per arm.
    pub runs: u64,
    /// Base seed.
    pub base_seed: u64,
    /// The arms.
    pub arms: Vec<ArmDef>,
    /// Mod folders, for every arm.
    pub mods: Vec<PathBuf>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// Run only shard K of N (0-based K).
    pub shard: Option<(u64, u64)>,
    /// Where to write runs.csv and summary.json.
    pub out: Option<PathBuf>,
    /// Continue the batch already in `out`.
    pub resume: bool,
    /// Fork every run from this snapshot file instead of starting it at the beginning.
    pub from: Option<PathBuf>,
}

/// A loaded arm.
struct Arm {
    def: ArmDef,
    scenario: Scenario,
    /// In a fork batch: the arm's world and what it changes at the fork.
    fork: Option<(WorldSpec, ForkPlan)>,
}

/// The snapshot a fork batch starts from.
struct Fork {
    file: SnapshotFile,
    path: PathBuf,
}

/// Loads the arms of `cfg`, each a scenario and, in a fork batch, the arm's world and
/// its changes at the fork.
fn load_arms(cfg: &BatchConfig, fork: Option<&Fork>) -> Result<Vec<Arm>, BatchError> {
    let Some(fork) = fork else {
        return cfg
            .arms
            .iter()
            .map(|def| {
                let opts =
                    LoadOptions { variants: def.variants.clone(), sets: def.sets.clone(), mods: cfg.mods.clone() };
                tianxia_scenario::load(&cfg.scenario, &opts)
                    .map(|scenario| Arm { def: def.clone(), scenario, fork: None })
                    .map_err(|error| BatchError::Load { arm: def.name.clone(), error })
            })
            .collect();
    };
    let origin = &fork.file.origin;
    if !cfg.mods.is_empty() {
        return Err(input(format!(
            "--mod with --from: a fork takes its mods from the snapshot ({})",
            if origin.mods.is_empty() { "none".to_string() } else { format!("{:?}", origin.mods) }
        )));
    }
    let base = fork.file.fork_base(&cfg.scenario, &fork.path)?;
    cfg.arms
        .iter()
        .map(|def| {
            let arm = base.arm(&def.name, &def.variants, &def.sets)?;
            Ok(Arm { def: def.clone(), scenario: arm.scenario, fork: Some((arm.world, arm.plan)) })
        })
        .collect()
}

/// What a finished batch produced.
#[derive(Clone, Debug)]
pub struct BatchResult {
    /// The summary (summary.json).
    pub summary: Value,
    /// Runs done by this process (not counting resumed ones).
    pub runs_done: u64,
}

/// The identity of a batch: two batches with equal identities produce equal results.
fn identity(cfg: &BatchConfig, arms: &[Arm]) -> Value {
    let first = &arms[0].scenario;
    json!({
        "scenario": first.id,
        "content_hash": first.content_hash,
        "engine_version": tianxia_engine::VERSION,
        "base_seed": cfg.base_seed,
        "runs_per_arm": cfg.runs,
        "mods": first.mods.iter().map(|m| format!("{}@{}", m.id, m.version)).collect::<Vec<_>>(),
        "arms": arms.iter().map(|a| json!({"name": a.def.name, "variants": a.def.variants, "sets": a.def.sets})).collect::<Vec<_>>(),
        "outcomes": first.outcomes.iter().map(|(k, kind)| json!([k, kind_name(*kind)])).collect::<Vec<_>>(),
        "columns": extra_columns(arms),
    })
}

/// The snapshot a fork batch starts from, as its identity and summary record it.
fn fork_identity(fork: &Fork) -> Value {
    let o = &fork.file.origin;
    json!({"snapshot": fork.path.display().to_string(), "seed": o.seed, "turn": o.turn, "date": o.date,
           "variants": o.variants, "sets": o.sets,
           "checksum": format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&fork.file.snapshot.to_bytes()))})
}

/// The columns of runs.csv after the outcomes: `input:<path>` for each uncertain number of
/// any arm (in the order the arms first draw them), then `sweep:<path>` for each swept path.
fn extra_columns(arms: &[Arm]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    // A fork draws nothing: its inputs are the snapshot's.
    for a in arms.iter().filter(|a| a.fork.is_none()) {
        for (path, _) in a.scenario.uncertain() {
            let c = format!("input:{path}");
            if !cols.contains(&c) {
                cols.push(c);
            }
        }
    }
    for a in arms {
        for (path, _) in &a.def.sweeps {
            let c = format!("sweep:{path}");
            if !cols.contains(&c) {
                cols.push(c);
            }
        }
    }
    cols
}

/// For each extra column, where an arm's row takes its value: the index of the arm's
/// uncertain number, or its sweep value, or nothing (an empty cell).
fn column_sources(arm: &Arm, columns: &[String]) -> Vec<Source> {
    let inputs: Vec<&str> = arm.scenario.uncertain().map(|(p, _)| p).collect();
    columns
        .iter()
        .map(|c| {
            if let Some(path) = c.strip_prefix("input:") {
                inputs.iter().position(|p| *p == path).map_or(Source::Empty, Source::Drawn)
            } else if let Some(path) = c.strip_prefix("sweep:") {
                arm.def.sweeps.iter().find(|(p, _)| p == path).map_or(Source::Empty, |(_, v)| Source::Text(v.clone()))
            } else {
                Source::Empty
            }
        })
        .collect()
}

/// One run of one arm: its outcome values and the cells of the extra columns.
type Row = (Vec<V>, Vec<String>);

/// Where a cell of an extra column comes from.
#[derive(Clone, Debug)]
enum Source {
    Drawn(usize),
    Text(String),
    Empty,
}

/// The name of an outcome kind, as batch.json and describe write it.
pub fn kind_name(k: OutcomeKind) -> &'static str {
    match k {
        OutcomeKind::Bool => "bool",
        OutcomeKind::Number => "number",
        OutcomeKind::Category => "category",
    }
}

/// The runs of shard `k` of `n` out of `runs`: a contiguous block.
pub fn shard_range(runs: u64, shard: Option<(u64, u64)>) -> Range<u64> {
    match shard {
        None => 0..runs,
        Some((k, n)) => {
            let per = |i: u64| (u128::from(runs) * u128::from(i) / u128::from(n)) as u64;
            per(k)..per(k + 1)
        }
    }
}

/// Streams rows into the aggregate, in (run, arm) order.
pub struct Aggregator {
    outcomes: Vec<(String, OutcomeKind)>,
    aggs: Vec<Vec<Option<Agg>>>,
    paired: Vec<Vec<Paired>>,
    runs: u64,
}

impl Aggregator {
    fn new(arms: usize, outcomes: Vec<(String, OutcomeKind)>) -> Aggregator {
        let (na, no) = (arms, outcomes.len());
        Aggregator { outcomes, aggs: vec![vec![None; no]; na], paired: vec![vec![Paired::default(); no]; na], runs: 0 }
    }

    /// Adds one run: the values of every arm, in arm order.
    fn push_run(&mut self, per_arm: &[Vec<V>]) {
        for (a, values) in per_arm.iter().enumerate() {
            for (o, v) in values.iter().enumerate() {
                self.aggs[a][o].get_or_insert_with(|| Agg::for_value(v)).push(v);
                if a > 0 {
                    self.paired[a][o].push(v, &per_arm[0][o], self.runs);
                }
            }
        }
        self.runs += 1;
    }

    fn summary(&self, ident: &Value, runs_per_arm: u64) -> Value {
        let arms: Vec<Value> = ident["arms"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(a, mut arm)| {
                let mut outcomes = Map::new();
                let mut vs = Map::new();
                for (o, (key, kind)) in self.outcomes.iter().enumerate() {
                    let agg = self.aggs[a][o].as_ref().map_or(Value::Null, Agg::to_json);
                    outcomes.insert(key.clone(), agg);
                    if a > 0 {
                        vs.insert(key.clone(), self.paired[a][o].to_json(kind_name(*kind)));
                    }
                }
                arm["runs"] = json!(self.runs);
                arm["outcomes"] = Value::Object(outcomes);
                if a > 0 {
                    arm["vs_first"] = Value::Object(vs);
                }
                arm
            })
            .collect();
        let mut summary = json!({
            "scenario": ident["scenario"],
            "base_seed": ident["base_seed"],
            "runs_per_arm": runs_per_arm,
            "arms": arms,
            "content_hash": ident["content_hash"],
            "engine_version": ident["engine_version"],
            "mods": ident["mods"],
            "seeds": "run i of every arm uses seed run_seed(base_seed, i); replay it with `tianxia run --seed SEED`",
        });
        if !ident["from"].is_null() {
            summary["from"] = ident["from"].clone();
            summary["seeds"] = json!(
                "run i of every arm forks the snapshot with fresh random streams from seed run_seed(base_seed, i); replay a baseline run with `tianxia resume SNAPSHOT --seed SEED`"
            );
        }
        summary
    }
}

fn value(v: &OutcomeValue) -> V {
    match v {
        OutcomeValue::Bool(b) => V::B(*b),
        OutcomeValue::Number(x) => V::N(*x),
        OutcomeValue::Category(c) => V::C(c.clone()),
    }
}

fn parse_value(s: &str, kind: OutcomeKind) -> Option<V> {
    match kind {
        OutcomeKind::Bool => s.parse().ok().map(V::B),
        OutcomeKind::Number => s.parse().ok().map(V::N),
        OutcomeKind::Category => Some(V::C(s.to_string())),
    }
}

/// Most runs in one batch: runs per arm × arms (docs/scenario-format.md, "Limits").
pub const MAX_RUNS: u64 = 100_000_000;
/// Most arms in one batch (after `--sweep` multiplied them).
pub const MAX_ARMS: usize = 1_000;
/// Most shards a batch can be split into.
pub const MAX_SHARDS: u64 = 100_000;
/// Most worker threads.
pub const MAX_THREADS: usize = 1_024;
/// The columns of runs.csv before the outcomes: arm, run, seed.
pub(crate) const FIXED_COLUMNS: usize = 3;

/// Largest batch.json or summary.json read back.
const MAX_JSON_BYTES: u64 = 16 << 20;
/// Longest line of runs.csv read back.
const MAX_LINE_BYTES: u64 = 1 << 20;
/// One checksum line of runs.csv.xxh3: 16 hex digits and a newline.
const SUM_LEN: u64 = 17;

/// Checks that shard `k` of `n` of a batch of `runs` runs per arm is one that exists.
pub fn check_shard(k: u64, n: u64, runs: u64) -> Result<(), String> {
    if n == 0 || k >= n {
        return Err(format!("shard {k}/{n}: K must be below N (shards are numbered 0..N-1)"));
    }
    if n > MAX_SHARDS {
        return Err(format!("shard {k}/{n}: a batch can be split into at most {MAX_SHARDS} shards"));
    }
    if n > runs {
        return Err(format!("shard {k}/{n}: there are more shards than runs ({runs}), so some shards would be empty"));
    }
    Ok(())
}

/// Refuses arms whose outcome lists differ: runs.csv has one column per outcome.
fn same_outcomes(arms: &[Arm]) -> Result<(), BatchError> {
    let first = &arms[0];
    let fo = &first.scenario.outcomes;
    for a in &arms[1..] {
        let ao = &a.scenario.outcomes;
        if ao == fo {
            continue;
        }
        let (an, fname) = (&a.def.name, &first.def.name);
        let extra = ao.iter().find(|o| fo.iter().all(|f| f.0 != o.0));
        let lacking = fo.iter().find(|f| ao.iter().all(|o| o.0 != f.0));
        let kind = ao.iter().find(|o| fo.iter().any(|f| f.0 == o.0 && f.1 != o.1));
        let why = match (extra, lacking, kind) {
            (Some((k, _)), _, _) => format!("arm `{an}` has the outcome `{k}`, which arm `{fname}` does not have"),
            (None, Some((k, _)), _) => format!("arm `{an}` has no outcome `{k}`, which arm `{fname}` has"),
            (None, None, Some((k, kd))) => {
                format!("outcome `{k}` is a {} in arm `{an}`, not as in arm `{fname}`", kind_name(*kd))
            }
            _ => format!("arm `{an}` declares its outcomes in another order than arm `{fname}`"),
        };
        return Err(input(format!(
            "{why}: every arm of a batch must have the same outcomes, because runs.csv has one column per outcome; declare the outcome in the base scenario, or run that arm as a batch of its own"
        )));
    }
    Ok(())
}

/// Runs a batch.
pub fn run_batch(cfg: &BatchConfig, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<BatchResult, BatchError> {
    if cfg.runs == 0 {
        return Err(input("--runs must be at least 1"));
    }
    let narms = cfg.arms.len().max(1);
    if narms > MAX_ARMS {
        return Err(input(format!("the batch has {narms} arms; a batch is limited to {MAX_ARMS} arms")));
    }
    if cfg.runs.saturating_mul(narms as u64) > MAX_RUNS {
        return Err(input(format!(
            "--runs {} with {narms} arm(s) makes {} runs; a batch is limited to {MAX_RUNS} runs (runs per arm × arms): use fewer runs, or several batches with different --seed",
            cfg.runs,
            u128::from(cfg.runs) * narms as u128
        )));
    }
    if let Some((k, n)) = cfg.shard {
        check_shard(k, n, cfg.runs).map_err(|e| input(format!("--{e}")))?;
    }
    if let Some(t) = cfg.threads
        && t > MAX_THREADS
    {
        return Err(input(format!("--threads {t}: at most {MAX_THREADS} worker threads")));
    }
    if cfg.resume && cfg.out.is_none() {
        return Err(input("--resume needs --out DIR"));
    }
    let fork = match &cfg.from {
        Some(path) => Some(Fork { file: SnapshotFile::read(path)?, path: path.clone() }),
        None => None,
    };
    let arms = load_arms(cfg, fork.as_ref())?;
    if arms.is_empty() {
        return Err(input("a batch needs at least one arm"));
    }
    same_outcomes(&arms)?;
    let mut ident = identity(cfg, &arms);
    if let Some(f) = &fork {
        ident["from"] = fork_identity(f);
    }
    let outcomes = arms[0].scenario.outcomes.clone();
    let columns = extra_columns(&arms);
    let sources: Vec<Vec<Source>> = arms.iter().map(|a| column_sources(a, &columns)).collect();
    let mut agg = Aggregator::new(arms.len(), outcomes.clone());
    let range = shard_range(cfg.runs, cfg.shard);
    let mut shard_ident = ident.clone();
    if let Some((k, n)) = cfg.shard {
        shard_ident["shard"] = json!([k, n]);
        shard_ident["run_range"] = json!([range.start, range.end]);
    }

    // Output files, fresh or resumed. `out` holds the lock on runs.csv until the end.
    let mut out = None;
    let mut next = range.start;
    if let Some(dir) = &cfg.out {
        let o = open_out(dir, &shard_ident, &outcomes, &columns, arms.len(), range.clone(), cfg.resume, &mut agg)?;
        next = o.next;
        out = Some(o);
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.unwrap_or(0))
        .build()
        .map_err(|e| BatchError::Internal(format!("cannot start worker threads: {e}")))?;
    let total = range.end - range.start;
    let na = arms.len();
    const BLOCK: u64 = 512;
    // Idle runners per arm: a worker takes one (or makes one), plays a run on it and
    // puts it back, so worlds and schedules are built once per worker, not per run.
    let pools: Vec<Mutex<Vec<Runner>>> = (0..na).map(|_| Mutex::new(Vec::new())).collect();
    let forks: Vec<Mutex<Vec<Sim>>> = (0..na).map(|_| Mutex::new(Vec::new())).collect();
    let mut done_here = 0;
    progress(next - range.start, total);
    while next < range.end {
        let end = (next + BLOCK).min(range.end);
        let tasks: Vec<(u64, usize)> = (next..end).flat_map(|r| (0..na).map(move |a| (r, a))).collect();
        let results: Vec<Result<Row, String>> = pool.install(|| {
            tasks
                .par_iter()
                .map(|&(r, a)| {
                    let seed = run_seed(cfg.base_seed, r);
                    if let (Some(f), Some((world, plan))) = (&fork, &arms[a].fork) {
                        let taken = forks[a].lock().map_or(None, |mut p| p.pop());
                        let mut sim = match taken {
                            Some(sim) => sim,
                            None => {
                                let mut sim = Sim::new(world, seed).map_err(|e| e.to_string())?;
                                sim.keep_log(false);
                                sim
                            }
                        };
                        sim.fork(world, &f.file.snapshot, plan, seed)
                            .map_err(|e| format!("run {r} of {}: {e}", arms[a].def.name))?;
                        let result = sim.run();
                        let extra = sources[a]
                            .iter()
                            .map(|s| match s {
                                Source::Text(t) => t.clone(),
                                Source::Drawn(_) | Source::Empty => String::new(),
                            })
                            .collect();
                        if let Ok(mut p) = forks[a].lock() {
                            p.push(sim);
                        }
                        return Ok((result.outcomes.iter().map(|(_, v)| value(v)).collect(), extra));
                    }
                    let scenario = &arms[a].scenario;
                    let taken = pools[a].lock().map_or(None, |mut p| p.pop());
                    let mut runner = taken.unwrap_or_else(|| scenario.runner());
                    let result = scenario
                        .run_with(&mut runner, seed, false)
                        .map_err(|e| format!("run {r} of {}: {e}", arms[a].def.name))?;
                    // The drawn inputs, at full precision (the shortest text that reads back
                    // as the same number).
                    let drawn = runner.drawn();
                    let extra = sources[a]
                        .iter()
                        .map(|s| match s {
                            Source::Drawn(i) => drawn.get(*i).map_or_else(String::new, |x| format!("{x}")),
                            Source::Text(t) => t.clone(),
                            Source::Empty => String::new(),
                        })
                        .collect();
                    if let Ok(mut p) = pools[a].lock() {
                        p.push(runner);
                    }
                    Ok((result.outcomes.iter().map(|(_, v)| value(v)).collect(), extra))
                })
                .collect()
        });
        let (mut rows, mut sums) = (String::new(), String::new());
        for (chunk, r) in results.chunks(na).zip(next..end) {
            let per_arm: Vec<Row> = chunk.iter().cloned().collect::<Result<_, _>>().map_err(BatchError::Internal)?;
            for (a, (values, extra)) in per_arm.iter().enumerate() {
                let row = csv_row(&arms[a].def.name, r, run_seed(cfg.base_seed, r), values, extra);
                sums.push_str(&row_sum(row.as_bytes()));
                rows.push_str(&row);
            }
            let values: Vec<Vec<V>> = per_arm.into_iter().map(|(v, _)| v).collect();
            agg.push_run(&values);
        }
        if let Some(o) = out.as_mut() {
            // Rows first: a crash between the two leaves rows without sums, which resume redoes.
            write_flush(&mut o.rows, rows.as_bytes(), &o.rows_path)?;
            write_flush(&mut o.sums, sums.as_bytes(), &o.sums_path)?;
        }
        done_here += end - next;
        next = end;
        progress(next - range.start, total);
    }
    let summary = agg.summary(&shard_ident, cfg.runs);
    if let Some(dir) = &cfg.out {
        // runs.parquet before summary.json: a folder with a summary is a finished one.
        typed_rows(dir, &outcomes, &columns)?;
        write_json(&dir.join("summary.json"), &summary)?;
    }
    Ok(BatchResult { summary, runs_done: done_here })
}

fn write_flush(f: &mut File, bytes: &[u8], path: &Path) -> Result<(), BatchError> {
    f.write_all(bytes).and_then(|_| f.flush()).map_err(|e| input(format!("cannot write {}: {e}", path.display())))
}

/// The checksum line of one row of runs.csv (the row's bytes with its newline).
fn row_sum(row: &[u8]) -> String {
    format!("{:016x}\n", xxhash_rust::xxh3::xxh3_64(row))
}

/// The checksum file that goes with a runs.csv.
fn sums_path(runs_csv: &Path) -> PathBuf {
    runs_csv.with_extension("csv.xxh3")
}

fn csv_row(arm: &str, run: u64, seed: u64, values: &[V], extra: &[String]) -> String {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let mut rec = vec![arm.to_string(), run.to_string(), seed.to_string()];
    rec.extend(values.iter().map(V::to_csv));
    rec.extend(extra.iter().cloned());
    let _ = w.write_record(&rec);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn header(outcomes: &[(String, OutcomeKind)], columns: &[String]) -> String {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let mut rec = vec!["arm".to_string(), "run".into(), "seed".into()];
    rec.extend(outcomes.iter().map(|(k, _)| k.clone()));
    rec.extend(columns.iter().cloned());
    let _ = w.write_record(&rec);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A file written under a temporary name and renamed into place by [`TmpFile::commit`];
/// dropped before that (on any error), the temporary file is removed.
pub(crate) struct TmpFile {
    tmp: PathBuf,
    path: PathBuf,
    file: Option<BufWriter<File>>,
}

impl TmpFile {
    pub(crate) fn create(path: &Path) -> Result<TmpFile, BatchError> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let file = File::create(&tmp).map_err(|e| input(format!("cannot create {}: {e}", tmp.display())))?;
        Ok(TmpFile { tmp, path: path.to_path_buf(), file: Some(BufWriter::new(file)) })
    }

    /// The open temporary file (None once committed).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn inner(&mut self) -> Option<&mut BufWriter<File>> {
        self.file.as_mut()
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), BatchError> {
        let (tmp, path) = (&self.tmp, &self.path);
        match self.file.as_mut() {
            Some(f) => f
                .write_all(bytes)
                .map_err(|e| input(format!("cannot write {} (as {}): {e}", path.display(), tmp.display()))),
            None => Ok(()),
        }
    }

    /// Copies `len` bytes of `from` (a file at `name`), starting at `start`.
    fn copy_from(&mut self, from: &Path, start: u64, len: u64) -> Result<(), BatchError> {
        let mut f = File::open(from).map_err(|e| input(format!("cannot read {}: {e}", from.display())))?;
        f.seek(SeekFrom::Start(start)).map_err(|e| input(format!("cannot read {}: {e}", from.display())))?;
        let Some(w) = self.file.as_mut() else { return Ok(()) };
        let copied = std::io::copy(&mut f.take(len), w)
            .map_err(|e| input(format!("cannot copy {} into {}: {e}", from.display(), self.path.display())))?;
        if copied != len {
            return Err(input(format!("{} changed while it was being merged", from.display())));
        }
        Ok(())
    }

    pub(crate) fn commit(mut self) -> Result<(), BatchError> {
        let Some(w) = self.file.take() else { return Ok(()) };
        let path = &self.path;
        let fail = |e: std::io::Error| input(format!("cannot write {}: {e}", path.display()));
        let f = w.into_inner().map_err(|e| fail(e.into_error()))?;
        f.sync_all().map_err(fail)?;
        drop(f);
        if let Err(e) = fs::rename(&self.tmp, path) {
            let _ = fs::remove_file(&self.tmp);
            return Err(fail(e));
        }
        Ok(())
    }
}

impl Drop for TmpFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

pub(crate) fn write_json(path: &Path, v: &Value) -> Result<(), BatchError> {
    let text = serde_json::to_string_pretty(v).map_err(|e| BatchError::Internal(e.to_string()))? + "\n";
    let mut f = TmpFile::create(path)?;
    f.write(text.as_bytes())?;
    f.commit()
}

fn read_json(path: &Path) -> Result<Value, BatchError> {
    let fail = |e: std::io::Error| input(format!("cannot read {}: {e}", path.display()));
    let file = File::open(path).map_err(fail)?;
    let mut text = String::new();
    file.take(MAX_JSON_BYTES + 1).read_to_string(&mut text).map_err(fail)?;
    if text.len() as u64 > MAX_JSON_BYTES {
        return Err(input(format!("{} is larger than {} MiB", path.display(), MAX_JSON_BYTES >> 20)));
    }
    serde_json::from_str(&text).map_err(|e| input(format!("{} is not valid JSON: {e}", path.display())))
}

/// The open output of a batch: runs.csv (locked while the batch runs) and its checksums.
struct Out {
    rows: File,
    rows_path: PathBuf,
    sums: File,
    sums_path: PathBuf,
    next: u64,
}

/// Takes the lock on runs.csv that keeps two processes from writing one batch.
fn lock(f: &File, dir: &Path) -> Result<(), BatchError> {
    match f.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(input(format!(
            "another tianxia process is writing the batch in {}: wait for it to finish, or choose another --out",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(input(format!("cannot lock {}: {e}", dir.join("runs.csv").display())))
        }
    }
}

/// Opens `dir` for a batch: creates the files, or (resuming) checks them, truncates an
/// incomplete tail, replays the finished rows into `agg`, and returns where to go on.
#[allow(clippy::too_many_arguments)]
fn open_out(
    dir: &Path,
    ident: &Value,
    outcomes: &[(String, OutcomeKind)],
    columns: &[String],
    arms: usize,
    range: Range<u64>,
    resume: bool,
    agg: &mut Aggregator,
) -> Result<Out, BatchError> {
    let rows_path = dir.join("runs.csv");
    let sums_path = sums_path(&rows_path);
    let batch_json = dir.join("batch.json");
    let already = || {
        input(format!("{} already holds a batch: add --resume to continue it, or choose another --out", dir.display()))
    };
    // A process killed between creating runs.csv and writing batch.json left an empty
    // runs.csv and nothing else: nothing was done, so --resume starts afresh.
    if resume
        && !batch_json.exists()
        && fs::metadata(&rows_path).is_ok_and(|m| m.len() == 0)
        && fs::remove_file(&rows_path).is_err()
    {
        return Err(input(format!("cannot remove the empty {}", rows_path.display())));
    }
    if !resume || !rows_path.exists() {
        if rows_path.exists() || batch_json.exists() {
            return Err(already());
        }
        fs::create_dir_all(dir).map_err(|e| input(format!("cannot create {}: {e}", dir.display())))?;
        let mut rows = match OpenOptions::new().write(true).create_new(true).open(&rows_path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(already()),
            Err(e) => return Err(input(format!("cannot create {}: {e}", rows_path.display()))),
        };
        lock(&rows, dir)?;
        write_json(&batch_json, ident)?;
        write_flush(&mut rows, header(outcomes, columns).as_bytes(), &rows_path)?;
        let sums =
            File::create(&sums_path).map_err(|e| input(format!("cannot create {}: {e}", sums_path.display())))?;
        return Ok(Out { rows, rows_path, sums, sums_path, next: range.start });
    }
    let mut rows = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&rows_path)
        .map_err(|e| input(format!("cannot open {}: {e}", rows_path.display())))?;
    lock(&rows, dir)?;
    let before = read_json(&batch_json)?;
    if &before != ident {
        return Err(input(format!(
            "the batch in {} was started with other settings (scenario, seed, runs, arms, mods or engine version differ); resume it with the same command, or choose another --out",
            dir.display()
        )));
    }
    let base_seed = ident["base_seed"].as_u64().unwrap_or_default();
    let scan =
        scan_rows(&rows_path, outcomes, columns, arms, base_seed, range.start, &mut |per_arm| agg.push_run(per_arm))?;
    let trunc = |f: &File, len: u64, path: &Path| {
        f.set_len(len).map_err(|e| input(format!("cannot truncate {}: {e}", path.display())))
    };
    trunc(&rows, scan.bytes, &rows_path)?;
    rows.seek(SeekFrom::End(0)).map_err(|e| input(format!("cannot write {}: {e}", rows_path.display())))?;
    let mut sums = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&sums_path)
        .map_err(|e| input(format!("cannot open {}: {e}", sums_path.display())))?;
    trunc(&sums, scan.rows * SUM_LEN, &sums_path)?;
    sums.seek(SeekFrom::End(0)).map_err(|e| input(format!("cannot write {}: {e}", sums_path.display())))?;
    Ok(Out { rows, rows_path, sums, sums_path, next: range.start + scan.runs })
}

/// What [`scan_rows`] found: the complete, checked part of a runs.csv.
struct Scan {
    /// Byte length of the header and the complete runs.
    bytes: u64,
    /// Complete runs.
    runs: u64,
    /// Rows of those runs (runs × arms).
    rows: u64,
}

/// Reads runs.csv, checking the header, the order of rows and each row against its
/// checksum in runs.csv.xxh3, and feeds every complete run (all arms present) to `each`.
/// Anything after the last complete run (a cut line, a run with only some arms, rows
/// whose checksum was not written yet) is ignored: a crash can leave exactly that. A row
/// that does not match its checksum was changed after the batch wrote it: an error.
fn scan_rows(
    path: &Path,
    outcomes: &[(String, OutcomeKind)],
    columns: &[String],
    arms: usize,
    base_seed: u64,
    first_run: u64,
    each: &mut dyn FnMut(&[Vec<V>]),
) -> Result<Scan, BatchError> {
    let sums_path = sums_path(path);
    let read_err = |p: &Path, e: std::io::Error| input(format!("cannot read {}: {e}", p.display()));
    let file = File::open(path).map_err(|e| read_err(path, e))?;
    let mut reader = BufReader::new(file);
    let mut sums = match File::open(&sums_path) {
        Ok(f) => Some(BufReader::new(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(read_err(&sums_path, e)),
    };
    let mut line = String::new();
    let mut line_no = 1u64;
    let read_line = |reader: &mut BufReader<File>, line: &mut String, line_no: u64| -> Result<usize, BatchError> {
        line.clear();
        let n = reader.by_ref().take(MAX_LINE_BYTES).read_line(line).map_err(|e| {
            input(format!(
                "cannot read {}: line {line_no}: {e} (the file is damaged: start the batch again in a new folder)",
                path.display()
            ))
        })?;
        if n as u64 == MAX_LINE_BYTES && !line.ends_with('\n') {
            return Err(input(format!(
                "{}: line {line_no} is longer than {} MiB",
                path.display(),
                MAX_LINE_BYTES >> 20
            )));
        }
        Ok(n)
    };
    let n = read_line(&mut reader, &mut line, line_no)?;
    if line != header(outcomes, columns) {
        return Err(input(format!(
            "{} does not start with the expected header: {}",
            path.display(),
            header(outcomes, columns).trim()
        )));
    }
    let mut pos = n as u64;
    let mut scan = Scan { bytes: pos, runs: 0, rows: 0 };
    let mut group: Vec<Vec<V>> = Vec::new();
    let mut sum = String::new();
    loop {
        line_no += 1;
        let n = read_line(&mut reader, &mut line, line_no)?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        // The row's checksum; a row without one is a tail that a crash left behind.
        sum.clear();
        let got = match sums.as_mut() {
            Some(s) => s.by_ref().take(SUM_LEN).read_line(&mut sum).map_err(|e| read_err(&sums_path, e))?,
            None => 0,
        };
        if got as u64 != SUM_LEN || !sum.ends_with('\n') {
            if sums.is_none() && line_no == 2 {
                return Err(input(format!(
                    "{} is missing, so the rows of {} cannot be checked: start the batch again in a new folder",
                    sums_path.display(),
                    path.display()
                )));
            }
            break;
        }
        let expected_run = first_run + scan.runs;
        if sum != row_sum(line.as_bytes()) {
            return Err(input(format!(
                "{}: line {line_no} (a row of run {expected_run}) does not match its checksum in {}: the file was changed after the batch wrote it; restore it, or start the batch again in a new folder",
                path.display(),
                sums_path.display()
            )));
        }
        pos += n as u64;
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let Some(Ok(rec)) = r.records().next() else { break };
        let ok = rec.len() == FIXED_COLUMNS + outcomes.len() + columns.len()
            && rec.get(1).and_then(|x| x.parse::<u64>().ok()) == Some(expected_run);
        let seed = run_seed(base_seed, expected_run);
        if ok && rec.get(2).and_then(|x| x.parse::<u64>().ok()) != Some(seed) {
            return Err(input(format!(
                "{}: the row for run {expected_run} has seed {}, but this engine gives run {expected_run} of base seed {base_seed} the seed {seed}: the rows were made by another version of tianxia; start the batch again in a new folder",
                path.display(),
                rec.get(2).unwrap_or("")
            )));
        }
        let values: Option<Vec<V>> = if ok {
            outcomes
                .iter()
                .enumerate()
                .map(|(i, (_, k))| parse_value(rec.get(FIXED_COLUMNS + i).unwrap_or(""), *k))
                .collect()
        } else {
            None
        };
        let Some(values) = values else {
            return Err(input(format!(
                "{}: row for run {} is malformed or out of order: {}",
                path.display(),
                expected_run,
                line.trim()
            )));
        };
        group.push(values);
        if group.len() == arms {
            each(&group);
            group.clear();
            scan.runs += 1;
            scan.rows += arms as u64;
            scan.bytes = pos;
        }
    }
    Ok(scan)
}

/// Combines shard directories into `out`: exactly the runs.csv, runs.parquet and
/// summary.json the unsharded batch would have written. Refuses shards of different
/// batches, overlapping shards, missing shards, unfinished shards, edited rows and rows
/// whose seeds another engine made, and never writes into a folder that holds a batch (in
/// particular, one of the shards).
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Value, BatchError> {
    if dirs.is_empty() {
        return Err(input("merge needs at least one shard directory"));
    }
    let out_real = fs::canonicalize(out).ok();
    for d in dirs {
        if out_real.is_some() && fs::canonicalize(d).ok() == out_real {
            return Err(input(format!(
                "--out {} is one of the shard folders: merging into it would overwrite that shard; choose another folder",
                out.display()
            )));
        }
    }
    if ["runs.csv", "batch.json", "summary.json", "runs.parquet"].iter().any(|f| out.join(f).exists()) {
        return Err(input(format!(
            "{} already holds a batch: choose another --out (merge never overwrites a batch)",
            out.display()
        )));
    }
    let mut shards = Vec::new();
    for d in dirs {
        let ident = read_json(&d.join("batch.json"))?;
        let Some((k, n)) = ident["shard"].as_array().and_then(|s| Some((s.first()?.as_u64()?, s.get(1)?.as_u64()?)))
        else {
            return Err(input(format!("{} is not a shard (its batch.json has no \"shard\")", d.display())));
        };
        let runs = ident["runs_per_arm"].as_u64().unwrap_or(0);
        check_shard(k, n, runs).map_err(|e| input(format!("{}: its batch.json says {e}", d.display())))?;
        shards.push((k, n, d.clone(), ident));
    }
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("shard");
            o.remove("run_range");
        }
        v
    };
    let base = strip(&shards[0].3);
    let n = shards[0].1;
    for (k, nk, d, ident) in &shards {
        if strip(ident) != base {
            return Err(input(format!(
                "{} belongs to another batch than {} (scenario, seed, runs, arms, mods or engine version differ)",
                d.display(),
                shards[0].2.display()
            )));
        }
        if *nk != n {
            return Err(input(format!(
                "{} is shard {k}/{nk}, but {} is shard of {n}",
                d.display(),
                shards[0].2.display()
            )));
        }
    }
    shards.sort_by_key(|s| s.0);
    for w in shards.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(input(format!(
                "shard {} is given twice ({} and {})",
                w[0].0,
                w[0].2.display(),
                w[1].2.display()
            )));
        }
    }
    // n is at most MAX_SHARDS (checked above), so this list is short enough to build.
    let missing: Vec<u64> = (0..n).filter(|k| shards.binary_search_by_key(k, |s| s.0).is_err()).collect();
    if !missing.is_empty() {
        let mut shown: Vec<String> = missing.iter().take(20).map(|k| format!("{k}/{n}")).collect();
        if missing.len() > 20 {
            shown.push(format!("and {} more", missing.len() - 20));
        }
        return Err(input(format!("shards missing: {}", shown.join(", "))));
    }

    let outcomes: Vec<(String, OutcomeKind)> = base["outcomes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|o| {
            let k = o.get(0)?.as_str()?.to_string();
            let kind = match o.get(1)?.as_str()? {
                "bool" => OutcomeKind::Bool,
                "number" => OutcomeKind::Number,
                _ => OutcomeKind::Category,
            };
            Some((k, kind))
        })
        .collect();
    let arm_names: Vec<String> = base["arms"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a["name"].as_str().map(String::from))
        .collect();
    if arm_names.is_empty() {
        return Err(input(format!("{}: its batch.json names no arms", shards[0].2.display())));
    }
    let runs = base["runs_per_arm"].as_u64().unwrap_or(0);
    let Some(base_seed) = base["base_seed"].as_u64() else {
        return Err(input(format!("{}: its batch.json has no base_seed", shards[0].2.display())));
    };
    let mut agg = Aggregator::new(arm_names.len(), outcomes.clone());
    fs::create_dir_all(out).map_err(|e| input(format!("cannot create {}: {e}", out.display())))?;
    let rows_path = out.join("runs.csv");
    let mut rows = TmpFile::create(&rows_path)?;
    let mut sums = TmpFile::create(&sums_path(&rows_path))?;
    // Batches written before runs.csv carried the drawn inputs have no "columns".
    let columns: Vec<String> = base["columns"]
        .as_array()
        .map(|c| c.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default();
    rows.write(header(&outcomes, &columns).as_bytes())?;
    let head = header(&outcomes, &columns).len() as u64;
    for (k, _, d, _) in &shards {
        let range = shard_range(runs, Some((*k, n)));
        let path = d.join("runs.csv");
        let scan = scan_rows(&path, &outcomes, &columns, arm_names.len(), base_seed, range.start, &mut |per_arm| {
            agg.push_run(per_arm)
        })?;
        if scan.runs != range.end - range.start {
            return Err(input(format!(
                "shard {k}/{n} in {} is unfinished: {} of {} runs (finish it with --resume)",
                d.display(),
                scan.runs,
                range.end - range.start
            )));
        }
        rows.copy_from(&path, head, scan.bytes - head)?;
        sums.copy_from(&sums_path(&path), 0, scan.rows * SUM_LEN)?;
    }
    rows.commit()?;
    sums.commit()?;
    write_json(&out.join("batch.json"), &base)?;
    let summary = agg.summary(&base, runs);
    typed_rows(out, &outcomes, &columns)?;
    write_json(&out.join("summary.json"), &summary)?;
    Ok(summary)
}

/// Writes `dir/runs.parquet` from the finished `dir/runs.csv` (with the `parquet` feature;
/// without it, nothing).
fn typed_rows(dir: &Path, outcomes: &[(String, OutcomeKind)], columns: &[String]) -> Result<(), BatchError> {
    #[cfg(feature = "parquet")]
    columnar::write_parquet(&dir.join("runs.csv"), &dir.join("runs.parquet"), outcomes, columns)?;
    #[cfg(not(feature = "parquet"))]
    let _ = (dir, outcomes, columns);
    Ok(())
}

/// The summary as a table: outcomes down, arms across, with intervals and paired
/// differences against the first arm.
/// The summary as a table for people, in the wide layout (see [`table_fitting`]).
pub fn table(summary: &Value) -> String {
    table_fitting(summary, usize::MAX)
}

/// The summary as a table for people, at most `width` columns wide where it can be: the
/// wide layout (one column per arm) when it fits, else a long one (a block per outcome,
/// a line per arm, the difference against the first arm on a line of its own).
pub fn table_fitting(summary: &Value, width: usize) -> String {
    let arms = summary["arms"].as_array().cloned().unwrap_or_default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut head = vec!["outcome".to_string()];
    head.extend(arms.iter().map(|a| format!("{} (n={})", a["name"].as_str().unwrap_or("?"), a["runs"])));
    rows.push(head);
    let keys: Vec<String> =
        arms.first().and_then(|a| a["outcomes"].as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    // For the long layout: per outcome, per arm (arm, estimate, difference).
    type Block = Vec<(String, String, String)>;
    let mut long: Vec<(String, Block)> = Vec::new();
    for key in keys {
        let mut row = vec![key.clone()];
        let mut block = Vec::new();
        for (i, a) in arms.iter().enumerate() {
            let o = &a["outcomes"][&key];
            let mut cell = match o["kind"].as_str() {
                Some("bool") => {
                    let (lo, hi) = bounds(f(&o["ci95"][0]), f(&o["ci95"][1]));
                    format!("{:.3} [{lo}, {hi}]", f(&o["p"]))
                }
                Some("number") => {
                    format!("{} (p05 {}, p95 {})", num(f(&o["mean"])), num(f(&o["p05"])), num(f(&o["p95"])))
                }
                Some("category") => o["freq"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .take(3)
                            .map(|(l, p)| format!("{l} {:.0}%", f(p) * 100.0))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let mut delta = String::new();
            if i > 0 {
                let d = &a["vs_first"][&key];
                match d["kind"].as_str() {
                    Some("category") => {
                        if let Some((l, x)) = d["freq_diff"].as_object().and_then(|m| {
                            m.iter().max_by(|x, y| f(&x.1["diff"]).abs().total_cmp(&f(&y.1["diff"]).abs()))
                        }) {
                            delta = format!(
                                "Δ {l} {:+.0}% [{:+.0}, {:+.0}]",
                                f(&x["diff"]) * 100.0,
                                f(&x["ci95"][0]) * 100.0,
                                f(&x["ci95"][1]) * 100.0
                            );
                        }
                    }
                    Some("bool") => {
                        delta = format!("Δ {:+.3} [{:+.3}, {:+.3}]", f(&d["diff"]), f(&d["ci95"][0]), f(&d["ci95"][1]))
                    }
                    Some(_) => {
                        delta = format!(
                            "Δ {} [{}, {}]",
                            snum(f(&d["diff"])),
                            snum(f(&d["ci95"][0])),
                            snum(f(&d["ci95"][1]))
                        )
                    }
                    None => {}
                }
            }
            let arm = format!("{} (n={})", a["name"].as_str().unwrap_or("?"), a["runs"]);
            block.push((arm, cell.clone(), delta.clone()));
            if !delta.is_empty() {
                cell += "  ";
                cell += &delta;
            }
            row.push(cell);
        }
        rows.push(row);
        long.push((key, block));
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    if total > width {
        let arm_w = long.iter().flat_map(|(_, b)| b.iter().map(|(a, _, _)| a.chars().count())).max().unwrap_or(0);
        let mut s = String::new();
        for (key, block) in &long {
            s.push_str(key);
            s.push('\n');
            for (arm, cell, delta) in block {
                s.push_str(format!("  {arm:<arm_w$}  {cell}").trim_end());
                s.push('\n');
                if !delta.is_empty() {
                    s.push_str(&format!("  {:<arm_w$}  {delta}\n", ""));
                }
            }
        }
        return s;
    }
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
        if i == 0 {
            s.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
            s.push('\n');
        }
    }
    s
}

/// The bounds of an interval as text: three decimals, or as many more (up to six) as it
/// takes for two different bounds not to print the same.
fn bounds(lo: f64, hi: f64) -> (String, String) {
    for digits in 3..=6 {
        let (a, b) = (format!("{lo:.digits$}"), format!("{hi:.digits$}"));
        if a != b || lo == hi || digits == 6 {
            return (a, b);
        }
    }
    (format!("{lo}"), format!("{hi}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn num(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}

fn snum(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:+.0}") } else { format!("{x:+.3}") }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    fn summary() -> Value {
        let arm = |name: &str, p: f64, lo: f64, hi: f64| {
            json!({"name": name, "runs": 10000, "outcomes": {
                "a_long_outcome_name_for_a_bool": {"kind": "bool", "p": p, "ci95": [lo, hi]},
                "winner": {"kind": "category", "freq": {"mongol": 0.66, "jin": 0.30, "none": 0.04}}},
                "vs_first": {
                "a_long_outcome_name_for_a_bool": {"kind": "bool", "diff": -0.4, "ci95": [-0.42, -0.38]},
                "winner": {"kind": "category", "freq_diff": {"mongol": {"diff": -0.43, "ci95": [-0.45, -0.41]}}}}})
        };
        json!({"arms": [arm("baseline", 0.9999, 0.99962, 1.0), arm("song_grants_passage+no_blizzard", 0.5, 0.49, 0.51),
                        arm("unified_jin_command", 0.5, 0.49, 0.51)]})
    }

    #[test]
    fn a_summary_too_wide_for_the_terminal_is_printed_long_and_fits() {
        let s = summary();
        let wide = table_fitting(&s, usize::MAX);
        assert!(wide.lines().any(|l| l.chars().count() > 80), "the wide layout is wider than 80 columns");
        let long = table_fitting(&s, 80);
        for l in long.lines() {
            assert!(l.chars().count() <= 80, "{l:?} is wider than 80 columns");
        }
        assert!(long.starts_with("a_long_outcome_name_for_a_bool\n  baseline (n=10000)"), "{long}");
        assert!(long.contains("Δ mongol -43% [-45, -41]"), "{long}");
    }

    #[test]
    fn interval_bounds_that_differ_never_print_the_same() {
        assert_eq!(bounds(0.522, 0.584), ("0.522".to_string(), "0.584".to_string()));
        let (lo, hi) = bounds(0.99962, 1.0);
        assert_ne!(lo, hi, "a non-zero-width interval shows its width");
        assert_eq!(bounds(1.0, 1.0), ("1.000".to_string(), "1.000".to_string()));
        assert!(table_fitting(&summary(), 80).contains("0.9996, 1.0000"));
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    /// Writes runs.csv (header + `rows`) and its checksums into a fresh folder.
    fn folder(name: &str, rows: &[String]) -> (PathBuf, Vec<(String, OutcomeKind)>) {
        let dir = std::env::temp_dir().join(format!("tianxia-scan-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let outcomes = vec![("won".to_string(), OutcomeKind::Bool)];
        let mut csv = header(&outcomes, &[]);
        let mut sums = String::new();
        for r in rows {
            csv.push_str(r);
            sums.push_str(&row_sum(r.as_bytes()));
        }
        fs::write(dir.join("runs.csv"), csv).unwrap_or_else(|e| panic!("{e}"));
        fs::write(dir.join("runs.csv.xxh3"), sums).unwrap_or_else(|e| panic!("{e}"));
        (dir, outcomes)
    }

    #[test]
    fn rows_whose_seeds_another_engine_made_are_refused() {
        let good = |r: u64| csv_row("baseline", r, run_seed(7, r), &[V::B(true)], &[]);
        let (dir, outcomes) = folder("good", &[good(0), good(1)]);
        let scan = scan_rows(&dir.join("runs.csv"), &outcomes, &[], 1, 7, 0, &mut |_| {});
        assert_eq!(scan.map(|s| s.runs).ok(), Some(2));
        let _ = fs::remove_dir_all(&dir);

        // The same rows with the seed the first release derived (all 64 bits), checksums
        // and all: a resume or a merge must not mix the two schemes.
        let old = csv_row("baseline", 1, run_seed(7, 1) << 11 | 1, &[V::B(true)], &[]);
        let (dir, outcomes) = folder("old", &[good(0), old]);
        let err = scan_rows(&dir.join("runs.csv"), &outcomes, &[], 1, 7, 0, &mut |_| {}).err();
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("another version of tianxia"), "{msg}");
        let _ = fs::remove_dir_all(&dir);
    }
}
