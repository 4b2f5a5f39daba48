//! `tianxia report run`: one run as a page. The map with each army's track (dated,
//! coloured by faction, as wide as the army was strong), battles and sieges where and
//! when they happened, and a slider that shows control, positions and extreme weather on
//! any turn; below, the chronicle on a timeline (hover an entry to find it on the map,
//! click it to go to its turn) and strength over time per faction and per army.
//!
//! Data attributes (DESIGN.md, "Pictures"): the map's, plus `data-army="<id>"` on the
//! track of each army that moved and `data-battle` with `data-date="YYYY-MM-DD"` on each
//! battle.

use super::chart::{self, Line, Scale};
use super::map::{self, Canvas, LEGEND_X};
use super::svg::{FONT_STACK, colour, esc};
use serde_json::{Value, json};
use std::fmt::Write;
use tianxia_engine::ids::{ArmyId, FactionId};
use tianxia_engine::model::army::Location;
use tianxia_engine::model::script::{OutcomeValue, Quantity};
use tianxia_engine::model::weather::{Regions, Weather};
use tianxia_engine::record::log::LogEntry;
use tianxia_engine::{LogKind, Sim};
use tianxia_scenario::Scenario;

/// Narrowest track, in pixels (an army of a few men).
const TRACK_MIN: f64 = 1.5;
/// How much wider the strongest army's track is, in pixels.
const TRACK_SPAN: f64 = 6.5;
/// How far apart the tracks of different armies on one road are drawn, in pixels.
const TRACK_OFFSET: f64 = 2.5;
/// Radius of the smallest battle mark, in pixels.
const BATTLE_MIN: f64 = 9.0;
/// How much larger the radius of the largest battle's mark is, in pixels.
const BATTLE_SPAN: f64 = 13.0;
/// How far a later battle's star at the same place is turned, in radians (half a point).
const BATTLE_TURN: f64 = std::f64::consts::PI / 8.0;
/// Inner radius of a battle star, as a share of its outer radius.
const STAR_WAIST: f64 = 0.55;
/// How many distinct offsets the tracks cycle through (centred on the road).
const TRACK_LANES: usize = 5;

/// Where an army stood at a frame, and how strong it was.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Place {
    x: f64,
    y: f64,
    men: f64,
}

/// The state the page shows at one turn boundary.
struct Frame {
    /// The first day of the turn just played (the start, for the state before any turn).
    date: String,
    /// Each province's controller (faction index).
    control: Vec<usize>,
    /// Each army's place, if it is in the field.
    armies: Vec<Option<Place>>,
    /// Each region's weather.
    weather: Vec<Weather>,
    /// Each faction's men in the field.
    field_men: Vec<f64>,
}

/// The state of `sim` after the turn that began on `date` (or, for the first frame, at the
/// start, dated the start), as a series row dates it.
fn frame(sim: &Sim, c: &Canvas, date: String) -> Frame {
    let names = sim.names();
    let w = c.w;
    let control = (0..names.provinces.len())
        .map(|i| {
            sim.province(tianxia_engine::ids::ProvinceId(i as u32)).map_or(usize::MAX, |p| p.control.controller.index())
        })
        .collect();
    let armies = (0..names.armies.len())
        .map(|i| {
            let v = sim.army(ArmyId(i as u32)).filter(|v| !v.destroyed)?;
            let (x, y) = match v.location {
                Location::At(p) => *c.pos.get(p.index())?,
                Location::OnRoute { route, from, to, done } => {
                    let (a, b) = (*c.pos.get(from.index())?, *c.pos.get(to.index())?);
                    let km = w.routes.get(route.index()).map_or(1.0, |r| r.km).max(1e-9);
                    let t = (done / km).clamp(0.0, 1.0);
                    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
                }
            };
            Some(Place { x, y, men: v.men() })
        })
        .collect();
    let regions = sim.world().resource::<Regions>();
    let weather = (0..w.regions.len()).map(|i| regions.weather(i as u16)).collect();
    let field_men = (0..names.factions.len())
        .map(|i| Quantity::FactionMen { faction: FactionId(i as u32), garrisons: false }.eval(sim.world()))
        .collect();
    Frame { date, control, armies, weather, field_men }
}

