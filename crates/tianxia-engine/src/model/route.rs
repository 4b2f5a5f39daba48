//! Routes: the edges of the province graph, as entities with state, and the topology
//! index ([`RouteGraph`]) that path-finding reads.
//!
//! A route entity carries [`RouteId`], [`Way`] (ends, length and kind), [`Closures`]
//! (the seasons it is shut) and [`RouteState`] (what can change during a run: a flood).
//! The index mirrors what searches need in flat arrays, and its open/closed bits are
//! recomputed only when the season turns or a route's state changes.

use crate::calendar::Season;
use crate::ids::{ProvinceId, RouteId};
use crate::params::Params;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BinaryHeap;

/// What kind of way a route is; sets its speed factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    /// A road over plain or low hills (factor 1).
    Road,
    /// A mountain path or gorge road.
    MountainPath,
    /// A pass.
    Pass,
    /// A river crossing.
    RiverCrossing,
    /// River transport, upstream from `a` to `b` (downstream back).
    RiverUp,
    /// River transport, downstream from `a` to `b` (upstream back).
    RiverDown,
}

impl RouteKind {
    /// Whether grain moves along this route by boat.
    pub fn is_river(self) -> bool {
        matches!(self, RouteKind::RiverUp | RouteKind::RiverDown)
    }

    /// Whether the route runs on or across a river (and so can flood).
    pub fn on_water(self) -> bool {
        matches!(self, RouteKind::RiverCrossing | RouteKind::RiverUp | RouteKind::RiverDown)
    }
}

/// A graph edge between two provinces: its ends, length and kind.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Way {
    /// One end.
    pub a: ProvinceId,
    /// The other end.
    pub b: ProvinceId,
    /// Length in km.
    pub km: f64,
    /// The kind of way.
    pub kind: RouteKind,
}

impl Way {
    /// The other end of the route, seen from `from`.
    pub fn other(&self, from: ProvinceId) -> ProvinceId {
        if from == self.a { self.b } else { self.a }
    }

    /// Speed factor travelling from `from` to the other end.
    pub fn speed_factor(&self, from: ProvinceId, p: &Params) -> f64 {
        let forward = from == self.a;
        match (self.kind, forward) {
            (RouteKind::Road, _) => 1.0,
            (RouteKind::MountainPath, _) => p.speed_mountain_path,
            (RouteKind::Pass, _) => p.speed_pass,
            (RouteKind::RiverCrossing, _) => p.speed_river_crossing,
            (RouteKind::RiverUp, true) | (RouteKind::RiverDown, false) => p.speed_river_up,
            (RouteKind::RiverUp, false) | (RouteKind::RiverDown, true) => p.speed_river_down,
        }
    }
}

/// Seasons in which the route is closed, indexed by [`Season::index`].
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Closures(pub [bool; 4]);

/// What can happen to a route during a run.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteState {
    /// Closed (cut, or by a rule such as flooding) until this day number.
    pub closed_until: Option<i64>,
}

impl RouteState {
    /// Whether the route is usable on day `today` in a season it is not shut in.
    pub fn passable(&self, today: i64) -> bool {
        self.closed_until.is_none_or(|d| today >= d)
    }
}

/// The topology index: routes in flat arrays, each province's incident routes, and
/// which routes are open now.
#[derive(Resource, Clone, Debug, Default)]
pub struct RouteGraph {
    ways: Vec<Way>,
    /// `(route, neighbour)` pairs of every province, by province, in route order.
    adjacency: Vec<(RouteId, ProvinceId)>,
    /// Start of each province's slice of `adjacency` (one more entry than provinces).
    offsets: Vec<u32>,
    open: Vec<bool>,
    /// The season the open bits were last computed for.
    season: Option<Season>,
    /// Bumped whenever a route opens or closes, so caches of searches know when to
    /// search again.
    generation: u64,
    /// The first day a closed route reopens, if one is closed by its state.
    reopens: Option<i64>,
}

impl RouteGraph {
    /// Builds the index of `ways` (indexed by route id) over `provinces` provinces, with
    /// every route open.
    pub fn new(provinces: usize, ways: &[Way]) -> RouteGraph {
        let mut g = RouteGraph::default();
        g.rebuild(provinces, ways);
        g
    }

