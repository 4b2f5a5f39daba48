//! Forks: a snapshot continued with fresh dice and, for an arm of a batch, with rules that
//! change from that moment on.
//!
//! An arm's spec is compared with the spec the snapshot was taken from. What a snapshot
//! holds as state (armies in the field, provinces, treasuries, relations, objectives, the
//! calendar) cannot change at a fork: the snapshot *is* that state, and an arm that
//! changes it is refused, naming the paths. What shapes the rest of the run can:
//!
//! - parameters (`params.*`);
//! - events (added, removed or changed; an event that has fired stays fired);
//! - region climates (a region that had one keeps one, and one that had none gets none:
//!   the provinces' weather zones are the snapshot's);
//! - factions' answers to trespass and requests, what their armies sack, their posture,
//!   cold adaptation and the drain of other fronts;
//! - commanders' skill, traits and rivals;
//! - the orders and stance of armies in the field (they get the arm's from the fork on);
//! - everything about armies that have not yet taken the field (they take it as the arm
//!   says);
//! - outcomes.

use crate::ids::{ArmyId, CommanderId, FactionId};
use crate::model::army::{Dissolved, Orders, Stance};
use crate::model::commander::{Rivals, Skill, Traits};
use crate::model::faction::{Drain, Nature, Policy};
use crate::model::index::Index;
use crate::params::{PARAM_DEFS, Params};
use crate::world::spec::WorldSpec;
use bevy_ecs::prelude::*;

/// A faction's field that an arm may change at a fork.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FactionField {
    ColdAdapted,
    Posture,
    Trespass,
    GrantAccess,
    Sack,
    Drain,
}

/// What an arm changes at a fork: the fields whose values are taken from the arm's spec
/// instead of the snapshot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ForkPlan {
    params: Vec<&'static str>,
    factions: Vec<(FactionId, FactionField)>,
    commanders: Vec<CommanderId>,
    orders: Vec<ArmyId>,
    stances: Vec<ArmyId>,
}

/// Why an arm cannot start at a fork: the paths it changes that are the snapshot's state.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("it changes {}, which at a fork is the snapshot's state", .paths.join(", "))]
pub struct ForkRefusal {
    /// The paths, as `--set` spells them.
    pub paths: Vec<String>,
}

/// Whether two lists hold things with the same keys, in the same order.
fn same_keys<T>(a: &[T], b: &[T], key: impl Fn(&T) -> &String) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| key(x) == key(y))
}

fn differ(a: f64, b: f64) -> bool {
    a.to_bits() != b.to_bits()
}

