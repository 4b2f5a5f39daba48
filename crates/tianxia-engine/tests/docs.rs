//! docs/rules.md documents every parameter of the table, with its default.

use tianxia_engine::params::PARAM_DEFS;

#[test]
fn every_parameter_is_in_the_rules_reference_with_its_default() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    for d in PARAM_DEFS {
        let row = doc.lines().find(|l| l.starts_with(&format!("| `{}` |", d.name)));
        let Some(row) = row else { panic!("docs/rules.md has no table row for `{}`", d.name) };
        let default = row.split('|').nth(2).map(str::trim).unwrap_or("");
        let value: f64 = default.replace(',', "").parse().unwrap_or(f64::NAN);
        assert!(
            (value - d.default).abs() <= 1e-12 * d.default.abs().max(1.0),
            "`{}`: docs say {default}, the code {}",
            d.name,
            d.default
        );
    }
}
