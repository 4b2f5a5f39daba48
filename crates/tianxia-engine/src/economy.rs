//! Economy: harvests, the central granary, manpower, reinforcements, war weariness and
//! the drain of fronts off the map.

use crate::calendar::Calendar;
use crate::diplomacy::Diplomacy;
use crate::ids::{ArmyId, FactionId};
use crate::model::{Army, Faction, Province};
use crate::outcome::Index;
use crate::params::Params;
use bevy_ecs::prelude::*;

/// Economy phase.
#[allow(clippy::too_many_arguments)]
pub fn run_economy(
    cal: Res<Calendar>,
    params: Res<Params>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    mut factions: Query<&mut Faction>,
    mut provinces: Query<&mut Province>,
    mut armies: Query<&mut Army>,
) {
    let p = &*params;
    let days = cal.days();
    let year_share = days / 365.0;
    let n = index.factions.len();
    let mut taxed = vec![0.0; n];
    let mut people = vec![0.0; n];
    let harvest_months = cal.months_starting();

    // Harvests come in on the 1st of the harvest month; a besieged province loses its own.
    for e in &index.provinces {
        let Ok(mut pv) = provinces.get_mut(*e) else { continue };
        let c = pv.controller.index();
        if c < n {
            people[c] += pv.population;
        }
        if pv.besieger.is_none() && harvest_months.get(usize::from(pv.harvest_month)).copied().unwrap_or(false) {
            let tax = pv.harvest * p.grain_tax;
            pv.grain += pv.harvest - tax;
            if c < n {
                taxed[c] += tax;
            }
        }
    }
    // Armies' losses this turn feed war weariness.
    let mut lost = vec![0.0; n];
    for e in &index.armies {
        if let Ok(a) = armies.get(*e)
            && a.faction.index() < n
        {
            lost[a.faction.index()] += a.lost;
        }
    }
    for (i, e) in index.factions.iter().enumerate() {
        let Ok(mut f) = factions.get_mut(*e) else { continue };
        f.grain = (f.grain + taxed[i] - f.drain_grain * year_share).max(0.0);
        f.manpower = (f.manpower + people[i] * p.manpower_rate * year_share - f.drain_men * year_share).max(0.0);
        let new_losses = (lost[i] - f.losses).max(0.0);
        f.losses = lost[i];
        f.weariness += new_losses / 10_000.0 * p.weariness_per_loss;
        if !diplomacy.at_war_with_anyone(FactionId(i as u32)) {
            f.weariness -= p.weariness_decay * days;
        }
        f.weariness = f.weariness.clamp(0.0, 1.0);
    }

    // Reinforcements reach armies resting in their own land.
    let mut order: Vec<(ArmyId, Entity)> =
        armies.iter().filter(|a| !a.destroyed).map(|a| (a.id, index.armies[a.id.index()])).collect();
    order.sort();
    for (_, e) in order {
        let Ok(mut a) = armies.get_mut(e) else { continue };
        let Some(q) = a.location.province() else { continue };
        let Ok(pv) = provinces.get(index.provinces[q.index()]) else { continue };
        if pv.controller != a.faction || a.besieging.is_some() || a.routed(cal.date.to_days()) {
            continue;
        }
        let Ok(mut f) = factions.get_mut(index.factions[a.faction.index()]) else { continue };
        let deficit = a.establishment - a.men();
        let cost = p.reinforce_grain.max(1e-9);
        let raise = deficit.min(a.committed * p.reinforce_rate * days).min(f.manpower).min(f.grain / cost);
        if raise < 1.0 {
            continue;
        }
        f.manpower -= raise;
        f.grain -= raise * cost;
        a.infantry += raise;
        a.committed += raise;
    }
}
