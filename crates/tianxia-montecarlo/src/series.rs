//! Per-turn series of a run, in long format (`turn,date,entity,metric,value`), for
//! plotting: per faction its field men, provinces held, grain and treasury; per army in
//! the field its men, morale, cohesion, food and place.

use std::io::Write;
use tianxia_engine::Sim;
use tianxia_engine::ids::{ArmyId, FactionId};
use tianxia_engine::model::army::Location;
use tianxia_engine::model::script::Quantity;

/// The columns of a series file (a batch's adds `arm,run` in front).
pub const HEADER: [&str; 5] = ["turn", "date", "entity", "metric", "value"];

/// One row: entity is `factions.<id>` or `armies.<id>`; the value a number or, for an
/// army's `province`, the id of where it stands (`a->b` on a route).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 0 for the state before the first turn, else the turn just played (1-based).
    pub turn: u32,
    /// The day the state holds for: the start for turn 0, else the first day of the turn
    /// just played.
    pub date: String,
    /// `factions.<id>` or `armies.<id>`.
    pub entity: String,
    /// What is measured.
    pub metric: &'static str,
    /// The value, at full precision.
    pub value: String,
}

/// The rows of `sim`'s state after turn `turn` (dated `date`), appended to `out`.
pub fn rows(sim: &Sim, turn: u32, date: &str, out: &mut Vec<Row>) {
    let names = sim.names();
    let world = sim.world();
    let mut push = |entity: String, metric: &'static str, value: String| {
        out.push(Row { turn, date: date.to_string(), entity, metric, value });
    };
    for (i, n) in names.factions.iter().enumerate() {
        let f = FactionId(i as u32);
        let e = format!("factions.{}", n.key);
        let men = Quantity::FactionMen { faction: f, garrisons: false }.eval(world);
        let held = Quantity::Controlled { faction: f, region: None }.eval(world);
        push(e.clone(), "field_men", format!("{men}"));
        push(e.clone(), "provinces", format!("{held}"));
        if let Some(v) = sim.faction(f) {
            push(e.clone(), "grain", format!("{}", v.coffers.grain));
            push(e, "treasury", format!("{}", v.coffers.treasury));
        }
    }
    let key = |p: tianxia_engine::ids::ProvinceId| names.provinces.get(p.index()).map_or("?", |n| n.key.as_str());
    for (i, n) in names.armies.iter().enumerate() {
        let Some(v) = sim.army(ArmyId(i as u32)).filter(|v| !v.destroyed) else { continue };
        let e = format!("armies.{}", n.key);
        push(e.clone(), "men", format!("{}", v.men()));
        push(e.clone(), "morale", format!("{}", v.morale));
        push(e.clone(), "cohesion", format!("{}", v.cohesion));
        push(e.clone(), "food", format!("{}", v.food));
        let place = match v.location {
            Location::At(p) => key(p).to_string(),
            Location::OnRoute { from, to, .. } => format!("{}->{}", key(from), key(to)),
        };
        push(e, "province", place);
    }
}

/// Plays `sim` to its end, collecting its rows before the first turn and after each.
pub fn play(sim: &mut Sim) -> Vec<Row> {
    play_with(sim, &mut |_| {})
}

/// As [`play`], calling `at_boundary` at every turn boundary (before the first turn,
/// between turns, after the last). A world restored from a snapshot starts at the turn
/// it was taken after.
pub fn play_with(sim: &mut Sim, at_boundary: &mut dyn FnMut(&Sim)) -> Vec<Row> {
    let mut out = Vec::new();
    let mut date = sim.date().to_string();
    let mut turn = sim.world().resource::<tianxia_engine::calendar::Calendar>().turn;
    rows(sim, turn, &date, &mut out);
    at_boundary(sim);
    while !sim.finished() {
        sim.step();
        turn += 1;
        rows(sim, turn, &date, &mut out);
        date = sim.date().to_string();
        at_boundary(sim);
    }
    out
}

/// Writes `rows` as CSV to `w`, each row led by `lead` (e.g. the arm and run of a batch).
pub fn write_csv(w: impl Write, head: &[&str], lead: &[String], rows: &[Row]) -> csv::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    if !head.is_empty() {
        c.write_record(head)?;
    }
    for r in rows {
        let turn = r.turn.to_string();
        let mut rec: Vec<&str> = lead.iter().map(String::as_str).collect();
        rec.extend([turn.as_str(), r.date.as_str(), r.entity.as_str(), r.metric, r.value.as_str()]);
        c.write_record(&rec)?;
    }
    c.flush()?;
    Ok(())
}

/// Most runs per arm a batch writes series for.
pub const MAX_SERIES_RUNS: u64 = 10_000;

/// Writes `dir/series.csv`: the series of the first `k` runs of each arm of the batch
/// `cfg` (each replayed alone from its seed, which gives the batch's history), with the
/// columns `arm,run` in front; in a fork batch, each from the snapshot's turn on.
/// Returns the file written.
pub fn batch_series(
    cfg: &crate::BatchConfig,
    dir: &std::path::Path,
    k: u64,
) -> Result<std::path::PathBuf, crate::BatchError> {
    use crate::BatchError;
    let input = |m: String| BatchError::Input(m);
    if k > MAX_SERIES_RUNS {
        return Err(input(format!("--series-runs {k}: at most {MAX_SERIES_RUNS} runs per arm")));
    }
    std::fs::create_dir_all(dir).map_err(|e| input(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join("series.csv");
    // Written under series.csv.tmp and renamed into place; an error removes the tmp file.
    let mut out = crate::TmpFile::create(&path)?;
    let mut head = vec!["arm", "run"];
    head.extend(HEADER);
    let mut first = true;
    let snapshot = cfg.from.as_ref().map(|f| crate::snapshot::SnapshotFile::read(f).map(|s| (s, f))).transpose()?;
    let base = snapshot.as_ref().map(|(s, f)| s.fork_base(&cfg.scenario, f)).transpose()?;
    for def in &cfg.arms {
        let internal =
            |r: u64, e: &dyn std::fmt::Display| BatchError::Internal(format!("run {r} of {}: {e}", def.name));
        let (scenario, fork) = match &base {
            Some(b) => {
                let arm = b.arm(&def.name, &def.variants, &def.sets)?;
                (None, Some(arm))
            }
            None => {
                let opts = tianxia_scenario::LoadOptions {
                    variants: def.variants.clone(),
                    sets: def.sets.clone(),
                    mods: cfg.mods.clone(),
                };
                let scenario = tianxia_scenario::load(&cfg.scenario, &opts)
                    .map_err(|error| BatchError::Load { arm: def.name.clone(), error })?;
                (Some(scenario), None)
            }
        };
        for r in 0..k.min(cfg.runs) {
            let seed = tianxia_engine::rng::run_seed(cfg.base_seed, r);
            let mut sim = match (&scenario, &fork, &snapshot) {
                (_, Some(arm), Some((file, _))) => arm.sim(&file.snapshot, seed).map_err(|e| internal(r, &e))?,
                (Some(scenario), ..) => scenario.sim(seed).map_err(|e| internal(r, &e))?,
                _ => return Err(internal(r, &"a fork arm without its snapshot")),
            };
            let rows = play(&mut sim);
            let mut bytes = Vec::new();
            write_csv(&mut bytes, if first { &head } else { &[] }, &[def.name.clone(), r.to_string()], &rows)
                .map_err(|e| BatchError::Internal(format!("cannot format series.csv: {e}")))?;
            out.write(&bytes)?;
            first = false;
        }
    }
    out.commit()?;
    Ok(path)
}
