//! Movement along routes.
//!
//! Speed (km/day) = base speed of the slowest arm x route factor x weather at the
//! destination x (1 - fatigue_speed_penalty x fatigue) x (1 + guides bonus). An army
//! spends the turn's days walking its path hop by hop and stops early on contact with an
//! enemy or on reaching its goal. Entering foreign land without access is recorded for
//! the trespass rule ([`trespass`](crate::rules::trespass)). Contact is found through a
//! count of armies per (province, faction), kept up to date as armies move.

use crate::calendar::{Calendar, days_after};
use crate::ids::{ArmyId, FactionId};
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
    &'static Strength,
    &'static mut Position,
    &'static mut Fatigue,
    &'static mut Orders,
    Has<Besieging>,
    Has<Guided>,
);

/// Movement phase: armies (by id) walk their paths.
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
    mut presence: Local<Presence>,
) {
    let today = cal.date.to_days();
    let p = &*params;
    let np = index.provinces.len();
    let nf = index.factions.len();
    presence.nf = nf;
    presence.count.clear();
    presence.count.resize(np * nf, 0);
    for (al, _, pos, ..) in &armies {
        if let Some(q) = pos.0.province() {
            presence.add(q, al.0, 1);
        }
    }

    for (i, e) in index.armies.iter().enumerate() {
        let id = ArmyId(i as u32);
        let Ok((al, s, mut pos, mut fatigue, mut orders, besieging, mut guided)) = armies.get_mut(*e) else {
            continue;
        };
        let faction = al.0;
        if besieging && orders.path.is_empty() {
            fatigue.0 = (fatigue.0 - p.fatigue_recovery_per_day * cal.days()).max(0.0);
            continue;
        }
        let guides = if guided { 1.0 + p.guides_speed_bonus } else { 1.0 };
        let base = base_speed(s, p) * (1.0 - p.fatigue_speed_penalty * fatigue.0) * guides;
        let mut budget = cal.days();
        let mut marched = 0.0;
        while budget > 1e-9 {
            match pos.0 {
                Location::At(here) => {
                    let Some(&next) = orders.path.last() else { break };
                    match graph.route_between(here, next) {
                        Some(route) => {
                            if besieging {
                                commands.entity(*e).remove::<Besieging>();
                            }
                            pos.0 = Location::OnRoute { route, from: here, to: next, done: 0.0 };
                            presence.add(here, faction, -1);
                            // Without guides, a mountain way can be lost for days.
                            let wild = matches!(graph.way(route).kind, RouteKind::MountainPath | RouteKind::Pass);
                            if wild && !guided && rngs.movement.random::<f64>() < p.lost_way_chance {
                                // Days spent lost are days on the march, not rest.
                                let lost = p.lost_way_days.max(0.0).min(budget);
                                budget -= lost;
                                marched += lost;
                                log.push(&cal, LogKind::LostWay { army: id, from: here, to: next });
                            }
                        }
                        None => {
                            orders.path.clear();
                            break;
                        }
                    }
                }
                Location::OnRoute { route, from, to, done } => {
                    let w = graph.way(route);
                    let speed = (base * w.speed_factor(from, p) * weather_speed(places.weather(to), p)).max(0.1);
                    let need = (w.km - done) / speed;
                    if need > budget {
                        pos.0 = Location::OnRoute { route, from, to, done: done + speed * budget };
                        marched += budget;
                        break;
                    }
                    budget -= need;
                    marched += need;
                    pos.0 = Location::At(to);
                    presence.add(to, faction, 1);
                    if orders.path.last() == Some(&to) {
                        orders.path.pop();
                    }
                    // Arrival: record a trespass; stop on contact, at the goal, or at the
                    // end of the path.
                    let Some(controller) = places.controller(to) else { break };
                    if !diplomacy.may_enter(faction, controller, to, Some(route)) {
                        trespasses.pending.push(Crossing { army: id, province: to, host: controller });
                    } else if !guided
                        && diplomacy.access_for(controller, faction, to, Some(route)).is_some_and(|a| a.guides)
                    {
                        // A grant with guides: they join where the army enters the host's land.
                        guided = true;
                        commands.entity(*e).insert(Guided { until: days_after(today, p.guides_days) });
                        log.push(&cal, LogKind::GuidesJoin { army: id, province: to });
                    }
                    let contact = presence.enemy_at(to, faction, &diplomacy);
                    let at_goal = orders.goal == Some(to);
                    if at_goal && orders.announce {
                        log.push(&cal, LogKind::Arrived { army: id, province: to });
                    }
                    if contact || at_goal || orders.path.is_empty() {
                        break;
                    }
                }
            }
        }
        let rested = cal.days() - marched;
        fatigue.0 =
            (fatigue.0 + marched * p.fatigue_per_march_day - rested * p.fatigue_recovery_per_day).clamp(0.0, 1.0);
    }
}
