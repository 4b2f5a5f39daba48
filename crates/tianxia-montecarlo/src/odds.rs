//! How the odds moved along one history: the run of one seed is followed turn by turn,
//! and at every K-th turn M runs are forked from that moment (the same state, fresh random
//! streams from `run_seed(seed, i)`, as `batch --from` does) and played to the end; the
//! outcome's estimate over them (p with a Wilson interval, frequencies, or mean and
//! quantiles) is the odds at that moment, given everything that had happened by then.
//!
//! Deterministic like a batch: fork i of every point uses seed `run_seed(seed, i)`
//! (common random numbers along the history), and results are gathered in (point, fork)
//! order whatever the thread count.

use crate::stats::{Agg, V, sorted_counts};
use crate::{BatchError, input, kind_name, value};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use tianxia_engine::Sim;
use tianxia_engine::rng::run_seed;
use tianxia_engine::world::fork::ForkPlan;
use tianxia_engine::world::snapshot::Snapshot;
use tianxia_scenario::resolve::OutcomeKind;
use tianxia_scenario::{LoadOptions, Scenario};

/// Most forks per point.
pub const MAX_RUNS: u64 = 1_000_000;

/// What to chart.
#[derive(Clone, Debug)]
pub struct OddsConfig {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The seed of the history followed.
    pub seed: u64,
    /// The outcome estimated.
    pub outcome: String,
    /// A point every this many turns (from turn 0).
    pub every: u32,
    /// Forks per point.
    pub runs: u64,
    /// Variants, sets and mods of the run.
    pub options: LoadOptions,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
}

/// One moment of the history and the odds from there.
#[derive(Clone, Debug)]
pub struct Point {
    /// Turns played by then (0: the start).
    pub turn: u32,
    /// The first day of the next turn.
    pub date: String,
    /// The estimate over the forks.
    pub agg: Agg,
}

/// The odds along a history.
pub struct Odds {
    /// The scenario.
    pub scenario: Scenario,
    /// The outcome's kind.
    pub kind: OutcomeKind,
    /// The points, in order.
    pub points: Vec<Point>,
    /// The history itself, played to its end.
    pub history: Sim,
}

impl Odds {
    /// The JSON of the `odds --format json` contract (and `odds.json`).
    pub fn to_json(&self, cfg: &OddsConfig) -> Value {
        let result = self.history.result();
        let actual = result.outcomes.iter().find(|(k, _)| *k == cfg.outcome).map(|(_, v)| crate::json::outcome(v));
        let points: Vec<Value> = self
            .points
            .iter()
            .map(|p| {
                let mut v = json!({"turn": p.turn, "date": p.date, "runs": cfg.runs});
                if let (Value::Object(est), Value::Object(out)) = (p.agg.to_json(), &mut v) {
                    for (k, x) in est {
                        if k != "kind" && k != "quantiles" {
                            out.insert(k, x);
                        }
                    }
                }
                v
            })
            .collect();
        json!({
            "scenario": self.scenario.id,
            "seed": cfg.seed,
            "outcome": cfg.outcome,
            "kind": kind_name(self.kind),
            "every": cfg.every,
            "runs_per_point": cfg.runs,
            "points": points,
            "history": {"value": actual, "turns": result.turns, "end_date": result.end_date.to_string(),
                        "digest": result.digest},
            "variants": self.scenario.variants,
            "sets": self.scenario.sets,
            "content_hash": self.scenario.content_hash,
            "engine_version": tianxia_engine::VERSION,
            "seeds": "fork i of every point uses seed run_seed(seed, i)",
        })
    }

    /// The labels of a category outcome over all points, most frequent first.
    pub fn labels(&self) -> Vec<String> {
        let mut total: BTreeMap<String, u64> = BTreeMap::new();
        for p in &self.points {
            if let Agg::Category { counts, .. } = &p.agg {
                for (l, c) in counts {
                    *total.entry(l.clone()).or_insert(0) += c;
                }
            }
        }
        sorted_counts(&total).into_iter().map(|(l, _)| l.clone()).collect()
    }

