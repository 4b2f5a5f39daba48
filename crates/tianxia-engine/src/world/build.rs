//! From spec to world: each component is made from its spec by one function here, and a
//! world is (re)populated in place so that its storage, and the schedule that runs it,
//! are reused from run to run.

use crate::calendar::{Calendar, Date};
use crate::ids::{ArmyId, CommanderId, FactionId, Name, Names, ProvinceId, RouteId};
use crate::model::army::*;
use crate::model::commander::{Escaped, Fallen, Rivals, Skill, Traits};
use crate::model::diplomacy::{Diplomacy, Trespasses};
use crate::model::faction::{Capital, Coffers, Drain, Nature, Policy, Stragglers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Famine, Governor, Granary, Population, Ravage, Siege, Site, Walls, Zone};
use crate::model::route::{Closures, RouteGraph, RouteState, Way};
use crate::model::script::{Events, Objectives, Outcomes};
use crate::model::weather::{Region, Regions, Weather};
use crate::params::Params;
use crate::record::NameTable;
use crate::record::log::{EventLog, LogKind};
use crate::record::outcome::Metrics;
use crate::record::state::RunState;
use crate::rng::Rngs;
use crate::world::spec::*;
use bevy_ecs::prelude::*;
use std::sync::Arc;

/// Why a spec cannot be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BuildError {
    /// A reference points past the end of its list.
    #[error("{what} {index} does not exist")]
    Dangling {
        /// The kind of thing referred to.
        what: &'static str,
        /// The bad index.
        index: usize,
    },
    /// The turn length is zero or the end is before the start.
    #[error("the calendar is empty: turn length {turn_days} days, {start} to {end}")]
    Calendar {
        /// Days per turn.
        turn_days: u32,
        /// Start.
        start: Date,
        /// End.
        end: Date,
    },
}

/// The army specs, kept for armies that events put into the field later.
#[derive(Resource, Clone, Debug, Default)]
pub struct ArmySpecs(pub Vec<ArmySpec>);

impl From<&ArmySpec> for Strength {
    fn from(s: &ArmySpec) -> Strength {
        Strength { cavalry: s.cavalry, infantry: s.infantry, siege: s.siege, horses: s.horses }
    }
}

impl From<&ArmySpec> for Ledger {
    fn from(s: &ArmySpec) -> Ledger {
        let men = s.cavalry + s.infantry + s.siege;
        Ledger { committed: men, establishment: men, lost: 0.0, routs: 0 }
    }
}

impl Supplies {
    /// Rations and fodder for `food_days` days.
    pub fn from_spec(s: &ArmySpec, p: &Params) -> Supplies {
        let men = s.cavalry + s.infantry + s.siege;
        let daily = men * p.ration + s.horses * p.fodder;
        Supplies { food: daily * s.food_days, train: 1.0 }
    }
}

/// Spawns army `id` from its spec (components only; no log line).
fn spawn_army_entity(world: &mut World, id: ArmyId, s: &ArmySpec, p: &Params) -> Entity {
    world
        .spawn((
            (id, Allegiance(s.faction), Commanders(s.commanders.clone()), Leadership::default()),
            Position(Location::At(s.location)),
            (Strength::from(s), Quality(s.quality), Spirit { morale: s.morale, cohesion: 1.0 }, Fatigue(0.0)),
            (Supplies::from_spec(s, p), Hunger::default(), Exposure::default()),
            (Ledger::from(s), Wastage::default(), Orders::from_spec(&s.orders), s.stance),
        ))
        .id()
}

fn check(what: &'static str, index: usize, len: usize) -> Result<(), BuildError> {
    if index < len { Ok(()) } else { Err(BuildError::Dangling { what, index }) }
}

