//! Running the real `tianxia` binary from integration tests.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `tianxia ARGS` in the repository root, without colours.
pub fn tianxia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tianxia"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot start tianxia: {e}"))
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scratch folder under the system's temporary directory, unique to this process and
/// `name`, removed when dropped.
#[allow(dead_code)] // not every test binary uses it
pub struct Tmp(pub PathBuf);

#[allow(dead_code)]
impl Tmp {
    /// A fresh, empty folder `tianxia-<kind>-<pid>-<name>`.
    pub fn new(kind: &str, name: &str) -> Tmp {
        let p = std::env::temp_dir().join(format!("tianxia-{kind}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::create_dir_all(&p);
        Tmp(p)
    }

    /// A path inside it, as a string for the command line.
    pub fn join(&self, s: &str) -> String {
        self.0.join(s).display().to_string()
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// No `src` or `href` that fetches from the network.
#[allow(dead_code)] // not every test binary uses it
pub fn assert_self_contained(html: &str, what: &str) {
    for attr in ["src=", "href="] {
        for (i, _) in html.match_indices(attr) {
            // By characters: a byte slice could end inside a multi-byte character.
            let v: String = html[i + attr.len()..].chars().take(10).collect();
            assert!(!v.contains("http://") && !v.contains("https://"), "{what}: {attr}{v}… fetches from the network");
        }
    }
    assert!(!html.contains("<link"), "{what}: no linked stylesheet");
}
