//! The input of the engine: a world described in plain Rust data, every reference already
//! resolved to a stable id. The scenario crate builds one from RON; tests build them by hand.

use crate::calendar::Date;
use crate::ids::{CommanderId, FactionId, ProvinceId};
pub use crate::model::army::OrdersSpec;
use crate::model::army::Stance;
use crate::model::commander::Trait;
use crate::model::diplomacy::{Access, Relation, Tribute};
use crate::model::faction::{Posture, Sack, TrespassResponse};
use crate::model::province::Terrain;
use crate::model::route::RouteKind;
use crate::model::script::{Objective, OutcomeSpec, ScriptedEvent};
use crate::model::weather::Climate;
use crate::params::Params;
use std::sync::Arc;

/// A whole world, ready to build.
#[derive(Clone, Debug)]
pub struct WorldSpec {
    /// First day.
    pub start: Date,
    /// Last day: the run ends when a turn would start after it.
    pub end: Date,
    /// Days per turn.
    pub turn_days: u32,
    /// The parameter table.
    pub params: Params,
    /// Regions (index = region number).
    pub regions: Vec<RegionSpec>,
    /// Factions (index = [`FactionId`]).
    pub factions: Vec<FactionSpec>,
    /// Provinces (index = [`ProvinceId`]).
    pub provinces: Vec<ProvinceSpec>,
    /// Routes (index = [`RouteId`](crate::ids::RouteId)).
    pub routes: Vec<RouteSpec>,
    /// Commanders (index = [`CommanderId`]).
    pub commanders: Vec<CommanderSpec>,
    /// Armies in the field at the start, then armies that events spawn (index = [`ArmyId`](crate::ids::ArmyId)).
    pub armies: Vec<ArmySpec>,
    /// Relations other than peace at the start.
    pub relations: Vec<(FactionId, FactionId, Relation)>,
    /// Tribute treaties in force.
    pub tributes: Vec<Tribute>,
    /// Access agreements in force.
    pub access: Vec<Access>,
    /// AI objectives.
    pub objectives: Vec<Objective>,
    /// Scripted events (shared between the runs of a scenario).
    pub events: Arc<Vec<ScriptedEvent>>,
    /// Outcomes to evaluate at the end (shared between the runs of a scenario).
    pub outcomes: Arc<Vec<OutcomeSpec>>,
    /// Flags set at the start.
    pub flags: Vec<String>,
}

/// A region: an outcome tag and, with a climate, a weather zone.
#[derive(Clone, Debug)]
pub struct RegionSpec {
    /// Id.
    pub key: String,
    /// Weather chances per season, if this region is a weather zone.
    pub climate: Option<Climate>,
}

/// A faction at the start.
#[derive(Clone, Debug)]
pub struct FactionSpec {
    /// Id.
    pub key: String,
    /// Display name.
    pub name: String,
    /// Colour.
    pub colour: String,
    /// Capital.
    pub capital: Option<ProvinceId>,
    /// Silver (taels).
    pub treasury: f64,
    /// Central grain (shi).
    pub grain: f64,
    /// Men available to raise.
    pub manpower: f64,
    /// Suffers cold far less.
    pub cold_adapted: bool,
    /// AI posture.
    pub posture: Posture,
    /// Default answer to trespassers.
    pub trespass_policy: TrespassResponse,
    /// Chance of granting passage when asked.
    pub grant_access_chance: f64,
    /// What its armies sack.
    pub sack: Sack,
    /// Men lost per year to fronts off the map.
    pub drain_men: f64,
    /// Grain lost per year to fronts off the map.
    pub drain_grain: f64,
}

/// A province at the start.
#[derive(Clone, Debug)]
pub struct ProvinceSpec {
    /// Id.
    pub key: String,
    /// Pinyin name.
    pub name: String,
    /// Chinese name.
    pub name_zh: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Ground.
    pub terrain: Terrain,
    /// Fortification 0..=5.
    pub fort: u8,
    /// People.
    pub population: f64,
    /// Grain stock (shi).
    pub grain: f64,
    /// Yearly harvest (shi).
    pub harvest: f64,
    /// Harvest month.
    pub harvest_month: u8,
    /// De jure owner.
    pub owner: FactionId,
    /// De facto controller.
    pub controller: FactionId,
    /// Region numbers.
    pub regions: Vec<u16>,
    /// Garrison men.
    pub garrison: f64,
    /// Local commander.
    pub governor: Option<CommanderId>,
}

/// A route.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    /// One end.
    pub a: ProvinceId,
    /// Other end.
    pub b: ProvinceId,
    /// Km.
    pub km: f64,
    /// Kind.
    pub kind: RouteKind,
    /// Closed in these seasons (spring, summer, autumn, winter).
    pub closed: [bool; 4],
}

/// A commander.
#[derive(Clone, Debug)]
pub struct CommanderSpec {
    /// Id.
    pub key: String,
    /// Name.
    pub name: String,
    /// Faction.
    pub faction: FactionId,
    /// Skill 0..1.
    pub skill: f64,
    /// Traits.
    pub traits: Vec<Trait>,
    /// Rivals.
    pub rivals: Vec<CommanderId>,
}

/// An army.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmySpec {
    /// Id.
    pub key: String,
    /// Name.
    pub name: String,
    /// Faction.
    pub faction: FactionId,
    /// Commanders.
    pub commanders: Vec<CommanderId>,
    /// Where it starts.
    pub location: ProvinceId,
    /// Horsemen.
    pub cavalry: f64,
    /// Footmen.
    pub infantry: f64,
    /// Siege train men.
    pub siege: f64,
    /// Horses (at least one per horseman is usual; steppe armies bring remounts).
    pub horses: f64,
    /// Quality (1 = ordinary).
    pub quality: f64,
    /// Morale 0..1.
    pub morale: f64,
    /// Food carried, in days of rations and fodder.
    pub food_days: f64,
    /// Orders.
    pub orders: OrdersSpec,
    /// How it meets an enemy it could outrun.
    pub stance: Stance,
    /// Whether it is in the field at the start (false: an event spawns it).
    pub in_field: bool,
}
