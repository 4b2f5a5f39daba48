//! Evasion and harassment: a faster army may refuse battle when it has a way out, and
//! horse that shadows an enemy column wears it down without a pitched battle.
//!
//! **Evasion** (read by combat, before a battle): an army refuses battle if its
//! [`Stance`] says so (`evade`, `harass`) or, under `auto`, if its side's power is below
//! `evade_odds` of the enemy's. It can try only if it is not routed or besieging, its
//! [`pace`] beats the fastest enemy's, and a neighbour by an open route holds no enemy
//! army. It is then caught with [`catch_chance`]; if not, it slips away to that
//! neighbour, a little more tired.
//!
//! **Harassment** ([`harass_columns`], before the battles): an army of stance `harass`,
//! or of stance `auto` that is mostly mounted and would refuse battle with the enemy,
//! rides at the nearest enemy army within `harass_range` km (the largest if several are
//! as near). Each day of the turn that army loses men, order, morale and baggage in
//! proportion to the harassing horse; the harasser loses a share of the men it kills and
//! takes what it can carry of the destroyed baggage.

use crate::calendar::Calendar;
use crate::ids::{ArmyId, ProvinceId};
use crate::model::army::*;
use crate::model::diplomacy::Diplomacy;
use crate::model::index::Index;
use crate::model::province::Terrain;
use crate::model::route::{RouteGraph, RouteKind};
use crate::model::weather::Weather;
use crate::params::Params;
use crate::record::log::{EventLog, LogKind};
use crate::rules::baggage::{lose_baggage, take_baggage};
use crate::rules::combat::{Fighting, Ground, army_power};
use crate::rules::lookup::{Natures, Places};
use crate::rules::movement::base_speed;
use bevy_ecs::prelude::*;
use bevy_ecs::query::ROQueryItem;

/// How fast an army can move to refuse or force a battle (km/day on a good road): its
/// marching speed, less fatigue, and for an all-mounted army more with spare horses.
pub fn pace(s: &Strength, fatigue: f64, p: &Params) -> f64 {
    let mut v = base_speed(s, p) * (1.0 - p.fatigue_speed_penalty * fatigue).max(0.0);
    let on_foot = s.infantry + (s.cavalry - s.horses).max(0.0);
    if on_foot < 1.0 && s.siege < 1.0 && s.cavalry >= 1.0 {
        let spare = (s.horses / s.cavalry - 1.0).clamp(0.0, p.remount_spare_max.max(0.0));
        v *= 1.0 + p.remount_speed_bonus * spare;
    }
    v
}

/// The terrain an evasion happens over: a province's, or a route's (between provinces).
pub fn route_terrain(kind: RouteKind) -> Terrain {
    match kind {
        RouteKind::Road => Terrain::Plain,
        RouteKind::MountainPath => Terrain::Mountains,
        RouteKind::Pass => Terrain::Pass,
        RouteKind::RiverCrossing | RouteKind::RiverUp | RouteKind::RiverDown => Terrain::River,
    }
}

/// The chance that an army of pace `evader` refusing battle is brought to battle by
/// pursuers of pace `pursuer` with `horse` mounted men, on `terrain` in `weather`:
/// certain if it is not the faster, else `evade_catch_base x (pursuer / evader)^
/// evade_speed_exponent x terrain x weather + evade_cavalry_catch x min(1, horse / men)`,
/// at most 1.
pub fn catch_chance(
    pursuer: f64,
    evader: f64,
    horse: f64,
    men: f64,
    terrain: Terrain,
    weather: Weather,
    p: &Params,
) -> f64 {
    if evader <= pursuer || evader <= 0.0 {
        return 1.0;
    }
    let ground = match terrain {
        Terrain::Plain => 1.0,
        Terrain::Hills => p.evade_catch_hills,
        Terrain::Mountains | Terrain::Pass => p.evade_catch_mountains,
        Terrain::River | Terrain::Marsh => p.evade_catch_marsh,
    };
    let sky = match weather {
        Weather::Clear => 1.0,
        Weather::Rain => p.evade_catch_rain,
        Weather::Snow => p.evade_catch_snow,
        Weather::Blizzard => p.evade_catch_blizzard,
    };
    let speed = (pursuer.max(0.0) / evader).powf(p.evade_speed_exponent);
    let riders = p.evade_cavalry_catch * (horse / men.max(1.0)).min(1.0);
    (p.evade_catch_base * speed * ground * sky + riders).clamp(0.0, 1.0)
}

/// Whether an army of `stance` wants to refuse a battle at `odds` (its side's power over
/// the enemy's).
pub fn refuses(stance: Stance, odds: f64, p: &Params) -> bool {
    match stance {
        Stance::Stand => false,
        Stance::Evade | Stance::Harass => true,
        Stance::Auto => odds < p.evade_odds,
    }
}

