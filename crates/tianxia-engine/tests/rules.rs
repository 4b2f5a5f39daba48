//! One test (or a few) per rule, each on a tiny world built in Rust.

use std::sync::Arc;
use tianxia_engine::Sim;
use tianxia_engine::builder::Builder;
use tianxia_engine::calendar::Date;
use tianxia_engine::ids::{ArmyId, CommanderId, FactionId, ProvinceId};
use tianxia_engine::model::army::{Guided, Location, Orders, Stance, Step, Strength};
use tianxia_engine::model::commander::{Fate, Trait};
use tianxia_engine::model::diplomacy::{Access, AccessRequest, Diplomacy, Relation, Tribute};
use tianxia_engine::model::faction::{Sack, TrespassResponse};
use tianxia_engine::model::index::Index;
use tianxia_engine::model::province::{Ravage, Terrain};
use tianxia_engine::model::route::RouteKind;
use tianxia_engine::model::script::{
    Condition, Effect, ObjectiveKind, Objectives, OutcomeRule, OutcomeSpec, OutcomeValue, Quantity, ScriptedEvent,
};
use tianxia_engine::model::weather::{Climate, Weather};
use tianxia_engine::params::Params;
use tianxia_engine::record::log::{Cause, LogKind};
use tianxia_engine::record::view::{ArmyView, FactionView, ProvinceView};
use tianxia_engine::sim::turn_schedule;
use tianxia_engine::world::spec::{CommanderSpec, OrdersSpec, WorldSpec};

const START: Date = Date { year: 1231, month: 5, day: 1 };

fn sim(spec: &WorldSpec, seed: u64) -> Sim {
    Sim::new(spec, seed).unwrap_or_else(|e| panic!("test world does not build: {e}"))
}

fn army(sim: &Sim, id: ArmyId) -> ArmyView {
    sim.army(id).unwrap_or_else(|| panic!("army {id:?} is not in the world"))
}

fn province(sim: &Sim, id: ProvinceId) -> ProvinceView {
    sim.province(id).unwrap_or_else(|| panic!("province {id:?} is not in the world"))
}

fn faction(sim: &Sim, id: FactionId) -> FactionView {
    sim.faction(id).unwrap_or_else(|| panic!("faction {id:?} is not in the world"))
}

fn logged(sim: &Sim, pred: impl Fn(&LogKind) -> bool) -> usize {
    sim.log().entries().iter().filter(|e| pred(&e.kind)).count()
}

/// A straight road of `n` provinces, each `km` apart, all owned by one faction.
fn road(b: &mut Builder, owner: FactionId, n: usize, km: f64, kind: RouteKind) -> Vec<ProvinceId> {
    let ps: Vec<ProvinceId> = (0..n).map(|i| b.province(&format!("p{i}"), owner)).collect();
    for w in ps.windows(2) {
        b.route(w[0], w[1], km, kind);
    }
    ps
}

/// An event `key` that may fire from the first turn on, with `chance`.
fn event(spec: &mut WorldSpec, key: &str, chance: f64, effects: Vec<Effect>) {
    Arc::make_mut(&mut spec.events).push(ScriptedEvent {
        key: key.into(),
        text: String::new(),
        from: None,
        until: None,
        when: Condition::True,
        chance,
        per_day: false,
        repeat: false,
        effects,
    });
}

/// An event called "storm" that may fire from the first turn on, with `chance`.
fn storm_event(b: &mut Builder, chance: f64, effect: Effect) {
    event(b.spec_mut(), "storm", chance, vec![effect]);
}

/// An event on the first turn that sets the weather of `region` for `days`.
fn storm(b: &mut Builder, region: u16, weather: Weather, days: f64) {
    storm_event(b, 1.0, Effect::SetWeather { region, weather, days });
}

fn march(b: &mut Builder, a: ArmyId, to: ProvinceId) {
    b.spec_mut().armies[a.index()].orders =
        OrdersSpec::Script(vec![Step { to, not_before: None, hold_until: None, besiege: false }]);
}

#[test]
fn the_turn_schedule_has_no_ambiguous_system_order() {
    let mut b = Builder::new(START, 5, 2);
    let f = b.faction("f");
    b.province("p", f);
    let mut s = sim(&b.build(), 1);
    let mut schedule = turn_schedule(true);
    assert!(schedule.initialize(s.world_mut()).is_ok(), "two systems of the turn may run in either order");
}

// --- movement -------------------------------------------------------------------

fn distance_in_one_turn(kind: RouteKind, weather: Option<Weather>, cavalry: f64, infantry: f64) -> f64 {
    let mut b = Builder::new(START, 5, 1);
    b.spec_mut().params.lost_way_chance = 0.0; // speed alone
    let f = b.faction("f");
    let zone = b.region("z", Some(Climate { chances: [[1.0, 0.0, 0.0, 0.0]; 4], wet: [false; 4] }));
    let ps = road(&mut b, f, 30, 100.0, kind);
    for p in &mut b.spec_mut().provinces {
        p.regions = vec![zone];
    }
    let a = b.army("a", f, ps[0], cavalry, infantry);
    march(&mut b, a, ps[29]);
    if let Some(w) = weather {
        storm(&mut b, zone, w, 30.0);
    }
    let mut s = sim(&b.build(), 1);
    s.step();
    match army(&s, a).location {
        Location::At(p) => p.index() as f64 * 100.0,
        Location::OnRoute { from, done, .. } => from.index() as f64 * 100.0 + done,
    }
}

#[test]
fn cavalry_covers_its_documented_distance_on_a_plain_road_in_a_turn() {
    let p = Params::default();
    let d = distance_in_one_turn(RouteKind::Road, None, 10_000.0, 0.0);
    assert!((d - p.cavalry_speed * 5.0).abs() < 1e-6, "cavalry went {d} km in 5 days");
}

#[test]
fn infantry_is_slower_than_cavalry() {
    let p = Params::default();
    let d = distance_in_one_turn(RouteKind::Road, None, 1_000.0, 10_000.0);
    assert!((d - p.infantry_speed * 5.0).abs() < 1e-6, "a mixed army moves at the infantry's pace, went {d} km");
}

#[test]
fn mountains_and_snow_slow_cavalry() {
    let p = Params::default();
    let plain = distance_in_one_turn(RouteKind::Road, None, 10_000.0, 0.0);
    let mountain = distance_in_one_turn(RouteKind::MountainPath, None, 10_000.0, 0.0);
    let snow = distance_in_one_turn(RouteKind::Road, Some(Weather::Snow), 10_000.0, 0.0);
    let blizzard = distance_in_one_turn(RouteKind::Road, Some(Weather::Blizzard), 10_000.0, 0.0);
    assert!((mountain - plain * p.speed_mountain_path).abs() < 1e-6, "mountain path: {mountain} km");
    assert!((snow - plain * p.speed_snow).abs() < 1e-6, "snow: {snow} km");
    assert!(blizzard < snow, "a blizzard ({blizzard} km) is worse than snow ({snow} km)");
}

#[test]
fn marching_tires_an_army_and_rest_restores_it() {
    let mut b = Builder::new(START, 5, 4);
    let f = b.faction("f");
    let ps = road(&mut b, f, 30, 100.0, RouteKind::Road);
    let a = b.army("a", f, ps[0], 0.0, 10_000.0);
    march(&mut b, a, ps[29]);
    let mut s = sim(&b.build(), 1);
    s.step();
    let tired = army(&s, a).fatigue;
    assert!(tired > 0.1, "five days on the road leave fatigue {tired}");
    // Stop the army and let it rest.
    let e = s.world().resource::<Index>().armies[a.index()];
    if let Some(mut o) = s.world_mut().get_mut::<Orders>(e) {
        *o = Orders::from_spec(&OrdersSpec::Hold);
    }
    s.step();
    assert!(army(&s, a).fatigue < tired, "resting lowers fatigue");
}

// --- supply ---------------------------------------------------------------------

#[test]
fn an_army_cut_off_from_supply_loses_men_at_the_documented_rate() {
    let mut b = Builder::new(START, 5, 2);
    let f = b.faction("f");
    let enemy = b.faction("enemy");
    let p = b.province("wasteland", enemy);
    b.spec_mut().provinces[p.index()].grain = 0.0;
    b.spec_mut().params.disease_attrition = 0.0;
    let a = b.army("a", f, p, 0.0, 10_000.0);
    b.spec_mut().armies[a.index()].food_days = 0.0;
    let spec = b.build();
    let mut s = sim(&spec, 1);
    s.step();
    let expected = 10_000.0 * (1.0 - spec.params.hunger_attrition * 5.0);
    let men = army(&s, a).men();
    assert!((men - expected).abs() < 1e-6, "starving army has {men} men, expected {expected}");
    assert!(army(&s, a).morale < 0.8, "hunger lowers morale");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Starving { .. })), 1);
}

#[test]
fn an_army_draws_grain_from_friendly_provinces_losing_some_on_the_way() {
    let mut b = Builder::new(START, 5, 1);
    b.spec_mut().params.granary_fed_share = 0.0; // the granary's own accounts alone
    let f = b.faction("f");
    let ps = road(&mut b, f, 2, 100.0, RouteKind::Road);
    b.spec_mut().provinces[ps[0].index()].grain = 0.0;
    b.spec_mut().provinces[ps[1].index()].grain = 1_000_000.0;
    let a = b.army("a", f, ps[0], 0.0, 10_000.0);
    b.spec_mut().armies[a.index()].food_days = 0.0;
    let spec = b.build();
    let mut s = sim(&spec, 1);
    s.step();
    let p = &spec.params;
    let per_day = 10_000.0 * p.ration;
    let want = per_day * 5.0 + per_day * p.carry_days;
    let drawn = 1_000_000.0 - province(&s, ps[1]).granary.grain;
    let kept = 1.0 - p.supply_loss_land;
    assert!((drawn * kept - want).abs() < 1e-6, "drew {drawn} shi to deliver {want}");
    assert!(!army(&s, a).starving);
}

#[test]
fn river_transport_loses_less_than_the_road() {
    let drawn = |kind| {
        let mut b = Builder::new(START, 5, 1);
        let f = b.faction("f");
        let ps = road(&mut b, f, 2, 200.0, kind);
        b.spec_mut().provinces[ps[0].index()].grain = 0.0;
        b.spec_mut().provinces[ps[1].index()].grain = 1_000_000.0;
        let a = b.army("a", f, ps[0], 0.0, 10_000.0);
        b.spec_mut().armies[a.index()].food_days = 0.0;
        let mut s = sim(&b.build(), 1);
        s.step();
        1_000_000.0 - province(&s, ps[1]).granary.grain
    };
    assert!(drawn(RouteKind::RiverDown) < drawn(RouteKind::Road), "the river delivers the same grain for less");
}

/// An army of 10,000 foot carrying `food_days` of rations, at the end of a road from a
/// full granary 50 km off, in a turn of five days of which `blizzard` days are a forced
/// blizzard (and the rest clear): (days unfed, shi drawn from the granary).
fn supplied_through_a_blizzard(food_days: f64, blizzard: f64) -> (f64, f64) {
    let mut b = Builder::new(Date { year: 1232, month: 2, day: 1 }, 5, 1);
    b.spec_mut().params.granary_fed_share = 0.0; // the granary's own accounts alone
    b.spec_mut().params.disease_attrition = 0.0;
    let f = b.faction("f");
    let zone = b.region("z", Some(Climate { chances: [[1.0, 0.0, 0.0, 0.0]; 4], wet: [false; 4] }));
    let ps = road(&mut b, f, 2, 50.0, RouteKind::Road);
    for &p in &ps {
        b.spec_mut().provinces[p.index()].regions = vec![zone];
    }
    b.spec_mut().provinces[ps[0].index()].grain = 0.0;
    b.spec_mut().provinces[ps[1].index()].grain = 1e7;
    if blizzard > 0.0 {
        storm(&mut b, zone, Weather::Blizzard, blizzard);
    }
    let a = b.army("a", f, ps[0], 0.0, 10_000.0);
    b.spec_mut().armies[a.index()].food_days = food_days;
    let mut s = sim(&b.build(), 1);
    s.step();
    (army(&s, a).hunger_days, 1e7 - province(&s, ps[1]).granary.grain)
}

#[test]
fn no_cart_comes_through_a_blizzard_and_an_army_lives_on_what_it_carries() {
    let p = Params::default();
    let (clear_hunger, clear_drawn) = supplied_through_a_blizzard(0.0, 0.0);
    assert_eq!(clear_hunger, 0.0, "in clear weather the carts feed it");
    // Three days of blizzard in five, carrying nothing: those three days go unfed (the
    // hunger counts days weighed by the share of the turn's need unmet: 3 of 5 days).
    let (hunger, drawn) = supplied_through_a_blizzard(0.0, 3.0);
    let share = 3.0 * p.carts_stopped_blizzard / 5.0;
    assert!((hunger - share * 5.0).abs() < 1e-9, "days unfed {hunger}, expected {}", share * 5.0);
    assert!((drawn - clear_drawn * (1.0 - share)).abs() < 1e-6, "carts brought {drawn} of {clear_drawn}");
    // Carrying four days of food, it comes through the three days fed.
    let (fed, _) = supplied_through_a_blizzard(4.0, 3.0);
    assert_eq!(fed, 0.0, "an army with its train full eats through the storm");
}

