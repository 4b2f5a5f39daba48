//! Orders: scripted plans and the AI that pursues objectives.
//!
//! Each army has [`Orders`]. A script is a list of waypoints with dates, followed until it
//! ends or an event replaces it; then the faction's objectives take over. The AI picks the
//! highest-priority objective, plans a path that weighs distance, ground, supply and
//! enemies, and attacks, waits, besieges or falls back by the odds.

use crate::calendar::{Calendar, Date};
use crate::combat::{Ground, army_power, command_factor, routed_factor};
use crate::diplomacy::Diplomacy;
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::map::{RouteGraph, SearchTree};
use crate::model::{Army, Commander, Faction, Posture, Province, Trait};
use crate::outcome::Index;
use crate::params::Params;
use crate::spec::OrdersSpec;
use crate::weather::{Regions, Weather};
use bevy_ecs::prelude::*;

/// One waypoint of a scripted plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Where to go.
    pub to: ProvinceId,
    /// Do not set out before this day.
    pub not_before: Option<Date>,
    /// Once there, stay until this day.
    pub hold_until: Option<Date>,
    /// Once there, besiege it until taken.
    pub besiege: bool,
}

/// What an AI objective asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectiveKind {
    /// Take the province.
    Capture(ProvinceId),
    /// Hold the province, meeting enemies that come near.
    Defend(ProvinceId),
    /// Catch and fight the army.
    Intercept(ArmyId),
    /// Take whatever enemy land in the region is nearest.
    Raid(u16),
    /// Get to the province.
    Reach(ProvinceId),
}

/// An AI objective of a faction.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    /// Whose.
    pub faction: FactionId,
    /// What.
    pub kind: ObjectiveKind,
    /// Higher first.
    pub priority: f64,
    /// Armies that pursue it (empty: all of the faction's AI armies).
    pub armies: Vec<ArmyId>,
}

/// The objectives of all factions.
#[derive(Resource, Clone, Debug, Default)]
pub struct Objectives(pub Vec<Objective>);

/// How an army is directed.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// Stay put.
    Hold,
    /// Pursue the faction's objectives.
    Ai,
    /// Follow waypoints; `next` is the current one.
    Script {
        /// The plan.
        steps: Vec<Step>,
        /// Index of the current step.
        next: usize,
    },
}

/// An army's orders and current plan.
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Orders {
    /// How it is directed.
    pub mode: Mode,
    /// Provinces still to pass, the next one last.
    pub path: Vec<ProvinceId>,
    /// Where it is going.
    pub goal: Option<ProvinceId>,
    /// Whether to besiege the goal on arrival.
    pub besiege: bool,
    /// Whether arrival at the goal is worth a chronicle line (scripted waypoints).
    pub announce: bool,
}

impl Orders {
    /// Orders from their spec.
    pub fn from_spec(spec: &OrdersSpec) -> Orders {
        let mode = match spec {
            OrdersSpec::Hold => Mode::Hold,
            OrdersSpec::Ai => Mode::Ai,
            OrdersSpec::Script(steps) => Mode::Script { steps: steps.clone(), next: 0 },
        };
        Orders { mode, path: Vec::new(), goal: None, besiege: false, announce: false }
    }

    fn stop(&mut self) {
        self.path.clear();
        self.goal = None;
        self.besiege = false;
    }
}

/// What the AI knows of one army.
struct Seen {
    id: ArmyId,
    faction: FactionId,
    at: ProvinceId,
    power: f64,
}

struct View<'a> {
    params: &'a Params,
    graph: &'a RouteGraph,
    diplomacy: &'a Diplomacy,
    provinces: Vec<&'a Province>,
    seen: Vec<Seen>,
    season: crate::calendar::Season,
    /// Enemy power by faction, then province.
    enemy: Vec<Vec<f64>>,
    /// Own and allied power by faction, then province.
    own: Vec<Vec<f64>>,
    /// Whether a faction finds supply in a province, by faction, then province.
    supplied: Vec<Vec<bool>>,
}

