//! Located errors. Every problem found while loading a scenario becomes one
//! [`Problem`]: what is wrong, where (file, byte span, shown as line:column with a
//! snippet), and what to do about it. Loading reports every problem it can find at once.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// The texts that a scenario was loaded from: files, and the synthetic sources of
/// overrides (`--set`) and variants. Spans point into these.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<(String, Arc<str>)>,
    /// (address of the text, its length, its id), sorted by address, so that `locate` is
    /// a binary search however many overrides added sources.
    by_addr: Vec<(usize, usize, SourceId)>,
}

/// An index into [`Sources`].
pub type SourceId = usize;

impl Sources {
    /// Adds a text; returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceId {
        let text: Arc<str> = text.into();
        let id = self.files.len();
        let key = (text.as_ptr() as usize, text.len(), id);
        let at = self.by_addr.partition_point(|x| *x < key);
        self.by_addr.insert(at, key);
        self.files.push((name.into(), text));
        id
    }

    /// The name and text of a source.
    pub fn get(&self, id: SourceId) -> (&str, &Arc<str>) {
        let (n, t) = &self.files[id];
        (n, t)
    }

    /// The source whose text contains the address `addr`, and the offset in it.
    pub fn locate(&self, addr: usize, len: usize) -> Option<(SourceId, Range<usize>)> {
        // Texts do not overlap in memory (empty ones may share an address): the one that
        // holds `addr` starts at or before it, and is among the last few that do.
        let after = self.by_addr.partition_point(|&(start, _, _)| start <= addr);
        self.by_addr[..after].iter().rev().take(8).find_map(|&(start, tlen, i)| {
            (addr >= start && addr.saturating_add(len) <= start + tlen).then(|| (i, addr - start..addr - start + len))
        })
    }

    /// Byte offset of 1-based `line`, `col` (in characters) in source `id`.
    pub fn offset(&self, id: SourceId, line: usize, col: usize) -> usize {
        let text = &self.files[id].1;
        let mut off = 0;
        for (n, l) in text.split_inclusive('\n').enumerate() {
            if n + 1 == line {
                return off + l.char_indices().nth(col.saturating_sub(1)).map_or(l.len(), |(b, _)| b);
            }
            off += l.len();
        }
        text.len()
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, id: SourceId, offset: usize) -> (usize, usize) {
        let text = &self.files[id].1;
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

/// Where a problem is.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    /// The source.
    pub source: SourceId,
    /// Byte span in it.
    pub span: Range<usize>,
}

/// The kind of problem, as a stable code (`tianxia::scenario::<code>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// The file could not be read.
    Io,
    /// RON syntax.
    Syntax,
    /// A value of the wrong type or shape, or an unknown field.
    Schema,
    /// A reference to an id that does not exist.
    UnknownId,
    /// Two entries with one id.
    DuplicateId,
    /// A number out of its range.
    OutOfRange,
    /// A date that does not exist or is out of order.
    BadDate,
    /// An override or variant that names something that does not exist.
    BadOverride,
    /// A mod that cannot be applied.
    BadMod,
    /// A structural problem in the world (self-loops, empty map).
    BadWorld,
}

impl Code {
    fn as_str(self) -> &'static str {
        match self {
            Code::Io => "tianxia::scenario::io",
            Code::Syntax => "tianxia::scenario::syntax",
            Code::Schema => "tianxia::scenario::schema",
            Code::UnknownId => "tianxia::scenario::unknown_id",
            Code::DuplicateId => "tianxia::scenario::duplicate_id",
            Code::OutOfRange => "tianxia::scenario::out_of_range",
            Code::BadDate => "tianxia::scenario::bad_date",
            Code::BadOverride => "tianxia::scenario::bad_override",
            Code::BadMod => "tianxia::scenario::bad_mod",
            Code::BadWorld => "tianxia::scenario::bad_world",
        }
    }
}

