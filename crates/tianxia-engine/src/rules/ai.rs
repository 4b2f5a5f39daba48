//! Orders: scripted plans and the AI that pursues objectives.
//!
//! Each army has [`Orders`]. A script is a list of waypoints with dates, followed until it
//! ends or an event replaces it; then the faction's objectives take over. The AI picks the
//! highest-priority objective, plans a path that weighs distance, ground, supply and
//! enemies, and attacks, waits, besieges or falls back by the odds.
//!
//! What the AI sees (power by faction and province, where each faction finds supply) is
//! gathered once per phase into buffers that live across turns (what it knows of the
//! provinces is updated only where something changed); reverse search trees towards each
//! (faction, goal) are shared by every army of the phase and grown only as far as the
//! armies asking need.

use crate::calendar::Calendar;
use crate::ids::{ArmyId, FactionId, ProvinceId, RouteId};
use crate::model::army::*;
use crate::model::commander::Trait;
use crate::model::diplomacy::Diplomacy;
use crate::model::faction::Posture;
use crate::model::index::Index;
use crate::model::province::{Control, Site, Terrain, Walls, Zone};
use crate::model::route::{RouteGraph, SearchTree, Way};
use crate::model::script::{ObjectiveKind, Objectives};
use crate::model::weather::Regions;
use crate::params::Params;
use crate::rules::combat::{Fighting, Ground, army_power, routed_factor};
use crate::rules::lookup::{DrawTable, Natures};
use bevy_ecs::prelude::*;

/// What the AI knows of one army.
#[derive(Clone, Copy, Debug)]
struct Seen {
    id: ArmyId,
    at: ProvinceId,
}

/// The AI's picture of the map for one phase, in buffers reused from turn to turn.
#[derive(Default)]
pub struct View {
    np: usize,
    seen: Vec<Seen>,
    /// Power by faction then province, summed over armies in id order.
    by_faction: Vec<f64>,
    /// Enemy power by faction, then province.
    enemy: Vec<f64>,
    /// Own and allied power by faction, then province.
    own: Vec<f64>,
    nf: usize,
    /// Whether each faction has an army in the field.
    fielded: Vec<bool>,
    /// Whether two factions are friendly, by faction, then faction.
    allied: Vec<bool>,
    /// Controller of each province.
    controller: Vec<FactionId>,
    /// The same, as the drawing-rights table takes it.
    held: Vec<Option<FactionId>>,
    /// Terrain, weather zone and garrison of each province.
    ground: Vec<(Terrain, u16, f64)>,
    /// Faction, place and power of each army in the field, by army.
    power: Vec<Option<(FactionId, ProvinceId, f64)>>,
    /// Where each faction may draw grain.
    draw: DrawTable,
    /// Reverse trees towards (faction, goal); the first `used` belong to this phase.
    trees: Vec<((FactionId, ProvinceId), SearchTree)>,
    used: usize,
    /// The tree of the phase's one-off searches (paths, refuges, sight, raids).
    scratch: SearchTree,
}

/// How a search weighs a hop: for supply and enemies, for supply only, or by the plain
/// km of open routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Weigh {
    Enemies,
    Supply,
    Km,
}

impl View {
    fn enemy_power(&self, f: FactionId, p: ProvinceId) -> f64 {
        self.enemy[f.index() * self.np + p.index()]
    }

    fn own_power(&self, f: FactionId, p: ProvinceId) -> f64 {
        self.own[f.index() * self.np + p.index()]
    }

    /// Whether faction `f` finds supply in province `p` (its own or an ally's land, or
    /// a host's that owes it grain).
    fn friendly(&self, f: FactionId, p: ProvinceId) -> bool {
        let c = self.controller[p.index()];
        self.allied[f.index() * self.nf + c.index()] || self.draw.row(f)[p.index()]
    }

    /// Travel cost of a hop: km adjusted for the way, plus penalties for land without
    /// supply and (if asked) for enemies in the way.
    fn hop(
        &self,
        graph: &RouteGraph,
        p: &Params,
        f: FactionId,
        (r, w): (RouteId, &Way),
        (a, b): (ProvinceId, ProvinceId),
        weigh_enemies: bool,
    ) -> Option<f64> {
        if !graph.is_open(r) {
            return None;
        }
        let mut c = w.km / w.speed_factor(a, p).max(0.01);
        if !self.friendly(f, b) {
            c += p.ai_hostile_cost;
        }
        if weigh_enemies {
            c += self.enemy_power(f, b) / 1000.0 * p.ai_enemy_cost;
        }
        Some(c)
    }

