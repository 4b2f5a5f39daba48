//! `tianxia report odds`: the page of an odds folder, with the contract's data attributes
//! (DESIGN.md, "Pictures") checked against the folder's own odds.json: one `data-point` per
//! point with its turn and date (and p for a bool), one `data-event` mark per event; the
//! page is self-contained and deterministic; bad folders are refused with exit code 2.
//! (tools/browser_check.py --odds loads the same page in a real browser.)

mod common;
use common::{Tmp, assert_self_contained, text, tianxia};
use serde_json::Value;

/// The `<svg … data-odds …>…</svg>` of a page.
fn chart_of(html: &str) -> &str {
    let at = html.find(" data-odds=").expect("the page holds the odds chart");
    let start = html[..at].rfind("<svg").expect("the chart is an svg");
    let end = at + html[at..].find("</svg>").expect("the chart is closed") + "</svg>".len();
    &html[start..end]
}

/// Makes an odds folder `dir` of `scenario` for `outcome` and returns its odds.json.
fn odds(scenario: &str, outcome: &str, every: &str, runs: &str, dir: &str) -> Value {
    let o = tianxia(&[
        "odds",
        scenario,
        "--seed",
        "1",
        "--outcome",
        outcome,
        "--every",
        every,
        "--runs",
        runs,
        "--quiet",
        "--out",
        dir,
    ]);
    assert!(o.status.success(), "{outcome}: {}", text(&o.stderr));
    let json = std::fs::read_to_string(std::path::Path::new(dir).join("odds.json")).unwrap_or_default();
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{outcome}: odds.json: {e}"))
}

/// Writes the page of `dir` to `page` and returns it.
fn report(dir: &str, page: &str) -> String {
    let o = tianxia(&["report", "odds", dir, "--out", page]);
    assert!(o.status.success(), "{dir}: {}", text(&o.stderr));
    assert!(o.stdout.is_empty(), "report prints nothing on stdout");
    std::fs::read_to_string(page).unwrap_or_default()
}

#[test]
fn an_odds_report_draws_every_point_and_every_event_of_its_folder() {
    let cases = [
        ("scenarios/tutorial_two_kingdoms.ron", "wei_holds_baima", "bool", "4", "20"),
        ("scenarios/1231_borrowed_road.ron", "decisive_battle_winner", "category", "8", "20"),
        ("scenarios/tutorial_two_kingdoms.ron", "wei_losses", "number", "4", "20"),
    ];
    for (scenario, outcome, kind, every, runs) in cases {
        let t = Tmp::new("report-odds", outcome);
        let dir = t.join("odds");
        let v = odds(scenario, outcome, every, runs, &dir);
        assert_eq!(v["kind"], kind, "{outcome}");
        let page = t.join("odds.html");
        let html = report(&dir, &page);
        assert_self_contained(&html, outcome);
        assert!(html.len() < 2 << 20, "{outcome}: {} bytes, over 2 MB", html.len());
        let head = &html[html.find("<title>").unwrap_or(0)..html.find("</title>").unwrap_or(0)];
        for want in [v["scenario"].as_str().unwrap_or("?"), outcome, "seed 1"] {
            assert!(head.contains(want), "{outcome}: the title names {want}: {head}");
        }
        assert!(html.contains(v["history"]["digest"].as_str().unwrap_or("?")), "{outcome}: the history's digest");

        // The history's own value, stated.
        let value = match &v["history"]["value"] {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                if x.abs() >= 100.0 { format!("{:.0}", x.round()) } else { format!("{x:.3}") }
            }
            other => panic!("{outcome}: history.value {other}"),
        };
        let stated = html.split("data-history-value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("");
        assert_eq!(stated.replace(',', "").trim_end_matches('0'), value.trim_end_matches('0'), "{outcome}");

        // The chart: well-formed, one point per point of odds.json, one mark per event.
        let svg = chart_of(&html);
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{outcome}: chart not well-formed: {e}"));
        assert_eq!(doc.root_element().attribute("data-outcome"), Some(outcome));
        let points = v["points"].as_array().cloned().unwrap_or_default();
        let drawn: Vec<_> = doc.descendants().filter(|n| n.has_attribute("data-point")).collect();
        assert_eq!(drawn.len(), points.len(), "{outcome}: one data-point per point");
        assert!(!points.is_empty());
        for (n, p) in drawn.iter().zip(&points) {
            assert_eq!(n.attribute("data-turn"), Some(p["turn"].to_string().as_str()), "{outcome}");
            assert_eq!(n.attribute("data-date"), p["date"].as_str(), "{outcome}");
            if kind == "bool" {
                let dp: f64 = n.attribute("data-p").and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
                assert_eq!(dp, p["p"].as_f64().unwrap_or(f64::NAN), "{outcome}: data-p is the point's p");
            }
        }
        let events = v["events"].as_array().cloned().unwrap_or_default();
        assert!(!events.is_empty(), "{outcome}: the history has main events");
        let marks: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_attribute("data-event"))
            .filter_map(|n| n.attribute("data-date"))
            .collect();
        let dates: Vec<&str> = events.iter().filter_map(|e| e["date"].as_str()).collect();
        assert_eq!(marks, dates, "{outcome}: one data-event per event, with its date");
        for m in &marks {
            let b = m.as_bytes();
            assert!(m.len() == 10 && b[4] == b'-' && b[7] == b'-', "{outcome}: data-date `{m}` is YYYY-MM-DD");
        }
        // Every event is listed under the chart too.
        assert_eq!(html.matches("<li class=\"ev").count(), events.len(), "{outcome}: the list of events");

        // The same folder, the same page: byte for byte.
        let again = report(&dir, &t.join("again.html"));
        assert_eq!(again, html, "{outcome}: the page is deterministic");

        if kind == "category" {
            // The history of 1231 turns at Sanfengshan: the largest changes are named.
            let jumps = doc.descendants().filter(|n| n.has_attribute("data-jump")).count();
            assert!((1..=3).contains(&jumps), "{outcome}: {jumps} largest changes shaded");
            assert_eq!(html.matches("<li data-rank=").count(), jumps, "{outcome}: each named under the chart");
        }
    }
}

