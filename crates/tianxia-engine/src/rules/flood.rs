//! River floods: in its region's wet season a river crossing or river route can flood,
//! and is closed for `flood_days` days. The chance is `flood_chance_per_day` for each day
//! of the turn (so it does not depend on the turn length); the region is that of the
//! route's first end (its weather zone). Movement, supply and path-finding see the flood
//! only through the route's state: the route index closes it, and opens it again when
//! the flood has passed.

use crate::calendar::{Calendar, days_after};
use crate::ids::RouteId;
use crate::model::index::Index;
use crate::model::province::Zone;
use crate::model::route::{RouteState, Way};
use crate::model::weather::Regions;
use crate::params::Params;
use crate::record::log::{EventLog, LogKind};
use crate::rng::Rngs;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Weather phase: floods water routes of regions in their wet season.
#[allow(clippy::too_many_arguments)]
pub fn flood_rivers(
    cal: Res<Calendar>,
    params: Res<Params>,
    regions: Res<Regions>,
    index: Res<Index>,
    zones: Query<&Zone>,
    mut routes: Query<(&RouteId, &Way, &mut RouteState)>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
    mut candidates: Local<Vec<(RouteId, Entity)>>,
) {
    let p = &*params;
    let season = cal.date.season().index();
    if p.flood_chance_per_day <= 0.0 || !regions.0.iter().any(|r| r.climate.is_some_and(|c| c.wet[season])) {
        return;
    }
    let today = cal.date.to_days();
    let chance = 1.0 - (1.0 - p.flood_chance_per_day.min(1.0)).powf(cal.days());
    let wet = |way: &Way| {
        index
            .provinces
            .get(way.a.index())
            .and_then(|pe| zones.get(*pe).ok())
            .and_then(|z| regions.0.get(usize::from(z.zone)))
            .and_then(|r| r.climate)
            .is_some_and(|c| c.wet[season])
    };
    // The routes that can flood now, by id: every draw comes in the same order whatever
    // the storage order.
    candidates.clear();
    for (id, way, state) in &routes {
        if way.kind.on_water() && state.closed_until.is_none_or(|d| d <= today) && wet(way) {
            candidates.push((*id, index.routes[id.index()]));
        }
    }
    candidates.sort_unstable_by_key(|c| c.0);
    for &(id, e) in candidates.iter() {
        if rngs.weather.random::<f64>() >= chance {
            continue;
        }
        let Ok((_, _, mut state)) = routes.get_mut(e) else { continue };
        let until = days_after(today, p.flood_days.max(1.0));
        state.closed_until = Some(until);
        log.push(&cal, LogKind::Flooded { route: id, until: crate::calendar::Date::from_days(until) });
    }
}
