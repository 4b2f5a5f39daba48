//! Movement along routes.
//!
//! Speed (km/day) = base speed of the slowest arm x route factor x weather at the
//! destination x (1 - fatigue_speed_penalty x fatigue) x (1 + guides bonus). The turn is
//! walked a day at a time: each day every army (by id) walks its path hop by hop and
//! stops for the turn on contact with an enemy or on reaching its goal; then hostile
//! armies on one route whose ways crossed that day meet there and halt (head-on, or one
//! catching the other), to fight in the combat phase. Entering foreign land without access
//! is recorded for the trespass rule ([`trespass`](crate::rules::trespass)). Contact is
//! found through a count of armies per (province, faction), kept up to date as armies
//! move.

use crate::calendar::{Calendar, days_after};
use crate::ids::{ArmyId, FactionId, RouteId};
use crate::model::army::*;
use crate::model::diplomacy::{Crossing, Diplomacy, Trespasses};
use crate::model::index::Index;
use crate::model::route::{RouteGraph, RouteKind};
use crate::model::weather::Weather;
use crate::params::Params;
use crate::record::log::{EventLog, LogKind};
use crate::rng::Rngs;
use crate::rules::lookup::Places;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Base marching speed of an army: the slowest arm it has.
pub fn base_speed(s: &Strength, p: &Params) -> f64 {
    let on_foot = s.infantry + (s.cavalry - s.horses).max(0.0);
    let mut v = if on_foot >= 1.0 { p.infantry_speed } else { p.cavalry_speed };
    if s.siege >= 1.0 {
        v = v.min(p.siege_train_speed);
    }
    v
}

/// Speed factor of the weather.
pub fn weather_speed(w: Weather, p: &Params) -> f64 {
    match w {
        Weather::Clear => 1.0,
        Weather::Rain => p.speed_rain,
        Weather::Snow => p.speed_snow,
        Weather::Blizzard => p.speed_blizzard,
    }
}

/// Armies per (province, faction), for contact on arrival.
#[derive(Default)]
pub struct Presence {
    nf: usize,
    count: Vec<u32>,
}

impl Presence {
    fn add(&mut self, p: crate::ids::ProvinceId, f: FactionId, n: i32) {
        let c = &mut self.count[p.index() * self.nf + f.index()];
        *c = c.saturating_add_signed(n);
    }

    fn enemy_at(&self, p: crate::ids::ProvinceId, f: FactionId, diplomacy: &Diplomacy) -> bool {
        let row = &self.count[p.index() * self.nf..(p.index() + 1) * self.nf];
        row.iter().enumerate().any(|(g, n)| *n > 0 && diplomacy.at_war(f, FactionId(g as u32)))
    }
}

type Marcher = (
    &'static Allegiance,
    &'static mut Strength,
    &'static mut Position,
    &'static mut Fatigue,
    &'static mut Orders,
    Has<Besieging>,
    Has<Guided>,
    (&'static mut Ledger, &'static mut Wastage),
);

/// One army's march through the turn.
#[derive(Clone, Copy, Debug)]
struct Walker {
    id: ArmyId,
    entity: Entity,
    faction: FactionId,
    /// Km/day before the route and weather factors.
    base: f64,
    /// Days spent marching so far.
    marched: f64,
    /// Days still to be lost (a lost way).
    stall: f64,
    /// Days on mountain paths and passes (lost days among them).
    rough: f64,
    /// Done for the turn (contact, goal, end of path, an encounter).
    halted: bool,
    /// Where on a route it was halted by an encounter (km from the route's `a` end).
    stopped_on: Option<(RouteId, f64)>,
    guided: bool,
}

/// Where an army on a route was during one day, in km from the route's `a` end: `x0` at
/// time `t0` (days into the day), `x1` at the day's end.
#[derive(Clone, Copy, Debug)]
struct Leg {
    walker: usize,
    route: RouteId,
    t0: f64,
    x0: f64,
    x1: f64,
}

