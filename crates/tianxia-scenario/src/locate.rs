//! A small RON scanner that finds the fields of a struct in source text, so that
//! overrides, variants and mods can patch one field of one entry while every other byte,
//! and so every other error position, stays as the modder wrote it.
//!
//! It does not parse RON (the `ron` crate does); it only skips strings, comments and
//! brackets well enough to find where each top-level field of a `( ... )` value starts
//! and ends.

use std::ops::Range;

/// A field of a struct value: its name and the byte ranges of name and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Where the name is.
    pub name_range: Range<usize>,
    /// Where the value is (trimmed).
    pub value_range: Range<usize>,
}

/// The fields of a struct value `Name?( a: 1, b: (..) )`, and the position of its closing
/// parenthesis; `None` if `text` is not a struct value.
pub fn fields(text: &str) -> Option<(Vec<Field>, usize)> {
    let b = text.as_bytes();
    let mut i = skip_trivia(b, 0);
    // Optional struct name.
    let (_, after) = ident(b, i);
    i = skip_trivia(b, after);
    if b.get(i) != Some(&b'(') {
        return None;
    }
    i += 1;
    let mut out = Vec::new();
    loop {
        i = skip_trivia(b, i);
        match b.get(i) {
            None => return None,
            Some(b')') => return Some((out, i)),
            _ => {}
        }
        let (name, end) = ident(b, i);
        if name.is_empty() {
            return None;
        }
        let name_range = i..end;
        i = skip_trivia(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_trivia(b, i + 1);
        let start = i;
        let stop = value_end(b, i)?;
        let mut trimmed = stop;
        while trimmed > start && (b[trimmed - 1] as char).is_ascii_whitespace() {
            trimmed -= 1;
        }
        out.push(Field { name: name.to_string(), name_range, value_range: start..trimmed });
        i = skip_trivia(b, stop);
        if b.get(i) == Some(&b',') {
            i += 1;
        }
    }
}

/// The value text of field `name`, if present.
pub fn field<'a>(text: &'a str, name: &str) -> Option<(&'a str, Range<usize>)> {
    let (fs, _) = fields(text)?;
    fs.into_iter().find(|f| f.name == name).map(|f| (&text[f.value_range.clone()], f.value_range))
}

/// Replaces (or adds) the value at `path` (field names, outermost first) inside the struct
/// `text`. Missing intermediate structs are created as `(field: value)`.
pub fn set_path(text: &str, path: &[&str], value: &str) -> Result<String, String> {
    let Some((first, rest)) = path.split_first() else { return Ok(value.to_string()) };
    let (fs, close) = fields(text).ok_or_else(|| "the entry is not a struct `( ... )`".to_string())?;
    match fs.iter().find(|f| f.name == *first) {
        Some(f) => {
            let inner = &text[f.value_range.clone()];
            let new = if rest.is_empty() { value.to_string() } else { set_path(inner, rest, value)? };
            Ok(format!("{}{}{}", &text[..f.value_range.start], new, &text[f.value_range.end..]))
        }
        None => {
            let new = if rest.is_empty() { value.to_string() } else { set_path("()", rest, value)? };
            let before = text[..close].trim_end();
            let sep = if before.ends_with('(') {
                ""
            } else if before.ends_with(',') {
                " "
            } else {
                ", "
            };
            Ok(format!("{before}{sep}{first}: {new}{}", &text[close..]))
        }
    }
}

fn ident(b: &[u8], i: usize) -> (&str, usize) {
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    // Only ASCII bytes were accepted, so this slice is valid UTF-8.
    (std::str::from_utf8(&b[i..j]).unwrap_or(""), j)
}

/// Skips whitespace and comments.
pub fn skip_trivia(b: &[u8], mut i: usize) -> usize {
    if i > b.len() {
        return b.len();
    }
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return i;
        }
    }
}

/// The end of the value starting at `i`: the first `,` or closing bracket at depth 0.
fn value_end(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'"' => i = string_end(b, i)?,
            b'r' if b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#') => {
                let mut hashes = 0;
                let mut j = i + 1;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                let rest = &b[j + 1..];
                let at = rest.windows(close.len()).position(|w| w == close.as_slice())?;
                i = j + 1 + at + close.len();
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') || b.get(i + 1) == Some(&b'*') => i = skip_trivia(b, i),
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
                i += 1;
            }
            b',' if depth == 0 => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The first string literal (`"..."`, outside comments) longer than `max` bytes, as the
/// byte range of its text; a string that never ends counts up to the end of `b`.
pub fn long_string(b: &[u8], max: usize) -> Option<Range<usize>> {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(b, i).unwrap_or(b.len()).min(b.len());
                if end - i > max + 2 {
                    return Some(i..end);
                }
                i = end.max(i + 1);
            }
            b'/' if b.get(i + 1) == Some(&b'/') || b.get(i + 1) == Some(&b'*') => i = skip_trivia(b, i).max(i + 1),
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fields_past_strings_comments_and_nesting() {
        let t = r#"( id: "a, (b)", // a comment, with ) inside
            orders: script([(to: "x")]), /* block ) */ km: 70 )"#;
        let (fs, _) = fields(t).unwrap_or_default();
        let names: Vec<&str> = fs.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "orders", "km"]);
        assert_eq!(&t[fs[1].value_range.clone()], r#"script([(to: "x")])"#);
        assert_eq!(&t[fs[2].value_range.clone()], "70");
    }

    #[test]
    fn set_path_replaces_adds_and_nests() {
        let t = "(id: \"a\", cavalry: 100)";
        assert_eq!(set_path(t, &["cavalry"], "5").unwrap_or_default(), "(id: \"a\", cavalry: 5)");
        assert_eq!(set_path(t, &["quality"], "1.2").unwrap_or_default(), "(id: \"a\", cavalry: 100, quality: 1.2)");
        assert_eq!(
            set_path(t, &["drain", "men"], "9").unwrap_or_default(),
            "(id: \"a\", cavalry: 100, drain: (men: 9))"
        );
        assert!(set_path("[1, 2]", &["x"], "1").is_err());
    }
}
