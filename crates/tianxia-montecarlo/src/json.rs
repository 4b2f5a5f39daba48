//! The JSON of the machine outputs that more than one front end prints (the CLI, the
//! Python package): `describe`, `run`, the event log. Numbers are never rounded.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use tianxia_engine::ids::with_names;
use tianxia_engine::model::script::OutcomeValue;
use tianxia_engine::{RunResult, Sim};
use tianxia_scenario::Scenario;
use tianxia_scenario::raw::Dist;

use crate::kind_name;

/// A distribution as the scenario format writes it: `triangular(20000, 30000, 50000)`.
pub fn dist_text(d: &Dist) -> String {
    match d {
        Dist::Uniform(a, b) => format!("uniform({a}, {b})"),
        Dist::Triangular(a, m, b) => format!("triangular({a}, {m}, {b})"),
        Dist::Normal { mean, sd, min, max } => format!("normal(mean: {mean}, sd: {sd}, min: {min}, max: {max})"),
        Dist::Choice(cs) => {
            let items: Vec<String> = cs.iter().map(|(v, w)| format!("({v}, {w})")).collect();
            format!("choice([{}])", items.join(", "))
        }
    }
}

/// The scenario as the JSON of the `describe` contract. Numbers are the template's: a
/// number that is drawn shows its central value (and is listed under `inputs`).
pub fn describe(s: &Scenario) -> Value {
    let w = s.template();
    let faction_key = |f: usize| w.factions.get(f).map_or("none", |x| x.key.as_str());
    let descriptions: std::collections::BTreeMap<&str, &str> =
        w.outcomes.iter().map(|o| (o.key.as_str(), o.description.as_str())).collect();
    json!({
        "scenario": s.id,
        "name": s.name,
        "start": w.start.to_string(),
        "end": w.end.to_string(),
        "turn_days": w.turn_days,
        "factions": w.factions.iter().map(|f| json!({"id": f.key, "name": f.name})).collect::<Vec<_>>(),
        "provinces": w.provinces.iter().map(|p| json!({
            "id": p.key, "name": p.name, "name_zh": p.name_zh, "lat": p.lat, "lon": p.lon,
            "controller": faction_key(p.controller.index()),
        })).collect::<Vec<_>>(),
        "routes": w.routes.len(),
        "armies": w.armies.iter().map(|a| json!({
            "id": a.key, "faction": faction_key(a.faction.index()), "men": a.cavalry + a.infantry + a.siege,
        })).collect::<Vec<_>>(),
        "variants": s.available_variants.iter().map(|(id, d)| json!({"id": id, "description": d})).collect::<Vec<_>>(),
        "outcomes": s.outcomes.iter().map(|(id, k)| json!({
            "id": id, "kind": kind_name(*k), "description": descriptions.get(id.as_str()).copied().unwrap_or(""),
        })).collect::<Vec<_>>(),
        "inputs": s.uncertain().map(|(p, d)| json!({"path": p, "distribution": dist_text(d)})).collect::<Vec<_>>(),
    })
}

/// Adds to `out` the display name of every string in `v` that is a key of `display`.
fn collect_names(v: &Value, display: &BTreeMap<&str, &str>, out: &mut Map<String, Value>) {
    match v {
        Value::String(s) => {
            if let Some(name) = display.get(s.as_str()).filter(|n| !n.is_empty() && **n != s.as_str()) {
                out.insert(s.clone(), json!(name));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_names(x, display, out)),
        Value::Object(o) => {
            o.iter().filter(|(k, _)| k.as_str() != "text").for_each(|(_, x)| collect_names(x, display, out))
        }
        _ => {}
    }
}

/// The JSON value of an outcome.
pub fn outcome(v: &OutcomeValue) -> Value {
    match v {
        OutcomeValue::Bool(b) => json!(b),
        // Machine output never rounds: a row of runs.csv replays to the same number.
        OutcomeValue::Number(x) => json!(x),
        OutcomeValue::Category(c) => json!(c),
    }
}

/// A run as the JSON of the `run --format json` contract.
pub fn run(s: &Scenario, seed: u64, r: &RunResult) -> Value {
    let mut outcomes = Map::new();
    for (k, v) in &r.outcomes {
        outcomes.insert(k.clone(), outcome(v));
    }
    json!({
        "scenario": s.id,
        "variants": s.variants,
        "seed": seed,
        "turns": r.turns,
        "end_date": r.end_date.to_string(),
        "outcomes": outcomes,
        "digest": r.digest,
        "sets": s.sets,
        "mods": s.mods.iter().map(|m| if m.version.is_empty() { m.id.clone() } else { format!("{}@{}", m.id, m.version) }).collect::<Vec<_>>(),
        "content_hash": s.content_hash,
        "engine_version": tianxia_engine::VERSION,
    })
}

/// The event log of a finished run, one JSON value per entry (as `run --events` writes
/// them): ids as the scenario's keys (for machines) and, under "names", the display name
/// of every key the entry mentions (for people).
pub fn events(sim: &Sim) -> Result<Vec<Value>, serde_json::Error> {
    let names = sim.names();
    let mut display: BTreeMap<&str, &str> = BTreeMap::new();
    for n in names.factions.iter().chain(&names.provinces).chain(&names.armies).chain(&names.commanders) {
        display.insert(n.key.as_str(), n.name.as_str());
    }
    with_names(names, || {
        sim.log()
            .entries()
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e)?;
                let mut mentioned = Map::new();
                collect_names(&v, &display, &mut mentioned);
                if let Some(o) = v.as_object_mut()
                    && !mentioned.is_empty()
                {
                    o.insert("names".into(), Value::Object(mentioned));
                }
                Ok(v)
            })
            .collect()
    })
}
