//! Components of the world: factions, provinces, armies and commanders.

use crate::calendar::Date;
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId, RouteId};
use crate::map::Terrain;
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

/// A state or power.
#[derive(Component, Clone, Debug)]
pub struct Faction {
    /// Stable id.
    pub id: FactionId,
    /// Scenario id (`jin`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// Map colour (`#rrggbb`).
    pub colour: String,
    /// Capital province.
    pub capital: Option<ProvinceId>,
    /// Silver (taels).
    pub treasury: f64,
    /// Central grain (shi).
    pub grain: f64,
    /// Men available to raise.
    pub manpower: f64,
    /// War weariness, 0..1.
    pub weariness: f64,
    /// Armies of this faction suffer cold far less (steppe peoples).
    pub cold_adapted: bool,
    /// AI posture.
    pub posture: Posture,
    /// Answer to trespassers when no local commander decides otherwise.
    pub trespass_policy: TrespassResponse,
    /// Chance of granting a request for military access.
    pub grant_access_chance: f64,
    /// Men lost per year to fronts outside the map (e.g. Muqali's war in the north).
    pub drain_men: f64,
    /// Grain lost per year to fronts outside the map.
    pub drain_grain: f64,
    /// Men this faction has lost so far, all causes.
    pub losses: f64,
}

/// A prefecture, city, fortress or pass: a node of the route graph.
#[derive(Component, Clone, Debug)]
pub struct Province {
    /// Stable id.
    pub id: ProvinceId,
    /// Scenario id (`kaifeng`).
    pub key: String,
    /// Display name (pinyin).
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Ground.
    pub terrain: Terrain,
    /// Fortification level 0..=5.
    pub fort: u8,
    /// People.
    pub population: f64,
    /// Grain stock (shi).
    pub grain: f64,
    /// Yearly harvest (shi).
    pub harvest: f64,
    /// Month the harvest comes in (1..=12).
    pub harvest_month: u8,
    /// De jure owner.
    pub owner: FactionId,
    /// De facto controller.
    pub controller: FactionId,
    /// Region tags (indices into [`Regions`](crate::weather::Regions)); the first with a
    /// climate sets the weather here.
    pub regions: Vec<u16>,
    /// Weather zone: index into the region list.
    pub zone: u16,
    /// Men defending the walls.
    pub garrison: f64,
    /// The local commander, who answers trespassers.
    pub governor: Option<CommanderId>,
    /// The faction besieging it, if any.
    pub besieger: Option<FactionId>,
    /// Days the current siege has lasted.
    pub siege_days: f64,
}

impl Province {
    /// Whether the province carries region tag `region`.
    pub fn in_region(&self, region: u16) -> bool {
        self.regions.contains(&region)
    }
}

/// Where an army is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// In a province.
    At(ProvinceId),
    /// On a route, `done` km out of `from` towards `to`.
    OnRoute {
        /// The route.
        route: RouteId,
        /// Where it left.
        from: ProvinceId,
        /// Where it is going.
        to: ProvinceId,
        /// Km covered.
        done: f64,
    },
}

impl Location {
    /// The province the army stands in, if it is not on a route.
    pub fn province(self) -> Option<ProvinceId> {
        match self {
            Location::At(p) => Some(p),
            Location::OnRoute { .. } => None,
        }
    }

    /// The nearer end of the route, or the province it is in.
    pub fn nearest(self, route_km: impl Fn(RouteId) -> f64) -> ProvinceId {
        match self {
            Location::At(p) => p,
            Location::OnRoute { route, from, to, done } => {
                if done * 2.0 < route_km(route) {
                    from
                } else {
                    to
                }
            }
        }
    }
}

/// A field army.
#[derive(Component, Clone, Debug)]
pub struct Army {
    /// Stable id.
    pub id: ArmyId,
    /// Scenario id (`tolui_right_wing`).
    pub key: String,
    /// Display name.
    pub name: String,
    /// Who it serves.
    pub faction: FactionId,
    /// Commanders; the most skilled living one leads.
    pub commanders: Vec<CommanderId>,
    /// Where it is.
    pub location: Location,
    /// Horsemen.
    pub cavalry: f64,
    /// Footmen.
    pub infantry: f64,
    /// Men of the siege train.
    pub siege: f64,
    /// Horses (cavalry without horses fight on foot).
    pub horses: f64,
    /// Training and equipment, 1 = ordinary.
    pub quality: f64,
    /// 0..1.
    pub morale: f64,
    /// Order in the ranks, 0..1.
    pub cohesion: f64,
    /// 0..1.
    pub fatigue: f64,
    /// Grain carried (shi).
    pub food: f64,
    /// Men it started with plus every man added since.
    pub committed: f64,
    /// The strength reinforcements fill it back up to.
    pub establishment: f64,
    /// Men lost, all causes.
    pub lost: f64,
    /// Routs suffered.
    pub routs: u32,
    /// Day number until which it is routed and cannot fight back.
    pub routed_until: Option<i64>,
    /// Day number until which it has local guides.
    pub guides_until: Option<i64>,
    /// Was short of food at the last supply phase.
    pub starving: bool,
    /// Disbanded or destroyed.
    pub destroyed: bool,
    /// The province it is besieging.
    pub besieging: Option<ProvinceId>,
}

impl Army {
    /// Men of all arms.
    pub fn men(&self) -> f64 {
        self.cavalry + self.infantry + self.siege
    }

    /// Whether it takes part in the turn (not destroyed).
    pub fn active(&self) -> bool {
        !self.destroyed
    }

    /// Whether it is routed on day `day`.
    pub fn routed(&self, day: i64) -> bool {
        self.routed_until.is_some_and(|d| day < d)
    }

    /// Removes `fraction` of every arm, recording the loss; returns men lost.
    pub fn lose(&mut self, fraction: f64) -> f64 {
        let f = fraction.clamp(0.0, 1.0);
        let before = self.men();
        self.cavalry *= 1.0 - f;
        self.infantry *= 1.0 - f;
        self.siege *= 1.0 - f;
        self.horses *= 1.0 - f;
        let lost = before - self.men();
        self.lost += lost;
        lost
    }
}

/// A commander's traits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trait {
    /// Waits for better odds.
    Cautious,
    /// Attacks at worse odds.
    Reckless,
    /// Likely to flee before trespassers or superior enemies.
    Coward,
    /// Supply losses halved.
    Logistician,
    /// Cold attrition as if cold-adapted.
    ColdVeteran,
    /// Resists trespassers whatever the policy.
    Zealous,
}

/// A commander.
#[derive(Component, Clone, Debug)]
pub struct Commander {
    /// Stable id.
    pub id: CommanderId,
    /// Scenario id.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Faction served.
    pub faction: FactionId,
    /// Skill 0..1 (0.5 ordinary).
    pub skill: f64,
    /// Traits.
    pub traits: Vec<Trait>,
    /// Rivals: sharing a side with one costs power.
    pub rivals: Vec<CommanderId>,
    /// Still alive and in service.
    pub alive: bool,
    /// Died or dismissed on this date.
    pub lost_on: Option<Date>,
}

impl Commander {
    /// Whether the commander has trait `t`.
    pub fn has(&self, t: Trait) -> bool {
        self.traits.contains(&t)
    }
}
