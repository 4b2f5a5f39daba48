//! Regions and their weather: one draw per region and turn from the season's table, unless
//! an event has forced the weather.

use crate::calendar::Calendar;
use crate::log::{EventLog, LogKind};
use crate::rng::Rngs;
use bevy_ecs::prelude::*;
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// The weather of a region for a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weather {
    /// Fair.
    Clear,
    /// Rain and mud.
    Rain,
    /// Snow and hard cold.
    Snow,
    /// A snowstorm: cold, no movement to speak of, weapons iced.
    Blizzard,
}

impl Weather {
    /// All kinds, in table order.
    pub const ALL: [Weather; 4] = [Weather::Clear, Weather::Rain, Weather::Snow, Weather::Blizzard];
}

/// Per season (spring, summer, autumn, winter), the chances of clear, rain, snow, blizzard.
pub type Climate = [[f64; 4]; 4];

/// A named region: a tag for outcomes and, with a climate, a weather zone.
#[derive(Clone, Debug)]
pub struct Region {
    /// Scenario id (`henan`).
    pub key: String,
    /// Weather chances, if this region is a weather zone.
    pub climate: Option<Climate>,
    /// Current weather.
    pub weather: Weather,
    /// Day number until which the weather is forced by an event.
    pub forced_until: Option<i64>,
}

/// All regions, indexed by the `u16` in [`Province::regions`](crate::model::Province).
#[derive(Resource, Clone, Debug, Default)]
pub struct Regions(pub Vec<Region>);

/// Draws this turn's weather in every region with a climate.
pub fn draw_weather(
    cal: Res<Calendar>,
    mut regions: ResMut<Regions>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
) {
    let today = cal.date.to_days();
    let season = cal.date.season().index();
    for region in regions.0.iter_mut() {
        let Some(climate) = region.climate else { continue };
        if region.forced_until.is_some_and(|d| today < d) {
            continue;
        }
        region.forced_until = None;
        let x: f64 = rngs.weather.random();
        let row = climate[season];
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
            log.push(&cal, LogKind::Weather { region: region.key.clone(), weather: next, forced: false });
        }
        region.weather = next;
    }
}
