//! The record phase: a hash of the world after each turn, and the end of the run.

use crate::calendar::Calendar;
use crate::model::army::Location;
use crate::model::army::{Dissolved, Fatigue, Position, Spirit, Strength, Supplies};
use crate::model::faction::{Coffers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Walls};
use crate::record::log::{EventLog, LogKind};
use crate::record::outcome::Metrics;
use bevy_ecs::prelude::*;
use xxhash_rust::xxh3::Xxh3;

/// Whether the run is over, and the state hash of every turn.
#[derive(Resource, Clone, Debug, Default)]
pub struct RunState {
    /// The run has ended.
    pub finished: bool,
    /// Hash of the world state after each turn.
    pub state_hashes: Vec<u64>,
}

/// Record phase, part 1: a hash of the state (armies, provinces, factions, and the event
/// log so far, which records every change of relations, access and flags), for comparing
/// runs turn by turn. Armies, provinces and factions are hashed by id.
#[allow(clippy::type_complexity)]
pub fn hash_state(
    mut run: ResMut<RunState>,
    index: Res<Index>,
    armies: Query<(&Strength, &Spirit, &Fatigue, &Supplies, &Position), Without<Dissolved>>,
    provinces: Query<(&Control, &Granary, &Walls)>,
    factions: Query<(&Coffers, &Weariness)>,
    log: Res<EventLog>,
) {
    let mut h = Xxh3::new();
    let mut f = |x: f64| h.update(&x.to_bits().to_le_bytes());
    for e in &index.armies {
        if let Ok((s, sp, fa, su, pos)) = armies.get(*e) {
            for x in [s.cavalry, s.infantry, s.siege, s.horses, sp.morale, sp.cohesion, fa.0, su.food] {
                f(x);
            }
            match pos.0 {
                Location::At(p) => f(f64::from(p.0)),
                Location::OnRoute { route, done, .. } => {
                    f(f64::from(route.0) + 1e6);
                    f(done);
                }
            }
        }
    }
    for e in &index.provinces {
        if let Ok((c, g, w)) = provinces.get(*e) {
            for x in [f64::from(c.controller.0), g.grain, w.garrison] {
                f(x);
            }
        }
    }
    for e in &index.factions {
        if let Ok((c, w)) = factions.get(*e) {
            for v in [c.treasury, c.grain, c.manpower, w.weariness] {
                f(v);
            }
        }
    }
    f(f64::from_bits(log.digest_u64()));
    run.state_hashes.push(h.digest());
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
