//! Snapshots: the whole state of a running world at a turn boundary, to continue it later
//! (the same run, byte for byte) or to fork it (the same moment, other dice, and rules
//! changed from then on: [`fork`](crate::world::fork)).
//!
//! A snapshot holds every component of every entity (factions, provinces, routes,
//! commanders, armies, with their marker components), every resource a run changes
//! (calendar, parameters, diplomacy, trespasses, metrics, objectives, which events have
//! fired, region weather, which routes are open, the per-turn state hashes), the
//! positions of the eight random streams, and the event log so far. What the scenario
//! fixes for the whole run (names, the event list, outcomes, climates, the army specs that
//! events put into the field) is not in it: a world is restored by building it from its
//! spec (a scenario whose content hash the snapshot's file records) and then writing the
//! snapshot over it.
//!
//! Encoding: [postcard](https://docs.rs/postcard) (a compact, documented serde encoding:
//! integers as varints, floats as their 8 little-endian bytes, so every number comes back
//! bit for bit); the log's entries inside it as one JSON string (the log's entry type is
//! internally tagged, which only a self-describing encoding can read back). The tests pin
//! the bytes of a snapshot of the tutorial: a change of any saved type moves them, and
//! must bump [`FORMAT`].

use crate::calendar::{Calendar, Date, Season};
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId, RouteId};
use crate::model::army::*;
use crate::model::commander::{Escaped, Fallen, Rivals, Skill, Traits};
use crate::model::diplomacy::{Diplomacy, Relation, Trespasses};
use crate::model::faction::{Capital, Coffers, Drain, Nature, Policy, Stragglers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Famine, Governor, Granary, Population, Ravage, Siege, Site, Walls, Zone};
use crate::model::route::{Closures, RouteGraph, RouteState, Way};
use crate::model::script::{Events, Objective, Objectives};
use crate::model::weather::{Regions, Weather};
use crate::params::Params;
use crate::record::log::{EventLog, LogEntry};
use crate::record::outcome::Metrics;
use crate::record::state::RunState;
use crate::rng::{RngState, Rngs};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// The version of the snapshot encoding; bumped whenever a saved type changes.
pub const FORMAT: u32 = 1;

/// How far (days) from the scenario's start a day number in a snapshot may lie.
const MAX_DAY_SPAN: u64 = 10_000_000;

/// Why a world cannot be saved or restored.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SnapshotError {
    /// The world does not keep its event log's entries, which a snapshot needs.
    #[error("the run keeps only its log's digest; a snapshot needs the log's entries")]
    NoLog,
    /// An entity lacks a component every entity of its kind has.
    #[error("{0} lacks a component it should have")]
    Incomplete(String),
    /// The snapshot does not fit the world it is restored into.
    #[error("the snapshot does not fit this scenario: {0}")]
    Mismatch(String),
    /// The bytes are not a snapshot of this format.
    #[error("not a valid snapshot: {0}")]
    Decode(String),
}

/// Declares the saved state of one kind of entity: its components (grouped in tuples of at
/// most 15, the largest bundle bevy builds) and its optional marker components.
macro_rules! entity_state {
    ($(#[$m:meta])* $name:ident { $( ( $($f:ident : $t:ty),* $(,)? ) ),* $(,)? } markers { $($mf:ident : $mt:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $( $( $f: $t, )* )*
            $( $mf: Option<$mt>, )*
        }

        impl $name {
            /// The state of entity `e`, if it has every component of its kind.
            fn of(world: &World, e: Entity) -> Option<$name> {
                let r = world.get_entity(e).ok()?;
                Some($name { $( $( $f: r.get::<$t>()?.clone(), )* )* $( $mf: r.get::<$mt>().cloned(), )* })
            }

            fn bundle(&self) -> impl Bundle {
                ( $( ( $( self.$f.clone(), )* ), )* )
            }

            #[allow(unused_mut, unused_variables)]
            fn markers(&self, mut r: EntityWorldMut) {
                $( match &self.$mf {
                    Some(m) => { r.insert(m.clone()); }
                    None => { r.remove::<$mt>(); }
                } )*
            }

            /// Writes this state over entity `e`'s components.
            fn put(&self, world: &mut World, e: Entity) {
                let mut r = world.entity_mut(e);
                r.insert(self.bundle());
                self.markers(r);
            }

            /// Spawns an entity with this state (armies only: the others are always built).
            #[allow(dead_code)]
            fn spawn(&self, world: &mut World) -> Entity {
                let r = world.spawn(self.bundle());
                let e = r.id();
                self.markers(r);
                e
            }

            /// The types of the components this state holds.
            pub fn components() -> Vec<std::any::TypeId> {
                vec![ $( $( std::any::TypeId::of::<$t>(), )* )* $( std::any::TypeId::of::<$mt>(), )* ]
            }
        }
    };
}

