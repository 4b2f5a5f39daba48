//! The province graph: terrain, routes, and path-finding over them.
//!
//! The topology is fixed for a run, so it lives in one resource ([`RouteGraph`]) as flat
//! arrays; what changes (control, grain, garrisons) lives on the province entities.

use crate::calendar::Season;
use crate::ids::{ProvinceId, RouteId};
use crate::params::Params;
use bevy_ecs::prelude::Resource;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The ground of a province, for combat and foraging.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Terrain {
    /// Open plain: cavalry at full power.
    Plain,
    /// Hills.
    Hills,
    /// Mountains.
    Mountains,
    /// A pass: the strongest defensive ground.
    Pass,
    /// River land (crossings, flood plains).
    River,
    /// Marsh.
    Marsh,
}

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
}

/// A graph edge between two provinces.
#[derive(Clone, Debug)]
pub struct Route {
    /// Its id.
    pub id: RouteId,
    /// One end.
    pub a: ProvinceId,
    /// The other end.
    pub b: ProvinceId,
    /// Length in km.
    pub km: f64,
    /// The kind of way.
    pub kind: RouteKind,
    /// Seasons in which the route is closed, indexed by [`Season::index`].
    pub closed: [bool; 4],
}

impl Route {
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

    /// Whether the route can be used in `season`.
    pub fn open_in(&self, season: Season) -> bool {
        !self.closed[season.index()]
    }
}

/// The static graph: routes and, per province, its incident routes sorted by route id.
#[derive(Resource, Clone, Debug)]
pub struct RouteGraph {
    /// All routes, indexed by [`RouteId`].
    pub routes: Vec<Route>,
    /// For each province, `(route, neighbour)` pairs.
    pub adjacency: Vec<Vec<(RouteId, ProvinceId)>>,
}

impl RouteGraph {
    /// Builds the adjacency lists.
    pub fn new(province_count: usize, routes: Vec<Route>) -> RouteGraph {
        let mut adjacency = vec![Vec::new(); province_count];
        for r in &routes {
            adjacency[r.a.index()].push((r.id, r.b));
            adjacency[r.b.index()].push((r.id, r.a));
        }
        RouteGraph { routes, adjacency }
    }

    /// The route.
    pub fn route(&self, id: RouteId) -> &Route {
        &self.routes[id.index()]
    }

    /// The neighbours of `p`.
    pub fn neighbours(&self, p: ProvinceId) -> &[(RouteId, ProvinceId)] {
        &self.adjacency[p.index()]
    }

    /// The shortest open route from `a` to its neighbour `b`, if any.
    pub fn route_between(&self, a: ProvinceId, b: ProvinceId, season: Season) -> Option<RouteId> {
        self.neighbours(a)
            .iter()
            .filter(|(r, n)| *n == b && self.route(*r).open_in(season))
            .min_by(|x, y| self.route(x.0).km.total_cmp(&self.route(y.0).km).then(x.0.cmp(&y.0)))
            .map(|(r, _)| *r)
    }

    /// Cheapest path from `from` to `to` under `cost(route, from, to)` (`None` = impassable).
    /// Returns the cost and the provinces after `from`, in order, ending with `to`.
    pub fn shortest_path(
        &self,
        from: ProvinceId,
        to: ProvinceId,
        cost: impl FnMut(&Route, ProvinceId, ProvinceId) -> Option<f64>,
    ) -> Option<(f64, Vec<ProvinceId>)> {
        let tree = self.run(from, f64::INFINITY, Some(to), cost);
        tree.cost(to).is_finite().then(|| (tree.cost(to), tree.path_to(to)))
    }

    /// Every province reachable from `from` within `limit` under `cost`, with its cost,
    /// nearest first (ties by id). `from` itself comes first at cost 0.
    pub fn within(
        &self,
        from: ProvinceId,
        limit: f64,
        cost: impl FnMut(&Route, ProvinceId, ProvinceId) -> Option<f64>,
    ) -> Vec<(ProvinceId, f64)> {
        self.search(from, limit, cost).order
    }

    /// A Dijkstra search from `from`, out to `limit`: costs, predecessors and the order
    /// provinces were settled in.
    pub fn search(
        &self,
        from: ProvinceId,
        limit: f64,
        cost: impl FnMut(&Route, ProvinceId, ProvinceId) -> Option<f64>,
    ) -> SearchTree {
        self.run(from, limit, None, cost)
    }

