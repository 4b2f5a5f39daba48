//! Snapshot files: a running world saved between two turns, with what made it, to resume
//! the run or fork batches from it.
//!
//! A file is, in order (docs/snapshots.md):
//! 1. the line `TIANXIA SNAPSHOT` (17 bytes with its newline);
//! 2. one line of JSON, the [`Origin`]: format and engine version, the scenario (id,
//!    absolute path, content hash), variants, sets, mods, seed, and the turn and date of
//!    the snapshot, readable with `head -2 FILE`;
//! 3. the engine's snapshot (postcard, see `tianxia_engine::world::snapshot`), led by its
//!    length as 8 little-endian bytes;
//! 4. the xxh3-64 of everything before it, as 8 little-endian bytes, so a truncated or
//!    damaged file is refused before anything in it is believed.

use crate::BatchError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tianxia_engine::world::fork::ForkPlan;
use tianxia_engine::world::snapshot::{FORMAT, Snapshot};
use tianxia_engine::{Sim, WorldSpec};
use tianxia_scenario::{LoadOptions, Scenario};

/// The first line of every snapshot file.
pub const MAGIC: &[u8] = b"TIANXIA SNAPSHOT\n";

/// Largest snapshot file read (a 1231 snapshot is a few tens of KB).
const MAX_BYTES: u64 = 256 << 20;

/// What made a snapshot: enough to build its world again and to refuse one that no longer fits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// The snapshot encoding's version.
    pub format: u32,
    /// The engine that wrote it.
    pub engine_version: String,
    /// Scenario id.
    pub scenario: String,
    /// The scenario file, absolute.
    pub path: PathBuf,
    /// xxh3 of the scenario file and its mods' files.
    pub content_hash: String,
    /// Variants, in order.
    pub variants: Vec<String>,
    /// Overrides, in order.
    pub sets: Vec<String>,
    /// Mod folders, absolute.
    pub mods: Vec<PathBuf>,
    /// The run's master seed.
    pub seed: u64,
    /// Turns played.
    pub turn: u32,
    /// The first day of the next turn.
    pub date: String,
}

impl Origin {
    /// The origin of a snapshot `snap` of the run of `scenario` (loaded from `path` with
    /// `mods`) with seed `seed`.
    pub fn new(scenario: &Scenario, path: &Path, mods: &[PathBuf], seed: u64, snap: &Snapshot) -> Origin {
        let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        Origin {
            format: FORMAT,
            engine_version: tianxia_engine::VERSION.to_string(),
            scenario: scenario.id.clone(),
            path: absolute(path),
            content_hash: scenario.content_hash.clone(),
            variants: scenario.variants.clone(),
            sets: scenario.sets.clone(),
            mods: mods.iter().map(|m| absolute(m)).collect(),
            seed,
            turn: snap.turn,
            date: snap.date.to_string(),
        }
    }

    /// Refuses, before a run starts, to save a snapshot that could not record where its
    /// scenario and mods are (the header is JSON: their absolute paths must be UTF-8).
    pub fn check_paths(path: &Path, mods: &[PathBuf]) -> Result<(), BatchError> {
        for p in std::iter::once(path).chain(mods.iter().map(PathBuf::as_path)) {
            if std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).to_str().is_none() {
                return Err(bad(p, "a snapshot records this path, and it is not UTF-8: move or rename it to save"));
            }
        }
        Ok(())
    }

    /// The load options of the snapshot's run.
    pub fn options(&self) -> LoadOptions {
        LoadOptions { variants: self.variants.clone(), sets: self.sets.clone(), mods: self.mods.clone() }
    }
}

/// A snapshot with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotFile {
    /// What made it.
    pub origin: Origin,
    /// The world's state.
    pub snapshot: Snapshot,
}

fn bad(file: &Path, why: impl std::fmt::Display) -> BatchError {
    BatchError::Input(format!("{}: {why}", file.display()))
}