#[test]
fn a_town_with_an_enemy_army_before_it_sends_no_grain() {
    // f's army stands at p0 with nothing; its only granary is p1, one road away. With an
    // enemy army standing at p1 (and none of f's), nothing comes from it, nor from p2
    // beyond it.
    let drawn = |enemy_at: Option<usize>| {
        let mut b = Builder::new(START, 5, 1);
        b.spec_mut().params.granary_fed_share = 0.0;
        let f = b.faction("f");
        let g = b.faction("g");
        b.war(f, g);
        let ps = road(&mut b, f, 3, 50.0, RouteKind::Road);
        b.spec_mut().provinces[ps[0].index()].grain = 0.0;
        b.spec_mut().provinces[ps[1].index()].grain = 1e6;
        b.spec_mut().provinces[ps[2].index()].grain = 1e6;
        b.spec_mut().provinces[ps[1].index()].garrison = 1_000.0; // it holds out, for now
        let a = b.army("a", f, ps[0], 0.0, 10_000.0);
        b.spec_mut().armies[a.index()].food_days = 0.0;
        if let Some(i) = enemy_at {
            let e = b.army("e", g, ps[i], 100.0, 0.0);
            b.spec_mut().armies[e.index()].stance = Stance::Stand;
            b.spec_mut().armies[e.index()].orders = OrdersSpec::Hold;
        }
        let mut s = sim(&b.build(), 1);
        s.step();
        (2e6 - province(&s, ps[1]).granary.grain - province(&s, ps[2]).granary.grain, army(&s, a).hunger_days)
    };
    let (open, _) = drawn(None);
    assert!(open > 0.0, "the road is open: it draws {open}");
    let (cut, hungry) = drawn(Some(1));
    assert_eq!(cut, 0.0, "an enemy at the only town on the road cuts it off");
    assert!(hungry > 0.0, "and it goes hungry");
    let (behind, _) = drawn(Some(2));
    assert!(behind > 0.0, "an enemy beyond the first town leaves that town's grain");
}

#[test]
fn a_lost_baggage_train_carries_less_until_it_is_rebuilt() {
    let mut b = Builder::new(START, 5, 45);
    b.spec_mut().params.granary_fed_share = 0.0;
    let f = b.faction("f");
    let ps = road(&mut b, f, 2, 50.0, RouteKind::Road);
    b.spec_mut().provinces[ps[1].index()].grain = 1e9;
    let a = b.army("a", f, ps[0], 0.0, 10_000.0);
    event(b.spec_mut(), "ambush", 1.0, vec![Effect::LoseBaggage { army: a, share: 0.75, to: None }]);
    let spec = b.build();
    let p = &spec.params;
    let mut s = sim(&spec, 1);
    s.step();
    // The train is a quarter of what it was (the supply phase rebuilt a little of it),
    // and it is refilled only to what that train carries.
    let per_day = 10_000.0 * p.ration;
    let train = 0.25 + p.train_rebuild_per_day * 5.0;
    let full = per_day * p.carry_days;
    let food = army(&s, a).food;
    assert!((food - full * train).abs() < 1e-6, "carries {food}, expected {}", full * train);
    for _ in 0..40 {
        s.step();
    }
    assert!((army(&s, a).food - full).abs() < 1e-6, "in time the train is whole again: {}", army(&s, a).food);
}

#[test]
fn foraging_depletes_the_province_an_army_stands_in() {
    // An army without food in an enemy province it cannot draw from (a garrison holds it,
    // so it is not taken and looted): all it eats is what it forages.
    let foraged = |share: f64| {
        let mut b = Builder::new(START, 5, 1);
        b.spec_mut().params.granary_fed_share = 0.0; // the granary's own accounts alone
        let f = b.faction("f");
        let other = b.faction("other");
        let p = b.province("farmland", other);
        b.war(f, other);
        b.spec_mut().provinces[p.index()].grain = 100_000.0;
        b.spec_mut().provinces[p.index()].garrison = 1_000.0;
        let a = b.army("a", f, p, 0.0, 10_000.0);
        b.spec_mut().armies[a.index()].food_days = 0.0;
        b.spec_mut().params.forage_share_per_day = share;
        let params = b.spec_mut().params.clone();
        let mut s = sim(&b.build(), 1);
        s.step();
        let want = 10_000.0 * params.ration * (5.0 + params.carry_days);
        let expected = want.min(100_000.0 * (share * 5.0).min(1.0));
        (100_000.0 - province(&s, p).granary.grain, expected)
    };
    let (taken, expected) = foraged(0.05);
    assert!(taken > 0.0 && (taken - expected).abs() < 1e-6, "foraging took {taken} shi, expected {expected}");
    assert_eq!(foraged(0.0).0, 0.0, "without foraging nothing is taken");
}

#[test]
fn cold_hurts_armies_that_are_not_cold_adapted_more() {
    let losses = |adapted: bool| {
        let mut b = Builder::new(Date { year: 1232, month: 1, day: 1 }, 5, 1);
        let f = b.faction("f");
        b.spec_mut().factions[f.index()].cold_adapted = adapted;
        let zone = b.region("z", Some(Climate { chances: [[0.0, 0.0, 1.0, 0.0]; 4], wet: [false; 4] }));
        let p = b.province("p", f);
        b.spec_mut().provinces[p.index()].regions = vec![zone];
        b.spec_mut().provinces[p.index()].grain = 1e9;
        b.spec_mut().params.disease_attrition = 0.0;
        let a = b.army("a", f, p, 10_000.0, 0.0);
        let mut s = sim(&b.build(), 1);
        s.step();
        10_000.0 - army(&s, a).men()
    };
    let p = Params::default();
    let (steppe, southern) = (losses(true), losses(false));
    assert!((southern - 10_000.0 * p.cold_attrition * 5.0).abs() < 1e-6, "southern army lost {southern}");
    assert!((steppe - southern * p.cold_adapted_factor).abs() < 1e-6, "steppe army lost {steppe}");
}

// --- exposure -------------------------------------------------------------------

/// One turn of blizzard for an army of 10,000 foot: (men lost, cohesion, exposure).
fn a_turn_in_the_blizzard(adapted: bool, fed: bool, walled: bool) -> (f64, f64, f64) {
    let mut b = Builder::new(Date { year: 1232, month: 2, day: 1 }, 5, 1);
    let f = b.faction("f");
    b.spec_mut().factions[f.index()].cold_adapted = adapted;
    let zone = b.region("z", Some(Climate { chances: [[0.0, 0.0, 0.0, 1.0]; 4], wet: [false; 4] }));
    let p = b.province("p", f);
    let pr = &mut b.spec_mut().provinces[p.index()];
    pr.regions = vec![zone];
    pr.grain = if fed { 1e9 } else { 0.0 };
    pr.fort = if walled { 2 } else { 0 };
    b.spec_mut().params.disease_attrition = 0.0;
    b.spec_mut().params.hunger_attrition = 0.0; // the cold's toll alone
    let a = b.army("a", f, p, 0.0, 10_000.0);
    b.spec_mut().armies[a.index()].food_days = 0.0;
    let mut s = sim(&b.build(), 1);
    s.step();
    let v = army(&s, a);
    assert_eq!(v.hunger_days > 0.0, !fed, "only the army without grain should go hungry");
    (10_000.0 - v.men(), v.cohesion, v.exposure)
}

#[test]
fn a_fed_cold_adapted_army_suffers_less_from_a_blizzard_than_an_unfed_unadapted_one() {
    let (steppe_lost, steppe_cohesion, steppe_exposure) = a_turn_in_the_blizzard(true, true, false);
    let (south_lost, south_cohesion, south_exposure) = a_turn_in_the_blizzard(false, false, false);
    assert!(steppe_lost * 5.0 < south_lost, "frostbite: adapted and fed {steppe_lost}, neither {south_lost}");
    assert!(steppe_cohesion > south_cohesion, "cohesion {steppe_cohesion} vs {south_cohesion}");
    assert!(steppe_exposure < south_exposure, "exposure {steppe_exposure} vs {south_exposure}");
    // Five days of blizzard for a fed, unadapted army in the open, by the formula.
    let p = Params::default();
    let (lost, cohesion, exposure) = a_turn_in_the_blizzard(false, true, false);
    let severity = p.blizzard_cold_factor;
    assert!((lost - 10_000.0 * p.cold_attrition * severity * 5.0).abs() < 1e-6, "lost {lost}");
    assert!((exposure - (p.exposure_per_day * severity * 5.0).min(1.0)).abs() < 1e-9, "exposure {exposure}");
    assert!((cohesion - (1.0 - p.exposure_cohesion_loss * severity * 5.0)).abs() < 1e-9, "cohesion {cohesion}");
}

#[test]
fn a_walled_town_of_its_own_shelters_an_army_from_the_cold() {
    let (open, _, open_exposure) = a_turn_in_the_blizzard(false, true, false);
    let (walled, _, walled_exposure) = a_turn_in_the_blizzard(false, true, true);
    let p = Params::default();
    assert!((walled - open * p.exposure_shelter_factor).abs() < 1e-6, "walled {walled}, open {open}");
    assert!(walled_exposure < open_exposure);
}

#[test]
fn cold_stress_is_logged_costs_power_and_wears_off_out_of_the_cold() {
    let mut b = Builder::new(Date { year: 1232, month: 2, day: 1 }, 5, 6);
    let f = b.faction("f");
    let zone = b.region("z", Some(Climate { chances: [[1.0, 0.0, 0.0, 0.0]; 4], wet: [false; 4] }));
    let p = b.province("p", f);
    b.spec_mut().provinces[p.index()].regions = vec![zone];
    b.spec_mut().provinces[p.index()].grain = 1e9;
    let a = b.army("a", f, p, 0.0, 10_000.0);
    storm(&mut b, zone, Weather::Blizzard, 10.0);
    let mut s = sim(&b.build(), 1);
    s.step();
    s.step();
    let frozen = army(&s, a).exposure;
    assert!(frozen > Params::default().exposure_report, "two turns of blizzard left exposure at {frozen}");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Freezing { .. })), 1);
    s.step();
    s.step();
    let thawed = army(&s, a).exposure;
    assert!(thawed < frozen, "exposure should fall in clear weather: {frozen} -> {thawed}");
}

// --- combat ---------------------------------------------------------------------

fn battle_world(a_men: f64, b_men: f64) -> (WorldSpec, ArmyId, ArmyId) {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let field = b.province("field", fa);
    let home_a = b.province("home_a", fa);
    let home_b = b.province("home_b", fb);
    b.route(field, home_a, 30.0, RouteKind::Road);
    b.route(field, home_b, 30.0, RouteKind::Road);
    b.war(fa, fb);
    let x = b.army("x", fa, field, 0.0, a_men);
    let y = b.army("y", fb, field, 0.0, b_men);
    (b.build(), x, y)
}

fn winner_of_battle(spec: &WorldSpec, seed: u64) -> Option<String> {
    let mut s = sim(spec, seed);
    s.step();
    s.log().entries().iter().find_map(|e| match &e.kind {
        LogKind::Battle { winner, .. } => Some(winner.key(s.names()).to_string()),
        _ => None,
    })
}

#[test]
fn three_to_one_odds_win_most_seeds_but_not_all() {
    let (spec, _, _) = battle_world(30_000.0, 10_000.0);
    let wins = (0..400).filter(|&s| winner_of_battle(&spec, s).as_deref() == Some("a")).count();
    assert!(wins > 340, "3:1 won only {wins} of 400");
    assert!(wins < 400, "3:1 won every one of 400 battles: the noise does nothing");
}

#[test]
fn even_odds_are_a_coin_toss() {
    let (spec, _, _) = battle_world(10_000.0, 10_000.0);
    let wins = (0..400).filter(|&s| winner_of_battle(&spec, s).as_deref() == Some("a")).count();
    // The holder of the field is on plain ground, so no defender bonus applies.
    assert!((150..=250).contains(&wins), "even odds won {wins} of 400");
}

#[test]
fn the_beaten_side_loses_more_and_falls_back_to_a_friendly_province() {
    let (spec, x, y) = battle_world(30_000.0, 10_000.0);
    let mut s = sim(&spec, 3);
    s.step();
    let (ax, ay) = (army(&s, x), army(&s, y));
    assert_eq!(winner_of_battle(&spec, 3).as_deref(), Some("a"), "three to one wins with this seed");
    assert!(ay.ledger.lost / 10_000.0 > ax.ledger.lost / 30_000.0, "the loser loses a larger share");
    assert_eq!(ay.location, Location::At(ProvinceId(2)), "y falls back home");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 1);
}

#[test]
fn a_beaten_army_with_nowhere_to_go_is_trapped_and_loses_more() {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let field = b.province("field", fa);
    b.war(fa, fb);
    b.army("x", fa, field, 0.0, 60_000.0);
    let y = b.army("y", fb, field, 0.0, 10_000.0);
    let mut s = sim(&b.build(), 1);
    s.step();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Trapped { .. })), 1);
    assert!(army(&s, y).ledger.routs == 1, "6:1 odds rout the beaten side");
}

#[test]
fn rival_commanders_fight_worse_together_when_rivalry_costs_power() {
    // rivalry_penalty is 0 by default (rivalry costs through hesitation); set, it costs power.
    let wins = |rivals: bool| {
        let (mut spec, x, _) = battle_world(10_000.0, 10_000.0);
        spec.params.rivalry_penalty = 0.2;
        let fa = FactionId(0);
        spec.commanders.push(CommanderSpec {
            key: "heda".into(),
            name: "Heda".into(),
            faction: fa,
            skill: 0.5,
            traits: vec![],
            rivals: if rivals { vec![tianxia_engine::ids::CommanderId(1)] } else { vec![] },
        });
        spec.commanders.push(CommanderSpec {
            key: "pua".into(),
            name: "Pu'a".into(),
            faction: fa,
            skill: 0.5,
            traits: vec![],
            rivals: vec![],
        });
        spec.armies[x.index()].commanders =
            vec![tianxia_engine::ids::CommanderId(0), tianxia_engine::ids::CommanderId(1)];
        (0..300).filter(|&s| winner_of_battle(&spec, s).as_deref() == Some("a")).count()
    };
    let (together, apart) = (wins(true), wins(false));
    assert!(together + 40 < apart, "rivals won {together}, a united command {apart} of 300");
}

