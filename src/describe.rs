//! `tianxia describe`: what a scenario holds (after its mods, variants and overrides),
//! as text for people or as the JSON of DESIGN.md's contract.

use serde_json::{Value, json};
use std::fmt::Write;
use tianxia_scenario::Scenario;
use tianxia_scenario::raw::Dist;
use tianxia_scenario::resolve::OutcomeKind;

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

fn kind_name(k: OutcomeKind) -> &'static str {
    match k {
        OutcomeKind::Bool => "bool",
        OutcomeKind::Number => "number",
        OutcomeKind::Category => "category",
    }
}

/// The scenario as the JSON of the `describe` contract. Numbers are the template's: a
/// number that is drawn shows its central value (and is listed under `inputs`).
pub fn describe_json(s: &Scenario) -> Value {
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

/// The same, as text for people.
pub fn describe_text(s: &Scenario) -> String {
    let w = s.template();
    let mut o = String::new();
    let _ = writeln!(o, "{} ({})", s.name, s.id);
    if !s.description.is_empty() {
        let _ = writeln!(o, "{}", s.description.trim());
    }
    let _ = writeln!(o, "\n{} to {} in {}-day turns", w.start, w.end, w.turn_days);
    let _ = writeln!(
        o,
        "{} factions, {} provinces, {} routes, {} armies, {} commanders, {} events",
        w.factions.len(),
        w.provinces.len(),
        w.routes.len(),
        w.armies.len(),
        w.commanders.len(),
        w.events.len()
    );
    let faction_key = |f: usize| w.factions.get(f).map_or("none", |x| x.key.as_str());
    let _ = writeln!(o, "\nfactions:");
    for (i, f) in w.factions.iter().enumerate() {
        let held = w.provinces.iter().filter(|p| p.controller.index() == i).count();
        let s = if held == 1 { "" } else { "s" };
        let _ = writeln!(o, "  {:<24} {} (holds {held} province{s})", f.key, f.name);
    }
    let _ = writeln!(o, "\narmies (men at the central value of any drawn number):");
    for a in &w.armies {
        let men = a.cavalry + a.infantry + a.siege;
        let when = if a.in_field { "" } else { "  (takes the field by an event)" };
        let _ = writeln!(o, "  {:<28} {:<10} {:>9.0}{when}", a.key, faction_key(a.faction.index()), men);
    }
    let _ = writeln!(o, "\nvariants:");
    if s.available_variants.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for (id, d) in &s.available_variants {
        let _ = writeln!(o, "  {id:<28} {d}");
    }
    let descriptions: std::collections::BTreeMap<&str, &str> =
        w.outcomes.iter().map(|x| (x.key.as_str(), x.description.as_str())).collect();
    let _ = writeln!(o, "\noutcomes:");
    for (id, k) in &s.outcomes {
        let d = descriptions.get(id.as_str()).copied().unwrap_or("");
        let _ = writeln!(o, "  {id:<28} {:<9} {d}", kind_name(*k));
    }
    let _ = writeln!(o, "\nuncertain inputs (drawn once per run; runs.csv has a column input:<path> for each):");
    let inputs: Vec<(&str, &Dist)> = s.uncertain().collect();
    if inputs.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for (p, d) in inputs {
        let _ = writeln!(o, "  {p:<44} {}", dist_text(d));
    }
    let _ = writeln!(o, "\nprovinces: {} (`--format json` lists them with coordinates and holders)", w.provinces.len());
    o
}