impl SnapshotFile {
    /// The file's bytes; refused if a path in the origin is not UTF-8 (see
    /// [`Origin::check_paths`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, BatchError> {
        let header = serde_json::to_string(&self.origin)
            .map_err(|e| BatchError::Input(format!("the snapshot's header cannot be written: {e}")))?;
        let payload = self.snapshot.to_bytes();
        let mut out = Vec::with_capacity(payload.len() + header.len() + 40);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(header.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        let sum = xxhash_rust::xxh3::xxh3_64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        Ok(out)
    }

    /// Reads the bytes of a snapshot file (named `file` in messages).
    pub fn from_bytes(bytes: &[u8], file: &Path) -> Result<SnapshotFile, BatchError> {
        let Some(rest) = bytes.strip_prefix(MAGIC) else {
            return Err(bad(file, "not a Tianxia snapshot (it does not begin with `TIANXIA SNAPSHOT`)"));
        };
        if bytes.len() < MAGIC.len() + 8 {
            return Err(bad(file, "the snapshot is truncated"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let sum = u64::from_le_bytes(sum.try_into().unwrap_or_default());
        let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
            return Err(bad(file, "the snapshot is truncated (its header line does not end)"));
        };
        let origin: Origin = match serde_json::from_slice(&rest[..nl]) {
            Ok(o) => o,
            Err(_) if xxhash_rust::xxh3::xxh3_64(body) != sum => {
                return Err(bad(file, "the snapshot is truncated or damaged (its checksum does not match)"));
            }
            Err(e) => return Err(bad(file, format!("the snapshot's header is not valid: {e}"))),
        };
        // Version first: another engine's snapshot may be laid out otherwise.
        if origin.format != FORMAT || origin.engine_version != tianxia_engine::VERSION {
            return Err(bad(
                file,
                format!(
                    "the snapshot was written by engine {} (snapshot format {}); this is engine {} (format {FORMAT}): resume it with the engine that wrote it",
                    origin.engine_version,
                    origin.format,
                    tianxia_engine::VERSION
                ),
            ));
        }
        if xxhash_rust::xxh3::xxh3_64(body) != sum {
            return Err(bad(file, "the snapshot is truncated or damaged (its checksum does not match)"));
        }
        let Some(after) = rest.get(nl + 1..body.len() - MAGIC.len()) else {
            return Err(bad(file, "the snapshot is truncated"));
        };
        let Some((len, payload)) = after.split_first_chunk::<8>() else {
            return Err(bad(file, "the snapshot is truncated"));
        };
        if u64::from_le_bytes(*len) != payload.len() as u64 {
            return Err(bad(file, "the snapshot is truncated or damaged (its length does not match)"));
        }
        let snapshot = Snapshot::from_bytes(payload).map_err(|e| bad(file, e))?;
        if snapshot.turn != origin.turn || snapshot.date.to_string() != origin.date {
            return Err(bad(file, "the snapshot's header does not match its contents"));
        }
        Ok(SnapshotFile { origin, snapshot })
    }

    /// Reads a snapshot file.
    pub fn read(file: &Path) -> Result<SnapshotFile, BatchError> {
        use std::io::Read;
        let f = std::fs::File::open(file).map_err(|e| bad(file, format!("cannot read it: {e}")))?;
        let mut bytes = Vec::new();
        f.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| bad(file, format!("cannot read it: {e}")))?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(bad(file, format!("larger than {} MB: not a snapshot", MAX_BYTES >> 20)));
        }
        SnapshotFile::from_bytes(&bytes, file)
    }

    /// Loads the scenario the snapshot was taken from, as it was then (the same variants,
    /// sets and mods); refused if its files changed since.
    pub fn scenario(&self, file: &Path) -> Result<Scenario, BatchError> {
        let o = &self.origin;
        let s = tianxia_scenario::load(&o.path, &o.options())
            .map_err(|error| BatchError::Load { arm: format!("the scenario of {}", file.display()), error })?;
        check_hash(&s, o, file)?;
        Ok(s)
    }

    /// A simulation standing where the snapshot was taken, ready to go on: built from
    /// `scenario` (from [`SnapshotFile::scenario`]).
    pub fn resume(&self, scenario: &Scenario, file: &Path) -> Result<Sim, BatchError> {
        let seed = self.origin.seed;
        let spec = scenario.world(seed);
        let mut sim = Sim::new(&spec, seed).map_err(|e| BatchError::Internal(e.to_string()))?;
        sim.restore(&spec, seed, &self.snapshot).map_err(|e| bad(file, e))?;
        Ok(sim)
    }
}

