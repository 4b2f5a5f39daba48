//! Army components: one thing each, so a system's query says exactly what it reads.
//!
//! An army entity carries [`ArmyId`](crate::ids::ArmyId), [`Allegiance`], [`Commanders`],
//! [`Leadership`] (derived from the commanders), [`Position`], [`Strength`], [`Quality`],
//! [`Spirit`], [`Fatigue`], [`Supplies`], [`Hunger`], [`Exposure`], [`Ledger`],
//! [`Wastage`], [`Stance`] and [`Orders`]; its states are marker components: [`Routed`], [`Guided`],
//! [`Besieging`], [`Starving`] and, once it is gone, [`Dissolved`].

use crate::calendar::Date;
use crate::ids::{CommanderId, FactionId, ProvinceId, RouteId};
use crate::model::commander::Trait;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// The faction an army or commander serves.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allegiance(pub FactionId);

/// An army's commanders; the most skilled living one leads.
#[derive(Component, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Commanders(pub Vec<CommanderId>);

/// What an army's commanders bring it: the best skill, their traits, and whether two of
/// them are rivals.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Leadership {
    /// The best skill among them, if any.
    pub best: Option<f64>,
    /// Their traits, one bit per [`Trait`].
    pub traits: u32,
    /// Whether two of them are rivals.
    pub rivalry: bool,
}

impl Leadership {
    /// Whether any of the commanders has trait `t`.
    pub fn has(&self, t: Trait) -> bool {
        self.traits & (1 << (t as u32)) != 0
    }

    /// Whether two of the commanders are rivals.
    pub fn rivalry(&self) -> bool {
        self.rivalry
    }

    /// Command factor: the best commander's skill, less the rivalry penalty when two
    /// rivals share the command.
    pub fn command_factor(&self, p: &crate::params::Params) -> f64 {
        let skill = self.best.unwrap_or(0.5);
        (1.0 + p.command_weight * (skill - 0.5)) * if self.rivalry { 1.0 - p.rivalry_penalty } else { 1.0 }
    }
}

/// Where an army is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
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

/// Where an army is, as a component.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position(pub Location);

/// Men by arm, and horses.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Strength {
    /// Horsemen.
    pub cavalry: f64,
    /// Footmen.
    pub infantry: f64,
    /// Men of the siege train.
    pub siege: f64,
    /// Horses (cavalry without horses fight on foot).
    pub horses: f64,
}

impl Strength {
    /// Men of all arms.
    pub fn men(&self) -> f64 {
        self.cavalry + self.infantry + self.siege
    }

    /// Horsemen who have a horse.
    pub fn mounted(&self) -> f64 {
        self.cavalry.min(self.horses)
    }

    /// Removes `fraction` of every arm and of the horses; returns the men lost (the
    /// caller books them in the [`Ledger`]).
    pub fn lose(&mut self, fraction: f64) -> f64 {
        let f = fraction.clamp(0.0, 1.0);
        let before = self.men();
        self.cavalry *= 1.0 - f;
        self.infantry *= 1.0 - f;
        self.siege *= 1.0 - f;
        self.horses *= 1.0 - f;
        before - self.men()
    }
}

/// Training and equipment, 1 = ordinary.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quality(pub f64);

/// Morale and cohesion (order in the ranks), each 0..1.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spirit {
    /// Will to fight, 0..1.
    pub morale: f64,
    /// Order in the ranks, 0..1.
    pub cohesion: f64,
}

/// Weariness from marching, 0..1.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fatigue(pub f64);

/// Grain an army carries (shi), and the train that carries it.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Supplies {
    /// Grain carried (shi).
    pub food: f64,
    /// What is left of its baggage train (carts and pack animals), 0..1: it carries at
    /// most this share of `carry_days` of its needs.
    pub train: f64,
}

impl Default for Supplies {
    fn default() -> Supplies {
        Supplies { food: 0.0, train: 1.0 }
    }
}

