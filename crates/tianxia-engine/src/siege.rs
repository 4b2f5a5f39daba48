//! Sieges and captures.
//!
//! An army ending its turn in a province of a faction it is at war with takes it at once
//! if no garrison holds it. If a garrison holds the walls and the army's orders say
//! besiege, it lays siege: inside, the garrison and the people eat the grain; when it is
//! gone the garrison starves and may surrender. Each turn the besiegers assault if their
//! power is at least `assault_odds` times the fortified garrison's.

use crate::ai::Orders;
use crate::calendar::Calendar;
use crate::combat::{battle_losses, noise};
use crate::diplomacy::Diplomacy;
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::log::{EventLog, LogKind};
use crate::model::{Army, Faction, Province};
use crate::outcome::Index;
use crate::params::Params;
use crate::rng::Rngs;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Power of a garrison behind walls of level `fort`.
pub fn garrison_power(men: f64, fort: u8, p: &Params) -> f64 {
    men * (1.0 + p.fort_defense * f64::from(fort))
}

/// Assault power of an army: its men, with the siege train counted at `siege_assault_power`.
pub fn assault_power(a: &Army, p: &Params) -> f64 {
    (a.infantry + a.cavalry + a.siege * p.siege_assault_power) * a.quality * (0.5 + 0.5 * a.morale)
}