entity_state! {
    /// A faction's saved state.
    FactionState {
        (id: FactionId, coffers: Coffers, weariness: Weariness, stragglers: Stragglers, nature: Nature,
         policy: Policy, drain: Drain, capital: Capital)
    } markers {}
}

entity_state! {
    /// A province's saved state.
    ProvinceState {
        (id: ProvinceId, site: Site, zone: Zone, control: Control, walls: Walls, governor: Governor,
         granary: Granary, population: Population, siege: Siege, ravage: Ravage)
    } markers { famine: Famine }
}

entity_state! {
    /// A commander's saved state.
    CommanderState {
        (id: CommanderId, allegiance: Allegiance, skill: Skill, traits: Traits, rivals: Rivals)
    } markers { fallen: Fallen, escaped: Escaped }
}

entity_state! {
    /// A route's saved state.
    RouteRecord {
        (id: RouteId, way: Way, closures: Closures, state: RouteState)
    } markers {}
}

entity_state! {
    /// An army's saved state.
    ArmyState {
        (id: ArmyId, allegiance: Allegiance, commanders: Commanders, leadership: Leadership, position: Position,
         strength: Strength, quality: Quality, spirit: Spirit),
        (fatigue: Fatigue, supplies: Supplies, hunger: Hunger, exposure: Exposure, ledger: Ledger,
         wastage: Wastage, orders: Orders, stance: Stance)
    } markers { routed: Routed, guided: Guided, besieging: Besieging, starving: Starving, dissolved: Dissolved }
}

/// The whole state of a world between two turns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Turns played.
    pub turn: u32,
    /// The first day of the next turn.
    pub date: Date,
    factions: Vec<FactionState>,
    provinces: Vec<ProvinceState>,
    commanders: Vec<CommanderState>,
    routes: Vec<RouteRecord>,
    /// By army id; `None` for an army that has not taken the field.
    armies: Vec<Option<ArmyState>>,
    /// Each region's weather and the day until which an event forces it.
    weather: Vec<(Weather, Option<i64>)>,
    /// Which routes are open, the season that was computed for, and when a cut route reopens.
    open: Vec<bool>,
    season: Option<Season>,
    reopens: Option<i64>,
    params: Params,
    diplomacy: Diplomacy,
    trespasses: Trespasses,
    metrics: Metrics,
    objectives: Vec<Objective>,
    /// Keys of the events that have fired.
    fired: Vec<String>,
    finished: bool,
    state_hashes: Vec<u64>,
    rngs: [RngState; Rngs::STREAMS],
    #[serde(with = "json_entries")]
    entries: Vec<LogEntry>,
}

