//! The turn schedule and the [`Sim`] facade: a world plus the schedule that runs it,
//! both reused from run to run.

use crate::calendar::{Calendar, Date};
use crate::ids::{ArmyId, FactionId, Names, ProvinceId};
use crate::model::script::{OutcomeValue, Outcomes};
use crate::record::NameTable;
use crate::record::log::EventLog;
use crate::record::outcome::Facts;
use crate::record::state::RunState;
use crate::record::view::{ArmyView, FactionView, ProvinceView};
use crate::world::build::{BuildError, populate};
use crate::world::fork::ForkPlan;
use crate::world::snapshot::{Snapshot, SnapshotError};
use crate::world::spec::WorldSpec;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};
use std::sync::Arc;

/// The one schedule a turn runs.
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Turn;

/// The turn schedule with its phases chained in order; `strict` makes any ambiguous
/// system order an error (tests use it).
pub fn turn_schedule(strict: bool) -> Schedule {
    let mut s = Schedule::new(Turn);
    s.set_executor(SingleThreadedExecutor::new());
    if strict {
        s.set_build_settings(ScheduleBuildSettings { ambiguity_detection: LogLevel::Error, ..Default::default() });
    }
    crate::rules::install(&mut s);
    s
}

/// A run: the world plus its turn schedule. Build one with [`Sim::new`]; for the next
/// run of a batch, [`Sim::rebuild`] it, which keeps the schedule (built and initialised
/// once) and the world's storage.
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
    pub end_date: Date,
    /// Outcome values in declaration order.
    pub outcomes: Vec<(String, OutcomeValue)>,
    /// Event log digest.
    pub digest: String,
}

impl Sim {
    /// Builds the world of `spec` for master seed `seed`.
    pub fn new(spec: &WorldSpec, seed: u64) -> Result<Sim, BuildError> {
        let mut world = World::new();
        populate(&mut world, spec, seed)?;
        Ok(Sim { world, schedule: turn_schedule(false) })
    }

    /// Replaces the world with that of `spec` for master seed `seed`, reusing the
    /// schedule and the world's storage. The result is the same as [`Sim::new`]'s.
    pub fn rebuild(&mut self, spec: &WorldSpec, seed: u64) -> Result<(), BuildError> {
        let keep = self.world.get_resource::<EventLog>().is_none_or(|l| l.keeps_entries());
        populate(&mut self.world, spec, seed)?;
        self.keep_log(keep);
        Ok(())
    }

    /// The state of the run as it stands, between two turns (its log must keep its
    /// entries, as it does unless [`Sim::keep_log`] turned that off).
    pub fn snapshot(&self) -> Result<Snapshot, SnapshotError> {
        Snapshot::of(&self.world)
    }

    /// Replaces the world with the state `snap` saved, built on the world of `spec` (the
    /// spec the snapshot was taken from, drawn with the same seed `seed`): the run then
    /// goes on exactly as the one the snapshot was taken from.
    pub fn restore(&mut self, spec: &WorldSpec, seed: u64, snap: &Snapshot) -> Result<(), SnapshotError> {
        self.rebuild_for(spec, seed)?;
        snap.restore(&mut self.world, None)
    }

    /// Replaces the world with a fork of `snap`: its state, built on the world of `spec`
    /// (an arm's, whose changes `plan` lists), with fresh random streams from master seed
    /// `seed`.
    pub fn fork(&mut self, spec: &WorldSpec, snap: &Snapshot, plan: &ForkPlan, seed: u64) -> Result<(), SnapshotError> {
        self.rebuild_for(spec, seed)?;
        snap.restore(&mut self.world, Some(seed))?;
        plan.apply(&mut self.world, spec);
        Ok(())
    }

    fn rebuild_for(&mut self, spec: &WorldSpec, seed: u64) -> Result<(), SnapshotError> {
        self.rebuild(spec, seed).map_err(|e| SnapshotError::Mismatch(e.to_string()))
    }

    /// Lets go of what the world shares with the spec it was built from (its event
    /// list), so that the spec can be changed in place before the next [`Sim::rebuild`]
    /// without a copy. The world must be rebuilt before it runs again.
    pub fn release_spec(&mut self) {
        if let Some(mut e) = self.world.get_resource_mut::<crate::model::script::Events>() {
            e.list = Arc::default();
        }
    }

    /// Whether the event log keeps its entries and a state hash is taken every turn (the
    /// default), or only the log's digest is kept, which is all a batch needs.
    pub fn keep_log(&mut self, keep: bool) {
        self.world.resource_mut::<EventLog>().keep_entries(keep);
        self.world.resource_mut::<RunState>().hash_turns = keep;
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

    /// The first day of the next turn (after the last turn, the day after it).
    pub fn date(&self) -> Date {
        self.world.resource::<Calendar>().date
    }

    /// Whether the run is over.
    pub fn finished(&self) -> bool {
        self.world.resource::<RunState>().finished
    }

    /// The outcomes, turns and digest as they stand.
    pub fn result(&self) -> RunResult {
        let cal = self.world.resource::<Calendar>();
        let outcomes = &self.world.resource::<Outcomes>().0;
        let facts = Facts::of(&self.world);
        RunResult {
            turns: cal.turn,
            end_date: cal.date,
            outcomes: outcomes.iter().map(|o| (o.key.clone(), o.value(&facts))).collect(),
            digest: self.world.resource::<EventLog>().digest(),
        }
    }

    /// The event log.
    pub fn log(&self) -> &EventLog {
        self.world.resource::<EventLog>()
    }

    /// The scenario's names of everything.
    pub fn names(&self) -> &Arc<Names> {
        &self.world.resource::<NameTable>().0
    }

    /// The per-turn state hashes.
    pub fn state_hashes(&self) -> &[u64] {
        &self.world.resource::<RunState>().state_hashes
    }

    /// Army `id` as it stands, if it has taken the field.
    pub fn army(&self, id: ArmyId) -> Option<ArmyView> {
        ArmyView::of(&self.world, id)
    }

    /// Province `id` as it stands.
    pub fn province(&self, id: ProvinceId) -> Option<ProvinceView> {
        ProvinceView::of(&self.world, id)
    }

    /// Faction `id` as it stands.
    pub fn faction(&self, id: FactionId) -> Option<FactionView> {
        FactionView::of(&self.world, id)
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
