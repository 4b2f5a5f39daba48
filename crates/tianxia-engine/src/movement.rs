//! Movement along routes, and the trespass rule for entering foreign land.
//!
//! Speed (km/day) = base speed of the slowest arm x route factor x weather at the
//! destination x (1 - fatigue_speed_penalty x fatigue) x (1 + guides bonus). An army
//! spends the turn's days walking its path hop by hop and stops early on contact with an
//! enemy or on reaching its goal.

use crate::ai::Orders;
use crate::calendar::Calendar;
use crate::diplomacy::Diplomacy;
use crate::events::set_relation;
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId, RouteId};
use crate::log::{EventLog, LogKind};
use crate::map::RouteGraph;
use crate::model::{Army, Commander, Faction, Location, Province, Trait, TrespassResponse};
use crate::outcome::Index;
use crate::params::Params;
use crate::rng::Rngs;
use crate::weather::{Regions, Weather};
use bevy_ecs::prelude::*;
use rand::RngExt;
use std::collections::BTreeSet;

/// An army that entered foreign land without access this turn.
#[derive(Clone, Debug, PartialEq)]
pub struct Crossing {
    /// Who.
    pub army: ArmyId,
    /// Where.
    pub province: ProvinceId,
    /// Whose land.
    pub host: FactionId,
}

/// Crossings waiting for the host's answer, and the answers already given.
#[derive(Resource, Clone, Debug, Default)]
pub struct Trespasses {
    /// This turn's crossings, in the order they happened.
    pub pending: Vec<Crossing>,
    /// (army, host, local commander) already answered: each answers once.
    pub answered: BTreeSet<(ArmyId, FactionId, Option<CommanderId>)>,
}

