//! Supply and attrition.
//!
//! Each turn an army needs rations (men x ration) and fodder (horses x fodder, less in
//! the grazing season) for the turn's days, and tries to refill what it carries up to
//! `carry_days`. It draws from provinces it may draw from (own, allied, or a host's that
//! owes grain) within `supply_range` km of the route graph, nearest first, losing a share
//! in transit per 100 km (less by river); then forages where it stands. It eats from what
//! it carries. Any shortfall costs men, horses and morale; snow and disease cost men too.

use crate::calendar::{Calendar, Season};
use crate::diplomacy::Diplomacy;
use crate::ids::ProvinceId;
use crate::log::{EventLog, LogKind};
use crate::map::RouteGraph;
use crate::model::{Army, Commander, Faction, Province, Trait};
use crate::outcome::Index;
use crate::params::Params;
use crate::weather::{Regions, Weather};
use bevy_ecs::prelude::*;

/// Grain an army needs per day: rations plus fodder.
pub fn daily_need(a: &Army, p: &Params, season: Season, month: u8) -> f64 {
    let grazing = (5..=9).contains(&month) && season != Season::Winter;
    let fodder = p.fodder * if grazing { p.grazing_fodder_share } else { 1.0 };
    a.men() * p.ration + a.horses * fodder
}

/// Supply phase.
#[allow(clippy::too_many_arguments)]
pub fn supply_armies(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    regions: Res<Regions>,
    index: Res<Index>,
    mut armies: Query<&mut Army>,
    mut provinces: Query<&mut Province>,
    factions: Query<&Faction>,
    commanders: Query<&Commander>,
    mut log: ResMut<EventLog>,
) {
    let p = &*params;
    let days = cal.days();
    let season = cal.date.season();
    let mut order: Vec<(crate::ids::ArmyId, Entity)> =
        armies.iter().filter(|a| !a.destroyed).map(|a| (a.id, index.armies[a.id.index()])).collect();
    order.sort();
    let controllers: Vec<_> = index.provinces.iter().map(|e| provinces.get(*e).map(|p| p.controller).ok()).collect();

    for (_, e) in order {
        let Ok(mut a) = armies.get_mut(e) else { continue };
        let f = a.faction;
        let traits: Vec<Trait> = a
            .commanders
            .iter()
            .filter_map(|c| commanders.get(index.commanders[c.index()]).ok())
            .flat_map(|c| c.traits.iter().copied())
            .collect();
        let logistics = if traits.contains(&Trait::Logistician) { p.logistician_loss } else { 1.0 };
        let per_day = daily_need(&a, p, season, cal.date.month);
        let need = per_day * days;
        let want = (need + per_day * p.carry_days - a.food).max(0.0);
        let here = a.location.nearest(|r| graph.route(r).km);

        // Draw through the supply net, nearest first.
        let mut got = 0.0;
        if want > 0.0 {
            let may_draw = |q: ProvinceId| controllers[q.index()].is_some_and(|c| diplomacy.may_draw(f, c, q));
            // Path cost is the share of grain lost on the way; the range is in land km.
            let rate = |r: &crate::map::Route| {
                (if r.kind.is_river() { p.supply_loss_river } else { p.supply_loss_land }) * logistics / 100.0
            };
            let limit = p.supply_range * p.supply_loss_land * logistics / 100.0;
            let sources =
                graph.within(here, limit, |r, _, to| (r.open_in(season) && may_draw(to)).then(|| r.km * rate(r)));
            for (q, lost) in sources {
                let kept = 1.0 - lost;
                if got >= want || !may_draw(q) || kept <= 0.0 {
                    continue;
                }
                let Ok(mut pv) = provinces.get_mut(index.provinces[q.index()]) else { continue };
                if pv.besieger.is_some() {
                    continue;
                }
                let available = pv.grain * p.supply_draw_share;
                let draw = ((want - got) / kept).min(available);
                pv.grain -= draw;
                got += draw * kept;
            }
        }
        // Forage where it stands (any land: in foreign land this is plunder).
        if got < want
            && let Ok(mut pv) = provinces.get_mut(index.provinces[here.index()])
        {
            let forage = (want - got).min(pv.grain * (p.forage_share_per_day * days).min(1.0));
            pv.grain -= forage;
            got += forage;
        }
        a.food += got;
        let eaten = a.food.min(need);
        a.food -= eaten;
        let short = if need > 0.0 { 1.0 - eaten / need } else { 0.0 };

        let pv = provinces.get(index.provinces[here.index()]).ok();
        let weather = pv.and_then(|pv| regions.0.get(pv.zone as usize)).map_or(Weather::Clear, |r| r.weather);
        let cold_adapted = factions.get(index.factions[f.index()]).is_ok_and(|x| x.cold_adapted)
            || traits.contains(&Trait::ColdVeteran);
        let cold = match weather {
            Weather::Snow => p.cold_attrition,
            Weather::Blizzard => p.cold_attrition * p.blizzard_cold_factor,
            _ => 0.0,
        } * if cold_adapted { p.cold_adapted_factor } else { 1.0 };
        let disease = p.disease_attrition
            * if season == Season::Summer { p.disease_summer_factor } else { 1.0 }
            * if a.besieging.is_some() { p.disease_siege_factor } else { 1.0 };
        let attrition = (p.hunger_attrition * short + cold + disease) * days;
        a.lose(attrition);
        a.horses *= (1.0 - p.horse_starvation * short * days).max(0.0);
        if short > 0.0 {
            a.morale = (a.morale - p.hunger_morale_loss * short * days).max(0.0);
        } else {
            let weary = factions.get(index.factions[f.index()]).map_or(0.0, |x| x.weariness);
            a.morale = (a.morale + p.morale_recovery * days * (1.0 - p.weariness_morale * weary)).min(1.0);
            a.cohesion = (a.cohesion + p.cohesion_recovery * days).min(1.0);
        }
        let starving = short > p.starving_share;
        if starving && !a.starving {
            let province = a
                .location
                .province()
                .and_then(|q| provinces.get(index.provinces[q.index()]).ok())
                .map(|pv| pv.key.clone());
            log.push(&cal, LogKind::Starving { army: a.key.clone(), province });
        }
        a.starving = starving;
    }
}
