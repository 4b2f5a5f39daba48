//! `tianxia report batch`: a batch folder as a page. Per outcome one chart with one mark
//! per arm — the estimate with its Wilson interval (bool), the frequencies of its labels
//! (category), the distribution as an ECDF from runs.csv (number) — then the paired
//! differences against the first arm as forest plots, and, if the folder holds a
//! sensitivity result (sensitivity.json), the tornado of total Sobol indices per outcome
//! with chance (the factor `seed`) as its own bar.
//!
//! Data attributes (DESIGN.md, "Pictures"): each outcome's chart `data-outcome="<id>"`
//! holding one `data-arm="<name>"` per arm.

use super::chart::{self, Scale};
use super::svg::{FONT_STACK, LABEL_COLOUR_FROM, PALETTE, esc};
use serde_json::Value;
use std::fmt::Write;
use std::path::Path;
use tianxia_montecarlo::stats::wilson;

/// Colour of chance (the factor `seed`) in a tornado.
const CHANCE: &str = "#f28e2b";
/// Most factors a tornado shows (the rest are counted under it).
const TORNADO_FACTORS: usize = 12;
/// Most points of an ECDF line (quantiles of the runs).
const ECDF_POINTS: usize = 200;

/// One arm of the batch.
struct Arm {
    name: String,
    variants: Vec<String>,
    sets: Vec<String>,
    runs: u64,
    outcomes: Value,
    vs_first: Value,
}

/// Reads `dir` and returns the page; an error says what is wrong with the folder.
pub fn report_batch(dir: &Path) -> Result<String, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a folder (give a batch or sensitivity folder)", dir.display()));
    }
    let summary = read_json(&dir.join("summary.json"))?;
    let sensitivity = read_json(&dir.join("sensitivity.json"))?;
    if summary.is_none() && sensitivity.is_none() {
        return Err(format!(
            "{}: neither summary.json (a batch) nor sensitivity.json (a sensitivity analysis) is in it",
            dir.display()
        ));
    }
    let mut o = String::with_capacity(1 << 18);
    let scenario = summary.as_ref().or(sensitivity.as_ref()).and_then(|v| v["scenario"].as_str()).unwrap_or("?");
    let title = format!("{scenario} — {}", dir.display());
    let _ = write!(
        o,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title><style>body {{ font-family: {FONT_STACK}; }}{CSS}</style></head><body>
<header><h1>{}</h1>"#,
        esc(&title),
        esc(&title)
    );
    if let Some(s) = &summary {
        let arms = arms(s)?;
        let outcomes = outcome_kinds(&arms)?;
        check_estimates(&arms, &outcomes)?;
        let numbers = read_numbers(&dir.join("runs.csv"), &arms, &outcomes)?;
        header(&mut o, s, &arms);
        o.push_str("</header>\n<section><h2>Outcomes by arm</h2><div class=\"grid\">\n");
        for (k, (id, kind)) in outcomes.iter().enumerate() {
            match kind.as_str() {
                "bool" => bool_chart(&mut o, id, &arms),
                "category" => category_chart(&mut o, id, &arms),
                _ => number_chart(&mut o, id, &arms, numbers.get(k).and_then(|x| x.as_ref())),
            }
        }
        o.push_str("</div></section>\n");
        if arms.len() > 1 {
            forest(&mut o, &arms, &outcomes);
        }
    } else {
        o.push_str("</header>\n");
    }
    if let Some(v) = &sensitivity {
        tornado(&mut o, v)?;
    }
    o.push_str("</body></html>\n");
    Ok(o)
}

/// The JSON file at `path`, or none if there is no such file.
fn read_json(path: &Path) -> Result<Option<Value>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{}:{}:{}: not valid JSON: {e}", path.display(), e.line(), e.column()))
}

/// Whether every one of `vs` is a finite number.
fn finite(vs: &[&Value]) -> bool {
    vs.iter().all(|v| v.as_f64().is_some_and(f64::is_finite))
}

/// Checks that each arm's estimate of each outcome has the numbers its chart needs.
fn check_estimates(arms: &[Arm], outcomes: &[(String, String)]) -> Result<(), String> {
    for a in arms {
        for (id, kind) in outcomes {
            let v = &a.outcomes[id];
            let ok = match kind.as_str() {
                "bool" => finite(&[&v["p"], &v["ci95"][0], &v["ci95"][1]]),
                "number" => finite(&[&v["mean"], &v["p05"], &v["p50"], &v["p95"]]),
                _ => v["freq"].as_object().is_some_and(|f| f.values().all(|p| finite(&[p]))),
            };
            if !ok {
                return Err(format!(
                    "summary.json: arm `{}`, outcome `{id}` ({kind}): missing or non-numeric estimate",
                    a.name
                ));
            }
        }
    }
    Ok(())
}

