//! Tianxia's scenario format: RON files that describe a world, checked with located
//! errors, layered with mods, variants and `--set` overrides, and turned into engine
//! worlds — one per run, each with its own draw of the uncertain numbers.
//!
//! ```text
//! file.ron ─parse→ Doc ─mods, variants, --set→ Doc ─resolve→ Scenario ─world(seed)→ WorldSpec
//! ```
//!
//! Architecture invariants: this crate knows RON and files but nothing of batches,
//! terminals or exit codes; loading never panics and reports every problem it finds.

pub mod doc;
pub mod error;
pub mod locate;
pub mod raw;
pub mod resolve;

use crate::error::{Code, Location, Problem, Sources, did_you_mean};
use crate::raw::Dist;
use crate::resolve::{OutcomeKind, Slot};
use rand::RngExt;
use rand_distr::{Distribution, Normal, Triangular};
use std::path::{Path, PathBuf};
use tianxia_engine::rng::{Stream, stream_rng};
use tianxia_engine::{BuildError, RunResult, Sim, WorldSpec};

pub use error::LoadError;

/// What to layer over the base scenario.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Variant names, applied in order.
    pub variants: Vec<String>,
    /// Overrides `PATH=VALUE` (VALUE in RON syntax), applied last, in order.
    pub sets: Vec<String>,
    /// Mod folders, applied in their manifests' load order.
    pub mods: Vec<PathBuf>,
}

/// A mod that was applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ModInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A validated scenario, ready to build worlds from without parsing again.
#[derive(Clone)]
pub struct Scenario {
    /// Scenario id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Variants applied, in order.
    pub variants: Vec<String>,
    /// Overrides applied, in order.
    pub sets: Vec<String>,
    /// Mods applied, in order.
    pub mods: Vec<ModInfo>,
    /// xxh3 of the base file and every mod file, 16 hex digits.
    pub content_hash: String,
    /// Variants the scenario defines: name and description.
    pub available_variants: Vec<(String, String)>,
    /// Outcome ids and kinds, in declaration order.
    pub outcomes: Vec<(String, OutcomeKind)>,
    template: WorldSpec,
    slots: Vec<Slot>,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("id", &self.id)
            .field("variants", &self.variants)
            .field("slots", &self.slots.len())
            .finish()
    }
}

impl Scenario {
    /// The world of the run with master seed `seed`: every uncertain number drawn once
    /// from the setup stream of that seed, in declaration order.
    pub fn world(&self, seed: u64) -> WorldSpec {
        let mut w = self.template.clone();
        if !self.slots.is_empty() {
            let mut rng = stream_rng(seed, Stream::Setup);
            for s in &self.slots {
                let v = sample(&s.dist, &mut rng);
                (s.set)(&mut w, v);
            }
        }
        w
    }

    /// The values the run with master seed `seed` draws for the uncertain numbers, by
    /// path, in the order of [`Scenario::uncertain`].
    pub fn draws(&self, seed: u64) -> Vec<(String, f64)> {
        let mut rng = stream_rng(seed, Stream::Setup);
        self.slots.iter().map(|s| (s.path.clone(), sample(&s.dist, &mut rng))).collect()
    }

    /// The world whose uncertain numbers take the values `values` gives for their paths
    /// (as drawn by [`Scenario::draws`], maybe of another version of this scenario), or
    /// their central value where it gives none. A fork's arm is built so: a `--set` or a
    /// variant that fixes or adds an uncertain number leaves every other draw as it was.
    pub fn world_from(&self, values: &[(String, f64)]) -> WorldSpec {
        let mut w = self.template.clone();
        for s in &self.slots {
            let v = values.iter().find(|(p, _)| *p == s.path).map_or_else(|| resolve::central(&s.dist), |x| x.1);
            (s.set)(&mut w, v);
        }
        w
    }