    /// A search from `from` for faction `f`, hops weighed by `weigh`, into the scratch
    /// tree, until a province where `stop` holds is settled; returns that province.
    #[allow(clippy::too_many_arguments)]
    fn search(
        &mut self,
        graph: &RouteGraph,
        p: &Params,
        f: FactionId,
        weigh: Weigh,
        from: ProvinceId,
        limit: f64,
        mut stop: impl FnMut(&View, ProvinceId) -> bool,
    ) -> Option<ProvinceId> {
        let mut tree = std::mem::take(&mut self.scratch);
        let mut found = None;
        let stop = |q: ProvinceId| {
            let hit = stop(self, q);
            if hit {
                found = Some(q);
            }
            hit
        };
        graph.search_until(&mut tree, from, limit, stop, |r, w, a, b| match weigh {
            Weigh::Enemies => self.hop(graph, p, f, (r, w), (a, b), true),
            Weigh::Supply => self.hop(graph, p, f, (r, w), (a, b), false),
            Weigh::Km => graph.is_open(r).then_some(w.km),
        });
        self.scratch = tree;
        found
    }

    /// The reverse tree towards `goal` for faction `f` (one per phase, shared by every
    /// army of `f` heading there), grown until it has settled `here`.
    fn tree(&mut self, graph: &RouteGraph, p: &Params, f: FactionId, goal: ProvinceId, here: ProvinceId) -> usize {
        let i = match self.trees[..self.used].iter().position(|(k, _)| *k == (f, goal)) {
            Some(i) => i,
            None => {
                if self.used == self.trees.len() {
                    self.trees.push(((f, goal), SearchTree::default()));
                }
                let i = self.used;
                self.used += 1;
                self.trees[i].0 = (f, goal);
                graph.start_to(&mut self.trees[i].1, goal);
                i
            }
        };
        let mut tree = std::mem::take(&mut self.trees[i].1);
        graph.grow_to(&mut tree, here, |r, w, a, b| self.hop(graph, p, f, (r, w), (a, b), true));
        self.trees[i].1 = tree;
        i
    }

    /// Plans the cheapest path from `here` to `goal` into `orders` (next hop last).
    fn set_path(
        &mut self,
        graph: &RouteGraph,
        p: &Params,
        orders: &mut Orders,
        f: FactionId,
        here: ProvinceId,
        goal: ProvinceId,
    ) {
        orders.goal = Some(goal);
        if goal == here {
            orders.path.clear();
            return;
        }
        self.search(graph, p, f, Weigh::Supply, here, f64::INFINITY, |_, q| q == goal);
        self.scratch.path_to_into(goal, &mut orders.path);
    }

    /// The nearest province (by travel) that is friendly and free of enemies.
    fn refuge(
        &mut self,
        graph: &RouteGraph,
        p: &Params,
        diplomacy: &Diplomacy,
        f: FactionId,
        from: ProvinceId,
    ) -> Option<ProvinceId> {
        self.search(graph, p, f, Weigh::Supply, from, f64::INFINITY, |v, q| {
            q != from && diplomacy.friendly(f, v.controller[q.index()]) && v.enemy_power(f, q) == 0.0
        })
    }
}

/// Provinces whose control, walls or place changed since the AI last looked.
type ProvinceChanged = Or<(Changed<Control>, Changed<Walls>, Changed<Zone>, Changed<Site>)>;

type Planner = (
    &'static ArmyId,
    &'static Allegiance,
    &'static Leadership,
    &'static Position,
    &'static Strength,
    &'static Quality,
    &'static Spirit,
    &'static Fatigue,
    Has<Routed>,
    &'static mut Orders,
);