fn validate(spec: &WorldSpec) -> Result<(), BuildError> {
    let (nf, np, nc) = (spec.factions.len(), spec.provinces.len(), spec.commanders.len());
    if spec.turn_days == 0 || spec.end < spec.start {
        return Err(BuildError::Calendar { turn_days: spec.turn_days, start: spec.start, end: spec.end });
    }
    for pr in &spec.provinces {
        check("faction", pr.owner.index(), nf)?;
        check("faction", pr.controller.index(), nf)?;
        for r in &pr.regions {
            check("region", *r as usize, spec.regions.len())?;
        }
        if let Some(g) = pr.governor {
            check("commander", g.index(), nc)?;
        }
    }
    for r in &spec.routes {
        check("province", r.a.index(), np)?;
        check("province", r.b.index(), np)?;
    }
    for a in &spec.armies {
        check("faction", a.faction.index(), nf)?;
        check("province", a.location.index(), np)?;
        for c in &a.commanders {
            check("commander", c.index(), nc)?;
        }
    }
    for c in &spec.commanders {
        check("faction", c.faction.index(), nf)?;
        for r in &c.rivals {
            check("commander", r.index(), nc)?;
        }
    }
    for (a, b, _) in &spec.relations {
        check("faction", a.index(), nf)?;
        check("faction", b.index(), nf)?;
    }
    Ok(())
}

/// Whether `names` are the names of `spec` (so a world rebuilt for another run of the
/// same scenario keeps its name table).
fn names_match(names: &Names, spec: &WorldSpec) -> bool {
    fn same<T>(a: &[Name], b: &[T], f: impl Fn(&Name, &T) -> bool) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| f(x, y))
    }
    same(&names.factions, &spec.factions, |n, f| n.key == f.key && n.name == f.name)
        && same(&names.provinces, &spec.provinces, |n, p| n.key == p.key && n.name == p.name && n.name_zh == p.name_zh)
        && same(&names.armies, &spec.armies, |n, a| n.key == a.key && n.name == a.name)
        && same(&names.commanders, &spec.commanders, |n, c| n.key == c.key && n.name == c.name)
        && same(&names.regions, &spec.regions, |n, r| n.key == r.key)
        && same(&names.events, &spec.events, |n, e| n.key == e.key && n.name == e.text)
        && names.routes.len() == spec.routes.len()
}

fn names_of(spec: &WorldSpec) -> Names {
    let pk = |p: ProvinceId| spec.provinces.get(p.index()).map_or("?", |x| x.key.as_str());
    Names {
        factions: spec
            .factions
            .iter()
            .map(|f| Name { key: f.key.clone(), name: f.name.clone(), name_zh: String::new() })
            .collect(),
        provinces: spec
            .provinces
            .iter()
            .map(|p| Name { key: p.key.clone(), name: p.name.clone(), name_zh: p.name_zh.clone() })
            .collect(),
        routes: spec.routes.iter().map(|r| Name::plain(&format!("{}~{}", pk(r.a), pk(r.b)))).collect(),
        armies: spec
            .armies
            .iter()
            .map(|a| Name { key: a.key.clone(), name: a.name.clone(), name_zh: String::new() })
            .collect(),
        commanders: spec
            .commanders
            .iter()
            .map(|c| Name { key: c.key.clone(), name: c.name.clone(), name_zh: String::new() })
            .collect(),
        regions: spec.regions.iter().map(|r| Name::plain(&r.key)).collect(),
        events: spec
            .events
            .iter()
            .map(|e| Name { key: e.key.clone(), name: e.text.clone(), name_zh: String::new() })
            .collect(),
    }
}

/// The entity at `i` of `old`, given `bundle` in place of its components, or a new one.
/// Only entities of one kind are in `old`, so the bundle replaces every component the
/// entity has.
fn place<B: Bundle>(world: &mut World, old: &[Entity], i: usize, bundle: B) -> Entity {
    match old.get(i) {
        Some(&e) if world.get_entity(e).is_ok() => {
            world.entity_mut(e).insert(bundle);
            e
        }
        _ => world.spawn(bundle).id(),
    }
}

