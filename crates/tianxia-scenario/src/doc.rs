//! The scenario as a document: settings, parameters and, per section, entries kept as
//! located source text. Variants, mods and `--set` overrides are layers applied to this
//! document before any entry is parsed into types, so that every layer can touch any
//! field of any entry by id, and errors still point at the text that caused them.

use crate::error::{Code, Location, Problem, SourceId, Sources, shown};
use crate::locate;
use crate::raw::{self, Sp};
use ron::value::RawValue;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// The sections of a scenario, in the order they are resolved.
pub const SECTIONS: [&str; 13] = [
    "regions",
    "factions",
    "provinces",
    "routes",
    "commanders",
    "armies",
    "relations",
    "tributes",
    "access",
    "objectives",
    "events",
    "outcomes",
    "flags",
];

/// Most entries in one section (after every layer), and most variants.
pub const MAX_ENTRIES: usize = 100_000;
/// Longest text (a string literal) in a scenario or layer file, in bytes.
pub const MAX_STRING_BYTES: usize = 10_000;

/// A problem for the first string literal of `text` longer than [`MAX_STRING_BYTES`].
fn long_string(sources: &Sources, text: &str) -> Option<Problem> {
    let r = locate::long_string(text.as_bytes(), MAX_STRING_BYTES)?;
    let at = raw_loc(sources, text)
        .map(|l| Location { source: l.source, span: l.span.start + r.start..l.span.start + r.start + 1 });
    Some(
        Problem::new(
            Code::OutOfRange,
            format!("this text is {} bytes long; texts are limited to {MAX_STRING_BYTES} bytes", r.len()),
            at,
        )
        .help("is a closing quote missing?"),
    )
}

/// A problem if `section` has more than [`MAX_ENTRIES`] entries.
fn too_many(section: &str, n: usize, at: Option<Location>) -> Option<Problem> {
    (n > MAX_ENTRIES).then(|| {
        Problem::new(
            Code::OutOfRange,
            format!("`{section}` has {n} entries; a section is limited to {MAX_ENTRIES}"),
            at,
        )
    })
}

/// One entry of a section: its id and where its text is.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The entry's id (explicit, or derived for routes, relations and the like).
    pub id: String,
    /// The source holding its text.
    pub source: SourceId,
    /// The byte range of its text.
    pub range: Range<usize>,
    /// The values that overrides wrote into the text, newest last, so that a problem in
    /// one of them is blamed on the override that wrote it.
    pub patches: Vec<Patch>,
}

/// A value written into an entry by an override.
#[derive(Clone, Debug)]
pub struct Patch {
    /// Where the value is in the entry's (synthetic) source.
    pub range: Range<usize>,
    /// What wrote it: `--set armies.a.cavalry`, `variant v armies.a.cavalry`.
    pub origin: String,
}

/// The patches of `old` after the single replacement that made `new` from it, plus one
/// for the replaced part.
fn patches_after(old: &str, new: &str, before: &[Patch], origin: String) -> Vec<Patch> {
    let (o, n) = (old.as_bytes(), new.as_bytes());
    let prefix = o.iter().zip(n).take_while(|(a, b)| a == b).count();
    let max_suffix = o.len().min(n.len()) - prefix;
    let suffix = o.iter().rev().zip(n.iter().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
    let (old_end, new_end) = (o.len() - suffix, n.len() - suffix);
    let mut out: Vec<Patch> = before
        .iter()
        .filter_map(|p| {
            if p.range.end <= prefix {
                Some(p.clone())
            } else if p.range.start >= old_end {
                let shift = |x: usize| x - old_end + new_end;
                Some(Patch { range: shift(p.range.start)..shift(p.range.end), origin: p.origin.clone() })
            } else {
                None
            }
        })
        .collect();
    out.push(Patch { range: prefix..new_end.max(prefix), origin });
    out
}

/// A variant defined in the scenario, kept as text until it is applied.
#[derive(Clone, Debug)]
pub struct VariantDef {
    /// Its name.
    pub id: String,
    /// What it changes, in words.
    pub description: String,
    /// Where its text is.
    pub source: SourceId,
    /// The byte range of its text.
    pub range: Range<usize>,
}

/// Top-level settings of a scenario.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Scenario id.
    pub id: Sp<String>,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// First day, as written.
    pub start: Sp<String>,
    /// Last day, as written.
    pub end: Sp<String>,
    /// Days per turn.
    pub turn_days: Sp<i64>,
}

