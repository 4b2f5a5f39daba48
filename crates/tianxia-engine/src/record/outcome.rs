//! What a run records for conditions and outcomes ([`Metrics`]), and the evaluation of
//! conditions, quantities and outcomes over the world (shared by event triggers and the
//! end of a run).

use crate::calendar::Calendar;
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::{Allegiance, Besieging, Dissolved, Ledger, Position, Strength};
use crate::model::commander::{Escaped, Fallen, Fate};
use crate::model::diplomacy::{Diplomacy, Relation};
use crate::model::faction::Coffers;
use crate::model::index::Index;
use crate::model::province::{Control, Ravage, Walls, Zone};
use crate::model::script::{Condition, OutcomeRule, OutcomeSpec, OutcomeValue, Quantity};
use crate::model::weather::Regions;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One battle, as remembered for outcomes.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BattleRecord {
    /// Factions on the winning side, the named winner (most men) first.
    pub winners: Vec<FactionId>,
    /// Factions on the losing side.
    pub losers: Vec<FactionId>,
    /// Men engaged, both sides.
    pub men: f64,
    /// The day it was fought (the first day of its turn), as a day number.
    pub day: i64,
    /// Where it was fought.
    pub province: ProvinceId,
}

/// What a run has recorded for conditions and outcomes: flags, counters, battles.
#[derive(Resource, Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Metrics {
    /// Flags set by events and answers.
    pub flags: BTreeSet<String>,
    /// Named counters set by events.
    pub counters: BTreeMap<String, f64>,
    /// Every battle fought.
    pub battles: Vec<BattleRecord>,
    /// Pairs of factions (lower id first) that have fought: a battle, an assault, or a
    /// place that resisted an army's passage.
    pub clashes: BTreeSet<(FactionId, FactionId)>,
    /// Why the run ended early, if it did.
    pub ended: Option<String>,
}

impl Metrics {
    /// Forgets everything, keeping the buffers where it can.
    pub fn clear(&mut self) {
        self.flags.clear();
        self.counters.clear();
        self.battles.clear();
        self.clashes.clear();
        self.ended = None;
    }

    /// Records that factions `a` and `b` fought.
    pub fn clash(&mut self, a: FactionId, b: FactionId) {
        if a != b {
            self.clashes.insert((a.min(b), a.max(b)));
        }
    }

    /// The largest recorded battle (most men engaged; ties: the earliest) between a
    /// faction of `side_a` and one of `side_b`, either way round, fought at `at` if given.
    pub fn largest_battle(
        &self,
        side_a: &[FactionId],
        side_b: &[FactionId],
        at: Option<ProvinceId>,
    ) -> Option<&BattleRecord> {
        let touches = |fs: &[FactionId], set: &[FactionId]| fs.iter().any(|f| set.contains(f));
        self.battles
            .iter()
            .filter(|b| at.is_none_or(|q| b.province == q))
            .filter(|b| {
                (touches(&b.winners, side_a) && touches(&b.losers, side_b))
                    || (touches(&b.winners, side_b) && touches(&b.losers, side_a))
            })
            .fold(None::<&BattleRecord>, |best, b| match best {
                Some(x) if x.men >= b.men => Some(x),
                _ => Some(b),
            })
    }
}

/// The world as conditions and quantities read it, with the resources they look at
/// fetched once (a resource lookup costs as much as a component's).
pub struct Facts<'w> {
    world: &'w World,
    index: &'w Index,
    metrics: &'w Metrics,
    diplomacy: &'w Diplomacy,
    regions: &'w Regions,
}

impl<'w> Facts<'w> {
    /// The facts of `world`.
    pub fn of(world: &'w World) -> Facts<'w> {
        Facts {
            world,
            index: world.resource::<Index>(),
            metrics: world.resource::<Metrics>(),
            diplomacy: world.resource::<Diplomacy>(),
            regions: world.resource::<Regions>(),
        }
    }

    /// Read access to one army's components (present and not dissolved).
    fn army<T: Component>(&self, id: ArmyId) -> Option<&'w T> {
        let e = *self.index.armies.get(id.index())?;
        let x = self.world.get_entity(e).ok()?;
        if x.contains::<Dissolved>() {
            return None;
        }
        x.get::<T>()
    }

    /// Read access to one army's components, dissolved or not.
    fn army_any<T: Component>(&self, id: ArmyId) -> Option<&'w T> {
        let e = *self.index.armies.get(id.index())?;
        self.world.get::<T>(e)
    }

    fn province<T: Component>(&self, id: ProvinceId) -> Option<&'w T> {
        let e = *self.index.provinces.get(id.index())?;
        self.world.get::<T>(e)
    }

    fn faction<T: Component>(&self, id: FactionId) -> Option<&'w T> {
        let e = *self.index.factions.get(id.index())?;
        self.world.get::<T>(e)
    }

    fn in_region(&self, p: ProvinceId, region: Option<u16>) -> bool {
        region.is_none_or(|r| self.province::<Zone>(p).is_some_and(|z| z.contains(r)))
    }
}

impl Quantity {
    /// Its value in `world`.
    pub fn eval(&self, world: &World) -> f64 {
        self.value(&Facts::of(world))
    }

