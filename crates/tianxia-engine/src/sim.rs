//! Building a world from a [`WorldSpec`], the turn schedule, and the [`Sim`] facade.

use crate::ai::{Objectives, Orders, plan_orders};
use crate::calendar::Calendar;
use crate::combat::{disband_broken, resolve_battles};
use crate::diplomacy::{Diplomacy, conduct_diplomacy};
use crate::economy::run_economy;
use crate::events::{Events, army_from_spec, fire_events};
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId, RouteId};
use crate::log::{EventLog, LogKind};
use crate::map::{Route, RouteGraph};
use crate::model::{Army, Commander, Faction, Province};
use crate::movement::{Trespasses, answer_trespass, move_armies};
use crate::outcome::{Index, Metrics, OutcomeValue, Outcomes};
use crate::params::Params;
use crate::rng::Rngs;
use crate::siege::conduct_sieges;
use crate::spec::WorldSpec;
use crate::supply::supply_armies;
use crate::weather::{Region, Regions, Weather, draw_weather};
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};

/// The one schedule a turn runs.
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Turn;

/// The phases of a turn, in order (DESIGN.md, "A turn").
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TurnSystems {
    /// Weather draws.
    Weather,
    /// Scripted events.
    Events,
    /// Treaties, tribute, requests.
    Diplomacy,
    /// Orders and plans.
    Ai,
    /// Marching, and answers to trespass.
    Movement,
    /// Supply and attrition.
    Supply,
    /// Battles.
    Combat,
    /// Sieges and captures.
    Sieges,
    /// Harvests, manpower, reinforcements.
    Economy,
    /// State hash, end check, calendar.
    Record,
}

/// Whether the run is over, and the state hash of every turn.
#[derive(Resource, Clone, Debug, Default)]
pub struct RunState {
    /// The run has ended.
    pub finished: bool,
    /// Hash of the world state after each turn.
    pub state_hashes: Vec<u64>,
}

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
        start: crate::calendar::Date,
        /// End.
        end: crate::calendar::Date,
    },
}

/// The turn schedule with its phases chained in order; `strict` makes any ambiguous
/// system order an error (tests use it).
pub fn turn_schedule(strict: bool) -> Schedule {
    let mut s = Schedule::new(Turn);
    s.set_executor(SingleThreadedExecutor::new());
    if strict {
        s.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    }
    use TurnSystems::*;
    s.configure_sets((Weather, Events, Diplomacy, Ai, Movement, Supply, Combat, Sieges, Economy, Record).chain());
    s.add_systems((
        draw_weather.in_set(Weather),
        fire_events.in_set(Events),
        conduct_diplomacy.in_set(Diplomacy),
        plan_orders.in_set(Ai),
        (move_armies, answer_trespass).chain().in_set(Movement),
        (supply_armies, disband_broken).chain().in_set(Supply),
        (resolve_battles, disband_broken).chain().in_set(Combat),
        (conduct_sieges, disband_broken).chain().in_set(Sieges),
        run_economy.in_set(Economy),
        (hash_state, close_turn).chain().in_set(Record),
    ));
    s
}

fn check(what: &'static str, index: usize, len: usize) -> Result<(), BuildError> {
    if index < len { Ok(()) } else { Err(BuildError::Dangling { what, index }) }
}