/// A scenario document.
#[derive(Clone, Debug)]
pub struct Doc {
    /// Settings.
    pub settings: Settings,
    /// Parameter overrides: name, and where the value's text is.
    pub params: BTreeMap<String, (SourceId, Range<usize>)>,
    /// Entries per section.
    pub sections: BTreeMap<&'static str, Vec<Entry>>,
    /// The variants the scenario defines.
    pub variants: Vec<VariantDef>,
}

/// Location of a value that was parsed from `sources`.
pub fn loc<T>(sources: &Sources, sp: &Sp<T>) -> Option<Location> {
    sources.locate(sp.addr, sp.len).map(|(source, span)| Location { source, span })
}

/// Location of a raw text slice.
pub fn raw_loc(sources: &Sources, text: &str) -> Option<Location> {
    sources.locate(text.as_ptr() as usize, text.len()).map(|(source, span)| Location { source, span })
}

/// Turns a ron error in text that starts at `base` (a slice of a source) into a problem.
pub fn ron_problem(sources: &Sources, base: &str, e: &ron::error::SpannedError, what: &str) -> Problem {
    let location = raw_loc(sources, base).map(|l| {
        let (line0, col0) = sources.line_col(l.source, l.span.start);
        // Positions inside `base` are relative to it: shift to the source.
        let (line, col) = if e.span.start.line <= 1 {
            (line0, col0 + e.span.start.col.saturating_sub(1))
        } else {
            (line0 + e.span.start.line - 1, e.span.start.col)
        };
        let start = sources.offset(l.source, line, col);
        Location { source: l.source, span: start..start + 1 }
    });
    let code = match e.code {
        ron::Error::Eof
        | ron::Error::ExpectedArray
        | ron::Error::ExpectedArrayEnd
        | ron::Error::ExpectedComma
        | ron::Error::ExpectedMapColon
        | ron::Error::ExpectedMapEnd
        | ron::Error::ExpectedStructLikeEnd
        | ron::Error::UnclosedBlockComment
        | ron::Error::ExpectedStringEnd
        | ron::Error::TrailingCharacters
        | ron::Error::UnexpectedChar(_)
        | ron::Error::Utf8Error(_) => Code::Syntax,
        _ => Code::Schema,
    };
    let message = first_lower(&e.code.to_string());
    // The text at and before the error, to recognise common slips.
    let (name, after, before) = match &location {
        Some(l) => {
            let (name, text) = sources.get(l.source);
            let at = l.span.start.min(text.len());
            let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
            (name.to_string(), text[at..].to_string(), text[..at].to_string())
        }
        None => (String::new(), String::new(), String::new()),
    };
    let from_set = name.starts_with("<--set");
    let help = match &e.code {
        ron::Error::SuggestRawIdentifier(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            let head: String = before.trim_end_matches(',').chars().rev().take_while(char::is_ascii_digit).collect();
            let head: String = head.chars().rev().collect();
            Some(format!("numbers cannot contain commas: write {head}{digits}, not {head},{digits}"))
        }
        ron::Error::ExpectedDifferentStructName { expected, .. } if ["Access", "Objective"].contains(expected) => {
            let (effect, example) = if *expected == "Access" {
                ("grant_access", "grant_access((grantor: \"wei\", grantee: \"horde\", days: 30))")
            } else {
                ("add_objective", "add_objective((faction: \"zhao\", kind: capture(\"baima\"), priority: 2))")
            };
            Some(format!("the terms of {effect} are a record inside the effect: write double parentheses, {example}"))
        }
        ron::Error::ExpectedDifferentStructName { .. } | ron::Error::ExpectedStructLike
            if before.trim_end().ends_with('[') || before.trim_end().ends_with(',') =>
        {
            Some("each entry of a section is a record in its own parentheses: `[(a: 1, b: 2), (a: 3, b: 4)]`".into())
        }
        ron::Error::ExpectedString
            if what.starts_with("mod ") || what.starts_with("variant") || what == "a variant" =>
        {
            let after = after.trim_start();
            let word: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !word.is_empty() && after[word.len()..].trim_start().starts_with(':') {
                Some(format!(
                    "section names and paths are text in quotes: write \"{word}\": ..., e.g. add: {{ \"provinces\": [ ... ] }}, set: {{ \"armies.a.cavalry\": 1 }}"
                ))
            } else {
                Some("text is written in quotes, like \"kaifeng\"".into())
            }
        }
        ron::Error::ExpectedString | ron::Error::ExpectedFloat | ron::Error::ExpectedInteger | ron::Error::ExpectedStructLike if from_set => Some(quote_hint(&name)),
        ron::Error::NoSuchStructField { expected, .. } => {
            Some(format!("the fields of {what} are: {}", expected.join(", ")))
        }
        ron::Error::MissingStructField { field, .. } => Some(format!("add `{field}: ...` to {what}")),
        ron::Error::TrailingCharacters | ron::Error::ExpectedFloat | ron::Error::ExpectedInteger => Some(
            "values are RON: whole numbers like 30000 (no separators), decimals like 0.5, text and dates in quotes like \"1231-05-01\"".into(),
        ),
        ron::Error::Eof => Some("the file ends too early: is a closing bracket missing?".into()),
        ron::Error::ExceededRecursionLimit => Some(
            "brackets nest at most 128 deep (about 60 nested conditions): put conditions side by side in all([...]) or any([...]) instead of inside one another".into(),
        ),
        _ => None,
    };
    let p = Problem::new(code, format!("{message} (in {what})"), location);
    match help {
        Some(h) => p.help(h),
        None => p,
    }
}