    /// Dijkstra from `from` out to `limit`, stopping early once `stop` is settled.
    fn run(
        &self,
        from: ProvinceId,
        limit: f64,
        stop: Option<ProvinceId>,
        mut cost: impl FnMut(&Route, ProvinceId, ProvinceId) -> Option<f64>,
    ) -> SearchTree {
        let n = self.adjacency.len();
        let mut best = vec![f64::INFINITY; n];
        let mut prev = vec![u32::MAX; n];
        let mut order = Vec::with_capacity(n);
        let mut heap = BinaryHeap::with_capacity(n);
        best[from.index()] = 0.0;
        heap.push(Node { cost: 0.0, at: from });
        while let Some(Node { cost: d, at }) = heap.pop() {
            if d > best[at.index()] {
                continue;
            }
            order.push((at, d));
            if stop == Some(at) {
                break;
            }
            for &(rid, next) in self.neighbours(at) {
                let Some(c) = cost(self.route(rid), at, next) else { continue };
                let nd = d + c;
                if nd <= limit && nd < best[next.index()] {
                    best[next.index()] = nd;
                    prev[next.index()] = at.0;
                    heap.push(Node { cost: nd, at: next });
                }
            }
        }
        SearchTree { from, best, prev, order }
    }
}

impl RouteGraph {
    /// A reverse Dijkstra search towards `to`: for every province, the cost of the
    /// cheapest way to `to` under `cost(route, from, to)` and the next hop on it. One
    /// such search serves every army heading for the same place.
    pub fn search_to(
        &self,
        to: ProvinceId,
        mut cost: impl FnMut(&Route, ProvinceId, ProvinceId) -> Option<f64>,
    ) -> SearchTree {
        // Searching backwards: relaxing (next -> at) with the forward cost of that hop.
        self.search(to, f64::INFINITY, |r, at, next| cost(r, next, at))
    }
}

/// The result of [`RouteGraph::search`].
#[derive(Clone, Debug)]
pub struct SearchTree {
    from: ProvinceId,
    best: Vec<f64>,
    prev: Vec<u32>,
    order: Vec<(ProvinceId, f64)>,
}

impl SearchTree {
    /// Cost to reach `p` (infinite if out of reach).
    pub fn cost(&self, p: ProvinceId) -> f64 {
        self.best[p.index()]
    }

    /// Provinces reached, nearest first, with their costs.
    pub fn reached(&self) -> impl Iterator<Item = (ProvinceId, f64)> + '_ {
        self.order.iter().copied()
    }

    /// For a tree from [`RouteGraph::search_to`]: the provinces after `from` on the way
    /// to the target, in order, ending with the target (empty if unreachable or there).
    pub fn path_from(&self, from: ProvinceId) -> Vec<ProvinceId> {
        if !self.best[from.index()].is_finite() {
            return Vec::new();
        }
        let mut path = Vec::new();
        let mut cur = from;
        while cur != self.from {
            cur = ProvinceId(self.prev[cur.index()]);
            path.push(cur);
        }
        path
    }

    /// The provinces after the start on the way to `to`, in order (empty if unreachable).
    pub fn path_to(&self, to: ProvinceId) -> Vec<ProvinceId> {
        if !self.best[to.index()].is_finite() || to == self.from {
            return Vec::new();
        }
        let mut path = vec![to];
        let mut cur = to;
        while self.prev[cur.index()] != self.from.0 {
            cur = ProvinceId(self.prev[cur.index()]);
            path.push(cur);
        }
        path.reverse();
        path
    }
}

#[derive(PartialEq)]
struct Node {
    cost: f64,
    at: ProvinceId,
}

impl Eq for Node {}

impl Ord for Node {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on cost, ties broken by province id for determinism.
        other.cost.total_cmp(&self.cost).then_with(|| other.at.cmp(&self.at))
    }
}

impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> RouteGraph {
        let r = |i: u32, a: u32, b: u32, km: f64| Route {
            id: RouteId(i),
            a: ProvinceId(a),
            b: ProvinceId(b),
            km,
            kind: RouteKind::Road,
            closed: [false; 4],
        };
        // 0 - 1 - 2, and a long direct 0 - 2.
        RouteGraph::new(3, vec![r(0, 0, 1, 10.0), r(1, 1, 2, 10.0), r(2, 0, 2, 50.0)])
    }

    #[test]
    fn shortest_path_prefers_the_cheaper_detour() {
        let g = line();
        let (cost, path) = g.shortest_path(ProvinceId(0), ProvinceId(2), |r, _, _| Some(r.km)).unwrap_or_default();
        assert_eq!(cost, 20.0);
        assert_eq!(path, vec![ProvinceId(1), ProvinceId(2)]);
    }

    #[test]
    fn within_respects_the_limit_and_passability() {
        let g = line();
        let near = g.within(ProvinceId(0), 15.0, |r, _, _| Some(r.km));
        assert_eq!(near, vec![(ProvinceId(0), 0.0), (ProvinceId(1), 10.0)]);
        let blocked = g.within(ProvinceId(0), 100.0, |_, _, to| (to != ProvinceId(1)).then_some(1.0));
        assert_eq!(blocked, vec![(ProvinceId(0), 0.0), (ProvinceId(2), 1.0)]);
    }
}
