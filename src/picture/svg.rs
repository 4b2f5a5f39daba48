//! What every picture shares: XML escaping, colours, numbers for people, axis ticks.

/// The fonts of every picture: Noto (Debian's fonts-noto-cjk) first, then what other
/// systems have for Chinese, then any sans-serif.
pub const FONT_STACK: &str =
    "'Noto Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

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
