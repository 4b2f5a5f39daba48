//! Charts drawn as SVG: linear scales, round ticks, short numbers, and the line chart of a
//! run's turns.
//!
//! Written by hand rather than with a plotting crate: every mark carries the data
//! attributes that tests and the page's script address (`data-army`, `data-arm`, ...),
//! and the charts are a few hundred lines of plain SVG.

use super::svg::esc;
use std::fmt::Write;

/// A linear map from data values to pixels.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `d0..d1` onto `r0..r1` (an empty domain is widened to one unit).
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let (d0, d1) = if d1 > d0 && d0.is_finite() && d1.is_finite() { (d0, d1) } else { (d0 - 0.5, d0 + 0.5) };
        Scale { d0, d1, r0, r1 }
    }

    /// The pixel of value `x`.
    pub fn at(&self, x: f64) -> f64 {
        self.r0 + (x - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// About `n` round values (1, 2, 2.5 or 5 times a power of ten apart) within `lo..=hi`.
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || !lo.is_finite() || !hi.is_finite() {
        return vec![if lo.is_finite() { lo } else { 0.0 }];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw * 0.999).unwrap_or(10.0 * mag);
    let mut v = Vec::new();
    let mut k = (lo / step).ceil();
    while k * step <= hi + step * 1e-9 && v.len() < 50 {
        v.push(k * step);
        k += 1.0;
    }
    v
}

/// A number as an axis or a label shows it: `12k`, `1.5M`, `0.25`, `40`.
pub fn short(x: f64) -> String {
    let trim = |s: String| {
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    };
    let a = x.abs();
    if a >= 1e6 {
        trim(format!("{:.1}", x / 1e6)) + "M"
    } else if a >= 1e4 {
        format!("{:.0}k", x / 1e3)
    } else if a >= 1e3 {
        trim(format!("{:.1}", x / 1e3)) + "k"
    } else if a >= 10.0 {
        format!("{x:.0}")
    } else {
        trim(format!("{x:.2}"))
    }
}

pub use tianxia_engine::record::log::men;

/// Which of `n` frames get a date on an axis: at most `k`, evenly spaced from the first.
pub fn date_ticks(n: usize, k: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let every = n.div_ceil(k.max(1)).max(1);
    (0..n).step_by(every).collect()
}

/// Margins of a line chart, in pixels: left (the axis' numbers), right (the lines' labels),
/// top (the title), bottom (the dates).
const CHART_MARGINS: (f64, f64, f64, f64) = (58.0, 160.0, 34.0, 30.0);
/// Least distance between two lines' labels, in pixels (a line of 11 px text).
const LABEL_GAP: f64 = 13.0;
/// Most characters of a line's label at its end (the whole name is its tooltip).
const LABEL_CHARS: usize = 24;

/// `s` cut to `n` characters, with an ellipsis if it was longer.
pub fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
    }
}

/// One line of a [`line_chart`].
pub struct Line {
    /// Shown at the line's end.
    pub label: String,
    /// Stroke colour.
    pub colour: String,
    /// One value per frame; `None` where the thing did not exist (a gap).
    pub values: Vec<Option<f64>>,
    /// Attributes of the line's `<g>` (e.g. `data-army="x"`), already escaped.
    pub attrs: String,
    /// Drawn dashed.
    pub dashed: bool,
}

/// Moves the `ys` (label baselines, any order) apart so that none is closer than `gap` to
/// another, keeping them inside `lo..=hi` where they fit; returns them in the same order.
pub fn spread(ys: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]));
    let mut out = ys.to_vec();
    let mut prev = f64::NEG_INFINITY;
    for &i in &order {
        out[i] = out[i].max(prev + gap).max(lo);
        prev = out[i];
    }
    // Pushed past the bottom: shift the tail back up.
    let mut next = f64::INFINITY;
    for &i in order.iter().rev() {
        out[i] = out[i].min(next - gap).min(hi);
        next = out[i];
    }
    out
}

