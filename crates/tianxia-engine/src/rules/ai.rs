//! Orders: scripted plans and the AI that pursues objectives.
//!
//! Each army has [`Orders`]. A script is a list of waypoints with dates, followed until it
//! ends or an event replaces it; then the faction's objectives take over. The AI picks the
//! highest-priority objective, plans a path that weighs distance, ground, supply and
//! enemies, and attacks, waits, besieges or falls back by the odds.
//!
//! What the AI sees (power by faction and province, where each faction finds supply) is
//! gathered once per phase into buffers that live across turns (what it knows of the
//! provinces is updated only where something changed). Reverse search trees towards each
//! (faction, goal), with enemies not weighed, are shared by the faction's armies, grown
//! only as far as the armies asking need, and kept from turn to turn until their hop costs
//! change. An army weighs only the enemies it can see (within `ai_sight` km): one whose
//! tree path meets none in sight takes it (it is then the cheapest with them weighed too);
//! one that would meet some is routed around them by an A* search guided by the tree.

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
use crate::record::log::{EventLog, LogKind};
use crate::rng::Rngs;
use crate::rules::combat::{Fighting, Ground, army_power, routed_factor};
use crate::rules::lookup::{DrawTable, Natures};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// What the AI knows of one army.
#[derive(Clone, Copy, Debug)]
struct Seen {
    id: ArmyId,
    at: ProvinceId,
}

/// The AI's picture of the map for one phase, in buffers reused from turn to turn, and
/// the search trees it plans with.
#[derive(Default)]
pub struct View {
    known: Known,
    /// Reverse trees towards (faction, goal), kept from turn to turn while their hop costs
    /// hold (see [`View::keep_trees`]).
    trees: Vec<Tree>,
    /// What `supplied` was computed from: the drawing-rights table's generation, the
    /// numbers of factions and provinces, and who is friendly to whom.
    terms: (u64, usize, usize),
    allied_before: Vec<bool>,
    /// Whether where a faction finds supply changed this phase, by faction.
    stale: Vec<bool>,
    /// Buffers of trees let go, for the next ones.
    spare: Vec<SearchTree>,
    /// The AI phases played in this run, to tell which trees were used lately.
    phase: u32,
    /// The graph generation the trees were grown on.
    graph_generation: u64,
    /// The tree of the phase's one-off searches (paths, refuges, sight, raids).
    scratch: SearchTree,
    /// The provinces within sight (`ai_sight` km) of `sight_of`'s place in its phase.
    sight: SearchTree,
    sight_of: Option<(ProvinceId, u32)>,
    /// Armies whose rival commanders leave them waiting this turn, by army.
    hesitant: Vec<bool>,
    /// The path [`View::plan`] found, and the best found so far for an army.
    route: Vec<ProvinceId>,
    best_route: Vec<ProvinceId>,
}

/// What the AI knows of the map this phase.
#[derive(Default)]
struct Known {
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
    /// Whether faction `f` finds supply in each province, by faction then province.
    supplied: Vec<bool>,
}

/// A reverse tree towards `goal` for faction `faction`, and the last phase that used it.
struct Tree {
    faction: FactionId,
    goal: ProvinceId,
    used: u32,
    tree: SearchTree,
}

/// How a search weighs a hop: for supply and enemies, for supply only, or by the plain
/// km of open routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Weigh {
    Enemies,
    Supply,
    Km,
}

impl Known {
    fn enemy_power(&self, f: FactionId, p: ProvinceId) -> f64 {
        self.enemy[f.index() * self.np + p.index()]
    }

    fn own_power(&self, f: FactionId, p: ProvinceId) -> f64 {
        self.own[f.index() * self.np + p.index()]
    }