/// Builds the ECS world of a spec for the run with master seed `seed`.
pub fn build_world(spec: &WorldSpec, seed: u64) -> Result<World, BuildError> {
    let (nf, np, nc, na) = (spec.factions.len(), spec.provinces.len(), spec.commanders.len(), spec.armies.len());
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

    let mut world = World::new();
    let mut index = Index::default();
    for (i, f) in spec.factions.iter().enumerate() {
        index.factions.push(
            world
                .spawn(Faction {
                    id: FactionId(i as u32),
                    key: f.key.clone(),
                    name: f.name.clone(),
                    colour: f.colour.clone(),
                    capital: f.capital,
                    treasury: f.treasury,
                    grain: f.grain,
                    manpower: f.manpower,
                    weariness: 0.0,
                    cold_adapted: f.cold_adapted,
                    posture: f.posture,
                    trespass_policy: f.trespass_policy,
                    grant_access_chance: f.grant_access_chance,
                    drain_men: f.drain_men,
                    drain_grain: f.drain_grain,
                    losses: 0.0,
                })
                .id(),
        );
    }
    let regions: Vec<Region> = spec
        .regions
        .iter()
        .map(|r| Region { key: r.key.clone(), climate: r.climate, weather: Weather::Clear, forced_until: None })
        .collect();
    for (i, pr) in spec.provinces.iter().enumerate() {
        let zone = pr
            .regions
            .iter()
            .copied()
            .find(|r| regions[*r as usize].climate.is_some())
            .or(pr.regions.first().copied())
            .unwrap_or(u16::MAX);
        index.provinces.push(
            world
                .spawn(Province {
                    id: ProvinceId(i as u32),
                    key: pr.key.clone(),
                    name: pr.name.clone(),
                    name_zh: pr.name_zh.clone(),
                    lat: pr.lat,
                    lon: pr.lon,
                    terrain: pr.terrain,
                    fort: pr.fort,
                    population: pr.population,
                    grain: pr.grain,
                    harvest: pr.harvest,
                    harvest_month: pr.harvest_month,
                    owner: pr.owner,
                    controller: pr.controller,
                    regions: pr.regions.clone(),
                    zone,
                    garrison: pr.garrison,
                    governor: pr.governor,
                    besieger: None,
                    siege_days: 0.0,
                })
                .id(),
        );
    }
    for (i, c) in spec.commanders.iter().enumerate() {
        index.commanders.push(
            world
                .spawn(Commander {
                    id: CommanderId(i as u32),
                    key: c.key.clone(),
                    name: c.name.clone(),
                    faction: c.faction,
                    skill: c.skill,
                    traits: c.traits.clone(),
                    rivals: c.rivals.clone(),
                    alive: true,
                    lost_on: None,
                })
                .id(),
        );
    }
    let routes = spec
        .routes
        .iter()
        .enumerate()
        .map(|(i, r)| Route { id: RouteId(i as u32), a: r.a, b: r.b, km: r.km, kind: r.kind, closed: r.closed })
        .collect();
    index.armies = vec![Entity::PLACEHOLDER; na];
    for (i, a) in spec.armies.iter().enumerate() {
        if a.in_field {
            let e = world.spawn((army_from_spec(ArmyId(i as u32), a, &spec.params), Orders::from_spec(&a.orders))).id();
            index.armies[i] = e;
        }
    }

    let mut diplomacy = Diplomacy::new(nf);
    for (a, b, r) in &spec.relations {
        check("faction", a.index(), nf)?;
        check("faction", b.index(), nf)?;
        diplomacy.set(*a, *b, *r);
    }
    diplomacy.tributes = spec.tributes.clone();
    diplomacy.access = spec.access.clone();

    let mut metrics = Metrics::default();
    metrics.flags.extend(spec.flags.iter().cloned());
    world.insert_resource(index);
    world.insert_resource(Regions(regions));
    world.insert_resource(RouteGraph::new(np, routes));
    world.insert_resource(spec.params.clone());
    world.insert_resource(diplomacy);
    world.insert_resource(Calendar {
        start: spec.start,
        end: spec.end,
        turn_days: spec.turn_days,
        turn: 0,
        date: spec.start,
    });
    world.insert_resource(Rngs::new(seed));
    world.insert_resource(EventLog::default());
    world.insert_resource(metrics);
    world.insert_resource(Objectives(spec.objectives.clone()));
    world.insert_resource(Events(spec.events.clone()));
    world.insert_resource(Outcomes(spec.outcomes.clone()));
    world.insert_resource(Trespasses::default());
    world.insert_resource(RunState::default());
    world.insert_resource(ArmySpecs(spec.armies.clone()));
    Ok(world)
}

/// The army specs, kept for armies that events put into the field later.
#[derive(Resource, Clone, Debug)]
pub struct ArmySpecs(pub Vec<crate::spec::ArmySpec>);

/// Puts army `id` into the field (the `SpawnArmy` effect).
pub fn spawn_army(world: &mut World, id: ArmyId, cal: &Calendar) {
    let Some(spec) = world.resource::<ArmySpecs>().0.get(id.index()).cloned() else { return };
    if world.resource::<Index>().armies.get(id.index()).is_some_and(|e| *e != Entity::PLACEHOLDER) {
        return;
    }
    let army = army_from_spec(id, &spec, world.resource::<Params>());
    let men = army.men();
    let e = world.spawn((army, Orders::from_spec(&spec.orders))).id();
    world.resource_mut::<Index>().armies[id.index()] = e;
    let province = world
        .get::<Province>(world.resource::<Index>().provinces[spec.location.index()])
        .map_or_else(|| "?".into(), |p| p.key.clone());
    world.resource_mut::<EventLog>().push(cal, LogKind::Spawned { army: spec.key.clone(), province, men });
}

