//! Battles: hostile armies standing in one province fight.
//!
//! Power = (infantry + cavalry x cavalry_power x ground + siege crews x siege_crew_power)
//! x quality x morale x cohesion x fatigue x command x weather x defender ground, then a
//! log-normal draw on each side. The ratio of the two decides winner and losses.

use crate::calendar::Calendar;
use crate::diplomacy::Diplomacy;
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId};
use crate::log::{BattleArmy, EventLog, LogKind};
use crate::map::{RouteGraph, Terrain};
use crate::model::{Army, Commander, Faction, Location, Province};
use crate::outcome::{BattleRecord, Index, Metrics};
use crate::params::Params;
use crate::rng::Rngs;
use crate::weather::{Regions, Weather};
use bevy_ecs::prelude::*;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

/// Where a fight happens, as far as power is concerned.
#[derive(Clone, Copy, Debug)]
pub struct Ground {
    /// The province's terrain.
    pub terrain: Terrain,
    /// The weather there.
    pub weather: Weather,
    /// Whether this side holds the province (defender bonus applies).
    pub defending: bool,
}

/// Command factor of an army: its best living commander's skill, less the rivalry
/// penalty when two rivals share the command.
pub fn command_factor(commanders: &[&Commander], p: &Params) -> f64 {
    let best = commanders.iter().map(|c| c.skill).fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
    let skill = best.unwrap_or(0.5);
    let rivals = commanders.iter().any(|c| commanders.iter().any(|d| c.rivals.contains(&d.id)));
    (1.0 + p.command_weight * (skill - 0.5)) * if rivals { 1.0 - p.rivalry_penalty } else { 1.0 }
}

/// The deterministic power of an army on `ground` (no noise). Used by combat and by the
/// AI's estimate of the odds, so both read one formula.
pub fn army_power(a: &Army, p: &Params, ground: Ground, cold_adapted: bool, command: f64) -> f64 {
    let mounted = a.cavalry.min(a.horses);
    let on_foot = a.infantry + (a.cavalry - mounted);
    let cav_ground = match ground.terrain {
        Terrain::Plain => 1.0,
        Terrain::Hills => p.cavalry_hills,
        Terrain::Mountains | Terrain::Pass => p.cavalry_mountains,
        Terrain::River | Terrain::Marsh => p.cavalry_marsh,
    };
    let men = on_foot + mounted * p.cavalry_power * cav_ground + a.siege * p.siege_crew_power;
    let weather = match (ground.weather, cold_adapted) {
        (Weather::Rain, _) => p.combat_rain,
        (Weather::Snow, false) => p.combat_snow,
        (Weather::Blizzard, false) => p.combat_blizzard,
        _ => 1.0,
    };
    let defend = if ground.defending {
        match ground.terrain {
            Terrain::Hills => p.defend_hills,
            Terrain::Mountains => p.defend_mountains,
            Terrain::Pass => p.defend_pass,
            _ => 1.0,
        }
    } else {
        1.0
    };
    men * a.quality
        * (0.5 + 0.5 * a.morale)
        * (0.5 + 0.5 * a.cohesion)
        * (1.0 - p.fatigue_combat_penalty * a.fatigue)
        * command
        * weather
        * defend
}

/// The share of its power a routed army still brings to a fight on day `day`.
pub fn routed_factor(a: &Army, day: i64, p: &Params) -> f64 {
    if a.routed(day) { p.routed_power } else { 1.0 }
}

/// Losses of (loser, winner) as fractions, for a power ratio `r >= 1`.
pub fn battle_losses(r: f64, p: &Params) -> (f64, f64) {
    let k = r.max(1.0).powf(p.battle_loss_exponent);
    ((p.battle_loss * k).min(p.battle_loss_cap), p.battle_loss * p.winner_loss_share / k)
}

struct Fighter {
    id: ArmyId,
    entity: Entity,
    faction: FactionId,
    province: ProvinceId,
}