#[test]
fn rival_commanders_sometimes_cannot_agree_and_their_army_waits() {
    let waited = |rivals: bool| {
        let mut b = Builder::new(START, 5, 1);
        let f = b.faction("f");
        let ps = road(&mut b, f, 3, 50.0, RouteKind::Road);
        let c1 = b.commander("heda", f, 0.5, &[]);
        let c2 = b.commander("pua", f, 0.5, &[]);
        if rivals {
            b.spec_mut().commanders[c1.index()].rivals = vec![c2];
        }
        let a = b.army("a", f, ps[0], 0.0, 5_000.0);
        b.spec_mut().armies[a.index()].commanders = vec![c1, c2];
        march(&mut b, a, ps[2]);
        let spec = b.build();
        (0..2000)
            .filter(|&seed| {
                let mut s = sim(&spec, seed);
                s.step();
                army(&s, a).location == Location::At(ps[0])
            })
            .count()
    };
    let p = Params::default();
    let expected = 2000.0 * (1.0 - (1.0 - p.rivalry_hesitation_per_day).powi(5));
    let (rivals, united) = (waited(true), waited(false));
    assert!((rivals as f64 - expected).abs() < 60.0, "rivals waited {rivals} turns in 2000, expected {expected}");
    assert_eq!(united, 0, "a united command always marches");
}

#[test]
fn a_skilled_commander_improves_the_odds() {
    let wins = |skill: f64| {
        let (mut spec, x, _) = battle_world(10_000.0, 10_000.0);
        spec.commanders.push(CommanderSpec {
            key: "c".into(),
            name: "C".into(),
            faction: FactionId(0),
            skill,
            traits: vec![],
            rivals: vec![],
        });
        spec.armies[x.index()].commanders = vec![tianxia_engine::ids::CommanderId(0)];
        (0..300).filter(|&s| winner_of_battle(&spec, s).as_deref() == Some("a")).count()
    };
    assert!(wins(0.9) > wins(0.5) + 40);
}

#[test]
fn a_pass_favours_its_holder() {
    let wins = |terrain: Terrain| {
        let (mut spec, _, _) = battle_world(10_000.0, 12_000.0);
        spec.provinces[0].terrain = terrain;
        (0..300).filter(|&s| winner_of_battle(&spec, s).as_deref() == Some("a")).count()
    };
    assert!(wins(Terrain::Pass) > wins(Terrain::Plain) + 60, "holding a pass should turn 5:6 odds");
}

// --- sieges ---------------------------------------------------------------------

/// Wins of side `a` over 400 seeds of an even fight, `a` starting the turn with the
/// given days unfed and cold stress.
fn even_fight_wins(hunger_days: f64, exposure: f64) -> (usize, usize) {
    use tianxia_engine::model::army::{Exposure, Hunger};
    let (mut spec, x, _) = battle_world(10_000.0, 10_000.0);
    if hunger_days > 0.0 {
        // Side a finds nothing to eat, so its hunger holds through the supply phase; what
        // hunger costs outside battle is left out, to see what it costs in battle.
        for p in spec.provinces.iter_mut().filter(|p| p.key != "home_b") {
            p.grain = 0.0;
        }
        spec.armies[x.index()].food_days = 0.0;
        spec.params.hunger_attrition = 0.0;
        spec.params.hunger_morale_loss = 0.0;
    }
    let (mut wins, mut routs) = (0, 0);
    for seed in 0..400 {
        let mut s = sim(&spec, seed);
        let e = s.world().resource::<Index>().armies[x.index()];
        s.world_mut().entity_mut(e).insert((Hunger { days: hunger_days }, Exposure(exposure)));
        s.step();
        for entry in s.log().entries() {
            if let LogKind::Battle { winner, rout, .. } = &entry.kind {
                if winner.key(s.names()) == "a" {
                    wins += 1;
                } else if *rout {
                    routs += 1;
                }
            }
        }
    }
    (wins, routs)
}

#[test]
fn a_hungry_army_fights_worse_and_breaks_sooner() {
    let (fed, fed_routs) = even_fight_wins(0.0, 0.0);
    let (hungry, hungry_routs) = even_fight_wins(6.0, 0.0);
    assert!(hungry + 60 < fed, "six days unfed won {hungry} of 400, fed {fed}");
    // Of the battles it loses, the hungry army routs in more.
    let (fed_rate, hungry_rate) = (fed_routs as f64 / (400 - fed) as f64, hungry_routs as f64 / (400 - hungry) as f64);
    assert!(hungry_rate > fed_rate + 0.1, "rout rate when beaten: hungry {hungry_rate:.2}, fed {fed_rate:.2}");
}

#[test]
fn a_frozen_army_fights_worse() {
    let (warm, _) = even_fight_wins(0.0, 0.0);
    let (frozen, _) = even_fight_wins(0.0, 1.0);
    assert!(frozen + 60 < warm, "full cold stress won {frozen} of 400, none {warm}");
}

// --- pursuit and dissolution ----------------------------------------------------

/// A routed army of 10,000 foot (faction b, two commanders) at `home_b`, one route from
/// 5,000 enemy horse holding the field; nobody fights.
fn routed_next_to_horse() -> (WorldSpec, ArmyId) {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let field = b.province("field", fa);
    let home_b = b.province("home_b", fb);
    b.route(field, home_b, 40.0, RouteKind::Road);
    b.war(fa, fb);
    b.army("riders", fa, field, 5_000.0, 0.0);
    let y = b.army("y", fb, home_b, 0.0, 10_000.0);
    let c1 = b.commander("c1", fb, 0.5, &[]);
    let c2 = b.commander("c2", fb, 0.5, &[]);
    b.spec_mut().armies[y.index()].commanders = vec![c1, c2];
    b.spec_mut().params.disease_attrition = 0.0;
    (b.build(), y)
}

fn rout(s: &mut Sim, a: ArmyId, cohesion: f64) {
    use tianxia_engine::model::army::{Routed, Spirit};
    let e = s.world().resource::<Index>().armies[a.index()];
    let until = START.to_days() + 15;
    s.world_mut().entity_mut(e).insert((Routed { until }, Spirit { morale: 0.2, cohesion }));
}

#[test]
fn a_routed_army_is_ridden_down_by_enemy_horse_nearby_and_its_scattered_men_drift_home() {
    let (spec, y) = routed_next_to_horse();
    let mut s = sim(&spec, 1);
    rout(&mut s, y, 0.8);
    s.step();
    let p = Params::default();
    let v = army(&s, y);
    let lost = 10_000.0 - v.men();
    let expected = 10_000.0 * p.pursuit_per_day * 0.5 * 5.0; // 5,000 horse for 10,000 men, 5 days
    assert!((lost - expected).abs() < 1e-6, "lost {lost}, expected {expected}");
    // Fed, it regains order in the supply phase; routed, it loses more in the combat phase.
    let cohesion = 0.8 + p.cohesion_recovery * 5.0 - p.rout_cohesion_loss * 5.0;
    assert!((v.cohesion - cohesion).abs() < 1e-9, "cohesion {}", v.cohesion);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Pursued { .. })), 1);
    let scattered = lost * (1.0 - p.pursuit_killed_share - p.pursuit_captured_share) * p.dispersed_return_share;
    // The economy phase of the same turn already brought some of them home.
    let home = scattered * p.straggler_return_per_day * 5.0;
    let b = faction(&s, FactionId(1));
    assert!((b.stragglers - (scattered - home)).abs() < 1e-6, "stragglers {}", b.stragglers);
}

#[test]
fn an_army_without_order_breaks_up_and_its_commanders_are_killed_taken_or_escape() {
    let (spec, y) = routed_next_to_horse();
    let (mut killed, mut taken, mut escaped) = (0, 0, 0);
    for seed in 0..400 {
        let mut s = sim(&spec, seed);
        rout(&mut s, y, 0.04);
        s.step();
        assert!(army(&s, y).destroyed, "an army with cohesion 0.04 should break up (seed {seed})");
        assert!(Condition::ArmyDestroyed(y).eval(s.world()) && !Condition::ArmyAlive(y).eval(s.world()));
        assert!(!Condition::ArmyDestroyed(ArmyId(0)).eval(s.world()), "the riders are whole");
        let lost: Vec<String> = s
            .log()
            .entries()
            .iter()
            .filter_map(|e| match &e.kind {
                LogKind::CommanderLost { cause, .. } => Some(cause.clone()),
                _ => None,
            })
            .collect();
        killed += lost.iter().filter(|c| c.starts_with("killed")).count();
        taken += lost.iter().filter(|c| c.starts_with("taken")).count();
        escaped += 2 - lost.len();
        // Each commander has exactly one fate, and the conditions read the chronicle's.
        let fates = [Fate::Killed, Fate::Captured, Fate::Escaped];
        let fate_of = |c: u32| -> Vec<Fate> {
            fates
                .into_iter()
                .filter(|&fate| Condition::CommanderFate { commander: CommanderId(c), fate }.eval(s.world()))
                .collect()
        };
        let (f1, f2) = (fate_of(0), fate_of(1));
        assert!(f1.len() == 1 && f2.len() == 1, "one fate each: {f1:?} {f2:?} (seed {seed})");
        let by_condition = |fate: Fate| [&f1, &f2].iter().filter(|f| f[0] == fate).count();
        assert_eq!(by_condition(Fate::Killed), lost.iter().filter(|c| c.starts_with("killed")).count());
        assert_eq!(by_condition(Fate::Captured), lost.iter().filter(|c| c.starts_with("taken")).count());
        assert_eq!(by_condition(Fate::Escaped), 2 - lost.len());
        assert_eq!(
            logged(&s, |k| matches!(k, LogKind::ArmyDestroyed { cause: Cause::BrokenUp, .. })),
            1,
            "seed {seed}"
        );
    }
    // 800 commanders: half lost, 60% of those killed (Params defaults).
    assert!((200..280).contains(&killed), "killed {killed}");
    assert!((120..200).contains(&taken), "taken {taken}");
    assert!((350..450).contains(&escaped), "escaped {escaped}");
}

#[test]
fn a_beaten_army_sometimes_loses_its_commanders_and_more_often_when_it_routs() {
    let lost_commanders = |a_men: f64| {
        let (mut spec, _, y) = battle_world(a_men, 10_000.0);
        let c = spec.commanders.len();
        spec.commanders.push(CommanderSpec {
            key: "c".into(),
            name: "c".into(),
            faction: FactionId(1),
            skill: 0.5,
            traits: Vec::new(),
            rivals: Vec::new(),
        });
        spec.armies[y.index()].commanders = vec![tianxia_engine::ids::CommanderId(c as u32)];
        (0..1000)
            .filter(|&seed| {
                let mut s = sim(&spec, seed);
                s.step();
                logged(&s, |k| matches!(k, LogKind::CommanderLost { .. })) > 0
            })
            .count()
    };
    let p = Params::default();
    // Even odds: y loses about half the battles, rarely routing.
    let even = lost_commanders(10_000.0);
    // Five to one: y loses nearly always, and routs.
    let crushed = lost_commanders(50_000.0);
    let beaten = 1000.0 * p.commander_loss_beaten;
    assert!(even > 5 && (even as f64) < beaten * 1.5, "even odds lost a commander in {even} of 1000");
    assert!(crushed as f64 > beaten * 2.0, "crushing defeats lost a commander in {crushed} of 1000");
}

#[test]
fn adjust_army_changes_one_armys_morale_cohesion_and_food_within_bounds() {
    let (mut spec, x, y) = battle_world(10_000.0, 10_000.0);
    spec.relations.clear(); // no battle: only the effect
    event(
        &mut spec,
        "night_attack",
        1.0,
        vec![Effect::AdjustArmy { army: x, morale: -0.5, cohesion: -2.0, food: -1e9 }],
    );
    let mut s = sim(&spec, 1);
    let before = army(&s, y);
    s.step();
    let (a, b) = (army(&s, x), army(&s, y));
    // Events come before supply: the army, fed from its province, regains some order.
    let p = Params::default();
    assert!((a.cohesion - p.cohesion_recovery * 5.0).abs() < 1e-9, "cohesion is kept at 0 or more: {}", a.cohesion);
    let morale = 0.8 - 0.5 + p.morale_recovery * 5.0;
    assert!((a.morale - morale).abs() < 1e-9, "morale {}", a.morale);
    assert!((b.morale - (before.morale + p.morale_recovery * 5.0)).abs() < 1e-9, "the other army is untouched");
}

/// A walled city of faction b (fort 5, 5,000 men, 20,000 people, `grain`, no harvest)
/// besieged by 8,000 foot of faction a from a well-stocked camp next door.
fn siege_world(grain: f64, turns: u32) -> (WorldSpec, ProvinceId, FactionId) {
    let mut b = Builder::new(START, 5, turns);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let camp = b.province("camp", fa);
    let city = b.province("city", fb);
    b.route(camp, city, 10.0, RouteKind::Road);
    b.war(fa, fb);
    let c = &mut b.spec_mut().provinces[city.index()];
    (c.fort, c.garrison, c.population, c.grain, c.harvest) = (5, 5_000.0, 20_000.0, grain, 0.0);
    b.spec_mut().provinces[camp.index()].grain = 1e9;
    let a = b.army("besiegers", fa, city, 0.0, 8_000.0);
    b.spec_mut().armies[a.index()].orders =
        OrdersSpec::Script(vec![Step { to: city, not_before: None, hold_until: None, besiege: true }]);
    (b.build(), city, fa)
}

fn siege_days(grain: f64) -> Option<u32> {
    let (spec, city, fa) = siege_world(grain, 80);
    let mut s = sim(&spec, 5);
    while s.step() {
        if province(&s, city).control.controller == fa {
            return Some(s.result().turns);
        }
    }
    None
}

#[test]
fn a_besieged_city_holds_out_for_the_days_its_grain_and_ration_imply() {
    // The same city as `siege_days`: 5,000 men and 20,000 people; its food should last
    // grain / (garrison x ration + people x civilian ration) days, give or take a turn.
    let p = Params::default();
    let per_day = 5_000.0 * p.ration + 20_000.0 * p.civilian_ration;
    for days in [30.0, 60.0] {
        let (spec, _, _) = siege_world(per_day * days, 40);
        let mut s = sim(&spec, 5);
        s.run();
        let begun = s.log().entries().iter().find(|e| matches!(e.kind, LogKind::SiegeBegun { .. })).map(|e| e.date);
        let gone = s.log().entries().iter().find(|e| matches!(e.kind, LogKind::SiegeStarving { .. })).map(|e| e.date);
        let (Some(begun), Some(gone)) = (begun, gone) else { panic!("the siege should begin and the food run out") };
        let held = (gone.to_days() - begun.to_days()) as f64;
        assert!((held - days).abs() <= 5.0, "{days} days of food held {held} days");
    }
}