#[test]
fn a_folder_that_is_no_odds_result_is_refused_with_exit_code_2() {
    let t = Tmp::new("report-odds", "bad");
    let page = t.join("x.html");
    let refused = |dir: &str, want: &str| {
        let o = tianxia(&["report", "odds", dir, "--out", &page]);
        assert_eq!(o.status.code(), Some(2), "{want}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(want), "wanted `{want}` in: {}", text(&o.stderr));
        assert!(!t.0.join("x.html").exists(), "no page from a bad folder ({want})");
    };
    refused(&t.join("missing"), "not a folder");
    let dir = t.join("d");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    refused(&dir, "no odds.json");
    let file = t.0.join("d/odds.json");
    let write = |s: &str| std::fs::write(&file, s).unwrap_or_else(|e| panic!("{e}"));
    write("{\"kind\": \"bool\",\n  \"points\": [,]}");
    refused(&dir, "odds.json:2:14: not valid JSON");
    write("[1, 2]");
    refused(&dir, "odds.json: not an odds result");

    // A real folder, then one thing wrong with it at a time.
    let good = odds("scenarios/tutorial_two_kingdoms.ron", "wei_holds_baima", "8", "10", &dir);
    let broken = |f: &dyn Fn(&mut Value), want: &str| {
        let mut v = good.clone();
        f(&mut v);
        write(&v.to_string());
        refused(&dir, want);
    };
    broken(&|v| v["points"] = serde_json::json!([]), "no points");
    broken(&|v| v["points"] = Value::Null, "`points` is missing");
    broken(&|v| v["kind"] = "maybe".into(), "`kind` is missing or not bool, category or number");
    broken(&|v| v["points"][1]["date"] = "1231-02-30".into(), "`points[1].date`: `1231-02-30` is not a date");
    broken(&|v| v["points"][0]["p"] = Value::Null, "`points[0].p` is missing or not a finite number");
    broken(&|v| v["points"][0]["turn"] = "zero".into(), "`points[0].turn` is missing or not a whole number");
    broken(&|v| v["points"][1]["turn"] = 0.into(), "points go in order");
    broken(&|v| v["history"]["value"] = "yes".into(), "`history.value` is not a bool value");
    broken(&|v| v["events"] = Value::Null, "`events` is missing");
    broken(&|v| v["events"][0]["text"] = 3.into(), "`events[0].text` is missing or not a string");
    broken(&|v| v["seed"] = (-1).into(), "`seed` is missing or not a whole number");
    // Unbroken, it makes a page.
    write(&good.to_string());
    let o = tianxia(&["report", "odds", &dir, "--out", &page]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn names_and_labels_are_escaped() {
    let t = Tmp::new("report-odds", "names");
    let odd = "<x & \"y\" 'z'>";
    let v = serde_json::json!({
        "scenario": "a <b> & c", "seed": 7, "outcome": odd, "kind": "category", "every": 2, "runs_per_point": 10,
        "points": [
            {"turn": 0, "date": "1231-05-01", "runs": 10, "freq": {odd: 0.5, "": 0.5}},
            {"turn": 2, "date": "1231-05-11", "runs": 10, "freq": {odd: 1.0}}
        ],
        "history": {"value": odd, "turns": 3, "end_date": "1231-05-16", "digest": "00"},
        "events": [{"turn": 1, "date": "1231-05-06", "text": "</script><script>alert(1)</script> & <!--"}],
    });
    std::fs::write(t.0.join("odds.json"), v.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let html = report(&t.join(""), &t.join("p.html"));
    let doc = roxmltree::Document::parse(chart_of(&html)).unwrap_or_else(|e| panic!("escaped text: {e}"));
    assert_eq!(doc.root_element().attribute("data-outcome"), Some(odd));
    let title = doc
        .descendants()
        .filter(|n| n.has_attribute("data-event"))
        .find_map(|n| n.descendants().find(|x| x.has_tag_name("title")).and_then(|x| x.text()))
        .unwrap_or("");
    assert!(title.contains("</script><script>alert(1)</script> & <!--"), "{title}");
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own script");
    assert!(!html.contains("<b> &"), "the scenario's name is escaped");
}