impl<'a> View<'a> {
    fn new(
        params: &'a Params,
        graph: &'a RouteGraph,
        diplomacy: &'a Diplomacy,
        provinces: Vec<&'a Province>,
        seen: Vec<Seen>,
        season: crate::calendar::Season,
        factions: usize,
    ) -> View<'a> {
        let np = provinces.len();
        let mut by_faction = vec![vec![0.0; np]; factions];
        for s in &seen {
            by_faction[s.faction.index()][s.at.index()] += s.power;
        }
        let mut enemy = vec![vec![0.0; np]; factions];
        let mut own = vec![vec![0.0; np]; factions];
        for f in 0..factions {
            for (g, powers) in by_faction.iter().enumerate() {
                let (ff, gg) = (FactionId(f as u32), FactionId(g as u32));
                let target = if diplomacy.at_war(ff, gg) {
                    &mut enemy[f]
                } else if diplomacy.friendly(ff, gg) {
                    &mut own[f]
                } else {
                    continue;
                };
                for (t, x) in target.iter_mut().zip(powers) {
                    *t += x;
                }
            }
        }
        let supplied = (0..factions)
            .map(|f| {
                provinces
                    .iter()
                    .map(|pv| {
                        let f = FactionId(f as u32);
                        diplomacy.friendly(f, pv.controller) || diplomacy.may_draw(f, pv.controller, pv.id)
                    })
                    .collect()
            })
            .collect();
        View { params, graph, diplomacy, provinces, seen, season, enemy, own, supplied }
    }

    fn enemy_power(&self, f: FactionId, p: ProvinceId) -> f64 {
        self.enemy[f.index()][p.index()]
    }

    fn own_power(&self, f: FactionId, p: ProvinceId) -> f64 {
        self.own[f.index()][p.index()]
    }

    fn friendly(&self, f: FactionId, p: ProvinceId) -> bool {
        self.supplied[f.index()][p.index()]
    }

    /// Travel cost of a hop: km adjusted for the way, plus penalties for land without
    /// supply and (if asked) for enemies in the way.
    fn hop(
        &self,
        f: FactionId,
        r: &crate::map::Route,
        a: ProvinceId,
        b: ProvinceId,
        weigh_enemies: bool,
    ) -> Option<f64> {
        let p = self.params;
        if !r.open_in(self.season) {
            return None;
        }
        let mut c = r.km / r.speed_factor(a, p).max(0.01);
        if !self.friendly(f, b) {
            c += p.ai_hostile_cost;
        }
        if weigh_enemies {
            c += self.enemy_power(f, b) / 1000.0 * p.ai_enemy_cost;
        }
        Some(c)
    }

    fn path(
        &self,
        f: FactionId,
        from: ProvinceId,
        to: ProvinceId,
        weigh_enemies: bool,
    ) -> Option<(f64, Vec<ProvinceId>)> {
        self.graph.shortest_path(from, to, |r, a, b| self.hop(f, r, a, b, weigh_enemies))
    }

    /// The nearest province (by travel) that is friendly and free of enemies.
    fn refuge(&self, f: FactionId, from: ProvinceId) -> Option<ProvinceId> {
        self.graph
            .within(from, f64::INFINITY, |r, a, b| self.hop(f, r, a, b, false))
            .into_iter()
            .find(|&(q, _)| {
                q != from
                    && self.diplomacy.friendly(f, self.provinces[q.index()].controller)
                    && self.enemy_power(f, q) == 0.0
            })
            .map(|(q, _)| q)
    }
}

