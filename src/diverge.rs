//! `tianxia diverge`: where two runs part, as text for people or the JSON of DESIGN.md's
//! contract.

use serde_json::{Value, json};
use std::fmt::Write;
use tianxia_montecarlo::diverge::{Divergence, Value as V};

fn value_json(v: &V) -> Value {
    match v {
        V::Number(x) => json!(x),
        V::Text(t) => json!(t),
        V::Bool(b) => json!(b),
        V::Missing => Value::Null,
    }
}

fn value_text(v: &V) -> String {
    match v {
        V::Number(x) if x.abs() >= 100.0 => format!("{x:.0}"),
        V::Number(x) => format!("{x:.3}"),
        V::Text(t) => t.clone(),
        V::Bool(b) => b.to_string(),
        V::Missing => "-".to_string(),
    }
}

/// The sides: (arm, seed) of A and B.
pub struct Sides<'a> {
    pub a: (&'a str, u64),
    pub b: (&'a str, u64),
}

/// The contract's JSON.
pub fn diverge_json(scenario: &str, sides: &Sides, d: &Divergence) -> Value {
    let side = |(arm, seed): (&str, u64), s: &tianxia_montecarlo::diverge::Side| json!({"arm": arm, "seed": seed, "turns": s.turns, "digest": s.digest});
    json!({
        "scenario": scenario,
        "a": side(sides.a, &d.a),
        "b": side(sides.b, &d.b),
        "diverged": d.turn.is_some(),
        "turn": d.turn.as_ref().map(|t| t.0),
        "date": d.turn.as_ref().map(|t| t.1.clone()),
        "differences": d.differences.iter().map(|x| json!({"what": x.what, "a": value_json(&x.a), "b": value_json(&x.b)})).collect::<Vec<_>>(),
        "log": {"a": d.log.0, "b": d.log.1},
    })
}

/// The most differences listed in text.
const SHOWN: usize = 30;

/// The same, as text for people.
pub fn diverge_text(sides: &Sides, d: &Divergence) -> String {
    let mut o = String::new();
    let name = |(arm, seed): (&str, u64)| format!("{arm} (seed {seed})");
    let (a, b) = (name(sides.a), name(sides.b));
    let Some((turn, date)) = &d.turn else {
        let _ = writeln!(o, "identical: {a} and {b} never differ ({} turns, digest {})", d.a.turns, d.a.digest);
        return o;
    };
    let _ = writeln!(o, "{a} and {b} part in turn {turn} (which began {date})");
    let _ = writeln!(o, "\n{} differences after that turn (A = {a}, B = {b}):", d.differences.len());
    let width = d.differences.iter().take(SHOWN).map(|x| x.what.len()).max().unwrap_or(0);
    for x in d.differences.iter().take(SHOWN) {
        let _ = writeln!(o, "  {:<width$}  A {:<14} B {}", x.what, value_text(&x.a), value_text(&x.b));
    }
    if d.differences.len() > SHOWN {
        let _ = writeln!(o, "  ... and {} more (--format json lists them all)", d.differences.len() - SHOWN);
    }
    for (label, lines) in [("A", &d.log.0), ("B", &d.log.1)] {
        let _ = writeln!(o, "\nthe log of {label} from its first differing entry in that turn:");
        if lines.is_empty() {
            let _ = writeln!(o, "  (nothing more)");
        }
        for l in lines {
            let _ = writeln!(o, "  {l}");
        }
    }
    let _ = writeln!(
        o,
        "\nA ends after {} turns (digest {}), B after {} (digest {})",
        d.a.turns, d.a.digest, d.b.turns, d.b.digest
    );
    o
}
