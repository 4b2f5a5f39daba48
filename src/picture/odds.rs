//! `tianxia report odds`: an odds folder as a page. The estimate of the outcome at every
//! point of the history followed — a bool's p with its 95% Wilson band, one line per label
//! of a category, a number's mean with its 5%–95% band and its median — on a time axis,
//! the history's main events as marks under it, the largest changes between consecutive
//! points named with the events between them, when the history's own result became nearly
//! certain, and that result.
//!
//! Data attributes (DESIGN.md, "Pictures"): the chart `<svg data-odds data-outcome="<id>">`
//! holding one `data-point` per point (`data-turn`, `data-date="YYYY-MM-DD"`, for a bool
//! `data-p`, for a number `data-mean`) and one `data-event` mark per event (`data-date`).

use super::chart::{self, Scale};
use super::svg::{FONT_STACK, LABEL_COLOUR_FROM, PALETTE, esc};
use serde_json::Value;
use std::fmt::Write;
use std::path::Path;
use tianxia_engine::calendar::Date;
use tianxia_montecarlo::stats::{Z95, wilson};

/// Colour of a bool's p and a number's mean, and of their bands.
const ESTIMATE: &str = "#4e79a7";
/// Colour of a number's median.
const MEDIAN: &str = "#33414e";
/// Colour of the history's own value.
const HISTORY: &str = "#222";
/// Width of the chart, in pixels (the page's width).
const WIDTH: f64 = 1340.0;
/// Margin left of the plot (the axis' numbers), in pixels.
const LEFT: f64 = 58.0;
/// Margin right of the plot (the lines' labels), in pixels.
const RIGHT: f64 = 170.0;
/// Margin above the plot (the legend), in pixels.
const TOP: f64 = 40.0;
/// Height of the plot, in pixels.
const PLOT: f64 = 300.0;
/// Space under the plot for the dates, in pixels.
const DATES: f64 = 34.0;
/// Height of one row of event marks, in pixels.
const EVENT_ROW: f64 = 10.0;
/// Most rows of event marks (more events at one place share the last row).
const EVENT_ROWS: usize = 8;
/// Width of an event mark, in pixels (marks closer than this go on the next row).
const EVENT_MARK: f64 = 8.0;
/// Most dates on the time axis.
const DATE_TICKS: usize = 9;
/// Least distance between two lines' labels, in pixels (a line of 11 px text).
const LABEL_GAP: f64 = 13.0;
/// Most characters of a line's label at its end (the whole label is in the legend).
const LABEL_CHARS: usize = 18;
/// About how wide a character of the legend is, in pixels.
const LEGEND_CHAR: f64 = 6.6;
/// Radius of the numbered badge of a largest change, in pixels.
const BADGE: f64 = 8.0;
/// How many of the largest changes between consecutive points are named.
const JUMPS: usize = 3;
/// Least change of a label's share for a jump to name it.
const JUMP_LABEL: f64 = 0.05;
/// Most labels a jump names.
const JUMP_LABELS: usize = 3;
/// A result is nearly certain once at least this share of the forks ends with it.
const NEARLY_CERTAIN: f64 = 0.95;
/// From this size on a number is shown whole, with thousands separators.
const WHOLE_FROM: f64 = 100.0;

/// The kind of the outcome, as odds.json names it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bool,
    Category,
    Number,
}

impl Kind {
    /// The kind as odds.json names it.
    fn name(self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::Category => "category",
            Kind::Number => "number",
        }
    }
}

/// The estimate at one point, over the runs forked there.
enum Estimate {
    /// The share of runs where it holds, with its 95% Wilson interval.
    Bool { p: f64, lo: f64, hi: f64 },
    /// The share of runs of each label, as the file lists them (a label absent is 0).
    Category(Vec<(String, f64)>),
    /// Mean, standard deviation (NaN if not given) and quantiles.
    Number { mean: f64, sd: f64, p05: f64, p50: f64, p95: f64 },
}

/// One moment of the history and the odds from there.
struct Point {
    turn: u64,
    date: String,
    /// The date as a day number.
    day: i64,
    runs: u64,
    est: Estimate,
}

/// One of the main lines of the history's chronicle.
struct Event {
    turn: u64,
    date: String,
    day: i64,
    text: String,
}

/// What odds.json holds.
struct Odds {
    scenario: String,
    seed: u64,
    outcome: String,
    kind: Kind,
    every: u64,
    runs_per_point: u64,
    points: Vec<Point>,
    /// The history's own value (null if it recorded none).
    value: Value,
    turns: u64,
    end_date: String,
    end_day: i64,
    digest: String,
    variants: Vec<String>,
    sets: Vec<String>,
    content_hash: Option<String>,
    engine_version: Option<String>,
    events: Vec<Event>,
}

/// A change between two consecutive points: the later point's index, its size (|Δp|, the
/// total variation of the shares, or |Δmean|) and what changed, for people.
struct Jump {
    at: usize,
    size: f64,
    what: String,
    /// The two points' 95% intervals overlap: the forks' chance may account for it.
    chance: bool,
}

/// Reads `dir/odds.json` and returns the page; an error says what is wrong with the folder.
pub fn report_odds(dir: &Path) -> Result<String, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a folder (give an odds folder: tianxia odds ... --out DIR)", dir.display()));
    }
    let path = dir.join("odds.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "{}: no odds.json in it (write one with tianxia odds SCENARIO --outcome ID --out DIR)",
                dir.display()
            ));
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}:{}:{}: not valid JSON: {e}", path.display(), e.line(), e.column()))?;
    let d = parse(&v).map_err(|m| format!("{}: {m}", path.display()))?;
    Ok(page(&d))
}

/// `v[key]` as a string, or what is wrong with it (`at` names the object it is in).
fn text(v: &Value, at: &str, key: &str) -> Result<String, String> {
    v[key].as_str().map(str::to_string).ok_or_else(|| format!("`{at}{key}` is missing or not a string"))
}

/// `v[key]` as a whole number, or what is wrong with it.
fn whole(v: &Value, at: &str, key: &str) -> Result<u64, String> {
    v[key].as_u64().ok_or_else(|| format!("`{at}{key}` is missing or not a whole number"))
}

/// `v[key]` as a finite number, or what is wrong with it.
fn finite(v: &Value, at: &str, key: &str) -> Result<f64, String> {
    v[key].as_f64().filter(|x| x.is_finite()).ok_or_else(|| format!("`{at}{key}` is missing or not a finite number"))
}