/// Base marching speed of an army: the slowest arm it has.
pub fn base_speed(a: &Army, p: &Params) -> f64 {
    let on_foot = a.infantry + (a.cavalry - a.horses).max(0.0);
    let mut v = if on_foot >= 1.0 { p.infantry_speed } else { p.cavalry_speed };
    if a.siege >= 1.0 {
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

/// Movement phase: armies (by id) walk their paths.
#[allow(clippy::too_many_arguments)]
pub fn move_armies(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    regions: Res<Regions>,
    index: Res<Index>,
    mut armies: Query<(&mut Army, &mut Orders)>,
    provinces: Query<&Province>,
    mut trespasses: ResMut<Trespasses>,
    mut log: ResMut<EventLog>,
) {
    let p = &*params;
    let today = cal.date.to_days();
    let season = cal.date.season();
    let mut spots: Vec<(ArmyId, FactionId, Option<ProvinceId>)> =
        armies.iter().filter(|(a, _)| !a.destroyed).map(|(a, _)| (a.id, a.faction, a.location.province())).collect();
    spots.sort_by_key(|s| s.0);
    let prov = |id: ProvinceId| provinces.get(index.provinces[id.index()]).ok();

    for i in 0..spots.len() {
        let (id, faction, _) = spots[i];
        let Ok((mut army, mut orders)) = armies.get_mut(index.armies[id.index()]) else { continue };
        if army.besieging.is_some() && orders.path.is_empty() {
            army.fatigue = (army.fatigue - p.fatigue_recovery_per_day * cal.days()).max(0.0);
            continue;
        }
        let guides = if army.guides_until.is_some_and(|d| today < d) { 1.0 + p.guides_speed_bonus } else { 1.0 };
        let base = base_speed(&army, p) * (1.0 - p.fatigue_speed_penalty * army.fatigue) * guides;
        let mut budget = cal.days();
        let mut marched = 0.0;
        while budget > 1e-9 {
            match army.location {
                Location::At(here) => {
                    let Some(&next) = orders.path.last() else { break };
                    match graph.route_between(here, next, season) {
                        Some(route) => {
                            army.besieging = None;
                            army.location = Location::OnRoute { route, from: here, to: next, done: 0.0 };
                            spots[i].2 = None;
                        }
                        None => {
                            orders.path.clear();
                            break;
                        }
                    }
                }
                Location::OnRoute { route, from, to, done } => {
                    let r = graph.route(route);
                    let zone = prov(to).map_or(0, |pv| pv.zone as usize);
                    let weather = regions.0.get(zone).map_or(Weather::Clear, |r| r.weather);
                    let speed = (base * r.speed_factor(from, p) * weather_speed(weather, p)).max(0.1);
                    let need = (r.km - done) / speed;
                    if need > budget {
                        army.location = Location::OnRoute { route, from, to, done: done + speed * budget };
                        marched += budget;
                        break;
                    }
                    budget -= need;
                    marched += need;
                    army.location = Location::At(to);
                    spots[i].2 = Some(to);
                    if orders.path.last() == Some(&to) {
                        orders.path.pop();
                    }
                    if arrive(
                        &mut army,
                        &orders,
                        faction,
                        to,
                        route,
                        &diplomacy,
                        &spots,
                        &prov,
                        &mut trespasses,
                        &cal,
                        &mut log,
                    ) {
                        break;
                    }
                }
            }
        }
        let rested = cal.days() - marched;
        army.fatigue =
            (army.fatigue + marched * p.fatigue_per_march_day - rested * p.fatigue_recovery_per_day).clamp(0.0, 1.0);
    }
}

/// Arrival in a province: records trespass; returns whether the army stops here.
#[allow(clippy::too_many_arguments)]
fn arrive<'a>(
    army: &mut Army,
    orders: &Orders,
    faction: FactionId,
    to: ProvinceId,
    route: RouteId,
    diplomacy: &Diplomacy,
    spots: &[(ArmyId, FactionId, Option<ProvinceId>)],
    prov: &impl Fn(ProvinceId) -> Option<&'a Province>,
    trespasses: &mut Trespasses,
    cal: &Calendar,
    log: &mut EventLog,
) -> bool {
    let Some(pv) = prov(to) else { return true };
    if !diplomacy.may_enter(faction, pv.controller, to, Some(route)) {
        trespasses.pending.push(Crossing { army: army.id, province: to, host: pv.controller });
    }
    let contact = spots.iter().any(|&(_, f, at)| at == Some(to) && diplomacy.at_war(faction, f));
    let at_goal = orders.goal == Some(to);
    if at_goal && orders.announce {
        log.push(cal, LogKind::Arrived { army: army.key.clone(), province: pv.key.clone() });
    }
    contact || at_goal || orders.path.is_empty()
}

/// Trespass phase: each host answers each crossing by its policy, bent by the traits of
/// the local commander (the province's governor, or the commander of the strongest host
/// army there): a coward may flee, a zealot resists; one who flees or gives way may
/// also hand over grain and guides.
pub fn answer_trespass(world: &mut World) {
    let pending = std::mem::take(&mut world.resource_mut::<Trespasses>().pending);
    if pending.is_empty() {
        return;
    }
    let cal = world.resource::<Calendar>().clone();
    let p = world.resource::<Params>().clone();
    let today = cal.date.to_days();
    let index = world.resource::<Index>().clone();
    for c in pending {
        let Some(pv) = world.get::<Province>(index.provinces[c.province.index()]).cloned() else { continue };
        // Still foreign and unanswered? (An earlier answer this turn may have declared war.)
        let Some(army) = world.get::<Army>(index.armies[c.army.index()]).cloned() else { continue };
        if world.resource::<Diplomacy>().may_enter(army.faction, pv.controller, c.province, None) {
            continue;
        }
        let mut hosts: Vec<Army> = {
            let mut q = world.query::<&Army>();
            q.iter(world)
                .filter(|a| !a.destroyed && a.faction == c.host && a.location.province() == Some(c.province))
                .cloned()
                .collect()
        };
        hosts.sort_by(|a, b| b.men().total_cmp(&a.men()).then(a.id.cmp(&b.id)));
        let alive =
            |id: &CommanderId| world.get::<Commander>(index.commanders[id.index()]).filter(|c| c.alive).cloned();
        let commander = pv
            .governor
            .as_ref()
            .and_then(alive)
            .or_else(|| hosts.first().and_then(|a| a.commanders.iter().find_map(alive)));
        let local = commander.as_ref().map(|c| c.id);
        if !world.resource_mut::<Trespasses>().answered.insert((c.army, c.host, local)) {
            continue;
        }
        let host_key =
            world.get::<Faction>(index.factions[c.host.index()]).map_or_else(|| "?".into(), |f| f.key.clone());
        let policy = world
            .get::<Faction>(index.factions[c.host.index()])
            .map_or(TrespassResponse::Resist, |f| f.trespass_policy);
        world
            .resource_mut::<EventLog>()
            .push(&cal, LogKind::Trespass { army: army.key.clone(), province: pv.key.clone(), host: host_key.clone() });

        let rng = |w: &mut World| w.resource_mut::<Rngs>().diplomacy.random::<f64>();
        let has = |t: Trait| commander.as_ref().is_some_and(|c| c.has(t));
        let mut response = policy;
        if has(Trait::Coward) && rng(world) < p.coward_flee_chance {
            response = TrespassResponse::Flee;
        } else if has(Trait::Zealous) && rng(world) < p.zealous_resist_chance {
            response = TrespassResponse::Resist;
        }
        let supplies = match response {
            TrespassResponse::Supply => true,
            TrespassResponse::Flee | TrespassResponse::Ignore => rng(world) < p.flee_supply_chance,
            TrespassResponse::Resist => false,
        };
        world.resource_mut::<EventLog>().push(
            &cal,
            LogKind::TrespassAnswer {
                army: army.key.clone(),
                host: host_key,
                province: pv.key.clone(),
                commander: commander.as_ref().map(|c| c.name.clone()),
                response,
            },
        );
        match response {
            TrespassResponse::Resist => {
                set_relation(world, &cal, c.host, army.faction, crate::diplomacy::Relation::War, "trespass resisted")
            }
            TrespassResponse::Flee => {
                if let Some(mut pv) = world.get_mut::<Province>(index.provinces[c.province.index()]) {
                    pv.garrison = 0.0;
                }
                // The host's armies there fall back one province inward.
                let refuge =
                    world.resource::<crate::map::RouteGraph>().neighbours(c.province).iter().map(|(_, n)| *n).find(
                        |n| world.get::<Province>(index.provinces[n.index()]).is_some_and(|q| q.controller == c.host),
                    );
                if let Some(to) = refuge {
                    for h in &hosts {
                        if let Some(mut a) = world.get_mut::<Army>(index.armies[h.id.index()]) {
                            a.location = Location::At(to);
                        }
                    }
                }
            }
            TrespassResponse::Ignore | TrespassResponse::Supply => {}
        }
        if supplies {
            let need = (army.men() * p.ration + army.horses * p.fodder) * p.supply_grant_days;
            let given = if let Some(mut pv) = world.get_mut::<Province>(index.provinces[c.province.index()]) {
                let g = need.min(pv.grain);
                pv.grain -= g;
                g
            } else {
                0.0
            };
            if let Some(mut a) = world.get_mut::<Army>(index.armies[c.army.index()]) {
                a.food += given;
                a.guides_until = Some(today + p.guides_days.round() as i64);
            }
        }
    }
}
