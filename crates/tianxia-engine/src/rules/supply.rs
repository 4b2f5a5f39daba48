//! Supply and attrition.
//!
//! Each turn an army needs rations (men x ration) and fodder (horses x fodder, less in
//! the grazing season) for the turn's days, and tries to refill what it carries up to
//! `carry_days`. It draws from provinces it may draw from (own, allied, or a host's that
//! owes grain) within `supply_range` km of the route graph, nearest first, losing a share
//! in transit per 100 km (less by river); then forages where it stands; then, for what it
//! still lacks this turn, its faction's central granary sends rations if its supply net
//! reaches its own land (losing `central_supply_loss`). It eats from what it carries. Any shortfall costs men, horses and morale, and counts as days unfed
//! ([`Hunger`]); disease costs men too. (Cold is the exposure rule's.)

use crate::calendar::{Calendar, Season};
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::*;
use crate::model::commander::Trait;
use crate::model::diplomacy::Diplomacy;
use crate::model::faction::{Coffers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Population, Siege, Walls};
use crate::model::route::{RouteGraph, SearchTree};
use crate::model::weather::Weather;
use crate::params::Params;
use crate::record::log::{EventLog, LogKind};
use crate::rules::lookup::{DrawTable, Places};
use bevy_ecs::prelude::*;

/// Grain an army needs per day: rations plus fodder.
pub fn daily_need(s: &Strength, p: &Params, season: Season, month: u8) -> f64 {
    let grazing = (5..=9).contains(&month) && season != Season::Winter;
    let fodder = p.fodder * if grazing { p.grazing_fodder_share } else { 1.0 };
    s.men() * p.ration + s.horses * fodder
}

/// The grain a walled province held by its owner keeps for a siege, which field armies
/// cannot draw below through their supply lines: `siege_reserve_days` of its garrison's and people's rations (none without walls).
pub fn siege_reserve(walls: &Walls, population: &Population, p: &Params) -> f64 {
    if walls.fort == 0 {
        return 0.0;
    }
    (walls.garrison * p.ration + population.0 * p.civilian_ration) * p.siege_reserve_days.max(0.0)
}

/// The supply net an army found last time, and what it was found from: the search is
/// made again only when one of these changed, or drawing rights changed in or next to a
/// province it reached.
#[derive(Clone, Debug, Default)]
struct Net {
    key: Option<(ProvinceId, FactionId, [u64; 3], u64, u64)>,
    reached: Vec<(ProvinceId, f64)>,
}

/// Buffers the supply phase reuses from turn to turn.
#[derive(Default)]
pub struct SupplyScratch {
    controllers: Vec<Option<FactionId>>,
    draw: DrawTable,
    nets: Vec<Net>,
    /// Per faction: war weariness.
    kinds: Vec<f64>,
    tree: SearchTree,
    /// Provinces whose drawing rights changed this turn, and their neighbours.
    dirty: Vec<bool>,
    /// Where enemy armies stand unopposed, by faction then province: such a province
    /// neither sends grain to the faction's armies nor passes it on.
    blocked: Vec<bool>,
    /// The entries of `blocked` that are set (faction × provinces + province), in order.
    blocked_at: Vec<usize>,
    /// This turn's entries, before they replace `blocked_at`.
    blocked_now: Vec<usize>,
    /// (province, faction) of every army standing in a province this turn.
    occupied: Vec<(ProvinceId, FactionId)>,
    /// Provinces whose blockade may have changed this turn.
    unblocked: Vec<ProvinceId>,
    /// The provinces' grain as this phase draws it down, by province: read once at the
    /// start of the phase and written back where it changed, so an army's draw looks at
    /// numbers, not at the ECS, for each province its net reaches.
    stores: Vec<Stock>,
    /// The provinces whose grain this phase took from, in the order first touched.
    drawn: Vec<ProvinceId>,
}

/// A province's grain for this supply phase.
#[derive(Clone, Copy, Debug, Default)]
struct Stock {
    grain: f64,
    /// What supply lines may not draw below (the siege reserve of a city held by its own
    /// people), or infinity where they may not draw at all (a besieged province).
    floor: f64,
    touched: bool,
}

/// A province as a store of grain for armies.
type Store = (
    &'static ProvinceId,
    &'static Control,
    &'static Siege,
    &'static mut Granary,
    (&'static Walls, &'static Population),
);

