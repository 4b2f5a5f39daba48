//! Pursuit and dissolution: what becomes of beaten armies and their commanders.
//!
//! A routed army loses cohesion every day of its rout, and men — killed, taken and
//! scattered — every day enemy horse within one route of it can ride it down. An army
//! whose men or cohesion fall below a threshold dissolves: it is gone from every rule, a
//! share of its scattered men drifts back to its faction's manpower, and each of its
//! commanders is killed, taken or escapes by chance. A battle can also cost a commander
//! ([`lose_commanders`], called by combat).

use crate::calendar::Calendar;
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::*;
use crate::model::commander::{Escaped, Fallen, Fate};
use crate::model::diplomacy::Diplomacy;
use crate::model::faction::Stragglers;
use crate::model::index::Index;
use crate::model::route::RouteGraph;
use crate::params::Params;
use crate::record::log::{Cause, EventLog, LogKind};
use crate::rng::Rngs;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Where a commander is lost, for the chronicle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// In a battle.
    Battle,
    /// As his army broke up.
    Dissolution,
}

/// Rolls, for each commander of an army in turn, whether he is lost (`chance`), and if so
/// whether killed (`p.commander_killed_share`) or taken; the lost leave `commanders`, are
/// marked [`Fallen`] and logged.
#[allow(clippy::too_many_arguments)]
pub fn lose_commanders(
    commanders: &mut Commanders,
    chance: f64,
    loss: Loss,
    p: &Params,
    rng: &mut impl rand::Rng,
    index: &Index,
    cal: &Calendar,
    commands: &mut Commands,
    log: &mut EventLog,
) {
    if chance <= 0.0 || commanders.0.is_empty() {
        return;
    }
    let mut i = 0;
    while i < commanders.0.len() {
        let c = commanders.0[i];
        if rng.random::<f64>() >= chance {
            i += 1;
            continue;
        }
        let killed = rng.random::<f64>() < p.commander_killed_share;
        commanders.0.remove(i);
        if let Some(&e) = index.commanders.get(c.index()) {
            let fate = if killed { Fate::Killed } else { Fate::Captured };
            commands.entity(e).insert(Fallen { on: cal.date, fate });
        }
        let cause = match (killed, loss) {
            (true, Loss::Battle) => "killed in battle",
            (false, Loss::Battle) => "taken prisoner in battle",
            (true, Loss::Dissolution) => "killed as his army broke up",
            (false, Loss::Dissolution) => "taken prisoner as his army broke up",
        };
        log.push(cal, LogKind::CommanderLost { commander: c, cause: cause.into() });
    }
}

/// Adds scattered men of faction `f` to its stragglers (the share that will find its way
/// back).
fn scatter(stragglers: &mut Query<&mut Stragglers>, index: &Index, f: FactionId, men: f64, p: &Params) {
    if let Some(&e) = index.factions.get(f.index())
        && let Ok(mut s) = stragglers.get_mut(e)
    {
        s.men += men * p.dispersed_return_share.clamp(0.0, 1.0);
    }
}

