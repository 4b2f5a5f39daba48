//! Regions and their weather.

use bevy_ecs::prelude::*;
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

/// A region's climate: the weather it draws from, by season.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Climate {
    /// Per season (spring, summer, autumn, winter), the chances of clear, rain, snow,
    /// blizzard for a turn.
    pub chances: [[f64; 4]; 4],
    /// The seasons in which the region's rivers can flood (see the flooding rule).
    pub wet: [bool; 4],
}

/// A named region: a tag for outcomes and, with a climate, a weather zone.
#[derive(Clone, Debug)]
pub struct Region {
    /// Weather chances, if this region is a weather zone.
    pub climate: Option<Climate>,
    /// Current weather.
    pub weather: Weather,
    /// Day number until which the weather is forced by an event.
    pub forced_until: Option<i64>,
}

/// All regions, indexed by the `u16` in [`Province::regions`](crate::model::province::Zone).
#[derive(Resource, Clone, Debug, Default)]
pub struct Regions(pub Vec<Region>);

impl Regions {
    /// The weather of region `zone` (clear if there is no such region).
    pub fn weather(&self, zone: u16) -> Weather {
        self.0.get(usize::from(zone)).map_or(Weather::Clear, |r| r.weather)
    }

    /// How many of the `days` from day `today` on the weather of region `zone` holds:
    /// all of them, unless an event forced it until a day before their end.
    pub fn weather_days(&self, zone: u16, today: i64, days: f64) -> f64 {
        match self.0.get(usize::from(zone)).and_then(|r| r.forced_until) {
            Some(until) => days.min((until - today).max(0) as f64),
            None => days,
        }
    }
}
