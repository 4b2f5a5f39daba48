//! Scripted events: triggers (date window, conditions, chance) and effects.
//!
//! Effects reach across the whole world, so this phase is one exclusive system.

use crate::ai::{Objective, Objectives, Orders};
use crate::calendar::{Calendar, Date};
use crate::diplomacy::{Access, AccessRequest, Diplomacy, Relation, Tribute};
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId};
use crate::log::{EventLog, LogKind};
use crate::model::{Army, Commander, Faction, Location, Province, TrespassResponse};
use crate::outcome::{Condition, Index, Metrics, Quantity};
use crate::params::Params;
use crate::rng::Rngs;
use crate::spec::{ArmySpec, OrdersSpec};
use crate::weather::{Regions, Weather};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// What an event does.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Put an army (declared with `in_field: false`) into the field.
    SpawnArmy(ArmyId),
    /// Add men and horses to an army.
    Reinforce { army: ArmyId, cavalry: f64, infantry: f64, siege: f64, horses: f64 },
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
    /// Change a faction's answers to trespass and to requests for passage.
    SetPolicy { faction: FactionId, trespass: Option<TrespassResponse>, grant_access_chance: Option<f64> },
    /// Hand a province to a faction.
    SetController { province: ProvinceId, faction: FactionId },
    /// Start, change or (with zero silver and silk) end a tribute.
    SetTribute(Tribute),
    /// Add an AI objective.
    AddObjective(Objective),
    /// Drop all of a faction's AI objectives.
    ClearObjectives(FactionId),
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
    /// Chance per turn, once eligible.
    pub chance: f64,
    /// Fires every eligible turn, not just once.
    pub repeat: bool,
    /// What it does.
    pub effects: Vec<Effect>,
    /// Has fired.
    pub fired: bool,
}

/// The scenario's events, in declaration order.
#[derive(Resource, Clone, Debug, Default)]
pub struct Events(pub Vec<ScriptedEvent>);

/// Events phase: every eligible event, in declaration order, rolls its chance and fires.
pub fn fire_events(world: &mut World) {
    world.resource_scope(|world, mut events: Mut<Events>| {
        let cal = world.resource::<Calendar>().clone();
        let first = cal.date;
        let last = cal.date.add_days(i64::from(cal.turn_days) - 1);
        for i in 0..events.0.len() {
            let ev = &events.0[i];
            if (ev.fired && !ev.repeat) || ev.from.is_some_and(|d| d > last) || ev.until.is_some_and(|d| d < first) {
                continue;
            }
            if !ev.when.eval(world) {
                continue;
            }
            if ev.chance < 1.0 && world.resource_mut::<Rngs>().events.random::<f64>() >= ev.chance {
                continue;
            }
            let ev = &mut events.0[i];
            ev.fired = true;
            let (key, text, effects) = (ev.key.clone(), ev.text.clone(), ev.effects.clone());
            world.resource_mut::<EventLog>().push(&cal, LogKind::Event { id: key, text });
            for effect in &effects {
                apply(effect, world, &cal);
            }
        }
    });
}

fn key_of<T: Component>(world: &World, e: Option<&Entity>, f: impl Fn(&T) -> &str) -> String {
    e.and_then(|e| world.get::<T>(*e)).map_or_else(|| "?".into(), |x| f(x).to_string())
}

fn faction_key(world: &World, f: FactionId) -> String {
    key_of::<Faction>(world, world.resource::<Index>().factions.get(f.index()), |x| &x.key)
}

fn with_army(world: &mut World, id: ArmyId, f: impl FnOnce(&mut Army)) {
    if let Some(&e) = world.resource::<Index>().armies.get(id.index())
        && let Some(mut a) = world.get_mut::<Army>(e)
    {
        f(&mut a);
    }
}

