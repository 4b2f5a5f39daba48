//! Economy: harvests, the central granary, the people's bread, manpower (and the
//! stragglers of broken armies coming home to it), reinforcements, war weariness and the
//! drain of fronts off the map.
//!
//! The townspeople (`granary_fed_share` of the people) of every province not under siege
//! eat `civilian_ration` a day from its granary; what it lacks its controller's central granary sends, losing
//! `central_supply_loss` on the way; what is still lacking is famine, which costs people.
//! The central granary holds `central_granary_years` of the grain tax of the provinces its
//! faction holds.

use crate::calendar::Calendar;
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::*;
use crate::model::diplomacy::Diplomacy;
use crate::model::faction::{Coffers, Drain, Stragglers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Famine, Granary, Population, Ravage, Siege, Walls};
use crate::params::Params;
use crate::record::log::{EventLog, LogKind};
use bevy_ecs::prelude::*;

/// Per-faction sums the economy phase reuses from turn to turn.
#[derive(Default)]
pub struct Tally {
    taxed: Vec<f64>,
    /// Per faction: the yearly grain tax of the provinces it holds (the central granary's bound).
    yearly: Vec<f64>,
    people: Vec<f64>,
    lost: Vec<f64>,
    /// Per province: (controller, population, tax), summed into the factions in id order.
    by_province: Vec<(FactionId, f64, Option<f64>, f64)>,
    /// Per army: (faction, men lost so far).
    by_army: Vec<Option<(FactionId, f64)>>,
    /// Armies short of men in their own land, who may be reinforced, by id.
    short: Vec<(ArmyId, Entity)>,
    /// Provinces whose garrison is short of its establishment, by id.
    thin: Vec<(ProvinceId, Entity)>,
    /// Provinces whose townspeople lacked bread or had famine: (id, need, lacking).
    hunger: Vec<(ProvinceId, f64, f64)>,
}

type Land = (
    &'static ProvinceId,
    &'static Control,
    &'static mut Granary,
    &'static mut Population,
    &'static Siege,
    &'static mut Walls,
    &'static mut Ravage,
    Has<Famine>,
);

