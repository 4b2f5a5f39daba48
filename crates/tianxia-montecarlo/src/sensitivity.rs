//! Variance-based global sensitivity (Sobol indices) of a scenario's outcomes to its
//! uncertain inputs, with the run's own randomness as one more factor, `seed`.
//!
//! Saltelli's design: two matrices A and B of N base samples of the k factors, and for
//! each factor i the matrix AB_i (A with column i taken from B): N(k+2) runs. The inputs
//! are drawn by inverting their distributions at uniform numbers; the seed factor takes
//! the batch's run seeds (A: runs 0..N, B: runs N..2N). Estimators as SALib's
//! `sobol.analyze(calc_second_order=False)`, on outputs standardised over all rows: first
//! order (Saltelli 2010) `mean(f_B (f_ABi - f_A)) / var(f_A, f_B)`, total (Jansen)
//! `mean((f_A - f_ABi)^2) / 2 / var(f_A, f_B)`; 95% intervals by a percentile bootstrap
//! over the base samples.

use crate::{BatchError, TmpFile, stats::V, value, write_json};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use std::sync::Mutex;
use tianxia_engine::rng::run_seed;
use tianxia_scenario::resolve::OutcomeKind;
use tianxia_scenario::{LoadOptions, Runner, quantile};

/// Bootstrap resamples for the intervals.
pub const RESAMPLES: usize = 1000;
/// Most runs a sensitivity analysis makes (N(k+2)).
pub const MAX_RUNS: u64 = 10_000_000;

/// What to analyse.
#[derive(Clone, Debug)]
pub struct Config {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Base samples N.
    pub n: u64,
    /// Base seed: the seeds of the runs, the uniform numbers of the design and the
    /// bootstrap all come from it.
    pub base_seed: u64,
    /// Variants, overrides and mods, as for a run.
    pub options: LoadOptions,
    /// Extra factors: a path and its range, drawn uniformly.
    pub factors: Vec<(String, f64, f64)>,
    /// Outcome ids to analyse (all when empty).
    pub outcomes: Vec<String>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// Where to write samples.csv and sensitivity.json.
    pub out: PathBuf,
}

/// Sobol indices of one output: per factor `[estimate, lo95, hi95]`, `None` for an
/// output that does not vary.
#[derive(Clone, Debug, PartialEq)]
pub struct Indices {
    /// Variance of the output over the rows of A and B.
    pub variance: f64,
    /// First-order indices, by factor.
    pub s1: Vec<Option<[f64; 3]>>,
    /// Total indices, by factor.
    pub st: Vec<Option<[f64; 3]>>,
}