impl Leg {
    fn at(&self, t: f64, dt: f64) -> f64 {
        if dt - self.t0 <= 1e-12 { self.x1 } else { self.x0 + (self.x1 - self.x0) * (t - self.t0) / (dt - self.t0) }
    }
}

/// Buffers the movement phase reuses from turn to turn.
#[derive(Default)]
pub struct MoveScratch {
    presence: Presence,
    walkers: Vec<Walker>,
    legs: Vec<Leg>,
    /// Per route: (the day it was last counted, legs on it that day).
    marks: Vec<(u32, u32)>,
    day: u32,
}

/// Km from the `a` end of `route` of a point `done` km out of `from`.
fn along(graph: &RouteGraph, route: RouteId, from: crate::ids::ProvinceId, done: f64) -> f64 {
    let w = graph.way(route);
    if from == w.a { done } else { w.km - done }
}

/// When (days into a day of length `dt`) and where two legs on one route meet, if their
/// ways cross or touch that day.
fn meeting(a: &Leg, b: &Leg, dt: f64) -> Option<(f64, f64)> {
    let ts = a.t0.max(b.t0);
    let (d0, d1) = (a.at(ts, dt) - b.at(ts, dt), a.x1 - b.x1);
    if d0 * d1 > 0.0 || (d0 == 0.0 && d1 == 0.0 && a.x0 == a.x1 && b.x0 == b.x1) {
        // Apart all day, or both standing at one point since before (already met).
        return None;
    }
    let t = if d0 == d1 { ts } else { ts + (dt - ts) * d0 / (d0 - d1) };
    Some((t, a.at(t, dt)))
}

