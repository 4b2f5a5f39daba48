//! Scripted events: triggers (date window, conditions, chance) and effects.
//!
//! Effects reach across the whole world, so this phase is one exclusive system.

use crate::calendar::{Calendar, days_after};
use crate::ids::{ArmyId, CommanderId, FactionId};
use crate::model::army::*;
use crate::model::commander::{Fallen, Fate};
use crate::model::diplomacy::{Diplomacy, Relation};
use crate::model::faction::{Coffers, Policy};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Population, Ravage, Siege, Walls};
use crate::model::script::{Effect, Events, Objectives};
use crate::model::weather::Regions;
use crate::params::Params;
use crate::record::log::{Cause, EventId, EventLog, EventText, LogKind};
use crate::record::outcome::{Facts, Metrics};
use crate::rng::Rngs;
use crate::rules::baggage::{lose_baggage, take_baggage};
use crate::rules::diplomacy::set_relation;
use crate::rules::sack::{log_sack, plunder, sackable};
use crate::world::build::spawn_army;
use bevy_ecs::prelude::*;
use rand::RngExt;
use std::sync::Arc;

/// Events phase: every eligible event, in declaration order, rolls its chance for the
/// days of the turn inside its window ([`ScriptedEvent::chance_in`]) and fires.
pub fn fire_events(world: &mut World) {
    let cal = world.resource::<Calendar>().clone();
    let first = cal.date;
    let last = cal.date.add_days(i64::from(cal.turn_days) - 1);
    let (list, mut fired) = {
        let mut events = world.resource_mut::<Events>();
        (Arc::clone(&events.list), std::mem::take(&mut events.fired))
    };
    let mut from = 0;
    loop {
        // The next event whose window and conditions hold, read from one view of the
        // world (taken again after each event that fires, since its effects change it).
        let next = {
            let facts = Facts::of(world);
            (from..list.len()).find(|&i| {
                let ev = &list[i];
                !((fired[i] && !ev.repeat) || ev.from.is_some_and(|d| d > last) || ev.until.is_some_and(|d| d < first))
                    && ev.when.holds(&facts)
            })
        };
        let Some(i) = next else { break };
        from = i + 1;
        let ev = &list[i];
        if ev.chance < 1.0 {
            let chance = ev.chance_in(first.to_days(), last.to_days());
            if world.resource_mut::<Rngs>().events.random::<f64>() >= chance {
                continue;
            }
        }
        fired[i] = true;
        let id = i as u32;
        world.resource_mut::<EventLog>().push(&cal, LogKind::Event { id: EventId(id), text: EventText(id) });
        for effect in &ev.effects {
            apply(effect, world, &cal);
        }
    }
    world.resource_mut::<Events>().fired = fired;
}

fn army_entity(world: &World, id: ArmyId) -> Option<Entity> {
    world.resource::<Index>().armies.get(id.index()).copied().filter(|e| *e != Entity::PLACEHOLDER)
}

fn faction_entity(world: &World, id: FactionId) -> Option<Entity> {
    world.resource::<Index>().factions.get(id.index()).copied()
}