    /// Rebuilds the index in place, reusing its buffers.
    pub fn rebuild(&mut self, provinces: usize, ways: &[Way]) {
        self.ways.clear();
        self.ways.extend_from_slice(ways);
        self.offsets.clear();
        self.offsets.resize(provinces + 1, 0);
        for w in ways {
            self.offsets[w.a.index() + 1] += 1;
            self.offsets[w.b.index() + 1] += 1;
        }
        for i in 0..provinces {
            self.offsets[i + 1] += self.offsets[i];
        }
        self.adjacency.clear();
        self.adjacency.resize(self.offsets[provinces] as usize, (RouteId(0), ProvinceId(0)));
        let mut fill: Vec<u32> = self.offsets[..provinces].to_vec();
        for (i, w) in ways.iter().enumerate() {
            let id = RouteId(i as u32);
            for (from, to) in [(w.a, w.b), (w.b, w.a)] {
                self.adjacency[fill[from.index()] as usize] = (id, to);
                fill[from.index()] += 1;
            }
        }
        self.open.clear();
        self.open.resize(ways.len(), true);
        self.season = None;
        self.reopens = None;
        self.generation += 1;
    }

    /// Changes whenever a route opens or closes (or the index is rebuilt).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The season the open bits were last computed for.
    pub fn season(&self) -> Option<Season> {
        self.season
    }

    /// The first day a route closed by its state reopens.
    pub fn reopens(&self) -> Option<i64> {
        self.reopens
    }

    /// Records the first day a route closed by its state reopens.
    pub fn set_reopens(&mut self, day: Option<i64>) {
        self.reopens = day;
    }

    /// Records that the open bits are now those of `season`.
    pub fn set_season(&mut self, season: Season) {
        self.season = Some(season);
    }

    /// Marks route `id` open or closed.
    pub fn set_open(&mut self, id: RouteId, open: bool) {
        if let Some(o) = self.open.get_mut(id.index())
            && *o != open
        {
            *o = open;
            self.generation += 1;
        }
    }