impl ForkPlan {
    /// What `arm` changes with respect to `base` (the spec the snapshot was taken from),
    /// or the paths it changes that a fork cannot. `fielded` says which armies had taken
    /// the field by the fork.
    pub fn new(base: &WorldSpec, arm: &WorldSpec, fielded: impl Fn(ArmyId) -> bool) -> Result<ForkPlan, ForkRefusal> {
        let mut plan = ForkPlan::default();
        let mut refused: Vec<String> = Vec::new();
        let mut refuse = |p: String| refused.push(p);
        if base.start != arm.start {
            refuse("start".into());
        }
        if base.end != arm.end {
            refuse("end".into());
        }
        if base.turn_days != arm.turn_days {
            refuse("turn_days".into());
        }
        for d in PARAM_DEFS {
            if differ(base.params.get(d.name).unwrap_or(0.0), arm.params.get(d.name).unwrap_or(0.0)) {
                plan.params.push(d.name);
            }
        }
        if same_keys(&base.regions, &arm.regions, |r| &r.key) {
            // A climate may change, but not come or go: the weather zones of the
            // provinces are the snapshot's.
            for (b, a) in base.regions.iter().zip(&arm.regions) {
                if b.climate.is_some() != a.climate.is_some() {
                    refuse(format!("regions.{}.climate", b.key));
                }
            }
        } else {
            refuse("regions".into());
        }
        if same_keys(&base.factions, &arm.factions, |x| &x.key) {
            for (i, (b, a)) in base.factions.iter().zip(&arm.factions).enumerate() {
                let id = FactionId(i as u32);
                let k = &b.key;
                for (changed, what) in [
                    (differ(b.treasury, a.treasury), "treasury"),
                    (differ(b.grain, a.grain), "grain"),
                    (differ(b.manpower, a.manpower), "manpower"),
                    (b.capital != a.capital, "capital"),
                ] {
                    if changed {
                        refuse(format!("factions.{k}.{what}"));
                    }
                }
                for (changed, field) in [
                    (b.cold_adapted != a.cold_adapted, FactionField::ColdAdapted),
                    (b.posture != a.posture, FactionField::Posture),
                    (b.trespass_policy != a.trespass_policy, FactionField::Trespass),
                    (differ(b.grant_access_chance, a.grant_access_chance), FactionField::GrantAccess),
                    (b.sack != a.sack, FactionField::Sack),
                    (differ(b.drain_men, a.drain_men) || differ(b.drain_grain, a.drain_grain), FactionField::Drain),
                ] {
                    if changed {
                        plan.factions.push((id, field));
                    }
                }
            }
        } else {
            refuse("factions".into());
        }
        if same_keys(&base.provinces, &arm.provinces, |x| &x.key) {
            for (b, a) in base.provinces.iter().zip(&arm.provinces) {
                for (changed, what) in [
                    (differ(b.lat, a.lat) || differ(b.lon, a.lon), "lat"),
                    (b.terrain != a.terrain, "terrain"),
                    (b.fort != a.fort, "fort"),
                    (differ(b.population, a.population), "population"),
                    (differ(b.grain, a.grain), "grain"),
                    (differ(b.harvest, a.harvest), "harvest"),
                    (b.harvest_month != a.harvest_month, "harvest_month"),
                    (b.owner != a.owner, "owner"),
                    (b.controller != a.controller, "controller"),
                    (b.regions != a.regions, "regions"),
                    (differ(b.garrison, a.garrison), "garrison"),
                    (b.governor != a.governor, "governor"),
                ] {
                    if changed {
                        refuse(format!("provinces.{}.{what}", b.key));
                    }
                }
            }
        } else {
            refuse("provinces".into());
        }
        let same_routes = base.routes.len() == arm.routes.len()
            && base.routes.iter().zip(&arm.routes).all(|(b, a)| {
                b.a == a.a && b.b == a.b && !differ(b.km, a.km) && b.kind == a.kind && b.closed == a.closed
            });
        if !same_routes {
            refuse("routes".into());
        }
        if same_keys(&base.commanders, &arm.commanders, |x| &x.key) {
            for (i, (b, a)) in base.commanders.iter().zip(&arm.commanders).enumerate() {
                if b.faction != a.faction {
                    refuse(format!("commanders.{}.faction", b.key));
                }
                if differ(b.skill, a.skill) || b.traits != a.traits || b.rivals != a.rivals {
                    plan.commanders.push(CommanderId(i as u32));
                }
            }
        } else {
            refuse("commanders".into());
        }
        if same_keys(&base.armies, &arm.armies, |x| &x.key) {
            for (i, (b, a)) in base.armies.iter().zip(&arm.armies).enumerate() {
                let id = ArmyId(i as u32);
                let k = &b.key;
                if fielded(id) {
                    for (changed, what) in [
                        (b.faction != a.faction, "faction"),
                        (b.commanders != a.commanders, "commanders"),
                        (b.location != a.location, "at"),
                        (differ(b.cavalry, a.cavalry), "cavalry"),
                        (differ(b.infantry, a.infantry), "infantry"),
                        (differ(b.siege, a.siege), "siege"),
                        (differ(b.horses, a.horses), "horses"),
                        (differ(b.quality, a.quality), "quality"),
                        (differ(b.morale, a.morale), "morale"),
                        (differ(b.food_days, a.food_days), "food_days"),
                        (b.in_field != a.in_field, "in_field"),
                    ] {
                        if changed {
                            refuse(format!("armies.{k}.{what}"));
                        }
                    }
                    if b.orders != a.orders {
                        plan.orders.push(id);
                    }
                    if b.stance != a.stance {
                        plan.stances.push(id);
                    }
                } else if a.in_field && !b.in_field {
                    refuse(format!("armies.{k}.in_field"));
                }
            }
        } else {
            refuse("armies".into());
        }
        for (changed, what) in [
            (base.relations != arm.relations, "relations"),
            (base.tributes != arm.tributes, "tributes"),
            (base.access != arm.access, "access"),
            (base.objectives != arm.objectives, "objectives"),
            (base.flags != arm.flags, "flags"),
        ] {
            if changed {
                refuse(what.into());
            }
        }
        if refused.is_empty() { Ok(plan) } else { Err(ForkRefusal { paths: refused }) }
    }