/// Whether an army of `stance` and strength `s` may harass at all: stance `harass`, or
/// `auto` with at least `harass_mounted_share` of its men mounted.
pub fn may_harass(stance: Stance, s: &Strength, p: &Params) -> bool {
    match stance {
        Stance::Harass => true,
        Stance::Auto => s.men() > 0.0 && s.mounted() / s.men() >= p.harass_mounted_share,
        Stance::Stand | Stance::Evade => false,
    }
}

/// Whether an army of `stance` and strength `s` harasses an enemy it faces at `odds`
/// (under `auto`, only one it would refuse).
pub fn harasses(stance: Stance, s: &Strength, odds: f64, p: &Params) -> bool {
    may_harass(stance, s, p) && (stance == Stance::Harass || odds < p.evade_odds)
}

/// The intensity (0..1) of harassment by `horse` mounted men of a column of `men` men
/// with `own_horse` of its own.
pub fn harass_intensity(horse: f64, men: f64, own_horse: f64, p: &Params) -> f64 {
    if horse <= 0.0 || men <= 0.0 {
        return 0.0;
    }
    let reach = (horse / (p.harass_full_ratio.max(1e-9) * men)).min(1.0);
    let screen = 1.0 - p.harass_screen * (own_horse / horse).min(1.0);
    (reach * screen).clamp(0.0, 1.0)
}

/// Km between two positions along one route or through one province, if they are that
/// close: the same province, a province and a route out of it, two points on one route,
/// or two provinces joined by an open route.
pub fn gap(graph: &RouteGraph, a: Location, b: Location) -> Option<f64> {
    // Km from the start of the route's `a` end.
    let along = |route, from: ProvinceId, done: f64| {
        let w = graph.way(route);
        if from == w.a { done } else { w.km - done }
    };
    match (a, b) {
        (Location::At(x), Location::At(y)) => {
            if x == y {
                return Some(0.0);
            }
            graph
                .neighbours(x)
                .iter()
                .filter(|(r, n)| *n == y && graph.is_open(*r))
                .map(|(r, _)| graph.way(*r).km)
                .min_by(f64::total_cmp)
        }
        (Location::At(x), Location::OnRoute { route, from, done, .. })
        | (Location::OnRoute { route, from, done, .. }, Location::At(x)) => {
            let w = graph.way(route);
            let pos = along(route, from, done);
            if x == w.a {
                Some(pos)
            } else if x == w.b {
                Some(w.km - pos)
            } else {
                None
            }
        }
        (
            Location::OnRoute { route: r1, from: f1, done: d1, .. },
            Location::OnRoute { route: r2, from: f2, done: d2, .. },
        ) => (r1 == r2).then(|| (along(r1, f1, d1) - along(r2, f2, d2)).abs()),
    }
}

/// Buffers the harassment reuses from turn to turn.
#[derive(Default)]
pub struct HarassScratch {
    /// `(province, army index)` for every army, by each province it stands in or on a
    /// route out of.
    near: Vec<(ProvinceId, u32)>,
    /// `(harasser, target)` entity pairs, by harasser id.
    pairs: Vec<(ArmyId, Entity, ArmyId, Entity)>,
    /// Each army's place, faction and whether it could harass, by army index.
    spots: Vec<Option<(Location, crate::ids::FactionId, bool)>>,
}