    /// `odds.csv`: `turn,date,runs`, then `p,ci95_lo,ci95_hi` (bool), one `freq:<label>` per
    /// label (category), or `mean,p05,p50,p95` (number).
    pub fn to_csv(&self, cfg: &OddsConfig) -> String {
        let labels = self.labels();
        let mut head = vec!["turn".to_string(), "date".into(), "runs".into()];
        match self.kind {
            OutcomeKind::Bool => head.extend(["p", "ci95_lo", "ci95_hi"].map(String::from)),
            OutcomeKind::Number => head.extend(["mean", "p05", "p50", "p95"].map(String::from)),
            OutcomeKind::Category => head.extend(labels.iter().map(|l| format!("freq:{l}"))),
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(&head);
        for p in &self.points {
            let mut row = vec![p.turn.to_string(), p.date.clone(), cfg.runs.to_string()];
            let est = p.agg.to_json();
            let num = |k: &str| est[k].as_f64().map_or_else(String::new, |x| format!("{x}"));
            match self.kind {
                OutcomeKind::Bool => {
                    row.push(num("p"));
                    row.extend((0..2).map(|i| est["ci95"][i].as_f64().map_or_else(String::new, |x| format!("{x}"))));
                }
                OutcomeKind::Number => row.extend(["mean", "p05", "p50", "p95"].map(num)),
                OutcomeKind::Category => {
                    row.extend(labels.iter().map(|l| format!("{}", est["freq"][l].as_f64().unwrap_or(0.0))))
                }
            }
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// Follows the history of `cfg.seed` and estimates the odds at every `cfg.every`-th turn.
/// `progress(done, total)` is called as forks finish.
pub fn odds(cfg: &OddsConfig, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Odds, BatchError> {
    if cfg.every == 0 {
        return Err(input("--every must be at least 1"));
    }
    if cfg.runs == 0 || cfg.runs > MAX_RUNS {
        return Err(input(format!("--runs must be from 1 to {MAX_RUNS}")));
    }
    if let Some(t) = cfg.threads
        && t > crate::MAX_THREADS
    {
        return Err(input(format!("--threads {t}: at most {} worker threads", crate::MAX_THREADS)));
    }
    let scenario = tianxia_scenario::load(&cfg.scenario, &cfg.options)
        .map_err(|error| BatchError::Load { arm: "the run".into(), error })?;
    let Some(o) = scenario.outcomes.iter().position(|(k, _)| *k == cfg.outcome) else {
        let ids: Vec<&str> = scenario.outcomes.iter().map(|(k, _)| k.as_str()).collect();
        return Err(input(format!("unknown outcome `{}`; the outcomes are: {}", cfg.outcome, ids.join(", "))));
    };
    let kind = scenario.outcomes[o].1;
    let spec = scenario.world(cfg.seed);
    let mut history = Sim::new(&spec, cfg.seed).map_err(|e| BatchError::Internal(e.to_string()))?;
    let mut moments: Vec<Snapshot> = Vec::new();
    loop {
        if !history.finished()
            && history.world().resource::<tianxia_engine::calendar::Calendar>().turn.is_multiple_of(cfg.every)
        {
            moments.push(history.snapshot().map_err(|e| BatchError::Internal(e.to_string()))?);
        }
        if !history.step() {
            break;
        }
    }
    let total = moments.len() as u64 * cfg.runs;
    if total > crate::MAX_RUNS {
        return Err(input(format!(
            "{} points × {} runs makes {total} runs; at most {}: use a larger --every or fewer --runs",
            moments.len(),
            cfg.runs,
            crate::MAX_RUNS
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.unwrap_or(0))
        .build()
        .map_err(|e| BatchError::Internal(format!("cannot start worker threads: {e}")))?;
    let plan = ForkPlan::default();
    let sims: Mutex<Vec<Sim>> = Mutex::new(Vec::new());
    let done = std::sync::atomic::AtomicU64::new(0);
    progress(0, total);
    let mut points = Vec::with_capacity(moments.len());
    for snap in &moments {
        let values: Vec<Result<V, String>> = pool.install(|| {
            (0..cfg.runs)
                .into_par_iter()
                .map(|i| {
                    let seed = run_seed(cfg.seed, i);
                    let taken = sims.lock().map_or(None, |mut p| p.pop());
                    let mut sim = match taken {
                        Some(s) => s,
                        None => {
                            let mut s = Sim::new(&spec, seed).map_err(|e| e.to_string())?;
                            s.keep_log(false);
                            s
                        }
                    };
                    sim.fork(&spec, snap, &plan, seed).map_err(|e| e.to_string())?;
                    let r = sim.run();
                    let v = value(&r.outcomes[o].1);
                    if let Ok(mut p) = sims.lock() {
                        p.push(sim);
                    }
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if n.is_multiple_of(256) {
                        progress(n, total);
                    }
                    Ok(v)
                })
                .collect()
        });
        let mut agg: Option<Agg> = None;
        for v in values {
            let v = v.map_err(BatchError::Internal)?;
            agg.get_or_insert_with(|| Agg::for_value(&v)).push(&v);
        }
        let agg = agg.unwrap_or(Agg::Bool { k: 0, n: 0 });
        points.push(Point { turn: snap.turn, date: snap.date.to_string(), agg });
    }
    progress(total, total);
    Ok(Odds { scenario, kind, points, history })
}