    /// Number of provinces.
    pub fn provinces(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The route.
    pub fn way(&self, id: RouteId) -> &Way {
        &self.ways[id.index()]
    }

    /// How many routes there are.
    pub fn route_count(&self) -> usize {
        self.ways.len()
    }

    /// Whether the route can be used now.
    pub fn is_open(&self, id: RouteId) -> bool {
        self.open[id.index()]
    }

    /// The neighbours of `p`, in route order.
    pub fn neighbours(&self, p: ProvinceId) -> &[(RouteId, ProvinceId)] {
        let (s, e) = (self.offsets[p.index()] as usize, self.offsets[p.index() + 1] as usize);
        &self.adjacency[s..e]
    }

    /// The shortest open route from `a` to its neighbour `b`, if any.
    pub fn route_between(&self, a: ProvinceId, b: ProvinceId) -> Option<RouteId> {
        self.neighbours(a)
            .iter()
            .filter(|(r, n)| *n == b && self.is_open(*r))
            .min_by(|x, y| self.way(x.0).km.total_cmp(&self.way(y.0).km).then(x.0.cmp(&y.0)))
            .map(|(r, _)| *r)
    }

    /// Dijkstra from `from` out to `limit` under `cost(route, from, to)` (`None` =
    /// impassable), stopping early once `stop` is settled; the result goes to `tree`,
    /// whose buffers are reused.
    pub fn search(
        &self,
        tree: &mut SearchTree,
        from: ProvinceId,
        limit: f64,
        stop: Option<ProvinceId>,
        cost: impl FnMut(RouteId, &Way, ProvinceId, ProvinceId) -> Option<f64>,
    ) {
        self.search_until(tree, from, limit, |p| stop == Some(p), cost);
    }

    /// Dijkstra from `from` out to `limit` under `cost` (costs must not be negative),
    /// stopping as soon as a province for which `stop` holds is settled (it is then the
    /// last of [`SearchTree::reached`]); the result goes to `tree`.
    pub fn search_until(
        &self,
        tree: &mut SearchTree,
        from: ProvinceId,
        limit: f64,
        stop: impl FnMut(ProvinceId) -> bool,
        cost: impl FnMut(RouteId, &Way, ProvinceId, ProvinceId) -> Option<f64>,
    ) {
        tree.start(self.provinces(), from);
        self.grow(tree, limit, stop, cost);
    }

    /// Settles provinces of a started search until `stop` holds for one (returns true)
    /// or nothing is left within `limit`; a stopped search can be grown again later.
    fn grow(
        &self,
        tree: &mut SearchTree,
        limit: f64,
        mut stop: impl FnMut(ProvinceId) -> bool,
        mut cost: impl FnMut(RouteId, &Way, ProvinceId, ProvinceId) -> Option<f64>,
    ) -> bool {
        while let Some(node) = tree.heap.pop() {
            let (d, at) = node.get();
            if d > tree.cost(at) {
                continue;
            }
            tree.settle(at, d);
            for &(rid, next) in self.neighbours(at) {
                let Some(c) = cost(rid, self.way(rid), at, next) else { continue };
                let nd = d + c;
                if nd <= limit && nd < tree.cost(next) {
                    tree.set(next, nd, at.0);
                    tree.heap.push(Node::new(nd, next));
                }
            }
            if stop(at) {
                return true;
            }
        }
        false
    }

    /// Starts a reverse search towards `to`: grown with [`RouteGraph::grow_to`], it gives
    /// every province the cost of the cheapest way to `to` and the next hop on it. One
    /// such tree serves every army heading for the same place, and is searched only as
    /// far as those armies need.
    pub fn start_to(&self, tree: &mut SearchTree, to: ProvinceId) {
        tree.start(self.provinces(), to);
    }

    /// Grows a reverse tree (see [`RouteGraph::start_to`]) until `until` is settled;
    /// `cost` is the forward cost of a hop and must be the same at every call on one tree.
    pub fn grow_to(
        &self,
        tree: &mut SearchTree,
        until: ProvinceId,
        mut cost: impl FnMut(RouteId, &Way, ProvinceId, ProvinceId) -> Option<f64>,
    ) {
        if tree.settled(until) {
            return;
        }
        // Searching backwards: relaxing (next -> at) with the forward cost of that hop.
        self.grow(tree, f64::INFINITY, |p| p == until, |r, w, at, next| cost(r, w, next, at));
    }

    /// The cheapest way from `from` to `to` under `cost` (A*), guided by `rest`: for each
    /// province, a lower bound of the cost from there to `to` that falls by no more than
    /// the cost of a hop (for example the exact cost under cheaper hops), or infinity if
    /// `to` cannot be reached from there. Returns the cost (infinite if out of reach); the
    /// path is read from `tree` with [`SearchTree::path_to_into`]. With such a bound the
    /// result is the one a full search would give, and the search settles only the
    /// provinces whose cost plus bound is below it.
    pub fn search_guided(
        &self,
        tree: &mut SearchTree,
        from: ProvinceId,
        to: ProvinceId,
        mut rest: impl FnMut(ProvinceId) -> f64,
        mut cost: impl FnMut(RouteId, &Way, ProvinceId, ProvinceId) -> Option<f64>,
    ) -> f64 {
        tree.reset(self.provinces(), from);
        let h = rest(from);
        if !h.is_finite() {
            return f64::INFINITY;
        }
        tree.set(from, 0.0, u32::MAX);
        tree.guided.clear();
        tree.guided.push(Guided::new(h, 0.0, from));
        while let Some(node) = tree.guided.pop() {
            let at = node.at();
            if tree.settled(at) {
                continue;
            }
            let g = tree.cost(at);
            tree.settle(at, g);
            if at == to {
                return g;
            }
            for &(rid, next) in self.neighbours(at) {
                if tree.settled(next) {
                    continue;
                }
                let Some(c) = cost(rid, self.way(rid), at, next) else { continue };
                let ng = g + c;
                if ng < tree.cost(next) {
                    let h = rest(next);
                    if h.is_finite() {
                        tree.set(next, ng, at.0);
                        tree.guided.push(Guided::new(ng + h, ng, next));
                    }
                }
            }
        }
        f64::INFINITY
    }

    /// A whole reverse search towards `to` (see [`RouteGraph::start_to`]).
    pub fn search_to(
        &self,
        tree: &mut SearchTree,
        to: ProvinceId,
        mut cost: impl FnMut(RouteId, &Way, ProvinceId, ProvinceId) -> Option<f64>,
    ) {
        tree.start(self.provinces(), to);
        self.grow(tree, f64::INFINITY, |_| false, |r, w, at, next| cost(r, w, next, at));
    }
}

/// The result of a search, with buffers that are sized once and reused: a stamp per
/// province says whether its entry belongs to the current search, so a search touches
/// only what it settles.
#[derive(Clone, Debug, Default)]
pub struct SearchTree {
    from: Option<ProvinceId>,
    generation: u32,
    stamp: Vec<u32>,
    settled: Vec<u32>,
    best: Vec<f64>,
    prev: Vec<u32>,
    order: Vec<(ProvinceId, f64)>,
    heap: BinaryHeap<Node>,
    guided: BinaryHeap<Guided>,
}

impl SearchTree {
    fn reset(&mut self, provinces: usize, from: ProvinceId) {
        if self.stamp.len() != provinces {
            self.stamp = vec![0; provinces];
            self.settled = vec![0; provinces];
            self.best = vec![f64::INFINITY; provinces];
            self.prev = vec![u32::MAX; provinces];
            self.generation = 0;
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.settled.fill(0);
            self.generation = 1;
        }
        self.from = Some(from);
        self.order.clear();
        self.heap.clear();
    }

