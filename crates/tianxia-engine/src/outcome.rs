//! Conditions and quantities over the world (shared by event triggers and outcomes),
//! the run's metrics, and outcome evaluation.

use crate::diplomacy::{Diplomacy, Relation};
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::{Army, Faction, Province};
use crate::weather::{Regions, Weather};
use bevy_ecs::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Entity lookups by stable id.
#[derive(Resource, Clone, Debug, Default)]
pub struct Index {
    /// Faction entities by [`FactionId`].
    pub factions: Vec<Entity>,
    /// Province entities by [`ProvinceId`].
    pub provinces: Vec<Entity>,
    /// Army entities by [`ArmyId`].
    pub armies: Vec<Entity>,
    /// Commander entities by [`CommanderId`](crate::ids::CommanderId).
    pub commanders: Vec<Entity>,
}

/// One battle, as remembered for outcomes.
#[derive(Clone, Debug)]
pub struct BattleRecord {
    /// Factions on the winning side, the named winner (most men) first.
    pub winners: Vec<FactionId>,
    /// Factions on the losing side.
    pub losers: Vec<FactionId>,
    /// Men engaged, both sides.
    pub men: f64,
}

/// What a run has recorded for conditions and outcomes: flags, counters, battles.
#[derive(Resource, Clone, Debug, Default)]
pub struct Metrics {
    /// Flags set by events and answers.
    pub flags: BTreeSet<String>,
    /// Named counters set by events.
    pub counters: BTreeMap<String, f64>,
    /// Every battle fought.
    pub battles: Vec<BattleRecord>,
    /// Why the run ended early, if it did.
    pub ended: Option<String>,
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
    fn holds(self, a: f64, b: f64) -> bool {
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
    /// The army is besieging something.
    ArmyBesieging(ArmyId),
    /// The province is controlled by the faction.
    Controller { province: ProvinceId, faction: FactionId },
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

fn army(world: &World, id: ArmyId) -> Option<&Army> {
    let e = *world.resource::<Index>().armies.get(id.index())?;
    world.get::<Army>(e)
}

fn province(world: &World, id: ProvinceId) -> Option<&Province> {
    let e = *world.resource::<Index>().provinces.get(id.index())?;
    world.get::<Province>(e)
}

fn faction(world: &World, id: FactionId) -> Option<&Faction> {
    let e = *world.resource::<Index>().factions.get(id.index())?;
    world.get::<Faction>(e)
}

fn all<'w, T: Component>(world: &'w World, entities: &[Entity]) -> impl Iterator<Item = &'w T> {
    entities.iter().filter_map(move |e| world.get::<T>(*e))
}

impl Quantity {
    /// Its value in `world`.
    pub fn eval(&self, world: &World) -> f64 {
        let index = world.resource::<Index>();
        match self {
            Quantity::Value(v) => *v,
            Quantity::ArmyMen(a) => army(world, *a).filter(|a| !a.destroyed).map_or(0.0, Army::men),
            Quantity::ArmyMenShare(a) => {
                army(world, *a).filter(|a| !a.destroyed && a.committed > 0.0).map_or(0.0, |a| a.men() / a.committed)
            }
            Quantity::FactionMen { faction, garrisons } => {
                let field: f64 = all::<Army>(world, &index.armies)
                    .filter(|a| a.faction == *faction && !a.destroyed)
                    .map(Army::men)
                    .sum();
                let walls: f64 = if *garrisons {
                    all::<Province>(world, &index.provinces)
                        .filter(|p| p.controller == *faction)
                        .map(|p| p.garrison)
                        .sum()
                } else {
                    0.0
                };
                field + walls
            }
            Quantity::FieldLossShare(f) => {
                let (lost, committed) = all::<Army>(world, &index.armies)
                    .filter(|a| a.faction == *f)
                    .fold((0.0, 0.0), |(l, c), a| (l + a.lost, c + a.committed));
                if committed > 0.0 { lost / committed } else { 0.0 }
            }
            Quantity::Controlled { faction, region } => all::<Province>(world, &index.provinces)
                .filter(|p| p.controller == *faction && region.is_none_or(|r| p.in_region(r)))
                .count() as f64,
            Quantity::Lost { faction, region } => all::<Province>(world, &index.provinces)
                .filter(|p| p.owner == *faction && p.controller != *faction && region.is_none_or(|r| p.in_region(r)))
                .count() as f64,
            Quantity::Counter(name) => world.resource::<Metrics>().counters.get(name).copied().unwrap_or(0.0),
            Quantity::Treasury(f) => faction(world, *f).map_or(0.0, |f| f.treasury),
            Quantity::Grain(f) => faction(world, *f).map_or(0.0, |f| f.grain),
            Quantity::Garrison(p) => province(world, *p).map_or(0.0, |p| p.garrison),
        }
    }
}