    /// Whether faction `f` finds supply in province `p` (its own or an ally's land, or
    /// a host's that owes it grain).
    fn friendly(&self, f: FactionId, p: ProvinceId) -> bool {
        self.supplied[f.index() * self.np + p.index()]
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
}

impl View {
    /// Recomputes where each faction finds supply, and lets go of the trees whose hop
    /// costs no longer hold: all of them when the run is new, the routes opened or closed
    /// or the parameters changed; a faction's when where it finds supply changed.
    /// `moved` is whether any province changed hands since the last phase.
    fn keep_trees(&mut self, graph: &RouteGraph, all: bool, moved: bool) {
        let all = all || graph.generation() != self.graph_generation;
        self.graph_generation = graph.generation();
        let k = &mut self.known;
        let (nf, np) = (k.nf, k.np);
        let terms = (k.draw.generation(), nf, np);
        if !all && !moved && terms == self.terms && k.allied == self.allied_before {
            return;
        }
        self.terms = terms;
        self.allied_before.clone_from(&k.allied);
        if k.supplied.len() != nf * np {
            k.supplied.clear();
            k.supplied.resize(nf * np, false);
        }
        self.stale.clear();
        self.stale.resize(nf, false);
        for f in 0..nf {
            let row = k.draw.row(FactionId(f as u32));
            let mut changed = false;
            for (q, s) in k.supplied[f * np..(f + 1) * np].iter_mut().enumerate() {
                let c = k.controller[q];
                let now = k.allied[f * nf + c.index()] || row[q];
                changed |= *s != now;
                *s = now;
            }
            self.stale[f] = changed;
        }
        let (trees, spare, stale) = (&mut self.trees, &mut self.spare, &self.stale);
        trees.retain_mut(|t| {
            let keep = !all && !stale[t.faction.index()];
            if !keep {
                spare.push(std::mem::take(&mut t.tree));
            }
            keep
        });
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
        mut stop: impl FnMut(&Known, ProvinceId) -> bool,
    ) -> Option<ProvinceId> {
        let known = &self.known;
        let mut found = None;
        let stop = |q: ProvinceId| {
            let hit = stop(known, q);
            if hit {
                found = Some(q);
            }
            hit
        };
        graph.search_until(&mut self.scratch, from, limit, stop, |r, w, a, b| match weigh {
            Weigh::Enemies => known.hop(graph, p, f, (r, w), (a, b), true),
            Weigh::Supply => known.hop(graph, p, f, (r, w), (a, b), false),
            Weigh::Km => graph.is_open(r).then_some(w.km),
        });
        found
    }

    /// The reverse tree towards `goal` for faction `f`, under hop costs that do not weigh
    /// enemies (shared by every army of `f` heading there, and kept from turn to turn
    /// while its costs hold), grown until it has settled `here`.
    fn tree(&mut self, graph: &RouteGraph, p: &Params, f: FactionId, goal: ProvinceId, here: ProvinceId) -> usize {
        let i = match self.trees.iter().position(|t| t.faction == f && t.goal == goal) {
            Some(i) => i,
            None => {
                let mut tree = self.spare.pop().unwrap_or_default();
                graph.start_to(&mut tree, goal);
                self.trees.push(Tree { faction: f, goal, used: self.phase, tree });
                self.trees.len() - 1
            }
        };
        let (t, known) = (&mut self.trees[i], &self.known);
        t.used = self.phase;
        graph.grow_to(&mut t.tree, here, |r, w, a, b| known.hop(graph, p, f, (r, w), (a, b), false));
        i
    }