    fn start(&mut self, provinces: usize, from: ProvinceId) {
        self.reset(provinces, from);
        self.set(from, 0.0, u32::MAX);
        self.heap.push(Node::new(0.0, from));
    }

    fn settle(&mut self, p: ProvinceId, cost: f64) {
        self.settled[p.index()] = self.generation;
        self.order.push((p, cost));
    }

    /// Whether the search has settled `p` (its cost and path are final).
    pub fn settled(&self, p: ProvinceId) -> bool {
        self.settled.get(p.index()) == Some(&self.generation)
    }

    fn set(&mut self, p: ProvinceId, cost: f64, prev: u32) {
        let i = p.index();
        self.stamp[i] = self.generation;
        self.best[i] = cost;
        self.prev[i] = prev;
    }

    /// A lower bound of the cost of every province the search has not settled: the
    /// cheapest entry left to it (infinite when it has nothing left).
    pub fn frontier(&self) -> f64 {
        self.heap.peek().map_or(f64::INFINITY, |n| n.get().0)
    }

    /// For a started reverse tree (see [`RouteGraph::start_to`]): the exact cost from `p`
    /// if it is settled, else [`SearchTree::frontier`] — a lower bound that falls by no more
    /// than a hop's cost, as [`RouteGraph::search_guided`] needs, without growing the tree.
    pub fn bound(&self, p: ProvinceId) -> f64 {
        if self.settled(p) { self.cost(p) } else { self.frontier() }
    }

    /// Cost to reach `p` (infinite if out of reach).
    pub fn cost(&self, p: ProvinceId) -> f64 {
        let i = p.index();
        if self.stamp.get(i) == Some(&self.generation) { self.best[i] } else { f64::INFINITY }
    }

    /// Provinces settled, nearest first (ties by id), with their costs.
    pub fn reached(&self) -> &[(ProvinceId, f64)] {
        &self.order
    }

    /// For a tree from [`RouteGraph::search_to`]: the provinces after `from` on the way
    /// to the target, in order, ending with the target, written to `out` reversed (the
    /// next hop last), as [`Orders::path`](crate::model::army::Orders) keeps them.
    pub fn path_from_into(&self, from: ProvinceId, out: &mut Vec<ProvinceId>) {
        out.clear();
        let Some(root) = self.from else { return };
        if !self.cost(from).is_finite() {
            return;
        }
        let mut cur = from;
        while cur != root {
            cur = ProvinceId(self.prev[cur.index()]);
            out.push(cur);
        }
        out.reverse();
    }

    /// The provinces after the start on the way to `to`, written to `out` reversed (the
    /// next hop last); empty if unreachable.
    pub fn path_to_into(&self, to: ProvinceId, out: &mut Vec<ProvinceId>) {
        out.clear();
        let Some(root) = self.from else { return };
        if !self.cost(to).is_finite() || to == root {
            return;
        }
        out.push(to);
        let mut cur = to;
        while self.prev[cur.index()] != root.0 {
            cur = ProvinceId(self.prev[cur.index()]);
            out.push(cur);
        }
    }
}

/// A heap entry: the cost's bits above the province id, reversed so that the max-heap
/// pops the cheapest first, ties by the lower id. For costs that are not negative, the
/// order of the bits is the order of the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Node(std::cmp::Reverse<u128>);

impl Node {
    fn new(cost: f64, at: ProvinceId) -> Node {
        Node(std::cmp::Reverse((u128::from(cost.to_bits()) << 32) | u128::from(at.0)))
    }

    fn get(self) -> (f64, ProvinceId) {
        let k = self.0.0;
        (f64::from_bits((k >> 32) as u64), ProvinceId(k as u32))
    }
}

/// A guided search's heap entry: the cheapest estimate first; among equal estimates the
/// one farther along (it is on a cheapest path when the estimate is exact), then the lower
/// id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Guided(std::cmp::Reverse<u64>, u64, std::cmp::Reverse<u32>);

impl Guided {
    fn new(estimate: f64, cost: f64, at: ProvinceId) -> Guided {
        Guided(std::cmp::Reverse(estimate.to_bits()), cost.to_bits(), std::cmp::Reverse(at.0))
    }

