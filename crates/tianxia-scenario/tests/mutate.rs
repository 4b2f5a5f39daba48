//! A stable, in-process mutation test of the loader: thousands of mutated copies of the
//! shipped scenarios and of the broken-file corpus (byte flips, truncations, duplicated
//! spans, numbers replaced with huge, negative, NaN and infinite values), each of which
//! must load or fail with located problems, never panic.
//!
//! The mutations come from a seeded xorshift, so a failure names a case that replays
//! exactly (`case N`). `cargo test --release -p tianxia-scenario --test mutate` runs the
//! full set (a few thousand cases, well under a minute); a debug build runs a tenth of
//! it. Overflow checks are on in both: debug builds have them, and the root Cargo.toml
//! turns them on for this crate in release builds (`[profile.release.package.tianxia-scenario]`).
//! Inputs that once failed go to `fuzz/corpus/load_str/` and are replayed here too.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use tianxia_scenario::{LoadOptions, load_str};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    out.sort();
    out
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = files_in(&root.join("../../scenarios"));
    paths.extend(files_in(&root.join("tests/corpus")));
    let seeds: Vec<(String, Vec<u8>)> = paths
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), std::fs::read(p).ok()?)))
        .collect();
    assert!(seeds.len() >= 20, "the shipped scenarios and the corpus: {}", seeds.len());
    seeds
}

const NUMBERS: [&str; 12] = [
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "-inf",
    "-1",
    "0",
    "-0.0",
    "18446744073709551616",
    "99999999999999999999999",
    "4294968527",
    "1e-320",
];

fn mutate(rng: &mut XorShift, text: &[u8]) -> Vec<u8> {
    let mut b = text.to_vec();
    for _ in 0..1 + rng.below(3) {
        let len = b.len().max(1);
        match rng.below(5) {
            // Flip a byte.
            0 => {
                if !b.is_empty() {
                    let i = rng.below(b.len());
                    b[i] ^= 1 << rng.below(8);
                }
            }
            // Truncate.
            1 => b.truncate(rng.below(len)),
            // Duplicate a span.
            2 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(200)).min(b.len());
                if start < end {
                    let span = b[start..end].to_vec();
                    let at = rng.below(b.len() + 1);
                    b.splice(at..at, span);
                }
            }
            // Replace a number with an extreme one.
            3 => {
                let digits: Vec<usize> = (0..b.len()).filter(|&i| b[i].is_ascii_digit()).collect();
                if !digits.is_empty() {
                    let mut i = digits[rng.below(digits.len())];
                    while i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.') {
                        i -= 1;
                    }
                    let mut j = i;
                    while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.' || b[j] == b'e') {
                        j += 1;
                    }
                    let n = NUMBERS[rng.below(NUMBERS.len())].as_bytes().to_vec();
                    b.splice(i..j, n);
                }
            }
            // Delete a span.
            _ => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(50)).min(b.len());
                if start < end {
                    b.drain(start..end);
                }
            }
        }
    }
    b
}

/// How a case ended: loaded, refused for its syntax, refused later (ids, ranges, ...).
#[derive(Default, Debug)]
struct Tally {
    loaded: usize,
    syntax: usize,
    checked: usize,
}

/// Loads `text`; panics with `what` if the loader panics or returns a problem without a
/// location or message.
fn check(what: &str, text: &str, tally: &mut Tally) {
    if let Err(why) = try_check(text, tally) {
        let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutate-failure.ron");
        let _ = std::fs::write(&keep, text);
        panic!("{what}: {why} (the input is in {}; keep it in fuzz/corpus/load_str/)", keep.display());
    }
}

fn try_check(text: &str, tally: &mut Tally) -> Result<(), String> {
    let result = catch_unwind(AssertUnwindSafe(|| load_str("mutated.ron", text, &LoadOptions::default())));
    match result {
        Err(_) => return Err("the loader panicked".into()),
        Ok(Ok(_)) => tally.loaded += 1,
        Ok(Err(e)) => {
            if e.problems.iter().all(|p| p.code == tianxia_scenario::error::Code::Syntax) {
                tally.syntax += 1;
            } else {
                tally.checked += 1;
            }
            if e.problems.is_empty() {
                return Err("an error without problems".into());
            }
            for (p, line) in e.problems.iter().zip(e.lines()) {
                if p.location.is_none() || p.message.is_empty() {
                    return Err(format!("a problem without a location or message: {line}"));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn mutated_scenarios_never_panic_the_loader_and_every_problem_is_located() {
    let seeds = seeds();
    let cases = if cfg!(debug_assertions) { 3_000 } else { 50_000 };
    let mut tally = Tally::default();
    // TIANXIA_MUTATE_SEED=N explores other cases; the default seed keeps the test stable.
    let seed = std::env::var("TIANXIA_MUTATE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut rng = XorShift(seed | 1);
    let started = std::time::Instant::now();
    for case in 0..cases {
        let (name, text) = &seeds[rng.below(seeds.len())];
        let bytes = mutate(&mut rng, text);
        let text = String::from_utf8_lossy(&bytes);
        check(&format!("case {case} (from {name})"), &text, &mut tally);
    }
    eprintln!("{cases} mutated cases in {:?}: {tally:?}", started.elapsed());
    // The mutations must reach past the parser often, or they test little.
    assert!(tally.loaded + tally.checked > cases / 4, "{tally:?}");
}

#[test]
fn inputs_the_fuzzer_found_never_panic_the_loader() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/load_str");
    for p in files_in(&dir) {
        let bytes = std::fs::read(&p).unwrap_or_default();
        check(&p.display().to_string(), &String::from_utf8_lossy(&bytes), &mut Tally::default());
    }
}
