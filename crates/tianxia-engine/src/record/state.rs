//! The record phase: a hash of the world after each turn, and the end of the run.

use crate::calendar::Calendar;
use crate::ids::{FactionId, ProvinceId};
use crate::model::army::Location;
use crate::model::army::{Dissolved, Fatigue, Position, Spirit, Strength, Supplies};
use crate::model::faction::{Coffers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Walls};
use crate::record::log::{EventLog, LogKind};
use crate::record::outcome::Metrics;
use bevy_ecs::prelude::*;

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
/// runs turn by turn: xxh3 over the little-endian bits of the numbers, armies, provinces
/// and factions each in id order.
#[allow(clippy::type_complexity)]
pub fn hash_state(
    mut run: ResMut<RunState>,
    index: Res<Index>,
    armies: Query<(&Strength, &Spirit, &Fatigue, &Supplies, &Position), Without<Dissolved>>,
    provinces: Query<(&ProvinceId, &Control, &Granary, &Walls)>,
    factions: Query<(&FactionId, &Coffers, &Weariness)>,
    log: Res<EventLog>,
    mut buffers: Local<(Vec<u64>, Vec<u8>)>,
) {
    let (words, bytes) = &mut *buffers;
    words.clear();
    for e in &index.armies {
        if let Ok((s, sp, fa, su, pos)) = armies.get(*e) {
            for x in [s.cavalry, s.infantry, s.siege, s.horses, sp.morale, sp.cohesion, fa.0, su.food] {
                words.push(x.to_bits());
            }
            match pos.0 {
                Location::At(p) => words.push(f64::from(p.0).to_bits()),
                Location::OnRoute { route, done, .. } => {
                    words.push((f64::from(route.0) + 1e6).to_bits());
                    words.push(done.to_bits());
                }
            }
        }
    }
    let base = words.len();
    words.resize(base + 3 * index.provinces.len() + 4 * index.factions.len(), 0);
    for (id, c, g, w) in &provinces {
        let at = base + 3 * id.index();
        words[at..at + 3].copy_from_slice(&[
            f64::from(c.controller.0).to_bits(),
            g.grain.to_bits(),
            w.garrison.to_bits(),
        ]);
    }
    let base = base + 3 * index.provinces.len();
    for (id, c, w) in &factions {
        let at = base + 4 * id.index();
        words[at..at + 4].copy_from_slice(&[
            c.treasury.to_bits(),
            c.grain.to_bits(),
            c.manpower.to_bits(),
            w.weariness.to_bits(),
        ]);
    }
    words.push(log.digest_u64());
    bytes.clear();
    for w in words.iter() {
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    run.state_hashes.push(xxhash_rust::xxh3::xxh3_64(bytes));
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