#[test]
fn a_siege_of_a_city_without_food_ends_sooner_than_one_with_food() {
    let hungry = siege_days(0.0).unwrap_or(u32::MAX);
    let fed = siege_days(60_000.0).unwrap_or(u32::MAX);
    assert!(hungry < u32::MAX, "the starving city never fell");
    assert!(hungry < fed, "starving city fell after {hungry} turns, the fed one after {fed}");
}

#[test]
fn a_strong_army_carries_weak_walls_by_assault() {
    let mut b = Builder::new(START, 5, 3);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let city = b.province("city", fb);
    b.war(fa, fb);
    b.spec_mut().provinces[city.index()].fort = 1;
    b.spec_mut().provinces[city.index()].garrison = 1_000.0;
    let a = b.army("a", fa, city, 0.0, 20_000.0);
    b.spec_mut().armies[a.index()].orders =
        OrdersSpec::Script(vec![Step { to: city, not_before: None, hold_until: None, besiege: true }]);
    let mut s = sim(&b.build(), 2);
    s.run();
    assert_eq!(province(&s, city).control.controller, fa);
    assert!(logged(&s, |k| matches!(k, LogKind::Assault { .. })) >= 1);
    assert!(logged(&s, |k| matches!(k, LogKind::Captured { how, .. } if *how == Cause::Assault)) == 1);
}

#[test]
fn an_undefended_enemy_province_is_taken_by_standing_in_it() {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let p = b.province("village", fb);
    b.war(fa, fb);
    b.army("a", fa, p, 1_000.0, 0.0);
    let mut s = sim(&b.build(), 1);
    s.step();
    assert_eq!(province(&s, p).control.controller, fa);
}

// --- diplomacy and trespass ------------------------------------------------------

/// An army of `guest` marches through `host` land; the host's policy and governor decide.
fn trespass(policy: TrespassResponse, governor: &[Trait], seed: u64) -> Sim {
    let mut b = Builder::new(START, 5, 2);
    let guest = b.faction("guest");
    let host = b.faction("host");
    b.spec_mut().factions[host.index()].trespass_policy = policy;
    let home = b.province("home", guest);
    let border = b.province("border", host);
    let beyond = b.province("beyond", host);
    b.route(home, border, 40.0, RouteKind::Road);
    b.route(border, beyond, 40.0, RouteKind::Road);
    b.spec_mut().provinces[border.index()].garrison = 3_000.0;
    b.spec_mut().provinces[border.index()].grain = 1e6;
    let g = b.commander("gui", host, 0.4, governor);
    b.spec_mut().provinces[border.index()].governor = Some(g);
    let a = b.army("a", guest, home, 10_000.0, 0.0);
    march(&mut b, a, beyond);
    let mut s = sim(&b.build(), seed);
    s.step();
    s
}

#[test]
fn trespass_without_access_is_answered_by_the_hosts_policy() {
    let s = trespass(TrespassResponse::Resist, &[], 1);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Trespass { .. })), 1, "one crossing into host land");
    assert!(s.world().resource::<Diplomacy>().at_war(FactionId(0), FactionId(1)), "resisting means war");

    let s = trespass(TrespassResponse::Ignore, &[], 1);
    assert!(!s.world().resource::<Diplomacy>().at_war(FactionId(0), FactionId(1)));
    // Each place answers once: the governor at the border, then beyond, where nobody is
    // there to stop the army.
    assert_eq!(logged(&s, |k| matches!(k, LogKind::TrespassAnswer { response: TrespassResponse::Ignore, .. })), 2);

    let s = trespass(TrespassResponse::Supply, &[], 1);
    assert!(army(&s, ArmyId(0)).guides_until.is_some(), "a supplying host provides guides");
}

#[test]
fn a_cowardly_governor_usually_flees_and_sometimes_supplies_the_trespasser() {
    let runs: Vec<Sim> = (0..200).map(|seed| trespass(TrespassResponse::Resist, &[Trait::Coward], seed)).collect();
    let fled = runs
        .iter()
        .filter(|s| logged(s, |k| matches!(k, LogKind::TrespassAnswer { response: TrespassResponse::Flee, .. })) == 1)
        .count();
    let supplied = runs.iter().filter(|s| army(s, ArmyId(0)).guides_until.is_some()).count();
    let p = Params::default();
    let expected = 200.0 * p.coward_flee_chance;
    assert!((fled as f64 - expected).abs() < 25.0, "{fled} of 200 cowards fled, expected about {expected}");
    assert!(supplied > 20 && supplied < fled, "{supplied} fled and supplied");
    let one = runs
        .iter()
        .find(|s| logged(s, |k| matches!(k, LogKind::TrespassAnswer { response: TrespassResponse::Flee, .. })) == 1);
    if let Some(s) = one {
        assert_eq!(province(s, ProvinceId(1)).walls.garrison, 0.0, "the garrison left with its commander");
    }
}

#[test]
fn access_makes_passage_lawful() {
    let mut b = Builder::new(START, 5, 2);
    let guest = b.faction("guest");
    let host = b.faction("host");
    let home = b.province("home", guest);
    let border = b.province("border", host);
    b.route(home, border, 40.0, RouteKind::Road);
    b.spec_mut().access.push(Access {
        grantor: host,
        grantee: guest,
        provinces: vec![],
        routes: vec![],
        until: None,
        grain: true,
        guides: true,
    });
    let a = b.army("a", guest, home, 1_000.0, 0.0);
    march(&mut b, a, border);
    let mut s = sim(&b.build(), 1);
    s.run();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Trespass { .. })), 0);
    assert_eq!(army(&s, a).location, Location::At(border));
}

#[test]
fn an_access_grant_with_guides_gives_the_guest_guides_where_it_enters() {
    let guided = |guides: bool| {
        let mut b = Builder::new(START, 5, 2);
        let guest = b.faction("guest");
        let host = b.faction("host");
        let home = b.province("home", guest);
        let border = b.province("border", host);
        b.route(home, border, 40.0, RouteKind::Road);
        let access = Access {
            grantor: host,
            grantee: guest,
            provinces: vec![],
            routes: vec![],
            until: None,
            grain: true,
            guides,
        };
        b.spec_mut().access.push(access);
        let a = b.army("a", guest, home, 1_000.0, 0.0);
        march(&mut b, a, border);
        let mut s = sim(&b.build(), 1);
        s.run();
        (army(&s, a).guides_until.is_some(), logged(&s, |k| matches!(k, LogKind::GuidesJoin { .. })))
    };
    assert_eq!(guided(true), (true, 1));
    assert_eq!(guided(false), (false, 0));
}

#[test]
fn without_guides_a_mountain_path_sometimes_costs_days() {
    use tianxia_engine::model::army::Guided;
    // A 20 km mountain path a cavalry army crosses in under a day (25 km/day on it); a lost
    // way costs two.
    let crossings = |with_guides: bool| {
        let mut b = Builder::new(START, 1, 3);
        let f = b.faction("f");
        let ps = road(&mut b, f, 2, 20.0, RouteKind::MountainPath);
        let a = b.army("a", f, ps[0], 1_000.0, 0.0);
        march(&mut b, a, ps[1]);
        let spec = b.build();
        let (mut lost, mut late) = (0, 0);
        for seed in 0..1000 {
            let mut s = sim(&spec, seed);
            if with_guides {
                let e = s.world().resource::<Index>().armies[a.index()];
                s.world_mut().entity_mut(e).insert(Guided { until: START.to_days() + 30 });
            }
            s.step();
            lost += logged(&s, |k| matches!(k, LogKind::LostWay { .. }));
            late += usize::from(army(&s, a).location != Location::At(ps[1]));
        }
        (lost, late)
    };
    let (lost, late) = crossings(false);
    assert!((150..250).contains(&lost), "lost the way in {lost} of 1000 crossings (chance 0.2)");
    assert_eq!(late, lost, "every army that lost its way is still on the path after a day");
    assert_eq!(crossings(true), (0, 0), "guides know the way");
}

#[test]
fn a_request_for_passage_is_answered_by_the_hosts_chance_of_granting() {
    let answer = |chance: f64| {
        let mut b = Builder::new(START, 5, 2);
        let guest = b.faction("guest");
        let host = b.faction("host");
        b.spec_mut().factions[host.index()].grant_access_chance = chance;
        b.province("p", host);
        Arc::make_mut(&mut b.spec_mut().events).push(ScriptedEvent {
            key: "envoy".into(),
            text: "an envoy asks for the road".into(),
            from: None,
            until: None,
            when: Condition::True,
            chance: 1.0,
            per_day: false,
            repeat: false,
            effects: vec![Effect::RequestAccess(AccessRequest {
                terms: Access {
                    grantor: host,
                    grantee: guest,
                    provinces: vec![],
                    routes: vec![],
                    until: None,
                    grain: true,
                    guides: true,
                },
                days: Some(90.0),
                on_grant: Some("granted".into()),
                on_refuse: Some("refused".into()),
            })],
        });
        let mut s = sim(&b.build(), 1);
        s.step();
        let flags = &s.world().resource::<tianxia_engine::record::outcome::Metrics>().flags;
        (flags.contains("granted"), flags.contains("refused"), !s.world().resource::<Diplomacy>().access.is_empty())
    };
    assert_eq!(answer(1.0), (true, false, true));
    assert_eq!(answer(0.0), (false, true, false));
}

#[test]
fn tribute_is_paid_when_a_turn_contains_new_year() {
    let mut b = Builder::new(Date { year: 1216, month: 12, day: 28 }, 5, 2);
    let song = b.faction("song");
    let jin = b.faction("jin");
    b.spec_mut().factions[song.index()].treasury = 1_000_000.0;
    b.province("p", song);
    b.spec_mut().tributes.push(Tribute { payer: song, payee: jin, silver: 300_000.0, silk: 300_000.0 });
    let mut s = sim(&b.build(), 1);
    s.run();
    assert_eq!(faction(&s, jin).coffers.treasury, 300_000.0, "paid exactly once");
    assert_eq!(faction(&s, song).coffers.treasury, 700_000.0);
}

#[test]
fn a_truce_expires_into_peace() {
    let mut b = Builder::new(START, 5, 4);
    let a = b.faction("a");
    let c = b.faction("c");
    b.province("p", a);
    b.spec_mut().relations.push((a, c, Relation::Truce { until: START.add_days(8).to_days() }));
    let mut s = sim(&b.build(), 1);
    s.run();
    assert_eq!(s.world().resource::<Diplomacy>().relation(a, c), Relation::Peace);
}

// --- events ---------------------------------------------------------------------

#[test]
fn events_fire_on_their_conditions_within_their_window() {
    let mut b = Builder::new(START, 5, 10);
    let f = b.faction("f");
    let ps = road(&mut b, f, 4, 100.0, RouteKind::Road);
    let a = b.army("a", f, ps[0], 10_000.0, 0.0);
    march(&mut b, a, ps[3]);
    let spawned = b.army("late", f, ps[0], 0.0, 5_000.0);
    b.spec_mut().armies[spawned.index()].in_field = false;
    Arc::make_mut(&mut b.spec_mut().events).push(ScriptedEvent {
        key: "arrival".into(),
        text: "the army reaches the far end".into(),
        from: Some(START),
        until: Some(START.add_days(40)),
        when: Condition::ArmyAt { army: a, province: ps[3] },
        chance: 1.0,
        per_day: false,
        repeat: false,
        effects: vec![
            Effect::SetFlag("arrived".into()),
            Effect::SetCounter { name: "men_on_arrival".into(), value: Quantity::ArmyMen(a) },
            Effect::SpawnArmy(spawned),
            Effect::EndRun("the plan is done".into()),
        ],
    });
    Arc::make_mut(&mut b.spec_mut().outcomes).push(OutcomeSpec {
        key: "arrived".into(),
        description: String::new(),
        rule: OutcomeRule::Bool(Condition::Flag("arrived".into())),
    });
    Arc::make_mut(&mut b.spec_mut().outcomes).push(OutcomeSpec {
        key: "men".into(),
        description: String::new(),
        rule: OutcomeRule::Number(Quantity::Counter("men_on_arrival".into())),
    });
    let mut s = sim(&b.build(), 1);
    let r = s.run();
    assert!(r.turns < 10, "EndRun stopped the run early");
    assert_eq!(r.outcomes[0].1, OutcomeValue::Bool(true));
    let OutcomeValue::Number(men) = r.outcomes[1].1 else { panic!("men is a number") };
    assert!(men > 9_000.0 && men <= 10_000.0, "men on arrival {men}");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Spawned { .. })), 1);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::RunEnded { .. })), 1);
}

/// Share of 2,000 runs of 30 days, in turns of `turn_days`, in which an event with a
/// chance of 0.3 over a 30-day window fires, and one with a chance of 0.01 per day.
fn event_rates(turn_days: u32) -> (f64, f64) {
    let mut b = Builder::new(START, turn_days, 30 / turn_days);
    let f = b.faction("f");
    b.province("p", f);
    storm_event(&mut b, 0.3, Effect::SetFlag("window".into()));
    let window = Arc::make_mut(&mut b.spec_mut().events).last_mut().map(|e| {
        e.from = Some(START);
        e.until = Some(START.add_days(29));
    });
    assert!(window.is_some());
    storm_event(&mut b, 0.01, Effect::SetFlag("daily".into()));
    let spec = b.build();
    let (mut window, mut daily) = (0, 0);
    for seed in 0..2000 {
        let mut s = sim(&spec, seed);
        s.run();
        let flags = &s.world().resource::<tianxia_engine::record::outcome::Metrics>().flags;
        window += usize::from(flags.contains("window"));
        daily += usize::from(flags.contains("daily"));
    }
    (window as f64 / 2000.0, daily as f64 / 2000.0)
}