/// AI phase: every army (by id) updates its plan from its script or objectives.
#[allow(clippy::too_many_arguments)]
pub fn plan_orders(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    objectives: Res<Objectives>,
    regions: Res<Regions>,
    index: Res<Index>,
    mut armies: Query<(&Army, &mut Orders)>,
    provinces: Query<&Province>,
    factions: Query<&Faction>,
    commanders: Query<&Commander>,
) {
    let p = &*params;
    let today = cal.date;
    let provinces: Vec<&Province> = index.provinces.iter().filter_map(|e| provinces.get(*e).ok()).collect();
    if provinces.len() != index.provinces.len() {
        return;
    }
    let cmd = |a: &Army| {
        let cs: Vec<&Commander> =
            a.commanders.iter().filter_map(|c| commanders.get(index.commanders[c.index()]).ok()).collect();
        command_factor(&cs, p)
    };
    let mut seen = Vec::new();
    let mut order: Vec<(ArmyId, Entity)> = Vec::new();
    for (a, _) in armies.iter() {
        if a.destroyed {
            continue;
        }
        order.push((a.id, index.armies[a.id.index()]));
        let at = a.location.nearest(|r| graph.route(r).km);
        let pv = provinces[at.index()];
        let weather = regions.0.get(pv.zone as usize).map_or(Weather::Clear, |r| r.weather);
        let cold = factions.get(index.factions[a.faction.index()]).is_ok_and(|f| f.cold_adapted);
        let ground = Ground { terrain: pv.terrain, weather, defending: diplomacy.friendly(a.faction, pv.controller) };
        let power = army_power(a, p, ground, cold, cmd(a)) * routed_factor(a, today.to_days(), p);
        seen.push(Seen { id: a.id, faction: a.faction, at, power });
    }
    order.sort();
    seen.sort_by_key(|s| s.id);
    let view = View::new(p, &graph, &diplomacy, provinces, seen, today.season(), index.factions.len());

    let mut trees = Trees::default();
    for (_, e) in order {
        let Ok((army, mut orders)) = armies.get_mut(e) else { continue };
        let Some(here) = army.location.province() else { continue };
        let f = army.faction;
        let traits: Vec<Trait> = army
            .commanders
            .iter()
            .filter_map(|c| commanders.get(index.commanders[c.index()]).ok())
            .flat_map(|c| c.traits.iter().copied())
            .collect();
        let caution = if traits.contains(&Trait::Reckless) {
            p.ai_reckless_factor
        } else if traits.contains(&Trait::Cautious) {
            p.ai_cautious_factor
        } else {
            1.0
        };
        let posture = factions.get(index.factions[f.index()]).map_or(Posture::Defensive, |x| x.posture);
        let attack_odds =
            p.ai_attack_odds * caution * if posture == Posture::Defensive { p.ai_defensive_factor } else { 1.0 };

        // A routed army runs for safety whatever its orders, and a rout ends a script:
        // the plan is broken, the faction's AI takes over.
        if army.routed(today.to_days()) {
            if matches!(orders.mode, Mode::Script { .. }) {
                orders.mode = Mode::Ai;
            }
            if !view.friendly(f, here) || view.enemy_power(f, here) > 0.0 {
                if let Some(q) = view.refuge(f, here) {
                    set_path(&mut orders, &view, f, here, q, false);
                }
            } else {
                orders.stop();
            }
            continue;
        }

        // Scripted plans.
        let mut to_ai = false;
        if let Mode::Script { steps, next } = &mut orders.mode {
            let mut plan = None;
            loop {
                let Some(step) = steps.get(*next).cloned() else {
                    to_ai = true;
                    break;
                };
                if here == step.to {
                    let pv = view.provinces[here.index()];
                    if step.besiege && diplomacy.at_war(f, pv.controller) && pv.garrison > 0.0 {
                        plan = Some((step.to, true, false));
                        break;
                    }
                    if step.hold_until.is_some_and(|d| today < d) {
                        plan = Some((here, false, false));
                        break;
                    }
                    *next += 1;
                    continue;
                }
                if step.not_before.is_some_and(|d| today < d) {
                    plan = Some((here, false, false));
                    break;
                }
                plan = Some((step.to, step.besiege, true));
                break;
            }
            if let Some((goal, besiege, announce)) = plan {
                if orders.goal != Some(goal) || orders.path.is_empty() {
                    set_path(&mut orders, &view, f, here, goal, false);
                }
                orders.besiege = besiege;
                orders.announce = announce;
                continue;
            }
        }
        if to_ai {
            orders.mode = Mode::Ai;
        }
        if orders.mode == Mode::Hold {
            orders.stop();
            continue;
        }

        // The AI: fall back from bad odds, else pursue the best objective.
        let threat = view.enemy_power(f, here);
        if threat > 0.0
            && view.own_power(f, here) / threat < p.ai_retreat_odds * caution
            && let Some(q) = view.refuge(f, here)
        {
            set_path(&mut orders, &view, f, here, q, false);
            continue;
        }
        let Some((goal, besiege, path)) = choose_objective(&view, &mut trees, &objectives, army, here) else {
            orders.stop();
            continue;
        };
        orders.announce = false;
        orders.goal = Some(goal);
        orders.path = path;
        orders.besiege = besiege;
        // Wait rather than walk into a battle at bad odds.
        if let Some(&next) = orders.path.last() {
            let enemy = view.enemy_power(f, next);
            if enemy > 0.0 && view.own_power(f, here) / enemy < attack_odds {
                orders.path.clear();
            }
        }
    }
}

