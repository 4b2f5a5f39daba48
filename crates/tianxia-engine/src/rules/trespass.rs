//! The trespass rule: each place a foreign army enters without access answers, once per
//! army, by its host's policy, bent by the traits of the local commander (the province's
//! governor, or the commander of the strongest host army there): a coward may flee, a
//! zealot resists; one who flees or gives way may also hand over grain and guides. A place
//! with nobody to answer (no commander, no host army, no garrison) lets the army pass.

use crate::calendar::{Calendar, days_after};
use crate::ids::{ArmyId, CommanderId};
use crate::model::army::*;
use crate::model::commander::{Fallen, Trait, Traits};
use crate::model::diplomacy::{Diplomacy, Relation, Trespasses};
use crate::model::faction::{Policy, TrespassResponse};
use crate::model::index::Index;
use crate::model::province::{Control, Governor, Granary, Walls};
use crate::model::route::RouteGraph;
use crate::params::Params;
use crate::record::log::{Cause, EventLog, LogKind};
use crate::record::outcome::Metrics;
use crate::rng::Rngs;
use crate::rules::diplomacy::set_relation;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Trespass phase: answers this turn's crossings in the order they happened.
pub fn answer_trespass(world: &mut World) {
    let pending = std::mem::take(&mut world.resource_mut::<Trespasses>().pending);
    if pending.is_empty() {
        world.resource_mut::<Trespasses>().pending = pending;
        return;
    }
    let cal = world.resource::<Calendar>().clone();
    let today = cal.date.to_days();
    let mut hosts: Vec<(ArmyId, Entity, f64)> = Vec::new();
    for c in &pending {
        let (pe, ae) = {
            let index = world.resource::<Index>();
            (index.provinces[c.province.index()], index.armies[c.army.index()])
        };
        let Some(controller) = world.get::<Control>(pe).map(|x| x.controller) else { continue };
        let (Some(faction), Some(strength)) =
            (world.get::<Allegiance>(ae).map(|a| a.0), world.get::<Strength>(ae).copied())
        else {
            continue;
        };
        // Still foreign and unanswered? (An earlier answer this turn may have declared war.)
        if world.resource::<Diplomacy>().may_enter(faction, controller, c.province, None) {
            continue;
        }
        hosts.clear();
        {
            let index = world.resource::<Index>();
            for (i, e) in index.armies.iter().enumerate() {
                let Ok(x) = world.get_entity(*e) else { continue };
                if x.contains::<Dissolved>() {
                    continue;
                }
                if x.get::<Allegiance>().is_some_and(|a| a.0 == c.host)
                    && x.get::<Position>().is_some_and(|p| p.0.province() == Some(c.province))
                {
                    hosts.push((ArmyId(i as u32), *e, x.get::<Strength>().map_or(0.0, Strength::men)));
                }
            }
        }
        hosts.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        let alive = |world: &World, id: &CommanderId| {
            let e = *world.resource::<Index>().commanders.get(id.index())?;
            (world.get::<Fallen>(e).is_none()).then_some(*id)
        };
        let governor = world.get::<Governor>(pe).and_then(|g| g.0);
        let commander = governor.as_ref().and_then(|g| alive(world, g)).or_else(|| {
            hosts
                .first()
                .and_then(|h| world.get::<Commanders>(h.1))
                .and_then(|cmd| cmd.0.iter().find_map(|c| alive(world, c)))
        });
        if !world.resource_mut::<Trespasses>().answered.insert((c.army, c.province, c.host)) {
            continue;
        }
        let garrison = world.get::<Walls>(pe).map_or(0.0, |w| w.garrison);
        let nobody = commander.is_none() && hosts.is_empty() && garrison < 1.0;
        let host_entity = world.resource::<Index>().factions[c.host.index()];
        let policy = world.get::<Policy>(host_entity).map_or(TrespassResponse::Resist, |x| x.trespass);
        world
            .resource_mut::<EventLog>()
            .push(&cal, LogKind::Trespass { army: c.army, province: c.province, host: c.host });

        let has = |world: &World, t: Trait| {
            commander
                .and_then(|id| world.resource::<Index>().commanders.get(id.index()).copied())
                .and_then(|e| world.get::<Traits>(e))
                .is_some_and(|x| x.has(t))
        };
        let p = world.resource::<Params>().clone();
        let rng = |w: &mut World| w.resource_mut::<Rngs>().diplomacy.random::<f64>();
        let mut response = policy;
        if nobody {
            response = TrespassResponse::Ignore;
        } else if has(world, Trait::Coward) && rng(world) < p.coward_flee_chance {
            response = TrespassResponse::Flee;
        } else if has(world, Trait::Zealous) && rng(world) < p.zealous_resist_chance {
            response = TrespassResponse::Resist;
        }
        let supplies = match response {
            _ if nobody => false,
            TrespassResponse::Supply => true,
            TrespassResponse::Flee | TrespassResponse::Ignore => rng(world) < p.flee_supply_chance,
            TrespassResponse::Resist => false,
        };
        world.resource_mut::<EventLog>().push(
            &cal,
            LogKind::TrespassAnswer { army: c.army, host: c.host, province: c.province, commander, response },
        );
        match response {
            TrespassResponse::Resist => {
                world.resource_mut::<Metrics>().clash(c.host, faction);
                set_relation(world, &cal, c.host, faction, Relation::War, Cause::TrespassResisted);
            }
            TrespassResponse::Flee => {
                if let Some(mut w) = world.get_mut::<Walls>(pe) {
                    w.garrison = 0.0;
                }
                // The host's armies there fall back one province inward.
                let refuge = {
                    let index = world.resource::<Index>();
                    world.resource::<RouteGraph>().neighbours(c.province).iter().map(|(_, n)| *n).find(|n| {
                        world.get::<Control>(index.provinces[n.index()]).is_some_and(|q| q.controller == c.host)
                    })
                };
                if let Some(to) = refuge {
                    for h in &hosts {
                        if let Some(mut pos) = world.get_mut::<Position>(h.1) {
                            pos.0 = Location::At(to);
                        }
                    }
                }
            }
            TrespassResponse::Ignore | TrespassResponse::Supply => {}
        }
        if supplies {
            let need = (strength.men() * p.ration + strength.horses * p.fodder) * p.supply_grant_days;
            let given = match world.get_mut::<Granary>(pe) {
                Some(mut g) => {
                    let x = need.min(g.grain);
                    g.grain -= x;
                    x
                }
                None => 0.0,
            };
            if let Some(mut s) = world.get_mut::<Supplies>(ae) {
                s.food += given;
            }
            let until = days_after(today, p.guides_days);
            if until > today {
                world.entity_mut(ae).insert(Guided { until });
            }
        }
    }
    let mut pending = pending;
    pending.clear();
    world.resource_mut::<Trespasses>().pending = pending;
}