/// The strings of a log entry's JSON that name a province or an army (by key).
fn mentions(v: &Value, provinces: &[&str], armies: &[&str], out: &mut (Vec<String>, Vec<String>)) {
    match v {
        Value::String(s) => {
            if provinces.contains(&s.as_str()) && !out.0.contains(s) {
                out.0.push(s.clone());
            }
            if armies.contains(&s.as_str()) && !out.1.contains(s) {
                out.1.push(s.clone());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| mentions(x, provinces, armies, out)),
        Value::Object(o) => {
            o.iter().filter(|(k, _)| *k != "names").for_each(|(_, x)| mentions(x, provinces, armies, out))
        }
        _ => {}
    }
}

/// Plays `sim` to its end and returns the report page.
pub fn report_run(s: &Scenario, seed: u64, mut sim: Sim) -> Result<String, String> {
    let w = s.template();
    let c = Canvas::new(w);
    // Frame k is the state after turn k (1-based), dated with that turn's first day — the
    // date of its log entries, whose `data-turn` is therefore their 0-based turn + 1.
    let mut frames = vec![frame(&sim, &c, sim.date().to_string())];
    while !sim.finished() {
        let date = sim.date().to_string();
        sim.step();
        frames.push(frame(&sim, &c, date));
    }
    let result = sim.result();
    let names = sim.names().clone();
    let entries = sim.log().entries();
    let events = tianxia_montecarlo::json::events(&sim).map_err(|e| format!("cannot encode the event log: {e}"))?;
    let province_keys: Vec<&str> = names.provinces.iter().map(|n| n.key.as_str()).collect();
    let army_keys: Vec<&str> = names.armies.iter().map(|n| n.key.as_str()).collect();
    let fcolour = |f: usize| map::faction_colour(w, f);
    // Each army's faction (by index; none for an army that never took the field).
    let army_faction: Vec<usize> = (0..names.armies.len())
        .map(|ai| sim.army(ArmyId(ai as u32)).map_or(usize::MAX, |v| v.faction.index()))
        .collect();
    let dates: Vec<String> = frames.iter().map(|f| f.date.clone()).collect();
    let last = frames.len() - 1;

    let mut o = String::with_capacity(1 << 20);
    let title = format!("{} — seed {seed}", s.name);
    let _ = write!(
        o,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title><style>body {{ font-family: {FONT_STACK}; }}{CSS}</style></head><body>
<header><h1>{}</h1><p class="meta">"#,
        esc(&title),
        esc(&s.name)
    );
    let mut meta = vec![format!("seed {seed}")];
    if !s.variants.is_empty() {
        meta.push(format!("variants: {}", s.variants.join(", ")));
    }
    meta.extend(s.sets.iter().map(|x| format!("set {x}")));
    meta.extend(s.mods.iter().map(|m| format!("mod {}@{}", m.id, m.version)));
    meta.push(format!("{} turns of {} days, {} to {}", result.turns, w.turn_days, w.start, result.end_date));
    meta.push(format!("digest {}", result.digest));
    let _ = write!(o, "{}</p>", esc(&meta.join(" · ")));
    o.push_str(r#"<table class="outcomes"><thead><tr><th>outcome</th><th>this run</th><th>what it measures</th></tr></thead><tbody>"#);
    for (i, (k, v)) in result.outcomes.iter().enumerate() {
        let value = match v {
            // As the chronicle's text shows it: to three decimals.
            OutcomeValue::Number(x) => json!((x * 1000.0).round() / 1000.0).to_string(),
            v => tianxia_montecarlo::json::outcome(v).to_string().trim_matches('"').to_string(),
        };
        let d = w.outcomes.get(i).map_or("", |x| x.description.as_str());
        let _ = write!(
            o,
            r#"<tr data-outcome-value="{}"><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            esc(k),
            esc(k),
            esc(&value),
            esc(d)
        );
    }
    o.push_str("</tbody></table></header>\n");

    // The map, with the slider above it.
    let _ = writeln!(
        o,
        r#"<section class="mapbox"><div class="controls"><button id="play" type="button" title="play the campaign">▶</button><input type="range" id="turn" min="0" max="{last}" value="{last}" aria-label="turn"><output id="when">{}</output><span class="hint">drag for any turn, or open the page at #YYYY-MM-DD; hover or click a mark or a chronicle line</span></div>"#,
        esc(&dates[last])
    );
    c.open(&mut o, &s.id, &title, &s.name, &format!("seed {seed}: control, armies and weather on {}", dates[last]));
    c.regions(&mut o);
    weather_layer(&mut o, &c, &frames[last]);
    c.routes(&mut o);

    // Tracks: one <g data-army> per army that moved, a segment per turn it moved in.
    let max_men = frames.iter().flat_map(|f| f.armies.iter().flatten()).fold(1.0f64, |a, p| a.max(p.men));
    let width_of = |men: f64| TRACK_MIN + TRACK_SPAN * (men / max_men).clamp(0.0, 1.0).sqrt();
    o.push_str("<g data-layer=\"tracks\">\n");
    let mut moved = 0usize;
    for (ai, n) in names.armies.iter().enumerate() {
        let pts: Vec<(usize, Place)> =
            frames.iter().enumerate().filter_map(|(k, f)| Some((k, f.armies[ai]?))).collect();
        if !pts.windows(2).any(|p| p[0].1.x != p[1].1.x || p[0].1.y != p[1].1.y) {
            continue;
        }
        let faction = army_faction[ai];
        let off = TRACK_OFFSET * ((moved % TRACK_LANES) as f64 - (TRACK_LANES / 2) as f64);
        moved += 1;
        let first = pts.first().map_or(0, |p| p.0);
        let end = pts.last().map_or(0, |p| p.0);
        let _ = write!(
            o,
            r#"<g data-army="{}" data-faction="{}" class="track"><title>{} — in the field {} to {}</title>"#,
            esc(&n.key),
            esc(w.factions.get(faction).map_or("none", |f| f.key.as_str())),
            esc(&label(n)),
            dates[first],
            dates[end]
        );
        for p in pts.windows(2) {
            let ((k0, a), (k1, b)) = (p[0], p[1]);
            if k1 != k0 + 1 || (a.x == b.x && a.y == b.y) {
                continue;
            }
            // Offset across the segment, so that armies on one road run side by side.
            let len = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt().max(1e-9);
            let (nx, ny) = (-(b.y - a.y) / len * off, (b.x - a.x) / len * off);
            let _ = write!(
                o,
                r#"<line data-turn="{k1}" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="{:.1}"><title>{} {}: {} men</title></line>"#,
                a.x + nx,
                a.y + ny,
                b.x + nx,
                b.y + ny,
                fcolour(faction),
                width_of(a.men),
                esc(&n.name),
                dates[k0],
                chart::men(a.men)
            );
        }
        o.push_str("</g>\n");
    }
    o.push_str("</g>\n");

    // Battles: an eight-pointed star under the province's marker, in the winner's colour
    // edged with the loser's, as large as the men engaged.
    let battles: Vec<(usize, &LogEntry)> =
        entries.iter().enumerate().filter(|(_, e)| matches!(e.kind, LogKind::Battle { .. })).collect();
    let engaged = |e: &LogEntry| match &e.kind {
        LogKind::Battle { winners, losers, .. } => winners.iter().chain(losers.iter()).map(|a| a.men).sum::<f64>(),
        _ => 0.0,
    };
    let max_engaged = battles.iter().map(|(_, e)| engaged(e)).fold(1.0f64, f64::max);
    o.push_str("<g data-layer=\"battles\">\n");
    let mut at_place: std::collections::HashMap<usize, u32> = std::collections::HashMap::new();
    for (i, e) in &battles {
        let LogKind::Battle { province, winner, losers, .. } = &e.kind else { continue };
        let Some(&(x, y)) = c.pos.get(province.index()) else { continue };
        let nth = at_place.entry(province.index()).or_insert(0);
        *nth += 1;
        let r = BATTLE_MIN + BATTLE_SPAN * (engaged(e) / max_engaged).sqrt();
        let loser = losers.first().map_or(usize::MAX, |a| a.faction.index());
        // A second battle at the same place is turned a little, so that both show.
        let star = star(x, y, r, f64::from(*nth - 1) * BATTLE_TURN);
        let text = tooltip(&names, e);
        let _ = writeln!(
            o,
            r#"<g data-battle="" data-date="{}" data-turn="{}" data-at="{}" data-entry="{i}" class="battle"><title>{}</title><polygon points="{}" fill="{}" fill-opacity="0.8" stroke="{}" stroke-width="2"/></g>"#,
            e.date,
            e.turn + 1,
            esc(&names.provinces[province.index()].key),
            esc(&text),
            star,
            fcolour(winner.index()),
            fcolour(loser)
        );
    }
    o.push_str("</g>\n");
    c.provinces(&mut o);

    // Sieges: a dashed square round the besieged place, in the besieger's colour.
    o.push_str("<g data-layer=\"sieges\">\n");
    for (i, e) in entries.iter().enumerate() {
        let LogKind::SiegeBegun { province, besieger, .. } = &e.kind else { continue };
        let Some(&(x, y)) = c.pos.get(province.index()) else { continue };
        let _ = writeln!(
            o,
            r#"<rect data-siege="" data-date="{}" data-turn="{}" data-entry="{i}" x="{:.1}" y="{:.1}" width="24" height="24" fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="4 2"><title>{}</title></rect>"#,
            e.date,
            e.turn + 1,
            x - 12.0,
            y - 12.0,
            fcolour(besieger.index()),
            esc(&tooltip(&names, e))
        );
    }
    o.push_str("</g>\n");

    // Where each army stands at the slider's turn (moved by the script).
    o.push_str("<g data-layer=\"positions\">\n");
    for (ai, n) in names.armies.iter().enumerate() {
        if frames.iter().all(|f| f.armies[ai].is_none()) {
            continue;
        }
        let faction = army_faction[ai];
        let (x, y, shown) = match frames[last].armies[ai] {
            Some(p) => (p.x, p.y, ""),
            None => (0.0, 0.0, r#" display="none""#),
        };
        let _ = writeln!(
            o,
            r##"<g data-position="{}" transform="translate({x:.1},{y:.1})"{shown}><title>{}</title><circle r="5.5" fill="{}" stroke="#fff" stroke-width="1.8"/></g>"##,
            esc(&n.key),
            esc(&label(n)),
            fcolour(faction)
        );
    }
    o.push_str("</g>\n");

    let mut y = c.legend_box(&mut o);
    y = c.legend_factions(&mut o, y, "Controller on the slider's day");
    y = legend_marks(&mut o, y);
    let army_colours: Vec<&str> = army_faction.iter().map(|&f| fcolour(f)).collect();
    y = roster(&mut o, y, c.height - 60.0, &names, &frames[last], &army_colours);
    map::legend_note(
        &mut o,
        y,
        &["Hover a mark for its details; tracks are", "offset a little so that armies on one", "road both show."],
    );
    o.push_str("</g></svg></section>\n");

    // The chronicle: a timeline of its main marks, then the lines.
    let _ = write!(o, r#"<section class="chronicle"><h2>Chronicle</h2>"#);
    timeline(&mut o, &c, &frames, entries, &names);
    o.push_str(r#"<p class="filter"><label><input type="checkbox" id="every"> show every line (marches, supply, wastage)</label></p><ol id="lines">"#);
    for line in crate::chronicle::lines(&sim, false) {
        let e = &entries[line.entry];
        let mut m = (Vec::new(), Vec::new());
        if let Some(v) = events.get(line.entry) {
            mentions(v, &province_keys, &army_keys, &mut m);
        }
        let kind = events.get(line.entry).and_then(|v| v["kind"].as_str()).unwrap_or("");
        let text = line.text.split_once("  ").map_or(line.text.as_str(), |(_, t)| t);
        let _ = writeln!(
            o,
            r#"<li data-entry="{}" data-turn="{}" data-kind="{}" data-main="{}" data-provinces="{}" data-armies="{}"><time>{}</time> {}</li>"#,
            line.entry,
            e.turn + 1,
            kind,
            u8::from(crate::chronicle::main_line(&e.kind)),
            esc(&m.0.join(" ")),
            esc(&m.1.join(" ")),
            e.date,
            esc(text)
        );
    }
    o.push_str("</ol></section>\n");

    // Strength over time.
    o.push_str(r#"<section class="strength"><h2>Strength in the field</h2><div class="charts">"#);
    let faction_lines: Vec<Line> = w
        .factions
        .iter()
        .enumerate()
        .filter(|(fi, _)| frames.iter().any(|f| f.field_men[*fi] > 0.0))
        .map(|(fi, f)| Line {
            label: f.name.clone(),
            colour: fcolour(fi).to_string(),
            values: frames.iter().map(|fr| Some(fr.field_men[fi])).collect(),
            attrs: format!(r#"data-faction="{}""#, esc(&f.key)),
            dashed: false,
        })
        .collect();
    chart::line_chart(
        &mut o,
        r#"data-chart="factions""#,
        "Men in the field, by faction",
        &dates,
        &faction_lines,
        660.0,
        300.0,
    );
    let mut army_lines: Vec<Line> = Vec::new();
    for (ai, n) in names.armies.iter().enumerate() {
        let values: Vec<Option<f64>> = frames.iter().map(|f| f.armies[ai].map(|p| p.men)).collect();
        if values.iter().all(Option::is_none) {
            continue;
        }
        let faction = army_faction[ai];
        army_lines.push(Line {
            label: short_name(&n.name),
            colour: fcolour(faction).to_string(),
            dashed: army_lines.iter().filter(|l| l.colour == fcolour(faction)).count() % 2 == 1,
            values,
            attrs: format!(r#"data-army-line="{}""#, esc(&n.key)),
        });
    }
    chart::line_chart(&mut o, r#"data-chart="armies""#, "Men of each army", &dates, &army_lines, 660.0, 300.0);
    o.push_str("</div></section>\n");

    // The frames, for the script.
    let data = json!({
        "dates": dates,
        "colours": w.factions.iter().map(|f| colour(&f.colour)).collect::<Vec<_>>(),
        "faction_keys": w.factions.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
        "weather_words": WEATHER_TEXT.iter().map(|(w, t)| (weather_word(*w).to_string(), json!(t))).collect::<serde_json::Map<_, _>>(),
        "control": frames.iter().map(|f| f.control.iter().map(|&c| if c == usize::MAX { -1 } else { c as i64 }).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "armies": names.armies.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(),
        "army_names": names.armies.iter().map(|n| roster_name(&n.name)).collect::<Vec<_>>(),
        "places": frames.iter().map(|f| f.armies.iter().map(|p| p.map(|p| json!([(p.x * 10.0).round() / 10.0, (p.y * 10.0).round() / 10.0, p.men.round()]))).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "regions": w.regions.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(),
        "weather": frames.iter().map(|f| f.weather.iter().map(|x| weather_word(*x)).collect::<Vec<_>>()).collect::<Vec<_>>(),
    });
    // No `<` at all in the script: `</script>` would close it early and `<!--` turn the
    // parser's state; in JSON a `<` can only stand inside a string, where `\u003c` is the same.
    let data = data.to_string().replace('<', "\\u003c");
    let _ = write!(o, "<script>const RUN = {data};\n{JS}</script>\n</body></html>\n");
    Ok(o)
}

/// An entry as a line for a mark's tooltip: dated, things by their display names.
fn tooltip(names: &tianxia_engine::ids::Names, e: &LogEntry) -> String {
    let mentioned = std::cell::RefCell::new(tianxia_engine::record::log::Mentioned::default());
    e.told(names, &mentioned).to_string().replacen("  ", " ", 1)
}

/// The points of an eight-pointed star of outer radius `r` at (`x`, `y`), turned by `rot`.
fn star(x: f64, y: f64, r: f64, rot: f64) -> String {
    (0..16)
        .map(|k| {
            let a = rot + std::f64::consts::PI * f64::from(k) / 8.0;
            let rr = if k % 2 == 0 { r } else { r * STAR_WAIST };
            format!("{:.1},{:.1}", x + rr * a.cos(), y + rr * a.sin())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn label(n: &tianxia_engine::ids::Name) -> String {
    map::label_text(if n.name.is_empty() { &n.key } else { &n.name }, &n.name_zh)
}

/// An army's name short enough to stand beside its marker: without a parenthesis.
fn short_name(name: &str) -> String {
    name.split(" (").next().unwrap_or(name).to_string()
}

/// Height of a line of the legend's roster of armies, in pixels.
const ROSTER_LINE: f64 = 17.0;
/// Most armies the roster lists (as many as fit in the legend, up to this).
const ROSTER_ROWS: usize = 40;
/// Most characters of an army's name in the legend's roster (the men follow it).
const ROSTER_CHARS: usize = 27;

/// An army's name as the roster shows it: short, and cut to [`ROSTER_CHARS`].
fn roster_name(name: &str) -> String {
    chart::cut(&short_name(name), ROSTER_CHARS)
}

fn weather_word(w: Weather) -> &'static str {
    match w {
        Weather::Clear => "",
        // Rain is the common weather of summer: not extreme, not marked.
        Weather::Rain => "",
        Weather::Snow => "snow",
        Weather::Blizzard => "blizzard",
    }
}

/// Each weather region's weather at a frame, written under its name (the script updates it).
fn weather_layer(o: &mut String, c: &Canvas, f: &Frame) {
    o.push_str("<g data-layer=\"weather\">\n");
    for (ri, r) in c.w.regions.iter().enumerate() {
        if r.climate.is_none() {
            continue;
        }
        let Some((cx, cy)) = c.region_centre(ri) else { continue };
        let word = weather_word(f.weather[ri]);
        let text = weather_text(f.weather[ri]);
        let _ = writeln!(
            o,
            r#"<text data-weather-region="{}" x="{cx:.1}" y="{:.1}" class="weather {word}" text-anchor="middle">{}</text>"#,
            esc(&r.key),
            cy + 20.0,
            text
        );
    }
    o.push_str("</g>\n");
}

/// How the map writes a region's extreme weather (the page's script uses the same words).
const WEATHER_TEXT: [(Weather, &str); 2] = [(Weather::Snow, "❄ snow"), (Weather::Blizzard, "❄❄ blizzard")];

fn weather_text(w: Weather) -> &'static str {
    WEATHER_TEXT.iter().find(|(x, _)| *x == w).map_or("", |(_, t)| t)
}

/// The armies in the field on the slider's day, strongest first, as many as fit above
/// `bottom` (the script refills the rows); returns the next free y.
fn roster(
    o: &mut String,
    mut y: f64,
    bottom: f64,
    names: &tianxia_engine::ids::Names,
    f: &Frame,
    colours: &[&str],
) -> f64 {
    let x0 = LEGEND_X;
    let _ = writeln!(
        o,
        r##"<text data-roster-title="" x="{x0}" y="{y}" font-size="14" font-weight="bold" fill="#333">In the field on {}</text>"##,
        f.date
    );
    let rows = (((bottom - y) / ROSTER_LINE).floor() as usize).clamp(1, ROSTER_ROWS);
    let mut order: Vec<usize> = (0..names.armies.len()).filter(|&i| f.armies[i].is_some()).collect();
    order.sort_by(|&a, &b| f.armies[b].map_or(0.0, |p| p.men).total_cmp(&f.armies[a].map_or(0.0, |p| p.men)));
    let _ = writeln!(o, r#"<g data-roster="" data-rows="{rows}" data-colours="{}">"#, esc(&colours.join(" ")));
    for k in 0..rows {
        y += ROSTER_LINE;
        let shown = order.get(k).map(|&i| (&names.armies[i], f.armies[i].map_or(0.0, |p| p.men), colours[i]));
        let (name, men, fill) =
            shown.map_or((String::new(), String::new(), "none"), |(n, m, c)| (roster_name(&n.name), chart::men(m), c));
        let _ = writeln!(
            o,
            r##"<g data-row="{k}"><circle cx="{:.0}" cy="{:.0}" r="4.5" fill="{fill}"/><text x="{:.0}" y="{y:.0}" font-size="11.5" fill="#222">{}</text><text x="{:.0}" y="{y:.0}" font-size="11.5" fill="#222" text-anchor="end">{men}</text></g>"##,
            x0 + 5.0,
            y - 4.0,
            x0 + 14.0,
            esc(&name),
            x0 + 228.0
        );
    }
    o.push_str("</g>\n");
    y + 26.0
}

/// The legend of the report's own marks; returns the next free y.
fn legend_marks(o: &mut String, mut y: f64) -> f64 {
    let x0 = LEGEND_X;
    let _ = writeln!(o, r##"<text x="{x0}" y="{y}" font-size="14" font-weight="bold" fill="#333">Marks</text>"##);
    y += 24.0;
    let _ = writeln!(
        o,
        r##"<line x1="{x0}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="#555" stroke-width="2"/><line x1="{x0}" y1="{:.0}" x2="{:.0}" y2="{:.0}" stroke="#555" stroke-width="7"/><text x="{:.0}" y="{y}" font-size="12" fill="#222">army track: wider, stronger</text>"##,
        y - 8.0,
        x0 + 36.0,
        y - 8.0,
        y,
        x0 + 36.0,
        y,
        x0 + 44.0
    );
    y += 26.0;
    let star = star(x0 + 14.0, y - 4.0, 10.0, 0.0);
    let _ = writeln!(
        o,
        r##"<polygon points="{}" fill="#999" stroke="#333" stroke-width="2"/><text x="{:.0}" y="{y}" font-size="12" fill="#222">battle: winner's colour,</text><text x="{:.0}" y="{:.0}" font-size="12" fill="#222">edged with the loser's; size: men</text>"##,
        star,
        x0 + 44.0,
        x0 + 44.0,
        y + 14.0
    );
    y += 36.0;
    let _ = writeln!(
        o,
        r##"<rect x="{:.0}" y="{:.0}" width="20" height="20" fill="none" stroke="#555" stroke-width="2.5" stroke-dasharray="4 2"/><text x="{:.0}" y="{y}" font-size="12" fill="#222">siege (besieger's colour)</text>"##,
        x0 + 4.0,
        y - 14.0,
        x0 + 44.0
    );
    y += 26.0;
    let _ = writeln!(
        o,
        r##"<circle cx="{:.0}" cy="{:.0}" r="5.5" fill="#999" stroke="#fff" stroke-width="1.8"/><text x="{:.0}" y="{y}" font-size="12" fill="#222">army on the slider's day</text>"##,
        x0 + 14.0,
        y - 4.0,
        x0 + 44.0
    );
    y += 24.0;
    let _ = writeln!(
        o,
        r##"<text x="{x0}" y="{y}" class="weather snow">❄ snow</text><text x="{:.0}" y="{y}" font-size="12" fill="#222">extreme weather of a region</text>"##,
        x0 + 56.0
    );
    y + 30.0
}

/// Width of the timeline, in pixels (the page's width).
const TIMELINE_WIDTH: f64 = 1340.0;
/// Width of the timeline's column of row names, in pixels.
const TIMELINE_LEFT: f64 = 150.0;
/// Height of a weather region's strip on the timeline, in pixels.
const TIMELINE_ROW: f64 = 16.0;

/// The timeline: a strip of extreme weather per weather region, then battles, captures and
/// scripted events as marks by date (each `data-entry` of its log entry).
fn timeline(o: &mut String, c: &Canvas, frames: &[Frame], entries: &[LogEntry], names: &tianxia_engine::ids::Names) {
    let fcolour = |f: usize| map::faction_colour(c.w, f);
    let zones: Vec<usize> = (0..c.w.regions.len()).filter(|&i| c.w.regions[i].climate.is_some()).collect();
    let (left, right, width) = (TIMELINE_LEFT, 20.0, TIMELINE_WIDTH);
    let row = TIMELINE_ROW;
    let top = 10.0;
    let rows_y = top + row * zones.len() as f64 + 8.0;
    let height = rows_y + 3.0 * 26.0 + 30.0;
    let n = frames.len();
    let xs = Scale::new(0.0, n.saturating_sub(1).max(1) as f64, left, width - right);
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" data-timeline="" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" class="chart"><title>The campaign by date: weather, battles, captures, events</title>"#
    );
    let cell = (xs.at(1.0) - xs.at(0.0)).max(1.0);
    for (k, &ri) in zones.iter().enumerate() {
        let y = top + row * k as f64;
        let _ = write!(
            o,
            r#"<text x="{:.0}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 11.0,
            esc(&c.w.regions[ri].key.replace('_', " "))
        );
        for (fi, f) in frames.iter().enumerate().skip(1) {
            let word = weather_word(f.weather[ri]);
            if word.is_empty() {
                continue;
            }
            let _ = write!(
                o,
                r#"<rect class="wx {word}" x="{:.1}" y="{y:.1}" width="{cell:.1}" height="{:.0}"><title>{} {}: {word}</title></rect>"#,
                xs.at(fi as f64 - 1.0),
                row - 3.0,
                esc(&c.w.regions[ri].key),
                f.date
            );
        }
        o.push('\n');
    }
    let rows = ["battles", "captures", "events"];
    for (k, r) in rows.iter().enumerate() {
        let y = rows_y + 26.0 * k as f64 + 13.0;
        let _ = write!(
            o,
            r#"<line x1="{left}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.0}" y="{:.1}" class="tick" text-anchor="end">{r}</text>"#,
            width - right,
            left - 8.0,
            y + 4.0
        );
    }
    for (i, e) in entries.iter().enumerate() {
        let x = xs.at(f64::from(e.turn) + 0.5);
        let tip = esc(&tooltip(names, e));
        match &e.kind {
            LogKind::Battle { winner, .. } => {
                let y = rows_y + 13.0;
                let _ = write!(
                    o,
                    r##"<circle data-entry="{i}" data-turn="{}" cx="{x:.1}" cy="{y:.1}" r="6" fill="{}" stroke="#222"><title>{tip}</title></circle>"##,
                    e.turn + 1,
                    fcolour(winner.index())
                );
            }
            LogKind::Captured { by, .. } => {
                let y = rows_y + 26.0 + 13.0;
                let _ = write!(
                    o,
                    r##"<rect data-entry="{i}" data-turn="{}" x="{:.1}" y="{:.1}" width="9" height="9" fill="{}" stroke="#222"><title>{tip}</title></rect>"##,
                    e.turn + 1,
                    x - 4.5,
                    y - 4.5,
                    fcolour(by.index())
                );
            }
            LogKind::Event { .. } => {
                let y = rows_y + 52.0 + 13.0;
                let _ = write!(
                    o,
                    r##"<path data-entry="{i}" data-turn="{}" d="M{x:.1},{:.1} l5,6 l-5,6 l-5,-6 z" fill="#555"><title>{tip}</title></path>"##,
                    e.turn + 1,
                    y - 6.0
                );
            }
            _ => {}
        }
    }
    let axis_y = rows_y + 3.0 * 26.0 + 6.0;
    for i in chart::date_ticks(n, 12) {
        let (x, f) = (xs.at(i as f64), &frames[i]);
        let _ = write!(
            o,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" class="axis"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            axis_y - 4.0,
            axis_y,
            axis_y + 14.0,
            f.date
        );
    }
    let x = xs.at(n.saturating_sub(1) as f64);
    let _ = writeln!(
        o,
        r#"<line data-cursor="" x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{axis_y:.1}" data-x0="{left}" data-x1="{:.1}" class="cursor"/></svg>"#,
        width - right
    );
}

const CSS: &str = r#"
body { margin: 16px auto; max-width: 1360px; color: #222; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 18px 0 6px; }
.meta { color: #555; font-size: 13px; margin: 0 0 8px; }
table.outcomes { border-collapse: collapse; font-size: 13px; margin-bottom: 10px; }
table.outcomes td, table.outcomes th { border-bottom: 1px solid #e3e3e3; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
table.outcomes td:nth-child(2) { font-weight: bold; white-space: nowrap; }
.controls { display: flex; align-items: center; gap: 10px; margin: 6px 0; font-size: 13px; }
.controls input[type=range] { width: 520px; } .controls output { font-weight: bold; min-width: 90px; }
.controls .hint { color: #777; } .controls button { font-size: 14px; width: 34px; }
svg { display: block; } .mapbox svg[data-map] { max-width: 100%; height: auto; }
.track line { stroke-linecap: round; stroke-opacity: 0.75; }
.track line.later, .battle.later, rect[data-siege].later { opacity: 0.12; }
.track:hover line, .track.hl line { stroke-opacity: 1; filter: drop-shadow(0 0 2px #000); }
.hl circle, .hl polygon { stroke: #e0115f !important; stroke-width: 3.5 !important; }
.weather { font-size: 14px; font-weight: bold; } .weather.snow { fill: #4a6d99; } .weather.blizzard { fill: #22407a; }
.chart { font-size: 11px; } .chart-title { font-size: 13px; font-weight: bold; fill: #333; }
.grid { stroke: #eee; } .axis { stroke: #999; } .tick { fill: #555; font-size: 11px; }
.cursor { stroke: #e0115f; stroke-width: 1.5; stroke-dasharray: 3 2; }
.line-label { font-size: 11px; }
.wx.snow { fill: #a9c0df; } .wx.blizzard { fill: #3b5b92; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.filter { font-size: 13px; margin: 4px 0; }
#lines { font-size: 13px; max-height: 460px; overflow-y: auto; border: 1px solid #e3e3e3; padding: 6px 6px 6px 3.2em; margin: 0; }
#lines li { padding: 1px 0; cursor: pointer; } #lines li:hover, #lines li.hl { background: #fde7ef; }
#lines li.now { background: #fff4cc; } #lines time { color: #777; font-variant-numeric: tabular-nums; margin-right: 4px; }
#lines:not(.every) li[data-main="0"] { display: none; }
[data-entry] { cursor: pointer; }
"#;

const JS: &str = r#"
(function () {
  const $ = (q, el) => (el || document).querySelector(q), $$ = (q, el) => [...(el || document).querySelectorAll(q)];
  const map = $('svg[data-map]'), slider = $('#turn'), when = $('#when');
  const provinces = $$('[data-province]', map), positions = new Map($$('[data-position]', map).map(g => [g.dataset.position, g]));
  const wx = $$('[data-weather-region]', map), words = RUN.weather_words;
  const regionIndex = new Map(RUN.regions.map((r, i) => [r, i]));
  const lines = $('#lines');
  function show(k) {
    when.textContent = RUN.dates[k] + (k === 0 ? ' (start)' : '');
    const sub = $('[data-subtitle]', map);
    if (sub) sub.textContent = sub.textContent.replace(/on \S+$/, 'on ' + RUN.dates[k]);
    provinces.forEach((g, i) => {
      const c = RUN.control[k][i], circle = $('circle', g);
      if (circle && c >= 0) { circle.setAttribute('fill', RUN.colours[c]); g.dataset.controller = RUN.faction_keys[c]; }
    });
    const seen = new Map();
    RUN.armies.forEach((id, i) => {
      const g = positions.get(id); if (!g) return;
      const p = RUN.places[k][i];
      if (!p) { g.setAttribute('display', 'none'); return; }
      const key = Math.round(p[0]) + ',' + Math.round(p[1]), n = seen.get(key) || 0; seen.set(key, n + 1);
      g.removeAttribute('display');
      g.setAttribute('transform', 'translate(' + p[0] + ',' + (p[1] + 13 * n) + ')');
    });
    const roster = $('[data-roster]', map);
    if (roster) {
      const colours = roster.dataset.colours.split(' '), rows = $$('[data-row]', roster);
      const here = RUN.armies.map((_, i) => i).filter(i => RUN.places[k][i]).sort((a, b) => RUN.places[k][b][2] - RUN.places[k][a][2]);
      rows.forEach((row, r) => {
        const i = here[r], t = $$('text', row), c = $('circle', row);
        if (i === undefined) { t[0].textContent = ''; t[1].textContent = ''; c.setAttribute('fill', 'none'); return; }
        t[0].textContent = RUN.army_names[i]; t[1].textContent = Math.round(RUN.places[k][i][2]).toLocaleString('en');
        c.setAttribute('fill', colours[i]);
      });
      $('[data-roster-title]', map).textContent = 'In the field on ' + RUN.dates[k];
    }
    wx.forEach(t => { const w = RUN.weather[k][regionIndex.get(t.dataset.weatherRegion)] || ''; t.textContent = words[w] || ''; t.setAttribute('class', 'weather ' + w); });
    $$('.track line, .battle, rect[data-siege]', map).forEach(el => el.classList.toggle('later', +el.dataset.turn > k));
    $$('[data-cursor]').forEach(l => {
      const x0 = +l.dataset.x0, x1 = +l.dataset.x1, x = x0 + (x1 - x0) * k / Math.max(1, RUN.dates.length - 1);
      l.setAttribute('x1', x); l.setAttribute('x2', x);
    });
    $$('li.now', lines).forEach(li => li.classList.remove('now'));
    $$('li[data-turn="' + k + '"]', lines).forEach(li => li.classList.add('now'));
  }
  slider.addEventListener('input', () => show(+slider.value));
  let timer = null;
  $('#play').addEventListener('click', () => {
    if (timer) { clearInterval(timer); timer = null; return; }
    if (+slider.value >= +slider.max) slider.value = 0;
    timer = setInterval(() => {
      if (+slider.value >= +slider.max) { clearInterval(timer); timer = null; return; }
      slider.value = +slider.value + 1; show(+slider.value);
    }, 250);
  });
  function highlight(li, on) {
    const ps = (li.dataset.provinces || '').split(' ').filter(Boolean), as = (li.dataset.armies || '').split(' ').filter(Boolean);
    ps.forEach(p => $$('[data-province="' + p + '"]', map).forEach(g => g.classList.toggle('hl', on)));
    as.forEach(a => $$('[data-army="' + a + '"], [data-position="' + a + '"]', map).forEach(g => g.classList.toggle('hl', on)));
    li.classList.toggle('hl', on);
  }
  $$('li', lines).forEach(li => {
    li.addEventListener('mouseenter', () => highlight(li, true));
    li.addEventListener('mouseleave', () => highlight(li, false));
    li.addEventListener('click', () => { slider.value = li.dataset.turn; show(+slider.value); });
  });
  $$('svg[data-timeline] [data-entry], .battle, rect[data-siege]').forEach(el => el.addEventListener('click', () => {
    slider.value = el.dataset.turn; show(+slider.value);
    const li = $('li[data-entry="' + el.dataset.entry + '"]', lines);
    if (li) { if (li.dataset.main === '0') { $('#every').checked = true; lines.classList.add('every'); } li.scrollIntoView({block: 'nearest'}); highlight(li, true); setTimeout(() => highlight(li, false), 1500); }
  }));
  $('#every').addEventListener('change', e => lines.classList.toggle('every', e.target.checked));
  // A link to a moment: page.html#1232-02-15 (the last turn on or before that day) or #turn=40.
  let want = location.hash.slice(1);
  try { want = decodeURIComponent(want); } catch (e) { want = ''; }
  if (/^turn=\d+$/.test(want)) slider.value = Math.min(+slider.max, +want.slice(5));
  else if (/^\d{4}-\d{2}-\d{2}$/.test(want)) slider.value = Math.max(0, RUN.dates.filter(d => d <= want).length - 1);
  show(+slider.value);
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_army_name_loses_its_parenthesis_beside_its_marker() {
        assert_eq!(short_name("Jin field army (Heda and Pu'a)"), "Jin field army");
        assert_eq!(short_name("Tongguan army"), "Tongguan army");
        assert_eq!(roster_name("Song column against Qin and Gong"), "Song column against Qin an…");
    }
}