    /// Its value in the world `facts` read.
    pub fn value(&self, facts: &Facts) -> f64 {
        let (world, index) = (facts.world, facts.index);
        match self {
            Quantity::Value(v) => *v,
            Quantity::ArmyMen(a) => facts.army::<Strength>(*a).map_or(0.0, Strength::men),
            Quantity::ArmyMenShare(a) => match (facts.army::<Strength>(*a), facts.army::<Ledger>(*a)) {
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
                    facts.province::<Control>(*p).is_some_and(|c| c.controller == *faction)
                        && facts.in_region(*p, *region)
                })
                .count() as f64,
            Quantity::Lost { faction, region } => (0..index.provinces.len())
                .map(|i| ProvinceId(i as u32))
                .filter(|p| {
                    facts.province::<Control>(*p).is_some_and(|c| c.owner == *faction && c.controller != *faction)
                        && facts.in_region(*p, *region)
                })
                .count() as f64,
            Quantity::Counter(name) => facts.metrics.counters.get(name).copied().unwrap_or(0.0),
            Quantity::Treasury(f) => facts.faction::<Coffers>(*f).map_or(0.0, |c| c.treasury),
            Quantity::Grain(f) => facts.faction::<Coffers>(*f).map_or(0.0, |c| c.grain),
            Quantity::Garrison(p) => facts.province::<Walls>(*p).map_or(0.0, |w| w.garrison),
            Quantity::Year => facts.world.get_resource::<Calendar>().map_or(0.0, |c| f64::from(c.date.year)),
        }
    }
}

impl Condition {
    /// Whether it holds in `world`.
    pub fn eval(&self, world: &World) -> bool {
        self.holds(&Facts::of(world))
    }

    /// Whether it holds in the world `facts` read.
    pub fn holds(&self, facts: &Facts) -> bool {
        match self {
            Condition::True => true,
            Condition::Flag(f) => facts.metrics.flags.contains(f),
            Condition::ArmyAt { army: a, province: p } => {
                facts.army::<Position>(*a).is_some_and(|pos| pos.0.province() == Some(*p))
            }
            Condition::ArmyInRegion { army: a, region, controller } => {
                facts.army::<Position>(*a).and_then(|pos| pos.0.province()).is_some_and(|p| {
                    facts.province::<Zone>(p).is_some_and(|z| z.contains(*region))
                        && controller.is_none_or(|c| facts.province::<Control>(p).is_some_and(|x| x.controller == c))
                })
            }
            Condition::ArmyAlive(a) => facts.army::<Strength>(*a).is_some(),
            Condition::ArmyRouted(a) => facts.army_any::<Ledger>(*a).is_some_and(|l| l.routs > 0),
            Condition::ArmyDestroyed(a) => facts.army_any::<Dissolved>(*a).is_some(),
            Condition::ArmyBesieging(a) => facts.army::<Besieging>(*a).is_some(),
            Condition::CommanderFate { commander, fate } => {
                let Some(x) =
                    facts.index.commanders.get(commander.index()).and_then(|e| facts.world.get_entity(*e).ok())
                else {
                    return false;
                };
                match (x.get::<Fallen>(), fate) {
                    (Some(f), _) => f.fate == *fate,
                    (None, Fate::Escaped) => x.contains::<Escaped>(),
                    (None, _) => false,
                }
            }
            Condition::Controller { province: p, faction } => {
                facts.province::<Control>(*p).is_some_and(|c| c.controller == *faction)
            }
            Condition::Sacked(p) => facts.province::<Ravage>(*p).is_some_and(|r| r.sacks > 0),
            Condition::Fought { a, b } => facts.metrics.clashes.contains(&((*a).min(*b), (*a).max(*b))),
            Condition::Relation { a, b, relation } => {
                let r = facts.diplomacy.relation(*a, *b);
                match (relation, r) {
                    (Relation::Truce { .. }, Relation::Truce { .. }) => true,
                    _ => r == *relation,
                }
            }
            Condition::Access { grantor, grantee } => {
                facts.diplomacy.access.iter().any(|x| x.grantor == *grantor && x.grantee == *grantee)
            }
            Condition::Weather { region, weather } => {
                facts.regions.0.get(*region as usize).is_some_and(|r| r.weather == *weather)
            }
            Condition::Compare { quantity, cmp, value } => cmp.holds(quantity.value(facts), *value),
            Condition::All(cs) => cs.iter().all(|c| c.holds(facts)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(facts)),
            Condition::Not(c) => !c.holds(facts),
        }
    }
}

impl OutcomeSpec {
    /// The outcome's value in `world`.
    pub fn eval(&self, world: &World) -> OutcomeValue {
        self.value(&Facts::of(world))
    }

    /// The outcome's value in the world `facts` read.
    pub fn value(&self, facts: &Facts) -> OutcomeValue {
        let names = facts.world.resource::<crate::record::NameTable>();
        let key = |f: FactionId| names.0.factions.get(f.index()).map_or_else(|| "none".to_string(), |n| n.key.clone());
        match &self.rule {
            OutcomeRule::Bool(c) => OutcomeValue::Bool(c.holds(facts)),
            OutcomeRule::Number(q) => OutcomeValue::Number(q.value(facts)),
            OutcomeRule::Controller(p) => OutcomeValue::Category(
                facts.province::<Control>(*p).map_or_else(|| "none".to_string(), |c| key(c.controller)),
            ),
            OutcomeRule::LargestBattleWinner { side_a, side_b, at } => OutcomeValue::Category(
                facts
                    .metrics
                    .largest_battle(side_a, side_b, *at)
                    .and_then(|b| b.winners.first())
                    .map_or_else(|| "none".to_string(), |f| key(*f)),
            ),
            OutcomeRule::LargestBattleDay { side_a, side_b, at, from } => OutcomeValue::Number(
                facts.metrics.largest_battle(side_a, side_b, *at).map_or(0.0, |b| (b.day - from.to_days()) as f64),
            ),
            OutcomeRule::Cases { cases, default } => OutcomeValue::Category(
                cases.iter().find(|(c, _)| c.holds(facts)).map_or_else(|| default.clone(), |(_, l)| l.clone()),
            ),
        }
    }
}
