//! What a run records for conditions and outcomes ([`Metrics`]), and the evaluation of
//! conditions, quantities and outcomes over the world (shared by event triggers and the
//! end of a run).

use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::{Allegiance, Besieging, Dissolved, Ledger, Position, Strength};
use crate::model::diplomacy::{Diplomacy, Relation};
use crate::model::faction::Coffers;
use crate::model::index::Index;
use crate::model::province::{Control, Walls, Zone};
use crate::model::script::{Condition, OutcomeRule, OutcomeSpec, OutcomeValue, Quantity};
use crate::model::weather::Regions;
use bevy_ecs::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

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

impl Metrics {
    /// Forgets everything, keeping the buffers where it can.
    pub fn clear(&mut self) {
        self.flags.clear();
        self.counters.clear();
        self.battles.clear();
        self.ended = None;
    }
}

/// Read access to one army's components (present and not dissolved).
fn army<T: Component>(world: &World, id: ArmyId) -> Option<&T> {
    let e = *world.resource::<Index>().armies.get(id.index())?;
    if world.get::<Dissolved>(e).is_some() {
        return None;
    }
    world.get::<T>(e)
}

/// Read access to one army's components, dissolved or not.
fn army_any<T: Component>(world: &World, id: ArmyId) -> Option<&T> {
    let e = *world.resource::<Index>().armies.get(id.index())?;
    world.get::<T>(e)
}

fn province<T: Component>(world: &World, id: ProvinceId) -> Option<&T> {
    let e = *world.resource::<Index>().provinces.get(id.index())?;
    world.get::<T>(e)
}

fn faction<T: Component>(world: &World, id: FactionId) -> Option<&T> {
    let e = *world.resource::<Index>().factions.get(id.index())?;
    world.get::<T>(e)
}

fn in_region(world: &World, p: ProvinceId, region: Option<u16>) -> bool {
    region.is_none_or(|r| province::<Zone>(world, p).is_some_and(|z| z.contains(r)))
}

impl Quantity {
    /// Its value in `world`.
    pub fn eval(&self, world: &World) -> f64 {
        let index = world.resource::<Index>();
        match self {
            Quantity::Value(v) => *v,
            Quantity::ArmyMen(a) => army::<Strength>(world, *a).map_or(0.0, Strength::men),
            Quantity::ArmyMenShare(a) => match (army::<Strength>(world, *a), army::<Ledger>(world, *a)) {
                (Some(s), Some(l)) if l.committed > 0.0 => s.men() / l.committed,
                _ => 0.0,
            },
            Quantity::FactionMen { faction, garrisons } => {
                let mut field = 0.0;
                for e in &index.armies {
                    let Ok(x) = world.get_entity(*e) else { continue };
                    if x.contains::<Dissolved>() {
                        continue;
                    }
                    if let (Some(al), Some(s)) = (x.get::<Allegiance>(), x.get::<Strength>())
                        && al.0 == *faction
                    {
                        field += s.men();
                    }
                }
                let mut walls = 0.0;
                if *garrisons {
                    for e in &index.provinces {
                        if let (Some(c), Some(w)) = (world.get::<Control>(*e), world.get::<Walls>(*e))
                            && c.controller == *faction
                        {
                            walls += w.garrison;
                        }
                    }
                }
                field + walls
            }
            Quantity::FieldLossShare(f) => {
                let (mut lost, mut committed) = (0.0, 0.0);
                for e in &index.armies {
                    if let (Some(al), Some(l)) = (world.get::<Allegiance>(*e), world.get::<Ledger>(*e))
                        && al.0 == *f
                    {
                        lost += l.lost;
                        committed += l.committed;
                    }
                }
                if committed > 0.0 { lost / committed } else { 0.0 }
            }
            Quantity::Controlled { faction, region } => (0..index.provinces.len())
                .map(|i| ProvinceId(i as u32))
                .filter(|p| {
                    province::<Control>(world, *p).is_some_and(|c| c.controller == *faction)
                        && in_region(world, *p, *region)
                })
                .count() as f64,
            Quantity::Lost { faction, region } => (0..index.provinces.len())
                .map(|i| ProvinceId(i as u32))
                .filter(|p| {
                    province::<Control>(world, *p).is_some_and(|c| c.owner == *faction && c.controller != *faction)
                        && in_region(world, *p, *region)
                })
                .count() as f64,
            Quantity::Counter(name) => world.resource::<Metrics>().counters.get(name).copied().unwrap_or(0.0),
            Quantity::Treasury(f) => faction::<Coffers>(world, *f).map_or(0.0, |c| c.treasury),
            Quantity::Grain(f) => faction::<Coffers>(world, *f).map_or(0.0, |c| c.grain),
            Quantity::Garrison(p) => province::<Walls>(world, *p).map_or(0.0, |w| w.garrison),
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
                army::<Position>(world, *a).is_some_and(|pos| pos.0.province() == Some(*p))
            }
            Condition::ArmyInRegion { army: a, region, controller } => {
                army::<Position>(world, *a).and_then(|pos| pos.0.province()).is_some_and(|p| {
                    province::<Zone>(world, p).is_some_and(|z| z.contains(*region))
                        && controller.is_none_or(|c| province::<Control>(world, p).is_some_and(|x| x.controller == c))
                })
            }
            Condition::ArmyAlive(a) => army::<Strength>(world, *a).is_some(),
            Condition::ArmyRouted(a) => army_any::<Ledger>(world, *a).is_some_and(|l| l.routs > 0),
            Condition::ArmyDestroyed(a) => army_any::<Dissolved>(world, *a).is_some(),
            Condition::ArmyBesieging(a) => army::<Besieging>(world, *a).is_some(),
            Condition::Controller { province: p, faction } => {
                province::<Control>(world, *p).is_some_and(|c| c.controller == *faction)
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

impl OutcomeSpec {
    /// The outcome's value in `world`.
    pub fn eval(&self, world: &World) -> OutcomeValue {
        let names = world.resource::<crate::record::NameTable>();
        let key = |f: FactionId| names.0.factions.get(f.index()).map_or_else(|| "none".to_string(), |n| n.key.clone());
        match &self.rule {
            OutcomeRule::Bool(c) => OutcomeValue::Bool(c.eval(world)),
            OutcomeRule::Number(q) => OutcomeValue::Number(q.eval(world)),
            OutcomeRule::Controller(p) => OutcomeValue::Category(
                province::<Control>(world, *p).map_or_else(|| "none".to_string(), |c| key(c.controller)),
            ),
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