/// A snapshot's run as forks start from it: its scenario, that run's draws of the
/// uncertain numbers, and its world.
pub struct ForkBase<'a> {
    file: &'a SnapshotFile,
    /// The snapshot file, for messages.
    at: &'a Path,
    /// The scenario file arms are loaded from.
    scenario: PathBuf,
    drawn: Vec<(String, f64)>,
    world: WorldSpec,
}

/// An arm at a fork: its scenario, its world and what it changes there.
pub struct ForkArm {
    /// The arm's scenario (the snapshot's run with the arm's variants and sets on top).
    pub scenario: Scenario,
    /// Its world, with the snapshot run's draws of the uncertain numbers.
    pub world: WorldSpec,
    /// What it changes at the fork.
    pub plan: ForkPlan,
}

impl SnapshotFile {
    /// The base that forks of this snapshot (read from `file`) start from, with arms
    /// loaded from `scenario` (which must be the snapshot's scenario, unchanged).
    pub fn fork_base<'a>(&'a self, scenario: &Path, file: &'a Path) -> Result<ForkBase<'a>, BatchError> {
        let base = tianxia_scenario::load(scenario, &self.origin.options())
            .map_err(|error| BatchError::Load { arm: "the snapshot's own".into(), error })?;
        check_hash(&base, &self.origin, file)?;
        // Every arm keeps the snapshot run's draw of each uncertain number it still has,
        // so that fixing one with `--set` does not shift the draws of the others.
        let drawn = base.draws(self.origin.seed);
        let world = base.world_from(&drawn);
        Ok(ForkBase { file: self, at: file, scenario: scenario.to_path_buf(), drawn, world })
    }
}

impl ForkBase<'_> {
    /// The arm `name`: the snapshot's run with `variants` and `sets` on top; refused if it
    /// changes what at a fork is the snapshot's state.
    pub fn arm(&self, name: &str, variants: &[String], sets: &[String]) -> Result<ForkArm, BatchError> {
        let mut opts = self.file.origin.options();
        opts.variants.extend_from_slice(variants);
        opts.sets.extend_from_slice(sets);
        let scenario = tianxia_scenario::load(&self.scenario, &opts)
            .map_err(|error| BatchError::Load { arm: name.to_string(), error })?;
        let world = scenario.world_from(&self.drawn);
        let snap = &self.file.snapshot;
        let plan = ForkPlan::new(&self.world, &world, |a| snap.fielded(a)).map_err(|r| {
            BatchError::Input(format!(
                "arm `{name}` cannot start from the snapshot of {} ({}): {r}. At a fork an arm may change parameters, events, climates, factions' policies and posture, commanders' skill, traits and rivals, the orders and stance of armies in the field, and armies not yet in the field (docs/snapshots.md)",
                self.file.origin.date,
                self.at.display()
            ))
        })?;
        Ok(ForkArm { scenario, world, plan })
    }
}

impl ForkArm {
    /// Run `seed` of this arm in a new simulation: the state of `snapshot` (the base's),
    /// fresh random streams from `seed`, and the arm's changes.
    pub fn sim(&self, snapshot: &Snapshot, seed: u64) -> Result<Sim, String> {
        let mut sim = Sim::new(&self.world, seed).map_err(|e| e.to_string())?;
        sim.fork(&self.world, snapshot, &self.plan, seed).map_err(|e| e.to_string())?;
        Ok(sim)
    }
}

/// Refuses a snapshot of a scenario whose files have changed.
pub fn check_hash(s: &Scenario, o: &Origin, file: &Path) -> Result<(), BatchError> {
    if s.id != o.scenario || s.content_hash != o.content_hash {
        return Err(bad(
            file,
            format!(
                "the snapshot is of scenario `{}` with content hash {}, but {} is now `{}` with content hash {}: the scenario or its mods changed since the snapshot was taken",
                o.scenario,
                o.content_hash,
                o.path.display(),
                s.id,
                s.content_hash
            ),
        ));
    }
    Ok(())
}