/// How to quote a `--set` value so that the shell keeps the quotes.
pub fn quote_hint(path: &str) -> String {
    let path = path.trim_start_matches("<--set: ").trim_end_matches('>');
    let path = if path.starts_with('<') { "PATH" } else { path };
    format!(
        "text and dates need quotes inside the value, and the shell eats plain ones: write --set '{path}=\"...\"' (e.g. --set 'start=\"1232-08-01\"')"
    )
}

fn first_lower(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect::<String>().trim_end_matches('.').to_string(),
        None => String::new(),
    }
}

/// The id of an entry of `section`, from its text.
fn entry_id(section: &str, text: &str) -> Option<String> {
    let string = |name: &str| locate::field(text, name).and_then(|(v, _)| raw::options().from_str::<String>(v).ok());
    if section == "flags" {
        return raw::options().from_str::<String>(text).ok();
    }
    if let Some(id) = string("id") {
        return Some(id);
    }
    let pair = |a: &str, b: &str| Some(format!("{}-{}", string(a)?, string(b)?));
    match section {
        "routes" => pair("from", "to"),
        "relations" => pair("a", "b"),
        "tributes" => pair("payer", "payee"),
        "access" => pair("grantor", "grantee"),
        "objectives" => {
            let kind =
                locate::field(text, "kind").map(|(v, _)| v.split(['(', ' ']).next().unwrap_or("").to_string())?;
            let target = locate::field(text, "kind").and_then(|(v, _)| {
                v.split_once('(').map(|(_, r)| r.trim_end_matches(')').trim().trim_matches('"').to_string())
            })?;
            Some(format!("{}-{kind}-{target}", string("faction")?))
        }
        _ => None,
    }
}

