//! The modding guide cannot rot: every file it shows is byte-for-byte the file in
//! docs/examples/, and those files validate and run.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The ```ron blocks of a Markdown file that begin with `// file: PATH`.
fn shown_files(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = md.lines();
    while let Some(l) = lines.next() {
        if l.trim_start().starts_with("```ron") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.trim_start().starts_with("```")).collect();
            if let Some(path) = body.first().and_then(|f| f.strip_prefix("// file: ")) {
                out.push((path.trim().to_string(), body.join("\n") + "\n"));
            }
        }
    }
    out
}

#[test]
fn every_file_the_modding_guide_shows_is_the_real_file() {
    let md = std::fs::read_to_string(root().join("docs/modding.md")).unwrap_or_else(|e| panic!("docs/modding.md: {e}"));
    let files = shown_files(&md);
    assert!(files.len() >= 3, "the guide shows a scenario, a mod manifest and a mod file");
    for (path, shown) in files {
        let real = std::fs::read_to_string(root().join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(shown, real, "docs/modding.md shows {path} differently from the file");
    }
}

#[test]
fn the_guides_examples_validate_and_run() {
    let tianxia = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_tianxia")).args(args).current_dir(root()).output();
    let examples = root().join("docs/examples");
    let mut scenarios = Vec::new();
    let mut mods = Vec::new();
    for e in std::fs::read_dir(&examples).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() && p.join("mod.ron").exists() {
            mods.push(p);
        } else if p.extension().is_some_and(|x| x == "ron") {
            scenarios.push(p);
        }
    }
    assert!(!scenarios.is_empty() && !mods.is_empty());
    for s in &scenarios {
        let s = s.display().to_string();
        let out = tianxia(&["run", &s, "--seed", "1", "--format", "json"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{s}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for m in &mods {
        let m = m.display().to_string();
        let out =
            tianxia(&["run", "scenarios/tutorial_two_kingdoms.ron", "--mod", &m, "--seed", "1", "--format", "json"])
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{m}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