type Recruit = (
    &'static ArmyId,
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
    mut factions: Query<(&mut Coffers, &mut Weariness, &Drain, &mut Stragglers)>,
    mut provinces: Query<Land>,
    mut armies: Query<Recruit>,
    mut log: ResMut<EventLog>,
    mut commands: Commands,
    mut tally: Local<Tally>,
) {
    let p = &*params;
    let days = cal.days();
    let year_share = days / 365.0;
    let n = index.factions.len();
    let Tally { taxed, yearly, people, lost, by_province, by_army, short, thin, hunger } = &mut *tally;
    for v in [&mut *taxed, &mut *yearly, &mut *people, &mut *lost] {
        v.clear();
        v.resize(n, 0.0);
    }
    let harvest_months = cal.months_starting();

    // One pass over the provinces. Harvests come in on the 1st of the harvest month, up to
    // what the granary holds; a besieged province loses its own. Then the townspeople eat
    // from the granary (each province on its own; a besieged city eats in the siege
    // rule); what they lack is noted, and so are garrisons short of their establishment.
    by_province.clear();
    by_province.resize(index.provinces.len(), (FactionId(u32::MAX), 0.0, None, 0.0));
    let harvest_now = harvest_months.iter().any(|m| *m);
    let fed = p.granary_fed_share.clamp(0.0, 1.0);
    hunger.clear();
    thin.clear();
    for (id, control, mut granary, population, siege, walls, mut ravage, had_famine) in &mut provinces {
        let mut tax = None;
        if harvest_now {
            let month = harvest_months.get(usize::from(granary.harvest_month)).copied().unwrap_or(false);
            if month && siege.besieger.is_none() {
                // A sack spoilt part of the fields.
                let harvest = granary.harvest * (1.0 - ravage.harvest_loss.clamp(0.0, 1.0));
                let t = harvest * p.grain_tax;
                let holds = (granary.harvest * p.granary_capacity_harvests).max(granary.grain);
                granary.grain = (granary.grain + harvest - t).min(holds);
                tax = Some(t);
            }
            if month && ravage.harvest_loss != 0.0 {
                ravage.harvest_loss = 0.0;
            }
        }
        by_province[id.index()] = (control.controller, population.0, tax, granary.harvest * p.grain_tax);
        if siege.besieger.is_some() || population.0 <= 0.0 {
            if had_famine {
                hunger.push((*id, 0.0, 0.0));
            }
        } else {
            let need = population.0 * fed * p.civilian_ration * days;
            let own = need.min(granary.grain);
            granary.grain -= own;
            if need - own > 0.0 || had_famine {
                hunger.push((*id, need, need - own));
            }
        }
        if siege.besieger.is_none() && walls.establishment - walls.garrison >= 1.0 {
            thin.push((*id, index.provinces[id.index()]));
        }
    }
    for &(controller, population, tax, year) in by_province.iter() {
        let c = controller.index();
        if c < n {
            people[c] += population;
            yearly[c] += year;
            if let Some(t) = tax {
                taxed[c] += t;
            }
        }
    }
    // Armies' losses so far (dissolved armies too) feed war weariness, summed by army id.
    // Only armies short of men can be reinforced (below): they are picked out here too.
    by_army.clear();
    by_army.resize(index.armies.len(), None);
    short.clear();
    for (id, al, pos, s, ledger, besieging, routed, dissolved) in &armies {
        by_army[id.index()] = Some((al.0, ledger.lost));
        let at_home = pos.0.province().and_then(|q| by_province.get(q.index())).is_some_and(|b| b.0 == al.0);
        if !dissolved && !besieging && !routed && at_home && ledger.establishment - s.men() >= 1.0 {
            short.push((*id, index.armies[id.index()]));
        }
    }
    for &(f, l) in by_army.iter().flatten() {
        if f.index() < n {
            lost[f.index()] += l;
        }
    }
    short.sort_unstable_by_key(|x| x.0);
    for (i, e) in index.factions.iter().enumerate() {
        let Ok((mut f, mut w, drain, mut stragglers)) = factions.get_mut(*e) else { continue };
        // The tax comes in up to what the central granary holds (never below what it had).
        let holds = (yearly[i] * p.central_granary_years.max(0.0)).max(f.grain);
        f.grain = (f.grain + taxed[i]).min(holds);
        f.grain = (f.grain - drain.grain * year_share).max(0.0);
        // Scattered men of broken armies drift home into the manpower pool.
        let home = stragglers.men * (p.straggler_return_per_day * days).clamp(0.0, 1.0);
        stragglers.men -= home;
        f.manpower = (f.manpower + home + people[i] * p.manpower_rate * year_share - drain.men * year_share).max(0.0);
        let new_losses = (lost[i] - w.losses).max(0.0);
        w.losses = lost[i];
        w.weariness += new_losses / 10_000.0 * p.weariness_per_loss;
        if !diplomacy.at_war_with_anyone(FactionId(i as u32)) {
            w.weariness -= p.weariness_decay * days;
        }
        w.weariness = w.weariness.clamp(0.0, 1.0);
    }

    // By province id, what the townspeople lacked comes from their controller's central
    // granary (less the loss on the way), and what is still lacking is famine.
    hunger.sort_unstable_by_key(|x| x.0);
    for &(id, need, lacking) in hunger.iter() {
        let e = index.provinces[id.index()];
        let Ok((_, control, _, mut population, .., had_famine)) = provinces.get_mut(e) else { continue };
        let mut lacking = lacking;
        if lacking > 0.0
            && let Some(&fe) = index.factions.get(control.controller.index())
            && let Ok((mut f, ..)) = factions.get_mut(fe)
        {
            let kept = (1.0 - p.central_supply_loss).clamp(0.0, 1.0);
            if kept > 0.0 {
                let sent = (lacking / kept).min(f.grain);
                f.grain -= sent;
                lacking -= sent * kept;
            }
        }
        let hungry = need > 0.0 && lacking / need > p.starving_share;
        if lacking > 0.0 {
            population.0 *= 1.0 - (p.famine_mortality * lacking / need * days).clamp(0.0, 1.0);
        }
        match (hungry, had_famine) {
            (true, false) => {
                commands.entity(e).insert(Famine);
                log.push(&cal, LogKind::Famine { province: id });
            }
            (false, true) => {
                commands.entity(e).remove::<Famine>();
            }
            _ => {}
        }
    }

    // Reinforcements reach armies resting in their own land, by id (they share the pool);
    // then garrisons are refilled towards their establishment, by province id.
    for &(_, e) in short.iter() {
        let Ok((_, al, _, mut s, mut ledger, ..)) = armies.get_mut(e) else { continue };
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
    // Only garrisons short of their establishment are looked at, by province id (they
    // share the pool).
    thin.sort_unstable_by_key(|x| x.0);
    for &(_, e) in thin.iter() {
        let Ok((_, control, _, _, _, mut walls, ..)) = provinces.get_mut(e) else { continue };
        let gap = walls.establishment - walls.garrison;
        let Some(&fe) = index.factions.get(control.controller.index()) else { continue };
        let Ok((mut f, ..)) = factions.get_mut(fe) else { continue };
        let cost = p.reinforce_grain.max(1e-9);
        let raise =
            gap.min(walls.establishment * p.garrison_replenish_per_day * days).min(f.manpower).min(f.grain / cost);
        if raise < 1.0 {
            continue;
        }
        f.manpower -= raise;
        f.grain -= raise * cost;
        walls.garrison += raise;
    }
}