/// Parses a scenario file (already in `sources` as `source`) into a document.
pub fn parse(sources: &Sources, source: SourceId) -> Result<Doc, Vec<Problem>> {
    let (_, text) = sources.get(source);
    let text: &str = text;
    if text.trim().is_empty() {
        let p = Problem::new(Code::Syntax, "the scenario file is empty", Some(Location { source, span: 0..0 }))
            .help("a scenario is one RON struct: `( id: \"...\", name: \"...\", start: \"1231-05-01\", ... )`; see docs/scenario-format.md");
        return Err(vec![p]);
    }
    if let Some(p) = long_string(sources, text) {
        return Err(vec![p]);
    }
    let top: raw::Top = match raw::options().from_str(text) {
        Ok(t) => t,
        Err(e) => return Err(vec![ron_problem(sources, text, &e, "the scenario file")]),
    };
    let mut problems = Vec::new();
    let mut sections: BTreeMap<&'static str, Vec<Entry>> = BTreeMap::new();
    let lists: [(&'static str, &Vec<&RawValue>); 13] = [
        ("regions", &top.regions),
        ("factions", &top.factions),
        ("provinces", &top.provinces),
        ("routes", &top.routes),
        ("commanders", &top.commanders),
        ("armies", &top.armies),
        ("relations", &top.relations),
        ("tributes", &top.tributes),
        ("access", &top.access),
        ("objectives", &top.objectives),
        ("events", &top.events),
        ("outcomes", &top.outcomes),
        ("flags", &top.flags),
    ];
    for (name, list) in lists {
        if let Some(p) = too_many(name, list.len(), list.first().and_then(|r| raw_loc(sources, r.get_ron().trim()))) {
            problems.push(p);
            continue;
        }
        let entries = sections.entry(name).or_default();
        for raw in list {
            match entry(sources, name, raw.get_ron().trim()) {
                Ok(e) => entries.push(e),
                Err(p) => problems.push(p),
            }
        }
    }
    let mut params = BTreeMap::new();
    if let Some(raw) = top.params {
        match raw::options().from_str::<BTreeMap<String, &RawValue>>(raw.get_ron()) {
            Ok(map) => {
                for (k, v) in map {
                    if let Some(l) = raw_loc(sources, v.get_ron().trim()) {
                        params.insert(k, (l.source, l.span));
                    }
                }
            }
            Err(e) => problems.push(ron_problem(sources, raw.get_ron(), &e, "params")),
        }
    }
    let mut variants = Vec::new();
    if let Some(p) = too_many("variants", top.variants.len(), None) {
        problems.push(p);
    }
    for raw in top.variants.iter().take(MAX_ENTRIES) {
        let t = raw.get_ron().trim();
        match raw::options().from_str::<raw::Variant>(t) {
            Ok(v) => {
                if let Some(l) = raw_loc(sources, t) {
                    variants.push(VariantDef {
                        id: v.id.value.clone(),
                        description: v.description,
                        source: l.source,
                        range: l.span,
                    });
                }
            }
            Err(e) => problems.push(ron_problem(sources, t, &e, "a variant")),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let settings = Settings {
        id: top.id,
        name: top.name,
        description: top.description,
        start: top.start,
        end: top.end,
        turn_days: top.turn_days,
    };
    Ok(Doc { settings, params, sections, variants })
}

fn entry(sources: &Sources, section: &'static str, text: &str) -> Result<Entry, Problem> {
    let text = &text[locate::skip_trivia(text.as_bytes(), 0)..];
    let l = raw_loc(sources, text).ok_or_else(|| Problem::new(Code::Syntax, "entry outside any source", None))?;
    match entry_id(section, text) {
        Some(id) if id.len() > crate::error::MAX_ID_BYTES => Err(Problem::new(
            Code::OutOfRange,
            format!("the id `{}` is longer than {} bytes", shown(&id), crate::error::MAX_ID_BYTES),
            Some(l),
        )
        .help("ids are short snake_case names")),
        Some(id) => Ok(Entry { id, source: l.source, range: l.span, patches: Vec::new() }),
        None => Err(Problem::new(Code::Schema, format!("this entry of `{section}` has no id"), Some(l))
            .help(format!("give it `id: \"...\"`, a short snake_case name unique among the {section}"))),
    }
}

impl Doc {
    /// Says, in each problem located in a value that an override wrote, which override
    /// wrote it (an entry's text is one source, whichever layer last touched it).
    pub fn blame(&self, problems: &mut [Problem]) {
        let patched: BTreeMap<SourceId, &[Patch]> = self
            .sections
            .values()
            .flatten()
            .filter(|e| !e.patches.is_empty())
            .map(|e| (e.source, e.patches.as_slice()))
            .collect();
        if patched.is_empty() {
            return;
        }
        for p in problems.iter_mut() {
            let Some(l) = &p.location else { continue };
            let Some(patches) = patched.get(&l.source) else { continue };
            let at = l.span.start;
            if let Some(x) = patches.iter().rfind(|x| x.range.start <= at && at < x.range.end.max(x.range.start + 1)) {
                p.message = format!("{} (the value set by {})", p.message, x.origin);
            }
        }
    }

    /// The text of an entry.
    pub fn text<'s>(sources: &'s Sources, e: &Entry) -> &'s str {
        &sources.get(e.source).1[e.range.clone()]
    }

    /// Applies a layer (a variant body or a mod file) found at `text` in `sources`.
    /// `origin` names it in the sources of patched entries.
    pub fn apply_layer(&mut self, sources: &mut Sources, layer_text: SourceText, origin: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        let (src, range) = layer_text;
        let text = sources.get(src).1.clone();
        let body = &text[range];
        if let Some(p) = long_string(sources, body) {
            return vec![p];
        }
        // Variants carry id/description too; mod files are bare layers.
        let parsed = match raw::options().from_str::<raw::Variant>(body) {
            Ok(v) => Ok(raw::Layer { add: v.add, set: v.set, remove: v.remove }),
            Err(_) => raw::options().from_str::<raw::Layer>(body),
        };
        let raw::Layer { add, set, remove } = match parsed {
            Ok(x) => x,
            Err(e) => return vec![ron_problem(sources, body, &e, origin)],
        };
        // Removals: checked against the ids as they are, then done once per section (so a
        // layer with many removals stays linear).
        let mut left: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut gone: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in &remove {
            let loc = loc(sources, r);
            match r.value.split_once('.') {
                Some((section, id)) if self.sections.contains_key(section) => {
                    let ids = left.entry(section.to_string()).or_insert_with(|| {
                        self.sections.get(section).into_iter().flatten().map(|e| e.id.clone()).collect()
                    });
                    if ids.remove(id) {
                        gone.entry(section.to_string()).or_default().insert(id.to_string());
                    } else {
                        let mut p = Problem::new(
                            Code::BadOverride,
                            format!("cannot remove `{}`: no such entry", shown(&r.value)),
                            loc,
                        );
                        if let Some(m) = crate::error::did_you_mean(id, ids.iter().map(String::as_str)) {
                            p = p.help(format!("did you mean `{section}.{m}`?"));
                        }
                        problems.push(p);
                    }
                }
                _ => problems.push(
                    Problem::new(Code::BadOverride, format!("cannot remove `{}`", shown(&r.value)), loc)
                        .help("write `section.id`, e.g. `events.li_bangrui_envoy`"),
                ),
            }
        }
        for (section, ids) in &gone {
            if let Some(list) = self.sections.get_mut(section.as_str()) {
                list.retain(|e| !ids.contains(&e.id));
            }
        }
        for (section, entries) in &add {
            let Some(name) = SECTIONS.iter().find(|s| **s == section.as_str()) else {
                let loc = entries.first().and_then(|r| raw_loc(sources, r.get_ron().trim()));
                problems.push(
                    Problem::new(Code::BadOverride, format!("there is no section `{}`", shown(section)), loc)
                        .help(format!("sections are: {}", SECTIONS.join(", "))),
                );
                continue;
            };
            let list = self.sections.entry(name).or_default();
            // Position of each id (its first entry), so that adding is not quadratic.
            let mut at: BTreeMap<String, usize> = BTreeMap::new();
            for (i, e) in list.iter().enumerate() {
                at.entry(e.id.clone()).or_insert(i);
            }
            for raw in entries {
                match entry(sources, name, raw.get_ron().trim()) {
                    Ok(e) => match at.get(&e.id) {
                        Some(&i) => list[i] = e,
                        None => {
                            at.insert(e.id.clone(), list.len());
                            list.push(e);
                        }
                    },
                    Err(p) => problems.push(p),
                }
            }
            let n = list.len();
            problems.extend(too_many(name, n, entries.first().and_then(|r| raw_loc(sources, r.get_ron().trim()))));
        }
        for (path, value) in &set {
            let vloc = raw_loc(sources, value.get_ron().trim());
            if let Err(p) = self.set(sources, path, value.get_ron().trim(), origin, vloc) {
                problems.push(p);
            }
        }
        problems
    }

    /// Applies one override `path = value` (RON text). `loc` is where the override was written.
    pub fn set(
        &mut self,
        sources: &mut Sources,
        path: &str,
        value: &str,
        origin: &str,
        loc: Option<Location>,
    ) -> Result<(), Problem> {
        let parts: Vec<&str> = path.split('.').collect();
        let bad = |msg: String, help: String| Problem::new(Code::BadOverride, msg, loc.clone()).help(help);
        match parts.as_slice() {
            ["params", name] => {
                if tianxia_engine::params::PARAM_DEFS.iter().all(|d| d.name != *name) {
                    let names = tianxia_engine::params::PARAM_DEFS.iter().map(|d| d.name);
                    let hint = crate::error::did_you_mean(name, names)
                        .map_or_else(|| "see docs/rules.md for the parameter table".to_string(), |m| format!("did you mean `params.{m}`?"));
                    return Err(bad(format!("there is no parameter `{}`", shown(name)), hint));
                }
                let src = sources.add(format!("<{origin}: {path}>"), value.to_string());
                self.params.insert(name.to_string(), (src, 0..value.len()));
                Ok(())
            }
            [field] if ["start", "end", "turn_days", "name", "description"].contains(field) => {
                let src = sources.add(format!("<{origin}: {path}>"), value.to_string());
                let text: &str = &sources.get(src).1.clone();
                let s = &self.settings;
                let fail = |e: ron::error::SpannedError| {
                    let help = if *field == "turn_days" { "give a whole number of days, e.g. --set turn_days=10".to_string() } else { quote_hint(path) };
                    bad(format!("`{path}` cannot be `{}`: {}", shown(value), first_lower(&e.code.to_string())), help)
                };
                let mut settings = s.clone();
                match *field {
                    "turn_days" => settings.turn_days = raw::options().from_str(text).map_err(fail)?,
                    "start" => settings.start = raw::options().from_str(text).map_err(fail)?,
                    "end" => settings.end = raw::options().from_str(text).map_err(fail)?,
                    "name" => settings.name = raw::options().from_str(text).map_err(fail)?,
                    _ => settings.description = raw::options().from_str(text).map_err(fail)?,
                }
                self.settings = settings;
                Ok(())
            }
            [section, id, fields @ ..] if !fields.is_empty() => {
                let Some(list) = self.sections.get_mut(*section) else {
                    return Err(bad(format!("there is no section `{}`", shown(section)), format!("paths start with one of: params, {}", SECTIONS.join(", "))));
                };
                let Some(entry) = list.iter_mut().find(|e| e.id == *id) else {
                    let ids: Vec<&str> = list.iter().map(|e| e.id.as_str()).collect();
                    let hint = crate::error::did_you_mean(id, ids.iter().copied())
                        .map_or_else(
                            || if ids.is_empty() { format!("there are no {section}") } else { format!("the {section} are: {}", ids.join(", ")) },
                            |m| format!("did you mean `{section}.{m}`?"),
                        );
                    return Err(bad(format!("there is no `{}` in {}", shown(id), shown(section)), hint));
                };
                let old = Doc::text(sources, entry).to_string();
                let new = locate::set_path(&old, fields, value)
                    .map_err(|e| bad(format!("cannot set `{path}`: {e}"), format!("`{section}.{id}` has no fields to set")))?;
                let src = sources.add(format!("<{origin}: {path}>"), new);
                let len = sources.get(src).1.len();
                let base = entry.range.start;
                let shifted: Vec<Patch> = entry
                    .patches
                    .iter()
                    .map(|p| Patch { range: p.range.start - base..p.range.end - base, origin: p.origin.clone() })
                    .collect();
                let text = sources.get(src).1.clone();
                let patches = patches_after(&old, &text, &shifted, format!("{origin} {path}"));
                *entry = Entry { id: entry.id.clone(), source: src, range: 0..len, patches };
                Ok(())
            }
            _ => Err(bad(
                format!("cannot set `{path}`"),
                "write `section.id.field` (armies.tolui_right_wing.cavalry), `params.name` or a top-level setting (start, end, turn_days, name, description)".into(),
            )),
        }
    }
}

/// Where a piece of text is: a source and a byte range.
pub type SourceText = (SourceId, Range<usize>);
