//! Streaming statistics: bounded memory, and the same answer whatever the thread count,
//! because values are always fed in run order.

use serde_json::{Map, Value, json};
use sketches_ddsketch::{Config, DDSketch};
use std::collections::BTreeMap;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Up to this many values per (arm, outcome) quantiles are exact; beyond, they come
/// from a DDSketch with 1% relative error.
pub const EXACT_QUANTILES_UP_TO: usize = 100_000;

/// Wilson score interval for `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Welford's running mean and variance.
#[derive(Clone, Debug, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds a value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// `n` zeros (for a category label first seen after `n` runs).
    pub fn zeros(n: u64) -> Moments {
        Moments { n, mean: 0.0, m2: 0.0 }
    }

    /// Count.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Mean (0 if empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample standard deviation (0 with fewer than two values).
    pub fn sd(&self) -> f64 {
        if self.n < 2 { 0.0 } else { (self.m2 / (self.n - 1) as f64).sqrt() }
    }

    /// The mean with a normal-approximation 95% interval.
    pub fn mean_ci(&self) -> (f64, f64, f64) {
        let half = if self.n < 2 { 0.0 } else { Z95 * self.sd() / (self.n as f64).sqrt() };
        (self.mean, self.mean - half, self.mean + half)
    }
}

/// Quantiles: exact while small, a DDSketch beyond.
#[derive(Clone)]
pub struct Quantiles {
    exact: Option<Vec<f64>>,
    sketch: DDSketch,
}

impl std::fmt::Debug for Quantiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Quantiles").field("exact", &self.is_exact()).field("count", &self.sketch.count()).finish()
    }
}

impl Default for Quantiles {
    fn default() -> Self {
        Quantiles { exact: Some(Vec::new()), sketch: DDSketch::new(Config::new(0.01, 4096, 1e-9)) }
    }
}

impl Quantiles {
    /// Adds a value.
    pub fn push(&mut self, x: f64) {
        self.sketch.add(x);
        if let Some(v) = &mut self.exact {
            if v.len() < EXACT_QUANTILES_UP_TO {
                v.push(x);
            } else {
                self.exact = None;
            }
        }
    }

    /// Whether quantiles are exact.
    pub fn is_exact(&self) -> bool {
        self.exact.is_some()
    }

    /// The `q` quantile: exact ones interpolate linearly between order statistics
    /// (numpy's default, "type 7").
    pub fn quantiles(&self, qs: &[f64]) -> Vec<f64> {
        match &self.exact {
            Some(v) if !v.is_empty() => {
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                qs.iter()
                    .map(|q| {
                        let h = (s.len() - 1) as f64 * q;
                        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
                        s[lo] + (h - lo as f64) * (s[hi] - s[lo])
                    })
                    .collect()
            }
            Some(_) => qs.iter().map(|_| 0.0).collect(),
            None => qs.iter().map(|q| self.sketch.quantile(*q).ok().flatten().unwrap_or(0.0)).collect(),
        }
    }
}

/// An outcome value of one run.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    /// Bool.
    B(bool),
    /// Number.
    N(f64),
    /// Category label.
    C(String),
}

impl V {
    /// As a number: a bool as 0 or 1, a label as 0.
    pub fn as_f64(&self) -> f64 {
        match self {
            V::B(b) => f64::from(u8::from(*b)),
            V::N(x) => *x,
            V::C(_) => 0.0,
        }
    }

    /// As it is written in runs.csv.
    pub fn to_csv(&self) -> String {
        match self {
            V::B(b) => b.to_string(),
            V::N(x) => format!("{x}"),
            V::C(c) => c.clone(),
        }
    }
}

/// The aggregate of one outcome in one arm.
#[derive(Clone, Debug)]
pub enum Agg {
    /// Bool: successes and trials.
    Bool { k: u64, n: u64 },
    /// Number: moments and quantiles.
    Number { m: Moments, q: Quantiles },
    /// Category: counts per label.
    Category { counts: BTreeMap<String, u64>, n: u64 },
}

impl Agg {
    /// An empty aggregate of the kind of `v`.
    pub fn for_value(v: &V) -> Agg {
        match v {
            V::B(_) => Agg::Bool { k: 0, n: 0 },
            V::N(_) => Agg::Number { m: Moments::default(), q: Quantiles::default() },
            V::C(_) => Agg::Category { counts: BTreeMap::new(), n: 0 },
        }
    }

    /// Adds one run's value.
    pub fn push(&mut self, v: &V) {
        match (self, v) {
            (Agg::Bool { k, n }, V::B(b)) => {
                *n += 1;
                *k += u64::from(*b);
            }
            (Agg::Number { m, q }, V::N(x)) => {
                m.push(*x);
                q.push(*x);
            }
            (Agg::Category { counts, n }, V::C(c)) => {
                *n += 1;
                *counts.entry(c.clone()).or_insert(0) += 1;
            }
            _ => {}
        }
    }