#[test]
fn an_events_chance_is_over_its_window_or_per_day_whatever_the_length_of_a_turn() {
    let per_day = 1.0 - 0.99f64.powi(30);
    for turn_days in [1, 5, 10, 15] {
        let (window, daily) = event_rates(turn_days);
        // Two and a half standard errors of a share near 0.3 over 2,000 runs.
        assert!((window - 0.3).abs() < 0.026, "{turn_days}-day turns: the window event fired in {window}");
        assert!((daily - per_day).abs() < 0.025, "{turn_days}-day turns: the daily event fired in {daily}");
    }
}

#[test]
fn killing_a_commander_removes_him_from_his_army() {
    let mut b = Builder::new(START, 5, 1);
    let f = b.faction("f");
    let p = b.province("p", f);
    let c = b.commander("heda", f, 0.6, &[]);
    let a = b.army("a", f, p, 1_000.0, 0.0);
    b.spec_mut().armies[a.index()].commanders = vec![c];
    event(
        b.spec_mut(),
        "death",
        1.0,
        vec![
            Effect::KillCommander { commander: c, cause: "killed at Junzhou".into() },
            Effect::SetParam { name: "cavalry_speed".into(), value: 10.0 },
        ],
    );
    let mut s = sim(&b.build(), 1);
    s.step();
    assert!(army(&s, a).commanders.is_empty());
    assert_eq!(s.world().resource::<Params>().cavalry_speed, 10.0, "events can change a parameter");
}

// --- AI -------------------------------------------------------------------------

#[test]
fn an_ai_army_goes_to_capture_its_objective_and_lays_siege() {
    let mut b = Builder::new(START, 5, 12);
    let fa = b.faction("a");
    let fb = b.faction("b");
    b.war(fa, fb);
    let ps = road(&mut b, fa, 4, 80.0, RouteKind::Road);
    let city = b.province("city", fb);
    b.route(ps[3], city, 80.0, RouteKind::Road);
    b.spec_mut().provinces[city.index()].fort = 3;
    b.spec_mut().provinces[city.index()].garrison = 3_000.0;
    b.spec_mut().provinces[city.index()].grain = 0.0;
    let a = b.army("a", fa, ps[0], 5_000.0, 10_000.0);
    b.spec_mut().armies[a.index()].orders = OrdersSpec::Ai;
    b.objective(fa, ObjectiveKind::Capture(city), 1.0);
    let mut s = sim(&b.build(), 4);
    s.run();
    assert!(logged(&s, |k| matches!(k, LogKind::SiegeBegun { .. })) >= 1, "the AI laid siege");
    assert_eq!(province(&s, city).control.controller, fa, "and took the city");
}

/// A weak AI army defending the middle of a three-province road, and a strong enemy
/// holding at `strong_at` (index on the road).
fn hopeless_odds(strong_at: usize) -> (Sim, ArmyId, Vec<ProvinceId>) {
    hopeless_odds_in(strong_at, Stance::Auto)
}

fn hopeless_odds_in(strong_at: usize, stance: Stance) -> (Sim, ArmyId, Vec<ProvinceId>) {
    let mut b = Builder::new(START, 5, 2);
    let fa = b.faction("a");
    let fb = b.faction("b");
    b.war(fa, fb);
    let ps = road(&mut b, fa, 3, 60.0, RouteKind::Road);
    let weak = b.army("weak", fa, ps[1], 0.0, 2_000.0);
    b.spec_mut().armies[weak.index()].orders = OrdersSpec::Ai;
    b.spec_mut().armies[weak.index()].stance = stance;
    b.objective(fa, ObjectiveKind::Defend(ps[1]), 1.0);
    let strong = b.army("strong", fb, ps[strong_at], 20_000.0, 20_000.0);
    b.spec_mut().armies[strong.index()].orders = OrdersSpec::Hold;
    (sim(&b.build(), 1), weak, ps)
}

#[test]
fn an_ai_army_falls_back_from_hopeless_odds() {
    // The strong enemy is next door. Defend looks for enemies in sight; at 1:20 odds the
    // weak army must not walk into them.
    let (mut s, weak, ps) = hopeless_odds(2);
    s.step();
    assert_ne!(army(&s, weak).location, Location::At(ps[2]), "walked into hopeless odds");
}

#[test]
fn an_ai_army_caught_by_hopeless_odds_falls_back_before_the_battle() {
    // The strong enemy stands in the same province.
    let (mut s, weak, ps) = hopeless_odds(1);
    s.step();
    assert_eq!(army(&s, weak).location, Location::At(ps[0]), "fell back to the nearest safe province");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 0, "and was gone before the battle");
}

#[test]
fn drop_objectives_removes_one_kind_and_target_and_the_ai_turns_to_the_next() {
    let world = |drop: bool| {
        let mut b = Builder::new(START, 5, 4);
        let fa = b.faction("a");
        let fb = b.faction("b");
        let ps = road(&mut b, fa, 3, 60.0, RouteKind::Road);
        let far = ps[2];
        let a = b.army("a", fa, ps[0], 5_000.0, 0.0);
        b.spec_mut().armies[a.index()].orders = OrdersSpec::Ai;
        b.objective(fa, ObjectiveKind::Reach(far), 2.0);
        b.objective(fa, ObjectiveKind::Reach(ps[0]), 1.0);
        // The other faction's objective of the same kind and target stays.
        b.objective(fb, ObjectiveKind::Reach(far), 2.0);
        if drop {
            event(
                b.spec_mut(),
                "recall",
                1.0,
                vec![Effect::DropObjectives { faction: fa, kind: ObjectiveKind::Reach(far) }],
            );
        }
        let mut s = sim(&b.build(), 1);
        s.step();
        (army(&s, a).location, s.world().resource::<Objectives>().0.len(), ps)
    };
    let (kept, n, ps) = world(false);
    assert_eq!(n, 3);
    assert_ne!(kept, Location::At(ps[0]), "with its first objective the army marches");
    let (dropped, n, ps) = world(true);
    assert_eq!(n, 2, "only the faction's objective of that kind and target is dropped");
    assert_eq!(dropped, Location::At(ps[0]), "without it the army keeps to its next objective");
}

#[test]
fn an_ai_army_told_to_stand_gives_battle_whatever_the_odds() {
    // Caught in its province by twenty times its men: it neither falls back nor refuses.
    let (mut s, weak, ps) = hopeless_odds_in(1, Stance::Stand);
    s.step();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 1, "it stood and fought");
    assert_ne!(army(&s, weak).location, Location::At(ps[2]));
    // With the enemy next door, it marches on it instead of waiting for better odds (and,
    // beaten, falls back to where it came from).
    let (mut s, _, _) = hopeless_odds_in(2, Stance::Stand);
    s.step();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 1, "it marched on the enemy");
    let (mut s, _, _) = hopeless_odds_in(2, Stance::Auto);
    s.step();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 0, "under stance auto it waits");
}

#[test]
fn a_scripted_army_waits_for_its_date_then_marches() {
    let mut b = Builder::new(START, 5, 6);
    let f = b.faction("f");
    let ps = road(&mut b, f, 3, 50.0, RouteKind::Road);
    let a = b.army("ogedei", f, ps[0], 10_000.0, 0.0);
    b.spec_mut().armies[a.index()].orders = OrdersSpec::Script(vec![Step {
        to: ps[2],
        not_before: Some(START.add_days(15)),
        hold_until: None,
        besiege: false,
    }]);
    let mut s = sim(&b.build(), 1);
    for _ in 0..3 {
        s.step();
    }
    assert_eq!(army(&s, a).location, Location::At(ps[0]), "waits until its date");
    s.step();
    assert_eq!(army(&s, a).location, Location::At(ps[2]));
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Arrived { .. })), 1);
}

// --- economy --------------------------------------------------------------------

#[test]
fn the_harvest_comes_in_on_its_month_and_is_taxed() {
    let mut b = Builder::new(Date { year: 1231, month: 8, day: 30 }, 5, 1);
    b.spec_mut().params.granary_fed_share = 0.0; // the granary's own accounts alone
    let f = b.faction("f");
    let p = b.province("p", f);
    let spec = b.build();
    let mut s = sim(&spec, 1);
    s.step();
    let pr = &spec.provinces[p.index()];
    let tax = pr.harvest * spec.params.grain_tax;
    assert!((province(&s, p).granary.grain - (pr.grain + pr.harvest - tax)).abs() < 1e-9);
    assert_eq!(faction(&s, f).coffers.grain, tax);
}

#[test]
fn a_granary_holds_only_so_many_harvests() {
    let grain_after = |grain: f64, start: Date, turns: u32| {
        let mut b = Builder::new(start, 5, turns);
        b.spec_mut().params.granary_fed_share = 0.0; // the granary's own accounts alone
        let f = b.faction("f");
        let p = b.province("p", f);
        b.spec_mut().provinces[p.index()].grain = grain;
        let mut s = sim(&b.build(), 1);
        s.run();
        province(&s, p).granary.grain
    };
    let p = Params::default();
    let harvest = 10_000.0;
    // A nearly full granary: the harvest fills it to capacity, the rest is lost.
    let full = grain_after(14_000.0, Date { year: 1231, month: 8, day: 30 }, 1);
    assert!((full - harvest * p.granary_capacity_harvests).abs() < 1e-9, "a full granary holds {full}");
    // One already above capacity (as a scenario may start it) loses nothing, gains nothing.
    let over = grain_after(50_000.0, Date { year: 1231, month: 8, day: 30 }, 1);
    assert_eq!(over, 50_000.0);
    // An empty one takes the whole harvest less the tax.
    let empty = grain_after(0.0, Date { year: 1231, month: 8, day: 30 }, 1);
    assert!((empty - harvest * (1.0 - p.grain_tax)).abs() < 1e-9);
}

#[test]
fn a_garrison_below_its_establishment_is_refilled_from_manpower() {
    use tianxia_engine::model::province::Walls;
    let mut b = Builder::new(START, 5, 1);
    let f = b.faction("f");
    let p = b.province("p", f);
    b.spec_mut().provinces[p.index()].garrison = 2_000.0;
    b.spec_mut().factions[f.index()].manpower = 10_000.0;
    b.spec_mut().factions[f.index()].grain = 1e6;
    let mut s = sim(&b.build(), 1);
    let e = s.world().resource::<Index>().provinces[p.index()];
    s.world_mut().entity_mut(e).insert(Walls { fort: 0, garrison: 1_000.0, establishment: 2_000.0 });
    s.step();
    let params = Params::default();
    let raised = 2_000.0 * params.garrison_replenish_per_day * 5.0;
    assert!((province(&s, p).walls.garrison - (1_000.0 + raised)).abs() < 1e-9);
    let grown = 10_000.0 * params.manpower_rate * 5.0 / 365.0; // the province's people, this turn
    let pool = faction(&s, f).coffers.manpower;
    assert!((pool - (10_000.0 + grown - raised)).abs() < 1e-6, "the men come from the pool: {pool}");
}

#[test]
fn field_armies_cannot_draw_a_walled_citys_siege_reserve() {
    let drawn = |fort: u8| {
        let mut b = Builder::new(START, 5, 1);
        b.spec_mut().params.granary_fed_share = 0.0; // the granary's own accounts alone
        let f = b.faction("f");
        let ps = road(&mut b, f, 2, 50.0, RouteKind::Road);
        let pr = &mut b.spec_mut().provinces[ps[1].index()];
        pr.fort = fort;
        pr.garrison = 2_000.0;
        pr.grain = 60_000.0;
        b.spec_mut().provinces[ps[0].index()].grain = 0.0;
        let a = b.army("a", f, ps[0], 0.0, 100_000.0);
        b.spec_mut().armies[a.index()].food_days = 0.0;
        b.spec_mut().params.siege_reserve_days = 90.0;
        let mut s = sim(&b.build(), 1);
        s.step();
        60_000.0 - province(&s, ps[1]).granary.grain
    };
    let p = Params { siege_reserve_days: 90.0, ..Params::default() };
    let reserve = (2_000.0 * p.ration + 10_000.0 * p.civilian_ration) * p.siege_reserve_days;
    let (open, walled) = (drawn(0), drawn(2));
    assert!((open - 60_000.0 * p.supply_draw_share).abs() < 1e-6, "an open town gives {open}");
    let above = (60_000.0 - reserve) * p.supply_draw_share;
    assert!((walled - above).abs() < 1e-6, "a walled city keeps its reserve: gave {walled}");
}

#[test]
fn depleted_armies_resting_at_home_are_reinforced_from_manpower_and_grain() {
    let mut b = Builder::new(START, 5, 1);
    let f = b.faction("f");
    b.spec_mut().factions[f.index()].grain = 1e6;
    let p = b.province("p", f);
    let a = b.army("a", f, p, 0.0, 10_000.0);
    let mut s = sim(&b.build(), 1);
    let e = s.world().resource::<Index>().armies[a.index()];
    if let Some(mut x) = s.world_mut().get_mut::<Strength>(e) {
        x.infantry = 5_000.0;
    }
    s.step();
    let men = army(&s, a).men();
    assert!(men > 5_000.0 && men <= 10_000.0, "reinforced to {men}");
    assert!(faction(&s, f).coffers.manpower < 100_000.0);
}

#[test]
fn a_drain_off_the_map_costs_manpower_and_grain() {
    let mut b = Builder::new(START, 5, 73);
    let f = b.faction("jin");
    b.spec_mut().factions[f.index()].grain = 1e6;
    b.spec_mut().factions[f.index()].drain_men = 20_000.0;
    b.spec_mut().factions[f.index()].drain_grain = 500_000.0;
    b.province("p", f);
    let mut s = sim(&b.build(), 1);
    s.run();
    let c = faction(&s, f).coffers;
    assert!(c.manpower < 100_000.0 - 19_000.0, "a year of drain took men: {}", c.manpower);
    // The province's harvest tax comes in, but the drain takes far more.
    assert!(c.grain < 1e6 - 450_000.0, "a year of drain took grain: {}", c.grain);
}