/// Applies one effect.
pub fn apply(effect: &Effect, world: &mut World, cal: &Calendar) {
    let today = cal.date.to_days();
    match effect {
        Effect::SpawnArmy(id) => crate::sim::spawn_army(world, *id, cal),
        Effect::Reinforce { army, cavalry, infantry, siege, horses } => {
            let mut added = 0.0;
            with_army(world, *army, |a| {
                if a.destroyed {
                    return;
                }
                a.cavalry += cavalry;
                a.infantry += infantry;
                a.siege += siege;
                a.horses += horses;
                a.committed += cavalry + infantry + siege;
                a.establishment += cavalry + infantry + siege;
                added = cavalry + infantry + siege;
            });
            if added > 0.0 {
                let key = key_of::<Army>(world, world.resource::<Index>().armies.get(army.index()), |x| &x.key);
                world.resource_mut::<EventLog>().push(cal, LogKind::Reinforced { army: key, men: added });
            }
        }
        Effect::SetWeather { region, weather, days } => {
            let mut regions = world.resource_mut::<Regions>();
            if let Some(r) = regions.0.get_mut(*region as usize) {
                r.weather = *weather;
                r.forced_until = Some(today + days.round() as i64);
                let key = r.key.clone();
                world
                    .resource_mut::<EventLog>()
                    .push(cal, LogKind::Weather { region: key, weather: *weather, forced: true });
            }
        }
        Effect::SetRelation { a, b, relation, truce_days } => {
            let relation = match relation {
                Relation::Truce { .. } => Relation::Truce { until: today + truce_days.round() as i64 },
                r => *r,
            };
            set_relation(world, cal, *a, *b, relation, "event");
        }
        Effect::RequestAccess(req) => {
            let (requester, host) = (faction_key(world, req.terms.grantee), faction_key(world, req.terms.grantor));
            world.resource_mut::<EventLog>().push(cal, LogKind::AccessRequest { requester, host });
            world.resource_mut::<Diplomacy>().requests.push(req.clone());
        }
        Effect::GrantAccess { access, days } => {
            let mut access = access.clone();
            access.until = days.map(|d| today + d.round() as i64);
            let (grantor, grantee) = (faction_key(world, access.grantor), faction_key(world, access.grantee));
            world.resource_mut::<Diplomacy>().access.push(access);
            world.resource_mut::<EventLog>().push(cal, LogKind::AccessGranted { grantor, grantee });
        }
        Effect::RevokeAccess { grantor, grantee } => {
            if world.resource_mut::<Diplomacy>().revoke(*grantor, *grantee) {
                let (grantor, grantee) = (faction_key(world, *grantor), faction_key(world, *grantee));
                world
                    .resource_mut::<EventLog>()
                    .push(cal, LogKind::AccessEnded { grantor, grantee, cause: "revoked".into() });
            }
        }
        Effect::KillCommander { commander, cause } => kill_commander(world, cal, *commander, cause),
        Effect::Appoint { army, commander, replace } => {
            let (c, r) = (*commander, *replace);
            with_army(world, *army, |a| {
                a.commanders.retain(|x| Some(*x) != r);
                if !a.commanders.contains(&c) {
                    a.commanders.insert(0, c);
                }
            });
            let index = world.resource::<Index>();
            let ck = key_of::<Commander>(world, index.commanders.get(c.index()), |x| &x.key);
            let ak = key_of::<Army>(world, index.armies.get(army.index()), |x| &x.key);
            world.resource_mut::<EventLog>().push(cal, LogKind::CommanderAppointed { commander: ck, army: ak });
        }
        Effect::SetParam { name, value } => {
            // Names are checked when the scenario is loaded; an unknown one changes nothing.
            let _known = world.resource_mut::<Params>().set(name, *value);
        }
        Effect::SetFlag(f) => {
            world.resource_mut::<Metrics>().flags.insert(f.clone());
        }
        Effect::ClearFlag(f) => {
            world.resource_mut::<Metrics>().flags.remove(f);
        }
        Effect::SetCounter { name, value } => {
            let v = value.eval(world);
            world.resource_mut::<Metrics>().counters.insert(name.clone(), v);
        }
        Effect::AddCounter { name, value } => {
            *world.resource_mut::<Metrics>().counters.entry(name.clone()).or_insert(0.0) += value;
        }
        Effect::SetOrders { army, orders } => {
            if let Some(&e) = world.resource::<Index>().armies.get(army.index())
                && let Some(mut o) = world.get_mut::<Orders>(e)
            {
                *o = Orders::from_spec(orders);
            }
            with_army(world, *army, |a| a.besieging = None);
        }
        Effect::SetPolicy { faction, trespass, grant_access_chance } => {
            if let Some(&e) = world.resource::<Index>().factions.get(faction.index())
                && let Some(mut f) = world.get_mut::<Faction>(e)
            {
                if let Some(t) = trespass {
                    f.trespass_policy = *t;
                }
                if let Some(c) = grant_access_chance {
                    f.grant_access_chance = *c;
                }
            }
        }
        Effect::SetController { province, faction } => {
            if let Some(&e) = world.resource::<Index>().provinces.get(province.index())
                && let Some(mut p) = world.get_mut::<Province>(e)
                && p.controller != *faction
            {
                let from = p.controller;
                p.controller = *faction;
                p.besieger = None;
                p.siege_days = 0.0;
                let pk = p.key.clone();
                let (by, from) = (faction_key(world, *faction), faction_key(world, from));
                world
                    .resource_mut::<EventLog>()
                    .push(cal, LogKind::Captured { province: pk, by, from, how: "by treaty or event".into() });
            }
        }
        Effect::SetTribute(t) => {
            let mut d = world.resource_mut::<Diplomacy>();
            d.tributes.retain(|x| !(x.payer == t.payer && x.payee == t.payee));
            if t.silver > 0.0 || t.silk > 0.0 {
                d.tributes.push(t.clone());
            }
        }
        Effect::AddObjective(o) => world.resource_mut::<Objectives>().0.push(o.clone()),
        Effect::ClearObjectives(f) => world.resource_mut::<Objectives>().0.retain(|o| o.faction != *f),
        Effect::AdjustFaction { faction, treasury, grain, manpower } => {
            if let Some(&e) = world.resource::<Index>().factions.get(faction.index())
                && let Some(mut f) = world.get_mut::<Faction>(e)
            {
                f.treasury += treasury;
                f.grain = (f.grain + grain).max(0.0);
                f.manpower = (f.manpower + manpower).max(0.0);
            }
        }
        Effect::EndRun(reason) => {
            world.resource_mut::<Metrics>().ended = Some(reason.clone());
        }
    }
}

