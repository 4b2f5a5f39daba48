//! The docs cannot show output the build does not print: every ```console block in
//! README.md and docs/*.md is run against the built `tianxia`, and what it shows must be
//! what the build prints.
//!
//! The convention, in Markdown:
//!
//! ````markdown
//! <!-- check: in docs/examples/border_war.ron, replace `quality: 1.1,` with `quality: 11,` -->
//! ```console
//! $ tianxia validate docs/examples/border_war.ron
//! ...the output, stdout and stderr together, as a terminal shows them...
//! ```
//! ````
//!
//! - A line starting with `$ ` is a command, run by `sh` with the built `tianxia` first on
//!   the `PATH`, in a fresh copy of `scenarios/` and `docs/examples/` (so commands may
//!   write files, and relative paths print as in the repository). A command goes on over
//!   lines starting with `> ` or after a line ending in `\`. The lines up to the next
//!   command or the end of the block are its output.
//! - In the output, a line `...` stands for any number of lines, and `[..]` inside a line
//!   for any text. Trailing spaces and trailing empty lines are not compared.
//! - `<!-- check: in FILE, replace `OLD` with `NEW` -->` just before a block edits the copy
//!   first (OLD must occur exactly once), to show what a mistake looks like.
//!
//! When the build changes what it prints (a new digest after an engine change), this test
//! fails; the fix is to paste what the build prints:
//!
//! ```sh
//! TIANXIA_BLESS=1 cargo test --release --test doc_commands
//! ```
//!
//! rewrites every output that differs, in place, keeping `...` (as many lines before and
//! after it as were shown) and every line with `[..]` that still matches. Then read the
//! diff, and the prose around it: words that describe a run cannot be blessed.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Markdown files whose console blocks are checked.
const DOCS: [&str; 8] = [
    "README.md",
    "docs/modding.md",
    "docs/scenario-format.md",
    "docs/rules.md",
    "docs/scenarios.md",
    "docs/analysis.md",
    "docs/pictures.md",
    "docs/snapshots.md",
];

/// What the checked examples may read: copied afresh for every block.
const FIXTURES: [&str; 2] = ["scenarios", "docs/examples"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One edit of the copy before a block runs.
#[derive(Debug)]
struct Edit {
    file: String,
    old: String,
    new: String,
}

/// One command of a console block and the output the docs show for it.
#[derive(Debug)]
struct Example {
    /// 1-based line of the `$ ` line.
    line: usize,
    command: String,
    /// 0-based line range of the shown output in the file.
    output: std::ops::Range<usize>,
    shown: Vec<String>,
}

#[derive(Debug)]
struct Block {
    indent: usize,
    edits: Vec<Edit>,
    examples: Vec<Example>,
}

/// Parses `in FILE, replace `OLD` with `NEW``.
fn parse_edit(spec: &str, at: &str) -> Edit {
    let bad = || panic!("{at}: write `<!-- check: in FILE, replace `OLD` with `NEW` -->`, not `{spec}`");
    let Some(rest) = spec.strip_prefix("in ") else { bad() };
    let Some((file, rest)) = rest.split_once(", replace `") else { bad() };
    let Some((old, rest)) = rest.split_once("` with `") else { bad() };
    let Some(new) = rest.strip_suffix('`') else { bad() };
    Edit { file: file.trim().to_string(), old: old.to_string(), new: new.to_string() }
}

/// The console blocks of a Markdown file.
fn blocks(name: &str, md: &str) -> Vec<Block> {
    let lines: Vec<&str> = md.lines().collect();
    let mut out = Vec::new();
    let mut edits = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        let t = l.trim_start();
        if let Some(spec) = t.strip_prefix("<!-- check:") {
            let Some(spec) = spec.trim_end().strip_suffix("-->") else {
                panic!("{name}:{}: a check comment fits on one line", i + 1)
            };
            edits.push(parse_edit(spec.trim(), &format!("{name}:{}", i + 1)));
            i += 1;
            continue;
        }
        if !t.starts_with("```") {
            i += 1;
            continue;
        }
        let indent = l.len() - t.len();
        let console = t.trim_end() == "```console";
        let start = i + 1;
        i = start;
        while i < lines.len() && lines[i].trim() != "```" {
            i += 1;
        }
        let body = start..i;
        i += 1;
        if !console {
            assert!(edits.is_empty(), "{name}:{start}: a check comment must come just before a ```console block");
            continue;
        }
        let strip = |l: &str| -> String { l.get(indent..).unwrap_or(l.trim_start()).trim_end().to_string() };
        let mut examples: Vec<Example> = Vec::new();
        let mut j = body.start;
        while j < body.end {
            let l = strip(lines[j]);
            let Some(cmd) = l.strip_prefix("$ ") else {
                assert!(!examples.is_empty(), "{name}:{}: a console block starts with a `$ ` command", j + 1);
                j += 1;
                continue;
            };
            let line = j + 1;
            let mut command = cmd.to_string();
            j += 1;
            while j < body.end {
                let next = strip(lines[j]);
                if let Some(more) = next.strip_prefix("> ") {
                    command.push('\n');
                    command.push_str(more);
                } else if command.ends_with('\\') {
                    command.push('\n');
                    command.push_str(&next);
                } else {
                    break;
                }
                j += 1;
            }
            let from = j;
            while j < body.end && !strip(lines[j]).starts_with("$ ") {
                j += 1;
            }
            let shown = lines[from..j].iter().map(|l| strip(l)).collect();
            examples.push(Example { line, command, output: from..j, shown });
        }
        out.push(Block { indent, edits: std::mem::take(&mut edits), examples });
    }
    assert!(edits.is_empty(), "{name}: a check comment at the end is not followed by a ```console block");
    out
}

