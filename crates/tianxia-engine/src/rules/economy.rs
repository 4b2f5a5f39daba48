//! Economy: harvests, the central granary, manpower, reinforcements, war weariness and
//! the drain of fronts off the map.

use crate::calendar::Calendar;
use crate::ids::{FactionId, ProvinceId};
use crate::model::army::*;
use crate::model::diplomacy::Diplomacy;
use crate::model::faction::{Coffers, Drain, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Population, Siege};
use crate::params::Params;
use bevy_ecs::prelude::*;

/// Per-faction sums the economy phase reuses from turn to turn.
#[derive(Default)]
pub struct Tally {
    taxed: Vec<f64>,
    people: Vec<f64>,
    lost: Vec<f64>,
    /// Per province: (controller, population, tax), summed into the factions in id order.
    by_province: Vec<(FactionId, f64, Option<f64>)>,
}

type Recruit = (
    &'static Allegiance,
    &'static Position,
    &'static mut Strength,
    &'static mut Ledger,
    Has<Besieging>,
    Has<Routed>,
    Has<Dissolved>,
);

/// Economy phase.
#[allow(clippy::too_many_arguments)]
pub fn run_economy(
    cal: Res<Calendar>,
    params: Res<Params>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    mut factions: Query<(&mut Coffers, &mut Weariness, &Drain)>,
    mut provinces: Query<(&ProvinceId, &Control, &mut Granary, &Population, &Siege)>,
    mut armies: Query<Recruit>,
    mut tally: Local<Tally>,
) {
    let p = &*params;
    let days = cal.days();
    let year_share = days / 365.0;
    let n = index.factions.len();
    let Tally { taxed, people, lost, by_province } = &mut *tally;
    for v in [&mut *taxed, &mut *people, &mut *lost] {
        v.clear();
        v.resize(n, 0.0);
    }
    let harvest_months = cal.months_starting();

    // Harvests come in on the 1st of the harvest month; a besieged province loses its own.
    by_province.clear();
    by_province.resize(index.provinces.len(), (FactionId(u32::MAX), 0.0, None));
    let harvest_now = harvest_months.iter().any(|m| *m);
    if harvest_now {
        for (id, control, mut granary, population, siege) in &mut provinces {
            let mut tax = None;
            if siege.besieger.is_none()
                && harvest_months.get(usize::from(granary.harvest_month)).copied().unwrap_or(false)
            {
                let t = granary.harvest * p.grain_tax;
                granary.grain += granary.harvest - t;
                tax = Some(t);
            }
            by_province[id.index()] = (control.controller, population.0, tax);
        }
    } else {
        for (id, control, _, population, _) in &provinces {
            by_province[id.index()] = (control.controller, population.0, None);
        }
    }
    for &(controller, population, tax) in by_province.iter() {
        let c = controller.index();
        if c < n {
            people[c] += population;
            if let Some(t) = tax {
                taxed[c] += t;
            }
        }
    }
    // Armies' losses so far (dissolved armies too) feed war weariness.
    for e in &index.armies {
        if let Ok((al, _, _, ledger, ..)) = armies.get(*e)
            && al.0.index() < n
        {
            lost[al.0.index()] += ledger.lost;
        }
    }
    for (i, e) in index.factions.iter().enumerate() {
        let Ok((mut f, mut w, drain)) = factions.get_mut(*e) else { continue };
        f.grain = (f.grain + taxed[i] - drain.grain * year_share).max(0.0);
        f.manpower = (f.manpower + people[i] * p.manpower_rate * year_share - drain.men * year_share).max(0.0);
        let new_losses = (lost[i] - w.losses).max(0.0);
        w.losses = lost[i];
        w.weariness += new_losses / 10_000.0 * p.weariness_per_loss;
        if !diplomacy.at_war_with_anyone(FactionId(i as u32)) {
            w.weariness -= p.weariness_decay * days;
        }
        w.weariness = w.weariness.clamp(0.0, 1.0);
    }

    // Reinforcements reach armies resting in their own land.
    for e in &index.armies {
        let Ok((al, pos, mut s, mut ledger, besieging, routed, dissolved)) = armies.get_mut(*e) else { continue };
        if dissolved {
            continue;
        }
        let Some(q) = pos.0.province() else { continue };
        let Ok((_, control, ..)) = provinces.get(index.provinces[q.index()]) else { continue };
        if control.controller != al.0 || besieging || routed {
            continue;
        }
        let Ok((mut f, ..)) = factions.get_mut(index.factions[al.0.index()]) else { continue };
        let deficit = ledger.establishment - s.men();
        let cost = p.reinforce_grain.max(1e-9);
        let raise = deficit.min(ledger.committed * p.reinforce_rate * days).min(f.manpower).min(f.grain / cost);
        if raise < 1.0 {
            continue;
        }
        f.manpower -= raise;
        f.grain -= raise * cost;
        s.infantry += raise;
        ledger.committed += raise;
    }
}