/// Movement phase: armies walk their paths, a day at a time, in id order each day.
#[allow(clippy::too_many_arguments)]
pub fn move_armies(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    places: Places,
    mut armies: Query<Marcher, Without<Dissolved>>,
    mut trespasses: ResMut<Trespasses>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
    mut commands: Commands,
    mut scratch: Local<MoveScratch>,
) {
    let today = cal.date.to_days();
    let p = &*params;
    let np = index.provinces.len();
    let nf = index.factions.len();
    let MoveScratch { presence, walkers, legs, marks, day } = &mut *scratch;
    if marks.len() != graph.route_count() {
        marks.clear();
        marks.resize(graph.route_count(), (0, 0));
        *day = 0;
    }
    presence.nf = nf;
    presence.count.clear();
    presence.count.resize(np * nf, 0);
    for (al, _, pos, ..) in &armies {
        if let Some(q) = pos.0.province() {
            presence.add(q, al.0, 1);
        }
    }

    walkers.clear();
    for (i, e) in index.armies.iter().enumerate() {
        let Ok((al, s, pos, mut fatigue, orders, besieging, guided, _)) = armies.get_mut(*e) else { continue };
        // Standing in a province with nowhere to go: a turn of rest.
        if orders.path.is_empty() && (besieging || matches!(pos.0, Location::At(_))) {
            fatigue.0 = (fatigue.0 - p.fatigue_recovery_per_day * cal.days()).clamp(0.0, 1.0);
            continue;
        }
        let guides = if guided { 1.0 + p.guides_speed_bonus } else { 1.0 };
        let base = base_speed(&s, p) * (1.0 - p.fatigue_speed_penalty * fatigue.0) * guides;
        walkers.push(Walker {
            id: ArmyId(i as u32),
            entity: *e,
            faction: al.0,
            base,
            marched: 0.0,
            stall: 0.0,
            rough: 0.0,
            halted: false,
            stopped_on: None,
            guided,
        });
    }

    let days = cal.days();
    let mut t = 0.0;
    while days - t > 1e-9 {
        let dt = (days - t).min(1.0);
        t += dt;
        legs.clear();
        for (k, w) in walkers.iter_mut().enumerate() {
            if w.halted {
                // Standing on a route since an encounter: others may still run into it.
                if let Some((route, x)) = w.stopped_on {
                    legs.push(Leg { walker: k, route, t0: 0.0, x0: x, x1: x });
                }
                continue;
            }
            let Ok((_, _, mut pos, _, mut orders, besieging, ..)) = armies.get_mut(w.entity) else { continue };
            let mut budget = dt;
            let lost = w.stall.min(budget);
            w.stall -= lost;
            budget -= lost;
            w.marched += lost;
            w.rough += lost;
            let mut leg_start = match pos.0 {
                Location::OnRoute { route, from, done, .. } => Some((0.0, along(&graph, route, from, done))),
                Location::At(_) => None,
            };
            while budget > 1e-9 {
                match pos.0 {
                    Location::At(here) => {
                        let Some(&next) = orders.path.last() else {
                            w.halted = true;
                            break;
                        };
                        match graph.route_between(here, next) {
                            Some(route) => {
                                if besieging {
                                    commands.entity(w.entity).remove::<Besieging>();
                                }
                                pos.0 = Location::OnRoute { route, from: here, to: next, done: 0.0 };
                                leg_start = Some((dt - budget, along(&graph, route, here, 0.0)));
                                presence.add(here, w.faction, -1);
                                // Without guides, a mountain way can be lost for days.
                                let wild = matches!(graph.way(route).kind, RouteKind::MountainPath | RouteKind::Pass);
                                if wild && !w.guided && rngs.movement.random::<f64>() < p.lost_way_chance {
                                    // Days spent lost are days on the march, not rest.
                                    w.stall = p.lost_way_days.max(0.0);
                                    let lost = w.stall.min(budget);
                                    w.stall -= lost;
                                    budget -= lost;
                                    w.marched += lost;
                                    w.rough += lost;
                                    log.push(&cal, LogKind::LostWay { army: w.id, from: here, to: next });
                                }
                            }
                            None => {
                                orders.path.clear();
                                w.halted = true;
                                break;
                            }
                        }
                    }
                    Location::OnRoute { route, from, to, done } => {
                        let way = graph.way(route);
                        let speed =
                            (w.base * way.speed_factor(from, p) * weather_speed(places.weather(to), p)).max(0.1);
                        let need = (way.km - done) / speed;
                        let wild = matches!(way.kind, RouteKind::MountainPath | RouteKind::Pass);
                        if need > budget {
                            pos.0 = Location::OnRoute { route, from, to, done: done + speed * budget };
                            w.marched += budget;
                            if wild {
                                w.rough += budget;
                            }
                            break;
                        }
                        budget -= need;
                        w.marched += need;
                        if wild {
                            w.rough += need;
                        }
                        pos.0 = Location::At(to);
                        leg_start = None;
                        presence.add(to, w.faction, 1);
                        if orders.path.last() == Some(&to) {
                            orders.path.pop();
                        }
                        // Arrival: record a trespass; stop on contact, at the goal, or at the
                        // end of the path.
                        let Some(controller) = places.controller(to) else {
                            w.halted = true;
                            break;
                        };
                        if !diplomacy.may_enter(w.faction, controller, to, Some(route)) {
                            trespasses.pending.push(Crossing { army: w.id, province: to, host: controller });
                        } else if !w.guided
                            && diplomacy.access_for(controller, w.faction, to, Some(route)).is_some_and(|a| a.guides)
                        {
                            // A grant with guides: they join where the army enters the host's land.
                            w.guided = true;
                            commands.entity(w.entity).insert(Guided { until: days_after(today, p.guides_days) });
                            log.push(&cal, LogKind::GuidesJoin { army: w.id, province: to });
                        }
                        let contact = presence.enemy_at(to, w.faction, &diplomacy);
                        let at_goal = orders.goal == Some(to);
                        if at_goal && orders.announce {
                            log.push(&cal, LogKind::Arrived { army: w.id, province: to });
                        }
                        if contact || at_goal || orders.path.is_empty() {
                            w.halted = true;
                            break;
                        }
                    }
                }
            }
            if let (Location::OnRoute { route, from, done, .. }, Some((t0, x0))) = (pos.0, leg_start) {
                legs.push(Leg { walker: k, route, t0, x0, x1: along(&graph, route, from, done) });
            }
        }
        // Only routes with two or more armies on them can see a meeting.
        *day = day.wrapping_add(1);
        for l in legs.iter() {
            let m = &mut marks[l.route.index()];
            *m = if m.0 == *day { (m.0, m.1 + 1) } else { (*day, 1) };
        }
        legs.retain(|l| marks[l.route.index()].1 >= 2);
        meet_on_routes(&graph, &diplomacy, &cal, dt, walkers, legs, &mut armies, &mut log);
    }

    for w in walkers.iter() {
        let Ok((_, mut s, _, mut fatigue, _, _, guided, (mut ledger, mut wastage))) = armies.get_mut(w.entity) else {
            continue;
        };
        let rested = days - w.marched;
        fatigue.0 =
            (fatigue.0 + w.marched * p.fatigue_per_march_day - rested * p.fatigue_recovery_per_day).clamp(0.0, 1.0);
        // Rough ways cost men and horses; guides (from the start of the turn or joined on
        // the way) halve it.
        if w.rough > 0.0 {
            let guides = if guided || w.guided { p.guides_attrition_factor } else { 1.0 };
            let lost = s.lose(p.mountain_attrition * guides * w.rough);
            ledger.lost += lost;
            wastage.rough += lost;
        }
    }
}