/// Combat phase: in each province (by id) where armies of factions at war stand, the
/// two sides fight one battle.
#[allow(clippy::too_many_arguments)]
pub fn resolve_battles(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    regions: Res<Regions>,
    index: Res<Index>,
    mut armies: Query<&mut Army>,
    provinces: Query<&Province>,
    factions: Query<&Faction>,
    commanders: Query<&Commander>,
    mut rngs: ResMut<Rngs>,
    mut metrics: ResMut<Metrics>,
    mut log: ResMut<EventLog>,
) {
    let p = &*params;
    let today = cal.date.to_days();
    let mut fighters: Vec<Fighter> = armies
        .iter()
        .filter(|a| !a.destroyed)
        .filter_map(|a| a.location.province().map(|pr| (a, pr)))
        .map(|(a, pr)| Fighter { id: a.id, entity: index.armies[a.id.index()], faction: a.faction, province: pr })
        .collect();
    fighters.sort_by_key(|f| (f.province, f.id));

    let mut start = 0;
    while start < fighters.len() {
        let here = fighters[start].province;
        let end = start + fighters[start..].iter().take_while(|f| f.province == here).count();
        let group = &fighters[start..end];
        start = end;
        // The first faction (by id) with an enemy present leads side A.
        let mut facs: Vec<FactionId> = group.iter().map(|f| f.faction).collect();
        facs.dedup();
        facs.sort();
        facs.dedup();
        let Some(&lead) = facs.iter().find(|&&a| facs.iter().any(|&b| diplomacy.at_war(a, b))) else { continue };
        let side_b: Vec<&Fighter> = group.iter().filter(|f| diplomacy.at_war(lead, f.faction)).collect();
        let side_a: Vec<&Fighter> = group
            .iter()
            .filter(|f| {
                diplomacy.friendly(lead, f.faction) && side_b.iter().any(|b| diplomacy.at_war(f.faction, b.faction))
            })
            .collect();
        if side_a.is_empty() || side_b.is_empty() {
            continue;
        }
        let prov = provinces.get(index.provinces[here.index()]).ok();
        let Some(prov) = prov else { continue };
        let weather = regions.0.get(prov.zone as usize).map_or(Weather::Clear, |r| r.weather);
        let power_of = |side: &[&Fighter]| -> f64 {
            let ids: Vec<CommanderId> = side
                .iter()
                .filter_map(|f| armies.get(f.entity).ok())
                .flat_map(|a| a.commanders.iter().copied())
                .collect();
            let cmds: Vec<&Commander> =
                ids.iter().filter_map(|c| commanders.get(index.commanders[c.index()]).ok()).collect();
            let rivalry = cmds.iter().any(|c| cmds.iter().any(|d| c.rivals.contains(&d.id)));
            side.iter()
                .filter_map(|f| armies.get(f.entity).ok().map(|a| (f, a)))
                .map(|(f, a)| {
                    let own: Vec<&Commander> =
                        a.commanders.iter().filter_map(|c| commanders.get(index.commanders[c.index()]).ok()).collect();
                    let mut command = command_factor(&own, p);
                    if rivalry && !own.iter().any(|c| own.iter().any(|d| c.rivals.contains(&d.id))) {
                        command *= 1.0 - p.rivalry_penalty;
                    }
                    let cold = factions.get(index.factions[f.faction.index()]).is_ok_and(|x| x.cold_adapted);
                    let ground = Ground {
                        terrain: prov.terrain,
                        weather,
                        defending: diplomacy.friendly(f.faction, prov.controller),
                    };
                    army_power(a, p, ground, cold, command) * routed_factor(a, today, p)
                })
                .sum()
        };
        let pa = power_of(&side_a) * noise(&mut rngs.combat, p.combat_noise);
        let pb = power_of(&side_b) * noise(&mut rngs.combat, p.combat_noise);
        if pa <= 0.0 || pb <= 0.0 {
            continue;
        }
        let (winners, losers, r) = if pa >= pb { (side_a, side_b, pa / pb) } else { (side_b, side_a, pb / pa) };
        let (loser_loss, winner_loss) = battle_losses(r, p);
        let winner_cav: f64 =
            winners.iter().filter_map(|f| armies.get(f.entity).ok()).map(|a| a.cavalry.min(a.horses)).sum();
        let loser_men: f64 = losers.iter().filter_map(|f| armies.get(f.entity).ok()).map(Army::men).sum();
        let rout_by_ratio = r >= p.rout_ratio;
        let mut any_rout = false;

        let mut won = Vec::new();
        for f in &winners {
            let Ok(mut a) = armies.get_mut(f.entity) else { continue };
            let men = a.men();
            let lost = a.lose(winner_loss);
            a.morale = (a.morale + p.victory_morale_gain).min(1.0);
            a.cohesion = (a.cohesion - winner_loss).max(0.0);
            won.push(BattleArmy { army: a.key.clone(), faction: faction_key(&factions, &index, a.faction), men, lost });
        }
        let mut lost_side = Vec::new();
        let mut retreats = Vec::new();
        for f in &losers {
            let Ok(mut a) = armies.get_mut(f.entity) else { continue };
            let men = a.men();
            let mut frac = loser_loss;
            a.morale = (a.morale - p.defeat_morale_loss).max(0.0);
            a.cohesion = (a.cohesion - 2.0 * loser_loss).max(0.0);
            let rout = rout_by_ratio || a.morale < p.rout_morale;
            if rout {
                any_rout = true;
                frac += p.pursuit_loss * (winner_cav / loser_men.max(1.0)).min(1.0);
                a.routs += 1;
                a.routed_until = Some(today + p.rout_days.round() as i64);
            }
            let lost = a.lose(frac);
            a.besieging = None;
            lost_side.push(BattleArmy {
                army: a.key.clone(),
                faction: faction_key(&factions, &index, a.faction),
                men,
                lost,
            });
            retreats.push(f.entity);
        }
        // The faction with the most men on the winning side is named the winner.
        let winner_faction = winners
            .iter()
            .filter_map(|f| armies.get(f.entity).ok().map(|a| (f.faction, a.men())))
            .fold(Vec::<(FactionId, f64)>::new(), |mut acc, (f, m)| {
                match acc.iter_mut().find(|x| x.0 == f) {
                    Some(x) => x.1 += m,
                    None => acc.push((f, m)),
                }
                acc
            })
            .into_iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or(winners[0].faction, |x| x.0);
        let engaged: f64 = won.iter().chain(lost_side.iter()).map(|b| b.men).sum();
        let mut wf: Vec<FactionId> = winners.iter().map(|f| f.faction).collect();
        let mut lf: Vec<FactionId> = losers.iter().map(|f| f.faction).collect();
        wf.sort();
        wf.dedup();
        lf.sort();
        lf.dedup();
        // The named winner leads the list, so outcomes and the chronicle agree.
        wf.retain(|f| *f != winner_faction);
        wf.insert(0, winner_faction);
        metrics.battles.push(BattleRecord { winners: wf, losers: lf, men: engaged });
        log.push(
            &cal,
            LogKind::Battle {
                province: prov.key.clone(),
                weather,
                winner: faction_key(&factions, &index, winner_faction),
                ratio: (r * 100.0).round() / 100.0,
                rout: any_rout,
                winners: won,
                losers: lost_side,
            },
        );

        // The beaten fall back to a neighbouring province their side holds, without enemies.
        for e in retreats {
            let Ok(mut a) = armies.get_mut(e) else { continue };
            let faction = a.faction;
            let dest = graph
                .neighbours(here)
                .iter()
                .filter(|(r, _)| graph.route(*r).open_in(cal.date.season()))
                .filter_map(|(r, n)| provinces.get(index.provinces[n.index()]).ok().map(|pv| (graph.route(*r).km, pv)))
                .filter(|(_, pv)| diplomacy.friendly(faction, pv.controller))
                .filter(|(_, pv)| !fighters.iter().any(|f| f.province == pv.id && diplomacy.at_war(faction, f.faction)))
                .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.id.cmp(&y.1.id)))
                .map(|(_, pv)| (pv.id, pv.key.clone()));
            match dest {
                Some((to, to_key)) => {
                    a.location = Location::At(to);
                    log.push(&cal, LogKind::Retreat { army: a.key.clone(), from: prov.key.clone(), to: to_key });
                }
                None => {
                    a.lose(p.no_retreat_loss);
                    log.push(&cal, LogKind::Trapped { army: a.key.clone(), province: prov.key.clone() });
                }
            }
        }
    }
}

/// Disbands armies that have fallen below the minimum, after every phase that kills men.
pub fn disband_broken(
    cal: Res<Calendar>,
    params: Res<Params>,
    mut armies: Query<&mut Army>,
    mut log: ResMut<EventLog>,
) {
    let mut broken: Vec<Mut<Army>> =
        armies.iter_mut().filter(|a| !a.destroyed && a.men() < params.min_army_men).collect();
    broken.sort_by_key(|a| a.id);
    for mut a in broken {
        a.destroyed = true;
        a.besieging = None;
        a.lost += a.men();
        log.push(&cal, LogKind::ArmyDestroyed { army: a.key.clone(), cause: "too few men left".into() });
    }
}

fn faction_key(factions: &Query<&Faction>, index: &Index, f: FactionId) -> String {
    factions.get(index.factions[f.index()]).map_or_else(|_| "?".into(), |x| x.key.clone())
}

/// A log-normal factor with log-sd `sigma`: the luck of one side in one fight.
pub fn noise(rng: &mut impl Rng, sigma: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    (sigma.max(0.0) * z).exp()
}