/// Record phase, part 1: a hash of the state (armies, provinces, factions, and the event
/// log so far, which records every change of relations, access and flags), for comparing
/// runs turn by turn.
pub fn hash_state(
    mut run: ResMut<RunState>,
    index: Res<Index>,
    armies: Query<&Army>,
    provinces: Query<&Province>,
    factions: Query<&Faction>,
    log: Res<EventLog>,
) {
    let mut words: Vec<u64> = Vec::with_capacity(16 * (index.armies.len() + index.provinces.len()));
    let mut f = |x: f64| words.push(x.to_bits());
    for e in &index.armies {
        if let Ok(a) = armies.get(*e) {
            for x in [a.cavalry, a.infantry, a.siege, a.horses, a.morale, a.cohesion, a.fatigue, a.food] {
                f(x);
            }
            match a.location {
                crate::model::Location::At(p) => f(f64::from(p.0)),
                crate::model::Location::OnRoute { route, done, .. } => {
                    f(f64::from(route.0) + 1e6);
                    f(done);
                }
            }
        }
    }
    for e in &index.provinces {
        if let Ok(p) = provinces.get(*e) {
            for x in [f64::from(p.controller.0), p.grain, p.garrison] {
                f(x);
            }
        }
    }
    for e in &index.factions {
        if let Ok(x) = factions.get(*e) {
            for v in [x.treasury, x.grain, x.manpower, x.weariness] {
                f(v);
            }
        }
    }
    words.push(log.digest_u64());
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    run.state_hashes.push(xxhash_rust::xxh3::xxh3_64(&bytes));
}

/// Record phase, part 2: advance the calendar and decide whether the run is over.
pub fn close_turn(
    mut cal: ResMut<Calendar>,
    mut run: ResMut<RunState>,
    metrics: Res<Metrics>,
    mut log: ResMut<EventLog>,
) {
    if let Some(reason) = &metrics.ended {
        log.push(&cal, LogKind::RunEnded { reason: reason.clone() });
        run.finished = true;
    }
    cal.turn += 1;
    cal.date = cal.date.add_days(i64::from(cal.turn_days));
    if cal.date > cal.end {
        run.finished = true;
    }
}

/// A run: the world plus its turn schedule.
pub struct Sim {
    world: World,
    schedule: Schedule,
}

/// What a finished run produced.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    /// Turns played.
    pub turns: u32,
    /// The first day after the last turn.
    pub end_date: crate::calendar::Date,
    /// Outcome values in declaration order.
    pub outcomes: Vec<(String, OutcomeValue)>,
    /// Event log digest.
    pub digest: String,
}

impl Sim {
    /// Builds the world of `spec` for master seed `seed`.
    pub fn new(spec: &WorldSpec, seed: u64) -> Result<Sim, BuildError> {
        Ok(Sim { world: build_world(spec, seed)?, schedule: turn_schedule(false) })
    }

    /// Plays one turn; returns whether the run goes on.
    pub fn step(&mut self) -> bool {
        if self.finished() {
            return false;
        }
        self.schedule.run(&mut self.world);
        !self.finished()
    }

    /// Plays until the end.
    pub fn run(&mut self) -> RunResult {
        while self.step() {}
        self.result()
    }

    /// Whether the run is over.
    pub fn finished(&self) -> bool {
        self.world.resource::<RunState>().finished
    }

    /// The outcomes, turns and digest as they stand.
    pub fn result(&self) -> RunResult {
        let cal = self.world.resource::<Calendar>();
        RunResult {
            turns: cal.turn,
            end_date: cal.date,
            outcomes: self
                .world
                .resource::<Outcomes>()
                .0
                .iter()
                .map(|o| (o.key.clone(), o.eval(&self.world)))
                .collect(),
            digest: self.world.resource::<EventLog>().digest(),
        }
    }

    /// The event log.
    pub fn log(&self) -> &EventLog {
        self.world.resource::<EventLog>()
    }

    /// The per-turn state hashes.
    pub fn state_hashes(&self) -> &[u64] {
        &self.world.resource::<RunState>().state_hashes
    }

    /// The ECS world, for reading.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The ECS world, for tests and tools that poke at it.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }
}