/// Hostile armies on one route whose ways crossed during the day meet where they crossed,
/// earliest meeting first (route, then army ids, break ties), and halt there for the
/// turn.
#[allow(clippy::too_many_arguments)]
fn meet_on_routes(
    graph: &RouteGraph,
    diplomacy: &Diplomacy,
    cal: &Calendar,
    dt: f64,
    walkers: &mut [Walker],
    legs: &mut [Leg],
    armies: &mut Query<Marcher, Without<Dissolved>>,
    log: &mut EventLog,
) {
    if legs.len() < 2 {
        return;
    }
    legs.sort_unstable_by_key(|l| (l.route, l.walker));
    let mut start = 0;
    while start < legs.len() {
        let route = legs[start].route;
        let end = start + legs[start..].iter().take_while(|l| l.route == route).count();
        let group = &mut legs[start..end];
        start = end;
        if group.len() < 2 {
            continue;
        }
        loop {
            let mut first: Option<(f64, f64, usize, usize)> = None;
            for i in 0..group.len() {
                for j in i + 1..group.len() {
                    let (a, b) = (&group[i], &group[j]);
                    if !diplomacy.at_war(walkers[a.walker].faction, walkers[b.walker].faction) {
                        continue;
                    }
                    let Some((t, x)) = meeting(a, b, dt) else { continue };
                    if first.is_none_or(|f| t < f.0) {
                        first = Some((t, x, i, j));
                    }
                }
            }
            let Some((t, x, i, j)) = first else { break };
            let wild = matches!(graph.way(route).kind, RouteKind::MountainPath | RouteKind::Pass);
            for k in [i, j] {
                let leg = &mut group[k];
                let w = &mut walkers[leg.walker];
                if !w.halted {
                    // The rest of the day is spent standing, not marching.
                    w.marched = (w.marched - (dt - t)).max(0.0);
                    if wild {
                        w.rough = (w.rough - (dt - t)).max(0.0);
                    }
                }
                w.halted = true;
                w.stopped_on = Some((route, x));
                // Standing at x from t on (not before: armies that passed x earlier in
                // the day did not meet it).
                *leg = Leg { t0: t, x0: x, x1: x, ..*leg };
                if let Ok((_, _, mut pos, ..)) = armies.get_mut(w.entity)
                    && let Location::OnRoute { route, from, to, .. } = pos.0
                {
                    let way = graph.way(route);
                    let done = if from == way.a { x } else { way.km - x };
                    pos.0 = Location::OnRoute { route, from, to, done: done.clamp(0.0, way.km) };
                }
            }
            let (a, b) = (walkers[group[i].walker].id, walkers[group[j].walker].id);
            let way = graph.way(route);
            let near = if x * 2.0 < way.km { way.a } else { way.b };
            log.push(cal, LogKind::Met { route, near, army: a.min(b), other: a.max(b) });
        }
    }
}