// --- outcomes -------------------------------------------------------------------

#[test]
fn the_largest_battle_between_two_sides_names_the_winner() {
    let (mut spec, _, _) = battle_world(30_000.0, 10_000.0);
    Arc::make_mut(&mut spec.outcomes).push(OutcomeSpec {
        key: "winner".into(),
        description: String::new(),
        rule: OutcomeRule::LargestBattleWinner { side_a: vec![FactionId(0)], side_b: vec![FactionId(1)], at: None },
    });
    Arc::make_mut(&mut spec.outcomes).push(OutcomeSpec {
        key: "field".into(),
        description: String::new(),
        rule: OutcomeRule::Controller(ProvinceId(0)),
    });
    let mut s = sim(&spec, 1);
    let r = s.run();
    let expected = winner_of_battle(&spec, 1).unwrap_or_else(|| "none".into());
    assert_eq!(r.outcomes[0].1, OutcomeValue::Category(expected));
    assert_eq!(r.outcomes[1].1, OutcomeValue::Category("a".into()));
}

// --- river floods -----------------------------------------------------------------

/// Three provinces: `a` to `b` across a short river crossing, or round by a long road
/// through `c`; all in one region, wet in every season if `wet`.
fn river_world(wet: bool, chance: f64) -> (WorldSpec, ArmyId, ProvinceId) {
    let mut b = Builder::new(START, 5, 6);
    let f = b.faction("f");
    let clear = [1.0, 0.0, 0.0, 0.0];
    let zone = b.region("valley", Some(Climate { chances: [clear; 4], wet: [wet; 4] }));
    let (pa, pb, pc) = (b.province("a", f), b.province("b", f), b.province("c", f));
    for p in [pa, pb, pc] {
        b.spec_mut().provinces[p.index()].regions = vec![zone];
    }
    b.route(pa, pb, 20.0, RouteKind::RiverCrossing);
    b.route(pa, pc, 150.0, RouteKind::Road);
    b.route(pc, pb, 150.0, RouteKind::Road);
    let army = b.army("a", f, pa, 0.0, 5_000.0);
    march(&mut b, army, pb);
    b.spec_mut().params.flood_chance_per_day = chance;
    (b.build(), army, pb)
}

#[test]
fn a_river_in_its_wet_season_floods_closes_and_reopens() {
    let (spec, _, _) = river_world(true, 1.0);
    let mut s = sim(&spec, 1);
    s.step();
    let floods: Vec<_> = s
        .log()
        .entries()
        .iter()
        .filter_map(|e| match &e.kind {
            LogKind::Flooded { route, until } => Some((e.date, *route, *until)),
            _ => None,
        })
        .collect();
    assert_eq!(floods.len(), 1, "only the crossing can flood: {floods:?}");
    let (day, route, until) = floods[0];
    assert_eq!(route.index(), 0);
    assert_eq!(until, day.add_days(spec.params.flood_days as i64), "closed for flood_days");
    let graph = s.world().resource::<tianxia_engine::model::route::RouteGraph>();
    assert!(!graph.is_open(route), "the flooded crossing is closed");
    // Two turns later (ten days) the water is down and the crossing opens for the turn,
    // until it floods again (the chance is 1).
    s.step();
    s.step();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Flooded { .. })), 2, "it floods again once it has reopened");
}

#[test]
fn a_region_without_wet_seasons_never_floods() {
    let (spec, _, _) = river_world(false, 1.0);
    let mut s = sim(&spec, 1);
    s.run();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Flooded { .. })), 0);
}

#[test]
fn an_army_goes_round_a_flooded_crossing_and_takes_it_when_it_is_dry() {
    // Dry: straight across the 20 km crossing in the first turn.
    let (spec, a, to) = river_world(true, 0.0);
    let mut s = sim(&spec, 1);
    s.step();
    assert_eq!(army(&s, a).location, Location::At(to), "over the river in one turn");
    // Flooded: the AI's path and the march go round by the road through c.
    let (spec, a, to) = river_world(true, 1.0);
    let mut s = sim(&spec, 1);
    s.step();
    let at = army(&s, a).location;
    assert_ne!(at, Location::At(to), "the flooded crossing cannot be used");
    let via_c = matches!(at, Location::OnRoute { to: ProvinceId(2), .. } | Location::At(ProvinceId(2)));
    assert!(via_c, "the army went round by the road through c: {at:?}");
}

// --- evasion, harassment and baggage ---------------------------------------------

/// 10,000 horse of faction b (two horses each) meet `foot` foot of faction a in open
/// country. `exit`: whether the field has a way out that holds no enemy army (else its
/// only neighbour holds a few of a's foot).
fn horse_meets_foot(foot: f64, exit: bool, stance: Stance) -> (WorldSpec, ArmyId) {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let field = b.province("field", fa);
    let away = b.province("away", fb);
    b.route(field, away, 40.0, RouteKind::Road);
    b.war(fa, fb);
    b.army("foot", fa, field, 0.0, foot);
    let horse = b.army("horse", fb, field, 10_000.0, 0.0);
    b.spec_mut().armies[horse.index()].horses = 20_000.0;
    b.spec_mut().armies[horse.index()].stance = stance;
    if !exit {
        b.army("screen", fa, away, 0.0, 3_000.0);
    }
    (b.build(), horse)
}

/// Over `seeds` seeds: (battles fought, times the horse slipped away).
fn evasions(spec: &WorldSpec, seeds: u64) -> (usize, usize) {
    let (mut battles, mut evaded) = (0, 0);
    for seed in 0..seeds {
        let mut s = sim(spec, seed);
        s.step();
        battles += logged(&s, |k| matches!(k, LogKind::Battle { .. }));
        evaded += logged(&s, |k| matches!(k, LogKind::Evaded { .. }));
    }
    (battles, evaded)
}

#[test]
fn horse_facing_three_times_its_number_evades_in_open_country_and_is_caught_when_cornered() {
    let (open, horse) = horse_meets_foot(30_000.0, true, Stance::Auto);
    let (battles, evaded) = evasions(&open, 200);
    // Caught with (20 / 50 km/day / 1.1 for the remounts) ~ 0.36 on a plain in clear weather.
    assert!(evaded > 110 && evaded < 170, "evaded {evaded} of 200");
    assert_eq!(battles + evaded, 200, "each seed either fights or slips away");
    let mut s = sim(&open, (0..200).find(|&seed| evasions_one(&open, seed)).unwrap());
    s.step();
    let a = army(&s, horse);
    assert_eq!(a.location, Location::At(ProvinceId(1)), "it slipped away to the open neighbour");
    // No battle: it lost only what harassing the foot it refused cost it.
    assert!(a.ledger.lost < 300.0, "lost {}", a.ledger.lost);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Harassed { .. })), 1, "mostly mounted, it harassed what it refused");

    let (cornered, _) = horse_meets_foot(30_000.0, false, Stance::Auto);
    assert_eq!(evasions(&cornered, 100), (100, 0), "with no way out it must fight");
    let (stands, _) = horse_meets_foot(30_000.0, true, Stance::Stand);
    assert_eq!(evasions(&stands, 100), (100, 0), "stance `stand` gives battle");
}

fn evasions_one(spec: &WorldSpec, seed: u64) -> bool {
    let mut s = sim(spec, seed);
    s.step();
    logged(&s, |k| matches!(k, LogKind::Evaded { .. })) == 1
}

#[test]
fn an_army_no_faster_than_its_enemy_cannot_refuse_battle_and_good_odds_do_not_refuse() {
    // Foot against three times as much foot: the same pace, so no way to slip away.
    let (spec, _, _) = battle_world(30_000.0, 10_000.0);
    assert_eq!(evasions(&spec, 50), (50, 0));
    // Horse against a fraction of its power does not refuse under `auto`.
    let (spec, _) = horse_meets_foot(5_000.0, true, Stance::Auto);
    assert_eq!(evasions(&spec, 50), (50, 0));
}

#[test]
fn the_chance_of_being_caught_rises_with_the_pursuers_pace_and_horse_rough_ground_and_snow() {
    use tianxia_engine::rules::evasion::catch_chance;
    let p = Params::default();
    let plain = catch_chance(20.0, 50.0, 0.0, 10_000.0, Terrain::Plain, Weather::Clear, &p);
    assert!((plain - 0.4).abs() < 1e-12, "plain, clear, no horse: {plain}");
    assert!(catch_chance(30.0, 50.0, 0.0, 10_000.0, Terrain::Plain, Weather::Clear, &p) > plain);
    assert!(catch_chance(20.0, 50.0, 5_000.0, 10_000.0, Terrain::Plain, Weather::Clear, &p) > plain);
    assert!(catch_chance(20.0, 50.0, 0.0, 10_000.0, Terrain::Mountains, Weather::Clear, &p) > plain);
    assert!(catch_chance(20.0, 50.0, 0.0, 10_000.0, Terrain::Plain, Weather::Blizzard, &p) > plain);
    assert_eq!(catch_chance(50.0, 50.0, 0.0, 10_000.0, Terrain::Plain, Weather::Clear, &p), 1.0, "not faster");
}

/// A column of 20,000 foot of faction a holding in its own province, 30 km from 8,000
/// horse of faction b (stance `stance`, holding too), for three turns.
fn harassed_column(stance: Stance) -> (Sim, ArmyId, ArmyId) {
    let mut b = Builder::new(START, 5, 3);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let camp = b.province("camp", fa);
    let hills = b.province("hills", fb);
    b.route(camp, hills, 30.0, RouteKind::Road);
    b.war(fa, fb);
    let column = b.army("column", fa, camp, 0.0, 20_000.0);
    let horse = b.army("horse", fb, hills, 8_000.0, 0.0);
    b.spec_mut().armies[horse.index()].stance = stance;
    let mut s = sim(&b.build(), 1);
    while s.step() {}
    (s, column, horse)
}

#[test]
fn horse_that_harasses_a_column_wears_it_down_without_a_battle() {
    let (calm, column, _) = harassed_column(Stance::Evade);
    let (s, _, horse) = harassed_column(Stance::Harass);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 0, "no pitched battle");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Harassed { .. })), 3, "harassed each turn");
    let (quiet, worn) = (army(&calm, column), army(&s, column));
    assert_eq!(logged(&calm, |k| matches!(k, LogKind::Harassed { .. })), 0, "stance `evade` does not harass");
    // 8,000 horse against 20,000 men: intensity min(1, 8 / 10) x (1 - 0) = 0.8.
    let p = Params::default();
    let expected = 20_000.0 * (1.0 - (1.0 - p.harass_loss_per_day * 0.8 * 5.0).powi(3));
    let extra = worn.ledger.lost - quiet.ledger.lost;
    assert!((extra - expected).abs() < 0.02 * expected, "lost {extra} more men, expected ~{expected}");
    // 0.03 x 0.8 x 5 days a turn, against rest in the movement phase.
    assert!(worn.fatigue > quiet.fatigue + 0.1, "harassment tires: {} vs {}", worn.fatigue, quiet.fatigue);
    assert!(worn.morale < quiet.morale, "and costs morale");
    assert!(worn.food < quiet.food, "and baggage: {} vs {}", worn.food, quiet.food);
    let h = army(&s, horse);
    assert!(h.ledger.lost < extra * 0.5, "the harasser loses less than it kills");
}

#[test]
fn harassing_horse_under_the_ai_shadows_the_nearest_enemy_in_sight() {
    let mut b = Builder::new(START, 5, 4);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let ps = road(&mut b, fa, 5, 60.0, RouteKind::Road);
    b.war(fa, fb);
    let column = b.army("column", fa, ps[0], 0.0, 20_000.0);
    let horse = b.army("horse", fb, ps[4], 8_000.0, 0.0);
    b.spec_mut().armies[horse.index()].stance = Stance::Harass;
    b.spec_mut().armies[horse.index()].orders = OrdersSpec::Ai;
    let mut s = sim(&b.build(), 1);
    while s.step() {}
    assert!(logged(&s, |k| matches!(k, LogKind::Harassed { .. })) >= 1, "it rode out and harassed");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 0, "without giving battle");
    assert!(army(&s, column).ledger.lost > 100.0);
}

#[test]
fn a_beaten_army_loses_part_of_its_baggage_and_the_victors_carry_off_what_they_can() {
    let (mut spec, x, y) = battle_world(30_000.0, 10_000.0);
    spec.armies[x.index()].food_days = 5.0; // room in the victors' train
    let mut control = spec.clone();
    control.armies.pop(); // no enemy, no battle
    let mut s = sim(&spec, 3);
    s.step();
    let mut c = sim(&control, 3);
    c.step();
    let lost: Vec<(f64, f64)> = s
        .log()
        .entries()
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::BaggageLost { army, food, taken } if army == y => Some((food, taken)),
            _ => None,
        })
        .collect();
    let p = Params::default();
    let [(food, taken)] = lost[..] else { panic!("one baggage entry for the loser: {lost:?}") };
    assert!(food > 0.0 && taken > 0.0 && taken <= food * p.baggage_capture_share + 1e-9, "{food} {taken}");
    // The loser's train after the battle is what it had less what it lost.
    let share = if army(&s, y).ledger.routs > 0 { p.baggage_loss_rout } else { p.baggage_loss_defeat };
    assert!((army(&s, y).food - food * (1.0 - share) / share).abs() < 1e-6 * food);
    assert!((army(&s, x).food - army(&c, x).food - taken).abs() < 1e-6, "the victors carry it");
}