type Rider = (
    &'static ArmyId,
    &'static Allegiance,
    &'static Position,
    &'static mut Strength,
    &'static Stance,
    (&'static Quality, &'static mut Spirit, &'static mut Fatigue),
    (&'static Exposure, &'static Hunger, &'static Leadership),
    (&'static mut Supplies, &'static mut Ledger),
    (Has<Routed>, Has<Besieging>),
);

/// The deterministic power of an army (no noise) where `at` stands, for the odds.
fn power_at(
    r: &ROQueryItem<'_, '_, Rider>,
    at: ProvinceId,
    places: &Places,
    natures: &Natures,
    d: &Diplomacy,
    p: &Params,
) -> f64 {
    let (_, al, _, s, _, (q, sp, fa), (ex, hu, led), ..) = r;
    let defending = places.controller(at).is_some_and(|c| d.friendly(al.0, c));
    let ground = Ground { terrain: places.terrain(at), weather: places.weather(at), defending };
    let fighting = Fighting::of((s, q, sp, fa), (ex, hu), p);
    army_power(fighting, p, ground, natures.cold_adapted(al.0), led.command_factor(p))
}

/// Combat phase, before the battles: harassers (by id) ride at the nearest enemy army in
/// reach and wear it down for the turn's days.
#[allow(clippy::too_many_arguments)]
pub fn harass_columns(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    places: Places,
    natures: Natures,
    mut armies: Query<Rider, Without<Dissolved>>,
    mut log: ResMut<EventLog>,
    mut scratch: Local<HarassScratch>,
) {
    let p = &*params;
    let HarassScratch { near, pairs, spots } = &mut *scratch;
    // Every army's place and faction, read in one pass.
    near.clear();
    spots.clear();
    spots.resize(index.armies.len(), None);
    let mut any_could = false;
    for (id, al, pos, s, st, .., (routed, besieging)) in &armies {
        let could = !routed && !besieging && may_harass(*st, s, p);
        any_could |= could;
        spots[id.index()] = Some((pos.0, al.0, could));
        match pos.0 {
            Location::At(q) => near.push((q, id.0)),
            Location::OnRoute { from, to, .. } => {
                near.push((from, id.0));
                near.push((to, id.0));
            }
        }
    }
    if !any_could {
        return;
    }
    near.sort_unstable();
    let at = |near: &[(ProvinceId, u32)], q: ProvinceId| {
        let s = near.partition_point(|x| x.0 < q);
        let e = near.partition_point(|x| x.0 <= q);
        s..e
    };

    pairs.clear();
    for (i, e) in index.armies.iter().enumerate() {
        let Some((loc, faction, true)) = spots[i] else { continue };
        // Candidates: enemy armies in or next to where it stands, in reach.
        let enemy_near = |j: u32| {
            let (at, g, _) = spots[j as usize]?;
            (j as usize != i && diplomacy.at_war(faction, g)).then_some(())?;
            gap(&graph, loc, at).filter(|d| *d <= p.harass_range)
        };
        let here = loc.nearest(|r| graph.way(r).km);
        let mut best: Option<(f64, f64, u32)> = None;
        let consider = |j: u32, best: &mut Option<(f64, f64, u32)>| {
            let Some(d) = enemy_near(j) else { return };
            let Ok(t) = armies.get(index.armies[j as usize]) else { return };
            let men = t.3.men();
            let better = match *best {
                None => true,
                Some((bd, bm, bj)) => d < bd || (d == bd && (men > bm || (men == bm && j < bj))),
            };
            if better {
                *best = Some((d, men, j));
            }
        };
        for k in at(near, here) {
            consider(near[k].1, &mut best);
        }
        for &(r, n) in graph.neighbours(here) {
            if graph.is_open(r) && graph.way(r).km <= p.harass_range {
                for k in at(near, n) {
                    consider(near[k].1, &mut best);
                }
            }
        }
        let Some((_, _, j)) = best else { continue };
        let Ok(h) = armies.get(*e) else { continue };
        let (_, _, _, s, st, ..) = h;
        let te = index.armies[j as usize];
        let Ok(t) = armies.get(te) else { continue };
        let place = t.2.0.nearest(|r| graph.way(r).km);
        let mine = power_at(&h, place, &places, &natures, &diplomacy, p);
        let theirs = power_at(&t, place, &places, &natures, &diplomacy, p);
        let odds = if theirs > 0.0 { mine / theirs } else { f64::INFINITY };
        if harasses(*st, s, odds, p) {
            pairs.push((ArmyId(i as u32), *e, ArmyId(j), te));
        }
    }

    let days = cal.days();
    for &(by, he, army, te) in pairs.iter() {
        let Ok([h, t]) = armies.get_many_mut([he, te]) else { continue };
        let (_, _, _, mut hs, _, (_, _, _), _, (mut hsup, mut hledger), _) = h;
        let (_, _, _, mut ts, _, (_, mut tsp, mut tfa), _, (mut tsup, mut tledger), _) = t;
        let intensity = harass_intensity(hs.mounted(), ts.men(), ts.mounted(), p);
        if intensity <= 0.0 {
            continue;
        }
        let lost = ts.lose((p.harass_loss_per_day * intensity * days).min(1.0));
        tledger.lost += lost;
        tfa.0 = (tfa.0 + p.harass_fatigue_per_day * intensity * days).min(1.0);
        tsp.morale = (tsp.morale - p.harass_morale_per_day * intensity * days).max(0.0);
        let burnt = lose_baggage(&mut tsup, p.harass_baggage_per_day * intensity * days);
        let taken = take_baggage(&mut hsup, &hs, burnt * p.baggage_capture_share, p, &cal);
        let men = hs.men();
        if men > 0.0 {
            hledger.lost += hs.lose(lost * p.harass_cost_share / men);
        }
        log.push(&cal, LogKind::Harassed { army, by, lost, food: burnt, taken });
    }
}