    /// A simulation of the run with master seed `seed`.
    pub fn sim(&self, seed: u64) -> Result<Sim, BuildError> {
        Sim::new(&self.world(seed), seed)
    }

    /// A runner for many runs of this scenario: it keeps one spec and one simulation
    /// (world and schedule) and rebuilds them in place for each run.
    pub fn runner(&self) -> Runner {
        Runner { spec: self.template.clone(), sim: None, drawn: Vec::with_capacity(self.slots.len()) }
    }

    /// Plays the run with master seed `seed` on `runner` (made by this scenario's
    /// [`Scenario::runner`]); the result is the same as `self.sim(seed)?.run()`. With
    /// `keep_log` false the event log keeps only its digest.
    pub fn run_with(&self, runner: &mut Runner, seed: u64, keep_log: bool) -> Result<RunResult, BuildError> {
        let sim = self.prepare(runner, seed)?;
        sim.keep_log(keep_log);
        Ok(sim.run())
    }

    /// Rebuilds `runner`'s simulation for the run with master seed `seed`, ready to
    /// step, keeping only the log's digest (as a batch does).
    pub fn prepare<'r>(&self, runner: &'r mut Runner, seed: u64) -> Result<&'r mut Sim, BuildError> {
        let mut rng = stream_rng(seed, Stream::Setup);
        self.prepare_drawing(runner, seed, |s| sample(&s.dist, &mut rng))
    }

    /// As [`Scenario::prepare`], but the uncertain numbers take the values `inputs` (in
    /// the order of [`Scenario::uncertain`]) instead of being drawn from the seed, which
    /// then decides only the dice of the run itself (weather, battles, events). Missing
    /// values take the central value.
    pub fn prepare_with<'r>(
        &self,
        runner: &'r mut Runner,
        seed: u64,
        inputs: &[f64],
    ) -> Result<&'r mut Sim, BuildError> {
        let mut i = 0;
        self.prepare_drawing(runner, seed, |s| {
            let v = inputs.get(i).copied().unwrap_or_else(|| resolve::central(&s.dist));
            i += 1;
            v
        })
    }

    fn prepare_drawing<'r>(
        &self,
        runner: &'r mut Runner,
        seed: u64,
        mut draw: impl FnMut(&Slot) -> f64,
    ) -> Result<&'r mut Sim, BuildError> {
        if !self.slots.is_empty() {
            // The last run's world shares the spec's event list: let go of it, so that a
            // slot in an event changes the list in place instead of copying it.
            if let Some(sim) = runner.sim.as_mut() {
                sim.release_spec();
            }
            // Every slot writes an absolute value, so drawing into the runner's spec in
            // place gives the same spec as drawing into a fresh copy of the template.
            runner.drawn.clear();
            for s in &self.slots {
                let v = draw(s);
                (s.set)(&mut runner.spec, v);
                runner.drawn.push(v);
            }
        }
        let sim = match runner.sim.take() {
            Some(mut sim) => {
                sim.rebuild(&runner.spec, seed)?;
                sim
            }
            None => Sim::new(&runner.spec, seed)?,
        };
        let sim = runner.sim.insert(sim);
        sim.keep_log(false);
        Ok(sim)
    }

    /// The world with every uncertain number at its central value.
    pub fn template(&self) -> &WorldSpec {
        &self.template
    }

    /// The uncertain numbers: (path, distribution).
    pub fn uncertain(&self) -> impl Iterator<Item = (&str, &Dist)> {
        self.slots.iter().map(|s| (s.path.as_str(), &s.dist))
    }
}

/// What [`Scenario::run_with`] reuses from run to run.
pub struct Runner {
    spec: WorldSpec,
    sim: Option<Sim>,
    drawn: Vec<f64>,
}

impl Runner {
    /// The values the last run drew for the scenario's uncertain numbers, in the order of
    /// [`Scenario::uncertain`].
    pub fn drawn(&self) -> &[f64] {
        &self.drawn
    }
}

