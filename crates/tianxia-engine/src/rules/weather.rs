//! Weather: one draw per region and turn from the season's table, unless an event has
//! forced the weather. Also the turn's housekeeping of states that run out by date.

use crate::calendar::Calendar;
use crate::ids::RegionId;
use crate::model::army::{Guided, Routed};
use crate::model::weather::{Regions, Weather};
use crate::record::log::{EventLog, LogKind};
use crate::rng::Rngs;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Draws this turn's weather in every region with a climate.
pub fn draw_weather(
    cal: Res<Calendar>,
    mut regions: ResMut<Regions>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
) {
    let today = cal.date.to_days();
    let season = cal.date.season().index();
    for (i, region) in regions.0.iter_mut().enumerate() {
        let Some(climate) = region.climate else { continue };
        if region.forced_until.is_some_and(|d| today < d) {
            continue;
        }
        region.forced_until = None;
        let x: f64 = rngs.weather.random();
        let row = climate.chances[season];
        let mut acc = 0.0;
        let mut next = Weather::Clear;
        for (w, p) in Weather::ALL.iter().zip(row) {
            acc += p;
            if x < acc {
                next = *w;
                break;
            }
        }
        if next >= Weather::Snow && next != region.weather {
            log.push(&cal, LogKind::Weather { region: RegionId(i as u16), weather: next, forced: false });
        }
        region.weather = next;
    }
}

/// Ends routs and guides whose day has come.
pub fn expire_states(
    cal: Res<Calendar>,
    routed: Query<(Entity, &Routed)>,
    guided: Query<(Entity, &Guided)>,
    mut commands: Commands,
) {
    let today = cal.date.to_days();
    for (e, r) in &routed {
        if today >= r.until {
            commands.entity(e).remove::<Routed>();
        }
    }
    for (e, g) in &guided {
        if today >= g.until {
            commands.entity(e).remove::<Guided>();
        }
    }
}