/// Gets resource `T` reset by `reset`, or inserts `make()` if the world has none.
fn renew<T: Resource<Mutability = bevy_ecs::component::Mutable>>(
    world: &mut World,
    make: impl FnOnce() -> T,
    reset: impl FnOnce(&mut T),
) {
    match world.get_resource_mut::<T>() {
        Some(mut r) => reset(&mut r),
        None => {
            world.insert_resource(make());
        }
    }
}

/// Fills `world` (empty, or holding a finished run of any spec) with the world of `spec`
/// for the run with master seed `seed`. Entities are despawned and spawned again;
/// resources are reset in place, keeping their buffers.
pub fn populate(world: &mut World, spec: &WorldSpec, seed: u64) -> Result<(), BuildError> {
    validate(spec)?;
    // Armies of the last run are despawned (their markers go with them); factions,
    // provinces, commanders and routes are reused where there is one of the same kind at
    // the same index, their components overwritten (resources are entities too, so the
    // world is never cleared whole).
    let mut index = world.remove_resource::<Index>().unwrap_or_default();
    for e in index.armies.drain(..) {
        if e != Entity::PLACEHOLDER {
            world.despawn(e);
        }
    }
    let mut old = Index::default();
    std::mem::swap(&mut old, &mut index);

    for (i, f) in spec.factions.iter().enumerate() {
        let e = place(
            world,
            &old.factions,
            i,
            (
                FactionId(i as u32),
                Coffers { treasury: f.treasury, grain: f.grain, manpower: f.manpower },
                (Weariness::default(), Stragglers::default()),
                Nature { cold_adapted: f.cold_adapted, posture: f.posture },
                Policy { trespass: f.trespass_policy, grant_access_chance: f.grant_access_chance, sack: f.sack },
                Drain { men: f.drain_men, grain: f.drain_grain },
                Capital(f.capital),
            ),
        );
        index.factions.push(e);
    }
    let climates: Vec<bool> = spec.regions.iter().map(|r| r.climate.is_some()).collect();
    for (i, pr) in spec.provinces.iter().enumerate() {
        let zone = pr
            .regions
            .iter()
            .copied()
            .find(|r| climates[*r as usize])
            .or(pr.regions.first().copied())
            .unwrap_or(u16::MAX);
        let e = place(
            world,
            &old.provinces,
            i,
            (
                ProvinceId(i as u32),
                Site { terrain: pr.terrain, lat: pr.lat, lon: pr.lon },
                Zone { regions: pr.regions.clone(), zone },
                Control { owner: pr.owner, controller: pr.controller, taken: None },
                Walls { fort: pr.fort, garrison: pr.garrison, establishment: pr.garrison },
                Governor(pr.governor),
                Granary { grain: pr.grain, harvest: pr.harvest, harvest_month: pr.harvest_month },
                Population(pr.population),
                Siege::default(),
                Ravage::default(),
            ),
        );
        // Markers of the last run go.
        world.entity_mut(e).remove::<Famine>();
        index.provinces.push(e);
    }
    for (i, c) in spec.commanders.iter().enumerate() {
        let e = place(
            world,
            &old.commanders,
            i,
            (
                CommanderId(i as u32),
                Allegiance(c.faction),
                Skill(c.skill),
                Traits(c.traits.clone()),
                Rivals(c.rivals.clone()),
            ),
        );
        world.entity_mut(e).remove::<(Fallen, Escaped)>();
        index.commanders.push(e);
    }
    let mut ways = Vec::with_capacity(spec.routes.len());
    for (i, r) in spec.routes.iter().enumerate() {
        let way = Way { a: r.a, b: r.b, km: r.km, kind: r.kind };
        ways.push(way);
        let e = place(world, &old.routes, i, (RouteId(i as u32), way, Closures(r.closed), RouteState::default()));
        index.routes.push(e);
    }
    for (list, kept) in [
        (&old.factions, index.factions.len()),
        (&old.provinces, index.provinces.len()),
        (&old.commanders, index.commanders.len()),
        (&old.routes, index.routes.len()),
    ] {
        for e in list.iter().skip(kept) {
            world.despawn(*e);
        }
    }
    index.armies.resize(spec.armies.len(), Entity::PLACEHOLDER);
    for (i, a) in spec.armies.iter().enumerate() {
        if a.in_field {
            index.armies[i] = spawn_army_entity(world, ArmyId(i as u32), a, &spec.params);
        }
    }
    world.insert_resource(index);

    renew(world, || RouteGraph::new(spec.provinces.len(), &ways), |g| g.rebuild(spec.provinces.len(), &ways));
    let season = spec.start.season().index();
    {
        let mut g = world.resource_mut::<RouteGraph>();
        for (i, r) in spec.routes.iter().enumerate() {
            g.set_open(RouteId(i as u32), !r.closed[season]);
        }
    }
    renew(world, Regions::default, |r| r.0.clear());
    world.resource_mut::<Regions>().0.extend(spec.regions.iter().map(|r| Region {
        climate: r.climate,
        weather: Weather::Clear,
        forced_until: None,
    }));
    renew(world, || spec.params.clone(), |p| p.clone_from(&spec.params));
    renew(world, || Diplomacy::new(spec.factions.len()), |d| d.reset(spec.factions.len()));
    {
        let mut d = world.resource_mut::<Diplomacy>();
        for (a, b, r) in &spec.relations {
            d.set(*a, *b, *r);
        }
        d.tributes.clone_from(&spec.tributes);
        d.access.clone_from(&spec.access);
    }
    world.insert_resource(Calendar {
        start: spec.start,
        end: spec.end,
        turn_days: spec.turn_days,
        turn: 0,
        date: spec.start,
    });
    world.insert_resource(Rngs::new(seed));
    renew(world, EventLog::default, EventLog::clear);
    renew(world, Metrics::default, Metrics::clear);
    world.resource_mut::<Metrics>().flags.extend(spec.flags.iter().cloned());
    renew(world, || Objectives(spec.objectives.clone()), |o| o.0.clone_from(&spec.objectives));
    let events = Arc::clone(&spec.events);
    let n_events = events.len();
    renew(
        world,
        || Events { list: Arc::clone(&events), fired: vec![false; n_events] },
        |e| {
            e.list = Arc::clone(&events);
            e.fired.clear();
            e.fired.resize(n_events, false);
        },
    );
    let outcomes = Arc::clone(&spec.outcomes);
    renew(world, || Outcomes(Arc::clone(&outcomes)), |o| o.0 = Arc::clone(&outcomes));
    renew(world, Trespasses::default, Trespasses::clear);
    renew(world, RunState::default, |r| {
        r.finished = false;
        r.hash_turns = true;
        r.state_hashes.clear();
    });
    renew(world, || ArmySpecs(spec.armies.clone()), |a| a.0.clone_from(&spec.armies));
    let keep = world.get_resource::<NameTable>().is_some_and(|n| names_match(&n.0, spec));
    if !keep {
        world.insert_resource(NameTable(Arc::new(names_of(spec))));
    }
    Ok(())
}

/// Puts army `id` into the field (the `SpawnArmy` effect); nothing if it is already out.
pub fn spawn_army(world: &mut World, id: ArmyId, cal: &Calendar) {
    if world.resource::<Index>().armies.get(id.index()).is_none_or(|e| *e != Entity::PLACEHOLDER) {
        return;
    }
    let Some(spec) = world.resource::<ArmySpecs>().0.get(id.index()).cloned() else { return };
    let params = world.resource::<Params>().clone();
    let e = spawn_army_entity(world, id, &spec, &params);
    world.resource_mut::<Index>().armies[id.index()] = e;
    let men = spec.cavalry + spec.infantry + spec.siege;
    world.resource_mut::<EventLog>().push(cal, LogKind::Spawned { army: id, province: spec.location, men });
}
