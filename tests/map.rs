//! `tianxia map`: the scenario's map as one self-contained SVG with the contract's data
//! attributes (DESIGN.md, "Pictures").

use std::collections::BTreeSet;

mod common;
use common::{Tmp, text, tianxia};

/// Draws `scenario` (with `extra` flags) and returns the SVG text and the describe JSON.
fn draw(t: &Tmp, scenario: &str, extra: &[&str]) -> (String, serde_json::Value) {
    let out = t.join("map.svg");
    let mut args = vec!["map", scenario, "--out", &out];
    args.extend(extra);
    let o = tianxia(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty(), "map prints nothing on stdout");
    let svg = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    let mut args = vec!["describe", scenario, "--format", "json"];
    args.extend(extra);
    let d = serde_json::from_slice(&tianxia(&args).stdout).unwrap_or_default();
    (svg, d)
}

#[test]
fn every_province_and_route_is_drawn_with_its_data_attributes() {
    for scenario in ["scenarios/1231_borrowed_road.ron", "scenarios/1217_jin_invasion.ron"] {
        let t = Tmp::new("map", scenario.rsplit('/').next().unwrap_or("x"));
        let (svg, d) = draw(&t, scenario, &[]);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{scenario}: not well-formed SVG: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert!(root.has_attribute("data-map"), "the root is <svg data-map>");
        let provinces: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-province")).collect();
        let expected: BTreeSet<&str> =
            d["provinces"].as_array().into_iter().flatten().filter_map(|p| p["id"].as_str()).collect();
        assert_eq!(provinces.len(), expected.len(), "{scenario}: one element per province");
        assert_eq!(provinces.iter().copied().collect::<BTreeSet<_>>(), expected);
        let drawn_routes = doc.descendants().filter(|n| n.has_attribute("data-route")).count();
        let described = d["routes"].as_u64().unwrap_or(0) as usize;
        assert_eq!(drawn_routes, described, "{scenario}: one element per route");
        assert!(described > 50, "{scenario}: {described} routes");
        for n in doc.descendants().filter(|n| n.has_attribute("data-route")) {
            let (a, b) = n.attribute("data-route").and_then(|r| r.split_once('~')).unwrap_or(("", ""));
            assert!(expected.contains(a) && expected.contains(b), "route {a}~{b} joins two provinces");
        }
        // Self-contained: nothing is fetched.
        for n in doc.descendants() {
            for a in n.attributes() {
                if a.name() == "href" || a.name() == "src" {
                    assert!(!a.value().contains("http://") && !a.value().contains("https://"), "{}", a.value());
                }
            }
        }
        // Each province is coloured by its controller at the start, named in both scripts.
        let kaifeng = doc.descendants().find(|n| n.attribute("data-province") == Some("kaifeng"));
        let kaifeng = kaifeng.unwrap_or_else(|| panic!("{scenario}: no kaifeng"));
        assert_eq!(kaifeng.attribute("data-controller"), Some("jin"));
        let title = kaifeng.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap_or("");
        assert!(title.contains("Kaifeng") && title.contains("开封"), "{title}");
    }
}

#[test]
fn labels_are_placed_without_overlap_and_closures_are_marked() {
    let t = Tmp::new("map", "labels");
    let (svg, _) = draw(&t, "scenarios/1231_borrowed_road.ron", &[]);
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    let groups: Vec<_> = doc.descendants().filter(|n| n.has_attribute("data-province")).collect();
    let labelled = groups.iter().filter(|g| g.children().any(|c| c.has_tag_name("text"))).count();
    assert!(
        labelled * 10 >= groups.len() * 8,
        "at least four in five provinces are labelled: {labelled}/{}",
        groups.len()
    );
    // River transport shows its direction.
    assert!(doc.descendants().any(|n| n.attribute("data-kind") == Some("river")));
    assert!(svg.contains(r#"marker-mid="url(#downstream)""#));
    // Two routes between the same provinces (a road and a river) are drawn apart.
    let mut seen = std::collections::BTreeMap::new();
    for n in doc.descendants().filter(|n| n.has_attribute("data-route")) {
        let line = n.children().find(|c| c.has_tag_name("polyline")).and_then(|c| c.attribute("points")).unwrap_or("");
        let key = n.attribute("data-route").unwrap_or("");
        if let Some(other) = seen.insert(key, line) {
            assert_ne!(other, line, "two routes {key} are drawn on top of each other");
        }
    }

    // A seasonal closure (the tutorial's Taihang pass is closed in winter) is marked.
    let (svg, _) = draw(&t, "scenarios/tutorial_two_kingdoms.ron", &[]);
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    let pass = doc.descendants().find(|n| n.attribute("data-route") == Some("yewang~taihang_pass"));
    let pass = pass.unwrap_or_else(|| panic!("no yewang~taihang_pass"));
    assert_eq!(pass.attribute("data-closed"), Some("winter"));
    assert!(pass.children().any(|c| c.has_attribute("data-closure")), "a closed route shows its closure");
    let title = pass.children().find(|c| c.has_tag_name("title")).and_then(|c| c.text()).unwrap_or("");
    assert!(title.contains("closed in winter"), "{title}");
}

#[test]
fn map_refuses_bad_input_and_unwritable_files_with_exit_2() {
    let t = Tmp::new("map", "bad");
    let o = tianxia(&["map", "crates/tianxia-scenario/tests/corpus/unknown_ids.ron", "--out", &t.join("x.svg")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!t.0.join("x.svg").exists(), "nothing is written for a broken scenario");
    let o = tianxia(&["map", "scenarios/tutorial_two_kingdoms.ron", "--out", &t.join("no/such/dir/x.svg")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}
