//! `tianxia map`: the scenario's map as the modder wrote it, one self-contained SVG.
//!
//! Provinces at their coordinates (an equirectangular projection with longitudes scaled
//! by the cosine of the map's middle latitude, fitted to the scenario's extent and at most
//! 1,000 px tall), coloured by their controller at the start and sized by fortification;
//! routes drawn by kind, with seasonal closures marked; region names at the middle of their
//! provinces; labels (pinyin and Chinese) placed where they overlap no other label or marker
//! (sixteen places tried around each), else left to the marker's tooltip; a legend. Data
//! attributes for tools (DESIGN.md, "Pictures"): `<svg data-map>`, `data-province="<id>"`
//! per province, `data-route="<a>~<b>"` per route. [`Canvas`] is the layout, shared with
//! the reports, which draw their own layers between its routes and provinces.

use std::fmt::Write;
use tianxia_engine::model::route::RouteKind;
use tianxia_engine::world::spec::WorldSpec;
use tianxia_scenario::Scenario;

use super::svg::{FONT_STACK, colour, esc};

/// Width of the map area, in pixels (the legend is drawn to its right).
const MAP_WIDTH: f64 = 1100.0;
/// Most height of the map area, in pixels (a map taller than wide is fitted to it).
const MAX_HEIGHT: f64 = 1000.0;
/// Margin around the map area, in pixels.
const MARGIN: f64 = 70.0;
/// Width of the legend column, in pixels.
const LEGEND_WIDTH: f64 = 250.0;
/// How far a second route between the same two provinces is bent aside, in pixels.
const PARALLEL_BEND: f64 = 9.0;
/// How much further out a label is tried when no place next to its marker is free, in pixels.
const LABEL_NUDGE: f64 = 7.0;
/// Font size of province labels, in pixels.
const LABEL_FONT: f64 = 12.0;

/// The projection of a scenario's provinces onto the map area.
struct Projection {
    lon0: f64,
    lat1: f64,
    kx: f64,
    scale: f64,
    height: f64,
}

impl Projection {
    fn fit(w: &WorldSpec) -> Projection {
        let (mut lo_lon, mut hi_lon, mut lo_lat, mut hi_lat) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in &w.provinces {
            lo_lon = lo_lon.min(p.lon);
            hi_lon = hi_lon.max(p.lon);
            lo_lat = lo_lat.min(p.lat);
            hi_lat = hi_lat.max(p.lat);
        }
        if w.provinces.is_empty() {
            (lo_lon, hi_lon, lo_lat, hi_lat) = (0.0, 1.0, 0.0, 1.0);
        }
        let kx = ((lo_lat + hi_lat) / 2.0).to_radians().cos().max(0.1);
        // At least a tenth of a degree each way, so one province or a line of them fits.
        let span_x = ((hi_lon - lo_lon) * kx).max(0.1);
        let span_y = (hi_lat - lo_lat).max(0.1);
        // Fitted to the width, unless that would make the map taller than MAX_HEIGHT.
        let scale = ((MAP_WIDTH - 2.0 * MARGIN) / span_x).min((MAX_HEIGHT - 2.0 * MARGIN) / span_y);
        let height = (span_y * scale + 2.0 * MARGIN).max(400.0);
        Projection { lon0: lo_lon, lat1: hi_lat, kx, scale, height }
    }

    fn xy(&self, lat: f64, lon: f64) -> (f64, f64) {
        (MARGIN + (lon - self.lon0) * self.kx * self.scale, MARGIN + (self.lat1 - lat) * self.scale)
    }
}

/// A rectangle on the map: x, y (top left), width, height.
#[derive(Clone, Copy)]
struct Rect(f64, f64, f64, f64);

impl Rect {
    fn overlaps(&self, o: &Rect) -> bool {
        self.0 < o.0 + o.2 && o.0 < self.0 + self.2 && self.1 < o.1 + o.3 && o.1 < self.1 + self.3
    }
}

/// The width of a label at [`LABEL_FONT`]: CJK characters a full em, others about half.
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { LABEL_FONT } else { LABEL_FONT * 0.64 }).sum()
}

fn marker_radius(fort: u8) -> f64 {
    4.0 + 1.6 * f64::from(fort.min(5))
}

fn kind_name(k: RouteKind) -> &'static str {
    match k {
        RouteKind::Road => "road",
        RouteKind::MountainPath => "mountain_path",
        RouteKind::Pass => "pass",
        RouteKind::RiverCrossing => "river_crossing",
        RouteKind::RiverUp | RouteKind::RiverDown => "river",
    }
}