/// AI phase: every army (by id) updates its plan from its script or objectives.
#[allow(clippy::too_many_arguments)]
pub fn plan_orders(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    objectives: Res<Objectives>,
    index: Res<Index>,
    natures: Natures,
    regions: Res<Regions>,
    provinces: Query<(&ProvinceId, &Control, &Zone, &Site, &Walls)>,
    changed: Query<(&ProvinceId, &Control, &Zone, &Site, &Walls), ProvinceChanged>,
    mut armies: Query<Planner, Without<Dissolved>>,
    mut view: Local<View>,
) {
    let p = &*params;
    let today = cal.date;
    let np = index.provinces.len();
    let nf = index.factions.len();
    let view = &mut *view;
    view.np = np;
    view.used = 0;
    // What the AI knows of the provinces is kept from turn to turn and updated for those
    // whose control, walls or place changed (all of them in a new or rebuilt world).
    let fresh = view.controller.len() != np;
    if fresh {
        view.controller.clear();
        view.controller.resize(np, FactionId(u32::MAX));
        view.ground.clear();
        view.ground.resize(np, (Terrain::Plain, u16::MAX, 0.0));
    }
    let mut update = |id: &ProvinceId, c: &Control, z: &Zone, site: &Site, walls: &Walls| {
        view.controller[id.index()] = c.controller;
        view.ground[id.index()] = (site.terrain, z.zone, walls.garrison);
    };
    if fresh {
        provinces.iter().for_each(|(id, c, z, s, w)| update(id, c, z, s, w));
    } else {
        changed.iter().for_each(|(id, c, z, s, w)| update(id, c, z, s, w));
    }
    // Each army's power where it stands, gathered by id and summed in id order.
    view.power.clear();
    view.power.resize(index.armies.len(), None);
    for (id, al, led, pos, s, q, sp, fa, routed, _) in &armies {
        let at = pos.0.nearest(|r| graph.way(r).km);
        let (terrain, zone, _) = view.ground[at.index()];
        let weather = regions.weather(zone);
        let ground = Ground { terrain, weather, defending: diplomacy.friendly(al.0, view.controller[at.index()]) };
        let fighting = Fighting { strength: s, quality: q.0, spirit: sp, fatigue: fa.0 };
        let power = army_power(fighting, p, ground, natures.cold_adapted(al.0), led.command_factor(p))
            * routed_factor(routed, p);
        view.power[id.index()] = Some((al.0, at, power));
    }
    view.seen.clear();
    view.by_faction.clear();
    view.by_faction.resize(nf * np, 0.0);
    view.fielded.clear();
    view.fielded.resize(nf, false);
    view.nf = nf;
    for (i, x) in view.power.iter().enumerate() {
        let Some((f, at, power)) = *x else { continue };
        view.fielded[f.index()] = true;
        view.seen.push(Seen { id: ArmyId(i as u32), at });
        view.by_faction[f.index() * np + at.index()] += power;
    }
    view.enemy.clear();
    view.enemy.resize(nf * np, 0.0);
    view.own.clear();
    view.own.resize(nf * np, 0.0);
    view.allied.clear();
    for f in 0..nf {
        for g in 0..nf {
            let (ff, gg) = (FactionId(f as u32), FactionId(g as u32));
            view.allied.push(diplomacy.friendly(ff, gg));
            // A faction with no army adds nothing (its row is all zeros).
            if !view.fielded[g] {
                continue;
            }
            let target = if diplomacy.at_war(ff, gg) {
                &mut view.enemy
            } else if diplomacy.friendly(ff, gg) {
                &mut view.own
            } else {
                continue;
            };
            let source = &view.by_faction[g * np..(g + 1) * np];
            for (t, x) in target[f * np..(f + 1) * np].iter_mut().zip(source) {
                *t += x;
            }
        }
    }
    view.held.clear();
    view.held.extend(view.controller.iter().map(|c| Some(*c)));
    view.draw.update(&diplomacy, diplomacy.is_changed(), &view.held, nf);

    // Each army plans from the phase's view alone, so the order they plan in is free.
    for (&id, al, led, pos, _, _, _, _, routed, mut orders) in &mut armies {
        let Some(here) = pos.0.province() else { continue };
        let f = al.0;
        let caution = if led.has(Trait::Reckless) {
            p.ai_reckless_factor
        } else if led.has(Trait::Cautious) {
            p.ai_cautious_factor
        } else {
            1.0
        };
        let posture = natures.posture(f);
        let attack_odds =
            p.ai_attack_odds * caution * if posture == Posture::Defensive { p.ai_defensive_factor } else { 1.0 };

        // A routed army runs for safety whatever its orders, and a rout ends a script:
        // the plan is broken, the faction's AI takes over.
        if routed {
            if matches!(orders.mode, Mode::Script { .. }) {
                orders.mode = Mode::Ai;
            }
            if !view.friendly(f, here) || view.enemy_power(f, here) > 0.0 {
                if let Some(q) = view.refuge(&graph, p, &diplomacy, f, here) {
                    view.set_path(&graph, p, &mut orders, f, here, q);
                }
            } else {
                orders.stop();
            }
            continue;
        }

        // Scripted plans.
        let mut to_ai = false;
        let mut plan = None;
        if let Mode::Script { steps, next } = &mut orders.mode {
            loop {
                let Some(step) = steps.get(*next).cloned() else {
                    to_ai = true;
                    break;
                };
                if here == step.to {
                    let holder = view.controller[here.index()];
                    if step.besiege && diplomacy.at_war(f, holder) && view.ground[here.index()].2 > 0.0 {
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
        }
        if let Some((goal, besiege, announce)) = plan {
            if orders.goal != Some(goal) || orders.path.is_empty() {
                view.set_path(&graph, p, &mut orders, f, here, goal);
            }
            orders.besiege = besiege;
            orders.announce = announce;
            continue;
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
            && let Some(q) = view.refuge(&graph, p, &diplomacy, f, here)
        {
            view.set_path(&graph, p, &mut orders, f, here, q);
            continue;
        }
        let Some((goal, besiege, tree)) =
            choose_objective(view, &graph, p, &diplomacy, &objectives, &provinces, &index, id, f, here)
        else {
            orders.stop();
            continue;
        };
        orders.announce = false;
        orders.goal = Some(goal);
        view.trees[tree].1.path_from_into(here, &mut orders.path);
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

/// The best objective's goal, whether to besiege it, and the tree that leads there, or
/// `None` if none applies.
#[allow(clippy::too_many_arguments)]
fn choose_objective(
    view: &mut View,
    graph: &RouteGraph,
    p: &Params,
    diplomacy: &Diplomacy,
    objectives: &Objectives,
    provinces: &Query<(&ProvinceId, &Control, &Zone, &Site, &Walls)>,
    index: &Index,
    army: ArmyId,
    f: FactionId,
    here: ProvinceId,
) -> Option<(ProvinceId, bool, usize)> {
    let mut best: Option<(f64, f64, ProvinceId, bool, usize)> = None;
    for o in objectives.0.iter().filter(|o| o.faction == f && (o.armies.is_empty() || o.armies.contains(&army))) {
        let target = match &o.kind {
            ObjectiveKind::Capture(q) => (!diplomacy.friendly(f, view.controller[q.index()])).then_some((*q, true)),
            ObjectiveKind::Reach(q) => Some((*q, false)),
            ObjectiveKind::Defend(q) => {
                // Meet an enemy near the place if one is in sight, else stand there.
                let near = view.search(graph, p, f, Weigh::Km, *q, p.ai_sight, |v, x| v.enemy_power(f, x) > 0.0);
                Some((near.unwrap_or(*q), false))
            }
            ObjectiveKind::Intercept(target) => view.seen.iter().find(|s| s.id == *target).map(|s| (s.at, false)),
            ObjectiveKind::Raid(region) => {
                let raided = |_: &View, x: ProvinceId| {
                    provinces
                        .get(index.provinces[x.index()])
                        .is_ok_and(|(_, c, z, ..)| z.contains(*region) && diplomacy.at_war(f, c.controller))
                };
                view.search(graph, p, f, Weigh::Enemies, here, f64::INFINITY, raided).map(|x| (x, false))
            }
        };
        let Some((goal, besiege)) = target else { continue };
        let t = view.tree(graph, p, f, goal, here);
        let cost = view.trees[t].1.cost(here);
        if !cost.is_finite() {
            continue;
        }
        let better = match best {
            None => true,
            Some((pr, c, _, _, _)) => o.priority > pr || (o.priority == pr && cost < c),
        };
        if better {
            best = Some((o.priority, cost, goal, besiege, t));
        }
    }
    best.map(|(_, _, g, b, t)| (g, b, t))
}