/// Does one shown line match one printed line (`[..]` matching any text)?
fn line_matches(shown: &str, got: &str) -> bool {
    let parts: Vec<&str> = shown.split("[..]").collect();
    if parts.len() == 1 {
        return shown == got;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !got.starts_with(first) || got.len() < first.len() + last.len() || !got.ends_with(last) {
        return false;
    }
    let mut rest = &got[first.len()..got.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(k) => rest = &rest[k + p.len()..],
            None => return false,
        }
    }
    true
}

/// Do the shown lines match the printed ones (`...` matching any number of lines)?
fn lines_match(shown: &[String], got: &[String]) -> bool {
    match shown.split_first() {
        None => got.is_empty(),
        Some((s, rest)) if s == "..." => (0..=got.len()).any(|k| lines_match(rest, &got[k..])),
        Some((s, rest)) => got.first().is_some_and(|g| line_matches(s, g)) && lines_match(rest, &got[1..]),
    }
}

fn trimmed(mut v: Vec<String>) -> Vec<String> {
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v
}

/// What to show instead of `shown` so that it matches `got`: as many lines before and
/// after a `...` as were shown, and shown lines kept where they still match.
fn blessed(shown: &[String], got: &[String]) -> Vec<String> {
    let keep = |s: Option<&String>, g: &String| match s {
        Some(s) if line_matches(s, g) => s.clone(),
        _ => g.clone(),
    };
    let dots: Vec<usize> = shown.iter().enumerate().filter(|(_, l)| *l == "...").map(|(k, _)| k).collect();
    match (dots.first(), dots.last()) {
        (Some(&first), Some(&last)) if got.len() >= first + (shown.len() - last - 1) => {
            let tail = shown.len() - last - 1;
            let mut out: Vec<String> = got[..first].iter().enumerate().map(|(k, g)| keep(shown.get(k), g)).collect();
            out.push("...".into());
            let from = got.len() - tail;
            out.extend(got[from..].iter().enumerate().map(|(k, g)| keep(shown.get(last + 1 + k), g)));
            out
        }
        _ => got.iter().enumerate().map(|(k, g)| keep(shown.get(k), g)).collect(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())).flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        }
    }
}