fn arms(s: &Value) -> Result<Vec<Arm>, String> {
    let bad = |m: &str| format!("summary.json: {m}");
    let list = s["arms"].as_array().filter(|a| !a.is_empty()).ok_or_else(|| bad("no `arms` list"))?;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let name = a["name"].as_str().ok_or_else(|| bad(&format!("arm {i} has no `name`")))?.to_string();
            if !a["outcomes"].is_object() {
                return Err(bad(&format!("arm `{name}` has no `outcomes`")));
            }
            Ok(Arm {
                variants: strings(&a["variants"]),
                sets: strings(&a["sets"]),
                runs: a["runs"].as_u64().unwrap_or(0),
                outcomes: a["outcomes"].clone(),
                vs_first: a["vs_first"].clone(),
                name,
            })
        })
        .collect()
}

/// The outcomes and their kinds, in the first arm's order.
fn outcome_kinds(arms: &[Arm]) -> Result<Vec<(String, String)>, String> {
    let first = arms[0].outcomes.as_object().ok_or("summary.json: the first arm has no outcomes")?;
    first
        .iter()
        .map(|(id, v)| match v["kind"].as_str() {
            Some(k @ ("bool" | "number" | "category")) => Ok((id.clone(), k.to_string())),
            _ => Err(format!("summary.json: outcome `{id}` has no kind bool, number or category")),
        })
        .collect()
}

/// For each number outcome, each arm's values from runs.csv (none if the file is absent).
type Numbers = Vec<Option<Vec<Vec<f64>>>>;

fn read_numbers(path: &Path, arms: &[Arm], outcomes: &[(String, String)]) -> Result<Numbers, String> {
    let mut out: Numbers = outcomes.iter().map(|_| None).collect();
    if !outcomes.iter().any(|(_, k)| k == "number") || !path.exists() {
        return Ok(out);
    }
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let head = r.headers().map_err(|e| format!("{}: {e}", path.display()))?.clone();
    let col = |name: &str| head.iter().position(|h| h == name);
    let arm_col = col("arm").ok_or_else(|| format!("{}: no `arm` column", path.display()))?;
    let cols: Vec<Option<usize>> = outcomes.iter().map(|(id, k)| if k == "number" { col(id) } else { None }).collect();
    for (k, c) in cols.iter().enumerate() {
        if outcomes[k].1 == "number" && c.is_none() {
            return Err(format!("{}: no column for outcome `{}`", path.display(), outcomes[k].0));
        }
        if c.is_some() {
            out[k] = Some(vec![Vec::new(); arms.len()]);
        }
    }
    for (line, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let where_ = || format!("{}:{}", path.display(), line + 2);
        let arm = rec.get(arm_col).unwrap_or("");
        let Some(a) = arms.iter().position(|x| x.name == arm) else {
            return Err(format!("{}: arm `{arm}` is not in summary.json", where_()));
        };
        for (k, c) in cols.iter().enumerate() {
            let Some(c) = c else { continue };
            let cell = rec.get(*c).unwrap_or("");
            let x: f64 =
                cell.parse().map_err(|_| format!("{}: `{cell}` is not a number ({})", where_(), outcomes[k].0))?;
            if !x.is_finite() {
                return Err(format!("{}: `{cell}` is not a finite number ({})", where_(), outcomes[k].0));
            }
            if let Some(v) = out[k].as_mut() {
                v[a].push(x);
            }
        }
    }
    Ok(out)
}

