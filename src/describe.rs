//! `tianxia describe`: what a scenario holds (after its mods, variants and overrides),
//! as text for people or as the JSON of DESIGN.md's contract.

use std::fmt::Write;
use tianxia_montecarlo::kind_name;
use tianxia_scenario::Scenario;
use tianxia_scenario::raw::Dist;

/// What a scenario holds, as text for people (`--format json`:
/// [`tianxia_montecarlo::json::describe`]).
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
        let _ = writeln!(o, "  {p:<44} {}", tianxia_montecarlo::json::dist_text(d));
    }
    let _ = writeln!(o, "\nprovinces: {} (`--format json` lists them with coordinates and holders)", w.provinces.len());
    o
}
