//! Route state: which routes are open. The topology index's open bits are recomputed
//! when the season turns or a route's state changes, and at no other time.

use crate::calendar::Calendar;
use crate::ids::RouteId;
use crate::model::route::{Closures, RouteGraph, RouteState};
use bevy_ecs::prelude::*;

/// Recomputes the open bits of the route index if the season turned or a route's state
/// changed (or a closure ran out today).
pub fn refresh_routes(
    cal: Res<Calendar>,
    mut graph: ResMut<RouteGraph>,
    routes: Query<(&RouteId, &Closures, &RouteState)>,
    changed: Query<(), Changed<RouteState>>,
) {
    let today = cal.date.to_days();
    let season = cal.date.season();
    let expired = || routes.iter().any(|(_, _, s)| s.closed_until == Some(today));
    if graph.season() == Some(season) && changed.is_empty() && !expired() {
        return;
    }
    for (id, closures, state) in &routes {
        graph.set_open(*id, !closures.0[season.index()] && state.passable(today));
    }
    graph.set_season(season);
}
