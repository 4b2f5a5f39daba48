//! What a scenario scripts: AI objectives, events with their triggers and effects, the
//! conditions and quantities they read, and the outcomes measured at the end. Plain
//! data; the rules that act on it are in [`rules`](crate::rules) and
//! [`record`](crate::record).

use crate::calendar::Date;
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId};
use crate::model::army::{OrdersSpec, Stance};
use crate::model::commander::Fate;
use crate::model::diplomacy::{Access, AccessRequest, Relation, Tribute};
use crate::model::faction::{Sack, TrespassResponse};
use crate::model::weather::Weather;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What an AI objective asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ObjectiveKind {
    /// Take the province.
    Capture(ProvinceId),
    /// Hold the province, meeting enemies that come near.
    Defend(ProvinceId),
    /// Catch and fight the army.
    Intercept(ArmyId),
    /// Take whatever enemy land in the region is nearest.
    Raid(u16),
    /// Get to the province.
    Reach(ProvinceId),
}

impl ObjectiveKind {
    /// Whether the ids it names are below these counts of provinces, armies and regions.
    pub fn ids_in(&self, provinces: usize, armies: usize, regions: usize) -> bool {
        match self {
            ObjectiveKind::Capture(p) | ObjectiveKind::Defend(p) | ObjectiveKind::Reach(p) => p.index() < provinces,
            ObjectiveKind::Intercept(a) => a.index() < armies,
            ObjectiveKind::Raid(r) => usize::from(*r) < regions,
        }
    }
}

/// An AI objective of a faction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// Whose.
    pub faction: FactionId,
    /// What.
    pub kind: ObjectiveKind,
    /// Higher first.
    pub priority: f64,
    /// Armies that pursue it (empty: all of the faction's AI armies).
    pub armies: Vec<ArmyId>,
}

/// The objectives of all factions.
#[derive(Resource, Clone, Debug, Default)]
pub struct Objectives(pub Vec<Objective>);

/// What an event does.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Put an army (declared with `in_field: false`) into the field.
    SpawnArmy(ArmyId),
    /// Add men and horses to an army.
    Reinforce { army: ArmyId, cavalry: f64, infantry: f64, siege: f64, horses: f64 },
    /// Change an army's morale and cohesion (each kept in 0..1) and the grain it carries
    /// (not below 0) by these amounts.
    AdjustArmy { army: ArmyId, morale: f64, cohesion: f64, food: f64 },
    /// Force the weather of a region for some days.
    SetWeather { region: u16, weather: Weather, days: f64 },
    /// Set the relation of two factions (a truce lasts `truce_days`).
    SetRelation { a: FactionId, b: FactionId, relation: Relation, truce_days: f64 },
    /// An envoy asks for passage; the host answers in the diplomacy phase.
    RequestAccess(AccessRequest),
    /// Grant access outright, for `days` if given.
    GrantAccess { access: Access, days: Option<f64> },
    /// End access from `grantor` to `grantee`.
    RevokeAccess { grantor: FactionId, grantee: FactionId },
    /// A commander dies or is removed.
    KillCommander { commander: CommanderId, cause: String },
    /// A commander takes over an army, replacing `replace` if given.
    Appoint { army: ArmyId, commander: CommanderId, replace: Option<CommanderId> },
    /// Change a parameter.
    SetParam { name: String, value: f64 },
    /// Set a flag.
    SetFlag(String),
    /// Clear a flag.
    ClearFlag(String),
    /// Set a counter to a quantity's current value.
    SetCounter { name: String, value: Quantity },
    /// Add to a counter.
    AddCounter { name: String, value: f64 },
    /// Replace an army's orders.
    SetOrders { army: ArmyId, orders: OrdersSpec },
    /// Change how an army meets an enemy it could outrun.
    SetStance { army: ArmyId, stance: Stance },
    /// An army loses `share` of the grain it carries (its baggage); army `to`, if given,
    /// takes what it can carry of it.
    LoseBaggage { army: ArmyId, share: f64, to: Option<ArmyId> },
    /// Change a faction's answers to trespass and to requests for passage.
    SetPolicy {
        faction: FactionId,
        trespass: Option<TrespassResponse>,
        grant_access_chance: Option<f64>,
        sack: Option<Sack>,
    },
    /// An army sacks the place it stands in, if it is foreign and undefended (whatever
    /// its faction's policy).
    Sack { army: ArmyId },
    /// Hand a province to a faction.
    SetController { province: ProvinceId, faction: FactionId },
    /// Start, change or (with zero silver and silk) end a tribute.
    SetTribute(Tribute),
    /// Add an AI objective.
    AddObjective(Objective),
    /// Drop all of a faction's AI objectives.
    ClearObjectives(FactionId),
    /// Drop a faction's AI objectives of one kind and target (whatever their priority
    /// and armies).
    DropObjectives { faction: FactionId, kind: ObjectiveKind },
    /// Add (or, negative, take) silver, grain and manpower.
    AdjustFaction { faction: FactionId, treasury: f64, grain: f64, manpower: f64 },
    /// End the run.
    EndRun(String),
}

/// A scripted event.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptedEvent {
    /// Id.
    pub key: String,
    /// Chronicle text.
    pub text: String,
    /// Earliest day it can fire.
    pub from: Option<Date>,
    /// Last day it can fire.
    pub until: Option<Date>,
    /// Conditions that must hold.
    pub when: Condition,
    /// The chance it fires: over its whole window (`from` to `until`, both days counted)
    /// if it has both ends and `per_day` is false, else per day of eligibility. A turn
    /// rolls once, for the days of the window it covers, so the chance does not depend on
    /// the length of a turn.
    pub chance: f64,
    /// Whether `chance` is per day even though the window has both ends.
    pub per_day: bool,
    /// Fires every eligible turn, not just once.
    pub repeat: bool,
    /// What it does.
    pub effects: Vec<Effect>,
}

