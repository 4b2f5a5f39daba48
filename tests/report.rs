//! `tianxia report run` and `tianxia report batch`: self-contained pages with the
//! contract's data attributes (DESIGN.md, "Pictures"), checked against what the run's own
//! series, event log and the batch's summary say; bad folders refused with exit code 2.
//! (tools/browser_check.py loads the same pages in a real browser.)

use std::collections::BTreeSet;

mod common;
use common::{Tmp, assert_self_contained, text, tianxia};

const SCENARIOS: [&str; 3] =
    ["scenarios/1231_borrowed_road.ron", "scenarios/1217_jin_invasion.ron", "scenarios/tutorial_two_kingdoms.ron"];

/// The `<svg data-map …>…</svg>` of a page, parsed.
fn map_of(html: &str) -> String {
    let start = html.find("<svg xmlns=\"http://www.w3.org/2000/svg\" data-map=").expect("the page holds the map");
    let end = start + html[start..].find("</svg>").expect("the map is closed") + "</svg>".len();
    html[start..end].to_string()
}

/// Every `<tag attr…>…</tag>` fragment whose opening tag carries `attr`.
fn fragments<'a>(html: &'a str, tag: &str, attr: &str) -> Vec<&'a str> {
    let open = format!("<{tag} {attr}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        let j = i + rest[i..].find(&close).expect("closed") + close.len();
        out.push(&rest[i..j]);
        rest = &rest[j..];
    }
    out
}

