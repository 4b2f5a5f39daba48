//! Calibration of the historical scenarios: the baselines reproduce the historical course
//! in most runs, and each variant moves its outcomes the way the sources argue, without
//! making certain what the sources show was contingent. Batches of a few hundred runs;
//! arms are compared run for run (common random numbers), through the paired 95%
//! intervals of summary.json. The measured tables are in docs/scenarios.md.

use serde_json::Value;
use std::path::Path;
use tianxia_montecarlo::{BatchConfig, plan_arms, run_batch};

fn batch(scenario: &str, arms: &[&str], runs: u64) -> Value {
    batch_swept(scenario, arms, &[], runs)
}

fn batch_swept(scenario: &str, arms: &[&str], sweep: &[&str], runs: u64) -> Value {
    let arms: Vec<String> = arms.iter().map(|a| a.to_string()).collect();
    let sweep: Vec<String> = sweep.iter().map(|a| a.to_string()).collect();
    let cfg = BatchConfig {
        scenario: Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario),
        runs,
        base_seed: 20_260_101,
        arms: plan_arms(&arms, &[], &[], &sweep).unwrap_or_else(|e| panic!("{e}")),
        mods: Vec::new(),
        threads: None,
        shard: None,
        out: None,
        resume: false,
        from: None,
    };
    run_batch(&cfg, &|_, _| {}).unwrap_or_else(|e| panic!("{scenario}: {e}")).summary
}