/// Stroke colour, width and dash pattern of a route kind.
fn route_style(k: RouteKind) -> (&'static str, f64, &'static str) {
    match k {
        RouteKind::Road => ("#7a7a7a", 2.0, ""),
        RouteKind::MountainPath => ("#8b5a2b", 2.0, "6 4"),
        RouteKind::Pass => ("#5b2c0f", 3.5, "2 3"),
        RouteKind::RiverCrossing => ("#2f6fb0", 2.0, "1 4"),
        RouteKind::RiverUp | RouteKind::RiverDown => ("#2f6fb0", 3.0, ""),
    }
}

const SEASONS: [&str; 4] = ["spring", "summer", "autumn", "winter"];

/// The map of a loaded scenario (after its mods and variants), as SVG text.
pub fn map_svg(s: &Scenario) -> String {
    let w = s.template();
    let c = Canvas::new(w);
    let mut o = String::new();
    let subtitle = format!("controllers on {}; {} provinces, {} routes", w.start, w.provinces.len(), w.routes.len());
    c.open(&mut o, &s.id, &format!("{} — map at the start ({})", s.name, w.start), &s.name, &subtitle);
    c.regions(&mut o);
    c.routes(&mut o);
    c.provinces(&mut o);
    let mut y = c.legend_box(&mut o);
    y = c.legend_factions(&mut o, y, "Controller at the start");
    y = legend_routes(&mut o, y);
    y = legend_forts(&mut o, y);
    legend_note(
        &mut o,
        y,
        &["Hover a marker or a route for its details;", "labels that would overlap are left to it."],
    );
    o.push_str("</g></svg>\n");
    o
}

/// The colour of faction `f` of `w` (grey for none).
pub fn faction_colour(w: &WorldSpec, f: usize) -> &str {
    w.factions.get(f).map_or("#888888", |f| colour(&f.colour))
}

/// A scenario's map laid out: where each province stands and where its label goes.
pub struct Canvas<'a> {
    /// The world drawn.
    pub w: &'a WorldSpec,
    /// Each province's place on the map, in pixels.
    pub pos: Vec<(f64, f64)>,
    /// Height of the map area, in pixels.
    pub height: f64,
    /// Each province's label: the anchor point and `text-anchor`, or none if no place was free.
    labels: Vec<Option<(f64, f64, &'static str)>>,
}