    fn at(self) -> ProvinceId {
        ProvinceId(self.2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> RouteGraph {
        let w = |a: u32, b: u32, km: f64| Way { a: ProvinceId(a), b: ProvinceId(b), km, kind: RouteKind::Road };
        // 0 - 1 - 2, and a long direct 0 - 2.
        RouteGraph::new(3, &[w(0, 1, 10.0), w(1, 2, 10.0), w(0, 2, 50.0)])
    }

    #[test]
    fn shortest_path_prefers_the_cheaper_detour() {
        let g = line();
        let mut t = SearchTree::default();
        g.search(&mut t, ProvinceId(0), f64::INFINITY, Some(ProvinceId(2)), |_, w, _, _| Some(w.km));
        assert_eq!(t.cost(ProvinceId(2)), 20.0);
        let mut path = Vec::new();
        t.path_to_into(ProvinceId(2), &mut path);
        assert_eq!(path, vec![ProvinceId(2), ProvinceId(1)], "next hop last");
    }

    #[test]
    fn a_search_respects_its_limit_and_passability() {
        let g = line();
        let mut t = SearchTree::default();
        g.search(&mut t, ProvinceId(0), 15.0, None, |_, w, _, _| Some(w.km));
        assert_eq!(t.reached(), &[(ProvinceId(0), 0.0), (ProvinceId(1), 10.0)]);
        g.search(&mut t, ProvinceId(0), 100.0, None, |_, _, _, to| (to != ProvinceId(1)).then_some(1.0));
        assert_eq!(t.reached(), &[(ProvinceId(0), 0.0), (ProvinceId(2), 1.0)]);
        assert_eq!(t.cost(ProvinceId(1)), f64::INFINITY, "a reused tree forgets the last search");
    }

    #[test]
    fn a_guided_search_finds_what_a_full_search_finds() {
        // A 6 x 6 grid with uneven lengths; hops into some provinces cost extra. Guided by
        // the exact costs without the extras, the search must find the full search's cost
        // and path from every province.
        let side = 6u32;
        let mut ways = Vec::new();
        for y in 0..side {
            for x in 0..side {
                let p = y * side + x;
                let km = |k: u32| 10.0 + f64::from((k * 7 + 3) % 11);
                if x + 1 < side {
                    ways.push(Way { a: ProvinceId(p), b: ProvinceId(p + 1), km: km(p), kind: RouteKind::Road });
                }
                if y + 1 < side {
                    ways.push(Way { a: ProvinceId(p), b: ProvinceId(p + side), km: km(p + 5), kind: RouteKind::Road });
                }
            }
        }
        let g = RouteGraph::new((side * side) as usize, &ways);
        let extra = |b: ProvinceId| if [8, 9, 14, 15, 20, 27].contains(&b.0) { 25.0 } else { 0.0 };
        let goal = ProvinceId(side * side - 1);
        let (mut cheap, mut full, mut guided) = (SearchTree::default(), SearchTree::default(), SearchTree::default());
        g.search_to(&mut cheap, goal, |_, w, _, _| Some(w.km));
        g.search_to(&mut full, goal, |_, w, _, b| Some(w.km + extra(b)));
        // The same tree grown only part of the way gives bounds too (the frontier beyond).
        let mut partial = SearchTree::default();
        g.start_to(&mut partial, goal);
        g.grow_to(&mut partial, ProvinceId(14), |_, w, _, _| Some(w.km));
        assert!(!partial.settled(ProvinceId(0)), "the partial tree should stop short");
        let mut a = Vec::new();
        for (from, partly) in (0..side * side).flat_map(|p| [(ProvinceId(p), false), (ProvinceId(p), true)]) {
            let rest = |q: ProvinceId| if partly { partial.bound(q) } else { cheap.cost(q) };
            let c = g.search_guided(&mut guided, from, goal, rest, |_, w, _, b| Some(w.km + extra(b)));
            assert!((c - full.cost(from)).abs() < 1e-9, "from {from:?}: {c} vs {}", full.cost(from));
            guided.path_to_into(goal, &mut a);
            a.reverse();
            let cost_of = |path: &[ProvinceId]| {
                let mut at = from;
                let mut sum = 0.0;
                for &q in path {
                    let r = g.route_between(at, q).unwrap_or_else(|| panic!("no route {at:?} -> {q:?}"));
                    sum += g.way(r).km + extra(q);
                    at = q;
                }
                sum
            };
            assert!((cost_of(&a) - c).abs() < 1e-9, "the guided path costs what it says");
        }
    }

    #[test]
    fn a_reverse_tree_gives_every_province_its_next_hop() {
        let g = line();
        let mut t = SearchTree::default();
        g.search_to(&mut t, ProvinceId(2), |_, w, _, _| Some(w.km));
        let mut path = Vec::new();
        t.path_from_into(ProvinceId(0), &mut path);
        assert_eq!(path, vec![ProvinceId(2), ProvinceId(1)], "next hop last");
    }
}