impl ScriptedEvent {
    /// The chance that it fires in a turn from day `first` to day `last` (day numbers,
    /// both counted), given that it is eligible: its daily hazard over the days of the turn
    /// inside its window.
    pub fn chance_in(&self, first: i64, last: i64) -> f64 {
        if self.chance >= 1.0 {
            return 1.0;
        }
        let (from, until) = (self.from.map(|d| d.to_days()), self.until.map(|d| d.to_days()));
        let days = (until.unwrap_or(last).min(last) - from.unwrap_or(first).max(first) + 1).max(0) as f64;
        let stay = (1.0 - self.chance).clamp(0.0, 1.0);
        let exponent = match (from, until) {
            (Some(a), Some(b)) if !self.per_day => days / (b - a + 1).max(1) as f64,
            _ => days,
        };
        1.0 - stay.powf(exponent)
    }
}

/// The scenario's events, in declaration order, shared by every run of a scenario,
/// and which of them have fired in this run.
#[derive(Resource, Clone, Debug, Default)]
pub struct Events {
    /// The events.
    pub list: Arc<Vec<ScriptedEvent>>,
    /// Whether each has fired.
    pub fired: Vec<bool>,
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// Whether `a cmp b`.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }
}

/// A number read off the world.
#[derive(Clone, Debug, PartialEq)]
pub enum Quantity {
    /// A constant.
    Value(f64),
    /// Men in an army (0 if destroyed).
    ArmyMen(ArmyId),
    /// Men in an army as a share of the men committed to it.
    ArmyMenShare(ArmyId),
    /// Men in all armies of a faction, plus garrisons if asked.
    FactionMen { faction: FactionId, garrisons: bool },
    /// Men lost by a faction's armies over men committed to them.
    FieldLossShare(FactionId),
    /// Provinces a faction controls (in a region, if given).
    Controlled { faction: FactionId, region: Option<u16> },
    /// Provinces owned by a faction that another faction controls (in a region, if given).
    Lost { faction: FactionId, region: Option<u16> },
    /// A counter set by events (0 if never set).
    Counter(String),
    /// A faction's treasury.
    Treasury(FactionId),
    /// A faction's central grain.
    Grain(FactionId),
    /// A province's garrison.
    Garrison(ProvinceId),
    /// The current year (of the turn's first day; at the end, of the day after the last turn).
    Year,
}

/// A test on the world.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// Always true.
    True,
    /// A flag is set.
    Flag(String),
    /// The army stands in the province.
    ArmyAt { army: ArmyId, province: ProvinceId },
    /// The army stands in a province of the region (controlled by `controller`, if given).
    ArmyInRegion { army: ArmyId, region: u16, controller: Option<FactionId> },
    /// The army is not destroyed.
    ArmyAlive(ArmyId),
    /// The army has routed at least once.
    ArmyRouted(ArmyId),
    /// The army took the field and has since dissolved (destroyed or broken up).
    ArmyDestroyed(ArmyId),
    /// The army is besieging something.
    ArmyBesieging(ArmyId),
    /// The commander was killed, or captured, or escaped when his army broke up.
    CommanderFate { commander: CommanderId, fate: Fate },
    /// The province is controlled by the faction.
    Controller { province: ProvinceId, faction: FactionId },
    /// The province has been sacked at least once in this run.
    Sacked(ProvinceId),
    /// The two factions have fought: a battle, an assault, or a place of one that resisted
    /// an army of the other on its way.
    Fought { a: FactionId, b: FactionId },
    /// Two factions stand in this relation (truce of any term matches `Truce`).
    Relation { a: FactionId, b: FactionId, relation: Relation },
    /// An access agreement from `grantor` to `grantee` is in force.
    Access { grantor: FactionId, grantee: FactionId },
    /// The weather in a region.
    Weather { region: u16, weather: Weather },
    /// A comparison of a quantity with a number.
    Compare { quantity: Quantity, cmp: Cmp, value: f64 },
    /// All of these.
    All(Vec<Condition>),
    /// Any of these.
    Any(Vec<Condition>),
    /// Not this.
    Not(Box<Condition>),
}

/// How an outcome is measured at the end of a run.
#[derive(Clone, Debug, PartialEq)]
pub enum OutcomeRule {
    /// True or false.
    Bool(Condition),
    /// A number.
    Number(Quantity),
    /// The controller of a province (its faction id is the label).
    Controller(ProvinceId),
    /// The faction leading the winning side of the largest battle between a faction of
    /// `side_a` and one of `side_b` (by men engaged), fought at `at` if given; `none` if
    /// there was none.
    LargestBattleWinner { side_a: Vec<FactionId>, side_b: Vec<FactionId>, at: Option<ProvinceId> },
    /// The day of that battle, in days after `from` (0 if there was none).
    LargestBattleDay { side_a: Vec<FactionId>, side_b: Vec<FactionId>, at: Option<ProvinceId>, from: Date },
    /// The label of the first case whose condition holds, else `default`.
    Cases { cases: Vec<(Condition, String)>, default: String },
}

/// An outcome declared by the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeSpec {
    /// Outcome id (a column of runs.csv).
    pub key: String,
    /// What it measures, in the scenario's words.
    pub description: String,
    /// How it is measured.
    pub rule: OutcomeRule,
}

/// The value of an outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OutcomeValue {
    /// Bool outcome.
    Bool(bool),
    /// Number outcome.
    Number(f64),
    /// Category outcome.
    Category(String),
}

/// The outcomes declared by the scenario, evaluated at the end of the run.
#[derive(Resource, Clone, Debug, Default)]
pub struct Outcomes(pub Arc<Vec<OutcomeSpec>>);