impl<'a> Canvas<'a> {
    /// Lays out the map of `w`.
    pub fn new(w: &'a WorldSpec) -> Canvas<'a> {
        let proj = Projection::fit(w);
        let height = proj.height;
        let pos: Vec<(f64, f64)> = w.provinces.iter().map(|p| proj.xy(p.lat, p.lon)).collect();
        // Labels: the most fortified provinces first, each at the first of eight places around
        // its marker where it overlaps no marker and no label already placed.
        let mut taken: Vec<Rect> = w
            .provinces
            .iter()
            .zip(&pos)
            .map(|(p, &(x, y))| {
                // The marker with its outline (and a walled city's second ring).
                let r = marker_radius(p.fort) + if p.fort >= 3 { 3.5 } else { 1.0 };
                Rect(x - r, y - r, 2.0 * r, 2.0 * r)
            })
            .collect();
        let mut order: Vec<usize> = (0..w.provinces.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(w.provinces[i].fort), i));
        let mut labels: Vec<Option<(f64, f64, &'static str)>> = vec![None; w.provinces.len()];
        for &i in &order {
            let p = &w.provinces[i];
            let text = label_text(&p.name, &p.name_zh);
            // The box a browser gives the text: CJK fonts reach about 1.1 em above the baseline
            // and 0.35 below it.
            let (tw, th) = (text_width(&text), LABEL_FONT * 1.45);
            let (x, y) = pos[i];
            let r = marker_radius(p.fort) + 2.0;
            // Eight places around the marker, then the same eight a little further out.
            let candidates = [0.0, LABEL_NUDGE].into_iter().flat_map(|d| {
                let r = r + d;
                [
                    (x + r, y - th / 2.0, "start"),
                    (x - r - tw, y - th / 2.0, "end"),
                    (x - tw / 2.0, y - r - th, "middle"),
                    (x - tw / 2.0, y + r, "middle"),
                    (x + r * 0.7, y - r * 0.7 - th, "start"),
                    (x + r * 0.7, y + r * 0.7, "start"),
                    (x - r * 0.7 - tw, y - r * 0.7 - th, "end"),
                    (x - r * 0.7 - tw, y + r * 0.7, "end"),
                ]
            });
            for (bx, by, anchor) in candidates {
                let rect = Rect(bx, by, tw, th);
                let inside = bx >= 0.0 && by >= 60.0 && bx + tw <= MAP_WIDTH && by + th <= height;
                if inside && !taken.iter().enumerate().any(|(j, t)| j != i && t.overlaps(&rect)) {
                    taken.push(rect);
                    let ax = match anchor {
                        "start" => bx,
                        "end" => bx + tw,
                        _ => bx + tw / 2.0,
                    };
                    labels[i] = Some((ax, by + LABEL_FONT * 1.1, anchor));
                    break;
                }
            }
        }

        Canvas { w, pos, height, labels }
    }

    /// Width of the whole picture (map and legend), in pixels.
    pub fn width(&self) -> f64 {
        MAP_WIDTH + LEGEND_WIDTH
    }

    /// Opens the `<svg data-map>` element: its title, shared markers, background and heading.
    pub fn open(&self, o: &mut String, id: &str, title: &str, heading: &str, subtitle: &str) {
        let (width, height) = (self.width(), self.height);
        let _ = writeln!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" data-map="{}" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="{}">"#,
            esc(id),
            FONT_STACK
        );
        let _ = writeln!(o, "<title>{}</title>", esc(title));
        o.push_str(
            r##"<defs><marker id="downstream" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#2f6fb0"/></marker></defs>
"##,
        );
        let _ = writeln!(o, r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#f7f3e8"/>"##);
        let _ = writeln!(
            o,
            r##"<text x="{MARGIN}" y="32" font-size="20" font-weight="bold" fill="#333">{}</text>"##,
            esc(heading)
        );
        let _ = writeln!(
            o,
            r##"<text data-subtitle="" x="{MARGIN}" y="52" font-size="13" fill="#555">{}</text>"##,
            esc(subtitle)
        );
    }

    /// Region names, faint, at the middle of their provinces.
    pub fn regions(&self, o: &mut String) {
        let w = self.w;
        o.push_str("<g data-layer=\"regions\">\n");
        for (ri, r) in w.regions.iter().enumerate() {
            let Some((cx, cy)) = self.region_centre(ri) else { continue };
            let _ = writeln!(
                o,
                r##"<text data-region="{}" x="{cx:.1}" y="{cy:.1}" font-size="22" font-style="italic" fill="#b9ad92" fill-opacity="0.55" text-anchor="middle">{}</text>"##,
                esc(&r.key),
                esc(&r.key.replace('_', " "))
            );
        }
        o.push_str("</g>\n");
    }

    /// Where region `ri`'s name goes: the middle of its provinces (below the heading).
    pub fn region_centre(&self, ri: usize) -> Option<(f64, f64)> {
        let members: Vec<(f64, f64)> = self
            .w
            .provinces
            .iter()
            .zip(self.pos.iter())
            .filter(|(p, _)| p.regions.contains(&(ri as u16)))
            .map(|(_, xy)| *xy)
            .collect();
        if members.is_empty() {
            return None;
        }
        let n = members.len() as f64;
        let (cx, cy) = members.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
        Some((cx, cy.max(90.0)))
    }

    /// The routes, by kind, with seasonal closures marked.
    pub fn routes(&self, o: &mut String) {
        let (w, pos) = (self.w, &self.pos);
        o.push_str("<g data-layer=\"routes\">\n");
        // The how-manieth route between the same two provinces each route is (a road beside a
        // river): later ones are bent aside so that both show.
        let mut pairs: std::collections::HashMap<(usize, usize), u32> = std::collections::HashMap::new();
        for r in &w.routes {
            let (a, b) = (r.a.index(), r.b.index());
            let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(a), pos.get(b)) else { continue };
            let (ka, kb) = (&w.provinces[a].key, &w.provinces[b].key);
            let (stroke, sw, dash) = route_style(r.kind);
            let closed: Vec<&str> = SEASONS.iter().zip(r.closed).filter(|(_, c)| *c).map(|(s, _)| *s).collect();
            // River transport: the arrow points downstream.
            let ((x1, y1), (x2, y2)) =
                if r.kind == RouteKind::RiverUp { ((x2, y2), (x1, y1)) } else { ((x1, y1), (x2, y2)) };
            let arrow = if matches!(r.kind, RouteKind::RiverUp | RouteKind::RiverDown) {
                r#" marker-mid="url(#downstream)""#
            } else {
                ""
            };
            let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
            let nth = {
                let k = pairs.entry((a.min(b), a.max(b))).or_insert(0);
                *k += 1;
                *k - 1
            };
            let (mut mx, mut my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
            if nth > 0 {
                let (dx, dy) = (x2 - x1, y2 - y1);
                let len = (dx * dx + dy * dy).sqrt().max(1e-9);
                let side = if nth % 2 == 1 { 1.0 } else { -1.0 };
                let bend = PARALLEL_BEND * f64::from(nth.div_ceil(2)) * side;
                (mx, my) = (mx - dy / len * bend, my + dx / len * bend);
            }
            let title = format!(
                "{} – {}: {}, {:.0} km{}",
                w.provinces[a].name,
                w.provinces[b].name,
                kind_name(r.kind).replace('_', " "),
                r.km,
                if closed.is_empty() { String::new() } else { format!(", closed in {}", closed.join(" and ")) }
            );
            let _ = writeln!(
                o,
                r#"<g data-route="{}~{}" data-kind="{}" data-closed="{}"><title>{}</title><polyline points="{x1:.1},{y1:.1} {mx:.1},{my:.1} {x2:.1},{y2:.1}" fill="none" stroke="{stroke}" stroke-width="{sw}"{dash}{arrow}/>"#,
                esc(ka),
                esc(kb),
                kind_name(r.kind),
                closed.join(","),
                esc(&title)
            );
            if !closed.is_empty() {
                // A seasonal closure: a bar across the route at its middle.
                let (dx, dy) = (x2 - x1, y2 - y1);
                let len = (dx * dx + dy * dy).sqrt().max(1e-9);
                let (nx, ny) = (-dy / len * 6.0, dx / len * 6.0);
                let _ = writeln!(
                    o,
                    r##"<line data-closure="" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#c0392b" stroke-width="3"/>"##,
                    mx - nx,
                    my - ny,
                    mx + nx,
                    my + ny
                );
            }
            o.push_str("</g>\n");
        }
        o.push_str("</g>\n");
    }

    /// The provinces: markers filled with their controller's colour at the start, sized
    /// by fortification, labelled where a place was free.
    pub fn provinces(&self, o: &mut String) {
        let (w, pos, labels) = (self.w, &self.pos, &self.labels);
        o.push_str("<g data-layer=\"provinces\">\n");
        for (i, p) in w.provinces.iter().enumerate() {
            let (x, y) = pos[i];
            let f = w.factions.get(p.controller.index());
            let fill = faction_colour(w, p.controller.index());
            let holder = f.map_or("nobody", |f| f.name.as_str());
            let r = marker_radius(p.fort);
            let _ = write!(
                o,
                r##"<g data-province="{}" data-controller="{}" data-fort="{}"><title>{} — held by {} at the start; fortification {}</title><circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}" stroke="#222" stroke-width="1.2"/>"##,
                esc(&p.key),
                esc(f.map_or("none", |f| f.key.as_str())),
                p.fort,
                esc(&label_text(&p.name, &p.name_zh)),
                esc(holder),
                p.fort
            );
            if p.fort >= 3 {
                // A walled city: a second ring.
                let _ = write!(
                    o,
                    r##"<circle cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="none" stroke="#222" stroke-width="1"/>"##,
                    r + 2.5
                );
            }
            if let Some((lx, ly, anchor)) = labels[i] {
                let _ = write!(
                    o,
                    r##"<text x="{lx:.1}" y="{ly:.1}" font-size="{LABEL_FONT}" text-anchor="{anchor}" fill="#222" stroke="#f7f3e8" stroke-width="3" paint-order="stroke">{}</text>"##,
                    esc(&label_text(&p.name, &p.name_zh))
                );
            }
            o.push_str("</g>\n");
        }
        o.push_str("</g>\n");
    }
}

/// A province's label: its name, then its Chinese name if it has one.
pub fn label_text(name: &str, zh: &str) -> String {
    if zh.is_empty() { name.to_string() } else { format!("{name} {zh}") }
}

impl Canvas<'_> {
    /// Opens the legend column (a `<g data-layer="legend">` left open); returns the first line's y.
    pub fn legend_box(&self, o: &mut String) -> f64 {
        let x0 = MAP_WIDTH;
        let _ = writeln!(
            o,
            r##"<g data-layer="legend"><rect x="{x0:.0}" y="70" width="{:.0}" height="{:.0}" fill="#fffdf6" stroke="#ccc"/>"##,
            LEGEND_WIDTH - 10.0,
            self.height - 90.0
        );
        90.0
    }