    /// The cheapest way from `here` to the goal of tree `t` with the enemies the army can
    /// see weighed (those within `ai_sight` km): its cost, and its path in `self.route`
    /// (next hop last). The tree's path is that way when no enemy in sight stands on it
    /// before the goal (enemies only add to a hop's cost, and those at the goal to every
    /// way there alike); otherwise a search guided by the tree finds the way around them.
    fn plan(&mut self, graph: &RouteGraph, p: &Params, f: FactionId, t: usize, here: ProvinceId) -> f64 {
        // What the army can see: the provinces within `ai_sight` km of it (one search per
        // place and phase, shared by the armies standing there).
        if self.sight_of != Some((here, self.phase)) {
            self.sight_of = Some((here, self.phase));
            graph.search(&mut self.sight, here, p.ai_sight, None, |r, w, _, _| graph.is_open(r).then_some(w.km));
        }
        let tree = &mut self.trees[t];
        tree.tree.path_from_into(here, &mut self.route);
        let (known, sight) = (&self.known, &self.sight);
        let seen = |q: ProvinceId| if sight.settled(q) { known.enemy_power(f, q) } else { 0.0 };
        let Some((&goal, before)) = self.route.split_first() else { return tree.tree.cost(here) };
        if !before.iter().any(|q| seen(*q) > 0.0) {
            let at_goal = seen(goal);
            let cost = tree.tree.cost(here);
            return if at_goal > 0.0 { cost + at_goal / 1000.0 * p.ai_enemy_cost } else { cost };
        }
        let rest = |q: ProvinceId| tree.tree.bound(q);
        let cost = graph.search_guided(&mut self.scratch, here, goal, rest, |r, w, a, b| {
            known.hop(graph, p, f, (r, w), (a, b), sight.settled(b))
        });
        self.scratch.path_to_into(goal, &mut self.route);
        cost
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
    (&'static Exposure, &'static Hunger),
    Has<Routed>,
    (&'static mut Orders, &'static Stance),
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
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
    mut view: Local<View>,
) {
    let p = &*params;
    let today = cal.date;
    let np = index.provinces.len();
    let nf = index.factions.len();
    let view = &mut *view;
    view.known.np = np;
    view.phase = view.phase.wrapping_add(1);
    // What the AI knows of the provinces is kept from turn to turn and updated for those
    // whose control, walls or place changed (all of them in a new or rebuilt world).
    let fresh = view.known.controller.len() != np;
    if fresh {
        view.known.controller.clear();
        view.known.controller.resize(np, FactionId(u32::MAX));
        view.known.ground.clear();
        view.known.ground.resize(np, (Terrain::Plain, u16::MAX, 0.0));
    }
    let mut moved = fresh;
    let mut update = |id: &ProvinceId, c: &Control, z: &Zone, site: &Site, walls: &Walls| {
        moved |= view.known.controller[id.index()] != c.controller;
        view.known.controller[id.index()] = c.controller;
        view.known.ground[id.index()] = (site.terrain, z.zone, walls.garrison);
    };
    if fresh {
        provinces.iter().for_each(|(id, c, z, s, w)| update(id, c, z, s, w));
    } else {
        changed.iter().for_each(|(id, c, z, s, w)| update(id, c, z, s, w));
    }
    // Rival commanders sharing a command cannot always agree: such an army (by id, one
    // draw each) waits this turn with the chance of a turn of days at the daily chance.
    view.hesitant.clear();
    view.hesitant.resize(index.armies.len(), false);
    let hesitation = 1.0 - (1.0 - p.rivalry_hesitation_per_day.clamp(0.0, 1.0)).powf(cal.days());
    if hesitation > 0.0 {
        for e in &index.armies {
            let Ok((id, _, led, pos, .., routed, _)) = armies.get(*e) else { continue };
            if led.rivalry() && !routed && pos.0.province().is_some() && rngs.ai.random::<f64>() < hesitation {
                view.hesitant[id.index()] = true;
                log.push(&cal, LogKind::Hesitated { army: *id });
            }
        }
    }
    // Each army's power where it stands, gathered by id and summed in id order.
    view.known.power.clear();
    view.known.power.resize(index.armies.len(), None);
    for (id, al, led, pos, s, q, sp, fa, (ex, hu), routed, _) in &armies {
        let at = pos.0.nearest(|r| graph.way(r).km);
        let (terrain, zone, _) = view.known.ground[at.index()];
        let weather = regions.weather(zone);
        let ground =
            Ground { terrain, weather, defending: diplomacy.friendly(al.0, view.known.controller[at.index()]) };
        let fighting = Fighting::of((s, q, sp, fa), (ex, hu), p);
        let power = army_power(fighting, p, ground, natures.cold_adapted(al.0), led.command_factor(p))
            * routed_factor(routed, p);
        view.known.power[id.index()] = Some((al.0, at, power));
    }
    view.known.seen.clear();
    view.known.by_faction.clear();
    view.known.by_faction.resize(nf * np, 0.0);
    view.known.fielded.clear();
    view.known.fielded.resize(nf, false);
    view.known.nf = nf;
    for (i, x) in view.known.power.iter().enumerate() {
        let Some((f, at, power)) = *x else { continue };
        view.known.fielded[f.index()] = true;
        view.known.seen.push(Seen { id: ArmyId(i as u32), at });
        view.known.by_faction[f.index() * np + at.index()] += power;
    }
    view.known.enemy.clear();
    view.known.enemy.resize(nf * np, 0.0);
    view.known.own.clear();
    view.known.own.resize(nf * np, 0.0);
    view.known.allied.clear();
    for f in 0..nf {
        for g in 0..nf {
            let (ff, gg) = (FactionId(f as u32), FactionId(g as u32));
            view.known.allied.push(diplomacy.friendly(ff, gg));
            // A faction with no army adds nothing (its row is all zeros).
            if !view.known.fielded[g] {
                continue;
            }
            let target = if diplomacy.at_war(ff, gg) {
                &mut view.known.enemy
            } else if diplomacy.friendly(ff, gg) {
                &mut view.known.own
            } else {
                continue;
            };
            let source = &view.known.by_faction[g * np..(g + 1) * np];
            for (t, x) in target[f * np..(f + 1) * np].iter_mut().zip(source) {
                *t += x;
            }
        }
    }
    view.known.held.clear();
    view.known.held.extend(view.known.controller.iter().map(|c| Some(*c)));
    view.known.draw.update(&diplomacy, diplomacy.is_changed(), &view.known.held, nf);
    view.keep_trees(&graph, fresh || cal.turn == 0 || params.is_changed(), moved);

    // Armies plan in id order: they share the faction's trees, and how far a tree has
    // grown steers the guided search among paths of equal cost.
    for e in &index.armies {
        let Ok((&id, al, led, pos, _, _, _, _, _, routed, (mut orders, &stance))) = armies.get_mut(*e) else {
            continue;
        };
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
        let attack_odds = p.ai_attack_odds
            * caution
            * if posture == Posture::Defensive { p.ai_defensive_factor } else { 1.0 }
            * if led.rivalry() { p.rivalry_attack_factor } else { 1.0 };

        // A routed army runs for safety whatever its orders, and a rout ends a script:
        // the plan is broken, the faction's AI takes over.
        if routed {
            if matches!(orders.mode, Mode::Script { .. }) {
                orders.mode = Mode::Ai;
            }
            if !view.known.friendly(f, here) || view.known.enemy_power(f, here) > 0.0 {
                if let Some(q) = view.refuge(&graph, p, &diplomacy, f, here) {
                    view.set_path(&graph, p, &mut orders, f, here, q);
                }
            } else {
                orders.stop();
            }
            continue;
        }

        if view.hesitant[id.index()] {
            orders.path.clear();
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
                    let holder = view.known.controller[here.index()];
                    if step.besiege && diplomacy.at_war(f, holder) && view.known.ground[here.index()].2 > 0.0 {
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

        // Harassing horse shadows the nearest enemy in sight: it closes to the last
        // province before the enemy's, where it can reach the enemy without meeting it.
        if stance == Stance::Harass {
            let near = view.search(&graph, p, f, Weigh::Km, here, p.ai_sight, |v, x| v.enemy_power(f, x) > 0.0);
            if let Some(q) = near {
                orders.announce = false;
                orders.besiege = false;
                view.set_path(&graph, p, &mut orders, f, here, q);
                // The path runs goal first: stop one hop short when that hop is in reach.
                let hop = match orders.path.as_slice() {
                    [_, before, ..] => Some((*before, graph.route_between(*before, q))),
                    [_] => Some((here, graph.route_between(here, q))),
                    [] => None,
                };
                if let Some((stop, Some(r))) = hop
                    && graph.way(r).km <= p.harass_range
                {
                    orders.path.remove(0);
                    orders.goal = Some(stop);
                }
                continue;
            }
        }

        // The AI: fall back from bad odds, else pursue the best objective. An army told to
        // stand gives battle whatever the odds: it neither falls back nor waits.
        let stands = stance == Stance::Stand;
        let threat = view.known.enemy_power(f, here);
        if !stands
            && threat > 0.0
            && view.known.own_power(f, here) / threat < p.ai_retreat_odds * caution
            && let Some(q) = view.refuge(&graph, p, &diplomacy, f, here)
        {
            view.set_path(&graph, p, &mut orders, f, here, q);
            continue;
        }
        let Some((goal, besiege)) =
            choose_objective(view, &graph, p, &diplomacy, &objectives, &provinces, &index, id, f, here)
        else {
            orders.stop();
            continue;
        };
        orders.announce = false;
        orders.goal = Some(goal);
        orders.path.clear();
        orders.path.extend_from_slice(&view.best_route);
        orders.besiege = besiege;
        // Wait rather than walk into a battle at bad odds.
        if !stands && let Some(&next) = orders.path.last() {
            let enemy = view.known.enemy_power(f, next);
            if enemy > 0.0 && view.known.own_power(f, here) / enemy < attack_odds {
                orders.path.clear();
            }
        }
    }
    // Trees no army asked for this phase are let go (goals such as a defended place's
    // nearest enemy move from turn to turn).
    let (trees, spare, phase) = (&mut view.trees, &mut view.spare, view.phase);
    trees.retain_mut(|t| {
        let keep = t.used == phase;
        if !keep {
            spare.push(std::mem::take(&mut t.tree));
        }
        keep
    });
}

/// The best objective's goal and whether to besiege it (its path is left in `view.best_route`), or
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
) -> Option<(ProvinceId, bool)> {
    let mut best: Option<(f64, f64, ProvinceId, bool)> = None;
    for o in objectives.0.iter().filter(|o| o.faction == f && (o.armies.is_empty() || o.armies.contains(&army))) {
        let target = match &o.kind {
            ObjectiveKind::Capture(q) => {
                (!diplomacy.friendly(f, view.known.controller[q.index()])).then_some((*q, true))
            }
            ObjectiveKind::Reach(q) => Some((*q, false)),
            ObjectiveKind::Defend(q) => {
                // Meet an enemy near the place if one is in sight, else stand there.
                let near = view.search(graph, p, f, Weigh::Km, *q, p.ai_sight, |v, x| v.enemy_power(f, x) > 0.0);
                Some((near.unwrap_or(*q), false))
            }
            ObjectiveKind::Intercept(target) => view.known.seen.iter().find(|s| s.id == *target).map(|s| (s.at, false)),
            ObjectiveKind::Raid(region) => {
                let raided = |_: &Known, x: ProvinceId| {
                    provinces
                        .get(index.provinces[x.index()])
                        .is_ok_and(|(_, c, z, ..)| z.contains(*region) && diplomacy.at_war(f, c.controller))
                };
                view.search(graph, p, f, Weigh::Enemies, here, f64::INFINITY, raided).map(|x| (x, false))
            }
        };
        let Some((goal, besiege)) = target else { continue };
        let t = view.tree(graph, p, f, goal, here);
        let cost = view.plan(graph, p, f, t, here);
        if !cost.is_finite() {
            continue;
        }
        let better = match best {
            None => true,
            Some((pr, c, _, _)) => o.priority > pr || (o.priority == pr && cost < c),
        };
        if better {
            best = Some((o.priority, cost, goal, besiege));
            std::mem::swap(&mut view.route, &mut view.best_route);
        }
    }
    best.map(|(_, _, g, b)| (g, b))
}
