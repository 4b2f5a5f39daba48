//! River floods: in its region's wet season a river crossing or river route can flood,
//! and is closed for `flood_days` days. The chance is `flood_chance_per_day` for each day
//! of the turn (so it does not depend on the turn length); the region is that of the
//! route's first end (its weather zone). Movement, supply and path-finding see the flood
//! only through the route's state: the route index closes it, and opens it again when
//! the flood has passed.

use crate::calendar::Calendar;
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
    mut order: Local<Vec<(RouteId, Entity)>>,
) {
    let p = &*params;
    if p.flood_chance_per_day <= 0.0 {
        return;
    }
    let today = cal.date.to_days();
    let season = cal.date.season().index();
    let chance = 1.0 - (1.0 - p.flood_chance_per_day.min(1.0)).powf(cal.days());
    // Routes by id: every draw comes in the same order whatever the storage order.
    order.clear();
    order.extend(index.routes.iter().enumerate().map(|(i, e)| (RouteId(i as u32), *e)));
    for &(id, e) in order.iter() {
        let Ok((_, way, mut state)) = routes.get_mut(e) else { continue };
        if !way.kind.on_water() || state.closed_until.is_some_and(|d| d > today) {
            continue;
        }
        let wet = index
            .provinces
            .get(way.a.index())
            .and_then(|pe| zones.get(*pe).ok())
            .and_then(|z| regions.0.get(usize::from(z.zone)))
            .and_then(|r| r.climate)
            .is_some_and(|c| c.wet[season]);
        if !wet || rngs.weather.random::<f64>() >= chance {
            continue;
        }
        let until = today + p.flood_days.round().max(1.0) as i64;
        state.closed_until = Some(until);
        log.push(&cal, LogKind::Flooded { route: id, until: crate::calendar::Date::from_days(until) });
    }
}
