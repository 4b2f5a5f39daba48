//! Province components: a prefecture, city, fortress or pass, a node of the route graph.

use crate::ids::{CommanderId, FactionId};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

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

/// Where a province is and what its ground is.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Ground.
    pub terrain: Terrain,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// The regions a province belongs to and the weather zone it takes its weather from.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// Region tags (indices into [`Regions`](crate::model::weather::Regions)).
    pub regions: Vec<u16>,
    /// The first region with a climate (else the first region, else `u16::MAX`).
    pub zone: u16,
}

impl Zone {
    /// Whether the province carries region tag `region`.
    pub fn contains(&self, region: u16) -> bool {
        self.regions.contains(&region)
    }
}

/// Who owns a province and who holds it.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Control {
    /// De jure owner.
    pub owner: FactionId,
    /// De facto controller.
    pub controller: FactionId,
    /// Day number it last changed hands in this run (`None`: held since the start).
    pub taken: Option<i64>,
}

/// Walls and the men on them.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Walls {
    /// Fortification level 0..=5.
    pub fort: u8,
    /// Men defending the walls.
    pub garrison: f64,
    /// The garrison the walls are kept to: the scenario's, refilled from the
    /// controller's manpower over time.
    pub establishment: f64,
}

/// The local commander, who answers trespassers.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Governor(pub Option<CommanderId>);

/// Grain in store and the harvest that fills it.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Granary {
    /// Grain stock (shi).
    pub grain: f64,
    /// Yearly harvest (shi).
    pub harvest: f64,
    /// Month the harvest comes in (1..=12).
    pub harvest_month: u8,
}

/// What a sack left behind: a share of the next harvest lost, and the day before which
/// the place has nothing left worth sacking.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ravage {
    /// Share of the next harvest lost (0..1).
    pub harvest_loss: f64,
    /// Day number before which it cannot be sacked again.
    pub until: i64,
    /// Times it has been sacked this run.
    pub sacks: u32,
}

impl Default for Ravage {
    fn default() -> Self {
        Ravage { harvest_loss: 0.0, until: i64::MIN, sacks: 0 }
    }
}

/// Marker: its people went short of bread at the last economy phase (more than
/// `starving_share` of their need unmet).
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Famine;

/// People.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Population(pub f64);

/// A siege of the province, if one is under way.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Siege {
    /// The faction besieging it.
    pub besieger: Option<FactionId>,
    /// Days the current siege has lasted.
    pub days: f64,
}

impl Siege {
    /// Ends the siege.
    pub fn lift(&mut self) {
        self.besieger = None;
        self.days = 0.0;
    }
}
