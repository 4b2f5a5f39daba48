//! The record phase: a hash of the world after each turn, and the end of the run.

use crate::calendar::Calendar;
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::Location;
use crate::model::army::{Dissolved, Exposure, Fatigue, Hunger, Position, Spirit, Strength, Supplies};
use crate::model::faction::{Coffers, Stragglers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Walls};
use crate::record::log::{EventLog, LogKind};
use crate::record::outcome::Metrics;
use bevy_ecs::prelude::*;

/// Whether the run is over, and the state hash of every turn.
#[derive(Resource, Clone, Debug)]
pub struct RunState {
    /// The run has ended.
    pub finished: bool,
    /// Whether a state hash is taken after every turn (tools that compare runs turn by
    /// turn need them; a batch does not).
    pub hash_turns: bool,
    /// Hash of the world state after each turn.
    pub state_hashes: Vec<u64>,
}

impl Default for RunState {
    fn default() -> Self {
        RunState { finished: false, hash_turns: true, state_hashes: Vec::new() }
    }
}

/// Record phase, part 1: a hash of the state (armies, provinces, factions, and the event
/// log so far, which records every change of relations, access and flags), for comparing
/// runs turn by turn: xxh3 over the little-endian bits of the numbers, each army,
/// province and faction in a fixed place by id.
#[allow(clippy::type_complexity)]
pub fn hash_state(
    mut run: ResMut<RunState>,
    index: Res<Index>,
    armies: Query<
        (&ArmyId, &Strength, &Spirit, &Fatigue, (&Supplies, &Hunger, &Exposure), &Position),
        Without<Dissolved>,
    >,
    provinces: Query<(&ProvinceId, &Control, &Granary, &Walls)>,
    factions: Query<(&FactionId, &Coffers, &Weariness, &Stragglers)>,
    log: Res<EventLog>,
    mut bytes: Local<Vec<u8>>,
) {
    if !run.hash_turns {
        return;
    }
    // Fixed places: twelve words per army, three per province, five per faction, and the
    // digest of the log; little-endian bits of every number.
    let (na, np, nf) = (index.armies.len(), index.provinces.len(), index.factions.len());
    let (pa, pf) = (12 * na, 12 * na + 3 * np);
    bytes.clear();
    bytes.resize(8 * (pf + 5 * nf + 1), 0);
    let mut put = |word: usize, x: f64| bytes[8 * word..8 * word + 8].copy_from_slice(&x.to_bits().to_le_bytes());
    for (id, s, sp, fa, (su, hu, ex), pos) in &armies {
        let w = 12 * id.index();
        let words = [s.cavalry, s.infantry, s.siege, s.horses, sp.morale, sp.cohesion, fa.0, su.food, hu.days, ex.0];
        for (k, x) in words.into_iter().enumerate() {
            put(w + k, x);
        }
        match pos.0 {
            Location::At(p) => put(w + 10, f64::from(p.0)),
            Location::OnRoute { route, done, .. } => {
                put(w + 10, f64::from(route.0) + 1e6);
                put(w + 11, done);
            }
        }
    }
    for (id, c, g, w) in &provinces {
        let at = pa + 3 * id.index();
        for (k, x) in [f64::from(c.controller.0), g.grain, w.garrison].into_iter().enumerate() {
            put(at + k, x);
        }
    }
    for (id, c, w, st) in &factions {
        let at = pf + 5 * id.index();
        for (k, x) in [c.treasury, c.grain, c.manpower, w.weariness, st.men].into_iter().enumerate() {
            put(at + k, x);
        }
    }
    put(pf + 5 * nf, f64::from_bits(log.digest_u64()));
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