#[test]
fn lose_baggage_and_set_stance_are_effects_a_scenario_can_use() {
    let (mut spec, x, y) = battle_world(10_000.0, 10_000.0);
    spec.relations.clear(); // no battle: only the effects
    spec.armies[y.index()].food_days = 5.0;
    event(
        &mut spec,
        "ambush",
        1.0,
        vec![
            Effect::LoseBaggage { army: x, share: 0.5, to: Some(y) },
            Effect::SetStance { army: y, stance: Stance::Harass },
        ],
    );
    let mut s = sim(&spec, 1);
    let before = (army(&s, x).food, army(&s, y).food);
    s.step();
    let taken = s
        .log()
        .entries()
        .iter()
        .find_map(|e| match e.kind {
            LogKind::BaggageLost { army, food, taken } if army == x => Some((food, taken)),
            _ => None,
        })
        .expect("the baggage loss is logged");
    assert!((taken.0 - before.0 * 0.5).abs() < 1e-6, "half the train is lost: {taken:?}");
    assert!(taken.1 > 0.0 && taken.1 <= before.0 * 0.5, "y takes what it can carry: {taken:?}");
    let stance = s.world().get::<Stance>(s.world().resource::<Index>().armies[y.index()]).copied();
    assert_eq!(stance, Some(Stance::Harass));
    let _ = before.1;
}

// --- encounters on the road -------------------------------------------------------

/// Horse of faction a at p0 rides for p1 (140 km of road) while foot of faction b at p1
/// marches for p0; `war`: whether the two are at war.
fn head_on(war: bool) -> (Sim, ArmyId, ArmyId) {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let p0 = b.province("p0", fa);
    let p1 = b.province("p1", fb);
    b.route(p0, p1, 140.0, RouteKind::Road);
    if war {
        b.war(fa, fb);
    }
    let horse = b.army("horse", fa, p0, 10_000.0, 0.0);
    let foot = b.army("foot", fb, p1, 0.0, 10_000.0);
    march(&mut b, horse, p1);
    march(&mut b, foot, p0);
    let mut s = sim(&b.build(), 1);
    s.step();
    (s, horse, foot)
}

#[test]
fn hostile_armies_meeting_head_on_on_a_route_fight_where_they_meet() {
    let (s, horse, foot) = head_on(true);
    // 50 + 20 km a day close 140 km in two days: they meet 100 km out of p0.
    let met: Vec<_> = s
        .log()
        .entries()
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::Met { army, other, near, .. } => Some((army, other, near)),
            _ => None,
        })
        .collect();
    assert_eq!(met, [(horse, foot, ProvinceId(1))], "one meeting, nearer p1");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 1, "and a battle there");
    // Whoever won still stands where they met; the beaten fell back to its own end.
    let (h, f) = (army(&s, horse), army(&s, foot));
    let at_meeting = |l: Location| match l {
        Location::OnRoute { from, done, .. } => {
            let x = if from == ProvinceId(0) { done } else { 140.0 - done };
            (x - 100.0).abs() < 1e-6
        }
        Location::At(_) => false,
    };
    assert!(
        (at_meeting(h.location) && f.location == Location::At(ProvinceId(1)))
            || (at_meeting(f.location) && h.location == Location::At(ProvinceId(0))),
        "{:?} {:?}",
        h.location,
        f.location
    );
}

#[test]
fn armies_at_peace_pass_each_other_on_a_route() {
    let (s, horse, _) = head_on(false);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Met { .. })), 0);
    assert_eq!(army(&s, horse).location, Location::At(ProvinceId(1)), "the horse rides on");
}

#[test]
fn faster_horse_catches_a_column_on_the_road_and_fights_it_there() {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let ps = road(&mut b, fa, 3, 30.0, RouteKind::Road);
    b.route(ps[1], ps[2], 300.0, RouteKind::Road);
    b.war(fa, fb);
    // The column (b) leaves p1 for p2 as the horse (a) rides from p0 after it.
    let column = b.army("column", fb, ps[1], 0.0, 8_000.0);
    let horse = b.army("horse", fa, ps[0], 20_000.0, 0.0);
    b.spec_mut().armies[horse.index()].stance = Stance::Stand;
    march(&mut b, column, ps[2]);
    march(&mut b, horse, ps[2]);
    let mut s = sim(&b.build(), 1);
    s.step();
    // The horse reaches p1 after 0.6 days, the column is then 12 km ahead; at 50 against
    // 20 km a day it is caught at the end of the first day, 20 km out of p1.
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Met { .. })), 1);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Battle { .. })), 1);
    let c = army(&s, column);
    assert!(c.ledger.lost > 0.0, "the column fought");
    assert!(!matches!(c.location, Location::At(p) if p == ps[2]), "it never reached p2: {:?}", c.location);
}

// --- trespass place by place, and sacking -------------------------------------------

#[test]
fn every_place_a_trespasser_enters_answers_for_itself() {
    let mut b = Builder::new(START, 5, 1);
    let guest = b.faction("guest");
    let host = b.faction("host");
    b.spec_mut().factions[host.index()].trespass_policy = TrespassResponse::Ignore;
    let home = b.province("home", guest);
    let ps: Vec<ProvinceId> = ["border", "middle", "far"].iter().map(|k| b.province(k, host)).collect();
    b.route(home, ps[0], 20.0, RouteKind::Road);
    b.route(ps[0], ps[1], 20.0, RouteKind::Road);
    b.route(ps[1], ps[2], 20.0, RouteKind::Road);
    b.spec_mut().provinces[ps[0].index()].garrison = 2_000.0;
    b.spec_mut().provinces[ps[2].index()].garrison = 2_000.0;
    let g = b.commander("zealot", host, 0.5, &[Trait::Zealous]);
    b.spec_mut().provinces[ps[2].index()].governor = Some(g);
    let a = b.army("a", guest, home, 5_000.0, 0.0);
    march(&mut b, a, ps[2]);
    let answers = |s: &Sim| -> Vec<(ProvinceId, Option<CommanderId>)> {
        s.log()
            .entries()
            .iter()
            .filter_map(|e| match e.kind {
                LogKind::TrespassAnswer { province, commander, .. } => Some((province, commander)),
                _ => None,
            })
            .collect()
    };
    let spec = b.build();
    let mut s = sim(&spec, 1);
    s.step();
    // The border garrison answers by the host's policy, the empty middle lets the army by,
    // and the far town answers by its own governor (who, being zealous, may resist).
    assert_eq!(answers(&s), [(ps[0], None), (ps[1], None), (ps[2], Some(g))]);
    let resisted = (0..100)
        .filter(|&seed| {
            let mut s = sim(&spec, seed);
            s.step();
            s.world().resource::<Diplomacy>().at_war(guest, host)
        })
        .count();
    let expected = 100.0 * Params::default().zealous_resist_chance;
    assert!((resisted as f64 - expected).abs() < 15.0, "the zealot resisted in {resisted} of 100");
}

/// An army of faction a (sack policy `sack`) marches into an undefended town of b, with
/// which a is at war (or, with `war` false, whose land it crosses), then home again.
fn raid(sack: Sack, war: bool) -> (Sim, ArmyId, ProvinceId) {
    let mut b = Builder::new(START, 5, 10);
    let fa = b.faction("a");
    let fb = b.faction("b");
    b.spec_mut().factions[fa.index()].sack = sack;
    b.spec_mut().factions[fb.index()].trespass_policy = TrespassResponse::Ignore;
    let home = b.province("home", fa);
    let town = b.province("town", fb);
    b.route(home, town, 40.0, RouteKind::Road);
    // Nothing at home and no foraging: the raiders' train has room for what they take.
    b.spec_mut().provinces[home.index()].grain = 0.0;
    b.spec_mut().params.forage_share_per_day = 0.0;
    b.spec_mut().params.granary_fed_share = 0.0; // the sack's accounts alone
    b.spec_mut().provinces[town.index()].grain = 200_000.0;
    b.spec_mut().provinces[town.index()].harvest = 100_000.0;
    b.spec_mut().provinces[town.index()].harvest_month = 6;
    if war {
        b.war(fa, fb);
    }
    let a = b.army("raiders", fa, home, 5_000.0, 0.0);
    b.spec_mut().armies[a.index()].food_days = 5.0;
    b.spec_mut().armies[a.index()].orders = OrdersSpec::Script(vec![
        Step { to: town, not_before: None, hold_until: None, besiege: false },
        Step { to: home, not_before: None, hold_until: None, besiege: false },
    ]);
    let mut s = sim(&b.build(), 1);
    s.step();
    (s, a, town)
}

fn sacks(s: &Sim) -> Vec<(f64, f64, f64)> {
    s.log()
        .entries()
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::Sacked { grain, spoilt, people, .. } => Some((grain, spoilt, people)),
            _ => None,
        })
        .collect()
}

#[test]
fn an_army_whose_faction_sacks_strips_an_undefended_town_it_takes() {
    let p = Params::default();
    let (s, a, town) = raid(Sack::Hostile, true);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Captured { .. })), 1, "taken first");
    let [(grain, spoilt, people)] = sacks(&s)[..] else { panic!("one sack: {:?}", sacks(&s)) };
    let t = province(&s, town);
    assert!((people - 10_000.0 * p.sack_population_loss).abs() < 1e-6, "people lost {people}");
    assert!((t.population - 10_000.0 * (1.0 - p.sack_population_loss)).abs() < 1e-6);
    // It carries off what it can (carry_days of its needs; here its share of the capture
    // loot has filled its train already), the rest of the stripped share is spoilt.
    let r = army(&s, a);
    assert!(grain >= 0.0 && spoilt > 0.0, "{grain} {spoilt}");
    let stock_before_sack = (grain + spoilt) / p.sack_grain_share;
    assert!((t.granary.grain - stock_before_sack * (1.0 - p.sack_grain_share)).abs() < 1e-6 * stock_before_sack);
    assert!(r.guides_until.is_some(), "guides from the sacked town");
    let ravage = *s.world().get::<Ravage>(s.world().resource::<Index>().provinces[town.index()]).unwrap();
    assert_eq!(ravage.harvest_loss, p.sack_harvest_loss);

    let (calm, ..) = raid(Sack::Never, true);
    assert!(sacks(&calm).is_empty(), "policy never: no sack");
    let (crossing, ..) = raid(Sack::Hostile, false);
    assert!(sacks(&crossing).is_empty(), "hostile: a neutral's land is spared");
    let (plunderers, ..) = raid(Sack::Foreign, false);
    let [(grain, ..)] = sacks(&plunderers)[..] else { panic!("foreign: a neutral's undefended town is sacked too") };
    assert!(grain > 0.0, "with no capture loot, the sack fills the train: {grain}");
}

#[test]
fn a_sacked_town_loses_half_its_next_harvest_and_is_not_sacked_again_soon() {
    let p = Params::default();
    let (mut s, _, town) = raid(Sack::Foreign, false);
    let entity = s.world().resource::<Index>().provinces[town.index()];
    // The raiders go home; the town's next harvest (1 June, turn 6) comes in spoilt.
    let mut before = 0.0;
    for _ in 1..6 {
        before = province(&s, town).granary.grain;
        s.step();
    }
    assert_eq!(sacks(&s).len(), 1, "one sack only");
    before = before.max(province(&s, town).granary.grain);
    s.step();
    let after = province(&s, town).granary.grain;
    let expected = 100_000.0 * (1.0 - p.sack_harvest_loss) * (1.0 - p.grain_tax);
    assert!((after - before - expected).abs() < 1.0, "harvest brought {}, expected {expected}", after - before);
    assert_eq!(s.world().get::<Ravage>(entity).unwrap().harvest_loss, 0.0, "the next one is whole");
}

#[test]
fn an_event_can_order_a_sack_whatever_the_policy() {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let town = b.province("town", fb);
    b.spec_mut().provinces[town.index()].grain = 50_000.0;
    let a = b.army("raiders", fa, town, 2_000.0, 0.0);
    event(b.spec_mut(), "sack", 1.0, vec![Effect::Sack { army: a }]);
    let mut s = sim(&b.build(), 1);
    s.step();
    assert_eq!(sacks(&s).len(), 1);
}

/// Men lost by 10,000 foot after a turn on a 200 km mountain path (ways are never lost),
/// with or without guides.
fn mountain_march_losses(guided: bool) -> (f64, f64) {
    let mut b = Builder::new(START, 5, 1);
    let fa = b.faction("a");
    let ps = road(&mut b, fa, 2, 200.0, RouteKind::MountainPath);
    b.spec_mut().params.lost_way_chance = 0.0;
    let a = b.army("a", fa, ps[0], 0.0, 10_000.0);
    march(&mut b, a, ps[1]);
    let mut s = sim(&b.build(), 1);
    if guided {
        let e = s.world().resource::<Index>().armies[a.index()];
        s.world_mut().entity_mut(e).insert(Guided { until: i64::MAX });
    }
    s.step();
    let v = army(&s, a);
    assert!(matches!(v.location, Location::OnRoute { .. }), "still on the path after a turn");
    (v.ledger.lost, v.fatigue)
}

#[test]
fn mountain_ways_cost_men_and_guides_halve_it() {
    let p = Params::default();
    let (alone, _) = mountain_march_losses(false);
    let (guided, _) = mountain_march_losses(true);
    // Five days on the path: 10,000 x 0.002 x 5 = 100 men alone, half with guides (disease
    // costs both the same).
    let expected = 10_000.0 * p.mountain_attrition * 5.0 * (1.0 - p.guides_attrition_factor);
    assert!((alone - guided - expected).abs() < 1.0, "alone {alone}, guided {guided}, expected {expected} apart");
}

// --- the length of a turn -------------------------------------------------------------

/// Men lost to the cold and cold stress left after ten days, in turns of `turn_days`, of
/// an army caught in the open by a four-day blizzard (forced by an event, in a region
/// whose climate is otherwise always clear).
fn four_days_of_blizzard(turn_days: u32) -> (f64, f64) {
    let mut b = Builder::new(Date { year: 1232, month: 2, day: 1 }, turn_days, 10 / turn_days);
    let f = b.faction("f");
    let zone = b.region("z", Some(Climate { chances: [[1.0, 0.0, 0.0, 0.0]; 4], wet: [false; 4] }));
    let p = b.province("p", f);
    b.spec_mut().provinces[p.index()].regions = vec![zone];
    b.spec_mut().provinces[p.index()].grain = 1e9;
    b.spec_mut().params.disease_attrition = 0.0;
    let a = b.army("a", f, p, 0.0, 10_000.0);
    storm(&mut b, zone, Weather::Blizzard, 4.0);
    let mut s = sim(&b.build(), 1);
    while s.step() {}
    let v = army(&s, a);
    (v.ledger.lost, v.exposure)
}