/// A fresh copy of the fixtures, with the block's edits made.
fn workdir(tag: &str, edits: &[Edit], at: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("doc_commands").join(tag);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    for f in FIXTURES {
        copy_dir(&root().join(f), &dir.join(f));
    }
    for e in edits {
        let path = dir.join(&e.file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{at}: {}: {err}", e.file));
        let n = text.matches(&e.old).count();
        assert_eq!(n, 1, "{at}: `{}` occurs {n} times in {}, not once", e.old, e.file);
        std::fs::write(&path, text.replace(&e.old, &e.new)).unwrap_or_else(|err| panic!("{at}: {err}"));
    }
    dir
}

/// Runs a shown command; returns its exit code and what it printed (stdout and stderr
/// together, as on a terminal).
fn run(command: &str, dir: &Path) -> (Option<i32>, Vec<String>) {
    let bin = Path::new(env!("CARGO_BIN_EXE_tianxia")).parent().unwrap_or(Path::new("."));
    let path = std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap_or_else(|e| panic!("PATH: {e}"));
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot start sh: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    (out.status.code(), trimmed(text.lines().map(|l| l.trim_end().to_string()).collect()))
}

#[test]
fn every_output_the_docs_show_is_what_the_build_prints() {
    let bless = std::env::var_os("TIANXIA_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    for name in DOCS {
        let path = root().join(name);
        let md = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut lines: Vec<String> = md.lines().map(str::to_string).collect();
        let mut rewrites = Vec::new();
        for (b, block) in blocks(name, &md).iter().enumerate() {
            let at = format!("{name}:{}", block.examples.first().map_or(0, |e| e.line));
            let dir = workdir(&format!("{}-{b}", name.replace('/', "_")), &block.edits, &at);
            for ex in &block.examples {
                let (code, got) = run(&ex.command, &dir);
                let shown = trimmed(ex.shown.clone());
                checked.push(format!("{name}:{}", ex.line));
                if lines_match(&shown, &got) {
                    continue;
                }
                if bless {
                    let pad = " ".repeat(block.indent);
                    let new: Vec<String> = blessed(&shown, &got)
                        .into_iter()
                        .map(|l| if l.is_empty() { l } else { format!("{pad}{l}") })
                        .collect();
                    rewrites.push((ex.output.clone(), new));
                } else {
                    failures.push(format!(
                        "{name}:{}: `{}` (exit code {code:?})\n--- the docs show:\n{}\n--- the build prints:\n{}\n",
                        ex.line,
                        ex.command,
                        shown.join("\n"),
                        got.join("\n")
                    ));
                }
            }
        }
        if !rewrites.is_empty() {
            for (range, new) in rewrites.into_iter().rev() {
                lines.splice(range, new);
            }
            let mut text = lines.join("\n");
            if md.ends_with('\n') {
                text.push('\n');
            }
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{name}: {e}"));
            eprintln!("blessed {name}");
        }
    }
    assert!(
        checked.iter().filter(|c| c.starts_with("docs/modding.md")).count() >= 6,
        "the modding guide shows its outputs in ```console blocks; checked: {checked:?}"
    );
    assert!(
        failures.is_empty(),
        "{} shown output(s) differ from what the build prints:\n\n{}\nIf the build is right, paste its output: \
         TIANXIA_BLESS=1 cargo test --release --test doc_commands (then read the prose around each change)",
        failures.len(),
        failures.join("\n")
    );
}

/// Places where a ```sh block is followed by nothing but a ```text (or json, csv) block:
/// a command shown with its output, but not as a checked ```console block.
fn unchecked_outputs(name: &str, md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut last_sh_end: Option<usize> = None;
    let mut in_block: Option<String> = None;
    for (i, l) in md.lines().enumerate() {
        let t = l.trim();
        match &in_block {
            Some(lang) if t == "```" => {
                last_sh_end = (lang == "sh").then_some(i);
                in_block = None;
            }
            Some(_) => {}
            None if t.starts_with("```") => {
                let lang = t.trim_start_matches('`').to_string();
                if ["text", "json", "csv"].contains(&lang.as_str()) && last_sh_end.is_some() {
                    out.push(format!("{name}:{}", i + 1));
                }
                in_block = Some(lang);
            }
            None if !t.is_empty() => last_sh_end = None,
            None => {}
        }
    }
    out
}

#[test]
fn commands_shown_with_their_output_are_console_blocks() {
    let mut found = Vec::new();
    for name in DOCS {
        let md = std::fs::read_to_string(root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        found.extend(unchecked_outputs(name, &md));
    }
    assert!(
        found.is_empty(),
        "a ```sh block followed by its output in a ```text block (or json, csv) is not checked; write them as one ```console \
         block (`$ ` before the command, the output below): {found:?}"
    );
}

#[test]
fn shown_output_patterns_match_as_documented() {
    let v = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(lines_match(&v(&["a", "...", "z"]), &v(&["a", "b", "c", "z"])));
    assert!(lines_match(&v(&["a", "..."]), &v(&["a"])));
    assert!(!lines_match(&v(&["a", "z"]), &v(&["a", "b", "z"])));
    assert!(lines_match(&v(&["digest [..]"]), &v(&["digest 9df6aad447251d57"])));
    assert!(lines_match(&v(&["{\"a\":[..],\"b\":[..]}"]), &v(&["{\"a\":1,\"b\":2}"])));
    assert!(!lines_match(&v(&["x [..] y"]), &v(&["x y"])));
    assert_eq!(blessed(&v(&["a", "b", "..."]), &v(&["a", "c", "d", "e"])), v(&["a", "c", "..."]));
    assert_eq!(blessed(&v(&["t [..]", "old"]), &v(&["t 1", "new"])), v(&["t [..]", "new"]));
    let md = "<!-- check: in f.ron, replace `a, b` with `c` -->\n```console\n$ tianxia x \\\n  --y\nout\n\
              $ for i in 1; do\n>   echo $i\n> done\n1\n```\n";
    let b = blocks("t.md", md);
    assert_eq!(b.len(), 1);
    assert_eq!((b[0].edits[0].old.as_str(), b[0].edits[0].new.as_str()), ("a, b", "c"));
    assert_eq!(b[0].examples[0].command, "tianxia x \\\n  --y");
    assert_eq!(b[0].examples[0].shown, v(&["out"]));
    assert_eq!(b[0].examples[1].command, "for i in 1; do\n  echo $i\ndone");
    assert_eq!(b[0].examples[1].output, 8..9);
    let unchecked = "```sh\ntianxia run x\n```\n\n```text\nout\n```\n\nprose\n\n```text\nmap\n```\n";
    assert_eq!(unchecked_outputs("t.md", unchecked), ["t.md:5"]);
}