fn header(o: &mut String, s: &Value, arms: &[Arm]) {
    let mut meta = vec![format!("base seed {}", s["base_seed"]), format!("{} runs per arm", s["runs_per_arm"])];
    if let Some(v) = s["engine_version"].as_str() {
        meta.push(format!("engine {v}"));
    }
    if let Some(h) = s["content_hash"].as_str() {
        meta.push(format!("scenario content {h}"));
    }
    if let Some(m) = s["mods"].as_array().filter(|m| !m.is_empty()) {
        meta.push(format!("mods {}", m.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")));
    }
    let _ = write!(
        o,
        r#"<p class="meta">{}</p><table class="arms"><thead><tr><th></th><th>arm</th><th>variants</th><th>sets</th><th>runs</th></tr></thead><tbody>"#,
        esc(&meta.join(" · "))
    );
    for (i, a) in arms.iter().enumerate() {
        let _ = write!(
            o,
            r#"<tr><td><span class="swatch" style="background:{}"></span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            arm_colour(i),
            esc(&a.name),
            esc(&a.variants.join(" + ")),
            esc(&a.sets.join(", ")),
            a.runs
        );
    }
    o.push_str("</tbody></table>");
}

fn arm_colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Opens a chart's figure (`data-outcome`, `data-kind`, a caption) and its SVG.
fn open_figure(o: &mut String, id: &str, kind: &str, title: &str, width: f64, height: f64) {
    let _ = write!(
        o,
        r#"<figure data-outcome="{}" data-kind="{kind}"><figcaption><b>{}</b> <span class="kind">{kind}</span> {}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" class="chart">"#,
        esc(id),
        esc(id),
        esc(title)
    );
}

/// Vertical grid lines at `ticks` (placed by `xs`), labelled along the bottom.
fn x_axis(o: &mut String, xs: &Scale, ticks: &[f64], top: f64, bottom: f64, fmt: &dyn Fn(f64) -> String) {
    for t in ticks {
        let x = xs.at(*t);
        let _ = write!(
            o,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{top:.1}" y2="{bottom:.1}" class="grid"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            bottom + 14.0,
            fmt(*t)
        );
    }
}

/// Width of every chart, in pixels (two fit side by side on a laptop screen).
const WIDTH: f64 = 660.0;
/// Width of the column of arm names left of a chart, in pixels.
const LEFT: f64 = 150.0;
/// Width of the column of values right of a chart, in pixels.
const RIGHT: f64 = 150.0;
/// Height of one arm's row, in pixels.
const ROW: f64 = 24.0;
/// Most characters of an arm's name in the column left of a chart.
const ARM_NAME_CHARS: usize = 22;
/// Most characters of an arm's name beside an ECDF or a forest row (the whole name is
/// in the tooltip).
const ARM_LABEL_CHARS: usize = 28;
/// Smallest share a category's segment is labelled with inside its bar.
const IN_BAR_LABEL: f64 = 0.08;

fn arm_name(o: &mut String, name: &str, y: f64) {
    let shown = chart::cut(name, ARM_NAME_CHARS);
    let _ = write!(
        o,
        r#"<text x="{:.0}" y="{:.1}" class="arm-name" text-anchor="end">{}</text>"#,
        LEFT - 8.0,
        y + 4.0,
        esc(&shown)
    );
}

fn bool_chart(o: &mut String, id: &str, arms: &[Arm]) {
    let height = 30.0 + ROW * arms.len() as f64 + 24.0;
    open_figure(o, id, "bool", "share of runs where it holds, with the 95% Wilson interval", WIDTH, height);
    let xs = Scale::new(0.0, 1.0, LEFT, WIDTH - RIGHT);
    let bottom = height - 24.0;
    x_axis(o, &xs, &chart::ticks(0.0, 1.0, 4), 10.0, bottom, &|t| chart::short(t));
    for (i, a) in arms.iter().enumerate() {
        let y = 30.0 + ROW * i as f64;
        let v = &a.outcomes[id];
        let (p, lo, hi) = (num(&v["p"]), num(&v["ci95"][0]), num(&v["ci95"][1]));
        arm_name(o, &a.name, y);
        let _ = write!(
            o,
            r##"<g data-arm="{}"><title>{}: p = {p:.4} (95% CI {lo:.4} to {hi:.4}), {} runs</title><line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{}" stroke-width="3" stroke-linecap="round"/><circle cx="{:.1}" cy="{y:.1}" r="5.5" fill="{}" stroke="#fff" stroke-width="1.5"/><text x="{:.0}" y="{:.1}" class="value">{} <tspan class="ci">[{}, {}]</tspan></text></g>"##,
            esc(&a.name),
            esc(&a.name),
            a.runs,
            xs.at(lo),
            xs.at(hi),
            arm_colour(i),
            xs.at(p),
            arm_colour(i),
            WIDTH - RIGHT + 10.0,
            y + 4.0,
            pct(p),
            pct(lo),
            pct(hi)
        );
    }
    o.push_str("</svg></figure>\n");
}

fn category_chart(o: &mut String, id: &str, arms: &[Arm]) {
    // Labels by their mean frequency over the arms, most frequent first.
    let mut labels: Vec<(String, f64)> = Vec::new();
    for a in arms {
        if let Some(f) = a.outcomes[id]["freq"].as_object() {
            for (l, p) in f {
                match labels.iter_mut().find(|(x, _)| x == l) {
                    Some(e) => e.1 += num(p),
                    None => labels.push((l.clone(), num(p))),
                }
            }
        }
    }
    labels.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let colour =
        |l: &str| PALETTE[(labels.iter().position(|(x, _)| x == l).unwrap_or(0) + LABEL_COLOUR_FROM) % PALETTE.len()];
    let height = 52.0 + ROW * arms.len() as f64 + 24.0;
    open_figure(o, id, "category", "share of runs of each label", WIDTH, height);
    let mut x = LEFT;
    for (l, _) in &labels {
        let _ = write!(
            o,
            r#"<rect x="{x:.0}" y="6" width="11" height="11" fill="{}"/><text x="{:.0}" y="16" class="tick">{}</text>"#,
            colour(l),
            x + 15.0,
            esc(l)
        );
        x += 24.0 + 7.0 * l.chars().count() as f64;
    }
    let xs = Scale::new(0.0, 1.0, LEFT, WIDTH - RIGHT);
    let bottom = height - 24.0;
    x_axis(o, &xs, &chart::ticks(0.0, 1.0, 4), 30.0, bottom, &|t| chart::short(t));
    for (i, a) in arms.iter().enumerate() {
        let y = 52.0 + ROW * i as f64;
        arm_name(o, &a.name, y);
        let _ = write!(o, r#"<g data-arm="{}">"#, esc(&a.name));
        let mut at = 0.0;
        let freq = a.outcomes[id]["freq"].as_object().cloned().unwrap_or_default();
        for (l, _) in &labels {
            let p = freq.get(l).map_or(0.0, num);
            if p <= 0.0 {
                continue;
            }
            let k = (p * a.runs as f64).round() as u64;
            let (lo, hi) = wilson(k, a.runs);
            let _ = write!(
                o,
                r##"<rect data-label="{}" x="{:.1}" y="{:.1}" width="{:.1}" height="16" fill="{}" stroke="#fff"><title>{}: {} = {p:.4} (95% CI {lo:.4} to {hi:.4})</title></rect>"##,
                esc(l),
                xs.at(at),
                y - 8.0,
                (xs.at(at + p) - xs.at(at)).max(0.0),
                colour(l),
                esc(&a.name),
                esc(l)
            );
            if p >= IN_BAR_LABEL {
                let _ = write!(
                    o,
                    r#"<text x="{:.1}" y="{:.1}" class="in-bar" text-anchor="middle">{}</text>"#,
                    xs.at(at + p / 2.0),
                    y + 4.0,
                    pct(p)
                );
            }
            at += p;
        }
        // The arm's own most frequent label.
        let top = labels.iter().map(|(l, _)| (l, freq.get(l).map_or(0.0, num))).fold(
            None,
            |best: Option<(&String, f64)>, x| match best {
                Some(b) if b.1 >= x.1 => Some(b),
                _ => Some(x),
            },
        );
        if let Some((l, p)) = top.filter(|t| t.1 > 0.0) {
            let _ = write!(
                o,
                r#"<text x="{:.0}" y="{:.1}" class="value">{} {}</text>"#,
                WIDTH - RIGHT + 10.0,
                y + 4.0,
                esc(l),
                pct(p)
            );
        }
        o.push_str("</g>");
    }
    o.push_str("</svg></figure>\n");
}

fn number_chart(o: &mut String, id: &str, arms: &[Arm], values: Option<&Vec<Vec<f64>>>) {
    let height = 250.0;
    let (top, bottom) = (14.0, height - 44.0);
    match values {
        Some(values) => {
            open_figure(
                o,
                id,
                "number",
                "distribution over the runs (ECDF: share of runs at or below a value; ▲ mean)",
                WIDTH,
                height,
            );
            let (lo, hi) =
                values.iter().flatten().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
            let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
            let xt = chart::ticks(lo, hi, 5);
            let xs = Scale::new(lo, if hi > lo { hi } else { lo + 1.0 }, 58.0, WIDTH - RIGHT);
            let ys = Scale::new(0.0, 1.0, bottom, top);
            x_axis(o, &xs, &xt, top, bottom, &|t| chart::short(t));
            for t in chart::ticks(0.0, 1.0, 4) {
                let _ = write!(
                    o,
                    r#"<text x="52" y="{:.1}" class="tick" text-anchor="end">{}</text><line x1="58" x2="{:.0}" y1="{:.1}" y2="{:.1}" class="grid"/>"#,
                    ys.at(t) + 4.0,
                    chart::short(t),
                    WIDTH - RIGHT,
                    ys.at(t),
                    ys.at(t)
                );
            }
            for (i, a) in arms.iter().enumerate() {
                let mut v = values[i].clone();
                v.sort_by(f64::total_cmp);
                let n = v.len();
                let s = &a.outcomes[id];
                // A step function through (at most ECDF_POINTS) order statistics: flat up to
                // each value, then up to the share of runs at or below it.
                let mut pts = Vec::new();
                if n > 0 {
                    let k = ECDF_POINTS.min(n);
                    let mut prev = 0.0;
                    pts.push(format!("{:.1},{:.1}", xs.at(v[0]), ys.at(0.0)));
                    for j in 1..=k {
                        let idx = (j * n / k).clamp(1, n) - 1;
                        // The last of a run of ties carries the whole jump.
                        let idx = idx + v[idx..].iter().take_while(|x| **x == v[idx]).count() - 1;
                        let f = (idx + 1) as f64 / n as f64;
                        if f <= prev {
                            continue;
                        }
                        let x = xs.at(v[idx]);
                        pts.push(format!("{x:.1},{:.1} {x:.1},{:.1}", ys.at(prev), ys.at(f)));
                        prev = f;
                    }
                }
                let ly = top + 14.0 + 16.0 * i as f64;
                let _ = write!(
                    o,
                    r#"<g data-arm="{}"><title>{}: mean {} (sd {}), 5% {} · median {} · 95% {}, {} runs</title><polyline points="{}" fill="none" stroke="{}" stroke-width="2"/><line x1="{:.0}" x2="{:.0}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="3"/><text x="{:.0}" y="{:.1}" class="value">{}</text><path d="M{:.1},{:.1} l-5,8 h10 z" fill="{}"><title>{}: mean {}</title></path></g>"#,
                    esc(&a.name),
                    esc(&a.name),
                    chart::short(num(&s["mean"])),
                    chart::short(num(&s["sd"])),
                    chart::short(num(&s["p05"])),
                    chart::short(num(&s["p50"])),
                    chart::short(num(&s["p95"])),
                    n,
                    pts.join(" "),
                    arm_colour(i),
                    WIDTH - RIGHT + 10.0,
                    WIDTH - RIGHT + 24.0,
                    ly - 4.0,
                    ly - 4.0,
                    arm_colour(i),
                    WIDTH - RIGHT + 28.0,
                    ly,
                    esc(&chart::cut(&a.name, ARM_LABEL_CHARS)),
                    xs.at(num(&s["mean"])),
                    bottom + 1.0,
                    arm_colour(i),
                    esc(&a.name),
                    chart::short(num(&s["mean"]))
                );
            }
        }
        None => {
            // No runs.csv: the summary's quantiles, per arm a 5%–95% bar with its median.
            let h = 30.0 + ROW * arms.len() as f64 + 24.0;
            open_figure(o, id, "number", "5% to 95% of the runs, median and mean (runs.csv absent)", WIDTH, h);
            let lo = arms.iter().map(|a| num(&a.outcomes[id]["p05"])).fold(f64::INFINITY, f64::min);
            let hi = arms.iter().map(|a| num(&a.outcomes[id]["p95"])).fold(f64::NEG_INFINITY, f64::max);
            let (lo, hi) = if lo.is_finite() && hi.is_finite() { (lo, hi) } else { (0.0, 1.0) };
            let xs = Scale::new(lo, if hi > lo { hi } else { lo + 1.0 }, LEFT, WIDTH - RIGHT);
            x_axis(o, &xs, &chart::ticks(lo, hi, 4), 10.0, h - 24.0, &|t| chart::short(t));
            for (i, a) in arms.iter().enumerate() {
                let y = 30.0 + ROW * i as f64;
                let s = &a.outcomes[id];
                arm_name(o, &a.name, y);
                let _ = write!(
                    o,
                    r##"<g data-arm="{}"><line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{}" stroke-width="6" stroke-opacity="0.5"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="2"/><circle cx="{:.1}" cy="{y:.1}" r="4" fill="#fff" stroke="{}" stroke-width="2"/><text x="{:.0}" y="{:.1}" class="value">mean {}</text></g>"##,
                    esc(&a.name),
                    xs.at(num(&s["p05"])),
                    xs.at(num(&s["p95"])),
                    arm_colour(i),
                    xs.at(num(&s["p50"])),
                    xs.at(num(&s["p50"])),
                    y - 7.0,
                    y + 7.0,
                    arm_colour(i),
                    xs.at(num(&s["mean"])),
                    arm_colour(i),
                    WIDTH - RIGHT + 10.0,
                    y + 4.0,
                    chart::short(num(&s["mean"]))
                );
            }
        }
    }
    o.push_str("</svg></figure>\n");
}

/// The paired differences of every arm against the first: one panel for the probabilities
/// (bool outcomes and each label of a category), one per number outcome.
fn forest(o: &mut String, arms: &[Arm], outcomes: &[(String, String)]) {
    let _ = write!(
        o,
        r#"<section><h2>Against {}: paired differences (same seeds), mean and 95% interval</h2><div class="grid">"#,
        esc(&arms[0].name)
    );
    // Rows: (what, arm index, diff, lo, hi).
    let mut rows: Vec<(String, usize, f64, f64, f64)> = Vec::new();
    let mut unchanged = Vec::new();
    for (id, kind) in outcomes {
        // (what the row says, the category label or none for a bool)
        let mut keys: Vec<(String, Option<String>)> = Vec::new();
        match kind.as_str() {
            "bool" => keys.push((id.clone(), None)),
            "category" => {
                for a in &arms[1..] {
                    if let Some(f) = a.vs_first[id]["freq_diff"].as_object() {
                        for l in f.keys() {
                            if !keys.iter().any(|(_, x)| x.as_deref() == Some(l.as_str())) {
                                keys.push((format!("{id} = {l}"), Some(l.clone())));
                            }
                        }
                    }
                }
            }
            _ => continue,
        }
        for (what, label) in keys {
            let before = rows.len();
            for (i, a) in arms.iter().enumerate().skip(1) {
                let d = match &label {
                    None => &a.vs_first[id],
                    Some(l) => &a.vs_first[id]["freq_diff"][l],
                };
                if finite(&[&d["diff"], &d["ci95"][0], &d["ci95"][1]]) {
                    rows.push((what.clone(), i, num(&d["diff"]), num(&d["ci95"][0]), num(&d["ci95"][1])));
                }
            }
            if rows[before..].iter().all(|r| r.2 == 0.0 && r.3 == 0.0 && r.4 == 0.0) {
                rows.truncate(before);
                unchanged.push(what);
            }
        }
    }
    let m = rows.iter().map(|r| r.3.abs().max(r.4.abs())).fold(0.05f64, f64::max).min(1.0);
    let m = chart::ticks(0.0, m, 4).iter().copied().find(|t| *t >= m).unwrap_or(m);
    forest_panel(o, "probabilities", "difference in the share of runs", &rows, m, arms, &|x| {
        if x == 0.0 { "0".into() } else { format!("{:+.0}%", x * 100.0) }
    });
    if !unchanged.is_empty() {
        let _ = write!(
            o,
            r#"<p class="note">The same in every pair of runs, not drawn: {}.</p>"#,
            esc(&unchanged.join(", "))
        );
    }
    for (id, kind) in outcomes {
        if kind != "number" {
            continue;
        }
        let rows: Vec<(String, usize, f64, f64, f64)> = arms
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, a)| {
                let d = &a.vs_first[id];
                finite(&[&d["diff"], &d["ci95"][0], &d["ci95"][1]])
            })
            .map(|(i, a)| {
                (
                    id.clone(),
                    i,
                    num(&a.vs_first[id]["diff"]),
                    num(&a.vs_first[id]["ci95"][0]),
                    num(&a.vs_first[id]["ci95"][1]),
                )
            })
            .collect();
        let m = rows.iter().map(|r| r.3.abs().max(r.4.abs())).fold(0.0f64, f64::max);
        let m = if m > 0.0 { chart::ticks(0.0, m, 4).iter().copied().find(|t| *t >= m).unwrap_or(m) } else { 1.0 };
        forest_panel(o, id, &format!("difference in {id}"), &rows, m, arms, &|x| chart::short(x));
    }
    o.push_str("</div></section>\n");
}

#[allow(clippy::type_complexity)]
fn forest_panel(
    o: &mut String,
    id: &str,
    what: &str,
    rows: &[(String, usize, f64, f64, f64)],
    m: f64,
    arms: &[Arm],
    fmt: &dyn Fn(f64) -> String,
) {
    if rows.is_empty() {
        return;
    }
    let row = 17.0;
    let mut groups = 0usize;
    let mut prev = "";
    for r in rows {
        if r.0 != prev {
            groups += 1;
            prev = &r.0;
        }
    }
    let height = 20.0 + row * (rows.len() + groups) as f64 + 30.0;
    let left = 230.0;
    let _ = write!(
        o,
        r#"<figure data-forest="{}"><figcaption><b>{}</b> vs {}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0} {height:.0}" width="{WIDTH:.0}" height="{height:.0}" class="chart">"#,
        esc(id),
        esc(what),
        esc(&arms[0].name)
    );
    let xs = Scale::new(-m, m, left, WIDTH - 90.0);
    let bottom = height - 30.0;
    x_axis(o, &xs, &chart::ticks(-m, m, 4), 10.0, bottom, fmt);
    let _ = write!(o, r#"<line x1="{:.1}" x2="{:.1}" y1="10" y2="{bottom:.1}" class="zero"/>"#, xs.at(0.0), xs.at(0.0));
    let mut y = 20.0;
    let mut prev = "";
    for (what, i, d, lo, hi) in rows {
        if what != prev {
            let _ = write!(o, r#"<text x="8" y="{:.1}" class="group">{}</text>"#, y + 4.0, esc(what));
            y += row;
            prev = what;
        }
        let a = &arms[*i];
        let _ = write!(
            o,
            r##"<g data-vs-arm="{}"><title>{} − {}: {}: {d:+.4} (95% CI {lo:+.4} to {hi:+.4})</title><text x="{:.0}" y="{:.1}" class="arm-name" text-anchor="end">{}</text><line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{}" stroke-width="2.5"/><rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{}"/><text x="{:.0}" y="{:.1}" class="value">{}</text></g>"##,
            esc(&a.name),
            esc(&a.name),
            esc(&arms[0].name),
            esc(what),
            left - 8.0,
            y + 4.0,
            esc(&chart::cut(&a.name, ARM_LABEL_CHARS)),
            xs.at(lo.max(-m)),
            xs.at(hi.min(m)),
            arm_colour(*i),
            xs.at(*d) - 4.0,
            y - 4.0,
            arm_colour(*i),
            WIDTH - 84.0,
            y + 4.0,
            fmt(*d)
        );
        y += row;
    }
    o.push_str("</svg></figure>\n");
}

/// The tornado of total Sobol indices per outcome: one bar per factor (the largest
/// [`TORNADO_FACTORS`]), the first-order index inside it, chance (`seed`) in its own colour.
fn tornado(o: &mut String, v: &Value) -> Result<(), String> {
    let outcomes = v["outcomes"].as_object().ok_or("sensitivity.json: no `outcomes`")?;
    let _ = write!(
        o,
        r#"<section><h2>Which inputs decide: Sobol indices ({} base samples)</h2><p class="note">Bar: total index S<sub>T</sub> with its 95% bootstrap interval; inner bar: first-order S<sub>1</sub>. <span class="swatch" style="background:{CHANCE}"></span> chance is the factor <code>seed</code>: the run's own randomness.</p><div class="grid">"#,
        v["n"]
    );
    for (id, r) in outcomes {
        let st = r["ST"].as_object().ok_or_else(|| format!("sensitivity.json: outcome `{id}` has no ST"))?;
        if !st.values().all(|x| finite(&[&x[0], &x[1], &x[2]])) || !finite(&[&r["variance"]]) {
            // An outcome that never varies has no indices (null in the file).
            let _ = write!(
                o,
                r#"<figure data-tornado="{}"><figcaption><b>{}</b>: no variance over the runs, so no indices</figcaption></figure>"#,
                esc(id),
                esc(id)
            );
            continue;
        }
        let mut factors: Vec<(&String, f64, f64, f64, f64)> =
            st.iter().map(|(f, x)| (f, num(&x[0]), num(&x[1]), num(&x[2]), num(&r["S1"][f][0]))).collect();
        factors.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let rest = factors.len().saturating_sub(TORNADO_FACTORS);
        factors.truncate(TORNADO_FACTORS);
        let row = 20.0;
        let height = 16.0 + row * factors.len() as f64 + 30.0 + if rest > 0 { 16.0 } else { 0.0 };
        let left = 250.0;
        let _ = write!(
            o,
            r#"<figure data-tornado="{}"><figcaption><b>{}</b> <span class="kind">variance {}</span></figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0} {height:.0}" width="{WIDTH:.0}" height="{height:.0}" class="chart">"#,
            esc(id),
            esc(id),
            chart::short(num(&r["variance"]))
        );
        let hi = factors.iter().map(|f| f.3.max(f.1)).fold(0.1f64, f64::max).min(1.5);
        let xt = chart::ticks(0.0, hi, 4);
        let top = xt.last().copied().unwrap_or(1.0).max(hi);
        let xs = Scale::new(0.0, top, left, WIDTH - 60.0);
        let bottom = 16.0 + row * factors.len() as f64;
        x_axis(o, &xs, &xt, 8.0, bottom, &|t| chart::short(t));
        for (k, (f, s, lo, hi, s1)) in factors.iter().enumerate() {
            let y = 16.0 + row * k as f64;
            let chance = f.as_str() == "seed";
            let fill = if chance { CHANCE } else { "#4e79a7" };
            let name = if chance { "chance (seed)".to_string() } else { shorten(f, 40) };
            let _ = write!(
                o,
                r##"<g data-factor="{}"><title>{}: S_T {s:.3} (95% CI {lo:.3} to {hi:.3}), S_1 {s1:.3}</title><text x="{:.0}" y="{:.1}" class="arm-name{}" text-anchor="end">{}</text><rect x="{left}" y="{:.1}" width="{:.1}" height="13" fill="{fill}" fill-opacity="0.45"/><rect x="{left}" y="{:.1}" width="{:.1}" height="7" fill="{fill}"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#333"/><text x="{:.0}" y="{:.1}" class="value">{:.2}</text></g>"##,
                esc(f),
                esc(f),
                left - 8.0,
                y + 10.0,
                if chance { " chance" } else { "" },
                esc(&name),
                y,
                (xs.at(s.max(0.0)) - left).max(0.0),
                y + 3.0,
                (xs.at(s1.max(0.0)) - left).max(0.0),
                xs.at(lo.max(0.0)),
                xs.at(hi.clamp(0.0, top)),
                y + 6.5,
                y + 6.5,
                WIDTH - 54.0,
                y + 10.0,
                s
            );
        }
        if rest > 0 {
            let _ = write!(
                o,
                r#"<text x="{left}" y="{:.1}" class="tick">and {rest} more factors with a smaller total index</text>"#,
                bottom + 34.0
            );
        }
        o.push_str("</svg></figure>\n");
    }
    o.push_str("</div></section>\n");
    Ok(())
}

/// `s` cut to its last `n` characters, with an ellipsis in front if it was longer (a
/// factor's path says most at its end).
fn shorten(s: &str, n: usize) -> String {
    let len = s.chars().count();
    if len <= n { s.to_string() } else { format!("…{}", s.chars().skip(len + 1 - n).collect::<String>()) }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn pct(p: f64) -> String {
    if !p.is_finite() {
        "?".into()
    } else if p > 0.0 && p < 0.01 {
        format!("{:.1}%", p * 100.0)
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

const CSS: &str = r#"
body { margin: 16px auto; max-width: 1360px; color: #222; background: #fff; }
h1 { font-size: 21px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 20px 0 6px; }
.meta, .note { color: #555; font-size: 13px; margin: 2px 0 8px; }
table.arms { border-collapse: collapse; font-size: 13px; } table.arms td, table.arms th { text-align: left; padding: 2px 12px 2px 0; border-bottom: 1px solid #eee; }
.swatch { display: inline-block; width: 11px; height: 11px; vertical-align: -1px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px 24px; }
figure { margin: 0; } figcaption { font-size: 13px; margin: 4px 0 2px; max-width: 660px; } figcaption .kind { color: #888; font-size: 11px; border: 1px solid #ccc; border-radius: 3px; padding: 0 3px; }
svg { display: block; } .chart { font-size: 11px; }
.grid line.grid, line.grid { stroke: #eee; } .zero { stroke: #888; stroke-dasharray: 3 2; }
.tick { fill: #666; font-size: 11px; } .arm-name { fill: #222; font-size: 12px; } .arm-name.chance { font-weight: bold; fill: #b35c00; }
.value { fill: #222; font-size: 12px; } .ci { fill: #777; font-size: 11px; } .in-bar { fill: #fff; font-size: 11px; font-weight: bold; }
.group { fill: #333; font-size: 12px; font-weight: bold; }
[data-arm]:hover, [data-vs-arm]:hover, [data-factor]:hover { opacity: 0.75; }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_and_names_are_short() {
        assert_eq!(pct(0.514), "51%");
        assert_eq!(pct(0.004), "0.4%");
        assert_eq!(shorten("armies.tolui_right_wing.cavalry", 12), "…ing.cavalry");
    }
}
