//! Running the real `tianxia` binary from integration tests.

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