fn sample(d: &Dist, rng: &mut impl rand::Rng) -> f64 {
    match d {
        Dist::Uniform(a, b) => {
            if a == b {
                *a
            } else {
                rng.random_range(*a..*b)
            }
        }
        Dist::Triangular(a, m, b) => Triangular::new(*a, *b, *m).map_or(*m, |t| t.sample(rng)),
        Dist::Normal { mean, sd, min, max } => {
            let Ok(n) = Normal::new(*mean, *sd) else { return *mean };
            for _ in 0..64 {
                let x = n.sample(rng);
                if x >= *min && x <= *max {
                    return x;
                }
            }
            mean.clamp(*min, *max)
        }
        Dist::Choice(cs) => {
            let total: f64 = cs.iter().map(|c| c.1).sum();
            let mut x = rng.random::<f64>() * total;
            for (v, w) in cs {
                if x < *w {
                    return *v;
                }
                x -= w;
            }
            cs.last().map_or(0.0, |c| c.0)
        }
    }
}

/// The value below which a share `u` (0..1) of the distribution's draws fall: its
/// inverse cumulative distribution, so that a uniform `u` gives a draw of the
/// distribution (a normal is the truncated one the format draws).
pub fn quantile(d: &Dist, u: f64) -> f64 {
    let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
    match d {
        Dist::Uniform(a, b) => a + u * (b - a),
        Dist::Triangular(a, m, b) => {
            let (a, m, b) = (*a, *m, *b);
            if b <= a {
                return a;
            }
            let cut = (m - a) / (b - a);
            if u < cut { a + (u * (b - a) * (m - a)).sqrt() } else { b - ((1.0 - u) * (b - a) * (b - m)).sqrt() }
        }
        Dist::Normal { mean, sd, min, max } => {
            if *sd <= 0.0 {
                return mean.clamp(*min, *max);
            }
            let (lo, hi) = (phi((min - mean) / sd), phi((max - mean) / sd));
            (mean + sd * phi_inv(lo + u * (hi - lo))).clamp(*min, *max)
        }
        Dist::Choice(cs) => {
            let total: f64 = cs.iter().map(|c| c.1).sum();
            let mut x = u * total;
            for (v, w) in cs {
                if x < *w {
                    return *v;
                }
                x -= w;
            }
            cs.last().map_or(0.0, |c| c.0)
        }
    }
}

