//! Where two histories part: two runs (two arms, or two seeds) played turn by turn side
//! by side, compared by their state hashes after every turn; at the first turn where the
//! hashes differ, what differs in the world and the first log entries that differ.

use std::collections::BTreeSet;
use tianxia_engine::Sim;
use tianxia_engine::ids::{ArmyId, FactionId, ProvinceId};
use tianxia_engine::model::army::Location;
use tianxia_engine::model::diplomacy::Diplomacy;
use tianxia_engine::record::outcome::Metrics;
use tianxia_engine::world::build::BuildError;
use tianxia_scenario::Scenario;

/// A value of the world as `diverge` compares it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number, compared exactly.
    Number(f64),
    /// A label (a place, a holder, a relation).
    Text(String),
    /// A yes or no (a flag, dissolved).
    Bool(bool),
    /// Not there on this side (an army not in the field).
    Missing,
}

/// One thing that differs between the two worlds.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// What it is, as a path: `armies.jin_field_army.men`, `provinces.kaifeng.controller`,
    /// `relations.jin-song`, `flags.great_snow`.
    pub what: String,
    /// Its value in run A.
    pub a: Value,
    /// Its value in run B.
    pub b: Value,
}

/// One side of a comparison: how its run ended.
#[derive(Clone, Debug)]
pub struct Side {
    /// Turns played.
    pub turns: u32,
    /// Event log digest.
    pub digest: String,
}

/// What [`diverge`] found.
#[derive(Clone, Debug)]
pub struct Divergence {
    /// Run A, played to its end.
    pub a: Side,
    /// Run B, played to its end.
    pub b: Side,
    /// The first turn (1-based) after which the state hashes differ, with the date it
    /// began; `None` when they never differ.
    pub turn: Option<(u32, String)>,
    /// What differs in the world after that turn.
    pub differences: Vec<Difference>,
    /// The log entries of that turn from the first one that differs, per side (chronicle
    /// lines, things named by their keys).
    pub log: (Vec<String>, Vec<String>),
}

/// The most log lines kept per side.
const MAX_LOG: usize = 20;

/// Plays run A (`a` with seed `seed_a`) and run B side by side, and reports where they part.
pub fn diverge(a: &Scenario, seed_a: u64, b: &Scenario, seed_b: u64) -> Result<Divergence, BuildError> {
    let (mut x, mut y) = (a.sim(seed_a)?, b.sim(seed_b)?);
    let mut turn = None;
    let mut found = None;
    loop {
        let date = x.date().to_string();
        let (log_x, log_y) = (x.log().entries().len(), y.log().entries().len());
        let (go_x, go_y) = (!x.finished(), !y.finished());
        if !go_x && !go_y {
            break;
        }
        x.step();
        y.step();
        if found.is_none() {
            let (hx, hy) = (x.state_hashes().last(), y.state_hashes().last());
            if go_x != go_y || hx != hy {
                let n = x.state_hashes().len().max(y.state_hashes().len()) as u32;
                turn = Some((n, date));
                found = Some((differences(&x, &y), first_log(&x, log_x, &y, log_y)));
            }
        }
    }
    let side = |s: &Sim| {
        let r = s.result();
        Side { turns: r.turns, digest: r.digest }
    };
    let (differences, log) = found.unwrap_or_default();
    Ok(Divergence { a: side(&x), b: side(&y), turn, differences, log })
}

/// The log entries from the first that differs, among those each side logged from
/// `from_x` / `from_y` on (one turn's).
fn first_log(x: &Sim, from_x: usize, y: &Sim, from_y: usize) -> (Vec<String>, Vec<String>) {
    let lines = |s: &Sim, from: usize| -> Vec<String> {
        s.log().entries()[from.min(s.log().entries().len())..].iter().map(|e| e.shown(s.names()).to_string()).collect()
    };
    let (lx, ly) = (lines(x, from_x), lines(y, from_y));
    let same = lx.iter().zip(&ly).take_while(|(p, q)| p == q).count();
    let cut = |v: Vec<String>| v.into_iter().skip(same).take(MAX_LOG).collect();
    (cut(lx), cut(ly))
}