/// The Sobol indices of an output evaluated on a Saltelli design: `a[j]`, `b[j]`, and
/// `ab[i][j]` for factor i, with `resamples` bootstrap draws from `rng`.
pub fn sobol(a: &[f64], b: &[f64], ab: &[Vec<f64>], resamples: usize, rng: &mut impl rand::Rng) -> Indices {
    let n = a.len();
    // Standardised over every row of the design, as SALib does.
    let all: Vec<f64> = a.iter().chain(b).chain(ab.iter().flatten()).copied().collect();
    let mean = all.iter().sum::<f64>() / all.len().max(1) as f64;
    let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / all.len().max(1) as f64).sqrt();
    let z = |x: f64| if sd > 0.0 { (x - mean) / sd } else { 0.0 };
    let (za, zb): (Vec<f64>, Vec<f64>) = (a.iter().map(|x| z(*x)).collect(), b.iter().map(|x| z(*x)).collect());
    let zab: Vec<Vec<f64>> = ab.iter().map(|c| c.iter().map(|x| z(*x)).collect()).collect();
    let raw_var = pooled_var(a, b, (0..n).collect::<Vec<_>>().as_slice());
    let estimate = |idx: &[usize], i: usize| -> Option<(f64, f64)> {
        let v = pooled_var(&za, &zb, idx);
        if v <= 0.0 || !v.is_finite() {
            return None;
        }
        let m = idx.len() as f64;
        let s1 = idx.iter().map(|&j| zb[j] * (zab[i][j] - za[j])).sum::<f64>() / m / v;
        let st = idx.iter().map(|&j| (za[j] - zab[i][j]).powi(2)).sum::<f64>() / m / 2.0 / v;
        Some((s1, st))
    };
    let whole: Vec<usize> = (0..n).collect();
    let points: Vec<Option<(f64, f64)>> = (0..ab.len()).map(|i| estimate(&whole, i)).collect();
    let mut boot: Vec<Vec<(f64, f64)>> = vec![Vec::with_capacity(resamples); ab.len()];
    let mut idx = vec![0usize; n];
    for _ in 0..resamples {
        for x in idx.iter_mut() {
            *x = rng.random_range(0..n.max(1));
        }
        for (i, b) in boot.iter_mut().enumerate() {
            if let Some(e) = estimate(&idx, i) {
                b.push(e);
            }
        }
    }
    let interval = |point: f64, mut xs: Vec<f64>| -> [f64; 3] {
        xs.sort_by(f64::total_cmp);
        let at = |q: f64| xs.get(((xs.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(point);
        [point, at(0.025), at(0.975)]
    };
    let mut s1 = Vec::new();
    let mut st = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match p {
            Some((a1, at)) => {
                s1.push(Some(interval(*a1, boot[i].iter().map(|e| e.0).collect())));
                st.push(Some(interval(*at, boot[i].iter().map(|e| e.1).collect())));
            }
            None => {
                s1.push(None);
                st.push(None);
            }
        }
    }
    Indices { variance: raw_var, s1, st }
}

/// Population variance of the rows `idx` of `a` and `b` together.
fn pooled_var(a: &[f64], b: &[f64], idx: &[usize]) -> f64 {
    let m = 2.0 * idx.len() as f64;
    if m == 0.0 {
        return 0.0;
    }
    let mean = idx.iter().map(|&j| a[j] + b[j]).sum::<f64>() / m;
    idx.iter().map(|&j| (a[j] - mean).powi(2) + (b[j] - mean).powi(2)).sum::<f64>() / m
}

/// One row of the design.
struct Row {
    block: String,
    j: u64,
    seed: u64,
    inputs: Vec<f64>,
}

/// Runs the analysis: writes `out/samples.csv` and `out/sensitivity.json`, returns the latter.
pub fn run(cfg: &Config) -> Result<Value, BatchError> {
    let input = |m: String| BatchError::Input(m);
    if cfg.n < 2 {
        return Err(input(format!("--runs {}: a sensitivity analysis needs at least 2 base samples", cfg.n)));
    }
    let mut opts = cfg.options.clone();
    for (path, lo, hi) in &cfg.factors {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(input(format!("--factor {path}={lo}..{hi}: LO must be below HI, both finite")));
        }
        opts.sets.push(format!("{path}=uniform({lo}, {hi})"));
    }
    let scenario = tianxia_scenario::load(&cfg.scenario, &opts)
        .map_err(|error| BatchError::Load { arm: "sensitivity".into(), error })?;
    let paths: Vec<String> = scenario.uncertain().map(|(p, _)| p.to_string()).collect();
    let dists: Vec<_> = scenario.uncertain().map(|(_, d)| d.clone()).collect();
    let k = paths.len() + 1;
    let mut factors = vec!["seed".to_string()];
    factors.extend(paths.iter().cloned());
    let total = cfg.n.saturating_mul(k as u64 + 2);
    if total > MAX_RUNS {
        return Err(input(format!(
            "--runs {} with {k} factors makes {total} runs (N(k+2)); at most {MAX_RUNS}",
            cfg.n
        )));
    }
    let outcomes: Vec<(String, OutcomeKind)> = if cfg.outcomes.is_empty() {
        scenario.outcomes.clone()
    } else {
        let mut v = Vec::new();
        for id in &cfg.outcomes {
            match scenario.outcomes.iter().find(|(k, _)| k == id) {
                Some(o) => v.push(o.clone()),
                None => {
                    let known: Vec<&str> = scenario.outcomes.iter().map(|(k, _)| k.as_str()).collect();
                    return Err(input(format!(
                        "--outcome {id}: the scenario has no such outcome ({})",
                        known.join(", ")
                    )));
                }
            }
        }
        v
    };

    // The design: uniform numbers for A and B, turned into inputs by each distribution.
    let n = cfg.n as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(run_seed(cfg.base_seed, u64::MAX));
    let mut uniform = || -> Vec<Vec<f64>> {
        (0..n).map(|_| dists.iter().map(|d| quantile(d, rng.random::<f64>())).collect()).collect()
    };
    let (xa, xb) = (uniform(), uniform());
    let seed_a = |j: usize| run_seed(cfg.base_seed, j as u64);
    let seed_b = |j: usize| run_seed(cfg.base_seed, (n + j) as u64);
    let mut rows: Vec<Row> = Vec::with_capacity(total as usize);
    for j in 0..n {
        rows.push(Row { block: "A".into(), j: j as u64, seed: seed_a(j), inputs: xa[j].clone() });
        rows.push(Row { block: "AB:seed".into(), j: j as u64, seed: seed_b(j), inputs: xa[j].clone() });
        for (i, p) in paths.iter().enumerate() {
            let mut x = xa[j].clone();
            x[i] = xb[j][i];
            rows.push(Row { block: format!("AB:{p}"), j: j as u64, seed: seed_a(j), inputs: x });
        }
        rows.push(Row { block: "B".into(), j: j as u64, seed: seed_b(j), inputs: xb[j].clone() });
    }

    // Every row, in parallel; results in row order.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.unwrap_or(0))
        .build()
        .map_err(|e| BatchError::Internal(format!("cannot start worker threads: {e}")))?;
    let runners: Mutex<Vec<Runner>> = Mutex::new(Vec::new());
    let results: Vec<Result<Vec<V>, String>> = pool.install(|| {
        rows.par_iter()
            .map(|r| {
                let mut runner = runners.lock().ok().and_then(|mut p| p.pop()).unwrap_or_else(|| scenario.runner());
                let sim = scenario.prepare_with(&mut runner, r.seed, &r.inputs).map_err(|e| e.to_string())?;
                let res = sim.run();
                let vals = res.outcomes.iter().map(|(_, v)| value(v)).collect();
                if let Ok(mut p) = runners.lock() {
                    p.push(runner);
                }
                Ok(vals)
            })
            .collect()
    });
    let values: Vec<Vec<V>> = results.into_iter().collect::<Result<_, _>>().map_err(BatchError::Internal)?;

    // The analysed outputs: bool as 0/1, numbers as they are, a category as one 0/1
    // output per label (labels in sorted order).
    let keys: Vec<&str> = scenario.outcomes.iter().map(|(k, _)| k.as_str()).collect();
    let mut columns: Vec<(String, Vec<f64>)> = Vec::new();
    for (id, kind) in &outcomes {
        let at = keys.iter().position(|k| k == id).unwrap_or(0);
        match kind {
            OutcomeKind::Bool | OutcomeKind::Number => {
                let ys = values.iter().map(|v| v[at].as_f64()).collect();
                columns.push((id.clone(), ys));
            }
            OutcomeKind::Category => {
                let mut labels: Vec<String> = values.iter().map(|v| v[at].to_csv()).collect();
                labels.sort();
                labels.dedup();
                for l in labels {
                    let ys = values.iter().map(|v| f64::from(u8::from(v[at].to_csv() == l))).collect();
                    columns.push((format!("{id}={l}"), ys));
                }
            }
        }
    }

    // Indices per output.
    let per = k + 2;
    let mut boot_rng = ChaCha8Rng::seed_from_u64(run_seed(cfg.base_seed, u64::MAX - 1));
    let mut report = Map::new();
    for (name, ys) in &columns {
        let a: Vec<f64> = (0..n).map(|j| ys[j * per]).collect();
        let b: Vec<f64> = (0..n).map(|j| ys[j * per + per - 1]).collect();
        let ab: Vec<Vec<f64>> = (0..k).map(|i| (0..n).map(|j| ys[j * per + 1 + i]).collect()).collect();
        let ix = sobol(&a, &b, &ab, RESAMPLES, &mut boot_rng);
        let side = |xs: &[Option<[f64; 3]>]| -> Value {
            let mut m = Map::new();
            for (f, x) in factors.iter().zip(xs) {
                m.insert(f.clone(), x.map_or(Value::Null, |v| json!(v)));
            }
            Value::Object(m)
        };
        report.insert(name.clone(), json!({"variance": ix.variance, "S1": side(&ix.s1), "ST": side(&ix.st)}));
    }
    let result = json!({
        "scenario": scenario.id,
        "method": "sobol",
        "n": cfg.n,
        "base_seed": cfg.base_seed,
        "factors": factors,
        "outcomes": report,
    });

    // samples.csv, then sensitivity.json, each written whole under a temporary name.
    std::fs::create_dir_all(&cfg.out).map_err(|e| input(format!("cannot create {}: {e}", cfg.out.display())))?;
    let mut head = vec!["block".to_string(), "j".into(), "seed".into()];
    head.extend(paths.iter().map(|p| format!("input:{p}")));
    head.extend(columns.iter().map(|(c, _)| c.clone()));
    let mut c = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| BatchError::Internal(format!("cannot format samples.csv: {e}"));
    c.write_record(&head).map_err(fail)?;
    for (r, row) in rows.iter().enumerate() {
        let mut rec = vec![row.block.clone(), row.j.to_string(), row.seed.to_string()];
        rec.extend(row.inputs.iter().map(|x| format!("{x}")));
        rec.extend(columns.iter().map(|(_, ys)| format!("{}", ys[r])));
        c.write_record(&rec).map_err(fail)?;
    }
    let bytes = c.into_inner().map_err(|e| BatchError::Internal(format!("cannot format samples.csv: {e}")))?;
    let mut samples = TmpFile::create(&cfg.out.join("samples.csv"))?;
    samples.write(&bytes)?;
    samples.commit()?;
    write_json(&cfg.out.join("sensitivity.json"), &result)?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ishigami function, whose indices are known: S1 = (0.314, 0.442, 0),
    /// ST = (0.558, 0.442, 0.244).
    fn ishigami(x: &[f64]) -> f64 {
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn the_estimators_recover_the_ishigami_indices() {
        let n = 20_000;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let pi = std::f64::consts::PI;
        let mut draw = || -> Vec<Vec<f64>> {
            (0..n).map(|_| (0..3).map(|_| -pi + 2.0 * pi * rng.random::<f64>()).collect()).collect()
        };
        let (xa, xb) = (draw(), draw());
        let a: Vec<f64> = xa.iter().map(|x| ishigami(x)).collect();
        let b: Vec<f64> = xb.iter().map(|x| ishigami(x)).collect();
        let ab: Vec<Vec<f64>> = (0..3)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        let mut x = xa[j].clone();
                        x[i] = xb[j][i];
                        ishigami(&x)
                    })
                    .collect()
            })
            .collect();
        let ix = sobol(&a, &b, &ab, 200, &mut ChaCha8Rng::seed_from_u64(3));
        let (s1, st) = ([0.314, 0.442, 0.0], [0.558, 0.442, 0.244]);
        for i in 0..3 {
            let (e1, et) = (ix.s1[i].unwrap_or([9.0; 3]), ix.st[i].unwrap_or([9.0; 3]));
            assert!((e1[0] - s1[i]).abs() < 0.03, "S1[{i}] = {:?}, known {}", e1, s1[i]);
            assert!((et[0] - st[i]).abs() < 0.03, "ST[{i}] = {:?}, known {}", et, st[i]);
            assert!(e1[1] <= e1[0] && e1[0] <= e1[2] && et[1] <= et[0] && et[0] <= et[2], "{e1:?} {et:?}");
            assert!(et[2] - et[1] < 0.1, "the interval is tight at n = 20000: {et:?}");
        }
    }

    #[test]
    fn a_constant_output_has_no_indices() {
        let a = vec![1.0; 50];
        let ix = sobol(&a, &a, std::slice::from_ref(&a), 10, &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(ix.s1, vec![None]);
        assert_eq!(ix.variance, 0.0);
    }
}