/// The names of the arms, in order.
fn arm_names(s: &Value) -> Vec<String> {
    s["arms"]
        .as_array()
        .map(|a| a.iter().map(|x| x["name"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

fn arm<'a>(s: &'a Value, name: &str) -> &'a Value {
    s["arms"].as_array().and_then(|a| a.iter().find(|x| x["name"] == name)).unwrap_or_else(|| panic!("no arm {name}"))
}

fn p(s: &Value, a: &str, outcome: &str) -> f64 {
    arm(s, a)["outcomes"][outcome]["p"].as_f64().unwrap_or_else(|| panic!("{a}.{outcome} is not a bool outcome"))
}

fn mean(s: &Value, a: &str, outcome: &str) -> f64 {
    arm(s, a)["outcomes"][outcome]["mean"].as_f64().unwrap_or_else(|| panic!("{a}.{outcome} is not a number outcome"))
}

fn freq(s: &Value, a: &str, outcome: &str, label: &str) -> f64 {
    arm(s, a)["outcomes"][outcome]["freq"][label].as_f64().unwrap_or(0.0)
}

/// The paired 95% interval of (arm - first arm) for an outcome (or a category label).
fn diff(s: &Value, a: &str, outcome: &str, label: Option<&str>) -> (f64, f64) {
    let d = &arm(s, a)["vs_first"][outcome];
    let d = match label {
        Some(l) => &d["freq_diff"][l],
        None => d,
    };
    (d["ci95"][0].as_f64().unwrap_or(f64::NAN), d["ci95"][1].as_f64().unwrap_or(f64::NAN))
}

fn raises(s: &Value, a: &str, outcome: &str, label: Option<&str>) {
    let (lo, hi) = diff(s, a, outcome, label);
    assert!(lo > 0.0, "{a} should raise {outcome}{label:?}: paired 95% interval [{lo}, {hi}]");
}

fn lowers(s: &Value, a: &str, outcome: &str, label: Option<&str>) {
    let (lo, hi) = diff(s, a, outcome, label);
    assert!(hi < 0.0, "{a} should lower {outcome}{label:?}: paired 95% interval [{lo}, {hi}]");
}

#[test]
fn the_1217_invasion_bleeds_the_jin_and_each_counterfactual_moves_the_sources_way() {
    let arms = ["baseline", "no_invasion", "song_resumes_tribute", "jin_song_alliance", "no_xixia"];
    let s = batch("1217_jin_invasion.ron", &arms, 240);
    // Baseline: heavy Jin field losses, no lasting hold on Huainan in most runs (but not
    // never), few Song prefectures lost, a Jin army much weaker in 1224 than in 1217.
    let huai = p(&s, "baseline", "jin_holds_huainan_end");
    assert!(huai < 0.25, "the Jin keep Huainan in {huai} of runs");
    assert!(mean(&s, "baseline", "jin_field_losses_fraction") > 0.4);
    assert!(mean(&s, "baseline", "song_prefectures_lost_end") < 2.0);
    assert!(mean(&s, "baseline", "jin_strength_1224") < 290_000.0);
    // Landmarks. Zaoyang never fell (Meng Zongzheng held it through three sieges, fifteen
    // assaults repelled in 1219 [FS][XZ161]): it holds in most runs.
    let zaoyang = p(&s, "baseline", "zaoyang_holds");
    assert!(zaoyang > 0.5, "Zaoyang holds in {zaoyang} of runs");
    // Li Quan beat the Jin at Guokou in 1219 [FS][S1]: a battle is fought there in most runs
    // and the loyalists win it in a good share of them, short of certain (a near thing in
    // the rules, see docs/scenarios.md).
    let loyal = freq(&s, "baseline", "guokou_winner", "loyalist") + freq(&s, "baseline", "guokou_winner", "song");
    let fought = 1.0 - freq(&s, "baseline", "guokou_winner", "none");
    assert!(fought > 0.5 && loyal > 0.25 && loyal < 0.95, "Guokou: fought in {fought}, Song side won {loyal}");
    // Shi Quan's Huai army was lost recrossing the Huai, "一军全没" [S1]: the Song seek it out
    // as it turns back (an intent the event sets); whether they catch and break it before it
    // is home is the rules'. It happens in a real share of runs (about one in five, see
    // docs/scenarios.md), not in all; never without the war.
    let lost = p(&s, "baseline", "shi_quan_army_lost");
    assert!(lost > 0.08 && lost < 0.9, "Shi Quan's army is lost in {lost} of runs");
    assert_eq!(p(&s, "no_invasion", "shi_quan_army_lost"), 0.0);
    // The war ended in 1224 with Aizong's peace [S2][BL][S1]; without an invasion it never
    // begins (0), and resumed tribute ends it sooner when it comes at all.
    let end = mean(&s, "baseline", "war_end_year");
    assert!(end > 1223.0 && end <= 1224.0, "the war ends in {end} on average");
    lowers(&s, "no_invasion", "war_end_year", None);
    raises(&s, "no_invasion", "zaoyang_holds", None);
    // Not invading, or paying again, spares the Jin.
    for a in ["no_invasion", "song_resumes_tribute", "jin_song_alliance"] {
        lowers(&s, a, "jin_field_losses_fraction", None);
        raises(&s, a, "jin_strength_1224", None);
    }
    // Without Xi Xia in the war the Jin are no worse off.
    let (lo, _) = diff(&s, "no_xixia", "jin_strength_1224", None);
    assert!(lo > -5_000.0, "without Xi Xia the Jin end weaker: {lo}");
}

#[test]
fn the_1231_borrowed_road_reaches_sanfengshan_and_each_counterfactual_moves_the_sources_way() {
    let arms = [
        "baseline",
        "song_grants_passage",
        "song_resists",
        "no_blizzard",
        "unified_jin_command",
        "ogedei_presses_tongguan",
    ];
    let s = batch("1231_borrowed_road.ron", &arms, 300);
    // Baseline: Tolui reaches Henan; the decisive battle and the end of the Jin field army
    // turn on the snow, which is weather alone (no parameter is changed by an event): its
    // effect is the rules' (exposure, carts stopped, hunger after the lost baggage). The
    // sources put the Mongol victory on the snow and the Jin exhaustion [XYS][JS112]; with
    // the snow a 70% base rate the rules give the Mongols the battle in about three runs in
    // five (four in five with the snow, one in eight without), so "most runs" is not
    // required here: above 0.4, short of certain.
    assert!(p(&s, "baseline", "tolui_reaches_henan") > 0.9);
    let mongol = freq(&s, "baseline", "decisive_battle_winner", "mongol");
    assert!(mongol > 0.4 && mongol < 0.9, "the Mongols win the decisive battle in {mongol} of runs");
    // Destroyed means broken up, or a quarter of its men left (not "ever routed"): about
    // two runs in five, nearly all of them with the snow.
    let destroyed = p(&s, "baseline", "jin_field_army_destroyed");
    assert!(destroyed > 0.2 && destroyed < 0.9, "the Jin field army is destroyed in {destroyed} of runs");
    let snow = p(&s, "baseline", "great_snow");
    assert!(snow > 0.4 && snow < 0.95, "the great snow is a base rate, not a certainty: {snow}");
    // Heda's death is a consequence of the rout (battle and break-up chances), not a
    // script: it happens in some runs, and never in all.
    let killed = p(&s, "baseline", "heda_killed");
    assert!(killed > 0.05 && killed < 0.9, "Heda is killed in {killed} of runs");
    let alive = freq(&s, "baseline", "heda_fate", "alive");
    assert!(alive < 0.9, "Heda comes through in {alive} of runs");
    lowers(&s, "no_blizzard", "heda_killed", None);
    // Landmarks. Sanfengshan was fought on 8 February 1232, day 38 [XYS][JS112]: the largest
    // Mongol-Jin battle falls, on average, in the weeks around the snow (its window is days
    // 35-45), not months off.
    let day = mean(&s, "baseline", "sanfengshan_date");
    assert!(day > 30.0 && day < 55.0, "the largest Mongol-Jin battle falls on day {day} of 1232 on average");
    // Xingyuan and Yangzhou were sacked in 1231 [FS §1][S1]: the Mongols strip the Hanzhong
    // towns in most runs (Gui Ruyuan's flight leaves them undefended), and never as guests.
    let sacked = p(&s, "baseline", "hanzhong_sacked");
    assert!(sacked > 0.5, "Hanzhong is sacked in {sacked} of runs");
    lowers(&s, "song_grants_passage", "hanzhong_sacked", None);
    // The Song frontier fought, if too late (Wuxiuguan, Raofengguan, Chen Gai's 3,000) [S1]:
    // in most runs, and not on a granted road.
    let resisted = p(&s, "baseline", "song_resisted");
    assert!(resisted > 0.5, "the Song fight the Mongols in {resisted} of runs");
    lowers(&s, "song_grants_passage", "song_resisted", None);
    // A borrowed road: Tolui arrives stronger, and never fights the Song.
    raises(&s, "song_grants_passage", "tolui_strength_on_arrival", None);
    lowers(&s, "song_grants_passage", "song_mongol_clash", None);
    // Song resistance: fewer arrivals, weaker on arrival, a Song-Mongol clash.
    lowers(&s, "song_resists", "tolui_reaches_henan", None);
    lowers(&s, "song_resists", "tolui_strength_on_arrival", None);
    raises(&s, "song_resists", "song_mongol_clash", None);
    // Without the snow, or under one command, the Jin do far better.
    for a in ["no_blizzard", "unified_jin_command"] {
        lowers(&s, a, "decisive_battle_winner", Some("mongol"));
        lowers(&s, a, "jin_field_army_destroyed", None);
    }
    // Ögedei pressing Tongguan pins the Jin: Tolui ends stronger. (What is left of the Jin
    // field army at the end no longer tells the arms apart: it breaks up in most runs of
    // both, leaving a share of 0.)
    raises(&s, "ogedei_presses_tongguan", "tolui_men_end", None);
}

#[test]
fn in_the_great_snow_the_mongols_win_and_the_jin_field_army_dissolves_in_most_runs() {
    // Landmark: in the snow the Mongols fell on the frozen, unfed Jin and the field army was
    // destroyed, Heda killed in the flight, Pu'a taken [XYS][JS112]. With the snow certain
    // (its chance set to 1), the rules give the Mongols the battle in most runs and break up
    // or gut the field army in most, but not all: the sources say the Jin were "hardly able
    // to form ranks" [XYS], not that no other end was possible (the timing of the column's
    // march under harassment, the rivalry of its commanders and the dice of battle still
    // decide). Thresholds: above one half (most runs), short of 0.95 (not certain).
    let s = batch_swept("1231_borrowed_road.ron", &[], &["events.great_snow.chance=1.0"], 300);
    let names = arm_names(&s);
    assert_eq!(names.len(), 1, "one arm: {names:?}");
    let mongol = freq(&s, &names[0], "decisive_battle_winner", "mongol");
    assert!(mongol > 0.6 && mongol < 0.95, "in the snow the Mongols win in {mongol} of runs");
    let destroyed = p(&s, &names[0], "jin_field_army_destroyed");
    assert!(destroyed > 0.5 && destroyed < 0.95, "in the snow the field army is destroyed in {destroyed} of runs");
    // The battle falls in the snow's window (days 35-45 of 1232), as on 8 February (day 38).
    let day = mean(&s, &names[0], "sanfengshan_date");
    assert!(day > 34.0 && day < 46.0, "the battle falls on day {day} on average");
}

#[test]
fn the_great_snow_falls_as_often_in_ten_day_turns_as_in_five_day_turns() {
    // Event chances are over their window (or per day), so the length of a turn does not
    // change how often an event comes. (Under per-turn chances the snow fell in 73% of
    // runs at five days a turn and 52% at ten.)
    let s = batch_swept("1231_borrowed_road.ron", &[], &["turn_days=5,10"], 600);
    let names = arm_names(&s);
    assert_eq!(names.len(), 2, "two arms, one per turn length: {names:?}");
    let (five, ten) = (p(&s, &names[0], "great_snow"), p(&s, &names[1], "great_snow"));
    let (lo, hi) = diff(&s, &names[1], "great_snow", None);
    assert!(lo < 0.0 && hi > 0.0, "5-day turns {five}, 10-day turns {ten}: paired 95% interval [{lo}, {hi}]");
    assert!((five - 0.7).abs() < 0.06, "the snow is a 70% base rate: {five}");
}

#[test]
fn the_tutorial_war_comes_out_the_same_in_ten_day_turns_as_in_five_day_turns() {
    // Chances are per day or per window, forced weather lasts its days, and armies walk
    // day by day: who holds Handan and who wins the main battle do not depend on the
    // length of a turn (each arm's 95% interval overlaps the other's).
    let runs = 2000;
    let s = batch_swept("tutorial_two_kingdoms.ron", &[], &["turn_days=5,10"], runs);
    let names = arm_names(&s);
    assert_eq!(names.len(), 2, "two arms, one per turn length: {names:?}");
    let interval = |a: &str, outcome: &str, label: &str| {
        let f = freq(&s, a, outcome, label);
        let half = 1.96 * (f * (1.0 - f) / runs as f64).sqrt();
        (f - half, f + half)
    };
    for (outcome, label) in [("handan_controller", "wei"), ("main_battle_winner", "zhao")] {
        let (a, b) = (interval(&names[0], outcome, label), interval(&names[1], outcome, label));
        assert!(a.0 <= b.1 && b.0 <= a.1, "{outcome}={label}: 5-day turns {a:?}, 10-day turns {b:?}");
    }
}