    /// Whether the arm changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == ForkPlan::default()
    }

    /// The paths the arm changes, as `--set` spells them.
    pub fn paths(&self, spec: &WorldSpec) -> Vec<String> {
        let mut out: Vec<String> = self.params.iter().map(|p| format!("params.{p}")).collect();
        for (f, field) in &self.factions {
            let what = match field {
                FactionField::ColdAdapted => "cold_adapted",
                FactionField::Posture => "posture",
                FactionField::Trespass => "trespass",
                FactionField::GrantAccess => "grant_access_chance",
                FactionField::Sack => "sack",
                FactionField::Drain => "drain",
            };
            out.push(format!("factions.{}.{what}", spec.factions[f.index()].key));
        }
        out.extend(self.commanders.iter().map(|c| format!("commanders.{}", spec.commanders[c.index()].key)));
        out.extend(self.orders.iter().map(|a| format!("armies.{}.orders", spec.armies[a.index()].key)));
        out.extend(self.stances.iter().map(|a| format!("armies.{}.stance", spec.armies[a.index()].key)));
        out
    }

    /// Writes the arm's values of what it changes over the restored `world` (built from
    /// `spec`, the arm's).
    pub(crate) fn apply(&self, world: &mut World, spec: &WorldSpec) {
        if !self.params.is_empty() {
            let mut p = world.resource_mut::<Params>();
            for name in &self.params {
                let _ = p.set(name, spec.params.get(name).unwrap_or(0.0));
            }
        }
        let index = world.resource::<Index>().clone();
        for (f, field) in &self.factions {
            let s = &spec.factions[f.index()];
            let mut e = world.entity_mut(index.factions[f.index()]);
            match field {
                FactionField::ColdAdapted => e.get_mut::<Nature>().map(|mut n| n.cold_adapted = s.cold_adapted),
                FactionField::Posture => e.get_mut::<Nature>().map(|mut n| n.posture = s.posture),
                FactionField::Trespass => e.get_mut::<Policy>().map(|mut p| p.trespass = s.trespass_policy),
                FactionField::GrantAccess => {
                    e.get_mut::<Policy>().map(|mut p| p.grant_access_chance = s.grant_access_chance)
                }
                FactionField::Sack => e.get_mut::<Policy>().map(|mut p| p.sack = s.sack),
                FactionField::Drain => {
                    e.get_mut::<Drain>().map(|mut d| *d = Drain { men: s.drain_men, grain: s.drain_grain })
                }
            };
        }
        for c in &self.commanders {
            let s = &spec.commanders[c.index()];
            world.entity_mut(index.commanders[c.index()]).insert((
                Skill(s.skill),
                Traits(s.traits.clone()),
                Rivals(s.rivals.clone()),
            ));
        }
        for a in self.orders.iter().chain(&self.stances) {
            let Some(&e) = index.armies.get(a.index()).filter(|e| **e != Entity::PLACEHOLDER) else { continue };
            if world.get::<Dissolved>(e).is_some() {
                continue;
            }
            let s = &spec.armies[a.index()];
            if self.orders.contains(a) {
                world.entity_mut(e).insert(Orders::from_spec(&s.orders));
            }
            if self.stances.contains(a) {
                world.entity_mut(e).insert::<Stance>(s.stance);
            }
        }
    }
}
