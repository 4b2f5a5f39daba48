//! Any text given to `load_str` loads or fails with problems; it never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tianxia_scenario::load_str("fuzz.ron", text, &tianxia_scenario::LoadOptions::default());
    }
});
