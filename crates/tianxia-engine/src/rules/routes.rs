//! Route state: which routes are open. The topology index's open bits are recomputed
//! when the season turns or a route's state changes, and at no other time.

use crate::calendar::Calendar;
use crate::ids::RouteId;
use crate::model::route::{Closures, RouteGraph, RouteState};
use bevy_ecs::prelude::*;

/// Recomputes the open bits of the route index if the season turned or a route's state
/// changed (or a closure has run out).
pub fn refresh_routes(
    cal: Res<Calendar>,
    mut graph: ResMut<RouteGraph>,
    routes: Query<(&RouteId, &Closures, &RouteState)>,
    changed: Query<(), Changed<RouteState>>,
) {
    let today = cal.date.to_days();
    let season = cal.date.season();
    if graph.season() == Some(season) && changed.is_empty() && graph.reopens().is_none_or(|d| today < d) {
        return;
    }
    let mut reopens: Option<i64> = None;
    for (id, closures, state) in &routes {
        graph.set_open(*id, !closures.0[season.index()] && state.passable(today));
        if let Some(d) = state.closed_until.filter(|d| *d > today) {
            reopens = Some(reopens.map_or(d, |r| r.min(d)));
        }
    }
    graph.set_season(season);
    graph.set_reopens(reopens);
}