/// Applies one effect.
pub fn apply(effect: &Effect, world: &mut World, cal: &Calendar) {
    let today = cal.date.to_days();
    match effect {
        Effect::SpawnArmy(id) => spawn_army(world, *id, cal),
        Effect::Reinforce { army, cavalry, infantry, siege, horses } => {
            let Some(e) = army_entity(world, *army) else { return };
            if world.get::<Dissolved>(e).is_some() {
                return;
            }
            let mut added = 0.0;
            if let Some(mut s) = world.get_mut::<Strength>(e) {
                s.cavalry += cavalry;
                s.infantry += infantry;
                s.siege += siege;
                s.horses += horses;
                added = cavalry + infantry + siege;
            }
            if let Some(mut l) = world.get_mut::<Ledger>(e) {
                l.committed += cavalry + infantry + siege;
                l.establishment += cavalry + infantry + siege;
            }
            if added > 0.0 {
                world.resource_mut::<EventLog>().push(cal, LogKind::Reinforced { army: *army, men: added });
            }
        }
        Effect::AdjustArmy { army, morale, cohesion, food } => {
            let Some(e) = army_entity(world, *army) else { return };
            if world.get::<Dissolved>(e).is_some() {
                return;
            }
            if let Some(mut s) = world.get_mut::<Spirit>(e) {
                s.morale = (s.morale + morale).clamp(0.0, 1.0);
                s.cohesion = (s.cohesion + cohesion).clamp(0.0, 1.0);
            }
            if let Some(mut s) = world.get_mut::<Supplies>(e) {
                s.food = (s.food + food).max(0.0);
            }
        }
        Effect::SetWeather { region, weather, days } => {
            let mut regions = world.resource_mut::<Regions>();
            if let Some(r) = regions.0.get_mut(*region as usize) {
                r.weather = *weather;
                r.forced_until = Some(days_after(today, *days));
                world.resource_mut::<EventLog>().push(
                    cal,
                    LogKind::Weather { region: crate::ids::RegionId(*region), weather: *weather, forced: true },
                );
            }
        }
        Effect::SetRelation { a, b, relation, truce_days } => {
            let relation = match relation {
                Relation::Truce { .. } => Relation::Truce { until: days_after(today, *truce_days) },
                r => *r,
            };
            set_relation(world, cal, *a, *b, relation, Cause::Event);
        }
        Effect::RequestAccess(req) => {
            let (requester, host) = (req.terms.grantee, req.terms.grantor);
            world.resource_mut::<EventLog>().push(cal, LogKind::AccessRequest { requester, host });
            world.resource_mut::<Diplomacy>().requests.push(req.clone());
        }
        Effect::GrantAccess { access, days } => {
            let mut access = access.clone();
            access.until = days.map(|d| days_after(today, d));
            let (grantor, grantee) = (access.grantor, access.grantee);
            world.resource_mut::<Diplomacy>().access.push(access);
            world.resource_mut::<EventLog>().push(cal, LogKind::AccessGranted { grantor, grantee });
        }
        Effect::RevokeAccess { grantor, grantee } => {
            if world.resource_mut::<Diplomacy>().revoke(*grantor, *grantee) {
                world
                    .resource_mut::<EventLog>()
                    .push(cal, LogKind::AccessEnded { grantor: *grantor, grantee: *grantee, cause: Cause::Revoked });
            }
        }
        Effect::KillCommander { commander, cause } => kill_commander(world, cal, *commander, cause),
        Effect::Appoint { army, commander, replace } => {
            let (c, r) = (*commander, *replace);
            if let Some(e) = army_entity(world, *army)
                && let Some(mut cmd) = world.get_mut::<Commanders>(e)
            {
                cmd.0.retain(|x| Some(*x) != r);
                if !cmd.0.contains(&c) {
                    cmd.0.insert(0, c);
                }
            }
            world.resource_mut::<EventLog>().push(cal, LogKind::CommanderAppointed { commander: c, army: *army });
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
            if let Some(e) = army_entity(world, *army) {
                if let Some(mut o) = world.get_mut::<Orders>(e) {
                    *o = Orders::from_spec(orders);
                }
                world.entity_mut(e).remove::<Besieging>();
            }
        }
        Effect::Sack { army } => {
            let Some(e) = army_entity(world, *army) else { return };
            if world.get::<Dissolved>(e).is_some() {
                return;
            }
            let (Some(pos), Some(al), Some(s)) =
                (world.get::<Position>(e), world.get::<Allegiance>(e), world.get::<Strength>(e).copied())
            else {
                return;
            };
            let (Some(q), f) = (pos.0.province(), al.0) else { return };
            let pe = world.resource::<Index>().provinces[q.index()];
            let (Some(control), Some(walls), Some(ravage)) =
                (world.get::<Control>(pe), world.get::<Walls>(pe), world.get::<Ravage>(pe))
            else {
                return;
            };
            if !sackable(f, control, walls, ravage, None, world.resource::<Diplomacy>(), today) {
                return;
            }
            let params = world.resource::<Params>().clone();
            let mut supplies = world.get::<Supplies>(e).copied().unwrap_or_default();
            let (Some(mut granary), Some(mut people), Some(mut ravage)) = (
                world.get::<Granary>(pe).copied(),
                world.get::<Population>(pe).copied(),
                world.get::<Ravage>(pe).copied(),
            ) else {
                return;
            };
            let spoils = plunder(&mut granary, &mut people, &mut ravage, &mut supplies, &s, &params, cal);
            world.entity_mut(pe).insert((granary, people, ravage));
            world.entity_mut(e).insert(supplies);
            if world.get::<Guided>(e).is_none() {
                world.entity_mut(e).insert(Guided { until: days_after(today, params.guides_days) });
            }
            log_sack(&mut world.resource_mut::<EventLog>(), cal, q, *army, spoils);
        }
        Effect::SetStance { army, stance } => {
            if let Some(e) = army_entity(world, *army)
                && let Some(mut s) = world.get_mut::<Stance>(e)
            {
                *s = *stance;
            }
        }
        Effect::LoseBaggage { army, share, to } => {
            let Some(e) = army_entity(world, *army) else { return };
            if world.get::<Dissolved>(e).is_some() {
                return;
            }
            let Some(mut sup) = world.get_mut::<Supplies>(e) else { return };
            let food = lose_baggage(&mut sup, *share);
            let params = world.resource::<Params>().clone();
            let mut taken = 0.0;
            if let Some(t) = to.and_then(|t| army_entity(world, t))
                && t != e
                && world.get::<Dissolved>(t).is_none()
                && let Some(s) = world.get::<Strength>(t).copied()
                && let Some(mut sup) = world.get_mut::<Supplies>(t)
            {
                taken = take_baggage(&mut sup, &s, food, &params, cal);
            }
            if food > 0.0 {
                world.resource_mut::<EventLog>().push(cal, LogKind::BaggageLost { army: *army, food, taken });
            }
        }
        Effect::SetPolicy { faction, trespass, grant_access_chance, sack } => {
            if let Some(e) = faction_entity(world, *faction)
                && let Some(mut f) = world.get_mut::<Policy>(e)
            {
                if let Some(t) = trespass {
                    f.trespass = *t;
                }
                if let Some(s) = sack {
                    f.sack = *s;
                }
                if let Some(c) = grant_access_chance {
                    f.grant_access_chance = *c;
                }
            }
        }
        Effect::SetController { province, faction } => {
            let Some(&e) = world.resource::<Index>().provinces.get(province.index()) else { return };
            let Some(mut c) = world.get_mut::<Control>(e) else { return };
            if c.controller == *faction {
                return;
            }
            let from = c.controller;
            c.controller = *faction;
            c.taken = Some(today);
            if let Some(mut s) = world.get_mut::<Siege>(e) {
                s.lift();
            }
            world
                .resource_mut::<EventLog>()
                .push(cal, LogKind::Captured { province: *province, by: *faction, from, how: Cause::Treaty });
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
        Effect::DropObjectives { faction, kind } => {
            world.resource_mut::<Objectives>().0.retain(|o| !(o.faction == *faction && o.kind == *kind))
        }
        Effect::AdjustFaction { faction, treasury, grain, manpower } => {
            if let Some(e) = faction_entity(world, *faction)
                && let Some(mut f) = world.get_mut::<Coffers>(e)
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

/// Removes a commander from service and from every army.
pub fn kill_commander(world: &mut World, cal: &Calendar, id: CommanderId, cause: &str) {
    let Some(&e) = world.resource::<Index>().commanders.get(id.index()) else { return };
    if world.get::<Fallen>(e).is_some() {
        return;
    }
    world.entity_mut(e).insert(Fallen { on: cal.date, fate: Fate::Killed });
    let mut q = world.query::<&mut Commanders>();
    for mut c in q.iter_mut(world) {
        c.0.retain(|x| *x != id);
    }
    world.resource_mut::<EventLog>().push(cal, LogKind::CommanderLost { commander: id, cause: cause.into() });
}
