//! What every picture shares: XML escaping, colours, numbers for people, axis ticks.

/// The fonts of every picture: Noto (Debian's fonts-noto-cjk) first, then what other
/// systems have for Chinese, then any sans-serif.
pub const FONT_STACK: &str =
    "'Noto Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/// Colours of arms and of category labels, shared by the reports (a category's labels take
/// them from [`LABEL_COLOUR_FROM`] on, most frequent first).
pub const PALETTE: [&str; 10] =
    ["#33414e", "#e15759", "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7"];

/// Where category labels start in [`PALETTE`].
pub const LABEL_COLOUR_FROM: usize = 2;

/// Text for XML: the five special characters escaped.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A colour as the scenario gives it, if it is a plain `#rgb`/`#rrggbb` or a name; else grey.
pub fn colour(c: &str) -> &str {
    let hex =
        c.strip_prefix('#').is_some_and(|h| (h.len() == 3 || h.len() == 6) && h.chars().all(|x| x.is_ascii_hexdigit()));
    let name = !c.is_empty() && c.len() <= 20 && c.chars().all(|x| x.is_ascii_alphabetic());
    if hex || name { c } else { "#888888" }
}