/// `v[key]` as a date and its day number.
fn date(v: &Value, at: &str, key: &str) -> Result<(String, i64), String> {
    let s = v[key].as_str().ok_or_else(|| format!("`{at}{key}` is missing or not a date (YYYY-MM-DD)"))?;
    let d: Date = s.parse().map_err(|e| format!("`{at}{key}`: {e}"))?;
    Ok((d.to_string(), d.to_days()))
}

/// `v[key]` as a list of strings (none if absent).
fn strings(v: &Value, key: &str) -> Result<Vec<String>, String> {
    match &v[key] {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string).ok_or_else(|| format!("`{key}` holds something not a string")))
            .collect(),
        _ => Err(format!("`{key}` is not a list of strings")),
    }
}

/// Reads odds.json's object; an error names the field (the caller names the file).
fn parse(v: &Value) -> Result<Odds, String> {
    if !v.is_object() {
        return Err("not an odds result (no JSON object)".into());
    }
    let kind = match v["kind"].as_str() {
        Some("bool") => Kind::Bool,
        Some("category") => Kind::Category,
        Some("number") => Kind::Number,
        _ => return Err("`kind` is missing or not bool, category or number".into()),
    };
    let list = v["points"].as_array().ok_or("`points` is missing or not a list")?;
    if list.is_empty() {
        return Err("no points (`points` is empty)".into());
    }
    let mut points: Vec<Point> = Vec::with_capacity(list.len());
    for (i, p) in list.iter().enumerate() {
        let at = format!("points[{i}].");
        let (date, day) = date(p, &at, "date")?;
        let est = match kind {
            Kind::Bool => {
                let ci = &p["ci95"];
                let lo = ci[0].as_f64().filter(|x| x.is_finite());
                let hi = ci[1].as_f64().filter(|x| x.is_finite());
                let (Some(lo), Some(hi)) = (lo, hi) else {
                    return Err(format!("`{at}ci95` is missing or not two finite numbers"));
                };
                Estimate::Bool { p: finite(p, &at, "p")?, lo, hi }
            }
            Kind::Category => {
                let f = p["freq"].as_object().ok_or_else(|| format!("`{at}freq` is missing or not an object"))?;
                let shares = f
                    .iter()
                    .map(|(l, x)| {
                        x.as_f64()
                            .filter(|x| x.is_finite())
                            .map(|x| (l.clone(), x))
                            .ok_or_else(|| format!("`{at}freq` of `{l}` is not a finite number"))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Estimate::Category(shares)
            }
            Kind::Number => Estimate::Number {
                mean: finite(p, &at, "mean")?,
                sd: p["sd"].as_f64().unwrap_or(f64::NAN),
                p05: finite(p, &at, "p05")?,
                p50: finite(p, &at, "p50")?,
                p95: finite(p, &at, "p95")?,
            },
        };
        let point = Point { turn: whole(p, &at, "turn")?, date, day, runs: whole(p, &at, "runs")?, est };
        if let Some(prev) = points.last()
            && (point.turn <= prev.turn || point.day < prev.day)
        {
            return Err(format!(
                "`points[{i}]` (turn {}, {}) does not come after turn {} ({}): points go in order",
                point.turn, point.date, prev.turn, prev.date
            ));
        }
        points.push(point);
    }
    let h = &v["history"];
    if !h.is_object() {
        return Err("`history` is missing or not an object".into());
    }
    let value = h["value"].clone();
    let fits = match kind {
        Kind::Bool => value.is_boolean(),
        Kind::Category => value.is_string(),
        Kind::Number => value.as_f64().is_some_and(f64::is_finite),
    };
    if !fits && !value.is_null() {
        return Err(format!("`history.value` is not a {} value (nor null)", kind.name()));
    }
    let (end_date, end_day) = date(h, "history.", "end_date")?;
    let list =
        v["events"].as_array().ok_or("`events` is missing or not a list (the folder of tianxia odds --out has it)")?;
    let events = list
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let at = format!("events[{i}].");
            let (date, day) = date(e, &at, "date")?;
            let t = text(e, &at, "text")?;
            // The chronicle's line may begin with its date.
            let t = t.strip_prefix(date.as_str()).map_or(t.as_str(), str::trim_start).to_string();
            Ok(Event { turn: whole(e, &at, "turn")?, date, day, text: t })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let optional = |key: &str| v[key].as_str().map(str::to_string);
    Ok(Odds {
        scenario: text(v, "", "scenario")?,
        seed: whole(v, "", "seed")?,
        outcome: text(v, "", "outcome")?,
        kind,
        every: whole(v, "", "every")?,
        runs_per_point: whole(v, "", "runs_per_point")?,
        points,
        value,
        turns: whole(h, "history.", "turns")?,
        end_date,
        end_day,
        digest: text(h, "history.", "digest")?,
        variants: strings(v, "variants")?,
        sets: strings(v, "sets")?,
        content_hash: optional("content_hash"),
        engine_version: optional("engine_version"),
        events,
    })
}

/// The share of `label` in a category estimate (0 if absent or not a category).
fn share(est: &Estimate, label: &str) -> f64 {
    match est {
        Estimate::Category(f) => f.iter().find(|(l, _)| l == label).map_or(0.0, |(_, x)| *x),
        _ => 0.0,
    }
}

/// The labels of a category outcome over all points, by their total share, most first.
fn labels(d: &Odds) -> Vec<String> {
    let mut total: Vec<(String, f64)> = Vec::new();
    for p in &d.points {
        if let Estimate::Category(f) = &p.est {
            for (l, x) in f {
                match total.iter_mut().find(|(t, _)| t == l) {
                    Some(e) => e.1 += x,
                    None => total.push((l.clone(), *x)),
                }
            }
        }
    }
    total.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    total.into_iter().map(|(l, _)| l).collect()
}

/// The colour of a category label (its place among `labels`).
fn label_colour(labels: &[String], label: &str) -> &'static str {
    let k = labels.iter().position(|l| l == label).unwrap_or(labels.len());
    PALETTE[(k + LABEL_COLOUR_FROM) % PALETTE.len()]
}

/// A share as a percentage, with a decimal near 0 and near 1.
fn pct(p: f64) -> String {
    if !p.is_finite() {
        "?".into()
    } else if (p > 0.0 && p < 0.01) || (p > 0.99 && p < 1.0) {
        format!("{:.1}%", p * 100.0)
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

/// A number for people: whole with thousands separators from [`WHOLE_FROM`] up, else to
/// three decimals.
fn number(x: f64) -> String {
    if x.abs() >= WHOLE_FROM {
        chart::men(x)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The history's own value, for people.
fn history_value(d: &Odds) -> String {
    match &d.value {
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), number),
        _ => "not recorded".into(),
    }
}

/// A point's estimate, for people (without its date).
fn estimate_text(p: &Point) -> String {
    match &p.est {
        Estimate::Bool { p, lo, hi } => format!("p = {} (95% interval {} to {})", pct(*p), pct(*lo), pct(*hi)),
        Estimate::Category(f) => {
            let mut f: Vec<&(String, f64)> = f.iter().filter(|(_, x)| *x > 0.0).collect();
            f.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let parts: Vec<String> =
                f.iter().map(|(l, x)| format!("{} {}", if l.is_empty() { "(empty)" } else { l }, pct(*x))).collect();
            if parts.is_empty() { "no label".into() } else { parts.join(", ") }
        }
        Estimate::Number { mean, sd, p05, p50, p95 } => {
            let sd = if sd.is_finite() { format!(" (sd {})", number(*sd)) } else { String::new() };
            format!(
                "mean {}{sd}, median {}, 5% to 95% {} to {}",
                number(*mean),
                number(*p50),
                number(*p05),
                number(*p95)
            )
        }
    }
}

/// A point as its tooltip and the readout say it.
fn point_text(p: &Point) -> String {
    format!("{} (turn {}): {} — {} runs", p.date, p.turn, estimate_text(p), p.runs)
}

/// The value the history ended with as the share of the forks at each point that end so
/// (for a bool or a category; if the history recorded none, the last point's leader).
fn end_shares(d: &Odds, labels: &[String]) -> Option<(String, Vec<f64>)> {
    match d.kind {
        Kind::Bool => {
            let holds = match &d.value {
                Value::Bool(b) => *b,
                _ => matches!(d.points.last().map(|p| &p.est), Some(Estimate::Bool { p, .. }) if *p >= 0.5),
            };
            let shares = d
                .points
                .iter()
                .map(|p| if let Estimate::Bool { p, .. } = p.est { if holds { p } else { 1.0 - p } } else { 0.0 });
            Some((holds.to_string(), shares.collect()))
        }
        Kind::Category => {
            let last = d.points.last().map(|p| &p.est);
            let label = match &d.value {
                Value::String(s) => s.clone(),
                _ => labels
                    .iter()
                    .max_by(|a, b| last.map_or(0.0, |e| share(e, a)).total_cmp(&last.map_or(0.0, |e| share(e, b))))
                    .cloned()?,
            };
            let shares = d.points.iter().map(|p| share(&p.est, &label)).collect();
            Some((label, shares))
        }
        Kind::Number => None,
    }
}

/// The first point from which on at least [`NEARLY_CERTAIN`] of the forks end as `shares` say.
fn certain_from(shares: &[f64]) -> Option<usize> {
    let tail = shares.iter().rev().take_while(|x| **x >= NEARLY_CERTAIN).count();
    (tail > 0).then(|| shares.len() - tail)
}

/// The [`JUMPS`] largest changes between consecutive points, largest first.
fn jumps(d: &Odds, labels: &[String]) -> Vec<Jump> {
    let overlap = |a: (f64, f64), b: (f64, f64)| a.0 <= b.1 && b.0 <= a.1;
    let mut out: Vec<Jump> = d
        .points
        .windows(2)
        .enumerate()
        .filter_map(|(i, w)| {
            let (a, b) = (&w[0], &w[1]);
            let (size, what, chance) = match (&a.est, &b.est) {
                (Estimate::Bool { p: x, lo: xl, hi: xh }, Estimate::Bool { p: y, lo: yl, hi: yh }) => (
                    (y - x).abs(),
                    format!("p {} → {} ({:+.0} points)", pct(*x), pct(*y), (y - x) * 100.0),
                    overlap((*xl, *xh), (*yl, *yh)),
                ),
                (Estimate::Number { mean: x, sd: xs, .. }, Estimate::Number { mean: y, sd: ys, .. }) => {
                    let sign = if y >= x { "+" } else { "−" };
                    // The 95% intervals of the two means (none without a standard deviation).
                    let ci = |m: f64, sd: f64, n: u64| {
                        let h = Z95 * sd / (n.max(1) as f64).sqrt();
                        (m - h, m + h)
                    };
                    (
                        (y - x).abs(),
                        format!("mean {} → {} ({sign}{})", number(*x), number(*y), number((y - x).abs())),
                        xs.is_finite() && ys.is_finite() && overlap(ci(*x, *xs, a.runs), ci(*y, *ys, b.runs)),
                    )
                }
                (ea, eb) => {
                    let mut moved: Vec<(&String, f64, f64)> =
                        labels.iter().map(|l| (l, share(ea, l), share(eb, l))).collect();
                    let size = moved.iter().map(|(_, x, y)| (y - x).abs()).sum::<f64>() / 2.0;
                    moved.sort_by(|p, q| (q.2 - q.1).abs().total_cmp(&(p.2 - p.1).abs()).then(p.0.cmp(q.0)));
                    let named: Vec<String> = moved
                        .iter()
                        .enumerate()
                        .filter(|(k, (_, x, y))| *k == 0 || (y - x).abs() >= JUMP_LABEL)
                        .take(JUMP_LABELS)
                        .map(|(_, (l, x, y))| format!("{l} {} → {}", pct(*x), pct(*y)))
                        .collect();
                    // The Wilson intervals of the label that moved most, at both points.
                    let ci = |x: f64, n: u64| wilson((x * n as f64).round() as u64, n);
                    let chance = moved.first().is_some_and(|(_, x, y)| overlap(ci(*x, a.runs), ci(*y, b.runs)));
                    (size, named.join(", "), chance)
                }
            };
            (size > 0.0 && size.is_finite()).then_some(Jump { at: i + 1, size, what, chance })
        })
        .collect();
    out.sort_by(|a, b| b.size.total_cmp(&a.size).then(a.at.cmp(&b.at)));
    out.truncate(JUMPS);
    out
}

/// The events between point `i` and the next (from its turn up to, not including, the
/// next point's turn; the first point also takes any event before it, the last all after).
fn events_after(d: &Odds, i: usize) -> impl Iterator<Item = (usize, &Event)> {
    let from = if i == 0 { 0 } else { d.points[i].turn };
    let until = d.points.get(i + 1).map_or(u64::MAX, |p| p.turn);
    d.events.iter().enumerate().filter(move |(_, e)| e.turn >= from && e.turn < until)
}

/// The rank (1 = largest) of the jump that ends at point `i`, if any.
fn jump_rank(jumps: &[Jump], i: usize) -> Option<usize> {
    jumps.iter().position(|j| j.at == i).map(|k| k + 1)
}

/// The page of a read odds.json.
fn page(d: &Odds) -> String {
    let labels = labels(d);
    let jumps = jumps(d, &labels);
    let shares = end_shares(d, &labels);
    let certain = shares.as_ref().and_then(|(_, s)| certain_from(s));
    let mut o = String::with_capacity(1 << 16);
    let title = format!("{} — the odds of {}, seed {}", d.scenario, d.outcome, d.seed);
    let _ = write!(
        o,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title><style>body {{ font-family: {FONT_STACK}; }}{CSS}</style></head><body>
<header><h1>{} <span class="sub">— the odds of <code>{}</code> along the history of seed {}</span></h1>"#,
        esc(&title),
        esc(&d.scenario),
        esc(&d.outcome),
        d.seed
    );
    let mut meta = vec![
        format!("{} outcome", d.kind.name()),
        format!("a point every {} turns, {} runs forked from each", d.every, d.runs_per_point),
    ];
    if !d.variants.is_empty() {
        meta.push(format!("variants: {}", d.variants.join(", ")));
    }
    meta.extend(d.sets.iter().map(|s| format!("set {s}")));
    if let Some(v) = &d.engine_version {
        meta.push(format!("engine {v}"));
    }
    if let Some(h) = &d.content_hash {
        meta.push(format!("scenario content {h}"));
    }
    meta.push(format!("digest {}", d.digest));
    let _ = write!(
        o,
        r#"<p class="meta">{}</p><p class="summary" data-history-value="{}">"#,
        esc(&meta.join(" · ")),
        esc(&history_value(d))
    );
    let _ = write!(
        o,
        "The history itself ended on {} after {} turns with <b>{}</b> = <b>{}</b>.",
        esc(&d.end_date),
        d.turns,
        esc(&d.outcome),
        esc(&history_value(d))
    );
    if let Some((value, s)) = &shares {
        let what = if d.value.is_null() {
            format!("{} = {value} (the most likely at the last point)", d.outcome)
        } else {
            "That result".to_string()
        };
        let what = &what;
        let last = d.points.len() - 1;
        let sentence = match certain {
            Some(0) => format!(
                " {} was nearly certain (at least {} of the forks) from the first point on.",
                esc(what),
                pct(NEARLY_CERTAIN)
            ),
            Some(k) => format!(
                " {} became nearly certain (at least {} of the forks, and so to the end) on <b>{}</b> (turn {}); at the point before it stood at {}.",
                esc(what),
                pct(NEARLY_CERTAIN),
                esc(&d.points[k].date),
                d.points[k].turn,
                pct(s[k - 1])
            ),
            None => format!(
                " {} was not nearly certain (at least {} of the forks) at the last point ({}, turn {}): {}.",
                esc(what),
                pct(NEARLY_CERTAIN),
                esc(&d.points[last].date),
                d.points[last].turn,
                pct(s[last])
            ),
        };
        o.push_str(&sentence);
    }
    if let Some(j) = jumps.first() {
        let (a, b) = (&d.points[j.at - 1], &d.points[j.at]);
        let _ = write!(o, " The largest change came between {} and {}: {}.", esc(&a.date), esc(&b.date), esc(&j.what));
    }
    o.push_str("</p></header>\n");

    let last = d.points.len() - 1;
    let _ = write!(
        o,
        r#"<section class="odds"><p class="readout"><output id="readout">{}</output> <span class="hint">hover or click a point (← → step when the chart has focus); open the page at #YYYY-MM-DD or #turn=N</span></p>"#,
        esc(&point_text(&d.points[last]))
    );
    draw(&mut o, d, &labels, &jumps, certain);
    o.push_str("</section>\n");

    // The largest changes, with the events between their points.
    o.push_str(r#"<section><h2>Where the odds moved most</h2>"#);
    if jumps.is_empty() {
        o.push_str(r#"<p class="note">The estimate is the same at every point.</p>"#);
    } else {
        o.push_str(r#"<ol class="jumps">"#);
        for (k, j) in jumps.iter().enumerate() {
            let (a, b) = (&d.points[j.at - 1], &d.points[j.at]);
            let _ = write!(
                o,
                r#"<li data-rank="{}" data-at="{}"><b>{} → {}</b> (turns {} → {}): {}"#,
                k + 1,
                j.at,
                esc(&a.date),
                esc(&b.date),
                a.turn,
                b.turn,
                esc(&j.what)
            );
            if j.chance {
                o.push_str(r#" <span class="chance">(the two points' 95% intervals overlap: chance may account for it)</span>"#);
            }
            let between: Vec<&Event> = events_after(d, j.at - 1).map(|(_, e)| e).collect();
            if between.is_empty() {
                o.push_str(r#"<p class="note">No main line of the chronicle between these points: marches, supply and the weather moved the odds.</p>"#);
            } else {
                o.push_str("<ul>");
                for e in between {
                    let _ = write!(o, "<li><time>{}</time> {}</li>", esc(&e.date), esc(&e.text));
                }
                o.push_str("</ul>");
            }
            o.push_str("</li>");
        }
        o.push_str("</ol>");
    }
    o.push_str("</section>\n");

    // The chronicle's main lines, each point's estimate between them.
    let _ = write!(
        o,
        r#"<section><h2>The history, point by point</h2><p class="note">{} main lines of the chronicle; bold: the odds at each point, given everything before it.</p><ol id="events">"#,
        d.events.len()
    );
    for (i, p) in d.points.iter().enumerate() {
        if i == 0 {
            for (k, e) in d.events.iter().enumerate().filter(|(_, e)| e.turn < p.turn) {
                event_item(&mut o, k, e, None);
            }
        }
        let _ = write!(
            o,
            r#"<li class="at" data-at="{i}" data-turn="{}"><time>{}</time> turn {}: {}</li>"#,
            p.turn,
            esc(&p.date),
            p.turn,
            esc(&estimate_text(p))
        );
        let rank = jump_rank(&jumps, i + 1);
        for (k, e) in events_after(d, i).filter(|(_, e)| e.turn >= p.turn) {
            event_item(&mut o, k, e, rank);
        }
    }
    let _ = write!(
        o,
        r#"<li class="at end"><time>{}</time> the end, turn {}: {} = {}</li></ol></section>"#,
        esc(&d.end_date),
        d.turns,
        esc(&d.outcome),
        esc(&history_value(d))
    );
    o.push('\n');
    table(&mut o, d, &labels);
    let _ = write!(o, "<script>{JS}</script>\n</body></html>\n");
    o
}

/// One event of the list; `rank` is that of the largest change it falls in, if any.
fn event_item(o: &mut String, k: usize, e: &Event, rank: Option<usize>) {
    let jump = rank.map_or_else(String::new, |r| format!(r#" in-jump" data-rank="{r}"#));
    let _ = write!(
        o,
        r#"<li class="ev{jump}" data-entry="{k}" data-turn="{}"><time>{}</time> {}</li>"#,
        e.turn,
        esc(&e.date),
        esc(&e.text)
    );
}

/// A line of the chart: its label, colour, one value per point, and whether it is dashed.
struct Series {
    label: String,
    colour: &'static str,
    values: Vec<f64>,
    dashed: bool,
}

/// The chart: the estimate at each point over time, the history's value at its end, the
/// largest changes shaded, and the events as marks under the time axis.
fn draw(o: &mut String, d: &Odds, labels: &[String], jumps: &[Jump], certain: Option<usize>) {
    let pts = &d.points;
    // Lines, the band (lower and upper bound per point), and the legend's entries.
    let mut lines: Vec<Series> = Vec::new();
    let mut band: Option<(Vec<f64>, Vec<f64>, &str)> = None;
    match d.kind {
        Kind::Bool => {
            let get = |f: fn(&Estimate) -> f64| pts.iter().map(|p| f(&p.est)).collect::<Vec<f64>>();
            let p = get(|e| if let Estimate::Bool { p, .. } = e { *p } else { f64::NAN });
            let lo = get(|e| if let Estimate::Bool { lo, .. } = e { *lo } else { f64::NAN });
            let hi = get(|e| if let Estimate::Bool { hi, .. } = e { *hi } else { f64::NAN });
            lines.push(Series { label: "p".into(), colour: ESTIMATE, values: p, dashed: false });
            band = Some((lo, hi, "95% interval (Wilson)"));
        }
        Kind::Category => {
            for l in labels {
                lines.push(Series {
                    label: if l.is_empty() { "(empty)".into() } else { l.clone() },
                    colour: label_colour(labels, l),
                    values: pts.iter().map(|p| share(&p.est, l)).collect(),
                    dashed: false,
                });
            }
        }
        Kind::Number => {
            let get = |f: fn(&Estimate) -> f64| pts.iter().map(|p| f(&p.est)).collect::<Vec<f64>>();
            let mean = get(|e| if let Estimate::Number { mean, .. } = e { *mean } else { f64::NAN });
            let p50 = get(|e| if let Estimate::Number { p50, .. } = e { *p50 } else { f64::NAN });
            let p05 = get(|e| if let Estimate::Number { p05, .. } = e { *p05 } else { f64::NAN });
            let p95 = get(|e| if let Estimate::Number { p95, .. } = e { *p95 } else { f64::NAN });
            lines.push(Series { label: "mean".into(), colour: ESTIMATE, values: mean, dashed: false });
            lines.push(Series { label: "median".into(), colour: MEDIAN, values: p50, dashed: true });
            band = Some((p05, p95, "5% to 95% of the runs"));
        }
    }
    // The history's value at its end, on the y axis.
    let end_y = match (&d.value, d.kind) {
        (Value::Bool(b), _) => Some(if *b { 1.0 } else { 0.0 }),
        (Value::String(_), _) => Some(1.0),
        (Value::Number(n), Kind::Number) => n.as_f64(),
        _ => None,
    };
    let end_colour = match &d.value {
        Value::String(s) => label_colour(labels, s),
        _ => HISTORY,
    };

    // Scales: time by day; shares 0 to 1, a number from 0 (or its least value) to a round top.
    let first_day = pts.iter().map(|p| p.day).chain(d.events.iter().map(|e| e.day)).min().unwrap_or(0);
    let last_day =
        pts.iter().map(|p| p.day).chain(d.events.iter().map(|e| e.day)).chain([d.end_day]).max().unwrap_or(0);
    let xs = Scale::new(first_day as f64, last_day as f64, LEFT, WIDTH - RIGHT);
    let bottom = TOP + PLOT;
    let (ys, yt, fmt): (Scale, Vec<f64>, fn(f64) -> String) = if d.kind == Kind::Number {
        let all = lines
            .iter()
            .flat_map(|l| l.values.iter())
            .chain(band.iter().flat_map(|b| b.0.iter().chain(b.1.iter())))
            .chain(end_y.iter())
            .copied()
            .filter(|x| x.is_finite());
        let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
        let (lo, hi) = if lo.is_finite() { (if lo >= 0.0 { 0.0 } else { lo }, hi) } else { (0.0, 1.0) };
        let mut yt = chart::ticks(lo, hi, 5);
        // Up to the first tick at or above the largest value.
        if let [.., a, b] = yt[..]
            && b < hi
        {
            yt.push(b + (b - a));
        }
        let top = yt.last().copied().unwrap_or(hi).max(hi);
        (Scale::new(lo.min(yt.first().copied().unwrap_or(lo)), top, bottom, TOP), yt, chart::short)
    } else {
        (Scale::new(0.0, 1.0, bottom, TOP), chart::ticks(0.0, 1.0, 4), pct)
    };
    let x_of = |p: &Point| xs.at(p.day as f64);

    // Event marks: rows packed so that no two marks on a row are closer than a mark.
    let mut row_end: Vec<f64> = Vec::new();
    let rows: Vec<usize> = d
        .events
        .iter()
        .map(|e| {
            let x = xs.at(e.day as f64);
            let r = row_end.iter().position(|end| x - end >= EVENT_MARK).unwrap_or(row_end.len()).min(EVENT_ROWS - 1);
            if r == row_end.len() {
                row_end.push(x);
            } else {
                row_end[r] = x;
            }
            r
        })
        .collect();
    let strip = bottom + DATES;
    let height = strip + EVENT_ROW * row_end.len().max(1) as f64 + EVENT_ROW;

    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" data-odds="" data-outcome="{}" data-kind="{}" viewBox="0 0 {WIDTH:.0} {height:.0}" width="{WIDTH:.0}" height="{height:.0}" class="chart" tabindex="0"><title>{}</title>"#,
        esc(&d.outcome),
        d.kind.name(),
        esc(&format!("The odds of {} at each point of the history of seed {}", d.outcome, d.seed))
    );
    o.push('\n');

    // The legend.
    let mut entries: Vec<(Swatch, String)> =
        lines.iter().map(|l| (Swatch::Line(l.colour, l.dashed), l.label.clone())).collect();
    if let Some((_, _, what)) = &band {
        entries.push((Swatch::Band, what.to_string()));
    }
    if end_y.is_some() {
        entries.push((Swatch::History(end_colour), format!("the history: {}", history_value(d))));
    }
    if !jumps.is_empty() {
        entries.push((Swatch::Jump, "the largest changes (numbered)".into()));
    }
    legend(o, &entries);

    // Grid and axes.
    for t in &yt {
        let y = ys.at(*t);
        let _ = write!(
            o,
            r#"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            esc(&fmt(*t))
        );
    }
    for i in chart::date_ticks(pts.len(), DATE_TICKS) {
        let x = x_of(&pts[i]);
        let _ = write!(
            o,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{bottom:.1}" y2="{:.1}" class="axis"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            bottom + 4.0,
            bottom + 17.0,
            esc(&pts[i].date)
        );
    }
    let _ =
        writeln!(o, r#"<line x1="{LEFT}" x2="{:.1}" y1="{bottom:.1}" y2="{bottom:.1}" class="axis"/>"#, WIDTH - RIGHT);

    // The largest changes: the span between their two points, shaded and numbered.
    let mut badges: Vec<f64> = Vec::new();
    for (k, j) in jumps.iter().enumerate() {
        let (a, b) = (&pts[j.at - 1], &pts[j.at]);
        let (x0, x1) = (x_of(a), x_of(b));
        let cx = (x0 + x1) / 2.0;
        // A badge that would touch an earlier one goes under it.
        let cy = TOP + BADGE + 2.0 * BADGE * badges.iter().filter(|x| (*x - cx).abs() < 2.0 * BADGE).count() as f64;
        badges.push(cx);
        let _ = writeln!(
            o,
            r#"<g data-jump="{}" data-from="{}" data-to="{}" class="jump"><title>{} → {}: {}</title><rect x="{x0:.1}" y="{TOP}" width="{:.1}" height="{PLOT}"/><circle cx="{cx:.1}" cy="{cy:.1}" r="{BADGE}"/><text x="{cx:.1}" y="{:.1}" class="badge" text-anchor="middle">{}</text></g>"#,
            k + 1,
            esc(&a.date),
            esc(&b.date),
            esc(&a.date),
            esc(&b.date),
            esc(&j.what),
            (x1 - x0).max(1.0),
            cy + 4.0,
            k + 1
        );
    }

    // The band, then the lines.
    let path = |vals: &[f64]| -> Vec<String> {
        pts.iter()
            .zip(vals)
            .filter(|(_, v)| v.is_finite())
            .map(|(p, v)| format!("{:.1},{:.1}", x_of(p), ys.at(*v)))
            .collect()
    };
    if let Some((lo, hi, what)) = &band {
        let mut ring = path(hi);
        ring.extend(path(lo).into_iter().rev());
        let _ = writeln!(
            o,
            r#"<polygon data-band="" points="{}" fill="{ESTIMATE}" fill-opacity="0.2" stroke="none"><title>{}</title></polygon>"#,
            ring.join(" "),
            esc(what)
        );
    }
    for l in &lines {
        let dash = if l.dashed { r#" stroke-dasharray="5 3""# } else { "" };
        let _ = writeln!(
            o,
            r#"<polyline data-line="{}" points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
            esc(&l.label),
            path(&l.values).join(" "),
            l.colour
        );
    }

    // Nearly certain from here on.
    if let Some(k) = certain.filter(|k| *k > 0) {
        let x = x_of(&pts[k]);
        let _ = writeln!(
            o,
            r#"<g data-certain="" data-date="{}"><line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{bottom:.1}" class="certain"/><text x="{x:.1}" y="{:.1}" class="certain-label" text-anchor="end">nearly certain ({} or more) from here →</text></g>"#,
            esc(&pts[k].date),
            TOP - 12.0,
            TOP - 4.0,
            pct(NEARLY_CERTAIN)
        );
    }

    // The history's value at its end, and each line's label right of the plot.
    let end_x = xs.at(d.end_day as f64);
    if let Some(v) = end_y {
        let _ = writeln!(
            o,
            r#"<g data-history=""><title>{}</title><line x1="{:.1}" x2="{end_x:.1}" y1="{:.1}" y2="{:.1}" stroke="{HISTORY}" stroke-dasharray="2 2"/><path d="{}" fill="{end_colour}" stroke="{HISTORY}" stroke-width="1.2"/></g>"#,
            esc(&format!("The history, at its end on {}: {} = {}", d.end_date, d.outcome, history_value(d))),
            x_of(&pts[pts.len() - 1]),
            ys.at(v),
            ys.at(v),
            diamond(end_x, ys.at(v), 6.5)
        );
    }
    let label_x = x_of(&pts[pts.len() - 1]).max(end_x) + 12.0;
    let ends: Vec<f64> = lines.iter().map(|l| l.values.last().copied().unwrap_or(0.0)).collect();
    let label_ys = chart::spread(&ends.iter().map(|v| ys.at(*v) + 4.0).collect::<Vec<_>>(), LABEL_GAP, TOP, bottom);
    for ((l, v), ly) in lines.iter().zip(&ends).zip(label_ys) {
        let value = if d.kind == Kind::Number { number(*v) } else { pct(*v) };
        let _ = write!(
            o,
            r#"<text x="{label_x:.1}" y="{ly:.1}" class="line-label" fill="{}"><title>{}</title>{} {}</text>"#,
            l.colour,
            esc(&l.label),
            esc(&chart::cut(&l.label, LABEL_CHARS)),
            esc(&value)
        );
    }
    o.push('\n');

    // The points: a column each (hover or click it), a dot per line.
    for (i, p) in pts.iter().enumerate() {
        let x = x_of(p);
        let left = if i == 0 { LEFT.min(x) } else { (x_of(&pts[i - 1]) + x) / 2.0 };
        let right = pts.get(i + 1).map_or((WIDTH - RIGHT).max(x), |n| (x + x_of(n)) / 2.0);
        let extra = match &p.est {
            Estimate::Bool { p, .. } => format!(r#" data-p="{p}""#),
            Estimate::Number { mean, .. } => format!(r#" data-mean="{mean}""#),
            Estimate::Category(_) => String::new(),
        };
        let _ = write!(
            o,
            r#"<g data-point="" data-turn="{}" data-date="{}"{extra} data-x="{x:.1}"><title>{}</title><rect class="hit" x="{left:.1}" y="{TOP}" width="{:.1}" height="{PLOT}"/>"#,
            p.turn,
            esc(&p.date),
            esc(&point_text(p)),
            (right - left).max(1.0)
        );
        for l in &lines {
            if let Some(v) = l.values.get(i).filter(|v| v.is_finite()) {
                let _ = write!(
                    o,
                    r##"<circle cx="{x:.1}" cy="{:.1}" r="3" fill="{}" stroke="#fff"/>"##,
                    ys.at(*v),
                    l.colour
                );
            }
        }
        o.push_str("</g>\n");
    }

    // The events under the time axis.
    let _ = write!(
        o,
        r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">events</text>"#,
        LEFT - 6.0,
        strip + EVENT_ROW / 2.0 + 3.0
    );
    for (k, (e, r)) in d.events.iter().zip(&rows).enumerate() {
        let x = xs.at(e.day as f64);
        let y = strip + EVENT_ROW * (*r as f64) + EVENT_ROW / 2.0;
        let after = pts.iter().rposition(|p| p.turn <= e.turn);
        let class = if after.and_then(|i| jump_rank(jumps, i + 1)).is_some() { "ev in-jump" } else { "ev" };
        let _ = writeln!(
            o,
            r#"<path data-event="" data-date="{}" data-turn="{}" data-entry="{k}" class="{class}" d="{}"><title>{} {}</title></path>"#,
            esc(&e.date),
            e.turn,
            diamond(x, y, EVENT_MARK / 2.0),
            esc(&e.date),
            esc(&e.text)
        );
    }
    let x = x_of(&pts[pts.len() - 1]);
    let _ = writeln!(
        o,
        r#"<line data-cursor="" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{bottom:.1}" class="cursor"/></svg>"#
    );
}

/// The path of a diamond of half-width `r` centred at (`x`, `y`).
fn diamond(x: f64, y: f64, r: f64) -> String {
    format!("M{:.1},{:.1} l{r:.1},{r:.1} l-{r:.1},{r:.1} l-{r:.1},-{r:.1} z", x, y - r)
}

/// What a legend entry shows before its text.
enum Swatch {
    /// A line in this colour, dashed or not.
    Line(&'static str, bool),
    /// The shaded band.
    Band,
    /// The history's value, a diamond in this colour.
    History(&'static str),
    /// The shading of the largest changes.
    Jump,
}

/// The legend above the plot, its entries in a row.
fn legend(o: &mut String, entries: &[(Swatch, String)]) {
    let y = TOP / 2.0;
    let mut x = LEFT;
    for (swatch, text) in entries {
        let _ = match swatch {
            Swatch::Line(c, dashed) => write!(
                o,
                r#"<line x1="{x:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{c}" stroke-width="2.5"{}/>"#,
                x + 14.0,
                y - 4.0,
                y - 4.0,
                if *dashed { r#" stroke-dasharray="5 3""# } else { "" }
            ),
            Swatch::Band => write!(
                o,
                r#"<rect x="{x:.1}" y="{:.1}" width="14" height="10" fill="{ESTIMATE}" fill-opacity="0.2"/>"#,
                y - 9.0
            ),
            Swatch::History(c) => write!(
                o,
                r#"<path d="{}" fill="{c}" stroke="{HISTORY}" stroke-width="1.2"/>"#,
                diamond(x + 7.0, y - 4.0, 5.5)
            ),
            Swatch::Jump => {
                write!(o, r#"<rect x="{x:.1}" y="{:.1}" width="14" height="10" class="jump-swatch"/>"#, y - 9.0)
            }
        };
        let _ = write!(o, r#"<text x="{:.1}" y="{y:.1}" class="legend">{}</text>"#, x + 18.0, esc(text));
        x += 30.0 + LEGEND_CHAR * text.chars().count() as f64;
    }
    o.push('\n');
}

/// The points as a table, folded away.
fn table(o: &mut String, d: &Odds, labels: &[String]) {
    let head: Vec<String> = match d.kind {
        Kind::Bool => ["p", "95% from", "95% to"].map(String::from).to_vec(),
        Kind::Category => labels.iter().map(|l| if l.is_empty() { "(empty)".into() } else { l.clone() }).collect(),
        Kind::Number => ["mean", "sd", "5%", "median", "95%"].map(String::from).to_vec(),
    };
    o.push_str(r#"<details><summary>The points as a table (odds.csv holds the same)</summary><table class="points"><thead><tr><th>turn</th><th>date</th><th>runs</th>"#);
    for h in &head {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr></thead><tbody>");
    for p in &d.points {
        let cells: Vec<String> = match &p.est {
            Estimate::Bool { p, lo, hi } => vec![pct(*p), pct(*lo), pct(*hi)],
            Estimate::Category(_) => labels.iter().map(|l| pct(share(&p.est, l))).collect(),
            Estimate::Number { mean, sd, p05, p50, p95 } => [*mean, *sd, *p05, *p50, *p95].map(number).to_vec(),
        };
        let _ = write!(o, "<tr><td>{}</td><td>{}</td><td>{}</td>", p.turn, esc(&p.date), p.runs);
        for c in cells {
            let _ = write!(o, "<td>{}</td>", esc(&c));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></details>\n");
}

const CSS: &str = r#"
body { margin: 16px auto; max-width: 1360px; color: #222; background: #fff; }
h1 { font-size: 21px; margin: 0 0 4px; } h1 .sub { font-weight: normal; color: #444; } h2 { font-size: 17px; margin: 20px 0 6px; }
.meta, .note { color: #555; font-size: 13px; margin: 2px 0 8px; } .chance { color: #777; } .summary { font-size: 14px; max-width: 1100px; margin: 6px 0; }
.readout { font-size: 14px; margin: 10px 0 2px; } .readout output { font-weight: bold; } .hint { color: #777; font-size: 12px; }
svg { display: block; } .chart { font-size: 11px; } .chart:focus { outline: 1px dotted #999; }
.grid { stroke: #eee; } .axis { stroke: #999; } .tick { fill: #555; font-size: 11px; } .legend { fill: #333; font-size: 12px; }
.line-label { font-size: 11px; font-weight: bold; }
[data-point] .hit { fill: #000; fill-opacity: 0; cursor: pointer; } [data-point]:hover .hit { fill-opacity: 0.05; }
[data-point].on circle { stroke: #e0115f; stroke-width: 2; }
.cursor { stroke: #e0115f; stroke-width: 1.5; stroke-dasharray: 3 2; pointer-events: none; }
.jump rect, .jump-swatch { fill: #ffd766; fill-opacity: 0.35; } .jump.hl rect { fill-opacity: 0.75; }
.jump circle { fill: #fff; stroke: #b38600; } .badge { fill: #8a5a00; font-weight: bold; font-size: 11px; }
.certain { stroke: #2b7a3d; stroke-width: 1.5; stroke-dasharray: 5 3; } .certain-label { fill: #2b7a3d; font-size: 11px; }
path.ev { fill: #777; cursor: pointer; } path.ev.in-jump { fill: #b36b00; } path.ev.hl { fill: #e0115f; }
ol.jumps { font-size: 13px; padding-left: 1.6em; } ol.jumps > li { margin: 4px 0 8px; cursor: pointer; } ol.jumps > li.hl { background: #fff6d6; }
ol.jumps ul { margin: 3px 0; padding-left: 1.2em; color: #333; } ol.jumps time, #events time { color: #777; font-variant-numeric: tabular-nums; margin-right: 4px; }
#events { font-size: 13px; max-height: 520px; overflow-y: auto; border: 1px solid #e3e3e3; padding: 6px 6px 6px 3.2em; margin: 0; }
#events li { padding: 1px 0; } #events li.at { font-weight: bold; background: #f3f5f8; cursor: pointer; } #events li.at.now { background: #fde7ef; }
#events li.in-jump { border-left: 3px solid #ffd766; padding-left: 4px; } #events li.hl { background: #fde7ef; }
table.points { border-collapse: collapse; font-size: 12px; margin: 6px 0; } table.points td, table.points th { text-align: right; padding: 1px 10px 1px 0; border-bottom: 1px solid #eee; }
details { margin: 14px 0; font-size: 13px; }
"#;

const JS: &str = r#"
(function () {
  const $ = (q, el) => (el || document).querySelector(q), $$ = (q, el) => [...(el || document).querySelectorAll(q)];
  const chart = $('svg[data-odds]'), readout = $('#readout'), cursor = $('[data-cursor]', chart);
  const points = $$('[data-point]', chart), rows = $$('#events li.at[data-at]');
  let pinned = points.length - 1;
  function show(i) {
    const g = points[i]; if (!g) return;
    readout.textContent = $('title', g).textContent;
    cursor.setAttribute('x1', g.dataset.x); cursor.setAttribute('x2', g.dataset.x);
    points.forEach((p, k) => p.classList.toggle('on', k === i));
    rows.forEach(r => r.classList.toggle('now', +r.dataset.at === i));
  }
  function pin(i) {
    pinned = Math.max(0, Math.min(points.length - 1, i)); show(pinned);
    try { history.replaceState(null, '', '#' + points[pinned].dataset.date); } catch (e) { /* a page opened from a file may refuse */ }
  }
  points.forEach((g, i) => {
    g.addEventListener('mouseenter', () => show(i));
    g.addEventListener('click', () => pin(i));
  });
  chart.addEventListener('mouseleave', () => show(pinned));
  chart.addEventListener('keydown', e => {
    if (e.key === 'ArrowLeft') { pin(pinned - 1); e.preventDefault(); }
    if (e.key === 'ArrowRight') { pin(pinned + 1); e.preventDefault(); }
  });
  rows.forEach(r => r.addEventListener('click', () => pin(+r.dataset.at)));
  const items = new Map($$('#events li[data-entry]').map(li => [li.dataset.entry, li]));
  $$('[data-event]', chart).forEach(m => {
    const li = items.get(m.dataset.entry);
    const on = v => { m.classList.toggle('hl', v); if (li) li.classList.toggle('hl', v); };
    m.addEventListener('mouseenter', () => on(true));
    m.addEventListener('mouseleave', () => on(false));
    m.addEventListener('click', () => { if (li) li.scrollIntoView({block: 'nearest'}); });
    if (li) {
      li.addEventListener('mouseenter', () => on(true));
      li.addEventListener('mouseleave', () => on(false));
    }
  });
  $$('ol.jumps > li[data-rank]').forEach(li => {
    const band = $('[data-jump="' + li.dataset.rank + '"]', chart);
    const on = v => { li.classList.toggle('hl', v); if (band) band.classList.toggle('hl', v); };
    li.addEventListener('mouseenter', () => on(true));
    li.addEventListener('mouseleave', () => on(false));
    li.addEventListener('click', () => pin(+li.dataset.at));
  });
  // A link to a moment: page.html#1232-02-15 (the last point on or before that day) or #turn=40.
  let want = location.hash.slice(1);
  try { want = decodeURIComponent(want); } catch (e) { want = ''; }
  if (/^turn=\d+$/.test(want)) pinned = Math.max(0, points.filter(p => +p.dataset.turn <= +want.slice(5)).length - 1);
  else if (/^\d{4}-\d{2}-\d{2}$/.test(want)) pinned = Math.max(0, points.filter(p => p.dataset.date <= want).length - 1);
  show(pinned);
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_shares_read_as_people_write_them() {
        assert_eq!(pct(0.514), "51%");
        assert_eq!(pct(0.995), "99.5%");
        assert_eq!(pct(1.0), "100%");
        assert_eq!(number(9618.9), "9,619");
        assert_eq!(number(0.965), "0.965");
        assert_eq!(number(2.0), "2");
    }

    #[test]
    fn nearly_certain_is_the_start_of_the_tail_at_or_above_the_threshold() {
        assert_eq!(certain_from(&[0.5, 0.97, 0.6, 0.96, 1.0]), Some(3));
        assert_eq!(certain_from(&[0.99, 1.0]), Some(0));
        assert_eq!(certain_from(&[0.99, 0.5]), None);
    }
}
