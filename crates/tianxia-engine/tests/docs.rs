//! docs/rules.md documents every parameter of the table, with its default, unit and meaning.

use tianxia_engine::params::PARAM_DEFS;

#[test]
fn every_parameter_is_in_the_rules_reference_with_its_default() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    for d in PARAM_DEFS {
        let row = doc.lines().find(|l| l.starts_with(&format!("| `{}` |", d.name)));
        let Some(row) = row else { panic!("docs/rules.md has no table row for `{}`", d.name) };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (default, unit, meaning) = (cells[2], cells.get(3).copied(), cells.get(4).copied());
        assert_eq!(
            (unit, meaning),
            (Some(d.unit), Some(d.doc)),
            "`{}`: the docs' unit and meaning differ from the table's (python3 tools/param_table.py rewrites them)",
            d.name
        );
        let value: f64 = default.replace(',', "").parse().unwrap_or(f64::NAN);
        assert!(
            (value - d.default).abs() <= 1e-12 * d.default.abs().max(1.0),
            "`{}`: docs say {default}, the code {}",
            d.name,
            d.default
        );
    }
}