/// A line chart of values per frame (x: frame index, labelled with `dates`), in a `<svg>`
/// carrying `attrs`, with a vertical cursor (`data-cursor`) the page's script moves.
pub fn line_chart(o: &mut String, attrs: &str, title: &str, dates: &[String], lines: &[Line], width: f64, height: f64) {
    let (left, right, top, bottom) = CHART_MARGINS;
    let max = lines.iter().flat_map(|l| l.values.iter().flatten()).fold(0.0f64, |a, &b| a.max(b));
    let mut yt = ticks(0.0, max.max(1.0), 5);
    // Up to the first tick at or above the largest value.
    if let [.., a, b] = yt[..]
        && b < max
    {
        yt.push(b + (b - a));
    }
    let ymax = yt.last().copied().unwrap_or(1.0).max(max);
    let xs = Scale::new(0.0, dates.len().saturating_sub(1).max(1) as f64, left, width - right);
    let ys = Scale::new(0.0, ymax, height - bottom, top);
    let _ = writeln!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" {attrs} viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" class="chart"><title>{}</title><text x="{left}" y="18" class="chart-title">{}</text>"##,
        esc(title),
        esc(title)
    );
    for t in &yt {
        let y = ys.at(*t);
        let _ = writeln!(
            o,
            r##"<line x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
            width - right,
            left - 6.0,
            y + 4.0,
            short(*t)
        );
    }
    let n = dates.len();
    for i in date_ticks(n, 6) {
        let x = xs.at(i as f64);
        let _ = writeln!(
            o,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" class="axis"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"##,
            height - bottom,
            height - bottom + 4.0,
            height - bottom + 17.0,
            esc(&dates[i])
        );
    }
    let _ = writeln!(
        o,
        r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" class="axis"/>"##,
        width - right,
        height - bottom,
        height - bottom
    );
    // Labels at each line's last point, spread apart.
    let ends: Vec<(usize, f64)> = lines
        .iter()
        .map(|l| {
            let last = l.values.iter().rposition(Option::is_some).unwrap_or(0);
            (last, l.values.get(last).copied().flatten().unwrap_or(0.0))
        })
        .collect();
    let label_ys =
        spread(&ends.iter().map(|(_, v)| ys.at(*v) + 4.0).collect::<Vec<_>>(), LABEL_GAP, top, height - bottom);
    for (l, ((last, _), ly)) in lines.iter().zip(ends.iter().zip(label_ys)) {
        let _ = write!(o, "<g {}><title>{}</title>", l.attrs, esc(&l.label));
        let mut run: Vec<String> = Vec::new();
        let dash = if l.dashed { r#" stroke-dasharray="5 3""# } else { "" };
        let flush = |run: &mut Vec<String>, o: &mut String| {
            if run.len() > 1 {
                let _ = write!(
                    o,
                    r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
                    run.join(" "),
                    l.colour
                );
            }
            run.clear();
        };
        for (i, v) in l.values.iter().enumerate() {
            match v {
                Some(v) => run.push(format!("{:.1},{:.1}", xs.at(i as f64), ys.at(*v))),
                None => flush(&mut run, o),
            }
        }
        flush(&mut run, o);
        let lx = xs.at(*last as f64) + 6.0;
        let _ = writeln!(
            o,
            r#"<text x="{lx:.1}" y="{ly:.1}" class="line-label" fill="{}">{}</text></g>"#,
            l.colour,
            esc(&cut(&l.label, LABEL_CHARS))
        );
    }
    let x = xs.at(n.saturating_sub(1) as f64);
    let _ = writeln!(
        o,
        r##"<line data-cursor="" x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{:.1}" data-x0="{left}" data-x1="{:.1}" class="cursor"/></svg>"##,
        height - bottom,
        width - right
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(ticks(0.0, 173_000.0, 5), vec![0.0, 50_000.0, 100_000.0, 150_000.0]);
        assert_eq!(ticks(3.0, 3.0, 5), vec![3.0]);
        assert_eq!(ticks(f64::NAN, 1.0, 5), vec![0.0]);
    }

    #[test]
    fn date_ticks_are_even_and_at_most_k() {
        assert_eq!(date_ticks(75, 6), vec![0, 13, 26, 39, 52, 65]);
        assert_eq!(date_ticks(61, 6), vec![0, 11, 22, 33, 44, 55]);
        assert_eq!(date_ticks(70, 6), vec![0, 12, 24, 36, 48, 60]);
        assert_eq!(date_ticks(1, 6), vec![0]);
        assert!(date_ticks(0, 6).is_empty());
    }

    #[test]
    fn short_numbers_read_as_people_write_them() {
        assert_eq!(short(150_000.0), "150k");
        assert_eq!(short(1_500_000.0), "1.5M");
        assert_eq!(short(2_500.0), "2.5k");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(40.0), "40");
        assert_eq!(men(-1_234_567.4), "-1,234,567");
    }

    #[test]
    fn spread_labels_keep_their_gap_and_order() {
        let out = spread(&[50.0, 51.0, 52.0, 200.0], 10.0, 0.0, 300.0);
        assert_eq!(out, vec![50.0, 60.0, 70.0, 200.0]);
        let out = spread(&[295.0, 296.0], 10.0, 0.0, 300.0);
        assert_eq!(out, vec![290.0, 300.0]);
    }
}