/// Siege phase.
#[allow(clippy::too_many_arguments)]
pub fn conduct_sieges(
    cal: Res<Calendar>,
    params: Res<Params>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    mut armies: Query<(&mut Army, &Orders)>,
    mut provinces: Query<&mut Province>,
    factions: Query<&Faction>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
) {
    let p = &*params;
    let days = cal.days();
    let today = cal.date.to_days();
    // Armies standing in enemy provinces, grouped by province (then army id).
    let mut at: Vec<(ProvinceId, ArmyId, FactionId, bool)> = Vec::new();
    // Whoever besieges this turn is marked again below.
    for (mut a, _) in armies.iter_mut() {
        a.besieging = None;
    }
    for (a, o) in armies.iter() {
        let Some(q) = a.location.province() else { continue };
        if a.destroyed || a.routed(today) {
            continue;
        }
        let Ok(pv) = provinces.get(index.provinces[q.index()]) else { continue };
        if diplomacy.at_war(a.faction, pv.controller) {
            at.push((q, a.id, a.faction, o.besiege && o.goal == Some(q)));
        }
    }
    at.sort_by_key(|x| (x.0, x.1));
    let fkey = |f: FactionId| factions.get(index.factions[f.index()]).map_or_else(|_| "?".into(), |x| x.key.clone());

    let mut besieged: Vec<ProvinceId> = Vec::new();
    let mut i = 0;
    while i < at.len() {
        let q = at[i].0;
        let group: Vec<_> = at[i..].iter().take_while(|x| x.0 == q).copied().collect();
        i += group.len();
        // The first army ordered to besiege leads; if none is, the first army there.
        let lead = group.iter().find(|x| x.3).unwrap_or(&group[0]).2;
        let Ok(mut pv) = provinces.get_mut(index.provinces[q.index()]) else { continue };
        let from = pv.controller;

        if pv.garrison < 1.0 {
            capture(
                &mut pv,
                lead,
                &group,
                &mut armies,
                &index,
                p,
                &cal,
                &mut log,
                &fkey(lead),
                &fkey(from),
                "undefended",
            );
            continue;
        }
        // Only armies ordered to besiege sit down before the walls; others pass by.
        let besiegers: Vec<Entity> = group.iter().filter(|x| x.3).map(|x| index.armies[x.1.index()]).collect();
        if besiegers.is_empty() {
            continue;
        }
        besieged.push(q);
        if pv.besieger.is_none() {
            pv.besieger = Some(lead);
            pv.siege_days = 0.0;
            log.push(
                &cal,
                LogKind::SiegeBegun {
                    province: pv.key.clone(),
                    besieger: fkey(lead),
                    garrison: pv.garrison,
                    grain: pv.grain,
                },
            );
        }
        for &e in &besiegers {
            if let Ok((mut a, _)) = armies.get_mut(e) {
                a.besieging = Some(q);
            }
        }
        pv.siege_days += days;

        // Hunger inside the walls.
        let eat = (pv.garrison * p.ration + pv.population * p.civilian_ration) * days;
        let had = pv.grain;
        pv.grain = (pv.grain - eat).max(0.0);
        if pv.grain <= 0.0 {
            if had > 0.0 {
                log.push(&cal, LogKind::SiegeStarving { province: pv.key.clone() });
            }
            let short_days = if eat > 0.0 { days * (1.0 - had / eat) } else { days };
            pv.garrison *= (1.0 - p.siege_starvation * short_days).max(0.0);
            if rngs.siege.random::<f64>() < p.starving_surrender_chance {
                capture(
                    &mut pv,
                    lead,
                    &group,
                    &mut armies,
                    &index,
                    p,
                    &cal,
                    &mut log,
                    &fkey(lead),
                    &fkey(from),
                    "starved into surrender",
                );
                continue;
            }
        }

        // Assault if the odds allow.
        let attack: f64 = besiegers.iter().filter_map(|e| armies.get(*e).ok()).map(|(a, _)| assault_power(a, p)).sum();
        let defence = garrison_power(pv.garrison, pv.fort, p);
        if defence > 0.0 && attack / defence >= p.assault_odds {
            let na = attack * noise(&mut rngs.siege, p.combat_noise);
            let nd = defence * noise(&mut rngs.siege, p.combat_noise);
            let success = na > nd;
            let r = if success { na / nd } else { nd / na };
            let (beaten, victor) = battle_losses(r, p);
            let scale = p.assault_loss / p.battle_loss.max(1e-9);
            let (att_frac, def_frac) =
                if success { (victor * scale, beaten * scale) } else { (beaten * scale, victor * scale) };
            let att_frac = (att_frac * p.assault_attacker_factor).min(1.0);
            let mut attackers = 0.0;
            let mut att_lost = 0.0;
            for &e in &besiegers {
                if let Ok((mut a, _)) = armies.get_mut(e) {
                    attackers += a.men();
                    att_lost += a.lose(att_frac);
                }
            }
            let garrison = pv.garrison;
            let def_lost = garrison * def_frac.min(1.0);
            pv.garrison -= def_lost;
            let carried = success && pv.garrison < garrison * p.assault_carry_share;
            log.push(
                &cal,
                LogKind::Assault {
                    province: pv.key.clone(),
                    attackers,
                    garrison,
                    success: carried,
                    attacker_lost: att_lost,
                    defender_lost: def_lost,
                },
            );
            if carried {
                capture(
                    &mut pv,
                    lead,
                    &group,
                    &mut armies,
                    &index,
                    p,
                    &cal,
                    &mut log,
                    &fkey(lead),
                    &fkey(from),
                    "by assault",
                );
            }
        }
    }
    // Sieges with nobody left before the walls are lifted.
    for mut pv in provinces.iter_mut() {
        if pv.besieger.is_some() && !besieged.contains(&pv.id) {
            pv.besieger = None;
            pv.siege_days = 0.0;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn capture(
    pv: &mut Province,
    by: FactionId,
    group: &[(ProvinceId, ArmyId, FactionId, bool)],
    armies: &mut Query<(&mut Army, &Orders)>,
    index: &Index,
    p: &Params,
    cal: &Calendar,
    log: &mut EventLog,
    by_key: &str,
    from_key: &str,
    how: &str,
) {
    pv.controller = by;
    pv.besieger = None;
    pv.siege_days = 0.0;
    let loot = pv.grain * p.capture_loot;
    pv.grain -= loot;
    let mut garrison = 0.0;
    let takers: Vec<ArmyId> = group.iter().filter(|x| x.2 == by).map(|x| x.1).collect();
    let share = loot / takers.len().max(1) as f64;
    for id in takers {
        if let Ok((mut a, _)) = armies.get_mut(index.armies[id.index()]) {
            a.food += share;
            a.besieging = None;
            if pv.fort > 0 {
                let left = a.men() * p.occupation_share;
                let frac = if a.men() > 0.0 { left / a.men() } else { 0.0 };
                a.infantry *= 1.0 - frac;
                a.cavalry *= 1.0 - frac;
                a.siege *= 1.0 - frac;
                a.establishment -= left;
                garrison += left;
            }
        }
    }
    pv.garrison = garrison;
    log.push(
        cal,
        LogKind::Captured { province: pv.key.clone(), by: by_key.into(), from: from_key.into(), how: how.into() },
    );
}