impl Condition {
    /// Whether it holds in `world`.
    pub fn eval(&self, world: &World) -> bool {
        match self {
            Condition::True => true,
            Condition::Flag(f) => world.resource::<Metrics>().flags.contains(f),
            Condition::ArmyAt { army: a, province: p } => {
                army(world, *a).is_some_and(|a| !a.destroyed && a.location.province() == Some(*p))
            }
            Condition::ArmyInRegion { army: a, region, controller } => army(world, *a)
                .filter(|a| !a.destroyed)
                .and_then(|a| a.location.province())
                .and_then(|p| province(world, p))
                .is_some_and(|p| p.in_region(*region) && controller.is_none_or(|c| p.controller == c)),
            Condition::ArmyAlive(a) => army(world, *a).is_some_and(|a| !a.destroyed),
            Condition::ArmyRouted(a) => army(world, *a).is_some_and(|a| a.routs > 0),
            Condition::ArmyBesieging(a) => army(world, *a).is_some_and(|a| a.besieging.is_some()),
            Condition::Controller { province: p, faction } => {
                province(world, *p).is_some_and(|p| p.controller == *faction)
            }
            Condition::Relation { a, b, relation } => {
                let r = world.resource::<Diplomacy>().relation(*a, *b);
                match (relation, r) {
                    (Relation::Truce { .. }, Relation::Truce { .. }) => true,
                    _ => r == *relation,
                }
            }
            Condition::Access { grantor, grantee } => {
                world.resource::<Diplomacy>().access.iter().any(|x| x.grantor == *grantor && x.grantee == *grantee)
            }
            Condition::Weather { region, weather } => {
                world.resource::<Regions>().0.get(*region as usize).is_some_and(|r| r.weather == *weather)
            }
            Condition::Compare { quantity, cmp, value } => cmp.holds(quantity.eval(world), *value),
            Condition::All(cs) => cs.iter().all(|c| c.eval(world)),
            Condition::Any(cs) => cs.iter().any(|c| c.eval(world)),
            Condition::Not(c) => !c.eval(world),
        }
    }
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
    /// `side_a` and one of `side_b` (by men engaged); `none` if there was none.
    LargestBattleWinner { side_a: Vec<FactionId>, side_b: Vec<FactionId> },
    /// The label of the first case whose condition holds, else `default`.
    Cases { cases: Vec<(Condition, String)>, default: String },
}

/// An outcome declared by the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeSpec {
    /// Outcome id (a column of runs.csv).
    pub key: String,
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

impl OutcomeSpec {
    /// The outcome's value in `world`.
    pub fn eval(&self, world: &World) -> OutcomeValue {
        let key = |f: FactionId| faction(world, f).map_or_else(|| "none".to_string(), |f| f.key.clone());
        match &self.rule {
            OutcomeRule::Bool(c) => OutcomeValue::Bool(c.eval(world)),
            OutcomeRule::Number(q) => OutcomeValue::Number(q.eval(world)),
            OutcomeRule::Controller(p) => {
                OutcomeValue::Category(province(world, *p).map_or_else(|| "none".to_string(), |p| key(p.controller)))
            }
            OutcomeRule::LargestBattleWinner { side_a, side_b } => {
                let touches = |fs: &[FactionId], set: &[FactionId]| fs.iter().any(|f| set.contains(f));
                let best = world
                    .resource::<Metrics>()
                    .battles
                    .iter()
                    .filter(|b| {
                        (touches(&b.winners, side_a) && touches(&b.losers, side_b))
                            || (touches(&b.winners, side_b) && touches(&b.losers, side_a))
                    })
                    .fold(None::<&BattleRecord>, |best, b| match best {
                        Some(x) if x.men >= b.men => Some(x),
                        _ => Some(b),
                    });
                OutcomeValue::Category(
                    best.and_then(|b| b.winners.first()).map_or_else(|| "none".to_string(), |f| key(*f)),
                )
            }
            OutcomeRule::Cases { cases, default } => OutcomeValue::Category(
                cases.iter().find(|(c, _)| c.eval(world)).map_or_else(|| default.clone(), |(_, l)| l.clone()),
            ),
        }
    }
}

/// The outcomes declared by the scenario, evaluated at the end of the run.
#[derive(Resource, Clone, Debug, Default)]
pub struct Outcomes(pub Vec<OutcomeSpec>);