type Eater = (
    &'static Allegiance,
    &'static Leadership,
    &'static Position,
    &'static mut Strength,
    &'static mut Spirit,
    &'static mut Supplies,
    &'static mut Hunger,
    &'static mut Ledger,
    &'static mut Wastage,
    Has<Besieging>,
    Has<Starving>,
);

/// Supply phase.
#[allow(clippy::too_many_arguments)]
pub fn supply_armies(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    places: Places,
    mut armies: Query<Eater, Without<Dissolved>>,
    mut provinces: Query<Store>,
    changed: Query<(&ProvinceId, &Control), Changed<Control>>,
    weariness: Query<&Weariness>,
    mut coffers: Query<&mut Coffers>,
    mut log: ResMut<EventLog>,
    mut commands: Commands,
    mut scratch: Local<SupplyScratch>,
) {
    let p = &*params;
    let days = cal.days();
    let today = cal.date.to_days();
    let season = cal.date.season();
    let SupplyScratch {
        controllers,
        draw,
        nets,
        kinds,
        tree,
        dirty,
        blocked,
        blocked_at,
        blocked_now,
        occupied,
        unblocked,
        stores,
        drawn,
    } = &mut *scratch;
    let np = index.provinces.len();
    let nf = index.factions.len();
    // Controllers are kept from turn to turn and updated where control changed (all of
    // them in a new or rebuilt world).
    if controllers.len() != np {
        // Another world: the nets of the last one mean nothing here.
        nets.clear();
        blocked.clear();
        blocked_at.clear();
        controllers.clear();
        controllers.resize(np, None);
        for (id, c, ..) in provinces.iter() {
            controllers[id.index()] = Some(c.controller);
        }
    } else {
        for (id, c) in &changed {
            controllers[id.index()] = Some(c.controller);
        }
    }
    draw.update(&diplomacy, diplomacy.is_changed(), controllers, nf);
    nets.resize_with(index.armies.len(), Net::default);
    // A province where an army at war with a faction stands, and none friendly to it,
    // is cut off for that faction: its carts are taken at the gates and no convoy passes.
    occupied.clear();
    occupied.extend(armies.iter().filter_map(|(al, _, pos, ..)| pos.0.province().map(|q| (q, al.0))));
    occupied.sort_unstable();
    occupied.dedup();
    blocked_now.clear();
    for here in occupied.chunk_by(|a, b| a.0 == b.0) {
        let q = here[0].0;
        for f in (0..nf).map(|f| FactionId(f as u32)) {
            let enemy = here.iter().any(|&(_, g)| diplomacy.at_war(f, g));
            if enemy && !here.iter().any(|&(_, g)| g == f || diplomacy.friendly(f, g)) {
                blocked_now.push(f.index() * np + q.index());
            }
        }
    }
    blocked_now.sort_unstable();
    if blocked.len() != nf * np {
        blocked.clear();
        blocked.resize(nf * np, false);
        blocked_at.clear();
    }
    unblocked.clear();
    if blocked_now != blocked_at {
        for &k in blocked_at.iter() {
            blocked[k] = false;
        }
        for &k in blocked_now.iter() {
            blocked[k] = true;
        }
        // Every province in either list may have changed (searching a net again where
        // nothing changed finds the same net).
        unblocked.extend(blocked_at.iter().chain(blocked_now.iter()).map(|&k| ProvinceId((k % np) as u32)));
        std::mem::swap(blocked_at, blocked_now);
    }
    // A change of drawing rights or of a blockade in a province can change the nets that
    // reached it or a neighbour of it (the search looked at it from there), and no other.
    if !draw.changed().is_empty() || !unblocked.is_empty() {
        dirty.clear();
        dirty.resize(np, false);
        for &q in draw.changed().iter().chain(unblocked.iter()) {
            dirty[q.index()] = true;
            for &(_, n) in graph.neighbours(q) {
                dirty[n.index()] = true;
            }
        }
        for net in nets.iter_mut().filter(|n| n.key.is_some()) {
            if net.reached.iter().any(|(q, _)| dirty.get(q.index()).is_none_or(|d| *d)) {
                net.key = None;
            }
        }
    }
    // Each faction's war weariness, read once.
    kinds.clear();
    kinds.extend(index.factions.iter().map(|e| weariness.get(*e).map_or(0.0, |w| w.weariness)));
    // The provinces' grain, read once; nothing else changes a province in this phase.
    stores.clear();
    stores.resize(np, Stock::default());
    for (id, control, siege, granary, (walls, people)) in provinces.iter() {
        // A city held by its own people keeps its reserve; an occupier takes what is there.
        let floor = if siege.besieger.is_some() {
            f64::INFINITY
        } else if control.controller == control.owner {
            siege_reserve(walls, people, p)
        } else {
            0.0
        };
        stores[id.index()] = Stock { grain: granary.grain, floor, touched: false };
    }
    drawn.clear();

    for (i, e) in index.armies.iter().enumerate() {
        let Ok((
            al,
            led,
            pos,
            mut s,
            mut spirit,
            mut supplies,
            mut hunger_days,
            mut ledger,
            mut wastage,
            besieging,
            was_starving,
        )) = armies.get_mut(*e)
        else {
            continue;
        };
        let f = al.0;
        let logistics = if led.has(Trait::Logistician) { p.logistician_loss } else { 1.0 };
        let per_day = daily_need(&s, p, season, cal.date.month);
        let need = per_day * days;
        let here = pos.0.nearest(|r| graph.way(r).km);
        // A lost train is rebuilt, bit by bit, where the army may requisition carts.
        if supplies.train < 1.0 && pos.0.province().is_some_and(|q| draw.row(f)[q.index()]) {
            supplies.train = (supplies.train + p.train_rebuild_per_day.max(0.0) * days).min(1.0);
        }
        let want = (need + per_day * p.carry_days * supplies.train.clamp(0.0, 1.0) - supplies.food).max(0.0);
        // Carts stop in deep snow: on the days the weather where the army stands stops
        // them, nothing comes by the supply net or from the central granary, and the army
        // lives on what it carries and forages; on the others they bring the turn's loads
        // in proportion.
        let (weather, bad_days) = places.weather_for(here, today, days);
        let stop = match weather {
            Weather::Snow => p.carts_stopped_snow,
            Weather::Blizzard => p.carts_stopped_blizzard,
            Weather::Clear | Weather::Rain => 0.0,
        };
        let stopped = (bad_days * stop.clamp(0.0, 1.0)).clamp(0.0, days);
        let by_cart = if stopped > 0.0 { want * (1.0 - stopped / days) } else { want };
        let carried = supplies.food;

        // Draw through the supply net, nearest first.
        let mut got = 0.0;
        if by_cart > 0.0 {
            let row = draw.row(f);
            let cut = &blocked[f.index() * np..(f.index() + 1) * np];
            let may_draw = |q: ProvinceId| row[q.index()] && !cut[q.index()];
            // Path cost is the share of grain lost on the way; the range is in land km.
            let (land, river) = (p.supply_loss_land * logistics / 100.0, p.supply_loss_river * logistics / 100.0);
            let limit = p.supply_range * p.supply_loss_land * logistics / 100.0;
            let net = &mut nets[i];
            let rates = [land.to_bits(), river.to_bits(), limit.to_bits()];
            let key = Some((here, f, rates, graph.generation(), draw.whole_generation()));
            if net.key != key {
                graph.search(tree, here, limit, None, |r, w, _, to| {
                    (graph.is_open(r) && may_draw(to)).then(|| w.km * if w.kind.is_river() { river } else { land })
                });
                net.key = key;
                net.reached.clear();
                net.reached.extend_from_slice(tree.reached());
            }
            for &(q, lost) in &net.reached {
                if got >= by_cart {
                    break;
                }
                let kept = 1.0 - lost;
                if !may_draw(q) || kept <= 0.0 {
                    continue;
                }
                let Some(store) = stores.get_mut(q.index()) else { continue };
                if store.floor == f64::INFINITY {
                    continue;
                }
                let available = (store.grain - store.floor).max(0.0) * p.supply_draw_share;
                let draw = ((by_cart - got) / kept).min(available);
                store.grain -= draw;
                got += draw * kept;
                if !store.touched {
                    store.touched = true;
                    drawn.push(q);
                }
            }
        }
        let carted = got;
        // Forage where it stands (any land: in foreign land this is plunder).
        let mut foraged = 0.0;
        if got < want
            && let Some(store) = stores.get_mut(here.index())
        {
            foraged = (want - got).min(store.grain * (p.forage_share_per_day * days).min(1.0));
            store.grain -= foraged;
            got += foraged;
            if !store.touched {
                store.touched = true;
                drawn.push(here);
            }
        }
        // What it still lacks to eat this turn comes from the central granary, if its supply
        // net reaches a province its faction holds, less what is lost on the way.
        let lacking = need - (supplies.food + got);
        if lacking > 0.0
            && nets[i].reached.iter().any(|(q, _)| controllers[q.index()] == Some(f))
            && let Some(mut c) = index.factions.get(f.index()).and_then(|e| coffers.get_mut(*e).ok())
        {
            let kept = (1.0 - p.central_supply_loss).clamp(0.0, 1.0);
            let room = (by_cart - carted).max(0.0);
            if kept > 0.0 && room > 0.0 {
                let sent = (lacking.min(room) / kept).min(c.grain);
                c.grain -= sent;
                got += sent * kept;
            }
        }
        // What the days without carts need beyond what it carried and foraged goes uneaten.
        let unfed = if stopped > 0.0 { (per_day * stopped - (carried + foraged)).max(0.0) } else { 0.0 };
        supplies.food += got;
        let eaten = supplies.food.min(need - unfed);
        supplies.food -= eaten;
        let short = if need > 0.0 { 1.0 - eaten / need } else { 0.0 };

        let weary = kinds.get(f.index()).copied().unwrap_or(0.0);
        let disease = p.disease_attrition
            * if season == Season::Summer { p.disease_summer_factor } else { 1.0 }
            * if besieging { p.disease_siege_factor } else { 1.0 };
        let hunger = p.hunger_attrition * short;
        let attrition = (hunger + disease) * days;
        let lost = s.lose(attrition);
        ledger.lost += lost;
        let causes = hunger + disease;
        if lost > 0.0 && causes > 0.0 {
            wastage.hunger += lost * hunger / causes;
            wastage.disease += lost * disease / causes;
        }
        hunger_days.days = if short > 0.0 { hunger_days.days + short * days } else { 0.0 };
        s.horses *= (1.0 - p.horse_starvation * short * days).max(0.0);
        if short > 0.0 {
            spirit.morale = (spirit.morale - p.hunger_morale_loss * short * days).max(0.0);
        } else {
            spirit.morale = (spirit.morale + p.morale_recovery * days * (1.0 - p.weariness_morale * weary)).min(1.0);
            spirit.cohesion = (spirit.cohesion + p.cohesion_recovery * days).min(1.0);
        }
        let starving = short > p.starving_share;
        if starving && !was_starving {
            log.push(&cal, LogKind::Starving { army: ArmyId(i as u32), province: pos.0.province() });
            commands.entity(*e).insert(Starving);
        } else if !starving && was_starving {
            commands.entity(*e).remove::<Starving>();
        }
    }
    // What the armies drew, back into the granaries.
    for &q in drawn.iter() {
        if let Ok((.., mut granary, _)) = provinces.get_mut(index.provinces[q.index()]) {
            granary.grain = stores[q.index()].grain;
        }
    }
}

/// Record phase: when a month has ended, each army (by id) that lost at least
/// `p.wastage_report_men` men away from battle in it gets a chronicle line saying to what,
/// and its count starts again.
pub fn report_wastage(
    cal: Res<Calendar>,
    params: Res<Params>,
    index: Res<Index>,
    mut armies: Query<&mut Wastage, Without<Dissolved>>,
    mut log: ResMut<EventLog>,
) {
    // The last day of this turn is in another month than its first: the first's month ends.
    let last = cal.date.add_days(i64::from(cal.turn_days) - 1);
    if last.month == cal.date.month && last.year == cal.date.year {
        return;
    }
    for (i, e) in index.armies.iter().enumerate() {
        let Ok(mut w) = armies.get_mut(*e) else { continue };
        let total = w.hunger + w.cold + w.disease + w.rough;
        if total >= params.wastage_report_men.max(1.0) {
            log.push(
                &cal,
                LogKind::Wastage {
                    army: ArmyId(i as u32),
                    year: cal.date.year,
                    month: cal.date.month,
                    hunger: w.hunger,
                    cold: w.cold,
                    disease: w.disease,
                    rough: w.rough,
                },
            );
        }
        if total > 0.0 {
            *w = Wastage::default();
        }
    }
}