/// An army that can ride down the routed: where it is and its horse.
type Rider = (&'static Allegiance, &'static Position, &'static Strength);

type Fleeing = (
    &'static ArmyId,
    &'static Allegiance,
    &'static Position,
    &'static Routed,
    &'static mut Strength,
    &'static mut Spirit,
    &'static mut Ledger,
);

/// Buffers the pursuit reuses from turn to turn.
#[derive(Default)]
pub struct PursuitScratch {
    /// Horse in good order by faction and province, and the provinces it was added to.
    horse: Vec<f64>,
    touched: Vec<usize>,
    routed: Vec<(ArmyId, Entity)>,
    near: Vec<ProvinceId>,
}

/// Combat phase, after the battles: every routed army (by id) loses order, and men to the
/// enemy horse within one route of where it stands.
#[allow(clippy::too_many_arguments)]
pub fn pursue_routed(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    riders: Query<Rider, (Without<Routed>, Without<Dissolved>)>,
    mut fleeing: Query<Fleeing, Without<Dissolved>>,
    mut stragglers: Query<&mut Stragglers>,
    mut log: ResMut<EventLog>,
    mut scratch: Local<PursuitScratch>,
) {
    let p = &*params;
    let today = cal.date.to_days();
    let PursuitScratch { horse, touched, routed, near } = &mut *scratch;
    routed.clear();
    routed.extend(fleeing.iter().filter(|x| x.3.until > today).map(|x| (*x.0, index.armies[x.0.index()])));
    if routed.is_empty() {
        return;
    }
    routed.sort_unstable_by_key(|x| x.0);
    // Horse in good order, by faction then province (summed in army id order).
    let (nf, np) = (index.factions.len(), index.provinces.len());
    if horse.len() != nf * np {
        horse.clear();
        horse.resize(nf * np, 0.0);
    }
    for e in &index.armies {
        let Ok((al, pos, s)) = riders.get(*e) else { continue };
        let Some(q) = pos.0.province() else { continue };
        let k = al.0.index() * np + q.index();
        if horse[k] == 0.0 {
            touched.push(k);
        }
        horse[k] += s.mounted();
    }
    let days_left = |until: i64| (until - today).clamp(0, i64::from(cal.turn_days)) as f64;
    for &(id, e) in routed.iter() {
        let Ok((_, al, pos, r, mut s, mut spirit, mut ledger)) = fleeing.get_mut(e) else { continue };
        let days = days_left(r.until);
        spirit.cohesion = (spirit.cohesion - p.rout_cohesion_loss * days).max(0.0);
        let here = pos.0.nearest(|x| graph.way(x).km);
        // Its place and each neighbour by an open route, once each (two provinces may be
        // joined by more than one route).
        near.clear();
        near.push(here);
        for &(r, n) in graph.neighbours(here) {
            if graph.is_open(r) && !near.contains(&n) {
                near.push(n);
            }
        }
        let mut pursuers = 0.0;
        for g in (0..nf).map(|g| FactionId(g as u32)).filter(|g| diplomacy.at_war(al.0, *g)) {
            let row = &horse[g.index() * np..(g.index() + 1) * np];
            pursuers += near.iter().map(|q| row[q.index()]).sum::<f64>();
        }
        let men = s.men();
        if pursuers <= 0.0 || men <= 0.0 {
            continue;
        }
        let lost = s.lose(p.pursuit_per_day * (pursuers / men).min(1.0) * days);
        if lost <= 0.0 {
            continue;
        }
        ledger.lost += lost;
        let killed = lost * p.pursuit_killed_share;
        let captured = lost * p.pursuit_captured_share;
        let dispersed = (lost - killed - captured).max(0.0);
        scatter(&mut stragglers, &index, al.0, dispersed, p);
        log.push(&cal, LogKind::Pursued { army: id, killed, captured, dispersed });
    }
    for k in touched.drain(..) {
        horse[k] = 0.0;
    }
}

/// An army that dissolves: id, entity, faction, men left, and whether too few are left
/// (else its order is gone).
type Broken = (ArmyId, Entity, FactionId, f64, bool);

type Breaking = (&'static ArmyId, Entity, &'static Allegiance, &'static Strength, &'static Spirit);

/// After every phase that costs men or order: armies (by id) with fewer than
/// `min_army_men` men or less than `dissolve_cohesion` cohesion dissolve.
#[allow(clippy::too_many_arguments)]
pub fn dissolve_broken(
    cal: Res<Calendar>,
    params: Res<Params>,
    index: Res<Index>,
    armies: Query<Breaking, Without<Dissolved>>,
    mut ledgers: Query<(&mut Ledger, &mut Commanders)>,
    mut stragglers: Query<&mut Stragglers>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
    mut commands: Commands,
    mut broken: Local<Vec<Broken>>,
) {
    let p = &*params;
    broken.clear();
    broken.extend(
        armies
            .iter()
            .filter(|(.., s, sp)| s.men() < p.min_army_men || sp.cohesion < p.dissolve_cohesion)
            .map(|(id, e, al, s, _)| (*id, e, al.0, s.men(), s.men() < p.min_army_men)),
    );
    if broken.is_empty() {
        return;
    }
    broken.sort_by_key(|b| b.0);
    for &(id, e, f, men, too_few) in broken.iter() {
        let Ok((mut ledger, mut cmd)) = ledgers.get_mut(e) else { continue };
        ledger.lost += men;
        scatter(&mut stragglers, &index, f, men, p);
        lose_commanders(
            &mut cmd,
            p.dissolve_commander_loss,
            Loss::Dissolution,
            p,
            &mut rngs.combat,
            &index,
            &cal,
            &mut commands,
            &mut log,
        );
        // Those who escape are free, in no army.
        for c in cmd.0.drain(..) {
            if let Some(&ce) = index.commanders.get(c.index()) {
                commands.entity(ce).insert(Escaped { on: cal.date });
            }
        }
        commands.entity(e).insert(Dissolved { on: cal.date }).remove::<Besieging>();
        let cause = if too_few { Cause::TooFewMen } else { Cause::BrokenUp };
        log.push(&cal, LogKind::ArmyDestroyed { army: id, cause });
    }
}