fn set_path(orders: &mut Orders, view: &View, f: FactionId, here: ProvinceId, goal: ProvinceId, weigh: bool) {
    orders.goal = Some(goal);
    orders.path = view
        .path(f, here, goal, weigh)
        .map(|(_, mut p)| {
            p.reverse();
            p
        })
        .unwrap_or_default();
}

/// Reverse searches towards each goal, per faction, shared by every army of the faction
/// in one AI phase.
#[derive(Default)]
struct Trees(std::collections::BTreeMap<(FactionId, ProvinceId), SearchTree>);

impl Trees {
    fn to(&mut self, view: &View, f: FactionId, goal: ProvinceId) -> &SearchTree {
        self.0.entry((f, goal)).or_insert_with(|| view.graph.search_to(goal, |r, a, b| view.hop(f, r, a, b, true)))
    }
}

/// The best objective's goal, with its path (next hop last), or `None` if none applies.
fn choose_objective(
    view: &View,
    trees: &mut Trees,
    objectives: &Objectives,
    army: &Army,
    here: ProvinceId,
) -> Option<(ProvinceId, bool, Vec<ProvinceId>)> {
    let f = army.faction;
    let mut best: Option<(f64, f64, ProvinceId, bool)> = None;
    for o in objectives.0.iter().filter(|o| o.faction == f && (o.armies.is_empty() || o.armies.contains(&army.id))) {
        let target = match &o.kind {
            ObjectiveKind::Capture(p) => {
                let pv = view.provinces[p.index()];
                (!view.diplomacy.friendly(f, pv.controller)).then_some((*p, true))
            }
            ObjectiveKind::Reach(p) => Some((*p, false)),
            ObjectiveKind::Defend(p) => {
                // Meet an enemy near the place if one is in sight, else stand there.
                let near = view
                    .graph
                    .within(*p, view.params.ai_sight, |r, _, _| r.open_in(view.season).then_some(r.km))
                    .into_iter()
                    .find(|&(q, _)| view.enemy_power(f, q) > 0.0);
                Some((near.map_or(*p, |(q, _)| q), false))
            }
            ObjectiveKind::Intercept(target) => view.seen.iter().find(|s| s.id == *target).map(|s| (s.at, false)),
            ObjectiveKind::Raid(region) => view
                .graph
                .search(here, f64::INFINITY, |r, a, b| view.hop(f, r, a, b, true))
                .reached()
                .find(|&(q, _)| {
                    let pv = view.provinces[q.index()];
                    pv.in_region(*region) && view.diplomacy.at_war(f, pv.controller)
                })
                .map(|(q, _)| (q, false)),
        };
        let Some((goal, besiege)) = target else { continue };
        let cost = trees.to(view, f, goal).cost(here);
        if !cost.is_finite() {
            continue;
        }
        let better = match best {
            None => true,
            Some((pr, c, _, _)) => o.priority > pr || (o.priority == pr && cost < c),
        };
        if better {
            best = Some((o.priority, cost, goal, besiege));
        }
    }
    best.map(|(_, _, g, b)| {
        let mut path = trees.to(view, f, g).path_from(here);
        path.reverse();
        (g, b, path)
    })
}