    /// The factions' colours under `heading`; returns the next free y.
    pub fn legend_factions(&self, o: &mut String, mut y: f64, heading: &str) -> f64 {
        let x0 = LEGEND_X;
        let _ = writeln!(
            o,
            r##"<text x="{x0}" y="{y}" font-size="14" font-weight="bold" fill="#333">{}</text>"##,
            esc(heading)
        );
        for f in &self.w.factions {
            y += 22.0;
            let _ = writeln!(
                o,
                r##"<circle cx="{:.1}" cy="{:.1}" r="7" fill="{}" stroke="#222"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#222">{}</text>"##,
                x0 + 8.0,
                y - 4.0,
                colour(&f.colour),
                x0 + 22.0,
                y,
                esc(&f.name)
            );
        }
        y + 34.0
    }
}

/// Left edge of the legend's text, in pixels.
pub const LEGEND_X: f64 = MAP_WIDTH + 10.0;

/// The route kinds and the closure mark; returns the next free y.
pub fn legend_routes(o: &mut String, mut y: f64) -> f64 {
    let x0 = LEGEND_X;
    let _ = writeln!(o, r##"<text x="{x0}" y="{y}" font-size="14" font-weight="bold" fill="#333">Routes</text>"##);
    for (kind, text) in [
        (RouteKind::Road, "road"),
        (RouteKind::MountainPath, "mountain path"),
        (RouteKind::Pass, "pass"),
        (RouteKind::RiverCrossing, "river crossing"),
        (RouteKind::RiverDown, "river (arrow: downstream)"),
    ] {
        y += 22.0;
        let (stroke, sw, dash) = route_style(kind);
        let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        let arrow = if kind == RouteKind::RiverDown { r#" marker-mid="url(#downstream)""# } else { "" };
        let _ = writeln!(
            o,
            r##"<polyline points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="none" stroke="{stroke}" stroke-width="{sw}"{dash}{arrow}/><text x="{:.1}" y="{:.1}" font-size="12" fill="#222">{text}</text>"##,
            x0,
            y - 4.0,
            x0 + 18.0,
            y - 4.0,
            x0 + 36.0,
            y - 4.0,
            x0 + 44.0,
            y
        );
    }
    y += 22.0;
    let _ = writeln!(
        o,
        r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#7a7a7a" stroke-width="2"/><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#c0392b" stroke-width="3"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#222">closed in some season (hover)</text>"##,
        x0,
        y - 4.0,
        x0 + 36.0,
        y - 4.0,
        x0 + 18.0,
        y - 10.0,
        x0 + 18.0,
        y + 2.0,
        x0 + 44.0,
        y
    );
    y + 34.0
}

/// Marker sizes by fortification; returns the next free y.
pub fn legend_forts(o: &mut String, mut y: f64) -> f64 {
    let x0 = LEGEND_X;
    let _ =
        writeln!(o, r##"<text x="{x0}" y="{y}" font-size="14" font-weight="bold" fill="#333">Fortification</text>"##);
    for fort in [0u8, 2, 3, 5] {
        y += 24.0;
        let r = marker_radius(fort);
        let ring = if fort >= 3 {
            format!(
                r##"<circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="none" stroke="#222"/>"##,
                x0 + 10.0,
                y - 4.0,
                r + 2.5
            )
        } else {
            String::new()
        };
        let what = if fort >= 3 { " (walled city)" } else { "" };
        let _ = writeln!(
            o,
            r##"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="#ddd" stroke="#222"/>{ring}<text x="{:.1}" y="{:.1}" font-size="12" fill="#222">{fort}{what}</text>"##,
            x0 + 10.0,
            y - 4.0,
            x0 + 30.0,
            y
        );
    }
    y + 30.0
}

/// Small grey lines of notes at `y`.
pub fn legend_note(o: &mut String, y: f64, lines: &[&str]) {
    for (i, l) in lines.iter().enumerate() {
        let _ = writeln!(
            o,
            r##"<text x="{LEGEND_X}" y="{:.0}" font-size="11" fill="#666">{}</text>"##,
            y + 14.0 * i as f64,
            esc(l)
        );
    }
}