/// The log's entries as one JSON string (ids as numbers).
mod json_entries {
    use crate::record::log::LogEntry;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(entries: &[LogEntry], s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(entries).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<LogEntry>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

fn states<T>(
    world: &World,
    list: &[Entity],
    what: &str,
    of: impl Fn(&World, Entity) -> Option<T>,
) -> Result<Vec<T>, SnapshotError> {
    list.iter()
        .enumerate()
        .map(|(i, e)| of(world, *e).ok_or_else(|| SnapshotError::Incomplete(format!("{what} {i}"))))
        .collect()
}

impl Snapshot {
    /// The state of `world` (between two turns; its log must keep its entries).
    pub fn of(world: &World) -> Result<Snapshot, SnapshotError> {
        let log = world.resource::<EventLog>();
        if !log.keeps_entries() {
            return Err(SnapshotError::NoLog);
        }
        let index = world.resource::<Index>();
        let cal = world.resource::<Calendar>();
        let graph = world.resource::<RouteGraph>();
        let events = world.resource::<Events>();
        let run = world.resource::<RunState>();
        let armies = index
            .armies
            .iter()
            .enumerate()
            .map(|(i, e)| {
                if *e == Entity::PLACEHOLDER {
                    Ok(None)
                } else {
                    ArmyState::of(world, *e).map(Some).ok_or_else(|| SnapshotError::Incomplete(format!("army {i}")))
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Snapshot {
            turn: cal.turn,
            date: cal.date,
            factions: states(world, &index.factions, "faction", FactionState::of)?,
            provinces: states(world, &index.provinces, "province", ProvinceState::of)?,
            commanders: states(world, &index.commanders, "commander", CommanderState::of)?,
            routes: states(world, &index.routes, "route", RouteRecord::of)?,
            armies,
            weather: world.resource::<Regions>().0.iter().map(|r| (r.weather, r.forced_until)).collect(),
            open: (0..graph.route_count()).map(|r| graph.is_open(RouteId(r as u32))).collect(),
            season: graph.season(),
            reopens: graph.reopens(),
            params: world.resource::<Params>().clone(),
            diplomacy: world.resource::<Diplomacy>().clone(),
            trespasses: world.resource::<Trespasses>().clone(),
            metrics: world.resource::<Metrics>().clone(),
            objectives: world.resource::<Objectives>().0.clone(),
            fired: events.list.iter().zip(&events.fired).filter(|(_, f)| **f).map(|(e, _)| e.key.clone()).collect(),
            finished: run.finished,
            state_hashes: run.state_hashes.clone(),
            rngs: world.resource::<Rngs>().state(),
            entries: log.entries().to_vec(),
        })
    }

    /// The snapshot encoded (postcard).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Encoding plain data into a Vec cannot fail.
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// A snapshot decoded from [`Snapshot::to_bytes`]'s encoding; refused if any number in
    /// it is not finite.
    pub fn from_bytes(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
        match postcard::take_from_bytes::<Snapshot>(bytes) {
            Ok((s, [])) if !crate::world::finite::all_finite(&s) => {
                Err(SnapshotError::Decode("it holds a number that is not finite".into()))
            }
            Ok((s, [])) => Ok(s),
            Ok((_, rest)) => Err(SnapshotError::Decode(format!("{} bytes left over after the snapshot", rest.len()))),
            Err(e) => Err(SnapshotError::Decode(e.to_string())),
        }
    }

    /// Which armies had taken the field by the time of the snapshot.
    pub fn fielded(&self, army: ArmyId) -> bool {
        self.armies.get(army.index()).is_some_and(Option::is_some)
    }

    /// The log's entries so far.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// The parameters as they stood.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Checks that the snapshot fits a world of `index`'s sizes, with `regions` regions and
    /// events keyed `events`, and that every id in it is in range (a snapshot is read from
    /// a file: nothing in it may index past a list).
    fn check(&self, index: &Index, regions: usize, cal: &Calendar) -> Result<(), SnapshotError> {
        let bad = |m: String| Err(SnapshotError::Mismatch(m));
        let (nf, np, nc, nr, na) = (
            index.factions.len(),
            index.provinces.len(),
            index.commanders.len(),
            index.routes.len(),
            index.armies.len(),
        );
        for (what, got, want) in [
            ("factions", self.factions.len(), nf),
            ("provinces", self.provinces.len(), np),
            ("commanders", self.commanders.len(), nc),
            ("routes", self.routes.len(), nr),
            ("route states", self.open.len(), nr),
            ("armies", self.armies.len(), na),
            ("regions", self.weather.len(), regions),
        ] {
            if got != want {
                return bad(format!("it has {got} {what}, the scenario {want}"));
            }
        }
        let expected = cal.start.add_days(i64::from(self.turn) * i64::from(cal.turn_days));
        if self.date != expected {
            return bad(format!("turn {} of this scenario begins on {expected}, not on {}", self.turn, self.date));
        }
        let f = |x: FactionId| x.index() < nf;
        let p = |x: ProvinceId| x.index() < np;
        let c = |x: CommanderId| x.index() < nc;
        let r = |x: RouteId| x.index() < nr;
        let a = |x: ArmyId| x.index() < na;
        let mut ok = self.factions.iter().enumerate().all(|(i, s)| s.id.index() == i && s.capital.0.is_none_or(p))
            && self.provinces.iter().enumerate().all(|(i, s)| {
                s.id.index() == i
                    && f(s.control.owner)
                    && f(s.control.controller)
                    && s.governor.0.is_none_or(c)
                    && s.siege.besieger.is_none_or(f)
                    && s.zone.regions.iter().all(|z| usize::from(*z) < regions)
                    && (usize::from(s.zone.zone) < regions || s.zone.zone == u16::MAX)
            })
            && self
                .commanders
                .iter()
                .enumerate()
                .all(|(i, s)| s.id.index() == i && f(s.allegiance.0) && s.rivals.0.iter().copied().all(c))
            && self.routes.iter().enumerate().all(|(i, s)| s.id.index() == i && p(s.way.a) && p(s.way.b))
            && self.armies.iter().enumerate().all(|(i, s)| {
                s.as_ref().is_none_or(|s| {
                    let place = match s.position.0 {
                        Location::At(q) => p(q),
                        Location::OnRoute { route, from, to, .. } => r(route) && p(from) && p(to),
                    };
                    let plan = match &s.orders.mode {
                        Mode::Script { steps, .. } => steps.iter().all(|st| p(st.to)),
                        Mode::Hold | Mode::Ai => true,
                    };
                    s.id.index() == i
                        && f(s.allegiance.0)
                        && s.commanders.0.iter().copied().all(c)
                        && place
                        && plan
                        && s.orders.path.iter().copied().all(p)
                        && s.orders.goal.is_none_or(p)
                        && s.besieging.is_none_or(|b| p(b.0))
                })
            });
        // Day numbers stay within a window around the start, so no rule's day arithmetic
        // can overflow on a crafted file (the empty `Ravage` holds `i64::MIN`).
        let start = cal.start.to_days();
        let d = |x: i64| x.abs_diff(start) <= MAX_DAY_SPAN;
        let od = |x: Option<i64>| x.is_none_or(d);
        let days = self.weather.iter().all(|w| od(w.1))
            && od(self.reopens)
            && self.provinces.iter().all(|s| od(s.control.taken) && (s.ravage.until == i64::MIN || d(s.ravage.until)))
            && self.routes.iter().all(|s| od(s.state.closed_until))
            && self
                .armies
                .iter()
                .flatten()
                .all(|s| s.routed.is_none_or(|x| d(x.until)) && s.guided.is_none_or(|x| d(x.until)))
            && self.diplomacy.relations().iter().all(|x| match x {
                Relation::Truce { until } => d(*until),
                _ => true,
            })
            && self
                .diplomacy
                .access
                .iter()
                .chain(self.diplomacy.requests.iter().map(|q| &q.terms))
                .all(|x| od(x.until));
        ok &= self.diplomacy.factions() == nf
            && self.diplomacy.relations().len() == nf * nf
            && self.diplomacy.tributes.iter().all(|t| f(t.payer) && f(t.payee))
            && self.diplomacy.access.iter().chain(self.diplomacy.requests.iter().map(|q| &q.terms)).all(|x| {
                f(x.grantor) && f(x.grantee) && x.provinces.iter().copied().all(p) && x.routes.iter().copied().all(r)
            })
            && self.trespasses.pending.iter().all(|t| a(t.army) && p(t.province) && f(t.host))
            && self.metrics.battles.iter().all(|b| p(b.province) && b.winners.iter().chain(&b.losers).copied().all(f))
            && self.metrics.clashes.iter().all(|(x, y)| f(*x) && f(*y))
            && self
                .objectives
                .iter()
                .all(|o| f(o.faction) && o.armies.iter().copied().all(a) && o.kind.ids_in(np, na, regions));
        if !ok {
            return bad("an id in it is out of range".into());
        }
        if !days {
            return bad("a day in it is out of range".into());
        }
        Ok(())
    }

    /// Writes this snapshot over `world`, which was just built from the spec the snapshot
    /// was taken from. The random streams are restored as they stood unless `reseed`
    /// gives a master seed for fresh ones (a fork).
    pub(crate) fn restore(&self, world: &mut World, reseed: Option<u64>) -> Result<(), SnapshotError> {
        let index = world.remove_resource::<Index>().unwrap_or_default();
        let regions = world.resource::<Regions>().0.len();
        let checked = self.check(&index, regions, world.resource::<Calendar>());
        if let Err(e) = checked {
            world.insert_resource(index);
            return Err(e);
        }
        let mut index = index;
        for (s, e) in self.factions.iter().zip(&index.factions) {
            s.put(world, *e);
        }
        for (s, e) in self.provinces.iter().zip(&index.provinces) {
            s.put(world, *e);
        }
        for (s, e) in self.commanders.iter().zip(&index.commanders) {
            s.put(world, *e);
        }
        for (s, e) in self.routes.iter().zip(&index.routes) {
            s.put(world, *e);
        }
        for (s, e) in self.armies.iter().zip(index.armies.iter_mut()) {
            match (s, *e == Entity::PLACEHOLDER) {
                (Some(s), true) => *e = s.spawn(world),
                (Some(s), false) => s.put(world, *e),
                (None, false) => {
                    world.despawn(*e);
                    *e = Entity::PLACEHOLDER;
                }
                (None, true) => {}
            }
        }
        world.insert_resource(index);
        {
            let mut cal = world.resource_mut::<Calendar>();
            cal.turn = self.turn;
            cal.date = self.date;
        }
        for (r, (w, until)) in world.resource_mut::<Regions>().0.iter_mut().zip(&self.weather) {
            r.weather = *w;
            r.forced_until = *until;
        }
        {
            let mut g = world.resource_mut::<RouteGraph>();
            for (i, open) in self.open.iter().enumerate() {
                g.set_open(RouteId(i as u32), *open);
            }
            if let Some(s) = self.season {
                g.set_season(s);
            }
            g.set_reopens(self.reopens);
        }
        world.resource_mut::<Params>().clone_from(&self.params);
        world.resource_mut::<Diplomacy>().clone_from(&self.diplomacy);
        world.resource_mut::<Trespasses>().clone_from(&self.trespasses);
        world.resource_mut::<Metrics>().clone_from(&self.metrics);
        world.resource_mut::<Objectives>().0.clone_from(&self.objectives);
        {
            let mut events = world.resource_mut::<Events>();
            let Events { list, fired } = &mut *events;
            for (e, f) in list.iter().zip(fired.iter_mut()) {
                *f = self.fired.contains(&e.key);
            }
        }
        {
            let mut run = world.resource_mut::<RunState>();
            run.finished = self.finished;
            run.state_hashes.clone_from(&self.state_hashes);
        }
        let rngs = match reseed {
            Some(seed) => Rngs::new(seed),
            None => Rngs::from_state(&self.rngs),
        };
        world.insert_resource(rngs);
        world.resource_mut::<EventLog>().restore(&self.entries);
        Ok(())
    }

    /// The types of every component a snapshot saves.
    pub fn components() -> Vec<std::any::TypeId> {
        let mut all = FactionState::components();
        all.extend(ProvinceState::components());
        all.extend(CommanderState::components());
        all.extend(RouteRecord::components());
        all.extend(ArmyState::components());
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sim;
    use crate::world::builder::grid_world;

    fn taken(turns: u32) -> (crate::WorldSpec, Snapshot) {
        let spec = grid_world(8, 18);
        let mut sim = Sim::new(&spec, 5).unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..turns {
            sim.step();
        }
        let snap = sim.snapshot().unwrap_or_else(|e| panic!("{e}"));
        (spec, snap)
    }

    #[test]
    fn the_encoding_of_a_fresh_world_is_pinned() {
        // A change to any saved type changes these bytes. Then bump FORMAT (so that old
        // files are refused by their version, not misread) and update the pin.
        let (_, snap) = taken(0);
        let bytes = snap.to_bytes();
        assert_eq!(
            (FORMAT, bytes.len(), format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes))),
            (1, 13239, "498103828a48de3c".to_string()),
            "the snapshot encoding changed: bump FORMAT and update this pin"
        );
    }

    #[test]
    fn a_snapshot_that_does_not_fit_is_refused_and_leaves_the_world_usable() {
        let (spec, snap) = taken(6);
        let mut sim = Sim::new(&spec, 5).unwrap_or_else(|e| panic!("{e}"));
        let mut bad = snap.clone();
        if let Some(Some(a)) = bad.armies.iter_mut().find(|a| a.is_some()) {
            a.position = Position(Location::At(ProvinceId(9_999)));
        }
        assert!(matches!(sim.restore(&spec, 5, &bad), Err(SnapshotError::Mismatch(_))));
        let mut bad = snap.clone();
        bad.provinces.pop();
        assert!(matches!(sim.restore(&spec, 5, &bad), Err(SnapshotError::Mismatch(_))));
        let mut bad = snap.clone();
        bad.date = bad.date.add_days(1);
        assert!(matches!(sim.restore(&spec, 5, &bad), Err(SnapshotError::Mismatch(_))));
        let mut bad = snap.clone();
        if let Some(o) = bad.objectives.first_mut() {
            o.faction = FactionId(77);
        }
        if !snap.objectives.is_empty() {
            assert!(matches!(sim.restore(&spec, 5, &bad), Err(SnapshotError::Mismatch(_))));
        }
        let mut bad = snap.clone();
        let mut table = serde_json::to_value(&bad.diplomacy).unwrap_or_default();
        if let Some(r) = table["relations"].as_array_mut() {
            r.pop();
        }
        bad.diplomacy = serde_json::from_value(table).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(sim.restore(&spec, 5, &bad), Err(SnapshotError::Mismatch(_))));
        let mut bad = snap.clone();
        bad.reopens = Some(i64::MIN);
        assert_eq!(sim.restore(&spec, 5, &bad), Err(SnapshotError::Mismatch("a day in it is out of range".into())));
        let mut bad = snap.clone();
        bad.routes[0].state.closed_until = Some(i64::MAX);
        assert!(matches!(sim.restore(&spec, 5, &bad), Err(SnapshotError::Mismatch(_))));
        // After refusals, a good snapshot still restores and runs as the original.
        sim.restore(&spec, 5, &snap).unwrap_or_else(|e| panic!("{e}"));
        let mut whole = Sim::new(&spec, 5).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sim.run(), whole.run());
    }

    #[test]
    fn garbage_is_not_a_snapshot() {
        let (_, snap) = taken(3);
        let bytes = snap.to_bytes();
        assert!(Snapshot::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        assert!(Snapshot::from_bytes(&[]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(Snapshot::from_bytes(&longer), Err(SnapshotError::Decode(_))));
        let mut nan = snap.clone();
        if let Some(Some(a)) = nan.armies.iter_mut().find(|a| a.is_some()) {
            a.strength.cavalry = f64::NAN;
        }
        assert!(matches!(Snapshot::from_bytes(&nan.to_bytes()), Err(SnapshotError::Decode(_))));
    }

    #[test]
    fn a_log_that_keeps_only_its_digest_cannot_be_saved() {
        let spec = grid_world(6, 8);
        let mut sim = Sim::new(&spec, 1).unwrap_or_else(|e| panic!("{e}"));
        sim.keep_log(false);
        assert_eq!(sim.snapshot(), Err(SnapshotError::NoLog));
    }

    #[test]
    fn grid_worlds_resume_and_fork_as_they_should() {
        for (side, armies, seed) in [(8usize, 18usize, 5u64), (12, 40, 2)] {
            let spec = grid_world(side, armies);
            let mut whole = Sim::new(&spec, seed).unwrap_or_else(|e| panic!("{e}"));
            let result = whole.run();
            for turns in [0, 3, result.turns / 2, result.turns - 1] {
                let mut sim = Sim::new(&spec, seed).unwrap_or_else(|e| panic!("{e}"));
                for _ in 0..turns {
                    sim.step();
                }
                let snap = Snapshot::from_bytes(&sim.snapshot().unwrap_or_else(|e| panic!("{e}")).to_bytes())
                    .unwrap_or_else(|e| panic!("{e}"));
                let mut other = Sim::new(&grid_world(6, 12), 9).unwrap_or_else(|e| panic!("{e}"));
                other.run();
                other.restore(&spec, seed, &snap).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(other.run(), result, "{side}x{side} resumed after turn {turns}");
                assert_eq!(other.state_hashes(), whole.state_hashes());
                // A fork with fresh streams is a run of its own, the same for the same seed.
                let plan = crate::world::fork::ForkPlan::default();
                let fork = |s: u64| {
                    let mut f = Sim::new(&spec, seed).unwrap_or_else(|e| panic!("{e}"));
                    f.keep_log(false);
                    f.fork(&spec, &snap, &plan, s).unwrap_or_else(|e| panic!("{e}"));
                    f.run()
                };
                assert_eq!(fork(11), fork(11));
                if turns + 3 < result.turns {
                    assert_ne!(fork(11).digest, result.digest, "fresh dice should change the history");
                }
            }
        }
    }
}