/// How long an army has gone hungry: days unfed, each weighed by the share of its need
/// that went unmet (back to 0 once it is fully fed).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hunger {
    /// Days unfed.
    pub days: f64,
}

/// Cold stress of an army in the field, 0..1: it rises with each day of snow or blizzard
/// without shelter and falls with each day out of the cold.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exposure(pub f64);

/// What an army has been given and has lost.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// Men it started with plus every man added since.
    pub committed: f64,
    /// The strength reinforcements fill it back up to.
    pub establishment: f64,
    /// Men lost, all causes.
    pub lost: f64,
    /// Routs suffered.
    pub routs: u32,
}

/// Men an army has lost away from battle since the start of the month, by cause (for the
/// chronicle's monthly line; the [`Ledger`] counts every loss).
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Wastage {
    /// To hunger.
    pub hunger: f64,
    /// To cold and snow.
    pub cold: f64,
    /// To disease.
    pub disease: f64,
    /// To rough mountain ways (falls, exhaustion).
    pub rough: f64,
}

/// How an army meets an enemy it could outrun.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// Decides by the odds: it refuses battle when they are poor and it is the faster,
    /// and a mostly mounted army harasses the enemy it refuses.
    #[default]
    Auto,
    /// Always gives battle.
    Stand,
    /// Refuses battle whenever it can.
    Evade,
    /// Refuses battle whenever it can, harasses enemy columns within reach and, under
    /// the AI, shadows the nearest enemy army in sight.
    Harass,
}

/// Marker: routed until this day number, and cannot fight back.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Routed {
    /// Day number the rout ends.
    pub until: i64,
}

/// Marker: has local guides until this day number.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Guided {
    /// Day number the guides leave.
    pub until: i64,
}

/// Marker: sits before the walls of this province.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Besieging(pub ProvinceId);

/// Marker: was short of food at the last supply phase.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Starving;

/// Marker: disbanded or destroyed; out of every rule's query.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dissolved {
    /// When.
    pub on: Date,
}

/// One waypoint of a scripted plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Where to go.
    pub to: ProvinceId,
    /// Do not set out before this day.
    pub not_before: Option<Date>,
    /// Once there, stay until this day.
    pub hold_until: Option<Date>,
    /// Once there, besiege it until taken.
    pub besiege: bool,
}

/// What an army does, as written in a spec.
#[derive(Clone, Debug, PartialEq)]
pub enum OrdersSpec {
    /// Stay put.
    Hold,
    /// Follow the faction's objectives.
    Ai,
    /// Follow these steps, then the AI.
    Script(Vec<Step>),
}

/// How an army is directed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Mode {
    /// Stay put.
    Hold,
    /// Pursue the faction's objectives.
    Ai,
    /// Follow waypoints; `next` is the current one.
    Script {
        /// The plan.
        steps: Vec<Step>,
        /// Index of the current step.
        next: usize,
    },
}

/// An army's orders and current plan.
#[derive(Component, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Orders {
    /// How it is directed.
    pub mode: Mode,
    /// Provinces still to pass, the next one last.
    pub path: Vec<ProvinceId>,
    /// Where it is going.
    pub goal: Option<ProvinceId>,
    /// Whether to besiege the goal on arrival.
    pub besiege: bool,
    /// Whether arrival at the goal is worth a chronicle line (scripted waypoints).
    pub announce: bool,
}

impl Orders {
    /// Orders from their spec.
    pub fn from_spec(spec: &OrdersSpec) -> Orders {
        let mode = match spec {
            OrdersSpec::Hold => Mode::Hold,
            OrdersSpec::Ai => Mode::Ai,
            OrdersSpec::Script(steps) => Mode::Script { steps: steps.clone(), next: 0 },
        };
        Orders { mode, path: Vec::new(), goal: None, besiege: false, announce: false }
    }

    /// Drops the current plan.
    pub fn stop(&mut self) {
        self.path.clear();
        self.goal = None;
        self.besiege = false;
    }
}
