//! `tianxia odds`: the odds of an outcome along one history, as a timeline for people
//! (with the chronicle's main lines between the points), as JSON, and as files.

use crate::cli::{Format, batch_error, internal, write_atomically};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use tianxia_montecarlo::odds::{Odds, OddsConfig};
use tianxia_montecarlo::stats::Agg;

/// Width of the bar that shows the leading estimate.
const BAR: usize = 20;

/// Runs `odds`, prints it, and writes `out/odds.csv`, `out/odds.json` and the history's
/// `out/events.jsonl`.
pub fn odds(cfg: &OddsConfig, out: Option<&Path>, quiet: bool, format: Format) -> ExitCode {
    let start = std::time::Instant::now();
    let last = std::sync::Mutex::new(start);
    let progress = |done: u64, total: u64| {
        if quiet || total == 0 {
            return;
        }
        let Ok(mut last) = last.lock() else { return };
        let now = std::time::Instant::now();
        if done == total || now.duration_since(*last).as_millis() >= 500 {
            *last = now;
            eprint!("\rodds: {done}/{total} runs");
            if done == total {
                eprintln!();
            }
        }
    };
    let odds = match tianxia_montecarlo::odds::odds(cfg, &progress) {
        Ok(o) => o,
        Err(e) => return batch_error(&e),
    };
    let json = with_events(&odds, cfg);
    if let Some(dir) = out {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::from(2);
        }
        let csv = odds.to_csv(cfg);
        let events = match tianxia_montecarlo::json::events(&odds.history) {
            Ok(v) => v,
            Err(e) => return internal(e),
        };
        let written = write_atomically(&dir.join("odds.csv"), |w| w.write_all(csv.as_bytes()))
            .and_then(|()| write_atomically(&dir.join("odds.json"), |w| writeln!(w, "{json}")))
            .and_then(|()| {
                write_atomically(&dir.join("events.jsonl"), |w| {
                    for v in &events {
                        serde_json::to_writer(&mut *w, v)?;
                        w.write_all(b"\n")?;
                    }
                    Ok(())
                })
            });
        if let Err(code) = written {
            return code;
        }
    }
    let text = match format {
        Format::Json => format!("{}\n", odds.to_json(cfg)),
        Format::Text => timeline(&odds, cfg),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

/// The JSON of the contract with, under `events`, the chronicle's main lines of the
/// history (turn, date, text), for reports.
fn with_events(odds: &Odds, cfg: &OddsConfig) -> Value {
    let mut v = odds.to_json(cfg);
    let entries = odds.history.log().entries();
    let lines: Vec<Value> = crate::chronicle::lines(&odds.history, false)
        .into_iter()
        .filter(|l| crate::chronicle::main_line(&entries[l.entry].kind))
        .map(|l| {
            let e = &entries[l.entry];
            let date = e.date.to_string();
            let text = l.text.strip_prefix(date.as_str()).map_or(l.text.as_str(), str::trim_start);
            json!({"turn": e.turn, "date": date, "text": text})
        })
        .collect();
    v["events"] = Value::Array(lines);
    v
}

/// The timeline for people: one row per point, its estimate and a bar of the leading
/// value, and the chronicle's main lines until the next point.
fn timeline(odds: &Odds, cfg: &OddsConfig) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let labels = odds.labels();
    let result = odds.history.result();
    let actual = result.outcomes.iter().find(|(k, _)| *k == cfg.outcome).map_or_else(String::new, |(_, v)| match v {
        tianxia_engine::model::script::OutcomeValue::Number(x) => short(*x),
        v => tianxia_montecarlo::json::outcome(v).to_string(),
    });
    let _ =
        writeln!(o, "{} — the odds of `{}` along the history of seed {}", odds.scenario.name, cfg.outcome, cfg.seed);
    if !odds.scenario.variants.is_empty() {
        let _ = writeln!(o, "variants: {}", odds.scenario.variants.join(", "));
    }
    for x in &odds.scenario.sets {
        let _ = writeln!(o, "set: {x}");
    }
    let _ = writeln!(
        o,
        "{} runs forked every {} turns, each from the state of that moment with fresh dice; the history itself: {actual} ({} turns, ended {})\n",
        cfg.runs, cfg.every, result.turns, result.end_date
    );
    let lead = match odds.points.first().map(|p| &p.agg) {
        Some(Agg::Bool { .. }) => "p (95% interval)".to_string(),
        Some(Agg::Number { .. }) => "mean (p05, p95)".to_string(),
        _ => labels.iter().map(|l| format!("{l:>8}")).collect::<String>(),
    };
    let bar_of = match odds.points.first().map(|p| &p.agg) {
        Some(Agg::Category { .. }) => labels.first().cloned().unwrap_or_default(),
        Some(Agg::Bool { .. }) => "p".into(),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "{:<10} {:>4}  {lead}  {}",
        "date",
        "turn",
        if bar_of.is_empty() { String::new() } else { format!("bar: {bar_of}") }
    );
    let entries = odds.history.log().entries();
    let lines = crate::chronicle::lines(&odds.history, false);
    for (i, p) in odds.points.iter().enumerate() {
        let est = p.agg.to_json();
        let f = |x: &Value| x.as_f64().unwrap_or(f64::NAN);
        let (cells, share) = match &p.agg {
            Agg::Bool { .. } => (
                format!("{:.2} [{:.2}, {:.2}]", f(&est["p"]), f(&est["ci95"][0]), f(&est["ci95"][1])),
                Some(f(&est["p"])),
            ),
            Agg::Number { .. } => {
                (format!("{} ({}, {})", short(f(&est["mean"])), short(f(&est["p05"])), short(f(&est["p95"]))), None)
            }
            Agg::Category { .. } => (
                labels.iter().map(|l| format!("{:>8.2}", est["freq"][l].as_f64().unwrap_or(0.0))).collect(),
                Some(est["freq"][&bar_of].as_f64().unwrap_or(0.0)),
            ),
        };
        let bar = share.map_or_else(String::new, |x| {
            let full = ((x.clamp(0.0, 1.0) * BAR as f64).round()) as usize;
            format!("{}{}", "█".repeat(full), "·".repeat(BAR - full))
        });
        let _ = writeln!(o, "{:<10} {:>4}  {cells}  {bar}", p.date, p.turn);
        let until = odds.points.get(i + 1).map_or(u32::MAX, |n| n.turn);
        for l in &lines {
            let e = &entries[l.entry];
            if e.turn >= p.turn && e.turn < until && crate::chronicle::main_line(&e.kind) {
                let _ = writeln!(o, "{:>17}{}", "", l.text);
            }
        }
    }
    let _ = writeln!(o, "\ndigest of the history {}", result.digest);
    o
}

/// A number for people: whole above 100, else three decimals.
fn short(x: f64) -> String {
    if x.abs() >= 100.0 { format!("{x:.0}") } else { format!("{x:.3}") }
}