#[test]
fn a_run_report_draws_every_moved_army_and_every_battle_of_the_run() {
    for scenario in SCENARIOS {
        let t = Tmp::new("report", scenario.rsplit('/').next().unwrap_or("x"));
        let (page, series, events) = (t.join("run.html"), t.join("series.csv"), t.join("events.jsonl"));
        let o = tianxia(&["report", "run", scenario, "--seed", "3", "--out", &page]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(o.stdout.is_empty(), "report prints nothing on stdout");
        let o =
            tianxia(&["run", scenario, "--seed", "3", "--series", &series, "--events", &events, "--format", "json"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let result: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
        let html = std::fs::read_to_string(&page).unwrap_or_default();
        assert!(html.len() < 2 << 20, "{scenario}: {} bytes, over 2 MB", html.len());
        assert_self_contained(&html, scenario);
        assert!(html.contains(result["digest"].as_str().unwrap_or("?")), "{scenario}: the page names the run's digest");

        // The map: one element per province, parsed as XML.
        let svg = map_of(&html);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{scenario}: map not well-formed: {e}"));
        let provinces = doc.descendants().filter(|n| n.has_attribute("data-province")).count();
        let d: serde_json::Value =
            serde_json::from_slice(&tianxia(&["describe", scenario, "--format", "json"]).stdout).unwrap_or_default();
        assert_eq!(provinces, d["provinces"].as_array().map_or(0, Vec::len), "{scenario}: one element per province");

        // One track per army whose place changed, by the run's own series.
        let mut places: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
        let mut r = csv::Reader::from_path(&series).unwrap_or_else(|e| panic!("{e}"));
        for rec in r.records().map_while(Result::ok) {
            if &rec[3] == "province" {
                places.entry(rec[2].trim_start_matches("armies.").to_string()).or_default().insert(rec[4].to_string());
            }
        }
        let moved: BTreeSet<String> = places.into_iter().filter(|(_, p)| p.len() > 1).map(|(a, _)| a).collect();
        let tracks: BTreeSet<String> =
            doc.descendants().filter_map(|n| n.attribute("data-army")).map(str::to_string).collect();
        let track_count = doc.descendants().filter(|n| n.has_attribute("data-army")).count();
        assert_eq!(track_count, tracks.len(), "{scenario}: one track per army");
        assert_eq!(tracks, moved, "{scenario}: a track for each army that moved, and only those");

        // One battle mark per battle of the event log, dated as the log dates it.
        let log = std::fs::read_to_string(&events).unwrap_or_default();
        let mut battle_dates: Vec<String> = log
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["kind"] == "battle")
            .map(|v| v["date"].as_str().unwrap_or("").to_string())
            .collect();
        let mut marks: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_attribute("data-battle"))
            .map(|n| n.attribute("data-date").unwrap_or("").to_string())
            .collect();
        battle_dates.sort();
        marks.sort();
        assert_eq!(marks, battle_dates, "{scenario}: one mark per battle, with its date");
        for m in &marks {
            let b = m.as_bytes();
            assert!(m.len() == 10 && b[4] == b'-' && b[7] == b'-', "{scenario}: data-date `{m}` is YYYY-MM-DD");
        }
        if scenario.contains("1231") {
            assert!(!marks.is_empty(), "the 1231 campaign has battles");
        }
        // The chronicle and the charts are there.
        assert!(html.contains("<ol id=\"lines\">") && html.contains("data-chart=\"factions\""), "{scenario}");
    }
}

#[test]
fn a_run_report_takes_the_run_flags_and_refuses_bad_input() {
    let t = Tmp::new("report", "flags");
    let (a, b) = (t.join("a.html"), t.join("b.html"));
    let s = "scenarios/1231_borrowed_road.ron";
    assert!(tianxia(&["report", "run", s, "--seed", "1", "--out", &a]).status.success());
    assert!(tianxia(&["report", "run", s, "--seed", "1", "--variant", "no_blizzard", "--out", &b]).status.success());
    let (a, b) = (std::fs::read_to_string(&a).unwrap_or_default(), std::fs::read_to_string(&b).unwrap_or_default());
    assert!(b.contains("variants: no_blizzard") && !a.contains("variants:"), "the page says which variants made it");
    // Same flags, same page: byte for byte.
    let again = t.join("again.html");
    assert!(tianxia(&["report", "run", s, "--seed", "1", "--out", &again]).status.success());
    assert_eq!(std::fs::read_to_string(&again).unwrap_or_default(), a, "the page is deterministic");

    // Frames and log entries share their dates: a battle's mark is dated as the frame of
    // its turn (the state after it), so a link to its day shows it.
    let start = a.find("const RUN = ").expect("the page's data") + "const RUN = ".len();
    let end = start + a[start..].find(";\n").expect("closed");
    let run: serde_json::Value = serde_json::from_str(&a[start..end]).unwrap_or_default();
    let dates = run["dates"].as_array().cloned().unwrap_or_default();
    let svg = map_of(&a);
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    let battles: Vec<_> = doc.descendants().filter(|n| n.has_attribute("data-battle")).collect();
    assert!(!battles.is_empty());
    for b in battles {
        let turn: usize = b.attribute("data-turn").and_then(|t| t.parse().ok()).unwrap_or(usize::MAX);
        assert_eq!(dates.get(turn).and_then(|d| d.as_str()), b.attribute("data-date"), "frame {turn}'s date");
    }
    // Names cannot break the page's script: no `<` inside it at all.
    let c = t.join("c.html");
    let named = "armies.wei_main.name=\"Army <!--<script> of </script> Wei\"";
    let o = tianxia(&["report", "run", "scenarios/tutorial_two_kingdoms.ron", "--set", named, "--out", &c]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let c = std::fs::read_to_string(&c).unwrap_or_default();
    let script = &c[c.find("const RUN = ").unwrap_or(0)..];
    let data = &script[..script.find(";\n").unwrap_or(script.len())];
    assert!(!data.contains('<'), "a `<` in the page's data");
    assert!(c.contains("Army &lt;!--&lt;script&gt; of &lt;/script&gt; Wei"), "the name, escaped, in the page");

    let o = tianxia(&["report", "run", s, "--variant", "no_such", "--out", &t.join("x.html")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no_such"), "{}", text(&o.stderr));
    assert!(!t.0.join("x.html").exists(), "no page from bad input");
    let o = tianxia(&["report", "run", s, "--out", "/nonexistent-dir/x.html"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

#[test]
fn a_batch_report_charts_every_outcome_for_every_arm() {
    let t = Tmp::new("report", "batch");
    let dir = t.join("b");
    let s = "scenarios/1231_borrowed_road.ron";
    let o = tianxia(&[
        "batch",
        s,
        "--runs",
        "40",
        "--arm",
        "baseline",
        "--arm",
        "no_blizzard",
        "--arm",
        "song_grants_passage",
        "--out",
        &dir,
        "--quiet",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let page = t.join("batch.html");
    let o = tianxia(&["report", "batch", &dir, "--out", &page]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(&page).unwrap_or_default();
    assert_self_contained(&html, "batch report");
    let arms: Vec<&str> = summary["arms"].as_array().into_iter().flatten().filter_map(|a| a["name"].as_str()).collect();
    let outcomes: Vec<&String> =
        summary["arms"][0]["outcomes"].as_object().map(|o| o.keys().collect()).unwrap_or_default();
    let figures = fragments(&html, "figure", "data-outcome");
    assert_eq!(figures.len(), outcomes.len(), "one chart per outcome");
    for (f, id) in figures.iter().zip(&outcomes) {
        let doc = roxmltree::Document::parse(f).unwrap_or_else(|e| panic!("{id}: not well-formed: {e}"));
        assert_eq!(doc.root_element().attribute("data-outcome"), Some(id.as_str()));
        let drawn: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-arm")).collect();
        assert_eq!(drawn, arms, "{id}: one element per arm, in order");
    }
    // A bool chart shows the summary's estimate; the forest compares the later arms.
    assert!(html.contains("data-forest=\"probabilities\""), "paired differences drawn");
    for arm in &arms[1..] {
        assert!(!fragments(&html, "g", &format!("data-vs-arm=\"{arm}\"")).is_empty(), "{arm} compared");
    }
    assert!(
        fragments(&html, "g", &format!("data-vs-arm=\"{}\"", arms[0])).is_empty(),
        "the first arm is the reference"
    );
    assert!(!html.contains("data-tornado"), "no sensitivity result, no tornado");

    // With a sensitivity result in the folder, its tornado, chance as its own bar.
    let sens = t.join("s");
    let o = tianxia(&["sensitivity", s, "--runs", "16", "--out", &sens, "--outcome", "jin_field_army_destroyed"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    std::fs::copy(t.0.join("s/sensitivity.json"), t.0.join("b/sensitivity.json")).unwrap_or_else(|e| panic!("{e}"));
    let o = tianxia(&["report", "batch", &dir, "--out", &page]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(&page).unwrap_or_default();
    let tornado = fragments(&html, "figure", "data-tornado=\"jin_field_army_destroyed\"");
    assert_eq!(tornado.len(), 1, "one tornado per analysed outcome");
    assert!(tornado[0].contains("data-factor=\"seed\"") && tornado[0].contains("chance (seed)"));
    // A sensitivity folder alone makes a page too.
    let o = tianxia(&["report", "batch", &sens, "--out", &page]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn a_folder_that_is_no_batch_is_refused_with_exit_code_2() {
    let t = Tmp::new("report", "bad");
    let page = t.join("x.html");
    let o = tianxia(&["report", "batch", &t.join("missing"), "--out", &page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("not a folder"), "{}", text(&o.stderr));
    let o = tianxia(&["report", "batch", &t.join(""), "--out", &page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("neither summary.json"), "{}", text(&o.stderr));
    std::fs::write(t.0.join("summary.json"), "{\"arms\": [\n  {\"name\": \"a\",}\n]}").unwrap_or_default();
    let o = tianxia(&["report", "batch", &t.join(""), "--out", &page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("summary.json:2:"), "located: {}", text(&o.stderr));
    std::fs::write(t.0.join("summary.json"), "{\"arms\": []}").unwrap_or_default();
    let o = tianxia(&["report", "batch", &t.join(""), "--out", &page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no `arms`"), "{}", text(&o.stderr));
    // A runs.csv whose numbers are not numbers.
    std::fs::write(
        t.0.join("summary.json"),
        r#"{"arms": [{"name": "a", "runs": 1, "outcomes": {"men": {"kind": "number", "mean": 1, "sd": 0, "p05": 1, "p50": 1, "p95": 1}}}]}"#,
    )
    .unwrap_or_default();
    std::fs::write(t.0.join("runs.csv"), "arm,run,seed,men\na,0,1,lots\n").unwrap_or_default();
    let o = tianxia(&["report", "batch", &t.join(""), "--out", &page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("runs.csv:2: `lots` is not a number"), "{}", text(&o.stderr));
    assert!(!t.0.join("x.html").exists(), "no page from a bad folder");
    std::fs::write(t.0.join("runs.csv"), "arm,run,seed,men\na,0,1,3.5\n").unwrap_or_default();
    let o = tianxia(&["report", "batch", &t.join(""), "--out", &page]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    // An estimate that is missing (null) is refused, not drawn as NaN.
    std::fs::write(
        t.0.join("summary.json"),
        r#"{"arms": [{"name": "a", "runs": 1, "outcomes": {"won": {"kind": "bool", "p": null, "ci95": [0, 1]}}}]}"#,
    )
    .unwrap_or_default();
    let o = tianxia(&["report", "batch", &t.join(""), "--out", &page]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("arm `a`, outcome `won` (bool): missing"), "{}", text(&o.stderr));
}

#[test]
fn a_category_label_may_be_empty_and_any_text_is_escaped() {
    let t = Tmp::new("report", "labels");
    let arm = |name: &str, freq: &str, vs: &str| {
        format!(r#"{{"name": "{name}", "runs": 10, "outcomes": {{"c": {{"kind": "category", "freq": {freq}}}}}{vs}}}"#)
    };
    let summary = format!(
        r#"{{"arms": [{}, {}]}}"#,
        arm("a", r#"{"": 0.5, "<x & y>": 0.5}"#, ""),
        arm(
            "b",
            r#"{"": 1.0}"#,
            r#", "vs_first": {"c": {"kind": "category", "freq_diff": {"": {"diff": 0.5, "ci95": [0.1, 0.9]}, "<x & y>": {"diff": -0.5, "ci95": [-0.9, -0.1]}}}}"#
        )
    );
    std::fs::write(t.0.join("summary.json"), summary).unwrap_or_default();
    let page = t.join("p.html");
    let o = tianxia(&["report", "batch", &t.join(""), "--out", &page]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(&page).unwrap_or_default();
    let forest = fragments(&html, "figure", "data-forest");
    assert_eq!(forest.len(), 1);
    let doc = roxmltree::Document::parse(forest[0]).unwrap_or_else(|e| panic!("escaped text: {e}"));
    let rows: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_attribute("data-vs-arm"))
        .filter_map(|n| n.descendants().find(|x| x.has_tag_name("title")).and_then(|x| x.text()).map(str::to_string))
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().any(|r| r.contains("c = : +0.5000")), "the empty label's row: {rows:?}");
    assert!(rows.iter().any(|r| r.contains("c = <x & y>: -0.5000")), "{rows:?}");
    for f in fragments(&html, "figure", "data-outcome") {
        roxmltree::Document::parse(f).unwrap_or_else(|e| panic!("escaped text: {e}"));
    }
}