fn place(s: &Sim, l: Location) -> String {
    let key = |p: ProvinceId| s.names().provinces.get(p.index()).map_or("?".to_string(), |n| n.key.clone());
    match l {
        Location::At(p) => key(p),
        Location::OnRoute { from, to, .. } => format!("{}->{}", key(from), key(to)),
    }
}

/// Everything `diverge` compares, by path, in a fixed order.
fn state(s: &Sim) -> Vec<(String, Value)> {
    let names = s.names();
    let mut out = Vec::new();
    for (i, n) in names.armies.iter().enumerate() {
        let key = &n.key;
        match s.army(ArmyId(i as u32)) {
            Some(v) => {
                out.push((format!("armies.{key}.men"), Value::Number(v.men())));
                out.push((format!("armies.{key}.location"), Value::Text(place(s, v.location))));
                out.push((format!("armies.{key}.morale"), Value::Number(v.morale)));
                out.push((format!("armies.{key}.cohesion"), Value::Number(v.cohesion)));
                out.push((format!("armies.{key}.food"), Value::Number(v.food)));
                out.push((format!("armies.{key}.destroyed"), Value::Bool(v.destroyed)));
            }
            None => out.push((format!("armies.{key}.men"), Value::Missing)),
        }
    }
    let faction = |f: FactionId| names.factions.get(f.index()).map_or("none".to_string(), |n| n.key.clone());
    for (i, n) in names.provinces.iter().enumerate() {
        let Some(v) = s.province(ProvinceId(i as u32)) else { continue };
        let key = &n.key;
        out.push((format!("provinces.{key}.controller"), Value::Text(faction(v.control.controller))));
        out.push((format!("provinces.{key}.garrison"), Value::Number(v.walls.garrison)));
        out.push((format!("provinces.{key}.grain"), Value::Number(v.granary.grain)));
        out.push((format!("provinces.{key}.population"), Value::Number(v.population)));
    }
    for (i, n) in names.factions.iter().enumerate() {
        let Some(v) = s.faction(FactionId(i as u32)) else { continue };
        let key = &n.key;
        out.push((format!("factions.{key}.grain"), Value::Number(v.coffers.grain)));
        out.push((format!("factions.{key}.treasury"), Value::Number(v.coffers.treasury)));
        out.push((format!("factions.{key}.manpower"), Value::Number(v.coffers.manpower)));
    }
    let d = s.world().resource::<Diplomacy>();
    let nf = names.factions.len();
    for i in 0..nf {
        for j in i + 1..nf {
            let r = d.relation(FactionId(i as u32), FactionId(j as u32));
            let what = format!("relations.{}-{}", names.factions[i].key, names.factions[j].key);
            out.push((what, Value::Text(format!("{r:?}").to_lowercase())));
        }
    }
    out
}

/// What differs between the two worlds: every compared value, and the flags.
fn differences(x: &Sim, y: &Sim) -> Vec<Difference> {
    let (sx, sy) = (state(x), state(y));
    let find = |s: &[(String, Value)], k: &str| s.iter().find(|(p, _)| p == k).map(|(_, v)| v.clone());
    let mut keys: Vec<&String> = sx.iter().map(|(k, _)| k).collect();
    keys.extend(sy.iter().map(|(k, _)| k).filter(|k| !sx.iter().any(|(p, _)| p == *k)));
    let mut out: Vec<Difference> = keys
        .into_iter()
        .filter_map(|k| {
            let (a, b) = (find(&sx, k).unwrap_or(Value::Missing), find(&sy, k).unwrap_or(Value::Missing));
            (a != b).then(|| Difference { what: k.clone(), a, b })
        })
        .collect();
    let flags = |s: &Sim| s.world().resource::<Metrics>().flags.clone();
    let (fx, fy) = (flags(x), flags(y));
    let all: BTreeSet<&String> = fx.union(&fy).collect();
    for f in all {
        let (a, b) = (fx.contains(f), fy.contains(f));
        if a != b {
            out.push(Difference { what: format!("flags.{f}"), a: Value::Bool(a), b: Value::Bool(b) });
        }
    }
    out
}