/// One problem in a scenario.
#[derive(Clone, Debug)]
pub struct Problem {
    /// What kind.
    pub code: Code,
    /// What is wrong (lowercase, no final period).
    pub message: String,
    /// Where, if known.
    pub location: Option<Location>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Problem {
    /// A problem at `location`.
    pub fn new(code: Code, message: impl Into<String>, location: Option<Location>) -> Problem {
        Problem { code, message: message.into(), location, help: None }
    }

    /// Adds a hint.
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found while loading, with the sources to show them in.
#[derive(Debug)]
pub struct LoadError {
    /// The problems, in the order found.
    pub problems: Vec<Problem>,
    /// The texts they point into.
    pub sources: Sources,
}

impl LoadError {
    /// Each problem as one plain line: `file:line:col: message (hint)`.
    pub fn lines(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| {
                let at = match &p.location {
                    Some(l) => {
                        let (name, _) = self.sources.get(l.source);
                        let (line, col) = self.sources.line_col(l.source, l.span.start);
                        format!("{name}:{line}:{col}: ")
                    }
                    None => String::new(),
                };
                match &p.help {
                    Some(h) => format!("{at}{}; {h}", p.message),
                    None => format!("{at}{}", p.message),
                }
            })
            .collect()
    }

    /// miette diagnostics, one per problem, for rich rendering.
    pub fn diagnostics(&self) -> Vec<ProblemReport> {
        self.diagnostics_up_to(usize::MAX)
    }

    /// The diagnostics of the first `n` problems (each carries a copy of its source text,
    /// so a terminal shows a bounded number of them).
    pub fn diagnostics_up_to(&self, n: usize) -> Vec<ProblemReport> {
        self.problems
            .iter()
            .take(n)
            .map(|p| {
                let (src, span, at) = match &p.location {
                    Some(l) => {
                        let (name, text) = self.sources.get(l.source);
                        let (line, col) = self.sources.line_col(l.source, l.span.start);
                        let len = l.span.len().max(1).min(text.len().saturating_sub(l.span.start));
                        (
                            Some(NamedSource::new(name, text.to_string())),
                            Some(SourceSpan::new(l.span.start.into(), len)),
                            format!("{name}:{line}:{col}"),
                        )
                    }
                    None => (None, None, String::new()),
                };
                ProblemReport { code: p.code, message: p.message.clone(), at, help: p.help.clone(), src, span }
            })
            .collect()
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in self.lines() {
            writeln!(f, "error: {l}")?;
        }
        write!(f, "{} problem{} found", self.problems.len(), if self.problems.len() == 1 { "" } else { "s" })
    }
}

impl std::error::Error for LoadError {}

/// One problem as a miette diagnostic.
#[derive(Debug)]
pub struct ProblemReport {
    code: Code,
    message: String,
    at: String,
    help: Option<String>,
    src: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl fmt::Display for ProblemReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() { write!(f, "{}", self.message) } else { write!(f, "{}: {}", self.at, self.message) }
    }
}

impl std::error::Error for ProblemReport {}

impl Diagnostic for ProblemReport {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.span.map(|s| Box::new(std::iter::once(miette::LabeledSpan::new_with_span(Some("here".into()), s))) as _)
    }
}

/// Longest id, in bytes, explicit or derived (`from-to`, `faction-kind-target`).
pub const MAX_ID_BYTES: usize = 128;

/// The closest of `candidates` to `name`, if any is close enough to suggest. Bounded: a
/// name longer than [`MAX_ID_BYTES`] gets no suggestion, and candidates whose length
/// differs a lot from the name's are not compared, so this stays fast on any input.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    if name.len() > MAX_ID_BYTES {
        return None;
    }
    let slack = (name.len() / 2).max(3);
    candidates
        .into_iter()
        .filter(|c| c.len() <= MAX_ID_BYTES && c.len().abs_diff(name.len()) <= slack)
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

/// A name as a message shows it: cut after 64 characters, so that a huge name does not
/// flood the terminal.
pub fn shown(name: &str) -> String {
    match name.char_indices().nth(64) {
        Some((cut, _)) => format!("{}… ({} bytes)", &name[..cut], name.len()),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_the_source_of_any_slice_among_many() {
        let mut s = Sources::default();
        let ids: Vec<SourceId> = (0..500).map(|i| s.add(format!("s{i}"), format!("text number {i}"))).collect();
        for &id in ids.iter().rev().step_by(7) {
            let text = s.get(id).1.clone();
            let slice = &text[5..11];
            assert_eq!(s.locate(slice.as_ptr() as usize, slice.len()), Some((id, 5..11)));
        }
        assert_eq!(s.locate(0, 0), None, "a synthetic value has no source");
        let outside = String::from("not in any source");
        assert_eq!(s.locate(outside.as_ptr() as usize, outside.len()), None);
    }
}