/// Sets a relation, logging the change; war ends any access between the two.
pub fn set_relation(world: &mut World, cal: &Calendar, a: FactionId, b: FactionId, relation: Relation, cause: &str) {
    let mut d = world.resource_mut::<Diplomacy>();
    if d.relation(a, b) == relation {
        return;
    }
    d.set(a, b, relation);
    let ended = relation == Relation::War && (d.revoke(a, b) | d.revoke(b, a));
    let (ka, kb) = (faction_key(world, a), faction_key(world, b));
    let mut log = world.resource_mut::<EventLog>();
    log.push(cal, LogKind::Relation { a: ka.clone(), b: kb.clone(), relation, cause: cause.into() });
    if ended {
        log.push(cal, LogKind::AccessEnded { grantor: ka, grantee: kb, cause: "war".into() });
    }
}

/// Removes a commander from service and from every army.
pub fn kill_commander(world: &mut World, cal: &Calendar, id: CommanderId, cause: &str) {
    let Some(&e) = world.resource::<Index>().commanders.get(id.index()) else { return };
    let Some(mut c) = world.get_mut::<Commander>(e) else { return };
    if !c.alive {
        return;
    }
    c.alive = false;
    c.lost_on = Some(cal.date);
    let key = c.key.clone();
    let mut q = world.query::<&mut Army>();
    for mut a in q.iter_mut(world) {
        a.commanders.retain(|x| *x != id);
    }
    world.resource_mut::<EventLog>().push(cal, LogKind::CommanderLost { commander: key, cause: cause.into() });
}

/// Spec-to-component conversion for armies.
pub fn army_from_spec(id: ArmyId, s: &ArmySpec, p: &Params) -> Army {
    let men = s.cavalry + s.infantry + s.siege;
    let daily = men * p.ration + s.horses * p.fodder;
    Army {
        id,
        key: s.key.clone(),
        name: s.name.clone(),
        faction: s.faction,
        commanders: s.commanders.clone(),
        location: Location::At(s.location),
        cavalry: s.cavalry,
        infantry: s.infantry,
        siege: s.siege,
        horses: s.horses,
        quality: s.quality,
        morale: s.morale,
        cohesion: 1.0,
        fatigue: 0.0,
        food: daily * s.food_days,
        committed: men,
        establishment: men,
        lost: 0.0,
        routs: 0,
        routed_until: None,
        guides_until: None,
        starving: false,
        destroyed: false,
        besieging: None,
    }
}