/// The standard normal cumulative distribution.
fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Its inverse: Acklam's rational approximation, refined by one step of Halley's method.
fn phi_inv(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -39.69683028665376,
        220.9460984245205,
        -275.9285104469687,
        138.357751867269,
        -30.66479806614716,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
    const C: [f64; 6] = [
        -0.007784894002430293,
        -0.3223964580411365,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
    let low = 0.02425;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let e = phi(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Loads, layers and validates the scenario at `path`.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Scenario, LoadError> {
    let mut sources = Sources::default();
    let name = path.display().to_string();
    let text = match read(path) {
        Ok(t) => t,
        Err(msg) => {
            return Err(LoadError {
                problems: vec![Problem::new(Code::Io, format!("cannot read {name}: {msg}"), None)],
                sources,
            });
        }
    };
    let id = sources.add(name, text);
    load_source(sources, id, opts)
}

/// Loads a scenario from text (`name` is shown in errors).
pub fn load_str(name: &str, text: &str, opts: &LoadOptions) -> Result<Scenario, LoadError> {
    let mut sources = Sources::default();
    if text.len() > MAX_FILE_BYTES {
        let p = Problem::new(Code::Io, format!("cannot read {name}: {}", too_large()), None);
        return Err(LoadError { problems: vec![p], sources });
    }
    let id = sources.add(name, text.to_string());
    load_source(sources, id, opts)
}

/// Largest scenario, mod or manifest file read (and largest text `load_str` takes).
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// Reads a text file through a capped reader, so that a huge file or a device such as
/// /dev/zero fails fast instead of being read whole.
fn read(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes)
        .map_err(|e| format!("the file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))
}

fn too_large() -> String {
    format!("the file is larger than {} MiB, the limit for scenario files", MAX_FILE_BYTES >> 20)
}

/// Where a file that a mod names really is, if it is a regular file inside the mod's
/// folder once every symlink is resolved; the reason otherwise. Nothing of the file is
/// read, so a refusal never shows its content.
fn inside_mod(dir: &Path, name: &str) -> Result<PathBuf, (Code, String)> {
    let path = dir.join(name);
    let io = |e: std::io::Error| (Code::Io, format!("cannot read {}: {e}", path.display()));
    let root = std::fs::canonicalize(dir).map_err(io)?;
    let real = std::fs::canonicalize(&path).map_err(io)?;
    if !real.starts_with(&root) || real == root {
        return Err((
            Code::BadMod,
            format!(
                "`{name}` is outside the mod's folder {}: a mod may only read files inside its own folder (no `..`, no absolute path, no symlink leading out)",
                dir.display()
            ),
        ));
    }
    if !real.is_file() {
        return Err((Code::BadMod, format!("`{name}` in the mod folder {} is not a regular file", dir.display())));
    }
    Ok(path)
}

fn load_source(mut sources: Sources, base: usize, opts: &LoadOptions) -> Result<Scenario, LoadError> {
    let fail = |problems: Vec<Problem>, sources: Sources| Err(LoadError { problems, sources });
    let mut doc = match doc::parse(&sources, base) {
        Ok(d) => d,
        Err(p) => return fail(p, sources),
    };
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(sources.get(base).1.as_bytes());
    let mut problems = Vec::new();

    // Mods, in load order.
    let mut mods = Vec::new();
    let mut manifests = Vec::new();
    for dir in &opts.mods {
        match read_manifest(&mut sources, dir) {
            Ok(m) => manifests.push(m),
            Err(p) => problems.push(p),
        }
    }
    manifests.sort_by(|a, b| (a.1.load_order, &a.1.id.value).cmp(&(b.1.load_order, &b.1.id.value)));
    for (dir, m) in &manifests {
        if let Some(s) = &m.scenario
            && s.value != doc.settings.id.value
        {
            let at = doc::loc(&sources, s);
            problems.push(Problem::new(
                Code::BadMod,
                format!("mod `{}` is for scenario `{}`, not `{}`", m.id.value, s.value, doc.settings.id.value),
                at,
            ));
            continue;
        }
        for f in &m.files {
            let path = match inside_mod(dir, &f.value) {
                Ok(p) => p,
                Err((code, e)) => {
                    let at = doc::loc(&sources, f);
                    problems.push(
                        Problem::new(code, format!("mod `{}`: {e}", m.id.value), at)
                            .help("list files relative to the mod's folder, e.g. files: [\"changes.ron\"]"),
                    );
                    continue;
                }
            };
            match read(&path) {
                Ok(text) => {
                    hasher.update(text.as_bytes());
                    let len = text.len();
                    let id = sources.add(path.display().to_string(), text);
                    problems.extend(doc.apply_layer(&mut sources, (id, 0..len), &format!("mod {}", m.id.value)));
                }
                Err(e) => {
                    let at = doc::loc(&sources, f);
                    problems.push(Problem::new(Code::Io, format!("cannot read {}: {e}", path.display()), at));
                }
            }
        }
        mods.push(ModInfo { id: m.id.value.clone(), name: m.name.clone(), version: m.version.clone() });
    }

    // Variants, in the order asked.
    for v in &opts.variants {
        match doc.variants.iter().find(|d| d.id == *v).cloned() {
            Some(def) => {
                problems.extend(doc.apply_layer(&mut sources, (def.source, def.range.clone()), &format!("variant {v}")))
            }
            None => {
                let names: Vec<&str> = doc.variants.iter().map(|d| d.id.as_str()).collect();
                let hint = did_you_mean(v, names.iter().copied()).map_or_else(
                    || {
                        if names.is_empty() {
                            "this scenario defines no variants".to_string()
                        } else {
                            format!("the variants are: {}", names.join(", "))
                        }
                    },
                    |m| format!("did you mean `{m}`?"),
                );
                problems.push(
                    Problem::new(Code::BadOverride, format!("unknown variant `{}`", error::shown(v)), None).help(hint),
                );
            }
        }
    }

    // Overrides.
    for s in &opts.sets {
        let origin = sources.add("<--set>", s.clone());
        let at = Some(Location { source: origin, span: 0..s.len() });
        match s.split_once('=') {
            Some((path, value)) if !value.trim().is_empty() => {
                if let Err(p) = doc.set(&mut sources, path.trim(), value.trim(), "--set", at) {
                    problems.push(p);
                }
            }
            _ => problems.push(
                Problem::new(Code::BadOverride, format!("`{s}` is not PATH=VALUE"), at)
                    .help("e.g. --set armies.tolui_right_wing.cavalry=50000"),
            ),
        }
    }
    // Resolve even when a layer failed, so that every other problem shows too.
    let resolved = match resolve::resolve(&doc, &sources) {
        Ok(r) if problems.is_empty() => r,
        Ok(_) => return fail(problems, sources),
        Err(p) => {
            let mut p = p;
            doc.blame(&mut p);
            problems.extend(p);
            return fail(problems, sources);
        }
    };
    Ok(Scenario {
        id: doc.settings.id.value.clone(),
        name: doc.settings.name.clone(),
        description: doc.settings.description.clone(),
        variants: opts.variants.clone(),
        sets: opts.sets.clone(),
        mods,
        content_hash: format!("{:016x}", hasher.digest()),
        available_variants: doc.variants.iter().map(|v| (v.id.clone(), v.description.clone())).collect(),
        outcomes: resolved.outcomes,
        template: resolved.template,
        slots: resolved.slots,
    })
}

fn read_manifest(sources: &mut Sources, dir: &Path) -> Result<(PathBuf, raw::Manifest), Problem> {
    let path = dir.join("mod.ron");
    let text = inside_mod(dir, "mod.ron")
        .and_then(|p| read(&p).map_err(|e| (Code::BadMod, format!("cannot read {}: {e}", path.display()))))
        .map_err(|(_, e)| {
        Problem::new(Code::BadMod, e, None)
            .help("a mod is a folder with a mod.ron manifest: (id: \"...\", name: \"...\", version: \"1.0\", load_order: 0, files: [\"changes.ron\"])")
    })?;
    let id = sources.add(path.display().to_string(), text);
    let text = sources.get(id).1.clone();
    let m: raw::Manifest =
        raw::options().from_str(&text).map_err(|e| doc::ron_problem(sources, &text, &e, "the mod manifest"))?;
    Ok((dir.to_path_buf(), m))
}

/// A short, plain list of a scenario's contents, for `validate`.
pub fn summary(s: &Scenario) -> String {
    let w = s.template();
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    format!(
        "{} ({}): {}, {}, {}, {}, {}, {}, {}, {}, {}; {} to {} in {}-day turns",
        s.id,
        s.name,
        n(w.factions.len(), "faction", "factions"),
        n(w.provinces.len(), "province", "provinces"),
        n(w.routes.len(), "route", "routes"),
        n(w.armies.len(), "army", "armies"),
        n(w.commanders.len(), "commander", "commanders"),
        n(w.events.len(), "event", "events"),
        n(w.outcomes.len(), "outcome", "outcomes"),
        n(s.available_variants.len(), "variant", "variants"),
        n(s.slots.len(), "uncertain number", "uncertain numbers"),
        w.start,
        w.end,
        w.turn_days
    )
}