    /// The summary.json object of this aggregate.
    pub fn to_json(&self) -> Value {
        match self {
            Agg::Bool { k, n } => {
                let (lo, hi) = wilson(*k, *n);
                json!({"kind": "bool", "p": ratio(*k, *n), "ci95": [lo, hi]})
            }
            Agg::Number { m, q } => {
                let p = q.quantiles(&[0.05, 0.5, 0.95]);
                json!({"kind": "number", "mean": m.mean(), "sd": m.sd(), "p05": p[0], "p50": p[1], "p95": p[2],
                       "quantiles": if q.is_exact() { "exact" } else { "ddsketch_1pct" }})
            }
            Agg::Category { counts, n } => {
                let mut freq = Map::new();
                for (label, c) in sorted_counts(counts) {
                    freq.insert(label.clone(), json!(ratio(c, *n)));
                }
                json!({"kind": "category", "freq": freq})
            }
        }
    }
}

/// Labels by descending count, then by label.
pub fn sorted_counts(counts: &BTreeMap<String, u64>) -> Vec<(&String, u64)> {
    let mut v: Vec<(&String, u64)> = counts.iter().map(|(l, c)| (l, *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

fn ratio(k: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

/// Paired differences of one arm against the first, per outcome (and per label).
#[derive(Clone, Debug, Default)]
pub struct Paired {
    /// Per key (`""` for bool/number, the label for categories).
    pub diffs: BTreeMap<String, Moments>,
}

impl Paired {
    /// Adds the difference of run values `x` (this arm) and `base` (first arm); `seen`
    /// is how many runs came before (a label met for the first time counts them as zeros).
    pub fn push(&mut self, x: &V, base: &V, seen: u64) {
        match (x, base) {
            (V::B(a), V::B(b)) => {
                self.diffs.entry(String::new()).or_default().push(f64::from(u8::from(*a)) - f64::from(u8::from(*b)))
            }
            (V::N(a), V::N(b)) => self.diffs.entry(String::new()).or_default().push(a - b),
            (V::C(a), V::C(b)) => {
                for l in [a, b] {
                    self.diffs.entry(l.clone()).or_insert_with(|| Moments::zeros(seen));
                }
                for (l, m) in self.diffs.iter_mut() {
                    m.push(f64::from(u8::from(a == l)) - f64::from(u8::from(b == l)));
                }
            }
            _ => {}
        }
    }

    /// The `vs_first` object: difference with its paired 95% interval.
    pub fn to_json(&self, kind: &str) -> Value {
        let one = |m: &Moments| {
            let (d, lo, hi) = m.mean_ci();
            json!({"diff": d, "ci95": [lo, hi]})
        };
        match kind {
            "category" => {
                let mut o = Map::new();
                for (l, m) in &self.diffs {
                    o.insert(l.clone(), one(m));
                }
                json!({"kind": "category", "freq_diff": o})
            }
            k => {
                let m = self.diffs.get("").cloned().unwrap_or_default();
                let mut v = one(&m);
                v["kind"] = json!(k);
                v
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_known_values() {
        // Reference values (Wilson 1927; e.g. R's binom::binom.wilson).
        let (lo, hi) = wilson(71, 100);
        assert!((lo - 0.6146).abs() < 1e-4 && (hi - 0.7899).abs() < 1e-4, "{lo} {hi}");
        let (lo, hi) = wilson(0, 10);
        assert!(lo.abs() < 1e-12 && (hi - 0.2775).abs() < 1e-4, "{lo} {hi}");
        let (lo, hi) = wilson(10, 10);
        assert!((lo - 0.7225).abs() < 1e-4 && (hi - 1.0).abs() < 1e-12, "{lo} {hi}");
    }

    #[test]
    fn moments_and_exact_quantiles_match_textbook_values() {
        let mut m = Moments::default();
        let mut q = Quantiles::default();
        for x in 1..=10 {
            m.push(f64::from(x));
            q.push(f64::from(x));
        }
        assert_eq!(m.mean(), 5.5);
        assert!((m.sd() - 3.027_650_354).abs() < 1e-9);
        // numpy.percentile([1..10], [5, 50, 95]) = [1.45, 5.5, 9.55]
        let p = q.quantiles(&[0.05, 0.5, 0.95]);
        assert!((p[0] - 1.45).abs() < 1e-12 && p[1] == 5.5 && (p[2] - 9.55).abs() < 1e-12, "{p:?}");
    }

    #[test]
    fn sketched_quantiles_stay_within_their_documented_error() {
        let mut q = Quantiles::default();
        for i in 0..(EXACT_QUANTILES_UP_TO + 50_000) {
            q.push(1.0 + i as f64);
        }
        assert!(!q.is_exact());
        let n = (EXACT_QUANTILES_UP_TO + 50_000) as f64;
        let p = q.quantiles(&[0.05, 0.5, 0.95]);
        for (got, want) in p.iter().zip([0.05 * n, 0.5 * n, 0.95 * n]) {
            assert!((got - want).abs() / want < 0.011, "{got} vs {want}");
        }
    }

    #[test]
    fn paired_differences_have_intervals() {
        let mut p = Paired::default();
        for i in 0..100 {
            p.push(&V::B(i % 2 == 0), &V::B(i % 4 == 0), i);
        }
        let v = p.to_json("bool");
        assert_eq!(v["diff"], json!(0.25));
        let lo = v["ci95"][0].as_f64().unwrap_or(1.0);
        assert!(lo > 0.15 && lo < 0.25, "{v}");
    }
}