#[test]
fn a_spell_of_blizzard_costs_the_same_in_five_and_ten_day_turns() {
    let (five, ex5) = four_days_of_blizzard(5);
    let (ten, ex10) = four_days_of_blizzard(10);
    assert!(five > 0.0, "the blizzard costs men");
    assert!((five - ten).abs() < 1e-6 * five, "5-day turns lose {five}, 10-day turns {ten}");
    assert!((ex5 - ex10).abs() < 1e-9, "cold stress left: {ex5} vs {ex10}");
}

#[test]
fn a_starving_city_falls_as_often_within_sixty_days_in_five_and_ten_day_turns() {
    // Surrender is a chance per day without food, so the turn length does not matter.
    let fallen = |turn_days: u32| {
        // Sixty days either way: twelve turns of five, or six of ten.
        let (mut spec, city, fa) = siege_world(5_000.0, 12);
        spec.turn_days = turn_days;
        (0..300)
            .filter(|&seed| {
                let mut s = sim(&spec, seed);
                while s.step() {}
                province(&s, city).control.controller == fa
            })
            .count()
    };
    let (five, ten) = (fallen(5), fallen(10));
    let half = |k: usize| 1.96 * ((k as f64 / 300.0) * (1.0 - k as f64 / 300.0) / 300.0).sqrt() * 300.0;
    assert!(five > 30 && five < 290, "the siege is a gamble: {five} of 300");
    assert!(
        (five as f64 - ten as f64).abs() <= half(five) + half(ten),
        "fell in {five} of 300 runs at 5 days a turn, {ten} at 10"
    );
}

// --- the people's bread and the central granary ----------------------------------------

/// A province of `people` people and `grain` shi, its faction holding `central` shi in
/// the central granary, after one turn (no harvest, no armies).
fn bread(people: f64, grain: f64, central: f64) -> (Sim, ProvinceId, FactionId) {
    let mut b = Builder::new(START, 5, 1);
    let f = b.faction("f");
    b.spec_mut().factions[f.index()].grain = central;
    let q = b.province("town", f);
    (b.spec_mut().provinces[q.index()].population, b.spec_mut().provinces[q.index()].grain) = (people, grain);
    let mut s = sim(&b.build(), 1);
    s.step();
    (s, q, f)
}

#[test]
fn townspeople_eat_from_the_granary_then_from_the_central_granary_else_go_hungry() {
    let p = Params::default();
    let need = 100_000.0 * p.granary_fed_share * p.civilian_ration * 5.0;
    // A stocked granary feeds them.
    let (s, q, f) = bread(100_000.0, 50_000.0, 10_000.0);
    assert!((province(&s, q).granary.grain - (50_000.0 - need)).abs() < 1e-6);
    assert_eq!(faction(&s, f).coffers.grain, 10_000.0, "the centre sends nothing");
    assert_eq!(province(&s, q).population, 100_000.0);
    // An empty one: the central granary sends what is lacking, losing some on the way.
    let (s, q, f) = bread(100_000.0, 0.0, 10_000.0);
    let sent = need / (1.0 - p.central_supply_loss);
    assert!((faction(&s, f).coffers.grain - (10_000.0 - sent)).abs() < 1e-6);
    assert_eq!(province(&s, q).population, 100_000.0, "fed from the centre, nobody dies");
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Famine { .. })), 0);
    // Neither: famine.
    let (s, q, _) = bread(100_000.0, 0.0, 0.0);
    assert_eq!(logged(&s, |k| matches!(k, LogKind::Famine { .. })), 1);
    let expected = 100_000.0 * (1.0 - p.famine_mortality * 5.0);
    assert!((province(&s, q).population - expected).abs() < 1e-6, "{}", province(&s, q).population);
}

#[test]
fn the_central_granary_holds_only_so_many_years_of_tax() {
    let p = Params::default();
    // One province of 100,000 shi a year, harvested in the first turn; the central
    // granary starts at its bound.
    let mut b = Builder::new(Date { year: 1231, month: 9, day: 1 }, 5, 1);
    let f = b.faction("f");
    let q = b.province("land", f);
    let bound = 100_000.0 * p.grain_tax * p.central_granary_years;
    b.spec_mut().factions[f.index()].grain = bound;
    b.spec_mut().provinces[q.index()].harvest = 100_000.0;
    b.spec_mut().provinces[q.index()].grain = 1e6;
    let mut s = sim(&b.build(), 1);
    s.step();
    assert!((faction(&s, f).coffers.grain - bound).abs() < 1e-6, "the tax beyond the bound is not kept");
    // Below the bound the tax comes in whole.
    b = Builder::new(Date { year: 1231, month: 9, day: 1 }, 5, 1);
    let f = b.faction("f");
    let q = b.province("land", f);
    b.spec_mut().provinces[q.index()].harvest = 100_000.0;
    b.spec_mut().provinces[q.index()].grain = 1e6;
    let mut s = sim(&b.build(), 1);
    s.step();
    assert!((faction(&s, f).coffers.grain - 100_000.0 * p.grain_tax).abs() < 1e-6);
}

#[test]
fn an_army_on_its_own_supply_lines_is_fed_from_the_central_granary_when_the_land_is_bare() {
    let p = Params::default();
    let mut b = Builder::new(START, 5, 1);
    let f = b.faction("f");
    b.spec_mut().factions[f.index()].grain = 1e6;
    let q = b.province("bare", f);
    b.spec_mut().provinces[q.index()].grain = 0.0;
    b.spec_mut().provinces[q.index()].population = 0.0;
    b.spec_mut().params.disease_attrition = 0.0; // no losses, so no reinforcements to pay
    let a = b.army("a", f, q, 0.0, 10_000.0);
    b.spec_mut().armies[a.index()].food_days = 0.0;
    let mut s = sim(&b.build(), 1);
    s.step();
    assert_eq!(army(&s, a).hunger_days, 0.0, "fed");
    let need = 10_000.0 * p.ration * 5.0;
    let sent = 1e6 - faction(&s, f).coffers.grain;
    assert!((sent - need / (1.0 - p.central_supply_loss)).abs() < 1e-6, "sent {sent} for a need of {need}");
    // Far from its own land (here: no supply net at all) it goes hungry.
    let mut b = Builder::new(START, 5, 1);
    let f = b.faction("f");
    let g = b.faction("g");
    b.spec_mut().factions[f.index()].grain = 1e6;
    let q = b.province("foreign", g);
    b.spec_mut().provinces[q.index()].grain = 0.0;
    let a = b.army("a", f, q, 0.0, 10_000.0);
    b.spec_mut().armies[a.index()].food_days = 0.0;
    let mut s = sim(&b.build(), 1);
    s.step();
    assert!(army(&s, a).hunger_days > 0.0, "no supply line, no central grain");
    assert_eq!(faction(&s, f).coffers.grain, 1e6);
}

#[test]
fn a_commander_who_falls_with_one_army_leaves_every_army_he_was_listed_in() {
    let (mut spec, x, _) = battle_world(30_000.0, 10_000.0);
    let c = CommanderId(spec.commanders.len() as u32);
    spec.commanders.push(CommanderSpec {
        key: "both".into(),
        name: "both".into(),
        faction: FactionId(0),
        skill: 0.9,
        traits: vec![],
        rivals: vec![],
    });
    // Listed with the army that fights and with one at home.
    spec.armies[x.index()].commanders = vec![c];
    spec.armies.push(spec.armies[x.index()].clone());
    let home = spec.armies.len() - 1;
    spec.armies[home].key = "home".into();
    spec.armies[home].location = ProvinceId(1);
    (spec.params.commander_loss_victor, spec.params.commander_loss_beaten) = (1.0, 1.0);
    spec.end = Date { year: 1231, month: 6, day: 30 }; // a second turn
    let mut s = sim(&spec, 3);
    s.step();
    assert!(army(&s, x).commanders.is_empty(), "he fell in the battle");
    s.step();
    assert!(army(&s, ArmyId(home as u32)).commanders.is_empty(), "and is gone from the other army's list too");
}

#[test]
fn an_army_that_passed_the_point_of_a_meeting_earlier_that_day_is_not_drawn_into_it() {
    // p2 -10 km- p1 -300 km- p0. Column c (a) leaves p1 for p0 while b's column, 10 km
    // behind it, follows from p2; a's army from p0 meets b's on day 8, after c (a's own)
    // has passed it. Only the two hostile armies meet.
    let mut b = Builder::new(START, 10, 1);
    let fa = b.faction("a");
    let fb = b.faction("b");
    let p0 = b.province("p0", fa);
    let p1 = b.province("p1", fa);
    let p2 = b.province("p2", fa);
    b.route(p1, p0, 300.0, RouteKind::Road);
    b.route(p2, p1, 10.0, RouteKind::Road);
    b.war(fa, fb);
    let ahead = b.army("a_from_p0", fa, p0, 0.0, 5_000.0);
    let c = b.army("c_ahead", fa, p1, 0.0, 5_000.0);
    let behind = b.army("b_behind", fb, p2, 0.0, 5_000.0);
    march(&mut b, ahead, p2);
    march(&mut b, c, p0);
    march(&mut b, behind, p0);
    let mut s = sim(&b.build(), 1);
    s.step();
    let met: Vec<_> = s
        .log()
        .entries()
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::Met { army, other, .. } => Some((army, other)),
            _ => None,
        })
        .collect();
    assert_eq!(met, [(ahead, behind)]);
    // c walked on: 200 km out of p1 after ten days.
    match army(&s, c).location {
        Location::OnRoute { done, .. } => assert!((done - 200.0).abs() < 1e-6, "c at {done} km"),
        l => panic!("c should be on the road: {l:?}"),
    }
}

// --- landmark conditions: sacked, fought, the day of the largest battle ---------------

fn outcome(spec: &mut WorldSpec, key: &str, rule: OutcomeRule) {
    Arc::make_mut(&mut spec.outcomes).push(OutcomeSpec { key: key.into(), description: String::new(), rule });
}

fn value(s: &Sim, key: &str) -> OutcomeValue {
    s.result().outcomes.into_iter().find(|(k, _)| k == key).map(|(_, v)| v).expect("outcome declared")
}

#[test]
fn a_sacked_town_reads_as_sacked_and_a_spared_one_does_not() {
    let (s, _, town) = raid(Sack::Hostile, true);
    assert!(Condition::Sacked(town).eval(s.world()), "the raided town was sacked");
    assert!(!Condition::Sacked(ProvinceId(0)).eval(s.world()), "home was not");
    let (calm, _, town) = raid(Sack::Never, true);
    assert!(!Condition::Sacked(town).eval(calm.world()), "policy never: not sacked");
}

#[test]
fn a_battle_counts_as_fighting_and_dates_the_largest_battle() {
    let (mut spec, _, _) = battle_world(30_000.0, 10_000.0);
    let (a, b) = (FactionId(0), FactionId(1));
    let from = Date { year: 1231, month: 4, day: 1 };
    outcome(&mut spec, "day", OutcomeRule::LargestBattleDay { side_a: vec![a], side_b: vec![b], at: None, from });
    outcome(&mut spec, "none", OutcomeRule::LargestBattleDay { side_a: vec![a], side_b: vec![a], at: None, from });
    let (field, home) = (ProvinceId(0), ProvinceId(1));
    outcome(
        &mut spec,
        "here",
        OutcomeRule::LargestBattleDay { side_a: vec![a], side_b: vec![b], at: Some(field), from },
    );
    outcome(
        &mut spec,
        "elsewhere",
        OutcomeRule::LargestBattleWinner { side_a: vec![a], side_b: vec![b], at: Some(home) },
    );
    let mut s = sim(&spec, 3);
    assert!(!Condition::Fought { a, b }.eval(s.world()), "no fight before the first turn");
    s.step();
    assert!(Condition::Fought { a, b }.eval(s.world()), "the battle of the first turn");
    assert!(Condition::Fought { a: b, b: a }.eval(s.world()), "either way round");
    assert!(!Condition::Fought { a, b: a }.eval(s.world()), "no faction fights itself");
    // The battle was fought in the turn starting 1 May: 30 days after 1 April.
    assert_eq!(value(&s, "day"), OutcomeValue::Number(30.0));
    assert_eq!(value(&s, "none"), OutcomeValue::Number(0.0), "no battle between those sides");
    assert_eq!(value(&s, "here"), OutcomeValue::Number(30.0), "fought in the field");
    assert_eq!(value(&s, "elsewhere"), OutcomeValue::Category("none".into()), "none fought at home");
    assert_eq!(Quantity::Year.eval(s.world()), 1231.0);
}

#[test]
fn a_place_that_resists_passage_counts_as_fighting() {
    let mut b = Builder::new(START, 5, 4);
    let fa = b.faction("a");
    let fb = b.faction("b");
    b.spec_mut().factions[fb.index()].trespass_policy = TrespassResponse::Resist;
    let home = b.province("home", fa);
    let pass = b.province("pass", fb);
    b.route(home, pass, 40.0, RouteKind::Road);
    b.spec_mut().provinces[pass.index()].garrison = 2_000.0;
    let a = b.army("column", fa, home, 5_000.0, 0.0);
    march(&mut b, a, pass);
    let mut s = sim(&b.build(), 1);
    s.step();
    s.step();
    assert_eq!(logged(&s, |k| matches!(k, LogKind::TrespassAnswer { .. })), 1, "answered at the pass");
    assert!(Condition::Fought { a: fa, b: fb }.eval(s.world()), "the pass resisted: they fought");
}
