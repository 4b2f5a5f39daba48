//! Faction components: a state or power.

use crate::ids::ProvinceId;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// How a host answers foreign troops entering its land without an access agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrespassResponse {
    /// Fight: the host declares war on the trespasser.
    Resist,
    /// Look away.
    Ignore,
    /// The local commander and garrison abandon the province.
    Flee,
    /// Give way and hand over grain and guides.
    Supply,
}

/// A faction's general attitude, used by its AI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Posture {
    /// Seeks battle at fair odds.
    Aggressive,
    /// Attacks only at good odds, prefers to hold.
    Defensive,
}

/// Silver, central grain and men to raise.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Coffers {
    /// Silver (taels).
    pub treasury: f64,
    /// Central grain (shi).
    pub grain: f64,
    /// Men available to raise.
    pub manpower: f64,
}

/// War weariness and the losses it was counted from.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Weariness {
    /// War weariness, 0..1.
    pub weariness: f64,
    /// Men this faction's armies have lost so far, all causes.
    pub losses: f64,
}

/// Men of a faction's broken armies still finding their way home; they return to its
/// manpower day by day.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stragglers {
    /// Men on the way back.
    pub men: f64,
}

/// What a faction is like: cold-adapted or not, and its AI posture.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nature {
    /// Its armies suffer cold far less (steppe peoples).
    pub cold_adapted: bool,
    /// AI posture.
    pub posture: Posture,
}

/// Which undefended places a faction's armies sack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sack {
    /// None (unless an event orders it).
    #[default]
    Never,
    /// Places of factions it is at war with, and foreign places it has just taken.
    Hostile,
    /// Those, and undefended places of neutrals whose land it crosses.
    Foreign,
}

/// How a faction answers trespassers and requests for passage, and what its armies sack.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Answer to trespassers when no local commander decides otherwise.
    pub trespass: TrespassResponse,
    /// Chance of granting a request for military access.
    pub grant_access_chance: f64,
    /// What its armies sack.
    pub sack: Sack,
}

/// What fronts off the map cost a faction each year.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Drain {
    /// Men per year.
    pub men: f64,
    /// Grain per year (shi).
    pub grain: f64,
}

/// A faction's capital.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Capital(pub Option<ProvinceId>);
